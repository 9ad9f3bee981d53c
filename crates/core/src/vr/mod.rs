//! Viewstamped Replication, as in Liskov & Cowling, "Viewstamped Replication
//! Revisited" (MIT-CSAIL-TR-2012-021).
//!
//! The replicas move through a sequence of *views*; the primary of view `v`
//! is fixed in advance: replica `v mod n + 1` (§4: "the primary is chosen
//! round-robin"). So view 0 runs from the start, with no election.
//!
//! 1. **Normal operation (§4.1).** The primary appends a client's request to
//!    its log as op-number `n` and sends `Prepare(v, m, n, k)` to the backups,
//!    `k` being its commit-number. A backup accepts a Prepare only in order
//!    (it has every earlier op), appends it and answers `PrepareOK(v, n)`.
//!    With `PrepareOK` from `f` backups the op (and every earlier one) is
//!    committed: 2(N−1) messages. The backups learn the commit-number from
//!    the next Prepare or, when no request comes, from a `Commit(v, k)`,
//!    which is also the primary's heartbeat.
//! 2. **View change (§4.2).** A backup that hears nothing from the primary
//!    moves to view `v+1` and sends `StartViewChange`. A replica that has
//!    `StartViewChange` from `f` others sends `DoViewChange` with its log,
//!    the last view in which its status was normal, its op-number and
//!    commit-number to the new primary. With `f + 1` of them the new primary
//!    takes the log from the largest last normal view (the largest op-number
//!    among those) and sends `StartView`; backups replace their log with it
//!    and answer `PrepareOK` for the ops not yet committed. The
//!    `vr-pick-any-log` mistake takes the new primary's own log instead.
//! 3. **Recovery (§4.3).** VR writes nothing to disk: a restarted replica has
//!    lost its log. It sends `Recovery` with a fresh nonce; replicas in
//!    normal status answer `RecoveryResponse` (the primary with its log);
//!    with `f + 1` answers carrying the nonce, one of them from the primary
//!    of the latest view they name, it takes the primary's state.
//! 4. **State transfer (§5.2).** A replica that sees a gap or a later view
//!    asks with `GetState` and is sent `NewState`, the log after its own.
//!
//! Clusters of `n = 2f + 1`; for even sizes "f + 1" reads "a majority".
//!
//! Nothing is written to disk, as in the paper: a crash loses everything.
//! The protocol therefore assumes at most `f` replicas down *or recovering*
//! at once (§4.3: a replica "cannot participate in request processing and
//! view changes until it has a state at least as recent as when it
//! failed"); the random schedules keep to that. Recovery without stable
//! storage is subtle in general (Michael, Ports, Sharma and Szekeres,
//! "Recovering Shared Objects Without Stable Storage", DISC 2017): the
//! checker watches for any committed op lost across crashes.

mod check;
mod note;

pub use check::VrChecker;
pub use note::Note;

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::vec::Vec;
use core::fmt;

use crate::protocol::{
    Ask, Category, Ctx, EntryView, Input, Message, Milestone, Mistake, NodeId, NodeView,
    Observation, Protocol, Purpose, Shown, Standing, Tick, TimerKind, Value,
};

/// A view number.
pub type View = u64;
/// An op-number: a place in the log, from 1.
pub type OpNumber = u64;

/// One operation in the log: a client's value, and the view whose primary
/// put it there (the first half of its viewstamp).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    pub view: View,
    pub value: Value,
}

/// A log as the messages that carry one show it: `v1@0,v2@1`.
struct Log<'a>(&'a [Entry]);

impl fmt::Display for Log<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("empty");
        }
        for (i, e) in self.0.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            write!(f, "{sep}{}@{}", Shown(e.value), e.view)?;
        }
        Ok(())
    }
}

/// What the primary of the latest view sends a recovering replica.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PrimaryState {
    pub log: Vec<Entry>,
    pub op: OpNumber,
    pub commit: OpNumber,
}

