//! Zab, as in Junqueira, Reed & Serafini, "Zab: High-performance broadcast
//! for primary-backup systems" (DSN 2011), with the leader election of
//! ZooKeeper's implementation (Fast Leader Election).
//!
//! Zab delivers a leader's transactions in the order it proposed them, and
//! all transactions of one epoch before any of the next. Each transaction is
//! named by a *zxid* `(epoch, counter)`, compared lexicographically. A node
//! runs through four phases:
//!
//! 0. **Election.** `Looking` nodes exchange votes and settle on the node
//!    with the most up-to-date history — highest `(currentEpoch, last zxid)`,
//!    then highest id — as *prospective leader*.
//! 1. **Discovery.** Followers send `CEPOCH(acceptedEpoch)`. With a quorum,
//!    the leader proposes a new epoch `e'` above all of them (`NEWEPOCH`).
//!    A follower that accepts sets `acceptedEpoch = e'` and answers `ACK-E`
//!    with its `currentEpoch` and history; the leader takes the most
//!    up-to-date history of the quorum as its own.
//! 2. **Synchronization.** The leader sends `NEWLEADER(e', history)`. A
//!    follower adopts the history — NB: *including truncating* entries the
//!    leader never had; keeping them is ZOOKEEPER-1154, the
//!    `zab-skip-truncate` mistake — sets `currentEpoch = e'` and answers
//!    `ACK-LD`. With a quorum of those, the leader sends `COMMIT-LD` and the
//!    followers deliver the history.
//! 3. **Broadcast.** For each client value the leader sends
//!    `PROPOSE(e', zxid)`; followers append and `ACK`; with a quorum the
//!    leader delivers and sends `COMMIT`: 3(N-1) messages per decision.
//!
//! Zab assumes FIFO channels (TCP): a follower that notices a gap in what
//! its leader sent (a lost message) drops the connection and goes back to
//! election, as ZooKeeper does. A leader that stops hearing from a quorum
//! abandons its epoch.
//!
//! **Sessions.** TCP gives Zab a second guarantee the paper leans on without
//! naming it: when a follower reconnects, nothing sent on the old connection
//! is ever read on the new one. Our network may duplicate and delay messages
//! and keeps them across a reconnection, so each follower numbers the
//! sessions it opens with a leader (a counter on disk, so a restart never
//! reuses a number) and every discovery, synchronization and broadcast
//! message carries the number of the session it belongs to. Each side
//! ignores a message of an earlier session, as a closed socket would. Without
//! this, a stale NEWLEADER from an earlier sync reaching a follower that
//! rejoined the same leader in the same epoch would pass every phase and
//! epoch check and truncate a transaction the follower had already delivered
//! (the `zab-stale-sync` mistake).
//!
//! The split between `acceptedEpoch` (promised in discovery) and
//! `currentEpoch` (adopted in synchronization) is what stops an old leader
//! from being re-followed in the middle of a newer epoch's recovery.
//! Durable: both epochs, the history and the last session number.

mod check;
mod note;

pub use check::ZabChecker;
pub use note::{Note, Why};

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::check::common_prefix;
use crate::kv::{ReadId, ReadPath};
use crate::protocol::{
    Ask, Category, Ctx, EntryView, Input, Message, Milestone, Mistake, NodeId, NodeView,
    Observation, Protocol, Purpose, Standing, TimerKind, Value,
};

/// An epoch: the reign of one established leader.
pub type Epoch = u32;

/// The number of a follower-leader session, as a follower counts the
/// sessions it opens: what a TCP connection is in ZooKeeper.
pub type Session = u32;

/// A transaction id: `(epoch, counter)`, compared epoch first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Zxid {
    /// The epoch of the leader that proposed it.
    pub epoch: Epoch,
    /// Its position among that leader's proposals, from 1.
    pub counter: u32,
}

impl Zxid {
    /// The zxid as one number, as ZooKeeper stores it (epoch in the high half).
    pub fn packed(self) -> u64 {
        (u64::from(self.epoch) << 32) | u64::from(self.counter)
    }
}

impl fmt::Display for Zxid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({},{})", self.epoch, self.counter)
    }
}

/// One transaction of a history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Txn {
    /// Its id.
    pub zxid: Zxid,
    /// The client value.
    pub value: Value,
}

/// A vote in leader election: who should lead, and how up to date that
/// node's history is. Votes are ordered by (epoch, zxid, leader id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Vote {
    /// The proposed leader's `currentEpoch`.
    pub epoch: Epoch,
    /// The proposed leader's last zxid.
    pub zxid: Zxid,
    /// The proposed leader.
    pub leader: NodeId,
}

/// The state a voter reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PeerState {
    /// Still electing.
    Looking,
    /// Following the voted leader.
    Following,
    /// Leading.
    Leading,
}

/// Zab's messages, with the paper's names.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Election notification.
    Vote {
        vote: Vote,
        round: u64,
        state: PeerState,
    },
    /// Discovery: a follower's `acceptedEpoch`; opens session `session`.
    CEpoch {
        accepted_epoch: Epoch,
        session: Session,
    },
    /// Discovery: the new epoch.
    NewEpoch { epoch: Epoch, session: Session },
    /// Discovery: a follower accepts epoch `epoch` and reports its history.
    /// `promise` is false when the follower had already accepted this epoch
    /// (a rejoin): it may be synchronized, but does not count towards the
    /// discovery quorum, as in ZooKeeper.
    /// NB: naming the epoch matters as `last` does for ACK-LD. In ZooKeeper
    /// the connection says it: a prospective leader that gives up closes
    /// every connection, so a promise made to its earlier attempt can never
    /// reach the next one. Here it can, and the attempts differ in epoch.
    AckEpoch {
        epoch: Epoch,
        current_epoch: Epoch,
        history: Vec<Txn>,
        promise: bool,
        session: Session,
    },
    /// Synchronization: the leader's initial history for the epoch.
    NewLeader {
        epoch: Epoch,
        history: Vec<Txn>,
        session: Session,
    },
    /// Synchronization: the follower adopted it, up to zxid `last`.
    /// NB: naming `last` matters on a network that duplicates or delays
    /// messages (ZooKeeper relies on TCP instead): an old ACK-LD must not
    /// vouch for proposals the follower never received.
    AckLeader {
        epoch: Epoch,
        last: Option<Zxid>,
        session: Session,
    },
    /// Synchronization: deliver the history up to `upto`.
    CommitLeader {
        epoch: Epoch,
        upto: Option<Zxid>,
        session: Session,
    },
    /// Broadcast: a new transaction.
    Propose {
        epoch: Epoch,
        txn: Txn,
        session: Session,
    },
    /// Broadcast: the follower logged it.
    Ack {
        epoch: Epoch,
        zxid: Zxid,
        session: Session,
    },
    /// Broadcast: deliver up to `zxid`.
    Commit {
        epoch: Epoch,
        zxid: Zxid,
        session: Session,
    },
    /// Keep-alive from the leader, with what it has committed.
    Ping {
        epoch: Epoch,
        committed: Option<Zxid>,
        session: Session,
    },
    /// Keep-alive answer, with the follower's last logged zxid.
    /// NB: over TCP an ACK is never lost while the connection lives; here it
    /// can be, and the leader would wait for it forever. So the PONG says
    /// how far the follower's log goes, and the leader counts it as an ACK
    /// of every proposal up to there: a cumulative acknowledgement, as
    /// TCP's own are. Within a session a follower's log only grows.
    Pong {
        epoch: Epoch,
        last: Option<Zxid>,
        session: Session,
    },
    /// ZooKeeper's sync: a follower asks for read `read` how far the
    /// leader's history goes.
    Sync {
        epoch: Epoch,
        read: ReadId,
        session: Session,
    },
    /// The answer: the leader held `upto` transactions when the SYNC
    /// arrived. The follower reads once it has delivered that many; on a
    /// FIFO link their COMMITs come before this reply, as in ZooKeeper.
    SyncReply {
        epoch: Epoch,
        read: ReadId,
        upto: u32,
        session: Session,
    },
}

