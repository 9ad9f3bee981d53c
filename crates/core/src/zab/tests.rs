//! Unit tests of one Zab node, citing Junqueira, Reed & Serafini (2011).

use alloc::vec;
use alloc::vec::Vec;

use super::*;
use alloc::collections::{BTreeMap, BTreeSet};

use crate::protocol::{Cluster, Mistakes, Protocol, Slot};
use crate::testkit::{boot, cluster, deliver, restart};

fn z(epoch: Epoch, counter: u32) -> Zxid {
    Zxid { epoch, counter }
}

fn txn(epoch: Epoch, counter: u32, value: Value) -> Txn {
    Txn {
        zxid: z(epoch, counter),
        value,
    }
}

/// Node `id` restarted from `durable`, then made to follow `leader`
/// (through the settled votes of a quorum) and so in discovery.
fn follower_of(id: NodeId, leader: NodeId, c: &Cluster, durable: Durable) -> Zab {
    let (mut f, _) = restart::<Zab>(id, c, durable);
    settle_on(&mut f, id, leader, c);
    f
}

/// A looking node `id` hears from every peer that they settled on `leader`,
/// and follows it: a new session, in discovery.
fn settle_on(f: &mut Zab, id: NodeId, leader: NodeId, c: &Cluster) {
    for from in c.peers(id) {
        let state = if from == leader {
            PeerState::Leading
        } else {
            PeerState::Following
        };
        let vote = Vote {
            epoch: 9,
            zxid: z(9, 9),
            leader,
        };
        deliver(
            f,
            id,
            c,
            from,
            Msg::Vote {
                vote,
                round: 1,
                state,
            },
        );
    }
    assert!(
        matches!(f.role(), Role::Following { leader: l, phase: FollowerPhase::Discovery, .. } if *l == leader)
    );
}

/// Node 3 of a 3-node cluster, restarted with `accepted_epoch` and
/// `current_epoch`, elected prospective leader by the votes of n1 and n2
/// (after the finalize wait): in discovery.
fn prospective_leader(c: &Cluster, accepted_epoch: Epoch, current_epoch: Epoch) -> Zab {
    let durable = Durable {
        accepted_epoch,
        current_epoch,
        history: vec![],
        session: 0,
    };
    let (mut l, _) = restart::<Zab>(3, c, durable);
    elect_n3(&mut l, c);
    l
}

/// Looking node n3 of a 3-node cluster gets the votes of n1 and n2 in its
/// round and, after the finalize wait, leads: in discovery.
fn elect_n3(l: &mut Zab, c: &Cluster) {
    for from in [1, 2] {
        let vote = Vote {
            epoch: l.current_epoch(),
            zxid: z(0, 0),
            leader: 3,
        };
        let round = l.round;
        deliver(
            l,
            3,
            c,
            from,
            Msg::Vote {
                vote,
                round,
                state: PeerState::Looking,
            },
        );
    }
    crate::testkit::step(l, 3, c, Input::Timer(Timer::Finalize));
    assert!(matches!(l.role(), Role::Leading(_)));
}

#[test]
fn zxids_compare_epoch_first() {
    // §III: "zxid ... a pair (e, c) ... ordered lexicographically".
    assert!(z(2, 1) > z(1, 9));
    assert!(z(1, 2) > z(1, 1));
}

#[test]
fn votes_prefer_the_most_up_to_date_history() {
    // Fast Leader Election orders votes by (currentEpoch, last zxid, id).
    let a = Vote {
        epoch: 1,
        zxid: z(1, 5),
        leader: 1,
    };
    let b = Vote {
        epoch: 1,
        zxid: z(1, 4),
        leader: 3,
    };
    let c = Vote {
        epoch: 2,
        zxid: z(1, 1),
        leader: 2,
    };
    assert!(a > b && c > a);
}

#[test]
fn boot_starts_looking_and_votes_for_itself() {
    // Phase 0: a starting node looks for a leader, voting for itself.
    let c = cluster(3, Mistakes::NONE);
    let (n, out) = boot::<Zab>(2, &c);
    assert!(matches!(n.role(), Role::Looking { vote, .. } if vote.leader == 2));
    assert_eq!(out.sends().len(), 2);
}

