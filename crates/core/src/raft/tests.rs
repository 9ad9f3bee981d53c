//! Unit tests of one Raft node, each citing the rule of the paper it checks.

use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::kv::ReadPath;
use crate::protocol::{Cluster, Effect, Mistakes, Protocol, Slot, Variants, World};
use crate::testkit::{boot, cluster, deliver, read, read_at, restart, step};

fn entry(term: Term, value: Value) -> Entry {
    Entry { term, value }
}

/// A follower of `term` holding `log`, as if restarted from that state.
fn follower(id: NodeId, size: u8, term: Term, log: Vec<Entry>) -> Raft {
    let c = cluster(size, Mistakes::NONE);
    restart::<Raft>(
        id,
        &c,
        Durable {
            current_term: term,
            voted_for: None,
            log,
        },
    )
    .0
}

/// Node 1 elected leader of term 1 in a cluster of `size`.
fn leader(size: u8, mistakes: Mistakes) -> Raft {
    leader_of(&cluster(size, mistakes))
}

/// Node 1 elected leader of term 1 in cluster `c`.
fn leader_of(c: &Cluster) -> Raft {
    let (mut r, _) = boot::<Raft>(1, c);
    step(&mut r, 1, c, Input::Timer(Timer::Election));
    for peer in 2..=c.size {
        deliver(
            &mut r,
            1,
            c,
            peer,
            Msg::RequestVoteReply {
                term: 1,
                granted: true,
            },
        );
    }
    assert!(r.is_leader());
    r
}

/// A cluster of `size` running Raft with leases.
fn with_leases(size: u8) -> Cluster {
    Cluster {
        variants: Variants::NONE.with(Variant::RaftLease),
        ..cluster(size, Mistakes::NONE)
    }
}

/// A heartbeat of term 1 from node 1.
fn heartbeat() -> Msg {
    Msg::AppendEntries {
        term: 1,
        prev_log_index: 0,
        prev_log_term: 0,
        entries: vec![],
        leader_commit: 0,
        read: 0,
    }
}

/// A vote request for `term` from node 2, with an empty log.
fn vote_request(term: Term) -> Msg {
    Msg::RequestVote {
        term,
        last_log_index: 0,
        last_log_term: 0,
    }
}

#[test]
fn with_leases_a_follower_that_heard_its_leader_ignores_vote_requests() {
    // Thesis §4.2.3: within the election timeout of hearing from a leader a
    // server "does not update its term or grant its vote".
    let c = with_leases(3);
    let mut r = follower(3, 3, 1, vec![]);
    deliver(&mut r, 3, &c, 1, heartbeat());
    let out = deliver(&mut r, 3, &c, 2, vote_request(2));
    assert!(out.sends().is_empty());
    assert!(out.says("leader stickiness"));
    assert_eq!(r.term(), 1);
    // Once its own election timer runs out it campaigns, and then answers
    // a candidate of a newer term as usual.
    step(&mut r, 3, &c, Input::Timer(Timer::Election));
    let out = deliver(&mut r, 3, &c, 2, vote_request(3));
    assert_eq!(
        out.sends(),
        vec![(
            2,
            Msg::RequestVoteReply {
                term: 3,
                granted: true
            }
        )]
    );

    // Without leases the same request is granted at once (Figure 2).
    let c = cluster(3, Mistakes::NONE);
    let mut r = follower(3, 3, 1, vec![]);
    deliver(&mut r, 3, &c, 1, heartbeat());
    let out = deliver(&mut r, 3, &c, 2, vote_request(2));
    assert!(matches!(
        out.sends()[..],
        [(2, Msg::RequestVoteReply { granted: true, .. })]
    ));
}

#[test]
fn with_leases_a_restarted_node_waits_out_its_timer_but_a_new_one_votes() {
    // A restarted node may have answered a heartbeat just before it
    // crashed; a freshly booted cluster has had no leader.
    let c = with_leases(3);
    let mut r = follower(3, 3, 1, vec![]);
    assert!(deliver(&mut r, 3, &c, 2, vote_request(2))
        .sends()
        .is_empty());
    let (mut r, _) = boot::<Raft>(3, &c);
    assert_eq!(deliver(&mut r, 3, &c, 2, vote_request(1)).sends().len(), 1);
}

