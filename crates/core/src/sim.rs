//! The simulator: owns the nodes, the network, the clock and the randomness.
//!
//! Every change to a simulation is an [`Action`], recorded in order. Replaying
//! the same (configuration, actions) reproduces the same state and the same
//! trace, event for event — that is what makes undo, share links and golden
//! tests possible. After every action the protocol's invariant checker looks
//! at every node; what it finds becomes an [`EventKind::Violated`] event.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::hash::{Hash, Hasher};

use crate::accounting::Accounting;
use crate::check::Violation;
use crate::kv::{Answer, ClientId, Clients, Key, KvOp, ReadId, ReadPath, Reply};
use crate::linearizability;
use crate::protocol::{
    Category, Checker, Cluster, Ctx, Effect, EffectOf, Input, Message, Milestone, Mistakes, NodeId,
    NodeView, Observation, Protocol, Purpose, Shown, Slot, Tick, Timeliness, TimerKind, Timing,
    Value, Variants, World, MAX_NODES,
};
use crate::rng::Rng;

/// How the network misbehaves on its own in random and timed runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Faults {
    /// Percent of messages lost.
    pub loss: u8,
    /// Percent of messages delivered twice.
    pub duplicate: u8,
    /// Each message's latency is drawn from this inclusive range of ticks.
    pub latency: (Tick, Tick),
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            loss: 0,
            duplicate: 0,
            latency: (1, 3),
        }
    }
}

impl Faults {
    fn validate(&self) -> Result<(), ActionError> {
        if self.loss > 100 || self.duplicate > 100 {
            return Err(ActionError::new(
                "loss and duplicate are percentages from 0 to 100",
            ));
        }
        if self.latency.0 == 0 || self.latency.0 > self.latency.1 || self.latency.1 > 1000 {
            return Err(ActionError::new(
                "latency must be a range MIN-MAX with 1 <= MIN <= MAX <= 1000 ticks",
            ));
        }
        Ok(())
    }
}

impl fmt::Display for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "loss={}% duplicate={}% latency={}-{}",
            self.loss, self.duplicate, self.latency.0, self.latency.1
        )
    }
}

/// Everything that defines a simulation before its first action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Number of nodes, 1 to 9.
    pub nodes: u8,
    /// The seed of the one random generator.
    pub seed: u64,
    /// Switched-on textbook mistakes.
    pub mistakes: Mistakes,
    /// Switched-on protocol variants.
    pub variants: Variants,
    /// Protocol clocks.
    pub timing: Timing,
    /// Network faults.
    pub faults: Faults,
    /// Whether to check the invariants after every step.
    pub check: bool,
    /// Whether to record what happens: the events of each step, the "why"
    /// of every refusal, and the trace's fingerprint. Off, the simulation
    /// takes the same course, only faster (violations are still found).
    pub trace: bool,
}

impl Config {
    /// `nodes` nodes, seed `seed`, no mistakes, a reliable network, checks on.
    pub fn new(nodes: u8, seed: u64) -> Self {
        Config {
            nodes,
            seed,
            mistakes: Mistakes::NONE,
            variants: Variants::NONE,
            timing: Timing::default(),
            faults: Faults::default(),
            check: true,
            trace: true,
        }
    }
}

/// One change to a simulation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Deliver the message with this id now, whatever its delivery time.
    Deliver(u64),
    /// Drop the message with this id.
    Drop(u64),
    /// Send a second copy of the message with this id.
    Duplicate(u64),
    /// Postpone the message with this id by some ticks.
    Delay { id: u64, by: Tick },
    /// Fire a node's armed timer now.
    Fire { node: NodeId, timer: String },
    /// Advance the clock to the next message or timer and process it.
    Next,
    /// Let time pass until a tick, processing nothing: refused if a message
    /// or timer is due before then (it would be skipped). Keeps several
    /// simulations on one shared clock.
    Wait { until: Tick },
    /// A client request, to a chosen node or by default to the leader.
    Request { node: Option<NodeId> },
    /// Client `client` invokes a key-value operation at `node`.
    Invoke {
        client: ClientId,
        node: NodeId,
        op: KvOp,
    },
    /// Client `client` sends the operation it waits on again, to `node`,
    /// with the same request number (after a timeout or a "not the leader").
    Retry { client: ClientId, node: NodeId },
    /// Client `client` stops waiting: its operation's outcome is unknown.
    GiveUp(ClientId),
    /// Crash a node: it keeps only its durable state.
    Crash(NodeId),
    /// Restart a crashed node from its durable state.
    Restart(NodeId),
    /// Split the network: nodes in different groups cannot talk. Nodes not
    /// named form one more group.
    Partition(Vec<Vec<NodeId>>),
    /// Cut the link from one node to another, in that direction only.
    Cut { from: NodeId, to: NodeId },
    /// Restore every link.
    Heal,
    /// Change the network's fault profile.
    SetFaults(Faults),
    // NB: new actions go last.
    /// A client request as a client makes it: to the leader, or to any node
    /// of a leaderless protocol; with no leader yet, it waits (recorded as
    /// [`EventKind::Waiting`]) and goes to the first leader there is, as a
    /// client retrying would.
    Submit,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Deliver(id) => write!(f, "deliver {id}"),
            Action::Drop(id) => write!(f, "drop {id}"),
            Action::Duplicate(id) => write!(f, "duplicate {id}"),
            Action::Delay { id, by } => write!(f, "delay {id} {by}"),
            Action::Fire { node, timer } => write!(f, "fire {node} {timer}"),
            Action::Next => write!(f, "next"),
            Action::Wait { until } => write!(f, "wait {until}"),
            Action::Request { node: None } => write!(f, "request"),
            Action::Request { node: Some(n) } => write!(f, "request {n}"),
            Action::Submit => write!(f, "submit"),
            Action::Invoke { client, node, op } => write!(f, "invoke c{client} {node} {op}"),
            Action::Retry { client, node } => write!(f, "retry c{client} {node}"),
            Action::GiveUp(client) => write!(f, "give-up c{client}"),
            Action::Crash(n) => write!(f, "crash {n}"),
            Action::Restart(n) => write!(f, "restart {n}"),
            Action::Partition(groups) => {
                f.write_str("partition")?;
                for g in groups {
                    f.write_str(" ")?;
                    for (i, n) in g.iter().enumerate() {
                        if i > 0 {
                            f.write_str(",")?;
                        }
                        write!(f, "{n}")?;
                    }
                }
                Ok(())
            }
            Action::Cut { from, to } => write!(f, "cut {from} {to}"),
            Action::Heal => write!(f, "heal"),
            Action::SetFaults(x) => write!(
                f,
                "faults loss={} duplicate={} latency={}-{}",
                x.loss, x.duplicate, x.latency.0, x.latency.1
            ),
        }
    }
}

