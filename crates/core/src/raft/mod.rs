//! Raft, as in Figure 2 of Ongaro & Ousterhout, "In Search of an
//! Understandable Consensus Algorithm" (2014).
//!
//! Time is divided into *terms*. In each term at most one leader is elected
//! (§5.2): a follower that hears nothing from a leader for a randomized
//! election timeout becomes a candidate, increments its term and asks every
//! node for its vote. A node grants at most one vote per term, and only to a
//! candidate whose log is at least as up-to-date as its own (§5.4.1).
//!
//! The leader appends client values to its log and replicates them with
//! AppendEntries. Each AppendEntries names the entry just before the new ones
//! (`prev_log_index`, `prev_log_term`); a follower accepts only if its log
//! holds that entry, which by induction makes the two logs identical up to
//! there (the Log Matching property, §5.3). Conflicting entries on a follower
//! are deleted and replaced by the leader's.
//!
//! An entry is *committed* once the leader of its term has stored it on a
//! majority. NB: a leader counts replicas only for entries of its *own* term;
//! older entries are committed indirectly, by the Log Matching property, when
//! a newer entry after them commits. Counting replicas of an old-term entry
//! is unsafe — Figure 8 shows such an entry being overwritten after it was
//! "committed". The `raft-commit-old-term` mistake switches the rule off.
//!
//! A new leader appends a *no-op* entry of its own term at once (§8). Its
//! commitment commits, by the rule above, every entry of older terms before
//! it, so the leader learns how far the log is committed without waiting for
//! a client; ReadIndex reads need exactly that (thesis §6.4). The
//! `raft-no-noop` variant leaves it out, as Figure 2 alone does: that is the
//! Raft in which Figure 8 can be played out.
//!
//! Reads (thesis §6.4) go through the log, by ReadIndex (a heartbeat round
//! confirms leadership), or by lease (§6.4.1): with the `raft-lease`
//! variant a follower that heard from its leader helps elect no other until
//! its election timer runs out (§4.2.3), so for a little less than the
//! minimum election timeout after a heartbeat a majority answered, the
//! leader can answer reads alone. That holds only while clocks keep time:
//! firing a follower's election timer early is a clock running fast.
//!
//! What survives a crash (Figure 2, "Persistent state on all servers"):
//! `currentTerm`, `votedFor` and the log. Everything else is rebuilt.

mod check;
mod note;

pub use check::RaftChecker;
pub use note::Note;

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use crate::kv::{ReadId, ReadPath};
use crate::protocol::{
    Ask, Category, Ctx, EntryView, Input, Message, Milestone, Mistake, NodeId, NodeView,
    Observation, Protocol, Purpose, Shown, Standing, Tick, TimerKind, Timing, Value, Variant,
    NO_OP,
};

/// A Raft term.
pub type Term = u64;
/// A position in the log, from 1.
pub type Index = u64;

/// One log entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    /// The term of the leader that created it.
    pub term: Term,
    /// The client value, or [`NO_OP`] for a new leader's no-op (§8).
    pub value: Value,
}

/// Raft's RPCs (Figure 2). Replies are messages of their own.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Invoked by candidates to gather votes (§5.2).
    RequestVote {
        term: Term,
        last_log_index: Index,
        last_log_term: Term,
    },
    /// The answer to RequestVote.
    RequestVoteReply { term: Term, granted: bool },
    /// Invoked by the leader to replicate entries (§5.3); also the heartbeat.
    AppendEntries {
        term: Term,
        prev_log_index: Index,
        prev_log_term: Term,
        entries: Vec<Entry>,
        leader_commit: Index,
        /// The leader's latest ReadIndex round (0: none yet). The reply
        /// echoes it, which confirms the leader still led when it was sent
        /// (like etcd's heartbeat context).
        read: u64,
    },
    /// The answer to AppendEntries. On success `index` is the last index
    /// known to match the leader's log; on failure it is a hint: the
    /// follower's log holds nothing useful after `index`. `read` echoes the
    /// request's.
    AppendEntriesReply {
        term: Term,
        success: bool,
        index: Index,
        read: u64,
    },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::RequestVote { .. } => "RequestVote",
            Msg::RequestVoteReply { .. } => "RequestVoteReply",
            Msg::AppendEntries { .. } => "AppendEntries",
            Msg::AppendEntriesReply { .. } => "AppendEntriesReply",
        }
    }

    fn category(&self) -> Category {
        match self {
            Msg::RequestVote { .. } => Category::Ask,
            Msg::RequestVoteReply { .. } => Category::Answer,
            Msg::AppendEntries { .. } => Category::Carry,
            Msg::AppendEntriesReply { .. } => Category::Ack,
        }
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::RequestVote {
                term,
                last_log_index,
                last_log_term,
            } => write!(
                f,
                "RequestVote term={term} lastLog={last_log_index}@{last_log_term}"
            ),
            Msg::RequestVoteReply { term, granted } => {
                write!(f, "RequestVoteReply term={term} granted={granted}")
            }
            Msg::AppendEntries {
                term,
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
                read,
            } => {
                write!(
                    f,
                    "AppendEntries term={term} prev={prev_log_index}@{prev_log_term} entries=["
                )?;
                for (i, e) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{}@{}", Shown(e.value), e.term)?;
                }
                write!(f, "] commit={leader_commit}")?;
                if *read > 0 {
                    write!(f, " read={read}")?;
                }
                Ok(())
            }
            Msg::AppendEntriesReply {
                term,
                success,
                index,
                read,
            } => {
                write!(
                    f,
                    "AppendEntriesReply term={term} success={success} index={index}"
                )?;
                if *read > 0 {
                    write!(f, " read={read}")?;
                }
                Ok(())
            }
        }
    }
}

