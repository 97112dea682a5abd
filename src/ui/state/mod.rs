#![allow(missing_debug_implementations)] // UI state: Rc-heavy, compared by identity
//! The app's one reducer: which scenario, its last good run, the playhead, the mode.
//!
//! Nothing here simulates: every run comes from a [`Simulation`] (all at once, or a slice
//! per frame while [`Model::pending`]); playback only moves the
//! playhead over the run's steps.

use crate::exec::{Policy, TaskId};
use crate::scenario::{presets, Preset, Scenario, ScenarioError};
pub use crate::share::export::Axis;
pub use crate::share::Theme;
use crate::trace::{Line, Progress, Run, Segment, Simulation, Snapshot};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

mod compare;
mod lesson;
mod link;
mod search;

pub use lesson::{progress_key, LessonState};

use crate::trace::explore::Mode as SearchMode;
pub use compare::{Column, Compare, MAX_POLICIES, MIN_POLICIES};
pub use search::{Fork, Search, PAGE_MAX_DEPTH, PAGE_MAX_POLLS, PAGE_MAX_STATES};

/// Playback speeds (multipliers of [`BASE_STEPS_PER_SECOND`]).
pub const SPEEDS: [f64; 9] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];
/// Steps per second at 1×: slow enough to follow one chip at a time.
pub const BASE_STEPS_PER_SECOND: f64 = 3.0;
const DEFAULT_SPEED: usize = 2;

/// Watch a run, or play the scheduler yourself.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// Watch the run the chosen scheduler makes, and play it back.
    Watch,
    /// Choose, poll by poll, which ready task runs next (the scheduler game).
    Scheduler,
}

/// A run plus what the views derive from it once (not at every frame).
pub struct Loaded {
    /// The run itself.
    pub run: Run,
    /// Every printed line, with the step it was printed at.
    pub transcript: Vec<Line>,
    /// Segments grouped per task, in time order.
    pub lanes: Vec<Vec<Segment>>,
    /// The state at the end of the run (the outcome).
    pub end_snapshot: Snapshot,
}

impl Loaded {
    fn new(run: Run) -> Loaded {
        let transcript = run.transcript();
        let mut lanes: Vec<Vec<Segment>> = vec![Vec::new(); run.scenario.tasks.len()];
        for s in run.segments() {
            if let Some(lane) = lanes.get_mut(s.task as usize) {
                lane.push(*s);
            }
        }
        for lane in &mut lanes {
            lane.sort_by_key(|s| (s.start_step, s.start_time));
        }
        let end_snapshot = run.snapshot_at(run.steps());
        Loaded { run, transcript, lanes, end_snapshot }
    }

    /// The index of the transcript line at the playhead: the last line printed at or
    /// before `step`.
    pub fn line_at(&self, step: u32) -> Option<usize> {
        let n = self.transcript.partition_point(|l| l.step <= step);
        n.checked_sub(1)
    }

