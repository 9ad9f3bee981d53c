//! The protocol-neutral interface between a consensus node and the simulator.
//!
//! A node is a pure state machine in the style of etcd/raft and stateright:
//! the simulator feeds it one [`Input`] at a time — a delivered message, a
//! fired timer or a client request — and it answers with [`Effect`]s as data
//! (messages to send, timers to set or cancel, observations for the learner).
//! A node never reads a clock or an ambient random source: the [`Ctx`] it is
//! handed carries the simulated time and lends it the simulator's seeded
//! generator. A crash keeps only what the node declares [`Protocol::Durable`].

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::hash::Hash;
use core::marker::PhantomData;

use crate::check::Violation;
use crate::kv::{ReadId, ReadPath};
use crate::rng::Rng;

/// A node's identity: 1, 2, ... up to the cluster size (at most 9).
pub type NodeId = u8;
/// Simulated time, in abstract ticks.
pub type Tick = u64;
/// A client's value. The simulator numbers requests 1, 2, 3, ... and shows them as `v1`, `v2`, ...
pub type Value = u32;

/// The value no client asks for: a new Raft leader's no-op entry (Raft §8).
/// It is decided like any other and applied as nothing.
pub const NO_OP: Value = 0;

/// A value as the trace and the playground show it: `v3`, or `no-op`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shown(pub Value);

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            NO_OP => f.write_str("no-op"),
            v => write!(f, "v{v}"),
        }
    }
}

/// The largest cluster the simulator runs.
pub const MAX_NODES: u8 = 9;

/// A set of switches (mistakes, variants), one bit each: a switch's
/// position in its `ALL` is its bit in share links, so new ones go last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Switches<S>(u16, PhantomData<S>);

/// One kind of switch that a [`Switches`] set holds.
pub trait Switch: Copy + PartialEq + 'static {
    /// Every switch of the kind, in a stable order.
    const ALL: &'static [Self];
    /// The switch's name, as used on the command line, in scenario files
    /// and in links.
    fn name(self) -> &'static str;
}

impl<S: Switch> Switches<S> {
    /// No switch on: every protocol as this playground runs it by default.
    pub const NONE: Switches<S> = Switches(0, PhantomData);

    fn bit(s: S) -> u16 {
        let position = S::ALL.iter().position(|x| *x == s).unwrap_or(0);
        1 << position
    }

    /// Whether `s` is switched on.
    pub fn has(self, s: S) -> bool {
        self.0 & Self::bit(s) != 0
    }

    /// These switches plus `s`.
    pub fn with(self, s: S) -> Switches<S> {
        Switches(self.0 | Self::bit(s), PhantomData)
    }

    /// These switches without `s`.
    pub fn without(self, s: S) -> Switches<S> {
        Switches(self.0 & !Self::bit(s), PhantomData)
    }

    /// The switched-on ones, in a stable order.
    pub fn iter(self) -> impl Iterator<Item = S> {
        S::ALL.iter().copied().filter(move |s| self.has(*s))
    }

    /// Their names, in a stable order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        self.iter().map(S::name)
    }

    /// The set `names` names, or the first name that names nothing.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, &'a str> {
        names.into_iter().try_fold(Self::NONE, |set, name| {
            let s = S::ALL.iter().find(|s| s.name() == name).ok_or(name)?;
            Ok(set.with(*s))
        })
    }
}

impl<S: Switch> Default for Switches<S> {
    fn default() -> Self {
        Self::NONE
    }
}

/// Switchable textbook mistakes, all off by default. Each one reproduces a
/// classic bug from `CORRECTNESS.md` so a learner can watch the checker catch it.
pub type Mistakes = Switches<Mistake>;

