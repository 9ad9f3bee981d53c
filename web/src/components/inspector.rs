//! The inspectors. A node's or a message's opens as a popover beside what
//! was clicked, on the ring (a bottom sheet on a phone): the full state of the
//! node and its actions (Crash, Restart, Time out, Isolate, Request here), or
//! the fields of the message and its actions (Deliver now, Drop, Duplicate,
//! Delay). Focus moves into it, Tab stays in it, Escape or Close gives focus
//! back to what was clicked. A client operation's opens below the panels,
//! beside the clients' table it was clicked in, with the messages in flight
//! serving it (also marked on the ring).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use consensus_core::any::ProtocolKind;
use consensus_core::kv::OpState;
use consensus_core::protocol::{NodeId, Purpose, Shown};

use super::{on_click, Shared};
use crate::session::{PanelAction, UiAction};
use crate::state::{Msg, Selection};

fn button(cb: &Callback<Msg>, label: &str, msg: Msg, enabled: bool) -> Html {
    html! { <button onclick={on_click(cb, msg)} disabled={!enabled}>{ label }</button> }
}

/// Props of [`Popover`].
#[derive(Properties, PartialEq)]
pub struct PopoverProps {
    /// The state.
    pub state: Shared,
    /// The node or message shown (of the panel the popover is in).
    pub selection: Selection,
    /// Where on the ring it is, as fractions of the ring's width and height.
    pub anchor: (f64, f64),
    /// Where actions go.
    pub on_msg: Callback<Msg>,
}

/// Which side of what was clicked the popover opens on: below what is near
/// the top of the ring, above what is near the bottom, and otherwise
/// sideways, towards the centre (so it stays over its own panel).
fn side((x, y): (f64, f64)) -> &'static str {
    match (x, y) {
        (_, y) if y < 0.25 => "below",
        (_, y) if y > 0.6 => "above",
        (x, _) if x < 0.5 => "east",
        _ => "west",
    }
}

/// A node's or a message's inspector, beside it on the ring.
#[component]
pub fn Popover(props: &PopoverProps) -> Html {
    let root = use_node_ref();
    // What had focus before the popover took it, given back when it closes.
    let back: Rc<RefCell<Option<web_sys::Element>>> = use_mut_ref(|| None);
    {
        let (root, back) = (root.clone(), back.clone());
        use_effect_with(props.selection, move |_| {
            let active = gloo::utils::document().active_element();
            let inside = |a: &web_sys::Element| {
                root.cast::<web_sys::Node>()
                    .is_some_and(|r| r.contains(Some(a)))
            };
            if let Some(a) = active.filter(|a| !inside(a)) {
                *back.borrow_mut() = Some(a);
            }
            if let Some(r) = root.cast::<web_sys::HtmlElement>() {
                let _ = r.focus();
            }
        });
    }
    {
        let (root, back) = (root.clone(), back.clone());
        use_effect_with((), move |_| {
            move || {
                // Closed: focus goes back, unless the learner has already
                // moved it elsewhere.
                let lost = gloo::utils::document().active_element().is_none_or(|a| {
                    a.tag_name() == "BODY"
                        || root
                            .cast::<web_sys::Node>()
                            .is_some_and(|r| r.contains(Some(&a)))
                });
                if let Some(b) = back.borrow_mut().take().filter(|b| b.is_connected()) {
                    if lost {
                        focus(&b);
                    }
                }
            }
        });
    }
    let on_key = {
        let root = root.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Tab" {
                keep_tab_in(&root, &e);
            }
        })
    };
    let cb = &props.on_msg;
    let body = match props.selection {
        Selection::Node { protocol, node } => node_body(&props.state, cb, protocol, node),
        Selection::Message { protocol, id } => message_body(&props.state, cb, protocol, id),
        Selection::Op { .. } => html! {},
    };
    let (x, y) = props.anchor;
    html! {
        <div ref={root} class={classes!("inspector", "popover", side(props.anchor))} role="dialog"
             aria-labelledby="inspector-title" tabindex="-1" onkeydown={on_key}
             style={format!("--ax: {:.1}%; --ay: {:.1}%", x * 100.0, y * 100.0)}>
            { body }
        </div>
    }
}

