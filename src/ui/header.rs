//! The page's header: the title, the Share and theme buttons (or, in an embed, the way out
//! to the full playground), and the messages for the person: a notice about a link or a
//! file, and the progress of a run too big for one frame.

use super::hooks::remember_theme;
use super::state::{Action, Theme};
use crate::trace::Progress;
use yew::prelude::*;

/// What the header shows.
#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    /// The page's theme (the button offers the other one).
    pub theme: Theme,
    /// Whether the Share panel is open.
    pub share_open: bool,
    /// In an embed: the full playground's address for this run. `None` outside an embed,
    /// where the header has the Share and theme buttons instead.
    pub full_link: Option<AttrValue>,
    /// A message about a link or a file, shown until dismissed.
    pub notice: Option<String>,
    /// The scenario's name, for the progress message.
    pub scenario_name: String,
    /// How far a run too big for one frame has got (`None`: no run is being made).
    pub progress: Option<Progress>,
    /// The reducer's dispatcher.
    pub dispatch: Callback<Action>,
}

/// The page's header. Messages sit under the title, where the eye is, not after the page.
#[function_component(Header)]
pub fn header(props: &HeaderProps) -> Html {
    let d = &props.dispatch;
    let toggle_theme = {
        let (d, next) = (d.clone(), props.theme.other());
        Callback::from(move |_| {
            // The viewer's own choice: remembered for the next visit.
            remember_theme(next);
            d.emit(Action::ToggleTheme)
        })
    };
    html! {
        <header class="top">
            <h1 id="app-title">{ "Mutex Playground" }</h1>
            if let Some(link) = &props.full_link {
                <a class="open-full" href={link} target="_blank" rel="noopener" data-testid="open-full">
                    { "Open in the full playground ↗" }
                </a>
            } else {
                <p class="tagline">
                    { "Watch tasks queue for a FIFO-fair async Mutex and the guard pass from one to the next." }
                </p>
                <button class="share-toggle" aria-expanded={props.share_open.to_string()}
                        aria-label="Share, save and export" data-testid="share-toggle"
                        onclick={d.reform(|_| Action::ToggleShare)}>
                    { if props.share_open { "Close share" } else { "Share / save" } }
                </button>
                <button class="theme-toggle" aria-label="Toggle light and dark theme" onclick={toggle_theme}>
                    { if props.theme == Theme::Light { "☾ Dark" } else { "☀ Light" } }
                </button>
            }
            if let Some(text) = &props.notice {
                <p class="notice" role="alert" data-testid="notice">
                    { text.clone() }
                    <button aria-label="Dismiss this message" onclick={d.reform(|_| Action::Notice(None))}>
                        { "×" }
                    </button>
                </p>
            }
            if let Some(p) = &props.progress {
                <p class="notice progress" role="status" data-testid="simulating">
                    <span>
                        { format!("Simulating \"{}\": ", props.scenario_name) }
                        { format!("{} steps, {} events so far", p.steps, p.events) }
                        <progress max="1" value={format!("{:.3}", p.fraction())}
                                  aria-label="How far the simulation has got, at least"></progress>
                    </span>
                    <button data-testid="cancel-simulation" onclick={d.reform(|_| Action::CancelSimulation)}>
                        { "Cancel" }
                    </button>
                </p>
            }
        </header>
    }
}