/// Why an action was refused. A refused action changes nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionError(pub String);

impl ActionError {
    fn new(msg: impl Into<String>) -> Self {
        ActionError(msg.into())
    }
}

/// Why a request cannot be made at all.
fn all_down() -> ActionError {
    ActionError::new("every node is down: restart one first")
}

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A message in flight.
#[derive(Clone, Debug)]
pub struct Envelope<M> {
    /// Unique id, in send order.
    pub id: u64,
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// The payload.
    pub msg: M,
    /// When it was sent.
    pub sent_at: Tick,
    /// When the network will deliver it in timed mode.
    pub deliver_at: Tick,
    /// What it is spent on.
    pub purpose: Purpose,
    /// Length of the causal chain of messages that led to it.
    pub depth: u32,
    /// The message this one duplicates, if it is a duplicate.
    pub copy_of: Option<u64>,
    /// Outside its link's FIFO order: a duplicate, or a message delayed by
    /// hand. Later messages on the link do not wait for it, so it can
    /// arrive long after them (across a reconnection, say).
    pub unordered: bool,
}

/// A timer armed by a node.
#[derive(Clone, Copy, Debug)]
pub struct Armed<T> {
    /// The node that armed it.
    pub node: NodeId,
    /// Which timer.
    pub timer: T,
    /// When it fires in timed mode.
    pub at: Tick,
    seq: u64,
}

/// One thing that happened, for the trace and the learner's event log: data
/// (the message itself, the protocol's reason), worded only when shown.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Event<M, T, N> {
    /// Simulated time.
    pub at: Tick,
    /// What happened.
    pub kind: EventKind<M, T, N>,
}

/// The events of a protocol `P`.
pub type EventOf<P> = Event<<P as Protocol>::Msg, <P as Protocol>::Timer, <P as Protocol>::Note>;

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum EventKind<M, T, N> {
    /// A message was sent and is in flight.
    Sent {
        id: u64,
        from: NodeId,
        to: NodeId,
        msg: M,
        arrives: Tick,
        /// What it is spent on, as the accounting counts it.
        purpose: Purpose,
    },
    /// A message arrived and was handled.
    Delivered {
        id: u64,
        from: NodeId,
        to: NodeId,
        msg: M,
    },
    /// A message was lost, and why.
    Lost {
        id: u64,
        from: NodeId,
        to: NodeId,
        why: Loss,
    },
    /// A message was duplicated.
    Duplicated { id: u64, copy: u64 },
    /// A message was postponed.
    Delayed { id: u64, until: Tick },
    /// A timer fired.
    TimerFired { node: NodeId, timer: T },
    /// A client asked `node` for `value`.
    Requested { node: NodeId, value: Value },
    /// A node crashed.
    Crashed(NodeId),
    /// A node restarted.
    Restarted(NodeId),
    /// The network changed.
    Network(NetworkChange),
    /// A node reported something.
    Observed { node: NodeId, obs: Observation<N> },
    /// An invariant broke.
    Violated(Violation),
    // NB: new kinds go last, so the fingerprints of old traces stay put.
    /// A client sent a key-value operation to `node`, as `value` (0 for a
    /// read not decided through the log), its `attempt`-th try of request
    /// `seq`.
    Invoked {
        client: ClientId,
        seq: u32,
        node: NodeId,
        value: Value,
        op: KvOp,
        attempt: u32,
    },
    /// `node` applied a client's operation and answered.
    Answered {
        client: ClientId,
        node: NodeId,
        op: KvOp,
        reply: Reply,
    },
    /// A client stopped waiting.
    GaveUp { client: ClientId, op: KvOp },
    /// `node` told a client it is not the leader, naming the one it knows.
    Redirected {
        client: ClientId,
        node: NodeId,
        leader: Option<NodeId>,
    },
    /// A client's request for `value` waits: there is no leader to take it.
    Waiting { value: Value },
}

/// Why a message was lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Loss {
    /// The learner or the schedule dropped message `id` on purpose.
    OnPurpose(u64),
    /// Its receiver is down.
    Down,
    /// Its link is cut.
    Cut,
    /// The network's loss rate (a percentage) took it.
    Network(u8),
}

/// A change of the network.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NetworkChange {
    /// Split into these groups.
    Partition(Vec<Vec<NodeId>>),
    /// One link cut, in one direction.
    Cut { from: NodeId, to: NodeId },
    /// Every link restored.
    Healed,
    /// A new fault profile.
    Faults(Faults),
}

impl fmt::Display for NetworkChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetworkChange::Partition(groups) => {
                write!(f, "{}", Action::Partition(groups.clone()))
            }
            NetworkChange::Cut { from, to } => write!(f, "link n{from}->n{to} cut"),
            NetworkChange::Healed => f.write_str("healed"),
            NetworkChange::Faults(x) => write!(f, "faults {x}"),
        }
    }
}

