//! Share, embed, save and export: the Share panel, the local library, file import, and
//! downloads. Everything a link or a file brings in is data, validated before it runs.
#![allow(missing_debug_implementations)] // component props and handles

use super::state::{Action, Embed, Model};
use crate::scenario::Scenario;
use crate::share::export::{chrome_trace, timeline_svg, Axis};
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

const LIBRARY_KEY: &str = "mutex-playground/library/v1";
/// The most scenarios the library keeps, and the largest file we import.
const LIBRARY_MAX: usize = 200;
const IMPORT_MAX_BYTES: f64 = 8.0 * 1024.0 * 1024.0;

/// The page's address without its fragment (so links work from any sub-path).
pub fn page_base() -> String {
    let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    href.split('#').next().unwrap_or_default().to_string()
}

/// The playground's full address for `model` (with `embed`'s options).
///
/// Playing redraws every frame, and a page that shows a link (the embed's "open in the
/// full playground", the Share panel) would otherwise serialize and deflate an edited
/// scenario each time: the scenario's part of the fragment is cached per scenario.
pub fn link_to(model: &Model, embed: Embed) -> String {
    use crate::share::Link;
    use std::cell::RefCell;
    use std::rc::Rc;
    /// The scenario (kept alive, so its address is not reused), preset and edited flag
    /// the source part was made for, and the part.
    type Packed = (Rc<Scenario>, Option<usize>, bool, String);
    thread_local! {
        static PACKED: RefCell<Option<Packed>> = const { RefCell::new(None) };
    }
    let source = PACKED.with_borrow_mut(|cache| match cache {
        Some((scenario, preset, edited, part))
            if Rc::ptr_eq(scenario, &model.scenario) && *preset == model.preset && *edited == model.edited =>
        {
            part.clone()
        }
        _ => {
            let part = Link { source: model.link_source(), ..Link::default() }.to_fragment();
            *cache = Some((model.scenario.clone(), model.preset, model.edited, part.clone()));
            part
        }
    });
    let rest = model.link_settings(embed).to_fragment();
    let sep = if source.is_empty() || rest.is_empty() { "" } else { "&" };
    format!("{}#{source}{sep}{rest}", page_base())
}

/// The current fragment, with its `#`.
pub fn current_fragment() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// Offers `contents` as a file download named `name`.
pub fn download(name: &str, mime: &str, contents: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let parts = js_sys::Array::of1(&contents.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(|_| "cannot make a file")?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "cannot make a download link")?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a").map_err(|_| "no anchor")?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The saved scenarios, by name. A damaged store reads as empty (and is not overwritten
/// until something is saved).
pub fn library() -> BTreeMap<String, Scenario> {
    let Some(text) = storage().and_then(|s| s.get_item(LIBRARY_KEY).ok().flatten()) else { return BTreeMap::new() };
    let raw: BTreeMap<String, serde_json::Value> = serde_json::from_str(&text).unwrap_or_default();
    raw.into_iter().filter_map(|(name, v)| Scenario::from_json(&v.to_string()).ok().map(|s| (name, s))).collect()
}

fn save_library(lib: &BTreeMap<String, Scenario>) -> Result<(), String> {
    let text = serde_json::to_string(lib).map_err(|e| e.to_string())?;
    storage()
        .ok_or("this browser keeps no local storage for this page")?
        .set_item(LIBRARY_KEY, &text)
        .map_err(|_| "the browser refused to store it (storage full?)".to_string())
}

/// Saves `scenario` under `name` (replacing one of that name).
pub fn library_save(name: &str, scenario: &Scenario) -> Result<(), String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err("give it a name of 1 to 80 characters".into());
    }
    let mut lib = library();
    if lib.len() >= LIBRARY_MAX && !lib.contains_key(name) {
        return Err(format!("the library is full ({LIBRARY_MAX} scenarios): delete some first"));
    }
    lib.insert(name.to_string(), scenario.clone());
    save_library(&lib)
}

pub fn library_delete(name: &str) -> Result<(), String> {
    let mut lib = library();
    lib.remove(name);
    save_library(&lib)
}

pub fn library_rename(from: &str, to: &str) -> Result<(), String> {
    let to = to.trim();
    if to.is_empty() || to.chars().count() > 80 {
        return Err("give it a name of 1 to 80 characters".into());
    }
    let mut lib = library();
    if lib.contains_key(to) {
        return Err(format!("there is already a scenario called {to:?}"));
    }
    let s = lib.remove(from).ok_or("it is no longer in the library")?;
    lib.insert(to.to_string(), s);
    save_library(&lib)
}

