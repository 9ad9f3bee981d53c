//! One protocol's panel: its ring, each node's log, the invariant status,
//! every pending message and timer with Deliver / Drop buttons (to choose the
//! exact interleaving), the space-time diagram and the event log in words.

use consensus_core::any::ProtocolKind;
use yew::prelude::*;

use super::history::History;
use super::inspector::Popover;
use super::logs::logs;
use super::ring::{anchor, Ring};
use super::spacetime::SpaceTime;
use super::{category_class, checked, on_click, Shared};
use crate::session::{PanelAction, UiAction};
use crate::state::{Fold, Msg, Selection};

/// Pending messages listed before "Show all" (the soonest to arrive).
const PENDING_SHOWN: usize = 12;
/// Event log lines rendered (the most recent).
const LOG_SHOWN: usize = 25;

/// Props of [`Panel`].
#[derive(Properties, PartialEq)]
pub struct PanelProps {
    /// The state.
    pub state: Shared,
    /// Which panel.
    pub protocol: ProtocolKind,
    /// Where actions go.
    pub on_msg: Callback<Msg>,
    /// Hidden on a phone, where one panel shows at a time (see the tabs).
    #[prop_or_default]
    pub tab_hidden: bool,
}

fn panel_action(
    cb: &Callback<Msg>,
    protocol: ProtocolKind,
    action: PanelAction,
) -> Callback<MouseEvent> {
    let cb = cb.clone();
    Callback::from(move |_: MouseEvent| {
        cb.emit(Msg::Do(UiAction::Panel {
            protocol,
            action: action.clone(),
        }))
    })
}

