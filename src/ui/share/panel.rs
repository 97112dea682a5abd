//! The Share panel: the link to this run, the embed snippet, the library, import and
//! exports. Its parts are components of their own: only the link changes while the run
//! plays, so only the link box is redrawn then (the library is read from storage when it
//! changes, not every frame).

use super::files::{import, Export, Imported};
use super::library::{library, library_delete, library_rename, library_save};
use super::LinkParts;
use crate::scenario::Scenario;
use crate::share::export::escape_xml;
use crate::ui::state::{Action, Embed, RunRef, Shared};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// What the Share panel works on.
#[derive(Properties, PartialEq, Debug)]
pub struct ShareProps {
    /// The scenario on screen (saved and exported as is).
    pub scenario: Shared<Scenario>,
    /// The last good run (exported; `None` before there is one).
    pub run: Option<RunRef>,
    /// The link to what is on screen.
    pub link: LinkParts,
    /// The reducer's dispatcher (opening a saved or imported scenario).
    pub dispatch: Callback<Action>,
}

/// Selects a field's whole text when it gets the focus, ready to copy.
fn select_all(e: FocusEvent) {
    if let Some(t) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
        t.select();
    } else if let Some(t) = e.target_dyn_into::<HtmlInputElement>() {
        t.select();
    }
}