impl Msg {
    /// The session a leader-follower message belongs to (votes have none:
    /// election happens before any session is opened).
    pub fn session(&self) -> Option<Session> {
        match self {
            Msg::Vote { .. } => None,
            Msg::CEpoch { session, .. }
            | Msg::NewEpoch { session, .. }
            | Msg::AckEpoch { session, .. }
            | Msg::NewLeader { session, .. }
            | Msg::AckLeader { session, .. }
            | Msg::CommitLeader { session, .. }
            | Msg::Propose { session, .. }
            | Msg::Ack { session, .. }
            | Msg::Commit { session, .. }
            | Msg::Ping { session, .. }
            | Msg::Pong { session, .. }
            | Msg::Sync { session, .. }
            | Msg::SyncReply { session, .. } => Some(*session),
        }
    }
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Vote { .. } => "VOTE",
            Msg::CEpoch { .. } => "CEPOCH",
            Msg::NewEpoch { .. } => "NEWEPOCH",
            Msg::AckEpoch { .. } => "ACK-E",
            Msg::NewLeader { .. } => "NEWLEADER",
            Msg::AckLeader { .. } => "ACK-LD",
            Msg::CommitLeader { .. } => "COMMIT-LD",
            Msg::Propose { .. } => "PROPOSE",
            Msg::Ack { .. } => "ACK",
            Msg::Commit { .. } => "COMMIT",
            Msg::Ping { .. } => "PING",
            Msg::Pong { .. } => "PONG",
            Msg::Sync { .. } => "SYNC",
            Msg::SyncReply { .. } => "SYNC-REPLY",
        }
    }

    fn category(&self) -> Category {
        match self {
            Msg::Vote { .. } | Msg::Sync { .. } => Category::Ask,
            Msg::CEpoch { .. } | Msg::AckEpoch { .. } | Msg::SyncReply { .. } => Category::Answer,
            Msg::Propose { .. } => Category::Carry,
            Msg::Ack { .. } => Category::Ack,
            Msg::Commit { .. } | Msg::CommitLeader { .. } => Category::Commit,
            Msg::NewEpoch { .. } | Msg::NewLeader { .. } | Msg::AckLeader { .. } => {
                Category::Recover
            }
            Msg::Ping { .. } | Msg::Pong { .. } => Category::Keepalive,
        }
    }
}

fn history_text(h: &[Txn]) -> String {
    let items: Vec<String> = h
        .iter()
        .map(|t| format!("v{}{}", t.value, t.zxid))
        .collect();
    format!("[{}]", items.join(" "))
}

fn opt_zxid(z: &Option<Zxid>) -> String {
    z.map_or("none".into(), |z| format!("{z}"))
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind();
        match self {
            Msg::Vote { vote, round, state } => write!(
                f,
                "{kind} leader=n{} epoch={} zxid={} round={round} state={state:?}",
                vote.leader, vote.epoch, vote.zxid
            ),
            Msg::CEpoch { accepted_epoch, .. } => {
                write!(f, "{kind} acceptedEpoch={accepted_epoch}")
            }
            Msg::NewEpoch { epoch, .. } => write!(f, "{kind} epoch={epoch}"),
            Msg::AckEpoch {
                epoch,
                current_epoch,
                history,
                promise,
                ..
            } => write!(
                f,
                "{kind} epoch={epoch} currentEpoch={current_epoch} history={}{}",
                history_text(history),
                if *promise { "" } else { " (already accepted)" }
            ),
            Msg::NewLeader { epoch, history, .. } => {
                write!(f, "{kind} epoch={epoch} history={}", history_text(history))
            }
            Msg::AckLeader { epoch, last, .. } => {
                write!(f, "{kind} epoch={epoch} last={}", opt_zxid(last))
            }
            Msg::CommitLeader { epoch, upto, .. } => {
                write!(f, "{kind} epoch={epoch} upto={}", opt_zxid(upto))
            }
            Msg::Propose { epoch, txn, .. } => {
                write!(
                    f,
                    "{kind} epoch={epoch} zxid={} value=v{}",
                    txn.zxid, txn.value
                )
            }
            Msg::Ack { epoch, zxid, .. } | Msg::Commit { epoch, zxid, .. } => {
                write!(f, "{kind} epoch={epoch} zxid={zxid}")
            }
            Msg::Ping {
                epoch, committed, ..
            } => {
                write!(f, "{kind} epoch={epoch} committed={}", opt_zxid(committed))
            }
            Msg::Pong { epoch, last, .. } => {
                write!(f, "{kind} epoch={epoch} last={}", opt_zxid(last))
            }
            Msg::Sync { epoch, read, .. } => write!(f, "{kind} epoch={epoch} read=r{read}"),
            Msg::SyncReply {
                epoch, read, upto, ..
            } => write!(f, "{kind} epoch={epoch} read=r{read} upto={upto}"),
        }?;
        match self.session() {
            Some(s) => write!(f, " session={s}"),
            None => Ok(()),
        }
    }
}

/// Zab's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// A looking node re-sends its vote.
    Election,
    /// A looking node whose vote has a quorum waits this long for a better
    /// vote before it decides (ZooKeeper's `finalizeWait`).
    Finalize,
    /// A leader pings its followers.
    Heartbeat,
    /// A leader checks it still hears from a quorum (and that its recovery finished).
    Quorum,
    /// A follower has not heard from its leader for too long.
    LeaderTimeout,
}