fn input_value(e: &Event) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

#[derive(Properties, PartialEq)]
pub struct ShareProps {
    pub model: ModelRef,
    pub dispatch: Callback<Action>,
}

/// The model, compared by pointer: equal only to the same `Rc`. (The app makes a new one
/// each render, so the panel re-renders with the app; comparing the fields it shows is
/// left to issue 12.)
#[derive(Clone)]
pub struct ModelRef(pub std::rc::Rc<Model>);

impl PartialEq for ModelRef {
    fn eq(&self, other: &Self) -> bool {
        std::rc::Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The Share panel: link, iframe snippet, library, import, and exports.
#[function_component(SharePanel)]
pub fn share_panel(props: &ShareProps) -> Html {
    let model = &props.model.0;
    let embed = use_state(|| Embed { on: true, autoplay: true, looped: true });
    let save_name = use_state(|| model.scenario.name.clone());
    let renaming = use_state(|| None::<(String, String)>);
    let lib_version = use_state(|| 0u32); // bumped after each library change, to re-read it
    let status = use_state(|| None::<String>);
    let _ = *lib_version;

    let full_link = link_to(model, Embed::default());
    let embed_link = link_to(model, *embed);
    let snippet = format!(
        "<iframe src=\"{}\" width=\"700\" height=\"400\" style=\"border:0\" loading=\"lazy\" title=\"Mutex Playground: {}\"></iframe>",
        embed_link.replace('&', "&amp;").replace('"', "&quot;"),
        model.scenario.name.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;")
    );
    let select_all = Callback::from(|e: FocusEvent| {
        if let Some(t) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
            t.select();
        } else if let Some(t) = e.target_dyn_into::<HtmlInputElement>() {
            t.select();
        }
    });
    let toggle = |f: fn(&mut Embed)| {
        let embed = embed.clone();
        Callback::from(move |_| {
            let mut e = *embed;
            f(&mut e);
            embed.set(e);
        })
    };

    let run = model.loaded.as_ref().map(|l| l.0.clone());
    let export = |what: &'static str| {
        let run = run.clone();
        let scenario = model.scenario.clone();
        let status = status.clone();
        Callback::from(move |_| {
            let base = scenario
                .name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
                .collect::<String>();
            let result = match (what, &run) {
                ("scenario", _) => download(&format!("{base}.scenario.json"), "application/json", &scenario.to_json()),
                ("trace", Some(l)) => download(&format!("{base}.trace.json"), "application/json", &l.run.to_json()),
                ("chrome", Some(l)) => download(
                    &format!("{base}.perfetto.json"),
                    "application/json",
                    &chrome_trace(&l.run, Axis::for_run(&l.run)),
                ),
                ("transcript", Some(l)) => {
                    download(&format!("{base}.transcript.txt"), "text/plain", &l.run.transcript_export())
                }
                ("svg", Some(l)) => download(&format!("{base}.timeline.svg"), "image/svg+xml", &timeline_svg(&l.run)),
                _ => Err("there is no run to export yet".into()),
            };
            status.set(Some(match result {
                Ok(()) => format!("Exported the {what}."),
                Err(e) => format!("Could not export: {e}."),
            }));
        })
    };

