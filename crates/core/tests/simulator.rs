//! The simulator's contract (CORRECTNESS.md, "Simulator"): determinism,
//! replay equals live, conservation of messages, refused actions change
//! nothing — plus golden trace hashes that pin the whole behaviour.

use consensus_core::explore::{random_config, random_run, run_schedule};
use consensus_core::kv::{Key, KvOp, ReadPath};
use consensus_core::sim::Action;
use consensus_core::{AnySim, Config, Mistake, Mistakes, ProtocolKind};

fn run(kind: ProtocolKind, seed: u64, steps: u32) -> AnySim {
    random_run(kind, seed, steps, Mistakes::NONE, false)
        .sim
        .expect("a simulation")
}

#[test]
fn same_seed_and_actions_give_the_same_trace() {
    for kind in ProtocolKind::ALL {
        for seed in 0..5 {
            let a = run(kind, seed, 400);
            let b = run(kind, seed, 400);
            assert_eq!(a.trace_hash(), b.trace_hash(), "{kind:?} seed {seed}");
            assert_eq!(a.views(), b.views());
        }
    }
}

/// Clients replay too: the same actions give the same history, stores and
/// trace, and a client waiting on an answer cannot invoke another operation.
#[test]
fn client_runs_replay_exactly() {
    for kind in ProtocolKind::ALL {
        for seed in 0..6 {
            let live = run_schedule(kind, random_config(seed, Mistakes::NONE), 600, false, 3)
                .sim
                .expect("a simulation");
            assert!(!live.clients().ops().is_empty(), "{kind:?} seed {seed}");
            let mut replayed = AnySim::new(kind, live.config().clone()).expect("config");
            for a in live.actions() {
                replayed
                    .apply(a.clone())
                    .expect("a recorded action replays");
            }
            assert_eq!(replayed.trace_hash(), live.trace_hash());
            assert_eq!(replayed.clients().ops(), live.clients().ops());
            for id in 1..=live.config().nodes {
                assert_eq!(replayed.clients().store(id), live.clients().store(id));
            }
        }
        let mut sim = run(kind, 1, 50);
        let up = (1..=sim.config().nodes).find(|&n| sim.is_up(n)).unwrap();
        let op = KvOp::Write(Key::Y, 7);
        sim.apply(Action::Invoke {
            client: 4,
            node: up,
            op,
        })
        .expect("invoked");
        let err = sim
            .apply(Action::Invoke {
                client: 4,
                node: up,
                op: KvOp::Read(Key::Y, ReadPath::Log),
            })
            .expect_err("one operation at a time");
        assert!(
            err.0.contains("C4 is still waiting for its write y 7"),
            "{err}"
        );
    }
}

#[test]
fn different_seeds_give_different_traces() {
    for kind in ProtocolKind::ALL {
        assert_ne!(
            run(kind, 1, 200).trace_hash(),
            run(kind, 2, 200).trace_hash()
        );
    }
}

#[test]
fn replay_equals_live() {
    for kind in ProtocolKind::ALL {
        for seed in 0..8 {
            let live = run(kind, seed, 500);
            let mut replayed = AnySim::new(kind, live.config().clone()).expect("config");
            for a in live.actions() {
                replayed
                    .apply(a.clone())
                    .expect("a recorded action replays");
            }
            assert_eq!(
                replayed.trace_hash(),
                live.trace_hash(),
                "{kind:?} seed {seed}"
            );
            assert_eq!(replayed.views(), live.views());
            assert_eq!(replayed.messages(), live.messages());
            assert_eq!(replayed.summary(), live.summary());
        }
    }
}

#[test]
fn every_message_is_in_flight_delivered_or_dropped() {
    for kind in ProtocolKind::ALL {
        for seed in 0..8 {
            let sim = run(kind, seed, 600);
            let (sent, delivered, dropped) = sim.message_counts();
            assert_eq!(
                sent,
                sim.messages().len() as u64 + delivered + dropped,
                "{kind:?} seed {seed}"
            );
            assert!(delivered > 0);
        }
    }
}

