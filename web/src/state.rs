//! The playground's state and its reducer: everything the learner does is a
//! [`UiAction`], recorded in `history`, applied to every panel (or to one, for
//! a chosen message or timer). All panels share one clock, so the same fault
//! or request lands at the same tick everywhere. Step back rebuilds the state
//! by replaying the history without its last action from the nearest
//! checkpoint (a snapshot of the panels every few hundred actions), which the
//! core's determinism makes exact. Nothing here touches the browser, so it is
//! tested natively.

use std::collections::VecDeque;
use std::rc::Rc;

use consensus_core::accounting::Summary;
use consensus_core::any::{AnyEvent, DecisionPoint, MessageView, ProtocolKind, TimerView};
use consensus_core::protocol::{
    Category, Mistakes, NodeId, NodeView, Purpose, Tick, Variant, Variants,
};
use consensus_core::sim::{Action, Shape};
use consensus_core::{AnySim, Config};
use yew::Reducible;

use crate::lessons::{self, Lesson};
use crate::session::{LessonMark, Session, UiAction, DEFAULT_PROTOCOLS, MAX_NODES, MIN_NODES};

/// Lines of event log kept per panel.
pub const LOG_LINES: usize = 200;
/// Messages kept per panel for the space-time diagram.
pub const RECORDS: usize = 80;
/// What the inspector shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    /// A node of a panel.
    Node {
        protocol: ProtocolKind,
        node: NodeId,
    },
    /// A message in flight in a panel.
    Message { protocol: ProtocolKind, id: u64 },
    /// A client operation of a panel's history, by its index.
    Op { protocol: ProtocolKind, op: u32 },
}

/// How a message ended, for the space-time diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Still in flight.
    InFlight,
    /// Delivered at this tick.
    Delivered(Tick),
    /// Lost at this tick.
    Lost(Tick),
}

/// One message, for the space-time diagram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Its id.
    pub id: u64,
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// Its type.
    pub kind: &'static str,
    /// The part it plays (its colour).
    pub category: Category,
    /// What it is spent on: heartbeats are folded in the event log.
    pub purpose: Purpose,
    /// Sent at.
    pub sent_at: Tick,
    /// How it ended.
    pub fate: Fate,
}

/// One line of a panel's event log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    /// Its number in the panel's log, for keyed rendering.
    pub seq: u64,
    /// What kind of line, for styling: `msg`, `note`, `late` (a reply
    /// that came too late to matter), `refusal`, `fault`, `violation`,
    /// `decision`, or `routine` for heartbeats folded into one line.
    pub class: &'static str,
    /// The text, in plain words (empty for a fold).
    pub text: String,
    /// A fold's lines, the most recent [`FOLD_KEPT`], with how many there
    /// were and the ticks of the first and the last.
    pub folded: Option<Fold>,
}

/// Heartbeats in a row, shown as one line the learner can open: while all
/// is well they are most of the traffic, and the lines that say why
/// something happened would drown in them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fold {
    /// The lines, the most recent [`FOLD_KEPT`].
    pub lines: VecDeque<String>,
    /// How many were folded.
    pub count: u32,
    /// When the first and the last happened.
    pub span: (Tick, Tick),
}

/// Lines a fold keeps.
pub const FOLD_KEPT: usize = 40;

/// One protocol's simulation with what the page shows of its past.
#[derive(Clone, Debug)]
pub struct Panel {
    /// The simulation.
    pub sim: AnySim,
    /// Recent events, oldest first.
    pub log: VecDeque<LogLine>,
    /// Recent messages, oldest first.
    pub records: VecDeque<Record>,
    /// Log lines written so far.
    logged: u64,
    /// What the page shows of the simulation, computed once per change
    /// rather than once per component render.
    pub seen: Seen,
}

/// A panel's simulation as the page shows it.
#[derive(Clone, Debug, Default)]
pub struct Seen {
    /// Each node's view; `None` for a crashed node.
    pub views: Vec<Option<NodeView>>,
    /// Messages in flight, soonest first.
    pub messages: Vec<MessageView>,
    /// Armed timers, soonest first.
    pub timers: Vec<TimerView>,
    /// Message accounting.
    pub summary: Summary,
    /// Decisions made, in order.
    pub decisions: Vec<DecisionPoint>,
    /// Cut links.
    pub cuts: Vec<(NodeId, NodeId)>,
}

impl Panel {
    fn new(protocol: ProtocolKind, config: Config) -> Result<Self, String> {
        let sim = AnySim::new(protocol, config).map_err(|e| e.to_string())?;
        let mut panel = Panel {
            sim,
            log: VecDeque::new(),
            records: VecDeque::new(),
            logged: 0,
            seen: Seen::default(),
        };
        let boot = panel.sim.boot_events();
        panel.absorb(&boot);
        panel.refresh();
        Ok(panel)
    }

    /// The protocol.
    pub fn protocol(&self) -> ProtocolKind {
        self.sim.kind()
    }

    fn apply(&mut self, action: Action) -> Result<(), String> {
        let events = self.sim.apply_events(action).map_err(|e| e.to_string())?;
        self.absorb(&events);
        Ok(())
    }