fn input_value(e: &InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

/// The Share panel.
#[function_component(SharePanel)]
pub fn share_panel(props: &ShareProps) -> Html {
    let status = use_state(|| None::<String>);
    html! {
        <section class="share" aria-label="Share, save and export" data-testid="share-panel">
            <LinkBox link={props.link.clone()} name={props.scenario.name.clone()} status={status.setter()} />
            <Library scenario={props.scenario.clone()} dispatch={props.dispatch.clone()} status={status.setter()} />
            <Files scenario={props.scenario.clone()} run={props.run.clone()} dispatch={props.dispatch.clone()}
                   status={status.setter()} />
            if let Some(s) = &*status {
                <p class="status" role="status" data-testid="share-status">{ s.clone() }</p>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct LinkBoxProps {
    link: LinkParts,
    /// The scenario's name, for the iframe's title.
    name: String,
    status: UseStateSetter<Option<String>>,
}

/// Puts `text` on the clipboard, and says in `status` whether it could (a page served
/// over plain HTTP from another machine has no clipboard API, and a browser may refuse).
fn copy(text: String, what: &'static str, status: UseStateSetter<Option<String>>) {
    let navigator = gloo_utils::window().navigator();
    // `navigator.clipboard` is missing outside secure contexts: calling it would throw.
    let has_clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into()).is_ok_and(|c| c.is_object());
    if !has_clipboard {
        status.set(Some(format!("This page cannot reach the clipboard: select the {what} and copy it (Ctrl+C).")));
        return;
    }
    let promise = navigator.clipboard().write_text(&text);
    wasm_bindgen_futures::spawn_local(async move {
        status.set(Some(match wasm_bindgen_futures::JsFuture::from(promise).await {
            Ok(_) => format!("Copied the {what}."),
            Err(_) => format!("The browser did not let the page copy: select the {what} and copy it (Ctrl+C)."),
        }));
    });
}

/// The link to this run, and the iframe snippet with its options.
#[function_component(LinkBox)]
fn link_box(props: &LinkBoxProps) -> Html {
    let embed = use_state(|| Embed { on: true, autoplay: true, looped: true, code: false });
    let snippet = format!(
        "<iframe src=\"{}\" width=\"700\" height=\"400\" style=\"border:0\" loading=\"lazy\" \
         title=\"Mutex Playground: {}\"></iframe>",
        escape_xml(&props.link.with(*embed)),
        escape_xml(&props.name)
    );
    let link = props.link.with(Embed::default());
    let toggle = |f: fn(&mut Embed)| {
        let embed = embed.clone();
        Callback::from(move |_| {
            let mut e = *embed;
            f(&mut e);
            embed.set(e);
        })
    };
    html! {
        <>
            <h2>{ "Share" }</h2>
            <label class="field">{ "Link to this exact run (scenario, step, speed, scheduler)" }
                <span class="row">
                    <input readonly=true value={link.clone()} onfocus={select_all} data-testid="share-link" />
                    <button data-testid="copy-link" onclick={{
                        let status = props.status.clone();
                        Callback::from(move |_| copy(link.clone(), "link", status.clone()))
                    }}>{ "Copy" }</button>
                </span>
            </label>
            <fieldset class="embed-options">
                <legend>{ "Embed in a course page (fits 700 × 400)" }</legend>
                <label>
                    <input type="checkbox" checked={embed.autoplay} onchange={toggle(|e| e.autoplay = !e.autoplay)} />
                    { " autoplay" }
                </label>
                <label>
                    <input type="checkbox" checked={embed.looped} onchange={toggle(|e| e.looped = !e.looped)} />
                    { " loop" }
                </label>
                <label>
                    <input type="checkbox" checked={embed.code} onchange={toggle(|e| e.code = !e.code)}
                           data-testid="embed-code" />
                    { " show the Rust program" }
                </label>
                <textarea readonly=true rows="3" value={snippet.clone()} onfocus={select_all}
                          data-testid="embed-snippet" aria-label="iframe snippet" />
                <button data-testid="copy-snippet" onclick={{
                    let status = props.status.clone();
                    Callback::from(move |_| copy(snippet.clone(), "snippet", status.clone()))
                }}>{ "Copy the snippet" }</button>
            </fieldset>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct LibraryProps {
    scenario: Shared<Scenario>,
    dispatch: Callback<Action>,
    status: UseStateSetter<Option<String>>,
}

/// The scenarios saved in this browser: save, open, rename, delete.
#[function_component(Library)]
fn library_list(props: &LibraryProps) -> Html {
    let save_name = use_state(|| props.scenario.name.clone());
    {
        // Another scenario (or a new title): that is the name to save it under.
        let save_name = save_name.clone();
        use_effect_with(props.scenario.name.clone(), move |name| save_name.set(name.clone()));
    }
    // The entry being renamed, and the name typed so far.
    let renaming = use_state(|| None::<(String, String)>);
    // Bumped after each change, so the library is read again (and only then).
    let version = use_state(|| 0u32);
    let lib = use_memo(*version, |_| library());
    let report = {
        let (status, version) = (props.status.clone(), version.clone());
        move |text: String| {
            status.set(Some(text));
            version.set(*version + 1);
        }
    };
    let on_save = {
        let (name, scenario, report) = (save_name.clone(), props.scenario.clone(), report.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            report(match library_save(&name, &scenario) {
                Ok(()) => format!("Saved {:?} in this browser.", name.trim()),
                Err(err) => format!("Not saved: {err}."),
            });
        })
    };
    let on_name = {
        let name = save_name.clone();
        Callback::from(move |e: InputEvent| name.set(input_value(&e)))
    };
    let entry = |name: &String, scenario: &Scenario| {
        let editing = renaming.as_ref().filter(|(from, _)| from == name).map(|(_, to)| to.clone());
        if let Some(to) = editing {
            let on_rename = {
                let (renaming, report, from) = (renaming.clone(), report.clone(), name.clone());
                Callback::from(move |e: SubmitEvent| {
                    e.prevent_default();
                    let to = renaming.as_ref().map(|(_, t)| t.clone()).unwrap_or_default();
                    report(match library_rename(&from, &to) {
                        Ok(()) => format!("Renamed to {:?}.", to.trim()),
                        Err(e) => format!("Not renamed: {e}."),
                    });
                    renaming.set(None);
                })
            };
            let on_input = {
                let (renaming, from) = (renaming.clone(), name.clone());
                Callback::from(move |e: InputEvent| renaming.set(Some((from.clone(), input_value(&e)))))
            };
            return html! {
                <li key={name.clone()}>
                    <form class="row" onsubmit={on_rename}>
                        <input aria-label="New name" value={to} oninput={on_input} />
                        <button type="submit">{ "Rename" }</button>
                    </form>
                </li>
            };
        }
        let open = {
            let s = scenario.clone();
            props.dispatch.reform(move |_| Action::Load(s.clone()))
        };
        let start_rename = {
            let (renaming, n) = (renaming.clone(), name.clone());
            Callback::from(move |_| renaming.set(Some((n.clone(), n.clone()))))
        };
        let delete = {
            let (n, report) = (name.clone(), report.clone());
            Callback::from(move |_| {
                report(match library_delete(&n) {
                    Ok(()) => format!("Deleted {n:?}."),
                    Err(e) => format!("Not deleted: {e}."),
                })
            })
        };
        html! {
            <li key={name.clone()}>
                <span class="lib-name">{ name.clone() }</span>
                <button onclick={open} aria-label={format!("Open {name}")}>{ "Open" }</button>
                <button onclick={start_rename} aria-label={format!("Rename {name}")}>{ "Rename" }</button>
                <button onclick={delete} aria-label={format!("Delete {name}")}>{ "Delete" }</button>
            </li>
        }
    };
    html! {
        <>
            <h2>{ "Save in this browser" }</h2>
            <form class="row" onsubmit={on_save}>
                <input aria-label="Name to save under" value={(*save_name).clone()} oninput={on_name} />
                <button type="submit" data-testid="library-save">{ "Save" }</button>
            </form>
            if lib.is_empty() {
                <p class="muted">{ "Nothing saved yet." }</p>
            } else {
                <ul class="library" data-testid="library">
                    { for lib.iter().map(|(name, scenario)| entry(name, scenario)) }
                </ul>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct FilesProps {
    scenario: Shared<Scenario>,
    run: Option<RunRef>,
    dispatch: Callback<Action>,
    status: UseStateSetter<Option<String>>,
}

/// Import a scenario or a lesson file; export the scenario and the run.
#[function_component(Files)]
fn files(props: &FilesProps) -> Html {
    let on_import = {
        let (dispatch, status) = (props.dispatch.clone(), props.status.clone());
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            input.set_value("");
            let (dispatch, status) = (dispatch.clone(), status.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let file = gloo_file::File::from(file);
                let name = file.name();
                match import(file).await {
                    Ok(Imported::Scenario(s)) => {
                        status.set(Some(format!("Imported {name}.")));
                        dispatch.emit(Action::Load(s));
                    }
                    Ok(Imported::Lesson(l)) => {
                        status.set(Some(format!("Opened the lesson in {name}: the link above shares it.")));
                        dispatch.emit(Action::LoadLesson(l));
                    }
                    Err(why) => status.set(Some(why)),
                }
            });
        })
    };
    let export = |what: Export| {
        let (scenario, run, status) = (props.scenario.clone(), props.run.clone(), props.status.clone());
        Callback::from(move |_| {
            status.set(Some(match what.download(&scenario, run.as_deref()) {
                Ok(()) => format!("Exported the {}.", what.noun()),
                Err(e) => format!("Could not export: {e}."),
            }))
        })
    };
    html! {
        <>
            <h2>{ "Files" }</h2>
            <div class="row wrap">
                <label class="button-like">{ "Import a scenario or a lesson (.json)…" }
                    <input type="file" accept=".json,application/json" class="visually-hidden" onchange={on_import}
                           data-testid="import-file" />
                </label>
                { for Export::ALL.into_iter().map(|what| html! {
                    <button onclick={export(what)}
                            title={(what == Export::Perfetto)
                                .then_some("Opens in ui.perfetto.dev and chrome://tracing")}>
                        { what.label() }
                    </button>
                }) }
            </div>
        </>
    }
}
