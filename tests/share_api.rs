//! The embed API's messages: every command reads, every bad one says why, someone else's
//! message is left alone, and the page's events carry the protocol and version.
#![cfg(not(target_arch = "wasm32"))]

use mutex_playground::share::api::{Command, HostMessage, Load, PageEvent, MAX_MESSAGE};
use proptest::prelude::*;

fn parse(body: &str) -> Result<Option<Command>, String> {
    let json = format!(r#"{{"protocol":"mutex-playground","version":1,{body}}}"#);
    HostMessage::parse(&json).map(|m| m.map(|m| m.command))
}

#[test]
fn every_command_reads() {
    let cases = [
        (r#""command":"play""#, Command::Play),
        (r#""command":"pause""#, Command::Pause),
        (r#""command":"step""#, Command::Step { by: 1 }),
        (r#""command":"step","by":-3"#, Command::Step { by: -3 }),
        (r#""command":"seek","step":7"#, Command::Seek { step: 7 }),
        (r#""command":"seek","step":99999999999"#, Command::Seek { step: u32::MAX }),
        (r#""command":"speed","speed":2"#, Command::Speed { speed: 2.0 }),
        (r#""command":"answer","choice":1"#, Command::Answer { choice: 1 }),
        (r#""command":"continue""#, Command::Continue),
        (r#""command":"restart""#, Command::Restart),
        (r#""command":"load","preset":"deadlock""#, Command::Load(Load::Preset("deadlock".into()))),
        (r#""command":"load","lesson":"seed-000-counter""#, Command::Load(Load::LessonId("seed-000-counter".into()))),
        (r#""command":"load","lesson":{"id":"x"}"#, Command::Load(Load::Lesson(r#"{"id":"x"}"#.into()))),
        (r#""command":"load","scenario":{"tasks":[]}"#, Command::Load(Load::Scenario(r#"{"tasks":[]}"#.into()))),
        (r#""command":"load","program":"fn main() {}""#, Command::Load(Load::Program("fn main() {}".into()))),
    ];
    for (body, want) in cases {
        assert_eq!(parse(body), Ok(Some(want)), "{body}");
    }
}

#[test]
fn bad_commands_say_why() {
    let cases = [
        (r#""command":"dance""#, "is not a command"),
        (r#""nothing":1"#, "needs a \"command\""),
        (r#""command":"seek""#, "seek needs \"step\""),
        (r#""command":"seek","step":-1"#, "seek needs \"step\""),
        (r#""command":"speed","speed":1000"#, "from 0.25 to 64"),
        (r#""command":"step","by":1.5"#, "whole number"),
        (r#""command":"answer""#, "answer needs \"choice\""),
        (r#""command":"load""#, "load needs one of"),
    ];
    for (body, want) in cases {
        let e = parse(body).unwrap_err();
        assert!(e.contains(want), "{body}: {e}");
    }
    let e = HostMessage::parse(r#"{"protocol":"mutex-playground","command":"play"}"#).unwrap_err();
    assert!(e.contains("version"), "{e}");
    let big = format!(
        r#"{{"protocol":"mutex-playground","version":1,"command":"load","program":"{}"}}"#,
        "x".repeat(MAX_MESSAGE)
    );
    assert!(HostMessage::parse(&big).unwrap_err().contains("at most"));
}

#[test]
fn other_messages_are_not_ours() {
    for other in ["", "not json", "42", r#"{"protocol":"something-else","version":1,"command":"play"}"#, "[1,2]"] {
        assert_eq!(HostMessage::parse(other), Ok(None), "{other}");
    }
}

#[test]
fn events_carry_protocol_and_version() {
    let e = PageEvent::Answered { lesson: "l".into(), stop: 2, right: false, choice: "a".into(), answer: "b".into() };
    let v: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
    assert_eq!(v["protocol"], "mutex-playground");
    assert_eq!(v["version"], 1);
    assert_eq!(v["event"], "answered");
    assert_eq!((v["stop"].as_u64(), v["right"].as_bool()), (Some(2), Some(false)));
}

proptest! {
    /// Any text, ours in shape or not: read, ignored or refused with a sentence; never a panic.
    #[test]
    fn any_message_is_read_ignored_or_refused(body in ".{0,200}", command in "[a-z]{0,8}") {
        let _ = HostMessage::parse(&body);
        let shaped = format!(r#"{{"protocol":"mutex-playground","version":1,"command":"{command}",{body}}}"#);
        if let Err(e) = HostMessage::parse(&shaped) {
            prop_assert!(!e.is_empty());
        }
    }
}
