//! Tier 1 and tier 3 of CORRECTNESS.md: random schedules under random fault
//! profiles (drops, duplicates, reordering, crashes, partitions including
//! one-way cuts), every safety invariant checked after every step, every
//! fourth seed in liveness mode — and counters proving that the runs were
//! not vacuous. Then every switchable mistake must be caught.
//!
//! `cargo test` runs a few hundred seeds per protocol; `.ci/run` runs
//! thousands more through `consensus check` in a release build.

use std::collections::BTreeMap;

use consensus_core::explore::{random_config, random_run, run_schedule};
use consensus_core::protocol::Milestone;
use consensus_core::{Mistake, Mistakes, ProtocolKind};

const SEEDS: u64 = 400;
const STEPS: u32 = 1000;

fn explore(kind: ProtocolKind) -> BTreeMap<Milestone, u64> {
    let mut totals = BTreeMap::new();
    let mut liveness_runs = 0;
    for seed in 0..SEEDS {
        let r = random_run(kind, seed, STEPS, Mistakes::NONE, true);
        if let Some((step, v)) = &r.violation {
            panic!("{kind:?} seed {seed} step {step}: {v}");
        }
        if let Some(why) = &r.liveness {
            panic!("{kind:?} seed {seed}: liveness: {why}");
        }
        liveness_runs += u64::from(seed % 4 == 3);
        assert_eq!(r.steps, STEPS);
        for (m, n) in r.milestones {
            *totals.entry(m).or_insert(0) += n;
        }
    }
    assert_eq!(liveness_runs, SEEDS / 4);
    totals
}

fn at_least(totals: &BTreeMap<Milestone, u64>, m: Milestone, n: u64) {
    let got = totals.get(&m).copied().unwrap_or(0);
    assert!(
        got >= n,
        "{m:?} happened {got} times, expected at least {n}: the runs are too tame"
    );
}

#[test]
fn raft_random_schedules() {
    let t = explore(ProtocolKind::Raft);
    at_least(&t, Milestone::LeaderElected, SEEDS * 2);
    at_least(&t, Milestone::SteppedDown, SEEDS);
    at_least(&t, Milestone::Truncation, 20);
}

#[test]
fn paxos_random_schedules() {
    let t = explore(ProtocolKind::Paxos);
    at_least(&t, Milestone::Preempted, SEEDS);
    at_least(&t, Milestone::Adopted, SEEDS);
    // Learners that missed decisions caught up.
    at_least(&t, Milestone::CaughtUp, SEEDS / 4);
}

#[test]
fn zab_random_schedules() {
    let t = explore(ProtocolKind::Zab);
    at_least(&t, Milestone::LeaderElected, SEEDS);
    at_least(&t, Milestone::SteppedDown, SEEDS / 2);
    at_least(&t, Milestone::Synced, SEEDS);
    at_least(&t, Milestone::Truncation, 5);
}

#[test]
fn multipaxos_random_schedules() {
    let t = explore(ProtocolKind::MultiPaxos);
    // Leader changes, each recovering what the promises reported, filling
    // gaps with no-ops, and learners catching up on missed decisions.
    at_least(&t, Milestone::LeaderElected, SEEDS * 2);
    at_least(&t, Milestone::SteppedDown, SEEDS);
    at_least(&t, Milestone::Adopted, SEEDS);
    at_least(&t, Milestone::GapFilled, 10);
    at_least(&t, Milestone::CaughtUp, SEEDS);
}

#[test]
fn vr_random_schedules() {
    let t = explore(ProtocolKind::Vr);
    // View changes started and completed, and restarted replicas that
    // recovered their state from the others.
    at_least(&t, Milestone::ElectionStarted, SEEDS * 2);
    at_least(&t, Milestone::LeaderElected, SEEDS);
    at_least(&t, Milestone::Recovered, SEEDS / 4);
}

/// Every switchable mistake is caught by the random schedules: a safety
/// violation, or (for the liveness mistake) a failed liveness check.
#[test]
fn every_mistake_is_caught() {
    for m in Mistake::ALL {
        let kind = ProtocolKind::from_name(m.protocol()).expect("a protocol");
        // A mistake in serving reads shows only when clients read.
        let clients = if m.concerns_reads() { 3 } else { 0 };
        let caught = (0..200).find_map(|seed| {
            let config = random_config(seed, Mistakes::NONE.with(m));
            let r = run_schedule(kind, config, STEPS, true, clients);
            r.violation
                .map(|(_, v)| v.invariant.to_string())
                .or(r.liveness.map(|_| "liveness".to_string()))
        });
        assert!(caught.is_some(), "{} was never caught", m.name());
    }
}