#[test]
fn new_epoch_exceeds_every_accepted_epoch_of_the_quorum() {
    // Phase 1: "the leader ... proposes e' = max(f.p) + 1" over the CEPOCHs
    // of a quorum, and NEWEPOCH goes to those followers.
    let c = cluster(3, Mistakes::NONE);
    let mut l = prospective_leader(&c, 2, 2);
    let out = deliver(
        &mut l,
        3,
        &c,
        1,
        Msg::CEpoch {
            accepted_epoch: 5,
            session: 1,
        },
    );
    assert_eq!(
        out.sends(),
        vec![(
            1,
            Msg::NewEpoch {
                epoch: 6,
                session: 1
            }
        )]
    );
    assert_eq!(l.accepted_epoch(), 6);
}

#[test]
fn follower_refuses_an_old_epoch() {
    // Phase 1: "if e' < f.acceptedEpoch ... goto Phase 0."
    let c = cluster(3, Mistakes::NONE);
    let mut f = follower_of(
        1,
        3,
        &c,
        Durable {
            accepted_epoch: 4,
            current_epoch: 3,
            history: vec![],
            session: 0,
        },
    );
    let out = deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::NewEpoch {
            epoch: 2,
            session: 1,
        },
    );
    assert!(out.says("NEWEPOCH 2 refused: I already promised epoch 4"));
    assert!(matches!(f.role(), Role::Looking { .. }));
}

#[test]
fn follower_promises_a_new_epoch_and_reports_its_history() {
    // Phase 1: "f.acceptedEpoch <- e'; send ACK-E(f.currentEpoch, h_f)".
    // An epoch equal to the one already accepted is acknowledged without a
    // new promise, as ZooKeeper does.
    let c = cluster(3, Mistakes::NONE);
    let history = vec![txn(1, 1, 7)];
    let mut f = follower_of(
        1,
        3,
        &c,
        Durable {
            accepted_epoch: 1,
            current_epoch: 1,
            history: history.clone(),
            session: 0,
        },
    );
    let out = deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::NewEpoch {
            epoch: 2,
            session: 1,
        },
    );
    assert_eq!(
        out.sends(),
        vec![(
            3,
            Msg::AckEpoch {
                epoch: 2,
                current_epoch: 1,
                history: history.clone(),
                promise: true,
                session: 1,
            }
        )]
    );
    assert_eq!(f.accepted_epoch(), 2);
    let mut again = follower_of(
        1,
        3,
        &c,
        Durable {
            accepted_epoch: 2,
            current_epoch: 1,
            history: history.clone(),
            session: 0,
        },
    );
    let out = deliver(
        &mut again,
        1,
        &c,
        3,
        Msg::NewEpoch {
            epoch: 2,
            session: 1,
        },
    );
    assert_eq!(
        out.sends(),
        vec![(
            3,
            Msg::AckEpoch {
                epoch: 2,
                current_epoch: 1,
                history,
                promise: false,
                session: 1,
            }
        )]
    );
}

#[test]
fn synchronization_truncates_surplus_entries() {
    // Phase 2: the follower "accepts ... I_e'" as its history: entries the
    // leader never had are gone (ZooKeeper's TRUNC).
    let c = cluster(3, Mistakes::NONE);
    let mine = vec![txn(1, 1, 1), txn(1, 2, 2)];
    let mut f = follower_of(
        1,
        3,
        &c,
        Durable {
            accepted_epoch: 1,
            current_epoch: 1,
            history: mine.clone(),
            session: 0,
        },
    );
    deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::NewEpoch {
            epoch: 2,
            session: 1,
        },
    );
    let leaders = vec![txn(1, 1, 1)];
    let out = deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::NewLeader {
            epoch: 2,
            history: leaders.clone(),
            session: 1,
        },
    );
    assert_eq!(f.history(), &leaders[..]);
    assert_eq!(f.current_epoch(), 2);
    assert!(out.says("truncated 1 entries n3 never had"));
    assert_eq!(
        out.sends(),
        vec![(
            3,
            Msg::AckLeader {
                epoch: 2,
                last: Some(z(1, 1)),
                session: 1,
            }
        )]
    );

    // With `zab-skip-truncate` the surplus (1,2) stays.
    let bad = cluster(3, Mistakes::NONE.with(Mistake::ZabSkipTruncate));
    let mut f = follower_of(
        1,
        3,
        &bad,
        Durable {
            accepted_epoch: 1,
            current_epoch: 1,
            history: mine.clone(),
            session: 0,
        },
    );
    deliver(
        &mut f,
        1,
        &bad,
        3,
        Msg::NewEpoch {
            epoch: 2,
            session: 1,
        },
    );
    deliver(
        &mut f,
        1,
        &bad,
        3,
        Msg::NewLeader {
            epoch: 2,
            history: leaders,
            session: 1,
        },
    );
    assert_eq!(f.history(), &mine[..]);
}

