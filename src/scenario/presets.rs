//! The preset scenarios, each traceable to a source text in `shared/seeds/`.

use super::{Condition, Limits, MutexKind, MutexSpec, Scenario, Step, TaskSpec, WriteAction};
use serde::Serialize;
use serde_json::json;

/// A ready-made scenario with what to watch for and where it comes from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Preset {
    /// Stable id, used in links: `#preset=reader-writer`.
    pub id: &'static str,
    /// A one-line title for the picker, saying what happens ("Two locks in opposite order").
    pub title: &'static str,
    /// Which source text it comes from.
    pub source: &'static str,
    /// What to watch for (2–4 sentences).
    pub explanation: &'static str,
    /// The scenario itself; every preset validates.
    pub scenario: Scenario,
}

fn mutex(name: &str, kind: MutexKind, initial: serde_json::Value) -> MutexSpec {
    MutexSpec { name: name.into(), kind, initial }
}

fn task(name: &str, repeat: u32, steps: Vec<Step>) -> TaskSpec {
    TaskSpec { name: name.into(), main: false, start_ms: 0, repeat, forever: false, steps }
}

fn lock(m: &str) -> Step {
    Step::Lock { mutex: m.into() }
}
fn unlock(m: &str) -> Step {
    Step::Unlock { mutex: m.into() }
}
fn print(text: &str) -> Step {
    Step::Print { text: text.into() }
}
fn sleep(ms: u64) -> Step {
    Step::Sleep { ms }
}
fn increment(m: &str) -> Step {
    Step::Write { mutex: m.into(), action: WriteAction::Increment { by: 1 } }
}

fn scenario(name: &str, description: &str, mutexes: Vec<MutexSpec>, tasks: Vec<TaskSpec>) -> Scenario {
    Scenario { name: name.into(), description: description.into(), mutexes, tasks, limits: Limits::default() }
}

/// Every preset, in the order the picker shows them.
pub fn presets() -> Vec<Preset> {
    // The first is the page's default: the seeds' own walk-through, where the queue and the
    // hand-over are easiest to see.
    vec![
        reader_writer(),
        counter(),
        deadlock(),
        hidden_deadlock(),
        lost_update(),
        held_update(),
        lost_wakeup(),
        std_mutex_across_await(),
        fairness(),
        timeout(),
        select(),
        cancel_safety(),
        convoy(),
        barging_starvation(),
        rwlock_readers_writer(),
        semaphore_pool(),
    ]
}

/// The preset with this id.
pub fn preset(id: &str) -> Option<Preset> {
    presets().into_iter().find(|p| p.id == id)
}

fn counter() -> Preset {
    let tasks = (0..10)
        .map(|i| task(&format!("task {i}"), 100, vec![lock("count"), increment("count"), Step::Yield, unlock("count")]))
        .collect();
    Preset {
        id: "counter",
        title: "10 tasks × 100 increments",
        source: "seed 000: Create your own Async Mutex",
        explanation:
            "The seed's test: ten tasks each add 1 a hundred times under the Mutex, and the total must be 1000. \
                      The seed ran on many threads; here one thread stands in for them, and each task yields while it \
                      holds the guard (as if its thread were pre-empted), so the others queue. Watch the queue stay in \
                      arrival order and the guard go round the tasks in turn; the value ends at 1000.",
        scenario: scenario(
            "counter",
            "10 tasks × 100 increments of one Mutex (seed 000)",
            vec![mutex("count", MutexKind::Async, json!(0))],
            tasks,
        ),
    }
}

