//! One simulation of any protocol, behind one type, for the command-line
//! tool, the scenario runner and the web app; and the registry of protocols.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::accounting::Summary;
use crate::check::Violation;
use crate::protocol::{
    Category, Message, Milestone, NodeId, NodeView, Protocol, Purpose, Tick, TimerKind,
};
use crate::sim::{Action, ActionError, Config, EventOf, Shape, Sim};

/// The registry: every protocol the playground runs, one line each, in the
/// order the playground shows them. Adding a protocol is its module (a
/// [`Protocol`] with its checker) plus one line here: the command line,
/// scenario files, share links and the web app read everything else from
/// the protocol itself.
macro_rules! registry {
    ($d:tt $($kind:ident => $ty:ty, $doc:literal;)*) => {
        /// The protocols.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ProtocolKind {
            $(#[doc = $doc] $kind,)*
        }

        impl ProtocolKind {
            /// How many there are.
            pub const COUNT: usize = [$(stringify!($kind)),*].len();
            /// All of them, in the order the playground shows them.
            pub const ALL: [ProtocolKind; ProtocolKind::COUNT] = [$(ProtocolKind::$kind),*];

            /// Its place in [`ProtocolKind::ALL`].
            pub fn position(self) -> usize {
                self as usize
            }
        }

        /// A simulation of any protocol.
        #[derive(Clone, Debug)]
        #[allow(clippy::large_enum_variant)]
        pub enum AnySim {
            $(#[doc = $doc] $kind(Sim<$ty>),)*
        }

        /// One event of any protocol's simulation.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum AnyEvent {
            $(#[doc = $doc] $kind(EventOf<$ty>),)*
        }

        $(impl From<EventOf<$ty>> for AnyEvent {
            fn from(e: EventOf<$ty>) -> Self {
                AnyEvent::$kind(e)
            }
        })*

        /// `each!(sim, s => body)` runs `body` with `s` bound to the
        /// simulation inside an [`AnySim`] (or, with the enum named first,
        /// to the event inside an [`AnyEvent`]).
        macro_rules! each {
            ($d self:expr, $d sim:ident => $d body:expr) => {
                each!($d self, AnySim, $d sim => $d body)
            };
            ($d self:expr, $d any:ident, $d x:ident => $d body:expr) => {
                match $d self {
                    $($d any::$kind($d x) => $d body,)*
                }
            };
        }

        /// `with_protocol!(kind, P => body)` runs `body` with the type `P`
        /// standing for the protocol `kind` names.
        macro_rules! with_protocol {
            ($d k:expr, $d p:ident => $d body:expr) => {
                match $d k {
                    $(ProtocolKind::$kind => {
                        type $d p = $ty;
                        $d body
                    })*
                }
            };
        }

        impl AnySim {
            /// Boot `protocol` as `config` says.
            pub fn new(protocol: ProtocolKind, config: Config) -> Result<Self, ActionError> {
                Ok(match protocol {
                    $(ProtocolKind::$kind => AnySim::$kind(Sim::new(config)?),)*
                })
            }

            /// Which protocol this is.
            pub fn kind(&self) -> ProtocolKind {
                match self {
                    $(AnySim::$kind(_) => ProtocolKind::$kind,)*
                }
            }
        }
    };
}

registry! { $
    Raft => crate::Raft, "Raft.";
    Paxos => crate::Paxos, "Basic Paxos.";
    Zab => crate::Zab, "Zab.";
    MultiPaxos => crate::MultiPaxos, "Multi-Paxos.";
    Vr => crate::Vr, "Viewstamped Replication.";
}

impl ProtocolKind {
    /// Its command-line name: `raft`, `paxos`, `zab`, ...
    pub fn name(self) -> &'static str {
        with_protocol!(self, P => P::NAME)
    }

    /// Its title: `Raft`, `Basic Paxos`, `Zab`, ...
    pub fn title(self) -> &'static str {
        with_protocol!(self, P => P::TITLE)
    }

    /// Its name where space is short: `Raft`, `Paxos`, `Zab`, ...
    pub fn short(self) -> &'static str {
        with_protocol!(self, P => P::SHORT)
    }

    /// Its letter in share links (see [`Protocol::LETTER`]).
    pub fn letter(self) -> char {
        with_protocol!(self, P => P::LETTER)
    }

    /// The protocol whose link letter is `c`.
    pub fn from_letter(c: char) -> Option<ProtocolKind> {
        ProtocolKind::ALL.into_iter().find(|p| p.letter() == c)
    }

    /// What an entry's place is called: `index` or `slot`.
    pub fn index_name(self) -> &'static str {
        with_protocol!(self, P => P::INDEX)
    }

    /// What a log entry's box shows: `term`, `ballot` or `zxid`.
    pub fn label_name(self) -> &'static str {
        with_protocol!(self, P => P::LABEL)
    }

    /// What a decision's number is, in words (`its log index`, `its slot`).
    pub fn decision_number(self) -> &'static str {
        with_protocol!(self, P => P::DECISION_NUMBER)
    }

    /// How the other nodes learn of a decision (see [`Protocol::LEARNING`]).
    pub fn learning(self) -> &'static str {
        with_protocol!(self, P => P::LEARNING)
    }

    /// The names of its timers, in the order share links number them.
    pub fn timer_names(self) -> Vec<&'static str> {
        with_protocol!(self, P => <P as Protocol>::Timer::ALL.iter().map(|t| t.name()).collect())
    }

    /// The read paths it serves itself (see [`Protocol::READ_PATHS`]).
    pub fn own_read_paths(self) -> &'static [crate::kv::ReadPath] {
        with_protocol!(self, P => P::READ_PATHS)
    }

    /// Why a fault-free start spends no message before the first
    /// decision, when it does not (see [`Protocol::NO_SETUP`]).
    pub fn no_setup(self) -> &'static str {
        with_protocol!(self, P => P::NO_SETUP)
    }

    /// Whether a restarted node rebuilds its state from its peers (see
    /// [`Protocol::DISKLESS`]).
    pub fn diskless(self) -> bool {
        with_protocol!(self, P => P::DISKLESS)
    }

    /// Whether any node takes a request (see [`Protocol::LEADERLESS`]).
    pub fn leaderless(self) -> bool {
        with_protocol!(self, P => P::LEADERLESS)
    }

    /// The textbook number of messages per decision in a cluster of `nodes`.
    pub fn textbook(self, nodes: u8) -> u64 {
        with_protocol!(self, P => P::TEXTBOOK_PER_PEER) * u64::from(nodes.saturating_sub(1))
    }

    /// The protocol called `name`.
    pub fn from_name(name: &str) -> Option<ProtocolKind> {
        ProtocolKind::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Every protocol's name, for error messages: `raft, paxos, zab or ...`.
    pub fn names() -> String {
        let names: Vec<&str> = ProtocolKind::ALL.iter().map(|p| p.name()).collect();
        match names.split_last() {
            Some((last, [])) => String::from(*last),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

/// A message in flight, protocol-neutral.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageView {
    /// Its id.
    pub id: u64,
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// Its type (`AppendEntries`, `Promise`, `PROPOSE`, ...).
    pub kind: &'static str,
    /// The part it plays.
    pub category: Category,
    /// All its fields, as text.
    pub text: String,
    /// When it was sent.
    pub sent_at: Tick,
    /// When it arrives in timed mode.
    pub deliver_at: Tick,
    /// What it is spent on.
    pub purpose: Purpose,
    /// The message it duplicates, if any.
    pub copy_of: Option<u64>,
    /// Outside its link's FIFO order (a duplicate, or delayed by hand).
    pub unordered: bool,
}

/// What the simulator knows of a message in flight, without wording it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageMeta {
    /// Its id.
    pub id: u64,
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// Its type.
    pub kind: &'static str,
    /// What it is spent on.
    pub purpose: Purpose,
    /// Outside its link's FIFO order (a duplicate, or delayed by hand).
    pub unordered: bool,
}

/// A running node's standing, protocol-neutral: what [`NodeView`] says of
/// it, without its log and details.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeStatus {
    /// Its role.
    pub role: &'static str,
    /// Whether it leads.
    pub leads: bool,
    /// Whether its role is the one that follows a leader
    /// ([`Protocol::FOLLOWER`]).
    pub follows: bool,
    /// Its term, ballot round or epoch.
    pub era: u64,
}