/// What an event is, leaving out its protocol's data: enough to sort it
/// into a log or a record without wording it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A message was sent; its type, the part it plays and what it is
    /// spent on.
    Sent {
        id: u64,
        from: NodeId,
        to: NodeId,
        kind: &'static str,
        category: Category,
        purpose: Purpose,
    },
    /// A message arrived.
    Delivered { id: u64 },
    /// A message was lost.
    Lost { id: u64 },
    /// A message was duplicated as `copy`.
    Duplicated { id: u64, copy: u64 },
    /// A message was postponed.
    Delayed,
    /// A timer fired; `routine` if it is one of the protocol's
    /// [`TimerKind::ROUTINE`] timers.
    TimerFired { routine: bool },
    /// A client asked.
    Requested,
    /// A node answered a client, or a client gave up.
    Answered,
    /// A crash, a restart or a network change.
    Fault,
    /// A node decided a value.
    Decided,
    /// A node refused or ignored an input; `late` if it was only a reply
    /// that came too late to matter ([`Timeliness`]).
    Refused { late: bool },
    /// Anything else a node reported.
    Note,
    /// An invariant broke.
    Violated,
}

impl<M: Message, T: TimerKind, N: Timeliness> Event<M, T, N> {
    /// What the event is, without its data.
    pub fn shape(&self) -> Shape {
        match &self.kind {
            EventKind::Sent {
                id,
                from,
                to,
                msg,
                purpose,
                ..
            } => Shape::Sent {
                id: *id,
                from: *from,
                to: *to,
                kind: msg.kind(),
                category: msg.category(),
                purpose: *purpose,
            },
            EventKind::Delivered { id, .. } => Shape::Delivered { id: *id },
            EventKind::Lost { id, .. } => Shape::Lost { id: *id },
            EventKind::Duplicated { id, copy } => Shape::Duplicated {
                id: *id,
                copy: *copy,
            },
            EventKind::Delayed { .. } => Shape::Delayed,
            EventKind::TimerFired { timer, .. } => Shape::TimerFired {
                routine: T::ROUTINE.contains(timer),
            },
            EventKind::Requested { .. } | EventKind::Invoked { .. } | EventKind::Waiting { .. } => {
                Shape::Requested
            }
            EventKind::Answered { .. }
            | EventKind::GaveUp { .. }
            | EventKind::Redirected { .. } => Shape::Answered,
            EventKind::Crashed(_) | EventKind::Restarted(_) | EventKind::Network(_) => Shape::Fault,
            EventKind::Observed { obs, .. } => match obs {
                Observation::Decided { .. } => Shape::Decided,
                Observation::Refused(note) => Shape::Refused { late: note.late() },
                _ => Shape::Note,
            },
            EventKind::Violated(_) => Shape::Violated,
        }
    }
}

impl<M: fmt::Display, T: TimerKind, N: fmt::Display> fmt::Display for Event<M, T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            EventKind::Sent {
                id,
                from,
                to,
                msg,
                arrives,
                ..
            } => {
                write!(f, "  n{from}->n{to} #{id} {msg} (arrives t={arrives})")
            }
            EventKind::Delivered { id, from, to, msg } => {
                write!(f, "t={} n{from}->n{to} #{id} {msg}", self.at)
            }
            EventKind::Lost { id, from, to, why } => {
                write!(f, "  #{id} n{from}->n{to} lost: ")?;
                match why {
                    Loss::OnPurpose(id) => {
                        write!(f, "dropped on purpose (drop {id}), not by the network")
                    }
                    Loss::Down => write!(f, "n{to} is down"),
                    Loss::Cut => write!(f, "link n{from}->n{to} is cut"),
                    Loss::Network(pct) => write!(f, "lost by the network ({pct}% loss)"),
                }
            }
            EventKind::Duplicated { id, copy } => write!(f, "  #{copy} duplicates #{id}"),
            EventKind::Delayed { id, until } => write!(f, "  #{id} delayed until t={until}"),
            EventKind::TimerFired { node, timer } => {
                write!(f, "t={} n{node} {} timer fired", self.at, timer.name())
            }
            EventKind::Requested { node, value } => {
                write!(f, "t={} client -> n{node}: request v{value}", self.at)
            }
            EventKind::Invoked {
                client,
                seq,
                node,
                value,
                op,
                attempt,
            } => {
                write!(f, "t={} C{client} -> n{node}: {op} (request {seq}", self.at)?;
                if *attempt > 1 {
                    write!(f, ", attempt {attempt}")?;
                }
                if *value > 0 {
                    write!(f, ", as v{value}")?;
                }
                f.write_str(")")
            }
            EventKind::Answered {
                client,
                node,
                op,
                reply,
            } => write!(f, "  n{node} -> C{client}: {op}: {reply}"),
            EventKind::Redirected {
                client,
                node,
                leader,
            } => {
                write!(f, "  n{node} -> C{client}: not the leader")?;
                match leader {
                    Some(l) => write!(f, ", try n{l}"),
                    None => write!(f, ", and no leader known"),
                }
            }
            EventKind::GaveUp { client, op } => {
                write!(
                    f,
                    "t={} C{client} gives up on {op}: outcome unknown",
                    self.at
                )
            }
            EventKind::Waiting { value } => {
                write!(
                    f,
                    "t={} client: request v{value} waits, no leader to take it",
                    self.at
                )
            }
            EventKind::Crashed(n) => write!(f, "t={} n{n} crashed", self.at),
            EventKind::Restarted(n) => write!(f, "t={} n{n} restarted", self.at),
            EventKind::Network(what) => write!(f, "t={} network: {what}", self.at),
            EventKind::Observed { node, obs } => match obs {
                Observation::Decided { slot: _, value } => {
                    write!(f, "  n{node}: decided {}", Shown(*value))
                }
                Observation::Role { role, era } => write!(f, "  n{node}: became {role} ({era})"),
                Observation::Refused(why) => write!(f, "  n{node}: {why}"),
                Observation::Note(text) => write!(f, "  n{node}: {text}"),
                Observation::Milestone(_, text) => write!(f, "  n{node}: {text}"),
            },
            EventKind::Violated(v) => write!(f, "  VIOLATION {v}"),
        }
    }
}

/// The name of the invariant a client history breaks when no single order
/// of its operations explains it.
pub const LINEARIZABILITY: &str = "Linearizability";

