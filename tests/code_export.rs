//! Scenarios as Rust programs: every preset's program, and programs of generated
//! scenarios that use every step kind and mutex kind, really compile against tokio
//! (`cargo check` of a generated crate, offline, its build cached in
//! `target/export-check/`); and the line map puts every step of a run on a line that
//! does it.
#![cfg(not(target_arch = "wasm32"))]

mod gen;

use mutex_playground::exec::Policy;
use mutex_playground::scenario::code::{to_rust, RustProgram};
use mutex_playground::scenario::{presets, Scenario};
use mutex_playground::trace::simulate;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use std::path::Path;
use std::process::Command;

/// Writes one binary per program into a crate and checks it; the compiler's errors if not.
fn cargo_check(programs: &[(String, RustProgram)]) -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/export-check");
    let bin = root.join("src/bin");
    let _ = std::fs::remove_dir_all(&bin);
    std::fs::create_dir_all(&bin).unwrap();
    // Every program's dependencies are tokio's and serde_json's lines.
    let manifest = "[package]\nname = \"export-check\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
                    [workspace]\n\n[dependencies]\n\
                    tokio = { version = \"1\", features = [\"macros\", \"rt\", \"sync\", \"time\"] }\n\
                    serde_json = \"1\"\n";
    std::fs::write(root.join("Cargo.toml"), manifest).unwrap();
    // The versions this project already has: nothing is fetched.
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    for (name, p) in programs {
        for line in p.dependencies.lines().skip(1) {
            assert!(manifest.contains(line), "{name} needs {line}");
        }
        std::fs::write(bin.join(format!("{name}.rs")), &p.text).unwrap();
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["check", "--offline", "--quiet", "--bins"])
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    if out.status.success() {
        Ok(())
    } else {
        // Each error's headline, where it is, and the notes that say why: a linker's
        // failure (a full disk, say) names its cause only in a note. Lines are cut short
        // (a link line runs to pages).
        let stderr = String::from_utf8_lossy(&out.stderr);
        let wanted = |l: &&str| l.contains("error") || l.trim_start().starts_with("-->") || l.contains("= note:");
        let lines: Vec<String> = stderr.lines().filter(wanted).map(|l| l.chars().take(300).collect()).collect();
        Err(lines.join("\n"))
    }
}

