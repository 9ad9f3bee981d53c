//! Scenario files: a script of commands, each followed by `----` and the
//! output it must produce, in the datadriven style of etcd/raft's
//! `testdata/`. Messages wait in flight until a command delivers them, so a
//! file *is* the schedule. Lines starting with `#` are comments; every file
//! opens with one saying what it shows.
//!
//! ```text
//! # A three-node Raft cluster elects n1.
//! config protocol=raft nodes=3 seed=1
//! ----
//! ...
//!
//! fire 1 election
//! ----
//! t=0 n1 election timer fired
//! ...
//! ```
//!
//! Commands:
//! * `config protocol=raft|paxos|zab nodes=N seed=S [mistakes=a,b] [variants=a,b] [loss=P]
//!   [duplicate=P] [latency=MIN-MAX] [election=MIN-MAX] [heartbeat=T] [check=on|off]`
//! * actions: `deliver ID`, `drop ID`, `duplicate ID`, `delay ID TICKS`,
//!   `fire NODE TIMER`, `next [COUNT]`, `wait TICK`, `request [NODE]`, `submit`, `crash NODE`,
//!   `restart NODE`, `partition 1,2 3,4,5`, `cut FROM TO`, `heal`,
//!   `faults loss=P duplicate=P latency=MIN-MAX`
//! * clients: `invoke CLIENT NODE OP` where OP is `read KEY`, `write KEY V`
//!   or `cas KEY FROM TO` on keys `x`, `y`, `z` (`invoke c1 2 write x 5`),
//!   `retry CLIENT NODE`, `give-up CLIENT`
//! * `stabilize`: deliver every message in flight, in arrival order, until
//!   none is left (timers do not fire)
//! * `run TICKS`: timed mode for that long; prints only what nodes report
//! * `state [NODE]`, `pending`, `stats`, `check`, `milestones`, `history`: print state

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write as _;

use crate::any::{AnySim, ProtocolKind};
use crate::kv::{self, ClientId, Key, KvOp, OpState, ReadPath};
use crate::linearizability::{self, Datum};
use crate::protocol::{NodeId, NodeView, Shown, Switches, Tick};
use crate::sim::{Action, Config, Faults, Shape};

/// A problem with a scenario file: the line and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl core::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// One command of a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Boot a simulation.
    Config(ProtocolKind, Config),
    /// Apply an action `times` times.
    Act(Action, u32),
    /// Deliver everything in flight.
    Stabilize,
    /// Timed mode for some ticks.
    Run(Tick),
    /// Print node state.
    State(Option<NodeId>),
    /// Print messages in flight and armed timers.
    Pending,
    /// Print the message accounting.
    Stats,
    /// Print invariant status.
    Check,
    /// Print milestone counts.
    Milestones,
    /// Print the client history, the linearizability verdict and each
    /// node's store.
    History,
}

fn number<T: core::str::FromStr>(word: Option<&str>, what: &str) -> Result<T, String> {
    let w = word.ok_or_else(|| format!("missing {what}"))?;
    w.parse()
        .map_err(|_| format!("'{w}' is not a valid {what}"))
}

fn range(v: &str, what: &str) -> Result<(Tick, Tick), String> {
    let (a, b) = v
        .split_once('-')
        .ok_or_else(|| format!("{what} must be MIN-MAX, not '{v}'"))?;
    Ok((number(Some(a), what)?, number(Some(b), what)?))
}

fn percent(v: &str, what: &str) -> Result<u8, String> {
    let p: u8 = number(Some(v), what)?;
    if p > 100 {
        return Err(format!("{what} is a percentage from 0 to 100, not {p}"));
    }
    Ok(p)
}

fn parse_faults<'a>(
    args: impl Iterator<Item = &'a str>,
    mut faults: Faults,
) -> Result<Faults, String> {
    for arg in args {
        let (k, v) = arg
            .split_once('=')
            .ok_or_else(|| format!("expected key=value, not '{arg}'"))?;
        match k {
            "loss" => faults.loss = percent(v, "loss")?,
            "duplicate" => faults.duplicate = percent(v, "duplicate")?,
            "latency" => faults.latency = range(v, "latency")?,
            _ => {
                return Err(format!(
                    "unknown fault '{k}' (known: loss, duplicate, latency)"
                ))
            }
        }
    }
    Ok(faults)
}

