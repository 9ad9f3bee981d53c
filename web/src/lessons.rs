//! Guided scenarios: the seed documents' lessons as scripts of playground
//! actions, cut into narration steps a learner goes through forward and back.
//!
//! A script is Rust run against a real [`Playground`], so it can look at the
//! state it has reached ("crash whoever leads Raft now") and every claim its
//! narration makes is checked as it runs (`s.expect(..)`): if a change to the
//! core made a claim false, building the scenario fails, and the tests say
//! which claim. The worked-out actions are ordinary history, so a scenario's
//! state is shared, saved and stepped back like any other.

use consensus_core::any::{MessageView, ProtocolKind};
use consensus_core::kv::{ClientId, Key, OpState, ReadPath, Reply};
use consensus_core::protocol::{
    EntryView, Mistake, Mistakes, NodeId, NodeView, Value, Variant, Variants, NO_OP,
};

use crate::session::{PanelAction, Session, UiAction, UiOp};
use crate::state::Playground;

use ProtocolKind::{MultiPaxos, Paxos, Raft, Vr, Zab};

/// One narration step: what to look at once the script has run to `end`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// A short heading.
    pub title: &'static str,
    /// What happened and why it matters, in plain words.
    pub text: &'static str,
    /// How many of the scenario's actions have been taken at this step.
    pub end: usize,
}

/// A guided scenario with its actions worked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lesson {
    /// Its name in `?scenario=` and in links.
    pub id: &'static str,
    /// Its title.
    pub title: &'static str,
    /// The whole script as a session: protocols, nodes, seed, mistakes and
    /// every action.
    pub script: Session,
    /// The narration, in order; the first step is the starting point.
    pub steps: Vec<Step>,
}

/// A guided scenario before it is run.
pub struct Entry {
    /// Its name in `?scenario=`.
    pub id: &'static str,
    /// Its title, for the menu.
    pub title: &'static str,
    protocols: &'static [ProtocolKind],
    nodes: u8,
    seed: u64,
    mistake: Option<Mistake>,
    variant: Option<Variant>,
    script: fn(&mut Script) -> Outcome,
}

/// What a script step gives: nothing, or the claim or action that failed.
type Outcome = Result<(), String>;

/// Every guided scenario, in the order of the menu.
pub const LESSONS: [Entry; 30] = [
    Entry {
        id: "replication",
        title: "Normal replication",
        protocols: &[Raft, Paxos, Zab],
        nodes: 5,
        seed: 1,
        mistake: None,
        variant: None,
        script: replication,
    },
    Entry {
        id: "leader-crash",
        title: "Leader crash and re-election",
        protocols: &[Raft, Zab],
        nodes: 5,
        seed: 1,
        mistake: None,
        variant: None,
        script: leader_crash,
    },
    Entry {
        id: "follower-crash",
        title: "Follower crash and catch-up",
        protocols: &[Raft, Zab],
        nodes: 5,
        seed: 1,
        mistake: None,
        variant: None,
        script: follower_crash,
    },
    Entry {
        id: "minority-partition",
        title: "Minority partition, then heal",
        protocols: &[Raft, Zab],
        nodes: 5,
        seed: 1,
        mistake: None,
        variant: None,
        script: minority_partition,
    },
    Entry {
        id: "cut-off-leader",
        title: "A leader cut off from its cluster",
        protocols: &[Raft, Paxos, Zab],
        nodes: 5,
        seed: 1,
        mistake: None,
        variant: None,
        script: cut_off_leader,
    },
    Entry {
        id: "split-vote",
        title: "Split vote and randomized timeouts",
        protocols: &[Raft],
        nodes: 4,
        seed: 6,
        mistake: None,
        variant: None,
        script: split_vote,
    },
    Entry {
        id: "figure8",
        title: "Raft Figure 8: no committing old terms by counting",
        protocols: &[Raft],
        nodes: 5,
        seed: 8,
        mistake: None,
        // Figure 8 plays out only without the new leader's no-op (§8).
        variant: Some(Variant::RaftNoNoop),
        script: figure8,
    },
    Entry {
        id: "paxos-dueling",
        title: "Paxos: dueling proposers",
        protocols: &[Paxos],
        nodes: 3,
        seed: 3,
        mistake: None,
        variant: None,
        script: paxos_dueling,
    },
    Entry {
        id: "paxos-adopt",
        title: "Paxos: a proposer adopts an accepted value",
        protocols: &[Paxos],
        nodes: 3,
        seed: 4,
        mistake: None,
        variant: None,
        script: paxos_adopt,
    },
    Entry {
        id: "zab-truncate",
        title: "Zab: a new epoch truncates a follower",
        protocols: &[Zab],
        nodes: 3,
        seed: 4,
        mistake: None,
        variant: None,
        script: zab_truncate,
    },
    Entry {
        id: "zab-sessions",
        title: "Zab: FIFO sessions and a stale copy",
        protocols: &[Zab],
        nodes: 3,
        seed: 4,
        mistake: None,
        variant: None,
        script: zab_sessions,
    },
    Entry {
        id: "cost",
        title: "The cost of a decision",
        protocols: &[Raft, Paxos, Zab],
        nodes: 5,
        seed: 1,
        mistake: None,
        variant: None,
        script: cost,
    },
    Entry {
        id: "stale-read",
        title: "Alice and Bob: a stale read",
        protocols: &[Raft, Paxos, Zab],
        nodes: 5,
        seed: 1,
        mistake: None,
        variant: None,
        script: stale_read,
    },
    Entry {
        id: "read-index",
        title: "Raft ReadIndex: confirming leadership before a read",
        protocols: &[Raft],
        nodes: 3,
        seed: 1,
        mistake: None,
        variant: None,
        script: read_index,
    },
    Entry {
        id: "lease-read",
        title: "Raft leases: reads with no messages, while clocks keep time",
        protocols: &[Raft],
        nodes: 3,
        seed: 1,
        mistake: None,
        variant: Some(Variant::RaftLease),
        script: lease_read,
    },
    Entry {
        id: "zookeeper-sync",
        title: "ZooKeeper reads: local, then sync",
        protocols: &[Zab],
        nodes: 3,
        seed: 1,
        mistake: None,
        variant: None,
        script: zookeeper_sync,
    },
    Entry {
        id: "mistake-raft-commit-old-term",
        title: "Mistake: Raft commits an old term by counting",
        protocols: &[Raft],
        nodes: 5,
        seed: 8,
        mistake: Some(Mistake::RaftCommitOldTerm),
        // Figure 8 plays out only without the new leader's no-op (§8).
        variant: Some(Variant::RaftNoNoop),
        script: figure8,
    },
    Entry {
        id: "mistake-raft-volatile-vote",
        title: "Mistake: Raft forgets its vote on restart",
        protocols: &[Raft],
        nodes: 3,
        seed: 9,
        mistake: Some(Mistake::RaftVolatileVote),
        variant: None,
        script: volatile_vote,
    },
    Entry {
        id: "mistake-raft-equal-timeouts",
        title: "Mistake: Raft with equal election timeouts",
        protocols: &[Raft],
        nodes: 3,
        seed: 12,
        mistake: Some(Mistake::RaftEqualTimeouts),
        variant: None,
        script: equal_timeouts,
    },
    Entry {
        id: "mistake-paxos-ignore-accepted",
        title: "Mistake: Paxos ignores an accepted value",
        protocols: &[Paxos],
        nodes: 3,
        seed: 4,
        mistake: Some(Mistake::PaxosIgnoreAccepted),
        variant: None,
        script: paxos_adopt,
    },
    Entry {
        id: "mistake-paxos-forget-promise",
        title: "Mistake: Paxos forgets its promise on restart",
        protocols: &[Paxos],
        nodes: 3,
        seed: 7,
        mistake: Some(Mistake::PaxosForgetPromise),
        variant: None,
        script: forget_promise,
    },
    Entry {
        id: "mistake-zab-skip-truncate",
        title: "Mistake: Zab skips the truncation",
        protocols: &[Zab],
        nodes: 3,
        seed: 4,
        mistake: Some(Mistake::ZabSkipTruncate),
        variant: None,
        script: zab_truncate,
    },
    Entry {
        id: "mistake-zab-stale-sync",
        title: "Mistake: Zab accepts a stale NEWLEADER",
        protocols: &[Zab],
        nodes: 3,
        seed: 4,
        mistake: Some(Mistake::ZabStaleSync),
        variant: None,
        script: zab_sessions,
    },
    Entry {
        id: "mistake-raft-stale-read",
        title: "Mistake: a deposed Raft leader answers a read",
        protocols: &[Raft],
        nodes: 5,
        seed: 1,
        mistake: Some(Mistake::RaftStaleRead),
        variant: None,
        script: deposed_leader_read,
    },
    Entry {
        id: "mistake-raft-read-before-noop",
        title: "Mistake: ReadIndex before the new leader's first commit",
        protocols: &[Raft],
        nodes: 3,
        seed: 1,
        mistake: Some(Mistake::RaftReadBeforeNoop),
        // Without the no-op the new leader's first commit waits for a write,
        // so the early answer is plain to see.
        variant: Some(Variant::RaftNoNoop),
        script: read_index,
    },
    Entry {
        id: "multipaxos-cost",
        title: "Multi-Paxos: phase 1 once, then 2 messages per follower",
        protocols: &[Paxos, MultiPaxos],
        nodes: 5,
        seed: 1,
        mistake: None,
        variant: None,
        script: multipaxos_cost,
    },
    Entry {
        id: "multipaxos-gap",
        title: "Multi-Paxos: a new leader recovers slots and fills a gap",
        protocols: &[MultiPaxos],
        nodes: 3,
        seed: 1,
        mistake: None,
        variant: None,
        script: multipaxos_gap,
    },
    Entry {
        id: "mistake-multipaxos-skip-recovery",
        title: "Mistake: a new Multi-Paxos leader skips recovery",
        protocols: &[MultiPaxos],
        nodes: 3,
        seed: 1,
        mistake: Some(Mistake::MultipaxosSkipRecovery),
        variant: None,
        script: multipaxos_gap,
    },
    Entry {
        id: "vr-view-change",
        title:
            "Viewstamped Replication: the primary fails, the view change keeps what was committed",
        protocols: &[Vr],
        nodes: 3,
        seed: 1,
        mistake: None,
        variant: None,
        script: vr_view_change,
    },
    Entry {
        id: "mistake-vr-pick-any-log",
        title: "Mistake: the new VR primary keeps its own log",
        protocols: &[Vr],
        nodes: 3,
        seed: 1,
        mistake: Some(Mistake::VrPickAnyLog),
        variant: None,
        script: vr_view_change,
    },
];

