//! Random schedules under random fault profiles — the "tier 1" tests of
//! `CORRECTNESS.md` and the engine of `consensus check` — and the workload of
//! `consensus compare`.
//!
//! A random run draws a cluster size and a fault profile from its seed, then
//! a schedule of actions: mostly timed steps, with out-of-order deliveries,
//! drops, duplicates, client requests, crashes, restarts, partitions (also
//! one-way) and heals mixed in. Some messages and duplicate copies are held
//! back for up to [`MAX_HOLD`] ticks, longer than an election takes, so stale
//! messages arrive after crashes, restarts, new leaders and reconnections:
//! the class of bug that stale-message guards (terms, ballots, epochs, Zab's
//! sessions) exist for. Every safety invariant is checked after every
//! step. In liveness mode the faults stop at the end, everything is healed
//! and restarted, and the cluster must then settle and decide a new request
//! everywhere within a bound.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::any::{AnySim, MessageMeta, ProtocolKind};
use crate::check::Violation;
use crate::kv::{Key, KvOp, ReadPath};
use crate::linearizability::Datum;
use crate::protocol::{
    Milestone, Mistakes, NodeId, Protocol as _, Purpose, Tick, Value, Variant, Variants, NO_OP,
};
use crate::rng::Rng;
use crate::sim::{Action, Config, Faults};

/// What a random run found.
#[derive(Clone, Debug)]
pub struct RunReport {
    /// The seed.
    pub seed: u64,
    /// The first violation, and the number of the step (from 1) that caused it.
    pub violation: Option<(u32, Violation)>,
    /// Why liveness failed, in liveness mode.
    pub liveness: Option<String>,
    /// Milestone counts over the run.
    pub milestones: BTreeMap<Milestone, u64>,
    /// Steps run.
    pub steps: u32,
    /// The simulation as the run left it, for inspection and replay.
    pub sim: Option<AnySim>,
}

/// Mixes the seed so the schedule's draws are independent of the simulation's.
const SCHEDULE_STREAM: u64 = 0x5c4e_d01e_5eed_0001;

/// Ticks allowed, after the heal, for the cluster to settle and then to
/// decide a new request everywhere.
pub const LIVENESS_BOUND: Tick = 3_000;

/// How often the liveness check's client retries a request.
const CLIENT_ATTEMPTS: u32 = 5;

/// The longest a random schedule holds a message or a duplicate back, in
/// ticks: longer than a leader timeout plus an election and a resync.
pub const MAX_HOLD: Tick = 80;

/// The share of random schedules that are calm: no crashes, no partitions.
const CALM_PERCENT: u8 = 50;

/// How often, when a held message races a newer one of its type on its
/// link, an otherwise timed step delivers the old one first.
const RACE_PERCENT: u8 = 25;

/// One step of a random schedule: an action and, for a duplicate, how many
/// ticks to hold the copy back (0: it follows its original).
struct Step {
    action: Action,
    hold: Tick,
}

/// The configuration a seed draws: 3 to 7 nodes, a random fault profile and,
/// for Raft, whether a new leader appends a no-op.
pub fn random_config(seed: u64, mistakes: Mistakes) -> Config {
    let mut rng = Rng::new(seed ^ SCHEDULE_STREAM);
    let nodes = [3, 3, 4, 5, 5, 7][rng.below(6) as usize];
    let lo = rng.between(1, 2);
    let faults = Faults {
        loss: rng.between(0, 15) as u8,
        duplicate: rng.between(0, 10) as u8,
        latency: (lo, lo + rng.between(0, 5)),
    };
    // One run in four checks Raft as Figure 2 alone describes it, without a
    // new leader's no-op: safe too, and the only way some mistakes show.
    // Another one in four checks Raft with leases.
    let variants = match rng.below(4) {
        0 => Variants::NONE.with(Variant::RaftNoNoop),
        1 => Variants::NONE.with(Variant::RaftLease),
        _ => Variants::NONE,
    };
    Config {
        mistakes,
        faults,
        variants,
        ..Config::new(nodes, seed)
    }
}

