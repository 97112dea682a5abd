//! Property test: on random small scenarios under random scheduling, every acquisition
//! respects mutual exclusion and FIFO order, as recorded in the trace.
#![cfg(not(target_arch = "wasm32"))]

use mutex_playground::exec::{EventKind, Policy};
use mutex_playground::scenario::{Limits, MutexKind, MutexSpec, Scenario, Step, TaskSpec, WriteAction};
use mutex_playground::trace::simulate;
use proptest::prelude::*;
use std::collections::VecDeque;

/// Raw choices, turned into a valid step list by tracking what the task holds.
fn steps(mutexes: usize) -> impl Strategy<Value = Vec<(u8, u8, u8)>> {
    proptest::collection::vec((0u8..7, 0..mutexes as u8, 0u8..6), 1..8)
}

fn build(raw: &[(u8, u8, u8)], mutexes: usize) -> Vec<Step> {
    let name = |m: u8| format!("m{}", m as usize % mutexes);
    let mut held: Vec<u8> = Vec::new();
    let mut out = Vec::new();
    for &(op, m, n) in raw {
        match op {
            0 | 1 if !held.contains(&m) => {
                held.push(m);
                out.push(if op == 0 { Step::Lock { mutex: name(m) } } else { Step::TryLock { mutex: name(m) } });
            }
            2 if !held.is_empty() => {
                let m = held.remove(n as usize % held.len());
                out.push(Step::Unlock { mutex: name(m) });
            }
            3 => out.push(Step::Sleep { ms: n as u64 }),
            4 => out.push(Step::Yield),
            5 if !held.contains(&m) => out.push(Step::LockedWrite { mutex: name(m), action: WriteAction::Increment { by: 1 } }),
            6 => out.push(Step::Busy { ms: n as u64 % 3 }),
            _ => out.push(Step::Yield),
        }
    }
    out
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (1usize..4).prop_flat_map(|mutexes| {
        proptest::collection::vec((steps(mutexes), 1u32..4, 0u64..4), 1..6).prop_map(move |tasks| Scenario {
            name: "random".into(),
            description: String::new(),
            mutexes: (0..mutexes).map(|i| MutexSpec { name: format!("m{i}"), kind: MutexKind::Async, initial: 0.into() }).collect(),
            tasks: tasks
                .iter()
                .enumerate()
                .map(|(i, (raw, repeat, start))| TaskSpec { name: format!("t{i}"), start_ms: *start, repeat: *repeat, forever: false, steps: build(raw, mutexes) })
                .collect(),
            limits: Limits { max_steps: 5_000, max_time_ms: 10_000 },
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn mutual_exclusion_and_fifo_hold(s in scenario(), seed in any::<u64>()) {
        let run = simulate(&s, &Policy::Random { seed }).expect("valid by construction");
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
                    prop_assert_eq!(holder[mutex as usize], None, "t{} cycled m{} while it was held, at step {}", task, mutex, e.step);
                    prop_assert!(queue[mutex as usize].is_empty(), "t{} cycled m{} past a queue, at step {}", task, mutex, e.step);
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
        // And the snapshot at the end agrees with this independent replay.
        let last = run.snapshot_at(run.steps());
        for m in 0..n {
            prop_assert_eq!(last.mutexes[m].holder, holder[m]);
            prop_assert_eq!(&last.mutexes[m].queue, &queue[m].iter().copied().collect::<Vec<_>>());
        }
    }
}
