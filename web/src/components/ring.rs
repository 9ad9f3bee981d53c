//! The cluster as a ring: nodes with their role and term/ballot/epoch, the
//! links between them (cut ones dashed), and every message in flight placed
//! along its link according to how far it has travelled.

use consensus_core::any::ProtocolKind;
use consensus_core::protocol::{NodeId, Standing};
use yew::prelude::*;

use super::{category_class, on_click, Shared};
use crate::state::{Msg, Selection};

const SIZE: f64 = 300.0;
const RADIUS: f64 = 108.0;
const NODE_R: f64 = 24.0;

/// Where node `i` of `n` sits on the ring.
pub fn position(i: usize, n: usize) -> (f64, f64) {
    let angle = std::f64::consts::TAU * i as f64 / n as f64 - std::f64::consts::FRAC_PI_2;
    (
        SIZE / 2.0 + RADIUS * angle.cos(),
        SIZE / 2.0 + RADIUS * angle.sin(),
    )
}

/// Props of [`Ring`].
#[derive(Properties, PartialEq)]
pub struct RingProps {
    /// The state.
    pub state: Shared,
    /// Which panel.
    pub protocol: ProtocolKind,
    /// Where actions go.
    pub on_msg: Callback<Msg>,
}

fn activate(cb: &Callback<Msg>, sel: Selection) -> (Callback<MouseEvent>, Callback<KeyboardEvent>) {
    let click = on_click(cb, Msg::Select(Some(sel)));
    let key = {
        let cb = cb.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                e.stop_propagation();
                cb.emit(Msg::Select(Some(sel)));
            }
        })
    };
    (click, key)
}

/// The ring of one panel. Its parts are components of their own with
/// small props, so a step re-renders only the nodes and messages it changed.
#[component]
pub fn Ring(props: &RingProps) -> Html {
    let Some(panel) = props.state.panel(props.protocol) else {
        return html! {};
    };
    let views = &panel.seen.views;
    let n = views.len();
    let now = panel.sim.now();
    let title = props.protocol.title();

    // In the order they were sent: a new message is appended and a delivered
    // one removed, so the list of dots is never reordered.
    let mut in_flight: Vec<_> = panel.seen.messages.iter().collect();
    in_flight.sort_unstable_by_key(|m| m.id);
    let messages = in_flight.into_iter().map(|m| {
        let (a, b) = (usize::from(m.from) - 1, usize::from(m.to) - 1);
        let ((x1, y1), (x2, y2)) = (position(a, n), position(b, n));
        let span = m.deliver_at.saturating_sub(m.sent_at).max(1) as f64;
        let p = (now.saturating_sub(m.sent_at) as f64 / span).clamp(0.0, 1.0);
        // Travel from rim to rim, offset sideways so the two directions of
        // a link do not overlap.
        let (dx, dy) = (x2 - x1, y2 - y1);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ux, uy) = (dx / len, dy / len);
        let t = NODE_R / len + p * (1.0 - 2.0 * NODE_R / len);
        let (x, y) = (x1 + dx * t - uy * 6.0, y1 + dy * t + ux * 6.0);
        let sel = Selection::Message { protocol: props.protocol, id: m.id };
        html! {
            <Dot key={m.id} id={m.id} kind={m.kind} from={m.from} to={m.to} class={category_class(m.category)}
                 at={(tenths(x), tenths(y))} selection={sel}
                 selected={props.state.selected == Some(sel)}
                 serves={props.state.serves_selected_op(props.protocol, m)}
                 on_msg={props.on_msg.clone()} />
        }
    });

    let newest_leader = views
        .iter()
        .flatten()
        .filter(|v| v.standing == Standing::Leads)
        .map(|v| v.era)
        .max();
    let nodes = views.iter().enumerate().map(|(i, v)| {
        let id = (i + 1) as NodeId;
        let sel = Selection::Node { protocol: props.protocol, node: id };
        let (role, era, class) = match v {
            Some(v) => {
                let (role, class) = look(v.role, v.standing, v.era, newest_leader);
                (role, Some((v.era_name, v.era)), class)
            }
            None => ("down", None, "down"),
        };
        html! {
            <NodeGlyph key={u64::from(id)} id={id} at={position(i, n)} {role} {era} {class} selection={sel}
                       selected={props.state.selected == Some(sel)} on_msg={props.on_msg.clone()} />
        }
    });

    html! {
        <svg class="ring" viewBox={format!("0 0 {SIZE} {SIZE}")} role="group"
             aria-label={format!("{title} cluster: {n} nodes and {} messages in flight", panel.seen.messages.len())}>
            <Links nodes={n} cuts={panel.seen.cuts.clone()} />
            { for messages }
            { for nodes }
        </svg>
    }
}

/// A coordinate in tenths of a pixel: what a dot's position is compared by.
fn tenths(v: f64) -> i32 {
    (v * 10.0).round() as i32
}

/// Props of [`Links`].
#[derive(Properties, PartialEq)]
struct LinksProps {
    nodes: usize,
    cuts: Vec<(NodeId, NodeId)>,
}

