//! A playground session: what a share link, a session file and the autosave
//! hold. The protocols shown, the cluster, the seed, the mistakes and
//! variants switched on, every action the learner took and the guided
//! scenario followed. `state` replays a session into a playground, `link`
//! writes it as text and reads it back, and the scenarios in `lessons` are
//! sessions too.

use consensus_core::any::ProtocolKind;
use consensus_core::kv::{ClientId, Key, KvOp, ReadPath};
use consensus_core::linearizability::Datum;
use consensus_core::protocol::{Mistakes, NodeId, Tick, Variants};
use consensus_core::sim::Action;

/// Most actions a session may hold.
pub const MAX_ACTIONS: usize = 200_000;

/// What a link or saved session holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The protocols shown, in order.
    pub protocols: Vec<ProtocolKind>,
    /// Cluster size.
    pub nodes: u8,
    /// The shared seed.
    pub seed: u64,
    /// Switched-on textbook mistakes.
    pub mistakes: Mistakes,
    /// Protocol variants chosen (say, Raft without the no-op).
    pub variants: Variants,
    /// Every action, in order.
    pub history: Vec<UiAction>,
    /// The guided scenario being followed, if any.
    pub lesson: Option<LessonMark>,
}

/// A guided scenario and the narration step shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonMark {
    /// The scenario's name, as in `?scenario=`.
    pub id: String,
    /// The step, from 0.
    pub step: u32,
}

impl Session {
    /// Whether two sessions start from the same place (protocols, nodes,
    /// seed, mistakes, variants), whatever was done since.
    pub fn same_setup(&self, other: &Session) -> bool {
        let setup = |s: &Session| (s.protocols.clone(), s.nodes, s.seed, s.mistakes, s.variants);
        setup(self) == setup(other)
    }
}

/// Smallest and largest cluster the playground offers.
pub const MIN_NODES: u8 = 3;
/// See [`MIN_NODES`].
pub const MAX_NODES: u8 = 7;

/// Something the learner did, replayable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UiAction {
    /// Every panel advances to the next moment something happens in any of them.
    Step,
    /// Every panel advances one tick (what Play does).
    Tick,
    /// A client request to each cluster's leader; where there is none yet,
    /// it waits for one (any node, for a leaderless protocol).
    Request,
    /// A request sent at once to the leader, or else to the first live
    /// node, which may refuse it: what Request was in links before v3,
    /// which replay it as they were made.
    RequestAtOnce,
    /// A client request sent to this node, in every panel.
    RequestAt(NodeId),
    /// Crash a node in every panel.
    Crash(NodeId),
    /// Restart a node in every panel.
    Restart(NodeId),
    /// Cut a node off from all the others, in every panel.
    Isolate(NodeId),
    /// Split the network into groups, in every panel.
    Partition(Vec<Vec<NodeId>>),
    /// Cut one link in one direction, in every panel.
    Cut { from: NodeId, to: NodeId },
    /// Cut the link between two nodes both ways, in every panel (a click
    /// on the link in a ring).
    Sever { a: NodeId, b: NodeId },
    /// Restore every link, in every panel.
    Heal,
    /// Time out a node in one panel (fire its election, retry or leader timer).
    TimeOut {
        protocol: ProtocolKind,
        node: NodeId,
    },
    /// An action on one message or timer of one panel.
    Panel {
        protocol: ProtocolKind,
        action: PanelAction,
    },
    /// A client invokes an operation at a node, in every panel.
    Invoke {
        client: ClientId,
        node: NodeId,
        op: UiOp,
    },
    /// A client sends its waiting operation again, to another node.
    Retry { client: ClientId, node: NodeId },
    /// A client stops waiting: its operation's outcome is unknown.
    GiveUp(ClientId),
}

/// A client operation as the learner chooses it: one for all panels, with
/// the read path chosen per protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UiOp {
    /// Read a key, by the path chosen for each protocol (in the order of
    /// [`ProtocolKind::ALL`]).
    Read {
        key: Key,
        paths: [ReadPath; ProtocolKind::COUNT],
    },
    Write {
        key: Key,
        value: Datum,
    },
    Cas {
        key: Key,
        from: Datum,
        to: Datum,
    },
}