/// One switchable mistake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mistake {
    /// Raft: a leader commits an entry of a previous term by counting replicas (Figure 8).
    RaftCommitOldTerm,
    /// Raft: `votedFor` is not persisted, so a restarted node can vote twice in one term.
    RaftVolatileVote,
    /// Raft: every node uses the same election timeout, so split votes repeat.
    RaftEqualTimeouts,
    /// Paxos: a proposer proposes its own value instead of the highest accepted one.
    PaxosIgnoreAccepted,
    /// Paxos: an acceptor forgets its promise and acceptance when it restarts.
    PaxosForgetPromise,
    /// Zab: a follower keeps surplus entries the new leader never had (ZOOKEEPER-1154).
    ZabSkipTruncate,
    /// Zab: synchronization messages of an earlier follower-leader session are taken as current.
    ZabStaleSync,
    /// Raft: a leader answers ReadIndex reads from its own state without
    /// confirming it still leads.
    RaftStaleRead,
    /// Raft: ReadIndex is served before the leader committed an entry of its term.
    RaftReadBeforeNoop,
    /// Multi-Paxos: a new leader skips phase 1's recovery of accepted values.
    MultipaxosSkipRecovery,
    /// VR: a new primary starts its view with its own log, not the one from
    /// the largest last normal view.
    VrPickAnyLog,
}

impl Mistake {
    /// Every mistake, in a stable order. NB: a mistake's position is its
    /// bit in share links: new ones go last.
    pub const ALL: [Mistake; 11] = [
        Mistake::RaftCommitOldTerm,
        Mistake::RaftVolatileVote,
        Mistake::RaftEqualTimeouts,
        Mistake::PaxosIgnoreAccepted,
        Mistake::PaxosForgetPromise,
        Mistake::ZabSkipTruncate,
        Mistake::ZabStaleSync,
        Mistake::RaftStaleRead,
        Mistake::RaftReadBeforeNoop,
        Mistake::MultipaxosSkipRecovery,
        Mistake::VrPickAnyLog,
    ];

    /// The switch's name, as used on the command line and in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Mistake::RaftCommitOldTerm => "raft-commit-old-term",
            Mistake::RaftVolatileVote => "raft-volatile-vote",
            Mistake::RaftEqualTimeouts => "raft-equal-timeouts",
            Mistake::PaxosIgnoreAccepted => "paxos-ignore-accepted",
            Mistake::PaxosForgetPromise => "paxos-forget-promise",
            Mistake::ZabSkipTruncate => "zab-skip-truncate",
            Mistake::ZabStaleSync => "zab-stale-sync",
            Mistake::RaftStaleRead => "raft-stale-read",
            Mistake::RaftReadBeforeNoop => "raft-read-before-noop",
            Mistake::MultipaxosSkipRecovery => "multipaxos-skip-recovery",
            Mistake::VrPickAnyLog => "vr-pick-any-log",
        }
    }

    /// The protocol the mistake belongs to (`raft`, `paxos`, `vr`, ...).
    pub fn protocol(self) -> &'static str {
        self.name().split('-').next().unwrap_or("")
    }

    /// What the mistake does, in one sentence.
    pub fn describe(self) -> &'static str {
        match self {
            Mistake::RaftCommitOldTerm => {
                "a leader commits a previous-term entry once a majority stores it (Raft §5.4.2, Figure 8)"
            }
            Mistake::RaftVolatileVote => {
                "votedFor is kept in memory only, so a restarted node may vote twice in one term"
            }
            Mistake::RaftEqualTimeouts => {
                "election timeouts are not randomized, so candidates keep splitting the vote"
            }
            Mistake::PaxosIgnoreAccepted => {
                "phase 2 proposes the proposer's own value even when a promise reported an accepted one"
            }
            Mistake::PaxosForgetPromise => {
                "an acceptor's promise and acceptance are not durable and vanish on restart"
            }
            Mistake::ZabSkipTruncate => {
                "a synchronizing follower keeps entries the new leader never had (ZOOKEEPER-1154)"
            }
            Mistake::ZabStaleSync => {
                "a message from an earlier follower-leader session is taken as current, as if a closed connection could still deliver"
            }
            Mistake::RaftStaleRead => {
                "a leader answers ReadIndex reads from its own state without confirming it still leads, so a deposed leader serves stale data"
            }
            Mistake::RaftReadBeforeNoop => {
                "ReadIndex is served before the leader has committed an entry of its own term, when its commit index may be behind (thesis §6.4)"
            }
            Mistake::MultipaxosSkipRecovery => {
                "a new leader skips phase 1's recovery and proposes its own values in slots where a value may already be chosen"
            }
            Mistake::VrPickAnyLog => {
                "a new primary starts its view with its own log instead of the one from the largest last normal view, and may drop committed operations"
            }
        }
    }

    /// Whether the mistake concerns serving reads, so that only runs with
    /// clients reading can show it.
    pub fn concerns_reads(self) -> bool {
        matches!(self, Mistake::RaftStaleRead | Mistake::RaftReadBeforeNoop)
    }

    /// The mistake called `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Mistake> {
        Mistake::ALL.into_iter().find(|m| m.name() == name)
    }
}