/// Raft's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// No word from a leader for a while: start an election (§5.2).
    Election,
    /// A leader's periodic AppendEntries, which also retries lost ones.
    Heartbeat,
}

impl TimerKind for Timer {
    const ALL: &'static [Timer] = &[Timer::Election, Timer::Heartbeat];
    const TIME_OUTS: &'static [Timer] = &[Timer::Election];
    const ROUTINE: &'static [Timer] = &[Timer::Heartbeat];
    fn name(self) -> &'static str {
        match self {
            Timer::Election => "election",
            Timer::Heartbeat => "heartbeat",
        }
    }
}

/// A node's role; each variant carries the state only that role has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// Follows `leader`, once it knows one.
    Follower { leader: Option<NodeId> },
    /// Campaigning; `votes` holds the nodes that granted their vote.
    Candidate { votes: BTreeSet<NodeId> },
    /// Leading. For each follower: the next index to send, and the highest
    /// index known replicated there (Figure 2, "Volatile state on leaders").
    Leader {
        next_index: BTreeMap<NodeId, Index>,
        match_index: BTreeMap<NodeId, Index>,
        reads: Reads,
    },
}

/// A leader's ReadIndex bookkeeping (Ongaro's thesis §6.4). A read is
/// answered at the commit index noted when it arrived, once a majority has
/// answered a heartbeat sent after that: then no other leader had been
/// elected when the read arrived, so nothing committed is missing from the
/// noted index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reads {
    /// The latest heartbeat round started for reads; every AppendEntries
    /// carries it.
    round: u64,
    /// Per follower, the latest round it answered.
    acked: BTreeMap<NodeId, u64>,
    /// Reads not yet confirmed.
    pending: Vec<PendingRead>,
    /// With leases (`raft-lease`): the rounds not yet answered by a
    /// majority, each with the time it was first sent. Every heartbeat
    /// then starts a round.
    sent: Vec<(u64, Tick)>,
    /// With leases: no other leader can be elected before this time, by
    /// this node's clock.
    lease_until: Tick,
}

impl Reads {
    /// Start heartbeat round `round + 1` at `now`.
    fn next_round(&mut self, now: Tick, leases: bool) -> u64 {
        self.round += 1;
        if leases {
            self.sent.push((self.round, now));
        }
        self.round
    }

    /// Thesis §6.4.1: once a majority has answered a heartbeat sent at
    /// time t, none of them will help elect another leader before its
    /// election timer runs out, which is at least the minimum election
    /// timeout after t. The lease is a little shorter, for clocks that
    /// drift. Returns the new end of the lease, if it moved.
    fn renew_lease(&mut self, quorum: usize, timing: &Timing) -> Option<Tick> {
        // The latest round a majority answered (this node counts for
        // itself); older rounds can give no longer a lease.
        let acked = &self.acked;
        let answered = |round: u64| 1 + acked.values().filter(|a| **a >= round).count() >= quorum;
        let &(round, sent) = self.sent.iter().rev().find(|(r, _)| answered(*r))?;
        self.sent.retain(|(r, _)| *r >= round);
        let until = sent + lease_length(timing);
        (until > self.lease_until).then(|| {
            self.lease_until = until;
            until
        })
    }
}

/// How long a lease lasts: the minimum election timeout divided by a
/// bound on clock drift (thesis §6.4.1), here 10 %.
pub fn lease_length(timing: &Timing) -> Tick {
    timing.election.0 * 10 / 11
}

/// A read waiting at the leader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PendingRead {
    id: ReadId,
    /// The noted commit index and the round confirming it; `None` while no
    /// entry of the leader's term is committed.
    at: Option<(Index, u64)>,
}

/// What a Raft node keeps on stable storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Durable {
    /// Latest term the node has seen.
    pub current_term: Term,
    /// Candidate that received the vote in the current term.
    pub voted_for: Option<NodeId>,
    /// The log.
    pub log: Vec<Entry>,
}

