//! The keyboard help dialog.

use yew::prelude::*;

use super::logs::LogLegend;
use super::modal::Modal;
use super::on_click;
use super::ring::MessageLegend;
use crate::state::Msg;

/// Props of [`Help`].
#[derive(Properties, PartialEq)]
pub struct HelpProps {
    /// Where actions go.
    pub on_msg: Callback<Msg>,
}

/// What the keys do, and how to read the panels.
#[component]
pub fn Help(props: &HelpProps) -> Html {
    let close = on_click(&props.on_msg, Msg::ToggleHelp);
    let on_close = props.on_msg.reform(|()| Msg::ToggleHelp);
    html! {
        <Modal labelled_by="help-title" {on_close}>
                <h2 id="help-title">{ "Keyboard and reading guide" }</h2>
                <dl class="keys">
                    <dt><kbd>{ "Space" }</kbd></dt><dd>{ "Play or pause" }</dd>
                    <dt><kbd>{ "→" }</kbd></dt><dd>{ "Step to the next event" }</dd>
                    <dt><kbd>{ "←" }</kbd></dt><dd>{ "Step back (undo the last action)" }</dd>
                    <dt><kbd>{ "Page Down" }</kbd>{ " or " }<kbd>{ "N" }</kbd></dt><dd>{ "Next step of a guided scenario (a presenter's clicker works)" }</dd>
                    <dt><kbd>{ "Page Up" }</kbd>{ " or " }<kbd>{ "P" }</kbd></dt><dd>{ "Previous step of a guided scenario" }</dd>
                    <dt><kbd>{ "?" }</kbd></dt><dd>{ "Open or close this help" }</dd>
                    <dt><kbd>{ "Tab" }</kbd></dt><dd>{ "Move between controls, nodes and pending messages; Enter or Space activates" }</dd>
                </dl>
                <p>{ "Each panel runs one protocol on the same cluster, seed, requests and faults. Click a node for its full state and to crash, restart, time out or isolate it; click a message, or use the pending list, to deliver, drop, duplicate or delay it." }</p>
                <p>{ "Each node's log is a row of boxes, lined up by index (Paxos: by slot) across nodes, as the papers draw them: the term (ballot, zxid) inside, the value beneath." }</p>
                <LogLegend />
                <p>{ "Messages in flight move along the link from sender to receiver, coloured and lettered by the part they play; hover one for its fields, click it to deliver, drop, duplicate or delay it." }</p>
                <MessageLegend />
                <p>{ "The event log under each panel says, in words, what happened and why inputs were refused." }</p>
                <button class="primary" onclick={close} autofocus=true>{ "Close" }</button>
        </Modal>
    }
}