#[test]
fn broadcast_acks_in_order_and_delivers_on_commit() {
    // Phase 3: a follower appends a PROPOSE and ACKs it; COMMIT delivers.
    let c = cluster(3, Mistakes::NONE);
    let mut f = follower_of(
        1,
        3,
        &c,
        Durable {
            accepted_epoch: 0,
            current_epoch: 0,
            history: vec![],
            session: 0,
        },
    );
    deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::NewEpoch {
            epoch: 1,
            session: 1,
        },
    );
    deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::NewLeader {
            epoch: 1,
            history: vec![],
            session: 1,
        },
    );
    deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::CommitLeader {
            epoch: 1,
            upto: None,
            session: 1,
        },
    );
    let out = deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::Propose {
            epoch: 1,
            txn: txn(1, 1, 5),
            session: 1,
        },
    );
    assert_eq!(
        out.sends(),
        vec![(
            3,
            Msg::Ack {
                epoch: 1,
                zxid: z(1, 1),
                session: 1,
            }
        )]
    );
    assert!(f.delivered().is_empty());
    let out = deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::Commit {
            epoch: 1,
            zxid: z(1, 1),
            session: 1,
        },
    );
    assert_eq!(out.decided(), vec![5]);
    // A gap (a lost PROPOSE) breaks the FIFO assumption: resynchronize.
    deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::Propose {
            epoch: 1,
            txn: txn(1, 3, 6),
            session: 1,
        },
    );
    assert!(matches!(f.role(), Role::Looking { .. }));
}

#[test]
fn epochs_and_history_are_durable_delivery_is_not() {
    // Both epochs and the history are on stable storage; what was delivered
    // is learned again from the next leader.
    let c = cluster(3, Mistakes::NONE);
    let history: Vec<Txn> = vec![txn(1, 1, 1)];
    let durable = Durable {
        accepted_epoch: 2,
        current_epoch: 1,
        history: history.clone(),
        session: 0,
    };
    let (n, _) = restart::<Zab>(1, &c, durable.clone());
    assert_eq!(n.durable(), durable);
    assert!(n.delivered().is_empty());
}

