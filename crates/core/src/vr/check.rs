//! VR's safety properties (`docs/CORRECTNESS.md`), checked after every step
//! against the replicas and a ghost history of every primary and every
//! committed operation.
//!
//! An operation is committed once any replica's commit-number covers it;
//! from then on every replica's committed ops agree with it, and every
//! primary of a later view holds it at its op-number, whatever view
//! changes, crashes and recoveries happen in between. The checker keeps a
//! copy of each replica's log and looks only at what a step changed.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::{primary_of, Entry, OpNumber, Status, View, Vr};
use crate::check::{violation, LogCopy, Violation};
use crate::protocol::{Checker, NodeId, Protocol, Shown, Slot, World};

/// Ghost history and checks for VR.
#[derive(Clone, Debug, Default)]
pub struct VrChecker {
    /// The primary of each view, once it has acted as one.
    primaries: BTreeMap<View, NodeId>,
    /// Every committed op, in op-number order (index `n - 1`), with the
    /// view in which it was first seen committed.
    committed: Vec<(Entry, View)>,
    /// Each replica as last checked.
    replicas: Vec<Replica>,
}

#[derive(Clone, Debug, Default)]
struct Replica {
    log: LogCopy<Entry>,
    commit: OpNumber,
    view: View,
    normal: bool,
    up: bool,
    primary: bool,
}

impl Checker<Vr> for VrChecker {
    fn committed_key(&self, op: u64) -> Option<u64> {
        let i = usize::try_from(op.checked_sub(1)?).ok()?;
        self.committed.get(i).map(|(e, _)| u64::from(e.value))
    }

    fn check(&mut self, world: &World<'_, Vr>, out: &mut Vec<Violation>) {
        let n = world.nodes.len();
        self.replicas.resize_with(n, Replica::default);
        let had = self.committed.len();
        for (i, slot) in world.nodes.iter().enumerate() {
            let id = (i + 1) as NodeId;
            if !world.changed(id) {
                continue;
            }
            let Slot::Up(r) = slot else {
                // A crash loses everything: a restart begins from nothing.
                self.replicas[i] = Replica::default();
                continue;
            };
            // A running replica's view never goes back.
            if self.replicas[i].up && r.view < self.replicas[i].view {
                violation!(
                    out,
                    "Views never decrease",
                    "n{id} was in view {} and is now in view {}",
                    self.replicas[i].view,
                    r.view
                );
            }
            let was = core::mem::take(&mut self.replicas[i]);
            self.check_replica(id, r, was, world, out);
        }
        // Ops newly committed must be held at their op-number by every
        // primary, including those the step did not touch.
        if self.committed.len() > had {
            for (i, slot) in world.nodes.iter().enumerate() {
                let id = (i + 1) as NodeId;
                if let Slot::Up(r) = slot {
                    if r.primary.is_some() {
                        self.check_primary_holds(id, r, had, out);
                    }
                }
            }
        }
    }
}

impl VrChecker {
    fn check_replica(
        &mut self,
        id: NodeId,
        r: &Vr,
        was: Replica,
        world: &World<'_, Vr>,
        out: &mut Vec<Violation>,
    ) {
        let (size, quorum) = (world.cluster.size, world.cluster.quorum());
        let mut copy = was.log;
        copy.update(&r.log, |_, _, _| {});
        let normal = r.status == Status::Normal;
        // Op-numbers are dense: the op-number is the log's length, and
        // nothing past it is committed.
        if r.op != r.log.len() as OpNumber || r.commit > r.op {
            violation!(
                out,
                "Op-numbers dense",
                "n{id} has {} ops in its log, op-number {} and commit-number {}",
                r.log.len(),
                r.op,
                r.commit
            );
        }
        // A replica takes part in normal operation only in normal status:
        // out of it, its log and commit-number stay as they were until a
        // StartView, a NewState or its recovery makes it normal again.
        let changed =
            copy.rewrote() || copy.entries().len() != copy.kept() || r.commit != was.commit;
        if was.up && !was.normal && !normal && changed {
            violation!(
                out,
                "Normal operation only in normal status",
                "n{id} changed its log or commit-number while {}",
                r.role_name()
            );
        }
        // One primary per view: the round-robin one, started by a quorum.
        if let Some(p) = &r.primary {
            let expected = primary_of(r.view, size);
            if !normal || expected != id {
                violation!(
                    out,
                    "One primary per view",
                    "n{id} acts as primary of view {}, whose primary is n{expected}",
                    r.view
                );
            }
            match self.primaries.insert(r.view, id) {
                Some(other) if other != id => violation!(
                    out,
                    "One primary per view",
                    "n{other} and n{id} both act as primary of view {}",
                    r.view
                ),
                _ => {}
            }
            if r.view > 0 && p.started_by.len() < quorum {
                violation!(
                    out,
                    "View change only with a quorum",
                    "n{id} started view {} with {} DoViewChange messages, {} needed",
                    r.view,
                    p.started_by.len(),
                    quorum
                );
            }
        }
        // Agreement: what this replica counts committed matches every op
        // committed so far at its op-number; what goes past is new.
        let from = copy.kept().min(was.commit as usize);
        let to = r.commit as usize;
        for (k, e) in r.log.iter().enumerate().take(to).skip(from) {
            match self.committed.get(k) {
                Some((c, _)) if c != e => violation!(
                    out,
                    "Agreement",
                    "op {}: n{id} committed {} of view {}, but {} of view {} was committed there",
                    k + 1,
                    Shown(e.value),
                    e.view,
                    Shown(c.value),
                    c.view
                ),
                Some(_) => {}
                None => {
                    if !world.requested.contains(&e.value) {
                        violation!(
                            out,
                            "Validity",
                            "op {}: v{} was committed but no client asked for it",
                            k + 1,
                            e.value
                        );
                    }
                    self.committed.push((*e, r.view));
                }
            }
        }
        // A primary holds every op committed before, at its op-number: the
        // view change carried them over.
        if r.primary.is_some() {
            let from = if was.primary { copy.kept() } else { 0 };
            self.check_primary_holds(id, r, from, out);
        }
        self.replicas[usize::from(id) - 1] = Replica {
            log: copy,
            view: r.view,
            commit: r.commit,
            normal,
            up: true,
            primary: r.primary.is_some(),
        };
    }

    /// The primary `id` holds the ops from op `from + 1` on committed in
    /// its view or earlier ones. (A primary cut off in an older view knows
    /// nothing of what later views commit.)
    fn check_primary_holds(&self, id: NodeId, r: &Vr, from: usize, out: &mut Vec<Violation>) {
        for (k, (c, when)) in self.committed.iter().enumerate().skip(from) {
            if *when <= r.view && r.log.get(k) != Some(c) {
                violation!(
                    out,
                    "Committed operations survive view changes",
                    "{} of view {} was committed as op {}, but n{id}, primary of view {}, does not hold it there",
                    Shown(c.value),
                    c.view,
                    k + 1,
                    r.view
                );
                return;
            }
        }
    }
}
