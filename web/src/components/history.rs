//! A panel's client history, drawn as Jepsen, Knossos and Porcupine draw
//! theirs: one lane per client, each operation a bar from its invocation to
//! its reply (open-ended while waiting or when the outcome is unknown), and
//! the checker's verdict in words, with the operations it blames marked.

use consensus_core::any::ProtocolKind;
use consensus_core::kv::{self, ClientOp, KvOp, OpState, Reply};
use consensus_core::linearizability;
use consensus_core::protocol::Tick;
use yew::prelude::*;

use super::{on_click, Shared};
use crate::state::{Msg, Selection};

/// Props of [`History`].
#[derive(Properties, PartialEq)]
pub struct HistoryProps {
    /// The state.
    pub state: Shared,
    /// Which panel.
    pub protocol: ProtocolKind,
    /// Where actions go (clicking an operation selects it).
    pub on_msg: Callback<Msg>,
}

/// `write x=5`, `read x → 3`, `cas x 4→0 ok`, as the bar's label.
fn label(o: &ClientOp) -> String {
    let reply = match o.state {
        OpState::Answered(_, r) => Some(r),
        _ => None,
    };
    let body = match (o.op, reply) {
        (KvOp::Read(k, path), r) => {
            let got = match r {
                Some(Reply::Value(Some(v))) => format!(" → {v}"),
                Some(Reply::Value(None)) => " → none".into(),
                _ => String::new(),
            };
            let how = match path {
                kv::ReadPath::Log => String::new(),
                p => format!(" ({p})"),
            };
            format!("read {k}{got}{how}")
        }
        (KvOp::Write(k, v), _) => format!("write {k}={v}"),
        (KvOp::Cas { key, from, to }, r) => {
            let got = match r {
                Some(Reply::Cas(true)) => " ok",
                Some(Reply::Cas(false)) => " failed",
                _ => "",
            };
            format!("cas {key} {from}→{to}{got}")
        }
    };
    match o.state {
        OpState::Waiting => format!("{body} …"),
        OpState::GaveUp(_) => format!("{body} ?"),
        OpState::Answered(..) => body,
    }
}

/// The client history of one panel, with the verdict.
#[component]
pub fn History(props: &HistoryProps) -> Html {
    let Some(panel) = props.state.panel(props.protocol) else {
        return html! {};
    };
    let ops = panel.sim.clients().ops();
    if ops.is_empty() {
        return html! {};
    }
    let history = kv::history(ops);
    let verdict = linearizability::check(&history);
    let offending: Vec<u32> = verdict
        .as_ref()
        .map(|v| v.failures.iter().flat_map(|f| f.offending()).collect())
        .unwrap_or_default();
    let verdict = match &verdict {
        Ok(v) if v.linearizable() => html! {
            <p class="verdict ok">{ "✓ Linearizable: one order of these operations explains every reply" }</p>
        },
        Ok(v) => html! {
            <div class="verdict broken">
                <strong>{ "✗ Not linearizable" }</strong>
                { for v.failures.iter().map(|f| html! { <p>{ f.explain(&history) }</p> }) }
            </div>
        },
        Err(e) => {
            html! { <p class="verdict broken">{ format!("The history cannot be checked: {e}") }</p> }
        }
    };
    let now = panel.sim.now();
    let start: Tick = ops.iter().map(|o| o.call).min().unwrap_or(0);
    let span = (now.max(start + 1) - start) as f64;
    let at = |t: Tick| (t.saturating_sub(start)) as f64 / span * 100.0;
    let mut clients: Vec<u8> = ops.iter().map(|o| o.client).collect();
    clients.sort_unstable();
    clients.dedup();
    let lanes = clients.iter().map(|c| {
        let bars = ops.iter().enumerate().filter(|(_, o)| o.client == *c).map(|(i, o)| {
            let (end, open) = match o.state {
                OpState::Answered(t, _) => (t, false),
                OpState::Waiting | OpState::GaveUp(_) => (now, true),
            };
            // Labels run to the right of short bars: keep the start where a
            // label still fits in the lane.
            let left = at(o.call).min(60.0);
            let width = (at(end) - left).max(0.8);
            let returned = match o.state {
                OpState::Answered(t, _) => format!("answered at t={t}"),
                OpState::Waiting => "still waiting".into(),
                OpState::GaveUp(t) => format!("gave up at t={t}: outcome unknown"),
            };
            let title = format!("C{c} {} at n{}: invoked at t={}, {returned}", o.op, o.node, o.call);
            let sel = Selection::Op { protocol: props.protocol, op: i as u32 };
            let selected = props.state.selected == Some(sel);
            html! {
                <li key={i} class={classes!("op", open.then_some("open"), offending.contains(&(i as u32)).then_some("offending"), selected.then_some("selected"))}
                    style={format!("left:{left:.2}%;width:{width:.2}%")}>
                    <button class="op-button" title={title.clone()} aria-label={format!("{title}. Show it and the messages serving it.")}
                            aria-pressed={if selected { "true" } else { "false" }}
                            onclick={on_click(&props.on_msg, Msg::Select(Some(sel)))}>
                        { label(o) }
                    </button>
                </li>
            }
        });
        html! {
            <div class="client-lane" key={*c}>
                <span class="client-name" aria-hidden="true">{ format!("C{c}") }</span>
                <ol class="bars" aria-label={format!("C{c}'s operations")}>{ for bars }</ol>
            </div>
        }
    });
    html! {
        <details class="history" open=true>
            <summary>{ format!("Client history: {} operations", ops.len()) }</summary>
            { verdict }
            <div class="client-lanes">{ for lanes }</div>
        </details>
    }
}
