//! Property test: on random small scenarios (every step kind, every mutex kind) under
//! random scheduling, every acquisition respects mutual exclusion and its lock's hand-off
//! order, as recorded in the trace, and the replayed queues equal the locks' own at every
//! step.
#![cfg(not(target_arch = "wasm32"))]

use mutex_playground::exec::{EventKind, Policy};
use mutex_playground::scenario::MutexKind;
use mutex_playground::trace::{simulate, simulate_checked, Simulation};
use proptest::prelude::*;
use std::collections::VecDeque;

mod gen;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(gen::cases(300)))]

    /// A run made a slice at a time (as the page makes big ones) is the same run.
    #[test]
    fn slices_change_nothing(s in gen::scenario(), seed in any::<u64>(), slice in 1u64..40) {
        let policy = Policy::Random { seed };
        let mut sim = Simulation::new(&s, &policy).expect("valid");
        let mut last = sim.progress();
        while !sim.advance(slice) {
            let now = sim.progress();
            prop_assert!(now.work >= last.work + slice, "a slice spends at least its work");
            prop_assert!(now.fraction() >= last.fraction());
            last = now;
        }
        prop_assert_eq!(sim.finish(), simulate(&s, &policy).unwrap());
    }

    /// Mutual exclusion (up to a lock's capacity), and each lock's hand-off order: the
    /// head of the queue for FIFO, barging and eventually fair locks (a barger takes a
    /// free lock without queuing), the newest waiter for LIFO. Nobody is overtaken unless
    /// a lock lets them be.
    #[test]
    fn mutual_exclusion_and_hand_off_order_hold(s in gen::scenario(), seed in any::<u64>()) {
        let run = simulate_checked(&s, &Policy::Random { seed }).expect("valid by construction");
        prop_assert!(run.events().iter().all(|e| e.kind.task().is_none_or(|t| (t as usize) < s.tasks.len())));
        let n = s.mutexes.len();
        let kinds: Vec<MutexKind> = s.mutexes.iter().map(|m| m.kind).collect();
        // How many may hold each lock at once (an rwlock's readers: any number; the
        // rwlock's own tests check that a writer holds it alone).
        let capacity = |m: usize| match kinds[m] {
            MutexKind::RwLock => usize::MAX,
            MutexKind::Semaphore { permits } => permits as usize,
            _ => 1,
        };
        let barges = |m: usize| matches!(kinds[m], MutexKind::Barging | MutexKind::EventuallyFair { .. });
        let mut holders: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut queue: Vec<VecDeque<u32>> = vec![VecDeque::new(); n];
        let mut acquisitions = vec![0u64; s.tasks.len()];
        for e in run.events() {
            match e.kind {
                EventKind::Enqueued { task, mutex, position } => {
                    let q = &mut queue[mutex as usize];
                    prop_assert_eq!(position as usize, q.len(), "enqueued at the back");
                    q.push_back(task);
                }
                EventKind::Acquired { task, mutex } => {
                    let m = mutex as usize;
                    prop_assert!(holders[m].len() < capacity(m), "too many holders of m{} at step {}", m, e.step);
                    let q = &mut queue[m];
                    match q.iter().position(|&t| t == task) {
                        Some(p) => {
                            let next = if kinds[m] == MutexKind::Lifo { q.len() - 1 } else { 0 };
                            prop_assert_eq!(p, next, "m{} ({:?}) went to {} out of turn: {:?}", m, kinds[m], task, q);
                            q.remove(p);
                        }
                        // Taken at once: nobody was waiting, unless the lock lets a newcomer barge.
                        None => prop_assert!(q.is_empty() || barges(m), "m{} taken past its queue by {}", m, task),
                    }
                    holders[m].push(task);
                }
                EventKind::Released { task, mutex } => {
                    let h = &mut holders[mutex as usize];
                    let p = h.iter().position(|&t| t == task);
                    prop_assert!(p.is_some(), "released by a non-holder");
                    h.remove(p.unwrap_or(0));
                }
                EventKind::Uncontended { task, mutex, times } => {
                    // Taken and given back with nobody else involved: the lock had room,
                    // and nobody was queued for it (unless it lets a newcomer barge).
                    let m = mutex as usize;
                    prop_assert!(times >= 1);
                    prop_assert!(holders[m].len() < capacity(m), "t{} cycled m{} while it was full", task, m);
                    prop_assert!(
                        queue[m].is_empty() || barges(m),
                        "t{} cycled m{} past a queue, at step {}",
                        task,
                        m,
                        e.step
                    );
                    acquisitions[task as usize] += u64::from(times);
                }
                EventKind::Cancelled { task, mutex } => queue[mutex as usize].retain(|&t| t != task),
                _ => {}
            }
            if let EventKind::Acquired { task, .. } = e.kind {
                acquisitions[task as usize] += 1;
            }
        }
        // The analysis counts every acquisition, folded or not.
        let counted: Vec<u64> = run.analysis().tasks.iter().map(|t| t.acquisitions).collect();
        prop_assert_eq!(&counted, &acquisitions);
        // Each step's kind is named as its JSON says.
        for t in &s.tasks {
            for step in &t.steps {
                let json = serde_json::to_value(step).unwrap();
                prop_assert_eq!(json["op"].as_str(), Some(mutex_playground::scenario::StepKind::of(step).name()));
            }
        }
        // FIFO locks: nobody is ever overtaken by a task that asked after it.
        if kinds.iter().all(|k| !matches!(k, MutexKind::Barging | MutexKind::Lifo | MutexKind::EventuallyFair { .. })) {
            let overtaken: Vec<(u64, u64)> =
                run.analysis().tasks.iter().map(|t| (t.overtaken, t.max_overtaken)).collect();
            prop_assert!(overtaken.iter().all(|&o| o == (0, 0)), "overtaken under FIFO: {:?}", overtaken);
        }
        // And the snapshot at the end agrees with this independent replay.
        let last = run.snapshot_at(run.steps());
        for m in 0..n {
            let (mut a, mut b) = (last.mutexes[m].holders.clone(), holders[m].clone());
            a.sort_unstable();
            b.sort_unstable();
            prop_assert_eq!(a, b);
            prop_assert_eq!(&last.mutexes[m].queue, &queue[m].iter().copied().collect::<Vec<_>>());
        }
    }
}

/// The generator really covers what it claims: every step kind and every mutex kind
/// appear in a few hundred scenarios.
#[test]
fn the_generator_covers_every_step_kind_and_mutex_kind() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut steps = [false; gen::STEP_KINDS as usize];
    let mut kinds = [false; MutexKind::NAMES.len()];
    for _ in 0..300 {
        let s = gen::scenario().new_tree(&mut runner).expect("a scenario").current();
        for step in gen::all_steps(&s) {
            steps[gen::kind_index(step)] = true;
        }
        for m in &s.mutexes {
            kinds[MutexKind::NAMES.iter().position(|n| *n == m.kind.name()).unwrap()] = true;
        }
    }
    assert_eq!(steps, [true; gen::STEP_KINDS as usize], "step kinds drawn");
    assert_eq!(kinds, [true; MutexKind::NAMES.len()], "mutex kinds drawn");
}
