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
const RUNS: usize = 9;

/// Steps per second of one pass over the schedules.
fn one_pass(kind: ProtocolKind, check: bool) -> f64 {
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
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Median steps per second with checks on and off, and the median of the
/// per-round ratios. The two are measured back to back in each round, so
/// the machine's drift affects both alike.
fn measure(kind: ProtocolKind) -> (f64, f64, f64) {
    let rounds: Vec<(f64, f64)> = (0..RUNS)
        .map(|_| (one_pass(kind, true), one_pass(kind, false)))
        .collect();
    let on = median(rounds.iter().map(|r| r.0).collect());
    let off = median(rounds.iter().map(|r| r.1).collect());
    let ratio = median(rounds.iter().map(|r| r.1 / r.0).collect());
    (on, off, ratio)
}

fn main() {
    println!("simulator steps per second (median of {RUNS} runs, {SEEDS} seeds x {STEPS} steps)");
    println!(
        "{:<12} {:>14} {:>14} {:>8}",
        "protocol", "checks on", "checks off", "ratio"
    );
    for kind in ProtocolKind::ALL {
        let (on, off, ratio) = measure(kind);
        println!(
            "{:<12} {:>14.0} {:>14.0} {:>7.2}x",
            kind.title(),
            on,
            off,
            ratio
        );
    }
}
