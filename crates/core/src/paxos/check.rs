//! Basic Paxos's safety properties (`CORRECTNESS.md`), judged over every vote
//! ever cast, not only the acceptors' current state: a value is *chosen* in a
//! slot once a majority of acceptors accepted it at one ballot, even if some
//! of them later moved on.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use super::{AcceptorSlot, Ballot, Paxos, Phase, SlotNo};
use crate::check::{sync_map, violation, Violation};
use crate::protocol::{Checker, NodeId, Shown, Slot, Value, World};

/// Ghost history and checks for Basic Paxos.
#[derive(Clone, Debug, Default)]
pub struct PaxosChecker {
    /// Every vote ever cast: (slot, ballot) -> value and the acceptors.
    votes: BTreeMap<(SlotNo, Ballot), (Value, BTreeSet<NodeId>)>,
    /// The value chosen in each slot, and the lowest ballot that chose it.
    chosen: BTreeMap<SlotNo, (Value, Ballot)>,
    /// The highest promise each acceptor ever made per slot.
    promises: BTreeMap<(NodeId, SlotNo), Ballot>,
    /// Every (slot, ballot) a proposer started, and the proposer's last one.
    started: BTreeSet<(SlotNo, Ballot)>,
    current: BTreeMap<NodeId, (SlotNo, Ballot)>,
    /// Each node's acceptor state and learned values (index `id - 1`), as
    /// last checked.
    nodes: Vec<NodeCopy>,
    /// The slots a step changed at one node (reused from step to step).
    slots: Vec<SlotNo>,
}

/// One node's slots as the checker last saw them: a check looks only at the
/// slots a step changed.
#[derive(Clone, Debug, Default)]
struct NodeCopy {
    acceptor: BTreeMap<SlotNo, AcceptorSlot>,
    learned: BTreeMap<SlotNo, Value>,
}

fn acceptor_of(slot: &Slot<Paxos>) -> &BTreeMap<SlotNo, AcceptorSlot> {
    match slot {
        Slot::Up(p) => &p.acceptor,
        Slot::Down(d) => &d.acceptor,
    }
}

impl Checker<Paxos> for PaxosChecker {
    fn committed_key(&self, slot: u64) -> Option<u64> {
        self.chosen.get(&slot).map(|(v, _)| u64::from(*v))
    }

