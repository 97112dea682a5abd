//! The code editor: the scenario as a Rust program the learner can edit or paste over.
//!
//! A `<textarea>` over a highlighted copy of its text (the browser keeps the caret,
//! selection, undo and paste; the copy behind gives the colours), with line numbers. What
//! is typed is read ([`code::read`](crate::code::read)) a moment after the typing stops,
//! and the run follows; text that cannot be read shows its error at its line and column,
//! with a caret, while the last good run stays on screen. The form editor beside it edits
//! the same scenario: a change there rewrites this text.

use super::state::{Action, CodeDraft, CodeSource, Shared};
use crate::code::highlight::highlight;
use crate::code::CodeError;
use crate::scenario::{code::to_rust, Scenario};
use gloo_timers::callback::Timeout;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// How long typing must pause before the program is read and run (ms).
pub const DEBOUNCE_MS: u32 = 250;

/// What the code editor edits.
#[derive(Properties, PartialEq)]
pub struct CodeEditorProps {
    /// The scenario (its program is written out when it was not typed here).
    pub scenario: Shared<Scenario>,
    /// The program the scenario was read from, if it was typed or pasted here.
    pub source: Option<Shared<CodeSource>>,
    /// Text typed here that could not be read, and why.
    pub draft: Option<Shared<CodeDraft>>,
    /// The reducer's dispatcher: the text goes as an [`Action::EditCode`].
    pub dispatch: Callback<Action>,
}

/// The supported subset, as the page's short reference lists it (the module docs of
/// [`code::lower`](crate::code::lower) say the same at length).
const SUBSET: [&str; 7] = [
    "`#[tokio::main] async fn main` (or a `#[tokio::test]` fn), `use` lines, and the helpers the \
     playground's own programs define.",
    "Mutexes: `Arc::new(Mutex::new(v))` (tokio's: async), `std::sync::Mutex` (blocking: \
     `.lock().unwrap()`), `WakeOnWrite::new(v)`; v a number, a string, `vec![]`, `HashMap::new()`, \
     `BTreeMap::new()`, `Default::default()` or `json!(..)`. Barging: `futures::lock::Mutex` or \
     `async_lock::Mutex`; other policies: `// policy: lifo` (or `eventually_fair after 10 ms`) after \
     a tokio Mutex's `let`. `RwLock::new(v)` (`.read().await`, `.write().await`) and \
     `Semaphore::new(n)` (`.acquire().await.unwrap()`).",
    "Tasks: `tokio::spawn`, `tokio::task::spawn`, `JoinSet::spawn`, `LocalSet::spawn_local` of \
     `async move { .. }` or `{ let m = m.clone(); async move { .. } }`, also in `for _ in 0..n`; \
     `m.clone()`, `Arc::clone(&m)`.",
    "In a task: `let g = m.lock().await;`, `*m.lock().await += 1;`, `m.lock().await.insert(k, v);`, \
     `*g += n`, `*g = v`, `g.insert(k, v)`, `g.push(v)`, `let v = g.get(k);`, `drop(g)`, \
     `m.try_lock()`, `timeout(d, m.lock()).await`, `sleep(d).await`, `yield_now().await`, \
     `std::thread::sleep(d)` (blocks everything), `println!(\"text\")`, `dbg!(v)`, `loop { }` (a \
     task's whole body), `for _ in 0..n { }`, and blocks: a guard is dropped at its block's end.",
    "`tokio::select! { biased; _ = sleep(d) => { .. } g = m.lock() => { .. } }` (`db.write()`, \
     `Ok(g) = pool.acquire()`): the sleep is polled first; `g` is dropped at its branch's end. \
     Other shapes (no `biased;`, the lock first, more branches, `else`) are errors.",
    "In main: awaiting the handles (`h.await`, `for h in handles`, `while let Some(_) = \
     set.join_next().await {}`) and `assert_eq!`/`assert!` on a mutex's value.",
    "Anything else is an error at its place that names it: other macros, structs, format \
     arguments, closures in tasks...",
];