#[test]
fn a_duplicate_names_its_original() {
    let mut sim = AnySim::new(ProtocolKind::Raft, consensus_core::Config::new(3, 1)).unwrap();
    sim.apply(Action::Fire {
        node: 1,
        timer: "election".into(),
    })
    .unwrap();
    let original = sim.messages()[0].id;
    sim.apply(Action::Duplicate(original)).unwrap();
    let copy = sim.messages().last().cloned().unwrap();
    assert_eq!(copy.copy_of, Some(original));
    assert_eq!(copy.text, sim.messages()[0].text);
}

#[test]
fn refused_actions_change_nothing() {
    for kind in ProtocolKind::ALL {
        let mut sim = run(kind, 3, 100);
        let up = (1..=sim.config().nodes)
            .find(|n| sim.views()[usize::from(*n) - 1].is_some())
            .unwrap();
        let before = (
            sim.trace_hash(),
            sim.views(),
            sim.messages(),
            sim.actions().len(),
        );
        let bad = [
            (Action::Deliver(u64::MAX), "no message"),
            (Action::Drop(u64::MAX), "no message"),
            (
                Action::Delay {
                    id: u64::MAX,
                    by: 3,
                },
                "no message",
            ),
            (Action::Crash(0), "there is no node 0"),
            (
                Action::Retry {
                    client: 1,
                    node: up,
                },
                "C1 is not waiting for anything",
            ),
            (Action::GiveUp(2), "C2 is not waiting for anything"),
            (
                Action::Invoke {
                    client: 0,
                    node: up,
                    op: KvOp::Read(Key::X, ReadPath::Log),
                },
                "clients are numbered from 1",
            ),
            (
                Action::Invoke {
                    client: 1,
                    node: 12,
                    op: KvOp::Read(Key::X, ReadPath::Log),
                },
                "there is no node 12",
            ),
            (Action::Crash(10), "there is no node 10"),
            (Action::Restart(up), "is running"),
            (
                Action::Fire {
                    node: up,
                    timer: "nonsense".into(),
                },
                "has no timer called 'nonsense'",
            ),
            (
                Action::Partition(vec![vec![1, 2], vec![2]]),
                "appears in two partition groups",
            ),
            (Action::Partition(vec![vec![]]), "cannot be empty"),
            (
                Action::Cut { from: 1, to: 1 },
                "cannot be cut off from itself",
            ),
            (
                Action::SetFaults(consensus_core::Faults {
                    loss: 101,
                    duplicate: 0,
                    latency: (1, 2),
                }),
                "percentages",
            ),
            (
                Action::SetFaults(consensus_core::Faults {
                    loss: 0,
                    duplicate: 0,
                    latency: (5, 2),
                }),
                "latency",
            ),
        ];
        for (action, says) in bad {
            let err = sim.apply(action.clone()).expect_err("refused");
            assert!(
                err.0.contains(says),
                "{action:?}: '{err}' should mention '{says}'"
            );
        }
        assert_eq!(
            before,
            (
                sim.trace_hash(),
                sim.views(),
                sim.messages(),
                sim.actions().len()
            )
        );
    }
}

#[test]
fn a_crashed_node_refuses_requests_and_a_down_node_cannot_crash() {
    let mut sim = AnySim::new(ProtocolKind::Paxos, consensus_core::Config::new(3, 1)).unwrap();
    sim.apply(Action::Crash(2)).unwrap();
    assert!(sim
        .apply(Action::Crash(2))
        .unwrap_err()
        .0
        .contains("already down"));
    assert!(sim
        .apply(Action::Request { node: Some(2) })
        .unwrap_err()
        .0
        .contains("is down"));
    for n in [1, 3] {
        sim.apply(Action::Crash(n)).unwrap();
    }
    assert!(sim
        .apply(Action::Request { node: None })
        .unwrap_err()
        .0
        .contains("every node is down"));
}