    /// The first step whose virtual time is at least `time` (for seeking by time).
    pub fn step_at_time(&self, time: f64) -> u32 {
        let (mut lo, mut hi) = (0u32, self.run.steps());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if (self.run.time_at(mid) as f64) < time {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

/// A shared, immutable value passed to components: equal only to itself (compared by
/// pointer, which is cheap, where comparing a run or a scenario by value would cost as
/// much as drawing it). Runs, scenarios and the preset list are never changed in place:
/// a change makes a new one, so pointer equality is value equality here.
pub struct Shared<T: ?Sized>(pub Rc<T>);

impl<T: ?Sized> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T: ?Sized> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T: ?Sized> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Shared({:p})", Rc::as_ptr(&self.0))
    }
}

impl<T: ?Sized> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// A finished run and what the views derive from it, shared.
pub type RunRef = Shared<Loaded>;

/// Everything the page shows, in one value: the reducer's state (see [`Action`]).
#[derive(Clone)]
pub struct Model {
    /// The preset scenarios, in the picker's order.
    pub presets: Rc<Vec<Preset>>,
    /// The preset the scenario came from.
    pub preset: Option<usize>,
    /// The scenario as edited (may be invalid; then `error` says why).
    pub scenario: Rc<Scenario>,
    /// Whether the scenario differs from its preset (links then carry it whole).
    pub edited: bool,
    /// The last run that succeeded.
    pub loaded: Option<RunRef>,
    /// Why the scenario as edited cannot run (the last good run stays on screen).
    pub error: Option<ScenarioError>,
    /// The playhead: how many steps of the run have happened (0 = none).
    pub step: u32,
    /// Whether playback is running.
    pub playing: bool,
    /// Index into [`SPEEDS`].
    pub speed: usize,
    /// Watching, or playing the scheduler.
    pub mode: Mode,
    /// The scheduler used in watch mode: FIFO or seeded random (the scheduler game's
    /// choices are [`choices`](Model::choices), not a policy here).
    pub policy: Policy,
    /// The scheduler game's choices so far: the task polled at each step, in order.
    pub choices: Vec<TaskId>,
    /// The page's colour theme.
    pub theme: Theme,
    /// The timeline's horizontal axis.
    pub axis: Axis,
    /// Whether the scenario editor is open.
    pub editor_open: bool,
    /// Embed mode and its options (from the link).
    pub embed: Embed,
    /// A message for the person (a bad link, a bad file), shown until dismissed.
    pub notice: Option<String>,
    /// Whether the Share panel is open.
    pub share_open: bool,
    /// A run too big for one frame, being made a slice per frame (see [`Pending`]).
    pub pending: Option<Pending>,
    /// A looping embed at its end: the steps' worth of playback it has held the last
    /// frame so far (it starts over after [`LOOP_HOLD_SECONDS`]).
    pub held_at_end: u32,
    /// The theme the page's own link asked for (`theme=`), which links made from this
    /// page pass on; a theme the viewer picks is theirs alone, and goes in no link.
    pub link_theme: Option<Theme>,
    /// The scheduler game's choices while the person watches instead: switching back to
    /// "Be the scheduler" resumes the game.
    pub saved_game: Vec<TaskId>,
    /// The choices a reset wiped, so Undo can bring them back.
    pub before_reset: Option<Vec<TaskId>>,
    /// How many times the person has changed the scenario (a preset, an edit, a file):
    /// each change is an entry in the browser's history, so Back undoes it.
    pub changes: u32,
    /// The schedule explorer's search of this scenario, running or done.
    pub search: Option<Search>,
    /// The forks taken from the main run, oldest first (the breadcrumb).
    pub forks: Vec<Fork>,
    /// The scenario under a few lock policies side by side, while the compare view is
    /// open.
    pub compare: Option<Compare>,
    /// The bundled lessons, in the list's order.
    pub lessons: Rc<Vec<crate::lesson::Lesson>>,
    /// The lesson being walked through, if any.
    pub lesson: Option<LessonState>,
    /// The origins allowed to drive this page by `postMessage` (from the link; empty:
    /// the embedding page, whatever its origin).
    pub origins: Rc<Vec<String>>,
    /// The program the scenario was read from, when it was typed or pasted in the code
    /// editor (see [`Model::code_source`]).
    source: Option<Rc<CodeSource>>,
    /// Text typed in the code editor that could not be read (see [`Model::code_draft`]).
    draft: Option<Rc<CodeDraft>>,
}

/// A scenario's program as typed in the code editor: the code view shows this text, with
/// its lines, instead of the generated program.
#[derive(Debug, PartialEq)]
pub struct CodeSource {
    /// The scenario it was read as (the same `Rc` as [`Model::scenario`] while current).
    pub scenario: Rc<Scenario>,
    /// The text and each step's line.
    pub program: crate::scenario::code::RustProgram,
}

/// Text typed in the code editor that cannot be read yet: the last good run stays.
#[derive(Debug, PartialEq)]
pub struct CodeDraft {
    /// The scenario that was current when it was typed.
    pub base: Rc<Scenario>,
    /// The text.
    pub text: String,
    /// Why it cannot be read.
    pub error: crate::code::CodeError,
}

/// How long a looping embed holds its last frame (the outcome) before it starts over.
pub const LOOP_HOLD_SECONDS: f64 = 2.5;

/// A simulation in progress: the page makes it a slice per animation frame (each at
/// most [`SLICE_MS`] of work, plus one poll), shows its progress, and can cancel it.
/// Until it finishes, the last good run stays on screen.
#[derive(Clone)]
pub struct Pending {
    sim: Rc<RefCell<Option<Simulation>>>,
    /// How far it has got (shown with a progress bar).
    pub progress: Progress,
    /// Where the playhead goes when it is done (a link's `step`, `speed=end`, autoplay).
    wish: Wish,
    keep_step: bool,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.sim, &other.sim) && self.progress == other.progress
    }
}

