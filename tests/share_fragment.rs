//! Property tests for the share-link codec: every link round-trips, and no fragment,
//! however random or hostile, makes the decoder panic.
#![cfg(not(target_arch = "wasm32"))]

use mutex_playground::exec::Policy;
use mutex_playground::scenario::MutexKind;
use mutex_playground::share::{pack, Link, Source, Speed, Theme, MAX_SCENARIO_JSON};
use proptest::prelude::*;

fn source() -> impl Strategy<Value = Source> {
    prop_oneof![
        Just(Source::Default),
        "[a-z][a-z0-9-]{0,20}".prop_map(Source::Preset),
        // Any JSON document the codec must carry unchanged (any string value, any unicode).
        (any::<String>(), any::<i64>())
            .prop_map(|(s, n)| Source::Scenario(serde_json::json!({"name": s, "n": n, "tasks": []}).to_string())),
        "[a-z][a-z0-9-]{0,20}".prop_map(Source::Lesson),
        any::<String>().prop_map(|t| Source::LessonJson(serde_json::json!({"id": "x", "title": t}).to_string())),
    ]
}

fn origin() -> impl Strategy<Value = String> {
    ("https?", "[a-z0-9][a-z0-9.-]{0,30}", proptest::option::of(1u16..)).prop_map(|(scheme, host, port)| match port {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    })
}

fn link() -> impl Strategy<Value = Link> {
    (
        source(),
        proptest::option::of(any::<u64>()),
        proptest::option::of(prop_oneof![Just(Speed::ToEnd), (1u32..=256).prop_map(|q| Speed::Times(q as f64 / 4.0))]),
        proptest::option::of(prop_oneof![
            Just(Policy::Fifo),
            any::<u64>().prop_map(|seed| Policy::Random { seed }),
            proptest::collection::vec(any::<u32>(), 0..50).prop_map(|choices| Policy::Manual { choices }),
        ]),
        proptest::option::of(prop_oneof![Just(Theme::Light), Just(Theme::Dark)]),
        any::<(bool, bool, bool)>(),
        (proptest::option::of(1u32..), proptest::collection::vec(origin(), 0..=8), any::<bool>()),
        compare(),
    )
        .prop_map(
            |(source, step, speed, policy, theme, (embed, autoplay, looped), (stop, origins, code), compare)| Link {
                source,
                step,
                speed,
                policy,
                theme,
                embed,
                autoplay,
                looped,
                stop,
                origins,
                code,
                compare,
            },
        )
}

/// No comparison, or 2 to 4 distinct policies in any order.
fn compare() -> impl Strategy<Value = Vec<MutexKind>> {
    prop_oneof![
        Just(Vec::new()),
        Just(mutex_playground::trace::compare::POLICIES.to_vec())
            .prop_shuffle()
            .prop_flat_map(|all| { (2usize..=4).prop_map(move |n| all[..n].to_vec()) }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn every_link_round_trips(link in link()) {
        let fragment = link.to_fragment();
        prop_assert!(fragment.bytes().all(|b| b.is_ascii_graphic()), "fragment must be URL-safe: {fragment}");
        prop_assert_eq!(Link::from_fragment(&fragment), Ok(link));
    }

    #[test]
    fn random_fragments_never_panic(fragment in any::<String>()) {
        let _ = Link::from_fragment(&fragment);
    }

    #[test]
    fn fragment_shaped_garbage_never_panics(
        key in "(s|preset|step|speed|policy|theme|embed|[a-z]{1,6})",
        value in "[A-Za-z0-9_%.:=-]{0,300}",
    ) {
        let _ = Link::from_fragment(&format!("{key}={value}&{key}"));
    }

    #[test]
    fn damaged_scenarios_never_panic(json in "[ -~]{0,200}", cut in 0usize..400, flip in any::<u8>()) {
        let mut packed = pack(&json).into_bytes();
        if !packed.is_empty() {
            let i = cut % packed.len();
            packed[i] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[flip as usize % 64];
            packed.truncate(cut.max(1));
        }
        let packed = String::from_utf8(packed).unwrap();
        if let Ok(Link { source: Source::Scenario(text), .. }) = Link::from_fragment(&format!("s={packed}")) {
            prop_assert!(text.len() <= MAX_SCENARIO_JSON);
        }
    }
}

#[test]
fn lesson_stop_and_origin_parts_are_read_strictly() {
    let (link, problems) =
        Link::read("lesson=seed-001-deadlock&stop=2&origins=https%3A%2F%2Fa.example,http%3A%2F%2Flocalhost%3A8080");
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(link.source, Source::Lesson("seed-001-deadlock".into()));
    assert_eq!(link.stop, Some(2));
    assert_eq!(link.origins, ["https://a.example", "http://localhost:8080"]);
    for bad in [
        "stop=0",
        "stop=-1",
        "origins=*",
        "origins=javascript%3Aalert(1)",
        "origins=https%3A%2F%2Fa.example%2Fpath",
        "lesson=a%20b",
        "lesson=",
    ] {
        let (link, problems) = Link::read(bad);
        assert_eq!(problems.len(), 1, "{bad}: {problems:?}");
        assert!(link.origins.is_empty() && link.stop.is_none() && link.source == Source::Default, "{bad}");
    }
    let nine = ["https%3A%2F%2Fa.example"; 9].join(",");
    assert_eq!(Link::read(&format!("origins={nine}")).1.len(), 1);
}