/// Shapes that once made programs that did not compile (found in review): a loop that
/// lets an outer guard go and takes it again, integers too big for `json!`'s `i32`, a
/// `dbg` after the loop that read, a mutex called `drop`, a name with a direction override
/// and a description with a bare CR; and `select!`s: a semaphore's (`Ok(_guard)`), a guard
/// held before one that a branch lets go and takes again, the select's own guard let go and
/// taken again in a loop in its branch, a read in a branch and a `dbg` after it.
fn awkward() -> Vec<Scenario> {
    let t = |steps: &str| format!(r#"{{"name":"t","steps":{steps}}}"#);
    let cases = [
        format!(
            r#"{{"name":"relock","mutexes":[{{"name":"m","initial":0}}],"tasks":[{}]}}"#,
            t(r#"[{"op":"lock","mutex":"m"},{"op":"repeat","times":2,"steps":[{"op":"unlock","mutex":"m"},
               {"op":"lock","mutex":"m"}]},{"op":"write","mutex":"m","action":{"kind":"increment"}},
               {"op":"unlock","mutex":"m"}]"#)
        ),
        format!(
            r#"{{"name":"big","mutexes":[{{"name":"n"}},{{"name":"w","kind":"watch","initial":5000000000}}],
                "tasks":[{}]}}"#,
            t(r#"[{"op":"locked_write","mutex":"n","action":{"kind":"set","value":3000000000}},
               {"op":"locked_write","mutex":"n","action":{"kind":"push","value":18446744073709551615}},
               {"op":"wait_until","mutex":"w","until":{"kind":"equals","value":5000000000}}]"#)
        ),
        format!(
            r#"{{"name":"dbg after","mutexes":[{{"name":"n","initial":[]}}],"tasks":[{}]}}"#,
            t(r#"[{"op":"repeat","times":3,"steps":[{"op":"lock","mutex":"n"},{"op":"read","mutex":"n"},
               {"op":"unlock","mutex":"n"}]},{"op":"dbg","name":"n"},
               {"op":"locked_write","mutex":"n","action":{"kind":"read_plus","by":1}}]"#)
        ),
        format!(
            r#"{{"name":"drop","mutexes":[{{"name":"drop","initial":0}}],"tasks":[{}]}}"#,
            t(r#"[{"op":"lock","mutex":"drop"},{"op":"unlock","mutex":"drop"}]"#)
        ),
        format!(
            r#"{{"name":"evil \u202e name","description":"one\rtwo","mutexes":[{{"name":"m","initial":null}}],
                "tasks":[{}]}}"#,
            t(r#"[{"op":"locked_write","mutex":"m","action":{"kind":"set","value":null}}]"#)
        ),
        format!(
            r#"{{"name":"selects","mutexes":[{{"name":"pool","kind":"semaphore","permits":2}},
                {{"name":"db","kind":"rwlock","initial":0}},{{"name":"m","initial":0}}],"tasks":[{}]}}"#,
            t(r#"[{"op":"select","mutex":"pool","ms":5,"locked":[{"op":"print","text":"in"}]},
               {"op":"lock","mutex":"m"},
               {"op":"select","mutex":"db","ms":5,
                "locked":[{"op":"write","mutex":"db","action":{"kind":"increment"}},
                    {"op":"repeat","times":2,"steps":[{"op":"unlock","mutex":"db"},{"op":"lock","mutex":"db"}]},
                    {"op":"read","mutex":"db"}],
                "timed_out":[{"op":"unlock","mutex":"m"},{"op":"lock","mutex":"m"}]},
               {"op":"dbg","name":"v"},{"op":"write","mutex":"m","action":{"kind":"increment"}},
               {"op":"unlock","mutex":"m"}]"#)
        ),
    ];
    cases.iter().map(|json| Scenario::from_json(json).unwrap_or_else(|e| panic!("{e}: {json}"))).collect()
}

/// Some generated scenarios, drawn with a fixed seed: every step kind and mutex kind, and
/// main tasks that join and assert.
fn generated(n: usize) -> Vec<Scenario> {
    let mut runner = TestRunner::deterministic();
    (0..n).map(|_| gen::scenario().new_tree(&mut runner).unwrap().current()).collect()
}

#[test]
fn every_preset_and_generated_scenarios_compile_against_tokio() {
    let mut programs: Vec<(String, RustProgram)> =
        presets().iter().map(|p| (p.id.replace('-', "_"), to_rust(&p.scenario))).collect();
    let scenarios = generated(40);
    // The generated ones cover every step kind between them, and main tasks.
    let mut kinds = [false; gen::STEP_KINDS as usize];
    for s in &scenarios {
        for step in gen::all_steps(s) {
            kinds[gen::kind_index(step)] = true;
        }
    }
    assert!(scenarios.iter().any(|s| s.tasks[0].main), "no generated scenario has a main task");
    assert!(kinds.iter().all(|&k| k), "a step kind is missing from the generated scenarios: {kinds:?}");
    programs.extend(scenarios.iter().enumerate().map(|(i, s)| (format!("generated_{i}"), to_rust(s))));
    programs.extend(awkward().iter().enumerate().map(|(i, s)| (format!("awkward_{i}"), to_rust(s))));
    if let Err(errors) = cargo_check(&programs) {
        panic!("exported programs do not compile (see target/export-check/src/bin/):\n{errors}");
    }
    // And one runs: seed 002's program prints the seed's log, in real time, as the run does.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/export-check");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = Command::new(&cargo)
        .args(["build", "--offline", "--quiet", "--bin", "reader_writer"])
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env_remove("RUSTFLAGS")
        .status()
        .unwrap();
    assert!(built.success());
    let out = Command::new(root.join("target/debug/reader_writer")).output().unwrap();
    // Real milliseconds are not virtual ones: the times the writer stores differ a little.
    let numbers = |s: &str| {
        let mut out = String::new();
        let mut digits = false;
        for c in s.chars() {
            if c.is_ascii_digit() {
                if !digits {
                    out.push('N');
                }
                digits = true;
            } else {
                digits = false;
                out.push(c);
            }
        }
        out
    };
    let printed = numbers(std::str::from_utf8(&out.stdout).unwrap());
    let run = simulate(&mutex_playground::scenario::preset("reader-writer").unwrap().scenario, &Policy::Fifo).unwrap();
    let expected: String = run.transcript().iter().map(|l| numbers(&l.text) + "\n").collect();
    assert_eq!(printed, expected);
}

