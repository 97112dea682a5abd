//! Files: the exports a person can download, and reading a scenario file they import.

use super::super::state::Loaded;
use crate::scenario::Scenario;
use crate::share::export::{chrome_trace, timeline_svg, Axis};
use gloo_file::{Blob, File, ObjectUrl};
use wasm_bindgen::JsCast;

/// The largest file we try to import as a scenario.
const IMPORT_MAX_BYTES: u64 = 8 * 1024 * 1024;

/// What can be exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    /// The scenario, as JSON (importable).
    Scenario,
    /// The run's trace, as JSON.
    Trace,
    /// The run in the Chrome trace format, for Perfetto and chrome://tracing.
    Perfetto,
    /// The transcript, as text.
    Transcript,
    /// The timeline, as an SVG picture.
    Svg,
    /// The scenario as a Rust program for tokio (`main.rs`, its dependencies on top).
    Rust,
}

impl Export {
    /// Every export, in the order the panel offers them.
    pub const ALL: [Export; 6] =
        [Export::Scenario, Export::Rust, Export::Trace, Export::Perfetto, Export::Transcript, Export::Svg];

    /// The button's label.
    pub fn label(self) -> &'static str {
        match self {
            Export::Scenario => "Export scenario",
            Export::Trace => "Trace (JSON)",
            Export::Perfetto => "Trace for Perfetto",
            Export::Transcript => "Transcript (.txt)",
            Export::Svg => "Timeline (.svg)",
            Export::Rust => "Rust program (main.rs)",
        }
    }

    /// What it is, in the status line ("Exported the trace.").
    pub fn noun(self) -> &'static str {
        match self {
            Export::Scenario => "scenario",
            Export::Trace => "trace",
            Export::Perfetto => "trace for Perfetto",
            Export::Transcript => "transcript",
            Export::Svg => "timeline",
            Export::Rust => "Rust program",
        }
    }

    /// The file's name after `base`, its MIME type, and its contents (`None`: it needs a
    /// run and there is none).
    fn file(self, scenario: &Scenario, run: Option<&Loaded>) -> Option<(&'static str, &'static str, String)> {
        const JSON: &str = "application/json";
        Some(match (self, run) {
            (Export::Scenario, _) => ("scenario.json", JSON, scenario.to_json()),
            (Export::Trace, Some(l)) => ("trace.json", JSON, l.run.to_json()),
            (Export::Perfetto, Some(l)) => ("perfetto.json", JSON, chrome_trace(&l.run, Axis::for_run(&l.run))),
            (Export::Transcript, Some(l)) => ("transcript.txt", "text/plain", l.run.transcript_export()),
            (Export::Svg, Some(l)) => ("timeline.svg", "image/svg+xml", timeline_svg(&l.run)),
            (Export::Rust, _) => {
                let p = crate::scenario::code::to_rust(scenario);
                let deps: String = p.dependencies.lines().map(|l| format!("// {l}\n")).collect();
                ("main.rs", "text/plain", format!("// Cargo.toml:\n{deps}\n{}", p.text))
            }
            _ => return None,
        })
    }

    /// Offers the export as a download, named after the scenario.
    pub fn download(self, scenario: &Scenario, run: Option<&Loaded>) -> Result<(), String> {
        let (suffix, mime, contents) = self.file(scenario, run).ok_or("there is no run to export yet")?;
        let base: String =
            scenario.name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
        download(&format!("{base}.{suffix}"), mime, &contents)
    }
}

/// Offers `contents` as a file download named `name`.
fn download(name: &str, mime: &str, contents: &str) -> Result<(), String> {
    let url = ObjectUrl::from(Blob::new_with_options(contents, Some(mime)));
    let a: web_sys::HtmlAnchorElement = gloo_utils::document()
        .create_element("a")
        .map_err(|_| "the page cannot make a download link")?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    Ok(()) // the object URL is revoked when `url` is dropped
}

/// What a file held.
pub enum Imported {
    /// A scenario (validated).
    Scenario(Scenario),
    /// A lesson (read; the page prepares it when it opens it).
    Lesson(Box<crate::lesson::Lesson>),
}

/// Reads `file` as a scenario, or as a lesson if it has stops. The error says, in words,
/// why nothing changed.
pub async fn import(file: File) -> Result<Imported, String> {
    let name = file.name();
    if file.size() > IMPORT_MAX_BYTES {
        return Err(format!("{name} is too large to be a scenario (over 8 MiB); nothing changed."));
    }
    let text = gloo_file::futures::read_as_text(&file)
        .await
        .map_err(|_| format!("Could not read {name}; nothing changed."))?;
    let is_lesson = serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| v.get("stops").is_some());
    if is_lesson {
        return crate::lesson::Lesson::from_json(&text)
            .map(|l| Imported::Lesson(Box::new(l)))
            .map_err(|e| format!("{name} is not a valid lesson, so nothing changed: {e}"));
    }
    Scenario::from_json(&text)
        .map(Imported::Scenario)
        .map_err(|e| format!("{name} is not a valid scenario, so nothing changed: {e}"))
}
