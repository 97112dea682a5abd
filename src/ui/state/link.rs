//! The model and links: the page a link describes, and the link to the page on screen.

use super::{Embed, Mode, Model, Theme, Wish, SPEEDS};
use crate::exec::Policy;
use crate::scenario::Scenario;
use std::rc::Rc;

impl Model {
    /// The model a link describes. A link that cannot be used gives the default model
    /// and a notice saying why; nothing in a link is ever run as code.
    pub fn from_fragment(fragment: &str, theme: Theme) -> Model {
        use crate::share::{FragmentError, Link, Source, Speed};
        let mut m = Model::new(theme);
        if fragment.trim_start_matches('#').is_empty() {
            return m;
        }
        // Every part that can be read is kept; the others are named in the notice.
        let (link, problems) = Link::read(fragment);
        let mut notes: Vec<String> = Vec::new();
        if let Some(FragmentError::TooLong { .. }) = problems.first() {
            m.notice =
                Some(format!("This link could not be opened: {}. Showing the default scenario instead.", problems[0]));
            return m;
        }
        let source_problem = problems.iter().find(|p| !matches!(p, FragmentError::BadValue { .. }));
        if let Some(p) = source_problem {
            notes.push(format!(
                "The scenario in this link could not be opened: {p}. Showing the default scenario instead."
            ));
        }
        let ignored: Vec<String> =
            problems.iter().filter(|p| matches!(p, FragmentError::BadValue { .. })).map(|p| p.to_string()).collect();
        if !ignored.is_empty() {
            notes.push(format!("Part of this link was ignored: {}.", ignored.join("; ")));
        }
        match &link.source {
            Source::Default => {}
            Source::Preset(id) => match m.presets.iter().position(|p| p.id == id) {
                Some(i) => {
                    m.preset = Some(i);
                    m.scenario = Rc::new(m.presets[i].scenario.clone());
                }
                None => notes.insert(
                    0,
                    format!(
                        "This link names a preset {id:?} that does not exist. Showing the default scenario instead."
                    ),
                ),
            },
            Source::Scenario(json) => match Scenario::from_json(json) {
                Ok(s) => {
                    m.preset = m.presets.iter().position(|p| p.scenario == s);
                    m.edited = m.preset.is_none();
                    m.scenario = Rc::new(s);
                }
                Err(e) => notes.insert(
                    0,
                    format!("The scenario in this link cannot run ({e}). Showing the default scenario instead."),
                ),
            },
            // A lesson is opened below, once the rest of the link is read.
            Source::Lesson(_) | Source::LessonJson(_) => {}
        }
        match &link.policy {
            Some(Policy::Fifo) | None => {}
            Some(p @ (Policy::Random { .. } | Policy::Tokio)) => m.policy = p.clone(),
            Some(Policy::Manual { choices }) => {
                m.mode = Mode::Scheduler;
                m.choices = choices.clone();
            }
        }
        if let Some(t) = link.theme {
            m.theme = t;
            m.link_theme = Some(m.theme);
        }
        m.rerun(false);
        if m.error.is_some() {
            // A manual policy whose choices do not fit: start the scheduler afresh.
            m.choices.clear();
            m.rerun(false);
        }
        if let Some(Speed::Times(x)) = link.speed {
            m.speed = SPEEDS.iter().position(|&s| s >= x).unwrap_or(SPEEDS.len() - 1);
        }
        let wish = Wish { step: link.step, to_end: link.speed == Some(Speed::ToEnd), autoplay: link.autoplay };
        m.embed = Embed { on: link.embed, autoplay: link.autoplay, looped: link.looped, code: link.code };
        match &mut m.pending {
            // The link's run is still being made: the playhead goes there once it is.
            Some(pending) => pending.wish = wish,
            None => m.apply_wish(wish),
        }
        m.origins = Rc::new(link.origins.clone());
        if !link.compare.is_empty() {
            m.open_compare(&link.compare);
        }
        let lesson = match &link.source {
            Source::Lesson(id) => match m.lessons.iter().find(|l| l.id == *id) {
                Some(l) => Some(l.clone()),
                None => {
                    notes.insert(0, format!("This link names a lesson {id:?} that does not exist."));
                    None
                }
            },
            Source::LessonJson(json) => match crate::lesson::Lesson::from_json(json) {
                Ok(l) => Some(l),
                Err(e) => {
                    notes.insert(0, format!("The lesson in this link cannot be opened: {e}."));
                    None
                }
            },
            _ => None,
        };
        if let Some(lesson) = lesson {
            m.open_lesson(lesson, link.stop.map(|k| k.saturating_sub(1) as usize));
            // Opening it is what the link asked: no new entry in the history.
            m.changes = 0;
        }
        if let Some(n) = m.notice.take() {
            notes.push(n);
        }
        if !notes.is_empty() {
            m.notice = Some(notes.join(" "));
        }
        m
    }

    /// The link that shows exactly this run at this step.
    pub fn link(&self, embed: Embed) -> crate::share::Link {
        crate::share::Link {
            source: self.lesson_source().unwrap_or_else(|| self.link_source()),
            ..self.link_settings(embed)
        }
    }

    /// Where a link's scenario comes from: the preset's id, or (once edited, or for a
    /// scenario that is no preset) the whole scenario as JSON.
    pub fn link_source(&self) -> crate::share::Source {
        use crate::share::Source;
        match (self.preset, self.edited) {
            (Some(i), false) => Source::Preset(self.presets[i].id.to_string()),
            _ => Source::Scenario(serde_json::to_string(&*self.scenario).unwrap_or_default()),
        }
    }

    /// [`link`](Model::link) without its source: step, speed, policy, theme and embed.
    pub fn link_settings(&self, embed: Embed) -> crate::share::Link {
        use crate::share::{Link, Source, Speed};
        if let Some(l) = &self.lesson {
            // A lesson's link opens its stop: the stop says where the playhead goes.
            return Link {
                stop: Some(l.tour.stop as u32 + 1),
                theme: self.link_theme,
                embed: embed.on,
                autoplay: embed.autoplay,
                looped: embed.looped,
                code: embed.code,
                origins: (*self.origins).clone(),
                ..Link::default()
            };
        }
        Link {
            source: Source::Default,
            step: Some(u64::from(self.step)),
            speed: Some(Speed::Times(SPEEDS[self.speed])),
            policy: Some(match self.mode {
                Mode::Scheduler => Policy::Manual { choices: self.choices.clone() },
                Mode::Watch => self.policy.clone(),
            }),
            // Only a theme the page's own link set: a viewer's light or dark is theirs.
            theme: self.link_theme,
            embed: embed.on,
            autoplay: embed.autoplay,
            looped: embed.looped,
            code: embed.code,
            compare: self.compare.as_ref().map(|c| c.kinds.clone()).unwrap_or_default(),
            stop: None,
            origins: (*self.origins).clone(),
        }
    }
}
