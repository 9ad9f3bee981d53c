//! The cluster as a ring: nodes with their role and term/ballot/epoch, the
//! links between them (cut ones dashed), and every message in flight placed
//! along its link according to how far it has travelled.

use consensus_core::any::{MessageView, ProtocolKind};
use consensus_core::protocol::{Category, NodeId, Standing};
use yew::prelude::*;

use super::{category_class, category_mark, hover, on_click, Shared, CATEGORIES};
use crate::session::UiAction;
use crate::state::{Msg, Selection};

const SIZE: f64 = 300.0;
const RADIUS: f64 = 108.0;
const NODE_R: f64 = 24.0;
/// Pixels between the centres of two messages on one link.
const DOT_GAP: f64 = 15.0;

/// Where messages on one link are drawn, given how far each has travelled
/// (from 0 to 1, in ascending order) and the least distance between two
/// (as a fraction of the link). Each is drawn where it is, unless that is
/// too close behind the one ahead, when it is drawn just behind it; if that
/// runs off the sender's end, the group moves forward. When more share the
/// link than fit, the hindmost fold into one place at the back: the answer
/// is the places from the back (that place first, if any) and how many
/// folded.
fn spread(progress: &[f64], gap: f64) -> (Vec<f64>, usize) {
    let fit = (1.0 / gap).floor() as usize + 1;
    let folded = if progress.len() > fit {
        progress.len() - (fit - 1)
    } else {
        0
    };
    // The folded ones are drawn as one, at the place of the most advanced.
    let mut places: Vec<f64> = match folded {
        0 => progress.to_vec(),
        k => core::iter::once(progress[k - 1])
            .chain(progress[k..].iter().copied())
            .collect(),
    };
    for i in (0..places.len().saturating_sub(1)).rev() {
        places[i] = places[i].min(places[i + 1] - gap);
    }
    if let Some(&back) = places.first().filter(|&&b| b < 0.0) {
        for p in &mut places {
            *p = (*p - back).min(1.0);
        }
    }
    (places, folded)
}

/// Where node `i` of `n` sits on the ring.
pub fn position(i: usize, n: usize) -> (f64, f64) {
    let angle = std::f64::consts::TAU * i as f64 / n as f64 - std::f64::consts::FRAC_PI_2;
    (
        SIZE / 2.0 + RADIUS * angle.cos(),
        SIZE / 2.0 + RADIUS * angle.sin(),
    )
}