/// What a link asks of the playhead once its run exists.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Wish {
    step: Option<u64>,
    to_end: bool,
    autoplay: bool,
}

/// The work done synchronously when a scenario changes: every preset fits in it, so
/// they appear at once; bigger runs go on a slice per frame.
/// A lesson's run is bounded by the same work, so it is on screen at once too.
const FIRST_SLICE_WORK: u64 = crate::lesson::LESSON_MAX_WORK;
/// Milliseconds of simulation per animation frame, at most (plus one poll).
pub const SLICE_MS: f64 = 8.0;

pub(super) fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or_else(js_sys::Date::now, |p| p.now())
}

/// Options an embedding page sets in the link: `embed=1&autoplay=1&loop=1`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Embed {
    /// Whether the page is embedded: a compact layout with a link to the full playground.
    pub on: bool,
    /// Whether playback starts by itself once the run is ready.
    pub autoplay: bool,
    /// Whether playback starts over after the end (holding the outcome for a moment).
    pub looped: bool,
    /// Whether the embed shows the scenario as a Rust program (`view=code`).
    pub code: bool,
}

/// What can happen to the page: a button, a key, a frame of playback, a link.
#[derive(Debug)]
pub enum Action {
    /// Open preset number `i` of [`Model::presets`].
    SelectPreset(usize),
    /// The code editor's text, to read as the scenario (see [`crate::code::read`]).
    EditCode(String),
    /// A program read (by [`crate::code::read`]) for the embedding page: opened like
    /// [`Action::Load`], with the program kept for the code view.
    LoadProgram(Box<(Scenario, crate::scenario::code::RustProgram)>),
    /// Play, or pause (watch mode only).
    TogglePlay,
    /// One step forward (pauses).
    StepForward,
    /// One step back (pauses).
    StepBack,
    /// Move the playhead to a step (clamped to the run).
    Seek(u32),
    /// From the animation loop: move the playhead by this many steps.
    Advance(u32),
    /// Playback speed, as an index into [`SPEEDS`].
    SetSpeed(usize),
    /// The next speed up.
    Faster,
    /// The next speed down.
    Slower,
    /// The playhead to the end of the run (pauses).
    ToEnd,
    /// The playhead to step 0 (Home), without touching the scheduler game.
    ToStart,
    /// Back to step 0; in the scheduler game, also forgets the choices (Undo brings them back).
    Reset,
    /// Switch between light and dark (the viewer's own choice: links no longer carry a theme).
    ToggleTheme,
    /// Choose the watch-mode scheduler; the run is made again.
    SetPolicy(Policy),
    /// Watch, or play the scheduler (a game in progress waits while the person watches).
    SetMode(Mode),
    /// The player's next choice: this ready task runs next.
    Choose(TaskId),
    /// Take back the last choice (or, right after a reset, bring the game back).
    Undo,
    /// The scenario as edited: validated and run, or its error shown at its field.
    Edit(Scenario),
    /// The timeline's axis.
    SetAxis(Axis),
    /// Open or close the scenario editor.
    ToggleEditor,
    /// A scenario from a file or the library (already validated).
    Load(Scenario),
    /// Show a message in the header (`None` dismisses it).
    Notice(Option<String>),
    /// Open or close the Share panel.
    ToggleShare,
    /// The page's fragment changed (a pasted or followed link): open what it describes.
    OpenLink(String),
    /// From the animation loop: run the pending simulation for one slice.
    SimulateSlice,
    /// Stop the pending simulation; the last good run stays.
    CancelSimulation,
    /// Search the scenario's schedules (the explorer), a slice per frame.
    Explore(SearchMode),
    /// From the animation loop: search for one slice.
    ExploreSlice,
    /// Stop the search; what it found stays.
    StopExploring,
    /// Open the compare view with these lock policies (2 to 4), or change them.
    Compare(Vec<crate::scenario::MutexKind>),
    /// Close the compare view.
    CloseCompare,
    /// From the animation loop: run the comparison's simulations for one slice.
    CompareSlice,
    /// Shrink this schedule to fewer preemptions with the same outcome.
    Minimise(Vec<TaskId>),
    /// Play this schedule from the start (a `manual:` policy).
    Replay(Vec<TaskId>),
    /// At the playhead, run this task instead, then FIFO.
    ForkHere(TaskId),
    /// Back to before fork `i` of the breadcrumb.
    Unfork(usize),
    /// Open bundled lesson `i` of [`Model::lessons`] (where this browser left it).
    OpenLesson(usize),
    /// Open this lesson (from a file or the embedding page) at its start or where left.
    LoadLesson(Box<crate::lesson::Lesson>),
    /// The learner picks choice `i` of the open question.
    Answer(usize),
    /// Play the steps that decide the answer just given.
    ShowWhy,
    /// On to the lesson's next stop.
    NextStop,
    /// Straight to stop `i` of the lesson.
    GoToStop(usize),
    /// The lesson from its start, its answers forgotten.
    RestartLesson,
    /// Leave the lesson; the scenario stays.
    CloseLesson,
    /// Play (`true`) or pause, whatever the state (the embed API's play and pause).
    SetPlaying(bool),
    /// Move the playhead by this many steps, paused (the embed API's step).
    StepBy(i64),
}

