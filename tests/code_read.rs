//! Rust in: programs read as scenarios. The seeds' programs as pasted, round trips with the
//! code generator, every error at its place, and hostile text.

#![cfg(not(target_arch = "wasm32"))]

mod gen;

use mutex_playground::code::{read, CodeError, MAX_PROGRAM_BYTES};
use mutex_playground::exec::{EventKind, Policy};
use mutex_playground::scenario::code::to_rust;
use mutex_playground::scenario::{presets, Condition, Step};
use mutex_playground::trace::simulate;
use proptest::prelude::*;

/// A seed's text: from `shared/seeds/` beside the checkout, else the copy kept here.
fn seed(prefix: &str, kept: &str) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seeds");
    std::fs::read_dir(dir)
        .ok()
        .and_then(|entries| {
            let path = entries
                .flatten()
                .map(|e| e.path())
                .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(prefix)))?;
            std::fs::read_to_string(path).ok()
        })
        .unwrap_or_else(|| kept.to_string())
}

/// The `n`th ```rust block of a text.
fn rust_block(text: &str, n: usize) -> String {
    text.split("```rust").nth(n + 1).and_then(|b| b.split("```").next()).expect("the block exists").to_string()
}

const SEED_002_PROGRAM: &str = r#"
```rust
```
```rust
use serde::Serialize;
use serde_json::Value;
use std::{
    collections::BTreeMap,
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::sync::Mutex;

async fn main() {
    let db = Arc::new(Mutex::new(Database::default()));
    tokio::task::spawn({
        let db = db.clone();
        async move {
            loop {
                println!("->read-guard");
                let guard = db.lock().await;
                let value = guard.get("my-key");
                println!("->read-sleep");
                tokio::time::sleep(Duration::from_secs(1)).await;
                println!("<-read-sleep");
                dbg!(value);
                println!("<-read-guard")
            }
        }
    });

    tokio::task::spawn(async move {
        let start = Instant::now();
        loop {
            println!("->write-guard");
            db.lock()
                .await
                .insert("my-key", &start.elapsed().as_millis());
            println!("<-write-guard");
            tokio::time::sleep(Duration::from_millis(350)).await;
        }
    })
    .await
    .unwrap();
}
```
```text
->read-guard
->read-sleep
->write-guard
<-read-sleep
[src/main.rs:55:17] value = None
<-read-guard
->read-guard
<-write-guard
->read-sleep
->write-guard
<-read-sleep
[src/main.rs:55:17] value = Some(
    Number(1002),
)
<-read-guard
->read-guard
<-write-guard
```
"#;

#[test]
fn seed_002s_second_program_runs_as_pasted_and_prints_the_seeds_log() {
    let text = seed("002_", SEED_002_PROGRAM);
    // The seed's program, wrapped in `#[tokio::main]` (its imports are its own).
    let program = rust_block(&text, 1).replace("async fn main()", "#[tokio::main]\nasync fn main()");
    let (scenario, _) = read(&program).unwrap_or_else(|e| panic!("{e}\n{program}"));
    let run = simulate(&scenario, &Policy::Fifo).unwrap();
    let log = text.split("```text").nth(1).unwrap().split("```").next().unwrap();
    let expected: Vec<String> = log
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.trim_start_matches("[src/main.rs:55:17] ").replace("1002", "1000"))
        .collect();
    let got: Vec<String> = run.transcript().into_iter().map(|l| l.text).collect();
    assert!(expected.len() >= 17);
    assert_eq!(&got[..expected.len()], &expected[..]);
    // Main waits for the writer, which never ends: the run ends at its time limit.
    assert_eq!(scenario.tasks[0].steps, [Step::Join { task: Some(2) }]);
}

const SEED_000_TEST: &str = r#"
```rust
async fn async_mutex_across_threads() {
    let mut set = JoinSet::new();
    let count = Arc::new(Mutex::new(0));

    // create 10 threads and increment the Mutex's inner value 100 times per thread
    for _ in 0..10 {
        let my_count = Arc::clone(&count);

        set.spawn(async move {
            for _ in 0..100 {
                *my_count.lock().await += 1;
            }
        });
    }

    // await all threads to complete
    while let Some(_) = set.join_next().await {}

    assert_eq!(*count.clone().lock().await, 1000);
}
```
"#;