/// Where a node or a message of this ring is, as fractions of the ring's
/// size (for the popover that opens beside it): a node's centre, the middle
/// of a message's link, or the centre when the message is gone.
pub fn anchor(sel: Selection, n: usize, messages: &[MessageView]) -> (f64, f64) {
    let at = |(x, y): (f64, f64)| (x / SIZE, y / SIZE);
    match sel {
        Selection::Node { node, .. } => at(position(usize::from(node) - 1, n)),
        Selection::Message { id, .. } => match messages.iter().find(|m| m.id == id) {
            Some(m) => {
                let (a, b) = (
                    position(usize::from(m.from) - 1, n),
                    position(usize::from(m.to) - 1, n),
                );
                at(((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0))
            }
            None => (0.5, 0.5),
        },
        Selection::Op { .. } => (0.5, 0.5),
    }
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
    /// The message under the pointer or focused, here or in the space-time
    /// diagram: drawn highlighted in both.
    pub hovered: Option<u64>,
    /// Called when the pointer or focus enters a message (`Some`) or leaves.
    pub on_hover: Callback<Option<u64>>,
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
    let drag = use_state(|| None::<Drag>);
    let svg = use_node_ref();
    let Some(panel) = props.state.panel(props.protocol) else {
        return html! {};
    };
    let views = &panel.seen.views;
    let n = views.len();
    let (down, moved, up, cancel) = drag_handlers(&drag, &svg, n, &props.on_msg);
    let now = panel.sim.now();
    let title = props.protocol.title();

    // Messages grouped by directed link, each group in order of progress,
    // then spread along its link so none hides another (at start-up Zab
    // sends a dozen VOTEs at once); where more share a link than fit, the
    // hindmost fold into one badge with their count. Dots are keyed by id,
    // so a dot slides when the ones ahead of it arrive.
    let mut in_flight: Vec<_> = panel
        .seen
        .messages
        .iter()
        .map(|m| {
            let span = m.deliver_at.saturating_sub(m.sent_at).max(1) as f64;
            let p = (now.saturating_sub(m.sent_at) as f64 / span).clamp(0.0, 1.0);
            (m, p)
        })
        .collect();
    in_flight.sort_unstable_by(|(a, pa), (b, pb)| {
        (a.from, a.to)
            .cmp(&(b.from, b.to))
            .then(pa.total_cmp(pb))
            .then(a.id.cmp(&b.id))
    });
    let mut dots = Vec::with_capacity(in_flight.len());
    for group in in_flight.chunk_by(|(a, _), (b, _)| (a.from, a.to) == (b.from, b.to)) {
        let first = group[0].0;
        let (a, b) = (usize::from(first.from) - 1, usize::from(first.to) - 1);
        let ((x1, y1), (x2, y2)) = (position(a, n), position(b, n));
        // Offset sideways, so the two directions of a link do not overlap.
        let (dx, dy) = (x2 - x1, y2 - y1);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ux, uy) = (dx / len, dy / len);
        // From just outside the sender's circle to just outside the
        // receiver's, so no dot hides under a node.
        let rim = NODE_R + 8.0;
        let run = (len - 2.0 * rim).max(1.0);
        let at = |t: f64| {
            let along = rim + t * run;
            (
                tenths(x1 + ux * along - uy * 7.0),
                tenths(y1 + uy * along + ux * 7.0),
            )
        };
        let progress: Vec<f64> = group.iter().map(|(_, p)| *p).collect();
        let (places, folded) = spread(&progress, DOT_GAP / run);
        let shown = &group[folded..];
        if folded > 0 {
            let (from, to) = (first.from, first.to);
            dots.push(html! {
                <Badge key={format!("badge-{from}-{to}")} count={folded} {from} {to} at={at(places[0])} />
            });
        }
        let offset = usize::from(folded > 0);
        for (i, (m, _)) in shown.iter().enumerate() {
            let sel = Selection::Message {
                protocol: props.protocol,
                id: m.id,
            };
            dots.push(html! {
                <Dot key={m.id} id={m.id} kind={m.kind} text={m.text.clone()} from={m.from} to={m.to}
                     category={m.category} at={at(places[i + offset])} selection={sel}
                     selected={props.state.selected == Some(sel)}
                     hovered={props.hovered == Some(m.id)}
                     serves={props.state.serves_selected_op(props.protocol, m)}
                     on_msg={props.on_msg.clone()} on_hover={props.on_hover.clone()} />
            });
        }
    }

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
        <svg ref={svg} class="ring" viewBox={format!("0 0 {SIZE} {SIZE}")} role="group"
             onpointerdown={down} onpointermove={moved} onpointerup={up} onpointercancel={cancel}
             aria-label={format!("{title} cluster: {n} nodes and {} messages in flight", panel.seen.messages.len())}>
            <Regions nodes={n} cuts={panel.seen.cuts.clone()} />
            <Links nodes={n} cuts={panel.seen.cuts.clone()} on_msg={props.on_msg.clone()} />
            { for dots }
            { for nodes }
            { match *drag {
                Some(((x1, y1), (x2, y2))) if (x2 - x1).hypot(y2 - y1) >= DRAG_MIN => html! {
                    <line class="drag-line" x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} />
                },
                _ => html! {},
            } }
        </svg>
    }
}

/// Where a pointer event is, in the coordinates of the ring `svg`. (Yew
/// delegates events, so the event's current target is not the ring.)
fn ring_point(svg: &NodeRef, e: &PointerEvent) -> Option<(f64, f64)> {
    let r = svg.cast::<web_sys::Element>()?.get_bounding_client_rect();
    (r.width() > 0.0).then(|| {
        (
            (f64::from(e.client_x()) - r.left()) * SIZE / r.width(),
            (f64::from(e.client_y()) - r.top()) * SIZE / r.height(),
        )
    })
}

/// How far, in the ring's coordinates, a press must move to be a drag
/// (a drawn partition) rather than a click.
const DRAG_MIN: f64 = 24.0;

