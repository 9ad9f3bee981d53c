//! Basic Paxos, as in Lamport, "Paxos Made Simple" (2001): one single-decree
//! instance per decision slot.
//!
//! Every node plays all three roles. A *proposer* with a client value picks
//! the lowest slot it does not know to be decided and runs two phases with a
//! ballot `(round, node)` no other proposer can use:
//!
//! 1. **Prepare / Promise.** It asks every *acceptor* to promise to ignore
//!    ballots lower than its own. An acceptor promises if the ballot is at
//!    least the highest it has promised, and reports the highest-ballot value
//!    it has already accepted in that slot, if any.
//! 2. **Accept / Accepted.** With promises from a majority, the proposer asks
//!    the acceptors to accept a value. NB: the value is *not free*: it must be
//!    the value of the highest-ballot acceptance reported in the promises; only
//!    when none was reported may the proposer use its own (§2.2, P2c). This is
//!    the whole trick of Paxos — a value possibly already chosen is carried
//!    forward. The `paxos-ignore-accepted` mistake breaks exactly this rule.
//!
//! A value is *chosen* once a majority of acceptors accepted it at one ballot.
//! The proposer then learns it and tells the other *learners* with `Decide`
//! (a notification, counted apart from the textbook 4(N-1)). A learner that
//! missed a `Decide` (behind a partition, or down) finds out when a
//! proposer works in a later slot, since a proposer works in its first open
//! one: it asks for the slots it misses (`CatchUp`, `Learn`; recovery
//! traffic), as real deployments let a lagging learner do.
//!
//! Two proposers can keep preempting each other with ever higher ballots
//! (dueling proposers, a livelock); a preempted proposer waits a random,
//! growing backoff before retrying, so one of them soon gets through.
//!
//! Durable: an acceptor's promise and acceptance per slot ("an acceptor must
//! remember this information even if it fails and then restarts", §2.3), the
//! highest round the proposer used (so a restarted proposer never reuses a
//! ballot), and the values learned.

pub(crate) mod check;
mod note;

pub use check::PaxosChecker;
pub use note::Note;

use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::format;
use alloc::vec::Vec;
use core::fmt;

use crate::protocol::{
    Category, Ctx, EntryView, Input, Message, Milestone, Mistake, NodeId, NodeView, Observation,
    Protocol, Purpose, Standing, TimerKind, Value,
};

/// A decision slot: one independent single-decree Paxos instance.
pub type SlotNo = u64;

/// The values chosen from slot `from` on, as far as they run without a
/// hole: what a node answers a learner's `CatchUp` with (Basic Paxos and
/// Multi-Paxos alike).
pub(crate) fn chosen_from(chosen: &BTreeMap<SlotNo, Value>, from: SlotNo) -> Vec<Value> {
    (from..).map_while(|s| chosen.get(&s).copied()).collect()
}

/// A ballot (proposal number): rounds are compared first, then node ids, so
/// two proposers never share one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ballot {
    /// The proposer's round.
    pub round: u32,
    /// The proposer.
    pub node: NodeId,
}

impl fmt::Display for Ballot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({},n{})", self.round, self.node)
    }
}

/// An acceptor's vote in a slot: the ballot it accepted and the value.
pub type Vote = (Ballot, Value);

