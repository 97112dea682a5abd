//! A scenario as a Rust program: the tokio program the scenario models, written in the
//! style of the seeds' walk-through, which compiles against tokio (and `serde_json` when
//! a value is not a plain integer).
//!
//! Each mutex is an `Arc::new(Mutex::new(..))` (`tokio::sync::Mutex`; a blocking one is
//! `std::sync::Mutex`, a watch cell the program's own `WakeOnWrite`, seed 004's fix, an
//! rwlock tokio's `RwLock`, a semaphore tokio's `Semaphore`; the policies tokio has no lock
//! for, `barging`, `lifo` and `eventually_fair`, a tokio `Mutex` with a `// policy: ..` note
//! that the reader takes back, so run for real such a program is FIFO), each
//! task a `tokio::spawn(async move { .. })` (consecutive identical tasks one `for` loop of
//! spawns, as seed 000 writes them), and each step a statement. The program also maps
//! each step's place in the scenario (`tasks[1].steps[2]`, as the run's labels name it)
//! to its line, so a view can mark the line each task is at.
//!
//! ```
//! use mutex_playground::scenario::{code::to_rust, preset};
//!
//! let program = to_rust(&preset("reader-writer").unwrap().scenario);
//! assert!(program.text.contains("let guard = db.lock().await;"));
//! let line = program.line_of("tasks[1].steps[1]").unwrap(); // the writer's insert
//! assert!(program.text.lines().nth(line as usize - 1).unwrap().contains("insert_now(&mut *db.lock().await"));
//! ```
//!
//! What the program prints is the run's transcript, with real milliseconds for virtual
//! ones, with three differences: a `dbg` step prints with `println!` (so it goes where
//! the other lines go, without `dbg!`'s file and line), a register read in one round of
//! a loop (or in a `select!` branch) and printed in the next round (or after the
//! `select!`) prints what the task read before the loop (or `()`): each round and each
//! branch is a new scope in Rust; and a value read through a failed `try_lock` is `None`
//! rather than an error.

use super::{Condition, MutexKind, Scenario, Step, TaskSpec, WriteAction};
use serde_json::Value;
use std::fmt::Write as _;

/// The tokio dependency line a program needs: the features it uses, no more (`full` would
/// need crates, signals and parking_lot, that a machine which built only this project
/// may not have).
pub const TOKIO: &str = "tokio = { version = \"1\", features = [\"macros\", \"rt\", \"sync\", \"time\"] }";

/// A scenario written as a Rust program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RustProgram {
    /// The program: a whole `main.rs`.
    pub text: String,
    /// The `[dependencies]` lines it needs.
    pub dependencies: String,
    /// Each step's place (`tasks[1].steps[2]`) and each task's start (`tasks[1]`), with the
    /// line (from 1) that does it, sorted by place.
    lines: Vec<(String, u32)>,
}

impl RustProgram {
    /// A program read from its text (by [`code::read`](crate::code::read)), with each
    /// place's line, sorted by place.
    pub fn from_parts(text: String, dependencies: String, mut lines: Vec<(String, u32)>) -> RustProgram {
        lines.sort();
        RustProgram { text, dependencies, lines }
    }

    /// The line (from 1) of a step or a task's start, by its place in the scenario.
    pub fn line_of(&self, path: &str) -> Option<u32> {
        self.lines.binary_search_by(|(p, _)| p.as_str().cmp(path)).ok().map(|i| self.lines[i].1)
    }
}

/// How a mutex's value is held in the program.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ty {
    /// A whole number, `i64`: the mutex starts as one and every write keeps it one.
    Int,
    /// Anything else, a `serde_json::Value`.
    Json,
}

/// A guard as the program holds it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Held {
    /// `let guard = m.lock().await;`: the value is `*guard`.
    Plain,
    /// `let guard = m.try_lock();` or a timeout: a `Result`, written through if `Ok`.
    Fallible,
}

struct Mutexes<'a> {
    s: &'a Scenario,
    idents: Vec<String>,
    types: Vec<Ty>,
}

impl Mutexes<'_> {
    fn index(&self, name: &str) -> usize {
        self.s.mutexes.iter().position(|m| m.name == name).unwrap_or(0)
    }
    fn ident(&self, name: &str) -> &str {
        self.idents.get(self.index(name)).map_or("m", String::as_str)
    }
    fn ty(&self, name: &str) -> Ty {
        self.types.get(self.index(name)).copied().unwrap_or(Ty::Json)
    }
    fn kind(&self, name: &str) -> MutexKind {
        self.s.mutexes.get(self.index(name)).map_or(MutexKind::Async, |m| m.kind)
    }
}

/// Names a mutex's variable must not take: keywords, and the program's own names.
const RESERVED: &[&str] = &[
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    "try",
    "gen",
    "union",
    "start",
    "tasks",
    "value",
    "guard",
    "main",
    "std",
    "local",
    "all",
    "task",
    "g",
    "v",
    "json",
    "sleep",
    "timeout",
    "add",
    "push",
    "insert_now",
    "take",
    "non_empty",
    "Value",
    "Arc",
    "Mutex",
    "Duration",
    "Instant",
    "Poll",
    "tokio",
    "serde_json",
    "drop",
    "insert",
];

/// A Rust identifier for a name: `outbox (wake on write)` → `outbox_wake_on_write`.
fn ident(name: &str, taken: &mut Vec<String>) -> String {
    let mut id = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('_') && !id.is_empty() {
            id.push('_');
        }
    }
    let mut id = id.trim_end_matches('_').to_string();
    if id.is_empty() || id.starts_with(|c: char| c.is_ascii_digit()) {
        id.insert_str(0, "m_");
    }
    // `_guard` is how guards are named: a mutex's name must not look like one.
    if RESERVED.contains(&id.as_str()) || id.ends_with("_guard") {
        id.push_str("_m");
    }
    let base = id.clone();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}_{n}");
        n += 1;
    }
    taken.push(id.clone());
    id
}

/// `s` as comment text: control characters and the direction overrides rustc refuses in
/// comments become spaces.
fn comment_safe(s: &str) -> String {
    let bidi =
        |c: char| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}');
    s.chars().map(|c| if c.is_control() || bidi(c) { ' ' } else { c }).collect()
}

