//! Multi-Paxos, as in Lamport, "Paxos Made Simple" (2001) §3, "Implementing
//! a State Machine".
//!
//! Basic Paxos runs both phases for every decision. §3 observes that phase 1
//! does not depend on the value, so a *distinguished proposer* (the leader)
//! can run it once for every slot at the same time:
//!
//! 1. **Phase 1, once per leader.** A node that hears nothing from a leader
//!    for an election timeout picks a ballot `(round, node)` higher than any
//!    it has seen and sends `Prepare` for every slot from its first undecided
//!    one on. An acceptor promises (one promise covers all those slots) and
//!    reports everything it has accepted there.
//! 2. **Recovery.** With promises from a majority, the new leader re-proposes,
//!    slot by slot, the highest-ballot value the promises reported — the same
//!    P2c rule as Basic Paxos, here for many slots at once — and fills the
//!    slots where nothing was reported but a later slot holds a value with a
//!    no-op (§3: "it proposes ... that instances 135 and 140 be no-op
//!    commands"), so the log has no holes to wait on. The
//!    `multipaxos-skip-recovery` mistake skips this step.
//! 3. **Phase 2 only, per decision.** From then on each client value costs one
//!    round trip: `Accept` to the acceptors, `Accepted` back: 2(N−1) messages,
//!    against Basic Paxos's 4(N−1). A majority of `Accepted` makes it chosen;
//!    the leader tells the other learners with `Decide` (a notification,
//!    counted apart, as for Basic Paxos).
//!
//! The paper leaves failure detection to the implementation ("using either
//! randomness or real time"). Here the leader sends a `Heartbeat` every
//! heartbeat period; it also resends `Accept` for the oldest of its slots
//! not chosen in time, so a lost message only delays a decision. The heartbeat
//! says how many slots the leader knows are chosen: a learner that missed a
//! `Decide`
//! asks for the rest (`CatchUp`) and is told (`Learn`), counted as recovery.
//! A leader that meets a higher ballot (a `Nack`, a `Prepare`, another
//! leader's messages) steps down.
//!
//! Durable, as in Basic Paxos: the acceptor's promise and acceptances, the
//! highest round used (a restarted node never reuses a ballot), the values
//! learned.

mod check;
mod note;

pub use check::MultiPaxosChecker;
pub use note::Note;

use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::format;
use alloc::vec::Vec;
use core::fmt;

use crate::paxos::chosen_from;
pub use crate::paxos::{Ballot, SlotNo, Vote};
use crate::protocol::{
    Ask, Category, Ctx, EntryView, Input, Message, Milestone, Mistake, NodeId, NodeView,
    Observation, Protocol, Purpose, Shown, Standing, Tick, TimerKind, Value, NO_OP,
};