impl Switch for Mistake {
    const ALL: &'static [Mistake] = &Mistake::ALL;
    fn name(self) -> &'static str {
        Mistake::name(self)
    }
}

/// Choices the papers themselves describe, each a departure from this
/// playground's default; none of them is a mistake. A variant changes what a
/// learner sees (for example, Figure 8 can only happen to a Raft without the
/// leader's no-op), so sessions, links and scenario files carry them.
pub type Variants = Switches<Variant>;

/// One protocol variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Variant {
    /// Raft as Figure 2 alone describes it: a new leader appends no no-op
    /// entry of its own term (Raft §8 adds one).
    RaftNoNoop,
    /// Raft with leader leases (thesis §6.4.1): followers that heard from a
    /// leader since their election timer last ran out help elect no other
    /// (leader stickiness, thesis §4.2.3), so the leader may answer lease
    /// reads without a round, trusting that clocks drift little.
    RaftLease,
}

impl Variant {
    /// Every variant, in a stable order. NB: a variant's position is its
    /// bit: new ones go last.
    pub const ALL: [Variant; 2] = [Variant::RaftNoNoop, Variant::RaftLease];

    /// The switch's name, as used on the command line, in scenario files and links.
    pub fn name(self) -> &'static str {
        match self {
            Variant::RaftNoNoop => "raft-no-noop",
            Variant::RaftLease => "raft-lease",
        }
    }

    /// The protocol the variant belongs to.
    pub fn protocol(self) -> &'static str {
        match self {
            Variant::RaftNoNoop | Variant::RaftLease => "raft",
        }
    }

    /// What the variant does, in one sentence.
    pub fn describe(self) -> &'static str {
        match self {
            Variant::RaftNoNoop => {
                "Raft as Figure 2 alone: a new leader appends no no-op, so an entry of an older term commits only with the next client request (and Figure 8 can happen)"
            }
            Variant::RaftLease => {
                "Raft with leader leases: a follower that heard from its leader helps elect no other until its election timer runs out, so the leader answers lease reads with no messages, if clocks drift little"
            }
        }
    }

    /// The variant called `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Variant> {
        Variant::ALL.into_iter().find(|v| v.name() == name)
    }
}

impl Switch for Variant {
    const ALL: &'static [Variant] = &Variant::ALL;
    fn name(self) -> &'static str {
        Variant::name(self)
    }
}

/// The clocks of the protocols, in ticks. Defaults suit a 3-tick network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// Raft and Zab election timeouts are drawn from this inclusive range.
    pub election: (Tick, Tick),
    /// A leader's heartbeat period (Raft AppendEntries, Zab PING).
    pub heartbeat: Tick,
    /// A Paxos proposer gives up on a round after this long without a quorum.
    pub paxos_retry: Tick,
    /// A preempted Paxos proposer waits a random time up to this, times its attempt number.
    pub paxos_backoff: Tick,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            election: (15, 30),
            heartbeat: 5,
            paxos_retry: 15,
            paxos_backoff: 8,
        }
    }
}

/// What every node knows about the cluster it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// Number of nodes; ids run from 1 to `size`.
    pub size: u8,
    /// Switched-on textbook mistakes.
    pub mistakes: Mistakes,
    /// Switched-on protocol variants.
    pub variants: Variants,
    /// Protocol clocks.
    pub timing: Timing,
}

impl Cluster {
    /// All node ids, in order.
    pub fn ids(&self) -> impl Iterator<Item = NodeId> {
        1..=self.size
    }

    /// Every node but `me`, in id order (peers are always visited in id order).
    pub fn peers(&self, me: NodeId) -> impl Iterator<Item = NodeId> {
        self.ids().filter(move |id| *id != me)
    }

