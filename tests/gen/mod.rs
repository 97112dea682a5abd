//! Scenario generators for the property and fuzz tests: every step kind (all 19), every
//! mutex kind, every write action and condition, `forever` tasks, nested `repeat`s and
//! `select`s (on every async kind), and sometimes a main task that joins the others (one,
//! all, or a forever one that never ends). Scenarios are valid by construction (the tests
//! still check, since validation is part of what they test).
#![allow(dead_code)]

use mutex_playground::scenario::{Condition, Limits, MutexKind, MutexSpec, Scenario, Step, TaskSpec, WriteAction};
use proptest::prelude::*;
use serde_json::json;

/// How many step kinds [`steps`] draws from: each of them, by index.
pub const STEP_KINDS: u8 = 19;

/// One raw choice: (step kind, mutex, a small number, a second small number).
type Raw = (u8, u8, u8, u8);

fn raw(len: usize) -> impl Strategy<Value = Vec<Raw>> {
    proptest::collection::vec((0..STEP_KINDS, any::<u8>(), any::<u8>(), any::<u8>()), 0..len)
}

fn action(n: u8, m: u8) -> WriteAction {
    match n % 7 {
        0 => WriteAction::Set { value: json!(m % 4) },
        1 => WriteAction::Increment { by: i64::from(m % 3) },
        2 => WriteAction::SetNow,
        3 => WriteAction::InsertNow { key: format!("k{}", m % 3) },
        4 => WriteAction::ReadPlus { by: i64::from(m % 3) },
        5 => WriteAction::Insert { key: format!("k{}", m % 3), value: json!(m % 4) },
        _ => WriteAction::Push { value: json!(m % 5) },
    }
}

fn condition(n: u8) -> Condition {
    match n % 3 {
        0 => Condition::NonEmpty,
        1 => Condition::AtLeast { value: i64::from(n % 4) },
        _ => Condition::Equals { value: json!(n % 2) },
    }
}

/// Steps for a nested body (a `repeat`'s, a `select`'s branch) from `raw`, with `held`
/// the guards held as it starts (`own`: the one it starts with and may keep, a select's),
/// made to give back what it takes, newest first, and only that.
fn body(
    raw: &[Raw],
    kinds: &[MutexKind],
    held: &[usize],
    own: Option<usize>,
    depth: usize,
    tasks: Option<usize>,
) -> Vec<Step> {
    let name = |m: usize| format!("m{m}");
    let mut inner: Vec<usize> = held.iter().copied().chain(own).collect();
    let mut body = build(raw, kinds, &mut inner, depth + 1, tasks);
    let taken: Vec<usize> = inner.iter().copied().filter(|m| !held.contains(m) && Some(*m) != own).collect();
    for &m in taken.iter().rev() {
        body.push(Step::Unlock { mutex: name(m) });
    }
    if !held.iter().all(|m| inner.contains(m)) {
        // It dropped a guard taken outside: keep only steps that touch no lock.
        body.retain(|s| s.mutex().is_none() && s.bodies().count() == 0);
    }
    body
}

/// Turns raw choices into steps valid for `kinds` (the mutexes' kinds), tracking the
/// guards held. `depth` bounds `repeat` and `select` nesting; a nested body drops what it
/// takes.
/// `tasks` is the number of tasks if these are the main task's steps (only it joins).
fn build(raw: &[Raw], kinds: &[MutexKind], held: &mut Vec<usize>, depth: usize, tasks: Option<usize>) -> Vec<Step> {
    let mut out = Vec::new();
    let name = |m: usize| format!("m{m}");
    for (i, &(op, m, n, x)) in raw.iter().enumerate() {
        let m = m as usize % kinds.len();
        let kind = kinds[m];
        let is_held = held.contains(&m);
        let step = match op {
            0 if !is_held => {
                held.push(m);
                Step::Lock { mutex: name(m) }
            }
            // An rwlock's shared guard; on other kinds, the other kinds' lock.
            17 if !is_held => {
                held.push(m);
                match kind {
                    MutexKind::RwLock => Step::ReadLock { mutex: name(m) },
                    _ => Step::Lock { mutex: name(m) },
                }
            }
            1 if !is_held && kind != MutexKind::Blocking => {
                held.push(m);
                Step::TryLock { mutex: name(m) }
            }
            2 if !held.is_empty() => Step::Unlock { mutex: name(held.remove(n as usize % held.len())) },
            // A semaphore has no value to write, read or assert on.
            3 | 16 if !kind.has_value() => Step::Yield,
            3 if !is_held => Step::LockedWrite { mutex: name(m), action: action(n, x) },
            4 | 5 if !held.is_empty() && kinds[held[n as usize % held.len()]].has_value() => {
                let h = held[n as usize % held.len()];
                // An rwlock's guard may be a read guard: it reads.
                if op == 4 && kinds[h] != MutexKind::RwLock {
                    Step::Write { mutex: name(h), action: action(x, n) }
                } else {
                    let key = (x % 2 == 0).then(|| format!("k{}", n % 3));
                    Step::Read { mutex: name(h), key }
                }
            }
            6 => Step::Dbg { name: if n % 2 == 0 { "value".into() } else { format!("v{n}") } },
            7 => Step::Print { text: format!("line {n}") },
            8 => Step::Sleep { ms: u64::from(n % 4) },
            9 => Step::Busy { ms: u64::from(n % 3) },
            10 => Step::Yield,
            11 if depth < 2 => {
                let end = (i + 1 + n as usize % 3).min(raw.len());
                Step::Repeat { times: u32::from(x % 3), steps: body(&raw[i + 1..end], kinds, held, None, depth, tasks) }
            }
            // A select on any async kind: its `locked` branch starts with the guard (and may
            // keep it: it is dropped at the branch's end), its `timed_out` branch without.
            18 if depth < 2 && !is_held && kind != MutexKind::Blocking => {
                let end = (i + 1 + n as usize % 4).min(raw.len());
                let mid = (i + 1 + x as usize % 3).min(end);
                Step::Select {
                    mutex: name(m),
                    ms: u64::from(x % 4),
                    locked: body(&raw[i + 1..mid], kinds, held, Some(m), depth, tasks),
                    timed_out: body(&raw[mid..end], kinds, held, None, depth, tasks),
                }
            }
            12 if !is_held && kind == MutexKind::Watch => {
                Step::WaitUntil { mutex: name(m), until: condition(n), take: x % 2 == 0 }
            }
            13 if !is_held && matches!(kind, MutexKind::Async | MutexKind::Watch) => {
                Step::BrokenWait { mutex: name(m), until: condition(n), take: x % 2 == 0 }
            }
            14 if !is_held && kind != MutexKind::Blocking => {
                held.push(m);
                Step::LockTimeout { mutex: name(m), ms: u64::from(n % 4) }
            }
            // One task (never main itself, task 0), or every other.
            15 => match tasks {
                Some(count) if count > 1 && n % 3 != 0 => {
                    Step::Join { task: Some(1 + u32::from(x) % (count as u32 - 1)) }
                }
                Some(_) => Step::Join { task: None },
                None => Step::Yield,
            },
            // Held or not: through the guard, or a temporary one.
            16 => Step::Assert { mutex: name(m), until: condition(n) },
            _ => Step::Yield,
        };
        out.push(step);
    }
    out
}

