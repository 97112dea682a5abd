//! A lesson in the page: opening one (from the list, a link or the embedding page), and
//! the playhead's part in walking through it (play to a stop and pause, wait for an
//! answer, show why). The walk itself is [`Tour`], a pure state machine in `lesson`.

use super::{Mode, Model, Shared};
use crate::lesson::{Lesson, Phase, Prepared, Tour};
use std::rc::Rc;

/// Where a learner's progress in lesson `id` is kept (this browser only).
pub fn progress_key(id: &str) -> String {
    format!("mutex-playground/lesson/{id}")
}

/// Where this browser keeps the progress in `lesson`: by id for a bundled lesson; by id and
/// a hash of its content for another (a stranger's lesson may reuse a bundled one's id).
fn key_for(lesson: &Lesson, bundled: bool) -> String {
    if bundled {
        return progress_key(&lesson.id);
    }
    // FNV-1a of the lesson's JSON: stable across visits, which `DefaultHasher` is not.
    let json = serde_json::to_string(lesson).unwrap_or_default();
    let hash = json.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    progress_key(&format!("{}#{hash:016x}", lesson.id))
}

/// The lesson on screen.
#[derive(Clone, PartialEq)]
pub struct LessonState {
    /// The lesson bound to its run.
    pub prepared: Shared<Prepared>,
    /// Where the learner is, and their answers.
    pub tour: Tour,
    /// Whether it is a bundled lesson (links name it by id; others carry it whole).
    pub bundled: bool,
    /// Where this browser keeps the learner's progress in it.
    pub key: String,
}

impl LessonState {
    /// The lesson's id.
    pub fn id(&self) -> &str {
        &self.prepared.lesson.id
    }
}

impl Model {
    /// Opens `lesson` at stop `stop` (from 0), or where this browser left it: its
    /// scenario and policy are run, and the playhead goes to the stop. A lesson that does
    /// not fit its run leaves the page as it was, with a notice naming each problem.
    pub(super) fn open_lesson(&mut self, lesson: Lesson, stop: Option<usize>) {
        let prepared = match lesson.prepare() {
            Ok(p) => p,
            Err(errors) => {
                let all: Vec<String> = errors.iter().take(3).map(|e| e.to_string()).collect();
                self.notice = Some(format!("The lesson \"{}\" cannot be opened: {}.", lesson.id, all.join("; ")));
                return;
            }
        };
        let bundled = self.lessons.contains(&lesson);
        self.changes += 1;
        self.preset = self.presets.iter().position(|p| p.scenario == prepared.scenario);
        self.edited = self.preset.is_none();
        self.scenario = Rc::new(prepared.scenario.clone());
        self.forget_schedules();
        self.policy = prepared.policy.clone();
        self.mode = Mode::Watch;
        self.choices.clear();
        self.saved_game.clear();
        self.before_reset = None;
        self.playing = false;
        self.step = 0;
        self.rerun(false);
        if self.steps() != prepared.steps || self.pending.is_some() {
            // Cannot happen for a lesson that prepared (runs are deterministic, and a
            // lesson's run fits the first slice); said rather than shown wrong.
            self.notice = Some(format!("The lesson \"{}\" could not be opened: its run differs.", lesson.id));
            return;
        }
        let key = key_for(&prepared.lesson, bundled);
        let kept = crate::ui::storage::get::<Tour>(&key);
        let mut tour = kept.map_or_else(|| Tour::new(&prepared), |t| t.resumed(&prepared));
        if let Some(k) = stop {
            tour.go_to(&prepared, k.min(prepared.stops.len().saturating_sub(1)));
        }
        // Opened (or resumed) at a stop: straight there, not played to.
        if let Some(target) = tour.target(&prepared) {
            self.step = target;
            tour.arrive(&prepared);
        } else if tour.complete() {
            self.step = prepared.stops.last().map_or(0, |s| s.step);
        }
        self.lesson = Some(LessonState { prepared: Shared(Rc::new(prepared)), tour, bundled, key });
    }

    /// The lesson's target for the playhead, if it is travelling.
    fn lesson_target(&self) -> Option<u32> {
        self.lesson.as_ref().and_then(|l| l.tour.target(&l.prepared))
    }