/// Paxos messages (Paxos Made Simple §2.2).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Phase 1a: promise not to accept ballots below `ballot` in `slot`.
    Prepare { slot: SlotNo, ballot: Ballot },
    /// Phase 1b: the promise, with the highest-ballot acceptance so far.
    Promise {
        slot: SlotNo,
        ballot: Ballot,
        accepted: Option<Vote>,
    },
    /// Phase 2a: accept `value` at `ballot`.
    Accept {
        slot: SlotNo,
        ballot: Ballot,
        value: Value,
    },
    /// Phase 2b: accepted.
    Accepted { slot: SlotNo, ballot: Ballot },
    /// A refusal: the acceptor has promised a higher ballot (the "abandon"
    /// hint of §2.2, which saves the proposer a timeout).
    Nack {
        slot: SlotNo,
        ballot: Ballot,
        promised: Ballot,
    },
    /// `value` is chosen in `slot` (to the learners).
    Decide { slot: SlotNo, value: Value },
    /// A learner that missed decisions asks for the values chosen from
    /// slot `from` on.
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
            Msg::Prepare { slot, ballot } => write!(f, "Prepare slot={slot} ballot={ballot}"),
            Msg::Promise {
                slot,
                ballot,
                accepted,
            } => {
                write!(f, "Promise slot={slot} ballot={ballot} accepted=")?;
                match accepted {
                    Some((b, v)) => write!(f, "v{v}@{b}"),
                    None => f.write_str("none"),
                }
            }
            Msg::Accept {
                slot,
                ballot,
                value,
            } => {
                write!(f, "Accept slot={slot} ballot={ballot} value=v{value}")
            }
            Msg::Accepted { slot, ballot } => write!(f, "Accepted slot={slot} ballot={ballot}"),
            Msg::Nack {
                slot,
                ballot,
                promised,
            } => {
                write!(f, "Nack slot={slot} ballot={ballot} promised={promised}")
            }
            Msg::Decide { slot, value } => write!(f, "Decide slot={slot} value=v{value}"),
            Msg::CatchUp { from } => write!(f, "CatchUp from={from}"),
            Msg::Learn { from, values } => {
                write!(f, "Learn from={from} values=")?;
                for (i, v) in values.iter().enumerate() {
                    let sep = if i == 0 { "" } else { "," };
                    write!(f, "{sep}v{v}")?;
                }
                Ok(())
            }
        }
    }
}

/// Paxos's one timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// A proposer's round got no quorum in time, or it waited out its backoff:
    /// try again with a higher ballot.
    Retry,
}

impl TimerKind for Timer {
    const ALL: &'static [Timer] = &[Timer::Retry];
    const TIME_OUTS: &'static [Timer] = &[Timer::Retry];
    const ROUTINE: &'static [Timer] = &[];
    fn name(self) -> &'static str {
        "retry"
    }
}

/// An acceptor's durable state in one slot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AcceptorSlot {
    /// The highest ballot promised.
    pub promised: Option<Ballot>,
    /// The highest-ballot proposal accepted.
    pub accepted: Option<Vote>,
}

/// Where a proposer is in its current instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Phase 1: gathering promises (and the acceptances they report).
    Preparing {
        promises: BTreeMap<NodeId, Option<Vote>>,
    },
    /// Phase 2: gathering acceptances of `value`, chosen from `promises`.
    Accepting {
        value: Value,
        promises: BTreeMap<NodeId, Option<Vote>>,
        accepted: BTreeSet<NodeId>,
    },
    /// Preempted or timed out: waiting out a random backoff before retrying.
    BackingOff,
}

/// A proposer's current instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// The slot.
    pub slot: SlotNo,
    /// The ballot of this attempt.
    pub ballot: Ballot,
    /// The phase.
    pub phase: Phase,
    /// How many attempts this slot has taken (for the backoff).
    pub attempt: u32,
}

/// What a Paxos node keeps on stable storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Durable {
    /// Acceptor state per slot.
    pub acceptor: BTreeMap<SlotNo, AcceptorSlot>,
    /// The highest round this proposer used or saw.
    pub max_round: u32,
    /// Values learned.
    pub chosen: BTreeMap<SlotNo, Value>,
}

/// One Paxos node: proposer, acceptor and learner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paxos {
    acceptor: BTreeMap<SlotNo, AcceptorSlot>,
    max_round: u32,
    chosen: BTreeMap<SlotNo, Value>,
    /// Client values waiting to be decided, oldest first.
    pending: VecDeque<Value>,
    proposal: Option<Proposal>,
    forget_on_crash: bool,
}

type PaxosCtx<'a> = Ctx<'a, Paxos>;

impl Paxos {
    /// Acceptor state per slot.
    pub fn acceptor(&self) -> &BTreeMap<SlotNo, AcceptorSlot> {
        &self.acceptor
    }

    /// Values learned, per slot.
    pub fn chosen(&self) -> &BTreeMap<SlotNo, Value> {
        &self.chosen
    }

