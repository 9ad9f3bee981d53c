//! URL options for course pages and embeds, from the query string:
//! `?protocols=raft,paxos&nodes=5&seed=42&embed=1&controls=minimal&theme=dark&autoplay=1`
//! (`presenter=1` for a projector's larger type),
//! or `?scenario=figure8&embed=1` for a guided scenario.
//! Unknown or bad values are reported and ignored, never fatal.

use consensus_core::any::ProtocolKind;

use crate::lessons::LESSONS;
use crate::session::{MAX_NODES, MIN_NODES};

/// Which controls an embed shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Controls {
    /// Every control.
    #[default]
    Full,
    /// Play, Step, Step back and Request only.
    Minimal,
}

/// The colour scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Theme {
    /// Follow `prefers-color-scheme`.
    #[default]
    Auto,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// The options a URL asks for.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Options {
    /// The protocols to show, in order.
    pub protocols: Option<Vec<ProtocolKind>>,
    /// Cluster size.
    pub nodes: Option<u8>,
    /// Seed.
    pub seed: Option<u64>,
    /// Compact layout for an iframe.
    pub embed: bool,
    /// Which controls to show, if the URL says (see [`Options::controls`]).
    pub controls: Option<Controls>,
    /// Colour scheme.
    pub theme: Theme,
    /// Start playing.
    pub autoplay: bool,
    /// Larger type, for a projector.
    pub presenter: bool,
    /// A guided scenario to open (its own protocols, nodes and seed).
    pub scenario: Option<&'static str>,
}

impl Options {
    /// Which controls show: what the URL asks for; otherwise the minimal
    /// set in an embed (a course page's frame is small), every one on the
    /// page itself.
    pub fn controls(&self) -> Controls {
        self.controls.unwrap_or(if self.embed {
            Controls::Minimal
        } else {
            Controls::Full
        })
    }

    /// Whether the URL chose what to show, so it wins over the autosave
    /// (an embedded figure shows its author's scenario, not the reader's).
    pub fn chooses_state(&self) -> bool {
        self.protocols.is_some()
            || self.nodes.is_some()
            || self.seed.is_some()
            || self.embed
            || self.scenario.is_some()
    }
}

fn flag(v: &str) -> Option<bool> {
    match v {
        "1" | "true" | "yes" => Some(true),
        "0" | "false" | "no" => Some(false),
        _ => None,
    }
}

/// Read the options of a query string (with or without its `?`); the second
/// value lists what was not understood, in plain words.
pub fn parse(query: &str) -> (Options, Vec<String>) {
    let mut o = Options::default();
    let mut problems = Vec::new();
    // Course-page editors percent-encode links (`protocols=raft%2Cpaxos`,
    // `+` for a space): decode them as browsers do.
    for (key, value) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
        let (key, value) = (key.as_ref(), value.trim());
        let ok = match key {
            "protocols" => {
                let ps: Option<Vec<ProtocolKind>> = value
                    .split(',')
                    .map(|n| ProtocolKind::from_name(n.trim()))
                    .collect();
                match ps {
                    Some(mut ps) if !ps.is_empty() => {
                        ps.dedup();
                        o.protocols = Some(ps);
                        true
                    }
                    _ => false,
                }
            }
            "nodes" => match value.parse::<u8>() {
                Ok(n) if (MIN_NODES..=MAX_NODES).contains(&n) => {
                    o.nodes = Some(n);
                    true
                }
                _ => false,
            },
            "seed" => value.parse::<u64>().map(|s| o.seed = Some(s)).is_ok(),
            "scenario" => match LESSONS.iter().find(|l| l.id == value) {
                Some(l) => {
                    o.scenario = Some(l.id);
                    true
                }
                None => {
                    let names: Vec<&str> = LESSONS.iter().map(|l| l.id).collect();
                    problems.push(format!(
                        "there is no guided scenario '{value}' (try {})",
                        names.join(", ")
                    ));
                    continue;
                }
            },
            "embed" => flag(value).map(|b| o.embed = b).is_some(),
            "autoplay" => flag(value).map(|b| o.autoplay = b).is_some(),
            "presenter" => flag(value).map(|b| o.presenter = b).is_some(),
            "controls" => match value {
                "full" => {
                    o.controls = Some(Controls::Full);
                    true
                }
                "minimal" => {
                    o.controls = Some(Controls::Minimal);
                    true
                }
                _ => false,
            },
            "theme" => {
                o.theme = match value {
                    "auto" => Theme::Auto,
                    "light" => Theme::Light,
                    "dark" => Theme::Dark,
                    _ => {
                        problems.push(format!("theme={value} (use light, dark or auto)"));
                        continue;
                    }
                };
                true
            }
            _ => {
                problems.push(format!("unknown option '{key}'"));
                continue;
            }
        };
        if !ok {
            problems.push(format!("{key}={value} is not a valid value"));
        }
    }
    (o, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_option() {
        let (o, problems) = parse(
            "?protocols=raft,zab&nodes=7&seed=42&embed=1&controls=minimal&theme=dark&autoplay=1&presenter=1",
        );
        assert!(o.presenter);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            o.protocols,
            Some(vec![ProtocolKind::Raft, ProtocolKind::Zab])
        );
        assert_eq!(
            (o.nodes, o.seed, o.embed, o.autoplay),
            (Some(7), Some(42), true, true)
        );
        assert_eq!((o.controls(), o.theme), (Controls::Minimal, Theme::Dark));
        assert!(o.chooses_state());
        assert!(!parse("").0.chooses_state());
        let (o, problems) = parse("scenario=figure8");
        assert_eq!((o.scenario, problems.len()), (Some("figure8"), 0));
        assert!(o.chooses_state());
    }

    #[test]
    fn an_embed_shows_the_minimal_controls_unless_asked_for_every_one() {
        let controls = |q: &str| parse(q).0.controls();
        assert_eq!(controls(""), Controls::Full);
        assert_eq!(controls("controls=minimal"), Controls::Minimal);
        assert_eq!(controls("embed=1"), Controls::Minimal);
        assert_eq!(controls("embed=1&controls=full"), Controls::Full);
        assert_eq!(controls("controls=full&embed=1"), Controls::Full);
    }

    #[test]
    fn reads_percent_encoded_options() {
        let (o, problems) =
            parse("?protocols=raft%2Cpaxos&nodes=%35&theme=dark+&scenario=figure%38");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            o.protocols,
            Some(vec![ProtocolKind::Raft, ProtocolKind::Paxos])
        );
        assert_eq!(
            (o.nodes, o.theme, o.scenario),
            (Some(5), Theme::Dark, Some("figure8"))
        );
        // A broken escape is kept as typed, and reported like any bad value.
        let (o, problems) = parse("protocols=raft%2");
        assert_eq!(o.protocols, None);
        assert!(problems[0].contains("protocols=raft%2"), "{problems:?}");
    }

    #[test]
    fn bad_values_are_reported_and_ignored() {
        let (o, problems) =
            parse("protocols=pbft&nodes=12&seed=x&theme=pink&color=red&embed=maybe&autoplay&scenario=fig9");
        assert_eq!(o, Options::default());
        assert_eq!(problems.len(), 8, "{problems:?}");
        assert!(problems
            .iter()
            .any(|p| p.contains("no guided scenario 'fig9' (try replication, ")));
        assert!(problems.iter().any(|p| p.contains("protocols=pbft")));
        assert!(problems
            .iter()
            .any(|p| p.contains("unknown option 'color'")));
    }
}