/// An armed timer, protocol-neutral.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerView {
    /// Its node.
    pub node: NodeId,
    /// Its name.
    pub name: &'static str,
    /// When it fires in timed mode.
    pub at: Tick,
}

/// One decision, for charts: when it was made and the messages it cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecisionPoint {
    /// When it was first made.
    pub at: Tick,
    /// Consensus messages spent on it (notifications excluded).
    pub messages: u64,
}

/// What one read path cost in a run.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadCost {
    pub path: crate::kv::ReadPath,
    /// Reads answered by this path.
    pub reads: u64,
    /// Messages per read, measured.
    pub measured: f64,
    /// Messages per read the path should cost in a fault-free run: a
    /// decision through the log, one heartbeat round for ReadIndex, SYNC
    /// and its reply, nothing for a local read.
    pub expected: u64,
}

impl AnyEvent {
    /// When it happened.
    pub fn at(&self) -> Tick {
        each!(self, AnyEvent, e => e.at)
    }

    /// What it is, without its protocol's data.
    pub fn shape(&self) -> Shape {
        each!(self, AnyEvent, e => e.shape())
    }
}

impl fmt::Display for AnyEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        each!(self, AnyEvent, e => e.fmt(f))
    }
}

fn messages<P: Protocol>(sim: &Sim<P>) -> Vec<MessageView> {
    sim.in_flight()
        .iter()
        .map(|e| MessageView {
            id: e.id,
            from: e.from,
            to: e.to,
            kind: e.msg.kind(),
            category: e.msg.category(),
            text: format!("{}", e.msg),
            sent_at: e.sent_at,
            deliver_at: e.deliver_at,
            purpose: e.purpose,
            copy_of: e.copy_of,
            unordered: e.unordered,
        })
        .collect()
}