/// Multi-Paxos messages.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Phase 1a for every slot from `from` on.
    Prepare { ballot: Ballot, from: SlotNo },
    /// Phase 1b: the promise, with every acceptance at slot `from` or above.
    Promise {
        ballot: Ballot,
        accepted: Vec<(SlotNo, Vote)>,
    },
    /// Phase 2a: accept `value` in `slot` at `ballot`.
    Accept {
        ballot: Ballot,
        slot: SlotNo,
        value: Value,
    },
    /// Phase 2b: accepted.
    Accepted { ballot: Ballot, slot: SlotNo },
    /// A refusal: the acceptor has promised a higher ballot.
    Nack { ballot: Ballot, promised: Ballot },
    /// `value` is chosen in `slot` (to the learners).
    Decide { slot: SlotNo, value: Value },
    /// The leader is alive at `ballot` and knows slots 1 to `chosen` are
    /// chosen.
    Heartbeat { ballot: Ballot, chosen: SlotNo },
    /// A learner asks for the values chosen from slot `from` on.
    CatchUp { from: SlotNo },
    /// The values chosen from slot `from` on, in slot order.
    Learn { from: SlotNo, values: Vec<Value> },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Prepare { .. } => "Prepare",
            Msg::Promise { .. } => "Promise",
            Msg::Accept { .. } => "Accept",
            Msg::Accepted { .. } => "Accepted",
            Msg::Nack { .. } => "Nack",
            Msg::Decide { .. } => "Decide",
            Msg::Heartbeat { .. } => "Heartbeat",
            Msg::CatchUp { .. } => "CatchUp",
            Msg::Learn { .. } => "Learn",
        }
    }

    fn category(&self) -> Category {
        match self {
            Msg::Prepare { .. } => Category::Ask,
            Msg::Promise { .. } => Category::Answer,
            Msg::Accept { .. } => Category::Carry,
            Msg::Accepted { .. } => Category::Ack,
            Msg::Nack { .. } => Category::Refuse,
            Msg::Decide { .. } => Category::Commit,
            Msg::Heartbeat { .. } => Category::Keepalive,
            Msg::CatchUp { .. } | Msg::Learn { .. } => Category::Recover,
        }
    }

    fn is_notification(&self) -> bool {
        matches!(self, Msg::Decide { .. })
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Prepare { ballot, from } => write!(f, "Prepare ballot={ballot} from={from}"),
            Msg::Promise { ballot, accepted } => {
                write!(f, "Promise ballot={ballot} accepted=")?;
                if accepted.is_empty() {
                    return f.write_str("none");
                }
                for (i, (slot, (b, v))) in accepted.iter().enumerate() {
                    let sep = if i == 0 { "" } else { "," };
                    write!(f, "{sep}{slot}:{}@{b}", Shown(*v))?;
                }
                Ok(())
            }
            Msg::Accept {
                ballot,
                slot,
                value,
            } => write!(
                f,
                "Accept ballot={ballot} slot={slot} value={}",
                Shown(*value)
            ),
            Msg::Accepted { ballot, slot } => write!(f, "Accepted ballot={ballot} slot={slot}"),
            Msg::Nack { ballot, promised } => {
                write!(f, "Nack ballot={ballot} promised={promised}")
            }
            Msg::Decide { slot, value } => write!(f, "Decide slot={slot} value={}", Shown(*value)),
            Msg::Heartbeat { ballot, chosen } => {
                write!(f, "Heartbeat ballot={ballot} chosen={chosen}")
            }
            Msg::CatchUp { from } => write!(f, "CatchUp from={from}"),
            Msg::Learn { from, values } => {
                write!(f, "Learn from={from} values=")?;
                for (i, v) in values.iter().enumerate() {
                    let sep = if i == 0 { "" } else { "," };
                    write!(f, "{sep}{}", Shown(*v))?;
                }
                Ok(())
            }
        }
    }
}

/// Multi-Paxos's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// No word from a leader for this long (or phase 1 got no majority in
    /// time): run phase 1 with a higher ballot.
    Election,
    /// The leader's heartbeat period.
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

/// One value the leader has proposed and not yet seen chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// The value.
    pub value: Value,
    /// The acceptors that accepted it at the leader's ballot.
    pub accepted: BTreeSet<NodeId>,
    /// When its `Accept`s were last sent.
    pub sent_at: Tick,
}

/// What a node is doing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// Accepting and learning; it follows whoever leads.
    Follower,
    /// Phase 1 at `ballot` for every slot from `from`: gathering promises and
    /// the acceptances they report.
    Preparing {
        ballot: Ballot,
        from: SlotNo,
        promises: BTreeMap<NodeId, Vec<(SlotNo, Vote)>>,
    },
    /// Phase 1 done: only phase 2, slot after slot.
    Leading {
        ballot: Ballot,
        /// The acceptors whose promises made it leader.
        promised_by: BTreeSet<NodeId>,
        /// The highest slot the promises reported an acceptance in: a no-op
        /// may fill a slot below it, never one above.
        recovered_to: SlotNo,
        /// The next slot a client value goes to.
        next: SlotNo,
        /// Slots proposed and not yet chosen.
        proposals: BTreeMap<SlotNo, Proposal>,
    },
}