/// VR's messages (§4).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    /// The primary asks the backups to append `value` as op `op`.
    Prepare {
        view: View,
        op: OpNumber,
        value: Value,
        commit: OpNumber,
    },
    /// A backup has every op up to `op` of view `view`.
    PrepareOk { view: View, op: OpNumber },
    /// The primary's commit-number, when no Prepare carries it; also its
    /// heartbeat.
    Commit { view: View, commit: OpNumber },
    /// The sender has moved to view `view`.
    StartViewChange { view: View },
    /// The sender's state, for the primary of the new view.
    DoViewChange {
        view: View,
        log: Vec<Entry>,
        last_normal: View,
        op: OpNumber,
        commit: OpNumber,
    },
    /// The new primary's log: view `view` has started.
    StartView {
        view: View,
        log: Vec<Entry>,
        op: OpNumber,
        commit: OpNumber,
    },
    /// A restarted replica asks for the state.
    Recovery { nonce: u64 },
    /// An answer to `Recovery`, with the state if the sender is the primary.
    RecoveryResponse {
        view: View,
        nonce: u64,
        state: Option<PrimaryState>,
    },
    /// State transfer: the ops of view `view` after op `op`.
    GetState { view: View, op: OpNumber },
    /// The log of view `view` from op `from + 1` on.
    NewState {
        view: View,
        from: OpNumber,
        log: Vec<Entry>,
        commit: OpNumber,
    },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Prepare { .. } => "Prepare",
            Msg::PrepareOk { .. } => "PrepareOK",
            Msg::Commit { .. } => "Commit",
            Msg::StartViewChange { .. } => "StartViewChange",
            Msg::DoViewChange { .. } => "DoViewChange",
            Msg::StartView { .. } => "StartView",
            Msg::Recovery { .. } => "Recovery",
            Msg::RecoveryResponse { .. } => "RecoveryResponse",
            Msg::GetState { .. } => "GetState",
            Msg::NewState { .. } => "NewState",
        }
    }

    fn category(&self) -> Category {
        match self {
            Msg::Prepare { .. } => Category::Carry,
            Msg::PrepareOk { .. } => Category::Ack,
            Msg::Commit { .. } => Category::Commit,
            Msg::StartViewChange { .. } => Category::Ask,
            Msg::DoViewChange { .. } => Category::Answer,
            Msg::StartView { .. }
            | Msg::Recovery { .. }
            | Msg::RecoveryResponse { .. }
            | Msg::GetState { .. }
            | Msg::NewState { .. } => Category::Recover,
        }
    }

    /// A Commit tells the backups of decisions already made.
    fn is_notification(&self) -> bool {
        matches!(self, Msg::Commit { .. })
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Prepare {
                view,
                op,
                value,
                commit,
            } => write!(
                f,
                "Prepare view={view} op={op} value={} commit={commit}",
                Shown(*value)
            ),
            Msg::PrepareOk { view, op } => write!(f, "PrepareOK view={view} op={op}"),
            Msg::Commit { view, commit } => write!(f, "Commit view={view} commit={commit}"),
            Msg::StartViewChange { view } => write!(f, "StartViewChange view={view}"),
            Msg::DoViewChange {
                view,
                log,
                last_normal,
                op,
                commit,
            } => write!(
                f,
                "DoViewChange view={view} log={} lastNormal={last_normal} op={op} commit={commit}",
                Log(log)
            ),
            Msg::StartView {
                view,
                log,
                op,
                commit,
            } => write!(
                f,
                "StartView view={view} log={} op={op} commit={commit}",
                Log(log)
            ),
            Msg::Recovery { nonce } => write!(f, "Recovery nonce={nonce}"),
            Msg::RecoveryResponse { view, nonce, state } => {
                write!(f, "RecoveryResponse view={view} nonce={nonce}")?;
                match state {
                    Some(s) => write!(f, " log={} op={} commit={}", Log(&s.log), s.op, s.commit),
                    None => f.write_str(" (not primary)"),
                }
            }
            Msg::GetState { view, op } => write!(f, "GetState view={view} op={op}"),
            Msg::NewState {
                view,
                from,
                log,
                commit,
            } => write!(
                f,
                "NewState view={view} from={from} log={} commit={commit}",
                Log(log)
            ),
        }
    }
}

/// VR's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// A backup heard nothing from its primary for this long, or a view
    /// change did not finish: move to the next view.
    ViewChange,
    /// The primary's heartbeat period: a Commit to every backup.
    Heartbeat,
    /// A recovering replica asks again.
    Recovery,
}

impl TimerKind for Timer {
    const ALL: &'static [Timer] = &[Timer::ViewChange, Timer::Heartbeat, Timer::Recovery];
    const TIME_OUTS: &'static [Timer] = &[Timer::ViewChange, Timer::Recovery];
    const ROUTINE: &'static [Timer] = &[Timer::Heartbeat];
    fn name(self) -> &'static str {
        match self {
            Timer::ViewChange => "view-change",
            Timer::Heartbeat => "heartbeat",
            Timer::Recovery => "recovery",
        }
    }
}

/// What a replica sent in its `DoViewChange`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub log: Vec<Entry>,
    pub last_normal: View,
    pub commit: OpNumber,
}

/// A replica's status (§4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Processing requests in its view.
    Normal,
    /// Changing to a new view.
    ViewChange {
        /// Who else sent `StartViewChange` for this view.
        started_by: BTreeSet<NodeId>,
        /// Whether this replica sent its `DoViewChange`.
        sent: bool,
        /// At the new primary: the `DoViewChange`s received.
        candidates: BTreeMap<NodeId, Candidate>,
    },
    /// Restarted with no log, asking the others.
    Recovering {
        nonce: u64,
        /// The answers: view, and the state if from a primary.
        answers: BTreeMap<NodeId, (View, Option<PrimaryState>)>,
    },
}