/// Run the script of the scenario named `id`.
pub fn build(id: &str) -> Result<Lesson, String> {
    let entry = LESSONS.iter().find(|e| e.id == id).ok_or_else(|| {
        let names: Vec<&str> = LESSONS.iter().map(|e| e.id).collect();
        format!(
            "There is no guided scenario '{id}'. The scenarios are: {}.",
            names.join(", ")
        )
    })?;
    let mistakes = entry
        .mistake
        .map_or(Mistakes::NONE, |m| Mistakes::NONE.with(m));
    let variants = entry
        .variant
        .map_or(Variants::NONE, |v| Variants::NONE.with(v));
    let mut script = Script {
        pg: Playground::configured(
            entry.protocols.to_vec(),
            entry.nodes,
            entry.seed,
            mistakes,
            variants,
        ),
        steps: Vec::new(),
    };
    (entry.script)(&mut script)
        .map_err(|why| format!("The guided scenario '{id}' could not be worked out: {why}."))?;
    if script.steps.is_empty() {
        return Err(format!("The guided scenario '{id}' has no steps."));
    }
    Ok(Lesson {
        id: entry.id,
        title: entry.title,
        script: Session {
            protocols: entry.protocols.to_vec(),
            nodes: entry.nodes,
            seed: entry.seed,
            mistakes,
            variants,
            history: script.pg.history,
            lesson: None,
        },
        steps: script.steps,
    })
}

/// A script being run: the playground it drives and the steps so far.
pub struct Script {
    pg: Playground,
    steps: Vec<Step>,
}

/// Most ticks a script waits for something before giving up.
const PATIENCE: u32 = 600;
/// Most deliveries one `settle` makes.
const SETTLE_LIMIT: usize = 1_000;

impl Script {
    /// End a narration step here.
    fn step(&mut self, title: &'static str, text: &'static str) {
        self.steps.push(Step {
            title,
            text,
            end: self.pg.history.len(),
        });
    }

    fn act(&mut self, action: UiAction) -> Outcome {
        let what = format!("{action:?}");
        self.pg
            .act(action)
            .map_err(|e| format!("the action {what} was refused ({e})"))
    }

    /// A narration claim that must hold.
    fn expect(&self, claim: &str, holds: bool) -> Outcome {
        if holds {
            Ok(())
        } else {
            Err(format!("it claims that {claim}, which does not hold"))
        }
    }

    fn ticks(&mut self, n: u32) -> Outcome {
        (0..n).try_for_each(|_| self.act(UiAction::Tick))
    }

    /// Let time pass until `done` holds.
    fn until(&mut self, what: &str, done: impl Fn(&Playground) -> bool) -> Outcome {
        for _ in 0..PATIENCE {
            if done(&self.pg) {
                return Ok(());
            }
            self.act(UiAction::Tick)?;
        }
        Err(format!("{what} did not happen within {PATIENCE} ticks"))
    }

    /// Deliver every message in flight in every panel, soonest first, until
    /// none is left; no time passes, so no timer fires.
    fn settle(&mut self) -> Outcome {
        for protocol in self.pg.protocols.clone() {
            self.settle_where(protocol, |_| true)?;
        }
        Ok(())
    }

    /// Like [`Script::settle`], but leaves the message `kept` in flight.
    fn settle_except(&mut self, protocol: ProtocolKind, kept: u64) -> Outcome {
        self.settle_where(protocol, |m| m.id != kept)
    }

    /// Deliver the messages of `protocol` that `wanted` accepts, soonest
    /// first, until none is left.
    fn settle_where(
        &mut self,
        protocol: ProtocolKind,
        wanted: impl Fn(&MessageView) -> bool,
    ) -> Outcome {
        for _ in 0..SETTLE_LIMIT {
            let Some(id) = self.soonest(protocol, &wanted) else {
                return Ok(());
            };
            self.panel(protocol, PanelAction::Deliver(id))?;
        }
        Err(format!(
            "messages kept coming after {SETTLE_LIMIT} deliveries"
        ))
    }

    /// The soonest message in flight in `protocol` that `wanted` accepts.
    fn soonest(
        &self,
        protocol: ProtocolKind,
        wanted: impl Fn(&MessageView) -> bool,
    ) -> Option<u64> {
        self.pg
            .panel(protocol)?
            .sim
            .messages()
            .into_iter()
            .filter(|m| wanted(m))
            .min_by_key(|m| (m.deliver_at, m.id))
            .map(|m| m.id)
    }

    fn panel(&mut self, protocol: ProtocolKind, action: PanelAction) -> Outcome {
        self.act(UiAction::Panel { protocol, action })
    }

    fn time_out(&mut self, protocol: ProtocolKind, node: NodeId) -> Outcome {
        self.act(UiAction::TimeOut { protocol, node })
    }

    fn leader(&self, protocol: ProtocolKind) -> Option<NodeId> {
        leader(&self.pg, protocol)
    }

    fn view(&self, protocol: ProtocolKind, node: NodeId) -> Option<NodeView> {
        view(&self.pg, protocol, node)
    }

    fn decisions(&self, protocol: ProtocolKind) -> u64 {
        decisions(&self.pg, protocol)
    }

    fn violations(&self, protocol: ProtocolKind) -> usize {
        self.pg
            .panel(protocol)
            .map_or(0, |p| p.sim.violations().len())
    }

    /// Client `client` invokes `op` at `node` in every panel.
    fn invoke(&mut self, client: ClientId, node: NodeId, op: UiOp) -> Outcome {
        self.act(UiAction::Invoke { client, node, op })
    }

    /// Let time pass until `client`'s operation is answered in every
    /// panel, following "not the leader, try nX" as a client would.
    fn answered_everywhere(&mut self, client: ClientId) -> Outcome {
        for _ in 0..PATIENCE {
            let mut waiting = false;
            for protocol in self.pg.protocols.clone() {
                let Some(op) = self
                    .pg
                    .panel(protocol)
                    .and_then(|p| p.sim.clients().waiting(client).cloned())
                else {
                    continue;
                };
                waiting = true;
                if let Some(Some(leader)) = op.redirect {
                    self.act(UiAction::Retry {
                        client,
                        node: leader,
                    })?;
                }
            }
            if !waiting {
                return Ok(());
            }
            self.act(UiAction::Tick)?;
        }
        Err(format!(
            "C{client}'s operation was not answered within {PATIENCE} ticks"
        ))
    }

    /// What `client`'s latest operation in `protocol` got, if answered.
    fn reply(&self, protocol: ProtocolKind, client: ClientId) -> Option<Reply> {
        reply(&self.pg, protocol, client)
    }

    /// The claim that the checker reports each of `invariants` broken.
    fn expect_broken(&self, protocol: ProtocolKind, invariants: &[&str]) -> Outcome {
        let reported: Vec<&str> = self
            .pg
            .panel(protocol)
            .map(|p| p.sim.violations().iter().map(|v| v.invariant).collect())
            .unwrap_or_default();
        for name in invariants {
            self.expect(
                &format!("the checker reports {name} broken"),
                reported.contains(name),
            )?;
        }
        Ok(())
    }
}

/// The node leading `protocol` in the newest era, if any.
fn leader(pg: &Playground, protocol: ProtocolKind) -> Option<NodeId> {
    let views = pg.panel(protocol)?.sim.views();
    let (i, _) = views
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.as_ref().filter(|v| v.leads).map(|v| (i, v.era)))
        .max_by_key(|(_, era)| *era)?;
    NodeId::try_from(i + 1).ok()
}

fn view(pg: &Playground, protocol: ProtocolKind, node: NodeId) -> Option<NodeView> {
    pg.panel(protocol)?
        .sim
        .views()
        .get(usize::from(node).checked_sub(1)?)?
        .clone()
}

fn decisions(pg: &Playground, protocol: ProtocolKind) -> u64 {
    pg.panel(protocol).map_or(0, |p| p.seen.summary.decisions)
}

/// Whether every running node of `protocol` holds `count` client entries,
/// and every entry it holds (a Raft leader's no-ops too) is committed.
fn all_committed(pg: &Playground, protocol: ProtocolKind, count: usize) -> bool {
    pg.panel(protocol).is_some_and(|p| {
        p.sim
            .views()
            .iter()
            .flatten()
            .all(|v| v.log.iter().all(|e| e.committed) && values(v).len() == count)
    })
}

/// A node's log without the no-ops Raft leaders append (§8): the client
/// values, oldest first.
fn values(v: &NodeView) -> Vec<&EntryView> {
    v.log.iter().filter(|e| e.value != NO_OP).collect()
}

/// What `client`'s latest operation in `protocol` got, if it was answered.
fn reply(pg: &Playground, protocol: ProtocolKind, client: ClientId) -> Option<Reply> {
    let op = pg
        .panel(protocol)?
        .sim
        .clients()
        .ops()
        .iter()
        .rev()
        .find(|o| o.client == client)?;
    match op.state {
        OpState::Answered(_, reply) => Some(reply),
        _ => None,
    }
}

/// A read of `key` by `path` in Raft and through the log elsewhere.
fn raft_read(key: Key, path: ReadPath) -> UiOp {
    UiOp::read(key, &[(Raft, path)])
}

/// Whether Raft and Zab both have a leader.
fn both_lead(pg: &Playground) -> bool {
    leader(pg, Raft).is_some() && leader(pg, Zab).is_some()
}

/// The first node that leads in no panel.
fn a_follower(pg: &Playground) -> Option<NodeId> {
    (1..=pg.nodes).find(|n| pg.protocols.iter().all(|p| leader(pg, *p) != Some(*n)))
}

