//! The compare view: the scenario under two to four lock policies at once. A column per
//! policy shows each lock's holders and queue at the shared playhead (the same virtual
//! time in every run); below, a table of the runs' numbers (throughput, waits, times
//! overtaken, Jain's index, the starvation and convoy verdicts) and a chart of how the
//! waits are spread.

use super::palette::{chip, mutex_name, task_name};
use super::state::{Action, Column, Compare, Shared, MAX_POLICIES, MIN_POLICIES};
use crate::scenario::{MutexKind, Scenario};
use crate::trace::compare::{comparable, too_big_to_compare, PolicyStats, POLICIES};
use crate::trace::Run;
use yew::prelude::*;

/// What the compare view shows.
#[derive(Properties, PartialEq)]
pub struct CompareProps {
    /// The scenario on screen.
    pub scenario: Shared<Scenario>,
    /// The comparison, while the view is open.
    pub compare: Option<Compare>,
    /// The shared playhead, in virtual ms (the main run's time at its step); `None`
    /// before the first step (every column at its step 0).
    pub time: Option<u64>,
    /// The reducer's dispatcher.
    pub dispatch: Callback<Action>,
}

/// A policy's name in the view.
pub fn policy_label(kind: MutexKind) -> &'static str {
    match kind {
        MutexKind::Async => "FIFO (ours)",
        MutexKind::Barging => "barging",
        MutexKind::Lifo => "LIFO",
        MutexKind::EventuallyFair { .. } => "eventually fair",
        _ => kind.name(),
    }
}

/// The compare view, or the button that opens it.
#[function_component(ComparePanel)]
pub fn compare_panel(props: &CompareProps) -> Html {
    let d = &props.dispatch;
    let s = &*props.scenario.0;
    // Measured once per scenario, not at every step of playback.
    let too_big = use_memo(props.scenario.clone(), |s| too_big_to_compare(&s.0));
    if !comparable(s) {
        return html! {};
    }
    if let Some(why) = too_big.as_ref() {
        return html! {
            <section class="compare closed" aria-label="Compare lock policies">
                <p class="muted" data-testid="compare-too-big">{ why.clone() }</p>
            </section>
        };
    }
    let Some(c) = props.compare.as_ref() else {
        return html! {
            <section class="compare closed" aria-label="Compare lock policies">
                <button data-testid="compare-open" onclick={d.reform(|_| Action::Compare(POLICIES.to_vec()))}>
                    { "Compare lock policies side by side" }
                </button>
            </section>
        };
    };
    html! {
        <section class="compare" aria-label="Compare lock policies" data-testid="compare">
            <h2>{ "Lock policies side by side" }</h2>
            { policy_choice(c, d) }
            <p class="muted">{ format!(
                "Every async mutex of the scenario under each policy, with the same scheduler; each column {}.",
                props.time.map_or_else(|| "before its first step".to_string(), |t| format!("at {t} ms"))
            ) }</p>
            <div class="compare-columns" style={format!("--cols:{}", c.kinds.len())}>
                { for c.kinds.iter().zip(&c.columns).map(|(&kind, column)| column_view(s, kind, column, props.time)) }
            </div>
            <Numbers compare={c.clone()} />
        </section>
    }
}

/// The checkboxes choosing 2 to 4 policies, and Close.
fn policy_choice(c: &Compare, d: &Callback<Action>) -> Html {
    html! {
        <div class="buttons" role="group" aria-label="Policies to compare">
            { for POLICIES.iter().map(|&kind| {
                let on = c.kinds.iter().any(|k| k.name() == kind.name());
                let (current, d) = (c.kinds.clone(), d.clone());
                // 2 to 4: the last two stay, and a fifth cannot be added.
                let locked = (on && current.len() <= MIN_POLICIES) || (!on && current.len() >= MAX_POLICIES);
                let onchange = Callback::from(move |_: Event| {
                    let next: Vec<MutexKind> = if on {
                        current.iter().copied().filter(|k| k.name() != kind.name()).collect()
                    } else {
                        current.iter().copied().chain([kind]).collect()
                    };
                    d.emit(Action::Compare(next));
                });
                html! {
                    <label class="check">
                        <input type="checkbox" checked={on} disabled={locked} {onchange}
                               data-testid={format!("compare-{}", kind.name())} />
                        { policy_label(kind) }
                    </label>
                }
            }) }
            <button data-testid="compare-close" onclick={d.reform(|_| Action::CloseCompare)}>{ "Close" }</button>
        </div>
    }
}

