//! Multi-Paxos's safety properties (`docs/CORRECTNESS.md`), judged over
//! every vote ever cast, as for Basic Paxos: a value is *chosen* in a slot once a
//! majority of acceptors accepted it at one ballot, even if some of them
//! later moved on. On top of Basic Paxos's rules, the leader's: phase 2 only
//! after a majority promised its ballot, and no-ops only in gaps.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use super::{Ballot, MultiPaxos, Role, SlotNo, Vote};
use crate::check::{sync_map, violation, Violation};
use crate::paxos::check::check_learned;
use crate::protocol::{Checker, NodeId, Shown, Slot, Value, World, NO_OP};

/// Ghost history and checks for Multi-Paxos.
#[derive(Clone, Debug, Default)]
pub struct MultiPaxosChecker {
    /// Every vote ever cast: (slot, ballot) -> value and the acceptors.
    votes: BTreeMap<(SlotNo, Ballot), (Value, BTreeSet<NodeId>)>,
    /// The value chosen in each slot, and the lowest ballot that chose it.
    chosen: BTreeMap<SlotNo, (Value, Ballot)>,
    /// The highest promise each acceptor ever made (index `id - 1`).
    promises: Vec<Option<Ballot>>,
    /// Every ballot a node started phase 1 with, and each node's current one.
    started: BTreeSet<Ballot>,
    current: BTreeMap<NodeId, Ballot>,
    /// Each node's acceptances and learned values (index `id - 1`), as last
    /// checked.
    nodes: Vec<NodeCopy>,
    /// The slots a step changed at one node (reused from step to step).
    slots: Vec<SlotNo>,
}

#[derive(Clone, Debug, Default)]
struct NodeCopy {
    accepted: BTreeMap<SlotNo, Vote>,
    learned: BTreeMap<SlotNo, Value>,
}

/// An acceptor's promise and acceptances, running or crashed.
fn acceptor_of(slot: &Slot<MultiPaxos>) -> (Option<Ballot>, &BTreeMap<SlotNo, Vote>) {
    match slot {
        Slot::Up(p) => (p.promised, &p.accepted),
        Slot::Down(d) => (d.promised, &d.accepted),
    }
}

impl Checker<MultiPaxos> for MultiPaxosChecker {
    fn committed_key(&self, slot: u64) -> Option<u64> {
        self.chosen.get(&slot).map(|(v, _)| u64::from(*v))
    }