/// What only the primary of a view keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Primary {
    /// The replicas whose `DoViewChange` started the view (none for view 0).
    pub started_by: BTreeSet<NodeId>,
    /// The highest op each backup acknowledged in this view.
    pub acked: BTreeMap<NodeId, OpNumber>,
    /// The commit-number the backups were last told.
    pub announced: OpNumber,
    /// When to resend Prepares not acknowledged by then.
    pub retry_at: Tick,
}

/// One VR replica.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vr {
    view: View,
    status: Status,
    /// The last view in which the status was normal.
    last_normal: View,
    log: Vec<Entry>,
    op: OpNumber,
    commit: OpNumber,
    primary: Option<Primary>,
}

type VrCtx<'a> = Ctx<'a, Vr>;

/// The primary of view `view` in a cluster of `size`: round-robin.
pub fn primary_of(view: View, size: u8) -> NodeId {
    (view % u64::from(size)) as NodeId + 1
}

impl Vr {
    /// Its view-number.
    pub fn view_number(&self) -> View {
        self.view
    }

    /// Its status.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// Its log.
    pub fn log(&self) -> &[Entry] {
        &self.log
    }

    /// Its op-number and commit-number.
    pub fn numbers(&self) -> (OpNumber, OpNumber) {
        (self.op, self.commit)
    }

    fn normal(&self) -> bool {
        self.status == Status::Normal
    }

    /// Why a message of view `view` is ignored here.
    fn old_view(&self, kind: &'static str, from: NodeId, view: View) -> Note {
        Note::OldView {
            kind,
            from,
            view,
            mine: self.view,
        }
    }

    /// Normal again, as a backup of view `view`, with the log just taken
    /// (from a StartView, a NewState or the recovery).
    fn become_backup(&mut self, view: View, ctx: &mut VrCtx<'_>) {
        self.view = view;
        self.status = Status::Normal;
        self.last_normal = view;
        self.primary = None;
        ctx.cancel_timer(Timer::Heartbeat);
        Self::reset_view_change_timer(ctx);
    }

    /// PrepareOK for the ops of a log just taken that are not committed
    /// yet: part of the view change's or the catch-up's one-time cost, not
    /// of any decision's.
    fn acknowledge_log(&self, to: NodeId, ctx: &mut VrCtx<'_>) {
        if self.op > self.commit {
            let (view, op) = (self.view, self.op);
            ctx.send(to, Msg::PrepareOk { view, op }, Purpose::Recovery);
        }
    }

    fn announce_role(&self, ctx: &mut VrCtx<'_>) {
        ctx.observe(Observation::Role {
            role: self.role_name(),
            era: self.view,
        });
    }

    fn reset_view_change_timer(ctx: &mut VrCtx<'_>) {
        let (lo, hi) = ctx.cluster.timing.election;
        let after = ctx.random_between(lo, hi);
        ctx.set_timer(Timer::ViewChange, after);
    }

    /// The commit-number rises to `k` (never past what the log holds): the
    /// ops in between are decided.
    fn advance_commit(&mut self, k: OpNumber, ctx: &mut VrCtx<'_>) {
        let k = k.min(self.op);
        while self.commit < k {
            self.commit += 1;
            let value = self.log[(self.commit - 1) as usize].value;
            ctx.observe(Observation::Decided {
                slot: self.commit,
                value,
            });
        }
    }

    /// Becomes the primary of its view (a normal one).
    fn lead(&mut self, started_by: BTreeSet<NodeId>, ctx: &mut VrCtx<'_>) {
        self.primary = Some(Primary {
            started_by,
            acked: BTreeMap::new(),
            announced: self.commit,
            retry_at: ctx.now + ctx.cluster.timing.paxos_retry,
        });
        ctx.cancel_timer(Timer::ViewChange);
        ctx.set_timer(Timer::Heartbeat, ctx.cluster.timing.heartbeat);
    }

    // ---- Normal operation (§4.1) ----

    fn on_request(&mut self, value: Value, ctx: &mut VrCtx<'_>) {
        if self.primary.is_none() {
            let primary = match self.status {
                Status::Normal => Some(primary_of(self.view, ctx.cluster.size)),
                Status::ViewChange { .. } => {
                    Some(primary_of(self.view, ctx.cluster.size)).filter(|p| *p != ctx.id)
                }
                Status::Recovering { .. } => None,
            };
            ctx.refuse(Note::NotPrimary { value, primary });
            ctx.redirect(Ask::Value(value), primary);
            return;
        }
        // Step 2: advance the op-number, append, send Prepare.
        self.op += 1;
        self.log.push(Entry {
            view: self.view,
            value,
        });
        let (view, op, commit) = (self.view, self.op, self.commit);
        for peer in ctx.cluster.peers(ctx.id) {
            let msg = Msg::Prepare {
                view,
                op,
                value,
                commit,
            };
            ctx.send(peer, msg, Purpose::Decision(op));
        }
        if let Some(p) = &mut self.primary {
            p.announced = commit;
            p.retry_at = ctx.now + ctx.cluster.timing.paxos_retry;
        }
        self.try_commit(ctx);
    }

