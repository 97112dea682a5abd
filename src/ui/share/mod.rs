//! Share, embed, save and export: links to the run on screen, the Share panel, the
//! scenario library kept in this browser, file import and downloads. Everything a link or
//! a file brings in is data, validated before it runs.

mod files;
mod library;
mod panel;

pub use library::{library, library_delete, library_rename, library_save};
pub use panel::SharePanel;

use super::state::{Embed, Model};
use crate::share::Link;
use std::cell::RefCell;
use std::rc::Rc;

/// The page's address without its fragment (so links work from any sub-path).
pub fn page_base() -> String {
    let href = gloo_utils::window().location().href().unwrap_or_default();
    href.split('#').next().unwrap_or_default().to_string()
}

/// The current fragment, with its `#`.
pub fn current_fragment() -> String {
    gloo_utils::window().location().hash().unwrap_or_default()
}

/// A link to the run on screen, in parts: the scenario's part of the fragment (which is
/// costly to make for an edited scenario: serialized and deflated, so it is made once per
/// scenario) and the rest (step, speed, scheduler, theme), which changes as it plays.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkParts {
    /// `preset=…` or `s=…`, or empty for the default scenario.
    source: Rc<str>,
    /// Everything else; its `source` is unused.
    settings: Link,
}

impl LinkParts {
    /// The parts of the link to what `model` shows.
    pub fn of(model: &Model) -> LinkParts {
        /// The scenario (kept alive, so its address is not reused), the preset and edited
        /// flag the source part was made for, and the part.
        type Packed = (Rc<crate::scenario::Scenario>, Option<usize>, bool, Rc<str>);
        thread_local! {
            static PACKED: RefCell<Option<Packed>> = const { RefCell::new(None) };
        }
        if let Some(lesson) = &model.lesson {
            // A lesson's source part, packed once per lesson (a bundled one is its id).
            type Lesson = (Rc<crate::lesson::Prepared>, Rc<str>);
            thread_local! {
                static LESSON: RefCell<Option<Lesson>> = const { RefCell::new(None) };
            }
            let prepared = lesson.prepared.0.clone();
            let source = LESSON.with_borrow_mut(|cache| match cache {
                Some((p, part)) if Rc::ptr_eq(p, &prepared) => part.clone(),
                _ => {
                    let source = model.lesson_source().unwrap_or_default();
                    let part: Rc<str> = Link { source, ..Link::default() }.to_fragment().into();
                    *cache = Some((prepared, part.clone()));
                    part
                }
            });
            return LinkParts { source, settings: model.link_settings(Embed::default()) };
        }
        let source = PACKED.with_borrow_mut(|cache| match cache {
            Some((scenario, preset, edited, part))
                if Rc::ptr_eq(scenario, &model.scenario) && *preset == model.preset && *edited == model.edited =>
            {
                part.clone()
            }
            _ => {
                let part: Rc<str> = Link { source: model.link_source(), ..Link::default() }.to_fragment().into();
                *cache = Some((model.scenario.clone(), model.preset, model.edited, part.clone()));
                part
            }
        });
        LinkParts { source, settings: model.link_settings(Embed::default()) }
    }

    /// The fragment for this run, with `embed`'s options (without the `#`).
    pub fn fragment(&self, embed: Embed) -> String {
        self.fragment_with(embed, self.settings.stop)
    }

    /// The fragment for stop `k` (from 0) of the open lesson, with `embed`'s options.
    pub fn stop_fragment(&self, embed: Embed, k: usize) -> String {
        self.fragment_with(embed, Some(k as u32 + 1))
    }

    fn fragment_with(&self, embed: Embed, stop: Option<u32>) -> String {
        let rest = Link {
            stop,
            embed: embed.on,
            autoplay: embed.autoplay,
            looped: embed.looped,
            code: embed.code,
            ..self.settings.clone()
        }
        .to_fragment();
        let sep = if self.source.is_empty() || rest.is_empty() { "" } else { "&" };
        format!("{}{sep}{rest}", self.source)
    }

    /// The playground's full address for this run, with `embed`'s options.
    pub fn with(&self, embed: Embed) -> String {
        format!("{}#{}", page_base(), self.fragment(embed))
    }
}
