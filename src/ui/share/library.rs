//! The scenarios saved in this browser (local storage), by name.

use crate::scenario::Scenario;
use std::collections::BTreeMap;

/// The saved scenarios, by name, in name order.
pub type Library = Vec<(String, Scenario)>;

/// Where the library is kept; the version changes if its format ever does.
const LIBRARY_KEY: &str = "mutex-playground/library/v1";
/// The most scenarios the library keeps.
const LIBRARY_MAX: usize = 200;
/// The longest name a saved scenario may have, in characters.
const NAME_MAX: usize = 80;

/// The saved scenarios, by name. A damaged store reads as empty (and is not overwritten
/// until something is saved); an entry that is no longer a valid scenario is skipped.
pub fn library() -> Library {
    // Read as JSON's own map type (the page has its code already), then each entry checked.
    let raw: BTreeMap<String, serde_json::Value> = crate::ui::storage::get(LIBRARY_KEY).unwrap_or_default();
    raw.into_iter().filter_map(|(name, v)| Scenario::from_json(&v.to_string()).ok().map(|s| (name, s))).collect()
}

/// Stores the library as one JSON object of name → scenario, written out by hand so that
/// no map type of scenarios is compiled in just for this.
fn save_library(lib: &Library) -> Result<(), String> {
    let mut text = String::from("{");
    for (i, (name, scenario)) in lib.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text += &serde_json::to_string(name).map_err(|e| e.to_string())?;
        text.push(':');
        text += &serde_json::to_string(scenario).map_err(|e| e.to_string())?;
    }
    text.push('}');
    crate::ui::storage::set_text(LIBRARY_KEY, &text)
}

/// Where `name` is in the library, or where it would go.
fn find(lib: &Library, name: &str) -> Result<usize, usize> {
    lib.binary_search_by(|(n, _)| n.as_str().cmp(name))
}

/// `name` trimmed, if it is a name a scenario can be saved under.
fn valid_name(name: &str) -> Result<&str, String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        return Err(format!("give it a name of 1 to {NAME_MAX} characters"));
    }
    Ok(name)
}

/// Saves `scenario` under `name` (replacing one of that name).
pub fn library_save(name: &str, scenario: &Scenario) -> Result<(), String> {
    let name = valid_name(name)?;
    let mut lib = library();
    match find(&lib, name) {
        Ok(i) => lib[i].1 = scenario.clone(),
        Err(_) if lib.len() >= LIBRARY_MAX => {
            return Err(format!("the library is full ({LIBRARY_MAX} scenarios): delete some first"))
        }
        Err(i) => lib.insert(i, (name.to_string(), scenario.clone())),
    }
    save_library(&lib)
}

/// Deletes the scenario saved under `name` (nothing happens if there is none).
pub fn library_delete(name: &str) -> Result<(), String> {
    let mut lib = library();
    if let Ok(i) = find(&lib, name) {
        lib.remove(i);
    }
    save_library(&lib)
}

/// Renames the scenario saved under `from` to `to`, which must be free.
pub fn library_rename(from: &str, to: &str) -> Result<(), String> {
    let to = valid_name(to)?;
    let mut lib = library();
    if find(&lib, to).is_ok() {
        return Err(format!("there is already a scenario called {to:?}"));
    }
    let (_, s) = lib.remove(find(&lib, from).map_err(|_| "it is no longer in the library")?);
    let at = find(&lib, to).unwrap_or_else(|i| i);
    lib.insert(at, (to.to_string(), s));
    save_library(&lib)
}