    /// A message of the normal protocol from view `view`: whether this
    /// replica takes it. An older view's is dropped; a later view's means
    /// this replica missed a view change: it asks for the state (§4.1:
    /// "If the sender is ahead, the replica performs a state transfer").
    fn in_my_view(
        &mut self,
        kind: &'static str,
        from: NodeId,
        view: View,
        ctx: &mut VrCtx<'_>,
    ) -> bool {
        if matches!(self.status, Status::Recovering { .. }) {
            ctx.refuse(Note::NotNormal { kind, from });
            return false;
        }
        if view < self.view {
            ctx.refuse(self.old_view(kind, from, view));
            return false;
        }
        if view > self.view || !self.normal() {
            // Only the committed prefix is sure to be in the later view's
            // log: ask for everything after it.
            ctx.note(Note::LaterView {
                kind,
                view,
                mine: self.view,
            });
            let op = self.commit;
            ctx.send(from, Msg::GetState { view, op }, Purpose::Recovery);
            return false;
        }
        true
    }

    /// Step 3: a backup takes Prepares in op-number order.
    fn on_prepare(
        &mut self,
        from: NodeId,
        view: View,
        op: OpNumber,
        value: Value,
        commit: OpNumber,
        ctx: &mut VrCtx<'_>,
    ) {
        if !self.in_my_view("Prepare", from, view, ctx) {
            return;
        }
        Self::reset_view_change_timer(ctx);
        if op == self.op + 1 {
            self.op = op;
            self.log.push(Entry { view, value });
            ctx.note(Note::Prepared { op, value });
            ctx.reply(from, Msg::PrepareOk { view, op });
        } else if op <= self.op {
            // A copy, or a resend after a lost PrepareOK: every op up to
            // mine is the primary's.
            let op = self.op;
            ctx.reply(from, Msg::PrepareOk { view, op });
        } else {
            ctx.note(Note::Gap { op, have: self.op });
            let have = self.op;
            ctx.send(from, Msg::GetState { view, op: have }, Purpose::Recovery);
        }
        // Step 6: the commit-number the Prepare carries.
        self.advance_commit(commit, ctx);
    }

    /// Step 4: with PrepareOK from `f` backups, an op is committed, and so
    /// is every earlier one.
    fn on_prepare_ok(&mut self, from: NodeId, view: View, op: OpNumber, ctx: &mut VrCtx<'_>) {
        let Some(p) = self.primary.as_mut().filter(|_| view == self.view) else {
            ctx.refuse(Note::NotPrimaryFor {
                kind: "PrepareOK",
                from,
            });
            return;
        };
        let acked = p.acked.entry(from).or_insert(0);
        *acked = (*acked).max(op);
        self.try_commit(ctx);
    }

    fn try_commit(&mut self, ctx: &mut VrCtx<'_>) {
        let Some(p) = &self.primary else { return };
        let needed = ctx.cluster.quorum() - 1;
        let mut acked: Vec<OpNumber> = p.acked.values().copied().collect();
        acked.sort_unstable_by(|a, b| b.cmp(a));
        let k = match needed {
            0 => self.op,
            n => acked.get(n - 1).copied().unwrap_or(0),
        };
        self.advance_commit(k, ctx);
    }

    /// Step 5: the heartbeat tells the backups the commit-number; Prepares
    /// left unanswered for a retry period are sent again, so a lost
    /// message delays an op but does not lose it.
    fn heartbeat(&mut self, ctx: &mut VrCtx<'_>) {
        let Some(p) = &mut self.primary else { return };
        let (view, commit) = (self.view, self.commit);
        let purpose = if commit > p.announced {
            Purpose::Decision(commit)
        } else {
            Purpose::Heartbeat
        };
        p.announced = commit;
        let resend = commit < self.op && ctx.now >= p.retry_at;
        if resend {
            p.retry_at = ctx.now + ctx.cluster.timing.paxos_retry;
        }
        for peer in ctx.cluster.peers(ctx.id) {
            ctx.send(peer, Msg::Commit { view, commit }, purpose);
            let acked = p.acked.get(&peer).copied().unwrap_or(0);
            if resend && acked < self.op {
                let op = acked + 1;
                let msg = Msg::Prepare {
                    view,
                    op,
                    value: self.log[(op - 1) as usize].value,
                    commit,
                };
                ctx.send(peer, msg, Purpose::Decision(op));
            }
        }
        ctx.set_timer(Timer::Heartbeat, ctx.cluster.timing.heartbeat);
    }