    fn check(&mut self, world: &World<'_, MultiPaxos>, out: &mut Vec<Violation>) {
        let quorum = world.cluster.quorum();
        self.nodes.resize_with(world.nodes.len(), NodeCopy::default);
        self.promises.resize(world.nodes.len(), None);
        let mut newly_chosen = Vec::new();
        for (i, node) in world.nodes.iter().enumerate() {
            let id = (i + 1) as NodeId;
            if !world.changed(id) {
                continue;
            }
            let (promised, accepted) = acceptor_of(node);
            // An acceptor's promise never decreases, across restarts too.
            if let Some(high) = self.promises[i] {
                if promised.is_none_or(|p| p < high) {
                    let now = promised.map_or("nothing".into(), |p| alloc::format!("{p}"));
                    violation!(
                        out,
                        "Promises never decrease",
                        "n{id} had promised {high} but now promises {now}"
                    );
                }
            }
            self.promises[i] = self.promises[i].max(promised);
            sync_map(&mut self.nodes[i].accepted, accepted, &mut self.slots);
            for slot in &self.slots {
                let Some(&(b, v)) = accepted.get(slot) else {
                    continue;
                };
                // It accepts ballot b only if b is at least its promise.
                if promised.is_none_or(|p| b > p) {
                    violation!(
                        out,
                        "Accept only at or above the promise",
                        "n{id} accepted ballot {b} in slot {slot} beyond its promise"
                    );
                }
                // One value per ballot and slot.
                let (value, voters) = self.votes.entry((*slot, b)).or_insert((v, BTreeSet::new()));
                if *value != v {
                    violation!(
                        out,
                        "One value per ballot",
                        "ballot {b} in slot {slot} carried both {} and {}",
                        Shown(*value),
                        Shown(v)
                    );
                    continue;
                }
                voters.insert(id);
                if voters.len() < quorum {
                    continue;
                }
                // Agreement: at most one value is ever chosen per slot.
                match self.chosen.get(slot) {
                    Some((c, cb)) if *c != v => violation!(
                        out,
                        "Agreement",
                        "slot {slot}: {} was chosen at ballot {cb}, and now {} is chosen at ballot {b}",
                        Shown(*c),
                        Shown(v)
                    ),
                    Some((_, cb)) if b < *cb => {
                        self.chosen.insert(*slot, (v, b));
                    }
                    Some(_) => {}
                    None => {
                        // Validity: only a client's value, or a leader's
                        // no-op, can be chosen.
                        if v != NO_OP && !world.requested.contains(&v) {
                            violation!(
                                out,
                                "Validity",
                                "slot {slot}: v{v} was chosen but no client proposed it"
                            );
                        }
                        self.chosen.insert(*slot, (v, b));
                        newly_chosen.push(*slot);
                    }
                }
            }
        }

        for (i, node) in world.nodes.iter().enumerate() {
            let id = (i + 1) as NodeId;
            let Slot::Up(p) = node else {
                self.current.remove(&id);
                continue;
            };
            let affected = match &p.role {
                Role::Leading { proposals, .. } => {
                    newly_chosen.iter().any(|s| proposals.contains_key(s))
                }
                _ => false,
            };
            if !world.changed(id) && !affected {
                continue;
            }
            // A learner learns only a chosen value.
            sync_map(&mut self.nodes[i].learned, &p.chosen, &mut self.slots);
            for slot in &self.slots {
                if let Some(v) = p.chosen.get(slot) {
                    self.check_learned(id, *slot, *v, out);
                }
            }
            let Some(ballot) = p.my_ballot() else {
                self.current.remove(&id);
                continue;
            };
            // Ballots are unique: a node never runs phase 1 with the same
            // ballot twice, even after a restart.
            if self.current.get(&id) != Some(&ballot) {
                if !self.started.insert(ballot) {
                    violation!(out, "Unique ballots", "n{id} reused ballot {ballot}");
                }
                self.current.insert(id, ballot);
            }
            let Role::Leading {
                promised_by,
                recovered_to,
                proposals,
                ..
            } = &p.role
            else {
                continue;
            };
            // Phase 2 only after a majority promised this ballot.
            let promisers = promised_by
                .iter()
                .filter(|a| {
                    self.promises
                        .get(usize::from(**a) - 1)
                        .is_some_and(|high| high.is_some_and(|h| h >= ballot))
                })
                .count();
            if promisers < quorum {
                violation!(
                    out,
                    "Phase 2 only after a majority of promises",
                    "n{id} leads at ballot {ballot} with {promisers} promises, {quorum} needed"
                );
            }
            for (slot, proposal) in proposals {
                // Safe proposals: a slot where a value is chosen at a lower
                // ballot is proposed only that value.
                if let Some((c, cb)) = self.chosen.get(slot) {
                    if *cb < ballot && *c != proposal.value {
                        violation!(
                            out,
                            "Safe proposals",
                            "n{id} proposes {} at ballot {ballot} in slot {slot}, where {} was already chosen at ballot {cb}",
                            Shown(proposal.value),
                            Shown(*c)
                        );
                    }
                }
                // No-ops only in gaps: below a slot the promises reported.
                if proposal.value == NO_OP && slot > recovered_to {
                    violation!(
                        out,
                        "No-ops only in gaps",
                        "n{id} proposes a no-op in slot {slot}, above the last recovered slot {recovered_to}"
                    );
                }
            }
        }
        // A value learned before its slot was chosen is judged again now.
        for slot in newly_chosen {
            for (i, copy) in self.nodes.iter().enumerate() {
                if let Some(v) = copy.learned.get(&slot) {
                    self.check_learned((i + 1) as NodeId, slot, *v, out);
                }
            }
        }
    }
}

impl MultiPaxosChecker {
    /// A learner learns only a chosen value.
    fn check_learned(&self, id: NodeId, slot: SlotNo, v: Value, out: &mut Vec<Violation>) {
        check_learned(&self.chosen, id, slot, v, out);
    }
}