fn reader_writer() -> Preset {
    let reader = TaskSpec {
        name: "reader".into(),
        main: false,
        start_ms: 0,
        repeat: 1,
        forever: true,
        steps: vec![
            print("->read-guard"),
            lock("db"),
            Step::Read { mutex: "db".into(), key: Some("my-key".into()) },
            print("->read-sleep"),
            sleep(1000),
            print("<-read-sleep"),
            Step::Dbg { name: "value".into() },
            print("<-read-guard"),
        ],
    };
    let writer = TaskSpec {
        name: "writer".into(),
        main: false,
        start_ms: 0,
        repeat: 1,
        forever: true,
        steps: vec![
            print("->write-guard"),
            Step::LockedWrite { mutex: "db".into(), action: WriteAction::InsertNow { key: "my-key".into() } },
            print("<-write-guard"),
            sleep(350),
        ],
    };
    let mut s = scenario(
        "reader-writer",
        "A reader holds the guard across a 1 s sleep; a writer inserts every 350 ms (seed 002/003)",
        vec![mutex("db", MutexKind::Async, json!({}))],
        vec![reader, writer],
    );
    s.limits.max_time_ms = 3_500;
    Preset {
        id: "reader-writer",
        title: "Reader holds the guard across a sleep",
        source: "seeds 002/003: Tokio Mutex walk-through",
        explanation:
            "The reader locks the map and sleeps for a second with the guard held; the writer queues behind it. \
                      When the reader drops the guard and immediately asks again, the lock goes to the writer, which \
                      asked first: FIFO, no barging. The log reproduces the seed's printed log line for line; the seed \
                      printed 1002 (real milliseconds) where we print 1000 (virtual ones), and we leave out dbg!'s \
                      `[src/main.rs:55:17]` prefix.",
        scenario: s,
    }
}

fn deadlock() -> Preset {
    let left =
        task("left", 1, vec![lock("a"), sleep(10), lock("b"), print("left has a and b"), unlock("b"), unlock("a")]);
    let right =
        task("right", 1, vec![lock("b"), sleep(10), lock("a"), print("right has b and a"), unlock("a"), unlock("b")]);
    Preset {
        id: "deadlock",
        title: "Two locks in opposite order",
        source: "seed 001: The Rust book, shared-state concurrency",
        explanation:
            "The book warns: when an operation needs two locks and two tasks take them in opposite orders, each \
                      can end up holding one and waiting for the other forever. Watch left take a and right take b, \
                      then each queue for the other's lock. The analysis finds the cycle in the wait-for graph.",
        scenario: scenario(
            "deadlock",
            "left locks a then b; right locks b then a (seed 001)",
            vec![mutex("a", MutexKind::Async, json!(0)), mutex("b", MutexKind::Async, json!(0))],
            vec![left, right],
        ),
    }
}

fn hidden_deadlock() -> Preset {
    let left =
        task("left", 1, vec![lock("a"), sleep(10), lock("b"), print("left has a and b"), unlock("b"), unlock("a")]);
    let mut right = task("right", 1, vec![lock("b"), lock("a"), print("right has b and a"), unlock("a"), unlock("b")]);
    right.start_ms = 10;
    Preset {
        id: "hidden-deadlock",
        title: "A deadlock the default run misses",
        source: "seed 001: The Rust book, shared-state concurrency",
        explanation: "The same two locks in opposite orders, but right starts just as left wakes up. Under FIFO \
                      left's timer was set first, so left runs first, takes b and finishes: the run looks fine. \
                      Both are ready at 10 ms, though, and nothing says which runs first. Press Explore: it tries \
                      every order, finds the schedules where right goes first and the two deadlock, and Replay \
                      shows one.",
        scenario: scenario(
            "hidden-deadlock",
            "left locks a, sleeps, locks b; right wakes at the same moment and locks b then a",
            vec![mutex("a", MutexKind::Async, json!(0)), mutex("b", MutexKind::Async, json!(0))],
            vec![left, right],
        ),
    }
}

/// Three tasks adding 1 to a counter: `let v = *c.lock().await;`, an `.await`, then
/// `*c.lock().await = v + 1;` (`held`: one guard across all three).
fn update(held: bool) -> Scenario {
    let read = Step::Read { mutex: "count".into(), key: None };
    let write = Step::Write { mutex: "count".into(), action: WriteAction::ReadPlus { by: 1 } };
    let steps = if held {
        vec![lock("count"), read, Step::Yield, write, unlock("count")]
    } else {
        vec![lock("count"), read, unlock("count"), Step::Yield, lock("count"), write, unlock("count")]
    };
    let (name, description) = if held {
        ("held update", "3 tasks: read and write the counter under one guard, across a yield")
    } else {
        ("lost update", "3 tasks: read the counter, yield, write what they read + 1, each under its own guard")
    };
    scenario(
        name,
        description,
        vec![mutex("count", MutexKind::Async, json!(0))],
        (0..3).map(|i| task(&format!("t{i}"), 1, steps.clone())).collect(),
    )
}

