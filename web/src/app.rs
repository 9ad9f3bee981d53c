//! The application: the state in a reducer, the play loop, the keyboard,
//! visibility and scrolling listeners, session files, and the page layout.

use std::cell::RefCell;

use consensus_core::any::ProtocolKind;
use gloo::events::{EventListener, EventListenerOptions};
use gloo::file::callbacks::FileReader;
use gloo::file::{Blob, ObjectUrl};
use gloo::timers::callback::{Interval, Timeout};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::clients::Clients;
use crate::components::compare::Compare;
use crate::components::controls::Controls;
use crate::components::help::Help;
use crate::components::inspector::Inspector;
use crate::components::lesson::Narration;
use crate::components::logs::LogLegend;
use crate::components::modal::Modal;
use crate::components::network::Network;
use crate::components::panel::Panel;
use crate::components::ring::MessageLegend;
use crate::components::{checked, on_click, Shared};
use crate::link::{decode, encode, MAX_LEN};
use crate::options::{parse, Controls as ControlSet, Options, Theme};
use crate::session::UiAction;
use crate::state::{Msg, Playground};

/// Where the session is saved between visits.
const AUTOSAVE_KEY: &str = "consensus-playground.session";
/// How long after the last change the address and the autosave are updated.
const SAVE_DELAY_MS: u32 = 150;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The URL options of this page, and what in them was not understood.
fn url_options() -> (Options, Vec<String>) {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    parse(&search)
}

