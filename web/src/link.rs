//! Share links and saved sessions: a playground session (protocols shown,
//! node count, seed and every action taken) as a short text with a version
//! marker, for the URL fragment, localStorage and files.
//!
//! ```text
//! v2;p=rpz;n=5;s=42;a=s12,q,c3,t40,dr17,fz2.4
//! v2;p=r;n=5;s=8;m=raft-commit-old-term;o=raft-no-noop;l=mistake-raft-commit-old-term.2;a=or1,dr3
//! ```
//!
//! Runs of the same step or tick collapse (`t40` is forty ticks). `m` lists
//! switched-on mistakes, `o` the protocol variants chosen and `l` the guided
//! scenario and step being followed; all are optional. A `v1` link was made
//! before Raft leaders appended a no-op: it opens with `raft-no-noop`, so it
//! replays as it was made. Decoding is
//! a total function: any text, however broken, cut short, oversized or from
//! a newer playground, gives either a session or an error that says what is
//! wrong — never a panic.

use std::fmt::Write as _;

use consensus_core::any::ProtocolKind;
use consensus_core::protocol::{Mistakes, NodeId, Switch, Switches, Variant, Variants};

use consensus_core::kv::{ClientId, Key, ReadPath};
use consensus_core::linearizability::Datum;

use crate::session::{
    read_paths, LessonMark, PanelAction, Session, UiAction, UiOp, MAX_ACTIONS, MAX_NODES, MIN_NODES,
};

/// The format this playground writes and reads.
pub const VERSION: u32 = 3;
/// Longest text accepted, in bytes.
pub const MAX_LEN: usize = 100_000;

/// One action as a token (without its repeat count).
fn token(a: &UiAction) -> String {
    match a {
        UiAction::Step => "s".into(),
        UiAction::Tick => "t".into(),
        UiAction::Request => "q".into(),
        UiAction::RequestAtOnce => "a".into(),
        UiAction::RequestAt(n) => format!("r{n}"),
        UiAction::Crash(n) => format!("c{n}"),
        UiAction::Restart(n) => format!("u{n}"),
        UiAction::Isolate(n) => format!("i{n}"),
        UiAction::Heal => "h".into(),
        UiAction::Partition(groups) => {
            let gs: Vec<String> = groups
                .iter()
                .map(|g| g.iter().map(|n| n.to_string()).collect())
                .collect();
            format!("g{}", gs.join("."))
        }
        UiAction::Cut { from, to } => format!("x{from}{to}"),
        UiAction::Sever { a, b } => format!("b{a}{b}"),
        UiAction::TimeOut { protocol, node } => format!("o{}{node}", protocol.letter()),
        UiAction::Panel { protocol, action } => {
            let p = protocol.letter();
            match action {
                PanelAction::Deliver(id) => format!("d{p}{id}"),
                PanelAction::Drop(id) => format!("k{p}{id}"),
                PanelAction::Duplicate(id) => format!("y{p}{id}"),
                PanelAction::Delay(id, by) => format!("l{p}{id}.{by}"),
                PanelAction::Fire(node, timer) => {
                    // A timer is written as its position in the protocol's list.
                    let i = protocol
                        .timer_names()
                        .iter()
                        .position(|t| t == timer)
                        .unwrap_or(usize::MAX);
                    format!("f{p}{node}.{i}")
                }
            }
        }
        UiAction::Invoke { client, node, op } => {
            let op = match op {
                UiOp::Write { key, value } => format!("w.{key}.{value}"),
                UiOp::Cas { key, from, to } => format!("c.{key}.{from}.{to}"),
                UiOp::Read { key, paths } => {
                    let p: String = paths.iter().map(|p| path_letter(*p)).collect();
                    format!("r.{key}.{p}")
                }
            };
            format!("v{client}.{node}.{op}")
        }
        UiAction::Retry { client, node } => format!("e{client}.{node}"),
        UiAction::GiveUp(client) => format!("z{client}"),
    }
}

fn path_letter(p: ReadPath) -> char {
    match p {
        ReadPath::Log => 'l',
        ReadPath::ReadIndex => 'i',
        ReadPath::Lease => 'e',
        ReadPath::Local => 'o',
        ReadPath::Sync => 'y',
    }
}

