//! # The replicated state machine: a small key-value store, and its clients
//!
//! Every protocol decides an ordered sequence of values; here a value names a
//! client command (`write x 5`, `read x`, `cas x 4 0`), and each node applies
//! the commands it knows are decided, in log or slot order, to its own
//! [`Store`]. The store keeps a *session* per client (Raft thesis §6.3): the
//! last request number it applied and its reply. A client that retries, after
//! a timeout or a "not the leader", sends the same request number, so a
//! command decided twice takes effect once and the retry gets the first
//! reply.
//!
//! A client invokes one operation at a time at a node of its choice. The
//! node it is waiting on answers when it applies the command; a client that
//! gave up, or whose node never answers, leaves the outcome unknown. The
//! invocations and replies are the client *history* that
//! [`crate::linearizability`] checks.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::linearizability::{self, Datum, Op};
use crate::protocol::{NodeId, Tick};

/// A client: C1, C2, ... as in the seeds' pictures.
pub type ClientId = u8;

/// A key of the store: `x`, `y` or `z`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    X,
    Y,
    Z,
}

impl Key {
    pub const ALL: [Key; 3] = [Key::X, Key::Y, Key::Z];

    pub fn name(self) -> &'static str {
        match self {
            Key::X => "x",
            Key::Y => "y",
            Key::Z => "z",
        }
    }

    pub fn from_name(name: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a read is served. Each is what real systems do; not all are
/// linearizable, and the history checker says which.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReadPath {
    /// Through the log: the read is decided like a write, and answered
    /// when applied (Raft through the log, a Paxos round, a Zab proposal).
    /// Linearizable; costs a full decision.
    Log,
    /// Raft's ReadIndex (thesis §6.4): the leader notes its commit index,
    /// confirms it still leads with a round of heartbeats to a majority,
    /// and answers once it has applied up to the noted index.
    /// Linearizable; one round trip, nothing written.
    ReadIndex,
    /// Raft's lease read (thesis §6.4.1): within a lease that a majority's
    /// answer to a heartbeat gave it, the leader answers at its commit
    /// index with no messages; out of it, it first renews the lease with a
    /// heartbeat round. Linearizable only if no clock runs fast by more
    /// than the lease's margin (and only with the `raft-lease` variant's
    /// leader stickiness; without it the leader confirms as for ReadIndex).
    Lease,
    /// The node's own store, at once: no messages, possibly stale (a Raft
    /// follower, a Paxos learner, a ZooKeeper follower).
    Local,
    /// ZooKeeper's `sync`, then a local read: the follower asks its leader
    /// how far its history goes and reads once it has delivered that much.
    /// Linearizable only while that leader is still the leader: a deposed
    /// one that does not know it yet answers from an old history.
    Sync,
}

impl ReadPath {
    pub const ALL: [ReadPath; 5] = [
        ReadPath::Log,
        ReadPath::ReadIndex,
        ReadPath::Lease,
        ReadPath::Local,
        ReadPath::Sync,
    ];

    /// The word of the scenario language.
    pub fn name(self) -> &'static str {
        match self {
            ReadPath::Log => "log",
            ReadPath::ReadIndex => "read-index",
            ReadPath::Lease => "lease",
            ReadPath::Local => "local",
            ReadPath::Sync => "sync",
        }
    }

    /// Whether every read by this path is linearizable, whatever the
    /// faults (the random schedules of `check --reads` use these).
    pub fn linearizable(self) -> bool {
        matches!(self, ReadPath::Log | ReadPath::ReadIndex)
    }

    /// Whether reads by this path are linearizable as long as no node's
    /// timeout runs out early (the random schedules use it then).
    pub fn needs_bounded_clocks(self) -> bool {
        self == ReadPath::Lease
    }

    pub fn from_name(name: &str) -> Option<ReadPath> {
        ReadPath::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl fmt::Display for ReadPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A read the protocol serves itself (not through the log): its number.
pub type ReadId = u32;

/// An operation on the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KvOp {
    /// Read a key, by a path.
    Read(Key, ReadPath),
    Write(Key, Datum),
    /// Compare-and-set: if the key holds `from`, write `to`.
    Cas {
        key: Key,
        from: Datum,
        to: Datum,
    },
}

