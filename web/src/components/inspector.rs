//! The inspector: the full state of a clicked node and its actions (Crash,
//! Restart, Time out, Isolate, Request here), the fields of a clicked message and its
//! actions (Deliver now, Drop, Duplicate, Delay), or a clicked client
//! operation with the messages in flight serving it (also marked on the ring).

use yew::prelude::*;

use consensus_core::kv::OpState;
use consensus_core::protocol::{Purpose, Shown};

use super::{on_click, Shared};
use crate::session::{PanelAction, UiAction};
use crate::state::{Msg, Selection};

/// Props of [`Inspector`].
#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    /// The state.
    pub state: Shared,
    /// Where actions go.
    pub on_msg: Callback<Msg>,
}

fn button(cb: &Callback<Msg>, label: &str, msg: Msg, enabled: bool) -> Html {
    html! { <button onclick={on_click(cb, msg)} disabled={!enabled}>{ label }</button> }
}

/// The inspector, when something is selected.
#[component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let Some(sel) = props.state.selected else {
        return html! {};
    };
    let cb = &props.on_msg;
    let close = button(cb, "Close", Msg::Select(None), true);
    let body = match sel {
        Selection::Node { protocol, node } => {
            let Some(panel) = props.state.panel(protocol) else {
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
                let entries: Vec<String> =
                    st.entries().map(|(k, v)| format!("{k} = {v}")).collect();
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
        Selection::Message { protocol, id } => {
            let Some(m) = props.state.message(protocol, id) else {
                return html! {
                    <aside class="inspector" aria-labelledby="inspector-title">
                        <h2 id="inspector-title">{ format!("{}: message #{id}", protocol.title()) }</h2>
                        <p>{ "No longer in flight: it was delivered or lost (see the event log)." }</p>
                        <div class="actions">{ close }</div>
                    </aside>
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
        Selection::Op { protocol, op } => {
            let Some(panel) = props.state.panel(protocol) else {
                return html! {};
            };
            let clients = panel.sim.clients();
            let Some(o) = clients.ops().get(op as usize) else {
                return html! {};
            };
            let state = match o.state {
                OpState::Waiting => "waiting for an answer".to_string(),
                OpState::Answered(t, reply) => format!("answered at t={t}: {reply}"),
                OpState::GaveUp(t) => format!("gave up at t={t}: outcome unknown"),
            };
            let serving: Vec<Html> = panel
                .sim
                .messages()
                .into_iter()
                .filter(|m| props.state.serves_selected_op(protocol, m))
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
                        <dt>{ "outcome" }</dt><dd>{ state }</dd>
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
    };
    html! { <aside class="inspector" aria-labelledby="inspector-title">{ body }</aside> }
}