#[test]
fn a_stale_ack_leader_vouches_only_for_what_it_names() {
    // Regression (found by the random schedules): on a network that
    // duplicates messages, an old ACK-LD from a rejoining follower must not
    // count as an ACK of proposals made after the history it adopted.
    let c = cluster(3, Mistakes::NONE);
    let mut l = prospective_leader(&c, 0, 0);
    deliver(
        &mut l,
        3,
        &c,
        2,
        Msg::CEpoch {
            accepted_epoch: 0,
            session: 1,
        },
    );
    deliver(
        &mut l,
        3,
        &c,
        2,
        Msg::AckEpoch {
            epoch: 1,
            current_epoch: 0,
            history: vec![],
            promise: true,
            session: 1,
        },
    );
    deliver(
        &mut l,
        3,
        &c,
        2,
        Msg::AckLeader {
            epoch: 1,
            last: None,
            session: 1,
        },
    );
    assert!(matches!(l.role(), Role::Leading(x) if x.phase == LeaderPhase::Broadcast));
    // n2 drops out; n1 joins late and is sent NEWLEADER with (1,1) in it.
    crate::testkit::step(&mut l, 3, &c, Input::Request(7));
    deliver(
        &mut l,
        3,
        &c,
        1,
        Msg::CEpoch {
            accepted_epoch: 0,
            session: 1,
        },
    );
    let out = deliver(
        &mut l,
        3,
        &c,
        1,
        Msg::AckEpoch {
            epoch: 1,
            current_epoch: 0,
            history: vec![],
            promise: true,
            session: 1,
        },
    );
    assert!(matches!(&out.sends()[0], (1, Msg::NewLeader { history, .. }) if history.len() == 1));
    // An ACK-LD for an older, empty history does not commit (1,1)...
    let out = deliver(
        &mut l,
        3,
        &c,
        1,
        Msg::AckLeader {
            epoch: 1,
            last: None,
            session: 1,
        },
    );
    assert!(out.decided().is_empty());
    // ... the one for the history holding it does.
    let out = deliver(
        &mut l,
        3,
        &c,
        1,
        Msg::AckLeader {
            epoch: 1,
            last: Some(z(1, 1)),
            session: 1,
        },
    );
    assert_eq!(out.decided(), vec![7]);
}

#[test]
fn a_ping_makes_up_for_a_lost_commit_leader() {
    // Regression (found by the random schedules): the leader pings only once
    // its epoch is established, so a PING of our epoch tells a synced
    // follower what a lost COMMIT-LD would have: deliver, and broadcast.
    let c = cluster(3, Mistakes::NONE);
    let mut f = follower_of(
        1,
        3,
        &c,
        Durable {
            accepted_epoch: 0,
            current_epoch: 0,
            history: vec![],
            session: 0,
        },
    );
    deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::NewEpoch {
            epoch: 1,
            session: 1,
        },
    );
    deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::NewLeader {
            epoch: 1,
            history: vec![txn(0, 1, 4)],
            session: 1,
        },
    );
    assert!(matches!(
        f.role(),
        Role::Following {
            phase: FollowerPhase::Synced,
            ..
        }
    ));
    let out = deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::Ping {
            epoch: 1,
            committed: Some(z(0, 1)),
            session: 1,
        },
    );
    assert!(matches!(
        f.role(),
        Role::Following {
            phase: FollowerPhase::Broadcast,
            ..
        }
    ));
    assert_eq!(out.decided(), vec![4]);
}

#[test]
fn a_stale_new_leader_never_truncates_acknowledged_proposals() {
    // Regression (found by the random schedules): a duplicated NEWLEADER
    // arriving after the follower synced and ACKed a proposal must be
    // ignored — re-syncing would truncate a proposal the leader counts as
    // acknowledged. Each synchronization message is taken in its phase only.
    let c = cluster(3, Mistakes::NONE);
    let mut f = follower_of(
        1,
        3,
        &c,
        Durable {
            accepted_epoch: 0,
            current_epoch: 0,
            history: vec![],
            session: 0,
        },
    );
    deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::NewEpoch {
            epoch: 1,
            session: 1,
        },
    );
    deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::NewLeader {
            epoch: 1,
            history: vec![],
            session: 1,
        },
    );
    deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::Propose {
            epoch: 1,
            txn: txn(1, 1, 9),
            session: 1,
        },
    );
    let out = deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::NewLeader {
            epoch: 1,
            history: vec![],
            session: 1,
        },
    );
    assert!(out.sends().is_empty());
    assert_eq!(f.history(), &[txn(1, 1, 9)]);
    // A duplicate NEWEPOCH does not send the follower back to sync either.
    deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::NewEpoch {
            epoch: 1,
            session: 1,
        },
    );
    assert!(matches!(
        f.role(),
        Role::Following {
            phase: FollowerPhase::Synced,
            ..
        }
    ));
}