    /// The size of a majority: any two majorities share a node.
    pub fn quorum(&self) -> usize {
        usize::from(self.size) / 2 + 1
    }

    /// Whether `m` is switched on.
    pub fn mistake(&self, m: Mistake) -> bool {
        self.mistakes.has(m)
    }

    /// Whether variant `v` is switched on.
    pub fn variant(&self, v: Variant) -> bool {
        self.variants.has(v)
    }
}

/// What a message is spent on, for the "messages per decision" accounting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Purpose {
    /// Serves the decision with this key (Raft log index, Paxos slot, Zab zxid).
    Decision(u64),
    /// Leader election (RequestVote, Zab votes).
    Election,
    /// Keeping a leader in place (empty AppendEntries, PING).
    Heartbeat,
    /// Recovery after a leader change (Zab discovery and synchronization,
    /// a new Raft leader's no-op).
    Recovery,
    /// Confirming leadership before answering reads (ReadIndex heartbeats).
    Read,
}

impl Purpose {
    /// A short name for background purposes.
    pub fn name(self) -> &'static str {
        match self {
            Purpose::Decision(_) => "decision",
            Purpose::Election => "election",
            Purpose::Heartbeat => "heartbeat",
            Purpose::Recovery => "recovery",
            Purpose::Read => "read",
        }
    }
}

/// What a message does in its protocol, in terms every protocol shares: the
/// playground colours messages by it, so a learner sees the same parts
/// played across protocols (a Raft AppendEntries, a Paxos Accept and a Zab
/// PROPOSE all carry a value to be stored).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    /// Asks for a vote, a promise or a sync (RequestVote, Prepare, VOTE, SYNC).
    Ask,
    /// Answers such a request (RequestVoteReply, Promise, CEPOCH, ACK-E, SYNC-REPLY).
    Answer,
    /// Carries what is to be stored (AppendEntries, Accept, PROPOSE).
    Carry,
    /// Acknowledges it (AppendEntriesReply, Accepted, ACK).
    Ack,
    /// Says what is decided (Decide, COMMIT, COMMIT-LD).
    Commit,
    /// Refuses (Nack).
    Refuse,
    /// Brings a node in line with a new leader (NEWEPOCH, NEWLEADER, ACK-LD).
    Recover,
    /// Keeps a leader in place (PING, PONG).
    Keepalive,
}

/// What the simulator needs to know about a protocol's messages.
pub trait Message: Clone + fmt::Debug + fmt::Display + PartialEq + Eq + Hash {
    /// The message type's name from the paper (`AppendEntries`, `Promise`, `PROPOSE`, ...).
    fn kind(&self) -> &'static str;
    /// The part it plays.
    fn category(&self) -> Category;
    /// A notification of an already-made decision (Paxos `Decide`), reported
    /// as its own type and not counted in the textbook figure.
    fn is_notification(&self) -> bool {
        false
    }
}

/// What the simulator needs to know about a protocol's timers.
pub trait TimerKind: Copy + Ord + fmt::Debug + Hash + 'static {
    /// Every timer the protocol has.
    const ALL: &'static [Self];
    /// The timers that make a node act on its own when a learner "times it
    /// out", most telling first (a Raft election, a Paxos retry, a Zab
    /// follower's leader timeout).
    const TIME_OUTS: &'static [Self];
    /// The timers that fire over and over while all is well (a leader's
    /// heartbeat, Zab's quorum check): the event log folds their firings
    /// with the heartbeats they send.
    const ROUTINE: &'static [Self];
    /// The timer's name (`election`, `heartbeat`, ...).
    fn name(self) -> &'static str;
    /// The timer called `name`.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.name() == name)
    }
}

/// Whether a node's note is about a reply that came too late to matter:
/// a vote after the election was won, an Accepted after the value was
/// chosen, an answer of an older term. On an asynchronous network that is
/// normal traffic, and the event log shows it so, apart from refusals a
/// learner should stop at (a vote refused for a shorter log).
pub trait Timeliness {
    /// Whether it is such a late reply.
    fn late(&self) -> bool {
        false
    }
}

