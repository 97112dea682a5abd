//! The playback controls: mode, play/step/reset, speed, the watch-mode scheduler, and
//! the seek slider with the step and time at the playhead.

use super::palette::icon;
use super::state::{Action, Mode, SPEEDS};
use crate::exec::Policy;
use yew::prelude::*;

/// What the controls show.
#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    /// The playhead (0 = before the first poll).
    pub step: u32,
    /// The run's length in steps.
    pub steps: u32,
    /// Virtual time at the playhead, in ms.
    pub time: u64,
    /// Whether playback is running.
    pub playing: bool,
    /// Index into [`SPEEDS`].
    pub speed: usize,
    /// Watching, or playing the scheduler.
    pub mode: Mode,
    /// The scheduler used in watch mode.
    pub policy: Policy,
    /// The reducer's dispatcher.
    pub dispatch: Callback<Action>,
}

/// "0.25×", "1×", "64×".
fn speed_label(x: f64) -> String {
    if x < 1.0 {
        format!("{x}×")
    } else {
        format!("{}×", x as u32)
    }
}

/// The seeds the scheduler menu offers: 1 to 3, and the one running if it is another
/// (a `random:77` link runs seed 77, and the menu must say so).
pub fn policy_seeds(policy: &Policy) -> Vec<u64> {
    let mut seeds = vec![1, 2, 3];
    if let Policy::Random { seed } = *policy {
        if !seeds.contains(&seed) {
            seeds.push(seed);
        }
    }
    seeds
}

/// The menu value of a policy (`fifo`, `tokio`, `random:7`: its link text), and back.
fn policy_value(policy: &Policy) -> String {
    match policy {
        Policy::Manual { .. } => "manual".to_string(),
        other => other.to_string(),
    }
}

fn parse_policy(value: &str) -> Policy {
    Policy::parse(value).unwrap_or_default()
}

/// A callback that dispatches the action `f` makes of an event, if it makes one.
fn emit_some<E: 'static>(d: &Callback<Action>, f: impl Fn(E) -> Option<Action> + 'static) -> Callback<E> {
    let d = d.clone();
    Callback::from(move |e| {
        if let Some(action) = f(e) {
            d.emit(action)
        }
    })
}

/// The playback controls.
#[function_component(Controls)]
pub fn controls(props: &ControlsProps) -> Html {
    let d = &props.dispatch;
    let (step, steps) = (props.step, props.steps);
    let watching = props.mode == Mode::Watch;
    let on_seek = emit_some(d, |e: InputEvent| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        input.value().parse().ok().map(Action::Seek)
    });
    let on_speed = emit_some(d, |e: Event| {
        let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
        select.value().parse().ok().map(Action::SetSpeed)
    });
    let on_policy = d.reform(|e: Event| {
        let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
        Action::SetPolicy(parse_policy(&select.value()))
    });
    let current_policy = policy_value(&props.policy);
    let play_label = if props.playing { "Pause (space)" } else { "Play (space)" };
    html! {
        <section class="controls" aria-label="Playback controls">
            <div class="mode-switch" role="group" aria-label="Mode">
                <button aria-pressed={watching.to_string()} data-testid="mode-watch"
                        onclick={d.reform(|_| Action::SetMode(Mode::Watch))}>{ "Watch" }</button>
                <button aria-pressed={(!watching).to_string()} data-testid="mode-scheduler"
                        onclick={d.reform(|_| Action::SetMode(Mode::Scheduler))}>{ "Be the scheduler" }</button>
            </div>
            <div class="buttons" role="group" aria-label="Playback">
                <button data-testid="reset" aria-label="Reset to the start (R)" title="Reset (R)"
                        onclick={d.reform(|_| Action::Reset)}>{ icon("reset") }</button>
                <button data-testid="step-back" aria-label="Step back one poll (←)" title="Step back (←)"
                        disabled={step == 0} onclick={d.reform(|_| Action::StepBack)}>{ icon("back") }</button>
                <button class="primary play" data-testid="play" aria-label={play_label} title="Play / pause (space)"
                        disabled={!watching || steps == 0} onclick={d.reform(|_| Action::TogglePlay)}>
                    if props.playing { { icon("pause") }{ " Pause" } } else { { icon("play") }{ " Play" } }
                </button>
                <button data-testid="step" aria-label="Step one poll (→)" title="Step (→)" disabled={step >= steps}
                        onclick={d.reform(|_| Action::StepForward)}>{ icon("step") }</button>
                <button data-testid="to-end" aria-label="Jump to the end" title="To the end" disabled={step >= steps}
                        onclick={d.reform(|_| Action::ToEnd)}>{ icon("end") }{ " End" }</button>
                <label class="speed">{ "Speed " }
                    <select data-testid="speed" aria-label="Playback speed (+ / -)" onchange={on_speed}>
                        { for SPEEDS.iter().enumerate().map(|(i, &x)| html! {
                            <option value={i.to_string()} selected={i == props.speed}>{ speed_label(x) }</option>
                        }) }
                    </select>
                </label>
                if watching {
                    <label class="speed">{ "Scheduler " }
                        <select data-testid="policy" aria-label="Which ready task runs next" onchange={on_policy}>
                            <option value="fifo" selected={current_policy == "fifo"}>{ "FIFO (woken first)" }</option>
                            if current_policy == "manual" {
                                <option value="manual" selected=true>{ "A replayed schedule" }</option>
                            }
                            <option value="tokio" selected={current_policy == "tokio"}>
                                { "tokio (yields last)" }
                            </option>
                            { for policy_seeds(&props.policy).into_iter().map(|s| {
                                let value = policy_value(&Policy::Random { seed: s });
                                html! {
                                    <option selected={current_policy == value} value={value.clone()}>
                                        { format!("Random, seed {s}") }
                                    </option>
                                }
                            }) }
                        </select>
                    </label>
                }
            </div>
            <div class="seek">
                <input type="range" min="0" max={steps.to_string()} value={step.to_string()} data-testid="seek"
                       aria-label="Seek: step of the run" oninput={on_seek} disabled={steps == 0} />
                <span class="readout" data-testid="readout">
                    { format!("step {step} / {steps}") }<span class="sep">{ " · " }</span>
                    { format!("{} ms", props.time) }
                </span>
            </div>
            <p class="hint" aria-hidden="true">
                <kbd>{ "space" }</kbd>{ " play/pause · " }<kbd>{ "←" }</kbd><kbd>{ "→" }</kbd>{ " step · " }
                <kbd>{ "Home" }</kbd><kbd>{ "End" }</kbd>{ " start/end · " }<kbd>{ "r" }</kbd>{ " reset · " }
                <kbd>{ "+" }</kbd><kbd>{ "−" }</kbd>{ " speed" }
            </p>
        </section>
    }
}