fn replication(s: &mut Script) -> Outcome {
    s.step(
        "Three clusters, one clock",
        "Five nodes run Raft, five run Basic Paxos and five run Zab, all on the same seed and the same clock. Nobody leads yet: Raft and Zab nodes wait for a timeout before they elect a leader. Press Next, or Step to watch every event.",
    );
    s.until("leaders in Raft and Zab", both_lead)?;
    s.step(
        "Leaders first",
        "Raft and Zab have each elected a leader (labelled Leader, in green). Basic Paxos has none and needs none: any node may propose. Elections cost messages too, but they are background work, not counted per decision.",
    );
    s.act(UiAction::Request)?;
    s.until("Raft's leader holding an entry", |pg| {
        leader(pg, Raft)
            .and_then(|l| view(pg, Raft, l))
            .is_some_and(|v| !v.log.is_empty())
    })?;
    let l = s.leader(Raft).unwrap_or(1);
    s.expect(
        "Raft's new entry is not committed yet",
        s.view(Raft, l)
            .is_some_and(|v| v.log.iter().all(|e| !e.committed)),
    )?;
    s.step(
        "A client request",
        "A client sends v1 to each cluster. Raft's leader appends it to its log: a yellow, dashed box with its term inside, because it is not committed yet. It sends AppendEntries to every follower. Zab's leader sends PROPOSE; the Paxos node that got the request starts phase 1 with Prepare.",
    );
    s.until("v1 committed on every node of every panel", |pg| {
        [Raft, Paxos, Zab].iter().all(|p| all_committed(pg, *p, 1))
    })?;
    s.step(
        "Committed",
        "A majority stored v1, so it is committed (a green box with a ✓) and will never be lost. Until a node hears so, its copy is hatched: committed in the cluster, not yet known there. Raft's followers learn it with the leader's next AppendEntries, Zab's with a COMMIT, Paxos nodes with a Decide. The table below counts the messages each decision took.",
    );
    Ok(())
}

fn leader_crash(s: &mut Script) -> Outcome {
    s.until("leaders in Raft and Zab", both_lead)?;
    s.act(UiAction::Request)?;
    s.until("v1 committed everywhere", |pg| {
        all_committed(pg, Raft, 1) && all_committed(pg, Zab, 1)
    })?;
    let old = s.leader(Raft).unwrap_or(1);
    s.expect(
        "Raft and Zab have the same leader",
        s.leader(Zab) == Some(old),
    )?;
    s.step(
        "A healthy cluster",
        "Raft and Zab have elected the same node as leader, and v1 is committed on all five nodes. Now the leader will crash.",
    );
    s.act(UiAction::Crash(old))?;
    s.step(
        "The leader crashes",
        "The leader is down (greyed). Nothing happens at once: the followers only notice when the leader's heartbeats stop coming, after their timeouts.",
    );
    s.until("new leaders in Raft and Zab", |pg| {
        both_lead(pg) && leader(pg, Raft) != Some(old) && leader(pg, Zab) != Some(old)
    })?;
    s.expect(
        "Raft's new leader is in a newer term",
        s.leader(Raft)
            .and_then(|l| s.view(Raft, l))
            .is_some_and(|v| v.era >= 2),
    )?;
    s.step(
        "A new leader",
        "A Raft follower timed out first, started a new term and collected votes from the running nodes: three of five make a majority, so one more crash could still be survived. Zab's followers went LOOKING, voted, and the new leader synchronized them in a new epoch. v1 survives: a node can only win with a log at least as up to date as a majority's.",
    );
    s.act(UiAction::Request)?;
    s.until("v2 committed in both panels", |pg| {
        decisions(pg, Raft) == 2 && decisions(pg, Zab) == 2
    })?;
    s.step(
        "Back in business",
        "The new leaders commit v2 with four nodes out of five: a majority still answers. A five-node cluster tolerates two crashes; try crashing another node.",
    );
    Ok(())
}

fn follower_crash(s: &mut Script) -> Outcome {
    s.until("leaders in Raft and Zab", both_lead)?;
    let f = a_follower(&s.pg).ok_or("no node follows in both panels")?;
    s.act(UiAction::Crash(f))?;
    s.step(
        "A follower crashes",
        "One follower is down. The leaders keep sending it messages, which are lost. Four of five nodes still form a majority.",
    );
    s.act(UiAction::Request)?;
    s.act(UiAction::Request)?;
    s.until("v1 and v2 committed", |pg| {
        decisions(pg, Raft) == 2 && decisions(pg, Zab) == 2
    })?;
    s.expect(
        "the crashed follower holds nothing new",
        s.view(Raft, f).is_none() && s.view(Zab, f).is_none(),
    )?;
    s.step(
        "Decisions go on without it",
        "v1 and v2 are committed by the four running nodes. The crashed follower missed both.",
    );
    s.act(UiAction::Restart(f))?;
    s.step(
        "It comes back",
        "The follower restarts from what it kept on stable storage. Its log is behind the leader's.",
    );
    s.until("the follower caught up", move |pg| {
        [Raft, Zab].iter().all(|p| {
            view(pg, *p, f)
                .is_some_and(|v| values(&v).len() == 2 && v.log.iter().all(|e| e.committed))
        })
    })?;
    s.step(
        "Caught up",
        "Raft's leader kept sending AppendEntries with what the follower lacks (backing nextIndex up whenever a follower rejects one because the logs disagree). Zab's returning follower went LOOKING, found the established leader and was synchronized with NEWLEADER, which carries the leader's history, before rejoining. Both now hold v1 and v2, committed.",
    );
    Ok(())
}

fn minority_partition(s: &mut Script) -> Outcome {
    s.until("leaders in Raft and Zab", both_lead)?;
    let old = s.leader(Raft).unwrap_or(1);
    s.expect(
        "Raft and Zab have the same leader",
        s.leader(Zab) == Some(old),
    )?;
    let buddy = (1..=s.pg.nodes).find(|n| *n != old).unwrap_or(1);
    s.act(UiAction::Partition(vec![vec![old, buddy]]))?;
    s.act(UiAction::RequestAt(old))?;
    s.ticks(20)?;
    s.expect(
        "Raft's cut-off leader cannot commit",
        decisions(&s.pg, Raft) == 0
            && s.view(Raft, old)
                .is_some_and(|v| values(&v).len() == 1 && !values(&v)[0].committed),
    )?;
    s.step(
        "The minority cannot commit",
        "The network splits: the leader and one follower on one side, three nodes on the other. The leader takes v1 but only two of five nodes can store it: no majority, so v1 stays uncommitted however long it waits.",
    );
    s.until("new leaders on the majority side", move |pg| {
        [Raft, Zab]
            .iter()
            .all(|p| leader(pg, *p).is_some_and(|l| l != old && l != buddy))
    })?;
    s.act(UiAction::Request)?;
    s.until("v2 committed by the majority", |pg| {
        decisions(pg, Raft) == 1 && decisions(pg, Zab) == 1
    })?;
    s.expect(
        "the old Raft leader still believes it leads, and Zab's does not",
        s.view(Raft, old).is_some_and(|v| v.leads) && s.view(Zab, old).is_some_and(|v| !v.leads),
    )?;
    s.step(
        "The majority goes on",
        "The three nodes stop hearing from the leader, elect a new one in a newer term (epoch) and commit v2: three of five is a majority. Raft's old leader still thinks it leads: the ring draws it dashed, as a stale leader of an older term. Zab's old leader gave up on its own when it lost its quorum of followers, and is LOOKING.",
    );
    s.act(UiAction::Heal)?;
    s.until("the stale leaders catching up", move |pg| {
        [Raft, Zab].iter().all(|p| {
            view(pg, *p, old)
                .is_some_and(|v| !v.leads && values(&v).len() == 1 && values(&v)[0].committed)
        })
    })?;
    s.step(
        "Heal: the stale leader steps down",
        "In Raft, the first message from the newer term tells the old leader it is stale: it steps down, and its uncommitted v1 conflicts with the new leader's log and is replaced by v2. In Zab the old leader finds the new epoch's leader and is synchronized to its history, without v1. Nothing committed was lost; v1 never was committed (a real client would retry it).",
    );
    Ok(())
}

fn cut_off_leader(s: &mut Script) -> Outcome {
    s.until("leaders in Raft and Zab", both_lead)?;
    let old = s.leader(Raft).unwrap_or(1);
    s.act(UiAction::Isolate(old))?;
    s.act(UiAction::RequestAt(old))?;
    s.step(
        "Cut off",
        "Raft's leader is cut off from every other node, and a client sends it v1. In Paxos the same node becomes a proposer for v1; in Zab it passes v1 to its leader, or proposes it if it leads.",
    );
    s.ticks(150)?;
    s.expect(
        "nothing is decided and Raft's old leader still leads",
        s.decisions(Raft) == 0
            && s.decisions(Paxos) == 0
            && s.view(Raft, old).is_some_and(|v| v.leads),
    )?;
    s.step(
        "Retrying forever",
        "150 ticks later nothing is decided. Raft's leader still believes it leads and keeps sending AppendEntries that are all lost: Figure 2 has no rule for a leader to notice it has no quorum. The Paxos proposer times out and retries with ever higher ballots, in vain. Zab checks for a quorum of followers and abandons leadership. The other nodes elected their own leaders meanwhile.",
    );
    s.act(UiAction::Heal)?;
    s.until("Paxos deciding v1 after the heal", move |pg| {
        decisions(pg, Paxos) >= 1
            && [Raft, Zab]
                .iter()
                .all(|p| view(pg, *p, old).is_some_and(|v| !v.leads))
    })?;
    s.step(
        "Heal",
        "Links restored. Raft's old leader hears of the newer term and steps down; its v1 was never committed and will be overwritten by the new leader's next entry. Zab's old leader rejoins as a follower and its unacknowledged v1 is dropped by synchronization. The Paxos proposer's next retry reaches a majority, and v1 is chosen: Paxos needs no leader to recover.",
    );
    Ok(())
}