/// One Raft node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Raft {
    id: NodeId,
    /// Persistent state (Figure 2).
    current_term: Term,
    voted_for: Option<NodeId>,
    log: Vec<Entry>,
    /// Volatile state (Figure 2).
    commit_index: Index,
    last_applied: Index,
    role: Role,
    /// Whether votedFor is lost on a crash (the `raft-volatile-vote` mistake).
    volatile_vote: bool,
    /// Leader stickiness (thesis §4.2.3), with leases only: this node heard
    /// from a leader of its term (or restarted) since its election timer
    /// last ran out, so it helps elect no one else.
    heard_leader: bool,
}

type RaftCtx<'a> = Ctx<'a, Raft>;

impl Raft {
    /// The node's current term.
    pub fn term(&self) -> Term {
        self.current_term
    }

    /// The node's role.
    pub fn role(&self) -> &Role {
        &self.role
    }

    /// The node's log, index 1 first.
    pub fn log(&self) -> &[Entry] {
        &self.log
    }

    /// The highest index known committed.
    pub fn commit_index(&self) -> Index {
        self.commit_index
    }

    /// The node voted for in the current term.
    pub fn voted_for(&self) -> Option<NodeId> {
        self.voted_for
    }

    /// Whether the node is the leader.
    pub fn is_leader(&self) -> bool {
        matches!(self.role, Role::Leader { .. })
    }

    /// The leader this node follows, as far as it knows: where to send a
    /// client it will not serve.
    fn known_leader(&self) -> Option<NodeId> {
        match self.role {
            Role::Follower { leader } => leader,
            _ => None,
        }
    }

    fn last_index(&self) -> Index {
        self.log.len() as Index
    }

    fn last_term(&self) -> Term {
        self.log.last().map_or(0, |e| e.term)
    }

    /// The term of the entry at `index` (0 for index 0, the empty prefix).
    fn term_at(&self, index: Index) -> Option<Term> {
        match index {
            0 => Some(0),
            i => self.log.get((i - 1) as usize).map(|e| e.term),
        }
    }

    fn entries_from(&self, index: Index) -> Vec<Entry> {
        self.log[(index.max(1) - 1) as usize..].to_vec()
    }

    fn election_timeout(ctx: &mut RaftCtx<'_>) -> u64 {
        let (lo, hi) = ctx.cluster.timing.election;
        if ctx.cluster.mistake(Mistake::RaftEqualTimeouts) {
            lo
        } else {
            // §5.2: "Raft uses randomized election timeouts to ensure that
            // split votes are rare and that they are resolved quickly."
            ctx.random_between(lo, hi)
        }
    }

    fn reset_election_timer(ctx: &mut RaftCtx<'_>) {
        let after = Self::election_timeout(ctx);
        ctx.set_timer(Timer::Election, after);
    }

    /// "If RPC request or response contains term T > currentTerm: set
    /// currentTerm = T, convert to follower" (Figure 2, Rules for Servers).
    fn observe_term(&mut self, term: Term, from: NodeId, ctx: &mut RaftCtx<'_>) {
        if term <= self.current_term {
            return;
        }
        let was = self.role_name();
        self.current_term = term;
        self.voted_for = None;
        if !matches!(self.role, Role::Follower { .. }) {
            ctx.milestone(Milestone::SteppedDown, Note::StepsDown { was, from, term });
            if self.is_leader() {
                ctx.cancel_timer(Timer::Heartbeat);
                Self::reset_election_timer(ctx);
            }
        }
        self.role = Role::Follower { leader: None };
        ctx.observe(Observation::Role {
            role: "Follower",
            era: term,
        });
    }

    /// §5.2: on election timeout a follower "increments its current term and
    /// transitions to candidate state. It then votes for itself and issues
    /// RequestVote RPCs in parallel to each of the other servers".
    fn start_election(&mut self, ctx: &mut RaftCtx<'_>) {
        self.heard_leader = false;
        self.current_term += 1;
        self.voted_for = Some(ctx.id);
        self.role = Role::Candidate {
            votes: BTreeSet::from([ctx.id]),
        };
        ctx.milestone(
            Milestone::ElectionStarted,
            Note::Campaigning {
                term: self.current_term,
            },
        );
        ctx.observe(Observation::Role {
            role: "Candidate",
            era: self.current_term,
        });
        Self::reset_election_timer(ctx);
        let msg = Msg::RequestVote {
            term: self.current_term,
            last_log_index: self.last_index(),
            last_log_term: self.last_term(),
        };
        for peer in ctx.cluster.peers(ctx.id) {
            ctx.send(peer, msg.clone(), Purpose::Election);
        }
        self.maybe_win(ctx);
    }

