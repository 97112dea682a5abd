//! The app shell: header, scenario picker, controls, mutex panel, timeline, log.

use std::rc::Rc;
use yew::prelude::*;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Theme {
    Light,
    Dark,
}

#[derive(Clone, PartialEq, Debug)]
pub struct State {
    pub theme: Theme,
}

pub enum Action {
    ToggleTheme,
}

impl Reducible for State {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        match action {
            Action::ToggleTheme => Rc::new(State {
                theme: match self.theme {
                    Theme::Light => Theme::Dark,
                    Theme::Dark => Theme::Light,
                },
            }),
        }
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| State { theme: Theme::Light });
    let theme = match state.theme {
        Theme::Light => "light",
        Theme::Dark => "dark",
    };
    let toggle = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::ToggleTheme))
    };
    html! {
        <div class="shell" data-theme={theme}>
            <header class="top">
                <h1 id="app-title">{ "Mutex Playground" }</h1>
                <p class="tagline">{ "Watch tasks queue for a FIFO-fair async Mutex and the guard pass from one to the next." }</p>
                <button class="theme-toggle" aria-label="Toggle light and dark theme" onclick={toggle}>
                    { if state.theme == Theme::Light { "Dark theme" } else { "Light theme" } }
                </button>
            </header>
            <nav class="picker" aria-label="Scenarios"><h2>{ "Scenarios" }</h2></nav>
            <section class="controls" aria-label="Playback controls"></section>
            <section class="mutexes" aria-label="Mutexes"><h2>{ "Mutex" }</h2></section>
            <section class="timeline" aria-label="Timeline"><h2>{ "Timeline" }</h2></section>
            <section class="log" aria-label="Transcript"><h2>{ "Log" }</h2></section>
        </div>
    }
}
