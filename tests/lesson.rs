//! Lessons: the bundled ones hold against their runs, a lesson's problems are found at
//! their places, hostile text never panics, and the walk through a lesson (the state
//! machine the page drives) goes where it should.
#![cfg(not(target_arch = "wasm32"))]

use mutex_playground::lesson::{bundled, bundled_lesson, bundled_sources, Lesson, Phase, Prepared, Tour};
use mutex_playground::scenario::presets;
use proptest::prelude::*;

fn prepared(id: &str) -> Prepared {
    bundled_lesson(id).unwrap_or_else(|| panic!("no bundled lesson {id}")).prepare().expect("it prepares")
}

/// A bundled lesson's JSON, changed by `edit`, read and prepared: the first problem's text.
fn problem(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v: serde_json::Value = serde_json::from_str(bundled_sources()[1]).unwrap();
    edit(&mut v);
    match Lesson::from_json(&v.to_string()) {
        Err(e) => e.to_string(),
        Ok(l) => match l.prepare() {
            Err(errors) => errors[0].to_string(),
            Ok(_) => "no problem".into(),
        },
    }
}

#[test]
fn every_bundled_lesson_reads_prepares_and_asks_at_least_twice() {
    let sources = bundled_sources();
    let lessons = bundled();
    assert_eq!(lessons.len(), sources.len(), "a bundled lesson does not read");
    assert_eq!(lessons.len(), 5, "one per source text");
    for (i, l) in lessons.iter().enumerate() {
        assert!(l.id.starts_with(&format!("seed-00{i}")), "{} is not seed {i}'s lesson", l.id);
        let p = l.prepare().unwrap_or_else(|e| panic!("{}: {:?}", l.id, e));
        let questions: Vec<_> = p.stops.iter().filter_map(|s| s.question.as_ref()).collect();
        assert!(questions.len() >= 2, "{} asks {} questions", l.id, questions.len());
        for (s, q) in p.stops.iter().zip(&l.stops) {
            if let Some(q) = &q.question {
                // Every bundled question states its answer, so a change in the engine that
                // changes an answer fails here rather than teaching something false.
                assert!(q.answer.is_some(), "{}: a question without a stated answer", l.id);
            }
            if let Some(q) = &s.question {
                assert!(q.answer < q.choices.len() && q.choices.len() >= 2);
                assert!(q.decided_at > s.step || q.decided_at == p.steps, "{}: decided before it is asked", l.id);
            }
        }
        // The lesson reads back as written.
        assert_eq!(&Lesson::from_json(&l.to_json()).unwrap(), l);
        // Every lesson runs a preset, and so opens in the page at once.
        assert!(presets().iter().any(|pr| pr.scenario == p.scenario));
    }
}

#[test]
fn answers_come_from_the_run() {
    // seed 002: the writer, queued first, gets db before the reader who asks again.
    let p = prepared("seed-002-hand-over");
    let q = p.stops[1].question.as_ref().unwrap();
    assert_eq!(q.choices[q.answer], "writer");
    assert_eq!(q.decided_at, 3);
    // The value question is decided when the reader prints it, at 2000 ms.
    let q = p.stops[3].question.as_ref().unwrap();
    assert_eq!(q.choices[q.answer], "Number(1000)");
    assert!(q.why.contains("value = Some( Number(1000), )"), "{}", q.why);
    // Under another policy the same lesson's first question has the same answer (FIFO
    // hand-over is the Mutex's, not the executor's).
    let mut l = bundled_lesson("seed-002-hand-over").unwrap();
    l.policy = Some("random:3".into());
    let r = l.prepare().unwrap();
    assert_eq!(r.stops[1].question.as_ref().unwrap().answer, p.stops[1].question.as_ref().unwrap().answer);
}