/// What to open at start: the session in the address bar wins; then URL
/// options (an embed shows its author's scenario); then the autosave. A
/// broken link is reported and the saved session opens instead, so opening
/// a bad link never loses the learner's work.
fn startup_messages(options: &Options, problems: &[String]) -> Vec<Msg> {
    let mut out = Vec::new();
    if !problems.is_empty() {
        out.push(Msg::Refuse(format!(
            "Some URL options were not understood and were ignored: {}.",
            problems.join("; ")
        )));
    }
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
    if let Some(id) = options.scenario {
        out.push(Msg::OpenLesson(id));
    }
    if options.chooses_state() {
        return out;
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

/// Keep the address bar (and, on the plain address, the autosave) up to
/// date with the session.
fn save(state: &Playground, autosave: bool) {
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
    if let Some(s) = storage().filter(|_| autosave) {
        let _ = s.set_item(AUTOSAVE_KEY, &text);
    }
}

/// A ready iframe for the current session.
fn embed_snippet(state: &Playground, choice: EmbedChoice) -> String {
    let (origin, path) = web_sys::window()
        .map(|w| {
            (
                w.location().origin().unwrap_or_default(),
                w.location().pathname().unwrap_or_default(),
            )
        })
        .unwrap_or_default();
    let protocols: Vec<&str> = state.protocols.iter().map(|p| p.name()).collect();
    let mut options = format!(
        "embed=1&protocols={}&nodes={}&seed={}",
        protocols.join(","),
        state.nodes,
        state.seed
    );
    if choice.every_control {
        options.push_str("&controls=full");
    }
    match choice.theme {
        Theme::Auto => {}
        Theme::Light => options.push_str("&theme=light"),
        Theme::Dark => options.push_str("&theme=dark"),
    }
    if choice.autoplay {
        options.push_str("&autoplay=1");
    }
    format!(
        "<iframe src=\"{origin}{path}?{options}#{}\" title=\"Consensus Playground\" width=\"100%\" height=\"760\" loading=\"lazy\"></iframe>",
        encode(&state.session())
    )
}

/// The common options the Embed dialog offers for the snippet.
#[derive(Clone, Copy, PartialEq, Default)]
struct EmbedChoice {
    /// `controls=full` (an embed shows the minimal set otherwise).
    every_control: bool,
    /// `theme=`.
    theme: Theme,
    /// `autoplay=1`.
    autoplay: bool,
}

/// Copy the address (which holds the session) to the clipboard, and say so
/// once the browser has done it (or that it refused).
fn copy_link(on_msg: &Callback<Msg>) {
    let Some(w) = web_sys::window() else { return };
    let href = w.location().href().unwrap_or_default();
    let said = format!(
        "Link copied: it replays this exact session. ({} characters)",
        href.len()
    );
    copy_text(&href, said, on_msg);
}

/// Copy `text` to the clipboard and, once the browser has, say `said` (or
/// that it refused).
fn copy_text(text: &str, said: String, on_msg: &Callback<Msg>) {
    let Some(w) = web_sys::window() else { return };
    let copied = {
        let cb = on_msg.clone();
        Closure::once(move |_: wasm_bindgen::JsValue| cb.emit(Msg::Notice(said)))
    };
    let refused = {
        let cb = on_msg.clone();
        Closure::once(move |_: wasm_bindgen::JsValue| {
            cb.emit(Msg::Refuse(
                "The browser did not allow copying to the clipboard: select the text and copy it by hand (the address bar holds the link).".into(),
            ))
        })
    };
    let _ = w
        .navigator()
        .clipboard()
        .write_text(text)
        .then2(&copied, &refused);
    // The promise calls one of them later; they must outlive this call
    // (a few bytes per click).
    copied.forget();
    refused.forget();
}

/// Offer the session as a text file to download. The object URL lives in
/// `keep` until the next export, so the download can finish reading it.
fn export_session(state: &Playground, keep: &RefCell<Option<ObjectUrl>>) {
    let text = format!("{}\n", encode(&state.session()));
    let url = ObjectUrl::from(Blob::new_with_options(text.as_str(), Some("text/plain")));
    let document = gloo::utils::document();
    if let Some(a) = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(&format!("consensus-playground-seed-{}.txt", state.seed));
        a.click();
    }
    *keep.borrow_mut() = Some(url);
}

/// Read a session file the learner picked and open it; a file too large to
/// be a session, unreadable or malformed is refused with the reason, and
/// the current state is kept. The reader lives in `keep` (until the next
/// import), so it is not dropped before it has read the file.
fn import_session(file: web_sys::File, on_msg: &Callback<Msg>, keep: &RefCell<Option<FileReader>>) {
    let file = gloo::file::File::from(file);
    let name = file.name();
    if file.size() > MAX_LEN as u64 {
        on_msg.emit(Msg::Refuse(format!(
            "'{name}' is too large to be a playground session ({} bytes; at most {MAX_LEN}). The playground kept its current state.",
            file.size()
        )));
        return;
    }
    let cb = on_msg.clone();
    let reader = gloo::file::callbacks::read_as_text(&file, move |read| {
        let msg = match read {
            Err(e) => Msg::Refuse(format!("'{name}' could not be read: {e}.")),
            Ok(text) => match decode(&text) {
                Ok(session) => Msg::Load {
                    session,
                    from: "The file",
                },
                Err(e) => Msg::Refuse(format!(
                    "'{name}' cannot be opened: {e}. The playground kept its current state."
                )),
            },
        };
        cb.emit(msg);
    });
    *keep.borrow_mut() = Some(reader);
}

/// The tag and the role of the element a key press is aimed at.
fn target_of(e: &web_sys::KeyboardEvent) -> (String, String) {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|el| (el.tag_name(), el.get_attribute("role").unwrap_or_default()))
        .unwrap_or_default()
}

/// Whether the key was pressed inside a modal dialog: the dialog has the
/// keyboard (Escape closes it), not the playground behind it.
fn in_dialog(e: &web_sys::KeyboardEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest("dialog").ok().flatten())
        .is_some()
}

/// Whether the focused control itself uses this key: arrows move within
/// fields and selects; Space and Enter also press buttons and open details.
fn control_uses(key: &str, (tag, role): &(String, String)) -> bool {
    let field = matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA");
    match key {
        "ArrowLeft" | "ArrowRight" if role == "tab" => true,
        " " => field || matches!(tag.as_str(), "BUTTON" | "SUMMARY" | "A"),
        _ => field,
    }
}

