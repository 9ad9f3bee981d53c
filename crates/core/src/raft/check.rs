//! Raft's safety properties (Figure 3 of the paper and `CORRECTNESS.md`),
//! checked after every step against the nodes and a ghost history of every
//! leader, vote and commitment ever seen.
//!
//! The checker keeps a copy of every node's log and looks only at what a
//! step changed, so a step costs the same early and late in a long run.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::{Durable, Entry, Index, Raft, Role, Term};
use crate::check::{violation, LogCopy, Move, Violation};
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
    /// Each current leader's term and commit index when last checked.
    leading: BTreeMap<NodeId, (Term, Index)>,
    /// Each node's log (index `id - 1`), as last checked.
    logs: Vec<NodeLog>,
    /// Every committed entry.
    committed: BTreeMap<Index, Committed>,
    /// The entry applied at each index, by whichever node applied it first.
    applied: BTreeMap<Index, (Entry, NodeId)>,
    /// Every (index, term) any log has held, with the hash of the log up to
    /// it and the node that held it first.
    written: BTreeMap<(Index, Term), (u64, NodeId)>,
    /// Committed indexes whose count of holders this step changed
    /// (reused from step to step).
    recount: Vec<Index>,
}

/// A committed entry, the term of the leader that committed it, and how
/// many nodes store it at its index.
#[derive(Clone, Debug)]
struct Committed {
    entry: Entry,
    term: Term,
    holders: usize,
}

/// The checker's view of one node's log.
#[derive(Clone, Debug, Default)]
struct NodeLog {
    /// Its log (the durable one while it is down).
    copy: LogCopy<Entry>,
    /// `prefix[k]` is a hash of entries `1..=k+1`, so that two logs' prefixes
    /// compare in one step.
    prefix: Vec<u64>,
    /// How many of its entries it had applied when last checked up.
    applied: usize,
}

impl NodeLog {
    /// Bring the copy up to `log`, moving the holder counts of committed
    /// entries it no longer or newly stores, and noting them in `recount`.
    fn update(
        &mut self,
        log: &[Entry],
        committed: &mut BTreeMap<Index, Committed>,
        recount: &mut Vec<Index>,
    ) {
        self.copy.update(log, |k, e, how| {
            let index = k as Index + 1;
            if let Some(c) = committed.get_mut(&index) {
                if c.entry == *e {
                    match how {
                        Move::Gone => c.holders -= 1,
                        Move::Came => c.holders += 1,
                    }
                    recount.push(index);
                }
            }
        });
        self.prefix.truncate(self.copy.kept());
        for e in &log[self.copy.kept()..] {
            let before = self.prefix.last().copied().unwrap_or(0);
            self.prefix.push(link(before, e));
        }
    }
}

/// The hash of a log prefix extended by one entry (splitmix64's mixer, so
/// that different prefixes collide with odds of about 2^-64).
fn link(before: u64, e: &Entry) -> u64 {
    fn mix(mut x: u64) -> u64 {
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    }
    mix(mix(before ^ e.term).wrapping_add(u64::from(e.value)) ^ 0x9e37_79b9_7f4a_7c15)
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
        let Some(c) = self.committed.get(&index) else {
            return;
        };
        if c.term < r.current_term && r.log.get((index - 1) as usize) != Some(&c.entry) {
            violation!(
                out,
                "Leader Completeness",
                "{}@{} was committed at index {index} in term {}, but n{id}, leader of term {}, does not have it",
                Shown(c.entry.value),
                c.entry.term,
                c.term,
                r.current_term
            );
        }
    }
}

impl Checker<Raft> for RaftChecker {
    fn committed_key(&self, index: u64) -> Option<u64> {
        self.committed.get(&index).map(|c| c.entry.term)
    }

    fn check(&mut self, world: &World<'_, Raft>, out: &mut Vec<Violation>) {
        let quorum = world.cluster.quorum();
        self.logs.resize_with(world.nodes.len(), NodeLog::default);
        // First bring the copies of the logs the step changed up to date; a
        // node the step did not change is as it was checked last.
        for (i, slot) in world.nodes.iter().enumerate() {
            let id = (i + 1) as NodeId;
            if !world.changed(id) {
                continue;
            }
            let node = &mut self.logs[i];
            node.update(log_of(slot), &mut self.committed, &mut self.recount);
            // Log Matching: if two logs have an entry with the same index and
            // term, they are identical up to it. Raft creates each (index,
            // term) once, so it holds against every log ever seen, and only
            // the entries new at their place need a look.
            let entries = node.copy.entries().iter().enumerate();
            for (k, e) in entries.skip(node.copy.kept()) {
                let at = (k as Index + 1, e.term);
                let (hash, first) = *self.written.entry(at).or_insert((node.prefix[k], id));
                if hash != node.prefix[k] {
                    violation!(
                        out,
                        "Log Matching",
                        "n{id}'s entry at index {} has term {}, as n{first}'s had, but their logs differ up to it",
                        at.0,
                        at.1
                    );
                }
            }
        }
        let mut fresh = Vec::new();
        for (i, slot) in world.nodes.iter().enumerate() {
            let id = (i + 1) as NodeId;
            if !world.changed(id) {
                continue;
            }
            let Slot::Up(r) = slot else {
                self.leading.remove(&id);
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
            // entries. Applied entries the step left in place were checked
            // before; the rest (new, or rewritten) are checked now.
            let node = &mut self.logs[i];
            let applied = (r.last_applied as usize).min(r.log.len());
            let same = node.copy.kept().min(node.applied).min(applied);
            node.applied = applied;
            for (k, e) in r.log[..applied].iter().enumerate().skip(same) {
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
                let new_term = match self.leading.get(&id) {
                    Some(&(term, commit)) if term == r.current_term => {
                        if self.logs[i].copy.rewrote() {
                            violation!(
                                out,
                                "Leader Append-Only",
                                "n{id} rewrote its own log while leading term {term}"
                            );
                        }
                        if r.commit_index > commit
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
                        since = commit.min(r.commit_index);
                        false
                    }
                    _ => true,
                };
                self.leading.insert(id, (r.current_term, r.commit_index));

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
                        let holders = world
                            .nodes
                            .iter()
                            .filter(|s| log_of(s).get(k) == Some(e))
                            .count();
                        v.insert(Committed {
                            entry: *e,
                            term: r.current_term,
                            holders,
                        });
                        self.recount.push(index);
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
                self.leading.remove(&id);
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

        // Committed durability: every committed entry is stored (durably)
        // on a majority, so every majority includes a node that has it.
        // Only entries whose holders this step changed can newly break it.
        self.recount.sort_unstable();
        self.recount.dedup();
        for index in self.recount.drain(..) {
            let c = &self.committed[&index];
            if c.holders < quorum {
                violation!(
                    out,
                    "Committed durability",
                    "committed entry {}@{} at index {index} is stored on only {} of {} nodes",
                    Shown(c.entry.value),
                    c.entry.term,
                    c.holders,
                    world.nodes.len()
                );
            }
        }
    }
}