/// One policy's column: each lock's holders and queue at `time`.
fn column_view(s: &Scenario, kind: MutexKind, column: &Column, time: Option<u64>) -> Html {
    let body = match column {
        Column::Pending(done) => html! {
            <p class="muted" role="status">{ format!("simulating… {:.0}%", done * 100.0) }</p>
        },
        Column::Failed(e) => html! { <p class="error" role="alert">{ e.clone() }</p> },
        Column::Done(run, stats) => html! { <>
            { locks_at(s, run, time) }
            <p class="compare-end" data-testid="compare-end">
                { format!("ends at {} ms: {}", stats.duration, stats.end) }
            </p>
        </> },
    };
    html! {
        <article class="compare-column" data-testid="compare-column" data-policy={kind.name()}>
            <h3>{ policy_label(kind) }</h3>
            { body }
        </article>
    }
}

fn locks_at(s: &Scenario, run: &Run, time: Option<u64>) -> Html {
    let step = time.map_or(0, |t| run.step_at_time(t));
    html! {
        <ul class="compare-locks" data-step={step.to_string()}>
            { for run.locks_at(step).iter().enumerate().map(|(m, (holders, queue))| {
                let name = mutex_name(s, m as u32);
                html! {
                    <li data-testid="compare-lock" data-mutex={name.clone()}>
                        <span class="name">{ name }</span>
                        <span class="held" role="group" data-testid="compare-holders"
                              aria-label={format!("held by {}", names(s, holders))}>
                            if holders.is_empty() { <span class="muted">{ "free" }</span> }
                            { chips(s, holders) }
                        </span>
                        <span class="waiting" role="group" data-testid="compare-queue"
                              aria-label={format!("waiting: {}", names(s, queue))}>
                            { chips(s, queue) }
                        </span>
                    </li>
                }
            }) }
        </ul>
    }
}

/// The most chips a column draws for one lock's holders or for its queue, and the most
/// tasks its labels name: the rest are counted. A stranger's scenario can queue thousands
/// of tasks, and the columns are drawn again at every step of playback.
const MAX_COLUMN_CHIPS: usize = 12;

/// A chip per task, the first [`MAX_COLUMN_CHIPS`] of them, and the rest counted.
fn chips(s: &Scenario, tasks: &[u32]) -> Html {
    let more = tasks.len().saturating_sub(MAX_COLUMN_CHIPS);
    html! { <>
        { for tasks.iter().take(MAX_COLUMN_CHIPS).map(|&t| chip(s, t, "")) }
        if more > 0 { <span class="count" data-testid="compare-more">{ format!("+{more}") }</span> }
    </> }
}

/// The tasks' names, the first [`MAX_COLUMN_CHIPS`] of them, and how many more.
fn names(s: &Scenario, tasks: &[u32]) -> String {
    if tasks.is_empty() {
        return "nobody".into();
    }
    let named = tasks.iter().take(MAX_COLUMN_CHIPS).map(|&t| task_name(s, t)).collect::<Vec<_>>().join(", ");
    match tasks.len().saturating_sub(MAX_COLUMN_CHIPS) {
        0 => named,
        more => format!("{named} and {more} more"),
    }
}

/// What the table and the chart show: the comparison (not the playhead, so playback does
/// not redraw them).
#[derive(Properties, PartialEq)]
struct NumbersProps {
    compare: Compare,
}

/// The table and the chart of the runs' numbers.
#[function_component(Numbers)]
fn numbers(props: &NumbersProps) -> Html {
    html! { <>{ table(&props.compare) }{ chart(&props.compare) }</> }
}