impl Model {
    /// The page with the first preset (the picker's first: reader/writer) run, in `theme`.
    pub fn new(theme: Theme) -> Model {
        let presets = Rc::new(presets());
        let index = if presets.is_empty() { None } else { Some(0) };
        let scenario = index.map(|i| presets[i].scenario.clone()).unwrap_or_else(empty_scenario);
        let mut model = Model {
            presets,
            preset: index,
            scenario: Rc::new(scenario),
            edited: false,
            loaded: None,
            error: None,
            step: 0,
            playing: false,
            speed: DEFAULT_SPEED,
            mode: Mode::Watch,
            policy: Policy::Fifo,
            choices: Vec::new(),
            theme,
            axis: Axis::Time,
            editor_open: false,
            embed: Embed::default(),
            notice: None,
            share_open: false,
            pending: None,
            held_at_end: 0,
            link_theme: None,
            saved_game: Vec::new(),
            before_reset: None,
            changes: 0,
            search: None,
            forks: Vec::new(),
            compare: None,
            lessons: Rc::new(crate::lesson::bundled()),
            lesson: None,
            origins: Rc::new(Vec::new()),
            source: None,
            draft: None,
        };
        if index.is_some() {
            model.rerun(false);
        }
        model
    }

    /// The program the current scenario was read from, if it was typed in the code editor
    /// (any other change of the scenario makes it stale: it belongs to the scenario `Rc`).
    pub fn code_source(&self) -> Option<Rc<CodeSource>> {
        self.source.clone().filter(|s| Rc::ptr_eq(&s.scenario, &self.scenario))
    }

    /// Text typed in the code editor that could not be read, while the scenario it was
    /// typed over is still current.
    pub fn code_draft(&self) -> Option<Rc<CodeDraft>> {
        self.draft.clone().filter(|d| Rc::ptr_eq(&d.base, &self.scenario))
    }

    /// The code editor's text: read, it replaces the scenario (as an edit does); not
    /// read, it is kept with its error and the last good run stays.
    fn edit_code(&mut self, text: String) {
        match crate::code::read(&text) {
            Ok((scenario, program)) => {
                self.draft = None;
                if scenario != *self.scenario {
                    // Typing pauses are not the browser's history: the address is replaced.
                    self.apply_edit(scenario, false);
                }
                self.source = Some(Rc::new(CodeSource { scenario: self.scenario.clone(), program }));
            }
            Err(error) => self.draft = Some(Rc::new(CodeDraft { base: self.scenario.clone(), text, error })),
        }
    }

    /// The scenario edited (in the forms or as code): it runs, the playhead kept. With
    /// `entry`, the change is an entry in the browser's history (Back undoes it).
    fn apply_edit(&mut self, scenario: Scenario, entry: bool) {
        self.changes += entry as u32;
        self.scenario = Rc::new(scenario);
        self.forget_schedules();
        self.leave_lesson();
        self.edited = true;
        self.playing = false;
        // Another scenario: the saved scheduler game does not apply to it.
        self.saved_game.clear();
        self.before_reset = None;
        if self.mode == Mode::Scheduler {
            self.choices.clear();
        }
        self.rerun(true);
    }