#[test]
fn problems_are_found_at_their_place() {
    type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;
    let cases: Vec<(Edit, &str)> = vec![
        (Box::new(|v| v["stops"][1]["question"]["answer"] = "left".into()), "stops[1].question.answer"),
        (Box::new(|v| v["stops"][1]["question"]["ask"] = "who".into()), "stops[1].question.ask"),
        (Box::new(|v| v["stops"][1]["question"]["mutex"] = "c".into()), "there is no mutex \"c\""),
        (Box::new(|v| v["stops"][2]["at"]["task"] = "middle".into()), "stops[2].at.task: there is no task"),
        (Box::new(|v| v["stops"][2]["at"]["nth"] = 2.into()), "never a time number 2"),
        (Box::new(|v| v["stops"][2]["at"] = serde_json::json!({"step": 99})), "past the run's end"),
        (Box::new(|v| v["stops"][2]["at"] = "middle".into()), "stops[2].at"),
        (Box::new(|v| v["stops"][2]["at"] = 7.into()), "stops[2].at: expected \"start\""),
        (Box::new(|v| v["stops"][0]["at"] = "end".into()), "stops[1].at: this is step 1, before"),
        (Box::new(|v| v["scenario"] = serde_json::json!({"preset": "nope"})), "scenario.preset: there is no preset"),
        (Box::new(|v| v["scenario"] = serde_json::json!({"mutexes": 3})), "scenario"),
        (Box::new(|v| v["id"] = "no spaces".into()), "id:"),
        (Box::new(|v| v["policy"] = "lifo".into()), "policy:"),
        (Box::new(|v| v["stops"] = serde_json::json!([])), "at least one stop"),
        (Box::new(|v| v["stops"][0]["surprise"] = 1.into()), "unknown field"),
        (Box::new(|v| v["stops"][1]["question"]["choices"] = serde_json::json!(["left", "nobody"])), "no task"),
        (Box::new(|v| v["stops"][0]["question"]["choices"] = serde_json::json!(["finish", "explode"])), "no outcome"),
    ];
    for (edit, want) in cases {
        let got = problem(edit);
        assert!(got.contains(want), "{got:?} does not say {want:?}");
    }
    // An unchanged lesson has no problem.
    assert_eq!(problem(|_| {}), "no problem");
    // Text that is not JSON says where.
    let e = Lesson::from_json("{\n  \"id\": \"x\",\n  \"title\": oops }").unwrap_err();
    assert_eq!(e.line_col, Some((3, 12)), "{e}");
    assert!(e.to_string().starts_with("3:12: "), "{e}");
}

#[test]
fn next_print_choices_must_tell_the_line_apart() {
    let mut v: serde_json::Value = serde_json::from_str(bundled_sources()[3]).unwrap();
    v["stops"][2]["question"]["choices"] = serde_json::json!(["write", "guard"]);
    let errors = Lesson::from_json(&v.to_string()).unwrap().prepare().unwrap_err();
    assert!(errors[0].to_string().contains("holds 2 of the choices"), "{}", errors[0]);
}

#[test]
fn walking_a_lesson_right_and_wrong() {
    let p = prepared("seed-002-hand-over");
    let mut t = Tour::new(&p);
    // Stop 1 is at the start and asks nothing.
    assert_eq!(t.target(&p), Some(0));
    t.arrive(&p);
    assert_eq!(t.phase, Phase::AtStop);
    assert_eq!(t.answer(&p, 0), None, "no question is being asked");
    t.next(&p);
    assert_eq!((t.stop, t.phase, t.target(&p)), (1, Phase::Travelling, Some(2)));
    t.next(&p); // travelling: Continue does nothing until the stop is reached
    assert_eq!(t.stop, 1);
    t.arrive(&p);
    assert_eq!(t.phase, Phase::Asking);
    let q = p.stops[1].question.clone().unwrap();
    let wrong = (q.answer + 1) % q.choices.len();
    assert_eq!(t.answer(&p, 99), None, "no such choice");
    assert_eq!(t.answer(&p, wrong).map(|a| a.right), Some(false));
    assert_eq!(t.answer(&p, q.answer), None, "the first answer counts");
    // Show why: play to the step that decides it, then wait again.
    assert!(t.show_why(&p));
    assert_eq!(t.target(&p), Some(q.decided_at));
    t.arrive(&p);
    assert_eq!(t.phase, Phase::AtStop);
    // The remaining stops, answering right.
    while !t.complete() {
        t.next(&p);
        if t.complete() {
            break;
        }
        t.arrive(&p);
        if t.phase == Phase::Asking {
            let right = p.stops[t.stop].question.as_ref().unwrap().answer;
            assert_eq!(t.answer(&p, right).map(|a| a.right), Some(true));
        }
    }
    assert_eq!(t.score(&p), (1, 2));
    // Kept in the browser as JSON and resumed: a finished lesson stays finished.
    let kept: Tour = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
    assert_eq!(kept.clone().resumed(&p), t);
    // Going back to a stop with an answer does not ask again.
    t.go_to(&p, 1);
    t.arrive(&p);
    assert_eq!(t.phase, Phase::AtStop);
}

