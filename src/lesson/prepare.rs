//! Binding a lesson to its run: each stop to a step, each question to the answer the run
//! gives and the step that decides it.

use super::{Anchor, Lesson, LessonError, Question, ScenarioRef, Stop, When, MAX_CHOICES};
use crate::exec::{EventKind, MutexId, Policy, TaskId};
use crate::scenario::{preset, Scenario};
use crate::trace::{narrate, EndReason, Run, Simulation};

/// The most work a lesson's run may take ([`Simulation::advance`] units): the work the
/// page does at once when a scenario opens, so a lesson's run (made twice: to bind the
/// lesson, and to show it) is on screen at once, and a stranger's lesson cannot keep the
/// page busy (every preset fits).
pub const LESSON_MAX_WORK: u64 = 50_000;

/// A lesson bound to its run, ready to be walked through.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    /// The lesson as written.
    pub lesson: Lesson,
    /// The scenario it runs.
    pub scenario: Scenario,
    /// The policy it runs under.
    pub policy: Policy,
    /// The run's length in steps.
    pub steps: u32,
    /// The stops, each at its step.
    pub stops: Vec<ResolvedStop>,
}

/// A stop at its step.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedStop {
    /// The playhead's step there.
    pub step: u32,
    /// What to say.
    pub text: String,
    /// What to point at.
    pub highlight: Highlight,
    /// The question, with its answer from the run.
    pub question: Option<Posed>,
}

/// A task and a mutex to point at, by index.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Highlight {
    /// The task.
    pub task: Option<TaskId>,
    /// The mutex.
    pub mutex: Option<MutexId>,
}

/// A question with its answer from the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Posed {
    /// The question in words.
    pub prompt: String,
    /// The choices, as shown.
    pub choices: Vec<String>,
    /// The index of the right choice.
    pub answer: usize,
    /// The step that decides it: "Show why" plays up to it.
    pub decided_at: u32,
    /// The author's why, then what happens at that step, in a sentence.
    pub why: String,
}

/// How a choice is shown: a string as itself, anything else as compact JSON.
pub(super) fn choice_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The outcomes an `outcome` question can have, by key, with their words.
const OUTCOMES: [(&str, &str); 5] = [
    ("finish", "it finishes"),
    ("deadlock", "it deadlocks"),
    ("lost_wakeup", "a task never wakes up"),
    ("stall", "the executor stalls"),
    ("time_limit", "it runs until its time limit"),
];

fn outcome_key(end: &EndReason) -> Option<&'static str> {
    Some(match end {
        EndReason::Finished => "finish",
        EndReason::Deadlock { .. } => "deadlock",
        EndReason::LostWakeup { .. } => "lost_wakeup",
        EndReason::Stalled { .. } => "stall",
        EndReason::TimeLimit => "time_limit",
        _ => return None,
    })
}