/// `s` as a Rust string literal.
fn rust_str(s: &str) -> String {
    // Rust's `Debug` of a `str` is valid literal syntax (`\u{1f}` escapes and all).
    format!("{s:?}")
}

/// `s` as the inside of a format string: a literal with `{` and `}` doubled.
fn format_str(s: &str) -> String {
    rust_str(s).replace('{', "{{").replace('}', "}}")
}

/// A JSON value as `json!` input (strings as Rust literals).
fn json_lit(v: &Value) -> String {
    match v {
        Value::String(s) => rust_str(s),
        Value::Array(a) => format!("[{}]", a.iter().map(json_lit).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => {
            let fields: Vec<String> = o.iter().map(|(k, v)| format!("{}: {}", rust_str(k), json_lit(v))).collect();
            format!("{{{}}}", fields.join(", "))
        }
        // `json!` types a bare integer literal as `i32`: a bigger one needs its suffix.
        Value::Number(n) if n.as_i64().is_some_and(|i| i32::try_from(i).is_err()) => format!("{n}_i64"),
        Value::Number(n) if n.is_u64() && n.as_i64().is_none() => format!("{n}_u64"),
        other => other.to_string(),
    }
}

/// Calls `f` on every step, nested ones too (a `repeat`'s body, a `select`'s branches).
fn walk<'a>(steps: &'a [Step], f: &mut impl FnMut(&'a Step)) {
    for s in steps {
        f(s);
        for (_, body) in s.bodies() {
            walk(body, f);
        }
    }
}

/// Whether every write to mutex `name` keeps a whole number a whole number.
fn int_only(s: &Scenario, name: &str, initial: &Value) -> bool {
    if !initial.is_i64() {
        return false;
    }
    let mut ok = true;
    for t in &s.tasks {
        walk(&t.steps, &mut |step| match step {
            Step::Write { mutex, action } | Step::LockedWrite { mutex, action } if mutex == name => {
                ok &= match action {
                    WriteAction::Increment { .. } | WriteAction::ReadPlus { .. } | WriteAction::SetNow => true,
                    WriteAction::Set { value } => value.is_i64(),
                    WriteAction::InsertNow { .. } | WriteAction::Insert { .. } | WriteAction::Push { .. } => false,
                };
            }
            Step::WaitUntil { mutex, until: Condition::Equals { value }, .. }
            | Step::BrokenWait { mutex, until: Condition::Equals { value }, .. }
                if mutex == name =>
            {
                ok &= value.is_i64()
            }
            Step::Assert { mutex, until } if mutex == name => {
                ok &= match until {
                    Condition::NonEmpty => false,
                    Condition::AtLeast { .. } => true,
                    Condition::Equals { value } => value.is_i64(),
                }
            }
            // A ReadPlus needs a number read: a read of a map's entry is not one.
            Step::Read { mutex, key: Some(_) } if mutex == name => ok = false,
            _ => {}
        });
    }
    ok
}

/// What the program needs beyond tokio.
#[derive(Default)]
struct Needs {
    json: bool,
    start: bool,
    watch: bool,
    blocking: bool,
    poll_fn: bool,
    sleep: bool,
    watch_try: bool,
    timeout: bool,
    add: bool,
    push: bool,
    insert_now: bool,
    insert: bool,
    take: bool,
    non_empty: bool,
}

struct Writer<'a> {
    out: String,
    line: u32,
    lines: Vec<(String, u32)>,
    m: &'a Mutexes<'a>,
    needs: Needs,
}

impl Writer<'_> {
    fn line(&mut self, indent: usize, text: &str) {
        self.line += 1;
        let _ = writeln!(self.out, "{:indent$}{text}", "", indent = indent * 4);
    }
    fn mark(&mut self, path: String) {
        self.lines.push((path, self.line + 1));
    }
}

/// The scenario as a Rust program.
pub fn to_rust(s: &Scenario) -> RustProgram {
    let mut taken = Vec::new();
    let idents: Vec<String> = s.mutexes.iter().map(|m| ident(&m.name, &mut taken)).collect();
    let types: Vec<Ty> =
        s.mutexes.iter().map(|m| if int_only(s, &m.name, &m.initial) { Ty::Int } else { Ty::Json }).collect();
    let m = Mutexes { s, idents, types };
    // The body first (it says what the program needs), then the head written above it.
    let mut body = Writer { out: String::new(), line: 0, lines: Vec::new(), m: &m, needs: Needs::default() };
    main_body(&mut body, s);
    let Writer { out: main, lines: body_lines, needs, .. } = body;
    let mut head = String::new();
    // The name, then the description line by line (read back as they are: the first
    // inner doc line is the name, the others the description).
    let _ = writeln!(head, "//! {}", comment_safe(&s.name));
    if !s.description.is_empty() {
        for l in s.description.split('\n') {
            let l = comment_safe(l);
            let _ = writeln!(head, "{}", if l.is_empty() { "//!".to_string() } else { format!("//! {l}") });
        }
    }
    head.push_str("\n// Written by Mutex Playground from the scenario: the same tasks and steps, on tokio.\n");
    let mut uses = vec!["std::sync::Arc", "std::time::Duration"];
    if needs.start {
        uses[1] = "std::time::{Duration, Instant}";
    }
    let has = |f: fn(MutexKind) -> bool| m.s.mutexes.iter().any(|x| f(x.kind));
    let sync: Vec<&str> = [
        ("Mutex", has(|k| k.is_policy_mutex() || k == MutexKind::Watch)),
        ("RwLock", has(|k| k == MutexKind::RwLock)),
        ("Semaphore", has(|k| matches!(k, MutexKind::Semaphore { .. }))),
    ]
    .into_iter()
    .filter_map(|(name, used)| used.then_some(name))
    .collect();
    let sync_use = match sync.as_slice() {
        [one] => format!("tokio::sync::{one}"),
        more => format!("tokio::sync::{{{}}}", more.join(", ")),
    };
    if !sync.is_empty() {
        uses.push(&sync_use);
    }
    if needs.sleep {
        uses.push("tokio::time::sleep");
    }
    if needs.timeout {
        uses.push("tokio::time::timeout");
    }
    if needs.poll_fn {
        uses.push("std::task::Poll");
    }
    if needs.json {
        uses.push("serde_json::{json, Value}");
    }
    head.push('\n');
    for u in uses {
        let _ = writeln!(head, "use {u};");
    }
    head.push('\n');
    helpers(&mut head, &needs);
    let offset = head.lines().count() as u32;
    let mut lines: Vec<(String, u32)> = body_lines.into_iter().map(|(p, l)| (p, l + offset)).collect();
    lines.sort();
    let mut dependencies = format!("[dependencies]\n{TOKIO}\n");
    if needs.json {
        dependencies.push_str("serde_json = \"1\"\n");
    }
    RustProgram { text: head + &main, dependencies, lines }
}

