//! Zab's safety properties (the paper's §III and `CORRECTNESS.md`), checked
//! after every step against the nodes and a ghost history of every
//! established leader, initial history and delivery ever seen.
//!
//! The checker keeps a copy of every node's history and looks only at what
//! a step changed, so a step costs the same early and late in a long run.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::{Epoch, FollowerPhase, Leader, LeaderPhase, Role, Txn, Zab, Zxid};
use crate::check::{violation, LogCopy, Move, Violation};
use crate::protocol::{Checker, NodeId, Slot, Value, World};

/// Ghost history and checks for Zab.
#[derive(Clone, Debug, Default)]
pub struct ZabChecker {
    /// The established leader of each epoch.
    leaders: BTreeMap<Epoch, NodeId>,
    /// Each epoch's initial history (`I_e`).
    initial: BTreeMap<Epoch, Vec<Txn>>,
    /// Every transaction an established leader proposed.
    proposed: BTreeMap<Zxid, Value>,
    /// The longest delivered sequence seen: all nodes must agree with it.
    delivered: Vec<Txn>,
    /// How many nodes store each of `delivered` at its place.
    holders: Vec<usize>,
    /// Places in `delivered` whose holders this step changed (reused).
    recount: Vec<usize>,
    /// Highest (acceptedEpoch, currentEpoch) each node has had.
    epochs: BTreeMap<NodeId, (Epoch, Epoch)>,
    /// What each node (index `id - 1`) holds and has delivered.
    nodes: Vec<NodeGhost>,
}

/// One node as the checker last saw it, and what it has delivered over all
/// its restarts.
#[derive(Clone, Debug, Default)]
struct NodeGhost {
    /// Its history (the durable one while it is down).
    history: LogCopy<Txn>,
    /// Every transaction it ever delivered, in order. A restart forgets
    /// which are delivered (that is volatile) but never the history itself,
    /// so these stay the first entries of its history for good.
    delivered: Vec<Txn>,
    /// How many of its deliveries since it last started were checked.
    seen: usize,
    /// How many entries at the start of its history are known to agree
    /// with `delivered`.
    agreed: usize,
    /// How many entries of its history were recorded as proposals while
    /// it led.
    recorded: usize,
    /// The epoch it was last found synchronized to, and the length of its
    /// history then.
    synced: Option<(Epoch, usize)>,
}

fn history_of(slot: &Slot<Zab>) -> &[Txn] {
    match slot {
        Slot::Up(z) => &z.history,
        Slot::Down(d) => &d.history,
    }
}

impl Checker<Zab> for ZabChecker {
    fn committed_key(&self, index: u64) -> Option<u64> {
        let place = usize::try_from(index).ok()?.checked_sub(1)?;
        self.delivered.get(place).map(|t| t.zxid.packed())
    }