    fn on_commit(&mut self, from: NodeId, view: View, commit: OpNumber, ctx: &mut VrCtx<'_>) {
        if !self.in_my_view("Commit", from, view, ctx) {
            return;
        }
        Self::reset_view_change_timer(ctx);
        if commit > self.op {
            ctx.note(Note::Gap {
                op: commit,
                have: self.op,
            });
            let op = self.op;
            ctx.send(from, Msg::GetState { view, op }, Purpose::Recovery);
        }
        self.advance_commit(commit, ctx);
    }

    // ---- View change (§4.2) ----

    /// Step 1: move to view `view` and say so; `why` tells the learner
    /// what made this replica move.
    fn start_view_change(&mut self, view: View, why: Note, ctx: &mut VrCtx<'_>) {
        self.view = view;
        self.status = Status::ViewChange {
            started_by: BTreeSet::new(),
            sent: false,
            candidates: BTreeMap::new(),
        };
        self.primary = None;
        ctx.cancel_timer(Timer::Heartbeat);
        match why {
            // Counted once, where the view change begins.
            Note::Suspect { .. } | Note::ViewChangeTimedOut { .. } => {
                ctx.milestone(Milestone::ElectionStarted, why)
            }
            _ => ctx.note(why),
        }
        self.announce_role(ctx);
        // If the new view does not start in time, the next one.
        Self::reset_view_change_timer(ctx);
        for peer in ctx.cluster.peers(ctx.id) {
            ctx.send(peer, Msg::StartViewChange { view }, Purpose::Election);
        }
        // With one replica, or one other needed, it may be done already.
        self.maybe_do_view_change(ctx);
    }

    /// A view-change message for `view` from `from`: join a later view.
    /// Whether this replica is now changing to `view`.
    fn join(&mut self, from: NodeId, view: View, ctx: &mut VrCtx<'_>) -> bool {
        if matches!(self.status, Status::Recovering { .. }) {
            return false;
        }
        if view > self.view {
            self.start_view_change(view, Note::Joining { view, from }, ctx);
        }
        view == self.view && matches!(self.status, Status::ViewChange { .. })
    }

    fn on_start_view_change(&mut self, from: NodeId, view: View, ctx: &mut VrCtx<'_>) {
        if !self.join(from, view, ctx) {
            if view < self.view || self.normal() {
                ctx.refuse(self.old_view("StartViewChange", from, view));
            }
            return;
        }
        if let Status::ViewChange { started_by, .. } = &mut self.status {
            started_by.insert(from);
        }
        self.maybe_do_view_change(ctx);
    }

    /// Step 2: with StartViewChange from `f` others, send DoViewChange to
    /// the new primary.
    fn maybe_do_view_change(&mut self, ctx: &mut VrCtx<'_>) {
        let needed = ctx.cluster.quorum() - 1;
        let Status::ViewChange {
            started_by, sent, ..
        } = &mut self.status
        else {
            return;
        };
        if *sent || started_by.len() < needed {
            return;
        }
        *sent = true;
        let view = self.view;
        let to = primary_of(view, ctx.cluster.size);
        ctx.note(Note::SendingLog { view, to });
        if to == ctx.id {
            let mine = Candidate {
                log: self.log.clone(),
                last_normal: self.last_normal,
                commit: self.commit,
            };
            self.on_do_view_change(ctx.id, view, mine, ctx);
        } else {
            let msg = Msg::DoViewChange {
                view,
                log: self.log.clone(),
                last_normal: self.last_normal,
                op: self.op,
                commit: self.commit,
            };
            ctx.send(to, msg, Purpose::Election);
        }
    }

    /// Step 3: the new primary gathers `f + 1` DoViewChanges and starts
    /// the view with the log of the largest last normal view.
    fn on_do_view_change(&mut self, from: NodeId, view: View, c: Candidate, ctx: &mut VrCtx<'_>) {
        if !self.join(from, view, ctx) {
            ctx.refuse(self.old_view("DoViewChange", from, view));
            return;
        }
        if primary_of(view, ctx.cluster.size) != ctx.id {
            ctx.refuse(Note::NotPrimaryFor {
                kind: "DoViewChange",
                from,
            });
            return;
        }
        let Status::ViewChange { candidates, .. } = &mut self.status else {
            return;
        };
        candidates.insert(from, c);
        if candidates.len() < ctx.cluster.quorum() {
            return;
        }
        let candidates = core::mem::take(candidates);
        // The log from the largest last normal view; of those, the one
        // with the largest op-number.
        let (best, chosen) = candidates
            .iter()
            .max_by_key(|(_, c)| (c.last_normal, c.log.len()))
            .map(|(id, c)| (*id, c.clone()))
            .expect("a quorum is never empty");
        let commit = candidates.values().map(|c| c.commit).max().unwrap_or(0);
        let why = if ctx.cluster.mistake(Mistake::VrPickAnyLog) {
            Note::KeptOwnLog { view, best }
        } else {
            let why = Note::StartingView {
                view,
                chosen: best,
                last_normal: chosen.last_normal,
                op: chosen.log.len() as OpNumber,
            };
            self.log = chosen.log;
            why
        };
        self.op = self.log.len() as OpNumber;
        self.status = Status::Normal;
        self.last_normal = view;
        self.lead(candidates.keys().copied().collect(), ctx);
        ctx.milestone(Milestone::LeaderElected, why);
        self.announce_role(ctx);
        let (log, op) = (self.log.clone(), self.op);
        let announced = commit.min(op);
        for peer in ctx.cluster.peers(ctx.id) {
            let msg = Msg::StartView {
                view,
                log: log.clone(),
                op,
                commit: announced,
            };
            ctx.send(peer, msg, Purpose::Election);
        }
        self.advance_commit(commit, ctx);
        if let Some(p) = &mut self.primary {
            p.announced = self.commit;
        }
    }