/// Dragging across a ring draws a line; letting go splits the nodes on
/// either side of it into two groups, in every panel. A press that barely
/// moves stays a click (on a node, a message or a link).
fn drag_handlers(
    drag: &UseStateHandle<Option<Drag>>,
    svg: &NodeRef,
    n: usize,
    on_msg: &Callback<Msg>,
) -> (
    Callback<PointerEvent>,
    Callback<PointerEvent>,
    Callback<PointerEvent>,
    Callback<PointerEvent>,
) {
    let far = |(p, q): Drag| (q.0 - p.0).hypot(q.1 - p.1) >= DRAG_MIN;
    let down = {
        let (drag, svg) = (drag.clone(), svg.clone());
        Callback::from(move |e: PointerEvent| {
            if e.is_primary() && e.button() == 0 {
                drag.set(ring_point(&svg, &e).map(|p| (p, p)));
            }
        })
    };
    let moved = {
        let (drag, svg) = (drag.clone(), svg.clone());
        Callback::from(move |e: PointerEvent| {
            let (Some((start, _)), Some(end)) = (*drag, ring_point(&svg, &e)) else {
                return;
            };
            if far((start, end)) {
                // Keep the drag when the pointer leaves the ring; only a
                // drag captures, so clicks still reach what was clicked.
                if let Some(svg) = svg.cast::<web_sys::Element>() {
                    let _ = svg.set_pointer_capture(e.pointer_id());
                }
                e.prevent_default();
            }
            drag.set(Some((start, end)));
        })
    };
    let up = {
        let drag = drag.clone();
        let cb = on_msg.clone();
        Callback::from(move |_: PointerEvent| {
            if let Some((p, q)) = *drag {
                if far((p, q)) {
                    if let Some(sides) = split_by(p, q, n) {
                        cb.emit(Msg::Do(UiAction::Partition(sides)));
                    }
                }
            }
            drag.set(None);
        })
    };
    let cancel = {
        let drag = drag.clone();
        Callback::from(move |_: PointerEvent| drag.set(None))
    };
    (down, moved, up, cancel)
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
    on_msg: Callback<Msg>,
}

/// Every link of the ring: cut both ways, dashed red; cut one way, the
/// half that leads to the node that no longer hears is dashed red, so a
/// one-way cut does not look like a partition. A click on a link cuts it
/// both ways; a click on one of its arrowheads cuts that direction only.
/// (The Network editor below the panels does the same from the keyboard.)
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
        let sever = on_click(&props.on_msg, Msg::Do(UiAction::Sever { a: na, b: nb }));
        let hit = html! {
            <line class="link-hit" x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} onclick={sever}>
                <title>{ format!("Cut n{na}–n{nb} both ways (click an arrowhead to cut one way; Heal restores every link)") }</title>
            </line>
        };
        let heads = [(na, nb, (x1, y1), (x2, y2), to_b), (nb, na, (x2, y2), (x1, y1), to_a)]
            .into_iter()
            .filter(|h| !h.4)
            .map(|(from, to, p, q, _)| {
                let cut = on_click(&props.on_msg, Msg::Do(UiAction::Cut { from, to }));
                html! {
                    <path class="arrowhead" d={arrowhead(p, q)} onclick={cut}>
                        <title>{ format!("Cut n{from}→n{to} only: n{to} stops hearing n{from}, n{from} still hears n{to}") }</title>
                    </path>
                }
            });
        html! { <g key={format!("{na}-{nb}")} class="link">{ shape }{ hit }{ for heads }</g> }
    });
    html! { <>{ for links }</> }
}

/// A small triangle on the link from `p` to `q`, near `q`, pointing at it.
fn arrowhead((x1, y1): (f64, f64), (x2, y2): (f64, f64)) -> String {
    let (dx, dy) = (x2 - x1, y2 - y1);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    // The tip sits a little outside the receiver's circle.
    let tip = len - NODE_R - 6.0;
    let (tx, ty) = (x1 + ux * tip, y1 + uy * tip);
    let (bx, by) = (tx - ux * 9.0, ty - uy * 9.0);
    let (px, py) = (-uy * 5.0, ux * 5.0);
    format!(
        "M{tx:.1},{ty:.1} L{:.1},{:.1} L{:.1},{:.1} Z",
        bx + px,
        by + py,
        bx - px,
        by - py
    )
}