impl KvOp {
    pub fn key(self) -> Key {
        match self {
            KvOp::Read(k, _) | KvOp::Write(k, _) | KvOp::Cas { key: k, .. } => k,
        }
    }
}

/// `read x`, `read x local`, `write x 5`, `cas x 4 0`: the words of the
/// scenario language (a read through the log names no path).
impl fmt::Display for KvOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KvOp::Read(k, ReadPath::Log) => write!(f, "read {k}"),
            KvOp::Read(k, path) => write!(f, "read {k} {path}"),
            KvOp::Write(k, v) => write!(f, "write {k} {v}"),
            KvOp::Cas { key, from, to } => write!(f, "cas {key} {from} {to}"),
        }
    }
}

/// What the store answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reply {
    /// A read's value (`None`: the key has no value).
    Value(Option<Datum>),
    /// A write took effect.
    Written,
    /// Whether a cas found its `from` (and so wrote `to`).
    Cas(bool),
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reply::Value(Some(v)) => write!(f, "{v}"),
            Reply::Value(None) => f.write_str("none"),
            Reply::Written => f.write_str("ok"),
            Reply::Cas(true) => f.write_str("cas ok"),
            Reply::Cas(false) => f.write_str("cas failed"),
        }
    }
}

/// One node's copy of the state machine.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Store {
    data: BTreeMap<Key, Datum>,
    /// Per client, the last request number applied and its reply.
    sessions: BTreeMap<ClientId, (u32, Reply)>,
}

impl Store {
    /// Applies request `seq` of `client`, once: a request already applied
    /// (a retry decided again) changes nothing and gets the reply of the
    /// first time.
    pub fn apply(&mut self, client: ClientId, seq: u32, op: KvOp) -> Reply {
        if let Some(&(last, reply)) = self.sessions.get(&client) {
            if seq <= last {
                return reply;
            }
        }
        let reply = match op {
            KvOp::Read(k, _) => Reply::Value(self.data.get(&k).copied()),
            KvOp::Write(k, v) => {
                self.data.insert(k, v);
                Reply::Written
            }
            KvOp::Cas { key, from, to } => {
                let found = self.data.get(&key) == Some(&from);
                if found {
                    self.data.insert(key, to);
                }
                Reply::Cas(found)
            }
        };
        self.sessions.insert(client, (seq, reply));
        reply
    }

    /// The value of `key`, if it has one.
    pub fn get(&self, key: Key) -> Option<Datum> {
        self.data.get(&key).copied()
    }

    /// Every key with a value, in key order.
    pub fn entries(&self) -> impl Iterator<Item = (Key, Datum)> + '_ {
        self.data.iter().map(|(k, v)| (*k, *v))
    }
}

/// Where a client operation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpState {
    /// The client waits for a reply.
    Waiting,
    /// The node answered at this time.
    Answered(Tick, Reply),
    /// The client stopped waiting at this time: the outcome is unknown (the
    /// command may still be decided and take effect later).
    GaveUp(Tick),
}

/// One client operation as the simulator records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientOp {
    pub client: ClientId,
    /// The client's request number: the same for every attempt.
    pub seq: u32,
    pub op: KvOp,
    /// When the client invoked it.
    pub call: Tick,
    /// The node of the latest attempt: the one whose answer the client
    /// waits for.
    pub node: NodeId,
    /// How many times the client sent it.
    pub attempts: u32,
    pub state: OpState,
    /// The node of the latest attempt answered "not the leader", naming
    /// the leader it knows, if any: the client should retry there.
    pub redirect: Option<Option<NodeId>>,
    /// The number of the latest attempt, for a read the protocol serves
    /// itself (ReadIndex).
    pub read: Option<ReadId>,
}