    fn maybe_win(&mut self, ctx: &mut RaftCtx<'_>) {
        let Role::Candidate { votes } = &self.role else {
            return;
        };
        let votes = votes.len();
        if votes < ctx.cluster.quorum() {
            return;
        }
        // §5.2: "A candidate wins an election if it receives votes from a
        // majority of the servers in the full cluster for the same term."
        let next = self.last_index() + 1;
        let peers: Vec<NodeId> = ctx.cluster.peers(ctx.id).collect();
        self.role = Role::Leader {
            next_index: peers.iter().map(|p| (*p, next)).collect(),
            match_index: peers.iter().map(|p| (*p, 0)).collect(),
            reads: Reads {
                // The first AppendEntries, sent below, are round 0.
                sent: if ctx.cluster.variant(Variant::RaftLease) {
                    vec![(0, ctx.now)]
                } else {
                    Vec::new()
                },
                ..Reads::default()
            },
        };
        ctx.milestone(
            Milestone::LeaderElected,
            Note::Won {
                term: self.current_term,
                votes,
            },
        );
        ctx.observe(Observation::Role {
            role: "Leader",
            era: self.current_term,
        });
        ctx.cancel_timer(Timer::Election);
        // §8: "Raft handles this by having each leader commit a blank no-op
        // entry into the log at the start of its term." Without it, an
        // entry of an earlier term on a majority stays uncommitted until a
        // client happens to ask for something (Figure 8).
        if !ctx.cluster.variant(Variant::RaftNoNoop) {
            self.log.push(Entry {
                term: self.current_term,
                value: NO_OP,
            });
            ctx.note(Note::AppendedNoop {
                index: self.last_index(),
                term: self.current_term,
            });
        }
        // "Upon election: send initial empty AppendEntries RPCs (heartbeat)
        // to each server; repeat during idle periods" (Figure 2). Here they
        // carry the no-op.
        self.broadcast_append(ctx);
        ctx.set_timer(Timer::Heartbeat, ctx.cluster.timing.heartbeat);
        self.advance_commit(ctx);
    }

    /// Send every follower an AppendEntries from its `next_index`.
    fn broadcast_append(&mut self, ctx: &mut RaftCtx<'_>) {
        for peer in ctx.cluster.peers(ctx.id) {
            self.send_append(peer, ctx);
        }
    }

    /// Send `peer` the entries from its `next_index` on (none if it is up
    /// to date: a heartbeat). Replication is pipelined: `next_index` moves
    /// past what was sent, and a rejection moves it back.
    fn send_append(&mut self, peer: NodeId, ctx: &mut RaftCtx<'_>) {
        self.send_append_for(peer, Purpose::Heartbeat, ctx);
    }

    /// `send_append`, counting an empty AppendEntries under `idle` (a
    /// heartbeat, or a read round's).
    fn send_append_for(&mut self, peer: NodeId, idle: Purpose, ctx: &mut RaftCtx<'_>) {
        let last = self.last_index();
        let Role::Leader {
            next_index, reads, ..
        } = &mut self.role
        else {
            return;
        };
        let read = reads.round;
        let next = next_index.get(&peer).copied().unwrap_or(last + 1);
        next_index.insert(peer, last + 1);
        let prev_log_index = next - 1;
        let entries = self.entries_from(next);
        // Messages serve the first client entry they carry; one that
        // carries only no-ops is part of the leader taking office.
        let first_value = entries.iter().position(|e| e.value != NO_OP);
        let purpose = match first_value {
            Some(k) => Purpose::Decision(next + k as Index),
            None if entries.is_empty() => idle,
            None => Purpose::Recovery,
        };
        let msg = Msg::AppendEntries {
            term: self.current_term,
            prev_log_index,
            prev_log_term: self.term_at(prev_log_index).unwrap_or(0),
            entries,
            leader_commit: self.commit_index,
            read,
        };
        ctx.send(peer, msg, purpose);
    }

    /// "If there exists an N such that N > commitIndex, a majority of
    /// matchIndex[i] >= N, and log[N].term == currentTerm: set commitIndex =
    /// N" (Figure 2, Rules for Servers, Leaders).
    fn advance_commit(&mut self, ctx: &mut RaftCtx<'_>) {
        let Role::Leader { match_index, .. } = &self.role else {
            return;
        };
        let old_term_ok = ctx.cluster.mistake(Mistake::RaftCommitOldTerm);
        let mut n = self.last_index();
        while n > self.commit_index {
            let replicas = 1 + match_index.values().filter(|m| **m >= n).count();
            let own_term = self.term_at(n) == Some(self.current_term);
            if replicas >= ctx.cluster.quorum() {
                if own_term || old_term_ok {
                    self.commit_to(n, ctx);
                    return;
                }
                // NB: the Figure 8 rule. This entry is on a majority but is
                // from an older term, so another leader could still
                // overwrite it; it commits only with an entry of this term.
                ctx.refuse(Note::OldTermNotCommitted {
                    index: n,
                    its_term: self.term_at(n).unwrap_or(0),
                    current: self.current_term,
                });
                return;
            }
            n -= 1;
        }
    }

    /// Advance `commitIndex` to `index`, applying the newly committed entries.
    fn commit_to(&mut self, index: Index, ctx: &mut RaftCtx<'_>) {
        let index = index.min(self.last_index());
        if index <= self.commit_index {
            return;
        }
        self.commit_index = index;
        // "If commitIndex > lastApplied: increment lastApplied, apply
        // log[lastApplied] to state machine."
        while self.last_applied < self.commit_index {
            self.last_applied += 1;
            let e = self.log[(self.last_applied - 1) as usize];
            ctx.observe(Observation::Decided {
                slot: self.last_applied,
                value: e.value,
            });
        }
        self.start_waiting_reads(ctx);
    }

