//! Same seed and actions, same trace, natively and in wasm. These tests run
//! twice in `scripts/test.sh`: natively, and compiled to wasm32 under
//! Node.js (wasm-bindgen-test-runner), where `usize` is 32 bits. The
//! fingerprints hash every event's data, so any divergence shows.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use consensus_core::explore::{random_config, random_run, run_schedule};
use consensus_core::linearizability::{check, random_history, Shape};
use consensus_core::{AnySim, Mistakes, ProtocolKind, Rng};

fn run(kind: ProtocolKind, seed: u64, steps: u32) -> AnySim {
    random_run(kind, seed, steps, Mistakes::NONE, false)
        .sim
        .expect("a simulation")
}

/// Golden trace fingerprints, over the events' data (not their wording). A
/// change here means the protocols or the simulator now behave differently
/// for the same seed: every share link and scenario would replay
/// differently. Update only on purpose. All of them last changed when a
/// sent message's event began to carry its purpose (what the accounting
/// counts it under, and what lets the event log fold heartbeats): a change
/// of representation, not of behaviour, as the scenario files, which word
/// every event, showed unchanged. Before that, the Raft ones changed when a
/// new leader began appending a no-op of its term, §8.
#[test]
fn golden_trace_hashes() {
    let golden: [(ProtocolKind, u64, u64); 10] = [
        (ProtocolKind::Raft, 1, 16536982589968304418),
        (ProtocolKind::Raft, 2, 11637101318280529374),
        (ProtocolKind::Paxos, 1, 1001380723803400757),
        (ProtocolKind::Paxos, 2, 18269147936062030622),
        (ProtocolKind::Zab, 1, 16101469410924582710),
        (ProtocolKind::Zab, 2, 7114919072018251138),
        (ProtocolKind::MultiPaxos, 1, 12919808149213284451),
        (ProtocolKind::MultiPaxos, 2, 16370395274819038874),
        (ProtocolKind::Vr, 1, 13836102281939071882),
        (ProtocolKind::Vr, 2, 10890346451926827463),
    ];
    let actual: Vec<(ProtocolKind, u64, u64)> = golden
        .iter()
        .map(|(k, seed, _)| (*k, *seed, run(*k, *seed, 1000).trace_hash()))
        .collect();
    assert_eq!(actual, golden);
}

/// Runs with clients reading and writing: the trace, the history and the
/// stores come out the same on both. (The hashes changed with the purpose
/// on sent messages' events, as above; the counts did not.)
#[test]
fn golden_client_runs() {
    let golden: [(ProtocolKind, u64, u64); 5] = [
        (ProtocolKind::Raft, 4406760075709508367, 10),
        // Changed when Basic Paxos learners began catching up on missed
        // decisions: this run has one, and its clients get more answers.
        (ProtocolKind::Paxos, 9276401644906969371, 13),
        (ProtocolKind::Zab, 9546667478187843170, 14),
        (ProtocolKind::MultiPaxos, 14364148759615642413, 30),
        (ProtocolKind::Vr, 5074317175655551875, 28),
    ];
    let actual: Vec<(ProtocolKind, u64, u64)> = golden
        .iter()
        .map(|(kind, _, _)| {
            let sim = run_schedule(*kind, random_config(3, Mistakes::NONE), 800, false, 3)
                .sim
                .expect("a simulation");
            assert!(sim.violations().is_empty(), "{:?}", sim.violations());
            (*kind, sim.trace_hash(), sim.clients().ops().len() as u64)
        })
        .collect();
    assert_eq!(actual, golden);
}

/// The checker's search is deterministic too: the same verdict and work.
#[test]
fn golden_checker_work() {
    let shape = Shape {
        clients: 10,
        operations: 300,
        keys: 1,
        unknown_percent: 5,
        latency: 20,
    };
    let history = random_history(&mut Rng::new(5), &shape);
    let verdict = check(&history).expect("well formed");
    assert!(verdict.linearizable());
    assert_eq!(verdict.explored, 768);
}
