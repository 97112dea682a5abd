//! Exports of real runs: the Chrome trace passes the format check and carries the run's
//! waits, holds, hand-overs and alerts; the SVG is well-formed and escapes names.

use mutex_playground::exec::Policy;
use mutex_playground::scenario::{preset, presets};
use mutex_playground::share::export::{check_chrome_trace, chrome_trace, timeline_svg, Axis};
use mutex_playground::trace::simulate;

#[test]
fn every_preset_exports_a_valid_chrome_trace() {
    for p in presets() {
        let run = simulate(&p.scenario, &Policy::Fifo).unwrap();
        let json = chrome_trace(&run, Axis::for_run(&run));
        let n = check_chrome_trace(&json).unwrap_or_else(|e| panic!("{}: {e}", p.id));
        assert!(n > p.scenario.tasks.len() * 2, "{}: only {n} events", p.id);
    }
}

#[test]
fn reader_writer_trace_has_the_holds_waits_and_handoffs() {
    let run = simulate(&preset("reader-writer").unwrap().scenario, &Policy::Fifo).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&chrome_trace(&run, Axis::Time)).unwrap();
    let events = doc["traceEvents"].as_array().unwrap();
    let first_hold = events.iter().find(|e| e["ph"] == "X" && e["name"] == "hold db" && e["tid"] == 0).unwrap();
    assert_eq!(
        (first_hold["ts"].as_u64(), first_hold["dur"].as_u64()),
        (Some(0), Some(1_000_000)),
        "reader holds db 0..1000 ms"
    );
    let first_wait = events.iter().find(|e| e["ph"] == "X" && e["name"] == "wait db").unwrap();
    assert_eq!(first_wait["tid"], 1, "the writer waits first");
    let flows = events.iter().filter(|e| e["ph"] == "s").count();
    assert_eq!(flows, run.handoffs().len());
    assert!(flows >= 4);
    assert!(events.iter().any(|e| e["name"] == "thread_name" && e["args"]["name"] == "writer"));
}

#[test]
fn deadlock_alert_is_an_instant_in_the_trace() {
    let run = simulate(&preset("deadlock").unwrap().scenario, &Policy::Fifo).unwrap();
    let json = chrome_trace(&run, Axis::for_run(&run));
    assert!(json.contains("\"ph\":\"i\"") && json.contains("Deadlock"));
    assert!(json.contains("never served"), "the deadlocked waits are shown to the end");
}

#[test]
fn timeline_svg_is_well_formed_and_escapes_names() {
    let mut scenario = preset("deadlock").unwrap().scenario;
    scenario.tasks[0].name = "<script>alert(1)</script>".into();
    let run = simulate(&scenario, &Policy::Fifo).unwrap();
    let svg = timeline_svg(&run);
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(!svg.contains("<script>"));
    assert!(svg.contains("&lt;script&gt;"));
    assert_eq!(svg.matches("<svg").count(), svg.matches("</svg>").count());
    assert!(svg.matches("<rect").count() > 4);
}

#[test]
fn the_transcript_export_ends_with_the_outcome_and_the_analysis() {
    for id in ["deadlock", "reader-writer"] {
        let run = simulate(&preset(id).unwrap().scenario, &Policy::Fifo).unwrap();
        let text = run.transcript_export();
        let printed = run.transcript_text();
        if printed.is_empty() {
            assert!(text.starts_with("(nothing was printed)\n"), "{id}: {text}");
        } else {
            assert!(text.starts_with(&printed), "{id}");
        }
        assert!(text.ends_with(&run.report()), "{id}");
        assert!(text.contains(&format!("ended: {}", run.end_text())), "{id}: {text}");
        for task in &run.scenario.tasks {
            assert!(text.lines().any(|l| l.starts_with(&task.name)), "{id}: a row for {}", task.name);
        }
    }
}
