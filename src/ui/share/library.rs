//! The scenarios saved in this browser (local storage), by name.

use crate::scenario::Scenario;
use gloo_storage::{LocalStorage, Storage};
use std::collections::BTreeMap;

/// Where the library is kept; the version changes if its format ever does.
const LIBRARY_KEY: &str = "mutex-playground/library/v1";
/// The most scenarios the library keeps.
const LIBRARY_MAX: usize = 200;
/// The longest name a saved scenario may have, in characters.
const NAME_MAX: usize = 80;

/// The saved scenarios, by name. A damaged store reads as empty (and is not overwritten
/// until something is saved); an entry that is no longer a valid scenario is skipped.
pub fn library() -> BTreeMap<String, Scenario> {
    let raw: BTreeMap<String, serde_json::Value> = LocalStorage::get(LIBRARY_KEY).unwrap_or_default();
    raw.into_iter().filter_map(|(name, v)| Scenario::from_json(&v.to_string()).ok().map(|s| (name, s))).collect()
}

fn save_library(lib: &BTreeMap<String, Scenario>) -> Result<(), String> {
    LocalStorage::set(LIBRARY_KEY, lib).map_err(|e| match e {
        gloo_storage::errors::StorageError::SerdeError(e) => e.to_string(),
        _ => "the browser refused to store it (storage full, or off for this page?)".to_string(),
    })
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
    if lib.len() >= LIBRARY_MAX && !lib.contains_key(name) {
        return Err(format!("the library is full ({LIBRARY_MAX} scenarios): delete some first"));
    }
    lib.insert(name.to_string(), scenario.clone());
    save_library(&lib)
}

/// Deletes the scenario saved under `name` (nothing happens if there is none).
pub fn library_delete(name: &str) -> Result<(), String> {
    let mut lib = library();
    lib.remove(name);
    save_library(&lib)
}

/// Renames the scenario saved under `from` to `to`, which must be free.
pub fn library_rename(from: &str, to: &str) -> Result<(), String> {
    let to = valid_name(to)?;
    let mut lib = library();
    if lib.contains_key(to) {
        return Err(format!("there is already a scenario called {to:?}"));
    }
    let s = lib.remove(from).ok_or("it is no longer in the library")?;
    lib.insert(to.to_string(), s);
    save_library(&lib)
}