    /// After the playhead moved: arrive if it reached the lesson's target (and pause).
    pub(super) fn lesson_check_arrival(&mut self) {
        if let (Some(target), Some(l)) = (self.lesson_target(), self.lesson.as_mut()) {
            if self.step == target {
                l.tour.arrive(&l.prepared);
                self.playing = false;
            }
        }
    }

    /// Playback's next position with a lesson travelling: never past its target.
    pub(super) fn lesson_clamp(&self, to: u32) -> u32 {
        match self.lesson_target() {
            Some(t) if self.step <= t => to.min(t),
            Some(t) => t, // the person moved past it by hand: the stop is where it is
            None => to,
        }
    }

    /// Where the playhead may go now: not past a stop whose question waits for its answer
    /// (stepping or seeking there would show it).
    pub(super) fn lesson_cap(&self, to: u32) -> u32 {
        match &self.lesson {
            Some(l) if l.tour.phase == Phase::Asking => to.min(l.prepared.stops[l.tour.stop].step),
            _ => to,
        }
    }

    /// Whether playback may run now: not while a question waits for its answer.
    pub(super) fn lesson_allows_play(&self) -> bool {
        !self.lesson.as_ref().is_some_and(|l| l.tour.phase == Phase::Asking)
    }

    /// Travel on: to the target if it is ahead (playing), at once if it is not.
    fn lesson_travel(&mut self) {
        let Some(target) = self.lesson_target() else { return };
        if target <= self.step {
            self.step = target;
            self.lesson_check_arrival();
        } else {
            self.playing = true;
        }
    }

    /// The learner's answer to the open question.
    pub(super) fn lesson_answer(&mut self, choice: usize) -> bool {
        let Some(l) = self.lesson.as_mut() else { return false };
        l.tour.answer(&l.prepared, choice).is_some()
    }

    /// Play the steps that decide the answer.
    pub(super) fn lesson_why(&mut self) -> bool {
        let Some(l) = self.lesson.as_mut() else { return false };
        if !l.tour.show_why(&l.prepared) {
            return false;
        }
        self.lesson_travel();
        true
    }

    /// On to the next stop.
    pub(super) fn lesson_next(&mut self) -> bool {
        let Some(l) = self.lesson.as_mut() else { return false };
        let before = l.tour.clone();
        l.tour.next(&l.prepared);
        if l.tour == before {
            return false;
        }
        self.lesson_travel();
        true
    }

    /// Straight to stop `k`.
    pub(super) fn lesson_go_to(&mut self, k: usize) -> bool {
        let Some(l) = self.lesson.as_mut() else { return false };
        if k >= l.prepared.stops.len() {
            return false;
        }
        l.tour.go_to(&l.prepared, k);
        self.playing = false;
        self.step = l.prepared.stops[k].step;
        self.lesson_check_arrival();
        true
    }

    /// The lesson from its first stop, its answers forgotten.
    pub(super) fn lesson_restart(&mut self) -> bool {
        let Some(l) = self.lesson.as_mut() else { return false };
        l.tour = Tour::new(&l.prepared);
        self.playing = false;
        self.step = 0;
        self.lesson_travel();
        true
    }

    /// The lesson as a link's source: a bundled one by id, another whole.
    pub fn lesson_source(&self) -> Option<crate::share::Source> {
        use crate::share::Source;
        let l = self.lesson.as_ref()?;
        Some(match l.bundled {
            true => Source::Lesson(l.id().to_string()),
            false => Source::LessonJson(serde_json::to_string(&l.prepared.lesson).unwrap_or_default()),
        })
    }

    /// Whether what the run does next should stay hidden (a lesson in progress: the
    /// timeline past the playhead and the run's outcome are veiled).
    pub fn veiled(&self) -> bool {
        self.lesson.as_ref().is_some_and(|l| !l.tour.complete())
    }

    /// Leaves the lesson (another scenario, policy or schedule: its answers would not hold).
    pub(super) fn leave_lesson(&mut self) {
        self.lesson = None;
    }
}