/// A running simulation of one protocol.
#[derive(Clone, Debug)]
pub struct Sim<P: Protocol> {
    config: Config,
    cluster: Cluster,
    rng: Rng,
    now: Tick,
    nodes: Vec<Slot<P>>,
    in_flight: Vec<Envelope<P::Msg>>,
    timers: Vec<Armed<P::Timer>>,
    cuts: BTreeSet<(NodeId, NodeId)>,
    faults: Faults,
    next_id: u64,
    next_seq: u64,
    requested: Vec<Value>,
    /// Requests waiting for a leader, oldest first ([`Action::Submit`]).
    waiting: Vec<Value>,
    checker: P::Checker,
    violations: Vec<Violation>,
    found: Vec<Violation>,
    actions: Vec<Action>,
    accounting: Accounting,
    milestones: BTreeMap<Milestone, u64>,
    sent: u64,
    delivered: u64,
    dropped: u64,
    hash: u64,
    boot: Vec<EventOf<P>>,
    /// The events of the latest action (kept only with `config.trace`).
    events: Vec<EventOf<P>>,
    /// Scratch space for a node's effects, reused from input to input.
    effects: Vec<EffectOf<P>>,
    /// The nodes this step may have changed, for the checker.
    touched: u16,
    /// The clients, their history and every node's store.
    clients: Clients,
    /// Scratch space for the answers of a step.
    answers: Vec<Answer>,
    /// The number of the last read a protocol was asked to serve.
    next_read: ReadId,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a over the events' data: the trace's fingerprint. Every integer is
/// fed as little-endian bytes and every length as 64 bits, so the
/// fingerprint is the same on 64-bit hosts and in 32-bit wasm.
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
    }

    fn write_u16(&mut self, i: u16) {
        self.write(&i.to_le_bytes());
    }

    fn write_u32(&mut self, i: u32) {
        self.write(&i.to_le_bytes());
    }

    fn write_u64(&mut self, i: u64) {
        self.write(&i.to_le_bytes());
    }

    fn write_u128(&mut self, i: u128) {
        self.write(&i.to_le_bytes());
    }

    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
}

impl<P: Protocol> Sim<P> {
    /// Boot a cluster as `config` says.
    pub fn new(config: Config) -> Result<Self, ActionError> {
        if config.nodes == 0 || config.nodes > MAX_NODES {
            return Err(ActionError(format!(
                "a cluster has 1 to {MAX_NODES} nodes, not {}",
                config.nodes
            )));
        }
        config.faults.validate()?;
        let (lo, hi) = config.timing.election;
        if lo == 0 || lo > hi || config.timing.heartbeat == 0 {
            return Err(ActionError::new(
                "timing: the election range must be 1 <= MIN <= MAX and the heartbeat at least 1",
            ));
        }
        let cluster = Cluster {
            size: config.nodes,
            mistakes: config.mistakes,
            variants: config.variants,
            timing: config.timing,
        };
        let clients = Clients::new(config.nodes);
        let mut sim = Sim {
            rng: Rng::new(config.seed),
            faults: config.faults,
            config,
            cluster,
            now: 0,
            nodes: Vec::new(),
            in_flight: Vec::new(),
            timers: Vec::new(),
            cuts: BTreeSet::new(),
            next_id: 1,
            next_seq: 0,
            requested: Vec::new(),
            waiting: Vec::new(),
            checker: P::Checker::default(),
            violations: Vec::new(),
            found: Vec::new(),
            actions: Vec::new(),
            accounting: Accounting::default(),
            milestones: BTreeMap::new(),
            sent: 0,
            delivered: 0,
            dropped: 0,
            hash: FNV_OFFSET,
            boot: Vec::new(),
            events: Vec::new(),
            effects: Vec::new(),
            touched: World::<P>::EVERY_NODE,
            clients,
            answers: Vec::new(),
            next_read: 0,
        };
        for id in sim.cluster.ids() {
            let mut effects = core::mem::take(&mut sim.effects);
            let mut ctx = Ctx::new(
                id,
                &sim.cluster,
                0,
                &mut sim.rng,
                Purpose::Election,
                sim.config.trace,
                &mut effects,
            );
            let node = P::boot(&mut ctx);
            sim.nodes.push(Slot::Up(node));
            sim.apply_effects(id, &mut effects, 0);
            sim.effects = effects;
        }
        sim.after_step();
        sim.boot = core::mem::take(&mut sim.events);
        Ok(sim)
    }

    /// Boot `config` and apply `actions` in order; on a refused action, its
    /// index and the reason.
    pub fn replay(config: Config, actions: &[Action]) -> Result<Self, (usize, ActionError)> {
        let mut sim = Sim::new(config).map_err(|e| (0, e))?;
        for (i, a) in actions.iter().enumerate() {
            sim.apply(a.clone()).map_err(|e| (i, e))?;
        }
        Ok(sim)
    }

