//! Every run obeys a budget, whatever the scenario: short hostile links from issue 11
//! end early with a reason instead of freezing or exhausting the page.
#![cfg(not(loom))]

use mutex_playground::exec::Policy;
use mutex_playground::scenario::{
    Scenario, MAX_BYTES_WITHOUT_YIELD, MAX_EVENTS, MAX_JSON_BYTES, MAX_STEPS_WITHOUT_YIELD, MAX_TRACE_TEXT_BYTES,
};
use mutex_playground::share::export::{chrome_trace, timeline_svg, Axis};
use mutex_playground::trace::{simulate, EndReason, Run};

fn run(json: &str) -> Run {
    let scenario = Scenario::from_json(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    simulate(&scenario, &Policy::Fifo).unwrap()
}

#[path = "cases/mod.rs"]
mod cases;

const M: &str = r#""mutexes":[{"name":"m","initial":[]}]"#;

fn forever(steps: &str) -> String {
    format!(r#"{{"name":"x",{M},"tasks":[{{"name":"spinner","forever":true,"steps":[{steps}]}}]}}"#)
}

#[test]
fn a_forever_loop_with_no_steps_is_stopped_as_a_runaway() {
    let run = run(&forever(""));
    assert_eq!(run.end, EndReason::Runaway { task: 0, steps: MAX_STEPS_WITHOUT_YIELD });
    assert_eq!(
        run.end_text(),
        "stopped: task spinner ran 20,000 steps without yielding \
         (a loop with no .await that waits can never let the others run)"
    );
}

#[test]
fn steps_that_never_yield_are_stopped_inside_one_poll() {
    for steps in [
        r#"{"op":"lock","mutex":"m"},{"op":"unlock","mutex":"m"}"#,
        r#"{"op":"sleep","ms":0}"#,
        r#"{"op":"print","text":"hi"}"#,
        r#"{"op":"busy","ms":0}"#,
        r#"{"op":"locked_write","mutex":"m","action":{"kind":"set","value":1}}"#,
        r#"{"op":"dbg"}"#,
    ] {
        let run = run(&forever(steps));
        assert!(
            matches!(run.end, EndReason::Runaway { task: 0, .. } | EndReason::Flood { task: 0, .. }),
            "{steps}: {:?}",
            run.end
        );
        assert!(run.steps() <= 2, "{steps}: stopped inside the first poll, not after {} polls", run.steps());
    }
}

#[test]
fn values_written_or_copied_without_yielding_are_bounded_per_poll() {
    // Rendering and copying cost in proportion to size: a cheap step with a big value is
    // not cheap. Both the growing list and the repeated read stop inside the first poll.
    let big: Vec<u32> = (0..10_000).collect();
    let m = format!(r#""mutexes":[{{"name":"m","initial":{}}}]"#, serde_json::to_string(&big).unwrap());
    for steps in [
        r#"{"op":"locked_write","mutex":"m","action":{"kind":"push","value":1}}"#,
        r#"{"op":"lock","mutex":"m"},{"op":"read","mutex":"m"},{"op":"unlock","mutex":"m"}"#,
    ] {
        let json = format!(r#"{{"name":"x",{m},"tasks":[{{"name":"flood","forever":true,"steps":[{steps}]}}]}}"#);
        let run = run(&json);
        match run.end {
            EndReason::Flood { task: 0, bytes } => {
                assert!(bytes > MAX_BYTES_WITHOUT_YIELD && bytes < MAX_BYTES_WITHOUT_YIELD + 100_000)
            }
            ref other => panic!("{steps}: {other:?}"),
        }
        assert!(run.end_text().starts_with("stopped: task flood wrote 5"), "{}", run.end_text());
    }
}

#[test]
fn nested_repeats_of_nothing_count_every_round() {
    let json = concat!(
        r#"{"name":"x","tasks":[{"name":"a","steps":[{"op":"repeat","times":1000000,"#,
        r#""steps":[{"op":"repeat","times":1000000,"steps":[]}]}]}]}"#,
    );
    assert!(matches!(run(json).end, EndReason::Runaway { .. }));
}

#[test]
fn busy_work_past_the_time_limit_stops_inside_the_poll() {
    let json = concat!(
        r#"{"name":"x","tasks":[{"name":"a","steps":[{"op":"repeat","times":50,"steps":[{"op":"busy","ms":1000}]}]}],"#,
        r#""limits":{"max_steps":1000,"max_time_ms":5000}}"#,
    );
    let run = run(json);
    assert_eq!(run.end, EndReason::TimeLimit);
    assert!(run.duration() <= 6_000, "stopped at {} ms", run.duration());
}

#[test]
fn a_growing_value_fills_the_trace_and_stops_it_early() {
    // Each write records the whole list: bytes grow quadratically with the writes.
    let run = run(&forever(
        r#"{"op":"locked_write","mutex":"m","action":{"kind":"push","value":"0123456789"}},{"op":"yield"}"#,
    ));
    match run.end {
        EndReason::TraceFull { text_bytes, .. } => {
            assert!(text_bytes > MAX_TRACE_TEXT_BYTES);
            // One write past the limit at most, and a write is smaller than the limit.
            assert!(text_bytes < 2 * MAX_TRACE_TEXT_BYTES);
        }
        ref other => panic!("{other:?}"),
    }
}

#[test]
fn yielding_forever_stops_at_the_event_or_work_limit() {
    let json = format!(
        concat!(
            r#"{{"name":"x",{M},"tasks":[{{"name":"a","forever":true,"steps":[{{"op":"yield"}}]}},"#,
            r#"{{"name":"b","forever":true,"steps":[{{"op":"yield"}}]}}],"#,
            r#""limits":{{"max_steps":5000000,"max_time_ms":1000}}}}"#,
        ),
        M = M
    );
    let run = run(&json);
    assert!(matches!(run.end, EndReason::TraceFull { .. } | EndReason::StepLimit), "{:?}", run.end);
    assert!(run.events().len() as u64 <= MAX_EVENTS + 64);
}

#[test]
fn broken_wait_that_takes_at_once_is_recorded_for_its_own_task() {
    // Issue 11, item 2: the condition holds on the first try, and the taken item used
    // to be re-read with an untagged try_lock, recorded for task u32::MAX.
    for kind in ["async", "watch"] {
        let json = format!(
            concat!(
                r#"{{"name":"x","mutexes":[{{"name":"m","kind":"{kind}","initial":[1,2]}}],"#,
                r#""tasks":[{{"name":"a","steps":[{{"op":"broken_wait","mutex":"m","until":{{"kind":"non_empty"}},"#,
                r#""take":true}},{{"op":"dbg"}}]}}]}}"#,
            ),
            kind = kind
        );
        let run = run(&json);
        assert_eq!(run.end, EndReason::Finished, "{kind}");
        assert!(run.events().iter().all(|e| e.kind.task().is_none_or(|t| t == 0)), "{kind}: an event for another task");
        assert_eq!(run.snapshot_at(run.steps()).mutexes[0].value, "[2]", "{kind}");
        assert!(run.transcript_text().starts_with("value = ") && run.transcript_text().contains('1'), "{kind}");
    }
}

#[test]
fn names_that_xml_cannot_hold_are_refused_at_their_field() {
    let json = "{\"name\":\"x\",\"tasks\":[{\"name\":\"a\\u0001b\",\"steps\":[]}]}";
    let err = Scenario::from_json(json).unwrap_err();
    assert_eq!(err.path, "tasks[0].name");
    assert!(err.message.contains("U+0001"), "{err}");
    // A printed line may hold a line break and a tab.
    let ok = "{\"name\":\"x\",\"tasks\":[{\"name\":\"a\",\"steps\":[{\"op\":\"print\",\"text\":\"a\\n\\tb\"}]}]}";
    assert!(Scenario::from_json(ok).is_ok());
}

#[test]
fn the_svg_escapes_markup_and_replaces_what_xml_cannot_hold() {
    let json = concat!(
        r#"{"name":"<a & \"b\">","mutexes":[{"name":"m&m"}],"#,
        r#""tasks":[{"name":"<t>","steps":[{"op":"lock","mutex":"m&m"}]}]}"#,
    );
    let svg = timeline_svg(&run(json));
    assert!(svg.contains("&lt;a &amp; &quot;b&quot;&gt;"));
    assert!(!svg.contains("<t>"));
    assert_eq!(mutex_playground::share::export::escape_xml("a\u{1}b\u{FFFF}"), "a\u{FFFD}b\u{FFFD}");
}

#[test]
fn a_scenario_that_would_not_import_again_is_refused() {
    // 249,000 `dbg` steps written without their default name, beside 4.6 MB of initial
    // values: under the import limit as typed, over it once exported with the defaults
    // written out.
    let steps = vec![r#"{"op":"dbg"}"#; 249_000].join(",");
    let pad = "x".repeat(62_000);
    let mutexes: Vec<String> = (0..75).map(|i| format!(r#"{{"name":"m{i}","initial":"{pad}"}}"#)).collect();
    let json =
        format!(r#"{{"name":"x","mutexes":[{}],"tasks":[{{"name":"a","steps":[{steps}]}}]}}"#, mutexes.join(","));
    assert!(json.len() < MAX_JSON_BYTES);
    let err = Scenario::from_json(&json).unwrap_err();
    assert!(err.message.contains("as JSON (with its defaults written out)"), "{err}");
}

#[test]
fn a_large_valid_scenario_exports_and_imports_again() {
    let steps = vec![r#"{"op":"dbg","name":"v"}"#; 200_000].join(",");
    let json = format!(r#"{{"name":"x","tasks":[{{"name":"a","steps":[{steps}]}}]}}"#);
    let scenario = Scenario::from_json(&json).unwrap();
    let exported = scenario.to_json();
    assert!(exported.len() <= MAX_JSON_BYTES);
    assert_eq!(Scenario::from_json(&exported).unwrap(), scenario);
}

#[test]
fn exports_of_the_largest_runs_stay_bounded() {
    let run = run(&cases::turn_takers(2_000));
    assert!(matches!(run.end, EndReason::TraceFull { .. }), "{:?}", run.end);
    let chrome = chrome_trace(&run, Axis::for_run(&run));
    assert!(chrome.len() <= mutex_playground::share::export::MAX_EXPORT_BYTES + 4096);
    assert!(mutex_playground::share::export::check_chrome_trace(&chrome).is_ok());
    let svg = timeline_svg(&run);
    assert!(svg.len() < 8 * 1024 * 1024, "{} bytes", svg.len());
    assert!(svg.contains("and 1800 more tasks, not drawn"));
}

#[test]
fn runs_that_share_one_runs_room_stop_at_their_share() {
    use mutex_playground::trace::{Simulation, TraceRoom};
    let scenario = Scenario::from_json(&cases::turn_takers(2_000)).unwrap();
    let whole = run(&cases::turn_takers(2_000));
    let EndReason::TraceFull { events, max_events, .. } = whole.end else { panic!("{:?}", whole.end) };
    assert_eq!(max_events, MAX_EVENTS);
    assert!(events > MAX_EVENTS / 2, "the whole run recorded {events} events");
    // Four runs made together, as the compare view makes them: a quarter each.
    let quarter = Simulation::with_room(&scenario, &Policy::Fifo, TraceRoom::shared_by(4)).unwrap().finish();
    match quarter.end {
        EndReason::TraceFull { events, max_events, .. } => {
            assert_eq!(max_events, MAX_EVENTS / 4);
            assert!(events > MAX_EVENTS / 4 && events <= MAX_EVENTS / 4 + 64, "recorded {events} events");
            assert!(quarter.events().len() as u64 <= MAX_EVENTS / 4 + 64);
        }
        ref other => panic!("{other:?}"),
    }
    let said = quarter.end_text();
    assert!(said.contains("at most 125,000 events") && said.contains("its share of one run's room"), "{said}");
    assert!(!whole.end_text().contains("share"), "{}", whole.end_text());
}
