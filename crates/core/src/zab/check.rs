//! Zab's safety properties (the paper's §III and `CORRECTNESS.md`), checked
//! after every step against the nodes and a ghost history of every
//! established leader, initial history and delivery ever seen.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::{Epoch, FollowerPhase, LeaderPhase, Role, Txn, Zab, Zxid};
use crate::check::{violation, Violation};
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
    /// Highest (acceptedEpoch, currentEpoch) each node has had.
    epochs: BTreeMap<NodeId, (Epoch, Epoch)>,
}

fn history_of(slot: &Slot<Zab>) -> &[Txn] {
    match slot {
        Slot::Up(z) => &z.history,
        Slot::Down(d) => &d.history,
    }
}

impl Checker<Zab> for ZabChecker {
    fn check(&mut self, world: &World<'_, Zab>, out: &mut Vec<Violation>) {
        let quorum = world.cluster.quorum();
        for (i, slot) in world.nodes.iter().enumerate() {
            let id = (i + 1) as NodeId;
            // Histories are strictly increasing in zxid.
            let h = history_of(slot);
            if let Some(w) = h.windows(2).find(|w| w[0].zxid >= w[1].zxid) {
                violation!(
                    out,
                    "Histories increase in zxid",
                    "n{id} holds {} before {}",
                    w[0].zxid,
                    w[1].zxid
                );
            }
            let Slot::Up(z) = slot else { continue };

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

            match &z.role {
                Role::Leading(l) => {
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
                            for t in z.history.iter().filter(|t| t.zxid.epoch == e) {
                                self.proposed.entry(t.zxid).or_insert(t.value);
                            }
                        }
                    }
                }
                Role::Following {
                    phase: FollowerPhase::Synced | FollowerPhase::Broadcast,
                    ..
                } => {
                    // After synchronization a follower's history from
                    // before the epoch equals the leader's initial history.
                    let e = z.current_epoch;
                    if let Some(init) = self.initial.get(&e) {
                        let before: Vec<Txn> = z
                            .history
                            .iter()
                            .filter(|t| t.zxid.epoch < e)
                            .copied()
                            .collect();
                        if before != *init {
                            violation!(
                                out,
                                "Synchronized histories",
                                "n{id} synced to epoch {e} with history {} but the epoch began from {}",
                                super::history_text(&before),
                                super::history_text(init)
                            );
                        }
                    }
                }
                _ => {}
            }

            // Integrity: every delivered transaction was proposed by a leader;
            // primary order and prefix consistency: all nodes deliver the
            // same sequence, each a prefix of the longest.
            let delivered = z.delivered();
            for t in delivered {
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
            }
            let common = delivered.len().min(self.delivered.len());
            if let Some(k) = (0..common).find(|k| delivered[*k] != self.delivered[*k]) {
                violation!(
                    out,
                    "Prefix consistency",
                    "n{id} delivered v{} {} as transaction #{}, where another node delivered v{} {}",
                    delivered[k].value,
                    delivered[k].zxid,
                    k + 1,
                    self.delivered[k].value,
                    self.delivered[k].zxid
                );
            } else if delivered.len() > self.delivered.len() {
                self.delivered = delivered.to_vec();
            }
        }

        // A delivered transaction is durable on a quorum.
        for t in &self.delivered {
            let holders = world
                .nodes
                .iter()
                .filter(|s| history_of(s).contains(t))
                .count();
            if holders < quorum {
                violation!(
                    out,
                    "Committed durability",
                    "delivered v{} {} is stored on only {holders} of {} nodes",
                    t.value,
                    t.zxid,
                    world.nodes.len()
                );
            }
        }
    }
}
