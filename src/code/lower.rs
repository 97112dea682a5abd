//! The lowering: a parsed program read as a [`Scenario`].
//!
//! It walks `async fn main` (or the one `#[tokio::main]`/`#[tokio::test]` function): each
//! `Arc::new(Mutex::new(..))` is a mutex, each spawned `async move { .. }` a task (one per
//! round of a `for _ in 0..n` around the spawn), and each statement of a task a step, with
//! its line. What `main` does besides spawning (joins, assertions, prints, locks) becomes
//! the main task, `tasks[0]`, unless all it does is wait for every task, which is what a
//! scenario without a main task means. Scopes are Rust's: a guard lives until `drop` or
//! the end of its block, and a block inside a loop drops what it took.
//!
//! # The subset
//!
//! What it reads, and as what:
//!
//! - `use` lines (they say which `Mutex`, `sleep`, `spawn`... a name is).
//! - `#[tokio::main] async fn main()`, `#[tokio::test] async fn t()`, or one lone `async fn`: the program's entry.
//! - `type Db = HashMap<..>;` and the generator's own helpers (`add`, `push`, `insert`, `insert_now`, `take`,
//!   `non_empty`, `WakeOnWrite`): known; any other item is an error.
//! - `let m = Arc::new(Mutex::new(v))` (tokio's, or any `Mutex` not from `std`): an `async` mutex.
//! - `Arc::new(std::sync::Mutex::new(v))` (or `Mutex` imported from `std::sync`): a `blocking` mutex.
//! - `Arc::new(WakeOnWrite::new(v))`: a `watch` cell.
//! - `futures::lock::Mutex`, `async_lock::Mutex`: a `barging` mutex; a tokio `Mutex` with `// policy: barging`,
//!   `// policy: lifo` or `// policy: eventually_fair after N ms` after its `let` (how the generator writes the
//!   playground's policies, which tokio has no lock for): that policy.
//! - `Arc::new(RwLock::new(v))` (tokio's): an `rwlock`; `Arc::new(Semaphore::new(n))`: a `semaphore` of n
//!   permits.
//! - `v`: `0`, `-3`, `1.5`, `"text"`, `true`, `vec![..]`, `Vec::new()`, `HashMap::new()`, `BTreeMap::new()`,
//!   `String::new()`, `Default::default()`, `T::default()` (`null` for a type it does not know), `json!(..)`: the
//!   initial value.
//! - `m.clone()`, `Arc::clone(&m)`: the same mutex.
//! - `tokio::spawn(f)`, `tokio::task::spawn(f)`, `set.spawn(f)` (a `JoinSet`), `local.spawn_local(f)`, with `f` an
//!   `async move { .. }` or `{ let m = m.clone(); async move { .. } }`; pushed to a `Vec` or not: a task.
//! - `for _ in 0..n { .. spawn(..) .. }` in main: n alike tasks.
//! - a task's body: `loop { .. }`: a `forever` task.
//! - a task's body: `for _round in 0..n { .. }`: a task of n rounds (`repeat`).
//! - `let g = m.lock().await;` (`.lock().unwrap()` for a blocking one; an rwlock's `.write().await`, a
//!   semaphore's `.acquire().await.unwrap()`): `lock`.
//! - `let g = m.read().await;` (an rwlock): `read_lock`.
//! - `drop(g);`, or the end of `g`'s block: `unlock`.
//! - `let g = m.try_lock();` (`try_write()`, `try_acquire()`): `try_lock`.
//! - `let g = timeout(d, m.lock()).await;` (`write()`, `acquire()`): `lock_timeout`.
//! - `tokio::select! { biased; _ = sleep(d) => { .. } g = m.lock() => { .. } }` (`mut g`; an rwlock's `write()`; a
//!   semaphore's `Ok(g) = pool.acquire()`; a branch a block or one expression, commas optional after blocks):
//!   `select`, the first branch's statements its `timed_out` steps, the second's its `locked` ones (`g` is dropped at
//!   the branch's end). Only this shape: without `biased;`, the lock first, other futures, a third branch, `else`
//!   or an `, if` condition are errors that say so.
//! - `*m.lock().await += n;`, `m.lock().await.insert(k, v);`...: `locked_write`.
//! - `*g += n`, `*g -= n`, `*g = v`, `g.insert(k, v)`, `g.push(v)` (or through `if let Ok(g) = g.as_mut()` for a
//!   `try_lock`'s guard): `write`.
//! - `*g = start.elapsed().as_millis() as i64`, `g.insert(k, &start.elapsed().as_millis())`: `set_now`,
//!   `insert_now`.
//! - `let v = *g;`, `let v = g.clone();`, `let v = g.get(k);` (`.cloned()` or not), `let v = *m.lock().await;`:
//!   `read`.
//! - `*g = v + n` (`v` what the task read): `read_plus`.
//! - `println!("text")` (literal text only), `dbg!(v)`: `print`, `dbg`.
//! - `sleep(Duration::from_millis(n)).await` (or `from_secs`): `sleep`.
//! - `std::thread::sleep(d)`: `busy`: it blocks the whole executor.
//! - `tokio::task::yield_now().await`: `yield`.
//! - `for _ in 0..n { .. }` in a task (`0..=n` too): `repeat`.
//! - `{ .. }`: a scope.
//! - `let g = cell.wait_until(|v| cond).await;` then `drop(g);`: `wait_until` (seed 004's fix).
//! - `poll_fn(|_cx| match m.try_lock() { Ok(g) if cond => Poll::Ready(..), _ => Poll::Pending }).await`:
//!   `broken_wait` (seed 004's bug).
//! - in main: `h.await` (`.unwrap()`, `?`), `for h in handles { h.await; }`, `while let Some(_) =
//!   set.join_next().await {}`, `join_all(handles).await`, `spawn(..).await`: `join`.
//! - `assert_eq!(*m.lock().await, v)` (`*m.read().await` for an rwlock), `assert!(*g >= n)`,
//!   `assert!(non_empty(&*g))`, `assert!(!g.is_empty())`: `assert`.
//! - `timeout(Duration::from_millis(n), all).await` around main's waits: the run's time limit.
//!
//! Anything else is a [`CodeError`] at its place that names it: a `tokio::select!` of another
//! shape, other macros, `println!` with format arguments, structs, functions of one's own, `match` and
//! `if` beyond the forms above, closures in tasks, spawning after main has awaited, `loop`
//! inside a task, a `.lock()` without `.await`...
//!
//! # Differences from running the program
//!
//! The playground runs what the program says on its own executor and Mutex: the same
//! order of events as tokio's current-thread runtime, in virtual time. A few things it
//! reads differently: when `main` returns, its spawned tasks still run to their end here
//! (tokio would drop them); a failed assertion ends only its task; `Instant::now()` is the
//! run's start wherever it is taken; `#[tokio::main]` without `flavor = "current_thread"`
//! is tokio's multi-threaded runtime, but runs here on one thread (so `std::thread::sleep`
//! stalls every task, as it does on a current-thread runtime); and a program rustc would
//! refuse (a borrow, a type) may still be read: nothing here checks types.
//!
//! # Names
//!
//! Names come from the comments the code generator writes (`//! name` at the top, the
//! description on the next `//!` lines, `// "reader"` above a spawn, `// tasks "a", "b"`
//! above a loop of spawns, `// "name"` after a mutex whose variable could not be its
//! name (with `; policy: ..` after it if it has one), `// The scenario's limits: .. N steps of work.`); a
//! pasted program without them
//! gets `task 1`, `task 2`... and its variables' names.

use super::ast::*;
use super::lex::{Comment, Doc, Lexed, Pos, Tok};
use super::parse::{parse_args, parse_select};
use super::CodeError;
use crate::scenario::{Condition, Limits, MutexKind, MutexSpec, Scenario, Step, TaskSpec, WriteAction};
use serde_json::{json, Value};

/// A program read: the scenario, and the line (from 1) of each task's start
/// (`tasks[1]`) and step (`tasks[1].steps[2]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Lowered {
    /// The scenario the program is.
    pub scenario: Scenario,
    /// Each place and its line, sorted by place.
    pub lines: Vec<(String, u32)>,
}

type R<T> = Result<T, CodeError>;

/// Reads a parsed program as a scenario.
pub fn lower(file: &File, lexed: &Lexed) -> R<Lowered> {
    let mut l = Lower {
        lexed,
        imports: Vec::new(),
        aliases: Vec::new(),
        scopes: Vec::new(),
        mutexes: Vec::new(),
        tasks: Vec::new(),
        limits: Limits::default(),
        main_awaited: false,
        main_explicit: false,
        main_name: None,
        at_tail: false,
        nest: std::cell::Cell::new(0),
        last_read: None,
        mutex_lines: Vec::new(),
    };
    // The entry: `fn main` or an attributed test; else one lone `async fn` (a test body
    // pasted without its attribute). Any other function is refused at its place.
    let is_entry = |item: &Item| match &item.kind {
        ItemKind::Fn { name, .. } => {
            name == "main" || item.attrs.iter().any(|a| a.starts_with("tokio ::main") || a.starts_with("tokio ::test"))
        }
        _ => false,
    };
    let lone_async = |item: &Item| matches!(&item.kind, ItemKind::Fn { is_async: true, has_params: false, .. });
    let entries: Vec<&Item> = file.items.iter().filter(|i| is_entry(i)).collect();
    let entry: Option<&Item> = match entries.as_slice() {
        [one] => Some(one),
        [_, second, ..] => {
            return Err(CodeError::at(second.pos, "a second entry point (`main` or a test): keep one"));
        }
        [] => {
            let lone: Vec<&Item> = file.items.iter().filter(|i| lone_async(i)).collect();
            (lone.len() == 1).then(|| lone[0])
        }
    };
    let mut main = None;
    for item in &file.items {
        match &item.kind {
            ItemKind::Use(paths) => l.imports.extend(paths.iter().map(|(p, n)| (n.clone(), p.clone()))),
            ItemKind::TypeAlias { name, ty } => l.aliases.push((name.clone(), ty.clone())),
            ItemKind::Fn { name, is_async, has_params, body } => {
                if entry.is_some_and(|e| std::ptr::eq(e, item)) {
                    if !is_async {
                        return Err(CodeError::at(item.pos, format!("`fn {name}` must be `async` to await")));
                    }
                    main = Some(body);
                } else if *has_params && HELPERS.contains(&name.as_str()) {
                    // The code generator's own helpers (`add`, `push`...): their calls are read.
                } else {
                    return Err(CodeError::at(
                        item.pos,
                        format!("functions other than `main` are not supported (`fn {name}`): write its steps inline"),
                    ));
                }
            }
            ItemKind::Other { keyword, name } => {
                let ours = matches!(name.as_str(), "WakeOnWrite" | "WriteGuard");
                if !ours {
                    let what = if name.is_empty() { format!("`{keyword}`") } else { format!("`{keyword} {name}`") };
                    return Err(CodeError::at(
                        item.pos,
                        format!("{what} is not supported: values are numbers, strings, lists and maps"),
                    ));
                }
            }
        }
    }
    let Some(main) = main else {
        return Err(CodeError::at(
            Pos { line: 1, col: 1, offset: 0 },
            "no `async fn main` (or `#[tokio::test]`) found",
        ));
    };
    let (name, description) = l.header();
    l.scopes.push(Scope::default());
    let mut steps = Out::default();
    let mut cx = TaskCx { main: true, boundary: 0 };
    l.block_stmts(&main.stmts, &mut steps, &mut cx)?;
    l.finish(name, description, steps)
}

const CLOCKS: &[&[&str]] = &[&["std", "time", "Instant", "now"], &["tokio", "time", "Instant", "now"]];

const HELPERS: [&str; 6] = ["add", "push", "insert_now", "insert", "take", "non_empty"];

/// How a guard is held.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum How {
    /// `m.lock().await`: the value is `*guard`.
    Plain,
    /// `m.try_lock()` or a timeout: a `Result`.
    Fallible,
}

/// What a name is bound to.
#[derive(Clone, Debug)]
enum Bind {
    /// A mutex, by index.
    Mutex(usize),
    /// A guard of a mutex, and whether it is still alive.
    Guard { mutex: usize, how: How, live: bool },
    /// `g` in `if let Ok(g) = guard.as_mut()`: the guard's value, written with `**g`.
    OkGuard(usize),
    /// What the task read: the task keeps one register, so only the name the last read
    /// was bound to can be used (see `Lower::is_last_read`).
    Register,
    /// `Instant::now()`.
    Clock,
    /// Spawned tasks' handles (a `Vec` or a `JoinSet`), by spawn order.
    Handles(Vec<usize>),
    /// One spawned task's handle.
    Handle(usize),
    /// A `LocalSet`.
    LocalSet,
    /// `async move { .. }` kept for a later `timeout(.., all)` or `.await`.
    Deferred(Block),
    /// Anything else the program binds (`let value = ();`).
    Other,
    /// An `async` block already awaited (awaiting it moved it).
    Moved,
}

#[derive(Default, Debug)]
struct Scope {
    vars: Vec<(String, Bind)>,
}

/// Steps and their lines, in program order (each `repeat` before its body).
#[derive(Default, Debug)]
struct Out {
    steps: Vec<Step>,
    lines: Vec<u32>,
}

impl Out {
    fn push(&mut self, step: Step, line: u32) {
        self.steps.push(step);
        self.lines.push(line);
    }
}

/// Where the statements being read are.
struct TaskCx {
    /// In `main` (spawns and joins allowed).
    main: bool,
    /// The first scope of the task: names bound outside it are `main`'s, and only its
    /// mutexes and clock can be used from inside.
    boundary: usize,
}

struct Task {
    name: Option<String>,
    line: u32,
    spec: TaskSpec,
    lines: Vec<u32>,
}

struct Lower<'a> {
    lexed: &'a Lexed,
    imports: Vec<(String, Vec<String>)>,
    aliases: Vec<(String, Type)>,
    scopes: Vec<Scope>,
    mutexes: Vec<MutexSpec>,
    tasks: Vec<Task>,
    limits: Limits,
    main_awaited: bool,
    /// Whether main keeps its handles as `Option`s (`Vec<Option<JoinHandle<()>>>`, or
    /// `Some(spawn(..))` pushed): it joins them one by one, so it is a task of its own.
    main_explicit: bool,
    /// Main's name, from the comment above its body's block (`// "main"`).
    main_name: Option<String>,
    /// Whether the statement being read is main's last (see `block_stmts`).
    at_tail: bool,
    /// How deep macro bodies nest in the one being read (`vec![vec![..]]`).
    nest: std::cell::Cell<u32>,
    /// The name the task's last read was bound to (`let v = *g;`).
    last_read: Option<String>,
    /// The line of each mutex's `let`, by index.
    mutex_lines: Vec<u32>,
}