    /// Step 5: a backup takes the new primary's log.
    fn on_start_view(
        &mut self,
        from: NodeId,
        view: View,
        log: Vec<Entry>,
        commit: OpNumber,
        ctx: &mut VrCtx<'_>,
    ) {
        let current = view == self.view && self.normal();
        if matches!(self.status, Status::Recovering { .. }) || view < self.view || current {
            ctx.refuse(self.old_view("StartView", from, view));
            return;
        }
        self.log = log;
        self.op = self.log.len() as OpNumber;
        self.commit = self.commit.min(self.op);
        self.become_backup(view, ctx);
        ctx.note(Note::Adopted { view, op: self.op });
        self.announce_role(ctx);
        self.advance_commit(commit, ctx);
        self.acknowledge_log(from, ctx);
    }

    // ---- State transfer (§5.2) ----

    fn on_get_state(&mut self, from: NodeId, view: View, op: OpNumber, ctx: &mut VrCtx<'_>) {
        // "A replica responds to a GETSTATE message only if its status is
        // normal and it is currently in view v."
        if !self.normal() {
            ctx.refuse(Note::NotNormal {
                kind: "GetState",
                from,
            });
            return;
        }
        if view != self.view || op > self.op {
            ctx.refuse(self.old_view("GetState", from, view));
            return;
        }
        let msg = Msg::NewState {
            view,
            from: op,
            log: self.log[op as usize..].to_vec(),
            commit: self.commit,
        };
        ctx.reply(from, msg);
    }

    fn on_new_state(
        &mut self,
        from_node: NodeId,
        view: View,
        from: OpNumber,
        log: Vec<Entry>,
        commit: OpNumber,
        ctx: &mut VrCtx<'_>,
    ) {
        if matches!(self.status, Status::Recovering { .. }) || view < self.view {
            ctx.refuse(self.old_view("NewState", from_node, view));
            return;
        }
        // In its own view a normal replica's log is a prefix of the
        // primary's; moving to a later view, only the committed part is.
        let sure = if view == self.view && self.normal() {
            self.op
        } else {
            self.commit
        };
        if from > sure {
            ctx.refuse(Note::StateDoesNotFit { from, op: sure });
            return;
        }
        let moved = view != self.view || !self.normal();
        // A NewState may be an old answer: it never takes away what this
        // replica already has (in its view) or has committed.
        let until = from + log.len() as OpNumber;
        let keep = if moved { self.commit } else { self.op };
        if until < keep || (!moved && until == keep) {
            ctx.refuse(Note::StateDoesNotFit { from, op: keep });
            return;
        }
        self.log.truncate(from as usize);
        self.log.extend(log);
        self.op = self.log.len() as OpNumber;
        if moved {
            self.become_backup(view, ctx);
            self.announce_role(ctx);
        } else {
            Self::reset_view_change_timer(ctx);
        }
        ctx.note(Note::Transferred { view, op: self.op });
        self.advance_commit(commit, ctx);
        self.acknowledge_log(from_node, ctx);
    }

    // ---- Recovery (§4.3) ----

    fn ask_to_recover(&self, ctx: &mut VrCtx<'_>) {
        let Status::Recovering { nonce, .. } = self.status else {
            return;
        };
        for peer in ctx.cluster.peers(ctx.id) {
            ctx.send(peer, Msg::Recovery { nonce }, Purpose::Recovery);
        }
        let (lo, hi) = ctx.cluster.timing.election;
        let after = ctx.random_between(lo, hi);
        ctx.set_timer(Timer::Recovery, after);
    }