impl TimerKind for Timer {
    const ALL: &'static [Timer] = &[
        Timer::Election,
        Timer::Finalize,
        Timer::Heartbeat,
        Timer::Quorum,
        Timer::LeaderTimeout,
    ];
    const TIME_OUTS: &'static [Timer] = &[Timer::LeaderTimeout, Timer::Election, Timer::Quorum];
    const ROUTINE: &'static [Timer] = &[Timer::Heartbeat, Timer::Quorum];
    fn name(self) -> &'static str {
        match self {
            Timer::Election => "election",
            Timer::Finalize => "finalize",
            Timer::Heartbeat => "heartbeat",
            Timer::Quorum => "quorum",
            Timer::LeaderTimeout => "leader-timeout",
        }
    }
}

/// A follower's phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowerPhase {
    /// Sent CEPOCH, waiting for NEWEPOCH.
    Discovery,
    /// Sent ACK-E, waiting for NEWLEADER.
    Sync,
    /// Sent ACK-LD, waiting for COMMIT-LD.
    Synced,
    /// Receiving proposals.
    Broadcast,
}

/// A leader's phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeaderPhase {
    /// Gathering CEPOCH, then ACK-E, from a quorum.
    Discovery,
    /// Waiting for ACK-LD from a quorum.
    Sync,
    /// Established: proposing.
    Broadcast,
}

/// What a leader tracks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leader {
    /// The new epoch, once chosen.
    pub epoch: Option<Epoch>,
    /// The phase.
    pub phase: LeaderPhase,
    /// CEPOCH received: follower -> its acceptedEpoch (the discovery quorum).
    pub cepochs: BTreeMap<NodeId, Epoch>,
    /// ACK-E received: follower -> (currentEpoch, history).
    pub ackes: BTreeMap<NodeId, (Epoch, Vec<Txn>)>,
    /// Followers that acknowledged without a fresh promise, to be synced.
    pub rejoining: BTreeSet<NodeId>,
    /// The history the epoch started from (`I_e'` in the paper).
    pub initial: Vec<Txn>,
    /// Each follower's current session: the last one it opened with us. A
    /// message of an earlier session is stale: its connection is closed.
    pub sessions: BTreeMap<NodeId, Session>,
    /// Followers sent NEWLEADER in their current session: they get every
    /// proposal from then on.
    pub forwarding: BTreeSet<NodeId>,
    /// Followers that acknowledged NEWLEADER.
    pub synced: BTreeSet<NodeId>,
    /// ACKs per uncommitted proposal.
    pub acks: BTreeMap<Zxid, BTreeSet<NodeId>>,
    /// Followers heard from since the last quorum check.
    pub heard: BTreeSet<NodeId>,
}

impl Leader {
    /// Follower `f`'s current session (0: it has opened none with us).
    pub fn session(&self, f: NodeId) -> Session {
        self.sessions.get(&f).copied().unwrap_or(0)
    }

    /// Count `f` as having acknowledged every proposal up to `last`.
    fn ack_upto(&mut self, f: NodeId, last: Option<Zxid>) {
        for (z, acks) in self.acks.iter_mut() {
            if Some(*z) <= last {
                acks.insert(f);
            }
        }
    }
}

/// A node's role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// Electing a leader.
    Looking {
        vote: Vote,
        votes: BTreeMap<NodeId, Vote>,
        /// Reports from nodes that already follow or lead: node -> leader.
        settled: BTreeMap<NodeId, (NodeId, PeerState)>,
        /// CEPOCHs (acceptedEpoch, session) that arrived before this node
        /// knew it would lead.
        early: BTreeMap<NodeId, (Epoch, Session)>,
    },
    /// Following `leader` in session `session`.
    Following {
        leader: NodeId,
        phase: FollowerPhase,
        session: Session,
    },
    /// Leading.
    Leading(Leader),
}

/// What a Zab node keeps on stable storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Durable {
    /// The last epoch promised in discovery (`f.p` in the paper).
    pub accepted_epoch: Epoch,
    /// The last epoch adopted in synchronization (`f.a`).
    pub current_epoch: Epoch,
    /// The history of transactions.
    pub history: Vec<Txn>,
    /// The last session this node opened with a leader. ZooKeeper gets a
    /// fresh connection from TCP; a number kept on disk plays that part here.
    pub session: Session,
}

/// One Zab node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zab {
    accepted_epoch: Epoch,
    current_epoch: Epoch,
    history: Vec<Txn>,
    /// How many history entries are delivered (committed), in order.
    delivered: usize,
    /// The last session this node opened with a leader (durable).
    session: Session,
    /// The election round (ZooKeeper's logical clock).
    round: u64,
    role: Role,
}

type ZabCtx<'a> = Ctx<'a, Zab>;

impl Zab {
    /// The node's role.
    pub fn role(&self) -> &Role {
        &self.role
    }

    /// The history.
    pub fn history(&self) -> &[Txn] {
        &self.history
    }

    /// The delivered prefix of the history.
    pub fn delivered(&self) -> &[Txn] {
        &self.history[..self.delivered]
    }

    /// The last epoch promised in discovery.
    pub fn accepted_epoch(&self) -> Epoch {
        self.accepted_epoch
    }

    /// The last epoch adopted.
    pub fn current_epoch(&self) -> Epoch {
        self.current_epoch
    }

    fn last_zxid(&self) -> Zxid {
        self.history.last().map_or(Zxid::default(), |t| t.zxid)
    }

    fn own_vote(&self, id: NodeId) -> Vote {
        Vote {
            epoch: self.current_epoch,
            zxid: self.last_zxid(),
            leader: id,
        }
    }

    fn peer_state(&self) -> PeerState {
        match self.role {
            Role::Looking { .. } => PeerState::Looking,
            Role::Following { .. } => PeerState::Following,
            Role::Leading(_) => PeerState::Leading,
        }
    }

    fn announce(&self, ctx: &mut ZabCtx<'_>) {
        ctx.observe(Observation::Role {
            role: self.role_name(),
            era: u64::from(self.current_epoch),
        });
    }

    /// Phase 0: (re)start leader election with a vote for ourselves.
    fn look(&mut self, why: Why, ctx: &mut ZabCtx<'_>) {
        if let Role::Leading(_) = self.role {
            ctx.milestone(Milestone::SteppedDown, Note::StopsLeading(why));
        } else {
            ctx.milestone(Milestone::ElectionStarted, Note::Looking(why));
        }
        ctx.cancel_timer(Timer::Heartbeat);
        ctx.cancel_timer(Timer::Quorum);
        ctx.cancel_timer(Timer::LeaderTimeout);
        ctx.cancel_timer(Timer::Finalize);
        self.round += 1;
        let vote = self.own_vote(ctx.id);
        self.role = Role::Looking {
            vote,
            votes: BTreeMap::from([(ctx.id, vote)]),
            settled: BTreeMap::new(),
            early: BTreeMap::new(),
        };
        self.announce(ctx);
        self.broadcast_vote(ctx);
        if ctx.cluster.quorum() == 1 {
            self.decide(ctx.id, ctx);
        }
    }

