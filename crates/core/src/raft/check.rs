//! Raft's safety properties (Figure 3 of the paper and `CORRECTNESS.md`),
//! checked after every step against the nodes and a ghost history of every
//! leader, vote and commitment ever seen.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::{Durable, Entry, Index, Raft, Role, Term};
use crate::check::{violation, Violation};
use crate::protocol::{Checker, NodeId, Shown, Slot, World};

/// Ghost history and checks for Raft.
#[derive(Clone, Debug, Default)]
pub struct RaftChecker {
    /// The leader of each term, once there is one.
    leaders: BTreeMap<Term, NodeId>,
    /// Every vote ever cast: (voter, term) -> candidate.
    votes: BTreeMap<(NodeId, Term), NodeId>,
    /// Highest term each node has had.
    terms: BTreeMap<NodeId, Term>,
    /// Each current leader's log and commit index when last checked.
    leader_logs: BTreeMap<NodeId, (Term, Vec<Entry>, Index)>,
    /// Each node's applied entries, as last checked.
    applied_logs: BTreeMap<NodeId, Vec<Entry>>,
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

impl RaftChecker {
    /// Leader Completeness for one committed entry and one leader.
    fn check_completeness(&self, index: Index, id: NodeId, r: &Raft, out: &mut Vec<Violation>) {
        let Some((e, ct)) = self.committed.get(&index) else {
            return;
        };
        if *ct < r.current_term && r.log.get((index - 1) as usize) != Some(e) {
            violation!(
                out,
                "Leader Completeness",
                "{}@{} was committed at index {index} in term {ct}, but n{id}, leader of term {}, does not have it",
                Shown(e.value),
                e.term,
                r.current_term
            );
        }
    }
}

impl Checker<Raft> for RaftChecker {
    fn check(&mut self, world: &World<'_, Raft>, out: &mut Vec<Violation>) {
        let quorum = world.cluster.quorum();
        let mut fresh = Vec::new();
        for (i, slot) in world.nodes.iter().enumerate() {
            let id = (i + 1) as NodeId;
            // A node the step did not change is as it was checked last.
            if !world.changed(id) {
                continue;
            }
            let Slot::Up(r) = slot else {
                self.leader_logs.remove(&id);
                continue;
            };

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

            // State Machine Safety: no index is applied with two different
            // entries. Applied entries unchanged since the last check were
            // checked then; the rest (new, or rewritten) are checked now.
            let applied = &r.log[..(r.last_applied as usize).min(r.log.len())];
            let seen = self.applied_logs.entry(id).or_default();
            let same = seen.iter().zip(applied).take_while(|(a, b)| a == b).count();
            seen.truncate(same);
            seen.extend_from_slice(&applied[same..]);
            for (k, e) in applied.iter().enumerate().skip(same) {
                let index = k as Index + 1;
                let (first, by) = *self.applied.entry(index).or_insert((*e, id));
                if first != *e {
                    violation!(
                        out,
                        "State Machine Safety",
                        "index {index} applied as {}@{} on n{by} but as {}@{} on n{id}",
                        Shown(first.value),
                        first.term,
                        Shown(e.value),
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
                let mut since = 0;
                let mut new_term = true;
                if let Some((term, log, commit)) = self.leader_logs.get_mut(&id) {
                    if *term == r.current_term {
                        new_term = false;
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
                        since = (*commit).min(r.commit_index);
                        // Keep the copy current: append what was appended.
                        if r.log.starts_with(log) {
                            log.extend_from_slice(&r.log[log.len()..]);
                        } else {
                            log.clone_from(&r.log);
                        }
                        *commit = r.commit_index;
                    }
                }
                if new_term {
                    self.leader_logs
                        .insert(id, (r.current_term, r.log.clone(), r.commit_index));
                }

                // Record what this leader has committed since it was last seen.
                for (k, e) in r
                    .log
                    .iter()
                    .enumerate()
                    .take(r.commit_index as usize)
                    .skip(since as usize)
                {
                    let index = k as Index + 1;
                    if let alloc::collections::btree_map::Entry::Vacant(v) =
                        self.committed.entry(index)
                    {
                        v.insert((*e, r.current_term));
                        fresh.push(index);
                    }
                }

                // Leader Completeness: every entry committed in an earlier
                // term is in this leader's log. Checked when it takes office;
                // later, Append-Only keeps it so, and entries committed
                // afterwards are checked below.
                if new_term {
                    for index in self.committed.keys() {
                        self.check_completeness(*index, id, r, out);
                    }
                }
            } else {
                self.leader_logs.remove(&id);
            }
        }

        // Leases (thesis §6.4.1): while a leader holds a lease, no leader of
        // a newer term has been elected. Stickiness and a lease shorter than
        // the minimum election timeout make it so, if clocks keep time.
        if let Some((&newest, &by)) = self.leaders.iter().next_back() {
            for (i, slot) in world.nodes.iter().enumerate() {
                let Slot::Up(r) = slot else { continue };
                if let Role::Leader { reads, .. } = &r.role {
                    if reads.lease_until > world.now && r.current_term < newest {
                        violation!(
                            out,
                            "Leases",
                            "n{}, leader of term {}, holds a lease until t={}, but n{by} has been elected leader of term {newest}",
                            i + 1,
                            r.current_term,
                            reads.lease_until
                        );
                    }
                }
            }
        }

        // Entries committed in this step, against every leader.
        for index in fresh {
            for (i, slot) in world.nodes.iter().enumerate() {
                if let Slot::Up(r) = slot {
                    if r.is_leader() {
                        self.check_completeness(index, (i + 1) as NodeId, r, out);
                    }
                }
            }
        }

        // Log Matching: if two logs have an entry with the same index and
        // term, they are identical up to it. Pairs of unchanged logs were
        // checked before.
        for a in 0..world.nodes.len() {
            for b in a + 1..world.nodes.len() {
                if !world.changed((a + 1) as NodeId) && !world.changed((b + 1) as NodeId) {
                    continue;
                }
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
                    "committed entry {}@{} at index {index} is stored on only {holders} of {} nodes",
                    Shown(e.value),
                    e.term,
                    world.nodes.len()
                );
            }
        }
    }
}