/// The groups a set of cuts splits the nodes into: two nodes are together
/// when a path joins them whose links each work in at least one direction
/// (a one-way cut is drawn on its link, not as a partition). One group
/// means no partition.
fn groups(n: usize, cuts: &[(NodeId, NodeId)]) -> Vec<Vec<NodeId>> {
    let open = |a: NodeId, b: NodeId| !(cuts.contains(&(a, b)) && cuts.contains(&(b, a)));
    let mut group_of: Vec<Option<usize>> = vec![None; n];
    let mut out: Vec<Vec<NodeId>> = Vec::new();
    for start in 0..n {
        if group_of[start].is_some() {
            continue;
        }
        let g = out.len();
        let mut members = vec![(start + 1) as NodeId];
        group_of[start] = Some(g);
        let mut i = 0;
        while let Some(&m) = members.get(i) {
            for other in 1..=n as NodeId {
                let slot = &mut group_of[usize::from(other) - 1];
                if slot.is_none() && open(m, other) {
                    *slot = Some(g);
                    members.push(other);
                }
            }
            i += 1;
        }
        members.sort_unstable();
        out.push(members);
    }
    out
}

/// Props of [`Regions`].
#[derive(Properties, PartialEq)]
struct RegionsProps {
    nodes: usize,
    cuts: Vec<(NodeId, NodeId)>,
}

