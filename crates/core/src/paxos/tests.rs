//! Unit tests of one Paxos node, citing "Paxos Made Simple".

use alloc::vec;

use super::*;
use crate::protocol::{Effect, Mistakes, Protocol};
use crate::testkit::{boot, cluster, deliver, restart, step};

fn b(round: u32, node: NodeId) -> Ballot {
    Ballot { round, node }
}

#[test]
fn ballots_order_by_round_then_node() {
    // §2.2 needs proposal numbers that are totally ordered and unique:
    // (round, node) pairs are.
    assert!(b(1, 3) > b(1, 1));
    assert!(b(2, 1) > b(1, 3));
}

#[test]
fn a_request_starts_phase_one_in_the_first_open_slot() {
    // §2.2 phase 1(a): "A proposer selects a proposal number n and sends a
    // prepare request with number n to a majority of acceptors."
    let c = cluster(3, Mistakes::NONE);
    let (mut p, _) = boot::<Paxos>(1, &c);
    let out = step(&mut p, 1, &c, Input::Request(4));
    assert_eq!(
        out.sends(),
        vec![
            (
                2,
                Msg::Prepare {
                    slot: 1,
                    ballot: b(1, 1)
                }
            ),
            (
                3,
                Msg::Prepare {
                    slot: 1,
                    ballot: b(1, 1)
                }
            )
        ]
    );
}

#[test]
fn acceptor_promises_only_upwards() {
    // §2.2 phase 1(b): an acceptor promises a higher-numbered prepare and
    // reports its highest-numbered accepted proposal; it refuses lower ones.
    let c = cluster(3, Mistakes::NONE);
    let (mut p, _) = boot::<Paxos>(2, &c);
    let out = deliver(
        &mut p,
        2,
        &c,
        3,
        Msg::Prepare {
            slot: 1,
            ballot: b(2, 3),
        },
    );
    assert_eq!(
        out.sends(),
        vec![(
            3,
            Msg::Promise {
                slot: 1,
                ballot: b(2, 3),
                accepted: None
            }
        )]
    );
    let out = deliver(
        &mut p,
        2,
        &c,
        1,
        Msg::Prepare {
            slot: 1,
            ballot: b(1, 1),
        },
    );
    assert_eq!(
        out.sends(),
        vec![(
            1,
            Msg::Nack {
                slot: 1,
                ballot: b(1, 1),
                promised: b(2, 3)
            }
        )]
    );
    assert!(out.says("I promised ballot (2,n3) > (1,n1)"));
}

#[test]
fn acceptor_refuses_to_accept_below_its_promise() {
    // §2.2 phase 2(b): "If an acceptor receives an accept request for a
    // proposal numbered n, it accepts the proposal unless it has already
    // responded to a prepare request having a number greater than n."
    let c = cluster(3, Mistakes::NONE);
    let (mut p, _) = boot::<Paxos>(2, &c);
    deliver(
        &mut p,
        2,
        &c,
        3,
        Msg::Prepare {
            slot: 1,
            ballot: b(2, 3),
        },
    );
    let out = deliver(
        &mut p,
        2,
        &c,
        1,
        Msg::Accept {
            slot: 1,
            ballot: b(1, 1),
            value: 9,
        },
    );
    assert!(matches!(out.sends()[0], (1, Msg::Nack { .. })));
    let out = deliver(
        &mut p,
        2,
        &c,
        3,
        Msg::Accept {
            slot: 1,
            ballot: b(2, 3),
            value: 8,
        },
    );
    assert_eq!(
        out.sends(),
        vec![(
            3,
            Msg::Accepted {
                slot: 1,
                ballot: b(2, 3)
            }
        )]
    );
    assert_eq!(p.acceptor()[&1].accepted, Some((b(2, 3), 8)));
}

#[test]
fn proposer_adopts_the_highest_accepted_value() {
    // §2.2 phase 2(a): the value is "the value of the highest-numbered
    // proposal among the responses, or any value if the responses reported
    // no proposals".
    let c = cluster(5, Mistakes::NONE);
    let (mut p, _) = boot::<Paxos>(1, &c);
    step(&mut p, 1, &c, Input::Request(10));
    deliver(
        &mut p,
        1,
        &c,
        2,
        Msg::Promise {
            slot: 1,
            ballot: b(1, 1),
            accepted: Some((b(0, 2), 20)),
        },
    );
    let out = deliver(
        &mut p,
        1,
        &c,
        3,
        Msg::Promise {
            slot: 1,
            ballot: b(1, 1),
            accepted: Some((b(0, 3), 30)),
        },
    );
    assert!(out
        .sends()
        .iter()
        .all(|(_, m)| matches!(m, Msg::Accept { value: 30, .. })));
    assert!(out.says("adopting v30"));

    // With `paxos-ignore-accepted`, it proposes its own value anyway.
    let bad = cluster(5, Mistakes::NONE.with(Mistake::PaxosIgnoreAccepted));
    let (mut p, _) = boot::<Paxos>(1, &bad);
    step(&mut p, 1, &bad, Input::Request(10));
    deliver(
        &mut p,
        1,
        &bad,
        2,
        Msg::Promise {
            slot: 1,
            ballot: b(1, 1),
            accepted: Some((b(0, 2), 20)),
        },
    );
    let out = deliver(
        &mut p,
        1,
        &bad,
        3,
        Msg::Promise {
            slot: 1,
            ballot: b(1, 1),
            accepted: None,
        },
    );
    assert!(out
        .sends()
        .iter()
        .all(|(_, m)| matches!(m, Msg::Accept { value: 10, .. })));
}

