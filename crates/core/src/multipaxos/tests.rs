//! Unit tests of one Multi-Paxos node, citing "Paxos Made Simple" §3.

use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::protocol::{Effect, Mistakes};
use crate::testkit::{boot, cluster, deliver, restart, step};

fn b(round: u32, node: NodeId) -> Ballot {
    Ballot { round, node }
}

/// Node 1 of a 3-node cluster, elected with the given promise from node 2.
fn leader_with(promise: Vec<(SlotNo, Vote)>, mistakes: Mistakes) -> (MultiPaxos, Out) {
    let c = cluster(3, mistakes);
    let (mut p, _) = boot::<MultiPaxos>(1, &c);
    step(&mut p, 1, &c, Input::Timer(Timer::Election));
    let out = deliver(
        &mut p,
        1,
        &c,
        2,
        Msg::Promise {
            ballot: b(1, 1),
            accepted: promise,
        },
    );
    (p, out)
}

type Out = crate::testkit::Out<MultiPaxos>;

fn accepts(out: &Out, to: NodeId) -> Vec<(SlotNo, Value)> {
    out.sends()
        .into_iter()
        .filter_map(|(t, m)| match m {
            Msg::Accept { slot, value, .. } if t == to => Some((slot, value)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_silent_leader_starts_phase_one_for_every_open_slot() {
    // §3: a new leader "executes phase 1 for infinitely many instances"
    // at once: one Prepare covers every slot from its first undecided one.
    let c = cluster(3, Mistakes::NONE);
    let (mut p, _) = boot::<MultiPaxos>(1, &c);
    let out = step(&mut p, 1, &c, Input::Timer(Timer::Election));
    assert_eq!(
        out.sends(),
        vec![
            (
                2,
                Msg::Prepare {
                    ballot: b(1, 1),
                    from: 1
                }
            ),
            (
                3,
                Msg::Prepare {
                    ballot: b(1, 1),
                    from: 1
                }
            )
        ]
    );
    assert_eq!(p.role_name(), "Candidate (phase 1)");
}

#[test]
fn a_promise_reports_every_acceptance_from_the_slot_asked() {
    let c = cluster(3, Mistakes::NONE);
    let (mut p, _) = boot::<MultiPaxos>(2, &c);
    for slot in 1..=3 {
        deliver(
            &mut p,
            2,
            &c,
            1,
            Msg::Accept {
                ballot: b(1, 1),
                slot,
                value: 10 + slot as Value,
            },
        );
    }
    let out = deliver(
        &mut p,
        2,
        &c,
        3,
        Msg::Prepare {
            ballot: b(2, 3),
            from: 2,
        },
    );
    assert_eq!(
        out.sends(),
        vec![(
            3,
            Msg::Promise {
                ballot: b(2, 3),
                accepted: vec![(2, (b(1, 1), 12)), (3, (b(1, 1), 13))]
            }
        )]
    );
    // The promise covers every slot: an older ballot's Accept is refused.
    let out = deliver(
        &mut p,
        2,
        &c,
        1,
        Msg::Accept {
            ballot: b(1, 1),
            slot: 4,
            value: 14,
        },
    );
    assert_eq!(
        out.sends(),
        vec![(
            1,
            Msg::Nack {
                ballot: b(1, 1),
                promised: b(2, 3)
            }
        )]
    );
}

#[test]
fn a_new_leader_proposes_again_what_was_accepted_and_fills_gaps_with_no_ops() {
    // §3: the new leader learns slots 135 and 140 hold values, proposes
    // them again, and proposes "that instances 135 and 140 be no-op
    // commands" where nothing was accepted. Here: slots 1 and 3 hold
    // values, 2 is a gap.
    let (p, out) = leader_with(vec![(1, (b(0, 2), 7)), (3, (b(0, 3), 9))], Mistakes::NONE);
    assert!(p.leads());
    assert_eq!(accepts(&out, 2), vec![(1, 7), (2, NO_OP), (3, 9)]);
    assert!(out.says("filling it with a no-op"));
    // The next client value goes after the recovered slots.
    let Role::Leading { next, .. } = p.role() else {
        panic!("leading")
    };
    assert_eq!(*next, 4);
}

#[test]
fn in_steady_state_a_request_costs_phase_two_only() {
    let c = cluster(3, Mistakes::NONE);
    let (mut p, _) = leader_with(vec![], Mistakes::NONE);
    let out = step(&mut p, 1, &c, Input::Request(5));
    let kinds: Vec<_> = out.sends().iter().map(|(_, m)| m.kind()).collect();
    assert_eq!(kinds, vec!["Accept", "Accept"]);
    // One Accepted besides the leader's own makes a majority of three.
    let out = deliver(
        &mut p,
        1,
        &c,
        3,
        Msg::Accepted {
            ballot: b(1, 1),
            slot: 1,
        },
    );
    assert_eq!(out.decided(), vec![5]);
    let kinds: Vec<_> = out.sends().iter().map(|(_, m)| m.kind()).collect();
    assert_eq!(kinds, vec!["Decide", "Decide"]);
}

#[test]
fn a_follower_sends_clients_to_the_leader() {
    let c = cluster(3, Mistakes::NONE);
    let (mut p, _) = boot::<MultiPaxos>(2, &c);
    deliver(
        &mut p,
        2,
        &c,
        1,
        Msg::Heartbeat {
            ballot: b(1, 1),
            chosen: 0,
        },
    );
    let out = step(&mut p, 2, &c, Input::Request(5));
    assert!(out.says("not the leader, try n1"));
    assert!(out.sends().is_empty());
}

#[test]
fn a_leader_steps_down_at_a_higher_ballot() {
    let c = cluster(3, Mistakes::NONE);
    let (mut p, _) = leader_with(vec![], Mistakes::NONE);
    let out = deliver(
        &mut p,
        1,
        &c,
        2,
        Msg::Nack {
            ballot: b(1, 1),
            promised: b(2, 3),
        },
    );
    assert!(!p.leads());
    assert!(out.says("ballot (2,n3) is higher than my (1,n1)"));
    // Its next ballot will be higher still.
    step(&mut p, 1, &c, Input::Timer(Timer::Election));
    assert_eq!(p.my_ballot(), Some(b(3, 1)));
}

#[test]
fn a_learner_that_missed_decisions_asks_for_them() {
    let c = cluster(3, Mistakes::NONE);
    let (mut p, _) = boot::<MultiPaxos>(2, &c);
    let out = deliver(
        &mut p,
        2,
        &c,
        1,
        Msg::Heartbeat {
            ballot: b(1, 1),
            chosen: 2,
        },
    );
    assert_eq!(out.sends(), vec![(1, Msg::CatchUp { from: 1 })]);
    let out = deliver(
        &mut p,
        2,
        &c,
        1,
        Msg::Learn {
            from: 1,
            values: vec![4, 6],
        },
    );
    assert_eq!(out.decided(), vec![4, 6]);
    assert!(p.quiescent());
}

#[test]
fn promises_and_acceptances_survive_a_restart() {
    let c = cluster(3, Mistakes::NONE);
    let (mut p, _) = boot::<MultiPaxos>(2, &c);
    deliver(
        &mut p,
        2,
        &c,
        1,
        Msg::Accept {
            ballot: b(4, 1),
            slot: 1,
            value: 3,
        },
    );
    let (q, out) = restart::<MultiPaxos>(2, &c, p.durable());
    assert_eq!(q.promised(), Some(b(4, 1)));
    assert_eq!(q.accepted().get(&1), Some(&(b(4, 1), 3)));
    assert!(out.0.iter().any(|e| matches!(
        e,
        Effect::SetTimer {
            timer: Timer::Election,
            ..
        }
    )));
}

#[test]
fn the_skip_recovery_mistake_proposes_over_an_accepted_value() {
    let mistakes = Mistakes::NONE.with(Mistake::MultipaxosSkipRecovery);
    let c = cluster(3, mistakes);
    let (mut p, out) = leader_with(vec![(1, (b(0, 2), 7))], mistakes);
    assert!(accepts(&out, 2).is_empty());
    let out = step(&mut p, 1, &c, Input::Request(8));
    assert_eq!(accepts(&out, 2), vec![(1, 8)]);
}
