//! What a Zab node tells the learner: why it refused an input, why it went
//! looking for a leader, and what it did. Data with the epochs, zxids and
//! histories involved, worded only when shown (the wording is what the
//! scenario files expect).

use alloc::vec::Vec;
use core::fmt;

use super::{history_text, Epoch, Session, Txn, Zxid};
use crate::kv::ReadId;
use crate::protocol::{NodeId, Timeliness, Value};

/// Why a node (re)starts leader election.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Why {
    /// It has just booted.
    StartingUp,
    /// Its leader offered an epoch older than the one it promised.
    OldEpochOffered { leader: NodeId },
    /// Its leader's NEWLEADER is for an epoch it did not accept.
    NewLeaderOtherEpoch { leader: NodeId },
    /// A proposal went missing on a FIFO link.
    MissedProposal { before: Zxid, leader: NodeId },
    /// A COMMIT for a proposal it never received.
    CommitNeverReceived { zxid: Zxid },
    /// A PING says the leader committed a proposal it never received.
    CommittedNeverReceived { leader: NodeId, zxid: Zxid },
    /// A prospective leader could not establish its epoch in time.
    NoQuorumToEstablish,
    /// A leader heard from fewer than a quorum in a period.
    HeardFromFew { heard: usize, size: u8 },
    /// A follower heard nothing from its leader in time.
    NoWordFromLeader { leader: NodeId },
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::StartingUp => f.write_str("starting up"),
            Why::OldEpochOffered { leader } => write!(f, "n{leader} offers an old epoch"),
            Why::NewLeaderOtherEpoch { leader } => {
                write!(f, "n{leader}'s NEWLEADER is for another epoch")
            }
            Why::MissedProposal { before, leader } => {
                write!(f, "missed a proposal before {before} from n{leader}")
            }
            Why::CommitNeverReceived { zxid } => {
                write!(f, "COMMIT for {zxid}, which I never received")
            }
            Why::CommittedNeverReceived { leader, zxid } => {
                write!(f, "n{leader} committed {zxid}, which I never received")
            }
            Why::NoQuorumToEstablish => {
                f.write_str("could not gather a quorum to establish my epoch")
            }
            Why::HeardFromFew { heard, size } => write!(
                f,
                "heard from only {heard} of {size} nodes (itself included), fewer than a quorum"
            ),
            Why::NoWordFromLeader { leader } => write!(f, "no word from leader n{leader}"),
        }
    }
}

