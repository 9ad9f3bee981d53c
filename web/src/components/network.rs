//! Drawing partitions: put nodes into groups, or cut one link in one
//! direction. Applies to every panel.

use consensus_core::protocol::NodeId;
use yew::prelude::*;

use crate::session::UiAction;
use crate::state::Msg;

/// Props of [`Network`].
#[derive(Properties, PartialEq)]
pub struct NetworkProps {
    /// Cluster size.
    pub nodes: u8,
    /// Where actions go.
    pub on_msg: Callback<Msg>,
}

const GROUPS: [&str; 3] = ["A", "B", "C"];

/// The partition editor.
#[component]
pub fn Network(props: &NetworkProps) -> Html {
    let n = props.nodes;
    let groups = use_state(|| vec![0usize; usize::from(n)]);
    let link = use_state(|| (1 as NodeId, 2 as NodeId));
    if groups.len() != usize::from(n) {
        groups.set(vec![0; usize::from(n)]);
    }
    let apply = {
        let groups = groups.clone();
        let cb = props.on_msg.clone();
        Callback::from(move |_: MouseEvent| {
            let parts: Vec<Vec<NodeId>> = (0..GROUPS.len())
                .map(|g| {
                    groups
                        .iter()
                        .enumerate()
                        .filter(|(_, x)| **x == g)
                        .map(|(i, _)| (i + 1) as NodeId)
                        .collect()
                })
                .filter(|v: &Vec<NodeId>| !v.is_empty())
                .collect();
            cb.emit(Msg::Do(UiAction::Partition(parts)));
        })
    };
    let cut = {
        let link = link.clone();
        let cb = props.on_msg.clone();
        Callback::from(move |_: MouseEvent| {
            cb.emit(Msg::Do(UiAction::Cut {
                from: link.0,
                to: link.1,
            }))
        })
    };
    let pickers = (0..usize::from(n)).map(|i| {
        let handle = groups.clone();
        let onchange = Callback::from(move |e: Event| {
            let v: usize = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value().parse().unwrap_or(0);
            let mut g = (*handle).clone();
            if let Some(slot) = g.get_mut(i) {
                *slot = v;
            }
            handle.set(g);
        });
        html! {
            <label class="field">{ format!("n{}", i + 1) }
                <select onchange={onchange} aria-label={format!("Group of n{}", i + 1)}>
                    { for GROUPS.iter().enumerate().map(|(g, name)| html! {
                        <option value={g.to_string()} selected={groups.get(i) == Some(&g)}>{ *name }</option>
                    }) }
                </select>
            </label>
        }
    });
    let node_select = |label: &str, pick: fn(&mut (NodeId, NodeId), NodeId), value: NodeId| {
        let link = link.clone();
        let onchange = Callback::from(move |e: Event| {
            let v: NodeId = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value()
                .parse()
                .unwrap_or(1);
            let mut l = *link;
            pick(&mut l, v);
            link.set(l);
        });
        html! {
            <label class="field">{ label }
                <select onchange={onchange} aria-label={format!("Cut link {label}")}>
                    { for (1..=n).map(|x| html! { <option value={x.to_string()} selected={x == value}>{ format!("n{x}") }</option> }) }
                </select>
            </label>
        }
    };
    html! {
        <section class="network" aria-labelledby="network-title">
            <h2 id="network-title">{ "Network" }</h2>
            <div class="row" role="group" aria-label="Partition into groups">
                { for pickers }
                <button onclick={apply}>{ "Apply partition" }</button>
            </div>
            <div class="row" role="group" aria-label="Cut one link in one direction">
                { node_select("from", |l, v| l.0 = v, link.0) }
                { node_select("to", |l, v| l.1 = v, link.1) }
                <button onclick={cut}>{ "Cut link" }</button>
            </div>
        </section>
    }
}