fn split_vote(s: &mut Script) -> Outcome {
    s.time_out(Raft, 1)?;
    s.time_out(Raft, 2)?;
    s.step(
        "Two candidates at once",
        "n1 and n2 time out at the same moment. Each starts term 1, votes for itself and asks the others for their votes.",
    );
    s.panel(Raft, PanelAction::Deliver(2))?;
    s.panel(Raft, PanelAction::Deliver(6))?;
    s.settle()?;
    s.expect("term 1 has no leader", s.leader(Raft).is_none())?;
    s.step(
        "A split vote",
        "n3 heard n1 first and n4 heard n2 first; each voter gives one vote per term. Two votes out of four is no majority, so nobody wins term 1.",
    );
    s.until("a leader", |pg| leader(pg, Raft).is_some())?;
    s.expect(
        "one more election was enough",
        s.leader(Raft)
            .and_then(|l| s.view(Raft, l))
            .is_some_and(|v| v.era == 2),
    )?;
    s.step(
        "Randomized timeouts break the tie",
        "Each node draws its next election timeout at random, so one of them times out first, starts term 2 and collects the votes before anyone else wakes up. Compare the scenario with equal timeouts, where the split repeats.",
    );
    Ok(())
}

fn figure8(s: &mut Script) -> Outcome {
    let mistaken = s.pg.mistakes != Mistakes::NONE;
    s.time_out(Raft, 1)?;
    s.settle()?;
    s.act(UiAction::Request)?;
    s.settle()?;
    s.act(UiAction::Partition(vec![vec![1, 2], vec![3, 4, 5]]))?;
    s.act(UiAction::RequestAt(1))?;
    s.settle()?;
    s.step(
        "Term 1: v2 reaches only n2",
        "This scenario runs Raft as Figure 2 alone describes it: a new leader does not append a no-op (the Raft no-op box is unticked). n1 leads term 1 and v1 is committed: all five store it (the followers learn that it is committed with the next AppendEntries). Then the network splits; n1 appends v2, which reaches only n2. Two of five: v2 is not committed.",
    );
    s.act(UiAction::Crash(1))?;
    s.time_out(Raft, 5)?;
    s.settle()?;
    s.act(UiAction::Partition(vec![vec![5], vec![1, 2, 3, 4]]))?;
    s.act(UiAction::RequestAt(5))?;
    s.settle()?;
    s.act(UiAction::Crash(5))?;
    if mistaken {
        s.expect_broken(Raft, &["Figure-8 rule"])?;
    }
    s.step(
        "Term 2: n5 leads briefly",
        if mistaken {
            "n1 crashes. n5 wins term 2 with the votes of n3 and n4, appends v3 in term 2, is cut off before sending it to anyone, and crashes too. The checker already flags the Figure-8 rule: n5 committed v1, a term-1 entry, by counting. Harmless this time (v1 was committed anyway), but the next one is not."
        } else {
            "n1 crashes. n5 wins term 2 with the votes of n3 and n4, appends v3 in term 2, is cut off before sending it to anyone, and crashes too."
        },
    );
    s.act(UiAction::Restart(1))?;
    s.act(UiAction::Heal)?;
    s.time_out(Raft, 1)?;
    s.settle()?;
    s.time_out(Raft, 1)?;
    s.settle()?;
    if mistaken {
        s.step(
            "A later term: n1 commits v2 by counting",
            "n1 restarts and wins term 3. It copies its term-1 entry v2 to a majority (n1, n2, n3, n4) and, with the mistake switched on, counts replicas and commits v2. The checker objects at once: a leader may only commit entries of its own term by counting.",
        );
    } else {
        s.expect(
            "v2 is on a majority but not committed",
            s.view(Raft, 1)
                .is_some_and(|v| v.log.len() == 2 && !v.log[1].committed),
        )?;
        s.step(
            "A later term: v2 on a majority, still not committed",
            "n1 restarts and wins term 3. It copies its old term-1 entry v2 to a majority: n1, n2, n3 and n4 hold it. Yet it does not commit v2 (its box stays yellow and dashed): Raft §5.4.2 says a leader commits only entries of its own term by counting replicas.",
        );
    }
    s.act(UiAction::Crash(1))?;
    s.act(UiAction::Restart(5))?;
    s.time_out(Raft, 5)?;
    s.settle()?;
    s.time_out(Raft, 5)?;
    s.settle()?;
    s.panel(Raft, PanelAction::Fire(5, "heartbeat".into()))?;
    s.settle()?;
    if mistaken {
        s.expect_broken(
            Raft,
            &[
                "Leader Completeness",
                "State Machine Safety",
                "Committed durability",
            ],
        )?;
        s.step(
            "A committed entry is lost",
            "n1 crashes; n5, whose last entry has term 2, wins term 4 (its log looks more up to date than those ending in term 1) and overwrites v2 with v3 everywhere. v2 was reported committed and is now gone: the checker names the broken invariants in red (Leader Completeness, State Machine Safety, Committed durability).",
        );
    } else {
        s.expect(
            "v2 was replaced and every invariant held",
            s.violations(Raft) == 0
                && s.view(Raft, 2)
                    .is_some_and(|v| v.log.len() == 2 && v.log[1].value == 3),
        )?;
        s.step(
            "Why the rule matters",
            "n1 crashes; n5 restarts and wins term 4, since its last entry (term 2) is newer than term 1. It replaces v2 with its v3 on every node. That is safe only because v2 was never committed. The scenario 'Mistake: Raft commits an old term by counting' shows what counting would have broken. Real Raft leaders also append a no-op of their term as soon as they win (§8): n1's no-op in term 3 would have committed v2 with it, so it could not have been replaced. That is why the playground's Raft appends one unless the Raft no-op box is unticked.",
        );
    }
    Ok(())
}

fn paxos_dueling(s: &mut Script) -> Outcome {
    s.act(UiAction::RequestAt(1))?;
    s.act(UiAction::RequestAt(3))?;
    s.step(
        "Two proposers",
        "Clients send v1 to n1 and v2 to n3 at the same moment. Both become proposers for slot 1 and send Prepare: n1 with ballot (1,n1), n3 with the higher ballot (1,n3).",
    );
    s.until("a value chosen", |pg| decisions(pg, Paxos) >= 1)?;
    s.expect("one value is chosen in slot 1", s.decisions(Paxos) == 1)?;
    s.step(
        "One is preempted",
        "Acceptors that promised (1,n3) refuse n1's lower ballot, so n1 is preempted and n3 gets its value chosen. Two proposers could keep preempting each other forever (Paxos is safe, not always live).",
    );
    s.until("both values chosen", |pg| decisions(pg, Paxos) == 2)?;
    s.step(
        "Backing off",
        "The preempted proposer waits a random, growing backoff before it retries, so it does not collide again; its value takes the next slot. Real systems elect a distinguished proposer (Multi-Paxos) to avoid duels.",
    );
    Ok(())
}

fn paxos_adopt(s: &mut Script) -> Outcome {
    let mistaken = s.pg.mistakes != Mistakes::NONE;
    s.act(UiAction::Cut { from: 1, to: 3 })?;
    s.act(UiAction::RequestAt(1))?;
    s.settle()?;
    s.expect(
        "n3 knows nothing of v1",
        s.view(Paxos, 3).is_some_and(|v| v.log.is_empty()),
    )?;
    s.step(
        "v1 is chosen without n3",
        "The link n1 → n3 is cut. n1 proposes v1 in slot 1; n1 and n2 accept it, a majority of three: v1 is chosen. n3 never heard of it.",
    );
    s.act(UiAction::Heal)?;
    s.act(UiAction::RequestAt(3))?;
    s.settle()?;
    if mistaken {
        s.expect_broken(Paxos, &["Safe proposals", "Agreement"])?;
        s.step(
            "n3 ignores what it was told",
            "n3 proposes v2 for slot 1. The promises it collected report v1 accepted at ballot (1,n1), but with the mistake n3 proposes its own v2 anyway, and the acceptors accept it. Two values chosen in one slot: the checker names the broken rules, Safe proposals and Agreement.",
        );
    } else {
        s.expect(
            "v1 stays in slot 1 and v2 moves on",
            s.violations(Paxos) == 0
                && s.view(Paxos, 3).is_some_and(|v| {
                    v.log.first().is_some_and(|e| e.value == 1)
                        && v.log.iter().any(|e| e.value == 2)
                }),
        )?;
        s.step(
            "n3 must adopt v1",
            "n3 wants v2 in slot 1. n2's promise reports v1 accepted at ballot (1,n1), so n3 must propose v1, the value of the highest accepted ballot (P2c), not its own. v1 stays chosen; v2 goes to slot 2.",
        );
    }
    Ok(())
}

fn zab_truncate(s: &mut Script) -> Outcome {
    let mistaken = s.pg.mistakes != Mistakes::NONE;
    s.ticks(40)?;
    s.expect("n3 leads epoch 1", s.leader(Zab) == Some(3))?;
    s.act(UiAction::Partition(vec![vec![3], vec![1, 2]]))?;
    s.act(UiAction::RequestAt(3))?;
    s.settle()?;
    s.step(
        "A proposal nobody else sees",
        "n3 leads epoch 1. Cut off from n1 and n2, it proposes v1 as zxid (1,1). Nobody acknowledges it, so it is not committed.",
    );
    s.act(UiAction::Crash(3))?;
    s.ticks(100)?;
    s.act(UiAction::Request)?;
    s.settle()?;
    s.step(
        "A new epoch",
        "n3 crashes. n1 and n2 stop hearing from it, elect n2, establish epoch 2 and commit v2 as (2,1).",
    );
    s.act(UiAction::Heal)?;
    s.act(UiAction::Restart(3))?;
    s.ticks(100)?;
    if mistaken {
        s.expect_broken(Zab, &["Synchronized histories", "Prefix consistency"])?;
        s.step(
            "n3 keeps what it should drop",
            "n3 returns and follows n2. With the mistake (ZOOKEEPER-1154) it keeps its surplus (1,1) and delivers it: its history differs from the leader's. The checker reports Synchronized histories (n3 synced to epoch 2 with a history the epoch did not begin from) and Prefix consistency (n3 delivered v1 where the others delivered v2).",
        );
    } else {
        s.expect(
            "n3's history equals the leader's",
            s.view(Zab, 3).map(|v| v.log) == s.view(Zab, 2).map(|v| v.log)
                && s.violations(Zab) == 0,
        )?;
        s.step(
            "Synchronized and truncated",
            "n3 returns and follows n2. Synchronization (NEWLEADER carries the leader's history) makes its history equal to the leader's: the surplus (1,1) that nobody else had is dropped, and v2 arrives. A follower only delivers what its leader committed.",
        );
    }
    Ok(())
}