    /// The run's length in steps (0 before there is a run).
    pub fn steps(&self) -> u32 {
        self.loaded.as_ref().map_or(0, |l| l.run.steps())
    }

    fn policy(&self) -> Policy {
        match self.mode {
            Mode::Scheduler => Policy::Manual { choices: self.choices.clone() },
            Mode::Watch => self.policy.clone(),
        }
    }

    /// Re-runs the scenario. On success the playhead stays where it was (clamped), or
    /// moves to the end in scheduler mode; on failure the last good run stays. A run
    /// that does not fit in the first slice goes on a slice per frame ([`Pending`]).
    fn rerun(&mut self, keep_step: bool) {
        self.pending = None;
        // The comparison is of the scenario and scheduler on screen: redone with them.
        self.follow_compare();
        match Simulation::new(&self.scenario, &self.policy()) {
            Ok(mut sim) => {
                if sim.advance(FIRST_SLICE_WORK) {
                    self.install(sim.finish(), keep_step);
                } else {
                    self.playing = false;
                    self.pending = Some(Pending {
                        progress: sim.progress(),
                        sim: Rc::new(RefCell::new(Some(sim))),
                        wish: Wish::default(),
                        keep_step,
                    });
                }
            }
            Err(e) => {
                self.error = Some(e);
                self.playing = false;
                self.step = self.step.min(self.steps());
            }
        }
    }

    /// One slice of the pending simulation: [`SLICE_MS`] of work, then the next frame.
    fn simulate_slice(&mut self) {
        let Some(pending) = self.pending.take() else { return };
        let started = now_ms();
        let mut slot = pending.sim.borrow_mut();
        let Some(sim) = slot.as_mut() else { return };
        let mut done = false;
        while !done && now_ms() - started < SLICE_MS {
            done = sim.advance(2_000);
        }
        if done {
            let sim = slot.take().expect("the simulation is here");
            drop(slot);
            let wish = pending.wish;
            self.install(sim.finish(), pending.keep_step);
            self.apply_wish(wish);
        } else {
            let progress = sim.progress();
            drop(slot);
            self.pending = Some(Pending { progress, ..pending });
        }
    }

    /// Moves the playhead where a link asked, once its run exists.
    fn apply_wish(&mut self, wish: Wish) {
        let steps = self.steps();
        if wish.to_end {
            self.step = steps;
        }
        if let Some(step) = wish.step {
            self.step = step.min(u64::from(steps)) as u32;
        }
        self.playing = wish.autoplay && self.mode == Mode::Watch && steps > 0;
    }

    /// Shows a finished run.
    fn install(&mut self, run: Run, keep_step: bool) {
        let loaded = Loaded::new(run);
        let steps = loaded.run.steps();
        self.step = match self.mode {
            Mode::Scheduler => steps,
            Mode::Watch if keep_step => self.step.min(steps),
            Mode::Watch => 0,
        };
        if self.mode == Mode::Watch {
            self.choices.clear();
        }
        self.loaded = Some(Shared(Rc::new(loaded)));
        self.error = None;
        // Each axis suits a different run: time when time passes, else steps.
        if let (false, Some(l)) = (keep_step, &self.loaded) {
            self.axis = Axis::for_run(&l.run);
        }
    }
}

fn empty_scenario() -> Scenario {
    Scenario {
        name: "empty".into(),
        description: String::new(),
        mutexes: Vec::new(),
        tasks: Vec::new(),
        limits: Default::default(),
    }
}