/// Tab from the last control goes to the first, Shift+Tab from the first
/// (or from the popover itself) to the last: focus stays in the popover
/// until it is closed.
fn keep_tab_in(root: &NodeRef, e: &KeyboardEvent) {
    let Some(root) = root.cast::<web_sys::Element>() else {
        return;
    };
    let Ok(controls) = root.query_selector_all("button:not([disabled]), a[href], input, select")
    else {
        return;
    };
    let (Some(first), Some(last)) = (
        controls.get(0),
        controls.get(controls.length().saturating_sub(1)),
    ) else {
        return;
    };
    let active = gloo::utils::document().active_element();
    let at = |n: &web_sys::Node| active.as_ref().is_some_and(|a| n.is_same_node(Some(a)));
    let to = if e.shift_key()
        && (at(&first) || active.as_ref().is_some_and(|a| root.is_same_node(Some(a))))
    {
        last
    } else if !e.shift_key() && at(&last) {
        first
    } else {
        return;
    };
    if let Ok(el) = to.dyn_into::<web_sys::Element>() {
        e.prevent_default();
        focus(&el);
    }
}

/// Focuses an element, HTML or SVG (a node on the ring is an SVG group).
fn focus(el: &web_sys::Element) {
    if let Some(h) = el.dyn_ref::<web_sys::HtmlElement>() {
        let _ = h.focus();
    } else if let Some(s) = el.dyn_ref::<web_sys::SvgElement>() {
        let _ = s.focus();
    }
}

/// Props of [`Inspector`].
#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    /// The state.
    pub state: Shared,
    /// Where actions go.
    pub on_msg: Callback<Msg>,
}

/// A client operation's inspector, when one is selected.
#[component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let Some(Selection::Op { protocol, op }) = props.state.selected else {
        return html! {};
    };
    html! {
        <aside class="inspector" aria-labelledby="inspector-title">
            { op_body(&props.state, &props.on_msg, protocol, op) }
        </aside>
    }
}

/// A node's state and actions.
fn node_body(state: &Shared, cb: &Callback<Msg>, protocol: ProtocolKind, node: NodeId) -> Html {
    let close = button(cb, "Close", Msg::Select(None), true);
    let Some(panel) = state.panel(protocol) else {
        return html! {};
    };
    let view = panel
        .sim
        .views()
        .get(usize::from(node) - 1)
        .cloned()
        .flatten();
    let up = view.is_some();
    let can_time_out = panel.sim.timeout_timer(node).is_some();
    // The key-value store this node has built from what it knows is
    // decided.
    let store = panel.sim.clients().store(node).map(|st| {
        let entries: Vec<String> = st.entries().map(|(k, v)| format!("{k} = {v}")).collect();
        if entries.is_empty() {
            "empty".to_string()
        } else {
            entries.join(", ")
        }
    });
    html! {
        <>
            <h2 id="inspector-title">{ format!("{}: n{node}", protocol.title()) }</h2>
            { match &view {
                None => html! { <p>{ "Crashed. Its durable state is kept for the restart." }</p> },
                Some(v) => html! {
                    <dl class="details">
                        <dt>{ "role" }</dt><dd>{ v.role }</dd>
                        { for v.details.iter().map(|(k, val)| html! { <><dt>{ *k }</dt><dd>{ val }</dd></> }) }
                        <dt>{ "log" }</dt>
                        <dd>{ if v.log.is_empty() { "empty".to_string() } else {
                            v.log.iter().map(|e| format!("{} {}: {} ({} {}){}", protocol.index_name(), e.index, Shown(e.value), protocol.label_name(), e.label, if e.committed { "" } else { " uncommitted" })).collect::<Vec<_>>().join(", ")
                        } }</dd>
                        <dt>{ "store" }</dt>
                        <dd>{ store.clone().unwrap_or_default() }</dd>
                    </dl>
                },
            } }
            <div class="actions" role="group" aria-label="Node actions (all panels, except Time out)">
                { button(cb, "Crash", Msg::Do(UiAction::Crash(node)), up) }
                { button(cb, "Restart", Msg::Do(UiAction::Restart(node)), !up) }
                { button(cb, "Time out", Msg::Do(UiAction::TimeOut { protocol, node }), up && can_time_out) }
                { button(cb, "Isolate", Msg::Do(UiAction::Isolate(node)), true) }
                { button(cb, "Request here", Msg::Do(UiAction::RequestAt(node)), up) }
                { close }
            </div>
        </>
    }
}

