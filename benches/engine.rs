//! Engine benchmarks (`cargo bench --bench engine`): prints a markdown table.
//!
//! * 10,000 tasks × 100 lock/unlock (1,000,000 acquisitions) through `simulate`, with the
//!   full trace (events, checkpoints, segments, analysis). Target: < 1 s.
//! * The same shape contended (each task yields while holding the guard).
//! * Seeking: `snapshot_at` at random steps of a run with more than 100,000 events.
//! * The seed 000 counter (10 tasks × 100 `*count.lock().await += 1`) on our executor with
//!   tracing on, against `futures::executor::LocalPool` driving the same Mutex untraced,
//!   in the same process (and ours with the lock events not traced, to show where the
//!   time goes). Target: ≤ 1.5×.

use futures::executor::LocalPool;
use futures::task::LocalSpawnExt;
use mutex_playground::exec::{yield_now, Clock, Executor, MutexObserver, Policy, RunLimits, Sink, Stop};
use mutex_playground::scenario::{hammer, preset};
use mutex_playground::sync::{Mutex, Observer, Tag};
use mutex_playground::trace::{simulate, EndReason};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Median of `runs` timings of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

/// The seed's counter on our executor, every poll, wake and lock event traced.
fn counter_on_our_executor(yield_while_holding: bool, traced: bool) -> i64 {
    let sink = Sink::new();
    if traced {
        let observer = MutexObserver { mutex: 0, sink: sink.clone() };
        counter_with(sink, Mutex::with_observer(0i64, observer), yield_while_holding)
    } else {
        counter_with(sink, Mutex::new(0i64), yield_while_holding)
    }
}

fn counter_with<O: Observer + 'static>(sink: Arc<Sink>, count: Mutex<i64, O>, yield_while_holding: bool) -> i64 {
    let clock = Clock::new();
    let mut ex = Executor::new(clock, sink.clone(), Policy::Fifo);
    let count = Arc::new(count);
    for i in 0..10u64 {
        let count = count.clone();
        ex.spawn(Box::pin(async move {
            for _ in 0..100 {
                let mut guard = count.lock_tagged(Tag(i)).await;
                if yield_while_holding {
                    yield_now().await;
                }
                *guard += 1;
            }
        }));
    }
    assert_eq!(ex.run_to_end(RunLimits::default()), Stop::Finished);
    black_box(sink.event_count());
    let total = *futures::executor::block_on(count.lock());
    total
}