/// Clients are C1 to C9.
fn client(s: &str) -> Option<ClientId> {
    let c: ClientId = s.parse().ok()?;
    (1..=9).contains(&c).then_some(c)
}

/// The operation of an invoke token: `w.x.5`, `c.x.4.0` or `r.x.ilo`.
fn ui_op(parts: &[&str]) -> Option<UiOp> {
    let key = |s: &str| Key::from_name(s);
    let datum = |s: &str| s.parse::<Datum>().ok();
    match parts {
        ["w", k, v] => Some(UiOp::Write {
            key: key(k)?,
            value: datum(v)?,
        }),
        ["c", k, from, to] => Some(UiOp::Cas {
            key: key(k)?,
            from: datum(from)?,
            to: datum(to)?,
        }),
        ["r", k, p] => {
            // One letter per protocol, in the registry's order. Links
            // written before a protocol existed have fewer: the protocols
            // they do not name read through the log.
            let letters: Vec<char> = p.chars().collect();
            if letters.is_empty() || letters.len() > ProtocolKind::COUNT {
                return None;
            }
            let mut paths = [ReadPath::Log; ProtocolKind::COUNT];
            for (slot, (c, protocol)) in letters.iter().zip(ProtocolKind::ALL).enumerate() {
                let path = ReadPath::ALL.into_iter().find(|p| path_letter(*p) == *c)?;
                if !read_paths(protocol).contains(&path) {
                    return None;
                }
                paths[slot] = path;
            }
            Some(UiOp::Read {
                key: key(k)?,
                paths,
            })
        }
        _ => None,
    }
}

/// Runs of these collapse into one token with a count.
fn repeatable(a: &UiAction) -> bool {
    matches!(
        a,
        UiAction::Step | UiAction::Tick | UiAction::Request | UiAction::RequestAtOnce
    )
}

/// The session as text.
pub fn encode(s: &Session) -> String {
    let protocols: String = s.protocols.iter().map(|p| p.letter()).collect();
    let mut out = format!("v{VERSION};p={protocols};n={};s={}", s.nodes, s.seed);
    switches(&mut out, "m", s.mistakes);
    switches(&mut out, "o", s.variants);
    if let Some(mark) = &s.lesson {
        let _ = write!(out, ";l={}.{}", mark.id, mark.step);
    }
    out.push_str(";a=");
    let mut i = 0;
    let mut first = true;
    while i < s.history.len() {
        let a = &s.history[i];
        let mut run = 1;
        if repeatable(a) {
            while s.history.get(i + run) == Some(a) {
                run += 1;
            }
        }
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(&token(a));
        if run > 1 {
            let _ = write!(out, "{run}");
        }
        i += run;
    }
    out
}

/// Why a link or saved session could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkError(pub String);

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, LinkError> {
    Err(LinkError(msg.into()))
}

fn node(s: &str, nodes: u8) -> Option<NodeId> {
    let n: NodeId = s.parse().ok()?;
    (1..=nodes).contains(&n).then_some(n)
}

/// The protocol letter at the start of `rest` (one that is shown), and the rest.
fn panel_of<'a>(rest: &'a str, protocols: &[ProtocolKind]) -> Option<(ProtocolKind, &'a str)> {
    let mut cs = rest.chars();
    let p = ProtocolKind::from_letter(cs.next()?)?;
    protocols.contains(&p).then_some((p, cs.as_str()))
}