/// Parse a `config` line's arguments.
pub fn parse_config<'a>(
    args: impl Iterator<Item = &'a str>,
) -> Result<(ProtocolKind, Config), String> {
    let mut protocol = None;
    let mut config = Config::new(3, 0);
    let mut fault_args = Vec::new();
    for arg in args {
        let (k, v) = arg
            .split_once('=')
            .ok_or_else(|| format!("expected key=value, not '{arg}'"))?;
        match k {
            "protocol" => {
                protocol = Some(ProtocolKind::from_name(v).ok_or_else(|| {
                    format!("unknown protocol '{v}' (known: {})", ProtocolKind::names())
                })?);
            }
            "nodes" => config.nodes = number(Some(v), "node count")?,
            "seed" => config.seed = number(Some(v), "seed")?,
            "mistakes" => {
                config.mistakes = Switches::from_names(v.split(',').filter(|n| !n.is_empty()))
                    .map_err(|name| format!("unknown mistake '{name}'"))?;
            }
            "variants" => {
                config.variants = Switches::from_names(v.split(',').filter(|n| !n.is_empty()))
                    .map_err(|name| format!("unknown variant '{name}'"))?;
            }
            "loss" | "duplicate" | "latency" => fault_args.push(arg),
            "election" => config.timing.election = range(v, "election")?,
            "heartbeat" => config.timing.heartbeat = number(Some(v), "heartbeat")?,
            "check" => {
                config.check = match v {
                    "on" => true,
                    "off" => false,
                    _ => return Err(format!("check is on or off, not '{v}'")),
                }
            }
            _ => return Err(format!("unknown config key '{k}'")),
        }
    }
    config.faults = parse_faults(fault_args.into_iter(), config.faults)?;
    let protocol = protocol.ok_or("config needs protocol=raft|paxos|zab")?;
    Ok((protocol, config))
}

/// The largest `next` count and `run` duration one command may ask for.
pub const LIMIT: u32 = 100_000;

/// A client, written `c1` (or `1`).
fn client(word: Option<&str>) -> Result<ClientId, String> {
    let w = word.ok_or("missing client, like c1")?;
    let n = w.strip_prefix(['c', 'C']).unwrap_or(w);
    match n.parse::<ClientId>() {
        Ok(c) if c > 0 => Ok(c),
        _ => Err(format!("'{w}' is not a client: clients are c1, c2, ...")),
    }
}

/// A key-value operation: `read x`, `write x 5` or `cas x 4 0`.
pub fn parse_kv_op(words: &[&str]) -> Result<KvOp, String> {
    const USAGE: &str =
        "an operation is read KEY, write KEY VALUE or cas KEY FROM TO, on keys x, y, z";
    let key = |w: Option<&&str>| {
        let w = w.ok_or(USAGE)?;
        Key::from_name(w).ok_or_else(|| format!("unknown key '{w}': {USAGE}"))
    };
    let datum = |w: Option<&&str>| {
        let w = w.ok_or(USAGE)?;
        w.parse::<Datum>()
            .map_err(|_| format!("'{w}' is not an integer value: {USAGE}"))
    };
    let op = match words.first().copied() {
        Some("read") if words.len() <= 3 => {
            let path = match words.get(2) {
                None => ReadPath::Log,
                Some(w) => ReadPath::from_name(w).ok_or_else(|| {
                    format!("unknown read path '{w}': choose log, read-index, local or sync")
                })?,
            };
            KvOp::Read(key(words.get(1))?, path)
        }
        Some("write") if words.len() == 3 => KvOp::Write(key(words.get(1))?, datum(words.get(2))?),
        Some("cas") if words.len() == 4 => KvOp::Cas {
            key: key(words.get(1))?,
            from: datum(words.get(2))?,
            to: datum(words.get(3))?,
        },
        _ => return Err(USAGE.into()),
    };
    Ok(op)
}