impl ClientOp {
    /// The operation as the linearizability checker reads it: an operation
    /// without a reply has an unknown outcome.
    pub fn to_operation(&self) -> linearizability::Operation {
        let (ret, reply) = match self.state {
            OpState::Answered(at, reply) => (Some(at), Some(reply)),
            _ => (None, None),
        };
        let op = match (self.op, reply) {
            (KvOp::Read(..), Some(Reply::Value(value))) => Op::Read { value },
            (KvOp::Read(..), _) => Op::Read { value: None },
            (KvOp::Write(_, value), _) => Op::Write { value },
            (KvOp::Cas { from, to, .. }, reply) => Op::Cas {
                from,
                to,
                ok: reply == Some(Reply::Cas(true)),
            },
        };
        linearizability::Operation {
            client: u32::from(self.client),
            key: alloc::string::String::from(self.op.key().name()),
            op,
            call: self.call,
            ret,
        }
    }
}

/// A node answered a client: `op` is the index of the operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    pub op: u32,
    pub reply: Reply,
}

/// The clients of one simulation and every node's copy of the store.
#[derive(Clone, Debug, Default)]
pub struct Clients {
    /// Every operation invoked, in order: the history.
    ops: Vec<ClientOp>,
    /// The operation each requested value carries (anonymous requests,
    /// which touch no key, carry none).
    commands: BTreeMap<crate::protocol::Value, u32>,
    /// Per node (index `i` for node `i + 1`): its store and how many
    /// decisions it has applied.
    stores: Vec<(Store, u32)>,
    /// The operation each protocol-served read attempt belongs to.
    reads: BTreeMap<ReadId, u32>,
    /// Reads a node has cleared to answer once it has applied `index`
    /// decisions: (node, read, index).
    serving: Vec<(NodeId, ReadId, u32)>,
}

impl Clients {
    pub fn new(nodes: u8) -> Self {
        Clients {
            stores: alloc::vec![(Store::default(), 0); usize::from(nodes)],
            ..Clients::default()
        }
    }

    /// Every operation invoked so far, in order.
    pub fn ops(&self) -> &[ClientOp] {
        &self.ops
    }

    /// Node `node`'s store, as far as it has applied decisions.
    pub fn store(&self, node: NodeId) -> Option<&Store> {
        self.stores
            .get(usize::from(node).wrapping_sub(1))
            .map(|(s, _)| s)
    }

    /// How the messages serving operation `op` (its index) name it: `v7`
    /// for each value its attempts asked the cluster to decide, `r3` for
    /// each read a protocol was asked to serve.
    pub fn tokens_of(&self, op: u32) -> Vec<String> {
        let values = self
            .commands
            .iter()
            .filter(|(_, i)| **i == op)
            .map(|(v, _)| alloc::format!("v{v}"));
        let reads = self
            .reads
            .iter()
            .filter(|(_, i)| **i == op)
            .map(|(r, _)| alloc::format!("r{r}"));
        values.chain(reads).collect()
    }

    /// The operation `client` waits on, if any.
    pub fn waiting(&self, client: ClientId) -> Option<&ClientOp> {
        self.waiting_index(client).map(|i| &self.ops[i])
    }

    fn waiting_index(&self, client: ClientId) -> Option<usize> {
        self.ops
            .iter()
            .rposition(|o| o.client == client && o.state == OpState::Waiting)
    }