/// A fault-free run shows no term churn: one leader, in term (epoch) 1, for
/// the whole run. (Two candidates may still run in term 1; one steps down.)
#[test]
fn fault_free_runs_elect_once() {
    for kind in [
        ProtocolKind::Raft,
        ProtocolKind::Zab,
        ProtocolKind::MultiPaxos,
    ] {
        for seed in 0..10 {
            let c = consensus_core::explore::compare(kind, 5, 20, seed).expect("a comparison");
            assert!(c.failure.is_none(), "{kind:?} seed {seed}: {:?}", c.failure);
            assert_eq!(
                c.sim.milestones().get(&Milestone::LeaderElected),
                Some(&1),
                "{kind:?} seed {seed}"
            );
            assert!(
                c.sim.views().iter().flatten().all(|v| v.era == 1),
                "{kind:?} seed {seed}: churn"
            );
        }
    }
}

/// VR needs no election to begin: view 0 and its primary, replica 1, last
/// a whole fault-free run.
#[test]
fn fault_free_vr_stays_in_view_zero() {
    for seed in 0..10 {
        let c =
            consensus_core::explore::compare(ProtocolKind::Vr, 5, 20, seed).expect("a comparison");
        assert!(c.failure.is_none(), "seed {seed}: {:?}", c.failure);
        assert!(
            c.sim.milestones().is_empty(),
            "seed {seed}: {:?}",
            c.sim.milestones()
        );
        assert!(
            c.sim.views().iter().flatten().all(|v| v.era == 0),
            "seed {seed}"
        );
        assert!(c.sim.status(1).is_some_and(|s| s.leads));
    }
}

/// In a fault-free steady state with one request at a time, the measured
/// cost equals the textbook: Raft 2(N-1), Paxos 4(N-1), Zab 3(N-1).
#[test]
fn steady_state_costs_equal_the_textbook() {
    for nodes in [3u8, 5, 7] {
        for kind in ProtocolKind::ALL {
            let c = consensus_core::explore::compare(kind, nodes, 10, 42).expect("a comparison");
            let s = c.sim.summary();
            assert_eq!(s.decisions, 10, "{kind:?} with {nodes} nodes");
            assert_eq!(
                s.messages(),
                10 * kind.textbook(nodes),
                "{kind:?} with {nodes} nodes: {s:?}"
            );
            assert_eq!(s.undecided, 0);
            let n1 = u64::from(nodes - 1);
            let per_type: Vec<u64> = s.by_type.values().map(|v| v / 10).collect();
            assert!(
                per_type.iter().all(|v| *v == n1),
                "{kind:?}: every type costs N-1 each: {s:?}"
            );
            let delays = s.delays / 10;
            assert_eq!(
                delays,
                match kind {
                    ProtocolKind::Paxos => 4,
                    _ => 2,
                }
            );
        }
    }
}

/// Clients mixed into the random schedules: key-value operations through
/// each protocol's log (or slot sequence), retried at other nodes and given
/// up on, with every history checked for linearizability as it grows. The
/// counts prove the workload exercised what matters: values read back, cas
/// both ways, retries answered, outcomes left unknown.
#[test]
fn client_histories_are_linearizable_under_random_schedules() {
    use consensus_core::kv::{KvOp, OpState, Reply};
    for kind in ProtocolKind::ALL {
        let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
        for seed in 0..300 {
            let config = random_config(seed, Mistakes::NONE);
            let r = run_schedule(kind, config, 1000, seed % 4 == 3, 3);
            if let Some((step, v)) = &r.violation {
                panic!("{kind:?} seed {seed} step {step}: {v}");
            }
            assert!(
                r.liveness.is_none(),
                "{kind:?} seed {seed}: {:?}",
                r.liveness
            );
            let sim = r.sim.expect("a simulation");
            for o in sim.clients().ops() {
                let what = match (o.op, o.state) {
                    (KvOp::Read(..), OpState::Answered(_, Reply::Value(Some(_)))) => "read a value",
                    (KvOp::Cas { .. }, OpState::Answered(_, Reply::Cas(true))) => "cas ok",
                    (KvOp::Cas { .. }, OpState::Answered(_, Reply::Cas(false))) => "cas failed",
                    (_, OpState::Answered(..)) if o.attempts > 1 => "answered after a retry",
                    (_, OpState::Answered(..)) => "answered",
                    (_, OpState::GaveUp(_)) => "gave up",
                    (_, OpState::Waiting) => "still waiting",
                };
                *counts.entry(what).or_default() += 1;
            }
        }
        for (what, least) in [
            ("read a value", 100),
            ("cas ok", 20),
            ("cas failed", 50),
            ("answered after a retry", 20),
            ("gave up", 20),
        ] {
            let got = counts.get(what).copied().unwrap_or(0);
            assert!(
                got >= least,
                "{kind:?}: {what} {got} times, expected {least}: {counts:?}"
            );
        }
    }
}