/// Read one token into actions appended to `out`.
fn read_token(
    t: &str,
    nodes: u8,
    protocols: &[ProtocolKind],
    before_waiting: bool,
    out: &mut Vec<UiAction>,
) -> Option<()> {
    let mut chars = t.chars();
    let head = chars.next()?;
    let rest = chars.as_str();
    let count = |digits: &str| -> Option<usize> {
        if digits.is_empty() {
            Some(1)
        } else {
            digits
                .parse()
                .ok()
                .filter(|c| (1..=MAX_ACTIONS).contains(c))
        }
    };
    let single = |n: &str| node(n, nodes);
    let action = match head {
        's' | 't' | 'q' | 'a' => {
            let a = match head {
                's' => UiAction::Step,
                't' => UiAction::Tick,
                'q' if !before_waiting => UiAction::Request,
                _ => UiAction::RequestAtOnce,
            };
            let n = count(rest)?;
            if out.len() + n > MAX_ACTIONS {
                return None;
            }
            out.extend(std::iter::repeat_n(a, n));
            return Some(());
        }
        'c' => UiAction::Crash(single(rest)?),
        'u' => UiAction::Restart(single(rest)?),
        'r' => UiAction::RequestAt(single(rest)?),
        'i' => UiAction::Isolate(single(rest)?),
        'h' if rest.is_empty() => UiAction::Heal,
        'g' => {
            let mut groups = Vec::new();
            for g in rest.split('.') {
                let members: Option<Vec<NodeId>> =
                    g.chars().map(|c| node(&c.to_string(), nodes)).collect();
                let members = members?;
                if members.is_empty() {
                    return None;
                }
                groups.push(members);
            }
            UiAction::Partition(groups)
        }
        'x' | 'b' => {
            let mut cs = rest.chars();
            let from = node(&cs.next()?.to_string(), nodes)?;
            let to = node(&cs.next()?.to_string(), nodes)?;
            if cs.next().is_some() {
                return None;
            }
            if head == 'x' {
                UiAction::Cut { from, to }
            } else {
                UiAction::Sever { a: from, b: to }
            }
        }
        'o' => {
            let (protocol, n) = panel_of(rest, protocols)?;
            UiAction::TimeOut {
                protocol,
                node: single(n)?,
            }
        }
        'd' | 'k' | 'y' => {
            let (protocol, id) = panel_of(rest, protocols)?;
            let id: u64 = id.parse().ok()?;
            let action = match head {
                'd' => PanelAction::Deliver(id),
                'k' => PanelAction::Drop(id),
                _ => PanelAction::Duplicate(id),
            };
            UiAction::Panel { protocol, action }
        }
        'l' => {
            let (protocol, rest) = panel_of(rest, protocols)?;
            let (id, by) = rest.split_once('.')?;
            UiAction::Panel {
                protocol,
                action: PanelAction::Delay(id.parse().ok()?, by.parse().ok()?),
            }
        }
        'v' => {
            let parts: Vec<&str> = rest.split('.').collect();
            let [c, n, op @ ..] = parts.as_slice() else {
                return None;
            };
            UiAction::Invoke {
                client: client(c)?,
                node: single(n)?,
                op: ui_op(op)?,
            }
        }
        'e' => {
            let (c, n) = rest.split_once('.')?;
            UiAction::Retry {
                client: client(c)?,
                node: single(n)?,
            }
        }
        'z' => UiAction::GiveUp(client(rest)?),
        'f' => {
            let (protocol, rest) = panel_of(rest, protocols)?;
            let (n, i) = rest.split_once('.')?;
            let i: usize = i.parse().ok()?;
            let timer = protocol.timer_names().get(i)?.to_string();
            UiAction::Panel {
                protocol,
                action: PanelAction::Fire(single(n)?, timer),
            }
        }
        _ => return None,
    };
    if out.len() >= MAX_ACTIONS {
        return None;
    }
    out.push(action);
    Some(())
}

