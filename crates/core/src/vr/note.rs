//! What a Viewstamped Replication replica tells the learner: why it refused
//! an input, and what it did. Data with the views and op-numbers involved,
//! worded only when shown.

use core::fmt;

use super::{OpNumber, View};
use crate::protocol::{NodeId, Shown, Timeliness, Value};

/// One thing a replica says.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    /// No word from the primary: a view change to `view`.
    Suspect { view: View, primary: NodeId },
    /// The view change to `view` did not finish in time.
    ViewChangeTimedOut { view: View },
    /// Another replica moves to `view`: join its view change.
    Joining { view: View, from: NodeId },
    /// A majority started the view change: this replica's log goes to the
    /// new primary.
    SendingLog { view: View, to: NodeId },
    /// The new primary starts `view` with the log of `chosen`, whose last
    /// normal view is `last_normal` (the largest), with `op` operations.
    StartingView {
        view: View,
        chosen: NodeId,
        last_normal: View,
        op: OpNumber,
    },
    /// `vr-pick-any-log`: the new primary keeps its own log.
    KeptOwnLog { view: View, best: NodeId },
    /// A backup takes the new primary's log.
    Adopted { view: View, op: OpNumber },
    /// A message of an older view.
    OldView {
        kind: &'static str,
        from: NodeId,
        view: View,
        mine: View,
    },
    /// A message of a later view: this replica missed a view change and
    /// asks for the state (state transfer, §5.2).
    LaterView {
        kind: &'static str,
        view: View,
        mine: View,
    },
    /// A Prepare arrives with a gap before it: ask for the missing ones.
    Gap { op: OpNumber, have: OpNumber },
    /// A backup appended an operation.
    Prepared { op: OpNumber, value: Value },
    /// A replica not in normal status does not take part.
    NotNormal { kind: &'static str, from: NodeId },
    /// A reply that only a primary uses.
    NotPrimaryFor { kind: &'static str, from: NodeId },
    /// A restarted replica lost its state and asks the others.
    Recovering { nonce: u64 },
    /// Recovery is done: the state of the primary of `view`.
    Recovered {
        view: View,
        primary: NodeId,
        op: OpNumber,
    },
    /// A RecoveryResponse with another nonce: an answer to an earlier
    /// recovery.
    OtherNonce { from: NodeId },
    /// The state transfer brought this replica up to the primary's log.
    Transferred { view: View, op: OpNumber },
    /// A NewState that does not fit this replica's log.
    StateDoesNotFit { from: OpNumber, op: OpNumber },
    /// A client asked a replica that is not the primary.
    NotPrimary {
        value: Value,
        primary: Option<NodeId>,
    },
}

/// A number of operations, in words: `1 op`, `3 ops`.
struct Ops(OpNumber);

impl fmt::Display for Ops {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => f.write_str("1 op"),
            n => write!(f, "{n} ops"),
        }
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Suspect { view, primary } => write!(
                f,
                "no word from primary n{primary}: starting a view change to view {view}"
            ),
            Note::ViewChangeTimedOut { view } => {
                write!(f, "view {view} did not start in time")
            }
            Note::Joining { view, from } => {
                write!(f, "n{from} moves to view {view}: joining the view change")
            }
            Note::SendingLog { view, to } => write!(
                f,
                "a majority is changing to view {view}: sending my log to its primary n{to}"
            ),
            Note::StartingView {
                view,
                chosen,
                last_normal,
                op,
            } => write!(
                f,
                "a majority sent DoViewChange: view {view} starts with the most recent log, n{chosen}'s (last normal view {last_normal}, {})",
                Ops(*op)
            ),
            Note::KeptOwnLog { view, best } => write!(
                f,
                "view {view} starts with my own log, not the most recent one, n{best}'s (the mistake)"
            ),
            Note::Adopted { view, op } => {
                write!(f, "view {view} started: taking the primary's log ({})", Ops(*op))
            }
            Note::OldView {
                kind,
                from,
                view,
                mine,
            } => write!(
                f,
                "{kind} from n{from} ignored: it is of view {view}, I am in view {mine}"
            ),
            Note::LaterView { kind, view, mine } => write!(
                f,
                "{kind} of view {view}, I am in view {mine}: I missed a view change, asking for the state"
            ),
            Note::Gap { op, have } => write!(
                f,
                "Prepare for op {op}, I have {have}: asking for the ones I missed"
            ),
            Note::Prepared { op, value } => {
                write!(f, "appended {} as op {op}", Shown(*value))
            }
            Note::NotNormal { kind, from } => write!(
                f,
                "{kind} from n{from} ignored: my status is not normal"
            ),
            Note::NotPrimaryFor { kind, from } => {
                write!(f, "{kind} from n{from} ignored: I am not its primary")
            }
            Note::Recovering { nonce } => write!(
                f,
                "restarted with nothing: asking the others for the state (nonce {nonce})"
            ),
            Note::Recovered { view, primary, op } => write!(
                f,
                "recovered: view {view}, the log of primary n{primary} ({})",
                Ops(*op)
            ),
            Note::OtherNonce { from } => write!(
                f,
                "RecoveryResponse from n{from} ignored: it answers another recovery"
            ),
            Note::Transferred { view, op } => {
                write!(f, "state transfer: up to op {op} of view {view}")
            }
            Note::StateDoesNotFit { from, op } => write!(
                f,
                "NewState from op {from} ignored: it does not follow my {op} ops"
            ),
            Note::NotPrimary { value, primary } => match primary {
                Some(p) => write!(f, "v{value} refused: not the primary, try n{p}"),
                None => write!(f, "v{value} refused: no view is running here"),
            },
        }
    }
}

/// Late replies (a message of an older view, a reply to a replica that is no longer primary) are normal on an asynchronous network.
impl Timeliness for Note {
    fn late(&self) -> bool {
        matches!(
            self,
            Note::OldView { .. } | Note::NotPrimaryFor { .. } | Note::OtherNonce { .. }
        )
    }
}
