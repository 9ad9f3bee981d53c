//! The simulator: owns the nodes, the network, the clock and the randomness.
//!
//! Every change to a simulation is an [`Action`], recorded in order. Replaying
//! the same (configuration, actions) reproduces the same state and the same
//! trace, event for event — that is what makes undo, share links and golden
//! tests possible. After every action the protocol's invariant checker looks
//! at every node; what it finds becomes an [`EventKind::Violated`] event.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::accounting::Accounting;
use crate::check::Violation;
use crate::protocol::{
    Checker, Cluster, Ctx, Effect, Input, Message, Milestone, Mistakes, NodeId, NodeView,
    Observation, Protocol, Purpose, Slot, Tick, TimerKind, Timing, Value, World, MAX_NODES,
};
use crate::rng::Rng;

/// How the network misbehaves on its own in random and timed runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
    /// Protocol clocks.
    pub timing: Timing,
    /// Network faults.
    pub faults: Faults,
    /// Whether to check the invariants after every step.
    pub check: bool,
}

impl Config {
    /// `nodes` nodes, seed `seed`, no mistakes, a reliable network, checks on.
    pub fn new(nodes: u8, seed: u64) -> Self {
        Config {
            nodes,
            seed,
            mistakes: Mistakes::NONE,
            timing: Timing::default(),
            faults: Faults::default(),
            check: true,
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

/// One thing that happened, for the trace and the learner's event log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Simulated time.
    pub at: Tick,
    /// What happened.
    pub kind: EventKind,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A message was sent and is in flight.
    Sent {
        id: u64,
        from: NodeId,
        to: NodeId,
        text: String,
        arrives: Tick,
    },
    /// A message arrived and was handled.
    Delivered {
        id: u64,
        from: NodeId,
        to: NodeId,
        text: String,
    },
    /// A message was lost, and why.
    Lost {
        id: u64,
        from: NodeId,
        to: NodeId,
        why: String,
    },
    /// A message was duplicated.
    Duplicated { id: u64, copy: u64 },
    /// A message was postponed.
    Delayed { id: u64, until: Tick },
    /// A timer fired.
    TimerFired { node: NodeId, timer: &'static str },
    /// A client asked `node` for `value`.
    Requested { node: NodeId, value: Value },
    /// A node crashed.
    Crashed(NodeId),
    /// A node restarted.
    Restarted(NodeId),
    /// The network changed.
    Network(String),
    /// A node reported something.
    Observed { node: NodeId, obs: Observation },
    /// An invariant broke.
    Violated(Violation),
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            EventKind::Sent {
                id,
                from,
                to,
                text,
                arrives,
            } => {
                write!(f, "  n{from}->n{to} #{id} {text} (arrives t={arrives})")
            }
            EventKind::Delivered { id, from, to, text } => {
                write!(f, "t={} n{from}->n{to} #{id} {text}", self.at)
            }
            EventKind::Lost { id, from, to, why } => {
                write!(f, "  #{id} n{from}->n{to} lost: {why}")
            }
            EventKind::Duplicated { id, copy } => write!(f, "  #{copy} duplicates #{id}"),
            EventKind::Delayed { id, until } => write!(f, "  #{id} delayed until t={until}"),
            EventKind::TimerFired { node, timer } => {
                write!(f, "t={} n{node} {timer} timer fired", self.at)
            }
            EventKind::Requested { node, value } => {
                write!(f, "t={} client -> n{node}: request v{value}", self.at)
            }
            EventKind::Crashed(n) => write!(f, "t={} n{n} crashed", self.at),
            EventKind::Restarted(n) => write!(f, "t={} n{n} restarted", self.at),
            EventKind::Network(what) => write!(f, "t={} network: {what}", self.at),
            EventKind::Observed { node, obs } => match obs {
                Observation::Decided { slot: _, value } => {
                    write!(f, "  n{node}: decided v{value}")
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
    checker: P::Checker,
    violations: Vec<Violation>,
    actions: Vec<Action>,
    accounting: Accounting,
    milestones: BTreeMap<Milestone, u64>,
    sent: u64,
    delivered: u64,
    dropped: u64,
    hash: u64,
    boot: Vec<Event>,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a, folded over the text of every event: the trace's fingerprint.
fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
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
            timing: config.timing,
        };
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
            checker: P::Checker::default(),
            violations: Vec::new(),
            actions: Vec::new(),
            accounting: Accounting::default(),
            milestones: BTreeMap::new(),
            sent: 0,
            delivered: 0,
            dropped: 0,
            hash: FNV_OFFSET,
            boot: Vec::new(),
        };
        let mut events = Vec::new();
        for id in sim.cluster.ids() {
            let mut ctx = Ctx::new(id, &sim.cluster, 0, &mut sim.rng, Purpose::Election);
            let node = P::boot(&mut ctx);
            let effects = ctx.into_effects();
            sim.nodes.push(Slot::Up(node));
            sim.apply_effects(id, effects, 0, &mut events);
        }
        sim.after_step(&mut events);
        sim.boot = events;
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

    /// Apply one action. A refused action changes nothing and is not recorded.
    pub fn apply(&mut self, action: Action) -> Result<Vec<Event>, ActionError> {
        let mut events = Vec::new();
        match &action {
            Action::Deliver(id) => {
                let env = self.take(*id)?;
                self.deliver(env, &mut events);
            }
            Action::Drop(id) => {
                let env = self.take(*id)?;
                let why = format!("dropped on purpose ({action}), not by the network");
                self.lose(&env, why, &mut events);
            }
            Action::Duplicate(id) => {
                let env = self.find(*id)?.clone();
                let copy = self.next_id;
                self.transmit(
                    env.from,
                    env.to,
                    env.msg,
                    env.purpose,
                    env.depth,
                    Some(*id),
                    &mut events,
                );
                events.push(self.event(EventKind::Duplicated { id: *id, copy }));
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
                events.push(self.event(EventKind::Delayed { id: *id, until }));
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
                self.fire(armed, &mut events);
            }
            Action::Next => self.next(&mut events)?,
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
                    Some(n) => {
                        self.check_node(*n)?;
                        if self.nodes[usize::from(*n - 1)].up().is_none() {
                            return Err(ActionError(format!(
                                "n{n} is down: restart it before sending it a request"
                            )));
                        }
                        *n
                    }
                    None => self
                        .default_target()
                        .ok_or_else(|| ActionError::new("every node is down: restart one first"))?,
                };
                let value = Value::try_from(self.requested.len() + 1).unwrap_or(Value::MAX);
                self.requested.push(value);
                self.accounting.requested_at.insert(value, self.now);
                events.push(self.event(EventKind::Requested {
                    node: target,
                    value,
                }));
                self.run_node(
                    target,
                    Input::Request(value),
                    Purpose::Decision(0),
                    0,
                    &mut events,
                );
            }
            Action::Crash(n) => {
                self.check_node(*n)?;
                let idx = usize::from(*n - 1);
                let Slot::Up(p) = &self.nodes[idx] else {
                    return Err(ActionError(format!("n{n} is already down")));
                };
                self.nodes[idx] = Slot::Down(p.durable());
                self.timers.retain(|t| t.node != *n);
                events.push(self.event(EventKind::Crashed(*n)));
            }
            Action::Restart(n) => {
                self.check_node(*n)?;
                let idx = usize::from(*n - 1);
                let Slot::Down(durable) = &self.nodes[idx] else {
                    return Err(ActionError(format!("n{n} is running: crash it first")));
                };
                let durable = durable.clone();
                events.push(self.event(EventKind::Restarted(*n)));
                let mut ctx = Ctx::new(
                    *n,
                    &self.cluster,
                    self.now,
                    &mut self.rng,
                    Purpose::Election,
                );
                let node = P::restart(durable, &mut ctx);
                let effects = ctx.into_effects();
                self.nodes[idx] = Slot::Up(node);
                self.apply_effects(*n, effects, 0, &mut events);
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
                events.push(self.event(EventKind::Network(format!("{action}"))));
            }
            Action::Cut { from, to } => {
                self.check_node(*from)?;
                self.check_node(*to)?;
                if from == to {
                    return Err(ActionError::new("a node cannot be cut off from itself"));
                }
                self.cuts.insert((*from, *to));
                events.push(self.event(EventKind::Network(format!("link n{from}->n{to} cut"))));
            }
            Action::Heal => {
                self.cuts.clear();
                events.push(self.event(EventKind::Network("healed".to_string())));
            }
            Action::SetFaults(f) => {
                f.validate()?;
                self.faults = *f;
                events.push(self.event(EventKind::Network(format!("faults {f}"))));
            }
        }
        self.after_step(&mut events);
        self.actions.push(action);
        Ok(events)
    }

    fn after_step(&mut self, events: &mut Vec<Event>) {
        if self.config.check {
            let mut found = Vec::new();
            let world = World {
                nodes: &self.nodes,
                cluster: &self.cluster,
                requested: &self.requested,
            };
            self.checker.check(&world, &mut found);
            // A broken invariant usually stays broken: report each once.
            for v in found {
                if self.violations.contains(&v) {
                    continue;
                }
                self.violations.push(v.clone());
                events.push(self.event(EventKind::Violated(v)));
            }
        }
        for e in events.iter() {
            let line = format!("{e}\n");
            self.hash = fnv1a(self.hash, line.as_bytes());
        }
    }

    fn event(&self, kind: EventKind) -> Event {
        Event { at: self.now, kind }
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

    fn find(&self, id: u64) -> Result<&Envelope<P::Msg>, ActionError> {
        self.in_flight
            .iter()
            .find(|e| e.id == id)
            .ok_or_else(|| ActionError(format!("no message #{id} is in flight")))
    }

    fn find_mut(&mut self, id: u64) -> Result<&mut Envelope<P::Msg>, ActionError> {
        self.in_flight
            .iter_mut()
            .find(|e| e.id == id)
            .ok_or_else(|| ActionError(format!("no message #{id} is in flight")))
    }

    fn take(&mut self, id: u64) -> Result<Envelope<P::Msg>, ActionError> {
        let pos = self
            .in_flight
            .iter()
            .position(|e| e.id == id)
            .ok_or_else(|| ActionError(format!("no message #{id} is in flight")))?;
        Ok(self.in_flight.remove(pos))
    }

    /// The node a client talks to by default: the leader with the highest
    /// term or epoch, or else the lowest-numbered running node.
    fn default_target(&self) -> Option<NodeId> {
        let mut best: Option<(u64, NodeId)> = None;
        for (i, slot) in self.nodes.iter().enumerate() {
            if let Some(p) = slot.up() {
                let v = p.view();
                let id = NodeId::try_from(i + 1).unwrap_or(0);
                if v.leads && best.is_none_or(|(era, _)| v.era > era) {
                    best = Some((v.era, id));
                }
            }
        }
        best.map(|(_, id)| id).or_else(|| {
            self.nodes
                .iter()
                .position(|s| s.up().is_some())
                .and_then(|i| NodeId::try_from(i + 1).ok())
        })
    }

    fn next(&mut self, events: &mut Vec<Event>) -> Result<(), ActionError> {
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
                self.deliver(env, events);
                Ok(())
            }
            (_, Some((at, i))) => {
                self.now = self.now.max(at);
                let armed = self.timers.remove(i);
                self.fire(armed, events);
                Ok(())
            }
            (Some(_), None) => unreachable!("the guard above takes every message-only case"),
        }
    }