    /// `client` invokes `op` at `node`, asking the cluster to decide
    /// `value`. Refused while the client waits on another operation.
    pub fn invoke(
        &mut self,
        client: ClientId,
        node: NodeId,
        op: KvOp,
        value: crate::protocol::Value,
        now: Tick,
    ) -> Result<&ClientOp, String> {
        if client == 0 {
            return Err("clients are numbered from 1 (C1, C2, ...)".into());
        }
        if let Some(w) = self.waiting(client) {
            return Err(alloc::format!(
                "C{client} is still waiting for its {}: a client invokes one operation at a time (retry it or give up first)",
                w.op
            ));
        }
        let seq = 1 + self.ops.iter().filter(|o| o.client == client).count() as u32;
        if Self::decided(op) {
            self.commands.insert(value, self.ops.len() as u32);
        }
        self.ops.push(ClientOp {
            client,
            seq,
            op,
            call: now,
            node,
            attempts: 1,
            state: OpState::Waiting,
            redirect: None,
            read: None,
        });
        Ok(self.ops.last().expect("just pushed"))
    }

    /// `client` sends the operation it waits on again, to `node`, as
    /// `value`, with the same request number.
    pub fn retry(
        &mut self,
        client: ClientId,
        node: NodeId,
        value: crate::protocol::Value,
    ) -> Result<&ClientOp, String> {
        let i = self
            .waiting_index(client)
            .ok_or_else(|| alloc::format!("C{client} is not waiting for anything"))?;
        if Self::decided(self.ops[i].op) {
            self.commands.insert(value, i as u32);
        }
        let op = &mut self.ops[i];
        op.node = node;
        op.attempts += 1;
        op.redirect = None;
        op.read = None;
        Ok(op)
    }

    /// Whether `op` goes through the protocol's decisions (every write and
    /// cas, and reads through the log).
    pub fn decided(op: KvOp) -> bool {
        matches!(
            op,
            KvOp::Read(_, ReadPath::Log) | KvOp::Write(..) | KvOp::Cas { .. }
        )
    }

    /// The latest attempt of `client`'s waiting operation becomes read
    /// `id`, which the protocol serves itself.
    pub fn reading(&mut self, client: ClientId, id: ReadId) {
        if let Some(i) = self.waiting_index(client) {
            self.ops[i].read = Some(id);
            self.reads.insert(id, i as u32);
        }
    }

    /// `node` clears read `id` to be answered from its store once it has
    /// applied `index` decisions (at once if it has).
    pub fn serve(&mut self, node: NodeId, id: ReadId, index: u32) {
        self.serving.push((node, id, index));
    }

    /// Answers `client`'s waiting local read at `node` from the node's
    /// store as it is.
    pub fn read_locally(&mut self, client: ClientId, node: NodeId, now: Tick) -> Option<Answer> {
        let i = self.waiting_index(client)?;
        let (store, _) = self.stores.get(usize::from(node).wrapping_sub(1))?;
        let reply = Reply::Value(store.get(self.ops[i].op.key()));
        self.ops[i].state = OpState::Answered(now, reply);
        Some(Answer {
            op: i as u32,
            reply,
        })
    }

    /// `client` stops waiting: the outcome of its operation is unknown.
    pub fn give_up(&mut self, client: ClientId, now: Tick) -> Result<&ClientOp, String> {
        let i = self
            .waiting_index(client)
            .ok_or_else(|| alloc::format!("C{client} is not waiting for anything"))?;
        self.ops[i].state = OpState::GaveUp(now);
        Ok(&self.ops[i])
    }

    /// `node` will not serve `ask` and names `leader`: the client told,
    /// if it waits on `node` for the operation `ask` carries.
    pub fn redirected(
        &mut self,
        node: NodeId,
        ask: crate::protocol::Ask,
        leader: Option<NodeId>,
    ) -> Option<ClientId> {
        let &i = match ask {
            crate::protocol::Ask::Value(value) => self.commands.get(&value)?,
            crate::protocol::Ask::Read(id) => self.reads.get(&id)?,
        };
        let op = &mut self.ops[i as usize];
        if op.state != OpState::Waiting || op.node != node {
            return None;
        }
        op.redirect = Some(leader);
        Some(op.client)
    }

    /// A crash loses the node's store; it is rebuilt from the decisions the
    /// node learns again.
    pub fn crashed(&mut self, node: NodeId) {
        if let Some(slot) = self.stores.get_mut(usize::from(node).wrapping_sub(1)) {
            *slot = (Store::default(), 0);
        }
        self.serving.retain(|&(n, ..)| n != node);
    }