#[test]
fn a_lease_read_is_answered_alone_within_the_lease_and_renewed_after() {
    // Thesis §6.4.1. Elected at t=0, the leader's first AppendEntries are
    // round 0; a majority's answer gives a lease until 0 + 15 * 10 / 11.
    let c = with_leases(3);
    let mut r = leader_of(&c);
    assert_eq!(lease_length(&c.timing), 13);
    deliver(&mut r, 1, &c, 2, appended(1, 0));
    let out = read_at(&mut r, 1, &c, 5, ReadPath::Lease, 12);
    assert_eq!(out.served(), [(5, 1)]);
    assert!(out.sends().is_empty(), "no messages within the lease");
    // At t=13 the lease has run out: a round renews it first.
    let out = read_at(&mut r, 1, &c, 6, ReadPath::Lease, 13);
    assert!(out.served().is_empty());
    assert!(out.says("my lease ran out at t=13"));
    assert_eq!(out.sends().len(), 2);
    assert_eq!(deliver(&mut r, 1, &c, 3, appended(1, 1)).served(), [(6, 1)]);
}

#[test]
fn a_lease_read_waits_for_the_noop_and_without_leases_confirms_like_read_index() {
    let c = with_leases(3);
    let mut r = leader_of(&c);
    let out = read(&mut r, 1, &c, 5, ReadPath::Lease);
    assert!(out.served().is_empty() && out.says("read r5 waits"));

    let c = cluster(3, Mistakes::NONE);
    let mut r = leader_with_commit(Mistakes::NONE);
    let out = read(&mut r, 1, &c, 5, ReadPath::Lease);
    assert!(out.says("no leases here"));
    assert!(out.served().is_empty());
    assert_eq!(out.sends().len(), 2, "a heartbeat round, as for ReadIndex");
}

#[test]
fn servers_start_as_followers() {
    // Raft §5.2: "When servers start up, they begin as followers."
    let c = cluster(3, Mistakes::NONE);
    let (r, out) = boot::<Raft>(1, &c);
    assert_eq!(r.role(), &Role::Follower { leader: None });
    assert_eq!(r.term(), 0);
    assert!(out.0.iter().any(|e| matches!(
        e,
        Effect::SetTimer {
            timer: Timer::Election,
            ..
        }
    )));
}

#[test]
fn election_timeout_starts_a_campaign() {
    // Raft §5.2: a follower that times out increments its term, becomes a
    // candidate, votes for itself and sends RequestVote to every other node.
    let c = cluster(3, Mistakes::NONE);
    let (mut r, _) = boot::<Raft>(1, &c);
    let out = step(&mut r, 1, &c, Input::Timer(Timer::Election));
    assert_eq!(r.term(), 1);
    assert_eq!(r.voted_for(), Some(1));
    assert!(matches!(r.role(), Role::Candidate { .. }));
    let sends = out.sends();
    assert_eq!(sends.len(), 2);
    assert!(sends
        .iter()
        .all(|(_, m)| matches!(m, Msg::RequestVote { term: 1, .. })));
}

#[test]
fn majority_of_votes_wins_and_heartbeats_follow() {
    // Raft §5.2: a candidate with votes from a majority becomes leader and
    // "sends heartbeat messages to all of the other servers".
    let c = cluster(5, Mistakes::NONE);
    let (mut r, _) = boot::<Raft>(1, &c);
    step(&mut r, 1, &c, Input::Timer(Timer::Election));
    deliver(
        &mut r,
        1,
        &c,
        2,
        Msg::RequestVoteReply {
            term: 1,
            granted: true,
        },
    );
    assert!(!r.is_leader(), "2 of 5 votes is not a majority");
    let out = deliver(
        &mut r,
        1,
        &c,
        3,
        Msg::RequestVoteReply {
            term: 1,
            granted: true,
        },
    );
    assert!(r.is_leader());
    // §8: the leader appends a no-op of its term, and its first
    // AppendEntries carry it.
    assert_eq!(r.log(), &[entry(1, NO_OP)]);
    assert!(out.says("appended a no-op at index 1"));
    let heartbeats = out.sends();
    assert_eq!(heartbeats.len(), 4);
    assert!(heartbeats.iter().all(|(_, m)| matches!(
        m,
        Msg::AppendEntries { prev_log_index: 0, entries, .. } if entries == &[entry(1, NO_OP)]
    )));
}

