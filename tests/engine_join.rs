//! A scenario as a tokio program's `main`: the main task joins the others and asserts on
//! a mutex's value; and the insert write. How they run, how they fail, how they are
//! read, written and refused.

use mutex_playground::exec::{EventKind, Policy, WokenBy};
use mutex_playground::scenario::{Condition, Scenario, Step, WriteAction};
use mutex_playground::trace::{simulate, simulate_checked, AlertKind, EndReason, Run, TaskStatus};
use serde_json::json;

fn scenario(v: serde_json::Value) -> Scenario {
    Scenario::from_json(&v.to_string()).unwrap_or_else(|e| panic!("{e}: {v}"))
}

fn checked(s: &Scenario) -> Run {
    simulate_checked(s, &Policy::Fifo).expect("valid")
}

/// The kinds of the events of `task`, in order.
fn events_of(run: &Run, task: u32) -> Vec<EventKind> {
    run.events().iter().filter(|e| e.kind.task() == Some(task)).map(|e| e.kind).collect()
}

fn printed(run: &Run) -> Vec<String> {
    run.transcript().into_iter().map(|l| l.text).collect()
}

/// The step at which `task` finished.
fn done_at(run: &Run, task: u32) -> Option<u32> {
    run.events().iter().find(|e| e.kind == EventKind::Done { task }).map(|e| e.step)
}

/// Seed 000's counter as a program: main spawns 10 tasks that each add 1 a hundred
/// times under the lock (yielding in between), joins them all, and asserts the count.
fn counter(expected: i64) -> Scenario {
    let worker = |i: usize| {
        json!({"name": format!("w{i}"), "repeat": 100, "steps": [
            {"op": "locked_write", "mutex": "count", "action": {"kind": "increment"}},
            {"op": "yield"}]})
    };
    let mut tasks = vec![json!({"name": "main", "main": true, "steps": [
        {"op": "join"},
        {"op": "assert", "mutex": "count", "until": {"kind": "equals", "value": expected}},
        {"op": "print", "text": "count is right"}]})];
    tasks.extend((1..=10).map(worker));
    scenario(json!({"name": "counter", "mutexes": [{"name": "count", "initial": 0}], "tasks": tasks}))
}

#[test]
fn main_joins_ten_counter_tasks_and_its_assertion_holds() {
    for policy in [Policy::Fifo, Policy::Tokio, Policy::Random { seed: 7 }] {
        let run = simulate(&counter(1000), &policy).unwrap();
        assert_eq!(run.end, EndReason::Finished, "{policy}");
        assert_eq!(run.snapshot_at(run.steps()).mutexes[0].value, "1000");
        assert!(run.failed_assertions().is_empty(), "{policy}: {:?}", run.failed_assertions());
        assert!(run.analysis().alerts.is_empty(), "{policy}: {:?}", run.analysis().alerts);
        assert_eq!(printed(&run), ["count is right"]);
        assert_eq!(run.end_text(), "every task finished");
        // Main waited for all of them, and finished after every one of them.
        let main = events_of(&run, 0);
        assert!(main.contains(&EventKind::Joining { task: 0, target: None }), "{policy}");
        assert!(main.contains(&EventKind::Joined { task: 0 }), "{policy}");
        let last_worker = (1..=10).map(|t| done_at(&run, t).unwrap()).max().unwrap();
        assert!(done_at(&run, 0).unwrap() > last_worker, "{policy}");
    }
    // Under FIFO the last worker to finish is the one that wakes main.
    let run = checked(&counter(1000));
    let last = (1..=10).max_by_key(|&t| done_at(&run, t)).unwrap();
    assert!(run.events().iter().any(|e| e.kind == EventKind::Woken { task: 0, by: WokenBy::Task(last) }));
    // While it waits, main is joining: neither ready nor stuck.
    let joined = run.events().iter().find(|e| e.kind == EventKind::Joining { task: 0, target: None }).unwrap().step;
    let view = &run.snapshot_at(joined).tasks[0];
    assert_eq!(view.status, TaskStatus::Joining { target: None });
    assert_eq!(view.at, "join(all)");
}