fn lost_update() -> Preset {
    Preset {
        id: "lost-update",
        title: "Lost update: the lock let go across an .await",
        source: "seed 000: the counter, with the guard dropped between the read and the write",
        explanation: "Each task reads the counter under the lock, lets go, awaits something, and writes back what \
                      it read plus one. Every access is locked, yet updates are lost: a task writes over a value \
                      another task wrote after its read. Under FIFO all three read 0 and the counter ends at 1. \
                      Press Explore: some schedules end at 1, some at 2, some at 3, and the explorer lists \
                      each total with a schedule that makes it.",
        scenario: update(false),
    }
}

fn held_update() -> Preset {
    Preset {
        id: "held-update",
        title: "The same update with the guard held across",
        source: "seed 000: the counter, whose guard covers the read and the write",
        explanation: "The lost update fixed: each task keeps the guard from its read, across the .await, to its \
                      write. The others queue meanwhile, so no write is lost. Press Explore: every schedule ends \
                      with the counter at 3, and the explorer says it tried them all.",
        scenario: update(true),
    }
}

fn lost_wakeup() -> Preset {
    let manager = task(
        "manager",
        1,
        vec![
            Step::BrokenWait { mutex: "outbox".into(), until: Condition::NonEmpty, take: true },
            Step::Dbg { name: "work".into() },
        ],
    );
    let worker = task(
        "worker",
        1,
        vec![
            sleep(50),
            Step::LockedWrite { mutex: "outbox".into(), action: WriteAction::Push { value: json!(1) } },
            print("worker: pushed work to outbox"),
        ],
    );
    let manager_fixed = task(
        "manager (fixed)",
        1,
        vec![
            Step::WaitUntil { mutex: "outbox (wake on write)".into(), until: Condition::NonEmpty, take: true },
            Step::Dbg { name: "work".into() },
        ],
    );
    let worker_fixed = task(
        "worker (fixed)",
        1,
        vec![
            sleep(50),
            Step::LockedWrite { mutex: "outbox (wake on write)".into(), action: WriteAction::Push { value: json!(2) } },
            print("worker (fixed): pushed work to outbox (wake on write)"),
        ],
    );
    Preset {
        id: "lost-wakeup",
        title: "A poll_fn that never wakes",
        source: "seed 004: Wake on Write",
        explanation: "The manager's done() try-locks the outbox inside poll_fn and returns Pending when there \
                      is no work, without leaving its waker anywhere. When the worker pushes work, nobody is told: \
                      the manager is never polled again. Its twin waits on a wake-on-write cell, whose waker sits \
                      beside the data: the write wakes it and it gets the work.",
        scenario: scenario(
            "lost-wakeup",
            "seed 004's broken poll_fn next to its wake-on-write fix",
            vec![
                mutex("outbox", MutexKind::Async, json!([])),
                mutex("outbox (wake on write)", MutexKind::Watch, json!([])),
            ],
            vec![manager, worker, manager_fixed, worker_fixed],
        ),
    }
}

fn std_mutex_across_await() -> Preset {
    let body = |m: &str| vec![lock(m), sleep(100), increment(m), unlock(m)];
    let mut std_a = task("a (std Mutex)", 1, body("std"));
    let mut std_b = task("b (std Mutex)", 1, body("std"));
    std_a.start_ms = 1000;
    std_b.start_ms = 1000;
    Preset {
        id: "std-mutex-across-await",
        title: "A std Mutex held across .await",
        source: "seeds 001 + 002: std::sync::Mutex and the Tokio walk-through",
        explanation: "First two tasks hold our async Mutex across a sleep: the second simply queues, and both finish. \
                      At 1 s the same two tasks use a blocking std-like Mutex instead. The first sleeps holding it; \
                      the second's lock() blocks the only thread, so the first can never wake up to release it: the \
                      executor stalls. An async lock yields instead of blocking.",
        scenario: scenario(
            "std-mutex-across-await",
            "the same two tasks, with our async Mutex and then a blocking one (seeds 001, 002)",
            vec![mutex("async", MutexKind::Async, json!(0)), mutex("std", MutexKind::Blocking, json!(0))],
            vec![task("a (async Mutex)", 1, body("async")), task("b (async Mutex)", 1, body("async")), std_a, std_b],
        ),
    }
}