    /// Fold events into the log and the message records.
    fn absorb(&mut self, events: &[AnyEvent]) {
        for e in events {
            let line = |class, text: String| LogLine {
                seq: 0,
                class,
                text,
                folded: None,
            };
            // Lines that begin with their time, and indented ones that
            // continue the line above: the log shows each with its time.
            let timed = |class| {
                line(
                    class,
                    format!("t={} {}", e.at(), format!("{e}").trim_start()),
                )
            };
            let entry = match e.shape() {
                Shape::Sent {
                    id,
                    from,
                    to,
                    kind,
                    category,
                    purpose,
                } => {
                    self.records.push_back(Record {
                        id,
                        from,
                        to,
                        kind,
                        category,
                        purpose,
                        sent_at: e.at(),
                        fate: Fate::InFlight,
                    });
                    while self.records.len() > RECORDS {
                        self.records.pop_front();
                    }
                    None
                }
                Shape::Delivered { id } => {
                    self.settle(id, Fate::Delivered(e.at()));
                    let heartbeat = self
                        .records
                        .iter()
                        .rev()
                        .find(|r| r.id == id)
                        .is_some_and(|r| r.purpose == Purpose::Heartbeat);
                    if heartbeat {
                        self.fold(e.at(), format!("{e}"));
                        None
                    } else {
                        Some(line("msg", format!("{e}")))
                    }
                }
                Shape::TimerFired { routine: true } => {
                    self.fold(e.at(), format!("{e}").trim_start().to_string());
                    None
                }
                Shape::Lost { id } => {
                    self.settle(id, Fate::Lost(e.at()));
                    Some(timed("fault"))
                }
                Shape::Decided | Shape::Answered => Some(timed("decision")),
                Shape::Refused { late: true } => Some(timed("late")),
                Shape::Refused { late: false } => Some(timed("refusal")),
                Shape::Note => Some(timed("note")),
                Shape::Violated => Some(timed("violation")),
                Shape::Fault => Some(line("fault", format!("{e}"))),
                Shape::Duplicated { .. }
                | Shape::Delayed
                | Shape::TimerFired { routine: false }
                | Shape::Requested => Some(line("msg", format!("{e}").trim_start().to_string())),
            };
            if let Some(l) = entry {
                self.push_line(l);
            }
        }
    }

    fn push_line(&mut self, mut l: LogLine) {
        self.logged += 1;
        l.seq = self.logged;
        self.log.push_back(l);
        while self.log.len() > LOG_LINES {
            self.log.pop_front();
        }
    }

    /// Adds a heartbeat to the fold the log ends with, or starts one.
    fn fold(&mut self, at: Tick, text: String) {
        if let Some(Fold { lines, count, span }) =
            self.log.back_mut().and_then(|l| l.folded.as_mut())
        {
            lines.push_back(text);
            if lines.len() > FOLD_KEPT {
                lines.pop_front();
            }
            *count += 1;
            span.1 = at;
            return;
        }
        self.push_line(LogLine {
            seq: 0,
            class: "routine",
            text: String::new(),
            folded: Some(Fold {
                lines: VecDeque::from([text]),
                count: 1,
                span: (at, at),
            }),
        });
    }

    /// Recompute what the page shows.
    fn refresh(&mut self) {
        let mut messages = self.sim.messages();
        messages.sort_by_key(|m| (m.deliver_at, m.id));
        self.seen = Seen {
            views: self.sim.views(),
            messages,
            timers: self.sim.timers(),
            summary: self.sim.summary(),
            decisions: self.sim.decision_points(),
            cuts: self.sim.cuts(),
        };
    }

    fn settle(&mut self, id: u64, fate: Fate) {
        if let Some(r) = self.records.iter_mut().find(|r| r.id == id) {
            r.fate = fate;
        }
    }

    /// Messages per decision so far, over all decisions made.
    pub fn per_decision(&self) -> Option<f64> {
        let s = &self.seen.summary;
        (s.decisions > 0).then(|| s.messages() as f64 / s.decisions as f64)
    }
}

/// The whole playground.
#[derive(Clone, Debug)]
pub struct Playground {
    /// Cluster size.
    pub nodes: u8,
    /// The seed every panel shares.
    pub seed: u64,
    /// The protocols shown, in order.
    pub protocols: Vec<ProtocolKind>,
    /// One panel per protocol.
    pub panels: Vec<Panel>,
    /// The shared clock.
    pub now: Tick,
    /// Everything done since the last reset.
    pub history: Vec<UiAction>,
    /// Whether Play is on.
    pub playing: bool,
    /// Ticks per second while playing.
    pub speed: u32,
    /// What the inspector shows.
    pub selected: Option<Selection>,
    /// The last refused action, in plain words.
    pub error: Option<String>,
    /// Whether the keyboard help is open.
    pub help: bool,
    /// A passing message (say, "Link copied").
    pub notice: Option<String>,
    /// Bumped by every change, so views can tell states apart cheaply.
    pub version: u64,
    /// Switched-on textbook mistakes (a guided scenario may switch one on).
    pub mistakes: Mistakes,
    /// Protocol variants chosen (say, Raft without the no-op, as in Figure 8).
    pub variants: Variants,
    /// The guided scenario being followed, if any.
    pub lesson: Option<LessonAt>,
    /// Snapshots of the panels along `history`, for cheap time travel.
    checkpoints: Checkpoints,
}

/// Actions between two checkpoints, at first.
pub const CHECKPOINT_EVERY: usize = 256;
/// Most checkpoints kept: past it, every other one goes and the spacing
/// doubles, so memory stays bounded however long the session.
pub const MAX_CHECKPOINTS: usize = 64;

/// The panels as they were after some prefix of the history. Step back and
/// moving along a guided scenario go back to the nearest checkpoint and
/// replay from there, which the core's determinism makes exact.
#[derive(Clone, Debug)]
struct Checkpoint {
    /// Actions applied when it was taken.
    at: usize,
    panels: Vec<Panel>,
    now: Tick,
}

/// Checkpoints in history order, `every` actions apart.
#[derive(Clone, Debug)]
struct Checkpoints {
    every: usize,
    kept: Vec<Rc<Checkpoint>>,
}