    /// Apply one action; its events are then in [`Sim::events`]. A refused
    /// action changes nothing and is not recorded.
    pub fn apply(&mut self, action: Action) -> Result<(), ActionError> {
        self.events.clear();
        match &action {
            Action::Deliver(id) => {
                let env = self.take(*id)?;
                self.deliver(env);
            }
            Action::Drop(id) => {
                let env = self.take(*id)?;
                self.lose(&env, Loss::OnPurpose(*id));
            }
            Action::Duplicate(id) => {
                let env = self.find(*id)?.clone();
                let copy = self.next_id;
                self.transmit(env.from, env.to, env.msg, env.purpose, env.depth, Some(*id));
                self.record(EventKind::Duplicated { id: *id, copy });
            }
            Action::Delay { id, by } => {
                if *by == 0 || *by > 1000 {
                    return Err(ActionError::new("a delay is 1 to 1000 ticks"));
                }
                let now = self.now;
                let env = self.find_mut(*id)?;
                env.deliver_at = env.deliver_at.max(now) + by;
                env.unordered = true;
                let until = env.deliver_at;
                self.record(EventKind::Delayed { id: *id, until });
            }
            Action::Fire { node, timer } => {
                self.check_node(*node)?;
                let kind = P::Timer::from_name(timer).ok_or_else(|| {
                    let names: Vec<&str> = P::Timer::ALL.iter().map(|t| t.name()).collect();
                    ActionError(format!(
                        "{} has no timer called '{timer}' (it has: {})",
                        P::TITLE,
                        names.join(", ")
                    ))
                })?;
                let pos = self
                    .timers
                    .iter()
                    .position(|t| t.node == *node && t.timer == kind)
                    .ok_or_else(|| {
                        ActionError(format!("n{node} has no {} timer armed", kind.name()))
                    })?;
                let armed = self.timers.remove(pos);
                self.fire(armed);
            }
            Action::Next => self.next()?,
            Action::Wait { until } => {
                if *until < self.now {
                    return Err(ActionError(format!(
                        "time runs forward: it is already t={}",
                        self.now
                    )));
                }
                if let Some(due) = self.next_event_at().filter(|due| due < until) {
                    return Err(ActionError(format!(
                        "something is due at t={due}, before t={until}: step to it first"
                    )));
                }
                self.now = *until;
            }
            Action::Request { node } => {
                let target = match node {
                    Some(n) => self.running(*n, "a request")?,
                    None => self.default_target().ok_or_else(all_down)?,
                };
                let value = self.next_value();
                self.note_requested(value);
                self.request(target, value);
            }
            Action::Submit => {
                let target = self.default_target().ok_or_else(all_down)?;
                let value = self.next_value();
                self.note_requested(value);
                if P::LEADERLESS || self.leader().is_some() {
                    self.request(target, value);
                } else {
                    self.waiting.push(value);
                    self.record(EventKind::Waiting { value });
                }
            }
            Action::Invoke { client, node, op } => {
                let node = self.running(*node, "an operation")?;
                if let KvOp::Read(_, path) = op {
                    self.check_path(*path)?;
                }
                let value = self.next_value();
                let seq = self
                    .clients
                    .invoke(*client, node, *op, value, self.now)
                    .map_err(ActionError)?
                    .seq;
                self.send_op(*client, seq, node, *op, 1, value);
            }
            Action::Retry { client, node } => {
                let node = self.running(*node, "an operation")?;
                let value = self.next_value();
                let retried = self
                    .clients
                    .retry(*client, node, value)
                    .map_err(ActionError)?;
                let (seq, op, attempt) = (retried.seq, retried.op, retried.attempts);
                self.send_op(*client, seq, node, op, attempt, value);
            }
            Action::GiveUp(client) => {
                let op = self
                    .clients
                    .give_up(*client, self.now)
                    .map_err(ActionError)?
                    .op;
                self.record(EventKind::GaveUp {
                    client: *client,
                    op,
                });
            }
            Action::Crash(n) => {
                self.check_node(*n)?;
                let idx = usize::from(*n - 1);
                let Slot::Up(p) = &self.nodes[idx] else {
                    return Err(ActionError(format!("n{n} is already down")));
                };
                self.nodes[idx] = Slot::Down(p.durable());
                self.clients.crashed(*n);
                self.touched |= 1 << idx;
                self.timers.retain(|t| t.node != *n);
                self.record(EventKind::Crashed(*n));
            }
            Action::Restart(n) => {
                self.check_node(*n)?;
                let idx = usize::from(*n - 1);
                let Slot::Down(durable) = &self.nodes[idx] else {
                    return Err(ActionError(format!("n{n} is running: crash it first")));
                };
                let durable = durable.clone();
                self.record(EventKind::Restarted(*n));
                let mut effects = core::mem::take(&mut self.effects);
                let mut ctx = Ctx::new(
                    *n,
                    &self.cluster,
                    self.now,
                    &mut self.rng,
                    Purpose::Election,
                    self.config.trace,
                    &mut effects,
                );
                let node = P::restart(durable, &mut ctx);
                self.nodes[idx] = Slot::Up(node);
                self.touched |= 1 << idx;
                self.apply_effects(*n, &mut effects, 0);
                self.effects = effects;
            }
            Action::Partition(groups) => {
                let mut group_of = [0usize; MAX_NODES as usize + 1];
                for (g, members) in groups.iter().enumerate() {
                    if members.is_empty() {
                        return Err(ActionError::new("a partition group cannot be empty"));
                    }
                    for n in members {
                        self.check_node(*n)?;
                        if group_of[usize::from(*n)] != 0 {
                            return Err(ActionError(format!(
                                "n{n} appears in two partition groups"
                            )));
                        }
                        group_of[usize::from(*n)] = g + 1;
                    }
                }
                self.cuts.clear();
                for a in self.cluster.ids() {
                    for b in self.cluster.ids() {
                        if group_of[usize::from(a)] != group_of[usize::from(b)] {
                            self.cuts.insert((a, b));
                        }
                    }
                }
                if self.config.trace {
                    self.record(EventKind::Network(NetworkChange::Partition(groups.clone())));
                }
            }
            Action::Cut { from, to } => {
                self.check_node(*from)?;
                self.check_node(*to)?;
                if from == to {
                    return Err(ActionError::new("a node cannot be cut off from itself"));
                }
                self.cuts.insert((*from, *to));
                self.record(EventKind::Network(NetworkChange::Cut {
                    from: *from,
                    to: *to,
                }));
            }
            Action::Heal => {
                self.cuts.clear();
                self.record(EventKind::Network(NetworkChange::Healed));
            }
            Action::SetFaults(f) => {
                f.validate()?;
                self.faults = *f;
                self.record(EventKind::Network(NetworkChange::Faults(*f)));
            }
        }
        self.hand_over_waiting();
        self.after_step();
        self.actions.push(action);
        Ok(())
    }

    /// A client asks `node` for `value`.
    fn request(&mut self, node: NodeId, value: Value) {
        self.record(EventKind::Requested { node, value });
        self.run_node(node, Input::Request(value), Purpose::Decision(0), 0);
    }

    /// Requests that waited for a leader go to the one there now is, oldest
    /// first.
    fn hand_over_waiting(&mut self) {
        if self.waiting.is_empty() {
            return;
        }
        if let Some(leader) = self.leader() {
            for value in core::mem::take(&mut self.waiting) {
                self.request(leader, value);
            }
        }
    }