/// Read a session. Total: every input gives a session or a reason.
pub fn decode(text: &str) -> Result<Session, LinkError> {
    let text = text.trim().trim_start_matches('#');
    if text.len() > MAX_LEN {
        return err(format!(
            "the link is too long ({} characters; at most {MAX_LEN})",
            text.len()
        ));
    }
    let mut fields = text.split(';');
    let version = fields.next().unwrap_or("");
    // Links from before the no-op replay without it, and links from before
    // requests waited for a leader send them at once: as they were made.
    let (before_noop, before_waiting) = match version.strip_prefix('v').map(str::parse::<u32>) {
        Some(Ok(VERSION)) => (false, false),
        Some(Ok(2)) => (false, true),
        Some(Ok(1)) => (true, true),
        Some(Ok(v)) if v > VERSION => {
            return err(format!(
                "this link was made by a newer playground (format v{v}); this one reads v{VERSION}"
            ))
        }
        _ => {
            return err(format!(
                "this is not a playground link: it should start with v{VERSION};"
            ))
        }
    };
    let (mut protocols, mut nodes, mut seed, mut actions) = (None, None, None, None);
    let (mut mistakes, mut variants, mut lesson) = (Mistakes::NONE, Variants::NONE, None);
    for field in fields {
        let Some((key, value)) = field.split_once('=') else {
            return err(format!("the link has a broken part '{}'", clip(field)));
        };
        match key {
            "p" => {
                let ps: Option<Vec<ProtocolKind>> =
                    value.chars().map(ProtocolKind::from_letter).collect();
                match ps {
                    Some(ps) if !ps.is_empty() && ps.len() <= ProtocolKind::COUNT => {
                        protocols = Some(ps)
                    }
                    _ => {
                        let letters: Vec<String> = ProtocolKind::ALL
                            .iter()
                            .map(|p| p.letter().to_string())
                            .collect();
                        return err(format!(
                            "the link names unknown protocols '{}' (use {})",
                            clip(value),
                            letters.join(", ")
                        ));
                    }
                }
            }
            "n" => match value.parse::<u8>() {
                Ok(n) if (MIN_NODES..=MAX_NODES).contains(&n) => nodes = Some(n),
                _ => {
                    return err(format!(
                    "the link's node count '{}' is not a number from {MIN_NODES} to {MAX_NODES}",
                    clip(value)
                ))
                }
            },
            "s" => match value.parse::<u64>() {
                Ok(s) => seed = Some(s),
                Err(_) => return err(format!("the link's seed '{}' is not a number", clip(value))),
            },
            "a" => actions = Some(value),
            "m" => mistakes = named(value, "mistake")?,
            "o" => variants = named(value, "protocol variant")?,
            "l" => {
                let mark = value.rsplit_once('.').and_then(|(id, step)| {
                    let ok = !id.is_empty()
                        && id.len() <= 40
                        && id
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                    Some(LessonMark {
                        id: ok.then(|| id.to_string())?,
                        step: step.parse().ok()?,
                    })
                });
                match mark {
                    Some(m) => lesson = Some(m),
                    None => {
                        return err(format!(
                            "the link's guided scenario '{}' is not understood",
                            clip(value)
                        ))
                    }
                }
            }
            other => return err(format!("the link has an unknown part '{}'", clip(other))),
        }
    }
    if before_noop {
        variants = variants.with(Variant::RaftNoNoop);
    }
    let (Some(protocols), Some(nodes), Some(seed)) = (protocols, nodes, seed) else {
        return err("the link is missing its protocols, node count or seed: it may be cut short");
    };
    let mut history = Vec::new();
    for (i, t) in actions
        .unwrap_or("")
        .split(',')
        .filter(|t| !t.is_empty())
        .enumerate()
    {
        if read_token(t, nodes, &protocols, before_waiting, &mut history).is_none() {
            return err(format!(
                "the link's action {} ('{}') is not understood: the link may be cut short or edited",
                i + 1,
                clip(t)
            ));
        }
    }
    Ok(Session {
        protocols,
        nodes,
        seed,
        mistakes,
        variants,
        history,
        lesson,
    })
}

/// `;KEY=a+b` for the switches on, if any.
fn switches<S: Switch>(out: &mut String, key: &str, on: Switches<S>) {
    let names: Vec<&str> = on.names().collect();
    if !names.is_empty() {
        let _ = write!(out, ";{key}={}", names.join("+"));
    }
}

/// The switches a `+`-separated list names; an unknown name is a `what`
/// the link names and this playground does not know.
fn named<S: Switch>(value: &str, what: &str) -> Result<Switches<S>, LinkError> {
    Switches::from_names(value.split('+'))
        .or_else(|name| err(format!("the link names an unknown {what} '{}'", clip(name))))
}

