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