    /// Requests waiting for a leader, oldest first ([`Action::Submit`]).
    pub fn waiting_for_leader(&self) -> &[Value] {
        &self.waiting
    }

    fn after_step(&mut self) {
        self.answer_clients();
        if self.config.check {
            let world = World {
                nodes: &self.nodes,
                cluster: &self.cluster,
                requested: &self.requested,
                now: self.now,
                changed: self.touched,
            };
            self.checker.check(&world, &mut self.found);
            // A broken invariant usually stays broken: report each once.
            for v in core::mem::take(&mut self.found) {
                if !self.violations.contains(&v) {
                    self.violations.push(v.clone());
                    self.record(EventKind::Violated(v));
                }
            }
        }
        self.touched = 0;
        if self.config.trace {
            let mut h = Fnv(self.hash);
            self.events.hash(&mut h);
            self.hash = h.finish();
        }
    }

    /// Each node this step changed applies the decisions it now knows to
    /// its store and answers the clients waiting on it. With checks on, an
    /// answer puts the history to the linearizability checker.
    fn answer_clients(&mut self) {
        let mut answers = core::mem::take(&mut self.answers);
        for (i, slot) in self.nodes.iter().enumerate() {
            let Some(node) = slot.up() else { continue };
            if self.touched & (1 << i) != 0 {
                let id = i as NodeId + 1;
                self.clients
                    .apply_decided(id, |k| node.decided(k), self.now, &mut answers);
            }
        }
        for a in answers.drain(..) {
            self.answered(a);
        }
        self.answers = answers;
    }

    /// Records an answer and, with checks on, puts the history to the
    /// linearizability checker (once it fails, it stays failed).
    fn answered(&mut self, a: Answer) {
        let op = &self.clients.ops()[a.op as usize];
        let key = op.op.key();
        let kind = EventKind::Answered {
            client: op.client,
            node: op.node,
            op: op.op,
            reply: a.reply,
        };
        self.record(kind);
        let failed = |v: &Violation| v.invariant == LINEARIZABILITY;
        if self.config.check && !self.violations.iter().chain(&self.found).any(failed) {
            // Linearizability is local: only the answered key's history can
            // have stopped being linearizable.
            let history: Vec<_> = self
                .clients
                .ops()
                .iter()
                .filter(|o| o.op.key() == key)
                .map(crate::kv::ClientOp::to_operation)
                .collect();
            if let Ok(verdict) = linearizability::check(&history) {
                if let Some(failure) = verdict.failures.first() {
                    self.found.push(Violation {
                        invariant: LINEARIZABILITY,
                        detail: failure.explain(&history),
                    });
                }
            }
        }
    }

    /// Refuses a read path this protocol does not offer.
    fn check_path(&self, path: ReadPath) -> Result<(), ActionError> {
        if Clients::decided(KvOp::Read(Key::X, path))
            || path == ReadPath::Local
            || P::READ_PATHS.contains(&path)
        {
            return Ok(());
        }
        Err(ActionError(format!(
            "{} has no {path} reads: read through the log or locally",
            P::TITLE
        )))
    }

    /// Sends a client operation's attempt to `node`: a value to decide, a
    /// read for the node to serve, or a local read answered at once.
    fn send_op(
        &mut self,
        client: ClientId,
        seq: u32,
        node: NodeId,
        op: KvOp,
        attempt: u32,
        value: Value,
    ) {
        let decided = Clients::decided(op);
        if decided {
            self.note_requested(value);
        }
        self.record(EventKind::Invoked {
            client,
            seq,
            node,
            value: if decided { value } else { 0 },
            op,
            attempt,
        });
        match op {
            _ if decided => {
                self.run_node(node, Input::Request(value), Purpose::Decision(0), 0);
            }
            KvOp::Read(_, ReadPath::Local) => {
                if let Some(a) = self.clients.read_locally(client, node, self.now) {
                    self.answered(a);
                }
            }
            KvOp::Read(_, path) => {
                self.next_read += 1;
                let id = self.next_read;
                self.clients.reading(client, id);
                self.run_node_with(node, Purpose::Read, 0, |p, ctx| p.read(id, path, ctx));
            }
            KvOp::Write(..) | KvOp::Cas { .. } => {}
        }
    }

    /// The node `n`, if it is running, to receive `what`.
    fn running(&self, n: NodeId, what: &str) -> Result<NodeId, ActionError> {
        self.check_node(n)?;
        if self.nodes[usize::from(n - 1)].up().is_none() {
            return Err(ActionError(format!(
                "n{n} is down: restart it before sending it {what}"
            )));
        }
        Ok(n)
    }

    /// The next client value: values are numbered from 1.
    fn next_value(&self) -> Value {
        Value::try_from(self.requested.len() + 1).unwrap_or(Value::MAX)
    }

    /// `value` was asked for, now.
    fn note_requested(&mut self, value: Value) {
        self.requested.push(value);
        self.accounting.requested_at.insert(value, self.now);
    }

    /// Record an event of this step, if anyone reads them.
    fn record(&mut self, kind: EventKind<P::Msg, P::Timer, P::Note>) {
        if self.config.trace {
            self.events.push(Event { at: self.now, kind });
        }
    }

    fn check_node(&self, n: NodeId) -> Result<(), ActionError> {
        if n == 0 || n > self.cluster.size {
            return Err(ActionError(format!(
                "there is no node {n}: nodes are numbered 1 to {}",
                self.cluster.size
            )));
        }
        Ok(())
    }

    /// Where message `id` sits in `in_flight`, which is in sending order:
    /// ids only grow, and removing a message keeps the others' order.
    fn position(&self, id: u64) -> Result<usize, ActionError> {
        self.in_flight
            .binary_search_by_key(&id, |e| e.id)
            .map_err(|_| ActionError(format!("no message #{id} is in flight")))
    }

    fn find(&self, id: u64) -> Result<&Envelope<P::Msg>, ActionError> {
        self.position(id).map(|i| &self.in_flight[i])
    }

