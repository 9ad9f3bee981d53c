//! Unit tests of one VR replica, citing "Viewstamped Replication Revisited".

use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::protocol::Mistakes;
use crate::testkit::{boot, cluster, deliver, restart, step};

type Out = crate::testkit::Out<Vr>;

fn e(view: View, value: Value) -> Entry {
    Entry { view, value }
}

fn request(r: &mut Vr, id: NodeId, c: &crate::protocol::Cluster, value: Value) -> Out {
    step(r, id, c, Input::Request(value))
}

/// Replica 2 of a cluster of `n`, changing to view 1 (whose primary it is)
/// and with StartViewChange from enough others to send its DoViewChange.
fn new_primary(n: u8, mistakes: Mistakes) -> (Vr, crate::protocol::Cluster) {
    let c = cluster(n, mistakes);
    let (mut r, _) = boot::<Vr>(2, &c);
    step(&mut r, 2, &c, Input::Timer(Timer::ViewChange));
    for from in 3..(2 + c.quorum() as u8) {
        deliver(&mut r, 2, &c, from, Msg::StartViewChange { view: 1 });
    }
    (r, c)
}

#[test]
fn view_zero_runs_from_the_start_with_replica_one_as_primary() {
    // §4: "The primary is chosen round-robin", so no election is needed
    // to begin: view 0's primary is replica 1.
    let c = cluster(3, Mistakes::NONE);
    let (one, _) = boot::<Vr>(1, &c);
    let (two, _) = boot::<Vr>(2, &c);
    assert_eq!(one.role_name(), "Primary");
    assert_eq!(two.role_name(), "Backup");
    assert_eq!(primary_of(4, 3), 2);
}

#[test]
fn the_primary_appends_and_sends_prepare_with_its_commit_number() {
    // §4.1 step 2.
    let c = cluster(3, Mistakes::NONE);
    let (mut r, _) = boot::<Vr>(1, &c);
    let out = request(&mut r, 1, &c, 7);
    let prepare = Msg::Prepare {
        view: 0,
        op: 1,
        value: 7,
        commit: 0,
    };
    assert_eq!(out.sends(), vec![(2, prepare.clone()), (3, prepare)]);
    assert_eq!(r.log(), &[e(0, 7)]);
    assert_eq!(r.numbers(), (1, 0));
}

#[test]
fn a_backup_accepts_prepares_in_order_and_asks_for_what_it_missed() {
    // §4.1 step 3: "a backup won't accept a prepare with op-number n until
    // it has entries for all earlier requests in its log".
    let c = cluster(3, Mistakes::NONE);
    let (mut r, _) = boot::<Vr>(2, &c);
    let prepare = |op, value| Msg::Prepare {
        view: 0,
        op,
        value,
        commit: 0,
    };
    let out = deliver(&mut r, 2, &c, 1, prepare(1, 5));
    assert_eq!(out.sends(), vec![(1, Msg::PrepareOk { view: 0, op: 1 })]);
    let out = deliver(&mut r, 2, &c, 1, prepare(3, 9));
    assert_eq!(out.sends(), vec![(1, Msg::GetState { view: 0, op: 1 })]);
    assert_eq!(r.log(), &[e(0, 5)]);
}

#[test]
fn f_prepare_oks_commit_an_op_and_every_earlier_one() {
    // §4.1 step 4: with 5 replicas (f = 2) two backups are enough.
    let c = cluster(5, Mistakes::NONE);
    let (mut r, _) = boot::<Vr>(1, &c);
    request(&mut r, 1, &c, 1);
    request(&mut r, 1, &c, 2);
    let out = deliver(&mut r, 1, &c, 3, Msg::PrepareOk { view: 0, op: 2 });
    assert!(out.decided().is_empty());
    let out = deliver(&mut r, 1, &c, 4, Msg::PrepareOk { view: 0, op: 2 });
    assert_eq!(out.decided(), vec![1, 2]);
    assert_eq!(r.numbers(), (2, 2));
}

#[test]
fn the_commit_message_tells_a_backup_and_is_the_heartbeat() {
    // §4.1 steps 5 and 6.
    let c = cluster(3, Mistakes::NONE);
    let (mut r, _) = boot::<Vr>(2, &c);
    deliver(
        &mut r,
        2,
        &c,
        1,
        Msg::Prepare {
            view: 0,
            op: 1,
            value: 4,
            commit: 0,
        },
    );
    let out = deliver(&mut r, 2, &c, 1, Msg::Commit { view: 0, commit: 1 });
    assert_eq!(out.decided(), vec![4]);
    assert!(r.quiescent());
}

#[test]
fn a_silent_primary_starts_a_view_change_to_the_next_view() {
    // §4.2 step 1.
    let c = cluster(3, Mistakes::NONE);
    let (mut r, _) = boot::<Vr>(3, &c);
    let out = step(&mut r, 3, &c, Input::Timer(Timer::ViewChange));
    let svc = Msg::StartViewChange { view: 1 };
    assert_eq!(out.sends(), vec![(1, svc.clone()), (2, svc)]);
    assert_eq!(r.role_name(), "View change");
    assert_eq!(r.view_number(), 1);
    // §4.2 step 2: with StartViewChange from f = 1 other, the DoViewChange
    // goes to the primary of view 1, replica 2.
    let out = deliver(&mut r, 3, &c, 1, Msg::StartViewChange { view: 1 });
    assert_eq!(
        out.sends(),
        vec![(
            2,
            Msg::DoViewChange {
                view: 1,
                log: vec![],
                last_normal: 0,
                op: 0,
                commit: 0
            }
        )]
    );
}

