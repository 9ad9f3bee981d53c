//! Unit tests of one Zab node, citing Junqueira, Reed & Serafini (2011).

use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::protocol::{Cluster, Mistakes, Protocol};
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
            &mut f,
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
        matches!(f.role(), Role::Following { leader: l, phase: FollowerPhase::Discovery } if *l == leader)
    );
    f
}

/// Node 3 of a 3-node cluster, restarted with `accepted_epoch` and
/// `current_epoch`, elected prospective leader by the votes of n1 and n2
/// (after the finalize wait): in discovery.
fn prospective_leader(c: &Cluster, accepted_epoch: Epoch, current_epoch: Epoch) -> Zab {
    let durable = Durable {
        accepted_epoch,
        current_epoch,
        history: vec![],
    };
    let (mut l, _) = restart::<Zab>(3, c, durable);
    for from in [1, 2] {
        let vote = Vote {
            epoch: current_epoch,
            zxid: z(0, 0),
            leader: 3,
        };
        deliver(
            &mut l,
            3,
            c,
            from,
            Msg::Vote {
                vote,
                round: 1,
                state: PeerState::Looking,
            },
        );
    }
    crate::testkit::step(&mut l, 3, c, Input::Timer(Timer::Finalize));
    assert!(matches!(l.role(), Role::Leading(_)));
    l
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
    let out = deliver(&mut l, 3, &c, 1, Msg::CEpoch { accepted_epoch: 5 });
    assert_eq!(out.sends(), vec![(1, Msg::NewEpoch { epoch: 6 })]);
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
        },
    );
    let out = deliver(&mut f, 1, &c, 3, Msg::NewEpoch { epoch: 2 });
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
        },
    );
    let out = deliver(&mut f, 1, &c, 3, Msg::NewEpoch { epoch: 2 });
    assert_eq!(
        out.sends(),
        vec![(
            3,
            Msg::AckEpoch {
                current_epoch: 1,
                history: history.clone(),
                promise: true
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
        },
    );
    let out = deliver(&mut again, 1, &c, 3, Msg::NewEpoch { epoch: 2 });
    assert_eq!(
        out.sends(),
        vec![(
            3,
            Msg::AckEpoch {
                current_epoch: 1,
                history,
                promise: false
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
        },
    );
    deliver(&mut f, 1, &c, 3, Msg::NewEpoch { epoch: 2 });
    let leaders = vec![txn(1, 1, 1)];
    let out = deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::NewLeader {
            epoch: 2,
            history: leaders.clone(),
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
                last: Some(z(1, 1))
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
        },
    );
    deliver(&mut f, 1, &bad, 3, Msg::NewEpoch { epoch: 2 });
    deliver(
        &mut f,
        1,
        &bad,
        3,
        Msg::NewLeader {
            epoch: 2,
            history: leaders,
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
        },
    );
    deliver(&mut f, 1, &c, 3, Msg::NewEpoch { epoch: 1 });
    deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::NewLeader {
            epoch: 1,
            history: vec![],
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
        },
    );
    assert_eq!(
        out.sends(),
        vec![(
            3,
            Msg::Ack {
                epoch: 1,
                zxid: z(1, 1)
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
    deliver(&mut l, 3, &c, 2, Msg::CEpoch { accepted_epoch: 0 });
    deliver(
        &mut l,
        3,
        &c,
        2,
        Msg::AckEpoch {
            current_epoch: 0,
            history: vec![],
            promise: true,
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
        },
    );
    assert!(matches!(l.role(), Role::Leading(x) if x.phase == LeaderPhase::Broadcast));
    // n2 drops out; n1 joins late and is sent NEWLEADER with (1,1) in it.
    crate::testkit::step(&mut l, 3, &c, Input::Request(7));
    deliver(&mut l, 3, &c, 1, Msg::CEpoch { accepted_epoch: 0 });
    let out = deliver(
        &mut l,
        3,
        &c,
        1,
        Msg::AckEpoch {
            current_epoch: 0,
            history: vec![],
            promise: true,
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
        },
    );
    deliver(&mut f, 1, &c, 3, Msg::NewEpoch { epoch: 1 });
    deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::NewLeader {
            epoch: 1,
            history: vec![txn(0, 1, 4)],
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
        },
    );
    deliver(&mut f, 1, &c, 3, Msg::NewEpoch { epoch: 1 });
    deliver(
        &mut f,
        1,
        &c,
        3,
        Msg::NewLeader {
            epoch: 1,
            history: vec![],
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
        },
    );
    assert!(out.sends().is_empty());
    assert_eq!(f.history(), &[txn(1, 1, 9)]);
    // A duplicate NEWEPOCH does not send the follower back to sync either.
    deliver(&mut f, 1, &c, 3, Msg::NewEpoch { epoch: 1 });
    assert!(matches!(
        f.role(),
        Role::Following {
            phase: FollowerPhase::Synced,
            ..
        }
    ));
}