    fn broadcast_vote(&mut self, ctx: &mut ZabCtx<'_>) {
        let Role::Looking { vote, .. } = &self.role else {
            return;
        };
        let msg = Msg::Vote {
            vote: *vote,
            round: self.round,
            state: PeerState::Looking,
        };
        for peer in ctx.cluster.peers(ctx.id) {
            ctx.send(peer, msg.clone(), Purpose::Election);
        }
        let (lo, hi) = ctx.cluster.timing.election;
        let after = ctx.random_between(lo, hi);
        ctx.set_timer(Timer::Election, after);
    }

    fn on_vote(
        &mut self,
        from: NodeId,
        vote: Vote,
        round: u64,
        state: PeerState,
        ctx: &mut ZabCtx<'_>,
    ) {
        let me = ctx.id;
        let own = self.own_vote(me);
        let quorum = ctx.cluster.quorum();
        let my_round = self.round;
        let Role::Looking {
            vote: mine,
            votes,
            settled,
            ..
        } = &mut self.role
        else {
            // Settled nodes tell a looking node whom they follow.
            if state == PeerState::Looking {
                let leader = match &self.role {
                    Role::Following { leader, .. } => *leader,
                    _ => me,
                };
                let vote = Vote {
                    epoch: self.current_epoch,
                    zxid: self.last_zxid(),
                    leader,
                };
                let reply = Msg::Vote {
                    vote,
                    round: self.round,
                    state: self.peer_state(),
                };
                ctx.reply(from, reply);
            }
            return;
        };
        if state == PeerState::Looking {
            if round > my_round {
                // A newer election round: start over in it, voting for the
                // better of ourselves and the sender's candidate.
                self.round = round;
                votes.clear();
                *mine = own.max(vote);
                votes.insert(me, *mine);
                votes.insert(from, vote);
                self.broadcast_vote(ctx);
            } else if round < my_round {
                ctx.refuse(Note::OldRound {
                    from,
                    round,
                    mine: my_round,
                });
                let reply = Msg::Vote {
                    vote: *mine,
                    round: my_round,
                    state: PeerState::Looking,
                };
                ctx.reply(from, reply);
                return;
            } else {
                votes.insert(from, vote);
                if vote > *mine {
                    *mine = vote;
                    votes.insert(me, vote);
                    self.broadcast_vote(ctx);
                }
            }
        } else {
            settled.insert(from, (vote.leader, state));
        }
        let Role::Looking { settled, .. } = &self.role else {
            return;
        };
        let settled_leader = settled.get(&from).map(|(l, _)| *l);
        // Once a quorum votes like us, wait a moment for a better vote
        // before deciding (the `finalize` timer)...
        if self.vote_has_quorum(quorum) {
            ctx.set_timer(Timer::Finalize, ctx.cluster.timing.heartbeat);
            return;
        }
        ctx.cancel_timer(Timer::Finalize);
        // ... or decide at once a quorum of settled nodes follows one leader who
        // itself says it leads (a node rejoining an established ensemble).
        let Some(leader) = settled_leader else { return };
        let backers = settled.values().filter(|(l, _)| *l == leader).count();
        let leads = settled.get(&leader) == Some(&(leader, PeerState::Leading));
        if backers >= quorum && leads {
            self.decide(leader, ctx);
        }
    }

    /// Whether a quorum of this round's votes agree with ours.
    fn vote_has_quorum(&self, quorum: usize) -> bool {
        let Role::Looking { vote, votes, .. } = &self.role else {
            return false;
        };
        votes.values().filter(|v| v.leader == vote.leader).count() >= quorum
    }

    /// The election is over: lead, or follow `leader`.
    fn decide(&mut self, leader: NodeId, ctx: &mut ZabCtx<'_>) {
        ctx.cancel_timer(Timer::Election);
        ctx.cancel_timer(Timer::Finalize);
        let early = match &mut self.role {
            Role::Looking { early, .. } => core::mem::take(early),
            _ => BTreeMap::new(),
        };
        let (_, hi) = ctx.cluster.timing.election;
        if leader == ctx.id {
            let mut cepochs: BTreeMap<NodeId, Epoch> =
                early.iter().map(|(f, (e, _))| (*f, *e)).collect();
            cepochs.insert(ctx.id, self.accepted_epoch);
            self.role = Role::Leading(Leader {
                epoch: None,
                phase: LeaderPhase::Discovery,
                cepochs,
                ackes: BTreeMap::new(),
                rejoining: BTreeSet::new(),
                initial: Vec::new(),
                sessions: early.iter().map(|(f, (_, s))| (*f, *s)).collect(),
                forwarding: BTreeSet::new(),
                synced: BTreeSet::new(),
                acks: BTreeMap::new(),
                heard: BTreeSet::new(),
            });
            ctx.note(Note::ProspectiveLeader);
            self.announce(ctx);
            ctx.set_timer(Timer::Quorum, hi);
            self.maybe_new_epoch(ctx);
        } else {
            // Open a new session with the leader: whatever is still in
            // flight from an earlier one will be ignored.
            self.session += 1;
            self.role = Role::Following {
                leader,
                phase: FollowerPhase::Discovery,
                session: self.session,
            };
            self.announce(ctx);
            ctx.send(
                leader,
                Msg::CEpoch {
                    accepted_epoch: self.accepted_epoch,
                    session: self.session,
                },
                Purpose::Recovery,
            );
            ctx.set_timer(Timer::LeaderTimeout, hi);
        }
    }

    /// Leader, discovery: with CEPOCH from a quorum, propose a new epoch
    /// higher than every acceptedEpoch in it.
    fn maybe_new_epoch(&mut self, ctx: &mut ZabCtx<'_>) {
        let Role::Leading(l) = &mut self.role else {
            return;
        };
        if l.epoch.is_some() || l.cepochs.len() < ctx.cluster.quorum() {
            return;
        }
        let epoch = l.cepochs.values().max().copied().unwrap_or(0) + 1;
        l.epoch = Some(epoch);
        self.accepted_epoch = epoch;
        ctx.note(Note::ProposingEpoch {
            epoch,
            followers: l.cepochs.len() - 1,
        });
        let me = ctx.id;
        for f in l.cepochs.keys().filter(|f| **f != me) {
            let session = l.session(*f);
            ctx.send(*f, Msg::NewEpoch { epoch, session }, Purpose::Recovery);
        }
        // The leader acknowledges its own epoch.
        l.ackes
            .insert(ctx.id, (self.current_epoch, self.history.clone()));
        self.maybe_new_leader(ctx);
    }