/// Whether the page opened on a phone-sized screen (the width at which the
/// style sheet shows one panel at a time).
fn narrow_screen() -> bool {
    gloo::utils::window()
        .match_media("(max-width: 640px)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// A fresh random seed from the browser's generator (small, to read aloud).
fn fresh_seed() -> u64 {
    getrandom::u32()
        .map(|x| u64::from(x % 1_000_000))
        .unwrap_or(1)
}

/// The protocol tabs a phone shows above the panels (hidden by the style
/// sheet on wider screens, where every panel shows). Left and Right move
/// between tabs, as the ARIA tabs pattern has it.
fn tabs(protocols: &[ProtocolKind], shown: ProtocolKind, on_tab: &Callback<ProtocolKind>) -> Html {
    if protocols.len() < 2 {
        return html! {};
    }
    let list = protocols.to_vec();
    let on_key = {
        let on_tab = on_tab.clone();
        Callback::from(move |e: KeyboardEvent| {
            let Some(i) = list.iter().position(|p| *p == shown) else {
                return;
            };
            let n = list.len();
            let next = match e.key().as_str() {
                "ArrowRight" => (i + 1) % n,
                "ArrowLeft" => (i + n - 1) % n,
                "Home" => 0,
                "End" => n - 1,
                _ => return,
            };
            e.prevent_default();
            on_tab.emit(list[next]);
            let id = format!("tab-{}", list[next].name());
            if let Some(el) = gloo::utils::document().get_element_by_id(&id) {
                if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        })
    };
    html! {
        <div class="tabs" role="tablist" aria-label="Protocol shown" onkeydown={on_key}>
            { for protocols.iter().map(|p| {
                let selected = *p == shown;
                let pick = {
                    let on_tab = on_tab.clone();
                    let p = *p;
                    Callback::from(move |_: MouseEvent| on_tab.emit(p))
                };
                html! {
                    <button role="tab" id={format!("tab-{}", p.name())} aria-selected={selected.to_string()}
                            aria-controls={format!("panel-{}", p.name())} tabindex={if selected { "0" } else { "-1" }}
                            onclick={pick}>{ p.short() }</button>
                }
            }) }
        </div>
    }
}

/// The playground.
#[component]
pub fn App() -> Html {
    let options = use_memo((), |_| url_options());
    let state = {
        let (o, _) = &*options;
        let protocols = o
            .protocols
            .clone()
            .unwrap_or_else(|| crate::session::DEFAULT_PROTOCOLS.to_vec());
        let (nodes, seed) = (o.nodes.unwrap_or(5), o.seed.unwrap_or(1));
        use_reducer(move || Playground::with(protocols, nodes, seed))
    };
    let (opts, _) = &*options;
    let autosave = !opts.chooses_state();
    // One callback for the page's lifetime, so that components whose other
    // props did not change are not re-rendered because of it.
    let on_msg = {
        let dispatcher = state.dispatcher();
        use_callback((), move |m: Msg, _| dispatcher.dispatch(m))
    };

    // Open a link or the saved session once, apply the theme, autoplay;
    // afterwards save every change.
    {
        let dispatcher = state.dispatcher();
        let options = options.clone();
        use_effect_with((), move |_| {
            let (o, problems) = &*options;
            for m in startup_messages(o, problems) {
                dispatcher.dispatch(m);
            }
            let theme = match o.theme {
                Theme::Auto => None,
                Theme::Light => Some("light"),
                Theme::Dark => Some("dark"),
            };
            if let (Some(t), Some(root)) = (theme, gloo::utils::document().document_element()) {
                let _ = root.set_attribute("data-theme", t);
            }
            if o.autoplay {
                dispatcher.dispatch(Msg::TogglePlay);
            }
        });
    }
    {
        // Saved a moment after the last change, not on every tick while
        // playing: a newer change cancels the pending save.
        let state = state.clone();
        use_effect_with(state.version, move |version| {
            let pending =
                (*version > 0).then(|| Timeout::new(SAVE_DELAY_MS, move || save(&state, autosave)));
            move || drop(pending)
        });
    }

    // Scrolled out of view (in a course page, say), the playground stops
    // ticking and goes on where it was when it comes back.
    let root = use_node_ref();
    let in_view = use_state(|| true);
    {
        let root = root.clone();
        let in_view = in_view.clone();
        use_effect_with((), move |_| {
            let callback =
                Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                    if let Some(entry) = entries
                        .iter()
                        .last()
                        .and_then(|e| e.dyn_into::<web_sys::IntersectionObserverEntry>().ok())
                    {
                        in_view.set(entry.is_intersecting());
                    }
                });
            let observer =
                web_sys::IntersectionObserver::new(callback.as_ref().unchecked_ref()).ok();
            if let (Some(o), Some(el)) = (&observer, root.cast::<web_sys::Element>()) {
                o.observe(&el);
            }
            move || {
                if let Some(o) = observer {
                    o.disconnect();
                }
                drop(callback);
            }
        });
    }

    // Leaving the page saves at once what the pending save would have.
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            let listener = EventListener::new(&gloo::utils::window(), "pagehide", move |_| {
                if state.version > 0 {
                    save(&state, autosave);
                }
            });
            move || drop(listener)
        });
    }

    // Play: one tick per interval, only while playing and in view. Dropping
    // the interval stops it, so nothing runs while paused.
    {
        let dispatcher = state.dispatcher();
        let running = state.playing && *in_view;
        use_effect_with((running, state.speed), move |(playing, speed)| {
            let interval = playing.then(|| {
                Interval::new(1000 / speed.max(&1), move || {
                    dispatcher.dispatch(Msg::Do(UiAction::Tick))
                })
            });
            move || drop(interval)
        });
    }

    // Keyboard: Space play/pause, arrows step, ? help, and in a guided
    // scenario Page Down / Page Up (what a presenter's clicker sends) or N / P
    // for its narration. Hidden tab: pause.
    {
        let dispatcher = state.dispatcher();
        let current = state.clone();
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
                    // In a dialog only `?` acts, and only to close the help.
                    let help_key = key == "?" && current.help;
                    if e.ctrl_key()
                        || e.meta_key()
                        || e.alt_key()
                        || (in_dialog(e) && !help_key)
                        || control_uses(&key, &target_of(e))
                    {
                        return;
                    }
                    let msg = match key.as_str() {
                        " " => Msg::TogglePlay,
                        "ArrowRight" => Msg::Do(UiAction::Step),
                        "ArrowLeft" => Msg::StepBack,
                        "?" => Msg::ToggleHelp,
                        "Escape" => Msg::Select(None),
                        "PageDown" | "n" if current.lesson.is_some() => Msg::LessonNext,
                        "PageUp" | "p" if current.lesson.is_some() => Msg::LessonBack,
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
    let embed_open = use_state(|| false);
    let on_embed = {
        let embed_open = embed_open.clone();
        Callback::from(move |_| embed_open.set(!*embed_open))
    };
    let embed_choice = use_state(EmbedChoice::default);
    let embed_dialog = (*embed_open).then(|| {
        let close = {
            let embed_open = embed_open.clone();
            Callback::from(move |_: MouseEvent| embed_open.set(false))
        };
        let on_close = {
            let embed_open = embed_open.clone();
            Callback::from(move |()| embed_open.set(false))
        };
        let choice = *embed_choice;
        let snippet = embed_snippet(&state, choice);
        let set = |change: fn(&mut EmbedChoice, &Event)| {
            let embed_choice = embed_choice.clone();
            Callback::from(move |e: Event| {
                let mut c = *embed_choice;
                change(&mut c, &e);
                embed_choice.set(c);
            })
        };
        let on_every_control = set(|c, e| c.every_control = checked(e));
        let on_autoplay = set(|c, e| c.autoplay = checked(e));
        let on_theme = set(|c, e| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            c.theme = match select.value().as_str() {
                "light" => Theme::Light,
                "dark" => Theme::Dark,
                _ => Theme::Auto,
            }
        });
        let copy = {
            let (snippet, cb) = (snippet.clone(), on_msg.clone());
            Callback::from(move |_: MouseEvent| {
                copy_text(&snippet, "Snippet copied: paste it into the course page.".into(), &cb)
            })
        };
        let theme = |value: &'static str, label: &'static str, t: Theme| html! {
            <option value={value} selected={choice.theme == t}>{ label }</option>
        };
        html! {
            <Modal labelled_by="embed-title" {on_close}>
                <h2 id="embed-title">{ "Embed this playground" }</h2>
                <p>{ "Paste this into a course page. It opens on exactly this session, in a compact layout; readers' own sessions are not touched." }</p>
                <div class="embed-options">
                    <label><input type="checkbox" checked={choice.every_control} onchange={on_every_control} />{ " Every control (otherwise Play, Step, Step back and Request)" }</label>
                    <label><input type="checkbox" checked={choice.autoplay} onchange={on_autoplay} />{ " Start playing" }</label>
                    <label>{ "Colours " }
                        <select onchange={on_theme} aria-label="Colour scheme of the embed">
                            { theme("auto", "the reader's system", Theme::Auto) }
                            { theme("light", "light", Theme::Light) }
                            { theme("dark", "dark", Theme::Dark) }
                        </select>
                    </label>
                </div>
                <textarea class="snippet" readonly=true rows="5" aria-label="iframe snippet" value={snippet} />
                <div class="dialog-buttons">
                    <button class="primary" onclick={copy} autofocus=true>{ "Copy" }</button>
                    <button onclick={close}>{ "Close" }</button>
                </div>
            </Modal>
        }
    });
    let notice = state
        .notice
        .clone()
        .map(|n| html! { <p class="notice" role="status">{ n }</p> });
    let on_new_seed = {
        let cb = on_msg.clone();
        Callback::from(move |_| cb.emit(Msg::NewSeed(fresh_seed())))
    };
    let exported = use_mut_ref(|| None);
    let on_export = {
        let state = state.clone();
        Callback::from(move |_| export_session(&state, &exported))
    };
    let reading = use_mut_ref(|| None);
    let on_import = {
        let cb = on_msg.clone();
        Callback::from(move |file| import_session(file, &cb, &reading))
    };
    let shared = Shared::new(state.clone());
    // Presenter mode scales the whole page's type (it is set on the root
    // element, which every `rem` follows).
    let presenter = use_state(|| opts.presenter);
    {
        use_effect_with(*presenter, |on| {
            if let Some(root) = gloo::utils::document().document_element() {
                let _ = if *on {
                    root.set_attribute("data-presenter", "")
                } else {
                    root.remove_attribute("data-presenter")
                };
            }
        });
    }
    let on_presenter = {
        let presenter = presenter.clone();
        Callback::from(move |on: bool| presenter.set(on))
    };
    let key_open = use_state(|| !opts.embed && !narrow_screen());
    // On a phone one panel shows at a time: the tab chosen, or the first.
    let tab = use_state(|| None::<ProtocolKind>);
    let shown = tab
        .filter(|p| state.protocols.contains(p))
        .or_else(|| state.protocols.first().copied())
        .unwrap_or(ProtocolKind::Raft);
    let on_tab = {
        let tab = tab.clone();
        Callback::from(move |p: ProtocolKind| tab.set(Some(p)))
    };
    let error = state.error.clone().map(|e| {
        let dismiss = on_click(&on_msg, Msg::DismissError);
        html! {
            <div class="error" role="alert">
                <span>{ e }</span>
                <button onclick={dismiss} aria-label="Dismiss this message">{ "Dismiss" }</button>
            </div>
        }
    });
    html! {
        <div class={classes!("app", opts.embed.then_some("embed"))} ref={root}>
            <header class="top">
                <h1>{ "Consensus Playground" }</h1>
                <p class="tagline">{ "Raft, Basic Paxos and Zab (more under Protocols) on the same cluster, requests and faults: step through every event, grab any message, break any node." }</p>
            </header>
            <Controls state={shared.clone()} on_msg={on_msg.clone()} on_new_seed={on_new_seed} on_copy={on_copy}
                      on_embed={on_embed} on_export={on_export} on_import={on_import}
                      minimal={opts.controls() == ControlSet::Minimal}
                      presenter={*presenter} on_presenter={on_presenter} />
            { error.unwrap_or_default() }
            { notice.unwrap_or_default() }
            <Narration state={shared.clone()} on_msg={on_msg.clone()} invite={!opts.embed} />
            <main>
                // An embed's frame and a phone's screen are small: there the
                // key starts folded (the help shows it too).
                <details class="legends" open={*key_open}>
                    <summary>{ "Key: log boxes and message letters" }</summary>
                    <LogLegend /><MessageLegend />
                </details>
                { tabs(&state.protocols, shown, &on_tab) }
                <div class="panels">
                    { for state.protocols.iter().map(|p| html! {
                        <Panel key={p.name()} state={shared.clone()} protocol={*p} on_msg={on_msg.clone()}
                               tab_hidden={*p != shown} />
                    }) }
                </div>
                <Inspector state={shared.clone()} on_msg={on_msg.clone()} />
                { if opts.controls() == ControlSet::Minimal { html! {} } else { html! {
                    <Clients state={shared.clone()} on_msg={on_msg.clone()} />
                } } }
                <Compare state={shared.clone()} />
                <Network nodes={state.nodes} on_msg={on_msg.clone()} />
            </main>
            { if state.help { html! { <Help on_msg={on_msg.clone()} /> } } else { html! {} } }
            { embed_dialog.unwrap_or_default() }
        </div>
    }
}