fn timeout() -> Preset {
    let waiter = |name: &str, start_ms: u64, ms: u64| TaskSpec {
        name: name.into(),
        main: false,
        start_ms,
        repeat: 1,
        forever: false,
        steps: vec![Step::LockTimeout { mutex: "m".into(), ms }, print(&format!("{name}: done waiting"))],
    };
    let holder = task("holder", 1, vec![lock("m"), print("holder: has the lock"), sleep(100), unlock("m")]);
    Preset {
        id: "timeout",
        title: "Giving up on a lock: timeout",
        source: "tokio::time::timeout around Mutex::lock, which the Mutex's docs call cancel safe",
        explanation: "The holder keeps the lock for 100 ms. At 10 ms the impatient task queues for it with \
                      timeout(30 ms, lock()); at 40 ms its timer fires first, its lock future is dropped, \
                      and it leaves the queue (watch its chip go) and carries on without the guard. The patient one, \
                      queued behind it with 200 ms to spare, moves up and gets the lock when the holder lets \
                      go. Dropping a waiting lock future is safe: nobody behind it is stranded.",
        scenario: scenario(
            "timeout",
            "a lock held for 100 ms, one waiter giving up after 30 ms, one getting it",
            vec![mutex("m", MutexKind::Async, json!(0))],
            vec![holder, waiter("impatient", 10, 30), waiter("patient", 20, 200)],
        ),
    }
}

/// A task that starts at `start_ms`.
fn task_at(name: &str, start_ms: u64, steps: Vec<Step>) -> TaskSpec {
    TaskSpec { start_ms, ..task(name, 1, steps) }
}

fn select() -> Preset {
    let select = |name: &str, ms: u64| Step::Select {
        mutex: "m".into(),
        ms,
        locked: vec![increment("m"), print(&format!("{name}: got the lock, added 1"))],
        timed_out: vec![print(&format!("{name}: no lock after {ms} ms, doing something else"))],
    };
    let holder = task("holder", 1, vec![lock("m"), print("holder: has the lock"), sleep(100), unlock("m")]);
    Preset {
        id: "select",
        title: "Lock or sleep, whichever first: select!",
        source: "tokio::select! between Mutex::lock and sleep, biased with the sleep first",
        explanation: "The holder keeps the lock for 100 ms. At 10 ms the waiter runs tokio::select! between m.lock() \
                      and a 30 ms sleep; at 40 ms the sleep wins: its lock future is dropped, its chip leaves the \
                      queue, and its timed_out branch prints. The patient one, whose sleep is 200 ms, moves up and \
                      gets the lock at 100 ms: its locked branch runs with the guard, which is dropped at the \
                      branch's end.",
        scenario: scenario(
            "select",
            "a lock held for 100 ms; a select! of the lock and a 30 ms sleep, and one of the lock and 200 ms",
            vec![mutex("m", MutexKind::Async, json!(0))],
            vec![
                holder,
                task_at("waiter", 10, vec![select("waiter", 30)]),
                task_at("patient", 20, vec![select("patient", 200)]),
            ],
        ),
    }
}