    /// The leader's reads that waited for an entry of its term to commit
    /// start their round once one has.
    fn start_waiting_reads(&mut self, ctx: &mut RaftCtx<'_>) {
        if self.term_at(self.commit_index) == Some(self.current_term) {
            self.start_read_round(ctx);
        }
    }

    /// ReadIndex steps 1 and 2 for every read not yet in a round: note the
    /// commit index and send a heartbeat round to confirm leadership.
    fn start_read_round(&mut self, ctx: &mut RaftCtx<'_>) {
        let commit = self.commit_index;
        let Role::Leader { reads, .. } = &mut self.role else {
            return;
        };
        if reads.pending.iter().all(|r| r.at.is_some()) {
            return;
        }
        let round = reads.next_round(ctx.now, ctx.cluster.variant(Variant::RaftLease));
        for r in reads.pending.iter_mut().filter(|r| r.at.is_none()) {
            r.at = Some((commit, round));
            ctx.note(Note::ReadRound {
                id: r.id,
                index: commit,
                round,
            });
        }
        self.send_read_round(ctx);
    }

    /// Send every follower a heartbeat of the current read round.
    fn send_read_round(&mut self, ctx: &mut RaftCtx<'_>) {
        for peer in ctx.cluster.peers(ctx.id) {
            self.send_append_for(peer, Purpose::Read, ctx);
        }
        self.confirm_reads(ctx);
    }

    /// Answer the reads whose round a majority has answered (this node
    /// counts for itself).
    fn confirm_reads(&mut self, ctx: &mut RaftCtx<'_>) {
        let Role::Leader { reads, .. } = &mut self.role else {
            return;
        };
        let quorum = ctx.cluster.quorum();
        let acked = &reads.acked;
        reads.pending.retain(|r| {
            let Some((index, round)) = r.at else {
                return true;
            };
            if 1 + acked.values().filter(|a| **a >= round).count() < quorum {
                return true;
            }
            ctx.note(Note::ReadConfirmed {
                id: r.id,
                index,
                round,
            });
            ctx.serve_read(r.id, index as u32);
            false
        });
    }

    fn on_request_vote(
        &mut self,
        from: NodeId,
        term: Term,
        last_log_index: Index,
        last_log_term: Term,
        ctx: &mut RaftCtx<'_>,
    ) {
        // Thesis §4.2.3: "if a server receives a RequestVote request within
        // the minimum election timeout of hearing from a current leader, it
        // does not update its term or grant its vote." Leases rely on it.
        if ctx.cluster.variant(Variant::RaftLease) && self.heard_leader && term > self.current_term
        {
            ctx.refuse(Note::VoteLeaderAlive { from, term });
            return;
        }
        self.observe_term(term, from, ctx);
        // RequestVote receiver implementation, Figure 2.
        // 1. "Reply false if term < currentTerm."
        let granted = if term < self.current_term {
            ctx.refuse(Note::VoteOlderTerm {
                from,
                term,
                mine: self.current_term,
            });
            false
        } else if self.voted_for.is_some_and(|v| v != from) {
            // 2. "If votedFor is null or candidateId ..."
            ctx.refuse(Note::VoteAlreadyCast {
                from,
                voted_for: self.voted_for.unwrap_or(0),
                term,
            });
            false
        } else if (last_log_term, last_log_index) < (self.last_term(), self.last_index()) {
            // "... and candidate's log is at least as up-to-date as
            // receiver's log, grant vote" (§5.4.1: compare the last
            // entries' terms, then the logs' lengths).
            if last_log_term != self.last_term() {
                ctx.refuse(Note::VoteLogOlderTerm {
                    from,
                    theirs: last_log_term,
                    mine: self.last_term(),
                });
            } else {
                ctx.refuse(Note::VoteLogShorter {
                    from,
                    theirs: last_log_index,
                    mine: self.last_index(),
                    term: last_log_term,
                });
            }
            false
        } else {
            self.voted_for = Some(from);
            ctx.note(Note::Voted { to: from, term });
            // Granting a vote resets the election timer (Figure 2, Followers).
            Self::reset_election_timer(ctx);
            true
        };
        ctx.reply(
            from,
            Msg::RequestVoteReply {
                term: self.current_term,
                granted,
            },
        );
    }

    fn on_request_vote_reply(
        &mut self,
        from: NodeId,
        term: Term,
        granted: bool,
        ctx: &mut RaftCtx<'_>,
    ) {
        self.observe_term(term, from, ctx);
        let current = self.current_term;
        let Role::Candidate { votes } = &mut self.role else {
            ctx.refuse(Note::VoteReplyNotCampaigning { from });
            return;
        };
        if term < current {
            ctx.refuse(Note::VoteReplyOldTerm {
                from,
                term,
                current,
            });
            return;
        }
        if granted {
            votes.insert(from);
            self.maybe_win(ctx);
        }
    }