impl Default for Checkpoints {
    fn default() -> Self {
        Checkpoints {
            every: CHECKPOINT_EVERY,
            kept: Vec::new(),
        }
    }
}

impl Checkpoints {
    /// Take one of `panels` after `at` actions, if one is due there.
    fn offer(&mut self, at: usize, panels: &[Panel], now: Tick) {
        if at % self.every != 0 {
            return;
        }
        if self.kept.len() == MAX_CHECKPOINTS {
            self.every *= 2;
            let every = self.every;
            self.kept.retain(|c| c.at % every == 0);
            if at % every != 0 {
                return;
            }
        }
        self.kept.push(Rc::new(Checkpoint {
            at,
            panels: panels.to_vec(),
            now,
        }));
    }

    /// Forget the checkpoints taken after `len` actions.
    fn truncate(&mut self, len: usize) {
        self.kept.retain(|c| c.at <= len);
    }

    /// The latest checkpoint at or before `len` actions.
    fn before(&self, len: usize) -> Option<&Rc<Checkpoint>> {
        self.kept.iter().rev().find(|c| c.at <= len)
    }
}

/// Where the learner is in a guided scenario.
#[derive(Clone, Debug)]
pub struct LessonAt {
    /// The scenario, with its actions worked out.
    pub lesson: Rc<Lesson>,
    /// The narration step shown, from 0.
    pub step: usize,
}

impl LessonAt {
    /// How many actions the learner has taken of their own since the
    /// narration step shown (0 while following the script).
    pub fn detour(&self, history: &[UiAction]) -> usize {
        let end = self.lesson.steps[self.step].end;
        let shared = history
            .iter()
            .zip(&self.lesson.script.history[..end])
            .take_while(|(a, b)| a == b)
            .count();
        history.len() - shared + (end - shared)
    }
}

/// Everything the reducer does.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// Do something (recorded).
    Do(UiAction),
    /// Undo the last thing done.
    StepBack,
    /// Start over with this seed.
    NewSeed(u64),
    /// Start over with this many nodes.
    SetNodes(u8),
    /// Play or pause.
    TogglePlay,
    /// Pause (when the tab is hidden).
    Pause,
    /// Ticks per second.
    SetSpeed(u32),
    /// Show something in the inspector.
    Select(Option<Selection>),
    /// Open or close the keyboard help.
    ToggleHelp,
    /// Hide the error message.
    DismissError,
    /// Open a guided scenario at its first step.
    OpenLesson(&'static str),
    /// The next narration step.
    LessonNext,
    /// The previous narration step; off script, back to the step shown.
    LessonBack,
    /// Stop following the guided scenario, keeping the state.
    CloseLesson,
    /// Switch every mistake off and replay the session without them.
    ClearMistakes,
    /// Choose a protocol variant or not, replaying the session with the
    /// choice (or refusing, with the reason, if it no longer replays).
    SetVariant(Variant, bool),
    /// Show (or stop showing) a protocol's panel: the session is replayed
    /// with the new set, so a panel added goes through the same actions.
    ShowProtocol(ProtocolKind, bool),
    /// Open a session from a link, a saved session or a file: replayed
    /// exactly, or refused with the reason and the current state kept.
    Load {
        session: Session,
        from: &'static str,
    },
    /// Show an error (a link or file that could not be read).
    Refuse(String),
    /// Show a passing message.
    Notice(String),
}

/// Speeds offered, in ticks per second.
pub const SPEEDS: [u32; 5] = [1, 2, 4, 8, 16];

impl Playground {
    /// A fresh playground: the protocols shown by default, `nodes` nodes, `seed`.
    pub fn new(nodes: u8, seed: u64) -> Self {
        Self::with(DEFAULT_PROTOCOLS.to_vec(), nodes, seed)
    }

    /// A fresh playground showing `protocols`.
    pub fn with(protocols: Vec<ProtocolKind>, nodes: u8, seed: u64) -> Self {
        Self::configured(protocols, nodes, seed, Mistakes::NONE, Variants::NONE)
    }

    /// A fresh playground showing `protocols`, with `mistakes` switched on
    /// and `variants` chosen.
    pub fn configured(
        protocols: Vec<ProtocolKind>,
        nodes: u8,
        seed: u64,
        mistakes: Mistakes,
        variants: Variants,
    ) -> Self {
        let nodes = nodes.clamp(MIN_NODES, MAX_NODES);
        let config = Config {
            mistakes,
            variants,
            ..Config::new(nodes, seed)
        };
        let panels = protocols
            .iter()
            .filter_map(|p| Panel::new(*p, config.clone()).ok())
            .collect();
        Playground {
            nodes,
            seed,
            protocols,
            panels,
            now: 0,
            history: Vec::new(),
            playing: false,
            speed: 4,
            selected: None,
            error: None,
            help: false,
            notice: None,
            version: 0,
            mistakes,
            variants,
            lesson: None,
            checkpoints: Checkpoints::default(),
        }
    }

    /// How many checkpoints are kept, and how many actions apart.
    pub fn checkpoint_spacing(&self) -> (usize, usize) {
        (self.checkpoints.kept.len(), self.checkpoints.every)
    }

    /// The panel of `protocol`, if shown.
    pub fn panel(&self, protocol: ProtocolKind) -> Option<&Panel> {
        self.panels.iter().find(|p| p.protocol() == protocol)
    }