/// The same on `futures`' LocalPool, untraced.
fn counter_on_local_pool(yield_while_holding: bool) -> i64 {
    let mut pool = LocalPool::new();
    let spawner = pool.spawner();
    let count = Arc::new(Mutex::new(0i64));
    for i in 0..10u64 {
        let count = count.clone();
        spawner
            .spawn_local(async move {
                for _ in 0..100 {
                    let mut guard = count.lock_tagged(Tag(i)).await;
                    if yield_while_holding {
                        yield_now().await;
                    }
                    *guard += 1;
                }
            })
            .expect("spawn");
    }
    pool.run();
    let total = *futures::executor::block_on(count.lock());
    total
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}
fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn main() {
    // `cargo test --benches` passes `--bench`-less args; keep it quick there.
    let quick = !std::env::args().any(|a| a == "--bench");
    let mut rows: Vec<(String, String, String)> = Vec::new();

    // 1. One million acquisitions with the full trace.
    let (tasks, repeat) = if quick { (1_000, 10) } else { (10_000, 100) };
    let s = hammer(tasks, repeat, false);
    let t = Instant::now();
    let run = simulate(&s, &Policy::Fifo).expect("valid");
    let took = t.elapsed();
    assert_eq!(run.end, EndReason::Finished);
    let acq = run.analysis().acquisitions;
    assert_eq!(acq, tasks as u64 * repeat as u64);
    rows.push((
        format!("simulate: {tasks} tasks × {repeat} lock/unlock, full trace"),
        ms(took),
        format!(
            "{acq} acquisitions, {} events, {} steps, {:.0} ns/acquisition (target < 1 s)",
            run.events().len(),
            run.steps(),
            took.as_nanos() as f64 / acq as f64
        ),
    ));
    drop(run);

    // 2. Contended: each task yields while holding, so everyone queues.
    // 250 × 100 records about 250,000 events, half of what a run may record (MAX_EVENTS).
    let (tasks, repeat) = if quick { (100, 10) } else { (250, 100) };
    let s = hammer(tasks, repeat, true);
    let t = Instant::now();
    let run = simulate(&s, &Policy::Fifo).expect("valid");
    let took = t.elapsed();
    assert_eq!(run.end, EndReason::Finished);
    let acq = run.analysis().acquisitions;
    rows.push((
        format!("simulate contended: {tasks} tasks × {repeat} (yield while holding)"),
        ms(took),
        format!(
            "{acq} acquisitions, {} events, {} steps, {} hand-overs",
            run.events().len(),
            run.steps(),
            run.handoffs().len()
        ),
    ));

    // 3. Seeking in that run (> 100,000 events when not quick), in a scattered order.
    let steps = run.steps();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let picks: Vec<u32> = (0..1_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % (steps as u64 + 1)) as u32
        })
        .collect();
    let t = Instant::now();
    for &p in &picks {
        black_box(run.snapshot_at(p));
    }
    let per = t.elapsed() / picks.len() as u32;
    let worst = picks
        .iter()
        .take(200)
        .map(|&p| {
            let t = Instant::now();
            black_box(run.snapshot_at(p));
            t.elapsed()
        })
        .max()
        .unwrap_or_default();
    rows.push((
        format!("snapshot_at, random seeks in a {}-event run", run.events().len()),
        us(per),
        format!("mean of 1,000 seeks ({} tasks in each snapshot); worst of 200: {}", tasks, us(worst)),
    ));
    drop(run);

    // 4. The seed counter: our executor (traced) vs LocalPool (untraced), same Mutex.
    let runs = if quick { 5 } else { 301 };
    for contended in [false, true] {
        assert_eq!(counter_on_our_executor(contended, true), 1000);
        assert_eq!(counter_on_local_pool(contended), 1000);
        // Interleaved (one of each per round), so a change of machine speed during the
        // measurement falls on all three alike; the median of each.
        let mut samples: [Vec<Duration>; 3] = Default::default();
        for _ in 0..runs {
            for (i, sample) in samples.iter_mut().enumerate() {
                let t = Instant::now();
                match i {
                    0 => black_box(counter_on_our_executor(contended, true)),
                    1 => black_box(counter_on_our_executor(contended, false)),
                    _ => black_box(counter_on_local_pool(contended)),
                };
                sample.push(t.elapsed());
            }
        }
        let [ours, untraced, pool] = samples.map(|mut v| {
            v.sort();
            v[v.len() / 2]
        });
        let what = if contended { "seed counter, yield while holding" } else { "seed counter (10 × 100 increments)" };
        // The target is the seed's own counter; the contended variant (every lock queues
        // behind a holder that yields) is measured to show what hand-overs cost.
        let target = if contended { "no target: every lock waits" } else { "target ≤ 1.5×" };
        rows.push((
            format!("{what}: our executor, traced"),
            us(ours),
            format!("{:.2}× LocalPool ({target})", ours.as_secs_f64() / pool.as_secs_f64()),
        ));
        rows.push((
            format!("{what}: our executor, lock events not traced"),
            us(untraced),
            format!("{:.2}× LocalPool (polls and wakes still recorded)", untraced.as_secs_f64() / pool.as_secs_f64()),
        ));
        rows.push((format!("{what}: futures LocalPool, untraced"), us(pool), "baseline".into()));
    }

    // 5. The counter preset through the whole engine (interpreter over JSON values).
    let counter = preset("counter").expect("preset").scenario;
    let whole = median(if quick { 3 } else { 51 }, || {
        black_box(simulate(&counter, &Policy::Fifo).expect("valid"));
    });
    rows.push((
        "simulate(counter preset): interpreter + trace + analysis".into(),
        us(whole),
        "10 tasks × 100, yielding while holding".into(),
    ));

    println!("\n| benchmark | time | notes |\n|---|---:|---|");
    for (name, time, notes) in rows {
        println!("| {name} | {time} | {notes} |");
    }
    if quick {
        println!("\n(quick mode: run `cargo bench --bench engine` for the full sizes)");
    }
}