/// What a Multi-Paxos node keeps on stable storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Durable {
    /// The acceptor's promise, for every slot.
    pub promised: Option<Ballot>,
    /// The acceptor's highest-ballot acceptance, per slot.
    pub accepted: BTreeMap<SlotNo, Vote>,
    /// The highest round this node used or saw.
    pub max_round: u32,
    /// Values learned.
    pub chosen: BTreeMap<SlotNo, Value>,
}

/// One Multi-Paxos node: proposer (leader when elected), acceptor, learner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiPaxos {
    promised: Option<Ballot>,
    accepted: BTreeMap<SlotNo, Vote>,
    max_round: u32,
    chosen: BTreeMap<SlotNo, Value>,
    role: Role,
    /// The leader this node last heard from.
    leader: Option<NodeId>,
    /// Client values waiting for this node's phase 1 to end.
    pending: VecDeque<Value>,
}

type MpCtx<'a> = Ctx<'a, MultiPaxos>;

impl MultiPaxos {
    /// The acceptor's promise.
    pub fn promised(&self) -> Option<Ballot> {
        self.promised
    }

    /// The acceptor's acceptances, per slot.
    pub fn accepted(&self) -> &BTreeMap<SlotNo, Vote> {
        &self.accepted
    }

    /// Values learned, per slot.
    pub fn chosen(&self) -> &BTreeMap<SlotNo, Value> {
        &self.chosen
    }

    /// What the node is doing.
    pub fn role(&self) -> &Role {
        &self.role
    }

    /// Tell the learner the node's role changed.
    fn announce_role(&self, ctx: &mut MpCtx<'_>) {
        ctx.observe(Observation::Role {
            role: self.role_name(),
            era: self.era(),
        });
    }

    /// The ballot this node proposes at, if it is preparing or leading.
    fn my_ballot(&self) -> Option<Ballot> {
        match &self.role {
            Role::Follower => None,
            Role::Preparing { ballot, .. } | Role::Leading { ballot, .. } => Some(*ballot),
        }
    }

    /// The lowest slot this node does not know to be chosen.
    fn first_open_slot(&self) -> SlotNo {
        (1..).find(|s| !self.chosen.contains_key(s)).unwrap_or(1)
    }

    fn reset_election_timer(ctx: &mut MpCtx<'_>) {
        let (lo, hi) = ctx.cluster.timing.election;
        let after = ctx.random_between(lo, hi);
        ctx.set_timer(Timer::Election, after);
    }

    /// Phase 1a: a fresh ballot for every slot from the first undecided one.
    fn prepare(&mut self, ctx: &mut MpCtx<'_>) {
        self.max_round += 1;
        let ballot = Ballot {
            round: self.max_round,
            node: ctx.id,
        };
        let from = self.first_open_slot();
        self.role = Role::Preparing {
            ballot,
            from,
            promises: BTreeMap::new(),
        };
        self.leader = None;
        ctx.milestone(Milestone::ElectionStarted, Note::Preparing { ballot, from });
        ctx.observe(Observation::Role {
            role: self.role_name(),
            era: u64::from(ballot.round),
        });
        // Phase 1 gets an election timeout to finish; then a higher ballot.
        Self::reset_election_timer(ctx);
        for peer in ctx.cluster.peers(ctx.id) {
            ctx.send(peer, Msg::Prepare { ballot, from }, Purpose::Election);
        }
        // This node's own acceptor answers without the network.
        if let Msg::Promise { ballot, accepted } = self.on_prepare(ctx.id, ballot, from, ctx) {
            self.on_promise(ctx.id, ballot, accepted, ctx);
        }
    }