impl Reducible for Model {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        // A program from the embedding page opens as a loaded scenario, its text kept.
        if let Action::LoadProgram(read) = action {
            let (scenario, program) = *read;
            let mut m = (*self.reduce(Action::Load(scenario))).clone();
            m.source = Some(Rc::new(CodeSource { scenario: m.scenario.clone(), program }));
            m.draft = None;
            return Rc::new(m);
        }
        let steps = self.steps();
        let mut m = (*self).clone();
        match action {
            Action::SelectPreset(i) => {
                let Some(p) = self.presets.get(i) else { return self };
                m.changes += 1;
                m.preset = Some(i);
                m.scenario = Rc::new(p.scenario.clone());
                m.forget_schedules();
                m.leave_lesson();
                m.edited = false;
                m.playing = false;
                m.mode = Mode::Watch;
                m.choices.clear();
                // Another scenario: the saved scheduler game does not apply to it.
                m.saved_game.clear();
                m.before_reset = None;
                m.step = 0;
                m.rerun(false);
            }
            Action::TogglePlay => {
                if m.mode == Mode::Scheduler || !m.lesson_allows_play() {
                    return self;
                }
                if m.lesson.as_ref().is_some_and(|l| l.tour.phase == crate::lesson::Phase::AtStop) {
                    // At a stop, play means go on to the next one.
                    m.lesson_next();
                } else if m.playing {
                    m.playing = false;
                } else {
                    if m.step >= steps {
                        m.step = 0;
                    }
                    m.playing = steps > 0;
                }
            }
            Action::StepForward => {
                m.playing = false;
                m.step = m.lesson_cap((m.step + 1).min(steps));
                m.lesson_check_arrival();
            }
            Action::StepBack => {
                m.playing = false;
                m.step = m.step.saturating_sub(1);
                m.lesson_check_arrival();
            }
            Action::Seek(s) => {
                let s = m.lesson_cap(s.min(steps));
                if s == m.step {
                    return self;
                }
                m.step = s;
                m.lesson_check_arrival();
            }
            Action::Advance(n) => {
                if !m.playing {
                    return self;
                }
                if m.step >= steps && m.embed.looped {
                    // Hold the outcome long enough to read it, whatever the speed.
                    let hold = (LOOP_HOLD_SECONDS * BASE_STEPS_PER_SECOND * SPEEDS[m.speed]).ceil() as u32;
                    m.held_at_end = m.held_at_end.saturating_add(n);
                    if m.held_at_end >= hold.max(1) {
                        m.step = 0;
                        m.held_at_end = 0;
                    }
                } else {
                    m.held_at_end = 0;
                    m.step = m.lesson_clamp(m.step.saturating_add(n).min(steps));
                    if m.step >= steps && !m.embed.looped {
                        m.playing = false;
                    }
                    m.lesson_check_arrival();
                }
            }
            Action::SetSpeed(i) => m.speed = i.min(SPEEDS.len() - 1),
            Action::Faster => m.speed = (m.speed + 1).min(SPEEDS.len() - 1),
            Action::Slower => m.speed = m.speed.saturating_sub(1),
            Action::ToEnd => {
                m.playing = false;
                m.step = m.lesson_cap(steps);
            }
            Action::ToStart => {
                if m.step == 0 && !m.playing {
                    return self;
                }
                m.playing = false;
                m.step = 0;
            }
            Action::Reset => {
                m.playing = false;
                m.step = 0;
                if m.mode == Mode::Scheduler {
                    if !m.choices.is_empty() {
                        m.before_reset = Some(std::mem::take(&mut m.choices));
                    }
                    m.rerun(false);
                }
            }
            Action::ToggleTheme => {
                m.theme = m.theme.other();
                // The viewer's own choice: links made from here no longer force one.
                m.link_theme = None;
            }
            Action::SetPolicy(p) => {
                if m.policy == p {
                    return self;
                }
                m.policy = p;
                m.forks.clear();
                m.leave_lesson();
                m.rerun(true);
            }
            Action::SetMode(mode) => {
                if m.mode == mode {
                    return self;
                }
                m.playing = false;
                m.before_reset = None;
                m.leave_lesson();
                // The game waits while the person watches, and resumes when they return.
                match mode {
                    Mode::Watch => m.saved_game = std::mem::take(&mut m.choices),
                    Mode::Scheduler => m.choices = std::mem::take(&mut m.saved_game),
                }
                m.mode = mode;
                m.rerun(false);
                if m.mode == Mode::Scheduler && m.error.is_some() {
                    m.choices.clear();
                    m.rerun(false);
                }
            }
            Action::Choose(task) => {
                if m.mode != Mode::Scheduler {
                    return self;
                }
                let ready = m.loaded.as_ref().map(|l| l.run.ready_at_end()).unwrap_or_default();
                if !ready.contains(&task) {
                    return self;
                }
                m.choices.push(task);
                m.before_reset = None; // a new game: the wiped one is gone for good
                m.rerun(true);
            }
            Action::Undo => {
                if m.mode != Mode::Scheduler {
                    return self;
                }
                if m.choices.is_empty() {
                    // Right after a reset: Undo brings the wiped game back.
                    let Some(game) = m.before_reset.take() else { return self };
                    m.choices = game;
                } else {
                    m.choices.pop();
                }
                m.rerun(true);
            }
            Action::Edit(scenario) => m.apply_edit(scenario, true),
            Action::EditCode(text) => m.edit_code(text),
            // Opened above, through `Action::Load`.
            Action::LoadProgram(_) => {}
            Action::SetAxis(a) => m.axis = a,
            Action::ToggleEditor => m.editor_open = !m.editor_open,
            Action::Load(scenario) => {
                m.changes += 1;
                m.preset = m.presets.iter().position(|p| p.scenario == scenario);
                m.edited = m.preset.is_none();
                m.scenario = Rc::new(scenario);
                m.forget_schedules();
                m.leave_lesson();
                m.playing = false;
                m.choices.clear();
                // Another scenario: the saved scheduler game does not apply to it.
                m.saved_game.clear();
                m.before_reset = None;
                m.step = 0;
                m.rerun(false);
            }
            Action::Notice(n) => m.notice = n,
            Action::SimulateSlice => {
                if m.pending.is_none() {
                    return self;
                }
                m.simulate_slice();
            }
            Action::CancelSimulation => {
                let Some(p) = m.pending.take() else { return self };
                m.notice = Some(format!(
                    "Stopped simulating \"{}\" after {} steps; the last complete run is still shown.",
                    m.scenario.name, p.progress.steps
                ));
                m.error = None;
            }
            Action::ToggleShare => m.share_open = !m.share_open,
            Action::Explore(mode) => m.explore(mode),
            Action::ExploreSlice => {
                if !m.search.as_ref().is_some_and(|s| s.running) {
                    return self;
                }
                m.explore_slice();
            }
            Action::StopExploring => m.stop_exploring(),
            Action::Compare(kinds) => m.open_compare(&kinds),
            Action::CloseCompare => m.compare = None,
            Action::CompareSlice => {
                if !m.compare.as_ref().is_some_and(Compare::running) {
                    return self;
                }
                m.compare_slice();
            }
            Action::Minimise(choices) => m.minimise(&choices),
            Action::Replay(choices) => {
                m.leave_lesson();
                m.replay(choices)
            }
            Action::ForkHere(task) => {
                m.leave_lesson();
                m.fork_here(task)
            }
            Action::Unfork(i) => m.unfork(i),
            Action::OpenLesson(i) => {
                let Some(lesson) = self.lessons.get(i).cloned() else { return self };
                m.open_lesson(lesson, None);
            }
            Action::LoadLesson(lesson) => m.open_lesson(*lesson, None),
            Action::Answer(i) => {
                if !m.lesson_answer(i) {
                    return self;
                }
            }
            Action::ShowWhy => {
                if !m.lesson_why() {
                    return self;
                }
            }
            Action::NextStop => {
                if !m.lesson_next() {
                    return self;
                }
            }
            Action::GoToStop(i) => {
                if !m.lesson_go_to(i) {
                    return self;
                }
            }
            Action::RestartLesson => {
                if !m.lesson_restart() {
                    return self;
                }
            }
            Action::SetPlaying(on) => {
                if on == self.playing {
                    return self;
                }
                return self.reduce(Action::TogglePlay);
            }
            Action::StepBy(by) => {
                m.playing = false;
                m.step = m.lesson_cap(i64::from(m.step).saturating_add(by).clamp(0, i64::from(steps)) as u32);
                m.lesson_check_arrival();
            }
            Action::CloseLesson => {
                if m.lesson.is_none() {
                    return self;
                }
                m.leave_lesson();
            }
            Action::OpenLink(fragment) => {
                // Links made by the share panel describe the page already shown; only
                // a different one replaces it.
                let link = crate::share::Link::from_fragment(&fragment);
                if link.as_ref().is_ok_and(|l| *l == m.link(m.embed)) {
                    return self;
                }
                // The browser already shows this address: it is no new change.
                return Rc::new(Model { changes: m.changes, ..Model::from_fragment(&fragment, m.theme) });
            }
        }
        Rc::new(m)
    }
}