fn helpers(out: &mut String, needs: &Needs) {
    let mut put = |on: bool, text: &str| {
        if on {
            out.push_str(text);
            out.push('\n');
        }
    };
    put(
        needs.add,
        "/// Adds `by` to a number (`null` counts as 0).\n\
         fn add(v: &mut Value, by: i64) {\n    *v = json!(v.as_i64().unwrap_or(0) + by);\n}\n",
    );
    put(
        needs.push,
        "/// Appends to a list (`null` becomes one).\n\
         fn push(v: &mut Value, item: Value) {\n    if v.is_null() {\n        *v = json!([]);\n    }\n    \
         if let Some(list) = v.as_array_mut() {\n        list.push(item);\n    }\n}\n",
    );
    put(
        needs.insert_now,
        "/// Sets `key` of a map to `ms` (`null` becomes a map).\n\
         fn insert_now(v: &mut Value, key: &str, ms: u128) {\n    \
         if v.is_null() {\n        *v = json!({});\n    }\n    \
         if let Some(map) = v.as_object_mut() {\n        map.insert(key.to_string(), json!(ms as u64));\n    }\n}\n",
    );
    put(
        needs.insert,
        "/// Sets `key` of a map to `item` (`null` becomes a map).\n\
         fn insert(v: &mut Value, key: &str, item: Value) {\n    \
         if v.is_null() {\n        *v = json!({});\n    }\n    \
         if let Some(map) = v.as_object_mut() {\n        map.insert(key.to_string(), item);\n    }\n}\n",
    );
    put(
        needs.take,
        "/// Takes one item: the first of a list, or else the whole value (leaving `null`).\n\
         fn take(v: &mut Value) -> Value {\n    match v.as_array_mut() {\n        \
         Some(list) if !list.is_empty() => list.remove(0),\n        _ => v.take(),\n    }\n}\n",
    );
    put(
        needs.non_empty,
        "/// Anything but `null` and empty lists, maps and strings.\n\
         fn non_empty(v: &Value) -> bool {\n    match v {\n        Value::Null => false,\n        \
         Value::Array(a) => !a.is_empty(),\n        Value::Object(o) => !o.is_empty(),\n        \
         Value::String(s) => !s.is_empty(),\n        _ => true,\n    }\n}\n",
    );
    if needs.watch {
        // `try_lock` only where the program tries a cell (else it would be dead code).
        let text = if needs.watch_try { WAKE_ON_WRITE.to_string() } else { without_try_lock(WAKE_ON_WRITE) };
        out.push_str(&text);
        out.push('\n');
    }
}

/// The cell's definition without its `try_lock`.
fn without_try_lock(text: &str) -> String {
    let start = text.find("    fn try_lock").expect("the definition has try_lock");
    let end = start + text[start..].find("\n\n").expect("a blank line after it") + 2;
    format!("{}{}", &text[..start], &text[end..])
}

/// Seed 004's fix, as the exported program defines it: a value behind an async lock
/// whose guards, when dropped, wake the tasks waiting for it to change.
const WAKE_ON_WRITE: &str = "\
/// Seed 004's fix: a value behind an async lock; dropping a guard wakes the tasks that
/// wait for the value to change, so a waiter cannot miss a write.
struct WakeOnWrite<T> {
    value: Mutex<T>,
    changed: tokio::sync::Notify,
}

/// A guard of a `WakeOnWrite`: it wakes the waiters when dropped.
struct WriteGuard<'a, T> {
    guard: tokio::sync::MutexGuard<'a, T>,
    changed: &'a tokio::sync::Notify,
}

impl<T> std::ops::Deref for WriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T> std::ops::DerefMut for WriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

impl<T> Drop for WriteGuard<'_, T> {
    fn drop(&mut self) {
        self.changed.notify_waiters();
    }
}

impl<T> WakeOnWrite<T> {
    fn new(value: T) -> Self {
        WakeOnWrite { value: Mutex::new(value), changed: tokio::sync::Notify::new() }
    }

    async fn lock(&self) -> WriteGuard<'_, T> {
        WriteGuard { guard: self.value.lock().await, changed: &self.changed }
    }

    fn try_lock(&self) -> Result<WriteGuard<'_, T>, tokio::sync::TryLockError> {
        Ok(WriteGuard { guard: self.value.try_lock()?, changed: &self.changed })
    }

    /// Waits until `ready` holds of the value, and returns its guard.
    async fn wait_until(&self, ready: impl Fn(&T) -> bool) -> WriteGuard<'_, T> {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable(); // registered before the check: no write is missed
            let guard = self.lock().await;
            if ready(&guard) {
                return guard;
            }
            drop(guard);
            changed.await;
        }
    }
}
";