    fn check(&mut self, world: &World<'_, Zab>, out: &mut Vec<Violation>) {
        let quorum = world.cluster.quorum();
        self.nodes
            .resize_with(world.nodes.len(), NodeGhost::default);
        // A node the step did not change is as it was checked last. Bring
        // the copies of the others up to date first, with the count of
        // nodes that store each delivered transaction at its place.
        for (i, slot) in world.nodes.iter().enumerate() {
            if !world.changed((i + 1) as NodeId) {
                continue;
            }
            let (delivered, holders, recount) =
                (&self.delivered, &mut self.holders, &mut self.recount);
            let ghost = &mut self.nodes[i];
            ghost.history.update(history_of(slot), |k, t, how| {
                if delivered.get(k) == Some(t) {
                    match how {
                        Move::Gone => holders[k] -= 1,
                        Move::Came => holders[k] += 1,
                    }
                    recount.push(k);
                }
            });
            let kept = ghost.history.kept();
            ghost.agreed = ghost.agreed.min(kept);
            ghost.recorded = ghost.recorded.min(kept);
            if ghost.synced.is_some_and(|(_, len)| kept < len) {
                ghost.synced = None;
            }
        }
        // Leaders first: what they establish and propose is the ghost
        // history the other nodes are checked against.
        for (i, slot) in world.nodes.iter().enumerate() {
            let id = (i + 1) as NodeId;
            if let Slot::Up(
                z @ Zab {
                    role: Role::Leading(l),
                    ..
                },
            ) = slot
            {
                if world.changed(id) {
                    self.check_leader(id, z, l, out);
                }
            }
        }
        for (i, slot) in world.nodes.iter().enumerate() {
            let id = (i + 1) as NodeId;
            if !world.changed(id) {
                continue;
            }
            // Histories are strictly increasing in zxid: the entries the
            // step kept were checked before.
            let ghost = &mut self.nodes[i];
            let h = ghost.history.entries();
            let from = ghost.history.kept().saturating_sub(1);
            if let Some(w) = h[from..].windows(2).find(|w| w[0].zxid >= w[1].zxid) {
                violation!(
                    out,
                    "Histories increase in zxid",
                    "n{id} holds {} before {}",
                    w[0].zxid,
                    w[1].zxid
                );
            }
            // What a node delivered stays the start of its history, crashed
            // or not: a synchronization may truncate only what was never
            // delivered.
            let agree = h.len().min(ghost.delivered.len());
            while ghost.agreed < agree && h[ghost.agreed] == ghost.delivered[ghost.agreed] {
                ghost.agreed += 1;
            }
            if ghost.agreed < ghost.delivered.len() {
                let lost = ghost.delivered[ghost.agreed];
                violation!(
                    out,
                    "Delivered prefix never shrinks",
                    "n{id} delivered v{} {} as transaction #{}, and its history no longer holds it there",
                    lost.value,
                    lost.zxid,
                    ghost.agreed + 1
                );
            }
            let Slot::Up(z) = slot else {
                ghost.seen = 0;
                continue;
            };

            // acceptedEpoch and currentEpoch never decrease; current <= accepted.
            let (a, c) = self.epochs.entry(id).or_insert((0, 0));
            if z.accepted_epoch < *a || z.current_epoch < *c {
                violation!(
                    out,
                    "Epochs never decrease",
                    "n{id} went from epochs (accepted {a}, current {c}) to ({}, {})",
                    z.accepted_epoch,
                    z.current_epoch
                );
            }
            *a = (*a).max(z.accepted_epoch);
            *c = (*c).max(z.current_epoch);
            if z.current_epoch > z.accepted_epoch {
                violation!(
                    out,
                    "currentEpoch <= acceptedEpoch",
                    "n{id} has currentEpoch {} > acceptedEpoch {}",
                    z.current_epoch,
                    z.accepted_epoch
                );
            }

            if let Role::Following {
                phase: FollowerPhase::Synced | FollowerPhase::Broadcast,
                ..
            } = &z.role
            {
                self.check_synced(id, z, out);
            }

            self.check_deliveries(id, z.delivered(), out);
        }

        // Committed durability: each delivered transaction is stored, at its
        // place in the delivered order, on a quorum. Membership elsewhere in
        // a history does not count: a node holding it at another position
        // would deliver a different sequence. Only places whose holders
        // this step changed can newly break it.
        while self.holders.len() < self.delivered.len() {
            let k = self.holders.len();
            let t = self.delivered[k];
            let holders = self
                .nodes
                .iter()
                .filter(|g| g.history.entries().get(k) == Some(&t))
                .count();
            self.holders.push(holders);
            self.recount.push(k);
        }
        self.recount.sort_unstable();
        self.recount.dedup();
        for k in self.recount.drain(..) {
            let (t, holders) = (self.delivered[k], self.holders[k]);
            if holders < quorum {
                violation!(
                    out,
                    "Committed durability",
                    "delivered v{} {} is stored as transaction #{} on only {holders} of {} nodes",
                    t.value,
                    t.zxid,
                    k + 1,
                    world.nodes.len()
                );
            }
        }
    }
}

impl ZabChecker {
    /// An established or establishing leader's invariants, recording its
    /// epoch, initial history and proposals as ghost state.
    fn check_leader(&mut self, id: NodeId, z: &Zab, l: &Leader, out: &mut Vec<Violation>) {
        if let Some(e) = l.epoch {
            // A new epoch exceeds the acceptedEpoch of every
            // member of the discovery quorum.
            if let Some((f, fe)) = l
                .cepochs
                .iter()
                .filter(|(f, _)| **f != id)
                .find(|(_, fe)| **fe >= e)
            {
                violation!(
                    out,
                    "New epochs are new",
                    "n{id} chose epoch {e} although n{f} had accepted epoch {fe}"
                );
            }
            if l.phase != LeaderPhase::Discovery {
                let init = self.initial.entry(e).or_insert_with(|| l.initial.clone());
                if *init != l.initial {
                    violation!(
                        out,
                        "One initial history per epoch",
                        "epoch {e} began from two different histories"
                    );
                }
            }
            if l.phase == LeaderPhase::Broadcast {
                // At most one established leader per epoch.
                let first = self.leaders.entry(e).or_insert(id);
                if *first != id {
                    violation!(
                        out,
                        "One leader per epoch",
                        "n{first} and n{id} both established epoch {e}"
                    );
                }
                // Its proposals are the entries of its epoch; those it held
                // when last checked are recorded already.
                let ghost = &mut self.nodes[usize::from(id) - 1];
                for t in z.history[ghost.recorded..]
                    .iter()
                    .filter(|t| t.zxid.epoch == e)
                {
                    self.proposed.entry(t.zxid).or_insert(t.value);
                }
                ghost.recorded = z.history.len();
            }
        }
    }