/// A fresh follower n1 of n3, synced into epoch 1 with `history` and in
/// broadcast, in session 1.
fn synced_follower(c: &Cluster, history: Vec<Txn>) -> Zab {
    let durable = Durable {
        accepted_epoch: 0,
        current_epoch: 0,
        history: vec![],
        session: 0,
    };
    let mut f = follower_of(1, 3, c, durable);
    deliver(
        &mut f,
        1,
        c,
        3,
        Msg::NewEpoch {
            epoch: 1,
            session: 1,
        },
    );
    let sync = Msg::NewLeader {
        epoch: 1,
        history,
        session: 1,
    };
    deliver(&mut f, 1, c, 3, sync);
    let upto = f.history().last().map(|t| t.zxid);
    let commit = Msg::CommitLeader {
        epoch: 1,
        upto,
        session: 1,
    };
    deliver(&mut f, 1, c, 3, commit);
    f
}

#[test]
fn a_rejoining_follower_opens_a_new_session_and_ignores_the_old_one() {
    // The bug of issue 12: n1 delivered v1 (1,1), timed out and rejoined the
    // same leader in the same epoch. A NEWLEADER of its first session, still
    // in flight, fits its new sync phase and epoch exactly; only the session
    // number tells that it was sent on a connection that is now closed.
    for (mistakes, ignored) in [
        (Mistakes::NONE, true),
        (Mistakes::NONE.with(Mistake::ZabStaleSync), false),
    ] {
        let c = cluster(3, mistakes);
        let mut f = synced_follower(&c, vec![txn(1, 1, 1)]);
        assert_eq!(f.delivered(), &[txn(1, 1, 1)]);
        crate::testkit::step(&mut f, 1, &c, Input::Timer(Timer::LeaderTimeout));
        settle_on(&mut f, 1, 3, &c);
        let out = deliver(
            &mut f,
            1,
            &c,
            3,
            Msg::NewEpoch {
                epoch: 1,
                session: 2,
            },
        );
        assert!(matches!(
            &out.sends()[..],
            [(
                3,
                Msg::AckEpoch {
                    epoch: 1,
                    promise: false,
                    session: 2,
                    ..
                }
            )]
        ));
        let stale = Msg::NewLeader {
            epoch: 1,
            history: vec![],
            session: 1,
        };
        let out = deliver(&mut f, 1, &c, 3, stale);
        assert_eq!(
            out.says("it belongs to session 1, but the current session is 2"),
            ignored
        );
        assert_eq!(f.history().is_empty(), !ignored, "{mistakes:?}");
    }
}

#[test]
fn every_leader_message_of_an_earlier_session_is_ignored() {
    // Not only NEWLEADER: a follower takes nothing from a closed session.
    let c = cluster(3, Mistakes::NONE);
    let mut f = synced_follower(&c, vec![]);
    crate::testkit::step(&mut f, 1, &c, Input::Timer(Timer::LeaderTimeout));
    settle_on(&mut f, 1, 3, &c);
    let stale = [
        Msg::NewEpoch {
            epoch: 1,
            session: 1,
        },
        Msg::Propose {
            epoch: 1,
            txn: txn(1, 1, 4),
            session: 1,
        },
        Msg::Commit {
            epoch: 1,
            zxid: z(1, 1),
            session: 1,
        },
        Msg::Ping {
            epoch: 1,
            committed: None,
            session: 1,
        },
    ];
    for msg in stale {
        let out = deliver(&mut f, 1, &c, 3, msg.clone());
        assert!(out.sends().is_empty(), "{msg}");
        assert!(out.says("belongs to session 1"), "{msg}");
    }
    assert!(matches!(
        f.role(),
        Role::Following {
            phase: FollowerPhase::Discovery,
            session: 2,
            ..
        }
    ));
}