/// At most 20 characters of `s`, for error messages.
fn clip(s: &str) -> String {
    let mut c: String = s.chars().take(20).collect();
    if s.chars().count() > 20 {
        c.push('…');
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use consensus_core::protocol::Mistake;
    use proptest::prelude::*;

    fn session(history: Vec<UiAction>) -> Session {
        Session {
            protocols: crate::session::DEFAULT_PROTOCOLS.to_vec(),
            nodes: 5,
            seed: 42,
            mistakes: Mistakes::NONE,
            variants: Variants::NONE,
            history,
            lesson: None,
        }
    }

    #[test]
    fn a_typical_lesson_is_short_and_readable() {
        let mut h = vec![UiAction::Step; 12];
        h.push(UiAction::Request);
        h.push(UiAction::Crash(3));
        h.extend(vec![UiAction::Tick; 40]);
        h.push(UiAction::Panel {
            protocol: ProtocolKind::Raft,
            action: PanelAction::Deliver(17),
        });
        h.push(UiAction::Panel {
            protocol: ProtocolKind::Zab,
            action: PanelAction::Fire(2, "leader-timeout".into()),
        });
        let s = session(h);
        let text = encode(&s);
        assert_eq!(text, "v3;p=rpz;n=5;s=42;a=s12,q,c3,t40,dr17,fz2.4");
        assert_eq!(decode(&text), Ok(s));
        assert_eq!(decode(&format!("#{text}")).map(|s| s.history.len()), Ok(56));
    }

    #[test]
    fn malformed_links_say_what_is_wrong() {
        let cases = [
            ("", "not a playground link"),
            ("hello", "not a playground link"),
            ("v4;p=r;n=3;s=1;a=", "newer playground (format v4)"),
            ("v0;p=r;n=3;s=1;a=", "it should start with v3;"),
            (
                "v2;p=r;n=3;s=1;o=raft-sloppy",
                "unknown protocol variant 'raft-sloppy'",
            ),
            ("v2;p=r;n=3", "missing its protocols, node count or seed"),
            ("v2;p=rx;n=3;s=1", "unknown protocols 'rx'"),
            ("v2;p=;n=3;s=1", "unknown protocols ''"),
            (
                "v2;p=r;n=12;s=1",
                "node count '12' is not a number from 3 to 7",
            ),
            ("v2;p=r;n=3;s=-4", "seed '-4' is not a number"),
            ("v2;p=r;n=3;s=1;zz=3", "unknown part 'zz'"),
            ("v2;p=r;n=3;s=1;broken", "broken part 'broken'"),
            ("v2;p=r;n=3;s=1;a=s3,c9", "action 2 ('c9')"),
            ("v2;p=r;n=3;s=1;a=dz4", "action 1 ('dz4')"),
            ("v2;p=r;n=3;s=1;a=fr1.9", "action 1 ('fr1.9')"),
            ("v2;p=r;n=3;s=1;a=t999999999", "action 1"),
            ("v2;p=r;n=3;s=1;a=g1.", "action 1"),
            ("v2;p=r;n=3;s=1;m=raft-oops", "unknown mistake 'raft-oops'"),
            ("v2;p=r;n=3;s=1;l=figure8", "guided scenario 'figure8'"),
            ("v2;p=r;n=3;s=1;l=Fig/8.2", "guided scenario 'Fig/8.2'"),
            ("v2;p=r;n=3;s=1;a=r9", "action 1 ('r9')"),
        ];
        for (text, says) in cases {
            let e = decode(text).expect_err(text);
            assert!(e.0.contains(says), "{text}: '{e}' should say '{says}'");
        }
        let long = format!("v2;p=r;n=3;s=1;a={}", "h,".repeat(60_000));
        assert!(decode(&long).unwrap_err().0.contains("too long"));
    }

    /// A link made before Raft leaders appended a no-op opens without it,
    /// so it replays as it was made; it is written back as v3 with the
    /// variant named.
    #[test]
    fn version_1_links_replay_without_the_noop() {
        let old = decode("v1;p=r;n=3;s=1;a=s4").expect("a v1 link");
        assert_eq!(old.variants, Variants::NONE.with(Variant::RaftNoNoop));
        assert_eq!(encode(&old), "v3;p=r;n=3;s=1;o=raft-no-noop;a=s4");
        assert_eq!(decode(&encode(&old)), Ok(old));
        let new = decode("v2;p=r;n=3;s=1;a=s4").expect("a v2 link");
        assert_eq!(new.variants, Variants::NONE);
    }

    /// A Request in a link from before requests waited for a leader is sent
    /// at once, as it was then; it is written back as `a`.
    #[test]
    fn version_2_requests_are_sent_at_once() {
        let old = decode("v2;p=rz;n=3;s=1;a=q2,s,r1").expect("a v2 link");
        let mut made = vec![UiAction::RequestAtOnce; 2];
        made.extend([UiAction::Step, UiAction::RequestAt(1)]);
        assert_eq!(old.history, made);
        assert_eq!(encode(&old), "v3;p=rz;n=3;s=1;a=a2,s,r1");
        let new = decode("v3;p=rz;n=3;s=1;a=q2,a").expect("a v3 link");
        assert_eq!(
            new.history,
            [
                UiAction::Request,
                UiAction::Request,
                UiAction::RequestAtOnce
            ]
        );
    }

    fn protocol() -> impl Strategy<Value = ProtocolKind> {
        prop::sample::select(ProtocolKind::ALL.to_vec())
    }

    fn action() -> impl Strategy<Value = UiAction> {
        let n = 1u8..=5;
        prop_oneof![
            Just(UiAction::Step),
            Just(UiAction::Tick),
            Just(UiAction::Request),
            Just(UiAction::RequestAtOnce),
            n.clone().prop_map(UiAction::Crash),
            n.clone().prop_map(UiAction::RequestAt),
            n.clone().prop_map(UiAction::Restart),
            n.clone().prop_map(UiAction::Isolate),
            Just(UiAction::Heal),
            prop::collection::vec(prop::collection::vec(1u8..=5, 1..4), 1..3)
                .prop_map(UiAction::Partition),
            (n.clone(), n.clone()).prop_map(|(from, to)| UiAction::Cut { from, to }),
            (n.clone(), n.clone()).prop_map(|(a, b)| UiAction::Sever { a, b }),
            (protocol(), n.clone())
                .prop_map(|(protocol, node)| UiAction::TimeOut { protocol, node }),
            (protocol(), any::<u64>(), 0u8..5, any::<u64>(), n.clone()).prop_map(
                |(protocol, id, k, by, node)| {
                    let action = match k {
                        0 => PanelAction::Deliver(id),
                        1 => PanelAction::Drop(id),
                        2 => PanelAction::Duplicate(id),
                        3 => PanelAction::Delay(id, by),
                        _ => PanelAction::Fire(node, protocol.timer_names()[0].to_string()),
                    };
                    UiAction::Panel { protocol, action }
                }
            ),
            (
                1u8..=9,
                n.clone(),
                0u8..3,
                0u8..3,
                any::<i64>(),
                any::<i64>(),
                prop::collection::vec(0usize..8, ProtocolKind::COUNT)
            )
                .prop_map(|(client, node, k, key, a, b, picks)| {
                    let key = Key::ALL[usize::from(key)];
                    let op = match k {
                        0 => UiOp::Write { key, value: a },
                        1 => UiOp::Cas {
                            key,
                            from: a,
                            to: b,
                        },
                        _ => UiOp::Read {
                            key,
                            paths: core::array::from_fn(|i| {
                                let paths = read_paths(ProtocolKind::ALL[i]);
                                paths[picks[i] % paths.len()]
                            }),
                        },
                    };
                    UiAction::Invoke { client, node, op }
                }),
            (1u8..=9, n).prop_map(|(client, node)| UiAction::Retry { client, node }),
            (1u8..=9).prop_map(UiAction::GiveUp),
        ]
    }

    proptest! {
        #[test]
        fn every_session_round_trips(
            history in prop::collection::vec(action(), 0..60),
            seed in any::<u64>(),
            mistakes in prop::sample::subsequence(Mistake::ALL.to_vec(), 0..=9),
            lesson in prop::option::of(("[a-z0-9-]{1,40}", any::<u32>())),
            variants in prop::sample::subsequence(Variant::ALL.to_vec(), 0..=2),
        ) {
            let mistakes = mistakes.into_iter().fold(Mistakes::NONE, Mistakes::with);
            let lesson = lesson.map(|(id, step)| LessonMark { id, step });
            let variants = variants.into_iter().fold(Variants::NONE, Variants::with);
            let s = Session { protocols: ProtocolKind::ALL.to_vec(), nodes: 5, seed, mistakes, variants, history, lesson };
            prop_assert_eq!(decode(&encode(&s)), Ok(s));
        }

        #[test]
        fn any_text_decodes_or_says_why(text in ".{0,200}") {
            let _ = decode(&text);
        }

        #[test]
        fn cut_or_edited_links_never_panic(history in prop::collection::vec(action(), 0..30), cut in 0usize..400, junk in "[a-z0-9,.;=#]{0,5}") {
            let text = encode(&session(history));
            let mut broken: String = text.chars().take(cut).collect();
            broken.push_str(&junk);
            let _ = decode(&broken);
        }
    }
}
