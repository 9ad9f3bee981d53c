//! The application: the state in a reducer, the play loop, the keyboard and
//! visibility listeners, and the page layout.

use gloo::events::{EventListener, EventListenerOptions};
use gloo::timers::callback::Interval;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::compare::Compare;
use crate::components::controls::Controls;
use crate::components::help::Help;
use crate::components::inspector::Inspector;
use crate::components::network::Network;
use crate::components::panel::Panel;
use crate::components::Shared;
use crate::state::{Msg, Playground, UiAction};

/// The tag of the element a key press is aimed at.
fn target_tag(e: &web_sys::KeyboardEvent) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|el| el.tag_name())
        .unwrap_or_default()
}

/// Whether the focused control itself uses this key: arrows move within
/// fields and selects; Space and Enter also press buttons and open details.
fn control_uses(key: &str, tag: &str) -> bool {
    let field = matches!(tag, "INPUT" | "SELECT" | "TEXTAREA");
    match key {
        " " => field || matches!(tag, "BUTTON" | "SUMMARY" | "A"),
        _ => field,
    }
}

/// A fresh random seed from the browser's generator (small, to read aloud).
fn fresh_seed() -> u64 {
    getrandom::u32()
        .map(|x| u64::from(x % 1_000_000))
        .unwrap_or(1)
}

/// The playground.
#[component]
pub fn App() -> Html {
    let state = use_reducer(|| Playground::new(5, 1));
    let on_msg = {
        let state = state.clone();
        Callback::from(move |m: Msg| state.dispatch(m))
    };

    // Play: one tick per interval, only while playing. Dropping the
    // interval stops it, so nothing runs while paused.
    {
        let dispatcher = state.dispatcher();
        use_effect_with((state.playing, state.speed), move |(playing, speed)| {
            let interval = playing.then(|| {
                Interval::new(1000 / speed.max(&1), move || {
                    dispatcher.dispatch(Msg::Do(UiAction::Tick))
                })
            });
            move || drop(interval)
        });
    }

    // Keyboard: Space play/pause, arrows step, ? help. Hidden tab: pause.
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let document = gloo::utils::document();
            let keys = {
                let dispatcher = dispatcher.clone();
                let options = EventListenerOptions::enable_prevent_default();
                EventListener::new_with_options(&document, "keydown", options, move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                        return;
                    };
                    let key = e.key();
                    if e.ctrl_key()
                        || e.meta_key()
                        || e.alt_key()
                        || control_uses(&key, &target_tag(e))
                    {
                        return;
                    }
                    let msg = match key.as_str() {
                        " " => Msg::TogglePlay,
                        "ArrowRight" => Msg::Do(UiAction::Step),
                        "ArrowLeft" => Msg::StepBack,
                        "?" => Msg::ToggleHelp,
                        "Escape" => Msg::Select(None),
                        _ => return,
                    };
                    e.prevent_default();
                    dispatcher.dispatch(msg);
                })
            };
            let visibility = EventListener::new(&document, "visibilitychange", move |_| {
                if gloo::utils::document().hidden() {
                    dispatcher.dispatch(Msg::Pause);
                }
            });
            move || drop((keys, visibility))
        });
    }

    let on_new_seed = {
        let cb = on_msg.clone();
        Callback::from(move |_| cb.emit(Msg::NewSeed(fresh_seed())))
    };
    let shared = Shared::new(state.clone());
    let error = state.error.clone().map(|e| {
        let cb = on_msg.clone();
        let dismiss = Callback::from(move |_: MouseEvent| cb.emit(Msg::DismissError));
        html! {
            <div class="error" role="alert">
                <span>{ e }</span>
                <button onclick={dismiss} aria-label="Dismiss this message">{ "Dismiss" }</button>
            </div>
        }
    });
    html! {
        <>
            <header class="top">
                <h1>{ "Consensus Playground" }</h1>
                <p class="tagline">{ "Raft, Basic Paxos and Zab on the same cluster, the same seed, the same requests and the same faults. Step through every event, grab any message, break any node." }</p>
            </header>
            <Controls state={shared.clone()} on_msg={on_msg.clone()} on_new_seed={on_new_seed} />
            { error.unwrap_or_default() }
            <main>
                <div class="panels">
                    { for state.protocols.iter().map(|p| html! {
                        <Panel key={p.name()} state={shared.clone()} protocol={*p} on_msg={on_msg.clone()} />
                    }) }
                </div>
                <Inspector state={shared.clone()} on_msg={on_msg.clone()} />
                <Compare state={shared.clone()} />
                <Network nodes={state.nodes} on_msg={on_msg.clone()} />
            </main>
            { if state.help { html! { <Help on_msg={on_msg.clone()} /> } } else { html! {} } }
        </>
    }
}