#[test]
fn figure_2_alone_has_no_noop() {
    // The `raft-no-noop` variant: Figure 2's "initial empty AppendEntries
    // RPCs (heartbeat)", with nothing appended.
    let c = Cluster {
        variants: Variants::NONE.with(Variant::RaftNoNoop),
        ..cluster(3, Mistakes::NONE)
    };
    let (mut r, _) = boot::<Raft>(1, &c);
    step(&mut r, 1, &c, Input::Timer(Timer::Election));
    let out = deliver(
        &mut r,
        1,
        &c,
        2,
        Msg::RequestVoteReply {
            term: 1,
            granted: true,
        },
    );
    assert!(r.is_leader());
    assert!(r.log().is_empty());
    assert!(out
        .sends()
        .iter()
        .all(|(_, m)| matches!(m, Msg::AppendEntries { entries, .. } if entries.is_empty())));
}

#[test]
fn the_noop_commits_the_entries_of_earlier_terms() {
    // §8 with §5.4.2: a leader of term 3 holding a term-1 entry commits it
    // as soon as its own no-op is on a majority, without a client request.
    let c = cluster(3, Mistakes::NONE);
    let mut r = elected_in_term_3(&c, vec![entry(1, 4)]);
    assert_eq!(r.log(), &[entry(1, 4), entry(3, NO_OP)]);
    let out = deliver(&mut r, 1, &c, 2, acked(3, 2));
    assert_eq!(r.commit_index(), 2);
    assert_eq!(out.decided(), vec![4, NO_OP]);
}

#[test]
fn one_vote_per_term() {
    // Figure 2, RequestVote: grant only "if votedFor is null or candidateId".
    let c = cluster(3, Mistakes::NONE);
    let mut r = follower(3, 3, 0, vec![]);
    let ask = |term| Msg::RequestVote {
        term,
        last_log_index: 0,
        last_log_term: 0,
    };
    let out = deliver(&mut r, 3, &c, 1, ask(1));
    assert_eq!(
        out.sends(),
        vec![(
            1,
            Msg::RequestVoteReply {
                term: 1,
                granted: true
            }
        )]
    );
    let out = deliver(&mut r, 3, &c, 2, ask(1));
    assert_eq!(
        out.sends(),
        vec![(
            2,
            Msg::RequestVoteReply {
                term: 1,
                granted: false
            }
        )]
    );
    assert!(out.says("already voted for n1 in term 1"));
}

#[test]
fn vote_refused_to_a_less_up_to_date_log() {
    // Raft §5.4.1: "If the logs have last entries with different terms, then
    // the log with the later term is more up-to-date. If the logs end with
    // the same term, then whichever log is longer is more up-to-date."
    let c = cluster(3, Mistakes::NONE);
    let mut r = follower(3, 3, 3, vec![entry(1, 1), entry(3, 2)]);
    let out = deliver(
        &mut r,
        3,
        &c,
        1,
        Msg::RequestVote {
            term: 4,
            last_log_index: 5,
            last_log_term: 2,
        },
    );
    assert!(out.says("its log ends at term 2, mine at term 3"));
    let out = deliver(
        &mut r,
        3,
        &c,
        2,
        Msg::RequestVote {
            term: 4,
            last_log_index: 1,
            last_log_term: 3,
        },
    );
    assert!(out.says("its log ends at index 1, mine at index 2"));
    let out = deliver(
        &mut r,
        3,
        &c,
        2,
        Msg::RequestVote {
            term: 4,
            last_log_index: 2,
            last_log_term: 3,
        },
    );
    assert_eq!(
        out.sends(),
        vec![(
            2,
            Msg::RequestVoteReply {
                term: 4,
                granted: true
            }
        )]
    );
}