fn main_body(w: &mut Writer<'_>, s: &Scenario) {
    let any_blocking = s.mutexes.iter().any(|m| m.kind == MutexKind::Blocking);
    w.line(0, "#[tokio::main(flavor = \"current_thread\")]");
    w.line(0, "async fn main() {");
    let uses_time = s.tasks.iter().any(|t| {
        let mut now = false;
        walk(&t.steps, &mut |st| {
            now |= matches!(
                st,
                Step::Write { action: WriteAction::SetNow | WriteAction::InsertNow { .. }, .. }
                    | Step::LockedWrite { action: WriteAction::SetNow | WriteAction::InsertNow { .. }, .. }
            )
        });
        now
    });
    if uses_time {
        w.needs.start = true;
        w.line(1, "let start = Instant::now();");
    }
    for (i, spec) in s.mutexes.iter().enumerate() {
        let id = &w.m.idents[i];
        let init = match w.m.types[i] {
            _ if !spec.kind.has_value() => String::new(),
            Ty::Int => format!("{}_i64", spec.initial),
            Ty::Json => {
                w.needs.json = true;
                format!("json!({})", json_lit(&spec.initial))
            }
        };
        // The policies tokio has no lock for are the playground's: a tokio Mutex, and a
        // comment naming the policy (read back as the mutex's kind).
        let policy = match spec.kind {
            MutexKind::Barging | MutexKind::Lifo => format!("policy: {}", spec.kind.name()),
            MutexKind::EventuallyFair { after_ms } => format!("policy: eventually_fair after {after_ms} ms"),
            _ => String::new(),
        };
        let make = match spec.kind {
            MutexKind::Async | MutexKind::Barging | MutexKind::Lifo | MutexKind::EventuallyFair { .. } => {
                format!("Mutex::new({init})")
            }
            MutexKind::RwLock => format!("RwLock::new({init})"),
            MutexKind::Semaphore { permits } => format!("Semaphore::new({permits})"),
            MutexKind::Blocking => {
                w.needs.blocking = true;
                format!("std::sync::Mutex::new({init})")
            }
            MutexKind::Watch => {
                w.needs.watch = true;
                format!("WakeOnWrite::new({init})")
            }
        };
        // A name that is not the variable's is kept in a comment (read back as the name).
        let comment = match (*id == spec.name, policy.is_empty()) {
            (true, true) => String::new(),
            (true, false) => format!(" // {policy}"),
            (false, true) => format!(" // {}", rust_str(&spec.name)),
            (false, false) => format!(" // {}; {policy}", rust_str(&spec.name)),
        };
        w.line(1, &format!("let {id} = Arc::new({make});{comment}"));
    }
    if any_blocking {
        // A std guard is not `Send`: tasks that may hold one across an `.await` need a
        // LocalSet (tokio::spawn would not compile, which is the seeds' point).
        w.line(1, "// A std MutexGuard is not Send, so these tasks run on a LocalSet (spawn_local).");
        w.line(1, "let local = tokio::task::LocalSet::new();");
    }
    let spawn = if any_blocking { "local.spawn_local" } else { "tokio::spawn" };
    // With a main task, main keeps each handle in an `Option`, to take it when it joins it
    // (the type says so, and is read back as a main task's mark).
    let main = s.tasks.first().filter(|t| t.main);
    w.line(
        1,
        if main.is_some() {
            "let mut tasks: Vec<Option<tokio::task::JoinHandle<()>>> = Vec::new();"
        } else {
            "let mut tasks = Vec::new();"
        },
    );
    let (push, pushed) = if main.is_some() { ("tasks.push(Some(", ")))") } else { ("tasks.push(", "))") };
    let mut i = main.is_some() as usize;
    while i < s.tasks.len() {
        let t = &s.tasks[i];
        let same = s.tasks[i..].iter().take_while(|u| same_body(t, u)).count();
        let used = used_mutexes(t, w.m);
        if same > 1 {
            let names: Vec<String> = s.tasks[i..i + same].iter().map(|u| rust_str(&u.name)).collect();
            w.line(1, &format!("// tasks {}", names.join(", ")));
            for k in i..i + same {
                w.mark(format!("tasks[{k}]"));
            }
            w.line(1, &format!("for _ in 0..{same} {{"));
            for id in &used {
                w.line(2, &format!("let {id} = {id}.clone();"));
            }
            w.line(2, &format!("{push}{spawn}(async move {{"));
            task_body(w, t, &(i..i + same).collect::<Vec<_>>(), 3);
            w.line(2, &format!("}}{pushed};"));
            w.line(1, "}");
        } else {
            w.line(1, &format!("// {}", rust_str(&t.name)));
            w.mark(format!("tasks[{i}]"));
            if used.is_empty() {
                w.line(1, &format!("{push}{spawn}(async move {{"));
                task_body(w, t, &[i], 2);
                w.line(1, &format!("}}{pushed};"));
            } else {
                w.line(1, &format!("{push}{spawn}({{"));
                for id in &used {
                    w.line(2, &format!("let {id} = {id}.clone();"));
                }
                w.line(2, "async move {");
                task_body(w, t, &[i], 3);
                w.line(2, "}");
                w.line(1, &format!("}}{pushed};"));
            }
        }
        i += same;
    }
    let limit = s.limits.max_time_ms;
    let steps = s.limits.max_steps;
    w.line(1, &format!("// The scenario's limits: {limit} ms of virtual time, {steps} steps of work."));
    let (open, close) =
        if any_blocking { ("let all = local.run_until(async move {", "});") } else { ("let all = async move {", "};") };
    if let Some(t) = main {
        w.line(1, &format!("// {}", rust_str(&t.name)));
        w.mark("tasks[0]".into());
    }
    w.line(1, open);
    match main {
        // Main's own steps: its joins take the handles it joins.
        Some(t) => {
            task_body(w, t, &[0], 2);
        }
        None => {
            w.line(2, "for task in tasks {");
            w.line(3, "let _ = task.await;");
            w.line(2, "}");
        }
    }
    w.line(1, close);
    w.line(1, &format!("let _ = tokio::time::timeout(Duration::from_millis({limit}), all).await;"));
    w.line(0, "}");
}

fn same_body(a: &TaskSpec, b: &TaskSpec) -> bool {
    a.start_ms == b.start_ms && a.repeat == b.repeat && a.forever == b.forever && a.steps == b.steps
}

fn used_mutexes(t: &TaskSpec, m: &Mutexes<'_>) -> Vec<String> {
    let mut used: Vec<String> = Vec::new();
    walk(&t.steps, &mut |st| {
        if let Some(name) = st.mutex() {
            let id = m.ident(name).to_string();
            if !used.contains(&id) {
                used.push(id);
            }
        }
    });
    used
}