    fn on_append_entries(&mut self, from: NodeId, msg: Msg, ctx: &mut RaftCtx<'_>) {
        let Msg::AppendEntries {
            term,
            prev_log_index,
            prev_log_term,
            entries,
            leader_commit,
            read,
        } = msg
        else {
            return;
        };
        self.observe_term(term, from, ctx);
        // AppendEntries receiver implementation, Figure 2.
        // 1. "Reply false if term < currentTerm."
        if term < self.current_term {
            ctx.refuse(Note::AppendOlderTerm {
                from,
                term,
                mine: self.current_term,
            });
            let reply = Msg::AppendEntriesReply {
                term: self.current_term,
                success: false,
                index: self.last_index(),
                read,
            };
            ctx.reply(from, reply);
            return;
        }
        // §5.2: a candidate that hears from a leader of its own term
        // recognizes it and returns to follower state.
        if matches!(self.role, Role::Candidate { .. }) {
            ctx.milestone(
                Milestone::SteppedDown,
                Note::CandidateStepsDown { from, term },
            );
            ctx.observe(Observation::Role {
                role: "Follower",
                era: term,
            });
        }
        self.role = Role::Follower { leader: Some(from) };
        self.heard_leader = true;
        Self::reset_election_timer(ctx);

        // 2. "Reply false if log doesn't contain an entry at prevLogIndex
        // whose term matches prevLogTerm."
        match self.term_at(prev_log_index) {
            None => {
                ctx.refuse(Note::AppendMissingPrev {
                    from,
                    prev: prev_log_index,
                    last: self.last_index(),
                });
                let reply = Msg::AppendEntriesReply {
                    term: self.current_term,
                    success: false,
                    index: self.last_index(),
                    read,
                };
                ctx.reply(from, reply);
                return;
            }
            Some(t) if t != prev_log_term => {
                ctx.refuse(Note::AppendPrevConflict {
                    from,
                    prev: prev_log_index,
                    mine: t,
                    theirs: prev_log_term,
                });
                let reply = Msg::AppendEntriesReply {
                    term: self.current_term,
                    success: false,
                    index: prev_log_index - 1,
                    read,
                };
                ctx.reply(from, reply);
                return;
            }
            Some(_) => {}
        }

        // 3. "If an existing entry conflicts with a new one (same index but
        // different terms), delete the existing entry and all that follow it."
        // 4. "Append any new entries not already in the log."
        // NB: only a *conflict* truncates. A stale, reordered AppendEntries
        // carrying fewer entries must not cut off entries that match.
        for (k, entry) in entries.iter().enumerate() {
            let index = prev_log_index + 1 + k as Index;
            match self.term_at(index) {
                Some(t) if t == entry.term => continue,
                Some(t) => {
                    let removed = self.last_index() - index + 1;
                    ctx.milestone(
                        Milestone::Truncation,
                        Note::Truncated {
                            removed,
                            index,
                            mine: t,
                            theirs: entry.term,
                        },
                    );
                    self.log.truncate((index - 1) as usize);
                    self.log.push(*entry);
                }
                None => self.log.push(*entry),
            }
        }
        let last_new = prev_log_index + entries.len() as Index;

        // 5. "If leaderCommit > commitIndex, set commitIndex =
        // min(leaderCommit, index of last new entry)."
        if leader_commit > self.commit_index {
            self.commit_to(leader_commit.min(last_new), ctx);
        }
        ctx.reply(
            from,
            Msg::AppendEntriesReply {
                term: self.current_term,
                success: true,
                index: last_new,
                read,
            },
        );
    }

    fn on_append_reply(
        &mut self,
        from: NodeId,
        term: Term,
        (success, index, read): (bool, Index, u64),
        ctx: &mut RaftCtx<'_>,
    ) {
        self.observe_term(term, from, ctx);
        let current = self.current_term;
        let last = self.last_index();
        let Role::Leader {
            next_index,
            match_index,
            reads,
        } = &mut self.role
        else {
            ctx.refuse(Note::AppendReplyNotLeader { from });
            return;
        };
        if term < current {
            ctx.refuse(Note::AppendReplyOldTerm {
                from,
                term,
                current,
            });
            return;
        }
        // Any answer of this term to a heartbeat of round `read` shows the
        // follower still took this node for its leader then.
        let acked = reads.acked.entry(from).or_insert(0);
        *acked = (*acked).max(read);
        if ctx.cluster.variant(Variant::RaftLease) {
            reads.renew_lease(ctx.cluster.quorum(), &ctx.cluster.timing);
        }
        if success {
            // "If successful: update nextIndex and matchIndex for follower."
            // Replies may arrive out of order, so both only move forward.
            let m = match_index.entry(from).or_insert(0);
            *m = (*m).max(index);
            let n = next_index.entry(from).or_insert(last + 1);
            *n = (*n).max(index + 1);
            self.advance_commit(ctx);
        } else {
            // "If AppendEntries fails because of log inconsistency:
            // decrement nextIndex and retry." The follower's hint lets the
            // leader skip entries it certainly lacks.
            let n = next_index.entry(from).or_insert(last + 1);
            let back = (*n).saturating_sub(1).min(index + 1).max(1);
            *n = back;
            ctx.note(Note::Retrying { from, back });
            self.send_append(from, ctx);
        }
        self.confirm_reads(ctx);
    }