    /// Acceptor, phase 1b: promise for every slot from `from`, or refuse.
    fn on_prepare(
        &mut self,
        from_node: NodeId,
        ballot: Ballot,
        from: SlotNo,
        ctx: &mut MpCtx<'_>,
    ) -> Msg {
        self.max_round = self.max_round.max(ballot.round);
        match self.promised {
            // As in Basic Paxos: promise only a ballot at least as high as
            // any promised before.
            Some(p) if p > ballot => {
                ctx.refuse(Note::PromiseRefused {
                    from: from_node,
                    promised: p,
                    ballot,
                });
                Msg::Nack {
                    ballot,
                    promised: p,
                }
            }
            _ => {
                self.promised = Some(ballot);
                if from_node != ctx.id {
                    self.yield_to(ballot, ctx);
                    // A promise is a vote for a would-be leader: give it
                    // time to finish before running for leader ourselves.
                    Self::reset_election_timer(ctx);
                }
                Msg::Promise {
                    ballot,
                    accepted: self.accepted.range(from..).map(|(s, v)| (*s, *v)).collect(),
                }
            }
        }
    }

    /// Someone else runs or leads at `ballot`, higher than this node's own:
    /// stop preparing or leading.
    fn yield_to(&mut self, ballot: Ballot, ctx: &mut MpCtx<'_>) {
        let Some(mine) = self.my_ballot() else {
            return;
        };
        if mine >= ballot {
            return;
        }
        self.step_down(ballot, ctx);
    }

    /// Back to following, because of the higher ballot `by`. Client values
    /// that waited here are sent on to the node that has it.
    fn step_down(&mut self, by: Ballot, ctx: &mut MpCtx<'_>) {
        let Some(mine) = self.my_ballot() else {
            return;
        };
        self.max_round = self.max_round.max(by.round);
        self.role = Role::Follower;
        self.leader = None;
        ctx.cancel_timer(Timer::Heartbeat);
        ctx.milestone(Milestone::SteppedDown, Note::SteppedDown { mine, by });
        self.announce_role(ctx);
        for value in core::mem::take(&mut self.pending) {
            ctx.redirect(Ask::Value(value), Some(by.node));
        }
        Self::reset_election_timer(ctx);
    }

    /// Phase 1b arrives at the would-be leader.
    fn on_promise(
        &mut self,
        from: NodeId,
        ballot: Ballot,
        accepted: Vec<(SlotNo, Vote)>,
        ctx: &mut MpCtx<'_>,
    ) {
        let quorum = ctx.cluster.quorum();
        let Role::Preparing {
            ballot: mine,
            promises,
            ..
        } = &mut self.role
        else {
            ctx.refuse(Note::NotPreparing { from, ballot });
            return;
        };
        // NB: a promise counts only for the ballot it answers.
        if ballot != *mine {
            ctx.refuse(Note::OtherBallot {
                kind: "Promise",
                from,
                ballot,
                mine: *mine,
            });
            return;
        }
        promises.insert(from, accepted);
        if promises.len() >= quorum {
            self.lead(ctx);
        }
    }

    /// Phase 1 succeeded: recover every slot the promises reported, fill the
    /// gaps with no-ops, then serve clients with phase 2 alone.
    fn lead(&mut self, ctx: &mut MpCtx<'_>) {
        let Role::Preparing {
            ballot,
            from,
            promises,
        } = core::mem::replace(&mut self.role, Role::Follower)
        else {
            return;
        };
        // Per slot, the highest-ballot acceptance any promise reported (P2c).
        let mut highest: BTreeMap<SlotNo, Vote> = BTreeMap::new();
        for (slot, (b, v)) in promises.values().flatten() {
            let h = highest.entry(*slot).or_insert((*b, *v));
            if *b > h.0 {
                *h = (*b, *v);
            }
        }
        let known_to = self.chosen.keys().next_back().copied().unwrap_or(0);
        let (recovered_to, next) = if ctx.cluster.mistake(Mistake::MultipaxosSkipRecovery) {
            // The mistake: ignore what the promises reported and go straight
            // to phase 2 in the first slot this node does not know chosen.
            (from - 1, from)
        } else {
            // Every slot up to the highest that anyone reported, or that
            // this node knows chosen, is recovered or filled.
            let top = highest.keys().next_back().copied().unwrap_or(0);
            let to = top.max(known_to).max(from - 1);
            (to, to + 1)
        };
        self.role = Role::Leading {
            ballot,
            promised_by: promises.keys().copied().collect(),
            recovered_to,
            next,
            proposals: BTreeMap::new(),
        };
        self.leader = Some(ctx.id);
        ctx.milestone(
            Milestone::LeaderElected,
            Note::Leading {
                ballot,
                from,
                recovered_to,
            },
        );
        self.announce_role(ctx);
        ctx.cancel_timer(Timer::Election);
        // Tell the others at once, so no one else starts phase 1.
        self.heartbeat(ctx);
        for slot in from..=recovered_to {
            if self.chosen.contains_key(&slot) {
                continue;
            }
            let value = match highest.get(&slot) {
                Some((b, v)) => {
                    ctx.milestone(
                        Milestone::Adopted,
                        Note::Recovering {
                            slot,
                            value: *v,
                            ballot: *b,
                        },
                    );
                    *v
                }
                None => {
                    ctx.milestone(Milestone::GapFilled, Note::FillingGap { slot });
                    NO_OP
                }
            };
            self.propose_in(slot, value, ctx);
        }
        while let Some(value) = self.pending.pop_front() {
            self.propose(value, ctx);
        }
    }

