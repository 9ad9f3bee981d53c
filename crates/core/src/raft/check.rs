//! Raft's safety properties (Figure 3 of the paper and `CORRECTNESS.md`),
//! checked after every step against the nodes and a ghost history of every
//! leader, vote and commitment ever seen.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::{Durable, Entry, Index, Raft, Role, Term};
use crate::check::{violation, Violation};
use crate::protocol::{Checker, NodeId, Slot, World};

/// Ghost history and checks for Raft.
#[derive(Clone, Debug, Default)]
pub struct RaftChecker {
    /// The leader of each term, once there is one.
    leaders: BTreeMap<Term, NodeId>,
    /// Every vote ever cast: (voter, term) -> candidate.
    votes: BTreeMap<(NodeId, Term), NodeId>,
    /// Highest term each node has had.
    terms: BTreeMap<NodeId, Term>,
    /// Each current leader's log and commit index at the previous step.
    leader_logs: BTreeMap<NodeId, (Term, Vec<Entry>, Index)>,
    /// Every committed entry, with the term of the leader that committed it.
    committed: BTreeMap<Index, (Entry, Term)>,
    /// The entry applied at each index, by whichever node applied it first.
    applied: BTreeMap<Index, (Entry, NodeId)>,
}

fn log_of(slot: &Slot<Raft>) -> &[Entry] {
    match slot {
        Slot::Up(r) => &r.log,
        Slot::Down(Durable { log, .. }) => log,
    }
}

impl Checker<Raft> for RaftChecker {
    fn check(&mut self, world: &World<'_, Raft>, out: &mut Vec<Violation>) {
        let quorum = world.cluster.quorum();
        for (i, slot) in world.nodes.iter().enumerate() {
            let id = (i + 1) as NodeId;
            let Slot::Up(r) = slot else { continue };

            // Terms never decrease, across restarts too.
            let seen = self.terms.entry(id).or_insert(0);
            if r.current_term < *seen {
                violation!(
                    out,
                    "Terms never decrease",
                    "n{id} went from term {seen} back to term {}",
                    r.current_term
                );
            }
            *seen = (*seen).max(r.current_term);

            if r.last_applied > r.commit_index || r.commit_index > r.last_index() {
                violation!(
                    out,
                    "lastApplied <= commitIndex <= last index",
                    "n{id} has lastApplied {}, commitIndex {}, last index {}",
                    r.last_applied,
                    r.commit_index,
                    r.last_index()
                );
            }

            // One vote per term per node, counted across crash and restart.
            if let Some(c) = r.voted_for {
                let v = self.votes.entry((id, r.current_term)).or_insert(c);
                if *v != c {
                    violation!(
                        out,
                        "One vote per term",
                        "n{id} voted for n{v} and then for n{c} in term {}",
                        r.current_term
                    );
                }
            }

            // State Machine Safety: no index is applied with two different entries.
            for (k, e) in r.log.iter().take(r.last_applied as usize).enumerate() {
                let index = k as Index + 1;
                let (first, by) = *self.applied.entry(index).or_insert((*e, id));
                if first != *e {
                    violation!(
                        out,
                        "State Machine Safety",
                        "index {index} applied as v{}@{} on n{by} but as v{}@{} on n{id}",
                        first.value,
                        first.term,
                        e.value,
                        e.term
                    );
                }
            }

            if let Role::Leader { .. } = r.role {
                // Election Safety: at most one leader per term.
                let l = self.leaders.entry(r.current_term).or_insert(id);
                if *l != id {
                    violation!(
                        out,
                        "Election Safety",
                        "n{l} and n{id} both led term {}",
                        r.current_term
                    );
                }

                // Leader Append-Only, and the Figure 8 commit rule.
                if let Some((term, log, commit)) = self.leader_logs.get(&id) {
                    if *term == r.current_term {
                        if !r.log.starts_with(log) {
                            violation!(
                                out,
                                "Leader Append-Only",
                                "n{id} rewrote its own log while leading term {term}"
                            );
                        }
                        if r.commit_index > *commit
                            && r.term_at(r.commit_index) != Some(r.current_term)
                        {
                            violation!(
                                out,
                                "Figure-8 rule",
                                "n{id}, leader of term {term}, advanced its commit index to {} by counting replicas of an entry of term {}",
                                r.commit_index,
                                r.term_at(r.commit_index).unwrap_or(0)
                            );
                        }
                    }
                }
                self.leader_logs
                    .insert(id, (r.current_term, r.log.clone(), r.commit_index));

                // Record what this leader has committed.
                for (k, e) in r.log.iter().take(r.commit_index as usize).enumerate() {
                    self.committed
                        .entry(k as Index + 1)
                        .or_insert((*e, r.current_term));
                }

                // Leader Completeness: every entry committed in an earlier
                // term is in this leader's log.
                for (index, (e, ct)) in &self.committed {
                    if *ct < r.current_term && r.log.get((*index - 1) as usize) != Some(e) {
                        violation!(
                            out,
                            "Leader Completeness",
                            "v{}@{} was committed at index {index} in term {ct}, but n{id}, leader of term {}, does not have it",
                            e.value,
                            e.term,
                            r.current_term
                        );
                    }
                }
            } else {
                self.leader_logs.remove(&id);
            }
        }

        // Log Matching: if two logs have an entry with the same index and
        // term, they are identical up to it.
        for a in 0..world.nodes.len() {
            for b in a + 1..world.nodes.len() {
                let (la, lb) = (log_of(&world.nodes[a]), log_of(&world.nodes[b]));
                let common = la.len().min(lb.len());
                if let Some(k) = (0..common).rev().find(|k| la[*k].term == lb[*k].term) {
                    if la[..=k] != lb[..=k] {
                        violation!(
                            out,
                            "Log Matching",
                            "n{} and n{} agree on the term at index {} but their logs differ before it",
                            a + 1,
                            b + 1,
                            k + 1
                        );
                    }
                }
            }
        }

        // Committed durability: every committed entry is stored (durably)
        // on a majority, so every majority includes a node that has it.
        for (index, (e, _)) in &self.committed {
            let holders = world
                .nodes
                .iter()
                .filter(|s| log_of(s).get((*index - 1) as usize) == Some(e))
                .count();
            if holders < quorum {
                violation!(
                    out,
                    "Committed durability",
                    "committed entry v{}@{} at index {index} is stored on only {holders} of {} nodes",
                    e.value,
                    e.term,
                    world.nodes.len()
                );
            }
        }
    }
}
