//! The worst inputs we know of, shared by `examples/worst_case.rs` (natively) and
//! `tests/web_bench.rs` (in headless Chromium): short hostile links, and the largest
//! scenarios the validator accepts, in several shapes.
#![allow(dead_code)]

use serde_json::json;

/// Short links: each of these is under 200 characters as JSON.
pub fn hostile() -> Vec<(String, String)> {
    let m = r#""mutexes":[{"name":"m","initial":[]}]"#;
    let cases = [
        ("empty forever loop", r#"{"name":"x","tasks":[{"name":"a","forever":true,"steps":[]}]}"#.to_string()),
        (
            "forever uncontended lock/unlock",
            format!(r#"{{"name":"x",{m},"tasks":[{{"name":"a","forever":true,"steps":[{{"op":"lock","mutex":"m"}},{{"op":"unlock","mutex":"m"}}]}}]}}"#),
        ),
        (
            "nested repeats of print",
            r#"{"name":"x","tasks":[{"name":"a","steps":[{"op":"repeat","times":1000000,"steps":[{"op":"repeat","times":1000000,"steps":[{"op":"print","text":"hi"}]}]}]}]}"#.to_string(),
        ),
        ("forever sleep 0", r#"{"name":"x","tasks":[{"name":"a","forever":true,"steps":[{"op":"sleep","ms":0}]}]}"#.to_string()),
        ("forever busy 1 ms", r#"{"name":"x","tasks":[{"name":"a","forever":true,"steps":[{"op":"busy","ms":1}]}]}"#.to_string()),
        (
            "forever push (growing list)",
            format!(r#"{{"name":"x",{m},"tasks":[{{"name":"a","forever":true,"steps":[{{"op":"locked_write","mutex":"m","action":{{"kind":"push","value":1}}}}]}}]}}"#),
        ),
        (
            "forever push + yield",
            format!(r#"{{"name":"x",{m},"tasks":[{{"name":"a","forever":true,"steps":[{{"op":"locked_write","mutex":"m","action":{{"kind":"push","value":1}}}},{{"op":"yield"}}]}}]}}"#),
        ),
        (
            "broken_wait take, condition holds",
            r#"{"name":"x","mutexes":[{"name":"m","initial":[1]}],"tasks":[{"name":"a","steps":[{"op":"broken_wait","mutex":"m","until":{"kind":"non_empty"},"take":true}]}]}"#.to_string(),
        ),
    ];
    cases.into_iter().map(|(n, j)| (n.to_string(), j)).collect()
}

/// The largest scenarios the validator accepts, of several shapes, each built when
/// its turn comes.
pub fn largest() -> Vec<(String, Box<dyn Fn() -> String>)> {
    let shapes: Vec<(&str, fn() -> serde_json::Value)> = vec![
        ("10,000 tasks contend forever", || shape(0)),
        ("10,000 tasks × 100, yield holding", || shape(1)),
        ("100 tasks push 60 KiB values", || shape(2)),
        ("1,000 tasks print forever", || shape(3)),
        ("one task, 500,000 yields", || shape(4)),
    ];
    shapes.into_iter().map(|(n, f)| (n.to_string(), Box::new(move || f().to_string()) as Box<dyn Fn() -> String>)).collect()
}

pub fn shape(which: usize) -> serde_json::Value {
    let lock = json!({"op": "lock", "mutex": "m"});
    let unlock = json!({"op": "unlock", "mutex": "m"});
    let limits = json!({"max_steps": 5_000_000, "max_time_ms": 3_600_000});
    match which {
        // 10,000 tasks queueing on one mutex, each holding it across a sleep, looping.
        0 => {
            let tasks: Vec<_> = (0..10_000)
                .map(|i| json!({"name": format!("t{i}"), "forever": true, "steps": [lock, {"op": "sleep", "ms": 1}, unlock]}))
                .collect();
            json!({"name": "big", "mutexes": [{"name": "m"}], "tasks": tasks, "limits": limits})
        }
        // 10,000 tasks, each yielding while it holds the lock, 100 rounds.
        1 => {
            let tasks: Vec<_> = (0..10_000).map(|i| json!({"name": format!("t{i}"), "repeat": 100, "steps": [lock, {"op": "yield"}, unlock]})).collect();
            json!({"name": "big", "mutexes": [{"name": "m"}], "tasks": tasks, "limits": limits})
        }
        // Writes of big values: 60 KiB lists pushed onto one value, forever.
        2 => {
            let big: Vec<u32> = (0..12_000).collect();
            let push = json!({"op": "locked_write", "mutex": "m", "action": {"kind": "push", "value": big}});
            let tasks: Vec<_> = (0..100).map(|i| json!({"name": format!("t{i}"), "forever": true, "steps": [push, {"op": "yield"}]})).collect();
            json!({"name": "big", "mutexes": [{"name": "m"}], "tasks": tasks, "limits": limits})
        }
        // Many long printed lines and dbg! output, with yields.
        3 => {
            let tasks: Vec<_> = (0..1_000)
                .map(|i| json!({"name": format!("t{i}"), "forever": true, "steps": [{"op": "print", "text": "x".repeat(200)}, {"op": "dbg"}, {"op": "yield"}]}))
                .collect();
            json!({"name": "big", "tasks": tasks, "limits": limits})
        }
        // One task with as many steps as 8 MiB of JSON holds.
        _ => {
            let steps: Vec<_> = (0..500_000).map(|_| json!({"op": "yield"})).collect();
            json!({"name": "big", "tasks": [{"name": "a", "steps": steps}], "limits": limits})
        }
    }
}