    let on_import = {
        let dispatch = props.dispatch.clone();
        let status = status.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            input.set_value("");
            if file.size() > IMPORT_MAX_BYTES {
                status
                    .set(Some(format!("{} is too large to be a scenario (over 8 MiB); nothing changed.", file.name())));
                return;
            }
            let (dispatch, status) = (dispatch.clone(), status.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    Ok(t) => t.as_string().unwrap_or_default(),
                    Err(_) => {
                        status.set(Some(format!("Could not read {name}; nothing changed.")));
                        return;
                    }
                };
                match Scenario::from_json(&text) {
                    Ok(s) => {
                        status.set(Some(format!("Imported {name}.")));
                        dispatch.emit(Action::Load(s));
                    }
                    Err(err) => status.set(Some(format!("{name} is not a valid scenario, so nothing changed: {err}"))),
                }
            });
        })
    };

    let on_save = {
        let (name, scenario, status, v) =
            (save_name.clone(), model.scenario.clone(), status.clone(), lib_version.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            status.set(Some(match library_save(&name, &scenario) {
                Ok(()) => format!("Saved {:?} in this browser.", name.trim()),
                Err(err) => format!("Not saved: {err}."),
            }));
            v.set(*v + 1);
        })
    };

    let lib = library();
    html! {
        <section class="share" aria-label="Share, save and export" data-testid="share-panel">
            <h2>{ "Share" }</h2>
            <label class="field">{ "Link to this exact run (scenario, step, speed, scheduler)" }
                <input readonly=true value={full_link} onfocus={select_all.clone()} data-testid="share-link" />
            </label>
            <fieldset class="embed-options">
                <legend>{ "Embed in a course page (fits 700 × 400)" }</legend>
                <label><input type="checkbox" checked={embed.autoplay} onchange={toggle(|e| e.autoplay = !e.autoplay)} />{ " autoplay" }</label>
                <label><input type="checkbox" checked={embed.looped} onchange={toggle(|e| e.looped = !e.looped)} />{ " loop" }</label>
                <textarea readonly=true rows="3" value={snippet} onfocus={select_all} data-testid="embed-snippet" aria-label="iframe snippet" />
            </fieldset>

            <h2>{ "Save in this browser" }</h2>
            <form class="row" onsubmit={on_save}>
                <input aria-label="Name to save under" value={(*save_name).clone()} oninput={{ let n = save_name.clone(); Callback::from(move |e: InputEvent| n.set(input_value(&e))) }} />
                <button type="submit" data-testid="library-save">{ "Save" }</button>
            </form>
            if lib.is_empty() {
                <p class="muted">{ "Nothing saved yet." }</p>
            } else {
                <ul class="library" data-testid="library">
                    { for lib.into_iter().map(|(name, scenario)| {
                        let load = { let d = props.dispatch.clone(); let s = scenario.clone(); Callback::from(move |_| d.emit(Action::Load(s.clone()))) };
                        let delete = { let (n, st, v) = (name.clone(), status.clone(), lib_version.clone()); Callback::from(move |_| {
                            st.set(Some(match library_delete(&n) { Ok(()) => format!("Deleted {n:?}."), Err(e) => format!("Not deleted: {e}.") }));
                            v.set(*v + 1);
                        }) };
                        let editing = renaming.as_ref().filter(|(from, _)| *from == name).map(|(_, to)| to.clone());
                        html! {
                            <li key={name.clone()}>
                                if let Some(to) = editing {
                                    <form class="row" onsubmit={{ let (r, st, v, from) = (renaming.clone(), status.clone(), lib_version.clone(), name.clone()); Callback::from(move |e: SubmitEvent| {
                                        e.prevent_default();
                                        let to = r.as_ref().map(|(_, t)| t.clone()).unwrap_or_default();
                                        st.set(Some(match library_rename(&from, &to) { Ok(()) => format!("Renamed to {:?}.", to.trim()), Err(e) => format!("Not renamed: {e}.") }));
                                        r.set(None);
                                        v.set(*v + 1);
                                    }) }}>
                                        <input aria-label="New name" value={to} oninput={{ let (r, from) = (renaming.clone(), name.clone()); Callback::from(move |e: InputEvent| r.set(Some((from.clone(), input_value(&e))))) }} />
                                        <button type="submit">{ "Rename" }</button>
                                    </form>
                                } else {
                                    <span class="lib-name">{ name.clone() }</span>
                                    <button onclick={load} aria-label={format!("Open {name}")}>{ "Open" }</button>
                                    <button onclick={{ let (r, n) = (renaming.clone(), name.clone()); Callback::from(move |_| r.set(Some((n.clone(), n.clone())))) }} aria-label={format!("Rename {name}")}>{ "Rename" }</button>
                                    <button onclick={delete} aria-label={format!("Delete {name}")}>{ "Delete" }</button>
                                }
                            </li>
                        }
                    }) }
                </ul>
            }

            <h2>{ "Files" }</h2>
            <div class="row wrap">
                <label class="button-like">{ "Import a scenario (.json)…" }
                    <input type="file" accept=".json,application/json" class="visually-hidden" onchange={on_import} data-testid="import-file" />
                </label>
                <button onclick={export("scenario")}>{ "Export scenario" }</button>
                <button onclick={export("trace")}>{ "Trace (JSON)" }</button>
                <button onclick={export("chrome")} title="Opens in ui.perfetto.dev and chrome://tracing">{ "Trace for Perfetto" }</button>
                <button onclick={export("transcript")}>{ "Transcript (.txt)" }</button>
                <button onclick={export("svg")}>{ "Timeline (.svg)" }</button>
            </div>
            if let Some(s) = &*status {
                <p class="status" role="status" data-testid="share-status">{ s.clone() }</p>
            }
        </section>
    }
}
