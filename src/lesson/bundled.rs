//! The lessons that come with the playground: one per source text in `shared/seeds/`,
//! written as JSON files in `src/lesson/seeds/` (the format instructors use too).

use super::Lesson;

/// The bundled lessons' JSON, in the order the page lists them.
const FILES: [&str; 5] = [
    include_str!("seeds/seed-000-counter.json"),
    include_str!("seeds/seed-001-deadlock.json"),
    include_str!("seeds/seed-002-hand-over.json"),
    include_str!("seeds/seed-003-log.json"),
    include_str!("seeds/seed-004-lost-wakeup.json"),
];

/// Every bundled lesson, in order. Each reads and prepares without error (a test checks
/// it, and `cargo run --example lesson -- check` does too); one that did not would be
/// left out rather than take the page down.
pub fn bundled() -> Vec<Lesson> {
    FILES.iter().filter_map(|json| Lesson::from_json(json).ok()).collect()
}

/// The bundled lesson with this id.
pub fn bundled_lesson(id: &str) -> Option<Lesson> {
    bundled().into_iter().find(|l| l.id == id)
}

/// The bundled lessons' JSON texts, for checks that must see a broken one.
pub fn bundled_sources() -> &'static [&'static str] {
    &FILES
}