    fn find_mut(&mut self, id: u64) -> Result<&mut Envelope<P::Msg>, ActionError> {
        self.position(id).map(|i| &mut self.in_flight[i])
    }

    fn take(&mut self, id: u64) -> Result<Envelope<P::Msg>, ActionError> {
        self.position(id).map(|i| self.in_flight.remove(i))
    }

    /// The running node that leads in the latest term, ballot, epoch or
    /// view, if one does.
    fn leader(&self) -> Option<NodeId> {
        let mut best: Option<(u64, NodeId)> = None;
        for (i, slot) in self.nodes.iter().enumerate() {
            if let Some(p) = slot.up() {
                let id = NodeId::try_from(i + 1).unwrap_or(0);
                if p.leads() && best.is_none_or(|(era, _)| p.era() > era) {
                    best = Some((p.era(), id));
                }
            }
        }
        best.map(|(_, id)| id)
    }

    /// The node a client talks to by default: the leader with the highest
    /// term, ballot, epoch or view, or else the lowest-numbered running node.
    fn default_target(&self) -> Option<NodeId> {
        self.leader().or_else(|| {
            self.nodes
                .iter()
                .position(|s| s.up().is_some())
                .and_then(|i| NodeId::try_from(i + 1).ok())
        })
    }

    fn next(&mut self) -> Result<(), ActionError> {
        // The earliest message and the earliest timer; on a tie the message
        // goes first, then lower ids / earlier armings, so the order is total.
        let msg = self
            .in_flight
            .iter()
            .enumerate()
            .min_by_key(|(_, e)| (e.deliver_at, e.id))
            .map(|(i, e)| (e.deliver_at, i));
        let timer = self
            .timers
            .iter()
            .enumerate()
            .min_by_key(|(_, t)| (t.at, t.seq))
            .map(|(i, t)| (t.at, i));
        match (msg, timer) {
            (None, None) => Err(ActionError::new(
                "nothing to do: no message is in flight and no timer is armed",
            )),
            (Some((at, i)), t) if t.is_none_or(|(tat, _)| at <= tat) => {
                self.now = self.now.max(at);
                let env = self.in_flight.remove(i);
                self.deliver(env);
                Ok(())
            }
            (_, Some((at, i))) => {
                self.now = self.now.max(at);
                let armed = self.timers.remove(i);
                self.fire(armed);
                Ok(())
            }
            (Some(_), None) => unreachable!("the guard above takes every message-only case"),
        }
    }

    fn fire(&mut self, armed: Armed<P::Timer>) {
        self.record(EventKind::TimerFired {
            node: armed.node,
            timer: armed.timer,
        });
        self.run_node(armed.node, Input::Timer(armed.timer), Purpose::Heartbeat, 0);
    }

    fn deliver(&mut self, env: Envelope<P::Msg>) {
        if self.nodes[usize::from(env.to - 1)].up().is_none() {
            self.lose(&env, Loss::Down);
        } else if self.cuts.contains(&(env.from, env.to)) {
            self.lose(&env, Loss::Cut);
        } else {
            self.delivered += 1;
            if self.config.trace {
                self.record(EventKind::Delivered {
                    id: env.id,
                    from: env.from,
                    to: env.to,
                    msg: env.msg.clone(),
                });
            }
            let input = Input::Deliver {
                from: env.from,
                msg: env.msg,
            };
            self.run_node(env.to, input, env.purpose, env.depth);
        }
    }

    fn lose(&mut self, env: &Envelope<P::Msg>, why: Loss) {
        self.dropped += 1;
        self.record(EventKind::Lost {
            id: env.id,
            from: env.from,
            to: env.to,
            why,
        });
    }

    fn run_node(
        &mut self,
        node: NodeId,
        input: Input<P::Msg, P::Timer>,
        purpose: Purpose,
        depth: u32,
    ) {
        self.run_node_with(node, purpose, depth, |p, ctx| p.handle(input, ctx));
    }