#[test]
fn seed_000s_test_runs_as_main_and_its_assertion_holds() {
    let text = seed("000_", SEED_000_TEST);
    let block = text
        .split("```rust")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .find(|b| b.contains("async fn async_mutex_across_threads"))
        .expect("the seed's test");
    let program = format!(
        "use std::sync::Arc;\nuse tokio::sync::Mutex;\nuse tokio::task::JoinSet;\n\n{}",
        block.replace("async fn async_mutex_across_threads()", "#[tokio::main]\nasync fn main()")
    );
    let (scenario, _) = read(&program).unwrap_or_else(|e| panic!("{e}\n{program}"));
    assert_eq!(scenario.tasks.len(), 11, "main and ten tasks");
    assert_eq!(
        scenario.tasks[0].steps,
        [
            Step::Join { task: None },
            Step::Assert { mutex: "count".into(), until: Condition::Equals { value: 1000.into() } }
        ]
    );
    let run = simulate(&scenario, &Policy::Fifo).unwrap();
    let end = run.snapshot_at(run.steps());
    assert_eq!(end.mutexes[0].value, "1000");
    assert!(!run.events().iter().any(|e| matches!(e.kind, EventKind::AssertFailed { .. })), "no assertion failed");

    // The same test with a wrong expectation fails its assertion, and the run says so.
    let wrong = program.replace("1000);", "999);");
    let (scenario, _) = read(&wrong).unwrap();
    let run = simulate(&scenario, &Policy::Fifo).unwrap();
    let errors: Vec<String> = run
        .events()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::AssertFailed { message, .. } => Some(run.line(message).to_string()),
            _ => None,
        })
        .collect();
    assert!(errors.iter().any(|e| e.contains("assertion failed")), "{errors:?}");
}

#[test]
fn every_preset_reads_back_from_its_program() {
    for p in presets() {
        let program = to_rust(&p.scenario);
        let (back, read_program) = read(&program.text).unwrap_or_else(|e| panic!("{}: {e}\n{}", p.id, program.text));
        assert_eq!(back, p.scenario, "{}\n{}", p.id, program.text);
        // Each step is on the generator's line (a `poll_fn` one line below its comment).
        for (i, t) in p.scenario.tasks.iter().enumerate() {
            for j in 0..t.steps.len() {
                let path = format!("tasks[{i}].steps[{j}]");
                let (wrote, read) = (program.line_of(&path).unwrap(), read_program.line_of(&path).unwrap());
                assert!(read == wrote || read == wrote + 1, "{}: {path} at {read}, written at {wrote}", p.id);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(gen::cases(200)))]

    /// Scenario → code → scenario is the identity, for every step kind and mutex kind.
    #[test]
    fn scenario_to_code_to_scenario_is_the_identity(s in gen::scenario()) {
        let program = to_rust(&s);
        let back = read(&program.text);
        prop_assert!(back.is_ok(), "{}\n{}", back.unwrap_err(), program.text);
        let (back, _) = back.unwrap();
        prop_assert_eq!(&back, &s, "{}", program.text);
        // And code → scenario → code only normalises layout: here it is the same text.
        prop_assert_eq!(to_rust(&back).text, program.text);
    }

    /// Any text at all: an error with a place inside the text, or a scenario. No panic.
    #[test]
    fn any_text_reads_or_errs_at_a_place(src in "\\PC{0,300}") {
        check_any(&src);
    }

    /// Text made of Rust's own tokens, in any order: the parser's paths, not the lexer's.
    #[test]
    fn token_soup_reads_or_errs_at_a_place(words in proptest::collection::vec(prop_oneof![
        Just("fn"), Just("main"), Just("async"), Just("{"), Just("}"), Just("("), Just(")"), Just("let"),
        Just("="), Just(";"), Just("."), Just("await"), Just("lock"), Just("m"), Just("::"), Just("<"),
        Just(">"), Just(">>"), Just("|"), Just("||"), Just("for"), Just("in"), Just("0..3"), Just("loop"),
        Just("tokio::spawn"), Just("async move"), Just("*"), Just("+="), Just("1"), Just("\"s\""), Just("!"),
        Just("println!"), Just("json!"), Just("match"), Just("=>"), Just(","), Just("["), Just("]"),
        Just("Arc::new(Mutex::new(0))"), Just("if let Ok(g) ="), Just("drop(g)"), Just("'a"), Just("#[tokio::main]"),
    ], 0..80)) {
        check_any(&words.join(" "));
    }
}

fn check_any(src: &str) {
    match read(src) {
        Ok((s, _)) => assert!(s.validate().is_ok()),
        Err(e) => assert_place(src, &e),
    }
}

/// The error's line and column are inside the text (or just past its end).
fn assert_place(src: &str, e: &CodeError) {
    let lines: Vec<&str> = src.split('\n').collect();
    assert!(e.line >= 1 && (e.line as usize) <= lines.len(), "{e} in {} lines", lines.len());
    let width = lines[e.line as usize - 1].encode_utf16().count() as u32;
    assert!(e.col >= 1 && e.col <= width + 1, "{e}: line is {width} units");
    assert!(!e.message.is_empty());
}

#[test]
fn hostile_text_gets_an_error_with_a_place() {
    let mut garbage = String::new();
    let mut x: u32 = 12345;
    while garbage.len() < 1 << 20 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        garbage.push(char::from_u32(x % 0x11_0000).unwrap_or('\u{fffd}'));
    }
    let nested = format!("fn main() {}", "{".repeat(10_000));
    let nested_parens = format!("async fn main() {{ let x = {}; }}", "(".repeat(10_000));
    let deref = format!("async fn main() {{ {}m; }}", "*".repeat(10_000));
    let chain = format!("async fn main() {{ m{}; }}", ".x()".repeat(10_000));
    let sum = format!("async fn main() {{ let x = 1{}; }}", " + 1".repeat(10_000));
    let cases = [
        garbage.clone(),
        nested,
        nested_parens,
        deref,
        chain,
        sum,
        "async fn main() { println!(\"never closed); }".to_string(),
        "async fn main() { let s = r#\"raw".to_string(),
        "/* /* nested, unclosed */".to_string(),
        "\u{202e}async fn main() {}".to_string(),
        format!("//! {}\nasync fn main() {{}}", "x".repeat(MAX_PROGRAM_BYTES)),
    ];
    for src in &cases {
        let e = read(src).expect_err("refused");
        assert_place(src, &e);
    }
    let e = read(&cases[1]).unwrap_err();
    assert!(e.message.contains("nests more than"), "{e}");
    let e = read(&cases[10]).unwrap_err();
    assert!(e.message.contains("the limit is"), "{e}");
}

