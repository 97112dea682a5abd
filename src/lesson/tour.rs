//! Walking through a lesson: which stop the learner is at, what the page is doing there,
//! and the answers given. Pure state: the page moves the playhead where
//! [`Tour::target`] says and calls [`Tour::arrive`] when it gets there.

use super::Prepared;
use serde::{Deserialize, Serialize};

/// What the lesson is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Playing towards the current stop.
    Travelling,
    /// At the current stop, nothing to answer (no question, or answered): Continue goes on.
    AtStop,
    /// At a stop whose question waits for an answer: playback waits too.
    Asking,
    /// Playing the steps that decide the answer just given, then back to `AtStop`.
    ShowingWhy,
    /// Past the last stop.
    Done,
}

/// An answer given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The index of the choice made.
    pub chosen: usize,
    /// Whether it was the run's answer.
    pub right: bool,
}

/// Where a learner is in a lesson, and what they answered: also what the browser keeps
/// between visits (as JSON).
///
/// ```
/// use mutex_playground::lesson::{bundled_lesson, Phase, Tour};
///
/// let lesson = bundled_lesson("seed-001-deadlock").unwrap().prepare().unwrap();
/// let mut tour = Tour::new(&lesson);
/// // The first stop is at the start and asks how the run ends.
/// assert_eq!(tour.target(&lesson), Some(0));
/// tour.arrive(&lesson);
/// assert_eq!(tour.phase, Phase::Asking);
/// let right = lesson.stops[0].question.as_ref().unwrap().answer;
/// assert_eq!(tour.answer(&lesson, right).map(|a| a.right), Some(true));
/// tour.next(&lesson);
/// assert_eq!((tour.stop, tour.phase), (1, Phase::Travelling));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tour {
    /// The current stop (its index).
    pub stop: usize,
    /// What the page is doing at or towards it.
    pub phase: Phase,
    /// Each stop's answer, if it asked and was answered (the first answer counts).
    pub answers: Vec<Option<Answer>>,
}

impl Tour {
    /// A new walk through `p`, travelling to its first stop.
    pub fn new(p: &Prepared) -> Tour {
        Tour { stop: 0, phase: Phase::Travelling, answers: vec![None; p.stops.len()] }
    }

    /// A walk kept from an earlier visit, made to fit `p` (a stale or edited record is
    /// clamped, and its answers to questions that are no longer there dropped).
    pub fn resumed(mut self, p: &Prepared) -> Tour {
        self.answers.resize(p.stops.len(), None);
        for (a, s) in self.answers.iter_mut().zip(&p.stops) {
            match (a.as_mut(), &s.question) {
                // Right or wrong by this lesson's answer, not the record's word for it.
                (Some(ans), Some(q)) if ans.chosen < q.choices.len() => ans.right = ans.chosen == q.answer,
                _ => *a = None,
            }
        }
        if self.phase == Phase::Done && !p.stops.is_empty() {
            self.stop = p.stops.len() - 1;
        } else {
            self.stop = self.stop.min(p.stops.len().saturating_sub(1));
            self.phase = Phase::Travelling;
        }
        self
    }

    /// The step the playhead is travelling to: the stop's, or (showing why) the step
    /// that decides the answer; `None` when it waits where it is.
    pub fn target(&self, p: &Prepared) -> Option<u32> {
        let stop = p.stops.get(self.stop)?;
        match self.phase {
            Phase::Travelling => Some(stop.step),
            Phase::ShowingWhy => Some(stop.question.as_ref().map_or(stop.step, |q| q.decided_at)),
            _ => None,
        }
    }

    /// The playhead reached [`target`](Tour::target): ask the stop's question if it has
    /// one not yet answered, else wait for Continue.
    pub fn arrive(&mut self, p: &Prepared) {
        let Some(stop) = p.stops.get(self.stop) else { return };
        self.phase = match self.phase {
            Phase::Travelling if stop.question.is_some() && self.answers[self.stop].is_none() => Phase::Asking,
            Phase::Travelling | Phase::ShowingWhy => Phase::AtStop,
            other => other,
        };
    }

    /// The learner picks choice `chosen` of the question being asked. `None` if no
    /// question is being asked or there is no such choice.
    pub fn answer(&mut self, p: &Prepared, chosen: usize) -> Option<Answer> {
        if self.phase != Phase::Asking {
            return None;
        }
        let q = p.stops.get(self.stop)?.question.as_ref()?;
        if chosen >= q.choices.len() {
            return None;
        }
        let a = Answer { chosen, right: chosen == q.answer };
        self.answers[self.stop] = Some(a);
        self.phase = Phase::AtStop;
        Some(a)
    }

    /// Play the steps that decide the current stop's answer (after it was answered).
    pub fn show_why(&mut self, p: &Prepared) -> bool {
        let answered = self.answers.get(self.stop).is_some_and(Option::is_some);
        if self.phase != Phase::AtStop || !answered || p.stops[self.stop].question.is_none() {
            return false;
        }
        self.phase = Phase::ShowingWhy;
        true
    }

    /// On to the next stop (from a stop with nothing left to answer), or done after the last.
    pub fn next(&mut self, p: &Prepared) {
        if !matches!(self.phase, Phase::AtStop | Phase::ShowingWhy) {
            return;
        }
        if self.stop + 1 < p.stops.len() {
            self.stop += 1;
            self.phase = Phase::Travelling;
        } else {
            self.phase = Phase::Done;
        }
    }

    /// Straight to stop `k` (a link to it, or the list of stops).
    pub fn go_to(&mut self, p: &Prepared, k: usize) {
        if k < p.stops.len() {
            self.stop = k;
            self.phase = Phase::Travelling;
        }
    }

    /// Right answers, and questions in the lesson.
    pub fn score(&self, p: &Prepared) -> (usize, usize) {
        let right = self.answers.iter().filter(|a| a.is_some_and(|a| a.right)).count();
        (right, p.stops.iter().filter(|s| s.question.is_some()).count())
    }

    /// Whether the last stop was passed (questions skipped by going to a later stop count
    /// as not right).
    pub fn complete(&self) -> bool {
        self.phase == Phase::Done
    }
}