#[test]
fn a_failing_assertion_is_reported_and_ends_its_task() {
    let run = checked(&counter(999));
    assert_eq!(run.end, EndReason::Finished);
    assert_eq!(run.failed_assertions(), ["main: count == 999 (it is 1000)"]);
    assert_eq!(run.end_text(), "every task finished, but an assertion failed: main: count == 999 (it is 1000)");
    // The print after the assertion never runs.
    assert!(printed(&run).is_empty());
    let alerts: Vec<_> = run.analysis().alerts.iter().filter(|a| a.kind == AlertKind::AssertionFailed).collect();
    assert_eq!(alerts.len(), 1, "{:?}", run.analysis().alerts);
    assert_eq!(alerts[0].tasks, [0]);
    assert_eq!(alerts[0].mutexes, [0]);
    assert!(
        alerts[0].message.starts_with("Assertion failed: main: count == 999 (it is 1000)."),
        "{}",
        alerts[0].message
    );
    let message = run.events().iter().find_map(|e| match e.kind {
        EventKind::AssertFailed { task: 0, mutex: 0, message } => Some(run.line(message)),
        _ => None,
    });
    assert_eq!(message, Some("assertion failed: count == 999 (it is 1000)"));
}

#[test]
fn a_failed_assertion_drops_the_guards_and_skips_the_rest_of_the_task_and_its_loops() {
    // `checker` holds the lock, checks, fails: its guard goes at once, so `other` gets
    // the lock, and none of checker's later steps or rounds run.
    let s = scenario(json!({"name": "panics", "mutexes": [{"name": "m", "initial": 0}, {"name": "n", "initial": 1}],
        "tasks": [
            {"name": "checker", "repeat": 3, "steps": [
                {"op": "lock", "mutex": "n"},
                {"op": "lock", "mutex": "m"},
                {"op": "print", "text": "round"},
                {"op": "repeat", "times": 2, "steps": [
                    {"op": "write", "mutex": "m", "action": {"kind": "increment"}},
                    {"op": "assert", "mutex": "m", "until": {"kind": "at_least", "value": 4}}]},
                {"op": "print", "text": "never"}]},
            {"name": "other", "steps": [
                {"op": "locked_write", "mutex": "m", "action": {"kind": "set", "value": 10}},
                {"op": "print", "text": "other wrote"}]}]}));
    let run = checked(&s);
    assert_eq!(run.end, EndReason::Finished);
    assert_eq!(printed(&run), ["round", "other wrote"]);
    assert_eq!(run.failed_assertions(), ["checker: m >= 4 (it is 1)"]);
    // After the failure: the guards dropped newest first, then the end of the task.
    let checker = events_of(&run, 0);
    let at = checker.iter().position(|e| matches!(e, EventKind::AssertFailed { .. })).unwrap();
    let released: Vec<u32> = checker[at..]
        .iter()
        .filter_map(|e| match e {
            EventKind::Released { mutex, .. } => Some(*mutex),
            _ => None,
        })
        .collect();
    assert_eq!(released, [0, 1]);
    assert_eq!(checker.last(), Some(&EventKind::Done { task: 0 }));
    assert_eq!(run.snapshot_at(run.steps()).mutexes[0].value, "10");
}