    /// Applies, in order, the decisions `node` now knows (`decided(i)` is
    /// its `i`-th) to its store, and answers each client waiting on `node`
    /// for a command applied: into `answers`.
    pub fn apply_decided(
        &mut self,
        node: NodeId,
        decided: impl Fn(u32) -> Option<crate::protocol::Value>,
        now: Tick,
        answers: &mut Vec<Answer>,
    ) {
        if self.ops.is_empty() {
            return;
        }
        let Some((store, applied)) = self.stores.get_mut(usize::from(node).wrapping_sub(1)) else {
            return;
        };
        while let Some(value) = decided(*applied) {
            *applied += 1;
            let Some(&i) = self.commands.get(&value) else {
                continue;
            };
            let op = &mut self.ops[i as usize];
            let reply = store.apply(op.client, op.seq, op.op);
            if op.state == OpState::Waiting && op.node == node {
                op.state = OpState::Answered(now, reply);
                answers.push(Answer { op: i, reply });
            }
        }
        // Reads cleared to be answered once their index is applied.
        let (ops, reads) = (&mut self.ops, &self.reads);
        self.serving.retain(|&(n, id, index)| {
            if n != node || index > *applied {
                return true;
            }
            let Some(&i) = reads.get(&id) else {
                return false;
            };
            let op = &mut ops[i as usize];
            if op.state == OpState::Waiting && op.node == node && op.read == Some(id) {
                let reply = Reply::Value(store.get(op.op.key()));
                op.state = OpState::Answered(now, reply);
                answers.push(Answer { op: i, reply });
            }
            false
        });
    }
}

