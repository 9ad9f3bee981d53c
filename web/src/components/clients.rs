//! The Clients area: a client (C1, C2, C3) sends a read, a write or a cas on
//! a key to a node of its choice, in every panel at once, with the read path
//! chosen per protocol; a waiting client can retry elsewhere or give up.

use consensus_core::kv::{ClientId, Key, ReadPath};
use consensus_core::linearizability::Datum;
use consensus_core::protocol::NodeId;
use yew::prelude::*;

use super::Shared;
use crate::session::{read_paths, UiAction, UiOp};
use crate::state::Msg;
use consensus_core::any::ProtocolKind;

/// Clients offered.
const CLIENTS: ClientId = 3;

/// What the form holds.
#[derive(Clone, Copy, PartialEq)]
struct Form {
    client: ClientId,
    kind: OpKind,
    key: Key,
    value: Datum,
    from: Datum,
    node: NodeId,
    paths: [ReadPath; ProtocolKind::COUNT],
}

#[derive(Clone, Copy, PartialEq)]
enum OpKind {
    Read,
    Write,
    Cas,
}

impl Form {
    fn op(&self) -> UiOp {
        match self.kind {
            OpKind::Read => UiOp::Read {
                key: self.key,
                paths: self.paths,
            },
            OpKind::Write => UiOp::Write {
                key: self.key,
                value: self.value,
            },
            OpKind::Cas => UiOp::Cas {
                key: self.key,
                from: self.from,
                to: self.value,
            },
        }
    }
}

/// How a read path is offered, with what it promises.
fn path_label(p: ReadPath) -> &'static str {
    match p {
        ReadPath::Log => "through the log (linearizable)",
        ReadPath::ReadIndex => "ReadIndex (linearizable, no log entry)",
        ReadPath::Lease => "lease (no messages; linearizable while clocks keep time)",
        ReadPath::Local => "local (fast, may be stale)",
        ReadPath::Sync => "sync, then local (ZooKeeper; current only while its leader is)",
    }
}

/// Props of [`Clients`].
#[derive(Properties, PartialEq)]
pub struct ClientsProps {
    /// The state.
    pub state: Shared,
    /// Where actions go.
    pub on_msg: Callback<Msg>,
}

/// The Clients area.
#[component]
pub fn Clients(props: &ClientsProps) -> Html {
    let s = &props.state;
    let form = use_state(|| Form {
        client: 1,
        kind: OpKind::Write,
        key: Key::X,
        value: 1,
        from: 0,
        node: 1,
        paths: [ReadPath::Log; ProtocolKind::COUNT],
    });
    let f = *form;
    let node = f.node.min(s.nodes).max(1);
    // A `<select>` or number input that updates one field of the form.
    let change = |update: fn(&mut Form, &str)| {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .value();
            let mut next = *form;
            update(&mut next, &value);
            form.set(next);
        })
    };
    let send = {
        let cb = props.on_msg.clone();
        let op = f.op();
        let client = f.client;
        Callback::from(move |_: MouseEvent| cb.emit(Msg::Do(UiAction::Invoke { client, node, op })))
    };
    let retry = {
        let cb = props.on_msg.clone();
        let client = f.client;
        Callback::from(move |_: MouseEvent| cb.emit(Msg::Do(UiAction::Retry { client, node })))
    };
    let give_up = {
        let cb = props.on_msg.clone();
        let client = f.client;
        Callback::from(move |_: MouseEvent| cb.emit(Msg::Do(UiAction::GiveUp(client))))
    };
    let waiting = s.protocols.iter().any(|p| {
        s.panel(*p)
            .is_some_and(|panel| panel.sim.clients().waiting(f.client).is_some())
    });
    let number = |label: &'static str, value: Datum, update: fn(&mut Form, &str)| {
        html! {
            <label class="field">{ label }
                <input type="number" value={value.to_string()} min="-999" max="999"
                       aria-label={format!("{label} (an integer)")} onchange={change(update)} />
            </label>
        }
    };
    let path_fields = s.protocols.iter().map(|p| {
        let p = *p;
        let slot = p.position();
        let form = form.clone();
        let on_path = Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            let mut next = *form;
            next.paths[slot] = ReadPath::from_name(&v).unwrap_or(ReadPath::Log);
            form.set(next);
        });
        html! {
            <label class="field">{ format!("{} reads", p.short()) }
                <select onchange={on_path} aria-label={format!("How {} serves the read", p.title())}>
                    { for read_paths(p).into_iter().map(|path| html! {
                        <option value={path.name()} selected={f.paths[slot] == path}>{ path_label(path) }</option>
                    }) }
                </select>
            </label>
        }
    });
    html! {
        <section class="clients" aria-labelledby="clients-title">
            <h2 id="clients-title">{ "Clients" }</h2>
            <div class="client-form">
                <label class="field">{ "Client" }
                    <select aria-label="Client" onchange={change(|f, v| f.client = v.parse().unwrap_or(1))}>
                        { for (1..=CLIENTS).map(|c| html! { <option value={c.to_string()} selected={c == f.client}>{ format!("C{c}") }</option> }) }
                    </select>
                </label>
                <label class="field">{ "Operation" }
                    <select aria-label="Operation" onchange={change(|f, v| f.kind = match v { "read" => OpKind::Read, "cas" => OpKind::Cas, _ => OpKind::Write })}>
                        <option value="write" selected={f.kind == OpKind::Write}>{ "write" }</option>
                        <option value="read" selected={f.kind == OpKind::Read}>{ "read" }</option>
                        <option value="cas" selected={f.kind == OpKind::Cas}>{ "cas (compare-and-set)" }</option>
                    </select>
                </label>
                <label class="field">{ "Key" }
                    <select aria-label="Key" onchange={change(|f, v| f.key = Key::from_name(v).unwrap_or(Key::X))}>
                        { for Key::ALL.into_iter().map(|k| html! { <option value={k.name()} selected={k == f.key}>{ k.name() }</option> }) }
                    </select>
                </label>
                { match f.kind {
                    OpKind::Write => number("Value", f.value, |f, v| f.value = v.parse().unwrap_or(f.value)),
                    OpKind::Cas => html! { <>
                        { number("From", f.from, |f, v| f.from = v.parse().unwrap_or(f.from)) }
                        { number("To", f.value, |f, v| f.value = v.parse().unwrap_or(f.value)) }
                    </> },
                    OpKind::Read => path_fields.collect::<Html>(),
                } }
                <label class="field">{ "At node" }
                    <select aria-label="Node the client sends to" onchange={change(|f, v| f.node = v.parse().unwrap_or(1))}>
                        { for (1..=s.nodes).map(|n| html! { <option value={n.to_string()} selected={n == node}>{ format!("n{n}") }</option> }) }
                    </select>
                </label>
                <button class="primary" onclick={send} title="The client sends this operation to the node, in every panel">{ "Send" }</button>
                <button onclick={retry} disabled={!waiting} title="Send the waiting operation again, to the node chosen, with the same request number">{ "Retry there" }</button>
                <button onclick={give_up} disabled={!waiting} title="Stop waiting: the outcome stays unknown">{ "Give up" }</button>
            </div>
        </section>
    }
}