/// A message's fields and actions.
fn message_body(state: &Shared, cb: &Callback<Msg>, protocol: ProtocolKind, id: u64) -> Html {
    let close = button(cb, "Close", Msg::Select(None), true);
    let Some(m) = state.message(protocol, id) else {
        return html! {
            <>
                <h2 id="inspector-title">{ format!("{}: message #{id}", protocol.title()) }</h2>
                <p>{ "No longer in flight: it was delivered or lost (see the event log)." }</p>
                <div class="actions">{ close }</div>
            </>
        };
    };
    let act = |label: &str, action: PanelAction| {
        button(
            cb,
            label,
            Msg::Do(UiAction::Panel { protocol, action }),
            true,
        )
    };
    html! {
        <>
            <h2 id="inspector-title">{ format!("{}: message #{id}", protocol.title()) }</h2>
            <dl class="details">
                <dt>{ "type" }</dt><dd>{ m.kind }</dd>
                <dt>{ "from → to" }</dt><dd>{ format!("n{} → n{}", m.from, m.to) }</dd>
                <dt>{ "fields" }</dt><dd><code>{ &m.text }</code></dd>
                <dt>{ "sent" }</dt><dd>{ format!("t={}", m.sent_at) }</dd>
                <dt>{ "arrives" }</dt><dd>{ format!("t={}", m.deliver_at) }</dd>
                <dt>{ "serves" }</dt><dd>{ match m.purpose {
                    Purpose::Decision(key) => format!("decision {key} ({})", protocol.decision_number()),
                    other => other.name().to_string(),
                } }</dd>
                { m.copy_of.map(|c| html! { <><dt>{ "duplicate of" }</dt><dd>{ format!("#{c}") }</dd></> }).unwrap_or_default() }
            </dl>
            <div class="actions" role="group" aria-label="Message actions">
                { act("Deliver now", PanelAction::Deliver(id)) }
                { act("Drop", PanelAction::Drop(id)) }
                { act("Duplicate", PanelAction::Duplicate(id)) }
                { act("Delay 5 ticks", PanelAction::Delay(id, 5)) }
                { close }
            </div>
        </>
    }
}

/// A client operation: its request, outcome and the messages serving it.
fn op_body(state: &Shared, cb: &Callback<Msg>, protocol: ProtocolKind, op: u32) -> Html {
    let close = button(cb, "Close", Msg::Select(None), true);
    let Some(panel) = state.panel(protocol) else {
        return html! {};
    };
    let clients = panel.sim.clients();
    let Some(o) = clients.ops().get(op as usize) else {
        return html! {};
    };
    let outcome = match o.state {
        OpState::Waiting => "waiting for an answer".to_string(),
        OpState::Answered(t, reply) => format!("answered at t={t}: {reply}"),
        OpState::GaveUp(t) => format!("gave up at t={t}: outcome unknown"),
    };
    let serving: Vec<Html> = panel
        .sim
        .messages()
        .into_iter()
        .filter(|m| state.serves_selected_op(protocol, m))
        .map(|m| {
            let sel = Selection::Message { protocol, id: m.id };
            html! {
                <li key={m.id}>
                    <button class="link" onclick={on_click(cb, Msg::Select(Some(sel)))}>
                        { format!("#{} n{}→n{} {}", m.id, m.from, m.to, m.kind) }
                    </button>
                </li>
            }
        })
        .collect();
    html! {
        <>
            <h2 id="inspector-title">{ format!("{}: C{}'s {}", protocol.title(), o.client, o.op) }</h2>
            <dl class="details">
                <dt>{ "request" }</dt><dd>{ format!("C{} #{}, {} attempt{}", o.client, o.seq, o.attempts, if o.attempts == 1 { "" } else { "s" }) }</dd>
                <dt>{ "invoked" }</dt><dd>{ format!("t={} at n{}", o.call, o.node) }</dd>
                <dt>{ "outcome" }</dt><dd>{ outcome }</dd>
                <dt>{ "named" }</dt><dd>{ clients.tokens_of(op).join(", ") }</dd>
            </dl>
            <h3>{ "Messages in flight serving it" }</h3>
            { if serving.is_empty() {
                html! { <p>{ "None now: they were delivered or lost, or the node serves it alone. They are marked on the ring while in flight." }</p> }
            } else {
                html! { <ul class="serving">{ for serving }</ul> }
            } }
            <div class="actions">{ close }</div>
        </>
    }
}