    /// "A replica j replies to a RECOVERY message only when its status is
    /// normal", with its log if it is the primary.
    fn on_recovery(&mut self, from: NodeId, nonce: u64, ctx: &mut VrCtx<'_>) {
        if !self.normal() {
            ctx.refuse(Note::NotNormal {
                kind: "Recovery",
                from,
            });
            return;
        }
        let state = self.primary.as_ref().map(|_| PrimaryState {
            log: self.log.clone(),
            op: self.op,
            commit: self.commit,
        });
        let view = self.view;
        ctx.reply(from, Msg::RecoveryResponse { view, nonce, state });
    }

    fn on_recovery_response(
        &mut self,
        from: NodeId,
        view: View,
        nonce: u64,
        state: Option<PrimaryState>,
        ctx: &mut VrCtx<'_>,
    ) {
        let Status::Recovering {
            nonce: mine,
            answers,
        } = &mut self.status
        else {
            ctx.refuse(Note::NotPrimaryFor {
                kind: "RecoveryResponse",
                from,
            });
            return;
        };
        if nonce != *mine {
            ctx.refuse(Note::OtherNonce { from });
            return;
        }
        answers.insert(from, (view, state));
        // f + 1 answers, one from the primary of the latest view among
        // them.
        if answers.len() < ctx.cluster.quorum() {
            return;
        }
        let Some(latest) = answers.values().map(|(v, _)| *v).max() else {
            return;
        };
        let primary = primary_of(latest, ctx.cluster.size);
        let Some((_, Some(state))) = answers.get(&primary).filter(|(v, _)| *v == latest) else {
            return;
        };
        let state = state.clone();
        self.log = state.log;
        self.op = state.op;
        self.commit = 0;
        ctx.cancel_timer(Timer::Recovery);
        self.become_backup(latest, ctx);
        ctx.milestone(
            Milestone::Recovered,
            Note::Recovered {
                view: latest,
                primary,
                op: self.op,
            },
        );
        self.announce_role(ctx);
        self.advance_commit(state.commit, ctx);
    }
}

impl Protocol for Vr {
    type Msg = Msg;
    type Timer = Timer;
    /// Nothing: VR writes nothing to disk.
    type Durable = ();
    type Note = Note;
    type Checker = VrChecker;

    const NAME: &'static str = "vr";
    const TITLE: &'static str = "Viewstamped Replication";
    const SHORT: &'static str = "VR";
    const LETTER: char = 'v';
    const LEARNING: &'static str = "the commit-number rides on the primary's next Prepare, or on its next Commit (also its heartbeat): a Commit that announces a decision is counted apart, as a notification";
    const DECISION_NUMBER: &'static str = "its op-number";
    const TEXTBOOK_PER_PEER: u64 = 2;
    const INDEX: &'static str = "op";
    const LABEL: &'static str = "view";
    const FOLLOWER: &'static str = "Backup";
    const DISKLESS: bool = true;
    const NO_SETUP: &'static str = "view 0 and its primary run from the start";

    /// View 0 runs from the start: replica 1 is its primary.
    fn boot(ctx: &mut Ctx<'_, Vr>) -> Self {
        let mut vr = Vr {
            view: 0,
            status: Status::Normal,
            last_normal: 0,
            log: Vec::new(),
            op: 0,
            commit: 0,
            primary: None,
        };
        if primary_of(0, ctx.cluster.size) == ctx.id {
            vr.lead(BTreeSet::new(), ctx);
        } else {
            Self::reset_view_change_timer(ctx);
        }
        vr
    }

    /// A restarted replica has nothing: it recovers its state from the
    /// others (§4.3), with a fresh nonce.
    fn restart((): (), ctx: &mut Ctx<'_, Vr>) -> Self {
        let nonce = ctx.random_between(1, u64::from(u32::MAX));
        let vr = Vr {
            view: 0,
            status: Status::Recovering {
                nonce,
                answers: BTreeMap::new(),
            },
            last_normal: 0,
            log: Vec::new(),
            op: 0,
            commit: 0,
            primary: None,
        };
        ctx.note(Note::Recovering { nonce });
        vr.ask_to_recover(ctx);
        vr
    }

    fn durable(&self) {}