    /// ReadIndex (thesis §6.4): 1. note the commit index, once an entry
    /// of this term is committed; 2. confirm leadership with a heartbeat
    /// round answered by a majority; 3. answer once the noted index is
    /// applied (the simulator does that when told by `serve_read`).
    ///
    /// A `lease` read (thesis §6.4.1) skips step 2 while the leader's lease
    /// holds: no other leader can have been elected yet.
    fn on_read(&mut self, id: ReadId, lease: bool, ctx: &mut RaftCtx<'_>) {
        let own_term_committed = self.term_at(self.commit_index) == Some(self.current_term);
        let commit = self.commit_index;
        let term = self.current_term;
        let Role::Leader { reads, .. } = &mut self.role else {
            let leader = self.known_leader();
            ctx.refuse(Note::ReadNotLeader { id, leader });
            ctx.redirect(Ask::Read(id), leader);
            return;
        };
        if ctx.cluster.mistake(Mistake::RaftStaleRead) {
            // The mistake: a leader that may already be deposed answers from
            // its own state.
            ctx.note(Note::ReadUnconfirmed { id, index: commit });
            ctx.serve_read(id, commit as u32);
            return;
        }
        if lease && !ctx.cluster.variant(Variant::RaftLease) {
            ctx.note(Note::NoLeases { id });
        } else if lease && own_term_committed && ctx.now < reads.lease_until {
            ctx.note(Note::LeaseRead {
                id,
                index: commit,
                until: reads.lease_until,
            });
            ctx.serve_read(id, commit as u32);
            return;
        } else if lease && own_term_committed {
            ctx.note(Note::LeaseLapsed {
                id,
                until: reads.lease_until,
            });
        }
        reads.pending.push(PendingRead { id, at: None });
        if !own_term_committed && !ctx.cluster.mistake(Mistake::RaftReadBeforeNoop) {
            // NB: a new leader's commit index may lag entries an earlier
            // leader committed; until an entry of its own term commits it
            // cannot know how far (this is what the paper's no-op is for).
            ctx.note(Note::ReadWaits { id, term });
            return;
        }
        self.start_read_round(ctx);
    }

    fn on_client_request(&mut self, value: Value, ctx: &mut RaftCtx<'_>) {
        if !self.is_leader() {
            let leader = self.known_leader();
            ctx.refuse(Note::NotLeader {
                value,
                leader,
                term: self.current_term,
            });
            ctx.redirect(Ask::Value(value), leader);
            return;
        }
        // "If command received from client: append entry to local log,
        // respond after entry applied to state machine."
        self.log.push(Entry {
            term: self.current_term,
            value,
        });
        ctx.note(Note::Appended {
            value,
            index: self.last_index(),
        });
        self.broadcast_append(ctx);
        self.advance_commit(ctx);
    }
}

impl Protocol for Raft {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Note = Note;
    type Checker = RaftChecker;

    const NAME: &'static str = "raft";
    const TEXTBOOK_PER_PEER: u64 = 2;
    const TITLE: &'static str = "Raft";
    const LETTER: char = 'r';
    const LEARNING: &'static str = "followers learn the new commit index from the leader's next AppendEntries: no message of its own, so not counted";
    const LABEL: &'static str = "term";

    /// §5.2: "When servers start up, they begin as followers."
    fn boot(ctx: &mut Ctx<'_, Raft>) -> Self {
        let durable = Durable {
            current_term: 0,
            voted_for: None,
            log: Vec::new(),
        };
        Raft {
            // A new cluster has had no leader to stick to.
            heard_leader: false,
            ..Self::restart(durable, ctx)
        }
    }

    fn restart(durable: Durable, ctx: &mut Ctx<'_, Raft>) -> Self {
        Self::reset_election_timer(ctx);
        Raft {
            id: ctx.id,
            current_term: durable.current_term,
            voted_for: durable.voted_for,
            log: durable.log,
            commit_index: 0,
            last_applied: 0,
            role: Role::Follower { leader: None },
            volatile_vote: ctx.cluster.mistake(Mistake::RaftVolatileVote),
            // A restarted node cannot know whether it answered a leader's
            // heartbeat just before it crashed: it waits out its election
            // timer before it helps elect anyone, or a lease could break.
            heard_leader: true,
        }
    }

    fn durable(&self) -> Durable {
        Durable {
            current_term: self.current_term,
            voted_for: if self.volatile_vote {
                None
            } else {
                self.voted_for
            },
            log: self.log.clone(),
        }
    }