fn timers<P: Protocol>(sim: &Sim<P>) -> Vec<TimerView> {
    sim.timers()
        .iter()
        .map(|t| TimerView {
            node: t.node,
            name: t.timer.name(),
            at: t.at,
        })
        .collect()
}

fn timeout_timer<P: Protocol>(sim: &Sim<P>, node: NodeId) -> Option<&'static str> {
    let armed = sim.timers();
    <P::Timer as TimerKind>::TIME_OUTS
        .iter()
        .find(|t| armed.iter().any(|a| a.node == node && a.timer == **t))
        .map(|t| t.name())
}

fn quiescent<P: Protocol>(sim: &Sim<P>) -> Vec<bool> {
    sim.nodes()
        .iter()
        .map(|s| s.up().is_none_or(P::quiescent))
        .collect()
}

impl AnySim {
    /// Apply one action; a refused action changes nothing.
    pub fn apply(&mut self, action: Action) -> Result<(), ActionError> {
        each!(self, s => s.apply(action))
    }

    /// The events of the latest action (none without `config.trace`).
    pub fn events(&self) -> Vec<AnyEvent> {
        each!(self, s => s.events().iter().cloned().map(AnyEvent::from).collect())
    }

    /// Apply one action and return its events.
    pub fn apply_events(&mut self, action: Action) -> Result<Vec<AnyEvent>, ActionError> {
        self.apply(action)?;
        Ok(self.events())
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        each!(self, s => s.config())
    }

    /// Simulated time.
    pub fn now(&self) -> Tick {
        each!(self, s => s.now())
    }