    /// The current proposal, if the node is proposing.
    pub fn proposal(&self) -> Option<&Proposal> {
        self.proposal.as_ref()
    }

    /// Client values not yet decided.
    pub fn pending(&self) -> &VecDeque<Value> {
        &self.pending
    }

    /// The lowest slot this node does not know to be decided.
    fn first_open_slot(&self) -> SlotNo {
        (1..).find(|s| !self.chosen.contains_key(s)).unwrap_or(1)
    }

    /// Start proposing the oldest pending value, unless already proposing.
    fn propose_next(&mut self, ctx: &mut PaxosCtx<'_>) {
        if self.proposal.is_some() || self.pending.is_empty() {
            return;
        }
        let slot = self.first_open_slot();
        self.prepare(slot, 0, ctx);
    }

    /// Phase 1a with a fresh ballot, higher than any this node used or saw.
    fn prepare(&mut self, slot: SlotNo, attempt: u32, ctx: &mut PaxosCtx<'_>) {
        self.max_round += 1;
        let ballot = Ballot {
            round: self.max_round,
            node: ctx.id,
        };
        self.proposal = Some(Proposal {
            slot,
            ballot,
            phase: Phase::Preparing {
                promises: BTreeMap::new(),
            },
            attempt,
        });
        ctx.note(Note::Proposing { slot, ballot });
        ctx.set_timer(Timer::Retry, ctx.cluster.timing.paxos_retry);
        for peer in ctx.cluster.peers(ctx.id) {
            ctx.send(peer, Msg::Prepare { slot, ballot }, Purpose::Decision(slot));
        }
        // This node's own acceptor answers without the network.
        let own = self.on_prepare(ctx.id, slot, ballot, ctx);
        if let Some(reply) = own {
            self.on_reply(ctx.id, reply, ctx);
        }
    }

    /// Acceptor, phase 1b. Returns the reply.
    fn on_prepare(
        &mut self,
        from: NodeId,
        slot: SlotNo,
        ballot: Ballot,
        ctx: &mut PaxosCtx<'_>,
    ) -> Option<Msg> {
        self.max_round = self.max_round.max(ballot.round);
        let a = self.acceptor.entry(slot).or_default();
        match a.promised {
            // "If an acceptor receives a prepare request with number n
            // greater than that of any prepare request to which it has
            // already responded, then it responds with a promise not to
            // accept any more proposals numbered less than n and with the
            // highest-numbered proposal (if any) that it has accepted."
            // (Equal: the same proposer asking again; answering is harmless.)
            Some(p) if p > ballot => {
                ctx.refuse(Note::PromiseRefused {
                    from,
                    slot,
                    promised: p,
                    ballot,
                });
                Some(Msg::Nack {
                    slot,
                    ballot,
                    promised: p,
                })
            }
            _ => {
                a.promised = Some(ballot);
                Some(Msg::Promise {
                    slot,
                    ballot,
                    accepted: a.accepted,
                })
            }
        }
    }

    /// Acceptor, phase 2b. Returns the reply.
    fn on_accept(
        &mut self,
        from: NodeId,
        slot: SlotNo,
        ballot: Ballot,
        value: Value,
        ctx: &mut PaxosCtx<'_>,
    ) -> Msg {
        self.max_round = self.max_round.max(ballot.round);
        let a = self.acceptor.entry(slot).or_default();
        match a.promised {
            // "If an acceptor receives an accept request for a proposal
            // numbered n, it accepts the proposal unless it has already
            // responded to a prepare request having a number greater than n."
            Some(p) if p > ballot => {
                ctx.refuse(Note::AcceptRefused {
                    from,
                    slot,
                    promised: p,
                    ballot,
                });
                Msg::Nack {
                    slot,
                    ballot,
                    promised: p,
                }
            }
            _ => {
                a.promised = Some(ballot);
                a.accepted = Some((ballot, value));
                ctx.note(Note::Accepted {
                    value,
                    slot,
                    ballot,
                });
                Msg::Accepted { slot, ballot }
            }
        }
    }

