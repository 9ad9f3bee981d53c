//! What a Basic Paxos node tells the learner: why it refused an input, and
//! what it did. Data with the slots, ballots and values involved, worded
//! only when shown (the wording is what the scenario files expect).

use core::fmt;

use super::{Ballot, SlotNo};
use crate::protocol::{NodeId, Tick, Timeliness, Value};

/// One thing a Paxos node says.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    /// Phase 1a: a new ballot for a slot.
    Proposing { slot: SlotNo, ballot: Ballot },
    /// An acceptor refuses a Prepare below its promise.
    PromiseRefused {
        from: NodeId,
        slot: SlotNo,
        promised: Ballot,
        ballot: Ballot,
    },
    /// An acceptor refuses an Accept below its promise.
    AcceptRefused {
        from: NodeId,
        slot: SlotNo,
        promised: Ballot,
        ballot: Ballot,
    },
    /// An acceptor accepted a value.
    Accepted {
        value: Value,
        slot: SlotNo,
        ballot: Ballot,
    },
    /// A reply to a node that is not proposing.
    NotProposing { kind: &'static str, from: NodeId },
    /// A reply to another ballot or slot than the current one.
    OtherBallot {
        kind: &'static str,
        from: NodeId,
        ballot: Ballot,
        slot: SlotNo,
        mine: Ballot,
        my_slot: SlotNo,
    },
    /// A higher ballot preempted this proposer.
    Preempted {
        slot: SlotNo,
        by: Ballot,
        wait: Tick,
    },
    /// A reply after its phase ended.
    PhaseOver {
        kind: &'static str,
        from: NodeId,
        slot: SlotNo,
    },
    /// P2c: the proposer adopts the highest accepted value.
    Adopting {
        value: Value,
        ballot: Ballot,
        slot: SlotNo,
        own: Value,
    },
    /// The slot went to another value; this one tries the next slot.
    SlotTaken {
        slot: SlotNo,
        value: Value,
        next: Value,
    },
    /// No majority in time.
    TimedOut { ballot: Ballot, slot: SlotNo },
    /// A client value waits behind the current proposal.
    Queued { value: Value },
    /// A message about `slot` shows this learner missed slot `missing`.
    Behind {
        from: NodeId,
        slot: SlotNo,
        missing: SlotNo,
    },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Proposing { slot, ballot } => {
                write!(f, "proposing in slot {slot} with ballot {ballot}")
            }
            Note::PromiseRefused {
                from,
                slot,
                promised,
                ballot,
            } => write!(
                f,
                "promise to n{from} refused in slot {slot}: I promised ballot {promised} > {ballot}"
            ),
            Note::AcceptRefused {
                from,
                slot,
                promised,
                ballot,
            } => write!(
                f,
                "accept from n{from} refused in slot {slot}: I promised ballot {promised} > {ballot}"
            ),
            Note::Accepted {
                value,
                slot,
                ballot,
            } => write!(f, "accepted v{value} in slot {slot} at ballot {ballot}"),
            Note::NotProposing { kind, from } => {
                write!(f, "{kind} from n{from} ignored: I am not proposing")
            }
            Note::OtherBallot {
                kind,
                from,
                ballot,
                slot,
                mine,
                my_slot,
            } => write!(
                f,
                "{kind} from n{from} ignored: it answers ballot {ballot} in slot {slot}, I am at ballot {mine} in slot {my_slot}"
            ),
            Note::Preempted { slot, by, wait } => write!(
                f,
                "preempted in slot {slot} by ballot {by}: retrying in {wait} ticks"
            ),
            Note::PhaseOver { kind, from, slot } => write!(
                f,
                "{kind} from n{from} ignored: this phase of slot {slot} is over"
            ),
            Note::Adopting {
                value,
                ballot,
                slot,
                own,
            } => write!(
                f,
                "adopting v{value}, accepted at ballot {ballot} in slot {slot}, instead of my v{own}"
            ),
            Note::SlotTaken { slot, value, next } => write!(
                f,
                "slot {slot} went to v{value}; v{next} will try the next slot"
            ),
            Note::TimedOut { ballot, slot } => write!(
                f,
                "no majority answered ballot {ballot} in slot {slot} in time: retrying"
            ),
            Note::Queued { value } => write!(f, "v{value} queued behind my current proposal"),
            Note::Behind {
                from,
                slot,
                missing,
            } => write!(
                f,
                "n{from} works in slot {slot}, so it knows the slots before are decided; I miss slot {missing}: asking it"
            ),
        }
    }
}

/// Late replies (a promise or acceptance after its phase ended, or of another ballot) are normal on an asynchronous network.
impl Timeliness for Note {
    fn late(&self) -> bool {
        matches!(
            self,
            Note::NotProposing { .. } | Note::OtherBallot { .. } | Note::PhaseOver { .. }
        )
    }
}
