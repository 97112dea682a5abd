//! Reading a scenario from JSON: the text is parsed into a `serde_json::Value`, then read
//! field by field ([`json::Obj`](super::json)), each problem at its path in serde's words.
//! Steps, writes and conditions are tagged objects (`"op"`, `"kind"`) whose other fields
//! depend on the tag: each is read as one flat object of every field any variant has,
//! then checked against its tag, so a field the variant needs and lacks, or has and does
//! not use, is an error that says so.

use super::json::{expected, unknown_variant, Obj};
use super::WriteAction;
use super::{Condition, Limits, MutexKind, MutexSpec, Scenario, ScenarioError, Step, StepKind as Op, TaskSpec};
use serde_json::Value;

/// Reads a whole scenario (not yet validated).
pub(super) fn scenario(v: &Value) -> Result<Scenario, ScenarioError> {
    let o = Obj::new(v, "", "struct Scenario", &["name", "description", "mutexes", "tasks", "limits"])?;
    let mutexes = match o.opt_list("mutexes")? {
        None => Vec::new(),
        Some(list) => {
            list.iter().enumerate().map(|(i, m)| mutex(m, &format!("mutexes[{i}]"))).collect::<Result<_, _>>()?
        }
    };
    let tasks = o.opt_list("tasks")?.ok_or_else(|| o.missing("tasks"))?;
    Ok(Scenario {
        name: o.string("name")?,
        description: o.opt_string("description")?.unwrap_or_default(),
        mutexes,
        tasks: tasks.iter().enumerate().map(|(i, t)| task(t, &format!("tasks[{i}]"))).collect::<Result<_, _>>()?,
        limits: match o.get("limits") {
            None => Limits::default(),
            Some(l) => limits(l, "limits")?,
        },
    })
}

fn mutex(v: &Value, path: &str) -> Result<MutexSpec, ScenarioError> {
    let o = Obj::new(v, path, "struct MutexSpec", &["name", "kind", "permits", "fair_after_ms", "initial"])?;
    let name = o.opt_string("kind")?;
    let name = name.as_deref().unwrap_or("async");
    let mut kind = MutexKind::named(name).ok_or_else(|| unknown_variant(o.at("kind"), name, &MutexKind::NAMES))?;
    // A kind's parameter beside another kind is a mistake worth naming, not a field to drop.
    let only = |field: &str, of: &str| {
        ScenarioError::new(
            o.at(field),
            format!("`{field}` is only for a mutex of kind \"{of}\" (this one is \"{name}\")"),
        )
    };
    if let Some(n) = o.opt_u32("permits")? {
        match &mut kind {
            MutexKind::Semaphore { permits } => *permits = n,
            _ => return Err(only("permits", "semaphore")),
        }
    }
    if let Some(ms) = o.opt_u64("fair_after_ms")? {
        match &mut kind {
            MutexKind::EventuallyFair { after_ms } => *after_ms = ms,
            _ => return Err(only("fair_after_ms", "eventually_fair")),
        }
    }
    Ok(MutexSpec { name: o.string("name")?, kind, initial: o.get("initial").cloned().unwrap_or(Value::Null) })
}

fn task(v: &Value, path: &str) -> Result<TaskSpec, ScenarioError> {
    let o = Obj::new(v, path, "struct TaskSpec", &["name", "main", "start_ms", "repeat", "forever", "steps"])?;
    let steps = o.opt_list("steps")?.ok_or_else(|| o.missing("steps"))?;
    Ok(TaskSpec {
        name: o.string("name")?,
        main: o.opt_bool("main")?.unwrap_or(false),
        start_ms: o.opt_u64("start_ms")?.unwrap_or(0),
        repeat: o.opt_u32("repeat")?.unwrap_or(1),
        forever: o.opt_bool("forever")?.unwrap_or(false),
        steps: step_list(steps, &o.at("steps"))?,
    })
}