    /// Lets running node `node` act through `act`, then carries out its effects.
    fn run_node_with(
        &mut self,
        node: NodeId,
        purpose: Purpose,
        depth: u32,
        act: impl FnOnce(&mut P, &mut Ctx<'_, P>),
    ) {
        let Slot::Up(p) = &mut self.nodes[usize::from(node - 1)] else {
            return;
        };
        self.touched |= 1 << (node - 1);
        let mut effects = core::mem::take(&mut self.effects);
        let mut ctx = Ctx::new(
            node,
            &self.cluster,
            self.now,
            &mut self.rng,
            purpose,
            self.config.trace,
            &mut effects,
        );
        act(p, &mut ctx);
        self.apply_effects(node, &mut effects, depth);
        self.effects = effects;
    }

    /// Carry out what node `node` asked for, leaving `effects` empty.
    fn apply_effects(&mut self, node: NodeId, effects: &mut Vec<EffectOf<P>>, depth: u32) {
        for effect in effects.drain(..) {
            match effect {
                Effect::Send { to, msg, purpose } => {
                    self.transmit(node, to, msg, purpose, depth + 1, None);
                }
                Effect::SetTimer { timer, after } => {
                    let at = self.now + after;
                    let seq = self.next_seq;
                    self.next_seq += 1;
                    match self
                        .timers
                        .iter()
                        .position(|t| t.node == node && t.timer == timer)
                    {
                        // Re-arming keeps the timer's place: the order of
                        // `timers` is never read, only (at, seq).
                        Some(i) => {
                            self.timers[i].at = at;
                            self.timers[i].seq = seq;
                        }
                        None => self.timers.push(Armed {
                            node,
                            timer,
                            at,
                            seq,
                        }),
                    }
                }
                Effect::CancelTimer(timer) => {
                    self.timers
                        .retain(|t| !(t.node == node && t.timer == timer));
                }
                Effect::Observe(obs) => {
                    match &obs {
                        Observation::Decided { slot, value } => {
                            self.accounting.decided(*slot, *value, self.now, depth);
                        }
                        Observation::Milestone(m, _) => {
                            *self.milestones.entry(*m).or_insert(0) += 1;
                        }
                        _ => {}
                    }
                    self.record(EventKind::Observed { node, obs });
                }
                Effect::ServeRead { id, index } => self.clients.serve(node, id, index),
                Effect::Redirect { ask, leader } => {
                    if let Some(client) = self.clients.redirected(node, ask, leader) {
                        self.record(EventKind::Redirected {
                            client,
                            node,
                            leader,
                        });
                    }
                }
            }
        }
    }

    /// Put a message on the wire, subject to the fault profile and cut links.
    fn transmit(
        &mut self,
        from: NodeId,
        to: NodeId,
        msg: P::Msg,
        purpose: Purpose,
        depth: u32,
        copy_of: Option<u64>,
    ) {
        let id = self.next_id;
        self.next_id += 1;
        self.sent += 1;
        self.accounting
            .sent(purpose, msg.kind(), msg.is_notification());
        let latency = self
            .rng
            .between(self.faults.latency.0, self.faults.latency.1);
        let mut deliver_at = self.now + latency;
        if P::FIFO {
            // The link keeps order: arrive no earlier than the last message
            // sent on it that is still in order. Each such message arrives
            // no earlier than the one before it, so the newest is the latest.
            let behind = self
                .in_flight
                .iter()
                .rev()
                .find(|e| e.from == from && e.to == to && !e.unordered);
            if let Some(e) = behind {
                deliver_at = deliver_at.max(e.deliver_at);
            }
        }
        let env = Envelope {
            id,
            from,
            to,
            msg,
            sent_at: self.now,
            deliver_at,
            purpose,
            depth,
            copy_of,
            unordered: copy_of.is_some(),
        };
        if self.cuts.contains(&(from, to)) {
            self.lose(&env, Loss::Cut);
            return;
        }
        if copy_of.is_none() && self.rng.chance(self.faults.loss) {
            self.lose(&env, Loss::Network(self.faults.loss));
            return;
        }
        if self.config.trace {
            self.record(EventKind::Sent {
                id,
                from,
                to,
                msg: env.msg.clone(),
                arrives: env.deliver_at,
                purpose,
            });
        }
        let dup = copy_of.is_none() && self.rng.chance(self.faults.duplicate);
        let again = dup.then(|| env.msg.clone());
        self.in_flight.push(env);
        if let Some(msg) = again {
            let copy = self.next_id;
            self.transmit(from, to, msg, purpose, depth, Some(id));
            self.record(EventKind::Duplicated { id, copy });
        }
    }

    /// When the next message or timer is due in timed mode, if anything is.
    pub fn next_event_at(&self) -> Option<Tick> {
        let msg = self.in_flight.iter().map(|e| e.deliver_at).min();
        let timer = self.timers.iter().map(|t| t.at).min();
        match (msg, timer) {
            (Some(m), Some(t)) => Some(m.min(t)),
            (m, t) => m.or(t),
        }
    }

    /// The configuration the simulation was booted with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The cluster.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// Simulated time now.
    pub fn now(&self) -> Tick {
        self.now
    }

    /// Every node, index `i` holding node `i + 1`.
    pub fn nodes(&self) -> &[Slot<P>] {
        &self.nodes
    }

    /// Node `id`, if it exists and is up.
    pub fn node(&self, id: NodeId) -> Option<&P> {
        self.nodes.get(usize::from(id).checked_sub(1)?)?.up()
    }

    /// The learner's view of each node; `None` for a crashed one.
    pub fn views(&self) -> Vec<Option<NodeView>> {
        self.nodes.iter().map(|s| s.up().map(P::view)).collect()
    }

    /// Messages in flight, in id order.
    pub fn in_flight(&self) -> &[Envelope<P::Msg>] {
        &self.in_flight
    }

    /// Armed timers, soonest first.
    pub fn timers(&self) -> Vec<Armed<P::Timer>> {
        let mut t = self.timers.clone();
        t.sort_by_key(|a| (a.at, a.seq));
        t
    }

    /// Cut links, as (from, to) pairs.
    pub fn cuts(&self) -> &BTreeSet<(NodeId, NodeId)> {
        &self.cuts
    }

    /// The current fault profile.
    pub fn faults(&self) -> Faults {
        self.faults
    }

    /// The events of booting the cluster (none without `config.trace`).
    pub fn boot_events(&self) -> &[EventOf<P>] {
        &self.boot
    }

    /// The events of the latest action (none without `config.trace`).
    pub fn events(&self) -> &[EventOf<P>] {
        &self.events
    }

    /// The id the next message sent will have.
    pub fn next_message_id(&self) -> u64 {
        self.next_id
    }

    /// Every action applied so far.
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// Every invariant violation found so far.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The key of the entry the cluster has committed at `index`, as the
    /// checker's ghost history knows it ([`Checker::committed_key`]).
    pub fn committed_key(&self, index: u64) -> Option<u64> {
        self.checker.committed_key(index)
    }

    /// The message accounting.
    pub fn accounting(&self) -> &Accounting {
        &self.accounting
    }

    /// How often each milestone happened.
    pub fn milestones(&self) -> &BTreeMap<Milestone, u64> {
        &self.milestones
    }

    /// How often `m` happened.
    pub fn milestone(&self, m: Milestone) -> u64 {
        self.milestones.get(&m).copied().unwrap_or(0)
    }

    /// Messages sent, delivered and dropped so far. Conservation: sent =
    /// in flight + delivered + dropped.
    pub fn message_counts(&self) -> (u64, u64, u64) {
        (self.sent, self.delivered, self.dropped)
    }

    /// The clients' operations so far, in invocation order: the history.
    pub fn client_ops(&self) -> &[crate::kv::ClientOp] {
        self.clients.ops()
    }

    /// The clients and every node's store.
    pub fn clients(&self) -> &Clients {
        &self.clients
    }

    /// Client values requested so far.
    pub fn requested(&self) -> &[Value] {
        &self.requested
    }

    /// The fingerprint of the whole trace so far (its starting value
    /// without `config.trace`, which records nothing).
    pub fn trace_hash(&self) -> u64 {
        self.hash
    }
}