#[test]
fn a_leader_takes_a_higher_cepoch_as_a_new_session_and_ignores_the_old_one() {
    // The leader side of sessions: n2's CEPOCH of session 2 closes session
    // 1, so the leader stops forwarding to n2 until it is synced again, and
    // an ACK-LD or ACK of session 1 counts for nothing.
    let c = cluster(3, Mistakes::NONE);
    let mut l = prospective_leader(&c, 0, 0);
    deliver(
        &mut l,
        3,
        &c,
        2,
        Msg::CEpoch {
            accepted_epoch: 0,
            session: 1,
        },
    );
    let ack_e = Msg::AckEpoch {
        epoch: 1,
        current_epoch: 0,
        history: vec![],
        promise: true,
        session: 1,
    };
    deliver(&mut l, 3, &c, 2, ack_e);
    let ack_ld = Msg::AckLeader {
        epoch: 1,
        last: None,
        session: 1,
    };
    deliver(&mut l, 3, &c, 2, ack_ld.clone());
    assert!(matches!(l.role(), Role::Leading(x) if x.phase == LeaderPhase::Broadcast));
    let out = deliver(
        &mut l,
        3,
        &c,
        2,
        Msg::CEpoch {
            accepted_epoch: 1,
            session: 2,
        },
    );
    assert_eq!(
        out.sends(),
        vec![(
            2,
            Msg::NewEpoch {
                epoch: 1,
                session: 2
            }
        )]
    );
    assert!(matches!(l.role(), Role::Leading(x) if !x.forwarding.contains(&2)));
    // A proposal now goes to nobody, and a stale ACK of session 1 cannot
    // make it committed.
    let out = crate::testkit::step(&mut l, 3, &c, Input::Request(7));
    assert!(out.sends().is_empty());
    let stale_ack = Msg::Ack {
        epoch: 1,
        zxid: z(1, 1),
        session: 1,
    };
    let out = deliver(&mut l, 3, &c, 2, stale_ack);
    assert!(out.decided().is_empty());
    assert!(out.says("belongs to session 1, but the current session is 2"));
    let out = deliver(&mut l, 3, &c, 2, ack_ld);
    assert!(out.decided().is_empty() && out.sends().is_empty());
    // An old CEPOCH does not reopen session 1 either.
    let out = deliver(
        &mut l,
        3,
        &c,
        2,
        Msg::CEpoch {
            accepted_epoch: 0,
            session: 1,
        },
    );
    assert!(out.sends().is_empty());
    assert!(matches!(l.role(), Role::Leading(x) if x.session(2) == 2));
}

#[test]
fn session_numbers_survive_a_restart() {
    // A restarted node must never reuse a session number: messages of its
    // sessions before the crash may still be in flight.
    let c = cluster(3, Mistakes::NONE);
    let durable = Durable {
        accepted_epoch: 1,
        current_epoch: 1,
        history: vec![],
        session: 5,
    };
    let f = follower_of(1, 3, &c, durable);
    assert!(matches!(f.role(), Role::Following { session: 6, .. }));
    assert_eq!(f.durable().session, 6);
}

/// A node of epoch 1 in `role`, with `history`, the first `delivered` of
/// it delivered, built directly for the checker tests.
fn node(role: Role, history: Vec<Txn>, delivered: usize) -> Slot<Zab> {
    Slot::Up(Zab {
        accepted_epoch: 1,
        current_epoch: 1,
        history,
        delivered,
        session: 1,
        round: 1,
        role,
    })
}

fn established_leader() -> Role {
    Role::Leading(Leader {
        epoch: Some(1),
        phase: LeaderPhase::Broadcast,
        cepochs: BTreeMap::new(),
        ackes: BTreeMap::new(),
        rejoining: BTreeSet::new(),
        initial: vec![],
        sessions: BTreeMap::new(),
        forwarding: BTreeSet::new(),
        synced: BTreeSet::new(),
        acks: BTreeMap::new(),
        heard: BTreeSet::new(),
    })
}

fn follower() -> Role {
    Role::Following {
        leader: 1,
        phase: FollowerPhase::Broadcast,
        session: 1,
    }
}

/// The invariants the checker finds broken in each of `worlds`, in turn.
fn check_all(worlds: &[Vec<Slot<Zab>>]) -> Vec<Vec<&'static str>> {
    let c = cluster(3, Mistakes::NONE);
    let mut checker = ZabChecker::default();
    worlds
        .iter()
        .map(|nodes| {
            let mut out = Vec::new();
            let world = crate::protocol::World {
                nodes,
                cluster: &c,
                requested: &[1, 2],
                now: 0,
                changed: crate::protocol::World::<Zab>::EVERY_NODE,
            };
            crate::protocol::Checker::check(&mut checker, &world, &mut out);
            out.iter().map(|v| v.invariant).collect()
        })
        .collect()
}