/// Parse one command line.
pub fn parse_command(line: &str) -> Result<Command, String> {
    let mut words = line.split_whitespace();
    let cmd = words.next().ok_or("empty command")?;
    let node = |w: Option<&str>| number::<NodeId>(w, "node id");
    let id = |w: Option<&str>| number::<u64>(w, "message id");
    let act = |a| Ok(Command::Act(a, 1));
    let command = match cmd {
        "config" => {
            let (p, c) = parse_config(&mut words)?;
            Ok(Command::Config(p, c))
        }
        "deliver" => act(Action::Deliver(id(words.next())?)),
        "drop" => act(Action::Drop(id(words.next())?)),
        "duplicate" => act(Action::Duplicate(id(words.next())?)),
        "delay" => {
            let i = id(words.next())?;
            act(Action::Delay {
                id: i,
                by: number(words.next(), "delay in ticks")?,
            })
        }
        "fire" => {
            let n = node(words.next())?;
            let timer = words.next().ok_or("missing timer name")?.to_string();
            act(Action::Fire { node: n, timer })
        }
        "next" => {
            let times = match words.next() {
                None => 1,
                w => number(w, "count")?,
            };
            if times == 0 || times > LIMIT {
                return Err(format!("next takes a count from 1 to {LIMIT}"));
            }
            Ok(Command::Act(Action::Next, times))
        }
        "wait" => act(Action::Wait {
            until: number(words.next(), "tick")?,
        }),
        "request" => act(Action::Request {
            node: match words.next() {
                None => None,
                w => Some(node(w)?),
            },
        }),
        "submit" => act(Action::Submit),
        "invoke" => {
            let client = client(words.next())?;
            let n = node(words.next())?;
            let rest: Vec<&str> = words.by_ref().collect();
            act(Action::Invoke {
                client,
                node: n,
                op: parse_kv_op(&rest)?,
            })
        }
        "retry" => {
            let client = client(words.next())?;
            act(Action::Retry {
                client,
                node: node(words.next())?,
            })
        }
        "give-up" => act(Action::GiveUp(client(words.next())?)),
        "crash" => act(Action::Crash(node(words.next())?)),
        "restart" => act(Action::Restart(node(words.next())?)),
        "partition" => {
            let mut groups = Vec::new();
            for g in &mut words {
                let members: Result<Vec<NodeId>, String> =
                    g.split(',').map(|n| node(Some(n))).collect();
                groups.push(members?);
            }
            if groups.is_empty() {
                return Err("partition needs groups, like: partition 1,2 3,4,5".into());
            }
            act(Action::Partition(groups))
        }
        "cut" => {
            let from = node(words.next())?;
            act(Action::Cut {
                from,
                to: node(words.next())?,
            })
        }
        "heal" => act(Action::Heal),
        "faults" => act(Action::SetFaults(parse_faults(
            &mut words,
            Faults::default(),
        )?)),
        "stabilize" => Ok(Command::Stabilize),
        "run" => {
            let ticks: Tick = number(words.next(), "tick count")?;
            if ticks == 0 || ticks > Tick::from(LIMIT) {
                return Err(format!("run takes a tick count from 1 to {LIMIT}"));
            }
            Ok(Command::Run(ticks))
        }
        "state" => Ok(Command::State(match words.next() {
            None => None,
            w => Some(node(w)?),
        })),
        "pending" => Ok(Command::Pending),
        "stats" => Ok(Command::Stats),
        "check" => Ok(Command::Check),
        "milestones" => Ok(Command::Milestones),
        "history" => Ok(Command::History),
        other => Err(format!("unknown command '{other}'")),
    }?;
    if let Some(extra) = words.next() {
        return Err(format!("unexpected '{extra}' after {cmd}"));
    }
    Ok(command)
}

/// One node's line: role, era and log, each entry `index:value@label`
/// (label: term, ballot or zxid), uncommitted ones in parentheses.
pub fn node_line(id: NodeId, view: Option<&NodeView>) -> String {
    let Some(v) = view else {
        return format!("n{id} down");
    };
    let mut line = format!("n{id} {} {}={} log=[", v.role, v.era_name, v.era);
    for (i, e) in v.log.iter().enumerate() {
        if i > 0 {
            line.push(' ');
        }
        let entry = format!("{}:{}@{}", e.index, Shown(e.value), e.label);
        if e.committed {
            line.push_str(&entry);
        } else {
            let _ = write!(line, "({entry})");
        }
    }
    line.push(']');
    line
}