    /// Replay a session's history from scratch; on a refused action, its
    /// position (from 1) and why. The session's guided-scenario mark is not
    /// looked at here (see [`Msg::Load`]).
    pub fn replay(session: &Session) -> Result<Self, (usize, String)> {
        let mut pg = Self::configured(
            session.protocols.clone(),
            session.nodes,
            session.seed,
            session.mistakes,
            session.variants,
        );
        for (i, a) in session.history.iter().enumerate() {
            pg.act(a.clone()).map_err(|e| (i + 1, e))?;
        }
        Ok(pg)
    }

    /// The session, for share links and autosave.
    pub fn session(&self) -> Session {
        Session {
            protocols: self.protocols.clone(),
            nodes: self.nodes,
            seed: self.seed,
            mistakes: self.mistakes,
            variants: self.variants,
            history: self.history.clone(),
            lesson: self.lesson.as_ref().map(|l| LessonMark {
                id: l.lesson.id.to_string(),
                step: u32::try_from(l.step).unwrap_or(0),
            }),
        }
    }

    /// This playground with the state a session replays to, keeping the
    /// learner's speed; or why it cannot be replayed. A session that starts
    /// like this one goes back to the checkpoint nearest the end of what the
    /// two have in common and replays only the rest.
    fn reopened(&self, session: &Session) -> Result<Playground, (usize, String)> {
        if !self.session().same_setup(session) {
            let loaded = Playground::replay(session)?;
            return Ok(Playground {
                speed: self.speed,
                ..loaded
            });
        }
        let common = self
            .history
            .iter()
            .zip(&session.history)
            .take_while(|(a, b)| a == b)
            .count();
        let mut next = self.rewound(common);
        for (i, a) in session.history.iter().enumerate().skip(common) {
            next.act(a.clone()).map_err(|e| (i + 1, e))?;
        }
        Ok(next)
    }

    /// This playground as it was after the first `len` actions of its
    /// history: the nearest checkpoint, and the actions after it replayed.
    fn rewound(&self, len: usize) -> Playground {
        let mut back = Playground {
            history: Vec::new(),
            error: None,
            notice: None,
            selected: None,
            playing: false,
            help: false,
            lesson: None,
            ..self.clone()
        };
        back.checkpoints.truncate(len);
        let start = match back.checkpoints.before(len) {
            Some(c) => {
                back.panels = c.panels.clone();
                back.now = c.now;
                c.at
            }
            None => {
                let fresh = Playground::configured(
                    self.protocols.clone(),
                    self.nodes,
                    self.seed,
                    self.mistakes,
                    self.variants,
                );
                back.panels = fresh.panels;
                back.now = fresh.now;
                0
            }
        };
        back.history = self.history[..start].to_vec();
        // Replaying a prefix of what was applied cannot be refused.
        for a in &self.history[start..len] {
            let _ = back.act(a.clone());
        }
        back
    }

    /// A fresh start with `nodes` and `seed`, keeping the protocols shown,
    /// the mistakes switched on, the variants chosen and the speed.
    fn restarted(&self, nodes: u8, seed: u64) -> Playground {
        Playground {
            speed: self.speed,
            ..Playground::configured(
                self.protocols.clone(),
                nodes,
                seed,
                self.mistakes,
                self.variants,
            )
        }
    }

    /// Go to step `step` of `lesson`: its script replayed up to there.
    fn follow(&self, lesson: Rc<Lesson>, step: usize) -> Result<Playground, String> {
        let step = step.min(lesson.steps.len() - 1);
        let mut session = lesson.script.clone();
        session.history.truncate(lesson.steps[step].end);
        let mut next = self
            .reopened(&session)
            .map_err(|(i, why)| format!("action {i} of the script was refused ({why})"))?;
        next.lesson = Some(LessonAt { lesson, step });
        Ok(next)
    }

    /// Do `action` on every panel it concerns. If it is refused everywhere
    /// it concerns, nothing changes and the reason is returned.
    pub fn act(&mut self, action: UiAction) -> Result<(), String> {
        // Nothing to undo on a refusal: the simulator refuses an action
        // before it changes anything, and `apply` refuses only when every
        // panel it concerns did (or before it touched any).
        self.apply(&action)?;
        for p in &mut self.panels {
            p.refresh();
        }
        self.history.push(action);
        self.error = None;
        self.checkpoints
            .offer(self.history.len(), &self.panels, self.now);
        Ok(())
    }

    fn apply(&mut self, action: &UiAction) -> Result<(), String> {
        match action {
            UiAction::Step => {
                let due = self
                    .panels
                    .iter()
                    .filter_map(|p| p.sim.next_event_at())
                    .min();
                let until =
                    due.ok_or("nothing to do: no message is in flight and no timer is armed")?;
                self.advance(until.max(self.now))
            }
            UiAction::Tick => self.advance(self.now + 1),
            UiAction::Request => self.everywhere(&Action::Submit),
            UiAction::RequestAtOnce => self.everywhere(&Action::Request { node: None }),
            UiAction::RequestAt(n) => self.everywhere(&Action::Request { node: Some(*n) }),
            UiAction::Crash(n) => self.everywhere(&Action::Crash(*n)),
            UiAction::Restart(n) => self.everywhere(&Action::Restart(*n)),
            UiAction::Isolate(n) => self.everywhere(&Action::Partition(vec![vec![*n]])),
            UiAction::Partition(groups) => self.everywhere(&Action::Partition(groups.clone())),
            UiAction::Cut { from, to } => self.everywhere(&Action::Cut {
                from: *from,
                to: *to,
            }),
            UiAction::Sever { a, b } => {
                self.everywhere(&Action::Cut { from: *a, to: *b })?;
                self.everywhere(&Action::Cut { from: *b, to: *a })
            }
            UiAction::Heal => self.everywhere(&Action::Heal),
            UiAction::TimeOut { protocol, node } => {
                let panel = self.panel_mut(*protocol)?;
                let timer = panel.sim.timeout_timer(*node).ok_or_else(|| {
                    format!("n{node} has no timeout armed in {}", protocol.title())
                })?;
                panel.apply(Action::Fire {
                    node: *node,
                    timer: timer.to_string(),
                })
            }
            UiAction::Panel { protocol, action } => {
                self.panel_mut(*protocol)?.apply(action.to_action())
            }
            UiAction::Invoke { client, node, op } => self.each_panel(|protocol| Action::Invoke {
                client: *client,
                node: *node,
                op: op.for_protocol(protocol),
            }),
            UiAction::Retry { client, node } => self.everywhere(&Action::Retry {
                client: *client,
                node: *node,
            }),
            UiAction::GiveUp(client) => self.everywhere(&Action::GiveUp(*client)),
        }
    }