#[test]
fn zab_links_are_fifo_in_timed_mode() {
    // Zab assumes TCP: in timed mode no message overtakes an earlier one on
    // the same link, whatever latencies the generator draws. Duplicates and
    // messages delayed by hand are outside that order (later messages do
    // not wait for them), and the random schedules hold some back.
    let mut held = 0;
    for seed in 0..40 {
        let sim = run(ProtocolKind::Zab, seed, 800);
        let msgs = sim.messages();
        held += msgs.iter().filter(|m| m.unordered).count();
        for a in msgs.iter().filter(|m| !m.unordered) {
            for b in &msgs {
                if a.from == b.from && a.to == b.to && a.id < b.id {
                    assert!(
                        a.deliver_at <= b.deliver_at,
                        "seed {seed}: #{} would overtake #{}",
                        b.id,
                        a.id
                    );
                }
            }
        }
    }
    assert!(held > 0, "the schedules held no message back");
}

#[test]
fn a_held_message_does_not_hold_back_its_link() {
    // A copy delayed for long arrives after messages sent later on the same
    // FIFO link: a stale message from an earlier connection, in ZooKeeper's
    // terms, which is what Zab's sessions must survive.
    let mut sim = AnySim::new(ProtocolKind::Zab, consensus_core::Config::new(3, 1)).unwrap();
    let first = sim.messages()[0].clone();
    let events = sim.apply_events(Action::Duplicate(first.id)).unwrap();
    assert!(!events.is_empty());
    let copy = sim.messages().last().unwrap().id;
    sim.apply(Action::Delay { id: copy, by: 500 }).unwrap();
    let copy_at = sim
        .messages()
        .iter()
        .find(|m| m.id == copy)
        .unwrap()
        .deliver_at;
    // Everything the nodes send from now on on that link arrives first.
    let mut later = 0;
    while sim.now() < 200 {
        sim.apply(Action::Next).unwrap();
        for m in sim.messages() {
            if (m.from, m.to) == (first.from, first.to) && m.id > copy {
                later += 1;
                assert!(
                    m.deliver_at < copy_at,
                    "#{} waits behind the held copy",
                    m.id
                );
            }
        }
    }
    assert!(later > 0, "nothing else was sent on the link");
}

/// Recording nothing changes nothing: without a trace a run takes the same
/// course, to the same state, violations and milestones.
#[test]
fn a_run_without_trace_takes_the_same_course() {
    for kind in ProtocolKind::ALL {
        for seed in 0..12 {
            let config = random_config(seed, Mistakes::NONE.with(mistake_of(kind)));
            // Odd seeds with clients, whose answers the trace also records.
            let clients = if seed % 2 == 1 { 3 } else { 0 };
            let traced = run_schedule(kind, config.clone(), 600, true, clients);
            let quiet = run_schedule(
                kind,
                Config {
                    trace: false,
                    ..config
                },
                600,
                true,
                clients,
            );
            let (mut a, mut b) = (traced.sim.unwrap(), quiet.sim.unwrap());
            assert_eq!(a.actions(), b.actions(), "{kind:?} seed {seed}");
            assert_eq!(a.violations(), b.violations(), "{kind:?} seed {seed}");
            assert_eq!(a.milestones(), b.milestones(), "{kind:?} seed {seed}");
            assert_eq!(a.clients().ops(), b.clients().ops(), "{kind:?} seed {seed}");
            assert_eq!(a.views(), b.views(), "{kind:?} seed {seed}");
            assert_eq!(a.messages(), b.messages(), "{kind:?} seed {seed}");
            // A request always has something to say: the traced run says
            // it, the quiet one records nothing.
            for sim in [&mut a, &mut b] {
                if !sim.is_up(1) {
                    sim.apply(Action::Restart(1)).expect("a restart");
                }
                sim.apply(Action::Request { node: Some(1) })
                    .expect("a request");
            }
            assert!(!a.events().is_empty(), "{kind:?} seed {seed}");
            assert!(b.events().is_empty() && b.boot_events().is_empty());
        }
    }
}