fn cancel_safety() -> Preset {
    // The holder's 40 ms sleep is set at 0 ms, the worker's 30 ms one at 10 ms: both fire at
    // 40 ms, the holder's first (timers due at the same instant fire in the order they were
    // set), so the holder hands m to the worker just before the worker's select! runs.
    let holder = task("holder", 1, vec![lock("m"), print("holder: has the lock"), sleep(40), unlock("m")]);
    let worker = Step::Select {
        mutex: "m".into(),
        ms: 30,
        locked: vec![print("worker: got the lock")],
        timed_out: vec![print("worker: timed out, though m had just been handed to it")],
    };
    let patient = vec![lock("m"), print("patient: has the lock"), unlock("m")];
    Preset {
        id: "cancel-safety",
        title: "A lock handed over as the timer fires: cancel safety",
        source: "tokio::select! dropping a lock future, and what the Mutex's docs call cancel safe",
        explanation: "At 40 ms the holder lets go of m exactly when the worker's 30 ms select! timer fires; the \
                      holder's timer was set first, so it runs first and hands m to the worker, at the head of the \
                      queue. Then the worker runs, and its select!, biased with the sleep first, takes the sleep \
                      branch anyway: the lock future, which already holds m, is dropped. A cancel-safe lock passes \
                      m on to patient, queued behind, as the narration at that step says; one that did not would \
                      leave m locked forever.",
        scenario: scenario(
            "cancel-safety",
            "a lock handed to a select! whose sleep fires at the same instant, with a second waiter behind",
            vec![mutex("m", MutexKind::Async, json!(0))],
            vec![holder, task_at("worker", 10, vec![worker]), task_at("patient", 20, patient)],
        ),
    }
}

fn fairness() -> Preset {
    let tasks = (0..8)
        .map(|i| {
            let mut t =
                task(&format!("t{i}"), 12, vec![lock("lock"), increment("lock"), sleep(1), unlock("lock"), sleep(2)]);
            t.start_ms = i;
            t
        })
        .collect();
    Preset {
        id: "fairness",
        title: "Eight tasks hammering one lock",
        source: "seed 000: FIFO fairness",
        explanation:
            "Eight tasks take the lock for a millisecond at a time, with a short pause in between. Because the \
                      queue is strictly FIFO and a released lock goes straight to the head waiter, nobody is ever \
                      overtaken by a task that asked after it: the guard goes round in order, and Jain's fairness \
                      index is 1.",
        scenario: scenario(
            "fairness",
            "8 tasks × 12 short holds of one lock",
            vec![mutex("lock", MutexKind::Async, json!(0))],
            tasks,
        ),
    }
}

fn convoy() -> Preset {
    let slow = task("slow", 3, vec![lock("lock"), print("slow: in"), sleep(40), unlock("lock"), sleep(2)]);
    let fast = (0..4).map(|i| {
        let mut t = task(&format!("fast {i}"), 8, vec![lock("lock"), increment("lock"), sleep(1), unlock("lock")]);
        t.start_ms = 1 + i;
        t
    });
    Preset {
        id: "convoy",
        title: "A convoy: short holds behind a long one",
        source: "seed 000: a FIFO hand-off, against the other policies (compare them)",
        explanation: "Four tasks need the lock for a millisecond at a time; one needs it for 40 ms. Each time the \
                      slow task gets the lock, everyone else piles up behind it, and the queue drains in order \
                      before the slow one gets it back: the short critical sections move in a convoy at the pace \
                      of the long one. Compare the policies: the waits' spread changes, the total work does not.",
        scenario: scenario(
            "convoy",
            "one 40 ms hold among many 1 ms holds of the same lock",
            vec![mutex("lock", MutexKind::Async, json!(0))],
            std::iter::once(slow).chain(fast).collect(),
        ),
    }
}

fn barging_starvation() -> Preset {
    let greedy = task("greedy", 10, vec![lock("lock"), increment("lock"), sleep(10), unlock("lock")]);
    let mut polite = task("polite", 1, vec![lock("lock"), print("polite: got it at last"), unlock("lock")]);
    polite.start_ms = 1;
    Preset {
        id: "barging-starvation",
        title: "Starvation under barging",
        source: "seed 000: why the fair semaphore hands the permit over (futures::lock and async-lock barge)",
        explanation: "The greedy task unlocks and locks again at once, ten times. The lock barges: a release only \
                      wakes the polite waiter, and the greedy task, still running, takes the lock before the woken \
                      one is polled, every round, so polite waits until greedy is done (watch its overtaken \
                      count). Set the lock's kind to async (FIFO) and the release hands the lock to polite \
                      instead; eventually fair hands it over once polite has waited 10 ms.",
        scenario: scenario(
            "starvation under barging",
            "a task that re-locks at once, and one that waits for its turn",
            vec![mutex("lock", MutexKind::Barging, json!(0))],
            vec![greedy, polite],
        ),
    }
}