    /// Proposer: a reply (Promise, Accepted or Nack) from `from`, possibly itself.
    fn on_reply(&mut self, from: NodeId, msg: Msg, ctx: &mut PaxosCtx<'_>) {
        let Some(p) = self.proposal.as_mut() else {
            ctx.refuse(Note::NotProposing {
                kind: msg.kind(),
                from,
            });
            return;
        };
        let (slot, ballot) = match msg {
            Msg::Promise { slot, ballot, .. }
            | Msg::Accepted { slot, ballot }
            | Msg::Nack { slot, ballot, .. } => (slot, ballot),
            _ => return,
        };
        // NB: a reply counts only for the ballot it answers — counting stale
        // promises from an older ballot is a classic bug.
        if slot != p.slot || ballot != p.ballot {
            ctx.refuse(Note::OtherBallot {
                kind: msg.kind(),
                from,
                ballot,
                slot,
                mine: p.ballot,
                my_slot: p.slot,
            });
            return;
        }
        let quorum = ctx.cluster.quorum();
        match (msg, &mut p.phase) {
            (Msg::Promise { accepted, .. }, Phase::Preparing { promises }) => {
                promises.insert(from, accepted);
                if promises.len() >= quorum {
                    let promises = core::mem::take(promises);
                    self.accept_phase(promises, ctx);
                }
            }
            (
                Msg::Accepted { .. },
                Phase::Accepting {
                    value, accepted, ..
                },
            ) => {
                accepted.insert(from);
                if accepted.len() >= quorum {
                    let value = *value;
                    self.chosen_by_me(slot, value, ctx);
                }
            }
            (Msg::Nack { promised, .. }, Phase::Preparing { .. } | Phase::Accepting { .. }) => {
                // Preempted by a higher ballot: back off for a random,
                // growing time so dueling proposers stop colliding.
                self.max_round = self.max_round.max(promised.round);
                p.phase = Phase::BackingOff;
                p.attempt += 1;
                let limit = ctx.cluster.timing.paxos_backoff * u64::from(p.attempt.min(8));
                let wait = ctx.random_between(1, limit.max(1));
                ctx.milestone(
                    Milestone::Preempted,
                    Note::Preempted {
                        slot,
                        by: promised,
                        wait,
                    },
                );
                ctx.set_timer(Timer::Retry, wait);
            }
            (msg, _) => {
                ctx.refuse(Note::PhaseOver {
                    kind: msg.kind(),
                    from,
                    slot,
                });
            }
        }
    }

    /// Phase 2a, with a majority of promises in hand.
    fn accept_phase(&mut self, promises: BTreeMap<NodeId, Option<Vote>>, ctx: &mut PaxosCtx<'_>) {
        let Some(p) = self.proposal.as_mut() else {
            return;
        };
        let (slot, ballot) = (p.slot, p.ballot);
        let own = self.pending.front().copied().unwrap_or(0);
        // P2c: "the value of the highest-numbered proposal among the
        // responses, or any value selected by the proposer if the responders
        // reported no proposals".
        let highest = promises.values().flatten().max_by_key(|(b, _)| *b).copied();
        let value = match highest {
            Some((b, v)) if !ctx.cluster.mistake(Mistake::PaxosIgnoreAccepted) => {
                if v != own {
                    ctx.milestone(
                        Milestone::Adopted,
                        Note::Adopting {
                            value: v,
                            ballot: b,
                            slot,
                            own,
                        },
                    );
                }
                v
            }
            _ => own,
        };
        p.phase = Phase::Accepting {
            value,
            promises,
            accepted: BTreeSet::new(),
        };
        ctx.set_timer(Timer::Retry, ctx.cluster.timing.paxos_retry);
        for peer in ctx.cluster.peers(ctx.id) {
            ctx.send(
                peer,
                Msg::Accept {
                    slot,
                    ballot,
                    value,
                },
                Purpose::Decision(slot),
            );
        }
        let own_reply = self.on_accept(ctx.id, slot, ballot, value, ctx);
        self.on_reply(ctx.id, own_reply, ctx);
    }

