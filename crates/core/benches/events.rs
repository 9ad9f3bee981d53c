//! Simulator speed: steps per second for each protocol, with the invariant
//! checks on and off, and with the trace recorded (what the web app and
//! scenario files use) or not (what `consensus check` uses). A step is one
//! action — a delivery, a timer, a client request, a fault — with
//! everything the nodes do in response.
//!
//! Run with `cargo bench -p consensus-core`. Each figure is the median of
//! several runs of the same random schedules (seeds 0..8, 2,000 steps each,
//! random fault profiles), so the work is identical from run to run.
//!
//! A second table compares short and long runs: the time per step of runs
//! of 5,000 and of 40,000 steps, with checks on and off. Logs and histories
//! grow with a run; a checker that looks only at what a step changed costs
//! the same per step in both.

use std::time::Instant;

use consensus_core::explore::{random_config, run_schedule};
use consensus_core::{Mistakes, ProtocolKind};

const SEEDS: u64 = 8;
const STEPS: u32 = 2_000;
const RUNS: usize = 9;
const LONG_SEEDS: u64 = 4;
const LONG_RUNS: usize = 3;

/// Steps per second of one pass over the schedules.
fn one_pass(kind: ProtocolKind, check: bool, trace: bool) -> f64 {
    let start = Instant::now();
    let mut steps = 0u64;
    for seed in 0..SEEDS {
        let config = consensus_core::Config {
            check,
            trace,
            ..random_config(seed, Mistakes::NONE)
        };
        steps += u64::from(run_schedule(kind, config, STEPS, false, 0).steps);
    }
    steps as f64 / start.elapsed().as_secs_f64()
}

/// Microseconds per step of `seeds` runs of `steps` steps each.
fn per_step(kind: ProtocolKind, check: bool, seeds: u64, steps: u32) -> f64 {
    let start = Instant::now();
    let mut done = 0u64;
    for seed in 0..seeds {
        let config = consensus_core::Config {
            check,
            ..random_config(seed, Mistakes::NONE)
        };
        done += u64::from(run_schedule(kind, config, steps, false, 0).steps);
    }
    start.elapsed().as_secs_f64() * 1e6 / done as f64
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Median steps per second with checks on and off (no trace), and with
/// checks and trace on, measured back to back in each round so the
/// machine's drift affects all alike.
fn measure(kind: ProtocolKind) -> [f64; 3] {
    let rounds: Vec<[f64; 3]> = (0..RUNS)
        .map(|_| {
            [
                one_pass(kind, true, false),
                one_pass(kind, false, false),
                one_pass(kind, true, true),
            ]
        })
        .collect();
    [0, 1, 2].map(|i| median(rounds.iter().map(|r| r[i]).collect()))
}

fn main() {
    println!("simulator steps per second (median of {RUNS} runs, {SEEDS} seeds x {STEPS} steps)");
    println!(
        "{:<24} {:>14} {:>14} {:>16}",
        "protocol", "checks on", "checks off", "checks + trace"
    );
    for kind in ProtocolKind::ALL {
        let [on, off, traced] = measure(kind);
        println!("{:<24} {on:>14.0} {off:>14.0} {traced:>16.0}", kind.title());
    }
    println!();
    println!("microseconds per step, short and long runs (median of {LONG_RUNS} runs, {LONG_SEEDS} seeds)");
    println!(
        "{:<24} {:>12} {:>12} {:>12} {:>12}",
        "protocol", "5k, checks", "5k, none", "40k, checks", "40k, none"
    );
    for kind in ProtocolKind::ALL {
        let rounds: Vec<[f64; 4]> = (0..LONG_RUNS)
            .map(|_| {
                [
                    per_step(kind, true, LONG_SEEDS, 5_000),
                    per_step(kind, false, LONG_SEEDS, 5_000),
                    per_step(kind, true, LONG_SEEDS, 40_000),
                    per_step(kind, false, LONG_SEEDS, 40_000),
                ]
            })
            .collect();
        let [a, b, c, d] = [0, 1, 2, 3].map(|i| median(rounds.iter().map(|r| r[i]).collect()));
        println!(
            "{:<24} {a:>12.2} {b:>12.2} {c:>12.2} {d:>12.2}",
            kind.title()
        );
    }
}
