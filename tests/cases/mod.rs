//! The worst inputs we know of, shared by `examples/worst_case.rs` (natively) and
//! `tests/web_bench.rs` (in headless Chromium): short hostile links, and the largest
//! scenarios the validator accepts, in several shapes.
#![allow(dead_code)]

/// Short links: each of these is under 200 characters as JSON.
pub fn hostile() -> Vec<(String, String)> {
    let m = r#""mutexes":[{"name":"m","initial":[]}]"#;
    let cases = [
        ("empty forever loop", r#"{"name":"x","tasks":[{"name":"a","forever":true,"steps":[]}]}"#.to_string()),
        (
            "forever uncontended lock/unlock",
            format!(
                concat!(
                    r#"{{"name":"x",{m},"tasks":[{{"name":"a","forever":true,"steps":"#,
                    r#"[{{"op":"lock","mutex":"m"}},{{"op":"unlock","mutex":"m"}}]}}]}}"#,
                ),
                m = m
            ),
        ),
        (
            "nested repeats of print",
            concat!(
                r#"{"name":"x","tasks":[{"name":"a","steps":[{"op":"repeat","times":1000000,"#,
                r#""steps":[{"op":"repeat","times":1000000,"steps":[{"op":"print","text":"hi"}]}]}]}]}"#,
            )
            .to_string(),
        ),
        (
            "forever sleep 0",
            r#"{"name":"x","tasks":[{"name":"a","forever":true,"steps":[{"op":"sleep","ms":0}]}]}"#.to_string(),
        ),
        (
            "forever busy 1 ms",
            r#"{"name":"x","tasks":[{"name":"a","forever":true,"steps":[{"op":"busy","ms":1}]}]}"#.to_string(),
        ),
        (
            "forever push (growing list)",
            format!(
                concat!(
                    r#"{{"name":"x",{m},"tasks":[{{"name":"a","forever":true,"steps":"#,
                    r#"[{{"op":"locked_write","mutex":"m","action":{{"kind":"push","value":1}}}}]}}]}}"#,
                ),
                m = m
            ),
        ),
        (
            "forever push + yield",
            format!(
                concat!(
                    r#"{{"name":"x",{m},"tasks":[{{"name":"a","forever":true,"steps":"#,
                    r#"[{{"op":"locked_write","mutex":"m","action":{{"kind":"push","value":1}}}},"#,
                    r#"{{"op":"yield"}}]}}]}}"#,
                ),
                m = m
            ),
        ),
        (
            "broken_wait take, condition holds",
            concat!(
                r#"{"name":"x","mutexes":[{"name":"m","initial":[1]}],"tasks":[{"name":"a","steps":"#,
                r#"[{"op":"broken_wait","mutex":"m","until":{"kind":"non_empty"},"take":true}]}]}"#,
            )
            .to_string(),
        ),
    ];
    cases.into_iter().map(|(n, j)| (n.to_string(), j)).collect()
}

/// Builds a case's JSON when its turn comes.
pub type MakeCase = Box<dyn Fn() -> String>;

/// The largest scenarios the validator accepts, of several shapes, each built (as
/// text, without a tree of JSON values) when its turn comes.
pub fn largest() -> Vec<(String, MakeCase)> {
    let names = [
        "10,000 tasks contend forever",
        "10,000 tasks × 100, yield holding",
        "100 tasks push 60 KiB values",
        "1,000 tasks print forever",
        "one task, 250,000 yields",
        "250,000 steps, nested 8 deep",
    ];
    names.iter().enumerate().map(|(i, n)| (n.to_string(), Box::new(move || shape(i)) as MakeCase)).collect()
}

/// One of the shapes of [`largest`], as JSON text.
pub fn shape(which: usize) -> String {
    const LOCK: &str = r#"{"op":"lock","mutex":"m"}"#;
    const UNLOCK: &str = r#"{"op":"unlock","mutex":"m"}"#;
    const LIMITS: &str = r#""limits":{"max_steps":5000000,"max_time_ms":3600000}"#;
    let tasks = |n: usize, task: &dyn Fn(usize) -> String| (0..n).map(task).collect::<Vec<_>>().join(",");
    match which {
        // 10,000 tasks queueing on one mutex, each holding it across a sleep, looping.
        0 => {
            let t = tasks(10_000, &|i| {
                format!(r#"{{"name":"t{i}","forever":true,"steps":[{LOCK},{{"op":"sleep","ms":1}},{UNLOCK}]}}"#)
            });
            format!(r#"{{"name":"big","mutexes":[{{"name":"m"}}],"tasks":[{t}],{LIMITS}}}"#)
        }
        // 10,000 tasks, each yielding while it holds the lock, 100 rounds.
        1 => {
            let t = tasks(10_000, &|i| {
                format!(r#"{{"name":"t{i}","repeat":100,"steps":[{LOCK},{{"op":"yield"}},{UNLOCK}]}}"#)
            });
            format!(r#"{{"name":"big","mutexes":[{{"name":"m"}}],"tasks":[{t}],{LIMITS}}}"#)
        }
        // Writes of big values: 60 KiB lists pushed onto one value, forever.
        2 => {
            let big = (0..12_000).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
            let push = format!(r#"{{"op":"locked_write","mutex":"m","action":{{"kind":"push","value":[{big}]}}}}"#);
            let t = tasks(100, &|i| format!(r#"{{"name":"t{i}","forever":true,"steps":[{push},{{"op":"yield"}}]}}"#));
            format!(r#"{{"name":"big","mutexes":[{{"name":"m"}}],"tasks":[{t}],{LIMITS}}}"#)
        }
        // Many long printed lines and dbg! output, with yields.
        3 => {
            let x = "x".repeat(200);
            let t = tasks(1_000, &|i| {
                format!(
                    concat!(
                        r#"{{"name":"t{i}","forever":true,"steps":"#,
                        r#"[{{"op":"print","text":"{x}"}},{{"op":"dbg"}},{{"op":"yield"}}]}}"#,
                    ),
                    i = i,
                    x = x
                )
            });
            format!(r#"{{"name":"big","tasks":[{t}],{LIMITS}}}"#)
        }
        // One task with as many steps as validation allows, nested as deep as it
        // allows (long label paths), with prints.
        5 => {
            let mut body = vec![r#"{"op":"print","text":"p"}"#; 31_000].join(",");
            for _ in 0..8 {
                body = format!(r#"{{"op":"repeat","times":1,"steps":[{body}]}}"#);
            }
            format!(
                r#"{{"name":"big","tasks":[{{"name":"a","steps":[{body}]}},{{"name":"b","steps":[{}]}}],{LIMITS}}}"#,
                vec![r#"{"op":"yield"}"#; 218_990].join(",")
            )
        }
        // One task with as many steps as validation allows.
        _ => {
            let steps = vec![r#"{"op":"yield"}"#; 250_000].join(",");
            format!(r#"{{"name":"big","tasks":[{{"name":"a","steps":[{steps}]}}],{LIMITS}}}"#)
        }
    }
}

/// `tasks` tasks named `t0`, `t1`, … that take turns with the mutex `m` forever (lock,
/// yield while holding, unlock), in a scenario called "big": the run ends when its trace
/// is full, far beyond what one frame can simulate.
pub fn turn_takers(tasks: usize) -> String {
    let t: Vec<String> = (0..tasks)
        .map(|i| {
            format!(
                concat!(
                    r#"{{"name":"t{i}","forever":true,"steps":"#,
                    r#"[{{"op":"lock","mutex":"m"}},{{"op":"yield"}},{{"op":"unlock","mutex":"m"}}]}}"#,
                ),
                i = i
            )
        })
        .collect();
    format!(
        concat!(
            r#"{{"name":"big","mutexes":[{{"name":"m"}}],"tasks":[{}],"#,
            r#""limits":{{"max_steps":5000000,"max_time_ms":1000}}}}"#,
        ),
        t.join(",")
    )
}
