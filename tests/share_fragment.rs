//! Property tests for the share-link codec: every link round-trips, and no fragment,
//! however random or hostile, makes the decoder panic.
#![cfg(not(target_arch = "wasm32"))]

use mutex_playground::exec::Policy;
use mutex_playground::share::{pack, Link, Source, Speed, Theme, MAX_SCENARIO_JSON};
use proptest::prelude::*;

fn source() -> impl Strategy<Value = Source> {
    prop_oneof![
        Just(Source::Default),
        "[a-z][a-z0-9-]{0,20}".prop_map(Source::Preset),
        // Any JSON document the codec must carry unchanged (any string value, any unicode).
        (any::<String>(), any::<i64>())
            .prop_map(|(s, n)| Source::Scenario(serde_json::json!({"name": s, "n": n, "tasks": []}).to_string())),
    ]
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
    )
        .prop_map(|(source, step, speed, policy, theme, (embed, autoplay, looped))| Link {
            source,
            step,
            speed,
            policy,
            theme,
            embed,
            autoplay,
            looped,
        })
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