fn line(pos: Pos) -> u32 {
    pos.line
}

/// A short description of an expression, for "X is not supported".
fn describe(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Macro(p, _) => format!("`{}!`", p.join("::")),
        ExprKind::Method(_, m, _) => format!("`.{m}()`"),
        ExprKind::Call(f, _) => match &f.kind {
            ExprKind::Path(p) => format!("a call to `{}`", p.join("::")),
            _ => "this call".into(),
        },
        ExprKind::Path(p) => format!("`{}`", p.join("::")),
        ExprKind::Match(..) => "`match`".into(),
        ExprKind::If(..) => "`if`".into(),
        ExprKind::While(..) => "a `while` loop".into(),
        ExprKind::Loop(_) => "`loop`".into(),
        ExprKind::For(..) => "this `for` loop".into(),
        ExprKind::Closure(..) => "a closure".into(),
        ExprKind::Unsafe(_) => "`unsafe`".into(),
        ExprKind::Async(_) => "an `async` block".into(),
        ExprKind::Jump(k) => format!("`{k}`"),
        ExprKind::Await(inner) => format!("awaiting {}", describe(inner)),
        ExprKind::Assign(op, ..) => format!("this `{op}`"),
        ExprKind::Field(_, f) => format!("the field `.{f}`"),
        _ => "this expression".into(),
    }
}

fn moved(name: &str, at: Pos) -> CodeError {
    CodeError::at(at, format!("`{name}` was awaited already (or is awaited inside itself): an `async` block runs once"))
}

fn unsupported(e: &Expr) -> CodeError {
    CodeError::at(e.pos, format!("{} is not supported here", describe(e)))
}

fn path_is(e: &Expr, last: &[&str]) -> bool {
    match &e.kind {
        ExprKind::Path(p) => p.len() >= last.len() && p[p.len() - last.len()..].iter().zip(last).all(|(a, b)| a == b),
        _ => false,
    }
}

fn as_path(e: &Expr) -> Option<&[String]> {
    match &e.kind {
        ExprKind::Path(p) => Some(p),
        _ => None,
    }
}

fn single_name(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Path(p) if p.len() == 1 => Some(&p[0]),
        ExprKind::Paren(inner) => single_name(inner),
        _ => None,
    }
}

/// `e` without `(..)`, `.clone()`, `Arc::clone(&..)`, `&`.
fn strip(e: &Expr) -> &Expr {
    match &e.kind {
        ExprKind::Paren(inner) => strip(inner),
        ExprKind::Method(inner, m, args) if m == "clone" && args.is_empty() => strip(inner),
        ExprKind::Call(f, args) if args.len() == 1 && path_is(f, &["Arc", "clone"]) => strip(&args[0]),
        ExprKind::Unary(UnOp::Ref, inner) => strip(inner),
        _ => e,
    }
}

fn int(e: &Expr) -> Option<i128> {
    match &e.kind {
        ExprKind::Lit(Lit::Int(n, _)) => Some(i128::from(*n)),
        ExprKind::Unary(UnOp::Neg, inner) => int(inner).map(|n| -n),
        ExprKind::Paren(inner) => int(inner),
        ExprKind::Cast(inner, _) => int(inner),
        _ => None,
    }
}

fn string(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Lit(Lit::Str(s)) => Some(s.clone()),
        ExprKind::Method(inner, m, args)
            if args.is_empty() && matches!(m.as_str(), "to_string" | "into" | "to_owned") =>
        {
            string(inner)
        }
        ExprKind::Call(f, args) if args.len() == 1 && (path_is(f, &["String", "from"])) => string(&args[0]),
        ExprKind::Unary(UnOp::Ref, inner) | ExprKind::Paren(inner) => string(inner),
        _ => None,
    }
}