    /// The leader's heartbeat: it leads, and how far it knows slots chosen.
    /// Slots it proposed and has not seen chosen are proposed again to the
    /// acceptors that have not accepted them (a lost message only delays).
    fn heartbeat(&mut self, ctx: &mut MpCtx<'_>) {
        let chosen = self.first_open_slot() - 1;
        let Role::Leading {
            ballot, proposals, ..
        } = &mut self.role
        else {
            return;
        };
        let ballot = *ballot;
        for peer in ctx.cluster.peers(ctx.id) {
            ctx.send(peer, Msg::Heartbeat { ballot, chosen }, Purpose::Heartbeat);
        }
        // The oldest only, and only once the answers are overdue (Basic
        // Paxos's retry time): one message per peer and heartbeat at most,
        // as Raft's one AppendEntries, so a leader cut off from its
        // followers for a while does not flood them when the link heals.
        let retry = ctx.cluster.timing.paxos_retry;
        let now = ctx.now;
        if let Some((slot, p)) = proposals.iter_mut().next() {
            if now >= p.sent_at + retry {
                p.sent_at = now;
                for peer in ctx.cluster.peers(ctx.id) {
                    if !p.accepted.contains(&peer) {
                        let msg = Msg::Accept {
                            ballot,
                            slot: *slot,
                            value: p.value,
                        };
                        ctx.send(peer, msg, Purpose::Decision(*slot));
                    }
                }
            }
        }
        ctx.set_timer(Timer::Heartbeat, ctx.cluster.timing.heartbeat);
    }

    /// The leader puts a client value in the next free slot.
    fn propose(&mut self, value: Value, ctx: &mut MpCtx<'_>) {
        let Role::Leading { next, .. } = &mut self.role else {
            return;
        };
        let slot = *next;
        *next += 1;
        self.propose_in(slot, value, ctx);
    }

    /// Phase 2a for `value` in `slot`, at the leader's ballot.
    fn propose_in(&mut self, slot: SlotNo, value: Value, ctx: &mut MpCtx<'_>) {
        let Role::Leading {
            ballot, proposals, ..
        } = &mut self.role
        else {
            return;
        };
        let ballot = *ballot;
        proposals.insert(
            slot,
            Proposal {
                value,
                accepted: BTreeSet::new(),
                sent_at: ctx.now,
            },
        );
        for peer in ctx.cluster.peers(ctx.id) {
            let msg = Msg::Accept {
                ballot,
                slot,
                value,
            };
            ctx.send(peer, msg, Purpose::Decision(slot));
        }
        if let Msg::Accepted { ballot, slot } = self.on_accept(ctx.id, ballot, slot, value, ctx) {
            self.on_accepted(ctx.id, ballot, slot, ctx);
        }
    }

