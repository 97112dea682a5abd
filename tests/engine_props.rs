//! Property test: on random small scenarios (every step kind, every mutex kind) under
//! random scheduling, every acquisition respects mutual exclusion and FIFO order, as
//! recorded in the trace, and the replayed queues equal the locks' own at every step.
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

    #[test]
    fn mutual_exclusion_and_fifo_hold(s in gen::scenario(), seed in any::<u64>()) {
        let run = simulate_checked(&s, &Policy::Random { seed }).expect("valid by construction");
        prop_assert!(run.events().iter().all(|e| e.kind.task().is_none_or(|t| (t as usize) < s.tasks.len())));
        let n = s.mutexes.len();
        let mut holder = vec![None; n];
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
                    prop_assert_eq!(holder[mutex as usize], None, "two holders of m{} at step {}", mutex, e.step);
                    let q = &mut queue[mutex as usize];
                    if let Some(&head) = q.front() {
                        prop_assert_eq!(head, task, "m{} went to {} while {} was first in line", mutex, task, head);
                        q.pop_front();
                    }
                    holder[mutex as usize] = Some(task);
                }
                EventKind::Released { task, mutex } => {
                    prop_assert_eq!(holder[mutex as usize], Some(task), "released by a non-holder");
                    holder[mutex as usize] = None;
                }
                EventKind::Uncontended { task, mutex, times } => {
                    // Taken and given back with nobody else involved: the lock was free
                    // and nobody was queued for it.
                    prop_assert!(times >= 1);
                    prop_assert_eq!(
                        holder[mutex as usize],
                        None,
                        "t{} cycled m{} while it was held, at step {}",
                        task,
                        mutex,
                        e.step
                    );
                    prop_assert!(
                        queue[mutex as usize].is_empty(),
                        "t{} cycled m{} past a queue, at step {}",
                        task,
                        mutex,
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
        // FIFO: nobody is ever overtaken by a task that asked after it.
        let overtaken: Vec<(u64, u64)> = run.analysis().tasks.iter().map(|t| (t.overtaken, t.max_overtaken)).collect();
        prop_assert!(overtaken.iter().all(|&o| o == (0, 0)), "overtaken under FIFO: {:?}", overtaken);
        // And the snapshot at the end agrees with this independent replay.
        let last = run.snapshot_at(run.steps());
        for m in 0..n {
            prop_assert_eq!(last.mutexes[m].holder, holder[m]);
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
    let mut kinds = [false; 3];
    for _ in 0..300 {
        let s = gen::scenario().new_tree(&mut runner).expect("a scenario").current();
        for step in gen::all_steps(&s) {
            steps[gen::kind_index(step)] = true;
        }
        for m in &s.mutexes {
            kinds[match m.kind {
                MutexKind::Async => 0,
                MutexKind::Watch => 1,
                MutexKind::Blocking => 2,
            }] = true;
        }
    }
    assert_eq!(steps, [true; gen::STEP_KINDS as usize], "step kinds drawn");
    assert_eq!(kinds, [true; 3], "mutex kinds drawn");
}