    fn panel_mut(&mut self, protocol: ProtocolKind) -> Result<&mut Panel, String> {
        self.panels
            .iter_mut()
            .find(|p| p.protocol() == protocol)
            .ok_or_else(|| format!("{} is not shown", protocol.title()))
    }

    /// Apply `action` to every panel; refused only if every panel refuses.
    fn everywhere(&mut self, action: &Action) -> Result<(), String> {
        self.each_panel(|_| action.clone())
    }

    /// Apply to each panel the action `action` makes for its protocol;
    /// refused only if every panel refuses.
    fn each_panel(&mut self, action: impl Fn(ProtocolKind) -> Action) -> Result<(), String> {
        let mut errors = Vec::new();
        for p in &mut self.panels {
            if let Err(e) = p.apply(action(p.protocol())) {
                errors.push(format!("{}: {e}", p.protocol().title()));
            }
        }
        if !self.panels.is_empty() && errors.len() == self.panels.len() {
            let first = errors[0]
                .split_once(": ")
                .map_or(errors[0].clone(), |(_, e)| e.to_string());
            return Err(first);
        }
        Ok(())
    }

    /// Every panel processes what is due up to `until`, then waits there.
    fn advance(&mut self, until: Tick) -> Result<(), String> {
        for p in &mut self.panels {
            while p.sim.next_event_at().is_some_and(|t| t <= until) {
                p.apply(Action::Next)?;
            }
            if p.sim.now() < until {
                p.apply(Action::Wait { until })?;
            }
        }
        self.now = until;
        Ok(())
    }

    /// The message `id` of `protocol`, if in flight.
    /// Whether message `m` of `protocol` serves the client operation
    /// selected in that panel: it names one of the operation's values or
    /// reads (`v7`, `r3`) as a whole word.
    pub fn serves_selected_op(&self, protocol: ProtocolKind, m: &MessageView) -> bool {
        let Some(Selection::Op { protocol: p, op }) = self.selected else {
            return false;
        };
        let Some(panel) = self.panel(protocol).filter(|_| p == protocol) else {
            return false;
        };
        let words: Vec<&str> = m.text.split(|c: char| !c.is_ascii_alphanumeric()).collect();
        panel
            .sim
            .clients()
            .tokens_of(op)
            .iter()
            .any(|t| words.contains(&t.as_str()))
    }

    pub fn message(&self, protocol: ProtocolKind, id: u64) -> Option<MessageView> {
        self.panel(protocol)?
            .sim
            .messages()
            .into_iter()
            .find(|m| m.id == id)
    }
}