    /// Acceptor, phase 2b.
    fn on_accept(
        &mut self,
        from: NodeId,
        ballot: Ballot,
        slot: SlotNo,
        value: Value,
        ctx: &mut MpCtx<'_>,
    ) -> Msg {
        self.max_round = self.max_round.max(ballot.round);
        match self.promised {
            Some(p) if p > ballot => {
                ctx.refuse(Note::AcceptRefused {
                    from,
                    slot,
                    promised: p,
                    ballot,
                });
                Msg::Nack {
                    ballot,
                    promised: p,
                }
            }
            _ => {
                self.promised = Some(ballot);
                self.accepted.insert(slot, (ballot, value));
                if from != ctx.id {
                    self.yield_to(ballot, ctx);
                    self.leader = Some(ballot.node);
                    Self::reset_election_timer(ctx);
                }
                ctx.note(Note::Accepted {
                    value,
                    slot,
                    ballot,
                });
                Msg::Accepted { ballot, slot }
            }
        }
    }

    /// Phase 2b arrives at the leader.
    fn on_accepted(&mut self, from: NodeId, ballot: Ballot, slot: SlotNo, ctx: &mut MpCtx<'_>) {
        let quorum = ctx.cluster.quorum();
        let Role::Leading {
            ballot: mine,
            proposals,
            ..
        } = &mut self.role
        else {
            ctx.refuse(Note::NotLeading {
                kind: "Accepted",
                from,
            });
            return;
        };
        if ballot != *mine {
            ctx.refuse(Note::OtherBallot {
                kind: "Accepted",
                from,
                ballot,
                mine: *mine,
            });
            return;
        }
        let Some(p) = proposals.get_mut(&slot) else {
            // Normal: the slot was chosen before this reply arrived.
            ctx.note(Note::AlreadyChosen { from, slot });
            return;
        };
        p.accepted.insert(from);
        if p.accepted.len() >= quorum {
            let value = p.value;
            proposals.remove(&slot);
            for peer in ctx.cluster.peers(ctx.id) {
                ctx.send(peer, Msg::Decide { slot, value }, Purpose::Decision(slot));
            }
            self.learn(slot, value, ctx);
        }
    }

    /// A refusal: someone promised a higher ballot than this node's.
    fn on_nack(&mut self, ballot: Ballot, promised: Ballot, ctx: &mut MpCtx<'_>) {
        self.max_round = self.max_round.max(promised.round);
        if self.my_ballot() == Some(ballot) {
            self.step_down(promised, ctx);
        } else {
            ctx.note(Note::StaleNack { ballot });
        }
    }

    /// A leader's heartbeat arrives.
    fn on_heartbeat(&mut self, from: NodeId, ballot: Ballot, chosen: SlotNo, ctx: &mut MpCtx<'_>) {
        self.max_round = self.max_round.max(ballot.round);
        if let Some(p) = self.promised.filter(|p| *p > ballot) {
            // Tell a deposed leader it is one.
            ctx.refuse(Note::HeartbeatRefused {
                from,
                promised: p,
                ballot,
            });
            ctx.reply(
                from,
                Msg::Nack {
                    ballot,
                    promised: p,
                },
            );
            return;
        }
        // A leader's ballot is one a majority promised: promising it here
        // too refuses nothing a correct leader would send.
        self.promised = Some(ballot);
        self.yield_to(ballot, ctx);
        self.leader = Some(from);
        Self::reset_election_timer(ctx);
        let first_open = self.first_open_slot();
        if first_open <= chosen {
            ctx.milestone(
                Milestone::CaughtUp,
                Note::Behind {
                    from: first_open,
                    chosen,
                },
            );
            ctx.send(from, Msg::CatchUp { from: first_open }, Purpose::Recovery);
        }
    }

    /// Learner: `value` is chosen in `slot`.
    fn learn(&mut self, slot: SlotNo, value: Value, ctx: &mut MpCtx<'_>) {
        if self.chosen.insert(slot, value).is_none() {
            ctx.observe(Observation::Decided { slot, value });
        }
        if let Role::Leading { proposals, .. } = &mut self.role {
            proposals.remove(&slot);
        }
    }