#[test]
fn stale_term_is_rejected() {
    // Figure 2, AppendEntries 1: "Reply false if term < currentTerm."
    let c = cluster(3, Mistakes::NONE);
    let mut r = follower(2, 3, 5, vec![]);
    let out = deliver(
        &mut r,
        2,
        &c,
        1,
        Msg::AppendEntries {
            term: 4,
            prev_log_index: 0,
            prev_log_term: 0,
            entries: vec![],
            leader_commit: 0,
            read: 0,
        },
    );
    assert_eq!(
        out.sends(),
        vec![(
            1,
            Msg::AppendEntriesReply {
                term: 5,
                success: false,
                index: 0,
                read: 0,
            }
        )]
    );
    assert!(out.says("its term 4 is older than mine (5)"));
}

#[test]
fn consistency_check_rejects_a_gap() {
    // Figure 2, AppendEntries 2: "Reply false if log doesn't contain an
    // entry at prevLogIndex whose term matches prevLogTerm."
    let c = cluster(3, Mistakes::NONE);
    let mut r = follower(2, 3, 2, vec![entry(1, 1)]);
    let append = |prev_log_index, prev_log_term| Msg::AppendEntries {
        term: 2,
        prev_log_index,
        prev_log_term,
        entries: vec![entry(2, 9)],
        leader_commit: 0,
        read: 0,
    };
    let out = deliver(&mut r, 2, &c, 1, append(3, 2));
    assert!(out.says("I have no entry at index 3 (my log ends at 1)"));
    let out = deliver(&mut r, 2, &c, 1, append(1, 2));
    assert!(out.says("my entry at index 1 has term 1, the leader's has term 2"));
    assert_eq!(r.log(), &[entry(1, 1)]);
}

#[test]
fn conflicting_entries_are_deleted() {
    // Figure 2, AppendEntries 3: "If an existing entry conflicts with a new
    // one (same index but different terms), delete the existing entry and
    // all that follow it."
    let c = cluster(3, Mistakes::NONE);
    let mut r = follower(2, 3, 3, vec![entry(1, 1), entry(2, 2), entry(2, 3)]);
    deliver(
        &mut r,
        2,
        &c,
        1,
        Msg::AppendEntries {
            term: 3,
            prev_log_index: 1,
            prev_log_term: 1,
            entries: vec![entry(3, 4)],
            leader_commit: 0,
            read: 0,
        },
    );
    assert_eq!(r.log(), &[entry(1, 1), entry(3, 4)]);
}

#[test]
fn a_stale_append_never_truncates() {
    // Figure 2, AppendEntries 3 applies only to a conflict: an old, shorter
    // AppendEntries that matches must leave later entries in place.
    let c = cluster(3, Mistakes::NONE);
    let mut r = follower(2, 3, 1, vec![entry(1, 1), entry(1, 2)]);
    let out = deliver(
        &mut r,
        2,
        &c,
        1,
        Msg::AppendEntries {
            term: 1,
            prev_log_index: 0,
            prev_log_term: 0,
            entries: vec![entry(1, 1)],
            leader_commit: 0,
            read: 0,
        },
    );
    assert_eq!(r.log(), &[entry(1, 1), entry(1, 2)]);
    assert_eq!(
        out.sends(),
        vec![(
            1,
            Msg::AppendEntriesReply {
                term: 1,
                success: true,
                index: 1,
                read: 0,
            }
        )]
    );
}

#[test]
fn follower_commit_is_capped_by_the_last_new_entry() {
    // Figure 2, AppendEntries 5: "set commitIndex = min(leaderCommit, index
    // of last new entry)".
    let c = cluster(3, Mistakes::NONE);
    let mut r = follower(2, 3, 1, vec![entry(1, 1), entry(1, 2), entry(1, 3)]);
    deliver(
        &mut r,
        2,
        &c,
        1,
        Msg::AppendEntries {
            term: 1,
            prev_log_index: 1,
            prev_log_term: 1,
            entries: vec![],
            leader_commit: 3,
            read: 0,
        },
    );
    assert_eq!(r.commit_index(), 1);
}

#[test]
fn leader_commits_on_a_majority_of_its_own_term() {
    // Raft §5.3: "A log entry is committed once the leader that created the
    // entry has replicated it on a majority of the servers."
    let c = cluster(3, Mistakes::NONE);
    let mut r = leader(3, Mistakes::NONE);
    let out = step(&mut r, 1, &c, Input::Request(7));
    assert_eq!(out.sends().len(), 2);
    let out = deliver(
        &mut r,
        1,
        &c,
        2,
        Msg::AppendEntriesReply {
            term: 1,
            success: true,
            index: 2,
            read: 0,
        },
    );
    // Index 1 is the leader's no-op, index 2 the client's value.
    assert_eq!(r.commit_index(), 2);
    assert_eq!(out.decided(), vec![NO_OP, 7]);
}