#[test]
fn each_condition_says_what_failed() {
    let check = |initial: serde_json::Value, until: serde_json::Value| {
        let s = scenario(json!({"name": "c", "mutexes": [{"name": "v", "initial": initial}], "tasks": [
            {"name": "t", "steps": [{"op": "assert", "mutex": "v", "until": until}]}]}));
        checked(&s).failed_assertions()
    };
    assert_eq!(check(json!(3), json!({"kind": "at_least", "value": 5})), ["t: v >= 5 (it is 3)"]);
    assert_eq!(check(json!([]), json!({"kind": "non_empty"})), ["t: v is non-empty (it is [])"]);
    assert_eq!(check(json!("a"), json!({"kind": "equals", "value": "b"})), [r#"t: v == "b" (it is "a")"#]);
    assert!(check(json!(5), json!({"kind": "at_least", "value": 5})).is_empty());
    assert!(check(json!([0]), json!({"kind": "non_empty"})).is_empty());
    // A long value is cut in the message.
    let long: Vec<u32> = (0..100).collect();
    let failed = check(json!(long), json!({"kind": "equals", "value": 0}));
    assert!(failed[0].ends_with("…)") && failed[0].len() < 120, "{failed:?}");
}

#[test]
fn an_assertion_without_the_guard_queues_for_the_lock_like_a_locked_write() {
    // `holder` keeps the lock across a sleep in which it is 1; `checker` asks meanwhile,
    // waits in the queue, and sees the value holder left: 2.
    let s = scenario(json!({"name": "queued", "mutexes": [{"name": "m", "initial": 0}], "tasks": [
        {"name": "holder", "steps": [
            {"op": "lock", "mutex": "m"},
            {"op": "write", "mutex": "m", "action": {"kind": "set", "value": 1}},
            {"op": "sleep", "ms": 50},
            {"op": "write", "mutex": "m", "action": {"kind": "set", "value": 2}},
            {"op": "unlock", "mutex": "m"}]},
        {"name": "checker", "steps": [
            {"op": "assert", "mutex": "m", "until": {"kind": "equals", "value": 2}},
            {"op": "print", "text": "it was 2"}]}]}));
    let run = checked(&s);
    assert_eq!(run.end, EndReason::Finished);
    assert!(run.failed_assertions().is_empty());
    assert_eq!(printed(&run), ["it was 2"]);
    let checker = events_of(&run, 1);
    assert!(checker.contains(&EventKind::Enqueued { task: 1, mutex: 0, position: 0 }), "{checker:?}");
    assert!(checker.contains(&EventKind::Acquired { task: 1, mutex: 0 }));
    assert!(checker.contains(&EventKind::Released { task: 1, mutex: 0 }));
    assert_eq!(run.analysis().tasks[1].wait_total, 50);
}

#[test]
fn main_joins_one_task_and_goes_on_while_the_others_run() {
    let s = scenario(json!({"name": "one", "tasks": [
        {"name": "main", "main": true, "steps": [
            {"op": "join", "task": 2},
            {"op": "print", "text": "fast is done"},
            {"op": "join", "task": 2},
            {"op": "print", "text": "joined again"},
            {"op": "join", "task": 1},
            {"op": "print", "text": "slow is done"}]},
        {"name": "slow", "steps": [{"op": "sleep", "ms": 100}, {"op": "print", "text": "slow ends"}]},
        {"name": "fast", "steps": [{"op": "sleep", "ms": 10}, {"op": "print", "text": "fast ends"}]}]}));
    let run = checked(&s);
    assert_eq!(run.end, EndReason::Finished);
    let lines: Vec<(String, u64)> = run.transcript().into_iter().map(|l| (l.text, l.time)).collect();
    let at = |text: &str| lines.iter().find(|(t, _)| t == text).map(|&(_, time)| time);
    assert_eq!(printed(&run), ["fast ends", "fast is done", "joined again", "slow ends", "slow is done"]);
    assert_eq!((at("fast is done"), at("joined again"), at("slow is done")), (Some(10), Some(10), Some(100)));
    // The second join of `fast` returned at once: two waits in all, for task 2 then 1.
    let joins: Vec<EventKind> =
        events_of(&run, 0).into_iter().filter(|e| matches!(e, EventKind::Joining { .. })).collect();
    assert_eq!(
        joins,
        [EventKind::Joining { task: 0, target: Some(2) }, EventKind::Joining { task: 0, target: Some(1) }]
    );
}

/// The text of every label of the run's program, in order.
fn labels(run: &Run) -> Vec<String> {
    (0..).map_while(|i| run.label(i)).map(|l| l.text.clone()).collect()
}

#[test]
fn the_labels_name_the_joins_and_the_assertions() {
    let s = scenario(json!({"name": "labels", "mutexes": [{"name": "count"}], "tasks": [
        {"name": "main", "main": true, "steps": [
            {"op": "join", "task": 1}, {"op": "join"},
            {"op": "assert", "mutex": "count", "until": {"kind": "equals", "value": 1000}},
            {"op": "locked_write", "mutex": "count", "action": {"kind": "insert", "key": "k", "value": [1]}}]},
        {"name": "w", "steps": []}]}));
    let run = checked(&s);
    assert_eq!(
        labels(&run),
        ["start", "join(task 1)", "join(all)", "assert!(count == 1000)", r#"count.lock().insert("k", [1])"#, "start"]
    );
}

#[test]
fn a_task_that_finished_before_the_join_is_joined_at_once() {
    let s = scenario(json!({"name": "early", "tasks": [
        {"name": "main", "main": true, "steps": [
            {"op": "sleep", "ms": 50}, {"op": "join"}, {"op": "print", "text": "ok"}]},
        {"name": "quick", "steps": [{"op": "print", "text": "hi"}]},
        {"name": "never runs", "repeat": 0, "steps": [{"op": "print", "text": "no"}]}]}));
    let run = checked(&s);
    assert_eq!(run.end, EndReason::Finished);
    assert_eq!(printed(&run), ["hi", "ok"]);
    assert!(!events_of(&run, 0).iter().any(|e| matches!(e, EventKind::Joining { .. })));
}

#[test]
fn a_task_that_failed_an_assertion_counts_as_finished_for_a_join() {
    let s = scenario(json!({"name": "panicked", "mutexes": [{"name": "m", "initial": null}], "tasks": [
        {"name": "main", "main": true, "steps": [{"op": "join", "task": 1}, {"op": "print", "text": "joined"}]},
        {"name": "w", "steps": [
            {"op": "sleep", "ms": 5}, {"op": "assert", "mutex": "m", "until": {"kind": "non_empty"}}]}]}));
    let run = checked(&s);
    assert_eq!(run.end, EndReason::Finished);
    assert_eq!(printed(&run), ["joined"]);
    assert_eq!(run.failed_assertions(), ["w: m is non-empty (it is null)"]);
}

#[test]
fn joining_a_forever_task_never_returns_and_the_run_ends_at_its_limits() {
    // A forever task that sleeps: the time limit.
    let s = scenario(json!({"name": "forever", "limits": {"max_time_ms": 200}, "tasks": [
        {"name": "main", "main": true, "steps": [{"op": "join", "task": 1}, {"op": "print", "text": "never"}]},
        {"name": "ticker", "forever": true, "steps": [{"op": "sleep", "ms": 10}]}]}));
    let run = checked(&s);
    assert_eq!(run.end, EndReason::TimeLimit);
    assert!(printed(&run).is_empty());
    let end = run.snapshot_at(run.steps());
    assert_eq!(end.tasks[0].status, TaskStatus::Joining { target: Some(1) });
    // It waits with its waker left with the join, not lost.
    assert!(!run.events().iter().any(|e| matches!(e.kind, EventKind::LostWakeup { .. })));
    // A forever task that only yields: the work limit; the same with a join of all.
    let s = scenario(json!({"name": "spinner", "limits": {"max_steps": 500}, "tasks": [
        {"name": "main", "main": true, "steps": [{"op": "join"}, {"op": "print", "text": "never"}]},
        {"name": "done", "steps": []},
        {"name": "spinner", "forever": true, "steps": [{"op": "yield"}]}]}));
    let run = checked(&s);
    assert_eq!(run.end, EndReason::StepLimit);
    assert!(printed(&run).is_empty());
    assert_eq!(run.snapshot_at(run.steps()).tasks[0].status, TaskStatus::Joining { target: None });
}

#[test]
fn joining_a_task_that_waits_for_main_is_stuck_and_says_why() {
    // Main holds the lock while it joins the worker, which waits for that lock: nothing
    // can run, and there is no cycle of locks.
    let s = scenario(json!({"name": "stuck", "mutexes": [{"name": "m"}], "tasks": [
        {"name": "main", "main": true, "steps": [
            {"op": "lock", "mutex": "m"}, {"op": "join", "task": 1}, {"op": "unlock", "mutex": "m"}]},
        {"name": "worker", "steps": [{"op": "locked_write", "mutex": "m", "action": {"kind": "set", "value": 1}}]}]}));
    let run = checked(&s);
    assert_eq!(run.end, EndReason::Stuck);
    assert_eq!(run.end_text(), "nothing can run: main waits for worker to finish, which never happens");
    let end = run.snapshot_at(run.steps());
    assert_eq!(end.tasks[0].status, TaskStatus::Joining { target: Some(1) });
    assert_eq!(end.tasks[1].status, TaskStatus::WaitingLock { mutex: 0 });
    // A worker that lost its wake-up: the join waits for good, and the lost wake-up is
    // why the run ends.
    let s = scenario(json!({"name": "lost", "mutexes": [{"name": "m", "initial": 0}], "tasks": [
        {"name": "main", "main": true, "steps": [{"op": "join"}]},
        {"name": "holder", "steps": [
            {"op": "lock", "mutex": "m"}, {"op": "sleep", "ms": 5}, {"op": "unlock", "mutex": "m"}]},
        {"name": "waiter", "steps": [
            {"op": "broken_wait", "mutex": "m", "until": {"kind": "at_least", "value": 1}}]}]}));
    assert_eq!(checked(&s).end, EndReason::LostWakeup { tasks: vec![2] });
}

#[test]
fn insert_sets_a_key_of_a_map_and_refuses_anything_else() {
    let write = |initial: serde_json::Value| {
        let s = scenario(json!({"name": "insert", "mutexes": [{"name": "m", "initial": initial}], "tasks": [
            {"name": "t", "steps": [
                {"op": "locked_write", "mutex": "m", "action": {"kind": "insert", "key": "k", "value": {"a": [3]}}},
                {"op": "lock", "mutex": "m"},
                {"op": "write", "mutex": "m", "action": {"kind": "insert", "key": "z", "value": null}},
                {"op": "unlock", "mutex": "m"}]}]}));
        let run = checked(&s);
        let errors: Vec<String> = run
            .events()
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::Error { message, .. } => Some(run.line(message).to_string()),
                _ => None,
            })
            .collect();
        (run.snapshot_at(run.steps()).mutexes[0].value.clone(), errors)
    };
    assert_eq!(write(json!(null)), (r#"{"k":{"a":[3]},"z":null}"#.to_string(), vec![]));
    assert_eq!(write(json!({"k": 1, "b": 2})), (r#"{"b":2,"k":{"a":[3]},"z":null}"#.to_string(), vec![]));
    let (value, errors) = write(json!([1]));
    assert_eq!(value, "[1]");
    assert_eq!(
        errors,
        [
            r#"insert("k", {"a":[3]}): cannot insert a key into a list"#,
            r#"insert("z", null): cannot insert a key into a list"#
        ]
    );
}

#[test]
fn the_new_fields_go_to_json_and_back() {
    let s = scenario(json!({"name": "round trip", "mutexes": [{"name": "m", "initial": {}}], "tasks": [
        {"name": "main", "main": true, "steps": [
            {"op": "join", "task": 1},
            {"op": "repeat", "times": 2, "steps": [{"op": "join"}]},
            {"op": "assert", "mutex": "m", "until": {"kind": "equals", "value": {"k": [1, "x"]}}},
            {"op": "assert", "mutex": "m", "until": {"kind": "at_least", "value": -3}},
            {"op": "assert", "mutex": "m", "until": {"kind": "non_empty"}}]},
        {"name": "w", "steps": [
            {"op": "locked_write", "mutex": "m", "action": {"kind": "insert", "key": "k", "value": [1, "x"]}},
            {"op": "lock", "mutex": "m"},
            {"op": "write", "mutex": "m", "action": {"kind": "insert", "key": "", "value": null}},
            {"op": "assert", "mutex": "m", "until": {"kind": "non_empty"}},
            {"op": "unlock", "mutex": "m"}]}]}));
    assert!(s.tasks[0].main && !s.tasks[1].main);
    assert_eq!(s.tasks[0].steps[0], Step::Join { task: Some(1) });
    assert_eq!(
        s.tasks[1].steps[0],
        Step::LockedWrite {
            mutex: "m".into(),
            action: WriteAction::Insert { key: "k".into(), value: json!([1, "x"]) }
        }
    );
    assert_eq!(s.tasks[0].steps[4], Step::Assert { mutex: "m".into(), until: Condition::NonEmpty });
    let text = s.to_json();
    assert_eq!(Scenario::from_json(&text), Ok(s.clone()));
    // `main` is written only where it is true, a join's `task` only where there is one.
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["tasks"][0]["main"], json!(true));
    assert!(v["tasks"][1].get("main").is_none(), "{text}");
    assert_eq!(v["tasks"][0]["steps"][0], json!({"op": "join", "task": 1}));
    assert_eq!(v["tasks"][0]["steps"][1]["steps"][0], json!({"op": "join"}));
    assert_eq!(v["tasks"][1]["steps"][2]["action"], json!({"kind": "insert", "key": "", "value": null}));
    // And the serde path reads the same.
    assert_eq!(serde_json::from_str::<Scenario>(&text).unwrap(), s);
}

/// The error `json` (a scenario) is refused with.
fn refused(v: serde_json::Value) -> String {
    Scenario::from_json(&v.to_string()).expect_err("refused").to_string()
}

#[test]
fn the_main_task_must_be_the_first_the_only_one_and_run_once() {
    let task = |name: &str, extra: serde_json::Value| {
        let mut t = json!({"name": name, "steps": []});
        t.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        t
    };
    let with = |tasks: Vec<serde_json::Value>| json!({"name": "s", "tasks": tasks});
    assert_eq!(
        refused(with(vec![task("a", json!({})), task("main", json!({"main": true}))])),
        "tasks[1].main: the main task must be tasks[0]: tokio polls main first, as the executor polls tasks[0] \
         first (move it to the top)"
    );
    assert_eq!(
        refused(with(vec![task("main", json!({"main": true})), task("other", json!({"main": true}))])),
        r#"tasks[1].main: a program has one main task, and tasks[0] ("main") is already it"#
    );
    assert_eq!(
        refused(with(vec![task("main", json!({"main": true, "start_ms": 5}))])),
        "tasks[0].start_ms: the main task starts at once: its start_ms must be 0, not 5"
    );
    assert_eq!(
        refused(with(vec![task("main", json!({"main": true, "repeat": 2}))])),
        "tasks[0].repeat: the main task runs once: its repeat must be 1, not 2"
    );
    assert_eq!(
        refused(with(vec![task("main", json!({"main": true, "repeat": 0}))])),
        "tasks[0].repeat: the main task runs once: its repeat must be 1, not 0"
    );
    assert_eq!(
        refused(with(vec![task("main", json!({"main": true, "forever": true}))])),
        "tasks[0].forever: the main task runs once: it cannot be forever"
    );
    assert_eq!(
        refused(with(vec![task("main", json!({"main": "yes"}))])),
        r#"tasks[0].main: invalid type: string "yes", expected a boolean"#
    );
    assert!(Scenario::from_json(&with(vec![task("main", json!({"main": true, "repeat": 1}))]).to_string()).is_ok());
    // Every problem at its place: the editor shows each.
    let s: Scenario = serde_json::from_value(with(vec![
        task("a", json!({"main": true, "start_ms": 1})),
        task("b", json!({"main": true})),
    ]))
    .unwrap();
    let paths: Vec<String> = s.problems().into_iter().map(|e| e.path).collect();
    assert_eq!(paths, ["tasks[0].start_ms", "tasks[1].main"]);
}

#[test]
fn only_main_joins_and_only_other_tasks_that_exist() {
    let join = |task: serde_json::Value| {
        let mut j = json!({"op": "join"});
        if !task.is_null() {
            j["task"] = task;
        }
        j
    };
    let s = |main: bool, joiner: usize, step: serde_json::Value| {
        let mut tasks = vec![json!({"name": "a", "main": main, "steps": []}), json!({"name": "b", "steps": []})];
        tasks[joiner]["steps"] = json!([{"op": "yield"}, {"op": "repeat", "times": 2, "steps": [step]}]);
        json!({"name": "s", "tasks": tasks})
    };
    let not_main = "only the main task can join: the handles of the spawned tasks live in main \
                    (mark tasks[0] as main, and join there)";
    assert_eq!(refused(s(false, 0, join(json!(null)))), format!("tasks[0].steps[1].steps[0]: {not_main}"));
    assert_eq!(refused(s(true, 1, join(json!(0)))), format!("tasks[1].steps[1].steps[0]: {not_main}"));
    assert_eq!(
        refused(s(true, 0, join(json!(2)))),
        "tasks[0].steps[1].steps[0].task: there is no task 2: the tasks are numbered from 0 to 1"
    );
    assert_eq!(
        refused(s(true, 0, join(json!(0)))),
        "tasks[0].steps[1].steps[0].task: a task cannot join itself: it would wait for its own end forever"
    );
    assert_eq!(
        refused(s(true, 0, join(json!(-1)))),
        "tasks[0].steps[1].steps[0].task: invalid value: integer `-1`, expected u32"
    );
    assert_eq!(
        refused(s(true, 0, json!({"op": "join", "mutex": "m"}))),
        "tasks[0].steps[1].steps[0]: unknown field `mutex`, expected `task`"
    );
    assert!(Scenario::from_json(&s(true, 0, join(json!(1))).to_string()).is_ok());
    assert!(Scenario::from_json(&s(true, 0, join(json!(null))).to_string()).is_ok());
    // A main task alone may join all the others: there are none, and it returns at once.
    let alone =
        scenario(json!({"name": "alone", "tasks": [{"name": "main", "main": true, "steps": [{"op": "join"}]}]}));
    assert_eq!(checked(&alone).end, EndReason::Finished);
}

#[test]
fn an_assert_and_an_insert_are_read_field_by_field() {
    let one = |step: serde_json::Value| {
        refused(json!({"name": "s", "mutexes": [{"name": "m"}], "tasks": [{"name": "t", "steps": [step]}]}))
    };
    assert_eq!(
        one(json!({"op": "assert", "mutex": "n", "until": {"kind": "non_empty"}})),
        r#"tasks[0].steps[0]: unknown mutex "n""#
    );
    assert_eq!(one(json!({"op": "assert", "mutex": "m"})), "tasks[0].steps[0]: missing field `until`");
    assert_eq!(
        one(json!({"op": "assert", "mutex": "m", "until": {"kind": "non_empty"}, "take": true})),
        "tasks[0].steps[0]: unknown field `take`, expected `mutex` or `until`"
    );
    assert_eq!(
        one(json!({"op": "locked_write", "mutex": "m", "action": {"kind": "insert", "key": "k"}})),
        "tasks[0].steps[0].action: missing field `value`"
    );
    assert_eq!(
        one(json!({"op": "locked_write", "mutex": "m", "action": {"kind": "insert", "value": 1}})),
        "tasks[0].steps[0].action: missing field `key`"
    );
    assert_eq!(
        one(json!({"op": "locked_write", "mutex": "m", "action": {"kind": "insert", "key": "k", "value": 1, "by": 2}})),
        "tasks[0].steps[0].action: unknown field `by`, expected `key` or `value`"
    );
    let big = "x".repeat(70 * 1024);
    assert_eq!(
        one(json!({"op": "locked_write", "mutex": "m", "action": {"kind": "insert", "key": "k", "value": big}})),
        "tasks[0].steps[0].action.value: the value is larger than 64 KiB"
    );
}

#[test]
fn moving_and_removing_tasks_keeps_each_join_on_its_task() {
    let mut s = scenario(json!({"name": "s", "mutexes": [{"name": "m"}], "tasks": [
        {"name": "main", "main": true, "steps": [
            {"op": "join", "task": 1},
            {"op": "repeat", "times": 1, "steps": [{"op": "join", "task": 3}]},
            {"op": "select", "mutex": "m", "ms": 1, "timed_out": [{"op": "join", "task": 2}]},
            {"op": "join"}]},
        {"name": "a", "steps": []}, {"name": "b", "steps": []}, {"name": "c", "steps": []}]}));
    let targets = |s: &Scenario| -> Vec<Option<String>> {
        fn walk(steps: &[Step], out: &mut Vec<Option<u32>>) {
            for step in steps {
                match step {
                    Step::Join { task } => out.push(*task),
                    _ => step.bodies().for_each(|(_, body)| walk(body, out)),
                }
            }
        }
        let mut out = Vec::new();
        walk(&s.tasks[0].steps, &mut out);
        out.into_iter().map(|t| t.map(|t| s.tasks[t as usize].name.clone())).collect()
    };
    let named = |names: &[Option<&str>]| names.iter().map(|n| n.map(str::to_string)).collect::<Vec<_>>();
    assert_eq!(targets(&s), named(&[Some("a"), Some("c"), Some("b"), None]));
    s.swap_tasks(1, 3);
    assert_eq!(targets(&s), named(&[Some("a"), Some("c"), Some("b"), None]));
    s.insert_task(1, s.tasks[2].clone());
    assert_eq!(targets(&s), named(&[Some("a"), Some("c"), Some("b"), None]));
    s.remove_task(4); // a: its join goes with it
    assert_eq!(targets(&s), named(&[Some("c"), Some("b"), None]));
    assert!(s.validate().is_ok(), "{:?}", s.validate());
    assert_eq!(s.remove_task(9), None);
}

#[test]
fn a_run_that_ends_otherwise_still_says_its_assertions_failed() {
    let s = scenario(json!({"name": "limit", "limits": {"max_time_ms": 100}, "mutexes": [{"name": "m", "initial": 1}],
        "tasks": [
            {"name": "a", "steps": [{"op": "assert", "mutex": "m", "until": {"kind": "at_least", "value": 2}}]},
            {"name": "b", "steps": [{"op": "assert", "mutex": "m", "until": {"kind": "equals", "value": 0}}]},
            {"name": "ticker", "forever": true, "steps": [{"op": "sleep", "ms": 10}]}]}));
    let run = checked(&s);
    assert_eq!(run.end, EndReason::TimeLimit);
    assert_eq!(run.failed_assertions(), ["a: m >= 2 (it is 1)", "b: m == 0 (it is 1)"]);
    assert_eq!(
        run.end_text(),
        "stopped at the time limit of 100 ms (the tasks loop forever); an assertion failed before: \
         a: m >= 2 (it is 1) (and 1 more)"
    );
    let report = run.report();
    assert!(report.contains("ALERT at step 1 (0 ms): Assertion failed: a: m >= 2 (it is 1)."), "{report}");
}
