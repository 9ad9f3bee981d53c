//! What a Raft node tells the learner: why it refused an input, and what it
//! did. Data with the nodes, terms and indexes involved, worded only when
//! shown (the wording is what the scenario files expect).

use core::fmt;

use super::{Index, Term};
use crate::kv::ReadId;
use crate::protocol::{NodeId, Tick, Timeliness, Value};

/// One thing a Raft node says.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    /// A leader or candidate saw a newer term and became a follower (§5.1).
    StepsDown {
        was: &'static str,
        from: NodeId,
        term: Term,
    },
    /// A candidate learned that `from` leads its term (§5.2).
    CandidateStepsDown { from: NodeId, term: Term },
    /// The election timer fired: a new term and a campaign (§5.2).
    Campaigning { term: Term },
    /// A majority voted for this node.
    Won { term: Term, votes: usize },
    /// An entry on a majority is from an older term and is not committed by
    /// counting (§5.4.2, Figure 8).
    OldTermNotCommitted {
        index: Index,
        its_term: Term,
        current: Term,
    },
    /// RequestVote from an older term.
    VoteOlderTerm {
        from: NodeId,
        term: Term,
        mine: Term,
    },
    /// RequestVote when this node voted for another candidate in the term.
    VoteAlreadyCast {
        from: NodeId,
        voted_for: NodeId,
        term: Term,
    },
    /// RequestVote from a candidate whose log ends in an older term.
    VoteLogOlderTerm {
        from: NodeId,
        theirs: Term,
        mine: Term,
    },
    /// RequestVote from a candidate whose log is shorter in the same term.
    VoteLogShorter {
        from: NodeId,
        theirs: Index,
        mine: Index,
        term: Term,
    },
    /// A vote granted.
    Voted { to: NodeId, term: Term },
    /// A vote reply while not campaigning.
    VoteReplyNotCampaigning { from: NodeId },
    /// A vote reply for an older term.
    VoteReplyOldTerm {
        from: NodeId,
        term: Term,
        current: Term,
    },
    /// AppendEntries from an older term.
    AppendOlderTerm {
        from: NodeId,
        term: Term,
        mine: Term,
    },
    /// AppendEntries whose previous entry this node lacks.
    AppendMissingPrev {
        from: NodeId,
        prev: Index,
        last: Index,
    },
    /// AppendEntries whose previous entry has another term here.
    AppendPrevConflict {
        from: NodeId,
        prev: Index,
        mine: Term,
        theirs: Term,
    },
    /// Conflicting entries deleted (§5.3).
    Truncated {
        removed: Index,
        index: Index,
        mine: Term,
        theirs: Term,
    },
    /// An append reply while not leading.
    AppendReplyNotLeader { from: NodeId },
    /// An append reply for an older term.
    AppendReplyOldTerm {
        from: NodeId,
        term: Term,
        current: Term,
    },
    /// A follower lacks entries; the leader backs up nextIndex.
    Retrying { from: NodeId, back: Index },
    /// A client request to a node that does not lead.
    NotLeader {
        value: Value,
        leader: Option<NodeId>,
        term: Term,
    },
    /// A client value appended to the leader's log.
    Appended { value: Value, index: Index },
    /// A new leader appended its no-op entry (§8).
    AppendedNoop { index: Index, term: Term },
    /// The election timer fired at the leader.
    ElectionTimerAtLeader,
    /// A ReadIndex read at a node that does not lead.
    ReadNotLeader { id: ReadId, leader: Option<NodeId> },
    /// A ReadIndex read waits: no entry of the leader's term is committed
    /// yet, so its commit index may lag what earlier leaders committed.
    ReadWaits { id: ReadId, term: Term },
    /// ReadIndex: the commit index is noted and a heartbeat round confirms
    /// leadership before the read is answered (thesis §6.4).
    ReadRound {
        id: ReadId,
        index: Index,
        round: u64,
    },
    /// A majority answered the round: the read is answered once `index` is
    /// applied.
    ReadConfirmed {
        id: ReadId,
        index: Index,
        round: u64,
    },
    /// The `raft-stale-read` mistake: answered without confirming leadership.
    ReadUnconfirmed { id: ReadId, index: Index },
    /// A lease read in a cluster without leases: confirmed as ReadIndex is.
    NoLeases { id: ReadId },
    /// A lease read answered at once, within the lease.
    LeaseRead {
        id: ReadId,
        index: Index,
        until: Tick,
    },
    /// A lease read after the lease ran out: a round renews it first.
    LeaseLapsed { id: ReadId, until: Tick },
    /// Leader stickiness: a vote request ignored, for a leader was heard
    /// since the election timer last ran out.
    VoteLeaderAlive { from: NodeId, term: Term },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::StepsDown { was, from, term } => {
                write!(f, "{was} steps down: n{from} is in the newer term {term}")
            }
            Note::CandidateStepsDown { from, term } => {
                write!(f, "candidate steps down: n{from} leads term {term}")
            }
            Note::Campaigning { term } => {
                write!(f, "election timeout: campaigning in term {term}")
            }
            Note::Won { term, votes } => {
                write!(f, "won the election for term {term} with {votes} votes")
            }
            Note::OldTermNotCommitted {
                index,
                its_term,
                current,
            } => write!(
                f,
                "index {index} is on a majority but has term {its_term}, not {current}: it commits only after an entry of term {current} does (§5.4.2)"
            ),
            Note::VoteOlderTerm { from, term, mine } => write!(
                f,
                "vote refused to n{from}: its term {term} is older than mine ({mine})"
            ),
            Note::VoteAlreadyCast {
                from,
                voted_for,
                term,
            } => write!(
                f,
                "vote refused to n{from}: I already voted for n{voted_for} in term {term}"
            ),
            Note::VoteLogOlderTerm { from, theirs, mine } => write!(
                f,
                "vote refused to n{from}: its log ends at term {theirs}, mine at term {mine}"
            ),
            Note::VoteLogShorter {
                from,
                theirs,
                mine,
                term,
            } => write!(
                f,
                "vote refused to n{from}: its log ends at index {theirs}, mine at index {mine} (both term {term})"
            ),
            Note::Voted { to, term } => write!(f, "voted for n{to} in term {term}"),
            Note::VoteReplyNotCampaigning { from } => {
                write!(f, "vote reply from n{from} ignored: I am not campaigning")
            }
            Note::VoteReplyOldTerm {
                from,
                term,
                current,
            } => write!(
                f,
                "vote reply from n{from} ignored: it is for term {term}, I am in term {current}"
            ),
            Note::AppendOlderTerm { from, term, mine } => write!(
                f,
                "append from n{from} refused: its term {term} is older than mine ({mine})"
            ),
            Note::AppendMissingPrev { from, prev, last } => write!(
                f,
                "append from n{from} rejected: I have no entry at index {prev} (my log ends at {last})"
            ),
            Note::AppendPrevConflict {
                from,
                prev,
                mine,
                theirs,
            } => write!(
                f,
                "append from n{from} rejected: my entry at index {prev} has term {mine}, the leader's has term {theirs}"
            ),
            Note::Truncated {
                removed,
                index,
                mine,
                theirs,
            } => write!(
                f,
                "deleted {removed} entries from index {index}: term {mine} conflicts with the leader's term {theirs}"
            ),
            Note::AppendReplyNotLeader { from } => {
                write!(f, "append reply from n{from} ignored: I am not the leader")
            }
            Note::AppendReplyOldTerm {
                from,
                term,
                current,
            } => write!(
                f,
                "append reply from n{from} ignored: it is for term {term}, I lead term {current}"
            ),
            Note::Retrying { from, back } => {
                write!(f, "n{from} lacks entries: retrying from index {back}")
            }
            Note::NotLeader {
                value,
                leader,
                term,
            } => {
                write!(f, "request v{value} refused: I am not the leader")?;
                match leader {
                    Some(l) => write!(f, " (as far as I know n{l} leads)"),
                    None => write!(f, " (no leader known in term {term})"),
                }
            }
            Note::Appended { value, index } => write!(f, "appended v{value} at index {index}"),
            Note::AppendedNoop { index, term } => write!(
                f,
                "appended a no-op at index {index}: once this entry of term {term} commits, so has everything before it, and reads can be answered (§8)"
            ),
            Note::ElectionTimerAtLeader => f.write_str("election timer ignored: I am the leader"),
            Note::ReadNotLeader { id, leader } => {
                write!(f, "read r{id} refused: I am not the leader")?;
                match leader {
                    Some(l) => write!(f, " (as far as I know n{l} leads)"),
                    None => f.write_str(" (no leader known)"),
                }
            }
            Note::ReadWaits { id, term } => write!(
                f,
                "read r{id} waits: no entry of my term {term} is committed yet, so my commit index may be behind"
            ),
            Note::ReadRound { id, index, round } => write!(
                f,
                "read r{id} at commit index {index}: confirming I still lead with heartbeat round {round}"
            ),
            Note::ReadConfirmed { id, index, round } => write!(
                f,
                "read r{id}: a majority answered round {round}; answering once index {index} is applied"
            ),
            Note::ReadUnconfirmed { id, index } => write!(
                f,
                "read r{id} answered at commit index {index} without confirming I still lead"
            ),
            Note::NoLeases { id } => write!(
                f,
                "read r{id}: no leases here (followers may elect another leader at any time without the raft-lease variant), so I confirm I lead as for ReadIndex"
            ),
            Note::LeaseRead { id, index, until } => write!(
                f,
                "read r{id} answered at commit index {index} within my lease (until t={until}): no other leader can be elected before then, if clocks drift little"
            ),
            Note::LeaseLapsed { id, until } => write!(
                f,
                "read r{id}: my lease ran out at t={until}; renewing it with a heartbeat round first"
            ),
            Note::VoteLeaderAlive { from, term } => write!(
                f,
                "ignored n{from}'s vote request for term {term}: I heard from my leader since my election timer last ran out (leader stickiness, which leases rely on)"
            ),
        }
    }
}

/// Late replies (a vote reply after the election, or an append reply of an older term) are normal on an asynchronous network.
impl Timeliness for Note {
    fn late(&self) -> bool {
        matches!(
            self,
            Note::VoteReplyNotCampaigning { .. }
                | Note::VoteReplyOldTerm { .. }
                | Note::AppendReplyNotLeader { .. }
                | Note::AppendReplyOldTerm { .. }
        )
    }
}