#[test]
fn no_commit_of_an_old_term_entry_by_counting() {
    // Raft §5.4.2: "Raft never commits log entries from previous terms by
    // counting replicas." The leader of term 3 holds a term-1 entry that a
    // majority stores, and must not commit it...
    let c = cluster(3, Mistakes::NONE);
    let mut r = elected_in_term_3(&c, vec![entry(1, 1)]);
    let out = deliver(&mut r, 1, &c, 2, acked(3, 1));
    assert_eq!(r.commit_index(), 0);
    assert!(out.says("it commits only after an entry of term 3 does"));
    // ... until an entry of its own term commits, which commits it too.
    step(&mut r, 1, &c, Input::Request(2));
    deliver(&mut r, 1, &c, 2, acked(3, 2));
    assert_eq!(r.commit_index(), 2);

    // With the `raft-commit-old-term` mistake it commits at once.
    let bad = cluster(3, Mistakes::NONE.with(Mistake::RaftCommitOldTerm));
    let mut r = elected_in_term_3(&bad, vec![entry(1, 1)]);
    deliver(&mut r, 1, &bad, 2, acked(3, 1));
    assert_eq!(r.commit_index(), 1);
}

#[test]
fn higher_term_reply_makes_a_leader_step_down() {
    // Figure 2, Rules for Servers: "If RPC request or response contains term
    // T > currentTerm: set currentTerm = T, convert to follower."
    let c = cluster(3, Mistakes::NONE);
    let mut r = leader(3, Mistakes::NONE);
    let out = deliver(
        &mut r,
        1,
        &c,
        2,
        Msg::AppendEntriesReply {
            term: 4,
            success: false,
            index: 0,
            read: 0,
        },
    );
    assert!(!r.is_leader());
    assert_eq!(r.term(), 4);
    assert_eq!(r.voted_for(), None);
    assert!(out.says("steps down"));
}

#[test]
fn rejection_backs_off_next_index() {
    // Raft §5.3: "After a rejection, the leader decrements nextIndex and
    // retries the AppendEntries RPC." The follower's hint skips ahead.
    let c = cluster(3, Mistakes::NONE);
    let mut r = leader(3, Mistakes::NONE);
    step(&mut r, 1, &c, Input::Request(1));
    step(&mut r, 1, &c, Input::Request(2));
    let out = deliver(
        &mut r,
        1,
        &c,
        3,
        Msg::AppendEntriesReply {
            term: 1,
            success: false,
            index: 0,
            read: 0,
        },
    );
    let resend = out.sends();
    assert_eq!(resend.len(), 1);
    // The no-op and both values.
    assert!(
        matches!(&resend[0], (3, Msg::AppendEntries { prev_log_index: 0, entries, .. }) if entries.len() == 3)
    );
}

#[test]
fn durable_state_survives_a_crash() {
    // Figure 2: currentTerm, votedFor and log[] are persistent; commitIndex
    // and lastApplied are volatile.
    let c = cluster(3, Mistakes::NONE);
    let mut r = leader(3, Mistakes::NONE);
    step(&mut r, 1, &c, Input::Request(5));
    deliver(&mut r, 1, &c, 2, appended(2, 0));
    assert_eq!(r.commit_index(), 2);
    let (back, _) = restart::<Raft>(1, &c, r.durable());
    assert_eq!(back.term(), 1);
    assert_eq!(back.voted_for(), Some(1));
    assert_eq!(back.log(), &[entry(1, NO_OP), entry(1, 5)]);
    assert_eq!(back.commit_index(), 0);
    assert_eq!(back.role(), &Role::Follower { leader: None });

    // The `raft-volatile-vote` mistake loses votedFor.
    let bad = leader(3, Mistakes::NONE.with(Mistake::RaftVolatileVote));
    assert_eq!(bad.durable().voted_for, None);
}