/// Every link of the ring: cut both ways, dashed red; cut one way, the
/// half that leads to the node that no longer hears is dashed red, so a
/// one-way cut does not look like a partition.
#[component]
fn Links(props: &LinksProps) -> Html {
    let n = props.nodes;
    let links = (0..n).flat_map(|a| (a + 1..n).map(move |b| (a, b))).map(|(a, b)| {
        let (na, nb) = ((a + 1) as NodeId, (b + 1) as NodeId);
        let (to_b, to_a) = (props.cuts.contains(&(na, nb)), props.cuts.contains(&(nb, na)));
        let ((x1, y1), (x2, y2)) = (position(a, n), position(b, n));
        let line = |class: Classes, (x1, y1): (f64, f64), (x2, y2): (f64, f64)| html! {
            <line {class} x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} />
        };
        let mid = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
        let shape = match (to_b, to_a) {
            (true, true) => line(classes!("edge", "cut"), (x1, y1), (x2, y2)),
            (false, false) => line(classes!("edge"), (x1, y1), (x2, y2)),
            (true, false) => html! { <>{ line(classes!("edge"), (x1, y1), mid) }{ line(classes!("edge", "cut", "one-way"), mid, (x2, y2)) }</> },
            (false, true) => html! { <>{ line(classes!("edge", "cut", "one-way"), (x1, y1), mid) }{ line(classes!("edge"), mid, (x2, y2)) }</> },
        };
        html! { <g key={format!("{na}-{nb}")}>{ shape }</g> }
    });
    html! { <>{ for links }</> }
}

/// Props of [`Dot`].
#[derive(Properties, PartialEq)]
struct DotProps {
    id: u64,
    kind: &'static str,
    from: NodeId,
    to: NodeId,
    /// Its category's class.
    class: &'static str,
    /// Where it is, in tenths of a pixel.
    at: (i32, i32),
    selection: Selection,
    selected: bool,
    serves: bool,
    on_msg: Callback<Msg>,
}

/// A message in flight; CSS slides it from where it was to where it is.
#[component]
fn Dot(props: &DotProps) -> Html {
    let (click, key) = activate(&props.on_msg, props.selection);
    let (x, y) = (f64::from(props.at.0) / 10.0, f64::from(props.at.1) / 10.0);
    let label = format!(
        "Message #{} {} from n{} to n{}",
        props.id, props.kind, props.from, props.to
    );
    html! {
        <g class={classes!("msg", props.class, props.selected.then_some("selected"), props.serves.then_some("serves"))}
           style={format!("transform: translate({x:.1}px, {y:.1}px)")}
           role="button" tabindex="-1" aria-label={label} onclick={click} onkeydown={key}>
            <circle r="6" />
        </g>
    }
}

/// Props of [`NodeGlyph`].
#[derive(Properties, PartialEq)]
struct NodeGlyphProps {
    id: NodeId,
    at: (f64, f64),
    role: &'static str,
    /// Its era's name and number; `None` while down.
    era: Option<(&'static str, u64)>,
    /// Its standing's class.
    class: &'static str,
    selection: Selection,
    selected: bool,
    on_msg: Callback<Msg>,
}

/// A node: its id, era and role, coloured by its standing.
#[component]
fn NodeGlyph(props: &NodeGlyphProps) -> Html {
    let (click, key) = activate(&props.on_msg, props.selection);
    let (id, (x, y)) = (props.id, props.at);
    let era = match props.era {
        Some((name, e)) => format!("{name} {e}"),
        None => "crashed".to_string(),
    };
    let label = format!("n{id}: {}, {era}. Open its state and actions.", props.role);
    html! {
        <g class={classes!("node", props.class, props.selected.then_some("selected"))} role="button" tabindex="0"
           aria-label={label} onclick={click} onkeydown={key}>
            <circle cx={x.to_string()} cy={y.to_string()} r={NODE_R.to_string()} />
            <text x={x.to_string()} y={(y - 4.0).to_string()} class="node-id">{ format!("n{id}") }</text>
            <text x={x.to_string()} y={(y + 10.0).to_string()} class="node-era">{ short_era(props.era) }</text>
            <text x={x.to_string()} y={(y + NODE_R + 13.0).to_string()} class="node-role">{ props.role }</text>
        </g>
    }
}

/// The era under a node's name, by the initial of what the protocol calls
/// it: `T2` (term), `B2` (ballot), `E2` (epoch), `V2` (view).
fn short_era(era: Option<(&str, u64)>) -> String {
    match era {
        Some((name, e)) => {
            let initial = name.chars().next().map(|c| c.to_ascii_uppercase());
            format!("{}{e}", initial.unwrap_or(' ')).trim_start().into()
        }
        None => "×".into(),
    }
}

/// The CSS class that colours a node by its standing, the same across
/// protocols.
/// A node's role label and class on the ring. A leader of an older term or
/// epoch than another leader is *stale*: a partition or a pause kept the
/// newer leader's messages from it, so it still believes it leads, but a
/// majority has moved on and nothing it sends can be committed. Two green
/// "Leader"s would hide that, so the stale one is drawn apart.
fn look(
    role: &'static str,
    standing: Standing,
    era: u64,
    newest_leader: Option<u64>,
) -> (&'static str, &'static str) {
    match newest_leader {
        Some(newest) if standing == Standing::Leads && era < newest => {
            ("stale leader", "stale-leader")
        }
        _ => (role, standing_class(standing)),
    }
}

pub fn standing_class(standing: Standing) -> &'static str {
    match standing {
        Standing::Leads => "leader",
        Standing::Seeks => "candidate",
        Standing::Serves => "follower",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leader_of_an_older_era_than_another_is_stale() {
        assert_eq!(
            look("Leader", Standing::Leads, 2, Some(3)),
            ("stale leader", "stale-leader")
        );
        assert_eq!(
            look("Leader", Standing::Leads, 3, Some(3)),
            ("Leader", "leader")
        );
        assert_eq!(
            look("Follower", Standing::Serves, 1, Some(3)),
            ("Follower", "follower")
        );
        assert_eq!(
            look("Candidate", Standing::Seeks, 2, None),
            ("Candidate", "candidate")
        );
    }
}