/// Each construct outside the subset is an error at its place that names it.
#[test]
fn outside_the_subset_is_an_error_that_names_the_construct() {
    let program = |body: &str| {
        format!(
            "use std::sync::Arc;\nuse tokio::sync::Mutex;\n\n#[tokio::main]\nasync fn main() {{\n    \
             let m = Arc::new(Mutex::new(0));\n    tokio::spawn(async move {{\n        {body}\n    }});\n}}\n"
        )
    };
    for (body, col, says) in [
        ("tokio::join!(m.lock(), m.lock());", 9, "`tokio::join!` is not supported"),
        // A brace-called macro ends its statement, as in Rust: the next line is its own.
        (
            "tokio::join! {}
        *m.lock().await += 1;",
            9,
            "`tokio::join!` is not supported",
        ),
        // A select of another shape: where it goes wrong, saying what the playground's is.
        ("tokio::select! { _ = m.lock() => {} }", 26, "starts with `biased;`"),
        ("let x = Point { x: 1 };", 17, "struct literals (`Point { .. }`) are not supported"),
        ("println!(\"{}\", 5);", 24, "with arguments is not supported"),
        ("tokio::task::yield_now().await; loop { }", 41, "`loop` is supported only as a task's whole body"),
        ("m.lock();", 9, "`.lock()` is not supported here"),
        ("tokio::time::sleep(Duration::from_millis(5));", 9, "never awaited"),
        ("let g = m.lock().await; drop(h);", 38, "must name a guard"),
        ("unsafe { }", 9, "`unsafe` is not supported"),
        ("let v = *m.lock().await; println!(\"{v}\");", 43, "format arguments"),
        ("let x = 'a: loop {};", 17, "loop labels"),
    ] {
        let src = program(body);
        let e = read(&src).expect_err(body);
        assert_eq!((e.line, e.col), (8, col), "{body}: {e}");
        assert!(e.message.contains(says), "{body}: {e}");
    }
    // A scenario the validator refuses is an error at the step's line.
    let src = program("drop(m.lock().await); let g = m.lock().await; let h = m.lock().await;");
    let e = read(&src).unwrap_err();
    assert_eq!(e.line, 8, "{e}");
}