/// One input to a node.
#[derive(Clone, Debug)]
pub enum Input<M, T> {
    /// A message from `from` arrives.
    Deliver { from: NodeId, msg: M },
    /// A timer the node armed expires.
    Timer(T),
    /// A client asks the node to get `Value` decided.
    Request(Value),
}

/// Things worth telling the learner, and counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Milestone {
    /// A node became leader (Raft, Zab).
    LeaderElected,
    /// A leader or candidate gave up its role.
    SteppedDown,
    /// A log or history lost entries to make it match a leader's.
    Truncation,
    /// A Paxos proposer was preempted by a higher ballot.
    Preempted,
    /// A Paxos proposer adopted a value accepted earlier instead of its own.
    Adopted,
    /// A Zab follower was synchronized with a new leader.
    Synced,
    /// An election started.
    ElectionStarted,
    /// A new Multi-Paxos leader filled a slot with a no-op.
    GapFilled,
    /// A learner found it had missed decisions and asked for them.
    CaughtUp,
    /// A restarted node rebuilt the state it lost from its peers (VR).
    Recovered,
}

impl Milestone {
    /// Every milestone, in order.
    pub const ALL: [Milestone; 10] = [
        Milestone::LeaderElected,
        Milestone::SteppedDown,
        Milestone::Truncation,
        Milestone::Preempted,
        Milestone::Adopted,
        Milestone::Synced,
        Milestone::ElectionStarted,
        Milestone::GapFilled,
        Milestone::CaughtUp,
        Milestone::Recovered,
    ];

    /// A short name.
    pub fn name(self) -> &'static str {
        match self {
            Milestone::LeaderElected => "leader-elected",
            Milestone::SteppedDown => "stepped-down",
            Milestone::Truncation => "truncation",
            Milestone::Preempted => "preempted",
            Milestone::Adopted => "adopted",
            Milestone::Synced => "synced",
            Milestone::ElectionStarted => "election-started",
            Milestone::GapFilled => "gap-filled",
            Milestone::CaughtUp => "catch-up",
            Milestone::Recovered => "recovered",
        }
    }
}

/// What a node reports about itself while handling an input. `N` is the
/// protocol's own vocabulary of reasons ([`Protocol::Note`]): data with the
/// nodes, terms and indexes involved, turned into words only when shown.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Observation<N> {
    /// The node learned that `slot` is decided with `value`.
    Decided { slot: u64, value: Value },
    /// The node's role or term/ballot/epoch changed.
    Role { role: &'static str, era: u64 },
    /// An input was ignored or refused, and why.
    Refused(N),
    /// Something else worth telling.
    Note(N),
    /// A milestone, counted by the simulator, with an explanation.
    Milestone(Milestone, N),
}

/// One effect of handling an input.
#[derive(Clone, Debug)]
pub enum Effect<M, T, N> {
    /// Send `msg` to `to` over the network.
    Send {
        to: NodeId,
        msg: M,
        purpose: Purpose,
    },
    /// Arm (or re-arm) timer `timer` to fire `after` ticks from now.
    SetTimer { timer: T, after: Tick },
    /// Disarm timer `timer`.
    CancelTimer(T),
    /// Report something.
    Observe(Observation<N>),
    /// Tell the client that sent `ask` that this node will not serve it:
    /// it is not the leader. `leader` is who leads, as far as it knows.
    Redirect { ask: Ask, leader: Option<NodeId> },
    /// Read `id` may be answered from this node's state machine once it
    /// has applied `index` decisions.
    ServeRead { id: ReadId, index: u32 },
}

/// What a client asked a node: a value to decide, or a read to serve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ask {
    Value(Value),
    Read(ReadId),
}

/// The effects of one input, as a protocol `P` produces them.
pub type EffectOf<P> = Effect<<P as Protocol>::Msg, <P as Protocol>::Timer, <P as Protocol>::Note>;

/// What a node may use while it handles one input.
pub struct Ctx<'a, P: Protocol> {
    /// The node handling the input.
    pub id: NodeId,
    /// The cluster it belongs to.
    pub cluster: &'a Cluster,
    /// The simulated time now.
    pub now: Tick,
    rng: &'a mut Rng,
    reply_purpose: Purpose,
    /// Whether anyone reads refusals and notes (they are skipped when not).
    telling: bool,
    effects: &'a mut Vec<EffectOf<P>>,
}