impl Reducible for Playground {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let mut next = (*self).clone();
        match msg {
            Msg::Do(action) => {
                next.notice = None;
                let stop = matches!(action, UiAction::Tick);
                if let Err(e) = next.act(action) {
                    next.error = Some(e);
                    if stop {
                        next.playing = false;
                    }
                }
            }
            Msg::StepBack => {
                if next.history.is_empty() {
                    next.error = Some("nothing to undo: this is the start of the run".into());
                } else {
                    let mut session = next.session();
                    session.history.pop();
                    // Replaying a prefix of what was applied cannot be refused.
                    if let Ok(mut back) = next.reopened(&session) {
                        back.selected = next.selected;
                        back.lesson = next.lesson.clone();
                        next = back;
                    }
                }
            }
            Msg::Load { session, from } => match next.reopened(&session) {
                Ok(mut loaded) => {
                    // A session made while following a guided scenario
                    // opens with its narration, if the script still matches.
                    loaded.lesson = session.lesson.as_ref().and_then(|mark| {
                        let lesson = Rc::new(lessons::build(&mark.id).ok()?);
                        let step = usize::try_from(mark.step).ok()?;
                        (step < lesson.steps.len() && lesson.script.same_setup(&session))
                            .then_some(LessonAt { lesson, step })
                    });
                    next = loaded;
                }
                Err((i, why)) => {
                    next.error = Some(format!(
                        "{from} could not be replayed: action {i} of {} was refused ({why}). The playground kept its current state.",
                        session.history.len()
                    ));
                }
            },
            Msg::OpenLesson(id) => match lessons::build(id) {
                Ok(lesson) => match next.follow(Rc::new(lesson), 0) {
                    Ok(opened) => next = opened,
                    Err(why) => {
                        next.error = Some(format!("This guided scenario could not start: {why}."))
                    }
                },
                Err(why) => next.error = Some(why),
            },
            Msg::LessonNext | Msg::LessonBack => {
                if let Some(at) = next.lesson.clone() {
                    // Off script, Back first returns to the step shown.
                    let on_script = at.detour(&next.history) == 0;
                    let step = match msg {
                        Msg::LessonNext => at.step + 1,
                        Msg::LessonBack if on_script => at.step.saturating_sub(1),
                        _ => at.step,
                    };
                    match next.follow(at.lesson, step) {
                        Ok(moved) => next = moved,
                        Err(why) => {
                            next.error = Some(format!("This step could not be shown: {why}."))
                        }
                    }
                }
            }
            Msg::CloseLesson => next.lesson = None,
            Msg::ClearMistakes => {
                let session = Session {
                    mistakes: Mistakes::NONE,
                    ..next.session()
                };
                match next.reopened(&session) {
                    Ok(cleared) => next = cleared,
                    Err((i, why)) => {
                        next.error = Some(format!(
                            "Without the mistake, action {i} could not be replayed ({why}); the mistake stays on."
                        ))
                    }
                }
            }
            Msg::SetVariant(variant, on) => {
                let session = next.session();
                let variants = if on {
                    session.variants.with(variant)
                } else {
                    session.variants.without(variant)
                };
                match next.reopened(&Session { variants, ..session }) {
                    Ok(chosen) => next = chosen,
                    Err((i, why)) => {
                        next.error = Some(format!(
                            "With that choice, action {i} could not be replayed ({why}); nothing changed."
                        ))
                    }
                }
            }
            Msg::ShowProtocol(protocol, on) => {
                let mut session = next.session();
                if on && !session.protocols.contains(&protocol) {
                    session.protocols.push(protocol);
                } else if !on && session.protocols.len() > 1 {
                    session.protocols.retain(|p| *p != protocol);
                    // What was done to that panel alone goes with it.
                    session.history.retain(|a| a.protocol() != Some(protocol));
                } else {
                    return self;
                }
                session.lesson = None;
                match next.reopened(&session) {
                    Ok(shown) => next = shown,
                    Err((i, why)) => {
                        next.error = Some(format!(
                            "With that set of protocols, action {i} could not be replayed ({why}); nothing changed."
                        ))
                    }
                }
            }
            Msg::Refuse(why) => next.error = Some(why),
            Msg::Notice(text) => next.notice = Some(text),
            Msg::NewSeed(seed) => next = next.restarted(next.nodes, seed),
            Msg::SetNodes(n) => next = next.restarted(n, next.seed),
            Msg::TogglePlay => next.playing = !next.playing,
            Msg::Pause => {
                if !next.playing {
                    return self;
                }
                next.playing = false;
            }
            Msg::SetSpeed(s) => next.speed = if SPEEDS.contains(&s) { s } else { 4 },
            Msg::Select(sel) => next.selected = sel,
            Msg::ToggleHelp => next.help = !next.help,
            Msg::DismissError => next.error = None,
        }
        next.version = self.version + 1;
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::PanelAction;
    use consensus_core::protocol::NO_OP;

    fn reduce(pg: Playground, msg: Msg) -> Playground {
        (*Rc::new(pg).reduce(msg)).clone()
    }

    fn leaders(pg: &Playground) -> Vec<bool> {
        pg.panels
            .iter()
            .map(|p| p.sim.views().iter().flatten().any(|v| v.leads))
            .collect()
    }

    /// How many no-ops the Raft panel's nodes hold.
    fn noops(pg: &Playground) -> usize {
        let raft = pg.panel(ProtocolKind::Raft).expect("a Raft panel");
        let views = raft.sim.views();
        let logs = views.iter().flatten().map(|v| &v.log);
        logs.map(|l| l.iter().filter(|e| e.value == NO_OP).count())
            .sum()
    }

    #[test]
    fn the_raft_noop_is_switched_off_and_on_by_replaying_the_session() {
        let mut pg = Playground::new(3, 1);
        while noops(&pg) == 0 {
            assert!(
                pg.now < 200,
                "a Raft leader is elected and appends its no-op"
            );
            pg = reduce(pg, Msg::Do(UiAction::Step));
        }
        let actions = pg.history.clone();
        pg = reduce(pg, Msg::SetVariant(Variant::RaftNoNoop, true));
        assert!(pg.error.is_none(), "{:?}", pg.error);
        assert!(pg.variants.has(Variant::RaftNoNoop));
        assert_eq!(pg.history, actions, "nothing the learner did is lost");
        assert_eq!(noops(&pg), 0);
        assert!(crate::link::encode(&pg.session()).contains(";o=raft-no-noop;"));
        let reopened = reduce(
            Playground::new(3, 1),
            Msg::Load {
                session: pg.session(),
                from: "link",
            },
        );
        assert_eq!(reopened.variants, pg.variants, "links keep the choice");
        pg = reduce(pg, Msg::SetVariant(Variant::RaftNoNoop, false));
        assert_eq!(pg.variants, Variants::NONE);
        assert!(noops(&pg) > 0);
    }

    #[test]
    fn starts_paused_with_three_panels_at_time_zero() {
        let pg = Playground::new(5, 1);
        assert!(!pg.playing);
        assert_eq!(pg.now, 0);
        let titles: Vec<&str> = pg.panels.iter().map(|p| p.protocol().title()).collect();
        assert_eq!(titles, ["Raft", "Basic Paxos", "Zab"]);
        assert!(pg
            .panels
            .iter()
            .all(|p| p.sim.config().nodes == 5 && p.sim.config().seed == 1));
    }

    #[test]
    fn step_keeps_every_panel_on_one_clock() {
        let mut pg = Playground::new(3, 2);
        for _ in 0..25 {
            pg = reduce(pg, Msg::Do(UiAction::Step));
            assert!(
                pg.panels.iter().all(|p| p.sim.now() == pg.now),
                "clocks diverged at t={}",
                pg.now
            );
        }
        assert!(pg.now > 0);
        assert_eq!(pg.history.len(), 25);
    }