    /// Leader, end of discovery: with ACK-E from a quorum, adopt the most
    /// up-to-date history among them and start synchronization.
    fn maybe_new_leader(&mut self, ctx: &mut ZabCtx<'_>) {
        let Role::Leading(l) = &mut self.role else {
            return;
        };
        let Some(epoch) = l.epoch else { return };
        if l.phase != LeaderPhase::Discovery || l.ackes.len() < ctx.cluster.quorum() {
            return;
        }
        let last = |h: &Vec<Txn>| h.last().map_or(Zxid::default(), |t| t.zxid);
        let (best, (_, history)) = l
            .ackes
            .iter()
            .max_by_key(|(id, (e, h))| (*e, last(h), **id))
            .map(|(id, v)| (*id, v.clone()))
            .unwrap_or((ctx.id, (self.current_epoch, self.history.clone())));
        if best != ctx.id && history != self.history {
            ctx.note(Note::AdoptingHistory {
                from: best,
                history: history.clone(),
            });
            // NB: in a correct run the adopted history begins with all we
            // delivered; the checker's "Delivered prefix never shrinks" says
            // so when a mistake breaks that. The `min` only keeps such a run
            // from pointing past the end of the history.
            self.delivered = self.delivered.min(common_prefix(&self.history, &history));
            self.history = history;
        }
        l.phase = LeaderPhase::Sync;
        l.initial = self.history.clone();
        // The leader follows itself: it adopts the epoch at once.
        self.current_epoch = epoch;
        l.synced.insert(ctx.id);
        l.forwarding.insert(ctx.id);
        let followers: Vec<NodeId> = l
            .ackes
            .keys()
            .chain(&l.rejoining)
            .copied()
            .filter(|f| *f != ctx.id)
            .collect();
        self.announce(ctx);
        for f in followers {
            self.send_new_leader(f, ctx);
        }
        self.maybe_established(ctx);
    }

    fn send_new_leader(&mut self, to: NodeId, ctx: &mut ZabCtx<'_>) {
        let Role::Leading(l) = &mut self.role else {
            return;
        };
        let Some(epoch) = l.epoch else { return };
        l.forwarding.insert(to);
        let msg = Msg::NewLeader {
            epoch,
            history: self.history.clone(),
            session: l.session(to),
        };
        ctx.send(to, msg, Purpose::Recovery);
    }

    /// Leader, end of synchronization: with ACK-LD from a quorum, the epoch
    /// is established; deliver the initial history and tell the followers.
    fn maybe_established(&mut self, ctx: &mut ZabCtx<'_>) {
        let Role::Leading(l) = &mut self.role else {
            return;
        };
        let Some(epoch) = l.epoch else { return };
        if l.phase != LeaderPhase::Sync || l.synced.len() < ctx.cluster.quorum() {
            return;
        }
        l.phase = LeaderPhase::Broadcast;
        let upto = self.history.last().map(|t| t.zxid);
        // Synced followers still in the session they synced in (one that
        // has since reconnected is synced again in its new session).
        let followers: Vec<(NodeId, Session)> = l
            .synced
            .iter()
            .filter(|f| **f != ctx.id && l.forwarding.contains(f))
            .map(|f| (*f, l.session(*f)))
            .collect();
        ctx.milestone(
            Milestone::LeaderElected,
            Note::Established {
                epoch,
                followers: followers.len(),
            },
        );
        self.announce(ctx);
        for (f, session) in followers {
            ctx.send(
                f,
                Msg::CommitLeader {
                    epoch,
                    upto,
                    session,
                },
                Purpose::Recovery,
            );
        }
        self.deliver_upto(upto, ctx);
        ctx.set_timer(Timer::Heartbeat, ctx.cluster.timing.heartbeat);
    }

    /// Deliver, in order, every history entry up to and including `upto`.
    fn deliver_upto(&mut self, upto: Option<Zxid>, ctx: &mut ZabCtx<'_>) {
        let Some(upto) = upto else { return };
        while self.delivered < self.history.len() && self.history[self.delivered].zxid <= upto {
            let t = self.history[self.delivered];
            self.delivered += 1;
            ctx.observe(Observation::Decided {
                slot: t.zxid.packed(),
                value: t.value,
            });
        }
    }

    /// The leader this node follows, if any: where to send a client it will
    /// not serve.
    fn known_leader(&self) -> Option<NodeId> {
        match self.role {
            Role::Following { leader, .. } => Some(leader),
            _ => None,
        }
    }

    /// ZooKeeper's `sync` then read: a follower asks its leader how far
    /// the history goes and reads once it has delivered that much; the
    /// leader itself reads once everything it proposed is delivered.
    fn on_sync_read(&mut self, id: ReadId, ctx: &mut ZabCtx<'_>) {
        match self.role {
            Role::Following {
                leader,
                phase: FollowerPhase::Synced | FollowerPhase::Broadcast,
                session,
            } => {
                ctx.note(Note::Syncing { id, leader });
                let sync = Msg::Sync {
                    epoch: self.current_epoch,
                    read: id,
                    session,
                };
                ctx.send(leader, sync, Purpose::Read);
            }
            Role::Leading(Leader {
                phase: LeaderPhase::Broadcast,
                ..
            }) => ctx.serve_read(id, self.history.len() as u32),
            _ => {
                let leader = self.known_leader();
                ctx.refuse(Note::SyncNotReady { id });
                ctx.redirect(Ask::Read(id), leader);
            }
        }
    }

    fn on_client_request(&mut self, value: Value, ctx: &mut ZabCtx<'_>) {
        let Role::Leading(l) = &mut self.role else {
            ctx.refuse(Note::NotLeader { value });
            let leader = self.known_leader();
            ctx.redirect(Ask::Value(value), leader);
            return;
        };
        let (Some(epoch), LeaderPhase::Broadcast) = (l.epoch, l.phase) else {
            ctx.refuse(Note::NotEstablished { value });
            return;
        };
        let last = self.history.last().map_or(Zxid::default(), |t| t.zxid);
        let counter = if last.epoch == epoch {
            last.counter + 1
        } else {
            1
        };
        let txn = Txn {
            zxid: Zxid { epoch, counter },
            value,
        };
        self.history.push(txn);
        l.acks.insert(txn.zxid, BTreeSet::from([ctx.id]));
        ctx.note(Note::Proposing {
            value,
            zxid: txn.zxid,
        });
        let me = ctx.id;
        for f in l.forwarding.iter().filter(|f| **f != me) {
            let session = l.session(*f);
            ctx.send(
                *f,
                Msg::Propose {
                    epoch,
                    txn,
                    session,
                },
                Purpose::Decision(txn.zxid.packed()),
            );
        }
        self.maybe_commit(ctx);
    }