impl<'a, P: Protocol> Ctx<'a, P> {
    /// A context for node `id` that appends its effects to `effects`.
    /// `reply_purpose` is the purpose of the message being handled, so
    /// replies are attributed to the same decision. Refusals and notes are
    /// kept only when `telling`.
    pub fn new(
        id: NodeId,
        cluster: &'a Cluster,
        now: Tick,
        rng: &'a mut Rng,
        reply_purpose: Purpose,
        telling: bool,
        effects: &'a mut Vec<EffectOf<P>>,
    ) -> Self {
        Ctx {
            id,
            cluster,
            now,
            rng,
            reply_purpose,
            telling,
            effects,
        }
    }

    /// Send `msg` to `to` on behalf of `purpose`.
    pub fn send(&mut self, to: NodeId, msg: P::Msg, purpose: Purpose) {
        debug_assert_ne!(
            to, self.id,
            "a node's message to itself is not a network message"
        );
        self.effects.push(Effect::Send { to, msg, purpose });
    }

    /// Reply to the message being handled, attributed to the same purpose.
    pub fn reply(&mut self, to: NodeId, msg: P::Msg) {
        let purpose = self.reply_purpose;
        self.send(to, msg, purpose);
    }

    /// The purpose of the message being handled.
    pub fn reply_purpose(&self) -> Purpose {
        self.reply_purpose
    }

    /// Arm `timer` to fire `after` ticks from now, replacing any earlier arming.
    pub fn set_timer(&mut self, timer: P::Timer, after: Tick) {
        self.effects.push(Effect::SetTimer { timer, after });
    }

    /// Disarm `timer`.
    pub fn cancel_timer(&mut self, timer: P::Timer) {
        self.effects.push(Effect::CancelTimer(timer));
    }

    /// Report `obs`.
    pub fn observe(&mut self, obs: Observation<P::Note>) {
        self.effects.push(Effect::Observe(obs));
    }

    /// Report a refused or ignored input and why.
    pub fn refuse(&mut self, why: P::Note) {
        if self.telling {
            self.observe(Observation::Refused(why));
        }
    }

    /// Tell the client that sent `ask` to try `leader` instead. Always
    /// kept, as the client acts on it.
    pub fn redirect(&mut self, ask: Ask, leader: Option<NodeId>) {
        self.effects.push(Effect::Redirect { ask, leader });
    }

    /// Clear read `id` to be answered once this node has applied `index`
    /// decisions.
    pub fn serve_read(&mut self, id: ReadId, index: u32) {
        self.effects.push(Effect::ServeRead { id, index });
    }

    /// Report a note.
    pub fn note(&mut self, text: P::Note) {
        if self.telling {
            self.observe(Observation::Note(text));
        }
    }

    /// Report a milestone (always: the simulator counts them).
    pub fn milestone(&mut self, m: Milestone, text: P::Note) {
        self.observe(Observation::Milestone(m, text));
    }

    /// A uniform draw from `lo..=hi` from the simulator's seeded generator.
    pub fn random_between(&mut self, lo: Tick, hi: Tick) -> Tick {
        self.rng.between(lo, hi)
    }
}

/// A node's state, as the learner sees it, independent of the protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeView {
    /// The node's role: `Leader`, `Follower`, `Candidate`, `Proposer`, `Looking`, ...
    pub role: &'static str,
    /// What the role amounts to, in terms every protocol shares.
    pub standing: Standing,
    /// Whether the node leads (Raft, Zab) — used to route client requests.
    pub leads: bool,
    /// What the era is called: `term`, `ballot` or `epoch`.
    pub era_name: &'static str,
    /// The node's current term / highest ballot round / epoch.
    pub era: u64,
    /// The log or history, oldest first.
    pub log: Vec<EntryView>,
    /// Every field of the node's state, as (name, value) lines.
    pub details: Vec<(&'static str, String)>,
}

/// What a node's role amounts to, whatever the protocol: the playground
/// colours nodes by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Standing {
    /// It leads, or is establishing its leadership (Raft leader, Zab leader).
    Leads,
    /// It is trying to get a leader elected or a value chosen (Raft
    /// candidate, Zab looking, Paxos proposer).
    Seeks,
    /// It serves others (Raft or Zab follower, Paxos acceptor).
    Serves,
}