/// Node 1 of `c`, restarted in term 2 holding `log`, elected leader of
/// term 3 by its own vote and node 2's.
fn elected_in_term_3(c: &Cluster, log: Vec<Entry>) -> Raft {
    let durable = Durable {
        current_term: 2,
        voted_for: None,
        log,
    };
    let (mut r, _) = restart::<Raft>(1, c, durable);
    step(&mut r, 1, c, Input::Timer(Timer::Election));
    let vote = Msg::RequestVoteReply {
        term: 3,
        granted: true,
    };
    deliver(&mut r, 1, c, 2, vote);
    r
}

/// A follower's successful answer in `term` up to `index`.
fn acked(term: Term, index: Index) -> Msg {
    Msg::AppendEntriesReply {
        term,
        success: true,
        index,
        read: 0,
    }
}

/// A term-1 follower's successful answer up to `index`, echoing read round `read`.
fn appended(index: Index, read: u64) -> Msg {
    Msg::AppendEntriesReply {
        term: 1,
        success: true,
        index,
        read,
    }
}

/// The leader of term 1 in a 3-node cluster after a client value committed
/// (so an entry of its term is committed).
fn leader_with_commit(mistakes: Mistakes) -> Raft {
    let c = cluster(3, mistakes);
    let mut r = leader(3, mistakes);
    step(&mut r, 1, &c, Input::Request(7));
    deliver(&mut r, 1, &c, 2, appended(2, 0));
    assert_eq!(r.commit_index(), 2);
    r
}

#[test]
fn read_index_confirms_leadership_with_a_majority_round() {
    // Thesis §6.4: note the commit index, send a heartbeat round, and answer
    // once a majority has acknowledged it; not before.
    let c = cluster(3, Mistakes::NONE);
    let mut r = leader_with_commit(Mistakes::NONE);
    let out = read(&mut r, 1, &c, 5, ReadPath::ReadIndex);
    assert!(out.served().is_empty(), "no answer before the round");
    let sends = out.sends();
    assert_eq!(sends.len(), 2);
    assert!(sends
        .iter()
        .all(|(_, m)| matches!(m, Msg::AppendEntries { read: 1, .. })));
    // A reply to an older round does not confirm this one.
    assert!(deliver(&mut r, 1, &c, 2, appended(1, 0))
        .served()
        .is_empty());
    assert_eq!(deliver(&mut r, 1, &c, 3, appended(1, 1)).served(), [(5, 2)]);
}

#[test]
fn read_index_waits_for_an_entry_of_the_leaders_term() {
    // Thesis §6.4 step 1: a new leader's commit index may lag; until an
    // entry of its term commits, a read waits. Here that entry is the
    // leader's no-op (§8), which ends the wait without any client write.
    let c = cluster(3, Mistakes::NONE);
    let mut r = leader(3, Mistakes::NONE);
    let out = read(&mut r, 1, &c, 5, ReadPath::ReadIndex);
    assert!(out.sends().is_empty() && out.served().is_empty());
    assert!(out.says("read r5 waits"));
    // The no-op's commit starts the round; its answer serves the read.
    let out = deliver(&mut r, 1, &c, 2, appended(1, 0));
    assert!(out
        .sends()
        .iter()
        .any(|(_, m)| matches!(m, Msg::AppendEntries { read: 1, .. })));
    assert_eq!(deliver(&mut r, 1, &c, 3, appended(1, 1)).served(), [(5, 1)]);
}

#[test]
fn a_follower_redirects_a_read() {
    let c = cluster(3, Mistakes::NONE);
    let mut r = follower(2, 3, 1, vec![]);
    deliver(&mut r, 2, &c, 1, heartbeat());
    let out = read(&mut r, 2, &c, 5, ReadPath::ReadIndex);
    assert!(out.0.iter().any(|e| matches!(
        e,
        Effect::Redirect {
            ask: crate::protocol::Ask::Read(5),
            leader: Some(1)
        }
    )));
}