impl Lower<'_> {
    // ----- names -----

    fn lookup(&self, name: &str, cx: &TaskCx) -> Option<&Bind> {
        for (depth, scope) in self.scopes.iter().enumerate().rev() {
            if let Some((_, b)) = scope.vars.iter().rev().find(|(n, _)| n == name) {
                // From inside a task, only main's mutexes and clock are reachable.
                if depth < cx.boundary && !matches!(b, Bind::Mutex(_) | Bind::Clock) {
                    return None;
                }
                return Some(b);
            }
        }
        None
    }

    fn lookup_mut(&mut self, name: &str) -> Option<&mut Bind> {
        for scope in self.scopes.iter_mut().rev() {
            if let Some((_, b)) = scope.vars.iter_mut().rev().find(|(n, _)| n == name) {
                return Some(b);
            }
        }
        None
    }

    fn bind(&mut self, name: &str, b: Bind) {
        if let Some(s) = self.scopes.last_mut() {
            s.vars.push((name.to_string(), b));
        }
    }

    /// The path with its first segment replaced by what a `use` imported under it.
    fn resolve<'p>(&'p self, path: &'p [String]) -> Vec<&'p str> {
        if let Some((_, full)) = self.imports.iter().rev().find(|(n, _)| Some(n) == path.first()) {
            return full.iter().chain(&path[1..]).map(String::as_str).collect();
        }
        // A glob (`use std::sync::*;`) brings the names it knows of: the ones this reads.
        const KNOWN: [&str; 11] = [
            "Mutex",
            "RwLock",
            "Semaphore",
            "Arc",
            "spawn",
            "sleep",
            "timeout",
            "yield_now",
            "JoinSet",
            "LocalSet",
            "Instant",
        ];
        let glob = self.imports.iter().rev().find(|(n, full)| {
            n == "*" && path.len() == 1 && KNOWN.contains(&path[0].as_str()) && globbed(full, &path[0])
        });
        match glob {
            Some((_, full)) => full.iter().chain(path).map(String::as_str).collect(),
            None => path.iter().map(String::as_str).collect(),
        }
    }

    /// Whether `e` is a path to one of `names` (full paths), or to their last segment when
    /// it is imported from nowhere (`sleep` with no `use`).
    fn is_fn(&self, e: &Expr, names: &[&[&str]]) -> bool {
        let Some(p) = as_path(e) else { return false };
        let full = self.resolve(p);
        names.iter().any(|n| full == *n || (full.len() < n.len() && full == n[n.len() - full.len()..]))
    }

    fn mutex(&self, e: &Expr, cx: &TaskCx) -> Option<usize> {
        match self.lookup(single_name(strip(e))?, cx) {
            Some(Bind::Mutex(m)) => Some(*m),
            _ => None,
        }
    }

    fn guard(&self, e: &Expr, cx: &TaskCx) -> Option<(String, usize, How)> {
        let name = single_name(e)?;
        match self.lookup(name, cx) {
            Some(Bind::Guard { mutex, how, live: true }) => Some((name.to_string(), *mutex, *how)),
            _ => None,
        }
    }

    fn is_clock(&self, e: &Expr, cx: &TaskCx) -> bool {
        single_name(e).is_some_and(|n| matches!(self.lookup(n, cx), Some(Bind::Clock)))
    }

    /// A macro's arguments, parsed at the depth the macro is at (nested macros count
    /// towards [`MAX_DEPTH`](super::parse::MAX_DEPTH) as any nesting does).
    fn args(&self, body: std::ops::Range<usize>) -> R<Vec<Expr>> {
        let depth = self.nest.get() + 1;
        let at = self.lexed.tokens.get(body.start).map_or(Pos::default(), |t| t.pos);
        if depth > super::parse::MAX_DEPTH {
            return Err(CodeError::at(
                at,
                format!("the program nests more than {} levels deep here", super::parse::MAX_DEPTH),
            ));
        }
        parse_args(&self.lexed.tokens, body, depth)
    }

    /// `f` one macro deeper (its arguments' own macros are read inside it).
    fn nested<T>(&self, f: impl FnOnce() -> R<T>) -> R<T> {
        self.nest.set(self.nest.get() + 1);
        let r = f();
        self.nest.set(self.nest.get() - 1);
        r
    }

    /// Whether `name` holds what the task read last (the one register the model keeps).
    fn is_last_read(&self, name: &str, cx: &TaskCx) -> bool {
        matches!(self.lookup(name, cx), Some(Bind::Register)) && self.last_read.as_deref() == Some(name)
    }

    fn mutex_name(&self, m: usize) -> String {
        self.mutexes[m].name.clone()
    }

    // ----- comments -----

    /// The plain comments on `line` (the comments are in order: found by halving).
    fn comments_on(&self, line: u32) -> impl Iterator<Item = &Comment> {
        let all = &self.lexed.comments;
        let from = all.partition_point(|c| c.pos.line < line);
        all[from..].iter().take_while(move |c| c.pos.line == line).filter(|c| c.doc == Doc::No)
    }

    /// String literals in a comment (`"a", "b"`), if it holds only those (after an
    /// optional word such as `tasks`).
    fn names_in(text: &str) -> Option<Vec<String>> {
        let text = text.trim();
        let text = text.strip_prefix("tasks").unwrap_or(text);
        let lexed = super::lex::lex(text).ok()?;
        let mut out = Vec::new();
        for (i, t) in lexed.tokens.iter().enumerate() {
            match (&t.tok, i % 2) {
                (Tok::Str(s), 0) => out.push(s.clone()),
                (Tok::Punct(","), 1) => {}
                _ => return None,
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// The names the comment on the line just above `pos` gives (`// "reader"`).
    fn names_above(&self, pos: Pos) -> Option<Vec<String>> {
        let above = pos.line.checked_sub(1)?;
        self.comments_on(above).find_map(|c| Self::names_in(&c.text))
    }

    fn header(&self) -> (String, String) {
        let first_token = self.lexed.tokens.first().map_or(usize::MAX, |t| t.pos.offset);
        let docs: Vec<&str> = self
            .lexed
            .comments
            .iter()
            .take_while(|c| c.pos.offset < first_token)
            .filter(|c| c.doc == Doc::Inner)
            .map(|c| c.text.strip_prefix(' ').unwrap_or(&c.text))
            .collect();
        match docs.split_first() {
            Some((name, rest)) if !name.trim().is_empty() => (name.to_string(), rest.join("\n")),
            _ => ("Rust program".into(), String::new()),
        }
    }

    // ----- values -----

    /// A value written in the program: a literal, `vec![]`, `HashMap::new()`, `json!(..)`...
    fn value(&self, e: &Expr) -> R<Value> {
        let bad = || CodeError::at(e.pos, format!("{} is not a value the playground can hold", describe(e)));
        Ok(match &e.kind {
            ExprKind::Lit(Lit::Int(..)) | ExprKind::Unary(UnOp::Neg, _) => {
                if let ExprKind::Unary(UnOp::Neg, inner) = &e.kind {
                    if let ExprKind::Lit(Lit::Float(f)) = inner.kind {
                        return Ok(json!(-f));
                    }
                }
                let n = int(e).ok_or_else(bad)?;
                if let Ok(i) = i64::try_from(n) {
                    json!(i)
                } else if let Ok(u) = u64::try_from(n) {
                    json!(u)
                } else {
                    return Err(CodeError::at(e.pos, "this number does not fit in 64 bits"));
                }
            }
            ExprKind::Lit(Lit::Float(f)) => serde_json::Number::from_f64(*f).map(Value::Number).ok_or_else(bad)?,
            ExprKind::Lit(Lit::Bool(b)) => json!(b),
            ExprKind::Lit(Lit::Str(_)) | ExprKind::Method(..) if string(e).is_some() => json!(string(e)),
            ExprKind::Lit(Lit::Char(c)) => json!(c.to_string()),
            ExprKind::Tuple(items) if items.is_empty() => Value::Null,
            ExprKind::Paren(inner) => self.value(inner)?,
            ExprKind::Path(p) if p.len() == 1 && p[0] == "None" => Value::Null,
            ExprKind::Macro(p, body) if p.last().is_some_and(|s| s == "vec") => {
                let items = self.args(body.clone())?;
                self.nested(|| items.iter().map(|i| self.value(i)).collect::<R<Vec<Value>>>().map(Value::Array))?
            }
            ExprKind::Macro(p, body) if p.last().is_some_and(|s| s == "json") => {
                self.json(&self.lexed.tokens[body.clone()], e.pos)?
            }
            ExprKind::Call(f, args) if args.is_empty() => {
                let p = as_path(f).ok_or_else(bad)?;
                let (ty, ctor) = match p {
                    [.., ty, ctor] => (ty.as_str(), ctor.as_str()),
                    [ctor] => ("", ctor.as_str()),
                    [] => return Err(bad()),
                };
                match (ctor, ty) {
                    ("new" | "default" | "with_capacity", _) => self.default_of(ty),
                    _ => return Err(bad()),
                }
            }
            ExprKind::Call(f, args) if args.len() == 1 && path_is(f, &["Some"]) => self.value(&args[0])?,
            _ => return Err(bad()),
        })
    }

    /// The default value of a type named `ty` (`""` for `Default::default()`).
    fn default_of(&self, ty: &str) -> Value {
        if let Some((_, alias)) = self.aliases.iter().find(|(n, _)| n == ty) {
            if let Some(last) = alias.path.last() {
                return self.default_of(last);
            }
        }
        match ty {
            "HashMap" | "BTreeMap" | "Map" => json!({}),
            "Vec" | "VecDeque" => json!([]),
            "String" => json!(""),
            "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => {
                json!(0)
            }
            "bool" => json!(false),
            // `Default::default()`, `T::default()` of a type the program does not define:
            // `null`, which a write turns into what it needs (a number, a list, a map).
            _ => Value::Null,
        }
    }

    /// A `json!` body: JSON with Rust literals, or (for `json!(expr)`) a plain value.
    fn json(&self, tokens: &[super::lex::Token], at: Pos) -> R<Value> {
        let mut i = 0;
        let v = self.json_value(tokens, &mut i, at, 0)?;
        if i != tokens.len() {
            let pos = tokens.get(i).map_or(at, |t| t.pos);
            return Err(CodeError::at(pos, "this `json!` holds more than one value"));
        }
        Ok(v)
    }

    fn json_value(&self, t: &[super::lex::Token], i: &mut usize, at: Pos, depth: u32) -> R<Value> {
        if depth > super::parse::MAX_DEPTH {
            return Err(CodeError::at(at, "this `json!` nests too deep"));
        }
        let pos = t.get(*i).map_or(at, |t| t.pos);
        let tok = t.get(*i).map(|t| &t.tok);
        *i += 1;
        Ok(match tok {
            Some(Tok::Ident(w)) if w == "null" => Value::Null,
            Some(Tok::Ident(w)) if w == "true" || w == "false" => json!(w == "true"),
            Some(Tok::Str(s)) => json!(s),
            Some(Tok::Punct("-")) | Some(Tok::Int(..)) | Some(Tok::Float(_)) => {
                let neg = matches!(tok, Some(Tok::Punct("-")));
                let num = if neg {
                    *i += 1;
                    t.get(*i - 1).map(|t| &t.tok)
                } else {
                    tok
                };
                match num {
                    Some(Tok::Int(n, _)) => {
                        let n = *n as i128 * if neg { -1 } else { 1 };
                        match (i64::try_from(n), u64::try_from(n)) {
                            (Ok(x), _) => json!(x),
                            (_, Ok(x)) => json!(x),
                            _ => return Err(CodeError::at(pos, "this number does not fit in 64 bits")),
                        }
                    }
                    Some(Tok::Float(f)) => serde_json::Number::from_f64(if neg { -f } else { *f })
                        .map(Value::Number)
                        .ok_or_else(|| CodeError::at(pos, "this number is not finite"))?,
                    _ => return Err(CodeError::at(pos, "expected a number after `-`")),
                }
            }
            Some(Tok::Punct("[")) => {
                let mut items = Vec::new();
                loop {
                    if matches!(t.get(*i).map(|t| &t.tok), Some(Tok::Punct("]"))) {
                        *i += 1;
                        break;
                    }
                    items.push(self.json_value(t, i, at, depth + 1)?);
                    match t.get(*i).map(|t| &t.tok) {
                        Some(Tok::Punct(",")) => *i += 1,
                        Some(Tok::Punct("]")) => {}
                        _ => return Err(CodeError::at(t.get(*i).map_or(at, |t| t.pos), "expected `,` or `]`")),
                    }
                }
                Value::Array(items)
            }
            Some(Tok::Punct("{")) => {
                let mut map = serde_json::Map::new();
                loop {
                    let here = t.get(*i).map_or(at, |t| t.pos);
                    match t.get(*i).map(|t| &t.tok) {
                        Some(Tok::Punct("}")) => {
                            *i += 1;
                            break;
                        }
                        Some(Tok::Str(k)) => {
                            *i += 1;
                            if !matches!(t.get(*i).map(|t| &t.tok), Some(Tok::Punct(":"))) {
                                return Err(CodeError::at(here, "expected `:` after this key"));
                            }
                            *i += 1;
                            let v = self.json_value(t, i, at, depth + 1)?;
                            map.insert(k.clone(), v);
                        }
                        _ => return Err(CodeError::at(here, "a `json!` map's keys are string literals")),
                    }
                    match t.get(*i).map(|t| &t.tok) {
                        Some(Tok::Punct(",")) => *i += 1,
                        Some(Tok::Punct("}")) => {}
                        _ => return Err(CodeError::at(t.get(*i).map_or(at, |t| t.pos), "expected `,` or `}`")),
                    }
                }
                Value::Object(map)
            }
            _ => return Err(CodeError::at(pos, "only JSON literals are supported inside `json!` here")),
        })
    }

    // ----- the clock and the register -----

    /// `start.elapsed().as_millis()` (cast, `&`, `json!(..)` around it or not).
    fn is_now(&self, e: &Expr, cx: &TaskCx) -> bool {
        match &e.kind {
            ExprKind::Cast(inner, _) | ExprKind::Paren(inner) | ExprKind::Unary(UnOp::Ref, inner) => {
                self.is_now(inner, cx)
            }
            ExprKind::Macro(p, body) if p.last().is_some_and(|s| s == "json") => self
                .args(body.clone())
                .is_ok_and(|a| a.len() == 1 && self.nested(|| Ok(self.is_now(&a[0], cx))).unwrap_or(false)),
            ExprKind::Method(recv, m, args) if args.is_empty() && m == "as_millis" => match &recv.kind {
                ExprKind::Method(clock, el, a) if a.is_empty() && el == "elapsed" => self.is_clock(clock, cx),
                _ => false,
            },
            _ => false,
        }
    }

    /// `value + n` (or the register's other number forms, or `0 + n`), in `json!` or not:
    /// the `n` of a read-plus write.
    fn read_plus(&self, e: &Expr, cx: &TaskCx) -> Option<i64> {
        match &e.kind {
            ExprKind::Macro(p, body) if p.last().is_some_and(|s| s == "json") => {
                let args = self.args(body.clone()).ok()?;
                (args.len() == 1).then(|| self.nested(|| Ok(self.read_plus(&args[0], cx))).ok().flatten())?
            }
            ExprKind::Binary(op @ ("+" | "-"), a, b) if self.is_register_number(a, cx) => {
                let n = i64::try_from(int(b)?).ok()?;
                Some(if *op == "-" { n.checked_neg()? } else { n })
            }
            _ => None,
        }
    }

    fn is_register_number(&self, e: &Expr, cx: &TaskCx) -> bool {
        let reg = |e: &Expr| single_name(e).is_some_and(|n| self.is_last_read(n, cx));
        match &e.kind {
            ExprKind::Lit(Lit::Int(0, s)) => s.is_empty(),
            ExprKind::Path(_) => reg(e),
            ExprKind::Method(inner, m, _) if matches!(m.as_str(), "unwrap_or" | "as_i64" | "and_then" | "as_ref") => {
                self.is_register_number(inner, cx) || reg(inner)
            }
            _ => false,
        }
    }

    // ----- places: what a write or a read goes through -----

    /// The value a write or read reaches: `*guard`, `**ok` (inside `if let Ok(ok)`), or a
    /// temporary guard `*m.lock().await`. `e` is the place expression (deref'd).
    fn place(&self, e: &Expr, cx: &TaskCx) -> Option<Place> {
        match &e.kind {
            ExprKind::Unary(UnOp::Deref, inner) | ExprKind::Paren(inner) => self.place_of_guard(inner, cx),
            _ => None,
        }
    }

    /// The place behind a guard expression (a receiver, or the operand of one `*`).
    fn place_of_guard(&self, e: &Expr, cx: &TaskCx) -> Option<Place> {
        if let Some((name, m, how)) = self.guard(e, cx) {
            return Some(Place::Guard(name, m, how));
        }
        if let Some(n) = single_name(e) {
            if let Some(Bind::OkGuard(m)) = self.lookup(n, cx) {
                return Some(Place::Ok(*m));
            }
        }
        match &e.kind {
            ExprKind::Unary(UnOp::Deref, inner) | ExprKind::Paren(inner) => self.place_of_guard(inner, cx),
            _ => self.lock_call(e, cx).map(|(m, _)| Place::Temp(m)),
        }
    }

    /// What to write instead of a lock the kind of `e`'s mutex does not have: `lock()` of
    /// an rwlock, the `Result` of a semaphore's `acquire().await`.
    fn lock_hint(&self, e: &Expr, cx: &TaskCx) -> Option<&'static str> {
        let call = match &e.kind {
            ExprKind::Await(inner) => inner,
            _ => e,
        };
        let ExprKind::Method(recv, method, _) = &call.kind else { return None };
        match (self.mutexes[self.mutex(recv, cx)?].kind, method.as_str(), matches!(e.kind, ExprKind::Await(_))) {
            (MutexKind::RwLock, "lock" | "try_lock", _) => {
                Some("an RwLock has `.read().await` and `.write().await` (and `try_write()`), not `lock`")
            }
            (MutexKind::Semaphore { .. }, "acquire", true) => {
                Some("a semaphore's `.acquire().await` returns a `Result`: add `.unwrap()`")
            }
            (MutexKind::Semaphore { .. }, "lock" | "try_lock", _) => {
                Some("a semaphore has `.acquire().await.unwrap()` (and `try_acquire()`), not `lock`")
            }
            _ => None,
        }
    }

    /// A lock taken and awaited: `m.lock().await` or a std `m.lock().unwrap()` (an
    /// rwlock's `write().await`, a semaphore's `acquire().await.unwrap()`): its mutex, and
    /// whether it is an rwlock's shared `read().await`.
    fn lock_call(&self, e: &Expr, cx: &TaskCx) -> Option<(usize, bool)> {
        let (call, awaited, unwrapped) = match &e.kind {
            ExprKind::Await(inner) => (inner, true, false),
            ExprKind::Method(inner, m, _) if m == "unwrap" || m == "expect" => match &inner.kind {
                ExprKind::Await(call) => (call, true, true),
                _ => (inner, false, true),
            },
            _ => return None,
        };
        let ExprKind::Method(recv, method, args) = &call.kind else { return None };
        if !args.is_empty() {
            return None;
        }
        let m = self.mutex(recv, cx)?;
        match (self.mutexes[m].kind, method.as_str(), awaited, unwrapped) {
            (MutexKind::Blocking, "lock", false, true) => Some((m, false)),
            (MutexKind::RwLock, "write", true, false) => Some((m, false)),
            (MutexKind::RwLock, "read", true, false) => Some((m, true)),
            (MutexKind::Semaphore { .. }, "acquire", true, true) => Some((m, false)),
            (MutexKind::Blocking | MutexKind::RwLock | MutexKind::Semaphore { .. }, ..) => None,
            (_, "lock", true, false) => Some((m, false)),
            _ => None,
        }
    }

    /// A write statement: `*g += n`, `g.insert(k, v)`, `add(&mut *g, n)`...
    fn write(&self, e: &Expr, cx: &TaskCx) -> R<Option<(Place, WriteAction)>> {
        let by = |n: &Expr, neg: bool| -> R<i64> {
            let v = int(n).ok_or_else(|| CodeError::at(n.pos, "expected a whole number"))?;
            let v = if neg { -v } else { v };
            i64::try_from(v).map_err(|_| CodeError::at(n.pos, "this number does not fit in an i64"))
        };
        Ok(match &e.kind {
            ExprKind::Assign(op @ ("+=" | "-="), target, n) => match self.place(target, cx) {
                Some(p) => Some((p, WriteAction::Increment { by: by(n, *op == "-=")? })),
                None => None,
            },
            ExprKind::Assign("=", target, rhs) => match self.place(target, cx) {
                Some(p) => {
                    let action = if self.is_now(rhs, cx) {
                        WriteAction::SetNow
                    } else if let Some(by) = self.read_plus(rhs, cx) {
                        WriteAction::ReadPlus { by }
                    } else {
                        WriteAction::Set { value: self.value(rhs)? }
                    };
                    Some((p, action))
                }
                None => None,
            },
            ExprKind::Method(recv, m, args) => {
                let Some(p) = self.place_of_guard(recv, cx) else { return Ok(None) };
                match (m.as_str(), args.as_slice()) {
                    ("insert", [k, v]) => {
                        let key = string(k).ok_or_else(|| CodeError::at(k.pos, "a map's key must be a string"))?;
                        if self.is_now(v, cx) {
                            Some((p, WriteAction::InsertNow { key }))
                        } else {
                            let inner = match &v.kind {
                                ExprKind::Unary(UnOp::Ref, inner) => inner,
                                _ => v,
                            };
                            Some((p, WriteAction::Insert { key, value: self.value(inner)? }))
                        }
                    }
                    ("push", [v]) => Some((p, WriteAction::Push { value: self.value(v)? })),
                    _ => None,
                }
            }
            ExprKind::Call(f, args) if !args.is_empty() => {
                let Some(name) = as_path(f).and_then(|p| p.last()) else { return Ok(None) };
                let target = match &args[0].kind {
                    ExprKind::Unary(UnOp::RefMut, inner) => self.place(inner, cx),
                    _ => None,
                };
                let Some(p) = target else { return Ok(None) };
                match (name.as_str(), &args[1..]) {
                    ("add", [n]) => Some((p, WriteAction::Increment { by: by(n, false)? })),
                    ("push", [v]) => Some((p, WriteAction::Push { value: self.value(v)? })),
                    ("insert", [k, v]) => {
                        let key = string(k).ok_or_else(|| CodeError::at(k.pos, "a map's key must be a string"))?;
                        Some((p, WriteAction::Insert { key, value: self.value(v)? }))
                    }
                    ("insert_now", [k, _]) => {
                        let key = string(k).ok_or_else(|| CodeError::at(k.pos, "a map's key must be a string"))?;
                        Some((p, WriteAction::InsertNow { key }))
                    }
                    _ => None,
                }
            }
            _ => None,
        })
    }

    /// A read: `*g`, `g.clone()`, `g.get(k)[.cloned()]`, their `try_lock` forms, or
    /// through a temporary guard.
    fn read(&self, e: &Expr, cx: &TaskCx) -> Option<(Place, Option<String>)> {
        match &e.kind {
            ExprKind::Unary(UnOp::Deref, _) => self.place(e, cx).map(|p| (p, None)),
            ExprKind::Method(recv, m, args) => match (m.as_str(), args.as_slice()) {
                ("clone" | "cloned" | "copied", []) => {
                    // `g.clone()`, `g.get(k).cloned()`, `g.as_deref().ok().cloned()`.
                    if let Some(r) = self.read(recv, cx) {
                        return Some(r);
                    }
                    self.place_of_guard(recv, cx).map(|p| (p, None))
                }
                ("get", [k]) => Some((self.place_of_guard(recv, cx)?, Some(string(k)?))),
                ("ok", []) => match &recv.kind {
                    ExprKind::Method(g, d, a) if d == "as_deref" && a.is_empty() => {
                        self.place_of_guard(g, cx).map(|p| (p, None))
                    }
                    _ => None,
                },
                ("and_then", [f]) => {
                    let (p, _) = self.read(recv, cx)?;
                    match &f.kind {
                        ExprKind::Closure(_, body) => match &body.kind {
                            ExprKind::Method(inner, c, _) if c == "cloned" => match &inner.kind {
                                ExprKind::Method(_, g, a) if g == "get" && a.len() == 1 => {
                                    Some((p, Some(string(&a[0])?)))
                                }
                                _ => None,
                            },
                            _ => None,
                        },
                        _ => None,
                    }
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// A condition on a value (`v` in `wait_until(|v| ..)`, `&*g` in a `poll_fn`, or the
    /// place of an assertion): `*v >= 3`, `*v == json!(..)`, `non_empty(v)`...
    fn condition(&self, e: &Expr, is_value: &dyn Fn(&Expr) -> bool) -> R<Condition> {
        let bad = || CodeError::at(e.pos, "this condition is not supported: use `>= n`, `== value` or `non_empty(..)`");
        let peel = |e: &Expr| -> bool {
            let mut e = e;
            loop {
                if is_value(e) {
                    return true;
                }
                match &e.kind {
                    ExprKind::Unary(UnOp::Deref | UnOp::Ref, inner) | ExprKind::Paren(inner) => e = inner,
                    _ => return false,
                }
            }
        };
        match &e.kind {
            ExprKind::Lit(Lit::Bool(true)) => Ok(Condition::NonEmpty),
            ExprKind::Binary(">=", a, b) if peel(a) => {
                let n = int(b).and_then(|n| i64::try_from(n).ok()).ok_or_else(bad)?;
                Ok(Condition::AtLeast { value: n })
            }
            ExprKind::Binary("==", a, b) if peel(a) => Ok(Condition::Equals { value: self.value(b)? }),
            ExprKind::Call(f, args) if args.len() == 1 && path_is(f, &["non_empty"]) && peel(&args[0]) => {
                Ok(Condition::NonEmpty)
            }
            ExprKind::Unary(UnOp::Not, inner) => match &inner.kind {
                ExprKind::Method(v, m, a) if m == "is_empty" && a.is_empty() && peel(v) => Ok(Condition::NonEmpty),
                _ => Err(bad()),
            },
            ExprKind::Method(recv, m, args) if m == "is_some_and" && args.len() == 1 => {
                let ok_recv =
                    matches!(&recv.kind, ExprKind::Method(v, a, x) if a == "as_i64" && x.is_empty() && peel(v));
                let n = match &args[0].kind {
                    ExprKind::Closure(_, body) => match &body.kind {
                        ExprKind::Binary(">=", _, n) => int(n).and_then(|n| i64::try_from(n).ok()),
                        _ => None,
                    },
                    _ => None,
                };
                match (ok_recv, n) {
                    (true, Some(value)) => Ok(Condition::AtLeast { value }),
                    _ => Err(bad()),
                }
            }
            _ => Err(bad()),
        }
    }

    /// `Duration::from_millis(n)` / `from_secs(n)`, in ms.
    fn duration(&self, e: &Expr) -> R<u64> {
        let bad = || CodeError::at(e.pos, "expected `Duration::from_millis(n)` or `Duration::from_secs(n)`");
        match &e.kind {
            ExprKind::Call(f, args) if args.len() == 1 => {
                let unit = match as_path(f).and_then(|p| p.last()).map(String::as_str) {
                    Some("from_millis") => 1,
                    Some("from_secs") => 1000,
                    _ => return Err(bad()),
                };
                let n = int(&args[0]).and_then(|n| u64::try_from(n).ok()).ok_or_else(bad)?;
                n.checked_mul(unit).ok_or_else(|| CodeError::at(e.pos, "this duration is too long"))
            }
            _ => Err(bad()),
        }
    }

    // ----- statements -----

    fn block_stmts(&mut self, stmts: &[Stmt], out: &mut Out, cx: &mut TaskCx) -> R<()> {
        let mut i = 0;
        let top = cx.main && self.scopes.len() == 1;
        while i < stmts.len() {
            // Main's last statement: what it leaves held is dropped as main ends.
            self.at_tail = top && i + 1 == stmts.len();
            // `Ok(())` closing a main that returns a `Result`.
            if let (true, Stmt::Expr(Expr { kind: ExprKind::Call(f, a), .. }, false)) = (self.at_tail, &stmts[i]) {
                if path_is(f, &["Ok"])
                    && matches!(a.as_slice(), [Expr { kind: ExprKind::Tuple(t), .. }] if t.is_empty())
                {
                    break;
                }
            }
            i += self.stmt(&stmts[i..], out, cx)?;
        }
        Ok(())
    }

    /// Reads the first of `stmts` (and the ones after it that belong to it, as a
    /// `wait_until`'s drop): how many were read.
    fn stmt(&mut self, stmts: &[Stmt], out: &mut Out, cx: &mut TaskCx) -> R<usize> {
        match &stmts[0] {
            Stmt::Item(item) => Err(CodeError::at(item.pos, "items inside a function are not supported")),
            Stmt::Let { pos, pat, ty, init, has_else } => {
                let optional = |t: &Type| t.path.last().is_some_and(|s| s == "Option");
                if cx.main && ty.as_ref().is_some_and(|t| t.args.first().is_some_and(optional)) {
                    self.main_explicit = true;
                }
                if *has_else {
                    return Err(CodeError::at(*pos, "`let .. else` is not supported"));
                }
                let Some(init) = init else {
                    return Err(CodeError::at(*pos, "a `let` without a value is not supported"));
                };
                self.let_stmt(*pos, pat, init, &stmts[1..], out, cx)
            }
            Stmt::Expr(e, _) => {
                self.expr_stmt(e, out, cx)?;
                Ok(1)
            }
        }
    }

    fn let_stmt(
        &mut self,
        pos: Pos,
        pat: &Pat,
        init: &Expr,
        rest: &[Stmt],
        out: &mut Out,
        cx: &mut TaskCx,
    ) -> R<usize> {
        let name = match &pat.kind {
            PatKind::Ident { name, .. } => name.clone(),
            PatKind::Wild => "_".to_string(),
            _ => return Err(CodeError::at(pat.pos, "only `let name = ..` and `let _ = ..` are supported")),
        };
        let at = line(pos);
        // Main's own bindings.
        if cx.main {
            if let Some(kind) = self.new_mutex(init)? {
                if self.mutexes.len() >= 1_000 {
                    return Err(CodeError::at(pos, "more than 1,000 mutexes"));
                }
                // After it, `// "name"`, `// policy: lifo` or `// "name"; policy: lifo`.
                let (mut display, mut kind) = (None, kind);
                let one_name = |t: &str| Self::names_in(t).filter(|n| n.len() == 1).and_then(|mut n| n.pop());
                for c in self.comments_on(at).filter(|c| c.pos.offset > pos.offset) {
                    let text = c.text.trim();
                    let (named, policy) = match text.strip_prefix("policy:") {
                        Some(policy) => (None, Some(policy)),
                        // The name's literal may hold anything, `; policy:` too: the last one
                        // is the separator.
                        None => match (one_name(text), text.rfind("; policy:")) {
                            (Some(n), _) => (Some(n), None),
                            (None, Some(i)) => (one_name(&text[..i]), Some(&text[i + "; policy:".len()..])),
                            (None, None) => (None, None),
                        },
                    };
                    display = display.or(named);
                    if let Some(policy) = policy {
                        kind = self.policy(kind, policy.trim(), c.pos)?;
                    }
                }
                let display = display.unwrap_or_else(|| name.clone());
                let initial = match kind {
                    MutexKind::Semaphore { .. } => Value::Null,
                    _ => self.value(mutex_arg(init).unwrap_or(init))?,
                };
                self.mutexes.push(MutexSpec { name: display, kind, initial });
                self.mutex_lines.push(at);
                self.bind(&name, Bind::Mutex(self.mutexes.len() - 1));
                return Ok(1);
            }
            if let Some(b) = self.container(init) {
                self.bind(&name, b);
                return Ok(1);
            }
            if let ExprKind::Async(block) = &init.kind {
                self.bind(&name, Bind::Deferred(block.clone()));
                self.main_name = self.names_above(pos).filter(|n| n.len() == 1).and_then(|mut n| n.pop());
                return Ok(1);
            }
            if let ExprKind::Method(recv, m, args) = &init.kind {
                if m == "run_until" && args.len() == 1 && self.is_local_set(recv, cx) {
                    if let ExprKind::Async(block) = &args[0].kind {
                        self.bind(&name, Bind::Deferred(block.clone()));
                        self.main_name = self.names_above(pos).filter(|n| n.len() == 1).and_then(|mut n| n.pop());
                        return Ok(1);
                    }
                }
            }
            if let Some(block) = self.main_wrapper(init, cx)? {
                self.bind(&name, Bind::Other);
                // A guard taken in the block is dropped at its end, unless that is main's.
                let drops = !self.at_tail;
                self.scoped(&block.stmts, out, cx, drops)?;
                return Ok(1);
            }
            if let Some(k) = self.spawn(init, pos, out, cx)? {
                self.bind(&name, Bind::Handle(k));
                return Ok(1);
            }
            if self.join(init, out, cx)? {
                self.bind(&name, Bind::Other);
                return Ok(1);
            }
        }
        if self.is_fn_call(init, CLOCKS) {
            self.bind(&name, Bind::Clock);
            return Ok(1);
        }
        if matches!(&init.kind, ExprKind::Tuple(t) if t.is_empty()) {
            self.bind(&name, Bind::Other);
            return Ok(1);
        }
        // An alias of a mutex: `let db = db.clone();`.
        if let Some(m) = self.mutex(init, cx) {
            self.bind(&name, Bind::Mutex(m));
            return Ok(1);
        }
        self.await_point(cx, init)?;
        // Guards.
        if let Some((step, mutex, how)) = self.take_guard(init, cx)? {
            if name == "_" {
                // `let _ =` drops what it is given at once.
                if how == How::Fallible {
                    return Err(CodeError::at(pos, "`let _ =` drops this guard at once: bind it to a name"));
                }
                out.push(step, at);
                out.push(Step::Unlock { mutex: self.mutex_name(mutex) }, at);
                return Ok(1);
            }
            out.push(step, at);
            self.bind(&name, Bind::Guard { mutex, how, live: true });
            return Ok(1);
        }
        if let ExprKind::Await(inner) = &init.kind {
            if let ExprKind::Method(recv, w, args) = &inner.kind {
                if w == "wait_until" && args.len() == 1 {
                    return self.wait_until(pos, &name, recv, &args[0], rest, out, cx);
                }
            }
        }
        if let Some(n) = self.broken_wait(init, at, out, cx)? {
            {
                self.last_read = Some(name.to_string());
                self.bind(&name, Bind::Register);
            }
            return Ok(n);
        }
        // Reads.
        if let Some((place, key)) = self.read(init, cx) {
            self.through(place, at, out, |mutex| Step::Read { mutex, key: key.clone() });
            {
                self.last_read = Some(name.to_string());
                self.bind(&name, Bind::Register);
            }
            return Ok(1);
        }
        if let Some(hint) = self.lock_hint(init, cx) {
            return Err(CodeError::at(init.pos, hint));
        }
        if let ExprKind::Method(recv, m, _) = &init.kind {
            let blocking = self.mutex(recv, cx).is_some_and(|i| self.mutexes[i].kind == MutexKind::Blocking);
            if m == "lock" && blocking {
                return Err(CodeError::at(init.pos, "`.lock()` of a std Mutex returns a `Result`: add `.unwrap()`"));
            }
            if m == "lock"
                || m == "wait_until"
                || (matches!(m.as_str(), "read" | "write" | "acquire") && self.mutex(recv, cx).is_some())
            {
                return Err(CodeError::at(
                    init.pos,
                    format!("`.{m}()` makes a future: add `.await` to wait for the guard"),
                ));
            }
        }
        Err(CodeError::at(init.pos, format!("{} is not supported as the value of `let {name}`", describe(init))))
    }

    /// `m.lock().await`, `m.try_lock()`, `timeout(d, m.lock()).await`: the step that takes
    /// the guard, the mutex, and how the guard is held.
    fn take_guard(&self, e: &Expr, cx: &TaskCx) -> R<Option<(Step, usize, How)>> {
        if let Some((m, shared)) = self.lock_call(e, cx) {
            let mutex = self.mutex_name(m);
            let step = if shared { Step::ReadLock { mutex } } else { Step::Lock { mutex } };
            return Ok(Some((step, m, How::Plain)));
        }
        if let ExprKind::Method(recv, m, args) = &e.kind {
            if let (Some(mx), true) = (self.mutex(recv, cx), args.is_empty()) {
                if m == self.mutexes[mx].kind.try_lock_method() {
                    return Ok(Some((Step::TryLock { mutex: self.mutex_name(mx) }, mx, How::Fallible)));
                }
            }
        }
        if let ExprKind::Await(inner) = &e.kind {
            if let ExprKind::Call(f, args) = &inner.kind {
                if args.len() == 2 && self.is_fn(f, &[&["tokio", "time", "timeout"]]) {
                    let ms = self.duration(&args[0])?;
                    let m = match &args[1].kind {
                        ExprKind::Method(recv, l, a) if a.is_empty() => {
                            self.mutex(recv, cx).filter(|&m| l == self.mutexes[m].kind.lock_method())
                        }
                        _ => None,
                    };
                    let m = m.ok_or_else(|| {
                        CodeError::at(args[1].pos, "a `timeout` here must wrap `m.lock()` (`write()`, `acquire()`)")
                    })?;
                    return Ok(Some((Step::LockTimeout { mutex: self.mutex_name(m), ms }, m, How::Fallible)));
                }
            }
        }
        Ok(None)
    }

    /// Emits `make(mutex)` through `place`: a guard held, or a temporary one (lock, step,
    /// unlock on one line).
    fn through(&self, place: Place, at: u32, out: &mut Out, make: impl Fn(String) -> Step) {
        let (m, temp) = match place {
            Place::Guard(_, m, _) | Place::Ok(m) => (m, false),
            Place::Temp(m) => (m, true),
        };
        let name = self.mutex_name(m);
        if temp {
            // A temporary guard only reads: an rwlock's is a read lock.
            let step = match self.mutexes[m].kind {
                MutexKind::RwLock => Step::ReadLock { mutex: name.clone() },
                _ => Step::Lock { mutex: name.clone() },
            };
            out.push(step, at);
        }
        out.push(make(name.clone()), at);
        if temp {
            out.push(Step::Unlock { mutex: name }, at);
        }
    }

    fn is_fn_call(&self, e: &Expr, names: &[&[&str]]) -> bool {
        matches!(&e.kind, ExprKind::Call(f, args) if args.is_empty() && self.is_fn(f, names))
    }

    fn is_local_set(&self, e: &Expr, cx: &TaskCx) -> bool {
        single_name(e).is_some_and(|n| matches!(self.lookup(n, cx), Some(Bind::LocalSet)))
    }

    /// The kind a `// policy: ..` comment gives a tokio `Mutex` (the code generator's note
    /// of the playground's policies, which tokio has no lock for): `barging`, `lifo`,
    /// `eventually_fair after 10 ms`.
    fn policy(&self, kind: MutexKind, text: &str, at: Pos) -> R<MutexKind> {
        let mut words = text.split_whitespace();
        let policy = match (words.next(), words.next(), words.next(), words.next(), words.next()) {
            (Some("barging"), None, ..) => MutexKind::Barging,
            (Some("lifo"), None, ..) => MutexKind::Lifo,
            (Some("eventually_fair"), None, ..) => {
                MutexKind::EventuallyFair { after_ms: crate::scenario::DEFAULT_FAIR_AFTER_MS }
            }
            (Some("eventually_fair"), Some("after"), Some(n), Some("ms"), None) => match n.parse() {
                Ok(after_ms) => MutexKind::EventuallyFair { after_ms },
                Err(_) => return Err(CodeError::at(at, format!("`{n}` is not a number of milliseconds"))),
            },
            _ => {
                return Err(CodeError::at(
                    at,
                    "a `policy:` comment names `barging`, `lifo` or `eventually_fair after N ms`",
                ))
            }
        };
        if kind != MutexKind::Async {
            return Err(CodeError::at(at, "a `policy:` comment is for a `tokio::sync::Mutex`"));
        }
        Ok(policy)
    }

    /// `Arc::new(Mutex::new(v))` and its kinds: `None` if `e` is not a new mutex.
    fn new_mutex(&self, e: &Expr) -> R<Option<MutexKind>> {
        let inner = match &e.kind {
            ExprKind::Call(f, args) if args.len() == 1 && path_is(f, &["Arc", "new"]) => &args[0],
            _ => e,
        };
        let ExprKind::Call(f, args) = &inner.kind else { return Ok(None) };
        let Some(p) = as_path(f) else { return Ok(None) };
        if args.len() != 1 || p.last().map(String::as_str) != Some("new") || p.len() < 2 {
            return Ok(None);
        }
        let ty = self.resolve(&p[..p.len() - 1]);
        Ok(match ty.as_slice() {
            ["std", "sync", "Mutex"] | ["parking_lot", "Mutex"] => Some(MutexKind::Blocking),
            ["std", "sync", "RwLock"] | ["parking_lot", "RwLock"] => {
                return Err(CodeError::at(inner.pos, "a blocking RwLock is not supported: use `tokio::sync::RwLock`"));
            }
            [.., "WakeOnWrite"] => Some(MutexKind::Watch),
            // The barging mutexes of other crates.
            ["futures", .., "Mutex"] | ["async_lock", "Mutex"] => Some(MutexKind::Barging),
            [.., "Mutex"] => Some(MutexKind::Async),
            [.., "RwLock"] => Some(MutexKind::RwLock),
            [.., "Semaphore"] => {
                let n = int(&args[0]).ok_or_else(|| CodeError::at(args[0].pos, "expected the number of permits"))?;
                let permits = u32::try_from(n).map_err(|_| CodeError::at(args[0].pos, "too many permits"))?;
                Some(MutexKind::Semaphore { permits })
            }
            [.., "Notify" | "RefCell" | "Cell"] => {
                return Err(CodeError::at(inner.pos, format!("`{}` is not supported yet", ty.join("::"))));
            }
            _ => None,
        })
    }

    /// `Vec::new()`, `vec![]`, `JoinSet::new()`, `LocalSet::new()`: a place for handles.
    fn container(&self, e: &Expr) -> Option<Bind> {
        match &e.kind {
            ExprKind::Call(f, args) => {
                let p = as_path(f)?;
                match p.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
                    [.., "Vec", "new" | "with_capacity"] | [.., "JoinSet", "new"] => Some(Bind::Handles(Vec::new())),
                    [.., "LocalSet", "new"] if args.is_empty() => Some(Bind::LocalSet),
                    _ => None,
                }
            }
            ExprKind::Macro(p, body) if p.last().is_some_and(|s| s == "vec") && body.is_empty() => {
                Some(Bind::Handles(Vec::new()))
            }
            _ => None,
        }
    }

    /// Records that main awaits here: spawning after it is not supported.
    fn await_point(&mut self, cx: &TaskCx, e: &Expr) -> R<()> {
        if cx.main && contains_await(e) {
            self.main_awaited = true;
        }
        Ok(())
    }

    fn expr_stmt(&mut self, e: &Expr, out: &mut Out, cx: &mut TaskCx) -> R<()> {
        let at = line(e.pos);
        if cx.main {
            if self.spawn(e, e.pos, out, cx)?.is_some() || self.join(e, out, cx)? {
                return Ok(());
            }
            if let Some(block) = self.main_wrapper(e, cx)? {
                let drops = !self.at_tail;
                return self.scoped(&block.stmts, out, cx, drops);
            }
            if let ExprKind::For(_, range, body) = &e.kind {
                if contains_spawn(body) {
                    return self.spawn_loop(e.pos, range, body, out, cx);
                }
            }
        }
        if let Some((place, action)) = self.write(e, cx)? {
            self.await_point(cx, e)?;
            let step = |mutex: String| match place {
                Place::Temp(_) => Step::LockedWrite { mutex, action: action.clone() },
                _ => Step::Write { mutex, action: action.clone() },
            };
            match place {
                Place::Temp(m) => out.push(step(self.mutex_name(m)), at),
                Place::Guard(_, m, How::Plain) => out.push(step(self.mutex_name(m)), at),
                Place::Guard(ref g, _, How::Fallible) => {
                    return Err(CodeError::at(
                        e.pos,
                        format!(
                            "`{g}` may hold no guard (a `try_lock` or `timeout`): \
                             write through `if let Ok(g) = {g}.as_mut()`"
                        ),
                    ))
                }
                Place::Ok(m) => out.push(step(self.mutex_name(m)), at),
            }
            return Ok(());
        }
        // `guard = m.lock().await;`: a guard variable let go earlier, taken again.
        if let ExprKind::Assign("=", lhs, rhs) = &e.kind {
            let name = single_name(lhs).map(str::to_string);
            let dead =
                name.as_deref().is_some_and(|n| matches!(self.lookup(n, cx), Some(Bind::Guard { live: false, .. })));
            if let (Some(name), true) = (name, dead) {
                let Some((step, mutex, how)) = self.take_guard(rhs, cx)? else { return Err(unsupported(e)) };
                self.await_point(cx, rhs)?;
                out.push(step, at);
                if let Some(b) = self.lookup_mut(&name) {
                    *b = Bind::Guard { mutex, how, live: true };
                }
                return Ok(());
            }
        }
        match &e.kind {
            ExprKind::Macro(path, body) => self.macro_stmt(e, path, body.clone(), out, cx),
            ExprKind::Call(f, args) if path_is(f, &["drop"]) && args.len() == 1 => {
                let Some((g, m, _)) = self.guard(&args[0], cx) else {
                    return Err(CodeError::at(args[0].pos, "`drop` here must name a guard that is held"));
                };
                if let Some(Bind::Guard { live, .. }) = self.lookup_mut(&g) {
                    *live = false;
                }
                out.push(Step::Unlock { mutex: self.mutex_name(m) }, at);
                Ok(())
            }
            ExprKind::Call(f, args) if args.len() == 1 && self.is_fn(f, &[&["std", "thread", "sleep"]]) => {
                out.push(Step::Busy { ms: self.duration(&args[0])? }, at);
                Ok(())
            }
            ExprKind::Call(f, _) if self.is_fn(f, &[&["tokio", "time", "sleep"], &["tokio", "task", "yield_now"]]) => {
                Err(CodeError::at(e.pos, format!("{} makes a future that is never awaited: add `.await`", describe(e))))
            }
            ExprKind::Await(inner) => {
                self.await_point(cx, e)?;
                match &inner.kind {
                    ExprKind::Call(f, args) if args.len() == 1 && self.is_fn(f, &[&["tokio", "time", "sleep"]]) => {
                        out.push(Step::Sleep { ms: self.duration(&args[0])? }, at);
                        Ok(())
                    }
                    ExprKind::Call(f, args) if args.is_empty() && self.is_fn(f, &[&["tokio", "task", "yield_now"]]) => {
                        out.push(Step::Yield, at);
                        Ok(())
                    }
                    _ if self.lock_call(e, cx).is_some() => {
                        // `m.lock().await;`: locks, and drops the guard at once.
                        let (m, shared) = self.lock_call(e, cx).unwrap_or((0, false));
                        let mutex = self.mutex_name(m);
                        out.push(
                            if shared {
                                Step::ReadLock { mutex: mutex.clone() }
                            } else {
                                Step::Lock { mutex: mutex.clone() }
                            },
                            at,
                        );
                        out.push(Step::Unlock { mutex }, at);
                        Ok(())
                    }
                    _ => match self.broken_wait(e, at, out, cx)? {
                        Some(_) => Ok(()),
                        None => Err(unsupported(inner)),
                    },
                }
            }
            ExprKind::Block(block) => self.scoped(&block.stmts, out, cx, true),
            ExprKind::For(_, range, body) => {
                let times = self.range_count(range)?;
                let mut inner = Out::default();
                self.scoped(&body.stmts, &mut inner, cx, true)?;
                out.steps.push(Step::Repeat { times, steps: inner.steps });
                out.lines.push(at);
                out.lines.extend(inner.lines);
                Ok(())
            }
            ExprKind::Loop(_) => Err(CodeError::at(
                e.pos,
                "`loop` is supported only as a task's whole body (it then runs until the limits): use `for _ in 0..n`",
            )),
            ExprKind::If(cond, then, None) => self.if_ok_write(e, cond, then, out, cx),
            ExprKind::Match(scrutinee, arms) => self.match_assert(e, scrutinee, arms, out, cx),
            _ => Err(unsupported(e)),
        }
    }

    /// `if let Ok(g) = guard.as_mut() { **g ..; }`: a write through a fallible guard.
    fn if_ok_write(&mut self, e: &Expr, cond: &Cond, then: &Block, out: &mut Out, cx: &mut TaskCx) -> R<()> {
        let Cond::Let(Pat { kind: PatKind::TupleStruct(ok, pats), .. }, scrutinee) = cond else {
            return Err(unsupported(e));
        };
        let bound = match pats.as_slice() {
            [Pat { kind: PatKind::Ident { name, .. }, .. }] if ok.len() == 1 && ok[0] == "Ok" => name,
            _ => return Err(unsupported(e)),
        };
        let guard = match &scrutinee.kind {
            ExprKind::Method(g, m, a) if m == "as_mut" && a.is_empty() => self.guard(g, cx),
            _ => None,
        };
        let Some((_, m, How::Fallible)) = guard else { return Err(unsupported(e)) };
        self.scopes.push(Scope::default());
        self.bind(bound, Bind::OkGuard(m));
        let r = match then.stmts.as_slice() {
            [Stmt::Expr(w, _)] => match self.write(w, cx)? {
                Some((Place::Ok(_), action)) => {
                    out.push(Step::Write { mutex: self.mutex_name(m), action }, line(e.pos));
                    Ok(())
                }
                _ => Err(CodeError::at(w.pos, format!("expected a write through `**{bound}`"))),
            },
            _ => Err(CodeError::at(then.pos, "this `if let Ok(..)` must hold one write")),
        };
        self.scopes.pop();
        r
    }

    /// `match guard.as_deref() { Ok(v) => assert..(*v ..), Err(_) => assert..(*m.lock().await ..) }`:
    /// an assertion through a `try_lock`'s guard, or a temporary one if it failed.
    fn match_assert(&mut self, e: &Expr, scrutinee: &Expr, arms: &[Arm], out: &mut Out, cx: &mut TaskCx) -> R<()> {
        let guard = match &scrutinee.kind {
            ExprKind::Method(g, m, a) if m == "as_deref" && a.is_empty() => self.guard(g, cx),
            _ => None,
        };
        let (Some((_, m, How::Fallible)), [ok, _err]) = (guard, arms) else { return Err(unsupported(e)) };
        let bound = match &ok.pat.kind {
            PatKind::TupleStruct(p, pats) if p.len() == 1 && p[0] == "Ok" => match pats.as_slice() {
                [Pat { kind: PatKind::Ident { name, .. }, .. }] => name.clone(),
                _ => return Err(unsupported(e)),
            },
            _ => return Err(unsupported(e)),
        };
        let ExprKind::Macro(path, body) = &ok.body.kind else { return Err(unsupported(&ok.body)) };
        self.scopes.push(Scope::default());
        self.bind(&bound, Bind::Guard { mutex: m, how: How::Plain, live: true });
        let mut inner = Out::default();
        let r = self.macro_stmt(&ok.body, path, body.clone(), &mut inner, cx);
        self.scopes.pop();
        r?;
        match inner.steps.as_slice() {
            [Step::Assert { .. }] => {
                out.steps.extend(inner.steps);
                out.lines.push(line(e.pos));
                Ok(())
            }
            _ => Err(CodeError::at(ok.body.pos, "expected an assertion here")),
        }
    }

    /// Statements in a new scope; at its end, guards taken in it and still held are
    /// dropped, newest first (unless `implicit`: the end of a task's round drops them).
    fn scoped(&mut self, stmts: &[Stmt], out: &mut Out, cx: &mut TaskCx, drops: bool) -> R<()> {
        self.scopes.push(Scope::default());
        let r = self.block_stmts(stmts, out, cx);
        let scope = self.scopes.pop().unwrap_or_default();
        r?;
        if drops {
            let end = stmts.last().map_or(0, stmt_line);
            for (_, b) in scope.vars.iter().rev() {
                if let Bind::Guard { mutex, live: true, .. } = b {
                    out.push(Step::Unlock { mutex: self.mutex_name(*mutex) }, end);
                }
            }
        }
        Ok(())
    }

    fn range_count(&self, e: &Expr) -> R<u32> {
        let bad = || CodeError::at(e.pos, "a loop here must be `for _ in 0..n` with a number n");
        let ExprKind::Range(Some(lo), Some(hi), inclusive) = &e.kind else { return Err(bad()) };
        let (lo, hi) = (int(lo).ok_or_else(bad)?, int(hi).ok_or_else(bad)?);
        let n = (hi - lo + *inclusive as i128).max(0);
        u32::try_from(n)
            .ok()
            .filter(|&n| n <= 1_000_000)
            .ok_or_else(|| CodeError::at(e.pos, "at most 1,000,000 rounds"))
    }

    fn macro_stmt(
        &mut self,
        e: &Expr,
        path: &[String],
        body: std::ops::Range<usize>,
        out: &mut Out,
        cx: &mut TaskCx,
    ) -> R<()> {
        let at = line(e.pos);
        let name = path.join("::");
        match path.last().map(String::as_str) {
            Some("println" | "eprintln") if path.len() == 1 => {
                let args = self.args(body.clone())?;
                let step = match args.as_slice() {
                    [] => Step::Print { text: String::new() },
                    [fmt] => {
                        let Some(text) = string(fmt).filter(|_| matches!(fmt.kind, ExprKind::Lit(_))) else {
                            return Err(CodeError::at(fmt.pos, format!("`{name}!` takes a string literal")));
                        };
                        self.format_line(&text, fmt.pos)?
                    }
                    [_, more, ..] => {
                        return Err(CodeError::at(
                            more.pos,
                            format!(
                                "`{name}!` with arguments is not supported: print literal text, or use `dbg!(value)`"
                            ),
                        ))
                    }
                };
                out.push(step, at);
                Ok(())
            }
            Some("dbg") if path.len() == 1 => {
                let args = self.args(body.clone())?;
                match args.as_slice() {
                    [arg] if single_name(arg).is_some() => {
                        let name = single_name(arg).unwrap_or("value").to_string();
                        match self.lookup(&name, cx) {
                            Some(Bind::Register) if !self.is_last_read(&name, cx) => Err(CodeError::at(
                                arg.pos,
                                format!("`{name}` is not the value read last: the playground keeps one per task"),
                            )),
                            Some(Bind::Register | Bind::Other) => {
                                out.push(Step::Dbg { name }, at);
                                Ok(())
                            }
                            _ => Err(CodeError::at(
                                arg.pos,
                                format!("`dbg!` prints a value the task read: `{name}` is not one"),
                            )),
                        }
                    }
                    _ => Err(CodeError::at(e.pos, "`dbg!` takes one name (what the task read)")),
                }
            }
            Some("assert_eq" | "assert") if path.len() == 1 => self.assert(e, path, body, out, cx),
            Some("select") if matches!(self.resolve(path).as_slice(), ["tokio", "select"] | ["select"]) => {
                self.select(e, body, out, cx)
            }
            _ => Err(CodeError::at(e.pos, format!("`{name}!` is not supported"))),
        }
    }

    /// `tokio::select! { biased; _ = sleep(d) => { .. } guard = m.lock() => { .. } }` (an
    /// rwlock's `write()`, a semaphore's `Ok(guard) = pool.acquire()`): a `select` step, its
    /// first branch's statements its `timed_out` steps, its second's its `locked` ones. The
    /// guard is dropped at the end of its branch: that drop is the step's own, not a step.
    fn select(&mut self, e: &Expr, body: std::ops::Range<usize>, out: &mut Out, cx: &mut TaskCx) -> R<()> {
        const SHAPE: &str = "the playground's `select!` is `tokio::select! { biased; \
                             _ = sleep(Duration::from_millis(n)) => { .. } guard = m.lock() => { .. } }`";
        let depth = self.nest.get() + 1;
        if depth > super::parse::MAX_DEPTH {
            return Err(CodeError::at(
                e.pos,
                format!("the program nests more than {} levels deep here", super::parse::MAX_DEPTH),
            ));
        }
        let select = parse_select(&self.lexed.tokens, body, depth)?;
        let first = select.arms.first().map_or(e.pos, |a| a.pos);
        if select.biased.is_none() {
            return Err(CodeError::at(
                first,
                format!(
                    "a `select!` here starts with `biased;` (its branches polled in order, the sleep first): {SHAPE}"
                ),
            ));
        }
        for arm in &select.arms {
            if arm.branch.is_none() {
                return Err(CodeError::at(arm.pos, format!("an `else` branch is not supported: {SHAPE}")));
            }
            if let Some(cond) = &arm.cond {
                return Err(CodeError::at(cond.pos, format!("a branch's `, if` condition is not supported: {SHAPE}")));
            }
        }
        let branches: Vec<(&Pat, &Expr, &Expr, Pos)> =
            select.arms.iter().filter_map(|a| a.branch.as_ref().map(|(pat, fut)| (pat, fut, &a.body, a.pos))).collect();
        let [(sleep_pat, sleep, timed_out, _), (lock_pat, lock, locked, lock_at)] = branches.as_slice() else {
            let at = select.arms.get(2).map_or(e.pos, |a| a.pos);
            return Err(CodeError::at(
                at,
                format!("a `select!` here has two branches, the sleep then the lock: {SHAPE}"),
            ));
        };
        // The sleep: first, and bound to nothing.
        let is_sleep = |f: &Expr| match &f.kind {
            ExprKind::Call(g, a) => a.len() == 1 && self.is_fn(g, &[&["tokio", "time", "sleep"]]),
            _ => false,
        };
        if !is_sleep(sleep) {
            let message = if is_sleep(lock) {
                format!("the sleep's branch comes first here (it is polled first): {SHAPE}")
            } else {
                format!("the first branch here is `_ = sleep(Duration::from_millis(n)) => {{ .. }}`: {SHAPE}")
            };
            return Err(CodeError::at(sleep.pos, message));
        }
        if !matches!(sleep_pat.kind, PatKind::Wild) {
            return Err(CodeError::at(sleep_pat.pos, "the sleep's branch binds nothing here: `_ = sleep(..)`"));
        }
        let ExprKind::Call(_, args) = &sleep.kind else { return Err(unsupported(sleep)) };
        let ms = self.duration(&args[0])?;
        // The lock: the lock call's future itself (not awaited), of an async lock.
        if let ExprKind::Await(inner) = &lock.kind {
            if matches!(inner.kind, ExprKind::Method(..)) {
                return Err(CodeError::at(lock.pos, "a `select!` branch takes the future itself: remove the `.await`"));
            }
        }
        let m = match &lock.kind {
            ExprKind::Method(recv, method, a) if a.is_empty() => self.mutex(recv, cx).filter(|&m| {
                let kind = self.mutexes[m].kind;
                kind != MutexKind::Blocking && method == kind.lock_method()
            }),
            _ => None,
        };
        let Some(m) = m else {
            let blocking = matches!(&lock.kind, ExprKind::Method(recv, ..)
                if self.mutex(recv, cx).is_some_and(|m| self.mutexes[m].kind == MutexKind::Blocking));
            let message = if blocking {
                "a std Mutex's `lock()` is no future: `select!` races an async lock with the sleep".to_string()
            } else {
                format!("the second branch here locks a mutex: `guard = m.lock()` (`write()`, `acquire()`): {SHAPE}")
            };
            return Err(CodeError::at(lock.pos, message));
        };
        let semaphore = matches!(self.mutexes[m].kind, MutexKind::Semaphore { .. });
        let name_of = |p: &Pat| match &p.kind {
            PatKind::Ident { name, .. } => Some(name.clone()),
            _ => None,
        };
        let guard = match (&lock_pat.kind, semaphore) {
            (PatKind::TupleStruct(ok, pats), true) if ok.len() == 1 && ok[0] == "Ok" && pats.len() == 1 => {
                name_of(&pats[0])
            }
            (_, true) => {
                return Err(CodeError::at(
                    lock_pat.pos,
                    "a semaphore's `acquire()` gives a `Result`: bind its permit with `Ok(guard) = pool.acquire()`",
                ))
            }
            (PatKind::Wild, false) => {
                return Err(CodeError::at(lock_pat.pos, "bind the guard to a name: `_` would drop it at once"))
            }
            (_, false) => name_of(lock_pat),
        };
        let Some(guard) = guard else {
            return Err(CodeError::at(lock_pat.pos, "the lock's branch binds the guard to a name: `guard = m.lock()`"));
        };
        if cx.main {
            self.main_awaited = true;
        }
        let stmts = |handler: &Expr| -> Vec<Stmt> {
            match &handler.kind {
                ExprKind::Block(b) => b.stmts.clone(),
                ExprKind::Tuple(t) if t.is_empty() => Vec::new(),
                _ => vec![Stmt::Expr(handler.clone(), true)],
            }
        };
        let (timed_stmts, locked_stmts) = (stmts(timed_out), stmts(locked));
        let at = line(e.pos);
        let lock_line = line(*lock_at);
        self.nest.set(depth);
        let r = self.select_branches(m, &guard, (&timed_stmts, &locked_stmts), lock_line, cx);
        self.nest.set(depth - 1);
        let (timed, locked) = r?;
        out.steps.push(Step::Select { mutex: self.mutex_name(m), ms, locked: locked.steps, timed_out: timed.steps });
        out.lines.push(at);
        out.lines.extend(locked.lines);
        out.lines.extend(timed.lines);
        Ok(())
    }

    /// A `select!`'s two branches, each a scope: the sleep's, and the lock's with `guard`
    /// bound to mutex `m`'s guard (dropped at its end without a step, if still held).
    fn select_branches(
        &mut self,
        m: usize,
        guard: &str,
        (timed_out, locked): (&[Stmt], &[Stmt]),
        lock_line: u32,
        cx: &mut TaskCx,
    ) -> R<(Out, Out)> {
        let mut timed = Out::default();
        self.scoped(timed_out, &mut timed, cx, true)?;
        let mut held = Out::default();
        self.scopes.push(Scope::default());
        self.bind(guard, Bind::Guard { mutex: m, how: How::Plain, live: true });
        let r = self.block_stmts(locked, &mut held, cx);
        let scope = self.scopes.pop().unwrap_or_default();
        r?;
        let end = locked.last().map_or(lock_line, stmt_line);
        for (_, b) in scope.vars.iter().rev() {
            match b {
                // The select's guard (or the branch's own guard of its mutex) goes with the step.
                Bind::Guard { mutex, live: true, .. } if *mutex == m => {}
                Bind::Guard { mutex, live: true, .. } => {
                    held.push(Step::Unlock { mutex: self.mutex_name(*mutex) }, end)
                }
                _ => {}
            }
        }
        Ok((timed, held))
    }

    /// `println!("..")`'s text (braces unescaped), or, for `"name = {value:#?}"`, a `dbg`.
    fn format_line(&self, text: &str, pos: Pos) -> R<Step> {
        if let Some(prefix) = text.strip_suffix(" = {value:#?}") {
            if !prefix.contains(['{', '}']) || prefix.contains("{{") || prefix.contains("}}") {
                return Ok(Step::Dbg { name: prefix.replace("{{", "{").replace("}}", "}") });
            }
        }
        let mut out = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' | '}' if chars.peek() == Some(&c) => {
                    chars.next();
                    out.push(c);
                }
                '{' | '}' => {
                    return Err(CodeError::at(
                        pos,
                        "`println!` with format arguments is not supported: print literal text, or use `dbg!(value)`",
                    ))
                }
                c => out.push(c),
            }
        }
        Ok(Step::Print { text: out })
    }

    fn assert(
        &mut self,
        e: &Expr,
        path: &[String],
        body: std::ops::Range<usize>,
        out: &mut Out,
        cx: &mut TaskCx,
    ) -> R<()> {
        let args = self.args(body)?;
        let at = line(e.pos);
        let (subject, cond) = match (path[0].as_str(), args.as_slice()) {
            ("assert_eq", [a, b, ..]) => (a, Condition::Equals { value: self.value(b)? }),
            ("assert", [c, ..]) => {
                let subject = condition_subject(c).ok_or_else(|| unsupported(c))?;
                (subject, Condition::NonEmpty)
            }
            _ => return Err(CodeError::at(e.pos, "this assertion takes a value and what it must be")),
        };
        let place = self.place(subject, cx).or_else(|| self.place_of_guard(subject, cx));
        let Some(place) = place else {
            return Err(CodeError::at(subject.pos, "an assertion here must be on a mutex's value (`*m.lock().await`)"));
        };
        let until = if path[0] == "assert" {
            let c = &args[0];
            let is_value = |x: &Expr| std::ptr::eq(x, subject);
            self.condition(c, &is_value)?
        } else {
            cond
        };
        self.await_point(cx, e)?;
        let m = match place {
            Place::Guard(_, m, How::Plain) | Place::Temp(m) => m,
            _ => return Err(CodeError::at(subject.pos, "an assertion here must go through a held guard or a lock")),
        };
        out.push(Step::Assert { mutex: self.mutex_name(m), until }, at);
        Ok(())
    }

    /// `let g = m.wait_until(|v| cond).await; [let value = take(&mut *g);] drop(g);`: one
    /// `wait_until` step.
    #[allow(clippy::too_many_arguments)]
    fn wait_until(
        &mut self,
        pos: Pos,
        name: &str,
        recv: &Expr,
        f: &Expr,
        rest: &[Stmt],
        out: &mut Out,
        cx: &mut TaskCx,
    ) -> R<usize> {
        let m = self.mutex(recv, cx).ok_or_else(|| CodeError::at(recv.pos, "`wait_until` here must be on a mutex"))?;
        if self.mutexes[m].kind != MutexKind::Watch {
            return Err(CodeError::at(recv.pos, "`wait_until` needs a `WakeOnWrite` cell"));
        }
        let ExprKind::Closure(params, body) = &f.kind else {
            return Err(CodeError::at(f.pos, "`wait_until` takes a closure `|v| condition`"));
        };
        let param = match params.as_slice() {
            [Pat { kind: PatKind::Ident { name, .. }, .. }] => name.clone(),
            _ => return Err(CodeError::at(f.pos, "`wait_until`'s closure takes one value `|v|`")),
        };
        let is_value = |x: &Expr| single_name(x) == Some(param.as_str());
        let until = self.condition(body, &is_value)?;
        let mut used = 1;
        let mut take = false;
        if let Some(Stmt::Let { pat: Pat { kind: PatKind::Ident { name: v, .. }, .. }, init: Some(init), .. }) =
            rest.first()
        {
            if is_take(init, name) {
                take = true;
                used += 1;
                {
                    self.last_read = Some(v.to_string());
                    self.bind(v, Bind::Register);
                }
            }
        }
        match rest.get(used - 1) {
            Some(Stmt::Expr(Expr { kind: ExprKind::Call(f, a), .. }, _))
                if path_is(f, &["drop"]) && a.len() == 1 && single_name(&a[0]) == Some(name) => {}
            _ => {
                return Err(CodeError::at(pos, format!("after `wait_until`, drop its guard: `drop({name});` next")));
            }
        }
        self.await_point(cx, recv)?;
        out.push(Step::WaitUntil { mutex: self.mutex_name(m), until, take }, line(pos));
        Ok(used + 1)
    }

    /// Seed 004's bug: `poll_fn(|_cx| match m.try_lock() { Ok(g) if cond => Poll::Ready(..),
    /// _ => Poll::Pending }).await`.
    fn broken_wait(&mut self, e: &Expr, at: u32, out: &mut Out, cx: &mut TaskCx) -> R<Option<usize>> {
        let ExprKind::Await(call) = &e.kind else { return Ok(None) };
        let ExprKind::Call(f, args) = &call.kind else { return Ok(None) };
        if args.len() != 1 || !path_is(f, &["poll_fn"]) {
            return Ok(None);
        }
        let bad =
            |p: Pos| CodeError::at(p, "this `poll_fn` is not supported: only seed 004's `match m.try_lock() { .. }`");
        let ExprKind::Closure(_, body) = &args[0].kind else { return Err(bad(args[0].pos)) };
        let ExprKind::Match(scrutinee, arms) = &body.kind else { return Err(bad(body.pos)) };
        let m = match &scrutinee.kind {
            ExprKind::Method(recv, t, a) if t == "try_lock" && a.is_empty() => self.mutex(recv, cx),
            _ => None,
        };
        let m = m.ok_or_else(|| bad(scrutinee.pos))?;
        let [first, _rest] = arms.as_slice() else { return Err(bad(body.pos)) };
        let g = match &first.pat.kind {
            PatKind::TupleStruct(ok, pats) if ok.len() == 1 && ok[0] == "Ok" => match pats.as_slice() {
                [Pat { kind: PatKind::Ident { name, .. }, .. }] => name.clone(),
                _ => return Err(bad(first.pat.pos)),
            },
            _ => return Err(bad(first.pat.pos)),
        };
        let until = match &first.guard {
            Some(c) => self.condition(c, &|x: &Expr| single_name(x) == Some(g.as_str()))?,
            None => Condition::NonEmpty,
        };
        let take = match &first.body.kind {
            ExprKind::Call(_, ready) => ready.first().is_some_and(|r| is_take(r, &g)),
            _ => false,
        };
        self.await_point(cx, e)?;
        out.push(Step::BrokenWait { mutex: self.mutex_name(m), until, take }, at);
        Ok(Some(1))
    }

    // ----- main: spawns and joins -----

    /// `tokio::spawn(fut)` (and `task::spawn`, `set.spawn`, `local.spawn_local`...),
    /// wrapped in `handles.push(..)` or awaited at once: the new task's index.
    fn spawn(&mut self, e: &Expr, pos: Pos, out: &mut Out, cx: &mut TaskCx) -> R<Option<usize>> {
        // `handles.push(spawn(..))`, `spawn(..).await.unwrap()`.
        match &e.kind {
            ExprKind::Method(recv, m, args) if m == "push" && args.len() == 1 => {
                if let Some(n) = single_name(recv) {
                    if matches!(self.lookup(n, cx), Some(Bind::Handles(_))) {
                        let n = n.to_string();
                        let inner = match &args[0].kind {
                            ExprKind::Call(s, a) if a.len() == 1 && path_is(s, &["Some"]) => {
                                self.main_explicit = true;
                                &a[0]
                            }
                            _ => &args[0],
                        };
                        if let Some(k) = self.spawn(inner, pos, out, cx)? {
                            if let Some(Bind::Handles(v)) = self.lookup_mut(&n) {
                                v.push(k);
                            }
                            return Ok(Some(k));
                        }
                    }
                }
            }
            ExprKind::Method(inner, m, _) if m == "unwrap" || m == "expect" => {
                if let ExprKind::Await(spawned) = &inner.kind {
                    return self.spawn_and_join(spawned, pos, out, cx);
                }
            }
            ExprKind::Try(inner) | ExprKind::Await(inner) => {
                let spawned = match &inner.kind {
                    ExprKind::Await(s) => s,
                    _ => inner,
                };
                if matches!(e.kind, ExprKind::Await(_)) || matches!(inner.kind, ExprKind::Await(_)) {
                    return self.spawn_and_join(spawned, pos, out, cx);
                }
            }
            _ => {}
        }
        let fut = match &e.kind {
            ExprKind::Call(f, args) if args.len() == 1 => {
                let spawns: &[&[&str]] =
                    &[&["tokio", "spawn"], &["tokio", "task", "spawn"], &["tokio", "task", "spawn_local"]];
                if !self.is_fn(f, spawns) {
                    return Ok(None);
                }
                &args[0]
            }
            ExprKind::Method(recv, m, args) if (m == "spawn" || m == "spawn_local") && args.len() == 1 => {
                let Some(n) = single_name(recv) else { return Ok(None) };
                match self.lookup(n, cx) {
                    Some(Bind::Handles(_)) => {
                        let n = n.to_string();
                        let k = self.spawn_task(&args[0], pos, cx)?;
                        if let Some(Bind::Handles(v)) = self.lookup_mut(&n) {
                            v.push(k);
                        }
                        return Ok(Some(k));
                    }
                    Some(Bind::LocalSet) => &args[0],
                    _ => return Ok(None),
                }
            }
            _ => return Ok(None),
        };
        self.spawn_task(fut, pos, cx).map(Some)
    }

    fn spawn_and_join(&mut self, spawned: &Expr, pos: Pos, out: &mut Out, cx: &mut TaskCx) -> R<Option<usize>> {
        let Some(k) = self.spawn(spawned, pos, out, cx)? else { return Ok(None) };
        self.main_awaited = true;
        out.push(Step::Join { task: Some(k as u32) }, line(pos));
        Ok(Some(k))
    }

    /// A spawned future: `async move { .. }` or `{ let db = db.clone(); async move { .. } }`.
    fn spawn_task(&mut self, fut: &Expr, pos: Pos, cx: &mut TaskCx) -> R<usize> {
        if self.main_awaited {
            return Err(CodeError::at(pos, "spawning after main has awaited is not supported: spawn every task first"));
        }
        if self.tasks.len() >= crate::scenario::MAX_TASKS {
            return Err(CodeError::at(pos, format!("more than {} tasks", crate::scenario::MAX_TASKS)));
        }
        self.scopes.push(Scope::default());
        let boundary = self.scopes.len();
        let body = match &fut.kind {
            ExprKind::Async(b) => Ok(b),
            ExprKind::Block(b) => {
                let mut body = None;
                for (i, s) in b.stmts.iter().enumerate() {
                    match s {
                        Stmt::Let { pat: Pat { kind: PatKind::Ident { name, .. }, .. }, init: Some(init), .. }
                            if self.mutex(init, cx).is_some() =>
                        {
                            let m = self.mutex(init, cx).unwrap_or(0);
                            self.bind(name, Bind::Mutex(m));
                        }
                        Stmt::Expr(Expr { kind: ExprKind::Async(inner), .. }, false) if i + 1 == b.stmts.len() => {
                            body = Some(inner)
                        }
                        other => {
                            self.scopes.pop();
                            return Err(CodeError::at(
                                stmt_pos(other),
                                "before the `async move` block, only `let x = x.clone();`",
                            ));
                        }
                    }
                }
                body.ok_or_else(|| CodeError::at(fut.pos, "a spawned block must end with `async move { .. }`"))
            }
            _ => Err(CodeError::at(fut.pos, "spawn an `async move { .. }` block")),
        };
        let body = match body {
            Ok(b) => b,
            Err(e) => {
                self.scopes.pop();
                return Err(e);
            }
        };
        let mut tcx = TaskCx { main: false, boundary };
        let r = self.task_body(body, &mut tcx);
        self.scopes.pop();
        let (spec, lines) = r?;
        let name = self.names_above(pos).filter(|n| n.len() == 1).and_then(|mut n| n.pop());
        self.tasks.push(Task { name, line: line(pos), spec, lines });
        Ok(self.tasks.len() - 1)
    }

    /// A task's body: an optional start delay, then `loop { .. }` (forever), `for _round in
    /// 0..n { .. }` (n rounds), or the steps once.
    fn task_body(&mut self, body: &Block, cx: &mut TaskCx) -> R<(TaskSpec, Vec<u32>)> {
        self.last_read = None;
        let mut stmts: &[Stmt] = &body.stmts;
        let mut spec =
            TaskSpec { name: String::new(), start_ms: 0, repeat: 1, forever: false, main: false, steps: Vec::new() };
        self.scopes.push(Scope::default());
        // `let value = ();` (the register before any read).
        // and `let start = Instant::now();`.
        while let Some(Stmt::Let { pat: Pat { kind: PatKind::Ident { name, .. }, .. }, init: Some(init), .. }) =
            stmts.first()
        {
            if matches!(&init.kind, ExprKind::Tuple(t) if t.is_empty()) {
                self.bind(name, Bind::Other);
            } else if self.is_fn_call(init, CLOCKS) {
                self.bind(name, Bind::Clock);
            } else {
                break;
            }
            stmts = &stmts[1..];
        }
        if let Some(Stmt::Expr(e @ Expr { kind: ExprKind::Await(inner), .. }, _)) = stmts.first() {
            let delay = self.comments_on(e.pos.line).any(|c| c.text.trim() == "start delay");
            if let (true, ExprKind::Call(f, args)) = (delay, &inner.kind) {
                if args.len() == 1 && self.is_fn(f, &[&["tokio", "time", "sleep"]]) {
                    spec.start_ms = self.duration(&args[0])?;
                    stmts = &stmts[1..];
                }
            }
        }
        let mut out = Out::default();
        let r = match stmts {
            [Stmt::Expr(Expr { kind: ExprKind::Loop(b), pos }, _)] => {
                spec.forever = true;
                // `loop { // repeat: 3 (unused: forever)`: the count the model keeps.
                let noted =
                    self.comments_on(pos.line).find_map(|c| c.text.trim().strip_prefix("repeat: ").map(str::to_string));
                if let Some(n) = noted.and_then(|n| n.split(' ').next().and_then(|n| n.parse().ok())) {
                    spec.repeat = n;
                }
                self.scoped(&b.stmts, &mut out, cx, false)
            }
            [Stmt::Expr(
                Expr { kind: ExprKind::For(Pat { kind: PatKind::Ident { name, .. }, .. }, range, b), .. },
                _,
            )] if name == "_round" => match self.range_count(range) {
                Ok(n) => {
                    spec.repeat = n;
                    self.scoped(&b.stmts, &mut out, cx, false)
                }
                Err(e) => Err(e),
            },
            _ => self.scoped(stmts, &mut out, cx, false),
        };
        self.scopes.pop();
        r?;
        spec.steps = out.steps;
        Ok((spec, out.lines))
    }

    /// `for _ in 0..n { [let x = x.clone();] spawn(..) }` in main: n tasks alike.
    fn spawn_loop(&mut self, pos: Pos, range: &Expr, body: &Block, out: &mut Out, cx: &mut TaskCx) -> R<()> {
        let n = self.range_count(range)?;
        if n as usize > crate::scenario::MAX_TASKS {
            return Err(CodeError::at(range.pos, format!("more than {} tasks", crate::scenario::MAX_TASKS)));
        }
        let first = self.tasks.len();
        self.scopes.push(Scope::default());
        let before = out.steps.len();
        let r = self.block_stmts(&body.stmts, out, cx);
        self.scopes.pop();
        r?;
        if out.steps.len() != before {
            return Err(CodeError::at(
                pos,
                "a `for` loop in main that spawns may only clone and spawn: move its other statements out",
            ));
        }
        if self.tasks.len() != first + 1 {
            return Err(CodeError::at(pos, "a `for` loop in main may spawn one task per round"));
        }
        let names = self.names_above(pos).filter(|v| v.len() == n as usize);
        let task = self.tasks.pop().ok_or_else(|| CodeError::at(pos, "no task spawned"))?;
        // Bounded before it is copied: validation would refuse more, after the copies.
        let each = count_steps(&task.spec.steps) as usize;
        let so_far: usize = self.tasks.iter().map(|t| count_steps(&t.spec.steps) as usize).sum();
        if so_far + each * n as usize > crate::scenario::MAX_STEPS_TOTAL {
            return Err(CodeError::at(
                pos,
                format!("these tasks have more than {} steps in all", crate::scenario::MAX_STEPS_TOTAL),
            ));
        }
        // The handles the round pushed: one per round now.
        for scope in &mut self.scopes {
            for (_, b) in &mut scope.vars {
                if let Bind::Handles(v) = b {
                    if v.last() == Some(&first) {
                        v.pop();
                        v.extend(first..first + n as usize);
                    }
                }
            }
        }
        for k in 0..n as usize {
            let name = names.as_ref().map(|v| v[k].clone());
            self.tasks.push(Task { name, line: line(pos), spec: task.spec.clone(), lines: task.lines.clone() });
        }
        Ok(())
    }

    /// Joins in main: `h.await`, `for h in handles { h.await; }`, `while let Some(_) =
    /// set.join_next().await {}`, `join_all(handles).await`... Whether `e` was one.
    fn join(&mut self, e: &Expr, out: &mut Out, cx: &mut TaskCx) -> R<bool> {
        let at = line(e.pos);
        let handles = |l: &Self, e: &Expr| -> Option<Vec<usize>> {
            let e = match &e.kind {
                ExprKind::Method(inner, m, _) if matches!(m.as_str(), "drain" | "into_iter" | "iter_mut") => inner,
                ExprKind::Method(inner, m, _) if m == "filter_map" => match &inner.kind {
                    ExprKind::Method(inner2, _, _) => inner2,
                    _ => inner,
                },
                _ => e,
            };
            match l.lookup(single_name(e)?, cx) {
                Some(Bind::Handles(v)) => Some(v.clone()),
                _ => None,
            }
        };
        let mut joined: Option<Vec<usize>> = None;
        // One handle (not a collection that happens to hold every task).
        let mut single = false;
        let awaited = strip_result(e);
        match &awaited.kind {
            ExprKind::Await(h) => match &h.kind {
                ExprKind::Path(_) => match single_name(h).and_then(|n| self.lookup(n, cx)) {
                    Some(Bind::Handle(k)) => {
                        joined = Some(vec![*k]);
                        single = true;
                    }
                    Some(Bind::Moved) => return Err(moved(single_name(h).unwrap_or("this"), h.pos)),
                    Some(Bind::Deferred(_)) => {
                        let drops = !self.at_tail;
                        if let Some(block) = single_name(h).and_then(|n| self.take_deferred(n, cx)) {
                            self.scoped(&block.stmts, out, cx, drops)?;
                        }
                        return Ok(true);
                    }
                    _ => {}
                },
                ExprKind::Call(f, args) if args.len() == 1 && path_is(f, &["join_all"]) => {
                    joined = handles(self, &args[0])
                }
                _ => {}
            },
            ExprKind::For(pat, coll, body) if block_awaits(body) => {
                joined = handles(self, coll);
                if joined.is_some() && !awaits_only(pat, body) {
                    return Err(CodeError::at(
                        body.pos,
                        "a loop over the handles may only await each one: move the rest after the loop",
                    ));
                }
            }
            ExprKind::While(cond, body) if body.stmts.is_empty() => {
                if let Cond::Let(_, Expr { kind: ExprKind::Await(inner), .. }) = cond.as_ref() {
                    if let ExprKind::Method(set, m, _) = &inner.kind {
                        if m == "join_next" {
                            joined = handles(self, set);
                        }
                    }
                }
            }
            ExprKind::If(cond, body, None) => {
                // `if let Some(task) = tasks[k].take() { let _ = task.await; }`
                if let Cond::Let(_, Expr { kind: ExprKind::Method(idx, m, _), .. }) = cond.as_ref() {
                    if let (ExprKind::Index(coll, i), "take") = (&idx.kind, m.as_str()) {
                        let all = handles(self, coll);
                        let k = int(i).and_then(|i| usize::try_from(i).ok());
                        if let (Some(all), Some(k), false) = (all, k, body.stmts.is_empty()) {
                            joined = all.get(k).map(|&t| vec![t]);
                            single = true;
                        }
                    }
                }
            }
            _ => {}
        }
        let Some(tasks) = joined else { return Ok(false) };
        self.main_awaited = true;
        if tasks.len() == self.tasks.len() && !single {
            out.push(Step::Join { task: None }, at);
        } else {
            for k in tasks {
                out.push(Step::Join { task: Some(k as u32) }, at);
            }
        }
        Ok(true)
    }

    /// `timeout(Duration::from_millis(n), all).await` (the limit) or `local.run_until(async
    /// move { .. }).await`: main's body inside.
    fn main_wrapper(&mut self, e: &Expr, cx: &TaskCx) -> R<Option<Block>> {
        let ExprKind::Await(inner) = &strip_result(e).kind else { return Ok(None) };
        let inner_block = |l: &mut Self, x: &Expr| -> Option<Block> {
            match &x.kind {
                ExprKind::Async(b) => Some(b.clone()),
                ExprKind::Path(_) => l.take_deferred(single_name(x)?, cx),
                ExprKind::Method(recv, m, args) if m == "run_until" && args.len() == 1 && l.is_local_set(recv, cx) => {
                    match &args[0].kind {
                        ExprKind::Async(b) => Some(b.clone()),
                        _ => None,
                    }
                }
                _ => None,
            }
        };
        match &inner.kind {
            ExprKind::Call(f, args) if args.len() == 2 && self.is_fn(f, &[&["tokio", "time", "timeout"]]) => {
                let Some(block) = inner_block(self, &args[1]) else { return Ok(None) };
                self.limits.max_time_ms = self.duration(&args[0])?;
                Ok(Some(block))
            }
            _ => Ok(inner_block(self, inner)),
        }
    }

    /// The `async` block bound to `name`, moved out of its variable (as awaiting it moves
    /// it in Rust): awaiting it again, or from inside itself, is then an error.
    fn take_deferred(&mut self, name: &str, cx: &TaskCx) -> Option<Block> {
        if !matches!(self.lookup(name, cx), Some(Bind::Deferred(_))) {
            return None;
        }
        match self.lookup_mut(name).map(|b| std::mem::replace(b, Bind::Moved)) {
            Some(Bind::Deferred(block)) => Some(block),
            _ => None,
        }
    }

    // ----- the end -----

    fn finish(mut self, name: String, description: String, main: Out) -> R<Lowered> {
        if self.tasks.is_empty() && main.steps.is_empty() && !self.main_explicit {
            return Err(CodeError::at(Pos { line: 1, col: 1, offset: 0 }, "the program spawns no task"));
        }
        if let Some(n) = self.lexed.comments.iter().find_map(|c| steps_of_work(&c.text)) {
            self.limits.max_steps = n;
        }
        // Main is a task unless all it does is wait for every task (or nothing).
        let waits_for_all = |s: &[Step]| s.iter().all(|s| matches!(s, Step::Join { task: None }));
        let has_main = self.main_explicit || !waits_for_all(&main.steps) || self.tasks.is_empty();
        let shift = has_main as usize;
        let mut tasks = Vec::new();
        let mut lines = Vec::new();
        if has_main {
            let mut steps = main.steps;
            shift_joins(&mut steps, 1);
            let name = self.main_name.take().unwrap_or_else(|| "main".into());
            tasks.push(TaskSpec { name, start_ms: 0, repeat: 1, forever: false, main: true, steps });
            let main_line = main.lines.first().copied().unwrap_or(1);
            lines.push(("tasks[0]".to_string(), main_line));
            place_lines(&tasks[0].steps, &main.lines, "tasks[0]", &mut lines);
        }
        for (k, t) in self.tasks.into_iter().enumerate() {
            let i = k + shift;
            let mut spec = t.spec;
            spec.name = t.name.unwrap_or_else(|| format!("task {}", k + 1));
            lines.push((format!("tasks[{i}]"), t.line));
            place_lines(&spec.steps, &t.lines, &format!("tasks[{i}]"), &mut lines);
            tasks.push(spec);
        }
        for (i, &l) in self.mutex_lines.iter().enumerate() {
            lines.push((format!("mutexes[{i}]"), l));
        }
        lines.sort();
        let scenario = Scenario { name, description, mutexes: self.mutexes, tasks, limits: self.limits };
        Ok(Lowered { scenario, lines })
    }
}

