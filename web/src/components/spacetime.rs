//! A space-time (sequence) diagram of recent messages: one vertical line per
//! node, time running down, each message an arrow from its sending to its
//! arrival (dashed while in flight, ending in a cross if lost).

use consensus_core::any::ProtocolKind;
use yew::prelude::*;

use super::{category_class, hover, on_click, Shared};
use crate::state::{Fate, Msg, Selection};

/// Ticks of history shown.
const WINDOW: u64 = 40;

/// Props of [`SpaceTime`].
#[derive(Properties, PartialEq)]
pub struct SpaceTimeProps {
    /// The state.
    pub state: Shared,
    /// Which panel.
    pub protocol: ProtocolKind,
    /// Where actions go (clicking an arrow selects its message).
    pub on_msg: Callback<Msg>,
    /// The message under the pointer, here or on the ring: drawn bold in both.
    pub hovered: Option<u64>,
    /// Called when the pointer enters an arrow (`Some`) or leaves it.
    pub on_hover: Callback<Option<u64>>,
}

/// The diagram of one panel.
#[component]
pub fn SpaceTime(props: &SpaceTimeProps) -> Html {
    let Some(panel) = props.state.panel(props.protocol) else {
        return html! {};
    };
    let n = usize::from(panel.sim.config().nodes);
    let now = panel.sim.now();
    let start = now.saturating_sub(WINDOW);
    let (w, h, top) = (300.0, 220.0, 18.0);
    let x = |node: u8| 20.0 + (f64::from(node) - 1.0) * (w - 40.0) / (n.max(2) - 1) as f64;
    let y = |t: u64| top + (t.saturating_sub(start)) as f64 * (h - top - 6.0) / WINDOW as f64;
    let lanes = (1..=n as u8).map(|id| {
        html! {
            <g key={u64::from(id)}>
                <text x={x(id).to_string()} y="12" class="lane-label">{ format!("n{id}") }</text>
                <line class="lane" x1={x(id).to_string()} y1={top.to_string()} x2={x(id).to_string()} y2={h.to_string()} />
            </g>
        }
    });
    let arrows = panel.records.iter().filter(|r| r.sent_at >= start || !matches!(r.fate, Fate::Delivered(t) | Fate::Lost(t) if t < start)).map(|r| {
        let (end, class) = match r.fate {
            Fate::InFlight => (now, "inflight"),
            Fate::Delivered(t) => (t, "delivered"),
            Fate::Lost(t) => (t, "lost"),
        };
        let (x1, y1) = (x(r.from), y(r.sent_at.max(start)));
        let (x2, y2) = (x(r.to), y(end.max(start)));
        // The message selected on the ring or in the pending list is drawn
        // bold here, and so is the one under the pointer there; clicking an
        // arrow selects its message, hovering it highlights the dot.
        let sel = Selection::Message { protocol: props.protocol, id: r.id };
        let selected = props.state.selected == Some(sel);
        let hovered = props.hovered == Some(r.id);
        let (enter, leave) = hover(&props.on_hover, r.id);
        html! {
            <line key={r.id} class={classes!("arrow", class, category_class(r.category), selected.then_some("selected"), hovered.then_some("hovered"))}
                  x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()}
                  onclick={on_click(&props.on_msg, Msg::Select(Some(sel)))} onmouseenter={enter} onmouseleave={leave}>
                <title>{ format!("#{} {} n{}→n{}, sent t={}", r.id, r.kind, r.from, r.to, r.sent_at) }</title>
            </line>
        }
    });
    html! {
        <svg class="spacetime" viewBox={format!("0 0 {w} {h}")} role="img"
             aria-label={format!("Space-time diagram of {} messages in the last {WINDOW} ticks; the event log lists them in words", panel.records.len())}>
            { for lanes }
            { for arrows }
        </svg>
    }
}