#[test]
fn the_read_mistakes_skip_a_step_of_read_index() {
    let c = cluster(3, Mistakes::NONE.with(Mistake::RaftStaleRead));
    let mut r = leader_with_commit(Mistakes::NONE.with(Mistake::RaftStaleRead));
    let out = read(&mut r, 1, &c, 5, ReadPath::ReadIndex);
    assert_eq!(out.served(), [(5, 2)], "answered without a round");
    assert!(out.sends().is_empty());

    let mistakes = Mistakes::NONE.with(Mistake::RaftReadBeforeNoop);
    let c = cluster(3, mistakes);
    let mut r = leader(3, mistakes);
    let out = read(&mut r, 1, &c, 5, ReadPath::ReadIndex);
    assert!(!out.says("waits"), "no wait for an entry of its term");
    assert_eq!(out.sends().len(), 2);
}

/// The invariants the checker finds broken after each step of `steps`:
/// the nodes after the step, and the nodes the step changed.
fn check_steps(steps: &[(Vec<Slot<Raft>>, u16)]) -> Vec<Vec<&'static str>> {
    let c = cluster(3, Mistakes::NONE);
    let mut checker = RaftChecker::default();
    steps
        .iter()
        .map(|(nodes, changed)| {
            let mut out = Vec::new();
            let world = crate::protocol::World {
                nodes,
                cluster: &c,
                requested: &[7, 8, 9],
                now: 0,
                changed: *changed,
            };
            crate::protocol::Checker::check(&mut checker, &world, &mut out);
            out.iter().map(|v| v.invariant).collect()
        })
        .collect()
}

/// A node that is down, with `log` on disk.
fn down(term: Term, log: Vec<Entry>) -> Slot<Raft> {
    Slot::Down(Durable {
        current_term: term,
        voted_for: None,
        log,
    })
}

#[test]
fn checker_finds_logs_that_match_at_an_entry_but_not_before_it() {
    // Log Matching (§5.3): two entries with the same index and term have
    // the same log before them. n1's and n2's entries at index 2 both have
    // term 2, but their first entries differ.
    let nodes = vec![
        down(2, vec![entry(1, 7), entry(2, 8)]),
        down(2, vec![entry(1, 9), entry(2, 8)]),
        down(2, vec![]),
    ];
    let found = check_steps(&[(nodes, World::<Raft>::EVERY_NODE)]);
    // Index 1 (term 1, two values) breaks it too.
    assert_eq!(found[0], vec!["Log Matching", "Log Matching"]);
}

#[test]
fn checker_finds_log_matching_broken_against_a_log_since_rewritten() {
    // Raft creates each (index, term) once, so the rule holds across time:
    // n2 comes to hold 8@2 at index 2 after another first entry than the
    // one n1 held before it was truncated.
    let first = vec![
        down(2, vec![entry(1, 7), entry(2, 8)]),
        down(2, vec![]),
        down(2, vec![]),
    ];
    let second = vec![
        down(2, vec![]),
        down(2, vec![entry(1, 9), entry(2, 8)]),
        down(2, vec![]),
    ];
    let found = check_steps(&[(first, World::<Raft>::EVERY_NODE), (second, 0b011)]);
    assert!(found[0].is_empty(), "{:?}", found[0]);
    assert_eq!(found[1], vec!["Log Matching", "Log Matching"]);
}

#[test]
fn checker_counts_the_holders_of_a_committed_entry_as_logs_change() {
    // Committed durability: a committed entry is stored on a majority. n1
    // leads and has committed 7@1, which n2 also stores; then n2's copy is
    // lost (a step that changes only n2), then n3 gets one.
    let mut l = leader(3, Mistakes::NONE);
    l.log = vec![entry(1, 7)];
    l.commit_index = 1;
    let lead = || Slot::Up(l.clone());
    let steps = [
        (
            vec![lead(), down(1, vec![entry(1, 7)]), down(1, vec![])],
            World::<Raft>::EVERY_NODE,
        ),
        (vec![lead(), down(1, vec![]), down(1, vec![])], 0b010),
        (vec![lead(), down(1, vec![]), down(1, vec![])], 0),
        (
            vec![lead(), down(1, vec![]), down(1, vec![entry(1, 7)])],
            0b100,
        ),
    ];
    let found = check_steps(&steps);
    assert!(found[0].is_empty(), "{:?}", found[0]);
    assert_eq!(found[1], vec!["Committed durability"]);
    assert!(found[2].is_empty(), "{:?}", found[2]);
    assert!(found[3].is_empty(), "{:?}", found[3]);
}