/// A place a step goes through.
#[derive(Clone, Debug)]
enum Place {
    /// A guard held in a variable.
    Guard(String, usize, How),
    /// The `Ok` inside `if let Ok(g) = guard.as_mut()`.
    Ok(usize),
    /// A temporary guard: `m.lock().await`.
    Temp(usize),
}

fn mutex_arg(e: &Expr) -> Option<&Expr> {
    let inner = match &e.kind {
        ExprKind::Call(f, args) if args.len() == 1 && path_is(f, &["Arc", "new"]) => &args[0],
        _ => e,
    };
    match &inner.kind {
        ExprKind::Call(_, args) if args.len() == 1 => Some(&args[0]),
        _ => None,
    }
}

/// `take(&mut *g)` or `std::mem::take(&mut *g)`.
fn is_take(e: &Expr, guard: &str) -> bool {
    match &e.kind {
        ExprKind::Call(f, args) if args.len() == 1 && path_is(f, &["take"]) => match &args[0].kind {
            ExprKind::Unary(UnOp::RefMut, inner) => match &inner.kind {
                ExprKind::Unary(UnOp::Deref, g) => single_name(g) == Some(guard),
                _ => false,
            },
            _ => false,
        },
        _ => false,
    }
}

/// `e` without `.unwrap()`, `.expect(..)`, `?`, `let _ =`.
fn strip_result(e: &Expr) -> &Expr {
    match &e.kind {
        ExprKind::Method(inner, m, _) if m == "unwrap" || m == "expect" => strip_result(inner),
        ExprKind::Try(inner) => strip_result(inner),
        _ => e,
    }
}