fn limits(v: &Value, path: &str) -> Result<Limits, ScenarioError> {
    let o = Obj::new(v, path, "struct Limits", &["max_steps", "max_time_ms"])?;
    let default = Limits::default();
    Ok(Limits {
        max_steps: o.opt_u32("max_steps")?.unwrap_or(default.max_steps),
        max_time_ms: o.opt_u64("max_time_ms")?.unwrap_or(default.max_time_ms),
    })
}

fn step_list(list: &[Value], path: &str) -> Result<Vec<Step>, ScenarioError> {
    list.iter().enumerate().map(|(i, s)| step(s, &format!("{path}[{i}]"))).collect()
}

/// Every field any step has.
const STEP_FIELDS: [&str; 14] = [
    "op",
    "mutex",
    "action",
    "key",
    "name",
    "text",
    "ms",
    "times",
    "steps",
    "until",
    "take",
    "task",
    "locked",
    "timed_out",
];

/// A field the variant needs, or the error at the step.
fn need<T>(o: &Obj<'_>, value: Option<T>, name: &str) -> Result<T, ScenarioError> {
    value.ok_or_else(|| o.missing(name))
}

/// The error for a field present but not used by the variant, at the thing's path.
fn unused(o: &Obj<'_>, fields: &[&str], uses: &[&str]) -> Result<(), ScenarioError> {
    match fields.iter().find(|f| o.has(f) && !uses.contains(f)) {
        Some(name) => Err(ScenarioError::new(o.path.clone(), format!("unknown field `{name}`, {}", expected(uses)))),
        None => Ok(()),
    }
}

fn step(v: &Value, path: &str) -> Result<Step, ScenarioError> {
    let o = Obj::new(v, path, "a step", &STEP_FIELDS)?;
    let name = o.string("op")?;
    let op = Op::named(&name).ok_or_else(|| unknown_variant(o.at("op"), &name, &Op::NAMES))?;
    let uses: &[&str] = match op {
        Op::Lock | Op::ReadLock | Op::Unlock | Op::TryLock => &["mutex"],
        Op::LockTimeout => &["mutex", "ms"],
        Op::Select => &["mutex", "ms", "locked", "timed_out"],
        Op::LockedWrite | Op::Write => &["mutex", "action"],
        Op::Read => &["mutex", "key"],
        Op::Dbg => &["name"],
        Op::Print => &["text"],
        Op::Sleep | Op::Busy => &["ms"],
        Op::Yield => &[],
        Op::Repeat => &["times", "steps"],
        Op::WaitUntil | Op::BrokenWait => &["mutex", "until", "take"],
        Op::Join => &["task"],
        Op::Assert => &["mutex", "until"],
    };
    unused(&o, &STEP_FIELDS[1..], uses)?;
    let mutex = || o.opt_string("mutex").and_then(|m| need(&o, m, "mutex"));
    let action = || match o.get("action") {
        Some(a) => self::action(a, &o.at("action")),
        None => Err(o.missing("action")),
    };
    let until = || match o.get("until") {
        Some(c) => condition(c, &o.at("until")),
        None => Err(o.missing("until")),
    };
    let ms = || o.opt_u64("ms").and_then(|m| need(&o, m, "ms"));
    let take = || o.opt_bool("take").map(|t| t.unwrap_or(false));
    // An optional list of steps (a select's branches): empty if left out.
    let body = |field: &str| match o.opt_list(field)? {
        Some(list) => step_list(list, &o.at(field)),
        None => Ok(Vec::new()),
    };
    Ok(match op {
        Op::Lock => Step::Lock { mutex: mutex()? },
        Op::ReadLock => Step::ReadLock { mutex: mutex()? },
        Op::Unlock => Step::Unlock { mutex: mutex()? },
        Op::TryLock => Step::TryLock { mutex: mutex()? },
        Op::LockTimeout => Step::LockTimeout { mutex: mutex()?, ms: ms()? },
        Op::Select => {
            Step::Select { mutex: mutex()?, ms: ms()?, locked: body("locked")?, timed_out: body("timed_out")? }
        }
        Op::LockedWrite => Step::LockedWrite { mutex: mutex()?, action: action()? },
        Op::Write => Step::Write { mutex: mutex()?, action: action()? },
        Op::Read => Step::Read { mutex: mutex()?, key: o.opt_string("key")? },
        Op::Dbg => Step::Dbg { name: o.opt_string("name")?.unwrap_or_else(super::value_name) },
        Op::Print => Step::Print { text: o.opt_string("text").and_then(|t| need(&o, t, "text"))? },
        Op::Sleep => Step::Sleep { ms: ms()? },
        Op::Busy => Step::Busy { ms: ms()? },
        Op::Yield => Step::Yield,
        Op::Repeat => Step::Repeat {
            times: o.opt_u32("times").and_then(|t| need(&o, t, "times"))?,
            steps: step_list(o.opt_list("steps").and_then(|s| need(&o, s, "steps"))?, &o.at("steps"))?,
        },
        Op::WaitUntil => Step::WaitUntil { mutex: mutex()?, until: until()?, take: take()? },
        Op::BrokenWait => Step::BrokenWait { mutex: mutex()?, until: until()?, take: take()? },
        Op::Join => Step::Join { task: o.opt_u32("task")? },
        Op::Assert => Step::Assert { mutex: mutex()?, until: until()? },
    })
}