fn pick<T: Copy>(rng: &mut Rng, items: &[T]) -> Option<T> {
    (!items.is_empty()).then(|| items[rng.below(items.len() as u32) as usize])
}

/// What a random schedule looks at to draw its next step, kept from step to
/// step so drawing allocates nothing once the lists have grown.
#[derive(Default)]
struct Scratch {
    up: Vec<NodeId>,
    down: Vec<NodeId>,
    in_flight: Vec<MessageMeta>,
    msgs: Vec<u64>,
    racing: Vec<u64>,
    recovery: Vec<u64>,
}

/// Draw the next step of a random schedule. A `calm` schedule crashes no
/// node and partitions nothing: leaders then stay long enough for the bugs
/// that need a long, stable reign (a follower rejoining its own leader).
fn random_step(
    sim: &AnySim,
    calm: bool,
    clients: u8,
    rng: &mut Rng,
    scratch: &mut Scratch,
) -> Step {
    let n = sim.config().nodes;
    let Scratch {
        up,
        down,
        in_flight,
        msgs,
        racing,
        recovery,
    } = scratch;
    up.clear();
    down.clear();
    for id in 1..=n {
        if sim.is_up(id) {
            up.push(id);
        } else {
            down.push(id);
        }
    }
    sim.messages_meta(in_flight);
    msgs.clear();
    msgs.extend(in_flight.iter().map(|m| m.id));
    // Stale messages are where stale-message bugs live: messages held back
    // (delivered late, out of their link's order) and copies of recovery
    // traffic (a resync that arrives after the next resync).
    // Held messages racing a newer message of the same type on the same
    // link: delivered now, the old one arrives just before its successor.
    // Messages in flight are in sending order, so the newer ones follow.
    racing.clear();
    racing.extend(
        in_flight
            .iter()
            .enumerate()
            .filter(|(i, h)| {
                h.unordered
                    && in_flight[i + 1..]
                        .iter()
                        .any(|m| (m.from, m.to) == (h.from, h.to) && m.kind == h.kind)
            })
            .map(|(_, m)| m.id),
    );
    recovery.clear();
    recovery.extend(
        in_flight
            .iter()
            .filter(|m| m.purpose == Purpose::Recovery)
            .map(|m| m.id),
    );
    let (up, down, msgs, racing, recovery) = (&*up, &*down, &*msgs, &*racing, &*recovery);
    let some = |rng: &mut Rng, preferred: &[u64]| {
        if !preferred.is_empty() && rng.chance(50) {
            pick(rng, preferred)
        } else {
            pick(rng, msgs)
        }
    };
    let roll = rng.below(100);
    let mut hold = 0;
    let chosen = match roll {
        // An old copy overtaking its successor is the adversary's best move
        // when it comes up.
        0..54 if !racing.is_empty() && rng.chance(RACE_PERCENT) => {
            pick(rng, racing).map(Action::Deliver)
        }
        0..54 => None,
        54..57 => some(rng, recovery).map(|id| {
            hold = rng.between(1, 500);
            Action::Duplicate(id)
        }),
        57..60 => pick(rng, msgs).map(|id| Action::Delay {
            id,
            by: rng.between(1, MAX_HOLD),
        }),
        60..68 => some(rng, racing).map(Action::Deliver),
        68..71 => pick(rng, msgs).map(Action::Drop),
        71..73 => some(rng, recovery).map(|id| {
            if rng.chance(50) {
                hold = rng.between(1, 500);
            }
            Action::Duplicate(id)
        }),
        73..80 if clients > 0 => client_step(sim, clients, rng, up),
        73..80 => Some(Action::Request {
            node: if rng.chance(50) { pick(rng, up) } else { None },
        }),
        80..91 if calm => None,
        // A diskless protocol (VR) assumes at most f nodes down or
        // recovering at once: the adversary keeps to it.
        80..83 if sim.crash_budget() == Some(0) => None,
        80..83 => pick(rng, up).map(Action::Crash),
        83..88 => pick(rng, down).map(Action::Restart),
        88..90 => {
            let mut a = Vec::new();
            let mut b = Vec::new();
            for i in 1..=n {
                if rng.chance(50) {
                    a.push(i)
                } else {
                    b.push(i)
                }
            }
            (!a.is_empty()).then(|| {
                Action::Partition(if b.is_empty() {
                    alloc::vec![a]
                } else {
                    alloc::vec![a, b]
                })
            })
        }
        90..91 => {
            let from = 1 + rng.below(u32::from(n)) as NodeId;
            let to = 1 + rng.below(u32::from(n)) as NodeId;
            (from != to).then_some(Action::Cut { from, to })
        }
        91..94 => Some(Action::Heal),
        _ => {
            // A timer fired early is a clock that ran fast. Leases assume
            // clocks that keep time, so with leases no timeout fires early.
            let bounded = sim.config().variants.has(Variant::RaftLease);
            let timers: Vec<_> = sim
                .timers()
                .into_iter()
                .filter(|t| !bounded || sim.timeout_timer(t.node) != Some(t.name))
                .collect();
            pick(rng, &timers).map(|t| Action::Fire {
                node: t.node,
                timer: t.name.into(),
            })
        }
    };
    Step {
        action: chosen.unwrap_or(Action::Next),
        hold,
    }
}