    #[test]
    fn ticks_elect_leaders_and_requests_get_decided_everywhere() {
        let mut pg = Playground::new(3, 3);
        for _ in 0..60 {
            pg = reduce(pg, Msg::Do(UiAction::Tick));
        }
        assert_eq!(pg.now, 60);
        assert_eq!(
            leaders(&pg),
            [true, false, true],
            "Raft and Zab elect; Paxos has no leader"
        );
        pg = reduce(pg, Msg::Do(UiAction::Request));
        for _ in 0..30 {
            pg = reduce(pg, Msg::Do(UiAction::Tick));
        }
        for p in &pg.panels {
            assert_eq!(p.sim.summary().decisions, 1, "{}", p.protocol().title());
            assert_eq!(p.per_decision(), Some(p.protocol().textbook(3) as f64));
            assert!(p.log.iter().any(|l| l.class == "decision"));
        }
    }

    #[test]
    fn step_back_replays_to_exactly_the_previous_state() {
        let mut pg = Playground::new(5, 4);
        let mut snapshots = Vec::new();
        let script = [
            UiAction::Step,
            UiAction::Step,
            UiAction::Request,
            UiAction::Crash(2),
            UiAction::Step,
            UiAction::Heal,
            UiAction::Tick,
        ];
        for a in script {
            snapshots.push(
                pg.panels
                    .iter()
                    .map(|p| p.sim.trace_hash())
                    .collect::<Vec<_>>(),
            );
            pg = reduce(pg, Msg::Do(a));
        }
        while let Some(expected) = snapshots.pop() {
            pg = reduce(pg, Msg::StepBack);
            let now: Vec<u64> = pg.panels.iter().map(|p| p.sim.trace_hash()).collect();
            assert_eq!(now, expected);
        }
        assert!(pg.history.is_empty());
        pg = reduce(pg, Msg::StepBack);
        assert!(pg
            .error
            .as_deref()
            .unwrap_or("")
            .contains("nothing to undo"));
    }

    /// A random session of `len` actions that the playground accepts:
    /// steps, ticks, requests, crashes, restarts, partitions and heals.
    fn random_session(pg: &mut Playground, len: usize, seed: u64) {
        let mut rng = consensus_core::rng::Rng::new(seed);
        let n = u32::from(pg.nodes);
        while pg.history.len() < len {
            let node = 1 + rng.below(n) as NodeId;
            let a = match rng.below(20) {
                0..10 => UiAction::Step,
                10..13 => UiAction::Tick,
                13..15 => UiAction::Request,
                15 => UiAction::Crash(node),
                16 => UiAction::Restart(node),
                17 => UiAction::Isolate(node),
                _ => UiAction::Heal,
            };
            // Refused actions (restarting a running node) are not recorded.
            let _ = pg.act(a);
        }
    }

    /// Everything a panel holds and shows, as text to compare.
    fn panels_of(pg: &Playground) -> Vec<String> {
        pg.panels.iter().map(|p| format!("{p:?}")).collect()
    }

    #[test]
    fn going_back_from_a_checkpoint_is_the_same_as_replaying_from_the_start() {
        let mut pg = Playground::new(5, 9);
        random_session(&mut pg, 3 * CHECKPOINT_EVERY + 40, 9);
        assert_eq!(pg.checkpoint_spacing(), (3, CHECKPOINT_EVERY));
        let len = pg.history.len();
        for back_to in [
            len - 1,
            3 * CHECKPOINT_EVERY,
            2 * CHECKPOINT_EVERY + 7,
            5,
            0,
        ] {
            let session = Session {
                history: pg.history[..back_to].to_vec(),
                ..pg.session()
            };
            let replayed = Playground::replay(&session).expect("a prefix replays");
            let rewound = pg.rewound(back_to);
            assert_eq!(rewound.history, replayed.history);
            assert_eq!(rewound.now, replayed.now);
            assert_eq!(
                panels_of(&rewound),
                panels_of(&replayed),
                "back to {back_to}"
            );
            // And on from there, both go the same way.
            let (mut a, mut b) = (rewound, replayed);
            random_session(&mut a, back_to + 50, 3);
            random_session(&mut b, back_to + 50, 3);
            assert_eq!(panels_of(&a), panels_of(&b));
        }
        let back = reduce(pg.clone(), Msg::StepBack);
        assert_eq!(back.history, pg.history[..len - 1]);
    }

    #[test]
    fn checkpoints_thin_out_so_memory_stays_bounded() {
        let mut pg = Playground::with(vec![ProtocolKind::Raft], 3, 2);
        let len = (MAX_CHECKPOINTS + 10) * CHECKPOINT_EVERY;
        for _ in 0..len {
            pg.act(UiAction::Tick).expect("a tick is always accepted");
        }
        let (kept, every) = pg.checkpoint_spacing();
        assert_eq!(every, 2 * CHECKPOINT_EVERY);
        assert_eq!(kept, len / every);
        assert!(kept <= MAX_CHECKPOINTS);
        // Going back still lands exactly where a replay does.
        let back_to = len - every / 2;
        let session = Session {
            history: pg.history[..back_to].to_vec(),
            ..pg.session()
        };
        let replayed = Playground::replay(&session).expect("a prefix replays");
        assert_eq!(panels_of(&pg.rewound(back_to)), panels_of(&replayed));
    }