/// A task's statements; `tasks` are the task indexes that share them (for the line map).
fn task_body(w: &mut Writer<'_>, t: &TaskSpec, tasks: &[usize], indent: usize) {
    // One guard name when the task only ever locks one mutex, as the seeds write it.
    let guard_names = used_mutexes(t, w.m).len() <= 1;
    let mut ctx = Ctx {
        guards: Vec::new(),
        outer_dropped: Vec::new(),
        loop_outer: Vec::new(),
        single: guard_names,
        reg: Reg::Unit,
        writes: false,
        unused: false,
    };
    // `value` needs a definition in the task's scope wherever something uses it outside
    // the scope of a read (before any, or after the loop that read it).
    let mut uses_register = false;
    walk(&t.steps, &mut |st| {
        uses_register |= matches!(
            st,
            Step::Dbg { .. }
                | Step::Write { action: WriteAction::ReadPlus { .. }, .. }
                | Step::LockedWrite { action: WriteAction::ReadPlus { .. }, .. }
        )
    });
    let needs_unit = uses_register && !first_use_is_read(&t.steps);
    if needs_unit {
        w.line(indent, "let value = (); // what the task last read (dbg prints it)");
    }
    if t.start_ms > 0 {
        w.needs.sleep = true;
        w.line(indent, &format!("sleep(Duration::from_millis({})).await; // start delay", t.start_ms));
    }
    let mut indent = indent;
    let looped = t.forever || t.repeat != 1;
    if t.forever {
        // The model keeps a forever task's repeat count, unused: so does the program.
        let unused = if t.repeat == 1 { String::new() } else { format!(" // repeat: {} (unused: forever)", t.repeat) };
        w.line(indent, &format!("loop {{{unused}"));
        indent += 1;
    } else if t.repeat != 1 {
        // `_round`: the task's own rounds (a `for _` inside a task is a `repeat` step).
        w.line(indent, &format!("for _round in 0..{} {{", t.repeat));
        indent += 1;
    }
    let paths: Vec<String> = tasks.iter().map(|k| format!("tasks[{k}]")).collect();
    steps(w, &t.steps, &paths, "steps", indent, &mut ctx);
    if looped {
        w.line(indent - 1, "}");
    }
}

struct Ctx {
    /// The guards held now: the mutex's name and how.
    guards: Vec<(String, Held)>,
    /// The guards a loop dropped that were taken outside it: taking one again in the loop
    /// assigns to the outer variable (a new `let` would leave it moved).
    outer_dropped: Vec<String>,
    /// The guards held when the innermost loop began.
    loop_outer: Vec<String>,
    single: bool,
    /// What `value` (the task's register) holds now.
    reg: Reg,
    /// Whether the guard the current step takes is written through.
    writes: bool,
    /// Whether the guard the current step takes is never used again.
    unused: bool,
}

impl Ctx {
    /// `let` and the binding for the guard the current step takes.
    fn binding(&self, g: &str) -> String {
        match (self.writes, self.unused) {
            (true, _) => format!("let mut {g}"),
            (false, true) => format!("let _{g}"),
            (false, false) => format!("let {g}"),
        }
    }
}

/// The type of the register, `value`, at a point of the program.
#[derive(Clone, Copy)]
enum Reg {
    /// Nothing read yet: `()`.
    Unit,
    Int,
    Json,
    OptInt,
    OptJson,
}

impl Reg {
    /// The register as an `i64` expression (a `read_plus` adds to it).
    fn number(self) -> &'static str {
        match self {
            Reg::Unit => "0",
            Reg::Int => "value",
            Reg::Json => "value.as_i64().unwrap_or(0)",
            Reg::OptInt => "value.unwrap_or(0)",
            Reg::OptJson => "value.as_ref().and_then(Value::as_i64).unwrap_or(0)",
        }
    }
}

impl Ctx {
    /// The statement that takes the guard of `mutex` with `expr`: a new `let`, or, in the
    /// loop that let an outer guard go, an assignment to that same variable (a new `let`
    /// would leave the outer one moved when the loop is over).
    fn take(&mut self, m: &Mutexes<'_>, mutex: &str, expr: &str) -> String {
        let g = self.guard(m, mutex);
        match self.outer_dropped.iter().position(|n| n == mutex) {
            Some(k) => {
                self.outer_dropped.remove(k);
                format!("{g} = {expr};")
            }
            None => format!("{} = {expr};", self.binding(&g)),
        }
    }

    fn guard(&self, m: &Mutexes<'_>, name: &str) -> String {
        if self.single {
            "guard".into()
        } else {
            format!("{}_guard", m.ident(name))
        }
    }
    fn held(&self, name: &str) -> Held {
        self.guards.iter().rev().find(|(n, _)| n == name).map_or(Held::Plain, |g| g.1)
    }
}

/// The statements of `list`, the steps in the field `field` (`steps`, `locked`,
/// `timed_out`) of each of the places `parents`.
fn steps(w: &mut Writer<'_>, list: &[Step], parents: &[String], field: &str, indent: usize, ctx: &mut Ctx) {
    for (j, st) in list.iter().enumerate() {
        let paths: Vec<String> = parents.iter().map(|p| format!("{p}.{field}[{j}]")).collect();
        for p in &paths {
            w.mark(p.clone());
        }
        // A guard is `mut` if something writes through it before it goes, or a loop lets
        // it go and takes it again (then assigned to); `_` if nothing uses it again.
        (ctx.writes, ctx.unused) = match st {
            Step::Lock { mutex }
            | Step::ReadLock { mutex }
            | Step::TryLock { mutex }
            | Step::LockTimeout { mutex, .. } => {
                let rest = &list[j + 1..];
                (writes_before_unlock(rest, mutex) || relocked_in_loop(rest, mutex), !used_again(rest, mutex))
            }
            // A select's guard lives in its `locked` branch.
            Step::Select { mutex, locked, .. } => {
                (writes_before_unlock(locked, mutex) || relocked_in_loop(locked, mutex), !used_again(locked, mutex))
            }
            _ => (false, false),
        };
        step(w, st, &paths, indent, ctx);
    }
}