/// What an `assert!` is about: the left of `>=`/`==`, the argument of `non_empty`...
fn condition_subject(c: &Expr) -> Option<&Expr> {
    condition_subject_inner(c).map(|e| match &e.kind {
        ExprKind::Unary(UnOp::Ref, inner) => &**inner,
        _ => e,
    })
}

fn condition_subject_inner(c: &Expr) -> Option<&Expr> {
    match &c.kind {
        ExprKind::Binary(_, a, _) => Some(a),
        ExprKind::Call(_, args) if args.len() == 1 => Some(&args[0]),
        ExprKind::Unary(UnOp::Not, inner) => match &inner.kind {
            ExprKind::Method(v, _, _) => Some(v),
            _ => None,
        },
        ExprKind::Method(recv, _, _) => match &recv.kind {
            ExprKind::Method(v, _, _) => Some(v),
            _ => None,
        },
        _ => None,
    }
}

fn contains_await(e: &Expr) -> bool {
    let mut found = false;
    visit(e, &mut |x| found |= matches!(x.kind, ExprKind::Await(_)));
    found
}

/// `{ h.await; }` (or `let _ = h.await;`, `.unwrap()`, `?`): the body of a join loop.
fn awaits_only(pat: &Pat, body: &Block) -> bool {
    let PatKind::Ident { name, .. } = &pat.kind else { return false };
    let awaits_h = |e: &Expr| matches!(&strip_result(e).kind, ExprKind::Await(h) if single_name(h) == Some(name));
    match body.stmts.as_slice() {
        [Stmt::Expr(e, _)] => awaits_h(e),
        [Stmt::Let { init: Some(e), .. }] => awaits_h(e),
        _ => false,
    }
}