    fn on_request(&mut self, value: Value, ctx: &mut MpCtx<'_>) {
        match self.role {
            Role::Leading { .. } => self.propose(value, ctx),
            Role::Preparing { .. } => {
                ctx.note(Note::Queued { value });
                self.pending.push_back(value);
            }
            Role::Follower => {
                ctx.refuse(Note::NotLeader {
                    value,
                    leader: self.leader,
                });
                ctx.redirect(Ask::Value(value), self.leader);
            }
        }
    }
}

impl Protocol for MultiPaxos {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Note = Note;
    type Checker = MultiPaxosChecker;

    const NAME: &'static str = "multipaxos";
    const TITLE: &'static str = "Multi-Paxos";
    const LETTER: char = 'm';
    const LEARNING: &'static str =
        "the leader sends Decide to each learner: counted apart, as a notification";
    const DECISION_NUMBER: &'static str = "its slot";
    const TEXTBOOK_PER_PEER: u64 = 2;
    const INDEX: &'static str = "slot";
    const LABEL: &'static str = "ballot";

    fn boot(ctx: &mut Ctx<'_, MultiPaxos>) -> Self {
        Self::restart(
            Durable {
                promised: None,
                accepted: BTreeMap::new(),
                max_round: 0,
                chosen: BTreeMap::new(),
            },
            ctx,
        )
    }

    /// Every node starts, and restarts, as a follower waiting to hear from
    /// a leader.
    fn restart(durable: Durable, ctx: &mut Ctx<'_, MultiPaxos>) -> Self {
        Self::reset_election_timer(ctx);
        MultiPaxos {
            promised: durable.promised,
            accepted: durable.accepted,
            max_round: durable.max_round,
            chosen: durable.chosen,
            role: Role::Follower,
            leader: None,
            pending: VecDeque::new(),
        }
    }

    fn durable(&self) -> Durable {
        Durable {
            promised: self.promised,
            accepted: self.accepted.clone(),
            max_round: self.max_round,
            chosen: self.chosen.clone(),
        }
    }

    fn handle(&mut self, input: Input<Msg, Timer>, ctx: &mut Ctx<'_, MultiPaxos>) {
        match input {
            Input::Request(value) => self.on_request(value, ctx),
            Input::Timer(Timer::Election) => {
                if !self.leads() {
                    if let Role::Preparing { ballot, .. } = self.role {
                        ctx.note(Note::TimedOut { ballot });
                    }
                    self.prepare(ctx);
                }
            }
            Input::Timer(Timer::Heartbeat) => self.heartbeat(ctx),
            Input::Deliver { from, msg } => match msg {
                Msg::Prepare { ballot, from: slot } => {
                    let reply = self.on_prepare(from, ballot, slot, ctx);
                    ctx.reply(from, reply);
                }
                Msg::Promise { ballot, accepted } => self.on_promise(from, ballot, accepted, ctx),
                Msg::Accept {
                    ballot,
                    slot,
                    value,
                } => {
                    let reply = self.on_accept(from, ballot, slot, value, ctx);
                    ctx.reply(from, reply);
                }
                Msg::Accepted { ballot, slot } => self.on_accepted(from, ballot, slot, ctx),
                Msg::Nack { ballot, promised } => self.on_nack(ballot, promised, ctx),
                Msg::Decide { slot, value } => self.learn(slot, value, ctx),
                Msg::Heartbeat { ballot, chosen } => self.on_heartbeat(from, ballot, chosen, ctx),
                Msg::CatchUp { from: slot } => {
                    let values = chosen_from(&self.chosen, slot);
                    if !values.is_empty() {
                        ctx.reply(from, Msg::Learn { from: slot, values });
                    }
                }
                Msg::Learn { from: slot, values } => {
                    for (slot, value) in (slot..).zip(values) {
                        self.learn(slot, value, ctx);
                    }
                }
            },
        }
    }