/// Whether the task's register is always defined where it is used: every `dbg` or
/// `read_plus` comes after a read in the same scope or an enclosing one (not inside a
/// loop that has ended).
fn first_use_is_read(list: &[Step]) -> bool {
    fn go(list: &[Step], mut read: bool) -> Option<bool> {
        for st in list {
            match st {
                Step::Read { .. } | Step::WaitUntil { take: true, .. } | Step::BrokenWait { take: true, .. } => {
                    read = true
                }
                Step::Dbg { .. }
                | Step::Write { action: WriteAction::ReadPlus { .. }, .. }
                | Step::LockedWrite { action: WriteAction::ReadPlus { .. }, .. }
                    if !read =>
                {
                    return None
                }
                // What a loop or a select's branch reads stays in it.
                Step::Repeat { .. } | Step::Select { .. } => {
                    for (_, body) in st.bodies() {
                        go(body, read)?;
                    }
                }
                _ => {}
            }
        }
        Some(read)
    }
    go(list, false).is_some()
}

/// Whether `rest` uses the guard of `mutex` (reads, writes or drops it).
fn used_again(rest: &[Step], mutex: &str) -> bool {
    let mut used = false;
    walk(rest, &mut |st| {
        used |= matches!(st, Step::Unlock { mutex: m } | Step::Write { mutex: m, .. } | Step::Read { mutex: m, .. }
            | Step::Assert { mutex: m, .. } if m == mutex)
    });
    used
}