/// The text with its highlighting, as spans (the code view paints its lines with it too).
pub fn painted(text: &str) -> Html {
    let mut out: Vec<Html> = Vec::new();
    let mut at = 0;
    for (range, class) in highlight(text) {
        if range.start > at {
            out.push(html! { { &text[at..range.start] } });
        }
        out.push(html! { <span class={class.css()}>{ &text[range.clone()] }</span> });
        at = range.end;
    }
    out.push(html! { { &text[at..] } });
    html! { <>{ for out }</> }
}

/// The error's line of text with a caret under its column, as a compiler would show it.
fn excerpt(text: &str, e: &CodeError) -> String {
    let line = text.split('\n').nth(e.line as usize - 1).unwrap_or("");
    let number = e.line.to_string();
    // The caret goes under the column (UTF-16 units; tabs kept so it lines up).
    let mut pad = String::new();
    let mut units = 0;
    for c in line.chars() {
        if units + 1 >= e.col as usize {
            break;
        }
        units += c.len_utf16();
        pad.push(if c == '\t' { '\t' } else { ' ' });
    }
    format!("{number} | {line}\n{} | {pad}^", " ".repeat(number.len()))
}

/// The Rust program, editable.
#[function_component(CodeEditor)]
pub fn code_editor(props: &CodeEditorProps) -> Html {
    // What the page holds as the text: what was typed (read or not), else the scenario
    // written out (once per scenario).
    let written: Rc<String> = {
        let scenario = props.scenario.0.clone();
        let typed =
            props.draft.as_ref().map(|d| d.0.text.clone()).or(props.source.as_ref().map(|s| s.0.program.text.clone()));
        let key = (Rc::as_ptr(&props.scenario.0) as usize, typed.clone());
        (*use_memo(key, move |_| Rc::new(typed.unwrap_or_else(|| to_rust(&scenario).text)))).clone()
    };
    let text = use_state(|| written.clone());
    let timer = use_mut_ref(|| None::<Timeout>);
    // The text typed and not read yet: hiding the editor reads it at once, not never.
    let pending = use_mut_ref(|| None::<String>);
    // Another scenario (a preset, a form edit, a link): its program replaces the text.
    {
        let (text, timer, pending) = (text.clone(), timer.clone(), pending.clone());
        use_effect_with(written.clone(), move |w| {
            timer.borrow_mut().take();
            pending.borrow_mut().take();
            if **text != **w {
                text.set(w.clone());
            }
        });
    }
    // Hidden (or the page left) while a read waits: it is done now.
    {
        let (timer, pending, dispatch) = (timer.clone(), pending.clone(), props.dispatch.clone());
        use_effect_with((), move |_| {
            move || {
                timer.borrow_mut().take();
                if let Some(text) = pending.borrow_mut().take() {
                    dispatch.emit(Action::EditCode(text));
                }
            }
        });
    }
    // New text: shown at once, read and run once typing pauses.
    let changed = {
        let (text, timer, pending, dispatch) = (text.clone(), timer.clone(), pending.clone(), props.dispatch.clone());
        Rc::new(move |value: String| {
            *pending.borrow_mut() = Some(value.clone());
            text.set(Rc::new(value));
            let (dispatch, pending) = (dispatch.clone(), pending.clone());
            *timer.borrow_mut() = Some(Timeout::new(DEBOUNCE_MS, move || {
                if let Some(text) = pending.borrow_mut().take() {
                    dispatch.emit(Action::EditCode(text));
                }
            }));
        })
    };
    let oninput = {
        let changed = changed.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(area) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok()) {
                changed(area.value());
            }
        })
    };
    // Tab indents by four spaces instead of leaving the editor, unless Escape came just
    // before it (the way out from the keyboard, as in other code editors).
    let escaped = use_mut_ref(|| false);
    let onkeydown = {
        let escaped = escaped.clone();
        Callback::from(move |e: KeyboardEvent| {
            let after_escape = std::mem::replace(&mut *escaped.borrow_mut(), e.key() == "Escape");
            if e.key() != "Tab" || after_escape || e.shift_key() || e.ctrl_key() || e.alt_key() || e.meta_key() {
                return;
            }
            let Some(area) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok()) else {
                return;
            };
            e.prevent_default();
            // As typed text, so the browser's undo takes it back (the `input` event it fires
            // reads it); `execCommand` is the one way to that in browsers today.
            let typed = gloo_utils::document()
                .dyn_into::<web_sys::HtmlDocument>()
                .ok()
                .and_then(|d| d.exec_command_with_show_ui_and_value("insertText", false, "    ").ok())
                .unwrap_or(false);
            if typed {
                return;
            }
            // Else by hand (undo then skips it). The selection counts UTF-16 units.
            let units: Vec<u16> = area.value().encode_utf16().collect();
            let start = (area.selection_start().ok().flatten().unwrap_or(0) as usize).min(units.len());
            let end = (area.selection_end().ok().flatten().unwrap_or(0) as usize).clamp(start, units.len());
            let next =
                format!("{}    {}", String::from_utf16_lossy(&units[..start]), String::from_utf16_lossy(&units[end..]));
            area.set_value(&next);
            let caret = start as u32 + 4;
            let _ = area.set_selection_range(caret, caret);
            changed(next);
        })
    };
    let shown = (*text).clone();
    // The error belongs to the text it was found in: while more is typed, it stays, dimmed.
    let error = props.draft.as_ref().map(|d| (d.0.error.clone(), *d.0.text == *shown));
    let lines = shown.split('\n').count();
    let numbers: String = (1..=lines).map(|n| format!("{n}\n")).collect();
    let status = match (&error, props.source.is_some()) {
        (Some((e, _)), _) => format!("Cannot run this yet: {e}. The last good run stays on screen."),
        (None, true) => "Running the program as typed.".to_string(),
        (None, false) => "The scenario as a tokio program: edit it, or paste your own.".to_string(),
    };
    html! {
        <section class="code-editor" aria-label="Rust program editor" data-testid="code-editor">
            <h3>{ "Rust" }</h3>
            <p class={classes!("code-status", error.is_some().then_some("bad"))} role="status"
               data-testid="code-status">
                { status }
            </p>
            <div class="code-scroll">
                <div class="code-grid">
                    <pre class="code-gutter" aria-hidden="true">{ numbers }</pre>
                    <div class="code-layers">
                        if let Some((e, current)) = &error {
                            <div class={classes!("code-bad-line", (!current).then_some("stale"))} aria-hidden="true"
                                 style={format!("--row:{}", e.line - 1)} data-testid="code-error-line"></div>
                        }
                        // A final newline needs a character after it to take up its line.
                        <pre class="code-paint" aria-hidden="true">{ painted(&shown) }{ " " }</pre>
                        <textarea class="code-input" spellcheck="false" autocapitalize="off" autocomplete="off"
                                  wrap="off" aria-label="Rust program" data-testid="code-input"
                                  aria-invalid={error.as_ref().is_some_and(|e| e.1).to_string()}
                                  aria-describedby={if error.is_some() { "code-hint code-error" } else { "code-hint" }}
                                  value={(*shown).clone()} {oninput} {onkeydown} />
                    </div>
                </div>
            </div>
            if let Some((e, _)) = &error {
                // Not a live region: the status above says it once; this shows where.
                <pre class="code-error" id="code-error" data-testid="code-error"
                     data-line={e.line.to_string()} data-col={e.col.to_string()}>
                    { format!("{}\n{}", excerpt(props.draft.as_ref().map_or("", |d| d.0.text.as_str()), e), e.message) }
                </pre>
            }
            <p class="code-hint" id="code-hint">{ "Tab indents; Escape, then Tab, leaves the editor." }</p>
            <details class="code-ref">
                <summary>{ "What the editor understands" }</summary>
                <ul>{ for SUBSET.iter().map(|line| html! { <li>{ *line }</li> }) }</ul>
            </details>
        </section>
    }
}