fn zab_sessions(s: &mut Script) -> Outcome {
    let mistaken = s.pg.mistakes != Mistakes::NONE;
    let newleader_to = |to: NodeId| move |m: &MessageView| m.kind == "NEWLEADER" && m.to == to;
    s.until("n3 sends NEWLEADER to n1", |pg| {
        pg.panel(Zab).is_some_and(|p| {
            p.sim
                .messages()
                .iter()
                .any(|m| m.kind == "NEWLEADER" && m.from == 3 && m.to == 1)
        })
    })?;
    let original = s
        .soonest(Zab, newleader_to(1))
        .ok_or("no NEWLEADER to n1")?;
    s.panel(Zab, PanelAction::Duplicate(original))?;
    let copy = s
        .soonest(Zab, |m| m.copy_of == Some(original))
        .ok_or("no copy of NEWLEADER")?;
    s.step(
        "A copy left behind",
        "n3 won the election and is synchronizing its followers in session 1: NEWLEADER carries its history. The network has made a copy of the NEWLEADER to n1; the copy will be held up in the network while everything else arrives.",
    );
    s.settle_except(Zab, copy)?;
    s.act(UiAction::Partition(vec![vec![1, 3], vec![2]]))?;
    s.act(UiAction::RequestAt(3))?;
    s.settle_except(Zab, copy)?;
    s.act(UiAction::Heal)?;
    s.expect(
        "n1 and n3 delivered v1 and n2 did not",
        [1, 3].iter().all(|n| {
            s.view(Zab, *n)
                .is_some_and(|v| v.log.len() == 1 && v.log[0].committed)
        }) && s.view(Zab, 2).is_some_and(|v| v.log.is_empty()),
    )?;
    s.step(
        "v1 is delivered",
        "n1 and n2 synchronized. For a moment n2 is cut off, and v1 is proposed as zxid (1,1): n1 and n3 are a quorum, so n3 commits v1 and n1 delivers it; n2 never hears of it. The network heals. The copy of the old NEWLEADER is still in flight.",
    );
    s.time_out(Zab, 1)?;
    for _ in 0..SETTLE_LIMIT {
        let Some(id) = s.soonest(Zab, |m| m.id != copy) else {
            break;
        };
        let newepoch =
            s.pg.panel(Zab)
                .and_then(|p| p.sim.messages().into_iter().find(|m| m.id == id))
                .is_some_and(|m| m.kind == "NEWEPOCH" && m.to == 1);
        s.panel(Zab, PanelAction::Deliver(id))?;
        if newepoch {
            break;
        }
    }
    s.expect(
        "n1 follows n3 again and waits for NEWLEADER",
        s.view(Zab, 1)
            .is_some_and(|v| v.role == "Follower (sync)" && v.log.len() == 1),
    )?;
    s.step(
        "n1 rejoins: session 2",
        "n1 stops hearing from n3 and times out. It looks for a leader, learns that n3 still leads epoch 1, and rejoins it. In ZooKeeper that is a new TCP connection; here it is session 2, carried by CEPOCH and NEWEPOCH. n1 now waits for a NEWLEADER, and the stale copy from session 1 is still in flight, with the right epoch.",
    );
    s.panel(Zab, PanelAction::Deliver(copy))?;
    if mistaken {
        s.expect_broken(
            Zab,
            &["Delivered prefix never shrinks", "Committed durability"],
        )?;
        s.step(
            "The stale copy truncates v1",
            "With the mistake n1 checks only the phase and the epoch, and the stale copy passes both: n1 takes its empty history and drops v1, which it had delivered. The checker reports Delivered prefix never shrinks, and Committed durability: v1 is now stored on n3 alone. If n3 crashes, n1 and n2 go on without v1.",
        );
    } else {
        s.expect(
            "n1 ignores the copy and keeps v1",
            s.view(Zab, 1).is_some_and(|v| v.log.len() == 1) && s.violations(Zab) == 0,
        )?;
        s.step(
            "The stale copy is ignored",
            "The copy belongs to session 1, and n1 is in session 2: n1 ignores it, as TCP would have when the old connection closed, and keeps v1. The phase and the epoch could not have told them apart. Zab's proof assumes FIFO channels; sessions are how a real system gets them.",
        );
    }
    s.act(UiAction::Crash(3))?;
    s.ticks(120)?;
    s.act(UiAction::Request)?;
    s.ticks(30)?;
    if mistaken {
        s.expect_broken(Zab, &["Prefix consistency"])?;
        s.step(
            "A delivered transaction is lost",
            "n3 crashes. n1 and n2 elect a leader of epoch 2 with empty histories and deliver v2 as transaction #1, where v1 was delivered before: Prefix consistency is broken.",
        );
    } else {
        s.expect(
            "v1 survives as transaction #1 on n1 and n2",
            [1, 2].iter().all(|n| {
                s.view(Zab, *n)
                    .is_some_and(|v| v.log.len() == 2 && v.log[0].value == 1)
            }) && s.violations(Zab) == 0,
        )?;
        s.step(
            "v1 survives",
            "n3 crashes. n1 and n2 elect a leader of epoch 2; n1's history holds v1, so the new epoch begins from it, and v2 comes after it. A delivered transaction is never lost.",
        );
    }
    Ok(())
}

fn cost(s: &mut Script) -> Outcome {
    s.until("leaders in Raft and Zab", both_lead)?;
    // The new Raft leader's no-op is part of taking office, not of v1.
    s.until("Raft's no-op committed on every node", |pg| {
        all_committed(pg, Raft, 0)
    })?;
    s.act(UiAction::Request)?;
    s.until("v1 decided in every panel", |pg| {
        [Raft, Paxos, Zab].iter().all(|p| decisions(pg, *p) == 1)
    })?;
    s.expect(
        "each protocol spent its textbook count",
        s.pg.panels
            .iter()
            .all(|p| p.seen.summary.messages() == p.protocol().textbook(s.pg.nodes)),
    )?;
    s.step(
        "Textbook costs",
        "One decision with five nodes, once the leaders have taken office (Raft's no-op is committed): Raft 2(N−1) = 8 messages (AppendEntries and replies), Zab 3(N−1) = 12 (PROPOSE, ACK, COMMIT), Basic Paxos 4(N−1) = 16 (Prepare, Promise, Accept, Accepted) because every decision runs both phases. Compare like with like: Zab counts the COMMIT that tells followers, Raft's followers learn the commit index from the next AppendEntries (no message of its own), and Paxos's Decide is counted apart as a notification. The table below says so for each.",
    );
    let f = a_follower(&s.pg).ok_or("no node follows everywhere")?;
    s.act(UiAction::Crash(f))?;
    s.act(UiAction::Request)?;
    s.until("v2 decided in every panel", |pg| {
        [Raft, Paxos, Zab].iter().all(|p| decisions(pg, *p) == 2)
    })?;
    s.expect(
        "a crash does not make a decision cheaper",
        s.pg.panels.iter().all(|p| {
            p.seen.decisions.last().map_or(0, |d| d.messages) + 2
                >= p.protocol().textbook(s.pg.nodes)
        }),
    )?;
    s.step(
        "With a crashed follower",
        "One follower is down. Messages to it are still sent and lost, and the replies it would have sent are missing: a decision still needs a majority's answers. Drop or duplicate a message yourself and send another request to see retries add to the bill.",
    );
    Ok(())
}

fn multipaxos_cost(s: &mut Script) -> Outcome {
    s.until("a Multi-Paxos leader", |pg| {
        leader(pg, MultiPaxos).is_some()
    })?;
    let elected =
        s.pg.panel(MultiPaxos)
            .map_or(0, |p| p.seen.summary.background.values().sum::<u64>());
    s.step(
        "Phase 1, once",
        "No one leads Multi-Paxos at first. A node whose election timer runs out sends Prepare for every slot at once, and a majority promises: it leads. Those messages are counted as election, a one-time cost. Basic Paxos has no leader to elect.",
    );
    s.act(UiAction::Request)?;
    s.until("v1 decided in both panels", |pg| {
        [Paxos, MultiPaxos].iter().all(|p| decisions(pg, *p) == 1)
    })?;
    s.expect(
        "Basic Paxos spends 4(N−1) and Multi-Paxos 2(N−1)",
        s.pg.panels
            .iter()
            .all(|p| p.seen.summary.messages() == p.protocol().textbook(s.pg.nodes)),
    )?;
    s.step(
        "Phase 2 alone",
        "One request each. Basic Paxos runs both phases for its slot: Prepare, Promise, Accept, Accepted, 4(N−1) = 16 messages. The Multi-Paxos leader already holds promises for every slot, so it sends only Accept and counts Accepted: 2(N−1) = 8 messages, one round trip. Both tell the other learners with Decide, counted apart.",
    );
    let old = s.leader(MultiPaxos).ok_or("no Multi-Paxos leader")?;
    s.act(UiAction::Crash(old))?;
    s.until("a new Multi-Paxos leader", |pg| {
        leader(pg, MultiPaxos).is_some_and(|l| l != old)
    })?;
    s.act(UiAction::Request)?;
    s.until("v2 decided in both panels", |pg| {
        [Paxos, MultiPaxos].iter().all(|p| decisions(pg, *p) == 2)
    })?;
    let background =
        s.pg.panel(MultiPaxos)
            .map_or(0, |p| p.seen.summary.background.values().sum::<u64>());
    s.expect(
        "the leader change cost another round of phase 1",
        background > elected,
    )?;
    s.step(
        "A leader change",
        "The leader crashes. The others stop hearing its heartbeats; one runs phase 1 again with a higher ballot, and the promises tell it what the old leader had accepted. That is the price of a leader change, paid once; then each decision is phase 2 again.",
    );
    Ok(())
}

