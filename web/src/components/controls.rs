//! The shared control bar: one set of controls drives all panels.

use yew::prelude::*;

use super::lesson::LessonMenu;
use super::{checked, on_click, on_select, Shared};
use consensus_core::any::ProtocolKind;
use consensus_core::protocol::Variant;

use crate::session::{UiAction, MAX_NODES, MIN_NODES};
use crate::state::{Msg, SPEEDS};

/// Props of [`Controls`].
#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    /// The state.
    pub state: Shared,
    /// Where actions go.
    pub on_msg: Callback<Msg>,
    /// Asks for a fresh random seed.
    pub on_new_seed: Callback<()>,
    /// Copies the share link.
    pub on_copy: Callback<()>,
    /// Opens the embed snippet.
    pub on_embed: Callback<()>,
    /// Saves the session as a file.
    pub on_export: Callback<()>,
    /// Opens a session file the learner picked.
    pub on_import: Callback<web_sys::File>,
    /// Only Play, Step, Step back and Request (an embed's `controls=minimal`).
    pub minimal: bool,
    /// Whether presenter mode (larger type) is on.
    pub presenter: bool,
    /// Turns presenter mode on or off.
    pub on_presenter: Callback<bool>,
}

/// Play/Pause, speed, Step, Step back, Request, Heal, node count, the Raft
/// no-op, the protocols shown, New seed, guided scenarios, Copy link, Embed, Export, Import, help.
#[component]
pub fn Controls(props: &ControlsProps) -> Html {
    let s = &props.state;
    let send = |m: Msg| on_click(&props.on_msg, m);
    let on_speed = on_select(&props.on_msg, |v| Msg::SetSpeed(v.parse().unwrap_or(4)));
    let on_nodes = on_select(&props.on_msg, |v| Msg::SetNodes(v.parse().unwrap_or(5)));
    // Ticked: a new Raft leader appends a no-op (§8), as real Raft does.
    let on_noop = props.on_msg.reform(|e: Event| {
        let ticked = checked(&e);
        Msg::SetVariant(Variant::RaftNoNoop, !ticked)
    });
    let on_lease = props.on_msg.reform(|e: Event| {
        let ticked = checked(&e);
        Msg::SetVariant(Variant::RaftLease, ticked)
    });
    let shows_raft = s.protocols.contains(&ProtocolKind::Raft);
    let pickers = ProtocolKind::ALL.map(|p| {
        let shown = s.protocols.contains(&p);
        let on_change = props.on_msg.reform(move |e: Event| {
            let ticked = checked(&e);
            Msg::ShowProtocol(p, ticked)
        });
        let only = shown && s.protocols.len() == 1;
        html! {
            <label class="field">
                <input type="checkbox" checked={shown} disabled={only} onchange={on_change}
                       aria-label={format!("Show {} (replays the session)", p.title())} />
                { p.title() }
            </label>
        }
    });
    let new_seed = on_click(&props.on_new_seed, ());
    let copy = on_click(&props.on_copy, ());
    let embed = on_click(&props.on_embed, ());
    let export = on_click(&props.on_export, ());
    // The file input is hidden; the Import button opens its picker.
    let file_input = use_node_ref();
    let import = {
        let input = file_input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(i) = input.cast::<web_sys::HtmlInputElement>() {
                i.click();
            }
        })
    };
    let on_file = {
        let cb = props.on_import.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<web_sys::HtmlInputElement>();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                cb.emit(file);
            }
            // Picking the same file again should load it again.
            input.set_value("");
        })
    };
    let full = !props.minimal;
    let on_presenter = {
        let cb = props.on_presenter.clone();
        Callback::from(move |e: Event| cb.emit(checked(&e)))
    };
    // On a phone the setup controls fold behind More, so the bar stays short.
    let more = use_state(|| false);
    let toggle_more = {
        let more = more.clone();
        Callback::from(move |_: MouseEvent| more.set(!*more))
    };
    html! {
        <nav class="controls" aria-label="Simulation controls">
            <button class="primary" aria-pressed={if s.playing { "true" } else { "false" }}
                    onclick={send(Msg::TogglePlay)} title="Play or pause (Space)">
                { if s.playing { "Pause" } else { "Play" } }
            </button>
            { if full { html! {
            <label class="field">{ "Speed" }
                <select onchange={on_speed} aria-label="Speed in ticks per second">
                    { for SPEEDS.iter().map(|v| html! {
                        <option value={v.to_string()} selected={*v == s.speed}>{ format!("{v} ticks/s") }</option>
                    }) }
                </select>
            </label>
            } } else { html! {} } }
            <button onclick={send(Msg::Do(UiAction::Step))} title="Step to the next event (Right arrow)">{ "Step" }</button>
            <button onclick={send(Msg::StepBack)} disabled={s.history.is_empty()} title="Undo the last action (Left arrow)">{ "Step back" }</button>
            <button onclick={send(Msg::Do(UiAction::Request))} title="A client asks each cluster to decide a new value">{ "Request" }</button>
            { if full { html! { <>
            <button onclick={send(Msg::Do(UiAction::Heal))} title="Restore every network link">{ "Heal" }</button>
            <button class="more-toggle" aria-expanded={more.to_string()} aria-controls="setup-controls"
                    onclick={toggle_more}>{ if *more { "Less" } else { "More" } }</button>
            <div id="setup-controls" class={classes!("setup", more.then_some("open"))}>
            <label class="field">{ "Nodes" }
                <select onchange={on_nodes} aria-label="Number of nodes (starts over)">
                    { for (MIN_NODES..=MAX_NODES).map(|n| html! {
                        <option value={n.to_string()} selected={n == s.nodes}>{ n }</option>
                    }) }
                </select>
            </label>
            { if shows_raft { html! { <>
            <label class="field" title={format!("Ticked: a new Raft leader appends a no-op of its term (§8). Unticked: {}.", Variant::RaftNoNoop.describe())}>
                <input type="checkbox" checked={!s.variants.has(Variant::RaftNoNoop)} onchange={on_noop}
                       aria-label="Raft leaders append a no-op when elected (replays the session)" />
                { "Raft no-op" }
            </label>
            <label class="field" title={format!("Ticked: {}.", Variant::RaftLease.describe())}>
                <input type="checkbox" checked={s.variants.has(Variant::RaftLease)} onchange={on_lease}
                       aria-label="Raft leader leases, for lease reads (replays the session)" />
                { "Raft leases" }
            </label>
            </> } } else { html! {} } }
            <details class="protocol-picker">
                <summary title="Choose the protocols shown side by side">{ format!("Protocols ({})", s.protocols.len()) }</summary>
                <div class="picker-list" role="group" aria-label="Protocols shown">{ for pickers }</div>
            </details>
            <button onclick={new_seed} title="Start over with a fresh random seed">{ "New seed" }</button>
            <label class="field" title="Larger type for a projector (also ?presenter=1)">
                <input type="checkbox" checked={props.presenter} onchange={on_presenter}
                       aria-label="Presenter mode: larger type for a projector" />
                { "Presenter" }
            </label>
            <LessonMenu state={s.clone()} on_msg={props.on_msg.clone()} />
            <button onclick={copy} title="Copy a link that replays this exact session">{ "Copy link" }</button>
            <button onclick={embed} title="Get an iframe snippet for a course page">{ "Embed" }</button>
            <button onclick={export} title="Save this session as a file">{ "Export" }</button>
            <button onclick={import} title="Open a session file saved with Export">{ "Import" }</button>
            <input type="file" ref={file_input} class="hidden-input" accept=".txt,text/plain"
                   tabindex="-1" aria-hidden="true" aria-label="Session file to import" onchange={on_file} />
            </div>
            </> } } else { html! {} } }
            <span class="seed" aria-label="Current seed and time">{ format!("seed {} · t={}", s.seed, s.now) }</span>
            <button class="help-button" onclick={send(Msg::ToggleHelp)} aria-label="Keyboard help (?)">{ "?" }</button>
        </nav>
    }
}