#[test]
fn the_line_map_puts_every_step_on_its_line() {
    let mut scenarios: Vec<Scenario> = presets().into_iter().map(|p| p.scenario).collect();
    scenarios.extend(generated(40));
    scenarios.extend(awkward());
    for s in &scenarios {
        let program = to_rust(s);
        let lines: Vec<&str> = program.text.lines().collect();
        let run = simulate(s, &Policy::Fifo).unwrap();
        let mut i = 0;
        while let Some(label) = run.label(i) {
            let line = program.line_of(&label.path).unwrap_or_else(|| panic!("{}: no line for {}", s.name, label.path));
            let text = lines[line as usize - 1];
            // The line does what the label says: a lock locks, a print prints, a task starts.
            let t = label.text.as_str();
            let prefixes = [
                ("start", "tasks.push"),
                // An rwlock's lock is `write()`, a semaphore's `acquire()`.
                ("lock(", "lock|.write()|.acquire()"),
                ("read_lock(", ".read()"),
                ("drop(", "drop("),
                ("try_lock(", "try_lock()|try_write()|try_acquire()"),
                ("timeout(", "timeout("),
                ("select(", "tokio::select!"),
                ("read ", "let value"),
                ("dbg!(", "println!"),
                ("println!(", "println!"),
                ("sleep(", "sleep("),
                ("busy(", "std::thread::sleep"),
                ("yield_now()", "yield_now"),
                ("repeat ", "for _ in"),
                ("wait_until(", "wait_until"),
                ("poll_fn(", "// Seed 004"),
                ("join(", "task"),
                ("assert!(", "assert"),
            ];
            let word = match prefixes.iter().find(|(p, _)| t.starts_with(p)) {
                Some((_, w)) => *w,
                None if t.contains(".lock().") => "lock|.write()", // a locked write
                None => "",                                        // a write through a guard
            };
            // Alike tasks start on their shared `for`; main starts where its body does.
            // An assertion through a `try_lock`'s guard is a `match` on it.
            let shared = (text.contains("for _ in 0..") || text.contains("let all")) && label.text == "start"
                || t.starts_with("assert!(") && text.contains(".as_deref()");
            assert!(
                word.split('|').any(|w| text.contains(w)) || shared,
                "{}: {} ({}) is line {line}: {text}",
                s.name,
                label.path,
                label.text
            );
            i += 1;
        }
    }
}

#[test]
fn the_seeds_read_as_the_seeds_write_them() {
    let rw = to_rust(&mutex_playground::scenario::preset("reader-writer").unwrap().scenario).text;
    for line in [
        "let db = Arc::new(Mutex::new(json!({})));",
        "let guard = db.lock().await;",
        "let value = guard.get(\"my-key\").cloned();",
        "sleep(Duration::from_millis(1000)).await;",
        "println!(\"value = {value:#?}\"); // dbg!(value)",
        "loop {",
    ] {
        assert!(rw.contains(line), "reader-writer lacks {line:?}:\n{rw}");
    }
    let counter = to_rust(&mutex_playground::scenario::preset("counter").unwrap().scenario).text;
    for line in
        ["let count = Arc::new(Mutex::new(0_i64));", "for _ in 0..10 {", "*guard += 1;", "for _round in 0..100 {"]
    {
        assert!(counter.contains(line), "counter lacks {line:?}:\n{counter}");
    }
    assert!(!counter.contains("serde_json"), "a counter needs no JSON");
    let std = to_rust(&mutex_playground::scenario::preset("std-mutex-across-await").unwrap().scenario).text;
    assert!(std.contains("std::sync::Mutex::new(0_i64)") && std.contains("spawn_local"), "{std}");
}
