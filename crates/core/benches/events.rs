//! Simulator speed: steps per second for each protocol, with the invariant
//! checks on and off. A step is one action — a delivery, a timer, a client
//! request, a fault — with everything the nodes do in response.
//!
//! Run with `cargo bench -p consensus-core`. Each figure is the median of
//! several runs of the same random schedules (seeds 0..8, 2,000 steps each,
//! random fault profiles), so the work is identical from run to run.

use std::time::Instant;

use consensus_core::explore::{random_config, run_schedule};
use consensus_core::{Mistakes, ProtocolKind};

const SEEDS: u64 = 8;
const STEPS: u32 = 2_000;
const RUNS: usize = 7;

fn steps_per_second(kind: ProtocolKind, check: bool) -> f64 {
    let mut rates: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let mut steps = 0u64;
            for seed in 0..SEEDS {
                let config = consensus_core::Config {
                    check,
                    ..random_config(seed, Mistakes::NONE)
                };
                steps += u64::from(run_schedule(kind, config, STEPS, false).steps);
            }
            steps as f64 / start.elapsed().as_secs_f64()
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    rates[RUNS / 2]
}

fn main() {
    // `cargo test --benches` passes --bench-less arguments; only run when benchmarking.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    println!("simulator steps per second (median of {RUNS} runs, {SEEDS} seeds x {STEPS} steps)");
    println!(
        "{:<12} {:>14} {:>14} {:>8}",
        "protocol", "checks on", "checks off", "ratio"
    );
    for kind in ProtocolKind::ALL {
        let on = steps_per_second(kind, true);
        let off = steps_per_second(kind, false);
        println!(
            "{:<12} {:>14.0} {:>14.0} {:>7.2}x",
            kind.title(),
            on,
            off,
            off / on
        );
    }
}