    fn handle(&mut self, input: Input<Msg, Timer>, ctx: &mut Ctx<'_, Raft>) {
        match input {
            Input::Timer(Timer::Election) => {
                if self.is_leader() {
                    ctx.refuse(Note::ElectionTimerAtLeader);
                } else {
                    self.start_election(ctx);
                }
            }
            Input::Timer(Timer::Heartbeat) => {
                if let Role::Leader { reads, .. } = &mut self.role {
                    // With leases every heartbeat is a round: its answers
                    // renew the lease.
                    if ctx.cluster.variant(Variant::RaftLease) {
                        reads.next_round(ctx.now, true);
                    }
                    self.broadcast_append(ctx);
                    ctx.set_timer(Timer::Heartbeat, ctx.cluster.timing.heartbeat);
                }
            }
            Input::Request(value) => self.on_client_request(value, ctx),
            Input::Deliver { from, msg } => match msg {
                Msg::RequestVote {
                    term,
                    last_log_index,
                    last_log_term,
                } => {
                    self.on_request_vote(from, term, last_log_index, last_log_term, ctx);
                }
                Msg::RequestVoteReply { term, granted } => {
                    self.on_request_vote_reply(from, term, granted, ctx);
                }
                msg @ Msg::AppendEntries { .. } => self.on_append_entries(from, msg, ctx),
                Msg::AppendEntriesReply {
                    term,
                    success,
                    index,
                    read,
                } => {
                    self.on_append_reply(from, term, (success, index, read), ctx);
                }
            },
        }
    }

    const READ_PATHS: &'static [ReadPath] = &[ReadPath::ReadIndex, ReadPath::Lease];

    fn read(&mut self, id: ReadId, path: ReadPath, ctx: &mut RaftCtx<'_>) {
        match path {
            ReadPath::ReadIndex => self.on_read(id, false, ctx),
            ReadPath::Lease => self.on_read(id, true, ctx),
            ReadPath::Log | ReadPath::Local | ReadPath::Sync => {}
        }
    }

    /// A leader has committed its whole log. (A follower may legitimately
    /// keep uncommitted surplus entries until a leader overwrites them.)
    fn quiescent(&self) -> bool {
        !self.is_leader() || self.commit_index == self.last_index()
    }

    fn leads(&self) -> bool {
        self.is_leader()
    }

    fn era(&self) -> u64 {
        self.current_term
    }

    fn role_name(&self) -> &'static str {
        match self.role {
            Role::Follower { .. } => "Follower",
            Role::Candidate { .. } => "Candidate",
            Role::Leader { .. } => "Leader",
        }
    }

    fn decided(&self, index: u32) -> Option<Value> {
        (Index::from(index) < self.commit_index).then(|| self.log[index as usize].value)
    }

    fn has_decided(&self, value: Value) -> bool {
        self.log[..self.commit_index as usize]
            .iter()
            .rev()
            .any(|e| e.value == value)
    }

    fn view(&self) -> NodeView {
        let mut details = alloc::vec![
            ("currentTerm", format!("{}", self.current_term)),
            (
                "votedFor",
                self.voted_for.map_or("none".into(), |v| format!("n{v}")),
            ),
            ("commitIndex", format!("{}", self.commit_index)),
            ("lastApplied", format!("{}", self.last_applied)),
        ];
        match &self.role {
            Role::Follower { leader } => {
                details.push((
                    "leader",
                    leader.map_or("unknown".into(), |l| format!("n{l}")),
                ));
            }
            Role::Candidate { votes } => {
                let v: Vec<_> = votes.iter().map(|n| format!("n{n}")).collect();
                details.push(("votes", v.join(" ")));
            }
            Role::Leader {
                next_index,
                match_index,
                reads,
            } => {
                if !reads.pending.is_empty() {
                    let r: Vec<_> = reads.pending.iter().map(|r| format!("r{}", r.id)).collect();
                    details.push(("reads", r.join(" ")));
                }
                let n: Vec<_> = next_index
                    .iter()
                    .map(|(p, i)| format!("n{p}:{i}"))
                    .collect();
                let m: Vec<_> = match_index
                    .iter()
                    .map(|(p, i)| format!("n{p}:{i}"))
                    .collect();
                details.push(("nextIndex", n.join(" ")));
                details.push(("matchIndex", m.join(" ")));
            }
        }
        NodeView {
            role: self.role_name(),
            standing: match self.role {
                Role::Follower { .. } => Standing::Serves,
                Role::Candidate { .. } => Standing::Seeks,
                Role::Leader { .. } => Standing::Leads,
            },
            leads: self.leads(),
            era_name: "term",
            era: self.era(),
            log: self
                .log
                .iter()
                .enumerate()
                .map(|(i, e)| EntryView {
                    index: i as u64 + 1,
                    label: format!("{}", e.term),
                    key: e.term,
                    value: e.value,
                    committed: (i as Index) < self.commit_index,
                })
                .collect(),
            details,
        }
    }
}

#[cfg(test)]
mod tests;