/// The client history, one operation per line with its interval and reply,
/// the checker's verdict, and what each running node's store holds.
pub fn history_text(sim: &AnySim) -> String {
    let clients = sim.clients();
    let mut out = String::new();
    for o in clients.ops() {
        let _ = write!(out, "C{} {} at n{}: t={}..", o.client, o.op, o.node, o.call);
        let _ = match o.state {
            OpState::Waiting => writeln!(out, " waiting"),
            OpState::Answered(at, reply) => writeln!(out, "{at} {reply}"),
            OpState::GaveUp(at) => writeln!(out, " gave up at t={at}: outcome unknown"),
        };
    }
    let history = kv::history(clients.ops());
    match linearizability::check(&history) {
        Ok(v) if v.linearizable() => out.push_str("linearizable\n"),
        Ok(v) => {
            for f in &v.failures {
                let _ = writeln!(out, "not linearizable: {}", f.explain(&history));
            }
        }
        Err(e) => {
            let _ = writeln!(out, "history not checkable: {e}");
        }
    }
    for id in 1..=sim.config().nodes {
        let Some(store) = clients.store(id).filter(|_| sim.is_up(id)) else {
            continue;
        };
        let entries: Vec<String> = store.entries().map(|(k, v)| format!("{k}={v}")).collect();
        let _ = writeln!(
            out,
            "n{id} store: {}",
            if entries.is_empty() {
                "empty".into()
            } else {
                entries.join(" ")
            }
        );
    }
    out.pop();
    out
}

/// The message accounting, as text.
pub fn stats_text(sim: &AnySim) -> String {
    let s = sim.summary();
    let n = sim.config().nodes;
    let mut out = String::new();
    let textbook = sim.kind().textbook(n);
    let _ = writeln!(
        out,
        "decisions: {} (textbook: {textbook} messages each)",
        s.decisions
    );
    if s.decisions > 0 {
        let d = s.decisions as f64;
        let per: Vec<String> = s
            .by_type
            .iter()
            .map(|(k, v)| format!("{k} {:.2}", *v as f64 / d))
            .collect();
        let _ = writeln!(
            out,
            "messages per decision: {:.2} ({})",
            s.messages() as f64 / d,
            per.join(", ")
        );
        if !s.notifications.is_empty() {
            let per: Vec<String> = s
                .notifications
                .iter()
                .map(|(k, v)| format!("{k} {:.2}", *v as f64 / d))
                .collect();
            let _ = writeln!(out, "notifications per decision: {}", per.join(", "));
        }
        let _ = writeln!(
            out,
            "message delays per decision: {:.2}; ticks per decision: {:.2}",
            s.delays as f64 / d,
            s.ticks as f64 / d
        );
    }
    let bg: Vec<String> = s
        .background
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    let _ = write!(
        out,
        "background: {}; undecided: {}",
        if bg.is_empty() {
            "none".into()
        } else {
            bg.join(", ")
        },
        s.undecided
    );
    for c in sim.read_costs() {
        let _ = write!(
            out,
            "\nreads by {}: {} answered, {:.2} messages each (expected {})",
            c.path, c.reads, c.measured, c.expected
        );
    }
    out
}

fn state_text(sim: &AnySim, node: Option<NodeId>) -> Result<String, String> {
    let views = sim.views();
    let mut out = String::new();
    match node {
        None => {
            for (i, v) in views.iter().enumerate() {
                let _ = writeln!(out, "{}", node_line((i + 1) as NodeId, v.as_ref()));
            }
        }
        Some(n) => {
            let v = views
                .get(usize::from(n).wrapping_sub(1))
                .ok_or_else(|| format!("there is no node {n}"))?;
            let _ = writeln!(out, "{}", node_line(n, v.as_ref()));
            for (k, val) in v.iter().flat_map(|v| v.details.iter()) {
                let _ = writeln!(out, "  {k}: {val}");
            }
        }
    }
    Ok(String::from(out.trim_end()))
}

fn pending_text(sim: &AnySim) -> String {
    let mut out = String::new();
    for m in sim.messages() {
        let _ = writeln!(
            out,
            "#{} n{}->n{} {} (arrives t={})",
            m.id, m.from, m.to, m.text, m.deliver_at
        );
    }
    for t in sim.timers() {
        let _ = writeln!(out, "timer n{} {} at t={}", t.node, t.name, t.at);
    }
    if out.is_empty() {
        out.push_str("nothing pending");
    }
    String::from(out.trim_end())
}

/// Most deliveries one `stabilize` makes before it gives up.
const STABILIZE_LIMIT: u32 = 10_000;