/// One entry of a log or history, drawn as the papers draw it: a box at its
/// index with its term (ballot, zxid) inside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryView {
    /// Where it sits, from 1: Raft's log index, the Paxos slot, the place in
    /// a Zab history. Entries of different nodes line up by it.
    pub index: u64,
    /// What its box shows, named by [`Protocol::LABEL`]: the term (`2`), the
    /// ballot (`(2,n1)`) or the zxid (`(1,3)`).
    pub label: String,
    /// What makes it *this* entry among those that can sit at its index:
    /// the term (Raft: Log Matching), the value (Paxos: a slot chooses a
    /// value), the packed zxid (Zab). Two entries at one index with the same
    /// key are the same entry; [`Checker::committed_key`] speaks in keys.
    pub key: u64,
    /// The client value.
    pub value: Value,
    /// Whether this node knows it is committed (chosen, delivered): what it
    /// may apply. The cluster may have committed it before the node knows.
    pub committed: bool,
}

/// A consensus protocol: a node's state machine plus its invariant checker.
pub trait Protocol: Clone + fmt::Debug + Sized {
    /// The protocol's messages.
    type Msg: Message;
    /// The protocol's timers.
    type Timer: TimerKind;
    /// What survives a crash.
    type Durable: Clone + fmt::Debug;
    /// Why a node refused an input, and what else it tells the learner:
    /// data, worded by its `Display`.
    type Note: Clone + fmt::Debug + fmt::Display + PartialEq + Eq + Hash + Timeliness;
    /// The invariant checker, with its ghost history.
    type Checker: Checker<Self>;

    /// Command-line name: `raft`, `paxos` or `zab`.
    const NAME: &'static str;
    /// Human title: `Raft`, `Basic Paxos`, `Zab`.
    const TITLE: &'static str;
    /// The title where space is short (a field label): `Paxos`.
    const SHORT: &'static str = Self::TITLE;
    /// Its letter in share links. NB: links already written use it, so a
    /// protocol's letter never changes and no two protocols share one.
    const LETTER: char;
    /// What a decision's number is, in words: `its log index`, `its slot`.
    const DECISION_NUMBER: &'static str = "its log index";
    /// How the nodes other than the one that decided learn of a decision,
    /// and whether the textbook figure counts it, in a sentence.
    const LEARNING: &'static str;
    /// Why a fault-free start costs nothing before the first decision, when
    /// it does not (no election message is sent).
    const NO_SETUP: &'static str = "no leader to elect";
    /// Whether the protocol assumes FIFO links (Zab runs over TCP). The
    /// simulator then never lets a message overtake an earlier one on the
    /// same link — unless the learner delivers or delays one by hand.
    const FIFO: bool = false;
    /// Messages per decision in the textbook steady state, per other node:
    /// Raft 2 (AppendEntries and reply), Paxos 4, Zab 3.
    const TEXTBOOK_PER_PEER: u64;
    /// What an entry's place is called: `index` (Raft, Zab) or `slot` (Paxos).
    const INDEX: &'static str = "index";
    /// What an entry's box shows ([`EntryView::label`]): `term`, `ballot`
    /// or `zxid`.
    const LABEL: &'static str;
    /// The role of a node that follows a settled leader: `Follower`, or
    /// VR's `Backup`.
    const FOLLOWER: &'static str = "Follower";
    /// Whether a restarted node has lost its log and rebuilds it from its
    /// peers (VR keeps nothing but its view on disk). The protocol then
    /// tolerates at most `n - quorum` nodes down or [`Protocol::recovering`]
    /// at once, and random schedules crash no more.
    const DISKLESS: bool = false;
    /// Whether any node takes a request as it comes (Basic Paxos: every
    /// node proposes). Otherwise a request goes to the leader, and a client
    /// with none to talk to waits for one ([`crate::sim::Action::Submit`]).
    const LEADERLESS: bool = false;