    #[test]
    fn a_refused_action_shows_why_and_changes_nothing() {
        let pg = Playground::new(3, 5);
        let before: Vec<u64> = pg.panels.iter().map(|p| p.sim.trace_hash()).collect();
        let pg = reduce(pg, Msg::Do(UiAction::Restart(1)));
        assert_eq!(pg.error.as_deref(), Some("n1 is running: crash it first"));
        assert!(pg.history.is_empty());
        let after: Vec<u64> = pg.panels.iter().map(|p| p.sim.trace_hash()).collect();
        assert_eq!(before, after);
        let pg = reduce(pg, Msg::DismissError);
        assert_eq!(pg.error, None);
    }

    #[test]
    fn a_protocol_added_goes_through_the_same_session() {
        let mut pg = Playground::new(3, 6);
        assert_eq!(pg.protocols, DEFAULT_PROTOCOLS.to_vec());
        for a in [
            UiAction::TimeOut {
                protocol: ProtocolKind::Zab,
                node: 1,
            },
            UiAction::Tick,
            UiAction::Request,
            UiAction::Tick,
        ] {
            pg = reduce(pg, Msg::Do(a));
        }
        let zab = pg.panel(ProtocolKind::Zab).unwrap().sim.trace_hash();
        pg = reduce(pg, Msg::ShowProtocol(ProtocolKind::MultiPaxos, true));
        assert_eq!(pg.protocols.last(), Some(&ProtocolKind::MultiPaxos));
        assert_eq!(pg.history.len(), 4);
        assert_eq!(pg.panel(ProtocolKind::Zab).unwrap().sim.trace_hash(), zab);
        // The new panel saw the same actions: its clock moved with the rest.
        let multi = pg.panel(ProtocolKind::MultiPaxos).unwrap();
        assert_eq!(multi.sim.now(), pg.now);
        assert_eq!(multi.sim.requested(), &[1]);
        // Hiding Zab drops what was done to its panel alone.
        pg = reduce(pg, Msg::ShowProtocol(ProtocolKind::Zab, false));
        assert!(pg.panel(ProtocolKind::Zab).is_none());
        assert_eq!(pg.history.len(), 3);
        assert_eq!(pg.error, None);
        // The last panel cannot be hidden.
        for p in [ProtocolKind::Raft, ProtocolKind::Paxos] {
            pg = reduce(pg, Msg::ShowProtocol(p, false));
        }
        assert_eq!(pg.protocols, vec![ProtocolKind::MultiPaxos]);
        let pg = reduce(pg, Msg::ShowProtocol(ProtocolKind::MultiPaxos, false));
        assert_eq!(pg.protocols, vec![ProtocolKind::MultiPaxos]);
    }

    #[test]
    fn panel_actions_touch_one_panel_only() {
        let mut pg = Playground::new(3, 6);
        pg = reduce(
            pg,
            Msg::Do(UiAction::TimeOut {
                protocol: ProtocolKind::Raft,
                node: 1,
            }),
        );
        let raft = pg.panel(ProtocolKind::Raft).unwrap();
        let id = raft.sim.messages()[0].id;
        let zab_before = pg.panel(ProtocolKind::Zab).unwrap().sim.trace_hash();
        pg = reduce(
            pg,
            Msg::Do(UiAction::Panel {
                protocol: ProtocolKind::Raft,
                action: PanelAction::Drop(id),
            }),
        );
        assert!(pg.error.is_none(), "{:?}", pg.error);
        assert!(pg.message(ProtocolKind::Raft, id).is_none());
        assert_eq!(
            pg.panel(ProtocolKind::Zab).unwrap().sim.trace_hash(),
            zab_before
        );
        assert!(pg
            .panel(ProtocolKind::Raft)
            .unwrap()
            .records
            .iter()
            .any(|r| r.id == id && matches!(r.fate, Fate::Lost(_))));
    }

    #[test]
    fn faults_are_shared_and_isolation_partitions() {
        let mut pg = Playground::new(5, 7);
        pg = reduce(pg, Msg::Do(UiAction::Crash(3)));
        assert!(pg.panels.iter().all(|p| p.sim.views()[2].is_none()));
        pg = reduce(pg, Msg::Do(UiAction::Isolate(1)));
        for p in &pg.panels {
            let cuts = p.sim.cuts();
            assert!(cuts.contains(&(1, 2)) && cuts.contains(&(2, 1)) && !cuts.contains(&(2, 4)));
        }
        pg = reduce(pg, Msg::Do(UiAction::Heal));
        assert!(pg.panels.iter().all(|p| p.sim.cuts().is_empty()));
    }

    #[test]
    fn play_pause_speed_and_reset() {
        let mut pg = Playground::new(3, 8);
        pg = reduce(pg, Msg::TogglePlay);
        assert!(pg.playing);
        pg = reduce(pg, Msg::Pause);
        assert!(!pg.playing);
        pg = reduce(pg, Msg::SetSpeed(16));
        assert_eq!(pg.speed, 16);
        pg = reduce(pg, Msg::SetSpeed(3));
        assert_eq!(pg.speed, 4, "only offered speeds");
        pg = reduce(pg, Msg::Do(UiAction::Step));
        pg = reduce(pg, Msg::SetNodes(7));
        assert_eq!((pg.nodes, pg.now, pg.history.len()), (7, 0, 0));
        pg = reduce(pg, Msg::SetNodes(12));
        assert_eq!(pg.nodes, MAX_NODES);
        pg = reduce(pg, Msg::NewSeed(99));
        assert_eq!((pg.seed, pg.nodes), (99, 7));
    }

    #[test]
    fn pausing_while_paused_does_not_rerender() {
        let pg = Rc::new(Playground::new(3, 9));
        let same = pg.clone().reduce(Msg::Pause);
        assert!(Rc::ptr_eq(&pg, &same));
    }
}