    /// No client value waits here, a leader has nothing unchosen, and the
    /// node knows every slot up to the highest it knows chosen.
    fn quiescent(&self) -> bool {
        let no_gaps = self
            .chosen
            .keys()
            .next_back()
            .is_none_or(|last| *last == self.chosen.len() as SlotNo);
        let idle = match &self.role {
            Role::Follower => true,
            Role::Preparing { .. } => false,
            Role::Leading { proposals, .. } => proposals.is_empty(),
        };
        self.pending.is_empty() && idle && no_gaps
    }

    fn leads(&self) -> bool {
        matches!(self.role, Role::Leading { .. })
    }

    /// The round of the ballot it promised (a leader promised its own).
    fn era(&self) -> u64 {
        self.promised.map_or(0, |b| u64::from(b.round))
    }

    fn role_name(&self) -> &'static str {
        match self.role {
            Role::Follower => "Follower",
            Role::Preparing { .. } => "Candidate (phase 1)",
            Role::Leading { .. } => "Leader",
        }
    }

    fn has_decided(&self, value: Value) -> bool {
        self.chosen.values().any(|v| *v == value)
    }

    fn decided(&self, index: u32) -> Option<Value> {
        // Slots are numbered from 1.
        self.chosen.get(&SlotNo::from(index + 1)).copied()
    }

    fn view(&self) -> NodeView {
        let ballot = |b: Option<Ballot>| b.map_or("none".into(), |b| format!("{b}"));
        let mut details = alloc::vec![
            ("promised", ballot(self.promised)),
            ("maxRound", format!("{}", self.max_round)),
            (
                "leader",
                self.leader.map_or("unknown".into(), |l| format!("n{l}")),
            ),
        ];
        match &self.role {
            Role::Follower => {}
            Role::Preparing {
                ballot,
                from,
                promises,
            } => details.push((
                "phase 1",
                format!(
                    "ballot {ballot} for slots {from} on, {} promises",
                    promises.len()
                ),
            )),
            Role::Leading {
                ballot,
                next,
                proposals,
                ..
            } => {
                details.push(("ballot", format!("{ballot}")));
                details.push(("next slot", format!("{next}")));
                let open: Vec<_> = proposals
                    .iter()
                    .map(|(s, p)| format!("{s}:{} ({} accepted)", Shown(p.value), p.accepted.len()))
                    .collect();
                if !open.is_empty() {
                    details.push(("proposals", open.join(" ")));
                }
            }
        }
        if !self.pending.is_empty() {
            let pending: Vec<_> = self.pending.iter().map(|v| format!("v{v}")).collect();
            details.push(("pending", pending.join(" ")));
        }
        // The "log": chosen values, and accepted ones not yet known chosen.
        let slots: BTreeSet<SlotNo> = self
            .chosen
            .keys()
            .chain(self.accepted.keys())
            .copied()
            .collect();
        let log = slots
            .into_iter()
            .filter_map(|slot| {
                let accepted = self.accepted.get(&slot);
                let (value, committed) = match (self.chosen.get(&slot), accepted) {
                    (Some(v), _) => (*v, true),
                    (None, Some((_, v))) => (*v, false),
                    (None, None) => return None,
                };
                // The ballot shown is that of the node's own acceptance of
                // this value; a value learned without accepting it has none.
                let ballot = accepted.filter(|(_, v)| *v == value);
                Some(EntryView {
                    index: slot,
                    label: ballot.map_or("-".into(), |(b, _)| format!("{b}")),
                    key: u64::from(value),
                    value,
                    committed,
                })
            })
            .collect();
        NodeView {
            role: self.role_name(),
            standing: match self.role {
                Role::Follower => Standing::Serves,
                Role::Preparing { .. } => Standing::Seeks,
                Role::Leading { .. } => Standing::Leads,
            },
            leads: self.leads(),
            era_name: "ballot",
            era: self.era(),
            log,
            details,
        }
    }
}

#[cfg(test)]
mod tests;