#[test]
fn a_stale_record_is_made_to_fit() {
    let p = prepared("seed-001-deadlock");
    let stale: Tour = serde_json::from_str(
        r#"{"stop": 40, "phase": "asking", "answers": [{"chosen": 9, "right": true}, null, null, null, null]}"#,
    )
    .unwrap();
    let t = stale.resumed(&p);
    assert_eq!(t.stop, p.stops.len() - 1);
    assert_eq!(t.phase, Phase::Travelling);
    assert_eq!(t.answers, vec![None; p.stops.len()], "an answer to no choice is dropped");
    // A record's own "right" is not trusted: it is this lesson's answer that decides.
    let wrong = (p.stops[0].question.as_ref().unwrap().answer + 1) % 2;
    let claims: Tour = serde_json::from_str(&format!(
        r#"{{"stop": 0, "phase": "at_stop", "answers": [{{"chosen": {wrong}, "right": true}}, null, null]}}"#
    ))
    .unwrap();
    assert_eq!(claims.resumed(&p).answers[0].map(|a| a.right), Some(false));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256)))]

    /// Any text at all: an error or a lesson, never a panic; a lesson prepares or says why.
    #[test]
    fn any_text_is_a_lesson_or_a_clear_error(text in ".{0,400}") {
        match Lesson::from_json(&text) {
            Ok(l) => { let _ = l.prepare(); }
            Err(e) => prop_assert!(!e.message.is_empty()),
        }
    }

    /// A bundled lesson with one value anywhere replaced: an error at a place, or a lesson
    /// that prepares; never a panic.
    #[test]
    fn a_bundled_lesson_edited_anywhere(which in 0usize..5, pick in any::<u64>(), value in prop_oneof![
        Just(serde_json::json!(null)), Just(serde_json::json!(-1)), Just(serde_json::json!(4294967296u64)),
        Just(serde_json::json!("")), Just(serde_json::json!("end")), Just(serde_json::json!([])),
        Just(serde_json::json!({})), ".{0,20}".prop_map(serde_json::Value::String),
    ]) {
        let mut v: serde_json::Value = serde_json::from_str(bundled_sources()[which]).unwrap();
        let mut slots = Vec::new();
        collect(&v, String::new(), &mut slots);
        let path = &slots[(pick % slots.len() as u64) as usize];
        *v.pointer_mut(path).unwrap() = value;
        if let Ok(l) = Lesson::from_json(&v.to_string()) {
            if let Err(errors) = l.prepare() {
                prop_assert!(errors.iter().all(|e| !e.message.is_empty()));
            }
        }
    }
}

/// Every JSON pointer in `v`.
fn collect(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        serde_json::Value::Object(m) => m.iter().for_each(|(k, x)| collect(x, format!("{at}/{k}"), out)),
        serde_json::Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| collect(x, format!("{at}/{i}"), out)),
        _ => {}
    }
}

#[test]
fn a_run_too_long_for_a_lesson_is_refused_quickly() {
    // The counter with a million rounds per task, inline in a lesson.
    let mut scenario = serde_json::to_value(&presets().iter().find(|p| p.id == "counter").unwrap().scenario).unwrap();
    for t in scenario["tasks"].as_array_mut().unwrap() {
        t["repeat"] = 1_000_000.into();
    }
    let lesson = serde_json::json!({"id": "long", "title": "long", "scenario": scenario,
        "stops": [{"at": "end", "text": "the end"}]});
    let errors = Lesson::from_json(&lesson.to_string()).unwrap().prepare().unwrap_err();
    assert_eq!(errors[0].path, "scenario");
    assert!(errors[0].message.contains("a lesson needs a shorter one"), "{}", errors[0]);
}

#[test]
fn hostile_sizes_are_refused_with_a_reason() {
    let big = format!("{{\"id\": \"x\", \"title\": \"{}\"}}", "a".repeat(2 * 1024 * 1024));
    assert!(Lesson::from_json(&big).unwrap_err().to_string().contains("limit"));
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(Lesson::from_json(&deep).is_err());
    let mut v: serde_json::Value = serde_json::from_str(bundled_sources()[1]).unwrap();
    v["stops"] = serde_json::Value::Array(vec![v["stops"][0].clone(); 101]);
    assert!(Lesson::from_json(&v.to_string()).unwrap_err().to_string().contains("limit is 100"));
}