/// Whether the module `full` (a glob's path) has `name` among the ones this reads.
fn globbed(full: &[String], name: &str) -> bool {
    let module: Vec<&str> = full.iter().map(String::as_str).collect();
    match module.as_slice() {
        ["std", "sync"] => matches!(name, "Mutex" | "RwLock" | "Arc"),
        ["tokio", "sync"] => matches!(name, "Mutex" | "RwLock" | "Semaphore"),
        ["tokio", "task"] => matches!(name, "spawn" | "yield_now" | "JoinSet" | "LocalSet"),
        ["tokio", "time"] => matches!(name, "sleep" | "timeout" | "Instant"),
        ["tokio"] => name == "spawn",
        ["std", "time"] => name == "Instant",
        _ => false,
    }
}

fn count_steps(steps: &[Step]) -> u32 {
    steps.iter().map(|s| 1 + s.bodies().map(|(_, body)| count_steps(body)).sum::<u32>()).sum()
}

fn block_awaits(b: &Block) -> bool {
    let mut found = false;
    visit_block(b, &mut |x| found |= matches!(x.kind, ExprKind::Await(_)));
    found
}

fn contains_spawn(b: &Block) -> bool {
    let mut found = false;
    visit_block(b, &mut |x| {
        found |= match &x.kind {
            ExprKind::Call(f, _) => path_is(f, &["spawn"]) || path_is(f, &["spawn_local"]),
            ExprKind::Method(_, m, _) => m == "spawn" || m == "spawn_local",
            _ => false,
        }
    });
    found
}

