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

/// The ring of one panel.
#[component]
pub fn Ring(props: &RingProps) -> Html {
    let Some(panel) = props.state.panel(props.protocol) else {
        return html! {};
    };
    let views = &panel.seen.views;
    let n = views.len();
    let now = panel.sim.now();
    let cuts = &panel.seen.cuts;
    let title = props.protocol.title();

    let links = (0..n).flat_map(|a| (a + 1..n).map(move |b| (a, b))).map(|(a, b)| {
        let (na, nb) = ((a + 1) as NodeId, (b + 1) as NodeId);
        let cut = cuts.contains(&(na, nb)) || cuts.contains(&(nb, na));
        let ((x1, y1), (x2, y2)) = (position(a, n), position(b, n));
        html! { <line key={format!("{na}-{nb}")} class={classes!("edge", cut.then_some("cut"))} x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} /> }
    });

    let messages = panel.seen.messages.iter().map(|m| {
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
        let (click, key) = activate(&props.on_msg, sel);
        let selected = props.state.selected == Some(sel);
        let serves = props.state.serves_selected_op(props.protocol, m);
        let label = format!("Message #{} {} from n{} to n{}", m.id, m.kind, m.from, m.to);
        html! {
            <g key={m.id} class={classes!("msg", category_class(m.category), selected.then_some("selected"), serves.then_some("serves"))}
               style={format!("transform: translate({x:.1}px, {y:.1}px)")}
               role="button" tabindex="-1" aria-label={label} onclick={click} onkeydown={key}>
                <circle r="6" />
            </g>
        }
    });

    let nodes = views.iter().enumerate().map(|(i, v)| {
        let id = (i + 1) as NodeId;
        let (x, y) = position(i, n);
        let sel = Selection::Node { protocol: props.protocol, node: id };
        let (click, key) = activate(&props.on_msg, sel);
        let selected = props.state.selected == Some(sel);
        let (role, era, class) = match v {
            Some(v) => (v.role, format!("{} {}", v.era_name, v.era), standing_class(v.standing)),
            None => ("down", "crashed".to_string(), "down"),
        };
        let label = format!("n{id}: {role}, {era}. Open its state and actions.");
        html! {
            <g key={u64::from(id)} class={classes!("node", class, selected.then_some("selected"))} role="button" tabindex="0"
               aria-label={label} onclick={click} onkeydown={key}>
                <circle cx={x.to_string()} cy={y.to_string()} r={NODE_R.to_string()} />
                <text x={x.to_string()} y={(y - 4.0).to_string()} class="node-id">{ format!("n{id}") }</text>
                <text x={x.to_string()} y={(y + 10.0).to_string()} class="node-era">{ short_era(v.as_ref().map(|v| (v.era_name, v.era))) }</text>
                <text x={x.to_string()} y={(y + NODE_R + 13.0).to_string()} class="node-role">{ role }</text>
            </g>
        }
    });

    html! {
        <svg class="ring" viewBox={format!("0 0 {SIZE} {SIZE}")} role="group"
             aria-label={format!("{title} cluster: {n} nodes and {} messages in flight", panel.seen.messages.len())}>
            { for links }
            { for messages }
            { for nodes }
        </svg>
    }
}

fn short_era(era: Option<(&str, u64)>) -> String {
    match era {
        Some(("term", e)) => format!("T{e}"),
        Some(("ballot", e)) => format!("B{e}"),
        Some(("epoch", e)) => format!("E{e}"),
        Some((_, e)) => format!("{e}"),
        None => "×".into(),
    }
}

/// The CSS class that colours a node by its standing, the same across
/// protocols.
pub fn standing_class(standing: Standing) -> &'static str {
    match standing {
        Standing::Leads => "leader",
        Standing::Seeks => "candidate",
        Standing::Serves => "follower",
    }
}
