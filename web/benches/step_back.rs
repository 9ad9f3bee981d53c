//! Step back at the end of a long session, natively: the reducer's Step
//! back (nearest checkpoint, then at most `CHECKPOINT_EVERY` actions
//! replayed) against replaying the whole session from the start, as Step
//! back did before checkpoints. Run with `cargo bench -p consensus-web`.
//!
//! Timings on a shared machine are noisy: each figure is the median of
//! several runs.

use std::rc::Rc;
use std::time::Instant;

use consensus_core::protocol::NodeId;
use consensus_core::rng::Rng;
use consensus_web::session::{Session, UiAction};
use consensus_web::state::{Msg, Playground};
use yew::Reducible;

const RUNS: usize = 9;

/// A random session of `len` accepted actions on all three panels.
fn session(len: usize, seed: u64) -> Playground {
    let mut pg = Playground::new(5, seed);
    let mut rng = Rng::new(seed);
    while pg.history.len() < len {
        let node = 1 + rng.below(5) as NodeId;
        let a = match rng.below(20) {
            0..10 => UiAction::Step,
            10..13 => UiAction::Tick,
            13..15 => UiAction::Request,
            15 => UiAction::Crash(node),
            16 => UiAction::Restart(node),
            17 => UiAction::Isolate(node),
            _ => UiAction::Heal,
        };
        let _ = pg.act(a);
    }
    pg
}

fn median_ms(mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[RUNS / 2]
}

fn main() {
    println!("Step back at the end of a session (median of {RUNS} runs, 3 panels x 5 nodes)");
    println!("actions    checkpoints  spacing   step back ms   full replay ms");
    for len in [1_000, 10_000] {
        let pg = Rc::new(session(len, 7));
        let (kept, every) = pg.checkpoint_spacing();
        let back = median_ms(|| {
            let back = Rc::clone(&pg).reduce(Msg::StepBack);
            assert_eq!(back.history.len(), len - 1);
        });
        let prefix = Session {
            history: pg.history[..len - 1].to_vec(),
            ..pg.session()
        };
        let replay = median_ms(|| {
            let replayed = Playground::replay(&prefix).expect("a prefix replays");
            assert_eq!(replayed.history.len(), len - 1);
        });
        println!("{len:>7} {kept:>14} {every:>8} {back:>14.2} {replay:>16.1}");
    }
}