    /// A majority accepted: the value is chosen. Learn it and tell the others.
    fn chosen_by_me(&mut self, slot: SlotNo, value: Value, ctx: &mut PaxosCtx<'_>) {
        for peer in ctx.cluster.peers(ctx.id) {
            ctx.send(peer, Msg::Decide { slot, value }, Purpose::Decision(slot));
        }
        self.learn(slot, value, ctx);
    }

    /// Learner: `value` is chosen in `slot`.
    fn learn(&mut self, slot: SlotNo, value: Value, ctx: &mut PaxosCtx<'_>) {
        if self.chosen.insert(slot, value).is_none() {
            ctx.observe(Observation::Decided { slot, value });
        }
        if self.proposal.as_ref().is_some_and(|p| p.slot == slot) {
            self.proposal = None;
            ctx.cancel_timer(Timer::Retry);
        }
        if self.pending.front() == Some(&value) {
            self.pending.pop_front();
        } else if let Some(v) = self.pending.front() {
            ctx.note(Note::SlotTaken {
                slot,
                value,
                next: *v,
            });
        }
        self.propose_next(ctx);
    }

    /// A proposer works in its first open slot, so it knows every slot
    /// below `slot` decided. A learner with a hole below `slot` (it missed a
    /// Decide, behind a partition or while down) asks `from` for the rest.
    /// It looks when an Accept arrives: a whole round of phase 1 after the
    /// proposer decided the slot before, so a Decide still on its way in a
    /// healthy network has arrived by then.
    fn catch_up(&mut self, from: NodeId, slot: SlotNo, ctx: &mut PaxosCtx<'_>) {
        let first_open = self.first_open_slot();
        if first_open < slot {
            ctx.milestone(
                Milestone::CaughtUp,
                Note::Behind {
                    from,
                    slot,
                    missing: first_open,
                },
            );
            ctx.send(from, Msg::CatchUp { from: first_open }, Purpose::Recovery);
        }
    }

    fn on_retry(&mut self, ctx: &mut PaxosCtx<'_>) {
        let Some(p) = self.proposal.take() else {
            return;
        };
        if !matches!(p.phase, Phase::BackingOff) {
            ctx.note(Note::TimedOut {
                ballot: p.ballot,
                slot: p.slot,
            });
        }
        // Retry in the same slot unless it got decided meanwhile.
        let slot = if self.chosen.contains_key(&p.slot) {
            self.first_open_slot()
        } else {
            p.slot
        };
        if self.pending.is_empty() {
            return;
        }
        self.prepare(slot, p.attempt, ctx);
    }
}

impl Protocol for Paxos {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Note = Note;
    type Checker = PaxosChecker;

    const NAME: &'static str = "paxos";
    const TEXTBOOK_PER_PEER: u64 = 4;
    const TITLE: &'static str = "Basic Paxos";
    const LETTER: char = 'p';
    const LEARNING: &'static str =
        "the proposer sends Decide to each learner: counted apart, as a notification";
    const SHORT: &'static str = "Paxos";
    const DECISION_NUMBER: &'static str = "its slot";
    const INDEX: &'static str = "slot";
    const LABEL: &'static str = "ballot";
    const LEADERLESS: bool = true;

    fn boot(ctx: &mut Ctx<'_, Paxos>) -> Self {
        Self::restart(
            Durable {
                acceptor: BTreeMap::new(),
                max_round: 0,
                chosen: BTreeMap::new(),
            },
            ctx,
        )
    }

    fn restart(durable: Durable, ctx: &mut Ctx<'_, Paxos>) -> Self {
        Paxos {
            acceptor: durable.acceptor,
            max_round: durable.max_round,
            chosen: durable.chosen,
            pending: VecDeque::new(),
            proposal: None,
            forget_on_crash: ctx.cluster.mistake(Mistake::PaxosForgetPromise),
        }
    }

    fn durable(&self) -> Durable {
        Durable {
            acceptor: if self.forget_on_crash {
                BTreeMap::new()
            } else {
                self.acceptor.clone()
            },
            max_round: self.max_round,
            chosen: self.chosen.clone(),
        }
    }