/// A protocol's panel.
#[component]
pub fn Panel(props: &PanelProps) -> Html {
    let Some(panel) = props.state.panel(props.protocol) else {
        return html! {};
    };
    let p = props.protocol;
    let id = p.name();
    let violations = panel.sim.violations();
    let status = if violations.is_empty() {
        html! { <p class="invariants ok" role="status">{ "✓ All invariants hold" }</p> }
    } else {
        // Every invariant broken is listed, once, with its first violation
        // and how many times it broke: the count in the heading adds up.
        let mut broken: Vec<(&str, usize, &str)> = Vec::new();
        for v in violations {
            match broken.iter_mut().find(|(name, _, _)| *name == v.invariant) {
                Some((_, n, _)) => *n += 1,
                None => broken.push((v.invariant, 1, &v.detail)),
            }
        }
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        html! {
            <div class="invariants broken" role="alert">
                <strong>{ format!("✗ {} invariant violation{} of {} invariant{}", violations.len(), plural(violations.len()), broken.len(), plural(broken.len())) }</strong>
                <ul>{ for broken.iter().map(|(name, n, detail)| html! {
                    <li><b>{ *name }</b>{ if *n > 1 { format!(" ({n} times)") } else { String::new() } }{ ": " }{ *detail }</li>
                }) }</ul>
            </div>
        }
    };

    let show_all = use_state(|| false);
    let total = panel.seen.messages.len();
    let hidden = if *show_all {
        0
    } else {
        total.saturating_sub(PENDING_SHOWN)
    };
    let messages = &panel.seen.messages[..total - hidden];
    let toggle_all = {
        let show_all = show_all.clone();
        Callback::from(move |_: MouseEvent| show_all.set(!*show_all))
    };
    let more = if hidden > 0 || (*show_all && total > PENDING_SHOWN) {
        html! {
            <li key="more">
                <button class="link" onclick={toggle_all}>
                    { if hidden > 0 { format!("Show all {total} messages ({hidden} more)") } else { "Show only the soonest".to_string() } }
                </button>
            </li>
        }
    } else {
        html! {}
    };
    let timers = &panel.seen.timers;
    let pending = messages.iter().map(|m| {
        let select = on_click(
            &props.on_msg,
            Msg::Select(Some(Selection::Message {
                protocol: p,
                id: m.id,
            })),
        );
        let serves = props.state.serves_selected_op(p, m);
        html! {
            <li key={m.id} class={classes!(serves.then_some("serves"))}>
                <span class={classes!("swatch", category_class(m.category))} aria-hidden="true"></span>
                <button class="link" onclick={select} title={m.text.clone()}>
                    { format!("#{} n{}→n{} {}", m.id, m.from, m.to, m.kind) }
                </button>
                <span class="due">{ format!("t={}", m.deliver_at) }</span>
                <button onclick={panel_action(&props.on_msg, p, PanelAction::Deliver(m.id))}
                        aria-label={format!("Deliver message #{} now", m.id)}>{ "Deliver" }</button>
                <button onclick={panel_action(&props.on_msg, p, PanelAction::Drop(m.id))}
                        aria-label={format!("Drop message #{}", m.id)}>{ "Drop" }</button>
            </li>
        }
    });
    let timer_rows = timers.iter().map(|t| {
        let fire = PanelAction::Fire(t.node, t.name.to_string());
        html! {
            <li key={format!("timer-{}-{}", t.node, t.name)} class="timer">
                <span class="swatch timer-swatch" aria-hidden="true"></span>
                <span>{ format!("n{} {} timer", t.node, t.name) }</span>
                <span class="due">{ format!("t={}", t.at) }</span>
                <button onclick={panel_action(&props.on_msg, p, fire)}
                        aria-label={format!("Fire n{}'s {} timer now", t.node, t.name)}>{ "Fire" }</button>
            </li>
        }
    });

    // The message under the pointer (or focused), highlighted on the ring
    // and in the space-time diagram alike.
    let hovered = use_state_eq(|| None::<u64>);
    let on_hover = {
        let hovered = hovered.clone();
        Callback::from(move |id: Option<u64>| hovered.set(id))
    };

    // The diagram is drawn only while its details element is open.
    let diagram_open = use_state(|| false);
    let on_diagram_toggle = {
        let diagram_open = diagram_open.clone();
        Callback::from(move |e: Event| {
            let open = e
                .target_unchecked_into::<web_sys::HtmlDetailsElement>()
                .open();
            diagram_open.set(open);
        })
    };

    // "Only the why": hide deliveries, timers and requests, keep what
    // nodes said about them (refusals, notes), decisions, faults and
    // violations.
    let why_only = use_state(|| false);
    let on_why_only = {
        let why_only = why_only.clone();
        Callback::from(move |e: Event| why_only.set(checked(&e)))
    };
    let lines = panel
        .log
        .iter()
        .rev()
        .filter(|l| !*why_only || !matches!(l.class, "msg" | "routine" | "late"))
        .take(LOG_SHOWN)
        .map(|l| match &l.folded {
            // A lone heartbeat (one that told a follower of a commit, say)
            // reads as the line it is.
            Some(fold) if fold.count == 1 => html! {
                <li key={l.seq} class="msg">{ fold.lines.front().cloned().unwrap_or_default() }</li>
            },
            Some(fold) => html! { <li key={l.seq} class="routine">{ folded(fold) }</li> },
            None => html! { <li key={l.seq} class={l.class}>{ &l.text }</li> },
        });

    // A node or message of this panel, when one is selected, opens beside
    // it on the ring.
    let popover = match props.state.selected {
        Some(sel @ (Selection::Node { protocol, .. } | Selection::Message { protocol, .. }))
            if protocol == p =>
        {
            let anchor = anchor(sel, panel.seen.views.len(), &panel.seen.messages);
            html! { <Popover state={props.state.clone()} selection={sel} {anchor} on_msg={props.on_msg.clone()} /> }
        }
        _ => html! {},
    };

    html! {
        <section id={format!("panel-{id}")} class={classes!("panel", (!violations.is_empty()).then_some("violated"), props.tab_hidden.then_some("tab-hidden"))}
                 aria-labelledby={format!("title-{id}")}>
            <header>
                <h2 id={format!("title-{id}")}>{ p.title() }</h2>
                <span class="time">
                    <span class="clock">{ format!("t={}", panel.sim.now()) }</span>
                    // Several steps can happen at one tick: the step number
                    // changes with every one.
                    <span class="step-no">{ format!("step {}", props.state.history.len()) }</span>
                </span>
            </header>
            { cost(p, panel, props.state.nodes) }
            { waiting(&panel.sim) }
            { status }
            // Side by side when the panel is wide (a single panel, an
            // embed): the ring on the left, the logs and the events beside it.
            <div class="panel-body">
                <div class="ring-wrap">
                    <Ring state={props.state.clone()} protocol={p} on_msg={props.on_msg.clone()}
                      hovered={*hovered} on_hover={on_hover.clone()} />
                    { popover }
                </div>
                <div class="panel-side">
                    { logs(p, &panel.sim, &panel.seen.views, &props.on_msg) }
                    <History state={props.state.clone()} protocol={p} on_msg={props.on_msg.clone()} />
                    <details class="pending" open=true>
                        <summary>{ format!("Pending: {total} messages, {} timers", timers.len()) }</summary>
                        <ul>{ for pending }{ more }{ for timer_rows }</ul>
                    </details>
                    <details class="diagram" ontoggle={on_diagram_toggle}>
                        <summary>{ "Space-time diagram" }</summary>
                        { if *diagram_open { html! { <SpaceTime state={props.state.clone()} protocol={p} on_msg={props.on_msg.clone()} hovered={*hovered} on_hover={on_hover.clone()} /> } } else { html! {} } }
                    </details>
                    <div class="log-head">
                        <h3 class="log-title" id={format!("log-{id}")}>{ "Event log" }</h3>
                        <label class="why-only">
                            <input type="checkbox" checked={*why_only} onchange={on_why_only} />
                            { " Only the why" }
                            <span class="why-more">{ " (hide deliveries, timers, heartbeats and late replies)" }</span>
                        </label>
                    </div>
                    // While playing, the log changes several times a second: screen
                    // readers would read it without pause, so it is announced only
                    // when the learner steps.
                    <ol class="event-log" role="log" aria-live={if props.state.playing { "off" } else { "polite" }}
                        aria-labelledby={format!("log-{id}")}>{ for lines }</ol>
                </div>
            </div>
        </section>
    }
}