#[test]
fn columns_count_what_an_editor_counts() {
    // An astral character (two UTF-16 units) before the error on the same line.
    let src = "async fn main() { println!(\"🦀\"); € }";
    let e = read(src).unwrap_err();
    // `async fn main() { println!("` is 28 units, the crab 2, `"); ` 4: the € is at 35.
    assert_eq!((e.line, e.col), (1, 35), "{e}");
}

#[test]
fn a_pasted_program_keeps_its_own_lines_and_names() {
    let src = "\
use std::sync::Arc;
use tokio::sync::Mutex;
use tokio::time::{sleep, Duration};

#[tokio::main]
async fn main() {
    let db = Arc::new(Mutex::new(Vec::new()));
    let mut handles = vec![];
    for i in 0..3 {
        let db = Arc::clone(&db);
        handles.push(tokio::spawn(async move {
            let mut list = db.lock().await;
            list.push(1);
            sleep(Duration::from_millis(10)).await;
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
}
";
    let (s, program) = read(src).unwrap();
    assert_eq!(s.name, "Rust program");
    assert_eq!(s.mutexes[0].name, "db");
    assert_eq!(s.mutexes[0].initial, serde_json::json!([]));
    assert_eq!(s.tasks.len(), 3, "joining every task is what a scenario without main means");
    assert_eq!(s.tasks[2].name, "task 3");
    assert_eq!(
        s.tasks[0].steps,
        [
            Step::Lock { mutex: "db".into() },
            Step::Write {
                mutex: "db".into(),
                action: mutex_playground::scenario::WriteAction::Push { value: 1.into() }
            },
            Step::Sleep { ms: 10 },
        ]
    );
    assert_eq!(program.line_of("tasks[1].steps[1]"), Some(13));
    assert_eq!(program.text, src);
    let run = simulate(&s, &Policy::Fifo).unwrap();
    assert_eq!(run.snapshot_at(run.steps()).mutexes[0].value, "[1,1,1]");
}

#[test]
fn scopes_drop_guards_as_rust_does() {
    let src = "\
#[tokio::main]
async fn main() {
    let a = Arc::new(Mutex::new(0));
    let b = Arc::new(Mutex::new(0));
    tokio::spawn(async move {
        for _ in 0..2 {
            let g = a.lock().await;
            {
                let mut h = b.try_lock();
                if let Ok(h) = h.as_mut() {
                    **h += 1;
                }
            }
        }
        *a.lock().await -= 2;
    });
}
";
    let (s, _) = read(src).unwrap();
    use mutex_playground::scenario::WriteAction::Increment;
    // The inner block drops the try-lock's guard, and the loop's body drops `g`, newest first.
    let inner = vec![
        Step::Lock { mutex: "a".into() },
        Step::TryLock { mutex: "b".into() },
        Step::Write { mutex: "b".into(), action: Increment { by: 1 } },
        Step::Unlock { mutex: "b".into() },
        Step::Unlock { mutex: "a".into() },
    ];
    assert_eq!(
        s.tasks[0].steps,
        [
            Step::Repeat { times: 2, steps: inner },
            Step::LockedWrite { mutex: "a".into(), action: Increment { by: -2 } }
        ]
    );
}

/// A program with `body` as main's, and the usual imports.
fn main_with(body: &str) -> String {
    format!(
        "use std::sync::Arc;\nuse tokio::sync::Mutex;\nuse std::time::Duration;\n\n#[tokio::main]\
        \nasync fn main() {{\n{body}\n}}\n"
    )
}

/// What a review found: inputs that crashed, hung or blew up, each now an error at its
/// place, quickly.
#[test]
fn inputs_that_once_crashed_or_hung_are_errors() {
    let deep = |open: &str, close: &str, n: usize| format!("{}1{}", open.repeat(n), close.repeat(n));
    let doubling: String = (1..24)
        .map(|k| format!("    let a{k} = async {{ a{}.await; a{}.await; }};\n", k - 1, k - 1))
        .collect::<String>();
    let fan = format!(
        "    let m = Arc::new(Mutex::new(0));\n    for _ in 0..10000 {{\n        tokio::spawn(async move {{\
            \n{}        }});\n    }}",
        "            tokio::task::yield_now().await;\n".repeat(1000)
    );
    let cases = [
        // An `async` block awaited inside itself, or twice.
        (main_with("    let a = async { a.await; };\n    a.await;"), "awaited already"),
        (main_with(&format!("    let a0 = async {{}};\n{doubling}    a23.await;")), "awaited already"),
        // Macros inside macros count as nesting.
        (main_with(&format!("    let m = Arc::new(Mutex::new({}));", deep("vec![", "]", 2000))), "nests more than"),
        // Reference patterns and `else if` chains too.
        (main_with(&format!("    let {}x = 1;", "&&".repeat(4000))), "nests more than"),
        (main_with(&format!("    let x = if a {{}}{} else {{}};", " else if a {}".repeat(2000))), "nests more than"),
        // Ten thousand copies of a long task are refused before they are made.
        (main_with(&fan), "steps in all"),
    ];
    for (src, says) in &cases {
        let t = std::time::Instant::now();
        let e = read(src).expect_err(says);
        assert!(e.message.contains(says), "{e}");
        assert_place(src, &e);
        // Not a timing test: a generous bound that only an exponential or quadratic read breaks.
        assert!(t.elapsed() < std::time::Duration::from_secs(5), "{says}: {:?}", t.elapsed());
    }
}

/// What a review found read wrongly, now read as Rust means it (or refused, saying why).
#[test]
fn programs_once_misread_are_read_as_rust_means_them() {
    let steps = |src: &str, task: usize| {
        read(src)
            .unwrap_or_else(|e| {
                panic!(
                    "{e}\
        \n{src}"
                )
            })
            .0
            .tasks[task]
            .steps
            .clone()
    };
    let lock = |m: &str| Step::Lock { mutex: m.into() };
    let unlock = |m: &str| Step::Unlock { mutex: m.into() };
    // `let _ =` drops the guard at once.
    let src = main_with(
        "    let m = Arc::new(Mutex::new(0));\n    tokio::spawn(async move {\
        \n        let _ = m.lock().await;\n        tokio::task::yield_now().await;\n    });",
    );
    assert_eq!(steps(&src, 0), [lock("m"), unlock("m"), Step::Yield]);
    // A guard taken in an awaited block is dropped at the block's end (main goes on).
    let src = main_with(
        "    let m = Arc::new(Mutex::new(0));\n    let n = m.clone();\
            \n    let h = tokio::spawn(async move { *n.lock().await += 1; });\n    \
         tokio::time::timeout(Duration::from_millis(50), async {\n        \
         let mut g = m.lock().await;\n        *g += 1;\n    }).await.unwrap();\n    \
         h.await.unwrap();",
    );
    let main = steps(&src, 0);
    assert_eq!(
        &main[..3],
        [
            lock("m"),
            Step::Write { mutex: "m".into(), action: mutex_playground::scenario::WriteAction::Increment { by: 1 } },
            unlock("m")
        ]
    );
    // One register per task: a value read before the last cannot be printed.
    let src = main_with(
        "    let a = Arc::new(Mutex::new(10));\n    let b = Arc::new(Mutex::new(20));\
            \n    tokio::spawn(async move {\n        \
         let x = *a.lock().await;\n        let y = *b.lock().await;\n        dbg!(x);\n    });",
    );
    assert!(read(&src).unwrap_err().message.contains("not the value read last"));
    // A spawn loop that does more than spawn, and a join loop that does more than join.
    let src = main_with(
        "    let m = Arc::new(Mutex::new(0));\n    for _ in 0..3 {\n        println!(\"spawning\");\
            \n        let m = m.clone();\n        \
         tokio::spawn(async move { *m.lock().await += 1; });\n    }",
    );
    assert!(read(&src).unwrap_err().message.contains("may only clone and spawn"));
    let src = main_with(
        "    let m = Arc::new(Mutex::new(0));\n    let mut hs = Vec::new();\n    let n = m.clone();\n    \
         hs.push(tokio::spawn(async move { *n.lock().await += 1; }));\n    for h in hs {\
             \n        h.await.unwrap();\n        \
         println!(\"joined\");\n    }",
    );
    assert!(read(&src).unwrap_err().message.contains("may only await each one"));
    // `use std::sync::*;` makes `Mutex` std's: a blocking one.
    let src = "use std::sync::*;\n#[tokio::main]\nasync fn main() {\n    let m = Arc::new(Mutex::new(0));\n    \
               tokio::spawn(async move { *m.lock().unwrap() += 1; });\n}\n";
    assert_eq!(read(src).unwrap().0.mutexes[0].kind, mutex_playground::scenario::MutexKind::Blocking);
    // Only the generator's limits line sets the step limit, not any comment that says "steps of work".
    let src = main_with(
        "    // Each task does 2 steps of work.\n    let m = Arc::new(Mutex::new(0));\
        \n    tokio::spawn(async move { *m.lock().await += 1; });",
    );
    assert_eq!(read(&src).unwrap().0.limits.max_steps, mutex_playground::scenario::Limits::default().max_steps);
    // A main that returns a `Result` ends with `Ok(())`.
    let src = "use std::sync::Arc;\nuse tokio::sync::Mutex;\n#[tokio::main]\
        \nasync fn main() -> Result<(), Box<dyn std::error::Error>> {\n    \
               let m = Arc::new(Mutex::new(0));\
                   \n    let h = tokio::spawn(async move { *m.lock().await += 1; });\n    h.await?;\n    Ok(())\n}\n";
    assert_eq!(steps(src, 0), [Step::Join { task: Some(1) }]);
    // A plain comment above the name keeps the name.
    let src = format!(
        "// SPDX-License-Identifier: MIT\n//! my program\n{}",
        main_with("    let m = Arc::new(Mutex::new(0));\n    tokio::spawn(async move { *m.lock().await += 1; });")
    );
    assert_eq!(read(&src).unwrap().0.name, "my program");
}

/// Errors a review found at the wrong place or saying the wrong thing.
#[test]
fn errors_point_at_their_place_and_say_what_to_do() {
    let at = |src: &str| {
        let e = read(src).unwrap_err();
        (e.line, e.col, e.message)
    };
    // A second mutex of the same name: at its `let`.
    let src = main_with(
        "    let m = Arc::new(Mutex::new(0));\n    { let m = Arc::new(Mutex::new(1)); }\n    tokio::spawn(async {});",
    );
    let (line, _, message) = at(&src);
    assert!(message.contains("two mutexes"), "{message}");
    assert_eq!(line, 8);
    // An async helper before main: refused at the helper, not taken for the entry.
    let src = format!("async fn warm_up() {{}}\n{}", main_with("    tokio::spawn(async {});"));
    let (line, col, message) = at(&src);
    assert_eq!((line, col), (1, 1));
    assert!(message.contains("functions other than `main`"), "{message}");
    // A std mutex locked without `.unwrap()`.
    let src = "#[tokio::main]\nasync fn main() {\n    let m = std::sync::Arc::new(std::sync::Mutex::new(0));\n    \
               tokio::spawn(async move { let g = m.lock(); });\n}\n";
    assert!(at(src).2.contains("add `.unwrap()`"));
    // A missing `;` is reported where it belongs: just after the statement.
    let src = main_with("    let m = Arc::new(Mutex::new(0))\n    tokio::spawn(async {});");
    let (line, col, _) = at(&src);
    assert_eq!((line, col), (7, 36));
    // Too long: in bytes, at the byte where the limit falls.
    let src = format!("//{}", "x".repeat(MAX_PROGRAM_BYTES));
    let e = read(&src).unwrap_err();
    assert_eq!((e.line, e.col), (1, MAX_PROGRAM_BYTES as u32 + 1));
    assert!(e.message.contains(&format!("is {} bytes", MAX_PROGRAM_BYTES + 2)), "{e}");
}

/// The lock kinds of other crates and tokio's RwLock and Semaphore, read as their kinds;
/// the playground's own policies from the generator's `// policy:` note.
#[test]
fn lock_kinds_are_read_from_their_types_and_notes() {
    use mutex_playground::scenario::MutexKind;
    let kinds = |body: &str| -> Vec<MutexKind> {
        let (s, _) = read(&main_with(body)).unwrap_or_else(|e| panic!("{e}\n{body}"));
        s.mutexes.iter().map(|m| m.kind).collect()
    };
    let spawn = "    tokio::spawn(async {});";
    assert_eq!(
        kinds(&format!(
            "    let a = Arc::new(futures::lock::Mutex::new(0));\n    \
             let b = Arc::new(async_lock::Mutex::new(0));\n{spawn}"
        )),
        [MutexKind::Barging, MutexKind::Barging]
    );
    assert_eq!(
        kinds(&format!(
            "    let a = Arc::new(Mutex::new(0)); // policy: lifo\n    \
             let b = Arc::new(Mutex::new(0)); // \"the db\"; policy: eventually_fair after 25 ms\n{spawn}"
        )),
        [MutexKind::Lifo, MutexKind::EventuallyFair { after_ms: 25 }]
    );
    let (s, _) = read(&main_with(
        "    let db = Arc::new(tokio::sync::RwLock::new(0));\n    \
         let pool = Arc::new(tokio::sync::Semaphore::new(3));\n    \
         tokio::spawn(async move {\n        let r = db.read().await;\n        \
         let p = pool.acquire().await.unwrap();\n        \
         drop(r);\n        *db.write().await += 1;\n        drop(p);\n    });",
    ))
    .unwrap();
    assert_eq!(s.mutexes[0].kind, MutexKind::RwLock);
    assert_eq!(s.mutexes[1].kind, MutexKind::Semaphore { permits: 3 });
    assert_eq!(s.mutexes[1].initial, serde_json::Value::Null);
    let steps: Vec<String> = s.tasks[0].steps.iter().map(Step::label).collect();
    assert_eq!(steps, ["read_lock(db)", "lock(pool)", "drop(db guard)", "db.lock().+= 1", "drop(pool guard)"]);
    // What each kind does not have, said at the place.
    let err = |body: &str| read(&main_with(body)).unwrap_err().message;
    let rw = "    let db = Arc::new(tokio::sync::RwLock::new(0));\n";
    assert!(
        err(&format!("{rw}    tokio::spawn(async move {{ let g = db.lock().await; }});")).contains("`.write().await`")
    );
    let sem = "    let pool = Arc::new(tokio::sync::Semaphore::new(2));\n";
    assert!(
        err(&format!("{sem}    tokio::spawn(async move {{ let p = pool.acquire().await; }});")).contains("`.unwrap()`")
    );
    assert!(
        err("    let m = Arc::new(Mutex::new(0)); // policy: fifo-ish\n    tokio::spawn(async {});").contains("policy")
    );
    assert!(err("    let m = Arc::new(std::sync::RwLock::new(0));\n    tokio::spawn(async {});")
        .contains("tokio::sync::RwLock"));
}

/// `tokio::select!` in the playground's shape, however it is laid out, is a `select`
/// step; each branch's statements are its steps, on their own lines.
#[test]
fn a_select_in_the_playgrounds_shape_is_read_as_a_select_step() {
    use mutex_playground::scenario::WriteAction::Increment;
    let src = "\
use std::sync::Arc;
use tokio::select;
use tokio::sync::{Mutex, Semaphore};
use tokio::time::{sleep, Duration};

#[tokio::main]
async fn main() {
    let m = Arc::new(Mutex::new(0));
    let pool = Arc::new(Semaphore::new(1));
    tokio::spawn(async move {
        select! {
            biased;
            _ = sleep(Duration::from_millis(30)) => println!(\"late\"),
            mut g = m.lock() => {
                *g += 1;
                let p = pool.try_acquire();
                drop(p);
            }
        }
        tokio::select! {
            biased;
            _ = sleep(Duration::from_secs(1)) => {}
            Ok(_permit) = pool.acquire() => {}
        }
    });
}
";
    let (s, program) = read(src).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        s.tasks[0].steps,
        [
            Step::Select {
                mutex: "m".into(),
                ms: 30,
                locked: vec![
                    Step::Write { mutex: "m".into(), action: Increment { by: 1 } },
                    Step::TryLock { mutex: "pool".into() },
                    Step::Unlock { mutex: "pool".into() },
                ],
                timed_out: vec![Step::Print { text: "late".into() }],
            },
            Step::Select { mutex: "pool".into(), ms: 1000, locked: vec![], timed_out: vec![] },
        ]
    );
    for (path, line) in [
        ("tasks[0].steps[0]", 11),
        ("tasks[0].steps[0].timed_out[0]", 13),
        ("tasks[0].steps[0].locked[0]", 15),
        ("tasks[0].steps[0].locked[2]", 17),
        ("tasks[0].steps[1]", 20),
    ] {
        assert_eq!(program.line_of(path), Some(line), "{path}");
    }
    // A guard a branch takes and keeps is dropped at its end (a step), but not the
    // select's own; a problem inside a branch is reported at its line.
    let task = |body: &str| {
        format!(
            "use std::sync::Arc;\nuse tokio::sync::Mutex;\nuse tokio::time::{{sleep, Duration}};\n\n#[tokio::main]\
             \nasync fn main() {{\n    let m = Arc::new(Mutex::new(0));\n    let n = Arc::new(Mutex::new(0));\n    \
             tokio::spawn(async move {{\n{body}\n    }});\n}}\n"
        )
    };
    let (s, _) = read(&task(
        "        tokio::select! {\n            biased;\n            _ = sleep(Duration::from_millis(5)) => {\n\
         \x20               let h = n.lock().await;\n            }\n            g = m.lock() => {}\n        }",
    ))
    .unwrap();
    let Step::Select { timed_out, locked, .. } = &s.tasks[0].steps[0] else { panic!("{:?}", s.tasks[0].steps) };
    assert_eq!(timed_out, &[Step::Lock { mutex: "n".into() }, Step::Unlock { mutex: "n".into() }]);
    assert!(locked.is_empty());
    let e = read(&task(
        "        tokio::select! {\n            biased;\n            _ = sleep(Duration::from_millis(5)) => {}\n\
         \x20           g = m.lock() => {\n                let again = m.lock().await;\n            }\n        }",
    ))
    .unwrap_err();
    assert_eq!(e.line, 14, "{e}");
    assert!(e.message.contains("already held"), "{e}");
}

/// Every other shape of `select!` is an error at its place that says what the
/// playground's is.
#[test]
fn a_select_of_another_shape_is_an_error_that_says_what_is_supported() {
    let program = |arms: &str| {
        format!(
            "use std::sync::Arc;\nuse tokio::sync::{{Mutex, Semaphore}};\nuse tokio::time::{{sleep, Duration}};\n\n\
             #[tokio::main]\nasync fn main() {{\n    let m = Arc::new(Mutex::new(0));\n    \
             let pool = Arc::new(Semaphore::new(1));\n    let s = Arc::new(std::sync::Mutex::new(0));\n    \
             tokio::spawn(async move {{\n        tokio::select! {{\n{arms}\n        }}\n    }});\n}}\n"
        )
    };
    let sleep = "            _ = sleep(Duration::from_millis(5)) => {}";
    let lock = "            g = m.lock() => {}";
    for (arms, at, says) in [
        (format!("{sleep}\n{lock}"), (12, 13), "starts with `biased;`"),
        (format!("            biased;\n{lock}\n{sleep}"), (13, 17), "the sleep's branch comes first"),
        (format!("            biased;\n{sleep}\n{lock}\n{sleep}"), (15, 13), "has two branches"),
        (format!("            biased;\n{sleep}"), (11, 9), "has two branches"),
        (format!("            biased;\n{sleep}\n{lock}\n            else => {{}}"), (15, 13), "`else` branch"),
        (
            format!("            biased;\n{sleep}\n            g = m.lock(), if true => {{}}"),
            (14, 30),
            "`, if` condition",
        ),
        (
            format!("            biased;\n{sleep}\n            g = m.lock().await => {{}}"),
            (14, 17),
            "remove the `.await`",
        ),
        (
            format!("            biased;\n{sleep}\n            _ = m.lock() => {{}}"),
            (14, 13),
            "bind the guard to a name",
        ),
        (
            format!("            biased;\n            _ = tokio::task::yield_now() => {{}}\n{lock}"),
            (13, 17),
            "the first branch here is `_ = sleep(",
        ),
        (
            format!("            biased;\n{sleep}\n            p = pool.acquire() => {{}}"),
            (14, 13),
            "`Ok(guard) = pool.acquire()`",
        ),
        (format!("            biased;\n{sleep}\n            g = s.lock() => {{}}"), (14, 17), "no future"),
        (format!("            biased;\n{sleep}\n            g = m.read() => {{}}"), (14, 17), "locks a mutex"),
        (
            format!("            biased;\n            _ = sleep(Duration::from_millis(5)) => println!(\"x\")\n{lock}"),
            (14, 13),
            "expected `,` after this `select!` branch",
        ),
    ] {
        let src = program(&arms);
        let e = read(&src).expect_err(&arms);
        assert_eq!((e.line, e.col), at, "{arms}: {e}");
        assert!(e.message.contains(says), "{arms}: {e}");
        assert_place(&src, &e);
    }
    // Selects nested hundreds deep: an error, quickly, not a stack overflow.
    let open = "tokio::select! { biased; _ = sleep(Duration::from_millis(1)) => { ";
    let body = format!("{}{}", open.repeat(500), "} g = m.lock() => {} }".repeat(500));
    let src = main_with(&format!(
        "    let m = Arc::new(Mutex::new(0));\n    tokio::spawn(async move {{\n        {body}\n    }});"
    ));
    let t = std::time::Instant::now();
    let e = read(&src).unwrap_err();
    assert!(e.message.contains("nests more than"), "{e}");
    assert!(t.elapsed() < std::time::Duration::from_secs(5), "{:?}", t.elapsed());
}