    /// Each node's view; `None` for a crashed node.
    pub fn views(&self) -> Vec<Option<NodeView>> {
        each!(self, s => s.views())
    }

    /// Messages in flight.
    pub fn messages(&self) -> Vec<MessageView> {
        each!(self, s => messages(s))
    }

    /// Replace `out` with what is known of each message in flight, in id
    /// order, without wording any.
    pub fn messages_meta(&self, out: &mut Vec<MessageMeta>) {
        out.clear();
        each!(self, s => out.extend(s.in_flight().iter().map(|e| MessageMeta {
            id: e.id,
            from: e.from,
            to: e.to,
            kind: e.msg.kind(),
            purpose: e.purpose,
            unordered: e.unordered,
        })));
    }

    /// Whether node `id` exists and is up.
    pub fn is_up(&self, id: NodeId) -> bool {
        each!(self, s => s.node(id).is_some())
    }

    /// Node `id`'s standing, if it is up.
    pub fn status(&self, id: NodeId) -> Option<NodeStatus> {
        fn status_of<P: Protocol>(s: &Sim<P>, id: NodeId) -> Option<NodeStatus> {
            s.node(id).map(|p| NodeStatus {
                role: p.role_name(),
                leads: p.leads(),
                follows: p.role_name() == P::FOLLOWER,
                era: p.era(),
            })
        }
        each!(self, s => status_of(s, id))
    }

    /// How many more nodes may crash without breaking a
    /// [`Protocol::DISKLESS`] protocol's failure assumption (at most
    /// `n - quorum` nodes down or recovering at once); `None` for the
    /// others, which tolerate any number.
    pub fn crash_budget(&self) -> Option<u8> {
        fn budget<P: Protocol>(s: &Sim<P>) -> Option<u8> {
            if !P::DISKLESS {
                return None;
            }
            let n = s.config().nodes;
            let failed = (1..=n)
                .filter(|id| s.node(*id).is_none_or(|p| p.recovering()))
                .count() as u8;
            let tolerated = n - (n / 2 + 1);
            Some(tolerated.saturating_sub(failed))
        }
        each!(self, s => budget(s))
    }

    /// Whether node `id` knows `value` is decided; `None` if it is down.
    pub fn has_decided(&self, id: NodeId, value: crate::protocol::Value) -> Option<bool> {
        each!(self, s => s.node(id).map(|p| p.has_decided(value)))
    }

    /// The id the next message sent will have.
    pub fn next_message_id(&self) -> u64 {
        each!(self, s => s.next_message_id())
    }

    /// Armed timers, soonest first.
    pub fn timers(&self) -> Vec<TimerView> {
        each!(self, s => timers(s))
    }

    /// Violations found so far.
    pub fn violations(&self) -> &[Violation] {
        each!(self, s => s.violations())
    }

    /// The key of the entry committed in the cluster at `index`, whether or
    /// not any node knows it yet.
    pub fn committed_key(&self, index: u64) -> Option<u64> {
        each!(self, s => s.committed_key(index))
    }

    /// Message accounting totals.
    pub fn summary(&self) -> Summary {
        each!(self, s => s.accounting().summary())
    }

    /// Every decision made, in the order they were made.
    pub fn decision_points(&self) -> Vec<DecisionPoint> {
        let accounting = each!(self, s => s.accounting());
        let mut points: Vec<DecisionPoint> = accounting
            .decisions
            .values()
            .filter_map(|c| {
                c.decided.map(|d| DecisionPoint {
                    at: d.at,
                    messages: c.by_type.values().sum(),
                })
            })
            .collect();
        points.sort_by_key(|p| p.at);
        points
    }

    /// Milestone counts.
    pub fn milestones(&self) -> &BTreeMap<Milestone, u64> {
        each!(self, s => s.milestones())
    }

    /// (sent, delivered, dropped).
    pub fn message_counts(&self) -> (u64, u64, u64) {
        each!(self, s => s.message_counts())
    }

