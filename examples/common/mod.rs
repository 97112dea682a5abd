//! What the command-line examples share: reading a preset id or a scenario file.

use mutex_playground::scenario::{preset, Scenario};
use std::process::ExitCode;

/// The scenario `what` names: a preset id, a path to a scenario JSON file, or a path to a
/// Rust program (`.rs`, read as the code editor reads it). On failure, the message is
/// printed and the exit code returned: 2 for something that is neither, 1 for a file that
/// is not a valid scenario (with the problem's place: `file:line:col: message` for a
/// program).
pub fn load(what: &str) -> Result<Scenario, ExitCode> {
    if let Some(p) = preset(what) {
        return Ok(p.scenario);
    }
    let text = std::fs::read_to_string(what).map_err(|e| {
        eprintln!("{what:?} is neither a preset (try --list) nor a readable file: {e}");
        ExitCode::from(2)
    })?;
    if what.ends_with(".rs") {
        return mutex_playground::code::read(&text).map(|(s, _)| s).map_err(|e| {
            eprintln!("{what}:{}:{}: {}", e.line, e.col, e.message);
            ExitCode::from(1)
        });
    }
    Scenario::from_json(&text).map_err(|e| {
        eprintln!("{what}: {e}");
        ExitCode::from(1)
    })
}

/// The value after `--flag`, if the flag is given.
pub fn flag<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).map(String::as_str)
}