/// The sides of a partition, shaded, behind the links: each group of nodes
/// that can still talk to each other, one tint per group.
#[component]
fn Regions(props: &RegionsProps) -> Html {
    let groups = groups(props.nodes, &props.cuts);
    if groups.len() < 2 {
        return html! {};
    }
    let shapes = groups.iter().enumerate().map(|(g, members)| {
        let points: Vec<String> = members
            .iter()
            .map(|&m| {
                let (x, y) = position(usize::from(m) - 1, props.nodes);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let names: Vec<String> = members.iter().map(|m| format!("n{m}")).collect();
        html! {
            <polygon key={g} class={classes!("region", format!("region-{}", g % 3))} points={points.join(" ")}>
                <title>{ format!("Side {}: {} can talk only to each other", g + 1, names.join(", ")) }</title>
            </polygon>
        }
    });
    html! { <g class="regions">{ for shapes }</g> }
}

/// A drag across the ring, from where it began to where the pointer is, in
/// the ring's coordinates.
type Drag = ((f64, f64), (f64, f64));

/// The two sides of the line from `p` to `q` (extended both ways): the
/// nodes on its left and those on its right. A partition needs both.
fn split_by((px, py): (f64, f64), (qx, qy): (f64, f64), n: usize) -> Option<Vec<Vec<NodeId>>> {
    let (left, right): (Vec<NodeId>, Vec<NodeId>) = (1..=n as NodeId).partition(|&id| {
        let (x, y) = position(usize::from(id) - 1, n);
        (qx - px) * (y - py) - (qy - py) * (x - px) < 0.0
    });
    (!left.is_empty() && !right.is_empty()).then(|| vec![left, right])
}

/// Props of [`Dot`].
#[derive(Properties, PartialEq)]
struct DotProps {
    id: u64,
    kind: &'static str,
    /// The message in words, shown on hover.
    text: String,
    from: NodeId,
    to: NodeId,
    category: Category,
    /// Where it is, in tenths of a pixel.
    at: (i32, i32),
    selection: Selection,
    selected: bool,
    hovered: bool,
    serves: bool,
    on_msg: Callback<Msg>,
    on_hover: Callback<Option<u64>>,
}

/// A message in flight; CSS slides it from where it was to where it is.
#[component]
fn Dot(props: &DotProps) -> Html {
    let (click, key) = activate(&props.on_msg, props.selection);
    let (x, y) = (f64::from(props.at.0) / 10.0, f64::from(props.at.1) / 10.0);
    let (mark, part, _) = category_mark(props.category);
    let label = format!(
        "Message #{} {} ({part}) from n{} to n{}",
        props.id, props.kind, props.from, props.to
    );
    let (enter, leave) = hover(&props.on_hover, props.id);
    let id = props.id;
    html! {
        <g class={classes!("msg", category_class(props.category), props.selected.then_some("selected"), props.hovered.then_some("hovered"), props.serves.then_some("serves"))}
           style={format!("transform: translate({x:.1}px, {y:.1}px)")}
           role="button" tabindex="-1" aria-label={label} onclick={click} onkeydown={key}
           onmouseenter={enter} onmouseleave={leave}
           onfocus={props.on_hover.reform(move |_: FocusEvent| Some(id))} onblur={props.on_hover.reform(|_: FocusEvent| None)}>
            <title>{ &props.text }</title>
            <circle r="7" />
            <text class="mark" y="3">{ mark }</text>
        </g>
    }
}

/// Props of [`Badge`].
#[derive(Properties, PartialEq)]
struct BadgeProps {
    count: usize,
    from: NodeId,
    to: NodeId,
    at: (i32, i32),
}

/// Messages folded at the back of a crowded link: their count. Each is
/// still listed, with its buttons, under Pending.
#[component]
fn Badge(props: &BadgeProps) -> Html {
    let (x, y) = (f64::from(props.at.0) / 10.0, f64::from(props.at.1) / 10.0);
    let label = format!(
        "{} more messages from n{} to n{}, listed under Pending",
        props.count, props.from, props.to
    );
    html! {
        <g class="msg-badge" style={format!("transform: translate({x:.1}px, {y:.1}px)")} role="img" aria-label={label.clone()}>
            <title>{ label }</title>
            <circle r="8" />
            <text y="3">{ format!("{}", props.count) }</text>
        </g>
    }
}

/// What the letters and colours of messages mean: one legend for every
/// panel, above them and in the help.
#[component]
pub fn MessageLegend() -> Html {
    let items = CATEGORIES.iter().map(|&c| {
        let (mark, part, kinds) = category_mark(c);
        html! {
            <span title={kinds}>
                <svg class="legend-dot" viewBox="-8 -8 16 16" aria-hidden="true">
                    <g class={classes!("msg", category_class(c))}><circle r="7" /><text class="mark" y="3">{ mark }</text></g>
                </svg>
                { " " }{ part }
            </span>
        }
    });
    html! {
        <p class="log-legend msg-legend">
            <span>{ "Messages:" }</span>
            { for items }
            <span title="Several messages on one link beyond what fits: their count">
                <svg class="legend-dot" viewBox="-9 -9 18 18" aria-hidden="true">
                    <g class="msg-badge"><circle r="8" /><text y="3">{ "3" }</text></g>
                </svg>
                { " more" }
            </span>
        </p>
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
    fn messages_on_a_link_are_drawn_where_they_are_when_there_is_room() {
        assert_eq!(spread(&[0.1, 0.5, 0.9], 0.2), (vec![0.1, 0.5, 0.9], 0));
    }

    #[test]
    fn messages_sent_together_are_spread_not_piled() {
        let (places, folded) = spread(&[0.0, 0.0, 0.0], 0.25);
        assert_eq!(folded, 0);
        assert_eq!(places, vec![0.0, 0.25, 0.5]);
        // Just behind the one ahead, when that is closer than the gap.
        let (places, _) = spread(&[0.5, 0.6], 0.25);
        assert_eq!(places, vec![0.35, 0.6]);
    }

    #[test]
    fn more_messages_than_fit_fold_into_a_badge_at_the_back() {
        // Five places fit at a gap of 0.25: four messages and the badge.
        let (places, folded) = spread(&[0.0; 9], 0.25);
        assert_eq!(folded, 5);
        assert_eq!(places, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        let (places, folded) = spread(&[0.0, 0.1, 0.2, 0.3, 0.4, 0.9], 0.25);
        assert_eq!(folded, 2);
        assert_eq!(places.len(), 5);
        assert!(places.windows(2).all(|w| w[1] - w[0] >= 0.25 - 1e-9));
        assert!(places.iter().all(|p| (0.0..=1.0).contains(p)));
    }

    #[test]
    fn groups_are_the_nodes_still_joined_by_a_link_open_both_ways() {
        assert_eq!(groups(3, &[]), vec![vec![1, 2, 3]]);
        // n3 cut off from both: two sides.
        let cuts = [(1, 3), (3, 1), (2, 3), (3, 2)];
        assert_eq!(groups(3, &cuts), vec![vec![1, 2], vec![3]]);
        // One-way cuts are not a partition.
        assert_eq!(groups(3, &[(1, 3), (2, 3)]), vec![vec![1, 2, 3]]);
        // n1 and n3 still reach each other through n2.
        assert_eq!(groups(3, &[(1, 3), (3, 1)]), vec![vec![1, 2, 3]]);
    }

    #[test]
    fn a_line_drawn_across_the_ring_splits_the_nodes_on_its_two_sides() {
        // Five nodes, n1 at the top: a vertical line through the centre
        // puts n2 and n3 on one side, n4 and n5 on the other, and n1 (on
        // the line) with the second.
        let c = SIZE / 2.0;
        let sides = split_by((c, 0.0), (c, SIZE), 5).unwrap();
        assert_eq!(sides, vec![vec![2, 3], vec![1, 4, 5]]);
        // A line beside the ring leaves every node on one side: nothing.
        assert_eq!(split_by((0.0, 0.0), (0.0, SIZE), 5), None);
    }

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