/// How long a client waits for an answer before it tries again, per
/// attempt so far: a few round trips.
const CLIENT_PATIENCE: Tick = 30;

/// A client's next move: a new operation on a random key (half the time at
/// the leader, else at any running node), or, when its answer is overdue,
/// the same operation again elsewhere, or giving up.
fn client_step(sim: &AnySim, clients: u8, rng: &mut Rng, up: &[NodeId]) -> Option<Action> {
    let client = 1 + rng.below(u32::from(clients)) as u8;
    let leader = (1..=sim.config().nodes).find(|&id| sim.status(id).is_some_and(|s| s.leads));
    let target = |rng: &mut Rng| match leader {
        Some(l) if rng.chance(50) => Some(l),
        _ => pick(rng, up),
    };
    match sim.clients().waiting(client) {
        // "Not the leader, try nX": a client follows the hint at once.
        Some(w) if w.redirect.is_some_and(|l| l.is_some()) && rng.chance(80) => w
            .redirect
            .flatten()
            .map(|node| Action::Retry { client, node }),
        Some(w) if sim.now() < w.call + CLIENT_PATIENCE * Tick::from(w.attempts) => None,
        Some(_) if rng.chance(5) => Some(Action::GiveUp(client)),
        Some(_) => target(rng).map(|node| Action::Retry { client, node }),
        None => {
            // Two keys and few values, so that operations often meet on a
            // key and cas often finds its `from`.
            let key = Key::ALL[rng.below(2) as usize];
            let value = Datum::from(rng.below(3));
            let op = match rng.below(10) {
                // Half the reads through the log, half by a linearizable
                // path the protocol serves itself (ReadIndex, or a lease,
                // since clocks keep time here), if it has one.
                0..5 => {
                    let paths: Vec<ReadPath> = sim
                        .read_paths()
                        .iter()
                        .copied()
                        .filter(|p| p.linearizable() || p.needs_bounded_clocks())
                        .collect();
                    match pick(rng, &paths) {
                        Some(path) if rng.chance(50) => KvOp::Read(key, path),
                        _ => KvOp::Read(key, ReadPath::Log),
                    }
                }
                5..8 => KvOp::Write(key, value),
                _ => KvOp::Cas {
                    key,
                    from: Datum::from(rng.below(3)),
                    to: value,
                },
            };
            target(rng).map(|node| Action::Invoke { client, node, op })
        }
    }
}

/// Whether node `i` (0-based) is exempt from "every node" liveness claims.
///
/// NB: in Zab a node that promised a newer epoch in a discovery that never
/// completed (acceptedEpoch above the established epoch) must refuse the
/// established leader's NEWEPOCH, so it stays out until the next epoch
/// change. ZooKeeper behaves the same ("Leaders epoch, e is less than
/// accepted epoch"); the quorum carries on without it.
fn stranded(sim: &AnySim, i: usize) -> bool {
    let AnySim::Zab(z) = sim else { return false };
    let leader_epoch = z
        .nodes()
        .iter()
        .filter_map(|s| s.up())
        .find(|n| n.leads())
        .map(|n| n.current_epoch());
    match (z.nodes()[i].up(), leader_epoch) {
        (Some(n), Some(e)) => n.accepted_epoch() > e,
        _ => false,
    }
}