/// One thing a Zab node says.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    /// A leader gives up its role.
    StopsLeading(Why),
    /// A node starts looking for a leader.
    Looking(Why),
    /// A vote of an older election round.
    OldRound { from: NodeId, round: u64, mine: u64 },
    /// Fast Leader Election chose this node.
    ProspectiveLeader,
    /// Discovery: a new epoch proposed to the followers.
    ProposingEpoch { epoch: Epoch, followers: usize },
    /// Discovery: a follower's history is more up to date.
    AdoptingHistory { from: NodeId, history: Vec<Txn> },
    /// A quorum acknowledged NEWLEADER.
    Established { epoch: Epoch, followers: usize },
    /// A client request to a node that does not lead.
    NotLeader { value: Value },
    /// A client request before the epoch is established.
    NotEstablished { value: Value },
    /// Broadcast: a new proposal.
    Proposing { value: Value, zxid: Zxid },
    /// A message of a closed session.
    StaleSession {
        kind: &'static str,
        from: NodeId,
        session: Session,
        current: Session,
    },
    /// An ACK-E for another epoch than the one proposed.
    AckEpochOther {
        from: NodeId,
        acked: Epoch,
        proposed: Option<Epoch>,
    },
    /// A second ACK-E in one session.
    AckEpochAgain { from: NodeId },
    /// A leader message for another epoch.
    OtherEpoch { kind: &'static str, from: NodeId },
    /// A message from a node this one does not follow.
    NotMyLeader {
        kind: &'static str,
        from: NodeId,
        leader: NodeId,
    },
    /// A message that does not fit the follower's epoch and phase.
    DoesNotFit {
        kind: &'static str,
        from: NodeId,
        epoch: Epoch,
        phase: &'static str,
    },
    /// NEWEPOCH older than the promised epoch.
    NewEpochRefused { epoch: Epoch, promised: Epoch },
    /// NEWLEADER for another epoch than the accepted one.
    NewLeaderRefused { epoch: Epoch, accepted: Epoch },
    /// The mistake `zab-skip-truncate`: surplus entries kept.
    KeptSurplus { count: usize, leader: NodeId },
    /// Synchronization truncated entries the leader never had.
    Truncated { leader: NodeId, surplus: Vec<Txn> },
    /// Synchronization done.
    Synced { leader: NodeId, history: Vec<Txn> },
    /// A leader message while still looking.
    StillLooking { kind: &'static str, from: NodeId },
    // NB: new notes go last, so the fingerprints of old traces stay put.
    /// A sync read: the follower asks its leader first.
    Syncing { id: ReadId, leader: NodeId },
    /// The leader's answer to a sync: read once `upto` are delivered.
    SyncAnswered { id: ReadId, upto: u32 },
    /// A sync read at a node that follows no established leader.
    SyncNotReady { id: ReadId },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::StopsLeading(why) => write!(f, "stops leading: {why}"),
            Note::Looking(why) => write!(f, "looking for a leader: {why}"),
            Note::OldRound { from, round, mine } => write!(
                f,
                "vote from n{from} is for old round {round}; I am in round {mine}"
            ),
            Note::ProspectiveLeader => f.write_str("elected prospective leader: starting discovery"),
            Note::ProposingEpoch { epoch, followers } => {
                write!(f, "proposing epoch {epoch} to {followers} followers")
            }
            Note::AdoptingHistory { from, history } => write!(
                f,
                "adopting n{from}'s more up-to-date history {}",
                history_text(history)
            ),
            Note::Established { epoch, followers } => write!(
                f,
                "established as leader of epoch {epoch} with {followers} synced followers"
            ),
            Note::NotLeader { value } => {
                write!(f, "request v{value} refused: I am not the leader")
            }
            Note::Syncing { id, leader } => {
                write!(f, "read r{id}: sync with leader n{leader} first")
            }
            Note::SyncAnswered { id, upto } => write!(
                f,
                "read r{id}: the leader held {upto} transactions; reading once they are delivered"
            ),
            Note::SyncNotReady { id } => write!(
                f,
                "read r{id} refused: I follow no established leader to sync with"
            ),
            Note::NotEstablished { value } => write!(
                f,
                "request v{value} refused: my epoch is not established yet"
            ),
            Note::Proposing { value, zxid } => write!(f, "proposing v{value} as zxid {zxid}"),
            Note::StaleSession {
                kind,
                from,
                session,
                current,
            } => write!(
                f,
                "{kind} from n{from} ignored: it belongs to session {session}, but the current session is {current}; the connection it came on is closed"
            ),
            Note::AckEpochOther {
                from,
                acked,
                proposed,
            } => {
                write!(
                    f,
                    "ACK-E from n{from} ignored: it accepts epoch {acked}, and I propose "
                )?;
                match proposed {
                    Some(e) => write!(f, "epoch {e}"),
                    None => f.write_str("none yet"),
                }
            }
            Note::AckEpochAgain { from } => write!(
                f,
                "ACK-E from n{from} ignored: I already sent it NEWLEADER in this session"
            ),
            Note::OtherEpoch { kind, from } => {
                write!(f, "{kind} from n{from} ignored: it is for another epoch")
            }
            Note::NotMyLeader { kind, from, leader } => {
                write!(f, "{kind} from n{from} ignored: I follow n{leader}")
            }
            Note::DoesNotFit {
                kind,
                from,
                epoch,
                phase,
            } => write!(
                f,
                "{kind} from n{from} ignored: it does not fit my epoch {epoch} and phase ({phase})"
            ),
            Note::NewEpochRefused { epoch, promised } => write!(
                f,
                "NEWEPOCH {epoch} refused: I already promised epoch {promised}"
            ),
            Note::NewLeaderRefused { epoch, accepted } => write!(
                f,
                "NEWLEADER for epoch {epoch} refused: I accepted epoch {accepted}"
            ),
            Note::KeptSurplus { count, leader } => {
                write!(f, "kept {count} entries n{leader} never had")
            }
            Note::Truncated { leader, surplus } => write!(
                f,
                "truncated {} entries n{leader} never had: {}",
                surplus.len(),
                history_text(surplus)
            ),
            Note::Synced { leader, history } => write!(
                f,
                "synchronized with n{leader}: history {}",
                history_text(history)
            ),
            Note::StillLooking { kind, from } => write!(
                f,
                "{kind} from n{from} ignored: I am still looking for a leader"
            ),
        }
    }
}

/// Late replies (a vote of an earlier round, a message of a closed session) are normal on an asynchronous network.
impl Timeliness for Note {
    fn late(&self) -> bool {
        matches!(
            self,
            Note::OldRound { .. } | Note::StaleSession { .. } | Note::AckEpochAgain { .. }
        )
    }
}
