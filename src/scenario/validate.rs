//! Validation: every rule a scenario must meet before it runs, each failure naming its place.

use super::{MutexKind, Scenario, Step};
use serde::Serialize;
use std::fmt;

/// The most tasks a scenario may have.
pub const MAX_TASKS: usize = 10_000;
/// The most steps all tasks may have together (counting nested steps once each).
pub const MAX_STEPS_TOTAL: usize = 250_000;
/// How deep `repeat` and `select` steps may nest.
pub const MAX_NESTING: usize = 8;
/// The longest duration (sleep, busy work, start delay, time limit) in virtual ms: 1 hour.
pub const MAX_MS: u64 = 3_600_000;
/// The longest text (names, printed lines) in characters.
pub const MAX_TEXT: usize = 200;
/// The largest scenario JSON accepted, in bytes.
pub const MAX_JSON_BYTES: usize = 8 * 1024 * 1024;
const MAX_MUTEXES: usize = 1_000;
/// The most events a run records; a run that would record more ends early with
/// `EndReason::TraceFull`. Bounds the memory of a run and of its exports.
pub const MAX_EVENTS: u64 = 500_000;
/// The most bytes of printed lines and rendered values a run records (every write
/// records the whole new value, so a growing list costs quadratic bytes); past it the
/// run ends early with `EndReason::TraceFull`.
pub const MAX_TRACE_TEXT_BYTES: u64 = 16 * 1024 * 1024;
/// The most steps a task may execute in one poll, i.e. without yielding; past it the
/// run ends with `EndReason::Runaway` naming the task.
pub const MAX_STEPS_WITHOUT_YIELD: u64 = 20_000;
/// The most bytes of values and printed lines a task may record (or values copy) in one
/// poll; past it the run ends with `EndReason::Flood` naming the task. Rendering costs
/// in proportion to size, so this bounds how long one poll can take.
pub const MAX_BYTES_WITHOUT_YIELD: u64 = 512 * 1024;
const MAX_REPEAT: u32 = 1_000_000;
const MAX_LIMIT_STEPS: u32 = 5_000_000;

/// Why a scenario cannot run, and where: `path` is like `tasks[2].steps[3]` (empty for
/// the whole scenario).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScenarioError {
    /// Where the problem is, as a path into the scenario's JSON: `tasks[2].steps[3]`,
    /// `limits.max_steps`; empty for the scenario as a whole (or JSON that is not one).
    pub path: String,
    /// What is wrong, in words a person can act on, without the path.
    pub message: String,
}