pub(super) fn prepare(lesson: &Lesson) -> Result<Prepared, Vec<LessonError>> {
    let one = |path: &str, message: String| vec![LessonError::new(path, message)];
    let scenario = match &lesson.scenario {
        ScenarioRef::Preset { preset: id } => {
            preset(id).ok_or_else(|| one("scenario.preset", format!("there is no preset {id:?}")))?.scenario
        }
        ScenarioRef::Inline(value) => Scenario::from_json(&value.to_string()).map_err(|e| {
            let path = if e.path.is_empty() { "scenario".to_string() } else { format!("scenario.{}", e.path) };
            one(&path, e.message)
        })?,
    };
    let policy = match &lesson.policy {
        None => Policy::Fifo,
        Some(text) => Policy::parse(text)
            .ok_or_else(|| one("policy", format!("{text:?} is no policy: `fifo`, `tokio` or `random:SEED`")))?,
    };
    let mut sim = Simulation::new(&scenario, &policy).map_err(|e| one("scenario", e.to_string()))?;
    if !sim.advance(LESSON_MAX_WORK) {
        return Err(one(
            "scenario",
            format!("its run takes more than {LESSON_MAX_WORK} units of work; a lesson needs a shorter one"),
        ));
    }
    let run = sim.finish();
    let mut stops = Vec::with_capacity(lesson.stops.len());
    let mut errors = Vec::new();
    let mut last = 0u32;
    for (i, stop) in lesson.stops.iter().enumerate() {
        match resolve_stop(&run, &format!("stops[{i}]"), stop) {
            Ok(r) => {
                if r.step < last {
                    errors.push(LessonError::new(
                        format!("stops[{i}].at"),
                        format!("this is step {}, before the previous stop's step {last}: stops go in order", r.step),
                    ));
                }
                last = last.max(r.step);
                stops.push(r);
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Prepared { lesson: lesson.clone(), scenario, policy, steps: run.steps(), stops })
}

fn task_id(s: &Scenario, path: &str, name: &str) -> Result<TaskId, LessonError> {
    s.tasks
        .iter()
        .position(|t| t.name == name)
        .map(|i| i as TaskId)
        .ok_or_else(|| LessonError::new(path, format!("there is no task {name:?}")))
}

fn mutex_id(s: &Scenario, path: &str, name: &str) -> Result<MutexId, LessonError> {
    s.mutex_index(name)
        .map(|i| i as MutexId)
        .ok_or_else(|| LessonError::new(path, format!("there is no mutex {name:?}")))
}

fn resolve_stop(run: &Run, at: &str, stop: &Stop) -> Result<ResolvedStop, LessonError> {
    let s = &run.scenario;
    let step = match &stop.at {
        Anchor::Named(n) if n == "start" => 0,
        Anchor::Named(_) => run.steps(),
        Anchor::Step { step } if *step > run.steps() => {
            return Err(LessonError::new(
                format!("{at}.at.step"),
                format!("step {step} is past the run's end (it has {} steps)", run.steps()),
            ))
        }
        Anchor::Step { step } => *step,
        Anchor::When(w) => when(run, &format!("{at}.at"), w)?,
    };
    let mut highlight = Highlight::default();
    if let Some(h) = &stop.highlight {
        if let Some(t) = &h.task {
            highlight.task = Some(task_id(s, &format!("{at}.highlight.task"), t)?);
        }
        if let Some(m) = &h.mutex {
            highlight.mutex = Some(mutex_id(s, &format!("{at}.highlight.mutex"), m)?);
        }
    }
    let question = match &stop.question {
        Some(q) => Some(pose(run, &format!("{at}.question"), step, q)?),
        None => None,
    };
    Ok(ResolvedStop { step, text: stop.text.clone(), highlight, question })
}

/// The step of "the `nth` time `task` does `does`".
fn when(run: &Run, at: &str, w: &When) -> Result<u32, LessonError> {
    let s = &run.scenario;
    let task = w.task.as_deref().map(|t| task_id(s, &format!("{at}.task"), t)).transpose()?;
    let lock_event = matches!(w.does.as_str(), "request" | "enqueue" | "acquire" | "release" | "cancel");
    if w.mutex.is_some() && !lock_event {
        return Err(LessonError::new(format!("{at}.mutex"), format!("`{}` is not about a mutex", w.does)));
    }
    let mutex = w.mutex.as_deref().map(|m| mutex_id(s, &format!("{at}.mutex"), m)).transpose()?;
    let nth = u64::from(w.nth.unwrap_or(1));
    let mut seen = 0u64;
    for e in run.events() {
        if task.is_some_and(|t| e.kind.task() != Some(t)) || mutex.is_some_and(|m| e.kind.mutex() != Some(m)) {
            continue;
        }
        use EventKind::*;
        let times = match (w.does.as_str(), &e.kind) {
            ("run", Poll { .. })
            | ("request", LockRequested { .. })
            | ("enqueue", Enqueued { .. })
            | ("acquire", Acquired { .. })
            | ("release", Released { .. })
            | ("cancel", Cancelled { .. })
            | ("print", Print { .. })
            | ("sleep", SleepStart { .. })
            | ("finish", Done { .. }) => 1,
            ("request" | "acquire" | "release", Uncontended { times, .. }) => u64::from(*times),
            _ => 0,
        };
        seen += times;
        if times > 0 && seen >= nth {
            return Ok(if w.before { e.step.saturating_sub(1) } else { e.step });
        }
    }
    let who = w.task.as_deref().unwrap_or("any task");
    let what = w.mutex.as_deref().map(|m| format!(" {m}")).unwrap_or_default();
    Err(LessonError::new(
        at,
        format!("{who} does `{}`{what} {seen} time(s) in this run, never a time number {nth}", w.does),
    ))
}

fn pose(run: &Run, at: &str, step: u32, q: &Question) -> Result<Posed, LessonError> {
    let s = &run.scenario;
    let err = |field: &str, message: String| LessonError::new(format!("{at}{field}"), message);
    let after = run.events().iter().filter(|e| e.step > step);
    let (prompt, choices, answer, decided_at) = match q.ask.as_str() {
        "next_acquirer" => {
            let name = q.mutex.as_deref().unwrap_or_default();
            let m = mutex_id(s, &format!("{at}.mutex"), name)?;
            let (task, decided) = after
                .filter_map(|e| match e.kind {
                    EventKind::Acquired { task, mutex } | EventKind::Uncontended { task, mutex, .. } if mutex == m => {
                        Some((task, e.step))
                    }
                    _ => None,
                })
                .next()
                .ok_or_else(|| err(".mutex", format!("nobody acquires {name} after this stop")))?;
            let choices: Vec<String> = if q.choices.is_empty() {
                default_acquirers(run, m, task)
            } else {
                let mut names = Vec::new();
                for (i, c) in q.choices.iter().enumerate() {
                    let n = choice_text(c);
                    task_id(s, &format!("{at}.choices[{i}]"), &n)?;
                    names.push(n);
                }
                names
            };
            let answer = s.task_name(task);
            let index = choices
                .iter()
                .position(|c| *c == answer)
                .ok_or_else(|| err(".choices", format!("the run's answer, {answer}, is not among the choices")))?;
            (format!("Who acquires {name} next?"), choices, index, decided)
        }
        "next_print" => {
            let task = q.task.as_deref().map(|t| task_id(s, &format!("{at}.task"), t)).transpose()?;
            let choices: Vec<String> = q.choices.iter().map(choice_text).collect();
            // The first line printed after the stop (by the task) that holds any choice decides.
            let (line, decided) = after
                .filter_map(|e| match e.kind {
                    EventKind::Print { task: t, line } if task.is_none_or(|want| want == t) => {
                        Some((run.line(line), e.step))
                    }
                    _ => None,
                })
                .find(|(line, _)| choices.iter().any(|c| line.contains(c.as_str())))
                .ok_or_else(|| err(".choices", "none of the choices is printed after this stop".into()))?;
            let found: Vec<usize> = (0..choices.len()).filter(|&i| line.contains(choices[i].as_str())).collect();
            let [index] = found[..] else {
                return Err(err(
                    ".choices",
                    format!("the line {line:?} holds {} of the choices: make them tell it apart", found.len()),
                ));
            };
            let who = q.task.as_deref().map_or("the program".to_string(), |t| t.to_string());
            (format!("Which of these does {who} print first?"), choices, index, decided)
        }
        "outcome" => {
            let key = outcome_key(&run.end).ok_or_else(|| {
                err("", format!("this run ends another way ({}); an outcome question cannot ask it", run.end_text()))
            })?;
            let mut keys: Vec<String> = if q.choices.is_empty() {
                OUTCOMES[..4].iter().map(|(k, _)| k.to_string()).collect()
            } else {
                q.choices.iter().map(choice_text).collect()
            };
            for (i, k) in keys.iter().enumerate() {
                if !OUTCOMES.iter().any(|(key, _)| key == k) {
                    let all: Vec<&str> = OUTCOMES.iter().map(|(k, _)| *k).collect();
                    return Err(err(
                        &format!(".choices[{i}]"),
                        format!("{k:?} is no outcome; one of {}", all.join(", ")),
                    ));
                }
            }
            if !keys.iter().any(|k| k == key) {
                keys.push(key.to_string());
            }
            let index = keys.iter().position(|k| k == key).expect("pushed above");
            let words = keys.iter().map(|k| OUTCOMES.iter().find(|(key, _)| key == k).map_or("", |o| o.1).to_string());
            ("How does this run end?".to_string(), words.collect(), index, run.steps())
        }
        _ => {
            // value_at_end (the kinds were checked when the lesson was read).
            let name = q.mutex.as_deref().unwrap_or_default();
            let m = mutex_id(s, &format!("{at}.mutex"), name)?;
            let end = run.snapshot_at(run.steps());
            let text = end.mutexes.get(m as usize).map(|v| v.value.clone()).unwrap_or_default();
            let value: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
            let same = |c: &serde_json::Value| {
                *c == value
                    || c.as_str()
                        .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
                        .is_some_and(|v| v == value)
            };
            let found: Vec<usize> = (0..q.choices.len()).filter(|&i| same(&q.choices[i])).collect();
            let [index] = found[..] else {
                return Err(err(
                    ".choices",
                    format!("{name} ends as {value}: exactly one choice must be that value, not {}", found.len()),
                ));
            };
            let choices = q.choices.iter().map(choice_text).collect();
            (format!("What is {name}'s value when the run ends?"), choices, index, run.steps())
        }
    };
    if let Some(expected) = &q.answer {
        let expected = choice_text(expected);
        let right = &choices[answer];
        let by_key = q.ask == "outcome" && OUTCOMES.iter().any(|(k, w)| *k == expected && w == right);
        if expected != *right && !by_key {
            return Err(err(".answer", format!("the run's answer is {right:?}, not {expected:?}")));
        }
    }
    let mut why = q.why.trim().to_string();
    let step_text = match q.ask.as_str() {
        "outcome" => format!("The run ends: {}.", run.end_text()),
        "value_at_end" => format!("At the end, {} is {}.", q.mutex.as_deref().unwrap_or_default(), choices[answer]),
        _ => narrate(run, decided_at),
    };
    if !why.is_empty() {
        why.push(' ');
    }
    why.push_str(&step_text);
    Ok(Posed { prompt: q.prompt.clone().unwrap_or(prompt), choices, answer, decided_at, why })
}

/// The tasks that ask for `m` in the run, in id order (all tasks if fewer than two do),
/// at most [`MAX_CHOICES`], always with `answer`.
fn default_acquirers(run: &Run, m: MutexId, answer: TaskId) -> Vec<String> {
    let s = &run.scenario;
    let mut asks = vec![false; s.tasks.len()];
    for e in run.events() {
        if let EventKind::LockRequested { task, mutex } | EventKind::Uncontended { task, mutex, .. } = e.kind {
            if mutex == m {
                if let Some(a) = asks.get_mut(task as usize) {
                    *a = true;
                }
            }
        }
    }
    let mut ids: Vec<TaskId> = (0..s.tasks.len() as TaskId).filter(|&t| asks[t as usize]).collect();
    if ids.len() < 2 {
        ids = (0..s.tasks.len() as TaskId).collect();
    }
    ids.truncate(MAX_CHOICES);
    if !ids.contains(&answer) {
        ids.pop();
        ids.push(answer);
        ids.sort_unstable();
    }
    ids.into_iter().map(|t| s.task_name(t)).collect()
}