fn rwlock_readers_writer() -> Preset {
    let reader = |i: u64| {
        let read = Step::ReadLock { mutex: "db".into() };
        let mut t = task(
            &format!("reader {i}"),
            4,
            vec![read, Step::Read { mutex: "db".into(), key: None }, sleep(20), unlock("db"), sleep(5)],
        );
        t.start_ms = i * 3;
        t
    };
    let mut writer = task(
        "writer",
        2,
        vec![lock("db"), increment("db"), print("writer: wrote"), sleep(10), unlock("db"), sleep(30)],
    );
    writer.start_ms = 10;
    Preset {
        id: "rwlock",
        title: "Readers and a writer on an RwLock",
        source: "seed 002's reader and writer, with tokio's RwLock instead of its Mutex",
        explanation: "Three readers share the lock: several chips sit in its slot at once. At 10 ms the writer asks \
                      for it and queues; the lock is FIFO, as tokio's is, so readers who ask after the writer \
                      queue behind it instead of joining the readers inside, and the writer is not starved. It \
                      gets the lock once the readers inside leave, alone.",
        scenario: scenario(
            "readers and a writer",
            "3 readers and a writer sharing one tokio-style RwLock",
            vec![mutex("db", MutexKind::RwLock, json!(0))],
            (0..3).map(reader).chain([writer]).collect(),
        ),
    }
}

fn semaphore_pool() -> Preset {
    let tasks = (0..5)
        .map(|i| {
            let mut t = task(
                &format!("job {i}"),
                2,
                vec![lock("pool"), print(&format!("job {i}: connected")), sleep(30), unlock("pool")],
            );
            t.start_ms = i;
            t
        })
        .collect();
    Preset {
        id: "semaphore",
        title: "A pool of two connections: a Semaphore",
        source: "seed 000: the semaphore under our Mutex, with more than one permit",
        explanation: "Five jobs share two connections: a semaphore with two permits. Two jobs hold a permit at once \
                      (two chips in the slot); the others queue and are served first come, first served as permits \
                      come back. A Mutex is this semaphore with one permit.",
        scenario: scenario(
            "connection pool",
            "5 jobs, a semaphore with 2 permits",
            vec![mutex("pool", MutexKind::Semaphore { permits: 2 }, json!(null))],
            tasks,
        ),
    }
}

/// A stress scenario (not a preset): `tasks` tasks each lock and unlock one async mutex
/// `repeat` times, optionally yielding while they hold it (so the others queue). The
/// benchmarks use it; its limits allow up to 5,000,000 steps.
pub fn hammer(tasks: usize, repeat: u32, yield_while_holding: bool) -> Scenario {
    let mut steps = vec![lock("m")];
    if yield_while_holding {
        steps.push(Step::Yield);
    }
    steps.push(unlock("m"));
    Scenario {
        name: "hammer".into(),
        description: format!("{tasks} tasks × {repeat} lock/unlock of one mutex"),
        mutexes: vec![mutex("m", MutexKind::Async, json!(0))],
        tasks: (0..tasks).map(|i| task(&format!("t{i}"), repeat, steps.clone())).collect(),
        limits: Limits { max_steps: 5_000_000, max_time_ms: 600_000 },
    }
}

/// A benchmark scenario (not a preset): `tasks` tasks on two locks, the even ones taking
/// a then b, the odd ones b then a, each yielding between its two locks. With two or more
/// tasks some schedules deadlock; the explorer's benchmarks search it (4 tasks: the
/// "4-task, 2-lock scenario").
pub fn two_locks(tasks: usize) -> Scenario {
    let steps = |first: &str, second: &str| {
        vec![lock(first), Step::Yield, lock(second), increment(second), unlock(second), unlock(first)]
    };
    Scenario {
        name: "two locks".into(),
        description: format!("{tasks} tasks taking two locks in alternating orders, yielding in between"),
        mutexes: vec![mutex("a", MutexKind::Async, json!(0)), mutex("b", MutexKind::Async, json!(0))],
        tasks: (0..tasks)
            .map(|i| task(&format!("t{i}"), 1, if i % 2 == 0 { steps("a", "b") } else { steps("b", "a") }))
            .collect(),
        limits: Limits::default(),
    }
}