/// The client history of a run, for the checker.
pub fn history(ops: &[ClientOp]) -> Vec<linearizability::Operation> {
    ops.iter().map(ClientOp::to_operation).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn the_store_is_a_register_per_key() {
        let mut s = Store::default();
        assert_eq!(
            s.apply(1, 1, KvOp::Read(Key::X, ReadPath::Log)),
            Reply::Value(None)
        );
        assert_eq!(s.apply(1, 2, KvOp::Write(Key::X, 4)), Reply::Written);
        let cas = |from, to| KvOp::Cas {
            key: Key::X,
            from,
            to,
        };
        assert_eq!(s.apply(2, 1, cas(3, 0)), Reply::Cas(false));
        assert_eq!(s.apply(2, 2, cas(4, 0)), Reply::Cas(true));
        assert_eq!(
            s.apply(1, 3, KvOp::Read(Key::X, ReadPath::Log)),
            Reply::Value(Some(0))
        );
        assert_eq!(s.get(Key::Y), None);
        assert_eq!(s.entries().collect::<Vec<_>>(), [(Key::X, 0)]);
    }

    /// Raft thesis §6.3: a retried command is applied once, and the retry
    /// gets the reply of the first time.
    #[test]
    fn a_retried_request_takes_effect_once() {
        let mut s = Store::default();
        s.apply(1, 1, KvOp::Write(Key::X, 4));
        let cas = KvOp::Cas {
            key: Key::X,
            from: 4,
            to: 5,
        };
        assert_eq!(s.apply(2, 7, cas), Reply::Cas(true));
        s.apply(1, 2, KvOp::Write(Key::X, 4));
        // The same request decided again: no second effect, same reply.
        assert_eq!(s.apply(2, 7, cas), Reply::Cas(true));
        assert_eq!(s.get(Key::X), Some(4));
    }

    /// A client waits on one node: only that node's answer counts, a
    /// protocol-served read is answered once its index is applied, and a
    /// crash forgets the store and the reads it was about to serve.
    #[test]
    fn clients_wait_on_one_node() {
        let mut c = Clients::new(3);
        let decided = |values: &'static [u32]| move |i: u32| values.get(i as usize).copied();
        let mut answers = Vec::new();
        c.invoke(1, 2, KvOp::Write(Key::X, 4), 1, 10).unwrap();
        // Node 1 applies it first: C1 waits on node 2, so no answer yet.
        c.apply_decided(1, decided(&[1]), 11, &mut answers);
        assert!(answers.is_empty());
        c.apply_decided(2, decided(&[1]), 12, &mut answers);
        assert_eq!(
            answers,
            [Answer {
                op: 0,
                reply: Reply::Written
            }]
        );
        assert_eq!(c.ops()[0].state, OpState::Answered(12, Reply::Written));

        // A ReadIndex read at node 3, cleared at index 1: answered when
        // node 3 has applied one decision.
        let read = KvOp::Read(Key::X, ReadPath::ReadIndex);
        assert!(!Clients::decided(read));
        c.invoke(2, 3, read, 2, 13).unwrap();
        c.reading(2, 7);
        c.serve(3, 7, 1);
        answers.clear();
        c.apply_decided(3, decided(&[]), 14, &mut answers);
        assert!(answers.is_empty());
        c.apply_decided(3, decided(&[1]), 15, &mut answers);
        assert_eq!(
            answers,
            [Answer {
                op: 1,
                reply: Reply::Value(Some(4))
            }]
        );

        // A redirect names the leader; a crash drops what was to be served.
        c.invoke(3, 1, KvOp::Read(Key::X, ReadPath::ReadIndex), 3, 16)
            .unwrap();
        c.reading(3, 8);
        assert_eq!(
            c.redirected(1, crate::protocol::Ask::Read(8), Some(2)),
            Some(3)
        );
        assert_eq!(c.waiting(3).unwrap().redirect, Some(Some(2)));
        c.serve(1, 8, 0);
        c.crashed(1);
        answers.clear();
        c.apply_decided(1, decided(&[1]), 17, &mut answers);
        assert!(answers.is_empty(), "the read was forgotten with the crash");
        assert_eq!(
            c.store(1).unwrap().get(Key::X),
            Some(4),
            "the store is rebuilt"
        );

        // A local read answers at once from the node's store.
        c.give_up(3, 18).unwrap();
        c.invoke(3, 1, KvOp::Read(Key::X, ReadPath::Local), 4, 19)
            .unwrap();
        let local = c.read_locally(3, 1, 19).unwrap();
        assert_eq!(local.reply, Reply::Value(Some(4)));
        assert!(c.invoke(3, 1, KvOp::Write(Key::Y, 1), 5, 20).is_ok());
        let err = c.invoke(3, 1, KvOp::Write(Key::Y, 2), 6, 21).unwrap_err();
        assert!(
            err.contains("C3 is still waiting for its write y 1"),
            "{err}"
        );
    }

    #[test]
    fn an_operation_is_named_by_every_attempt() {
        let mut c = Clients::new(3);
        c.invoke(1, 1, KvOp::Write(Key::X, 1), 4, 0).unwrap();
        c.retry(1, 2, 9).unwrap();
        c.give_up(1, 5).unwrap();
        c.invoke(1, 2, KvOp::Read(Key::X, ReadPath::ReadIndex), 10, 6)
            .unwrap();
        c.reading(1, 3);
        assert_eq!(c.tokens_of(0), ["v4", "v9"]);
        assert_eq!(c.tokens_of(1), ["r3"]);
    }

    #[test]
    fn ops_and_replies_print_in_the_scenario_words() {
        let op = KvOp::Cas {
            key: Key::Z,
            from: 1,
            to: 2,
        };
        assert_eq!(op.to_string(), "cas z 1 2");
        assert_eq!(KvOp::Write(Key::Y, 5).to_string(), "write y 5");
        assert_eq!(Reply::Value(None).to_string(), "none");
        assert_eq!(Key::from_name("y"), Some(Key::Y));
        assert_eq!(Key::from_name("w"), None);
    }
}