/// Run one command against `sim` (which `config` creates), returning its output.
pub fn execute(sim: &mut Option<AnySim>, command: Command) -> Result<String, String> {
    if let Command::Config(p, c) = command {
        let s = AnySim::new(p, c).map_err(|e| format!("{e}"))?;
        let mut out = alloc::vec![format!(
            "booted {} nodes of {}, seed {}",
            s.config().nodes,
            p.title(),
            s.config().seed
        )];
        out.extend(s.boot_events().iter().map(|e| format!("{e}")));
        *sim = Some(s);
        return Ok(out.join("\n"));
    }
    let sim = sim.as_mut().ok_or("the first command must be config")?;
    let mut out: Vec<String> = Vec::new();
    match command {
        Command::Config(..) => {}
        Command::Act(action, times) => {
            for _ in 0..times {
                match sim.apply_events(action.clone()) {
                    Ok(events) => out.extend(events.iter().map(|e| format!("{e}"))),
                    Err(e) => {
                        out.push(format!("error: {e}"));
                        break;
                    }
                }
            }
        }
        Command::Stabilize => {
            let mut delivered = 0;
            while let Some(id) = sim
                .messages()
                .iter()
                .min_by_key(|m| (m.deliver_at, m.id))
                .map(|m| m.id)
            {
                if delivered == STABILIZE_LIMIT {
                    out.push(format!(
                        "stabilize stopped after {STABILIZE_LIMIT} deliveries"
                    ));
                    break;
                }
                let events = sim
                    .apply_events(Action::Deliver(id))
                    .map_err(|e| format!("{e}"))?;
                out.extend(events.iter().map(|e| format!("{e}")));
                delivered += 1;
            }
        }
        Command::Run(ticks) => {
            let until = sim.now() + ticks;
            while sim.next_event_at().is_some_and(|t| t <= until) {
                let events = sim.apply_events(Action::Next).map_err(|e| format!("{e}"))?;
                for e in events {
                    if !matches!(
                        e.shape(),
                        Shape::Sent { .. } | Shape::Delivered { .. } | Shape::TimerFired { .. }
                    ) {
                        out.push(format!("t={} {}", e.at(), format!("{e}").trim_start()));
                    }
                }
            }
            out.push(format!("t={}", sim.now()));
        }
        Command::State(node) => out.push(state_text(sim, node)?),
        Command::Pending => out.push(pending_text(sim)),
        Command::Stats => out.push(stats_text(sim)),
        Command::History => out.push(history_text(sim)),
        Command::Check => {
            if sim.violations().is_empty() {
                out.push("all invariants hold".into());
            }
            out.extend(sim.violations().iter().map(|v| format!("VIOLATION {v}")));
        }
        Command::Milestones => {
            let m: Vec<String> = sim
                .milestones()
                .iter()
                .map(|(k, v)| format!("{}={v}", k.name()))
                .collect();
            out.push(if m.is_empty() {
                "none".into()
            } else {
                m.join(" ")
            });
        }
    }
    if out.is_empty() {
        out.push("ok".into());
    }
    Ok(out.join("\n"))
}

/// Run a whole scenario file and return it with every command's output
/// filled in: equal to the input when all expectations hold.
pub fn run_script(text: &str) -> Result<String, ScenarioError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    let mut sim: Option<AnySim> = None;
    let mut i = 0;
    let mut saw_comment = false;
    let mut commands = 0;
    while i < lines.len() {
        let line = lines[i].trim_end();
        if line.is_empty() {
            i += 1;
            continue;
        }
        if line.starts_with('#') {
            saw_comment = true;
            out.push_str(line);
            out.push('\n');
            i += 1;
            continue;
        }
        let err = |line: usize, message: String| ScenarioError { line, message };
        if commands == 0 && !saw_comment {
            return Err(err(
                i + 1,
                "a scenario opens with a # comment saying what it shows".into(),
            ));
        }
        let command = parse_command(line).map_err(|m| err(i + 1, m))?;
        if commands == 0 && !matches!(command, Command::Config(..)) {
            return Err(err(i + 1, "the first command must be config".into()));
        }
        commands += 1;
        if lines.get(i + 1).map(|l| l.trim_end()) != Some("----") {
            return Err(err(i + 2, format!("expected ---- after '{line}'")));
        }
        i += 2;
        while i < lines.len() && !lines[i].trim_end().is_empty() {
            i += 1;
        }
        let output = execute(&mut sim, command).map_err(|m| err(i, m))?;
        let _ = write!(out, "{line}\n----\n{output}\n\n");
    }
    if commands == 0 {
        return Err(ScenarioError {
            line: lines.len().max(1),
            message: "the scenario has no commands".into(),
        });
    }
    Ok(String::from(out.trim_end()) + "\n")
}