    /// Leader, broadcast: commit proposals acknowledged by a quorum, in order.
    fn maybe_commit(&mut self, ctx: &mut ZabCtx<'_>) {
        loop {
            let Role::Leading(l) = &mut self.role else {
                return;
            };
            let Some(epoch) = l.epoch else { return };
            let Some(next) = self.history.get(self.delivered).copied() else {
                return;
            };
            let acked = l.acks.get(&next.zxid).map_or(0, BTreeSet::len);
            if acked < ctx.cluster.quorum() {
                return;
            }
            l.acks.remove(&next.zxid);
            let purpose = Purpose::Decision(next.zxid.packed());
            let me = ctx.id;
            for f in l.forwarding.iter().filter(|f| **f != me) {
                let session = l.session(*f);
                ctx.send(
                    *f,
                    Msg::Commit {
                        epoch,
                        zxid: next.zxid,
                        session,
                    },
                    purpose,
                );
            }
            self.deliver_upto(Some(next.zxid), ctx);
        }
    }

    /// The leader's handling of a follower's message.
    fn on_leader_msg(&mut self, from: NodeId, msg: Msg, ctx: &mut ZabCtx<'_>) {
        let Role::Leading(l) = &mut self.role else {
            return;
        };
        // Sessions: a CEPOCH with a higher number opens a new session with
        // `from` (ZooKeeper: a new connection and LearnerHandler), which
        // closes the old one, so we stop forwarding to it until it is synced
        // again. Every other message must belong to the current session.
        let current = l.session(from);
        let session = msg.session().unwrap_or(0);
        let opens = matches!(msg, Msg::CEpoch { .. }) && session > current;
        if opens {
            l.sessions.insert(from, session);
            l.forwarding.remove(&from);
        } else if session != current && !ctx.cluster.mistake(Mistake::ZabStaleSync) {
            ctx.refuse(stale_session(&msg, from, session, current));
            return;
        }
        l.heard.insert(from);
        let epoch = l.epoch;
        match msg {
            Msg::CEpoch { accepted_epoch, .. } => match epoch {
                None => {
                    l.cepochs.insert(from, accepted_epoch);
                    self.maybe_new_epoch(ctx);
                }
                // The discovery quorum is closed; a latecomer is offered the
                // chosen epoch (and refuses it if it promised a newer one).
                Some(epoch) => {
                    let session = l.session(from);
                    ctx.reply(from, Msg::NewEpoch { epoch, session });
                }
            },
            Msg::AckEpoch {
                epoch: acked,
                current_epoch,
                history,
                promise,
                ..
            } => {
                if Some(acked) != epoch {
                    ctx.refuse(Note::AckEpochOther {
                        from,
                        acked,
                        proposed: epoch,
                    });
                } else if l.phase == LeaderPhase::Discovery {
                    if promise {
                        l.ackes.insert(from, (current_epoch, history));
                        self.maybe_new_leader(ctx);
                    } else {
                        l.rejoining.insert(from);
                    }
                } else if l.forwarding.contains(&from) {
                    ctx.refuse(Note::AckEpochAgain { from });
                } else {
                    // A follower joining after discovery: sync it with the
                    // current history.
                    self.send_new_leader(from, ctx);
                }
            }
            Msg::AckLeader { epoch: e, last, .. } if Some(e) == epoch => {
                l.synced.insert(from);
                if l.phase == LeaderPhase::Broadcast {
                    // A late joiner: its ACK-LD covers every proposal of the
                    // history it adopted.
                    l.ack_upto(from, last);
                    let committed = self.history[..self.delivered].last().map(|t| t.zxid);
                    let commit = Msg::CommitLeader {
                        epoch: e,
                        upto: committed,
                        session: l.session(from),
                    };
                    ctx.reply(from, commit);
                    self.maybe_commit(ctx);
                } else {
                    self.maybe_established(ctx);
                }
            }
            Msg::Ack { epoch: e, zxid, .. } if Some(e) == epoch => {
                if let Some(acks) = l.acks.get_mut(&zxid) {
                    acks.insert(from);
                    self.maybe_commit(ctx);
                }
            }
            Msg::Pong { epoch: e, last, .. } if Some(e) == epoch => {
                l.ack_upto(from, last);
                self.maybe_commit(ctx);
            }
            Msg::Sync { epoch: e, read, .. } if Some(e) == epoch => {
                let reply = Msg::SyncReply {
                    epoch: e,
                    read,
                    upto: self.history.len() as u32,
                    session: l.session(from),
                };
                ctx.reply(from, reply);
            }
            other => ctx.refuse(Note::OtherEpoch {
                kind: other.kind(),
                from,
            }),
        }
    }