/// The messages in flight in `protocol`'s panel that `wanted` accepts.
fn messages_where(
    s: &Script,
    protocol: ProtocolKind,
    wanted: impl Fn(&MessageView) -> bool,
) -> Vec<u64> {
    s.pg.panel(protocol).map_or(Vec::new(), |p| {
        p.sim
            .messages()
            .into_iter()
            .filter(|m| wanted(m))
            .map(|m| m.id)
            .collect()
    })
}

fn multipaxos_gap(s: &mut Script) -> Outcome {
    let mistaken = s.pg.mistakes != Mistakes::NONE;
    s.time_out(MultiPaxos, 1)?;
    s.settle()?;
    s.act(UiAction::RequestAt(1))?;
    s.settle()?;
    s.expect("n1 leads", s.leader(MultiPaxos) == Some(1))?;
    s.step(
        "n1 leads and decides v1",
        "n1's election timer ran out: phase 1 for every slot, a majority promised, n1 leads. v1 is chosen in slot 1 with phase 2 alone.",
    );
    s.act(UiAction::RequestAt(1))?;
    s.act(UiAction::RequestAt(1))?;
    for id in messages_where(s, MultiPaxos, |m| m.text.contains("slot=2") || m.to == 3) {
        s.panel(MultiPaxos, PanelAction::Drop(id))?;
    }
    s.settle_where(MultiPaxos, |m| m.kind == "Accept")?;
    for id in messages_where(s, MultiPaxos, |m| m.kind == "Accepted") {
        s.panel(MultiPaxos, PanelAction::Drop(id))?;
    }
    s.expect(
        "n2 accepted v3 in slot 3 and nothing in slot 2",
        s.view(MultiPaxos, 2).is_some_and(|v| {
            v.log.iter().map(|e| (e.index, e.value)).collect::<Vec<_>>() == [(1, 1), (3, 3)]
        }),
    )?;
    s.step(
        "A hole, and a value no one knows is chosen",
        "n1 proposes v2 in slot 2 and v3 in slot 3. Every Accept for slot 2 is lost; v3 reaches n2 only, and n2's Accepted is lost. n1 and n2 accepted v3, a majority: v3 is chosen, but no one knows it yet.",
    );
    s.act(UiAction::Crash(1))?;
    s.time_out(MultiPaxos, 2)?;
    s.settle()?;
    s.expect("n2 leads", s.leader(MultiPaxos) == Some(2))?;
    if mistaken {
        s.act(UiAction::RequestAt(2))?;
        s.act(UiAction::RequestAt(2))?;
        s.settle()?;
        s.expect_broken(MultiPaxos, &["Safe proposals", "Agreement"])?;
        s.step(
            "n2 ignores what the promises said",
            "n1 crashes and n2 runs phase 1 from slot 2. Its own acceptor reports v3 in slot 3, but with the mistake n2 goes straight to phase 2: v4 into slot 2, v5 into slot 3, where v3 is already chosen. The checker names the broken rules: Safe proposals, and Agreement once v5 is chosen too.",
        );
    } else {
        s.expect(
            "slot 2 holds a no-op and slot 3 holds v3",
            s.violations(MultiPaxos) == 0
                && s.view(MultiPaxos, 3).is_some_and(|v| {
                    v.log
                        .iter()
                        .map(|e| (e.index, e.value, e.committed))
                        .collect::<Vec<_>>()
                        == [(1, 1, true), (2, NO_OP, true), (3, 3, true)]
                }),
        )?;
        s.step(
            "Recovery and a no-op",
            "n1 crashes and n2 runs phase 1 from slot 2, its first slot not known chosen. The promises report v3 in slot 3 and nothing in slot 2. n2 proposes v3 again in slot 3, since it may be chosen (it is), and a no-op in slot 2 so that the log has no hole to wait on (Paxos Made Simple §3). v2 was never accepted by anyone but n1: it is lost, and its client must try again.",
        );
    }
    Ok(())
}

/// The values in node `node`'s VR log, and whether each is committed there.
fn vr_log(s: &Script, node: NodeId) -> Vec<(Value, bool)> {
    s.view(Vr, node).map_or(Vec::new(), |v| {
        v.log.iter().map(|e| (e.value, e.committed)).collect()
    })
}

fn vr_view_change(s: &mut Script) -> Outcome {
    let mistaken = s.pg.mistakes != Mistakes::NONE;
    s.expect("n1 is the primary of view 0", s.leader(Vr) == Some(1))?;
    s.act(UiAction::RequestAt(1))?;
    s.settle()?;
    s.step(
        "View 0 needs no election",
        "In Viewstamped Replication the primary of view v is fixed in advance, round-robin: replica v mod N + 1. So view 0 runs from the start with n1 as primary, and no message is spent on an election. n1 appends v1 as op 1 and sends Prepare; with PrepareOK from f = 1 backup the op is committed: 2(N−1) messages, like Raft.",
    );
    s.act(UiAction::RequestAt(1))?;
    for id in messages_where(s, Vr, |m| m.kind == "Prepare" && m.to == 2) {
        s.panel(Vr, PanelAction::Drop(id))?;
    }
    s.settle_where(Vr, |m| m.kind == "Prepare" || m.kind == "PrepareOK")?;
    s.expect(
        "n1 committed v2, which n2 never saw",
        vr_log(s, 1) == [(1, true), (2, true)] && vr_log(s, 2).len() == 1,
    )?;
    s.step(
        "v2 is committed, and n2 does not have it",
        "v2's Prepare to n2 is lost; n3 appends it and answers PrepareOK, which is enough: n1 and n3 are a majority, v2 is committed. n2's log holds v1 only.",
    );
    s.act(UiAction::Crash(1))?;
    s.time_out(Vr, 3)?;
    s.settle()?;
    s.expect("n2 is the primary of view 1", s.leader(Vr) == Some(2))?;
    if mistaken {
        s.expect_broken(Vr, &["Committed operations survive view changes"])?;
        s.step(
            "n2 keeps its own log",
            "n1 crashes. n3 hears nothing from it, moves to view 1 and sends StartViewChange; n2 joins. Both send DoViewChange with their logs to n2, the primary of view 1. With the mistake n2 starts the view with its own log, which lacks v2, and n3 replaces its log with n2's: a committed operation is gone, and the checker says so.",
        );
    } else {
        s.expect(
            "view 1 starts with v1 and v2",
            s.violations(Vr) == 0 && vr_log(s, 2).iter().map(|e| e.0).eq([1, 2]),
        )?;
        s.step(
            "The view change picks the right log",
            "n1 crashes. n3 hears nothing from it, moves to view 1 and sends StartViewChange; n2 joins. Each sends DoViewChange to n2, the primary of view 1, with its log and the last view in which it was normal. n2 takes the log of the largest last normal view and, among those, the largest op-number: n3's, with v2. A majority holds every committed op, and any majority of DoViewChange messages meets it, so nothing committed is lost. n2 sends StartView and n3 answers PrepareOK for v2.",
        );
        s.act(UiAction::RequestAt(2))?;
        s.settle()?;
        s.expect(
            "n2 commits v3 in view 1",
            vr_log(s, 2).iter().map(|e| e.0).eq([1, 2, 3]) && vr_log(s, 2)[2].1,
        )?;
        s.step(
            "Normal operation in view 1",
            "Requests go to n2 now: one round trip per op again. The view change cost StartViewChange, DoViewChange and StartView messages once (counted as election). If n1 restarts, it has lost everything (VR writes nothing to disk) and runs the recovery protocol: Recovery with a nonce, and the state from the primary of the latest view.",
        );
    }
    Ok(())
}

fn stale_read(s: &mut Script) -> Outcome {
    s.until("leaders in Raft and Zab", both_lead)?;
    let leader = s.leader(Raft).unwrap_or(1);
    s.invoke(
        1,
        leader,
        UiOp::Write {
            key: Key::X,
            value: 1,
        },
    )?;
    s.answered_everywhere(1)?;
    // Let the followers learn of the commit (Raft's next AppendEntries).
    s.ticks(20)?;
    s.step(
        "Alice writes",
        "Client C1 (Alice) writes x = 1 at the Raft leader's node. In each cluster it becomes a decided value, every node applies it to its own copy of the store, and the node C1 asked answers ok.",
    );
    let lonely = a_follower(&s.pg).unwrap_or(2);
    s.act(UiAction::Isolate(lonely))?;
    s.invoke(
        1,
        leader,
        UiOp::Write {
            key: Key::X,
            value: 2,
        },
    )?;
    s.answered_everywhere(1)?;
    s.step(
        "Alice writes again, past a partition",
        "One node is cut off. C1 writes x = 2 and is answered: the other four are a majority and decide it without the isolated node, which still holds x = 1. (Where the node C1 asked does not lead, it answers \"not the leader, try nX\", and C1 retries there.)",
    );
    s.ticks(1)?;
    s.invoke(
        2,
        lonely,
        UiOp::Read {
            key: Key::X,
            paths: [ReadPath::Local; ProtocolKind::COUNT],
        },
    )?;
    let replies: Vec<_> = [Raft, Paxos, Zab].iter().map(|p| s.reply(*p, 2)).collect();
    s.expect(
        &format!("Bob reads the old value in all three panels (he got {replies:?})"),
        replies.iter().all(|r| *r == Some(Reply::Value(Some(1)))),
    )?;
    for p in [Raft, Paxos, Zab] {
        s.expect_broken(p, &["Linearizability"])?;
    }
    s.step(
        "Bob reads locally: stale",
        "C2 (Bob) reads x at the isolated node, from its local store: no messages, an instant answer, and x = 1, although C1's write of 2 had finished before Bob asked. No order of the operations explains that, and the history checker says so in every panel (see the history under each cluster). Local reads are fast and may be stale: Raft followers, Paxos learners and ZooKeeper followers all serve them. DDIA calls this the Alice and Bob problem.",
    );
    Ok(())
}