/// Heartbeats in a row, as one line that opens to show them.
fn folded(fold: &Fold) -> Html {
    let (a, b) = fold.span;
    let when = if a == b {
        format!("t={a}")
    } else {
        format!("t={a}–{b}")
    };
    let what = if fold.count == 1 {
        "heartbeat"
    } else {
        "heartbeats"
    };
    let kept = if fold.lines.len() < fold.count as usize {
        html! { <li class="more">{ format!("the last {} of them:", fold.lines.len()) }</li> }
    } else {
        html! {}
    };
    html! {
        <details>
            <summary>{ format!("{when} · {} {what}: messages and timers that keep the leader in place", fold.count) }</summary>
            <ol>{ kept }{ for fold.lines.iter().rev().map(|l| html! { <li>{ l }</li> }) }</ol>
        </details>
    }
}

/// Requests a client holds until there is a leader to take them.
fn waiting(sim: &consensus_core::AnySim) -> Html {
    let values = sim.waiting_for_leader();
    if values.is_empty() {
        return html! {};
    }
    let names: Vec<String> = values.iter().map(|v| format!("v{v}")).collect();
    let verb = if values.len() == 1 { "waits" } else { "wait" };
    html! {
        <p class="waiting" role="status">
            { format!("{} {verb} for a leader: the client sends it to the first one elected.", names.join(", ")) }
        </p>
    }
}

/// The headline comparison, at the top of the panel: decisions so far and
/// what each cost, beside the textbook figure (the full table is below).
fn cost(p: ProtocolKind, panel: &crate::state::Panel, nodes: u8) -> Html {
    let decisions = panel.seen.summary.decisions;
    let textbook = p.textbook(nodes);
    let Some(measured) = panel.per_decision() else {
        return html! {
            <p class="panel-cost">{ format!("No decision yet · textbook {textbook} messages per decision") }</p>
        };
    };
    let over = measured > textbook as f64 + 1e-9;
    html! {
        <p class={classes!("panel-cost", over.then_some("over"))}>
            { format!("{decisions} decision{} · ", if decisions == 1 { "" } else { "s" }) }
            <b>{ format!("{measured:.2}") }</b>
            { format!(" messages per decision · textbook {textbook}") }
            { if over { html! {
                <span class="badge" title="Faults, retries or resent entries cost messages beyond the textbook steady state: the table below lists them by type">{ "above textbook" }</span>
            } } else { html! {} } }
        </p>
    }
}
