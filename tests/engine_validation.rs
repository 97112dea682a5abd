//! Bad scenarios get a clear error naming the place; nothing panics.

use mutex_playground::scenario::{Scenario, MAX_TASKS};

fn err(json: &str) -> String {
    Scenario::from_json(json).expect_err("should be refused").to_string()
}

const OK: &str = concat!(
    r#"{"name":"x","mutexes":[{"name":"db"}],"#,
    r#""tasks":[{"name":"t","steps":[{"op":"lock","mutex":"db"},{"op":"sleep","ms":5}]}]}"#,
);

#[test]
fn a_good_scenario_passes() {
    assert!(Scenario::from_json(OK).is_ok());
}

#[test]
fn a_null_value_reads_back() {
    // `to_json` writes a `set` or `push` of `null` as `"value": null`: that is a value, not
    // a missing one.
    let json = r#"{"name":"x","mutexes":[{"name":"m","kind":"watch"}],"tasks":[{"name":"t","steps":[
        {"op":"locked_write","mutex":"m","action":{"kind":"set","value":null}},
        {"op":"wait_until","mutex":"m","until":{"kind":"equals","value":null}}]}]}"#;
    let s = Scenario::from_json(json).unwrap();
    assert_eq!(Scenario::from_json(&s.to_json()), Ok(s));
}