/// The kinds of write, as `kind` names them.
const ACTIONS: [&str; 7] = ["set", "increment", "set_now", "insert_now", "insert", "push", "read_plus"];

fn action(v: &Value, path: &str) -> Result<WriteAction, ScenarioError> {
    let o = Obj::new(v, path, "a write", &["kind", "value", "by", "key"])?;
    let kind = o.string("kind")?;
    let uses: &[&str] = match kind.as_str() {
        "set" | "push" => &["value"],
        "increment" | "read_plus" => &["by"],
        "set_now" => &[],
        "insert_now" => &["key"],
        "insert" => &["key", "value"],
        other => return Err(unknown_variant(o.at("kind"), other, &ACTIONS)),
    };
    unused(&o, &["value", "by", "key"], uses)?;
    // A value may be `null` (what `to_json` writes for it).
    let value = || o.get_raw("value").cloned().ok_or_else(|| o.missing("value"));
    let by = || o.opt_i64("by").map(|b| b.unwrap_or(1));
    Ok(match kind.as_str() {
        "set" => WriteAction::Set { value: value()? },
        "increment" => WriteAction::Increment { by: by()? },
        "set_now" => WriteAction::SetNow,
        "insert_now" => WriteAction::InsertNow { key: o.string("key")? },
        "insert" => WriteAction::Insert { key: o.string("key")?, value: value()? },
        "push" => WriteAction::Push { value: value()? },
        _ => WriteAction::ReadPlus { by: by()? },
    })
}

fn condition(v: &Value, path: &str) -> Result<Condition, ScenarioError> {
    let o = Obj::new(v, path, "a condition", &["kind", "value"])?;
    let kind = o.string("kind")?;
    let uses: &[&str] = match kind.as_str() {
        "non_empty" => &[],
        "at_least" | "equals" => &["value"],
        other => return Err(unknown_variant(o.at("kind"), other, &["non_empty", "at_least", "equals"])),
    };
    unused(&o, &["value"], uses)?;
    let value = o.get_raw("value").cloned();
    Ok(match kind.as_str() {
        "non_empty" => Condition::NonEmpty,
        "at_least" => match value {
            None => return Err(o.missing("value")),
            Some(v) => match v.as_i64() {
                Some(value) => Condition::AtLeast { value },
                None => return Err(ScenarioError::new(o.path.clone(), format!("invalid type: {v}, expected i64"))),
            },
        },
        _ => Condition::Equals { value: value.ok_or_else(|| o.missing("value"))? },
    })
}