    /// After synchronization a follower's history from before its epoch
    /// equals the leader's initial history. Once that was found so, only
    /// what the follower appended since needs a look.
    fn check_synced(&mut self, id: NodeId, z: &Zab, out: &mut Vec<Violation>) {
        let e = z.current_epoch;
        let Some(init) = self.initial.get(&e) else {
            return;
        };
        let ghost = &mut self.nodes[usize::from(id) - 1];
        let h = &z.history;
        let still = match ghost.synced {
            Some((epoch, len)) if epoch == e => h[len..].iter().all(|t| t.zxid.epoch >= e),
            _ => false,
        };
        if still || h.iter().filter(|t| t.zxid.epoch < e).eq(init.iter()) {
            ghost.synced = Some((e, h.len()));
            return;
        }
        ghost.synced = None;
        let before: Vec<Txn> = h.iter().filter(|t| t.zxid.epoch < e).copied().collect();
        violation!(
            out,
            "Synchronized histories",
            "n{id} synced to epoch {e} with history {} but the epoch began from {}",
            super::history_text(&before),
            super::history_text(init)
        );
    }

    /// Check node `id`'s deliveries since the last step: each must be what
    /// it delivered at that place before (a restarted node delivers its
    /// history again) or, if new, keep primary order, integrity and prefix
    /// consistency. Only the new deliveries are looked at.
    fn check_deliveries(&mut self, id: NodeId, now: &[Txn], out: &mut Vec<Violation>) {
        let i = usize::from(id) - 1;
        let ghost = &mut self.nodes[i];
        if now.len() < ghost.seen {
            violation!(
                out,
                "Delivered prefix never shrinks",
                "n{id}'s count of delivered transactions fell from {} to {} without a restart",
                ghost.seen,
                now.len()
            );
        }
        let from = ghost.seen.min(now.len());
        ghost.seen = now.len();
        for (k, t) in now.iter().enumerate().skip(from) {
            let ghost = &mut self.nodes[i];
            if let Some(before) = ghost.delivered.get(k) {
                if before != t {
                    violation!(
                        out,
                        "Delivered prefix never shrinks",
                        "n{id} delivered v{} {} as transaction #{}, where it had delivered v{} {} before",
                        t.value,
                        t.zxid,
                        k + 1,
                        before.value,
                        before.zxid
                    );
                }
                continue;
            }
            // A new delivery.
            let prev = ghost.delivered.last().map(|p| p.zxid);
            ghost.delivered.push(*t);
            // Integrity: some established leader proposed it.
            if self.proposed.get(&t.zxid).is_some_and(|v| *v != t.value)
                || (t.zxid.epoch > 0 && !self.proposed.contains_key(&t.zxid))
            {
                violation!(
                    out,
                    "Integrity",
                    "n{id} delivered v{} as {}, which no leader proposed",
                    t.value,
                    t.zxid
                );
            }
            // Primary order: a leader numbers its proposals (e,1), (e,2), ...
            // so a delivery that follows another of its epoch, or opens its
            // epoch, without the one numbered just before it skipped a
            // proposal, and zxids only grow.
            let expected = match prev {
                Some(p) if p.epoch == t.zxid.epoch => p.counter + 1,
                _ => 1,
            };
            if prev.is_some_and(|p| p >= t.zxid) || t.zxid.counter != expected {
                let skipped = Zxid {
                    epoch: t.zxid.epoch,
                    counter: expected,
                };
                violation!(
                    out,
                    "Primary order",
                    "n{id} delivered {} right after {}, where {skipped} comes first",
                    t.zxid,
                    prev.map_or("nothing".into(), |p| alloc::format!("{p}"))
                );
            }
            // Prefix consistency: all nodes deliver one sequence.
            match self.delivered.get(k) {
                Some(other) if other != t => violation!(
                    out,
                    "Prefix consistency",
                    "n{id} delivered v{} {} as transaction #{}, where another node delivered v{} {}",
                    t.value,
                    t.zxid,
                    k + 1,
                    other.value,
                    other.zxid
                ),
                Some(_) => {}
                None => self.delivered.push(*t),
            }
        }
    }
}