/// Calls `f` on every expression in the block's statements, as [`visit`] does.
fn visit_block(b: &Block, f: &mut dyn FnMut(&Expr)) {
    for s in &b.stmts {
        match s {
            Stmt::Let { init: Some(i), .. } => visit(i, f),
            Stmt::Expr(x, _) => visit(x, f),
            _ => {}
        }
    }
}

/// Calls `f` on `e` and every expression inside it (not inside closures' or async blocks'
/// bodies: they run elsewhere).
fn visit(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    let block = visit_block;
    match &e.kind {
        ExprKind::Call(a, args) => {
            visit(a, f);
            args.iter().for_each(|x| visit(x, f));
        }
        ExprKind::Method(a, _, args) => {
            visit(a, f);
            args.iter().for_each(|x| visit(x, f));
        }
        ExprKind::Field(a, _)
        | ExprKind::Await(a)
        | ExprKind::Try(a)
        | ExprKind::Unary(_, a)
        | ExprKind::Cast(a, _) => visit(a, f),
        ExprKind::Paren(a) => visit(a, f),
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) | ExprKind::Assign(_, a, b) => {
            visit(a, f);
            visit(b, f);
        }
        ExprKind::Tuple(xs) | ExprKind::Array(xs) => xs.iter().for_each(|x| visit(x, f)),
        ExprKind::Block(b) | ExprKind::Unsafe(b) | ExprKind::Loop(b) => block(b, f),
        ExprKind::For(_, it, b) => {
            visit(it, f);
            block(b, f);
        }
        ExprKind::While(c, b) => {
            match c.as_ref() {
                Cond::Expr(x) | Cond::Let(_, x) => visit(x, f),
            }
            block(b, f);
        }
        ExprKind::If(c, b, other) => {
            match c.as_ref() {
                Cond::Expr(x) | Cond::Let(_, x) => visit(x, f),
            }
            block(b, f);
            if let Some(o) = other {
                visit(o, f);
            }
        }
        ExprKind::Match(x, arms) => {
            visit(x, f);
            arms.iter().for_each(|a| visit(&a.body, f));
        }
        _ => {}
    }
}