/// Whether a leader-based cluster has one leader that every running node
/// follows (Paxos has no leader: always settled).
pub fn settled(sim: &AnySim) -> bool {
    if sim.kind().leaderless() {
        return true;
    }
    let ids = 1..=sim.config().nodes;
    let mut leaders = ids
        .clone()
        .filter_map(|id| sim.status(id))
        .filter(|s| s.leads);
    let (Some(leader), None) = (leaders.next(), leaders.next()) else {
        return false;
    };
    ids.enumerate().all(|(i, id)| match sim.status(id) {
        None => true,
        Some(s) => s.leads || (s.follows && s.era == leader.era) || stranded(sim, i),
    })
}

/// Whether every running node holds `value` as decided.
pub fn decided_everywhere(sim: &AnySim, value: Value) -> bool {
    (1..=sim.config().nodes).enumerate().all(|(i, id)| {
        sim.has_decided(id, value)
            .is_none_or(|d| d || stranded(sim, i))
    })
}

/// Whether every running node (stranded ones aside) has no unfinished business.
fn caught_up(sim: &AnySim) -> bool {
    sim.quiescent_nodes()
        .iter()
        .enumerate()
        .all(|(i, q)| *q || stranded(sim, i))
}

/// Run timed steps until `done` holds or `bound` ticks pass. Whether it held.
pub fn run_until(sim: &mut AnySim, bound: Tick, mut done: impl FnMut(&AnySim) -> bool) -> bool {
    let until = sim.now() + bound;
    loop {
        if done(sim) {
            return true;
        }
        match sim.next_event_at() {
            Some(t) if t <= until => {
                if sim.apply(Action::Next).is_err() {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// Heal everything, stop the faults and require progress within a bound.
fn check_liveness(sim: &mut AnySim) -> Result<(), String> {
    let apply = |sim: &mut AnySim, a: Action| sim.apply(a).map(|_| ()).map_err(|e| format!("{e}"));
    apply(sim, Action::Heal)?;
    apply(sim, Action::SetFaults(Faults::default()))?;
    for id in 1..=sim.config().nodes {
        if !sim.is_up(id) {
            apply(sim, Action::Restart(id))?;
        }
    }
    // Like a real client, retry with a new request if the one sent is lost
    // to a leader change (a disruptive restarted node can cause one).
    let mut first = None;
    for _ in 0..CLIENT_ATTEMPTS {
        if !run_until(sim, LIVENESS_BOUND, settled) {
            return Err(format!(
                "no stable leader within {LIVENESS_BOUND} ticks of the heal"
            ));
        }
        apply(sim, Action::Request { node: None })?;
        let sent = sim.requested().last().copied().unwrap_or(0);
        let first = *first.get_or_insert(sent);
        let done = |s: &AnySim| {
            settled(s) && caught_up(s) && (first..=sent).any(|v| decided_everywhere(s, v))
        };
        if run_until(sim, LIVENESS_BOUND / CLIENT_ATTEMPTS as Tick, done) {
            return Ok(());
        }
    }
    Err(format!(
        "none of {CLIENT_ATTEMPTS} requests sent after the heal was decided and caught up everywhere in time"
    ))
}

/// One random run of `steps` steps in the configuration `seed` draws; every
/// fourth seed (seed % 4 == 3) also checks liveness when `liveness` is set.
pub fn random_run(
    protocol: ProtocolKind,
    seed: u64,
    steps: u32,
    mistakes: Mistakes,
    liveness: bool,
) -> RunReport {
    run_schedule(protocol, random_config(seed, mistakes), steps, liveness, 0)
}

/// A random schedule of `steps` steps on `config`, drawn from its seed.
/// With `clients` above 0, clients C1.. invoke key-value operations (and
/// retry, or give up) where the schedule would send anonymous requests,
/// and the history is checked for linearizability as it grows.
pub fn run_schedule(
    protocol: ProtocolKind,
    config: Config,
    steps: u32,
    liveness: bool,
    clients: u8,
) -> RunReport {
    let seed = config.seed;
    let mut report = RunReport {
        seed,
        violation: None,
        liveness: None,
        milestones: BTreeMap::new(),
        steps: 0,
        sim: None,
    };
    let Ok(mut sim) = AnySim::new(protocol, config) else {
        report.liveness = Some("the configuration was refused".into());
        return report;
    };
    let mut rng = Rng::new(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ SCHEDULE_STREAM);
    let calm = rng.chance(CALM_PERCENT);
    let mut scratch = Scratch::default();
    for step in 1..=steps {
        let Step { action, hold } = random_step(&sim, calm, clients, &mut rng, &mut scratch);
        let duplicate = matches!(action, Action::Duplicate(_));
        // The copy a duplicate makes is the next message sent.
        let copy = sim.next_message_id();
        // A refused action changes nothing; the schedule simply moves on.
        if sim.apply(action).is_ok() && duplicate && hold > 0 {
            let _ = sim.apply(Action::Delay { id: copy, by: hold });
        }
        report.steps = step;
        if let Some(v) = sim.violations().first() {
            report.violation = Some((step, v.clone()));
            break;
        }
    }
    if report.violation.is_none() && liveness && seed % 4 == 3 {
        if let Err(why) = check_liveness(&mut sim) {
            report.liveness = Some(why);
        }
        if let Some(v) = sim.violations().first() {
            report.violation = Some((report.steps, v.clone()));
        }
    }
    report.milestones = sim.milestones().clone();
    report.sim = Some(sim);
    report
}

/// The result of the fault-free `compare` workload for one protocol.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// The finished simulation (its accounting holds the figures).
    pub sim: AnySim,
    /// Background messages spent before the first request: election, discovery.
    pub setup: BTreeMap<&'static str, u64>,
    /// Ticks the setup took.
    pub setup_ticks: Tick,
    /// Why the workload could not finish, if it could not.
    pub failure: Option<String>,
}

/// The same fault-free workload as `consensus compare`: settle and recover, then
/// `requests` client requests one at a time, each run until it is decided
/// and every message serving it has arrived.
pub fn compare(
    protocol: ProtocolKind,
    nodes: u8,
    requests: u32,
    seed: u64,
) -> Result<Comparison, String> {
    let mut sim = AnySim::new(protocol, Config::new(nodes, seed)).map_err(|e| format!("{e}"))?;
    let mut failure = None;
    let mut in_flight = Vec::new();
    // Settled, and done recovering: a new Raft leader's no-op (§8) or
    // Zab's synchronization belongs to the setup, not to the first request.
    // Raft waits until every follower has heard the no-op is committed, as
    // each request below waits until its value is decided everywhere, so
    // every request meets the heartbeat timer at the same point of its cycle.
    let ready = |s: &AnySim| {
        s.messages_meta(&mut in_flight);
        settled(s)
            && !in_flight.iter().any(|m| m.purpose == Purpose::Recovery)
            && (s.kind() != ProtocolKind::Raft || decided_everywhere(s, NO_OP))
    };
    if !run_until(&mut sim, LIVENESS_BOUND, ready) {
        failure = Some(format!("no stable leader within {LIVENESS_BOUND} ticks"));
    }
    let setup = sim.summary().background;
    let setup_ticks = sim.now();
    for _ in 0..requests {
        if failure.is_some() {
            break;
        }
        sim.apply(Action::Request { node: None })
            .map_err(|e| format!("{e}"))?;
        let value = sim.requested().last().copied().unwrap_or(0);
        let done = |s: &AnySim| {
            s.messages_meta(&mut in_flight);
            decided_everywhere(s, value)
                && !in_flight
                    .iter()
                    .any(|m| matches!(m.purpose, Purpose::Decision(_)))
        };
        if !run_until(&mut sim, LIVENESS_BOUND, done) {
            failure = Some(format!(
                "v{value} was not decided within {LIVENESS_BOUND} ticks"
            ));
        }
    }
    Ok(Comparison {
        sim,
        setup,
        setup_ticks,
        failure,
    })
}