    fn fire(&mut self, armed: Armed<P::Timer>, events: &mut Vec<Event>) {
        events.push(self.event(EventKind::TimerFired {
            node: armed.node,
            timer: armed.timer.name(),
        }));
        self.run_node(
            armed.node,
            Input::Timer(armed.timer),
            Purpose::Heartbeat,
            0,
            events,
        );
    }

    fn deliver(&mut self, env: Envelope<P::Msg>, events: &mut Vec<Event>) {
        if self.nodes[usize::from(env.to - 1)].up().is_none() {
            self.lose(&env, format!("n{} is down", env.to), events);
        } else if self.cuts.contains(&(env.from, env.to)) {
            self.lose(
                &env,
                format!("link n{}->n{} is cut", env.from, env.to),
                events,
            );
        } else {
            self.delivered += 1;
            events.push(self.event(EventKind::Delivered {
                id: env.id,
                from: env.from,
                to: env.to,
                text: format!("{}", env.msg),
            }));
            let input = Input::Deliver {
                from: env.from,
                msg: env.msg,
            };
            self.run_node(env.to, input, env.purpose, env.depth, events);
        }
    }

    fn lose(&mut self, env: &Envelope<P::Msg>, why: String, events: &mut Vec<Event>) {
        self.dropped += 1;
        events.push(self.event(EventKind::Lost {
            id: env.id,
            from: env.from,
            to: env.to,
            why,
        }));
    }