    /// A follower's handling of its leader's message.
    fn on_follower_msg(&mut self, from: NodeId, msg: Msg, ctx: &mut ZabCtx<'_>) {
        let Role::Following {
            leader,
            phase,
            session,
        } = self.role
        else {
            return;
        };
        if from != leader {
            ctx.refuse(Note::NotMyLeader {
                kind: msg.kind(),
                from,
                leader,
            });
            return;
        }
        // NB: a message of an earlier session is ignored whatever it says.
        // Phase and epoch cannot tell it apart: after a rejoin in the same
        // epoch, a stale NEWLEADER fits our new sync phase exactly, and its
        // older history would truncate what we have since delivered.
        let sent_in = msg.session().unwrap_or(0);
        if sent_in != session && !ctx.cluster.mistake(Mistake::ZabStaleSync) {
            ctx.refuse(stale_session(&msg, from, sent_in, session));
            return;
        }
        // NB: within a session, each synchronization message is taken only
        // in its own phase. Over TCP each arrives once per connection; here a
        // duplicated one (say a second NEWLEADER after we ACKed a proposal)
        // would otherwise roll us back. Only a message we take resets the
        // leader timeout, so a follower waiting for a lost one times out and
        // rejoins.
        let synced = matches!(phase, FollowerPhase::Synced | FollowerPhase::Broadcast);
        let (_, hi) = ctx.cluster.timing.election;
        let fits = match &msg {
            Msg::NewEpoch { .. } => phase == FollowerPhase::Discovery,
            Msg::NewLeader { .. } => phase == FollowerPhase::Sync,
            Msg::CommitLeader { epoch, .. }
            | Msg::Propose { epoch, .. }
            | Msg::Commit { epoch, .. }
            | Msg::Ping { epoch, .. }
            | Msg::SyncReply { epoch, .. } => synced && *epoch == self.current_epoch,
            _ => false,
        };
        if !fits {
            ctx.refuse(Note::DoesNotFit {
                kind: msg.kind(),
                from,
                epoch: self.current_epoch,
                phase: self.role_name(),
            });
            return;
        }
        ctx.set_timer(Timer::LeaderTimeout, hi);
        match msg {
            Msg::NewEpoch { epoch, .. } => {
                // "If e' > f.acceptedEpoch then acceptedEpoch <- e', send
                // ACK-E; if e' < acceptedEpoch, go back to election."
                // NB: e' == acceptedEpoch (a rejoin) must not count as a new
                // promise, or two leaders could both gather a quorum for e'.
                if epoch < self.accepted_epoch {
                    ctx.refuse(Note::NewEpochRefused {
                        epoch,
                        promised: self.accepted_epoch,
                    });
                    self.look(Why::OldEpochOffered { leader }, ctx);
                    return;
                }
                let promise = epoch > self.accepted_epoch;
                self.accepted_epoch = epoch;
                self.role = Role::Following {
                    leader,
                    phase: FollowerPhase::Sync,
                    session,
                };
                let reply = Msg::AckEpoch {
                    epoch,
                    current_epoch: self.current_epoch,
                    history: self.history.clone(),
                    promise,
                    session,
                };
                ctx.reply(from, reply);
            }
            Msg::NewLeader { epoch, history, .. } => {
                if epoch != self.accepted_epoch {
                    ctx.refuse(Note::NewLeaderRefused {
                        epoch,
                        accepted: self.accepted_epoch,
                    });
                    self.look(Why::NewLeaderOtherEpoch { leader }, ctx);
                    return;
                }
                self.sync_history(history, leader, ctx);
                self.current_epoch = epoch;
                self.role = Role::Following {
                    leader,
                    phase: FollowerPhase::Synced,
                    session,
                };
                ctx.reply(
                    from,
                    Msg::AckLeader {
                        epoch,
                        last: self.history.last().map(|t| t.zxid),
                        session,
                    },
                );
            }
            Msg::CommitLeader { upto, .. } => {
                self.deliver_upto(upto, ctx);
                if phase != FollowerPhase::Broadcast {
                    self.role = Role::Following {
                        leader,
                        phase: FollowerPhase::Broadcast,
                        session,
                    };
                    self.announce(ctx);
                }
            }
            Msg::Propose { epoch, txn, .. } => {
                let last = self.last_zxid();
                let expected = if last.epoch == epoch {
                    last.counter + 1
                } else {
                    1
                };
                let ack = Msg::Ack {
                    epoch,
                    zxid: txn.zxid,
                    session,
                };
                // A duplicate is of a recent proposal: look from the end.
                if txn.zxid <= last && self.history.iter().rev().any(|t| *t == txn) {
                    ctx.reply(from, ack);
                } else if txn.zxid.epoch == epoch && txn.zxid.counter == expected {
                    self.history.push(txn);
                    ctx.reply(from, ack);
                } else {
                    // FIFO broken: a proposal went missing. Resynchronize.
                    self.look(
                        Why::MissedProposal {
                            before: txn.zxid,
                            leader,
                        },
                        ctx,
                    );
                }
            }
            Msg::Commit { zxid, .. } => {
                // A commit is of a recent proposal: look from the end.
                if self.history.iter().rev().any(|t| t.zxid == zxid) {
                    self.deliver_upto(Some(zxid), ctx);
                } else {
                    self.look(Why::CommitNeverReceived { zxid }, ctx);
                }
            }
            Msg::Ping {
                epoch, committed, ..
            } => {
                // NB: the leader pings only once its epoch is established, so
                // a PING also stands in for a lost COMMIT-LD.
                if phase == FollowerPhase::Synced {
                    self.role = Role::Following {
                        leader,
                        phase: FollowerPhase::Broadcast,
                        session,
                    };
                    self.announce(ctx);
                }
                if let Some(z) = committed {
                    if !self.history.iter().any(|t| t.zxid == z) {
                        self.look(Why::CommittedNeverReceived { leader, zxid: z }, ctx);
                        return;
                    }
                    self.deliver_upto(Some(z), ctx);
                }
                let last = self.history.last().map(|t| t.zxid);
                ctx.reply(
                    from,
                    Msg::Pong {
                        epoch,
                        last,
                        session,
                    },
                );
            }
            Msg::SyncReply { read, upto, .. } => {
                ctx.note(Note::SyncAnswered { id: read, upto });
                ctx.serve_read(read, upto);
            }
            _ => {}
        }
    }

    /// Synchronization: make our history the leader's. Entries the leader
    /// never had are truncated (unless the `zab-skip-truncate` mistake is on).
    fn sync_history(&mut self, history: Vec<Txn>, leader: NodeId, ctx: &mut ZabCtx<'_>) {
        // The leader's history is in zxid order (the checker verifies that
        // every history is), so whether it has an entry is a binary search.
        let has = |t: &Txn| {
            history
                .binary_search_by_key(&t.zxid, |h| h.zxid)
                .is_ok_and(|i| history[i] == *t)
        };
        let surplus: Vec<Txn> = self.history.iter().filter(|t| !has(t)).copied().collect();
        // NB: as in `maybe_new_leader`, the `min` changes nothing in a
        // correct run; when it does, the checker reports the shrink.
        let common = common_prefix(&self.history, &history);
        self.delivered = self.delivered.min(common);
        if surplus.is_empty() {
            self.history = history;
        } else if ctx.cluster.mistake(Mistake::ZabSkipTruncate) {
            ctx.note(Note::KeptSurplus {
                count: surplus.len(),
                leader,
            });
            let mut merged = history;
            merged.extend(surplus);
            merged.sort_by_key(|t| t.zxid);
            self.history = merged;
        } else {
            ctx.milestone(Milestone::Truncation, Note::Truncated { leader, surplus });
            self.history = history;
        }
        ctx.milestone(
            Milestone::Synced,
            Note::Synced {
                leader,
                history: self.history.clone(),
            },
        );
    }
}

/// Why a message of another session is ignored.
fn stale_session(msg: &Msg, from: NodeId, session: Session, current: Session) -> Note {
    Note::StaleSession {
        kind: msg.kind(),
        from,
        session,
        current,
    }
}

impl Protocol for Zab {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Note = Note;
    type Checker = ZabChecker;

    const NAME: &'static str = "zab";
    const TEXTBOOK_PER_PEER: u64 = 3;
    const TITLE: &'static str = "Zab";
    const LETTER: char = 'z';
    const LEARNING: &'static str =
        "the leader sends COMMIT to each follower: counted, one of the 3(N−1)";
    const DECISION_NUMBER: &'static str = "its zxid, as one number";
    const LABEL: &'static str = "zxid";
    const FIFO: bool = true;

    fn boot(ctx: &mut Ctx<'_, Zab>) -> Self {
        Self::restart(
            Durable {
                accepted_epoch: 0,
                current_epoch: 0,
                history: Vec::new(),
                session: 0,
            },
            ctx,
        )
    }