/// The runs' numbers, a row per policy.
fn table(c: &Compare) -> Html {
    let done = done(c);
    if done.is_empty() {
        return html! {};
    }
    let s = &c.scenario;
    html! {
        <table class="compare-table" data-testid="compare-table">
            <caption>{ "Each run's numbers (waits in virtual ms)" }</caption>
            <thead><tr>
                <th scope="col">{ "policy" }</th><th scope="col">{ "locks/s" }</th>
                <th scope="col">{ "wait p50" }</th><th scope="col">{ "p99" }</th><th scope="col">{ "max" }</th>
                <th scope="col">{ "overtaken" }</th><th scope="col">{ "Jain" }</th>
                <th scope="col">{ "starvation" }</th><th scope="col">{ "convoy" }</th>
            </tr></thead>
            <tbody>
                { for done.iter().map(|(k, st)| html! {
                    <tr data-testid="compare-row" data-policy={k.name()}>
                        <th scope="row">{ policy_label(*k) }</th>
                        <td>{ format!("{:.1}", st.throughput_per_s) }</td>
                        <td>{ st.wait_p50 }</td><td>{ st.wait_p99 }</td><td>{ st.wait_max }</td>
                        <td data-testid="compare-overtaken">{ st.overtaken }</td>
                        <td>{ format!("{:.3}", st.jain) }</td>
                        <td data-testid="compare-starved">{
                            if st.starved.is_empty() { "none".to_string() } else { names(s, &st.starved) }
                        }</td>
                        <td data-testid="compare-convoy">{
                            if st.convoy {
                                format!("yes: {} hand-offs in a row", st.handoff_chain)
                            } else {
                                "no".to_string()
                            }
                        }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

/// Bins in the chart's histograms.
const BINS: usize = 24;
/// The chart's width (SVG units).
const W: f64 = 480.0;
/// A policy's row in the chart.
const ROW: f64 = 46.0;
/// The width of the policies' names at the left.
const LABEL: f64 = 110.0;

/// How the waits are spread: a histogram per policy on one scale, with the median and
/// the 99th percentile marked.
fn chart(c: &Compare) -> Html {
    let stats: Vec<(MutexKind, &PolicyStats)> = done(c);
    let top = stats.iter().map(|(_, s)| s.wait_max).max().unwrap_or(0).max(1);
    let height = ROW * stats.len() as f64 + 22.0;
    html! {
        <figure class="compare-chart">
            <svg viewBox={format!("0 0 {W} {height}")} role="img" data-testid="compare-chart"
                 aria-label="How long acquisitions waited, per policy: a histogram each, same scale">
                { for stats.iter().enumerate().map(|(i, (k, st))| histogram(*k, st, top, ROW * (i + 1) as f64 - 8.0)) }
                <text x={LABEL.to_string()} y={(height - 4.0).to_string()} class="axis">{ "0 ms" }</text>
                <text x={(W - 8.0).to_string()} y={(height - 4.0).to_string()} class="axis" text-anchor="end">
                    { format!("{top} ms") }
                </text>
            </svg>
            <figcaption class="muted">
                { "Waits per policy, on one scale; the solid line is the median, the dashed one the 99th percentile." }
            </figcaption>
        </figure>
    }
}

/// One policy's row of the chart, its bars standing on `base`.
fn histogram(kind: MutexKind, st: &PolicyStats, top: u64, base: f64) -> Html {
    let mut bins = [0u64; BINS];
    for &wait in &st.waits {
        bins[((wait as f64 / top as f64) * (BINS - 1) as f64).round() as usize] += 1;
    }
    let most = bins.iter().copied().max().unwrap_or(0).max(1) as f64;
    let bw = (W - LABEL - 8.0) / BINS as f64;
    let x = |ms: u64| format!("{:.1}", LABEL + (W - LABEL - 8.0) * ms as f64 / top as f64);
    let mark = |class: &'static str, ms: u64| {
        html! { <line {class} x1={x(ms)} x2={x(ms)} y1={(base - ROW + 12.0).to_string()} y2={base.to_string()} /> }
    };
    html! {
        <g data-policy={kind.name()}>
            <text x="0" y={(base - 10.0).to_string()} class="label">{ policy_label(kind) }</text>
            { for bins.iter().enumerate().filter(|(_, &n)| n > 0).map(|(b, &n)| {
                let h = (ROW - 14.0) * n as f64 / most;
                let about = top * b as u64 / (BINS as u64 - 1);
                html! {
                    <rect x={format!("{:.1}", LABEL + bw * b as f64)} y={format!("{:.1}", base - h)}
                          width={format!("{:.1}", bw - 1.0)} height={format!("{h:.1}")}>
                        <title>{ format!("{n} waits of about {about} ms") }</title>
                    </rect>
                }
            }) }
            { mark("p50", st.wait_p50) }
            { mark("p99", st.wait_p99) }
        </g>
    }
}

/// The policies whose runs are done, with their numbers.
fn done(c: &Compare) -> Vec<(MutexKind, &PolicyStats)> {
    c.kinds
        .iter()
        .zip(&c.columns)
        .filter_map(|(&k, col)| match col {
            Column::Done(_, st) => Some((k, &**st)),
            _ => None,
        })
        .collect()
}