    fn run_node(
        &mut self,
        node: NodeId,
        input: Input<P::Msg, P::Timer>,
        purpose: Purpose,
        depth: u32,
        events: &mut Vec<Event>,
    ) {
        let Slot::Up(p) = &mut self.nodes[usize::from(node - 1)] else {
            return;
        };
        let mut ctx = Ctx::new(node, &self.cluster, self.now, &mut self.rng, purpose);
        p.handle(input, &mut ctx);
        let effects = ctx.into_effects();
        self.apply_effects(node, effects, depth, events);
    }

    fn apply_effects(
        &mut self,
        node: NodeId,
        effects: Vec<Effect<P::Msg, P::Timer>>,
        depth: u32,
        events: &mut Vec<Event>,
    ) {
        for effect in effects {
            match effect {
                Effect::Send { to, msg, purpose } => {
                    self.transmit(node, to, msg, purpose, depth + 1, None, events);
                }
                Effect::SetTimer { timer, after } => {
                    self.timers
                        .retain(|t| !(t.node == node && t.timer == timer));
                    self.timers.push(Armed {
                        node,
                        timer,
                        at: self.now + after,
                        seq: self.next_seq,
                    });
                    self.next_seq += 1;
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
                    events.push(self.event(EventKind::Observed { node, obs }));
                }
            }
        }
    }