/// ZooKeeper's local read at a follower, and `sync` then read.
fn zookeeper_sync(s: &mut Script) -> Outcome {
    s.until("a Zab leader", |pg| leader(pg, Zab).is_some())?;
    let leader = s.leader(Zab).unwrap_or(1);
    let follower = (1..=s.pg.nodes).find(|n| *n != leader).unwrap_or(1);
    s.invoke(
        1,
        leader,
        UiOp::Write {
            key: Key::X,
            value: 1,
        },
    )?;
    let held = move |m: &MessageView| m.kind == "COMMIT" && m.to == follower;
    s.settle_where(Zab, move |m| !held(m))?;
    let commit = s.soonest(Zab, held).ok_or("no COMMIT to the follower")?;
    s.panel(Zab, PanelAction::Delay(commit, 30))?;
    s.expect(
        "C1's write is answered",
        s.reply(Zab, 1) == Some(Reply::Written),
    )?;
    s.step(
        "A write, answered before every follower knows",
        "C1 writes x = 1 at the leader. A quorum logs it, the leader commits it, applies it and answers C1. The COMMIT to one follower is slow (held back here).",
    );
    s.ticks(1)?;
    s.invoke(2, follower, UiOp::read(Key::X, &[(Zab, ReadPath::Local)]))?;
    s.expect(
        "the local read finds no value",
        s.reply(Zab, 2) == Some(Reply::Value(None)),
    )?;
    s.expect_broken(Zab, &["Linearizability"])?;
    s.step(
        "A local read at the follower",
        "C2 reads x at that follower. ZooKeeper serves reads from the server the client is connected to, without asking anyone: fast, and here stale. It read no value although C1's write had finished. ZooKeeper promises such reads are sequentially consistent (a client sees its own order of updates), not linearizable, and the history checker flags it.",
    );
    s.invoke(3, follower, UiOp::read(Key::X, &[(Zab, ReadPath::Sync)]))?;
    s.until("C3's read answered", |pg| reply(pg, Zab, 3).is_some())?;
    s.expect(
        "the read after sync finds x = 1",
        s.reply(Zab, 3) == Some(Reply::Value(Some(1))),
    )?;
    s.step(
        "sync, then read",
        "C3 asks the same follower to sync first. It sends SYNC to its leader, which answers how many transactions it holds; the follower reads once it has delivered that many, so it waits for the late COMMIT and reads x = 1. The caveat: sync asks the leader this follower follows. A leader deposed without knowing it would answer from an old history, so sync then read is not linearizable in every case.",
    );
    Ok(())
}

/// ReadIndex with and without the `raft-read-before-noop` mistake: a new
/// leader whose commit index lags must not answer before an entry of its
/// term commits.
fn read_index(s: &mut Script) -> Outcome {
    let mistaken = s.pg.mistakes.has(Mistake::RaftReadBeforeNoop);
    s.until("a Raft leader", |pg| leader(pg, Raft).is_some())?;
    let old = s.leader(Raft).unwrap_or(1);
    s.invoke(
        1,
        old,
        UiOp::Write {
            key: Key::X,
            value: 1,
        },
    )?;
    s.settle()?;
    s.expect(
        "C1's write is answered",
        s.reply(Raft, 1) == Some(Reply::Written),
    )?;
    s.expect(
        "the followers hold the entry but do not know it is committed",
        (1..=s.pg.nodes).filter(|n| *n != old).all(|n| {
            s.view(Raft, n)
                .is_some_and(|v| values(&v).len() == 1 && !values(&v)[0].committed)
        }),
    )?;
    s.step(
        "A write commits",
        "C1 writes x = 1 at the leader. A majority stores it, the leader commits it, applies it and answers C1. The followers have the entry too, but they learn that it is committed only with the leader's next AppendEntries.",
    );
    s.act(UiAction::Crash(old))?;
    s.until("a new Raft leader", move |pg| {
        leader(pg, Raft).is_some_and(|l| l != old)
    })?;
    let new = s.leader(Raft).unwrap_or(1);
    s.expect(
        "the new leader does not know x = 1 is committed",
        s.view(Raft, new)
            .is_some_and(|v| values(&v).iter().all(|e| !e.committed)),
    )?;
    s.step(
        "The leader crashes before telling",
        "The leader crashes before that AppendEntries goes out. A follower times out and wins the next term: its log holds x = 1 (the election restriction sees to that), but it does not know that x = 1 is committed, and cannot tell until it commits an entry of its own term.",
    );
    s.invoke(2, new, raft_read(Key::X, ReadPath::ReadIndex))?;
    if mistaken {
        s.settle()?;
        s.expect(
            "the read is answered with no value",
            s.reply(Raft, 2) == Some(Reply::Value(None)),
        )?;
        s.expect_broken(Raft, &["Linearizability"])?;
        s.step(
            "ReadIndex too early",
            "This scenario runs Raft without the new leader's no-op (the Raft no-op box is unticked). C2 reads x by ReadIndex at the new leader. With the mistake it notes its commit index, 0, confirms with a heartbeat round that it still leads (it does), and answers from what it has applied: no value. C1's write had finished before C2 asked, so the history checker reports the read: not linearizable. Ongaro's thesis §6.4 forbids this: a leader must first commit an entry of its term, which the Raft paper's no-op entry does at once.",
        );
        return Ok(());
    }
    s.expect("the read waits", s.reply(Raft, 2).is_none())?;
    s.step(
        "ReadIndex waits",
        "C2 reads x by ReadIndex at the new leader. Its commit index might lag what an earlier leader committed (here it does), so the read waits until an entry of the leader's own term commits. The no-op it appended on winning (§8) is that entry, and it is on its way to the followers.",
    );
    s.settle()?;
    s.expect(
        "the read is answered with x = 1",
        s.reply(Raft, 2) == Some(Reply::Value(Some(1))),
    )?;
    s.expect("every invariant holds", s.violations(Raft) == 0)?;
    s.step(
        "The no-op commits, then the answer",
        "A majority stores the no-op, so it commits, and x = 1 before it with it. The leader notes its commit index, confirms with a heartbeat round (AppendEntries read=1) that it still leads and, once a majority answers, replies x = 1 from its state machine. The read cost one round trip of heartbeats, counted as read traffic, and no log entry of its own. The history is linearizable.",
    );
    Ok(())
}

/// Lease reads (thesis §6.4.1): fast, and safe only while clocks keep time.
fn lease_read(s: &mut Script) -> Outcome {
    s.until("a Raft leader", |pg| leader(pg, Raft).is_some())?;
    let old = s.leader(Raft).unwrap_or(1);
    s.invoke(
        1,
        old,
        UiOp::Write {
            key: Key::X,
            value: 1,
        },
    )?;
    s.settle()?;
    s.expect(
        "C1's write is answered",
        s.reply(Raft, 1) == Some(Reply::Written),
    )?;
    s.step(
        "A leader with a lease",
        "This scenario runs Raft with leases (the Raft leases box is ticked). C1 writes x = 1. Every heartbeat is now a round: once a majority has answered one sent at time t, none of them will help elect another leader before its own election timer runs out, at least 15 ticks after t (leader stickiness, thesis §4.2.3: a follower that heard from its leader ignores vote requests). So the leader holds a lease until a little before that: 13 ticks, leaving room for clocks that drift.",
    );
    s.invoke(2, old, raft_read(Key::X, ReadPath::Lease))?;
    s.expect(
        "the lease read is answered at once with x = 1",
        s.reply(Raft, 2) == Some(Reply::Value(Some(1))),
    )?;
    s.step(
        "A read with no messages",
        "C2 reads x by lease at the leader. Within its lease no other leader can exist, so it answers x = 1 from its state machine at once: no heartbeat round, no log entry, no message at all. ReadIndex would have spent a round trip to a majority.",
    );
    s.ticks(1)?;
    let others: Vec<NodeId> = (1..=s.pg.nodes).filter(|n| *n != old).collect();
    let (a, b) = (others[0], others[1]);
    s.act(UiAction::Partition(vec![vec![old]]))?;
    s.time_out(Raft, b)?;
    s.time_out(Raft, a)?;
    s.time_out(Raft, a)?;
    s.settle()?;
    s.expect(
        "the other side elects a new leader at once",
        s.leader(Raft) == Some(a),
    )?;
    s.expect_broken(Raft, &["Leases"])?;
    s.step(
        "Clocks that run fast",
        "A partition leaves the leader alone. Then both followers' election timers are fired at once: as if their clocks ran fast, to them the election timeout has already passed, so stickiness no longer holds them. One wins a newer term while the old leader's lease, by its own clock, still runs. The checker's Leases invariant reports it: a lease is a promise about time, and here time was not kept.",
    );
    s.invoke(
        1,
        a,
        UiOp::Write {
            key: Key::X,
            value: 2,
        },
    )?;
    s.settle()?;
    s.expect(
        "C1's write of 2 is answered",
        s.reply(Raft, 1) == Some(Reply::Written),
    )?;
    s.ticks(1)?;
    s.invoke(2, old, raft_read(Key::X, ReadPath::Lease))?;
    s.expect(
        "the old leader answers x = 1 within its lease",
        s.reply(Raft, 2) == Some(Reply::Value(Some(1))),
    )?;
    s.expect_broken(Raft, &["Linearizability"])?;
    s.step(
        "A stale lease read",
        "C1 writes x = 2 at the new leader, and it commits. Then C2 reads x by lease at the old leader: its lease has not run out, so it answers x = 1 without asking anyone. The write had finished before the read began: not linearizable. A ReadIndex read at the old leader would have waited for a majority that cannot answer. Leases trade that round trip for an assumption about clocks.",
    );
    Ok(())
}