/// A small scenario: 1–3 mutexes of any kind, 1–5 tasks, every step kind.
pub fn scenario() -> impl Strategy<Value = Scenario> {
    let kinds = proptest::collection::vec(
        prop_oneof![
            Just(MutexKind::Async),
            Just(MutexKind::Watch),
            Just(MutexKind::Blocking),
            Just(MutexKind::Barging),
            Just(MutexKind::Lifo),
            (0u64..4).prop_map(|after_ms| MutexKind::EventuallyFair { after_ms }),
            Just(MutexKind::RwLock),
            (1u32..3).prop_map(|permits| MutexKind::Semaphore { permits }),
        ],
        1..4,
    );
    let initial = prop_oneof![
        Just(json!(0)),
        Just(json!([])),
        Just(json!([1, 2])),
        Just(json!({})),
        Just(json!(null)),
        Just(json!("s"))
    ];
    (
        kinds,
        proptest::collection::vec(initial, 3),
        proptest::collection::vec((raw(10), 0u32..4, 0u64..4, any::<bool>()), 1..6),
        any::<bool>(),
    )
        .prop_map(|(kinds, initials, tasks, has_main)| Scenario {
            name: "generated".into(),
            description: String::new(),
            mutexes: kinds
                .iter()
                .enumerate()
                .map(|(i, &kind)| MutexSpec {
                    name: format!("m{i}"),
                    kind,
                    // A semaphore guards no value.
                    initial: if kind.has_value() { initials[i % initials.len()].clone() } else { json!(null) },
                })
                .collect(),
            tasks: tasks
                .iter()
                .enumerate()
                .map(|(i, (raw, repeat, start, forever))| {
                    // The main task is the first, started at once and run once.
                    let main = has_main && i == 0;
                    TaskSpec {
                        name: format!("t{i}"),
                        main,
                        start_ms: if main { 0 } else { *start },
                        repeat: if main { 1 } else { *repeat },
                        forever: *forever && i % 3 == 2,
                        steps: build(raw, &kinds, &mut Vec::new(), 0, main.then_some(tasks.len())),
                    }
                })
                .collect(),
            limits: Limits { max_steps: 3_000, max_time_ms: 5_000 },
        })
        // A few bodies still reorder the guards held around them; validation says so.
        .prop_filter("valid", |s| s.validate().is_ok())
}

/// Every step kind `steps` uses, by index (for a coverage check).
pub fn kind_index(step: &Step) -> usize {
    match step {
        Step::Lock { .. } => 0,
        Step::TryLock { .. } => 1,
        Step::Unlock { .. } => 2,
        Step::LockedWrite { .. } => 3,
        Step::Write { .. } => 4,
        Step::Read { .. } => 5,
        Step::Dbg { .. } => 6,
        Step::Print { .. } => 7,
        Step::Sleep { .. } => 8,
        Step::Busy { .. } => 9,
        Step::Yield => 10,
        Step::Repeat { .. } => 11,
        Step::WaitUntil { .. } => 12,
        Step::BrokenWait { .. } => 13,
        Step::LockTimeout { .. } => 14,
        Step::Join { .. } => 15,
        Step::Assert { .. } => 16,
        Step::ReadLock { .. } => 17,
        Step::Select { .. } => 18,
    }
}

/// Every step of a scenario, nested ones included.
pub fn all_steps(s: &Scenario) -> Vec<&Step> {
    fn walk<'a>(steps: &'a [Step], out: &mut Vec<&'a Step>) {
        for s in steps {
            out.push(s);
            for (_, body) in s.bodies() {
                walk(body, out);
            }
        }
    }
    let mut out = Vec::new();
    for t in &s.tasks {
        walk(&t.steps, &mut out);
    }
    out
}

/// The number of cases: `FUZZ_CASES` if set (the long runs), else `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}