    /// The trace's fingerprint.
    pub fn trace_hash(&self) -> u64 {
        each!(self, s => s.trace_hash())
    }

    /// The events of booting.
    pub fn boot_events(&self) -> Vec<AnyEvent> {
        each!(self, s => s.boot_events().iter().cloned().map(AnyEvent::from).collect())
    }

    /// Every action applied so far.
    pub fn actions(&self) -> &[Action] {
        each!(self, s => s.actions())
    }

    /// Whether each node has no unfinished business (a crashed one has none).
    pub fn quiescent_nodes(&self) -> Vec<bool> {
        each!(self, s => quiescent(s))
    }

    /// When the next message or timer is due, if anything is.
    pub fn next_event_at(&self) -> Option<Tick> {
        each!(self, s => s.next_event_at())
    }

    /// Client values requested so far.
    pub fn requested(&self) -> &[crate::protocol::Value] {
        each!(self, s => s.requested())
    }

    /// The timer that times node `node` out (see [`TimerKind::TIME_OUTS`]),
    /// if one is armed.
    pub fn timeout_timer(&self, node: NodeId) -> Option<&'static str> {
        each!(self, s => timeout_timer(s, node))
    }

    /// The read paths the protocol serves itself (besides through the log
    /// and locally, which every protocol offers).
    pub fn read_paths(&self) -> &'static [crate::kv::ReadPath] {
        self.kind().own_read_paths()
    }

    /// What the reads answered so far cost, per read path that served any,
    /// beside what the path should cost.
    pub fn read_costs(&self) -> Vec<ReadCost> {
        use crate::kv::{KvOp, OpState, ReadPath};
        let summary = self.summary();
        let n = u64::from(self.config().nodes);
        let mut costs: Vec<ReadCost> = Vec::new();
        for o in self.clients().ops() {
            let (KvOp::Read(_, path), OpState::Answered(..)) = (o.op, o.state) else {
                continue;
            };
            match costs.iter_mut().find(|c| c.path == path) {
                Some(c) => c.reads += 1,
                None => costs.push(ReadCost {
                    path,
                    reads: 1,
                    measured: 0.0,
                    expected: match path {
                        ReadPath::Log => self.kind().textbook(self.config().nodes),
                        ReadPath::ReadIndex => 2 * n.saturating_sub(1),
                        // Within the lease; a renewal costs a round.
                        ReadPath::Lease => 0,
                        ReadPath::Sync => 2,
                        ReadPath::Local => 0,
                    },
                }),
            }
        }
        let read_traffic = summary.background.get("read").copied().unwrap_or(0);
        let rounds =
            |p: ReadPath| matches!(p, ReadPath::ReadIndex | ReadPath::Lease | ReadPath::Sync);
        let own_reads: u64 = costs
            .iter()
            .filter(|c| rounds(c.path))
            .map(|c| c.reads)
            .sum();
        for c in &mut costs {
            c.measured = match c.path {
                // A read through the log is a decision like any other.
                ReadPath::Log if summary.decisions > 0 => {
                    summary.messages() as f64 / summary.decisions as f64
                }
                // The protocol's own paths spend all the read traffic,
                // rounds that answered nobody included. Raft's ReadIndex
                // and lease reads share rounds: each gets the average.
                p if rounds(p) => read_traffic as f64 / own_reads as f64,
                _ => 0.0,
            };
        }
        costs.sort_by_key(|c| c.path);
        costs
    }

    /// Requests waiting for a leader, oldest first.
    pub fn waiting_for_leader(&self) -> &[crate::Value] {
        each!(self, s => s.waiting_for_leader())
    }

    /// The clients, their history and every node's store.
    pub fn clients(&self) -> &crate::kv::Clients {
        each!(self, s => s.clients())
    }

    /// Cut links.
    pub fn cuts(&self) -> Vec<(NodeId, NodeId)> {
        each!(self, s => s.cuts().iter().copied().collect())
    }
}