#[test]
fn stale_promises_do_not_count() {
    // A promise answers one ballot; counting promises for an older ballot
    // would let two values be chosen.
    let c = cluster(3, Mistakes::NONE);
    let (mut p, _) = boot::<Paxos>(1, &c);
    step(&mut p, 1, &c, Input::Request(10));
    let out = deliver(
        &mut p,
        1,
        &c,
        2,
        Msg::Promise {
            slot: 1,
            ballot: b(0, 1),
            accepted: None,
        },
    );
    assert!(out.sends().is_empty());
    assert!(out.says("it answers ballot (0,n1)"));
}

#[test]
fn a_majority_of_accepted_chooses_and_tells_the_learners() {
    // §2.3: "a proposer can ... inform the learners when a value is chosen".
    let c = cluster(3, Mistakes::NONE);
    let (mut p, _) = boot::<Paxos>(1, &c);
    step(&mut p, 1, &c, Input::Request(10));
    deliver(
        &mut p,
        1,
        &c,
        2,
        Msg::Promise {
            slot: 1,
            ballot: b(1, 1),
            accepted: None,
        },
    );
    let out = deliver(
        &mut p,
        1,
        &c,
        2,
        Msg::Accepted {
            slot: 1,
            ballot: b(1, 1),
        },
    );
    assert_eq!(out.decided(), vec![10]);
    assert_eq!(p.chosen()[&1], 10);
    assert!(out
        .sends()
        .iter()
        .all(|(_, m)| matches!(m, Msg::Decide { slot: 1, value: 10 })));
}

#[test]
fn acceptor_state_and_rounds_survive_a_restart() {
    // §2.3: "an acceptor must remember this information even if it fails and
    // then restarts"; a restarted proposer must not reuse a ballot.
    let c = cluster(3, Mistakes::NONE);
    let (mut p, _) = boot::<Paxos>(1, &c);
    step(&mut p, 1, &c, Input::Request(10));
    deliver(
        &mut p,
        1,
        &c,
        3,
        Msg::Prepare {
            slot: 2,
            ballot: b(4, 3),
        },
    );
    let (mut back, _) = restart::<Paxos>(1, &c, p.durable());
    assert_eq!(back.acceptor()[&2].promised, Some(b(4, 3)));
    let out = step(&mut back, 1, &c, Input::Request(11));
    assert!(matches!(out.sends()[0], (_, Msg::Prepare { ballot, .. }) if ballot > b(4, 3)));

    // With `paxos-forget-promise` the acceptor state is gone.
    let bad = cluster(3, Mistakes::NONE.with(Mistake::PaxosForgetPromise));
    let (mut p, _) = boot::<Paxos>(1, &bad);
    deliver(
        &mut p,
        1,
        &bad,
        3,
        Msg::Prepare {
            slot: 2,
            ballot: b(4, 3),
        },
    );
    assert!(p.durable().acceptor.is_empty());
}

#[test]
fn preemption_backs_off_then_retries_higher() {
    // §2.4: two proposers can preempt each other forever; a random backoff
    // lets one finish. A Nack abandons the round, the retry is higher.
    let c = cluster(3, Mistakes::NONE);
    let (mut p, _) = boot::<Paxos>(1, &c);
    step(&mut p, 1, &c, Input::Request(10));
    let out = deliver(
        &mut p,
        1,
        &c,
        2,
        Msg::Nack {
            slot: 1,
            ballot: b(1, 1),
            promised: b(5, 2),
        },
    );
    assert!(out.says("preempted in slot 1 by ballot (5,n2)"));
    assert!(out.0.iter().any(|e| matches!(
        e,
        Effect::SetTimer {
            timer: Timer::Retry,
            ..
        }
    )));
    let out = step(&mut p, 1, &c, Input::Timer(Timer::Retry));
    assert!(matches!(out.sends()[0], (_, Msg::Prepare { slot: 1, ballot }) if ballot == b(6, 1)));
}

#[test]
fn a_learner_with_a_hole_asks_the_proposer_of_a_later_slot() {
    // A proposer works in its first open slot, so an Accept for slot 3
    // tells n2, which knows only slot 1, that slot 2 is decided.
    let c = cluster(3, Mistakes::NONE);
    let (mut p, _) = boot::<Paxos>(2, &c);
    deliver(&mut p, 2, &c, 1, Msg::Decide { slot: 1, value: 4 });
    let out = deliver(
        &mut p,
        2,
        &c,
        1,
        Msg::Accept {
            slot: 3,
            ballot: b(3, 1),
            value: 6,
        },
    );
    assert!(out.sends().contains(&(1, Msg::CatchUp { from: 2 })));
    assert!(out.says("I miss slot 2"));
    // The proposer answers with every slot it knows from there on.
    let (mut q, _) = boot::<Paxos>(1, &c);
    for (slot, value) in [(1, 4), (2, 5)] {
        deliver(&mut q, 1, &c, 3, Msg::Decide { slot, value });
    }
    let out = deliver(&mut q, 1, &c, 2, Msg::CatchUp { from: 2 });
    assert_eq!(
        out.sends(),
        vec![(
            2,
            Msg::Learn {
                from: 2,
                values: vec![5]
            }
        )]
    );
    let out = deliver(
        &mut p,
        2,
        &c,
        1,
        Msg::Learn {
            from: 2,
            values: vec![5],
        },
    );
    assert_eq!(out.decided(), vec![5]);
    // No hole, no question.
    let out = deliver(
        &mut p,
        2,
        &c,
        1,
        Msg::Accept {
            slot: 3,
            ballot: b(3, 1),
            value: 6,
        },
    );
    assert!(!out.sends().iter().any(|(_, m)| m.kind() == "CatchUp"));
}