impl UiAction {
    /// The protocol whose panel alone the action concerns, if it is one.
    pub fn protocol(&self) -> Option<ProtocolKind> {
        match self {
            UiAction::Panel { protocol, .. } | UiAction::TimeOut { protocol, .. } => {
                Some(*protocol)
            }
            _ => None,
        }
    }
}

impl UiOp {
    /// A read of `key` through the log in every protocol but those `paths`
    /// names.
    pub fn read(key: Key, paths: &[(ProtocolKind, ReadPath)]) -> UiOp {
        let mut all = [ReadPath::Log; ProtocolKind::COUNT];
        for (p, path) in paths {
            all[p.position()] = *path;
        }
        UiOp::Read { key, paths: all }
    }

    /// The operation in `protocol`'s panel.
    pub fn for_protocol(self, protocol: ProtocolKind) -> KvOp {
        match self {
            UiOp::Read { key, paths } => KvOp::Read(key, paths[protocol.position()]),
            UiOp::Write { key, value } => KvOp::Write(key, value),
            UiOp::Cas { key, from, to } => KvOp::Cas { key, from, to },
        }
    }
}

/// The protocols a page shows unless told otherwise: the seeds' first three.
/// The others are a click (or a `protocols=` option) away.
pub const DEFAULT_PROTOCOLS: [ProtocolKind; 3] =
    [ProtocolKind::Raft, ProtocolKind::Paxos, ProtocolKind::Zab];

/// The read paths `protocol` offers, linearizable ones first.
pub fn read_paths(protocol: ProtocolKind) -> Vec<ReadPath> {
    let mut paths = vec![ReadPath::Log];
    paths.extend(protocol.own_read_paths());
    paths.push(ReadPath::Local);
    paths
}

/// What the learner can do to one message or timer of one panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PanelAction {
    /// Deliver the message now.
    Deliver(u64),
    /// Drop the message.
    Drop(u64),
    /// Send a second copy of the message.
    Duplicate(u64),
    /// Postpone the message by some ticks.
    Delay(u64, Tick),
    /// Fire a node's armed timer now.
    Fire(NodeId, String),
}

impl PanelAction {
    /// The simulator action it is.
    pub fn to_action(&self) -> Action {
        match self {
            PanelAction::Deliver(id) => Action::Deliver(*id),
            PanelAction::Drop(id) => Action::Drop(*id),
            PanelAction::Duplicate(id) => Action::Duplicate(*id),
            PanelAction::Delay(id, by) => Action::Delay { id: *id, by: *by },
            PanelAction::Fire(node, timer) => Action::Fire {
                node: *node,
                timer: timer.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(seed: u64, history: Vec<UiAction>) -> Session {
        Session {
            protocols: vec![ProtocolKind::Raft, ProtocolKind::Zab],
            nodes: 5,
            seed,
            mistakes: Mistakes::NONE,
            variants: Variants::NONE,
            history,
            lesson: None,
        }
    }

    #[test]
    fn same_setup_looks_at_the_start_not_at_what_was_done() {
        let a = session(1, vec![UiAction::Step]);
        assert!(a.same_setup(&session(1, vec![UiAction::Request, UiAction::Heal])));
        assert!(!a.same_setup(&session(2, vec![UiAction::Step])));
        let fewer = Session {
            protocols: vec![ProtocolKind::Raft],
            ..a.clone()
        };
        assert!(!a.same_setup(&fewer));
    }

    #[test]
    fn a_read_takes_the_path_chosen_for_each_protocol() {
        let op = UiOp::read(
            Key::X,
            &[
                (ProtocolKind::Raft, ReadPath::ReadIndex),
                (ProtocolKind::Zab, ReadPath::Local),
            ],
        );
        assert_eq!(
            op.for_protocol(ProtocolKind::Raft),
            KvOp::Read(Key::X, ReadPath::ReadIndex)
        );
        assert_eq!(
            op.for_protocol(ProtocolKind::MultiPaxos),
            KvOp::Read(Key::X, ReadPath::Log)
        );
        assert_eq!(
            op.for_protocol(ProtocolKind::Zab),
            KvOp::Read(Key::X, ReadPath::Local)
        );
        for p in ProtocolKind::ALL {
            let paths = read_paths(p);
            assert_eq!(paths.first(), Some(&ReadPath::Log));
            assert_eq!(paths.last(), Some(&ReadPath::Local));
        }
    }
}
