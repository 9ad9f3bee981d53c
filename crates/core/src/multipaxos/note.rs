//! What a Multi-Paxos node tells the learner: why it refused an input, and
//! what it did. Data with the slots, ballots and values involved, worded
//! only when shown.

use core::fmt;

use super::{Ballot, SlotNo};
use crate::protocol::{NodeId, Shown, Timeliness, Value};

/// One thing a Multi-Paxos node says.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    /// No word from a leader: phase 1 for every slot from `from`.
    Preparing { ballot: Ballot, from: SlotNo },
    /// Phase 1 got no majority in time.
    TimedOut { ballot: Ballot },
    /// A majority promised: this node leads.
    Leading {
        ballot: Ballot,
        from: SlotNo,
        recovered_to: SlotNo,
    },
    /// A value a promise reported is proposed again in its slot (P2c).
    Recovering {
        slot: SlotNo,
        value: Value,
        ballot: Ballot,
    },
    /// Nothing was reported in a slot below others that hold values.
    FillingGap { slot: SlotNo },
    /// A higher ballot took over.
    SteppedDown { mine: Ballot, by: Ballot },
    /// An acceptor refuses a Prepare below its promise.
    PromiseRefused {
        from: NodeId,
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
    /// A node refuses the heartbeat of a leader it knows is deposed.
    HeartbeatRefused {
        from: NodeId,
        promised: Ballot,
        ballot: Ballot,
    },
    /// An acceptor accepted a value.
    Accepted {
        value: Value,
        slot: SlotNo,
        ballot: Ballot,
    },
    /// A promise to a node that is not (or no longer) preparing.
    NotPreparing { from: NodeId, ballot: Ballot },
    /// An acceptance at a node that does not lead.
    NotLeading { kind: &'static str, from: NodeId },
    /// A reply to another ballot than the current one.
    OtherBallot {
        kind: &'static str,
        from: NodeId,
        ballot: Ballot,
        mine: Ballot,
    },
    /// A late acceptance of a slot already chosen (normal).
    AlreadyChosen { from: NodeId, slot: SlotNo },
    /// A refusal of a ballot this node no longer uses.
    StaleNack { ballot: Ballot },
    /// The leader knows more slots chosen than this node: it asks for them.
    Behind { from: SlotNo, chosen: SlotNo },
    /// A client value waits for phase 1 to end.
    Queued { value: Value },
    /// A client asked a node that does not lead.
    NotLeader {
        value: Value,
        leader: Option<NodeId>,
    },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Preparing { ballot, from } => write!(
                f,
                "no word from a leader: phase 1 with ballot {ballot} for every slot from {from}"
            ),
            Note::TimedOut { ballot } => {
                write!(f, "no majority promised ballot {ballot} in time")
            }
            Note::Leading {
                ballot,
                from,
                recovered_to,
            } => {
                if recovered_to < from {
                    write!(
                        f,
                        "a majority promised ballot {ballot}: leading from slot {from}, nothing to recover"
                    )
                } else if recovered_to == from {
                    write!(
                        f,
                        "a majority promised ballot {ballot}: leading, recovering slot {from} first"
                    )
                } else {
                    write!(
                        f,
                        "a majority promised ballot {ballot}: leading, recovering slots {from} to {recovered_to} first"
                    )
                }
            }
            Note::Recovering {
                slot,
                value,
                ballot,
            } => write!(
                f,
                "slot {slot}: proposing again {}, accepted at ballot {ballot}, as phase 1 requires",
                Shown(*value)
            ),
            Note::FillingGap { slot } => write!(
                f,
                "slot {slot}: no promise reported a value, but later slots hold some: filling it with a no-op"
            ),
            Note::SteppedDown { mine, by } => {
                write!(f, "ballot {by} is higher than my {mine}: following")
            }
            Note::PromiseRefused {
                from,
                promised,
                ballot,
            } => write!(
                f,
                "promise to n{from} refused: I promised ballot {promised} > {ballot}"
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
            Note::HeartbeatRefused {
                from,
                promised,
                ballot,
            } => write!(
                f,
                "heartbeat from n{from} refused: I promised ballot {promised} > {ballot}, it no longer leads"
            ),
            Note::Accepted {
                value,
                slot,
                ballot,
            } => write!(
                f,
                "accepted {} in slot {slot} at ballot {ballot}",
                Shown(*value)
            ),
            Note::NotPreparing { from, ballot } => write!(
                f,
                "Promise from n{from} for ballot {ballot} ignored: I am not preparing"
            ),
            Note::NotLeading { kind, from } => {
                write!(f, "{kind} from n{from} ignored: I do not lead")
            }
            Note::OtherBallot {
                kind,
                from,
                ballot,
                mine,
            } => write!(
                f,
                "{kind} from n{from} ignored: it answers ballot {ballot}, mine is {mine}"
            ),
            Note::AlreadyChosen { from, slot } => write!(
                f,
                "Accepted from n{from} for slot {slot} arrives after the slot was chosen"
            ),
            Note::StaleNack { ballot } => {
                write!(f, "Nack for ballot {ballot} ignored: I no longer use it")
            }
            Note::Behind { from, chosen } => write!(
                f,
                "the leader knows slots 1 to {chosen} chosen; I miss slot {from}: asking for the rest"
            ),
            Note::Queued { value } => {
                write!(f, "v{value} waits until phase 1 ends")
            }
            Note::NotLeader { value, leader } => match leader {
                Some(l) => write!(f, "v{value} refused: not the leader, try n{l}"),
                None => write!(f, "v{value} refused: not the leader, and no leader known"),
            },
        }
    }
}

/// Late replies (an answer to a ballot or phase that is over, an acceptance of a slot already chosen) are normal on an asynchronous network.
impl Timeliness for Note {
    fn late(&self) -> bool {
        matches!(
            self,
            Note::NotPreparing { .. }
                | Note::NotLeading { .. }
                | Note::OtherBallot { .. }
                | Note::AlreadyChosen { .. }
                | Note::StaleNack { .. }
        )
    }
}
