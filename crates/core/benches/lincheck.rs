//! Linearizability checking speed: how long the checker takes on histories
//! of an atomic register (linearizable, so the search must prove it, which
//! is its slow case) with hundreds of operations from 5 to 20 concurrent
//! clients, some of unknown outcome, on one key (the hardest: no split) and
//! on three.
//!
//! Run with `cargo bench -p consensus-core --bench lincheck`. Each row is the
//! median and the slowest of 20 different histories of that shape, each
//! timed as the median of 5 runs.

use std::time::{Duration, Instant};

use consensus_core::linearizability::{check, random_history, Shape};
use consensus_core::Rng;

const HISTORIES: u64 = 20;
const RUNS: usize = 5;

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn main() {
    println!("linearizability check per history (median and slowest of {HISTORIES} histories)");
    println!(
        "{:>10} {:>8} {:>5} {:>8} {:>10} {:>10} {:>10}",
        "operations", "clients", "keys", "unknown", "median", "slowest", "explored"
    );
    for (operations, clients, keys, unknown_percent) in [
        (200, 5, 1, 0),
        (200, 5, 1, 5),
        (500, 10, 1, 5),
        (500, 20, 1, 0),
        (500, 20, 1, 5),
        (500, 20, 1, 10),
        (500, 20, 3, 5),
        (1000, 20, 3, 5),
    ] {
        let shape = Shape {
            clients,
            operations,
            keys,
            unknown_percent,
            latency: 20,
        };
        let mut times = Vec::new();
        let mut explored = 0;
        for seed in 0..HISTORIES {
            let history = random_history(&mut Rng::new(seed), &shape);
            let runs: Vec<Duration> = (0..RUNS)
                .map(|_| {
                    let start = Instant::now();
                    let verdict = check(&history).expect("well formed");
                    let took = start.elapsed();
                    assert!(verdict.linearizable());
                    explored = explored.max(verdict.explored);
                    took
                })
                .collect();
            times.push(median(runs));
        }
        let slowest = *times.iter().max().expect("some histories");
        println!(
            "{operations:>10} {clients:>8} {keys:>5} {:>7}% {:>10.2?} {:>10.2?} {explored:>10}",
            unknown_percent,
            median(times),
            slowest
        );
    }
}