#[test]
fn each_kind_of_bad_input_names_its_place() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{"name":"x","mutexes":[{"name":"db"}],"tasks":[{"name":"t","steps":[{"op":"lock","mutex":"dbb"}]}]}"#,
            r#"tasks[0].steps[0]: unknown mutex "dbb""#,
        ),
        (
            r#"{"name":"x","mutexes":[{"name":"db"}],"tasks":[{"name":"t","steps":[{"op":"unlock","mutex":"db"}]}]}"#,
            "tasks[0].steps[0]: drops the guard of \"db\", which this task does not hold here",
        ),
        (
            r#"{"name":"x","mutexes":[{"name":"db"}],"tasks":[{"name":"t","steps":[{"op":"sleep","ms":-5}]}]}"#,
            "tasks[0].steps[0].ms: invalid value: integer `-5`, expected u64",
        ),
        (
            concat!(
                r#"{"name":"x","mutexes":[{"name":"db"}],"#,
                r#""tasks":[{"name":"t","steps":[{"op":"sleep","ms":99999999999}]}]}"#,
            ),
            "tasks[0].steps[0].ms: a sleep of 99999999999 ms is more than the limit",
        ),
        (
            r#"{"name":"x","mutexes":[{"name":"db"}],"tasks":[{"name":"t","steps":[{"op":"fly"}]}]}"#,
            "tasks[0].steps[0].op: unknown variant `fly`, expected one of `lock`",
        ),
        (
            concat!(
                r#"{"name":"x","mutexes":[{"name":"db"}],"#,
                r#""tasks":[{"name":"t","steps":[{"op":"write","mutex":"db","action":{"kind":"increment"}}]}]}"#,
            ),
            "needs the guard of \"db\": lock it first",
        ),
        (
            r#"{"name":"x","mutexes":[{"name":"db"},{"name":"db"}],"tasks":[{"name":"t","steps":[]}]}"#,
            "mutexes[1].name: two mutexes are called \"db\"",
        ),
        (
            concat!(
                r#"{"name":"x","mutexes":[{"name":"db"}],"#,
                r#""tasks":[{"name":"t","steps":[{"op":"lock","mutex":"db"},{"op":"lock","mutex":"db"}]}]}"#,
            ),
            "tasks[0].steps[1]: \"db\" is already held by this task",
        ),
        (
            concat!(
                r#"{"name":"x","mutexes":[{"name":"db"}],"#,
                r#""tasks":[{"name":"t","steps":[{"op":"wait_until","mutex":"db","until":{"kind":"non_empty"}}]}]}"#,
            ),
            "wait_until needs a watch cell",
        ),
        (
            concat!(
                r#"{"name":"x","mutexes":[{"name":"db"}],"#,
                r#""tasks":[{"name":"t","steps":[{"op":"repeat","times":2,"steps":[{"op":"lock","mutex":"db"}]}]}]}"#,
            ),
            "tasks[0].steps[0].steps: a repeated block must drop every guard it takes",
        ),
        (r#"{"name":"x","tasks":[]}"#, "tasks: a scenario needs at least one task"),
        (r#"{"name":"","tasks":[{"name":"t","steps":[]}]}"#, "name: the scenario's name must not be empty"),
        (
            r#"{"name":"x","tasks":[{"name":"t","steps":[]}],"limits":{"max_steps":0}}"#,
            "limits.max_steps: must be from 1",
        ),
        (r#"{"name":"x","tasks":[{"name":"t","steps":[]}],"surprise":1}"#, "unknown field `surprise`"),
        (r#"{"name":"x","tasks":[{"name":"t","steps":[{"op":"print"}]}]}"#, "tasks[0].steps[0]: missing field `text`"),
        // A field the step does not use, or lacks; a write or condition the same.
        (
            concat!(
                r#"{"name":"x","mutexes":[{"name":"m"}],"#,
                r#""tasks":[{"name":"t","steps":[{"op":"lock","mutex":"m","ms":5}]}]}"#
            ),
            "tasks[0].steps[0]: unknown field `ms`, expected `mutex`",
        ),
        (r#"{"name":"x","tasks":[{"name":"t","steps":[{"op":"lock"}]}]}"#, "tasks[0].steps[0]: missing field `mutex`"),
        (
            r#"{"name":"x","tasks":[{"name":"t","steps":[{"op":"yield","mutx":"m"}]}]}"#,
            "tasks[0].steps[0].mutx: unknown field `mutx`, expected one of",
        ),
        (
            concat!(
                r#"{"name":"x","mutexes":[{"name":"m"}],"tasks":[{"name":"t","steps":"#,
                r#"[{"op":"locked_write","mutex":"m","action":{"kind":"set"}}]}]}"#
            ),
            "tasks[0].steps[0].action: missing field `value`",
        ),
        (
            concat!(
                r#"{"name":"x","mutexes":[{"name":"m","kind":"watch"}],"tasks":[{"name":"t","steps":"#,
                r#"[{"op":"wait_until","mutex":"m","until":{"kind":"at_least","value":1.5}}]}]}"#
            ),
            "tasks[0].steps[0].until: invalid type: 1.5, expected i64",
        ),
        ("{not json", "key must be a string"),
        ("", "EOF while parsing"),
    ];
    for (json, expected) in cases {
        let message = err(json);
        assert!(message.contains(expected), "for {json}\n  got: {message}\n want: {expected}");
    }
}

#[test]
fn absurd_sizes_are_refused_before_they_run() {
    let task = r#"{"name":"t","steps":[{"op":"yield"}]}"#;
    let many = format!(r#"{{"name":"x","tasks":[{}]}}"#, vec![task; MAX_TASKS + 1].join(","));
    assert!(err(&many).starts_with("tasks: 10001 tasks; the limit is 10000"));
    let mut nested = r#"{"op":"yield"}"#.to_string();
    for _ in 0..12 {
        nested = format!(r#"{{"op":"repeat","times":2,"steps":[{nested}]}}"#);
    }
    let deep = format!(r#"{{"name":"x","tasks":[{{"name":"t","steps":[{nested}]}}]}}"#);
    assert!(err(&deep).contains("nest deeper than 8"), "{}", err(&deep));
    let long_name = format!(r#"{{"name":"{}","tasks":[{{"name":"t","steps":[]}}]}}"#, "n".repeat(500));
    assert!(err(&long_name).contains("longer than 200 characters"));
    let huge = "x".repeat(9 * 1024 * 1024);
    assert!(err(&huge).contains("the limit is 8192 KiB"));
}

#[test]
fn run_time_mistakes_are_errors_in_the_trace_not_panics() {
    use mutex_playground::exec::Policy;
    use mutex_playground::trace::{simulate, AlertKind};
    // Increment a map: a type error at run time.
    let json = r#"{"name":"x","mutexes":[{"name":"db","initial":{}}],"tasks":[{"name":"t","steps":[
        {"op":"locked_write","mutex":"db","action":{"kind":"increment"}}]}]}"#;
    let run = simulate(&Scenario::from_json(json).unwrap(), &Policy::Fifo).unwrap();
    let alert = run.analysis().alerts.iter().find(|a| a.kind == AlertKind::Error).expect("an error alert");
    assert!(alert.message.contains("cannot increment a map"), "{}", alert.message);
    // Unlock after a failed try_lock.
    let json = r#"{"name":"x","mutexes":[{"name":"m"}],"tasks":[
        {"name":"holder","steps":[{"op":"lock","mutex":"m"},{"op":"sleep","ms":10}]},
        {"name":"trier","steps":[{"op":"try_lock","mutex":"m"},{"op":"unlock","mutex":"m"}]}]}"#;
    let run = simulate(&Scenario::from_json(json).unwrap(), &Policy::Fifo).unwrap();
    assert!(run
        .analysis()
        .alerts
        .iter()
        .any(|a| a.kind == AlertKind::Error && a.message.contains("its try_lock failed")));
}

/// A scenario of mutex `m` (of `kind`, plus an async `n`) and one task with `steps`.
fn one_task(kind: &str, steps: &str) -> String {
    format!(
        r#"{{"name":"x","mutexes":[{{"name":"m","kind":"{kind}"}},{{"name":"n"}}],
            "tasks":[{{"name":"t","steps":{steps}}}]}}"#
    )
}