/// The `raft-stale-read` mistake: a deposed leader answers from its state.
fn deposed_leader_read(s: &mut Script) -> Outcome {
    s.until("a Raft leader", |pg| leader(pg, Raft).is_some())?;
    let old = s.leader(Raft).unwrap_or(1);
    s.invoke(
        1,
        old,
        UiOp::Write {
            key: Key::X,
            value: 1,
        },
    )?;
    s.until("C1's write answered", |pg| reply(pg, Raft, 1).is_some())?;
    let buddy = (1..=s.pg.nodes).find(|n| *n != old).unwrap_or(1);
    s.act(UiAction::Partition(vec![vec![old, buddy]]))?;
    s.until("a new leader on the majority side", move |pg| {
        leader(pg, Raft).is_some_and(|l| l != old && l != buddy)
    })?;
    let new = s.leader(Raft).unwrap_or(1);
    s.invoke(
        1,
        new,
        UiOp::Write {
            key: Key::X,
            value: 2,
        },
    )?;
    s.until("C1's second write answered", |pg| {
        reply(pg, Raft, 1) == Some(Reply::Written)
            && pg.panel(Raft).is_some_and(|p| {
                p.sim.clients().ops().len() == 2 && p.sim.clients().waiting(1).is_none()
            })
    })?;
    s.step(
        "Two leaders",
        "C1 writes x = 1 at the leader. Then a partition leaves that leader with one follower; the other three elect a new leader in a newer term, and C1's write of x = 2 commits there. The old leader has heard nothing of it and still believes it leads.",
    );
    s.ticks(1)?;
    s.invoke(2, old, raft_read(Key::X, ReadPath::ReadIndex))?;
    s.expect(
        "the old leader answers x = 1 at once",
        s.reply(Raft, 2) == Some(Reply::Value(Some(1))),
    )?;
    s.expect_broken(Raft, &["Linearizability"])?;
    s.step(
        "The deposed leader answers",
        "C2 asks the old leader to read x. With the mistake it answers from its own state at once, without confirming it still leads: x = 1, although the write of 2 finished before C2 asked. The history checker finds no order that explains it. A correct ReadIndex would first send a heartbeat round: only one follower could answer, no majority, no reply (compare the read-index scenario).",
    );
    Ok(())
}

fn volatile_vote(s: &mut Script) -> Outcome {
    s.time_out(Raft, 1)?;
    s.time_out(Raft, 2)?;
    s.panel(Raft, PanelAction::Deliver(2))?;
    s.step(
        "n3 votes for n1",
        "n1 and n2 both campaign in term 1. n3 receives n1's RequestVote first and grants its vote. votedFor should now be on stable storage.",
    );
    s.act(UiAction::Crash(3))?;
    s.act(UiAction::Restart(3))?;
    s.panel(Raft, PanelAction::Deliver(4))?;
    s.panel(Raft, PanelAction::Deliver(5))?;
    s.panel(Raft, PanelAction::Deliver(6))?;
    let leaders = s.pg.panel(Raft).map_or(0, |p| {
        p.sim.views().iter().flatten().filter(|v| v.leads).count()
    });
    s.expect("two nodes lead term 1", leaders == 2)?;
    s.expect_broken(Raft, &["One vote per term", "Election Safety"])?;
    s.step(
        "It votes again",
        "n3 crashes and restarts. With the mistake its vote was kept only in memory, so when n2's RequestVote for the same term arrives, n3 votes again. n1 counts n3's first vote and n2 its second: each has two votes of three, and both lead term 1. The checker names both broken rules: One vote per term and Election Safety.",
    );
    Ok(())
}

fn equal_timeouts(s: &mut Script) -> Outcome {
    s.step(
        "Every node, the same timeout",
        "With the mistake every Raft node uses the same election timeout instead of a random one.",
    );
    s.ticks(80)?;
    s.expect(
        "after several terms there is still no leader",
        s.leader(Raft).is_none() && s.view(Raft, 1).is_some_and(|v| v.era >= 3),
    )?;
    s.step(
        "Split votes, forever",
        "All three nodes time out together, each votes for itself and refuses the others: no majority. Then they time out together again, term after term. No safety invariant breaks (nothing wrong is ever committed), so the step checker stays green: this is a liveness bug. The command-line checker, consensus check --mistake raft-equal-timeouts, catches it by noticing no leader within its bound.",
    );
    Ok(())
}

fn forget_promise(s: &mut Script) -> Outcome {
    s.act(UiAction::RequestAt(1))?;
    s.panel(Paxos, PanelAction::Deliver(1))?;
    s.step(
        "n2 promises",
        "n1 starts phase 1 for v1. n2 receives Prepare (1,n1) and promises never to accept a lower ballot. That promise must survive a crash.",
    );
    s.act(UiAction::Crash(2))?;
    s.act(UiAction::Restart(2))?;
    s.expect_broken(Paxos, &["Promises never decrease"])?;
    s.step(
        "The promise is forgotten",
        "n2 crashes and restarts. With the mistake it kept the promise only in memory, so it would now accept any lower ballot: two proposers could both get a value chosen. The checker notices the moment n2 restarts: Promises never decrease.",
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Msg;
    use std::rc::Rc;
    use yew::Reducible;

    #[test]
    fn every_scenario_runs_and_its_claims_hold() {
        for entry in &LESSONS {
            let lesson = build(entry.id).unwrap_or_else(|e| panic!("{e}"));
            assert!(lesson.steps.len() >= 2, "{}: too few steps", entry.id);
            let ends: Vec<usize> = lesson.steps.iter().map(|s| s.end).collect();
            assert!(
                ends.windows(2).all(|w| w[0] < w[1]),
                "{}: every step should do something ({ends:?})",
                entry.id
            );
            assert_eq!(
                lesson.steps.last().map(|s| s.end),
                Some(lesson.script.history.len())
            );
            let pg = Playground::replay(&lesson.script).expect("replays");
            let violations: Vec<&str> = pg
                .panels
                .iter()
                .flat_map(|p| p.sim.violations().iter().map(|v| v.invariant))
                .collect();
            match entry.mistake {
                // A liveness bug: the step checker stays green.
                Some(Mistake::RaftEqualTimeouts) => assert!(violations.is_empty()),
                Some(_) => assert!(!violations.is_empty(), "{}: nothing caught", entry.id),
                // Without a mistake only a history may fail, where a read
                // path promises no more (a local read), and a lease, where
                // a clock is made to run fast.
                None => assert!(
                    violations
                        .iter()
                        .all(|v| ["Linearizability", "Leases"].contains(v)),
                    "{}: {violations:?}",
                    entry.id
                ),
            }
        }
    }

    #[test]
    fn ids_are_unique_and_link_safe() {
        for (i, e) in LESSONS.iter().enumerate() {
            assert!(LESSONS[..i].iter().all(|o| o.id != e.id), "{}", e.id);
            assert!(e
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
        }
        assert!(build("nope")
            .unwrap_err()
            .contains("replication, leader-crash"));
    }

    #[test]
    fn every_mistake_has_a_scenario() {
        for m in Mistake::ALL {
            assert!(LESSONS.iter().any(|e| e.mistake == Some(m)), "{}", m.name());
        }
    }

    #[test]
    fn next_and_back_follow_the_script_and_links_keep_the_step() {
        let reduce = |pg: Playground, m: Msg| (*Rc::new(pg).reduce(m)).clone();
        let mut pg = reduce(Playground::new(5, 1), Msg::OpenLesson("figure8"));
        let lesson = pg.lesson.clone().expect("open").lesson;
        assert_eq!(
            (pg.protocols.as_slice(), pg.nodes, pg.seed),
            (&[Raft][..], 5, 8)
        );
        let at = |pg: &Playground| pg.lesson.as_ref().map(|l| (l.step, l.detour(&pg.history)));
        for (i, step) in lesson.steps.iter().enumerate() {
            if i > 0 {
                pg = reduce(pg, Msg::LessonNext);
            }
            assert_eq!(pg.history, lesson.script.history[..step.end]);
            assert_eq!(at(&pg), Some((i, 0)));
        }
        pg = reduce(pg, Msg::LessonNext);
        assert_eq!(at(&pg), Some((3, 0)), "the last step stays");
        let shared = pg.session();
        assert_eq!(shared.lesson.as_ref().map(|l| l.step), Some(3));
        pg = reduce(pg, Msg::Do(UiAction::Step));
        assert_eq!(at(&pg), Some((3, 1)));
        pg = reduce(pg, Msg::LessonBack);
        assert_eq!(
            at(&pg),
            Some((3, 0)),
            "off script, Back returns to the step shown"
        );
        assert_eq!(pg.history, lesson.script.history);
        pg = reduce(pg, Msg::LessonBack);
        assert_eq!(at(&pg), Some((2, 0)));
        assert_eq!(pg.history, lesson.script.history[..lesson.steps[2].end]);
        pg = reduce(pg, Msg::StepBack);
        pg = reduce(pg, Msg::LessonNext);
        assert_eq!(at(&pg), Some((3, 0)), "off script, Next goes on");
        let reopened = reduce(
            Playground::new(3, 2),
            Msg::Load {
                session: shared,
                from: "This link",
            },
        );
        assert_eq!(reopened.lesson.as_ref().map(|l| l.step), Some(3));
        assert_eq!(reopened.history, lesson.script.history);
    }

    #[test]
    fn a_mistake_can_be_switched_off() {
        let reduce = |pg: Playground, m: Msg| (*Rc::new(pg).reduce(m)).clone();
        let mut pg = reduce(
            Playground::new(5, 1),
            Msg::OpenLesson("mistake-paxos-forget-promise"),
        );
        pg = reduce(pg, Msg::LessonNext);
        assert!(!pg.panels[0].sim.violations().is_empty());
        pg = reduce(pg, Msg::ClearMistakes);
        assert_eq!(pg.mistakes, Mistakes::NONE);
        assert!(pg.panels[0].sim.violations().is_empty());
        assert!(pg.lesson.is_none(), "the script no longer applies");
    }

    #[test]
    fn every_scenario_fits_in_a_short_link() {
        for entry in &LESSONS {
            let text = crate::link::encode(&build(entry.id).expect("builds").script);
            assert!(
                text.len() < 2_000,
                "{}: {} characters",
                entry.id,
                text.len()
            );
        }
    }
}