    fn handle(&mut self, input: Input<Msg, Timer>, ctx: &mut Ctx<'_, Vr>) {
        match input {
            Input::Request(value) => self.on_request(value, ctx),
            Input::Timer(Timer::ViewChange) => match self.status {
                Status::Recovering { .. } => {}
                _ if self.primary.is_some() => {}
                Status::ViewChange { .. } => {
                    let why = Note::ViewChangeTimedOut { view: self.view };
                    self.start_view_change(self.view + 1, why, ctx);
                }
                Status::Normal => {
                    let why = Note::Suspect {
                        view: self.view + 1,
                        primary: primary_of(self.view, ctx.cluster.size),
                    };
                    self.start_view_change(self.view + 1, why, ctx);
                }
            },
            Input::Timer(Timer::Heartbeat) => self.heartbeat(ctx),
            Input::Timer(Timer::Recovery) => self.ask_to_recover(ctx),
            Input::Deliver { from, msg } => match msg {
                Msg::Prepare {
                    view,
                    op,
                    value,
                    commit,
                } => self.on_prepare(from, view, op, value, commit, ctx),
                Msg::PrepareOk { view, op } => self.on_prepare_ok(from, view, op, ctx),
                Msg::Commit { view, commit } => self.on_commit(from, view, commit, ctx),
                Msg::StartViewChange { view } => self.on_start_view_change(from, view, ctx),
                Msg::DoViewChange {
                    view,
                    log,
                    last_normal,
                    commit,
                    ..
                } => {
                    let c = Candidate {
                        log,
                        last_normal,
                        commit,
                    };
                    self.on_do_view_change(from, view, c, ctx);
                }
                Msg::StartView {
                    view, log, commit, ..
                } => self.on_start_view(from, view, log, commit, ctx),
                Msg::Recovery { nonce } => self.on_recovery(from, nonce, ctx),
                Msg::RecoveryResponse { view, nonce, state } => {
                    self.on_recovery_response(from, view, nonce, state, ctx)
                }
                Msg::GetState { view, op } => self.on_get_state(from, view, op, ctx),
                Msg::NewState {
                    view,
                    from: op,
                    log,
                    commit,
                } => self.on_new_state(from, view, op, log, commit, ctx),
            },
        }
    }

    /// Normal, with every op it holds committed.
    fn quiescent(&self) -> bool {
        self.normal() && self.commit == self.op
    }

    fn leads(&self) -> bool {
        self.primary.is_some()
    }

    fn era(&self) -> u64 {
        self.view
    }

    fn role_name(&self) -> &'static str {
        match self.status {
            Status::Normal if self.primary.is_some() => "Primary",
            Status::Normal => "Backup",
            Status::ViewChange { .. } => "View change",
            Status::Recovering { .. } => "Recovering",
        }
    }

    fn recovering(&self) -> bool {
        matches!(self.status, Status::Recovering { .. })
    }

    fn has_decided(&self, value: Value) -> bool {
        self.log[..self.commit as usize]
            .iter()
            .any(|e| e.value == value)
    }

    fn decided(&self, index: u32) -> Option<Value> {
        (u64::from(index) < self.commit).then(|| self.log[index as usize].value)
    }

    fn view(&self) -> NodeView {
        let mut details = alloc::vec![
            ("view-number", format!("{}", self.view)),
            (
                "status",
                match self.status {
                    Status::Normal => "normal",
                    Status::ViewChange { .. } => "view-change",
                    Status::Recovering { .. } => "recovering",
                }
                .into()
            ),
            ("last normal view", format!("{}", self.last_normal)),
            ("op-number", format!("{}", self.op)),
            ("commit-number", format!("{}", self.commit)),
        ];
        match &self.status {
            Status::Normal => {}
            Status::ViewChange {
                started_by,
                sent,
                candidates,
            } => {
                let ids: Vec<_> = started_by.iter().map(|n| format!("n{n}")).collect();
                details.push((
                    "StartViewChange from",
                    if ids.is_empty() {
                        "none yet".into()
                    } else {
                        ids.join(" ")
                    },
                ));
                details.push((
                    "DoViewChange",
                    if *sent { "sent" } else { "not yet sent" }.into(),
                ));
                if !candidates.is_empty() {
                    let ids: Vec<_> = candidates.keys().map(|n| format!("n{n}")).collect();
                    details.push(("logs received", ids.join(" ")));
                }
            }
            Status::Recovering { nonce, answers } => {
                details.push(("nonce", format!("{nonce}")));
                let ids: Vec<_> = answers
                    .iter()
                    .map(|(n, (v, _))| format!("n{n} (view {v})"))
                    .collect();
                details.push((
                    "answers",
                    if ids.is_empty() {
                        "none yet".into()
                    } else {
                        ids.join(" ")
                    },
                ));
            }
        }
        if let Some(p) = &self.primary {
            let acked: Vec<_> = p.acked.iter().map(|(n, op)| format!("n{n}:{op}")).collect();
            if !acked.is_empty() {
                details.push(("acknowledged", acked.join(" ")));
            }
        }
        let log = self
            .log
            .iter()
            .enumerate()
            .map(|(i, e)| EntryView {
                index: i as u64 + 1,
                label: format!("{}", e.view),
                key: u64::from(e.value),
                value: e.value,
                committed: (i as u64) < self.commit,
            })
            .collect();
        NodeView {
            role: self.role_name(),
            standing: match self.status {
                Status::Normal if self.primary.is_some() => Standing::Leads,
                Status::Normal => Standing::Serves,
                _ => Standing::Seeks,
            },
            leads: self.leads(),
            era_name: "view",
            era: self.view,
            log,
            details,
        }
    }
}

#[cfg(test)]
mod tests;