#[test]
fn a_select_is_checked_like_a_lock_and_its_branches_like_repeat_bodies() {
    let cases: &[(&str, &str, &str)] = &[
        ("blocking", r#"[{"op":"select","mutex":"m","ms":5}]"#, "tasks[0].steps[0]: select is for async mutexes"),
        (
            "async",
            r#"[{"op":"lock","mutex":"m"},{"op":"select","mutex":"m","ms":5}]"#,
            r#"tasks[0].steps[1]: "m" is already held by this task"#,
        ),
        (
            "async",
            r#"[{"op":"select","mutex":"m","ms":99999999999}]"#,
            "tasks[0].steps[0].ms: a select's sleep of 99999999999 ms is more than the limit",
        ),
        // Each branch gives back what it takes; the select's own guard goes at `locked`'s end.
        (
            "async",
            r#"[{"op":"select","mutex":"m","ms":5,"locked":[{"op":"lock","mutex":"n"}]}]"#,
            "tasks[0].steps[0].locked: a select's branch must drop every guard it takes",
        ),
        (
            "async",
            r#"[{"op":"select","mutex":"m","ms":5,"timed_out":[{"op":"lock","mutex":"n"}]}]"#,
            "tasks[0].steps[0].timed_out: a select's branch must drop every guard it takes",
        ),
        (
            "async",
            r#"[{"op":"select","mutex":"m","ms":5,"timed_out":[{"op":"unlock","mutex":"m"}]}]"#,
            r#"tasks[0].steps[0].timed_out[0]: drops the guard of "m", which this task does not hold here"#,
        ),
        (
            "async",
            r#"[{"op":"lock","mutex":"n"},{"op":"select","mutex":"m","ms":5,"locked":[{"op":"unlock","mutex":"n"}]},
                {"op":"unlock","mutex":"n"}]"#,
            "tasks[0].steps[1].locked: a select's branch must drop every guard it takes (and only those)",
        ),
        (
            "async",
            r#"[{"op":"select","mutex":"m","ms":5,"locked":[{"op":"yield"},{"op":"lock","mutex":"dbb"}]}]"#,
            r#"tasks[0].steps[0].locked[1]: unknown mutex "dbb""#,
        ),
        (
            "semaphore",
            r#"[{"op":"select","mutex":"m","ms":5,"locked":[{"op":"read","mutex":"m"}]}]"#,
            r#"tasks[0].steps[0].locked[0]: "m" is a semaphore, which guards no value to read"#,
        ),
        (
            "async",
            r#"[{"op":"select","mutex":"m","ms":5,"locked":5}]"#,
            "tasks[0].steps[0].locked: invalid type: integer `5`, expected a sequence",
        ),
        ("async", r#"[{"op":"select","mutex":"m","ms":5,"times":2}]"#, "tasks[0].steps[0]: unknown field `times`"),
        ("async", r#"[{"op":"select","mutex":"m"}]"#, "tasks[0].steps[0]: missing field `ms`"),
    ];
    for (kind, steps, expected) in cases {
        let json = one_task(kind, steps);
        let message = err(&json);
        assert!(message.starts_with(expected), "for {steps}\n  got: {message}\n want: {expected}");
    }
    // What a branch may do: write, read and drop the select's guard, take it again (it is
    // dropped at the branch's end), and take and drop other guards.
    for (kind, locked) in [
        ("async", r#"[{"op":"write","mutex":"m","action":{"kind":"increment"}},{"op":"unlock","mutex":"m"}]"#),
        ("rwlock", r#"[{"op":"read","mutex":"m"},{"op":"lock","mutex":"n"},{"op":"unlock","mutex":"n"}]"#),
        ("watch", r#"[{"op":"unlock","mutex":"m"},{"op":"lock","mutex":"m"}]"#),
        ("semaphore", r#"[{"op":"unlock","mutex":"m"}]"#),
        ("lifo", r#"[{"op":"select","mutex":"n","ms":1,"timed_out":[{"op":"yield"}]}]"#),
    ] {
        let json = one_task(kind, &format!(r#"[{{"op":"select","mutex":"m","ms":5,"locked":{locked}}}]"#));
        let s = Scenario::from_json(&json).unwrap_or_else(|e| panic!("{kind} {locked}: {e}"));
        assert_eq!(Scenario::from_json(&s.to_json()).as_ref(), Ok(&s));
    }
    // Empty branches are left out of the JSON.
    let s = Scenario::from_json(&one_task("async", r#"[{"op":"select","mutex":"m","ms":5}]"#)).unwrap();
    let json = serde_json::to_string(&s).unwrap();
    assert!(json.contains(r#"{"op":"select","mutex":"m","ms":5}"#), "{json}");
    // Selects nest like repeats (in the branch where the guard is not held).
    let mut nested = r#"{"op":"yield"}"#.to_string();
    for _ in 0..9 {
        nested = format!(r#"{{"op":"select","mutex":"m","ms":1,"timed_out":[{nested}]}}"#);
    }
    let deep = one_task("async", &format!("[{nested}]"));
    assert!(err(&deep).contains("repeat and select steps nest deeper than 8"), "{}", err(&deep));
}

#[test]
fn renaming_a_mutex_renames_a_select_and_the_steps_in_its_branches() {
    use mutex_playground::scenario::Step;
    let mut s = Scenario::from_json(&one_task(
        "async",
        r#"[{"op":"select","mutex":"m","ms":5,"locked":[{"op":"unlock","mutex":"m"}],
            "timed_out":[{"op":"locked_write","mutex":"m","action":{"kind":"increment"}}]}]"#,
    ))
    .unwrap();
    s.rename_mutex("m", "db");
    let Step::Select { mutex, locked, timed_out, .. } = &s.tasks[0].steps[0] else { panic!("{s:?}") };
    assert_eq!((mutex.as_str(), locked[0].mutex(), timed_out[0].mutex()), ("db", Some("db"), Some("db")));
    assert!(s.validate().is_ok(), "{:?}", s.validate());
}