#[test]
fn a_replica_in_view_change_takes_no_prepare_of_the_old_view() {
    let c = cluster(3, Mistakes::NONE);
    let (mut r, _) = boot::<Vr>(3, &c);
    step(&mut r, 3, &c, Input::Timer(Timer::ViewChange));
    let out = deliver(
        &mut r,
        3,
        &c,
        1,
        Msg::Prepare {
            view: 0,
            op: 1,
            value: 4,
            commit: 0,
        },
    );
    assert!(out.sends().is_empty());
    assert!(r.log().is_empty());
}

fn do_view_change(log: Vec<Entry>, last_normal: View, commit: OpNumber) -> Msg {
    Msg::DoViewChange {
        view: 1,
        op: log.len() as OpNumber,
        log,
        last_normal,
        commit,
    }
}

#[test]
fn the_new_primary_takes_the_log_of_the_largest_last_normal_view() {
    // §4.2 step 3: "selects as the new log the one contained in the message
    // with the largest v′; if several messages have the same v′ it selects
    // the one among them with the largest n" — not simply the longest.
    let (mut r, c) = new_primary(5, Mistakes::NONE);
    deliver(
        &mut r,
        2,
        &c,
        4,
        do_view_change(vec![e(0, 1), e(0, 2), e(0, 3)], 0, 1),
    );
    let out = deliver(
        &mut r,
        2,
        &c,
        5,
        do_view_change(vec![e(0, 1), e(3, 9)], 3, 1),
    );
    assert_eq!(r.role_name(), "Primary");
    assert_eq!(r.log(), &[e(0, 1), e(3, 9)]);
    let start = out
        .sends()
        .into_iter()
        .find(|(to, _)| *to == 1)
        .map(|(_, m)| m);
    assert_eq!(
        start,
        Some(Msg::StartView {
            view: 1,
            log: vec![e(0, 1), e(3, 9)],
            op: 2,
            commit: 1
        })
    );
}

#[test]
fn vr_pick_any_log_keeps_the_new_primarys_own_log() {
    let (mut r, c) = new_primary(3, Mistakes::NONE.with(Mistake::VrPickAnyLog));
    // Its own DoViewChange (an empty log) and one from replica 3.
    deliver(&mut r, 2, &c, 3, do_view_change(vec![e(0, 1)], 0, 1));
    assert_eq!(r.role_name(), "Primary");
    assert!(r.log().is_empty(), "the committed v1 is dropped");
}

#[test]
fn a_backup_takes_the_new_log_and_acknowledges_what_is_uncommitted() {
    // §4.2 step 5.
    let c = cluster(3, Mistakes::NONE);
    let (mut r, _) = boot::<Vr>(3, &c);
    step(&mut r, 3, &c, Input::Timer(Timer::ViewChange));
    let out = deliver(
        &mut r,
        3,
        &c,
        2,
        Msg::StartView {
            view: 1,
            log: vec![e(0, 1), e(0, 2)],
            op: 2,
            commit: 1,
        },
    );
    assert_eq!(r.role_name(), "Backup");
    assert_eq!(r.numbers(), (2, 1));
    assert_eq!(out.decided(), vec![1]);
    assert_eq!(out.sends(), vec![(2, Msg::PrepareOk { view: 1, op: 2 })]);
}

#[test]
fn a_restarted_replica_recovers_from_f_plus_one_answers_including_the_primary() {
    // §4.3: the recovering replica "waits to receive at least f + 1
    // RECOVERYRESPONSE messages from different replicas, all containing the
    // nonce it sent in its RECOVERY message, including one from the primary
    // of the latest view it learns of in these messages".
    let c = cluster(3, Mistakes::NONE);
    let (mut r, out) = restart::<Vr>(3, &c, ());
    assert_eq!(r.role_name(), "Recovering");
    let Some((_, Msg::Recovery { nonce })) = out.sends().first().cloned() else {
        panic!("no Recovery sent: {:?}", out.sends());
    };
    // An answer to an earlier recovery is ignored.
    let stale = Msg::RecoveryResponse {
        view: 0,
        nonce: nonce + 1,
        state: None,
    };
    deliver(&mut r, 3, &c, 2, stale);
    let backup = Msg::RecoveryResponse {
        view: 0,
        nonce,
        state: None,
    };
    deliver(&mut r, 3, &c, 2, backup);
    assert_eq!(
        r.role_name(),
        "Recovering",
        "not yet heard from the primary"
    );
    let primary = Msg::RecoveryResponse {
        view: 0,
        nonce,
        state: Some(PrimaryState {
            log: vec![e(0, 1), e(0, 2)],
            op: 2,
            commit: 1,
        }),
    };
    let out = deliver(&mut r, 3, &c, 1, primary);
    assert_eq!(r.role_name(), "Backup");
    assert_eq!(r.numbers(), (2, 1));
    assert_eq!(out.decided(), vec![1]);
}

#[test]
fn only_a_normal_replica_answers_recovery() {
    let c = cluster(3, Mistakes::NONE);
    let (mut r, _) = boot::<Vr>(1, &c);
    let out = deliver(&mut r, 1, &c, 3, Msg::Recovery { nonce: 8 });
    assert_eq!(
        out.sends(),
        vec![(
            3,
            Msg::RecoveryResponse {
                view: 0,
                nonce: 8,
                state: Some(PrimaryState {
                    log: vec![],
                    op: 0,
                    commit: 0
                })
            }
        )]
    );
    let (mut backup, _) = boot::<Vr>(2, &c);
    step(&mut backup, 2, &c, Input::Timer(Timer::ViewChange));
    let out = deliver(&mut backup, 2, &c, 3, Msg::Recovery { nonce: 5 });
    assert!(out.sends().is_empty(), "in view change it does not answer");
}