    /// A freshly booted node. It arms its first timers through `ctx`.
    fn boot(ctx: &mut Ctx<'_, Self>) -> Self;
    /// A node restarting from its durable state after a crash.
    fn restart(durable: Self::Durable, ctx: &mut Ctx<'_, Self>) -> Self;
    /// What a crash right now would keep.
    fn durable(&self) -> Self::Durable;
    /// Handle one input.
    fn handle(&mut self, input: Input<Self::Msg, Self::Timer>, ctx: &mut Ctx<'_, Self>);
    /// The learner's view of the node.
    fn view(&self) -> NodeView;
    /// Whether the node leads, as [`NodeView::leads`], without building a view.
    fn leads(&self) -> bool;
    /// Its term, ballot round or epoch, as [`NodeView::era`].
    fn era(&self) -> u64;
    /// Its role, as [`NodeView::role`].
    fn role_name(&self) -> &'static str;
    /// Whether it is still rebuilding the state a crash lost (only for a
    /// [`Protocol::DISKLESS`] protocol).
    fn recovering(&self) -> bool {
        false
    }
    /// Whether it knows `value` is decided (an entry of [`NodeView::log`]
    /// holding it is committed), without building a view.
    fn has_decided(&self, value: Value) -> bool;
    /// The read paths it serves itself, besides through the log and from
    /// the local store (which every protocol offers: the simulator does
    /// both). The simulator calls [`Protocol::read`] only with these.
    const READ_PATHS: &'static [ReadPath] = &[];
    /// A client asks this node to serve read `id` by `path` (one of
    /// [`Protocol::READ_PATHS`]): the node answers with
    /// [`Ctx::serve_read`] when it may, or [`Ctx::redirect`].
    fn read(&mut self, id: ReadId, path: ReadPath, ctx: &mut Ctx<'_, Self>) {
        let _ = (id, path, ctx);
    }
    /// The value of its `index`-th decision (from 0) in log or slot order,
    /// if it knows that one is decided. The simulator applies decisions to
    /// the node's [`crate::kv::Store`] in this order, stopping at the first
    /// it does not know.
    fn decided(&self, index: u32) -> Option<Value>;
    /// Whether the node has no unfinished business: everything it holds is
    /// committed and no client value waits (used by liveness checks).
    fn quiescent(&self) -> bool;
}

/// A node as the simulator holds it: running, or crashed with its durable state.
#[derive(Clone, Debug)]
pub enum Slot<P: Protocol> {
    /// Running.
    Up(P),
    /// Crashed; only durable state remains.
    Down(P::Durable),
}

impl<P: Protocol> Slot<P> {
    /// The running node, if it is up.
    pub fn up(&self) -> Option<&P> {
        match self {
            Slot::Up(p) => Some(p),
            Slot::Down(_) => None,
        }
    }
}

/// What an invariant checker sees after each step.
pub struct World<'a, P: Protocol> {
    /// Every node, index `i` holding node `i + 1`.
    pub nodes: &'a [Slot<P>],
    /// The cluster.
    pub cluster: &'a Cluster,
    /// Every value a client has asked for so far.
    pub requested: &'a [Value],
    /// The simulated time now.
    pub now: Tick,
    /// The nodes whose state the step may have changed, bit `i` for node
    /// `i + 1`: the node that handled an input, crashed or restarted. The
    /// others are as the checker saw them last, so it need not look again.
    pub changed: u16,
}

impl<P: Protocol> World<'_, P> {
    /// Every node, as after booting.
    pub const EVERY_NODE: u16 = u16::MAX;

    /// Whether the step may have changed node `id`.
    pub fn changed(&self, id: NodeId) -> bool {
        self.changed & (1 << (id - 1)) != 0
    }
}

/// Checks a protocol's safety invariants after every step, keeping whatever
/// ghost history it needs (every leader per term, every vote ever cast, ...).
pub trait Checker<P: Protocol>: Clone + fmt::Debug + Default {
    /// Check every invariant against the world after a step and record
    /// ghost history; push one [`Violation`] per broken invariant.
    fn check(&mut self, world: &World<'_, P>, out: &mut Vec<Violation>);
    /// The [`EntryView::key`] of the entry committed in the cluster at
    /// `index`, as the ghost history knows it: what is committed, whether
    /// or not any node knows it yet.
    fn committed_key(&self, index: u64) -> Option<u64>;
}