/// A mistake of `kind`, so that runs find violations too.
fn mistake_of(kind: ProtocolKind) -> Mistake {
    Mistake::ALL
        .into_iter()
        .find(|m| m.protocol() == kind.name())
        .unwrap()
}

#[test]
fn wait_lets_time_pass_but_never_skips_an_event() {
    let mut sim = AnySim::new(ProtocolKind::Raft, consensus_core::Config::new(3, 1)).unwrap();
    let due = sim.next_event_at().expect("election timers are armed");
    let err = sim.apply(Action::Wait { until: due + 1 }).unwrap_err();
    assert!(err.0.contains("before t="), "{err}");
    sim.apply(Action::Wait { until: due }).unwrap();
    assert_eq!(sim.now(), due);
    assert!(sim
        .apply(Action::Wait { until: due - 1 })
        .unwrap_err()
        .0
        .contains("time runs forward"));
}

/// A submitted request waits while there is no leader, and the first leader
/// there is takes it; with a leader it goes straight there, as `request`
/// does; Basic Paxos has no leader to wait for.
#[test]
fn a_submitted_request_waits_for_a_leader() {
    for kind in ProtocolKind::ALL {
        let mut sim = AnySim::new(kind, Config::new(5, 7)).unwrap();
        let at_boot = (1..=5).any(|id| sim.status(id).is_some_and(|s| s.leads));
        sim.apply(Action::Submit).unwrap();
        let waits = !kind.leaderless() && !at_boot;
        assert_eq!(
            sim.waiting_for_leader(),
            if waits { &[1][..] } else { &[] },
            "{kind:?}"
        );
        let said = sim
            .events()
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>();
        let waited = said.iter().any(|e| e.contains("request v1 waits"));
        assert_eq!(waited, waits, "{kind:?}: {said:?}");
        assert!(
            consensus_core::explore::run_until(&mut sim, 2_000, |s| {
                consensus_core::explore::decided_everywhere(s, 1)
            }),
            "{kind:?}: v1 decided everywhere"
        );
        assert!(sim.waiting_for_leader().is_empty());
        assert!(sim.violations().is_empty(), "{kind:?}");

        // With a leader in office, submit is request: the same trace.
        let mut request = sim.clone();
        sim.apply(Action::Submit).unwrap();
        request.apply(Action::Request { node: None }).unwrap();
        assert_eq!(sim.trace_hash(), request.trace_hash(), "{kind:?}");
    }
}

#[test]
fn a_submitted_request_waits_out_a_crashed_leader_and_needs_a_live_node() {
    let mut sim = AnySim::new(ProtocolKind::Raft, Config::new(3, 2)).unwrap();
    assert!(consensus_core::explore::run_until(
        &mut sim,
        2_000,
        consensus_core::explore::settled
    ));
    let leader = (1..=3)
        .find(|id| sim.status(*id).is_some_and(|s| s.leads))
        .unwrap();
    sim.apply(Action::Crash(leader)).unwrap();
    sim.apply(Action::Submit).unwrap();
    sim.apply(Action::Submit).unwrap();
    let waiting = sim.waiting_for_leader().to_vec();
    assert_eq!(waiting.len(), 2);
    assert!(consensus_core::explore::run_until(&mut sim, 3_000, |s| {
        waiting
            .iter()
            .all(|v| consensus_core::explore::decided_everywhere(s, *v))
    }));
    assert!(sim.violations().is_empty());
    for id in 1..=3 {
        let _ = sim.apply(Action::Crash(id));
    }
    let refused = sim.apply(Action::Submit).unwrap_err().0;
    assert!(refused.contains("every node is down"), "{refused}");
}