    fn restart(durable: Durable, ctx: &mut Ctx<'_, Zab>) -> Self {
        let mut z = Zab {
            accepted_epoch: durable.accepted_epoch,
            current_epoch: durable.current_epoch,
            history: durable.history,
            delivered: 0,
            session: durable.session,
            round: 0,
            role: Role::Following {
                leader: 0,
                phase: FollowerPhase::Discovery,
                session: durable.session,
            },
        };
        z.look(Why::StartingUp, ctx);
        z
    }

    fn durable(&self) -> Durable {
        Durable {
            accepted_epoch: self.accepted_epoch,
            current_epoch: self.current_epoch,
            history: self.history.clone(),
            session: self.session,
        }
    }

    const READ_PATHS: &'static [ReadPath] = &[ReadPath::Sync];

    fn read(&mut self, id: ReadId, path: ReadPath, ctx: &mut Ctx<'_, Zab>) {
        if path == ReadPath::Sync {
            self.on_sync_read(id, ctx);
        }
    }

    fn handle(&mut self, input: Input<Msg, Timer>, ctx: &mut Ctx<'_, Zab>) {
        match input {
            Input::Request(value) => self.on_client_request(value, ctx),
            Input::Timer(Timer::Election) => {
                if let Role::Looking { .. } = self.role {
                    self.broadcast_vote(ctx);
                }
            }
            Input::Timer(Timer::Finalize) => {
                if let Role::Looking { vote, .. } = &self.role {
                    if self.vote_has_quorum(ctx.cluster.quorum()) {
                        let leader = vote.leader;
                        self.decide(leader, ctx);
                    }
                }
            }
            Input::Timer(Timer::Heartbeat) => {
                let Role::Leading(l) = &self.role else { return };
                let Some(epoch) = l.epoch else { return };
                let committed = self.delivered().last().map(|t| t.zxid);
                let me = ctx.id;
                for f in l.forwarding.iter().filter(|f| **f != me) {
                    let session = l.session(*f);
                    let ping = Msg::Ping {
                        epoch,
                        committed,
                        session,
                    };
                    ctx.send(*f, ping, Purpose::Heartbeat);
                }
                ctx.set_timer(Timer::Heartbeat, ctx.cluster.timing.heartbeat);
            }
            Input::Timer(Timer::Quorum) => {
                let Role::Leading(l) = &mut self.role else {
                    return;
                };
                if l.phase != LeaderPhase::Broadcast {
                    self.look(Why::NoQuorumToEstablish, ctx);
                    return;
                }
                let heard = l.heard.len() + 1;
                l.heard.clear();
                if heard < ctx.cluster.quorum() {
                    self.look(
                        Why::HeardFromFew {
                            heard,
                            size: ctx.cluster.size,
                        },
                        ctx,
                    );
                    return;
                }
                let (_, hi) = ctx.cluster.timing.election;
                ctx.set_timer(Timer::Quorum, hi);
            }
            Input::Timer(Timer::LeaderTimeout) => {
                if let Role::Following { leader, .. } = self.role {
                    self.look(Why::NoWordFromLeader { leader }, ctx);
                }
            }
            Input::Deliver { from, msg } => match (&mut self.role, msg) {
                (_, Msg::Vote { vote, round, state }) => {
                    self.on_vote(from, vote, round, state, ctx)
                }
                (
                    Role::Looking { early, .. },
                    Msg::CEpoch {
                        accepted_epoch,
                        session,
                    },
                ) => {
                    // It thinks we lead; remember, in case we do.
                    early.insert(from, (accepted_epoch, session));
                }
                (Role::Leading(_), msg) => self.on_leader_msg(from, msg, ctx),
                (Role::Following { .. }, msg) => self.on_follower_msg(from, msg, ctx),
                (Role::Looking { .. }, msg) => {
                    ctx.refuse(Note::StillLooking {
                        kind: msg.kind(),
                        from,
                    });
                }
            },
        }
    }

    fn quiescent(&self) -> bool {
        self.delivered == self.history.len()
    }

    /// Only an established leader (in broadcast) leads.
    fn leads(&self) -> bool {
        matches!(&self.role, Role::Leading(l) if l.phase == LeaderPhase::Broadcast)
    }

    fn era(&self) -> u64 {
        u64::from(self.current_epoch)
    }

    fn role_name(&self) -> &'static str {
        match &self.role {
            Role::Looking { .. } => "Looking",
            Role::Following {
                phase: FollowerPhase::Discovery,
                ..
            } => "Follower (discovery)",
            Role::Following {
                phase: FollowerPhase::Sync | FollowerPhase::Synced,
                ..
            } => "Follower (sync)",
            Role::Following {
                phase: FollowerPhase::Broadcast,
                ..
            } => "Follower",
            Role::Leading(l) => match l.phase {
                LeaderPhase::Discovery => "Leader (discovery)",
                LeaderPhase::Sync => "Leader (sync)",
                LeaderPhase::Broadcast => "Leader",
            },
        }
    }

    fn decided(&self, index: u32) -> Option<Value> {
        let index = index as usize;
        (index < self.delivered).then(|| self.history[index].value)
    }

    fn has_decided(&self, value: Value) -> bool {
        self.history[..self.delivered]
            .iter()
            .rev()
            .any(|t| t.value == value)
    }

    fn view(&self) -> NodeView {
        let mut details = alloc::vec![
            ("acceptedEpoch", format!("{}", self.accepted_epoch)),
            ("currentEpoch", format!("{}", self.current_epoch)),
            ("lastZxid", format!("{}", self.last_zxid())),
            ("delivered", format!("{}", self.delivered)),
        ];
        match &self.role {
            Role::Looking { vote, .. } => {
                details.push(("vote", format!("n{} (round {})", vote.leader, self.round)));
            }
            Role::Following {
                leader, session, ..
            } => {
                details.push(("leader", format!("n{leader}")));
                details.push(("session", format!("{session}")));
            }
            Role::Leading(l) => {
                let ids = |s: &mut dyn Iterator<Item = NodeId>| -> String {
                    s.map(|n| format!("n{n}")).collect::<Vec<_>>().join(" ")
                };
                details.push((
                    "epoch",
                    l.epoch.map_or("choosing".into(), |e| format!("{e}")),
                ));
                details.push(("synced", ids(&mut l.synced.iter().copied())));
            }
        }
        NodeView {
            role: self.role_name(),
            standing: match self.role {
                Role::Looking { .. } => Standing::Seeks,
                Role::Following { .. } => Standing::Serves,
                Role::Leading(_) => Standing::Leads,
            },
            leads: self.leads(),
            era_name: "epoch",
            era: self.era(),
            log: self
                .history
                .iter()
                .enumerate()
                .map(|(i, t)| EntryView {
                    index: i as u64 + 1,
                    label: format!("{}", t.zxid),
                    key: t.zxid.packed(),
                    value: t.value,
                    committed: i < self.delivered,
                })
                .collect(),
            details,
        }
    }
}

#[cfg(test)]
mod tests;