impl ScenarioError {
    /// An error at `path` (empty for the whole scenario) saying `message`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> ScenarioError {
        ScenarioError { path: path.into(), message: message.into() }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ScenarioError {}

fn check_text(path: &str, what: &str, text: &str, printed: bool) -> Result<(), ScenarioError> {
    if !printed && text.trim().is_empty() {
        return Err(ScenarioError::new(path, format!("{what} must not be empty")));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(ScenarioError::new(path, format!("{what} is longer than {MAX_TEXT} characters")));
    }
    // Names end up in SVG and other XML-ish exports, which cannot hold control
    // characters at all; printed lines may keep a tab or a line break.
    let allowed = |c: char| printed && (c == '\n' || c == '\t');
    if let Some(c) = text.chars().find(|&c| (c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}') && !allowed(c)) {
        return Err(ScenarioError::new(
            path,
            format!("{what} contains the control character U+{:04X}, which cannot be shown", c as u32),
        ));
    }
    Ok(())
}

fn check_ms(path: &str, what: &str, ms: u64) -> Result<(), ScenarioError> {
    if ms > MAX_MS {
        return Err(ScenarioError::new(
            path,
            format!("{what} of {ms} ms is more than the limit of {MAX_MS} ms (1 hour)"),
        ));
    }
    Ok(())
}

/// The problems [`Scenario::problems`](super::Scenario::problems) reports at most: an
/// editor shows them all, and a scenario with thousands of bad steps needs no thousands of
/// messages.
pub const MAX_PROBLEMS: usize = 100;

pub(super) fn validate(s: &Scenario) -> Result<(), ScenarioError> {
    match problems(s, 1).into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Collects problems until it has `most` of them.
struct Found {
    errors: Vec<ScenarioError>,
    most: usize,
}

impl Found {
    /// Records `r`'s error, if it is one; true once there are enough.
    fn add(&mut self, r: Result<(), ScenarioError>) -> bool {
        if let Err(e) = r {
            self.errors.push(e);
        }
        self.errors.len() >= self.most
    }
}

/// Every problem of `s`, in the order [`validate`] checks them (its error is the first),
/// at most `most`. The name, each mutex and each task are checked apart, so one bad task
/// does not hide another; within a task's steps, the first problem stops the check (the
/// steps after it depend on what it would have done: which guards are held).
pub(super) fn problems(s: &Scenario, most: usize) -> Vec<ScenarioError> {
    let mut found = Found { errors: Vec::new(), most: most.max(1) };
    if found.add(check_text("name", "the scenario's name", &s.name, false)) {
        return found.errors;
    }
    if s.mutexes.len() > MAX_MUTEXES {
        found.add(Err(ScenarioError::new(
            "mutexes",
            format!("{} mutexes; the limit is {MAX_MUTEXES}", s.mutexes.len()),
        )));
        return found.errors;
    }
    for (i, m) in s.mutexes.iter().enumerate() {
        if found.add(check_mutex(s, i, m)) {
            return found.errors;
        }
    }
    if s.tasks.is_empty() && found.add(Err(ScenarioError::new("tasks", "a scenario needs at least one task"))) {
        return found.errors;
    }
    if s.tasks.len() > MAX_TASKS {
        found.add(Err(ScenarioError::new("tasks", format!("{} tasks; the limit is {MAX_TASKS}", s.tasks.len()))));
        return found.errors;
    }
    if s.limits.max_steps == 0 || s.limits.max_steps > MAX_LIMIT_STEPS {
        let e = ScenarioError::new("limits.max_steps", format!("must be from 1 to {MAX_LIMIT_STEPS}"));
        if found.add(Err(e)) {
            return found.errors;
        }
    }
    if found.add(check_ms("limits.max_time_ms", "the time limit", s.limits.max_time_ms)) {
        return found.errors;
    }
    let mut total = 0usize;
    for (t, task) in s.tasks.iter().enumerate() {
        if found.add(check_task(s, t, task, &mut total)) || total > MAX_STEPS_TOTAL {
            return found.errors;
        }
    }
    // What is accepted must export and import again: the compact JSON (defaults
    // written out) must fit the import limit too. (Only worth measuring once the rest
    // is right.)
    if found.errors.is_empty() {
        let size = canonical_size(s);
        if size > MAX_JSON_BYTES {
            found.add(Err(ScenarioError::new(
                "",
                format!(
                    "the scenario is {} KiB as JSON (with its defaults written out); the limit is {} KiB",
                    size / 1024,
                    MAX_JSON_BYTES / 1024
                ),
            )));
        }
    }
    found.errors
}

fn check_mutex(s: &Scenario, i: usize, m: &super::MutexSpec) -> Result<(), ScenarioError> {
    let path = format!("mutexes[{i}].name");
    check_text(&path, "a mutex's name", &m.name, false)?;
    if s.mutexes[..i].iter().any(|o| o.name == m.name) {
        return Err(ScenarioError::new(path, format!("two mutexes are called {:?}", m.name)));
    }
    match m.kind {
        MutexKind::Semaphore { permits } if permits == 0 || permits > super::MAX_PERMITS => {
            let e = format!("a semaphore has from 1 to {} permits, not {permits}", super::MAX_PERMITS);
            return Err(ScenarioError::new(format!("mutexes[{i}].permits"), e));
        }
        MutexKind::Semaphore { .. } if !m.initial.is_null() => {
            return Err(ScenarioError::new(
                format!("mutexes[{i}].initial"),
                "a semaphore guards no value: its initial value must be null (or left out)",
            ));
        }
        MutexKind::EventuallyFair { after_ms } => {
            check_ms(&format!("mutexes[{i}].fair_after_ms"), "the fairness threshold", after_ms)?
        }
        _ => {}
    }
    let size = m.initial.to_string().len();
    if size > 64 * 1024 {
        return Err(ScenarioError::new(format!("mutexes[{i}].initial"), "the initial value is larger than 64 KiB"));
    }
    Ok(())
}

fn check_task(s: &Scenario, t: usize, task: &super::TaskSpec, total: &mut usize) -> Result<(), ScenarioError> {
    let path = format!("tasks[{t}]");
    check_text(&format!("{path}.name"), "a task's name", &task.name, false)?;
    check_ms(&format!("{path}.start_ms"), "a start delay", task.start_ms)?;
    if task.repeat > MAX_REPEAT {
        return Err(ScenarioError::new(
            format!("{path}.repeat"),
            format!("{} repetitions; the limit is {MAX_REPEAT}", task.repeat),
        ));
    }
    if task.main {
        check_main(s, t, task)?;
    }
    let mut held = Vec::new();
    let at = Place { task: t, depth: 0 };
    check_steps(s, &task.steps, &format!("{path}.steps"), at, total, &mut held)
}

/// The rules of the main task (`tasks[t]`, marked main): the first task, started at once,
/// run once.
fn check_main(s: &Scenario, t: usize, task: &super::TaskSpec) -> Result<(), ScenarioError> {
    let path = format!("tasks[{t}]");
    if t > 0 {
        let message = if s.tasks[0].main {
            format!("a program has one main task, and tasks[0] ({:?}) is already it", s.tasks[0].name)
        } else {
            "the main task must be tasks[0]: tokio polls main first, as the executor polls tasks[0] first \
             (move it to the top)"
                .to_string()
        };
        return Err(ScenarioError::new(format!("{path}.main"), message));
    }
    if task.start_ms != 0 {
        return Err(ScenarioError::new(
            format!("{path}.start_ms"),
            format!("the main task starts at once: its start_ms must be 0, not {}", task.start_ms),
        ));
    }
    if task.forever {
        return Err(ScenarioError::new(format!("{path}.forever"), "the main task runs once: it cannot be forever"));
    }
    if task.repeat != 1 {
        return Err(ScenarioError::new(
            format!("{path}.repeat"),
            format!("the main task runs once: its repeat must be 1, not {}", task.repeat),
        ));
    }
    Ok(())
}

/// Where a list of steps is: in which task, and how deep in `repeat`s and `select`s.
#[derive(Clone, Copy)]
struct Place {
    task: usize,
    depth: usize,
}

/// Bytes of the scenario's compact JSON. Built with `serde_json::to_vec` rather than counted
/// through a writer of our own: a second writer type would put a second copy of every scenario
/// type's serializer into the page.
pub(crate) fn canonical_size(s: &Scenario) -> usize {
    serde_json::to_vec(s).map_or(usize::MAX, |json| json.len())
}

/// Walks steps in order, tracking which guards are held, so that `unlock`, `write` and
/// `read` of a guard not held are caught before the run.
fn check_steps(
    s: &Scenario,
    steps: &[Step],
    path: &str,
    at: Place,
    total: &mut usize,
    held: &mut Vec<(String, bool)>,
) -> Result<(), ScenarioError> {
    if at.depth > MAX_NESTING {
        return Err(ScenarioError::new(path, format!("repeat and select steps nest deeper than {MAX_NESTING}")));
    }
    for (i, step) in steps.iter().enumerate() {
        let here = format!("{path}[{i}]");
        *total += 1;
        if *total > MAX_STEPS_TOTAL {
            return Err(ScenarioError::new(here, format!("more than {MAX_STEPS_TOTAL} steps in all")));
        }
        let kind = match step.mutex() {
            Some(name) => match s.mutex_index(name) {
                Some(m) => Some(s.mutexes[m].kind),
                None => return Err(ScenarioError::new(here, format!("unknown mutex {name:?}"))),
            },
            None => None,
        };
        let is_held = |name: &str| held.iter().any(|h| h.0 == name);
        let kind_name = kind.map_or("", MutexKind::name);
        // A semaphore guards no value: nothing writes, reads or asserts on it.
        let uses_value = match step {
            Step::Write { .. } | Step::LockedWrite { .. } => Some("write"),
            Step::Read { .. } | Step::Assert { .. } => Some("read"),
            _ => None,
        };
        if let (Some(what), Some(false)) = (uses_value, kind.map(MutexKind::has_value)) {
            let name = step.mutex().unwrap_or("");
            return Err(ScenarioError::new(here, format!("{name:?} is a semaphore, which guards no value to {what}")));
        }
        match step {
            Step::ReadLock { mutex } => {
                if kind != Some(MutexKind::RwLock) {
                    return Err(ScenarioError::new(
                        here,
                        format!("read_lock is for an rwlock; {mutex:?} is {kind_name} (set its kind to \"rwlock\")"),
                    ));
                }
                if is_held(mutex) {
                    return Err(ScenarioError::new(
                        here,
                        format!(
                            "{mutex:?} is already held by this task: a read lock behind a queued writer \
                             would wait for itself"
                        ),
                    ));
                }
                held.push((mutex.clone(), true));
            }
            Step::Lock { mutex } => {
                if is_held(mutex) {
                    return Err(ScenarioError::new(
                        here,
                        format!(
                            "{mutex:?} is already held by this task: locking it again would wait for itself forever"
                        ),
                    ));
                }
                held.push((mutex.clone(), false));
            }
            Step::TryLock { mutex } => {
                if is_held(mutex) {
                    return Err(ScenarioError::new(here, format!("{mutex:?} is already held by this task")));
                }
                if kind == Some(MutexKind::Blocking) {
                    return Err(ScenarioError::new(here, "try_lock is for async mutexes; this one is blocking"));
                }
                // Whether it succeeds is only known at run time; a later unlock of a
                // failed try_lock is reported then.
                held.push((mutex.clone(), false));
            }
            Step::LockTimeout { mutex, ms } => {
                if is_held(mutex) {
                    return Err(ScenarioError::new(
                        here,
                        format!("{mutex:?} is already held by this task: locking it again would wait for itself"),
                    ));
                }
                if kind == Some(MutexKind::Blocking) {
                    return Err(ScenarioError::new(here, "lock_timeout is for async mutexes; this one is blocking"));
                }
                check_ms(&format!("{here}.ms"), "a timeout", *ms)?;
                // Like a try_lock: whether it gets the guard is only known at run time.
                held.push((mutex.clone(), false));
            }
            Step::Select { mutex, ms, locked, timed_out } => {
                if is_held(mutex) {
                    return Err(ScenarioError::new(
                        here,
                        format!("{mutex:?} is already held by this task: locking it again would wait for itself"),
                    ));
                }
                if kind == Some(MutexKind::Blocking) {
                    return Err(ScenarioError::new(
                        here,
                        "select is for async mutexes: a blocking mutex's lock is no future to race a sleep with",
                    ));
                }
                check_ms(&format!("{here}.ms"), "a select's sleep", *ms)?;
                let before = held.clone();
                let inner = Place { depth: at.depth + 1, ..at };
                // `locked` starts with the select's guard; it is dropped at the branch's end if
                // the branch still holds it (as Rust drops the branch's binding there).
                held.push((mutex.clone(), false));
                check_steps(s, locked, &format!("{here}.locked"), inner, total, held)?;
                if let Some(p) = held.iter().rposition(|h| h.0 == *mutex) {
                    held.remove(p);
                }
                if *held != before {
                    return Err(ScenarioError::new(
                        format!("{here}.locked"),
                        "a select's branch must drop every guard it takes (and only those); its own guard is \
                         dropped at its end",
                    ));
                }
                check_steps(s, timed_out, &format!("{here}.timed_out"), inner, total, held)?;
                if *held != before {
                    return Err(ScenarioError::new(
                        format!("{here}.timed_out"),
                        "a select's branch must drop every guard it takes (and only those)",
                    ));
                }
            }
            Step::Unlock { mutex } => match held.iter().rposition(|h| h.0 == *mutex) {
                Some(p) => {
                    held.remove(p);
                }
                None => {
                    return Err(ScenarioError::new(
                        here,
                        format!("drops the guard of {mutex:?}, which this task does not hold here"),
                    ))
                }
            },
            Step::Write { mutex, .. } | Step::Read { mutex, .. } => {
                let Some(&(_, shared)) = held.iter().rev().find(|h| h.0 == *mutex) else {
                    return Err(ScenarioError::new(
                        here,
                        format!("needs the guard of {mutex:?}: lock it first (or use locked_write)"),
                    ));
                };
                if shared && matches!(step, Step::Write { .. }) {
                    return Err(ScenarioError::new(
                        here,
                        format!("a read guard of {mutex:?} cannot write: take it with lock (the write lock)"),
                    ));
                }
            }
            Step::LockedWrite { mutex, .. } => {
                if is_held(mutex) {
                    return Err(ScenarioError::new(here, format!("{mutex:?} is already held by this task: use write")));
                }
            }
            Step::WaitUntil { mutex, .. } => {
                if kind != Some(MutexKind::Watch) {
                    return Err(ScenarioError::new(
                        here,
                        format!("wait_until needs a watch cell; {mutex:?} is not one (set its kind to \"watch\")"),
                    ));
                }
                if is_held(mutex) {
                    return Err(ScenarioError::new(
                        here,
                        format!("{mutex:?} is held by this task while it waits for a write to it: nobody could write"),
                    ));
                }
            }
            Step::BrokenWait { mutex, .. } => {
                if !matches!(kind, Some(MutexKind::Async | MutexKind::Watch)) {
                    return Err(ScenarioError::new(
                        here,
                        format!("broken_wait is seed 004's try_lock on our async Mutex; {mutex:?} is {kind_name}"),
                    ));
                }
                if is_held(mutex) {
                    return Err(ScenarioError::new(here, format!("{mutex:?} is already held by this task")));
                }
            }
            Step::Sleep { ms } => check_ms(&format!("{here}.ms"), "a sleep", *ms)?,
            Step::Busy { ms } => check_ms(&format!("{here}.ms"), "busy work", *ms)?,
            Step::Print { text } => check_text(&format!("{here}.text"), "a printed line", text, true)?,
            Step::Dbg { name } => check_text(&format!("{here}.name"), "a dbg! name", name, false)?,
            Step::Repeat { times, steps } => {
                if *times > MAX_REPEAT {
                    return Err(ScenarioError::new(
                        format!("{here}.times"),
                        format!("{times} repetitions; the limit is {MAX_REPEAT}"),
                    ));
                }
                let before = held.clone();
                let inner = Place { depth: at.depth + 1, ..at };
                check_steps(s, steps, &format!("{here}.steps"), inner, total, held)?;
                if *held != before {
                    return Err(ScenarioError::new(
                        format!("{here}.steps"),
                        "a repeated block must drop every guard it takes (and only those)",
                    ));
                }
            }
            Step::Join { task } => {
                if !s.tasks[at.task].main {
                    return Err(ScenarioError::new(
                        here,
                        "only the main task can join: the handles of the spawned tasks live in main \
                         (mark tasks[0] as main, and join there)",
                    ));
                }
                if let Some(j) = *task {
                    let n = s.tasks.len();
                    if j as usize >= n {
                        return Err(ScenarioError::new(
                            format!("{here}.task"),
                            format!("there is no task {j}: the tasks are numbered from 0 to {}", n - 1),
                        ));
                    }
                    if j as usize == at.task {
                        return Err(ScenarioError::new(
                            format!("{here}.task"),
                            "a task cannot join itself: it would wait for its own end forever",
                        ));
                    }
                }
            }
            // Any mutex, held or not: through the held guard, or a temporary one.
            Step::Assert { .. } | Step::Yield => {}
        }
        if let Step::Write { action: super::WriteAction::Set { value }, .. }
        | Step::LockedWrite { action: super::WriteAction::Set { value }, .. }
        | Step::Write { action: super::WriteAction::Push { value }, .. }
        | Step::LockedWrite { action: super::WriteAction::Push { value }, .. }
        | Step::Write { action: super::WriteAction::Insert { value, .. }, .. }
        | Step::LockedWrite { action: super::WriteAction::Insert { value, .. }, .. } = step
        {
            if value.to_string().len() > 64 * 1024 {
                return Err(ScenarioError::new(format!("{here}.action.value"), "the value is larger than 64 KiB"));
            }
        }
    }
    Ok(())
}