    fn check(&mut self, world: &World<'_, Paxos>, out: &mut Vec<Violation>) {
        let quorum = world.cluster.quorum();
        self.nodes.resize_with(world.nodes.len(), NodeCopy::default);
        // Only a node the step changed can break a rule about itself, and
        // only in the slots the step changed; a value newly chosen is
        // checked against every proposal.
        let mut newly_chosen = Vec::new();
        for (i, node) in world.nodes.iter().enumerate() {
            let id = (i + 1) as NodeId;
            if !world.changed(id) {
                continue;
            }
            let acceptor = acceptor_of(node);
            sync_map(&mut self.nodes[i].acceptor, acceptor, &mut self.slots);
            // An acceptor's promise never decreases, even by being forgotten.
            for slot in &self.slots {
                let Some(high) = self.promises.get(&(id, *slot)) else {
                    continue;
                };
                let now = acceptor.get(slot).and_then(|a| a.promised);
                if now.is_none_or(|p| p < *high) {
                    let now = now.map_or("nothing".into(), |p| alloc::format!("{p}"));
                    violation!(
                        out,
                        "Promises never decrease",
                        "n{id} had promised {high} in slot {slot} but now promises {now}"
                    );
                }
            }
            for slot in &self.slots {
                let Some(a) = acceptor.get(slot) else {
                    continue;
                };
                // An acceptor's promise never decreases, across restarts too.
                if let Some(p) = a.promised {
                    let high = self.promises.entry((id, *slot)).or_insert(p);
                    *high = (*high).max(p);
                }
                let Some((b, v)) = a.accepted else { continue };
                // It accepts ballot b only if b >= its promise.
                if a.promised.is_some_and(|p| b > p) || a.promised.is_none() {
                    violation!(
                        out,
                        "Accept only at or above the promise",
                        "n{id} accepted ballot {b} in slot {slot} beyond its promise"
                    );
                }
                // One value per ballot.
                let (value, voters) = self.votes.entry((*slot, b)).or_insert((v, BTreeSet::new()));
                if *value != v {
                    violation!(
                        out,
                        "One value per ballot",
                        "ballot {b} in slot {slot} carried both v{value} and v{v}"
                    );
                    continue;
                }
                voters.insert(id);
                if voters.len() >= quorum {
                    // Agreement: at most one value is ever chosen per slot.
                    match self.chosen.get(slot) {
                        Some((c, cb)) if *c != v => violation!(
                            out,
                            "Agreement",
                            "slot {slot}: v{c} was chosen at ballot {cb}, and now v{v} is chosen at ballot {b}"
                        ),
                        Some((_, cb)) if b < *cb => {
                            self.chosen.insert(*slot, (v, b));
                        }
                        Some(_) => {}
                        None => {
                            // Validity: only a value a client asked for can be chosen.
                            if !world.requested.contains(&v) {
                                violation!(out, "Validity", "slot {slot}: v{v} was chosen but no client proposed it");
                            }
                            self.chosen.insert(*slot, (v, b));
                            newly_chosen.push(*slot);
                        }
                    }
                }
            }
        }

        for (i, node) in world.nodes.iter().enumerate() {
            let id = (i + 1) as NodeId;
            let Slot::Up(p) = node else { continue };
            let affected = p
                .proposal
                .as_ref()
                .is_some_and(|prop| newly_chosen.contains(&prop.slot));
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
            let Some(prop) = &p.proposal else {
                self.current.remove(&id);
                continue;
            };
            // Ballots are unique: a proposer never starts the same ballot
            // twice, even after a restart.
            let now = (prop.slot, prop.ballot);
            if self.current.get(&id) != Some(&now) {
                if !self.started.insert(now) {
                    violation!(
                        out,
                        "Unique ballots",
                        "n{id} reused ballot {} in slot {}",
                        prop.ballot,
                        prop.slot
                    );
                }
                self.current.insert(id, now);
            }
            // Safe proposals (P2c): phase 2 proposes the value of the
            // highest-ballot acceptance among the promises, if any.
            if let Phase::Accepting {
                value, promises, ..
            } = &prop.phase
            {
                let highest = promises.values().flatten().max_by_key(|(b, _)| *b);
                if let Some((b, v)) = highest {
                    if v != value {
                        violation!(
                            out,
                            "Safe proposals",
                            "n{id} proposes v{value} at ballot {} in slot {}, but a promise reported v{v} accepted at ballot {b}",
                            prop.ballot,
                            prop.slot
                        );
                    }
                }
                if let Some((c, cb)) = self.chosen.get(&prop.slot) {
                    if *cb < prop.ballot && c != value {
                        violation!(
                            out,
                            "Safe proposals",
                            "n{id} proposes v{value} at ballot {} in slot {}, where v{c} was already chosen at ballot {cb}",
                            prop.ballot,
                            prop.slot
                        );
                    }
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

impl PaxosChecker {
    /// A learner learns only a chosen value.
    fn check_learned(&self, id: NodeId, slot: SlotNo, v: Value, out: &mut Vec<Violation>) {
        check_learned(&self.chosen, id, slot, v, out);
    }
}

/// A learner learns only a chosen value: `v`, learned by `id` in `slot`,
/// against the ghost history's `chosen` (Basic Paxos and Multi-Paxos alike).
pub(crate) fn check_learned(
    chosen: &BTreeMap<SlotNo, (Value, Ballot)>,
    id: NodeId,
    slot: SlotNo,
    v: Value,
    out: &mut Vec<Violation>,
) {
    match chosen.get(&slot) {
        Some((c, _)) if *c == v => {}
        Some((c, _)) => violation!(
            out,
            "Learners learn only chosen values",
            "n{id} learned {} in slot {slot}, but {} was chosen",
            Shown(v),
            Shown(*c)
        ),
        None => violation!(
            out,
            "Learners learn only chosen values",
            "n{id} learned {} in slot {slot}, which no majority accepted",
            Shown(v)
        ),
    }
}
