//! Message accounting: every network message is attributed either to the
//! decision it serves or to background work (elections, heartbeats, recovery),
//! so the playground can set measured costs beside the textbook figures:
//! Raft 2(N-1), Basic Paxos 4(N-1), Zab 3(N-1) messages per decision.

use alloc::collections::BTreeMap;

use crate::protocol::{Purpose, Tick, Value, NO_OP};

/// The cost of one decision.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DecisionCost {
    /// Messages that served the decision, by type.
    pub by_type: BTreeMap<&'static str, u64>,
    /// Notifications of the decision (Paxos `Decide`), by type; not in the textbook figure.
    pub notifications: BTreeMap<&'static str, u64>,
    /// When and how the decision was first made, once it is.
    pub decided: Option<Decided>,
}

/// The moment a decision was first made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decided {
    /// The decided value.
    pub value: Value,
    /// The tick at which some node first learned it.
    pub at: Tick,
    /// Message delays: the length of the causal chain of messages from the
    /// client request (or the timer) to the decision.
    pub delays: u32,
}

/// All the message accounting of one run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Accounting {
    /// Per decision key (Raft index, Paxos slot, Zab zxid).
    pub decisions: BTreeMap<u64, DecisionCost>,
    /// Background messages by (purpose, type).
    pub background: BTreeMap<(&'static str, &'static str), u64>,
    /// When each client value was requested.
    pub requested_at: BTreeMap<Value, Tick>,
}

/// Totals over all decisions made, from which per-decision figures follow.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Decisions made.
    pub decisions: u64,
    /// Messages that served a decision that was made, by type (notifications excluded).
    pub by_type: BTreeMap<&'static str, u64>,
    /// Notifications of decisions, by type.
    pub notifications: BTreeMap<&'static str, u64>,
    /// Sum of message delays over the decisions made.
    pub delays: u64,
    /// Sum of ticks from request to decision over the decisions made.
    pub ticks: u64,
    /// Messages spent on decisions never made (lost, overwritten or still open).
    pub undecided: u64,
    /// Background messages by purpose.
    pub background: BTreeMap<&'static str, u64>,
}

impl Summary {
    /// Consensus messages (notifications excluded) over all decisions made.
    pub fn messages(&self) -> u64 {
        self.by_type.values().sum()
    }
}

impl Accounting {
    /// Count one message sent.
    pub fn sent(&mut self, purpose: Purpose, kind: &'static str, notification: bool) {
        match purpose {
            Purpose::Decision(key) => {
                let cost = self.decisions.entry(key).or_default();
                let map = if notification {
                    &mut cost.notifications
                } else {
                    &mut cost.by_type
                };
                *map.entry(kind).or_insert(0) += 1;
            }
            other => *self.background.entry((other.name(), kind)).or_insert(0) += 1,
        }
    }

    /// Note that decision `key` was made, if it is the first time. A
    /// leader's no-op is no client's decision: its messages are counted as
    /// recovery, and it is not counted at all.
    pub fn decided(&mut self, key: u64, value: Value, at: Tick, delays: u32) {
        if value == NO_OP {
            return;
        }
        let cost = self.decisions.entry(key).or_default();
        if cost.decided.is_none() {
            cost.decided = Some(Decided { value, at, delays });
        }
    }

    /// Totals over the run.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for cost in self.decisions.values() {
            let Some(d) = cost.decided else {
                s.undecided += cost.by_type.values().sum::<u64>();
                continue;
            };
            s.decisions += 1;
            for (k, n) in &cost.by_type {
                *s.by_type.entry(k).or_insert(0) += n;
            }
            for (k, n) in &cost.notifications {
                *s.notifications.entry(k).or_insert(0) += n;
            }
            s.delays += u64::from(d.delays);
            if let Some(asked) = self.requested_at.get(&d.value) {
                s.ticks += d.at.saturating_sub(*asked);
            }
        }
        for ((purpose, _), n) in &self.background {
            *s.background.entry(purpose).or_insert(0) += n;
        }
        s
    }
}
