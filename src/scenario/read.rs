//! Reading steps, writes and conditions from JSON. Each is a tagged object (`"op"`,
//! `"kind"`) whose other fields depend on the tag; serde's derive for such enums buffers
//! every object before it knows the tag, which put fifteen copies of its buffering
//! deserializer (10 kB gzipped) into the page. Here each is read as one flat object of
//! every field any variant has, then checked against its tag: a field the variant needs
//! and lacks, or has and does not use, is an error that says so.

use super::{Condition, Step, StepKind as Op, WriteAction};
use serde::Deserialize;
use serde_json::Value;

/// A step's `op`, by [`Op::NAMES`] (not a derive: the names are there already).
fn op<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Op, D::Error> {
    let name = String::deserialize(d)?;
    Op::named(&name).ok_or_else(|| serde::de::Error::unknown_variant(&name, &Op::NAMES))
}

/// The fields a variant takes, for the error about one it does not: "expected `mutex`",
/// "expected `mutex` or `key`", "expected one of `a`, `b`, `c`".
fn expected(fields: &[&str]) -> String {
    match fields {
        [] => "there are none".to_string(),
        [one] => format!("expected `{one}`"),
        [a, b] => format!("expected `{a}` or `{b}`"),
        _ => format!("expected one of {}", fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")),
    }
}

/// The error for a field present but not used by the variant.
fn unused(present: &[(&'static str, bool)], uses: &[&str]) -> Result<(), String> {
    match present.iter().find(|(name, here)| *here && !uses.contains(name)) {
        Some((name, _)) => Err(format!("unknown field `{name}`, {}", expected(uses))),
        None => Ok(()),
    }
}

/// A field the variant needs.
fn need<T>(value: Option<T>, name: &str) -> Result<T, String> {
    value.ok_or_else(|| format!("missing field `{name}`"))
}

/// A step as read: every field any step has.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStep {
    #[serde(deserialize_with = "op")]
    op: Op,
    mutex: Option<String>,
    action: Option<WriteAction>,
    key: Option<String>,
    name: Option<String>,
    text: Option<String>,
    ms: Option<u64>,
    times: Option<u32>,
    steps: Option<Vec<Step>>,
    until: Option<Condition>,
    take: Option<bool>,
}

impl TryFrom<RawStep> for Step {
    type Error = String;

    fn try_from(r: RawStep) -> Result<Step, String> {
        let present = [
            ("mutex", r.mutex.is_some()),
            ("action", r.action.is_some()),
            ("key", r.key.is_some()),
            ("name", r.name.is_some()),
            ("text", r.text.is_some()),
            ("ms", r.ms.is_some()),
            ("times", r.times.is_some()),
            ("steps", r.steps.is_some()),
            ("until", r.until.is_some()),
            ("take", r.take.is_some()),
        ];
        let uses: &[&str] = match r.op {
            Op::Lock | Op::Unlock | Op::TryLock => &["mutex"],
            Op::LockTimeout => &["mutex", "ms"],
            Op::LockedWrite | Op::Write => &["mutex", "action"],
            Op::Read => &["mutex", "key"],
            Op::Dbg => &["name"],
            Op::Print => &["text"],
            Op::Sleep | Op::Busy => &["ms"],
            Op::Yield => &[],
            Op::Repeat => &["times", "steps"],
            Op::WaitUntil | Op::BrokenWait => &["mutex", "until", "take"],
        };
        unused(&present, uses)?;
        Ok(match r.op {
            Op::Lock => Step::Lock { mutex: need(r.mutex, "mutex")? },
            Op::Unlock => Step::Unlock { mutex: need(r.mutex, "mutex")? },
            Op::TryLock => Step::TryLock { mutex: need(r.mutex, "mutex")? },
            Op::LockTimeout => Step::LockTimeout { mutex: need(r.mutex, "mutex")?, ms: need(r.ms, "ms")? },
            Op::LockedWrite => Step::LockedWrite { mutex: need(r.mutex, "mutex")?, action: need(r.action, "action")? },
            Op::Write => Step::Write { mutex: need(r.mutex, "mutex")?, action: need(r.action, "action")? },
            Op::Read => Step::Read { mutex: need(r.mutex, "mutex")?, key: r.key },
            Op::Dbg => Step::Dbg { name: r.name.unwrap_or_else(super::value_name) },
            Op::Print => Step::Print { text: need(r.text, "text")? },
            Op::Sleep => Step::Sleep { ms: need(r.ms, "ms")? },
            Op::Busy => Step::Busy { ms: need(r.ms, "ms")? },
            Op::Yield => Step::Yield,
            Op::Repeat => Step::Repeat { times: need(r.times, "times")?, steps: need(r.steps, "steps")? },
            Op::WaitUntil => Step::WaitUntil {
                mutex: need(r.mutex, "mutex")?,
                until: need(r.until, "until")?,
                take: r.take.unwrap_or(false),
            },
            Op::BrokenWait => Step::BrokenWait {
                mutex: need(r.mutex, "mutex")?,
                until: need(r.until, "until")?,
                take: r.take.unwrap_or(false),
            },
        })
    }
}

/// The `kind` of a write.
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub(super) enum ActionKind {
    Set,
    Increment,
    SetNow,
    InsertNow,
    Push,
    ReadPlus,
}

/// A write as read: every field any write has.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAction {
    kind: ActionKind,
    value: Option<Value>,
    by: Option<i64>,
    key: Option<String>,
}

impl TryFrom<RawAction> for WriteAction {
    type Error = String;

    fn try_from(r: RawAction) -> Result<WriteAction, String> {
        let present = [("value", r.value.is_some()), ("by", r.by.is_some()), ("key", r.key.is_some())];
        let uses: &[&str] = match r.kind {
            ActionKind::Set | ActionKind::Push => &["value"],
            ActionKind::Increment | ActionKind::ReadPlus => &["by"],
            ActionKind::SetNow => &[],
            ActionKind::InsertNow => &["key"],
        };
        unused(&present, uses)?;
        Ok(match r.kind {
            ActionKind::Set => WriteAction::Set { value: need(r.value, "value")? },
            ActionKind::Increment => WriteAction::Increment { by: r.by.unwrap_or(1) },
            ActionKind::SetNow => WriteAction::SetNow,
            ActionKind::InsertNow => WriteAction::InsertNow { key: need(r.key, "key")? },
            ActionKind::Push => WriteAction::Push { value: need(r.value, "value")? },
            ActionKind::ReadPlus => WriteAction::ReadPlus { by: r.by.unwrap_or(1) },
        })
    }
}

/// The `kind` of a condition.
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub(super) enum ConditionKind {
    NonEmpty,
    AtLeast,
    Equals,
}

/// A condition as read: its kind and value.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCondition {
    kind: ConditionKind,
    value: Option<Value>,
}

impl TryFrom<RawCondition> for Condition {
    type Error = String;

    fn try_from(r: RawCondition) -> Result<Condition, String> {
        let uses: &[&str] = match r.kind {
            ConditionKind::NonEmpty => &[],
            ConditionKind::AtLeast | ConditionKind::Equals => &["value"],
        };
        unused(&[("value", r.value.is_some())], uses)?;
        Ok(match r.kind {
            ConditionKind::NonEmpty => Condition::NonEmpty,
            ConditionKind::AtLeast => {
                let value = need(r.value, "value")?;
                match value.as_i64() {
                    Some(value) => Condition::AtLeast { value },
                    None => return Err(format!("invalid type: {value}, expected i64")),
                }
            }
            ConditionKind::Equals => Condition::Equals { value: need(r.value, "value")? },
        })
    }
}