#[test]
fn checker_reports_a_delivered_prefix_that_shrinks() {
    // Zab: what a node delivered is never undone. n2 delivered v1 (1,1)
    // and then lost it from its history: the rest of the cluster still
    // holds it on a quorum and no one delivered anything else, so only the
    // node's own past shows the loss.
    let v1 = txn(1, 1, 1);
    let before = vec![
        node(established_leader(), vec![v1], 1),
        node(follower(), vec![v1], 1),
        node(follower(), vec![v1], 0),
    ];
    let after = vec![
        node(established_leader(), vec![v1], 1),
        node(follower(), vec![], 0),
        node(follower(), vec![v1], 0),
    ];
    let found = check_all(&[before, after]);
    assert!(found[0].is_empty(), "{:?}", found[0]);
    assert!(
        found[1].contains(&"Delivered prefix never shrinks"),
        "{:?}",
        found[1]
    );
}

#[test]
fn checker_counts_durability_by_position() {
    // A delivered transaction must be stored at its place in the delivered
    // order on a quorum. n2 holds v2 (1,2) as its first entry, where the
    // delivered order has v1: it counts for v2 by membership, not by
    // position, and v2 is really on one node only.
    let (v1, v2) = (txn(1, 1, 1), txn(1, 2, 2));
    let world = vec![
        node(established_leader(), vec![v1, v2], 2),
        node(follower(), vec![v2], 0),
        node(follower(), vec![v1], 0),
    ];
    let found = check_all(&[world]);
    assert_eq!(found[0], vec!["Committed durability"]);
}

#[test]
fn checker_reports_a_skipped_proposal() {
    // Primary order: n1 proposed (1,1) before (1,2); a node that delivers
    // (1,2) must have delivered (1,1) first.
    let (v1, v2) = (txn(1, 1, 1), txn(1, 2, 2));
    let world = vec![
        node(established_leader(), vec![v1, v2], 0),
        node(follower(), vec![v2], 1),
        node(follower(), vec![v1, v2], 0),
    ];
    let found = check_all(&[world]);
    assert!(found[0].contains(&"Primary order"), "{:?}", found[0]);
}

#[test]
fn a_promise_to_an_earlier_attempt_does_not_count_for_the_next() {
    // Regression (found by the random schedules with held messages): n3's
    // attempt at epoch 1 fails; a duplicate of n1's ACK-E for epoch 1 that
    // arrives during n3's next attempt, at epoch 2, is no promise for 2.
    let c = cluster(3, Mistakes::NONE);
    let mut l = prospective_leader(&c, 0, 0);
    let out = deliver(
        &mut l,
        3,
        &c,
        1,
        Msg::CEpoch {
            accepted_epoch: 0,
            session: 1,
        },
    );
    assert_eq!(
        out.sends(),
        vec![(
            1,
            Msg::NewEpoch {
                epoch: 1,
                session: 1
            }
        )]
    );
    crate::testkit::step(&mut l, 3, &c, Input::Timer(Timer::Quorum));
    assert!(matches!(l.role(), Role::Looking { .. }));
    elect_n3(&mut l, &c);
    let out = deliver(
        &mut l,
        3,
        &c,
        1,
        Msg::CEpoch {
            accepted_epoch: 1,
            session: 2,
        },
    );
    assert_eq!(
        out.sends(),
        vec![(
            1,
            Msg::NewEpoch {
                epoch: 2,
                session: 2
            }
        )]
    );
    let stale = Msg::AckEpoch {
        epoch: 1,
        current_epoch: 0,
        history: vec![],
        promise: true,
        session: 2,
    };
    let out = deliver(&mut l, 3, &c, 1, stale);
    assert!(out.says("it accepts epoch 1, and I propose epoch 2"));
    assert!(matches!(l.role(), Role::Leading(x) if x.phase == LeaderPhase::Discovery));
}