    fn handle(&mut self, input: Input<Msg, Timer>, ctx: &mut Ctx<'_, Paxos>) {
        match input {
            Input::Request(value) => {
                self.pending.push_back(value);
                if self.proposal.is_some() {
                    ctx.note(Note::Queued { value });
                }
                self.propose_next(ctx);
            }
            Input::Timer(Timer::Retry) => self.on_retry(ctx),
            Input::Deliver { from, msg } => match msg {
                Msg::Prepare { slot, ballot } => {
                    if let Some(reply) = self.on_prepare(from, slot, ballot, ctx) {
                        ctx.reply(from, reply);
                    }
                }
                Msg::Accept {
                    slot,
                    ballot,
                    value,
                } => {
                    let reply = self.on_accept(from, slot, ballot, value, ctx);
                    ctx.reply(from, reply);
                    self.catch_up(from, slot, ctx);
                }
                Msg::Promise { .. } | Msg::Accepted { .. } | Msg::Nack { .. } => {
                    self.on_reply(from, msg, ctx);
                }
                Msg::Decide { slot, value } => self.learn(slot, value, ctx),
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

    fn quiescent(&self) -> bool {
        self.pending.is_empty() && self.proposal.is_none()
    }

    /// No node leads: every node proposes.
    fn leads(&self) -> bool {
        false
    }

    fn era(&self) -> u64 {
        u64::from(self.max_round)
    }

    fn role_name(&self) -> &'static str {
        match self.proposal.as_ref().map(|p| &p.phase) {
            Some(Phase::Preparing { .. }) => "Proposer (phase 1)",
            Some(Phase::Accepting { .. }) => "Proposer (phase 2)",
            Some(Phase::BackingOff) => "Proposer (backing off)",
            None => "Acceptor",
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
        let mut details = alloc::vec![("maxRound", format!("{}", self.max_round))];
        let pending: Vec<_> = self.pending.iter().map(|v| format!("v{v}")).collect();
        details.push((
            "pending",
            if pending.is_empty() {
                "none".into()
            } else {
                pending.join(" ")
            },
        ));
        if let Some(p) = &self.proposal {
            let phase = match &p.phase {
                Phase::Preparing { promises } => format!("phase 1, {} promises", promises.len()),
                Phase::Accepting {
                    value, accepted, ..
                } => {
                    format!("phase 2 with v{value}, {} accepted", accepted.len())
                }
                Phase::BackingOff => "backing off".into(),
            };
            details.push((
                "proposal",
                format!("slot {} ballot {} ({phase})", p.slot, p.ballot),
            ));
        }
        for (slot, a) in &self.acceptor {
            let promised = a.promised.map_or("none".into(), |b| format!("{b}"));
            let accepted = a
                .accepted
                .map_or("none".into(), |(b, v)| format!("v{v}@{b}"));
            details.push((
                "slot",
                format!("{slot}: promised {promised}, accepted {accepted}"),
            ));
        }
        // The "log": chosen values, plus values this acceptor accepted in
        // slots it has not yet learned about (not known chosen).
        let mut log = Vec::new();
        let slots: BTreeSet<SlotNo> = self
            .chosen
            .keys()
            .chain(
                self.acceptor
                    .iter()
                    .filter(|(_, a)| a.accepted.is_some())
                    .map(|(s, _)| s),
            )
            .copied()
            .collect();
        for slot in slots {
            let (value, era, committed) = match (self.chosen.get(&slot), self.acceptor.get(&slot)) {
                (Some(v), a) => {
                    let era = a
                        .and_then(|a| a.accepted)
                        .map_or("-".into(), |(b, _)| format!("{b}"));
                    (*v, era, true)
                }
                (
                    None,
                    Some(AcceptorSlot {
                        accepted: Some((b, v)),
                        ..
                    }),
                ) => (*v, format!("{b}"), false),
                (None, _) => continue,
            };
            log.push(EntryView {
                index: slot,
                label: era,
                key: u64::from(value),
                value,
                committed,
            });
        }
        NodeView {
            role: self.role_name(),
            standing: if self.proposal.is_some() {
                Standing::Seeks
            } else {
                Standing::Serves
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