    /// Put a message on the wire, subject to the fault profile and cut links.
    #[allow(clippy::too_many_arguments)]
    fn transmit(
        &mut self,
        from: NodeId,
        to: NodeId,
        msg: P::Msg,
        purpose: Purpose,
        depth: u32,
        copy_of: Option<u64>,
        events: &mut Vec<Event>,
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
            let behind = self
                .in_flight
                .iter()
                .filter(|e| e.from == from && e.to == to && !e.unordered);
            deliver_at = behind.map(|e| e.deliver_at).fold(deliver_at, Tick::max);
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
            self.lose(&env, format!("link n{from}->n{to} is cut"), events);
            return;
        }
        if copy_of.is_none() && self.rng.chance(self.faults.loss) {
            self.lose(
                &env,
                format!("lost by the network ({}% loss)", self.faults.loss),
                events,
            );
            return;
        }
        events.push(self.event(EventKind::Sent {
            id,
            from,
            to,
            text: format!("{}", env.msg),
            arrives: env.deliver_at,
        }));
        let dup = copy_of.is_none() && self.rng.chance(self.faults.duplicate);
        let again = dup.then(|| env.clone());
        self.in_flight.push(env);
        if let Some(env) = again {
            let copy = self.next_id;
            self.transmit(from, to, env.msg, purpose, depth, Some(id), events);
            events.push(self.event(EventKind::Duplicated { id, copy }));
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

    /// The events of booting the cluster.
    pub fn boot_events(&self) -> &[Event] {
        &self.boot
    }

    /// Every action applied so far.
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// Every invariant violation found so far.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
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

    /// Client values requested so far.
    pub fn requested(&self) -> &[Value] {
        &self.requested
    }

    /// The fingerprint of the whole trace so far.
    pub fn trace_hash(&self) -> u64 {
        self.hash
    }
}
