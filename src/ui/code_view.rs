//! The scenario as a Rust program, with each task's current line marked by its chip (a
//! queued task's chip says what it waits for). Clicking a line seeks to the next step at
//! which a task stops there. The program is made once per scenario
//! ([`scenario::code`](crate::scenario::code)); playback only moves the chips. Like the
//! log, the view is windowed (only the lines in view exist, so a program of any length
//! costs a frame the same) and keeps the first marked line in view, from the scroll offset
//! `onscroll` last reported: playback never reads the layout back.

use super::code_editor::painted;
use super::measure::use_window;
use super::palette::{mutex_name, task_colour, task_mark, task_name};
use super::state::{Action, CodeSource, RunRef, Shared};
use crate::scenario::code::{to_rust, RustProgram};
use crate::trace::{EventKind, Snapshot, TaskStatus};
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

/// What the code view shows.
#[derive(Properties, PartialEq)]
pub struct CodeProps {
    /// The run (its scenario is the program).
    pub run: RunRef,
    /// The playhead.
    pub step: u32,
    /// The run at the playhead (the stage has made it already: not made twice a frame).
    pub snapshot: Shared<Snapshot>,
    /// The reducer's dispatcher (a click on a line seeks).
    pub dispatch: Callback<Action>,
    /// The program as typed in the code editor, shown instead of the generated one while
    /// the run is of its scenario.
    #[prop_or_default]
    pub source: Option<Shared<CodeSource>>,
    /// The view's height at most, in CSS px.
    #[prop_or(420.0)]
    pub height: f64,
}

/// The most chips drawn on one line; the others are counted.
const CHIPS_PER_LINE: usize = 6;
/// A line's height (CSS px; the stylesheet's `.code-line` agrees).
const ROW: f64 = 22.0;
/// Lines drawn beyond each edge of the view, so a quick scroll shows no gap.
const OVERSCAN: usize = 8;

/// The Rust program, with the tasks' lines marked.
#[function_component(CodeView)]
pub fn code_view(props: &CodeProps) -> Html {
    let run = &props.run.run;
    // Made once per run (a run is replaced, never changed), with its lines: a frame of
    // playback only places the chips.
    let code: Rc<(RustProgram, Vec<String>)> = {
        let (run, source) = (props.run.clone(), props.source.clone());
        let key = (Rc::as_ptr(&props.run.0) as usize, source.as_ref().map(|s| Rc::as_ptr(&s.0) as usize));
        (*use_memo(key, move |_| {
            let typed = source.filter(|s| *s.0.scenario == run.run.scenario);
            let program = typed.map_or_else(|| to_rust(&run.run.scenario), |s| s.0.program.clone());
            let lines = program.text.lines().map(str::to_string).collect();
            Rc::new((program, lines))
        }))
        .clone()
    };
    let (program, lines) = (&code.0, &code.1);
    let s = &run.scenario;
    // The marked lines (from 1), each with its tasks: (task, what it waits for, if queued).
    let mut at: BTreeMap<u32, Vec<(u32, Option<String>)>> = BTreeMap::new();
    for (t, view) in props.snapshot.tasks.iter().enumerate() {
        if matches!(view.status, TaskStatus::Done) {
            continue;
        }
        if let Some(line) = program.line_of(&view.at_path) {
            let waits = match view.status {
                TaskStatus::WaitingLock { mutex } => Some(format!("queued for {}", mutex_name(s, mutex))),
                TaskStatus::Blocked { mutex } => Some(format!("blocked on {}", mutex_name(s, mutex))),
                TaskStatus::Stuck => Some("never wakes again".into()),
                TaskStatus::Joining { target: Some(j) } => Some(format!("waits for {} to finish", task_name(s, j))),
                TaskStatus::Joining { target: None } => Some("waits for the others to finish".into()),
                _ => None,
            };
            at.entry(line).or_default().push((t as u32, waits));
        }
    }
    let seek_to_line = {
        let (run, code, dispatch, step) = (props.run.clone(), code.clone(), props.dispatch.clone(), props.step);
        move |line: u32| {
            // The next step after the playhead at which a task stops on this line, else the first.
            let r = &run.run;
            let stops_here = |e: &crate::trace::Event| match e.kind {
                EventKind::Pending { at, .. } => r.label(at).is_some_and(|l| code.0.line_of(&l.path) == Some(line)),
                _ => false,
            };
            let next = r
                .events()
                .iter()
                .find(|e| e.step > step && stops_here(e))
                .or_else(|| r.events().iter().find(|e| stops_here(e)));
            if let Some(e) = next {
                dispatch.emit(Action::Seek(e.step));
            }
        }
    };
    let seek_to_line = Rc::new(seek_to_line);
    let total = lines.len() as f64 * ROW;
    let height = props.height.min(total + 2.0);
    let node = use_node_ref();
    // Only the lines in view are drawn, and the first marked line is kept in view (`at`
    // counts lines from 1, rows from 0).
    let first_marked = at.keys().next().map(|&n| n as usize - 1);
    let (rows, onscroll) = use_window(&node, lines.len(), (ROW, height, OVERSCAN), first_marked, props.run.clone());
    let (first, last) = (rows.start, rows.end);
    html! {
        <section class="code-panel" aria-label="The scenario as a Rust program" data-testid="code-view">
            <h2>
                { "Rust program" }
                <span class="count">{ "each task's chip marks its line; click a line to go to it" }</span>
            </h2>
            // Focusable, so a keyboard can scroll it (the lines themselves are not tab stops:
            // the seek bar, the timeline and the log seek from the keyboard).
            <div class="code-view" role="list" tabindex="0" aria-label="Program lines" ref={node} {onscroll}
                 style={format!("height:{height}px")}>
              <div class="code-space" style={format!("height:{total}px")}>
                { for (first..last).map(|i| {
                    let text = &lines[i];
                    let n = i as u32 + 1;
                    let here = at.get(&n).map_or(&[][..], Vec::as_slice);
                    let onclick = {
                        let seek = seek_to_line.clone();
                        Callback::from(move |_: MouseEvent| seek(n))
                    };
                    let described = here
                        .iter()
                        .map(|(t, w)| match w {
                            Some(w) => format!("{} ({w})", task_name(s, *t)),
                            None => task_name(s, *t),
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                    html! {
                        <div key={i} role="listitem" class={classes!("code-line", (!here.is_empty()).then_some("here"))}
                             data-line={n.to_string()} {onclick} style={format!("top:{}px", i as f64 * ROW)}
                             aria-label={(!here.is_empty()).then(|| format!("line {n}: {described}"))}>
                            <span class="code-no" aria-hidden="true">{ n }</span>
                            <span class="code-marks">
                                { for here.iter().take(CHIPS_PER_LINE).map(|(t, waits)| {
                                    let (bg, fg) = task_colour(*t);
                                    let title = match waits {
                                        Some(w) => format!("{}: {w}", task_name(s, *t)),
                                        None => task_name(s, *t),
                                    };
                                    let waiting = waits.is_some().then_some("waiting");
                                    html! {
                                        <span class={classes!("chip", "chip-static", "code-chip", waiting)}
                                              style={format!("--chip:{bg};--chip-fg:{fg}")} data-task={t.to_string()}
                                              {title}>
                                            { task_mark(*t) }
                                        </span>
                                    }
                                }) }
                                if here.len() > CHIPS_PER_LINE {
                                    <span class="muted">{ format!("+{}", here.len() - CHIPS_PER_LINE) }</span>
                                }
                            </span>
                            <code class="code-text">{ painted(text) }</code>
                        </div>
                    }
                }) }
              </div>
            </div>
        </section>
    }
}
