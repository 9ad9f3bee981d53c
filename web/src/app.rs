//! The application: the state in a reducer, the play loop, the keyboard and
//! visibility listeners, and the page layout.

use gloo::events::{EventListener, EventListenerOptions};
use gloo::timers::callback::{Interval, Timeout};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::compare::Compare;
use crate::components::controls::Controls;
use crate::components::help::Help;
use crate::components::inspector::Inspector;
use crate::components::network::Network;
use crate::components::panel::Panel;
use crate::components::Shared;
use crate::link::{decode, encode};
use crate::state::{Msg, Playground, UiAction};

/// Where the session is saved between visits.
const AUTOSAVE_KEY: &str = "consensus-playground.session";
/// How long after the last change the address and the autosave are updated.
const SAVE_DELAY_MS: u32 = 150;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// What to open at start: the link in the address bar wins; a broken link
/// is reported and the saved session (if any) opens instead, so opening a
/// bad link never loses the learner's work.
fn startup_messages() -> Vec<Msg> {
    let mut out = Vec::new();
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    if hash.len() > 1 {
        match decode(&hash) {
            Ok(session) => {
                return vec![Msg::Load {
                    session,
                    from: "This link",
                }]
            }
            Err(e) => out.push(Msg::Refuse(format!("This link cannot be opened: {e}."))),
        }
    }
    if let Some(saved) = storage().and_then(|s| s.get_item(AUTOSAVE_KEY).ok().flatten()) {
        match decode(&saved) {
            Ok(session) => out.insert(
                0,
                Msg::Load {
                    session,
                    from: "Your saved session",
                },
            ),
            Err(e) => out.push(Msg::Refuse(format!(
                "Your saved session could not be restored: {e}."
            ))),
        }
    }
    out
}

/// Keep the address bar and the autosave up to date with the session.
fn save(state: &Playground) {
    let text = encode(&state.session());
    if let Some(w) = web_sys::window() {
        if let Ok(history) = w.history() {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&format!("#{text}")),
            );
        }
    }
    if let Some(s) = storage() {
        let _ = s.set_item(AUTOSAVE_KEY, &text);
    }
}

/// Copy the address (which holds the session) to the clipboard.
fn copy_link(on_msg: &Callback<Msg>) {
    let Some(w) = web_sys::window() else { return };
    let href = w.location().href().unwrap_or_default();
    let _ = w.navigator().clipboard().write_text(&href);
    on_msg.emit(Msg::Notice(format!(
        "Link copied: it replays this exact session. ({} characters)",
        href.len()
    )));
}

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

    // Open a link or the saved session once; afterwards save every change.
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            for m in startup_messages() {
                dispatcher.dispatch(m);
            }
        });
    }
    {
        // Saved a moment after the last change, not on every tick while
        // playing: a newer change cancels the pending save.
        let state = state.clone();
        use_effect_with(state.version, move |version| {
            let pending = (*version > 0).then(|| Timeout::new(SAVE_DELAY_MS, move || save(&state)));
            move || drop(pending)
        });
    }

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

    let on_copy = {
        let cb = on_msg.clone();
        Callback::from(move |_| copy_link(&cb))
    };
    let notice = state
        .notice
        .clone()
        .map(|n| html! { <p class="notice" role="status">{ n }</p> });
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
            <Controls state={shared.clone()} on_msg={on_msg.clone()} on_new_seed={on_new_seed} on_copy={on_copy} />
            { error.unwrap_or_default() }
            { notice.unwrap_or_default() }
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