fn stmt_pos(s: &Stmt) -> Pos {
    match s {
        Stmt::Let { pos, .. } => *pos,
        Stmt::Expr(e, _) => e.pos,
        Stmt::Item(i) => i.pos,
    }
}

fn stmt_line(s: &Stmt) -> u32 {
    stmt_pos(s).line
}

/// `N steps of work` in a comment (the generator's note of the step limit).
fn steps_of_work(text: &str) -> Option<u32> {
    if !text.trim_start().starts_with("The scenario's limits:") {
        return None;
    }
    let at = text.find(" steps of work")?;
    let digits: String = text[..at].chars().rev().take_while(|c| c.is_ascii_digit() || *c == ',').collect();
    let digits: String = digits.chars().rev().filter(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn shift_joins(steps: &mut [Step], by: u32) {
    for s in steps {
        match s {
            Step::Join { task: Some(k) } => *k += by,
            _ => s.bodies_mut().for_each(|(_, body)| shift_joins(body, by)),
        }
    }
}

/// Pairs each step (depth first, a `select`'s `locked` before its `timed_out`) with its
/// line, under `prefix`.
fn place_lines(steps: &[Step], lines: &[u32], prefix: &str, out: &mut Vec<(String, u32)>) {
    fn go(steps: &[Step], field: &str, lines: &[u32], i: &mut usize, prefix: &str, out: &mut Vec<(String, u32)>) {
        for (j, s) in steps.iter().enumerate() {
            let path = format!("{prefix}.{field}[{j}]");
            out.push((path.clone(), lines.get(*i).copied().unwrap_or(0)));
            *i += 1;
            for (f, body) in s.bodies() {
                go(body, f, lines, i, &path, out);
            }
        }
    }
    go(steps, "steps", lines, &mut 0, prefix, out);
}