/// Whether a loop in `rest`, before the guard of `mutex` is dropped here, drops it and
/// takes it again.
fn relocked_in_loop(rest: &[Step], mutex: &str) -> bool {
    for st in rest {
        match st {
            Step::Unlock { mutex: m } if m == mutex => return false,
            // A select's branch that lets the guard go takes it again (validation): it
            // assigns to the same variable, as a loop does.
            Step::Repeat { .. } | Step::Select { .. } => {
                let mut drops = false;
                for (_, body) in st.bodies() {
                    walk(body, &mut |s| drops |= matches!(s, Step::Unlock { mutex: m } if m == mutex));
                }
                if drops {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// Whether `rest` writes through the guard of `mutex` before it drops it.
fn writes_before_unlock(rest: &[Step], mutex: &str) -> bool {
    for st in rest {
        match st {
            Step::Unlock { mutex: m } if m == mutex => return false,
            Step::Write { mutex: m, .. } if m == mutex => return true,
            Step::Repeat { .. } | Step::Select { .. } if st.bodies().any(|(_, b)| writes_before_unlock(b, mutex)) => {
                return true
            }
            _ => {}
        }
    }
    false
}

/// The method that makes the future taking the (exclusive) lock of `name`: `lock()`, an
/// rwlock's `write()`, a semaphore's `acquire()`.
fn lock_call(w: &Writer<'_>, name: &str) -> String {
    format!("{}.{}()", w.m.ident(name), w.m.kind(name).lock_method())
}

fn lock_expr(w: &Writer<'_>, name: &str) -> String {
    let id = w.m.ident(name);
    match w.m.kind(name) {
        MutexKind::Blocking => format!("{id}.lock().unwrap()"),
        MutexKind::Semaphore { .. } => format!("{id}.acquire().await.unwrap()"),
        _ => format!("{}.await", lock_call(w, name)),
    }
}

/// A shared lock of `name` for reading (an rwlock's `read()`), or else the lock.
fn read_lock_expr(w: &Writer<'_>, name: &str) -> String {
    match w.m.kind(name) {
        MutexKind::RwLock => format!("{}.read().await", w.m.ident(name)),
        _ => lock_expr(w, name),
    }
}

fn step(w: &mut Writer<'_>, st: &Step, paths: &[String], indent: usize, ctx: &mut Ctx) {
    let m = w.m;
    match st {
        Step::Lock { mutex } => {
            let e = lock_expr(w, mutex);
            let text = ctx.take(m, mutex, &e);
            w.line(indent, &text);
            ctx.guards.push((mutex.clone(), Held::Plain));
        }
        Step::ReadLock { mutex } => {
            let e = read_lock_expr(w, mutex);
            let text = ctx.take(m, mutex, &e);
            w.line(indent, &text);
            ctx.guards.push((mutex.clone(), Held::Plain));
        }
        Step::Unlock { mutex } => {
            let g = ctx.guard(m, mutex);
            if ctx.loop_outer.contains(mutex) {
                ctx.outer_dropped.push(mutex.clone());
            }
            w.line(indent, &format!("drop({g});"));
            if let Some(k) = ctx.guards.iter().rposition(|(n, _)| n == mutex) {
                ctx.guards.remove(k);
            }
        }
        Step::TryLock { mutex } => {
            w.needs.watch_try |= m.kind(mutex) == MutexKind::Watch;
            let attempt = m.kind(mutex).try_lock_method();
            let text = ctx.take(m, mutex, &format!("{}.{attempt}()", m.ident(mutex)));
            w.line(indent, &text);
            ctx.guards.push((mutex.clone(), Held::Fallible));
        }
        Step::LockTimeout { mutex, ms } => {
            w.needs.timeout = true;
            let call = lock_call(w, mutex);
            let text = ctx.take(m, mutex, &format!("timeout(Duration::from_millis({ms}), {call}).await"));
            w.line(indent, &text);
            ctx.guards.push((mutex.clone(), Held::Fallible));
        }
        Step::Select { mutex, ms, locked, timed_out } => {
            w.needs.sleep = true;
            // The guard's binding: `mut` if written through, `_guard` if never used (not
            // `_`, which would drop it at once); a semaphore's `acquire()` is a `Result`.
            let g = ctx.guard(m, mutex);
            let bind = match (ctx.writes, ctx.unused) {
                (true, _) => format!("mut {g}"),
                (false, true) => format!("_{g}"),
                (false, false) => g.clone(),
            };
            let pat = match m.kind(mutex) {
                MutexKind::Semaphore { .. } => format!("Ok({bind})"),
                _ => bind,
            };
            let call = lock_call(w, mutex);
            w.line(indent, "tokio::select! {");
            w.line(indent + 1, "biased;");
            // Each branch is a scope, as a loop's body is: what it holds and reads stays in
            // it, and a guard held before it that it lets go is taken again into the same
            // variable. The select's own guard is dropped at the end of `locked`.
            let (held, reg) = (ctx.guards.clone(), ctx.reg);
            let outer: Vec<String> = ctx.guards.iter().map(|(n, _)| n.clone()).collect();
            let saved = std::mem::replace(&mut ctx.loop_outer, outer);
            let sleep = format!("_ = sleep(Duration::from_millis({ms})) =>");
            let arms = [(sleep, "timed_out", timed_out), (format!("{pat} = {call} =>"), "locked", locked)];
            for (head, field, body) in arms {
                if body.is_empty() {
                    w.line(indent + 1, &format!("{head} {{}}"));
                    continue;
                }
                w.line(indent + 1, &format!("{head} {{"));
                if field == "locked" {
                    ctx.guards.push((mutex.clone(), Held::Plain));
                }
                steps(w, body, paths, field, indent + 2, ctx);
                ctx.guards = held.clone();
                ctx.reg = reg;
                w.line(indent + 1, "}");
            }
            ctx.loop_outer = saved;
            w.line(indent, "}");
        }
        Step::LockedWrite { mutex, action } => {
            let target = format!("*{}", lock_expr(w, mutex));
            let text = write(w, mutex, action, &target, ctx.reg);
            w.line(indent, &text);
        }
        Step::Write { mutex, action } => {
            let g = ctx.guard(m, mutex);
            match ctx.held(mutex) {
                Held::Plain => {
                    let text = write(w, mutex, action, &format!("*{g}"), ctx.reg);
                    w.line(indent, &text);
                }
                Held::Fallible => {
                    w.line(indent, &format!("if let Ok({g}) = {g}.as_mut() {{"));
                    let text = write(w, mutex, action, &format!("**{g}"), ctx.reg);
                    w.line(indent + 1, &text);
                    w.line(indent, "}");
                }
            }
        }
        Step::Read { mutex, key } => {
            let g = ctx.guard(m, mutex);
            ctx.reg = match (ctx.held(mutex), key, m.ty(mutex)) {
                (Held::Plain, None, Ty::Int) => Reg::Int,
                (Held::Plain, None, Ty::Json) => Reg::Json,
                (Held::Fallible, None, Ty::Int) => Reg::OptInt,
                _ => Reg::OptJson,
            };
            let text = match (ctx.held(mutex), key, m.ty(mutex)) {
                (Held::Plain, None, Ty::Int) => format!("let value = *{g};"),
                (Held::Plain, None, Ty::Json) => format!("let value = {g}.clone();"),
                (Held::Plain, Some(k), _) => format!("let value = {g}.get({}).cloned();", rust_str(k)),
                (Held::Fallible, None, _) => format!("let value = {g}.as_deref().ok().cloned();"),
                (Held::Fallible, Some(k), _) => {
                    format!("let value = {g}.as_deref().ok().and_then(|v| v.get({}).cloned());", rust_str(k))
                }
            };
            w.line(indent, &text);
        }
        Step::Dbg { name } => {
            let inner = format_str(name);
            let inner = &inner[1..inner.len() - 1];
            w.line(indent, &format!("println!(\"{inner} = {{value:#?}}\"); // dbg!(value)"));
        }
        Step::Print { text } => w.line(indent, &format!("println!({});", format_str(text))),
        Step::Sleep { ms } => {
            w.needs.sleep = true;
            w.line(indent, &format!("sleep(Duration::from_millis({ms})).await;"))
        }
        Step::Busy { ms } => {
            w.line(indent, &format!("std::thread::sleep(Duration::from_millis({ms})); // blocks the whole executor"))
        }
        Step::Yield => w.line(indent, "tokio::task::yield_now().await;"),
        Step::Repeat { times, steps: body } => {
            w.line(indent, &format!("for _ in 0..{times} {{"));
            // The body is a scope: what it holds and reads stays in it. (Validation makes it
            // hold the same guards at its end as at its start.)
            let (held, reg) = (ctx.guards.clone(), ctx.reg);
            let outer: Vec<String> = ctx.guards.iter().map(|(n, _)| n.clone()).collect();
            let saved = std::mem::replace(&mut ctx.loop_outer, outer);
            steps(w, body, paths, "steps", indent + 1, ctx);
            ctx.loop_outer = saved;
            ctx.guards = held;
            ctx.reg = reg;
            w.line(indent, "}");
        }
        Step::WaitUntil { mutex, until, take } => {
            let g = ctx.guard(m, mutex);
            let cond = condition(w, mutex, until, "v");
            let mutable = if *take { "mut " } else { "" };
            w.line(indent, &format!("let {mutable}{g} = {}.wait_until(|v| {cond}).await;", m.ident(mutex)));
            if *take {
                let text = take_expr(w, mutex, &format!("*{g}"));
                w.line(indent, &text);
                ctx.reg = if m.ty(mutex) == Ty::Int { Reg::Int } else { Reg::Json };
            }
            w.line(indent, &format!("drop({g});"));
        }
        Step::BrokenWait { mutex, until, take } => {
            w.needs.poll_fn = true;
            w.needs.watch_try |= m.kind(mutex) == MutexKind::Watch;
            let id = m.ident(mutex);
            let cond = condition(w, mutex, until, "&*g");
            if *take {
                ctx.reg = if m.ty(mutex) == Ty::Int { Reg::Int } else { Reg::Json };
            }
            let ready = if *take {
                let t = take_expr(w, mutex, "*g");
                let t = t.trim_start_matches("let value = ").trim_end_matches(';').to_string();
                format!("Poll::Ready({t})")
            } else {
                "Poll::Ready(())".into()
            };
            let bind = if *take { "let value = " } else { "" };
            w.line(indent, "// Seed 004's bug: Pending without storing the waker, so nothing wakes this task again.");
            w.line(indent, &format!("{bind}std::future::poll_fn(|_cx| match {id}.try_lock() {{"));
            let mutable = if *take { "mut " } else { "" };
            w.line(indent + 1, &format!("Ok({mutable}g) if {cond} => {ready},"));
            w.line(indent + 1, "_ => Poll::Pending,");
            w.line(indent, "})");
            w.line(indent, ".await;");
        }
        Step::Join { task: None } => {
            w.line(indent, "for task in tasks.iter_mut().filter_map(Option::take) {");
            w.line(indent + 1, "let _ = task.await;");
            w.line(indent, "}");
        }
        Step::Join { task: Some(k) } => {
            // Main is tasks[0]: the handles are the other tasks', in order.
            w.line(indent, &format!("if let Some(task) = tasks[{}].take() {{", k.saturating_sub(1)));
            w.line(indent + 1, "let _ = task.await;");
            w.line(indent, "}");
        }
        Step::Assert { mutex, until } => {
            let held = ctx.guards.iter().rev().find(|(n, _)| n == mutex).map(|g| g.1);
            let temp = format!("*{}", read_lock_expr(w, mutex));
            match held {
                None => {
                    let text = assertion(w, mutex, until, &temp);
                    w.line(indent, &text);
                }
                Some(Held::Plain) => {
                    let text = assertion(w, mutex, until, &format!("*{}", ctx.guard(m, mutex)));
                    w.line(indent, &text);
                }
                // A `try_lock` or timeout that failed holds nothing: then a temporary guard.
                Some(Held::Fallible) => {
                    w.line(indent, &format!("match {}.as_deref() {{", ctx.guard(m, mutex)));
                    let through = assertion(w, mutex, until, "*v");
                    w.line(indent + 1, &format!("Ok(v) => {},", through.trim_end_matches(';')));
                    let other = assertion(w, mutex, until, &temp);
                    w.line(indent + 1, &format!("Err(_) => {},", other.trim_end_matches(';')));
                    w.line(indent, "}");
                }
            }
        }
    }
}

/// The statement for a write to `target` (a place of the mutex's value).
fn write(w: &mut Writer<'_>, mutex: &str, action: &WriteAction, target: &str, reg: Reg) -> String {
    let time = "start.elapsed().as_millis()";
    match (w.m.ty(mutex), action) {
        (Ty::Int, WriteAction::Increment { by }) if *by < 0 => format!("{target} -= {};", by.unsigned_abs()),
        (Ty::Int, WriteAction::Increment { by }) => format!("{target} += {by};"),
        (Ty::Int, WriteAction::Set { value }) => format!("{target} = {value};"),
        (Ty::Int, WriteAction::SetNow) => format!("{target} = {time} as i64;"),
        (Ty::Int, WriteAction::ReadPlus { by }) => format!("{target} = {} + {by};", reg.number()),
        (Ty::Int, _) => format!("{target} = 0; // cannot happen: not a number"),
        (Ty::Json, WriteAction::Set { value }) => format!("{target} = json!({});", json_lit(value)),
        (Ty::Json, WriteAction::Increment { by }) => {
            w.needs.add = true;
            format!("add(&mut {target}, {by});")
        }
        (Ty::Json, WriteAction::SetNow) => format!("{target} = json!({time} as u64);"),
        (Ty::Json, WriteAction::InsertNow { key }) => {
            w.needs.insert_now = true;
            format!("insert_now(&mut {target}, {}, {time});", rust_str(key))
        }
        (Ty::Json, WriteAction::Push { value }) => {
            w.needs.push = true;
            format!("push(&mut {target}, json!({}));", json_lit(value))
        }
        (Ty::Json, WriteAction::ReadPlus { by }) => {
            format!("{target} = json!({} + {by});", reg.number())
        }
        (Ty::Json, WriteAction::Insert { key, value }) => {
            w.needs.insert = true;
            format!("insert(&mut {target}, {}, json!({}));", rust_str(key), json_lit(value))
        }
    }
}

/// `assert!` of the value at `place` (`*guard`, `*m.lock().await`).
fn assertion(w: &mut Writer<'_>, mutex: &str, until: &Condition, place: &str) -> String {
    match (w.m.ty(mutex), until) {
        (Ty::Int, Condition::Equals { value }) => format!("assert_eq!({place}, {value});"),
        (Ty::Int, Condition::AtLeast { value }) => format!("assert!({place} >= {value});"),
        (Ty::Json, Condition::Equals { value }) => format!("assert_eq!({place}, json!({}));", json_lit(value)),
        (Ty::Json, Condition::AtLeast { value }) => {
            format!("assert!(({place}).as_i64().is_some_and(|n| n >= {value}));")
        }
        // `int_only` makes a mutex that must be non-empty a JSON one.
        (_, Condition::NonEmpty) => {
            w.needs.non_empty = true;
            format!("assert!(non_empty(&{place}));")
        }
    }
}

/// The condition on `v` (a `&T`) for a wait.
fn condition(w: &mut Writer<'_>, mutex: &str, until: &Condition, v: &str) -> String {
    match (w.m.ty(mutex), until) {
        (Ty::Int, Condition::NonEmpty) => "true".into(),
        (Ty::Int, Condition::AtLeast { value }) => format!("*{v} >= {value}"),
        (Ty::Int, Condition::Equals { value }) => format!("*{v} == {value}"),
        (Ty::Json, Condition::NonEmpty) => {
            w.needs.non_empty = true;
            format!("non_empty({v})")
        }
        (Ty::Json, Condition::AtLeast { value }) => {
            // A method call on `&*g` needs it in parentheses.
            let recv = if v.starts_with('&') { format!("({v})") } else { v.to_string() };
            format!("{recv}.as_i64().is_some_and(|x| x >= {value})")
        }
        (Ty::Json, Condition::Equals { value }) => format!("*{v} == json!({})", json_lit(value)),
    }
}

/// `let value = ..;` taking one item out of the place `target`.
fn take_expr(w: &mut Writer<'_>, mutex: &str, target: &str) -> String {
    match w.m.ty(mutex) {
        Ty::Int => format!("let value = std::mem::take(&mut {target});"),
        Ty::Json => {
            w.needs.take = true;
            format!("let value = take(&mut {target});")
        }
    }
}
