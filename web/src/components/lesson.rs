//! Guided scenarios: the menu that opens one, the narration card with Back
//! and Next, and the banner that says when a textbook mistake is switched on.

use consensus_core::protocol::Mistakes;
use yew::prelude::*;

use super::{on_click, on_select, Shared};
use crate::lessons::LESSONS;
use crate::state::Msg;

/// Props of [`LessonMenu`] and [`Narration`].
#[derive(Properties, PartialEq)]
pub struct LessonProps {
    /// The state.
    pub state: Shared,
    /// Where actions go.
    pub on_msg: Callback<Msg>,
    /// Whether to suggest the first scenario on an untouched playground
    /// (not in an embed, whose author chose what it shows).
    #[prop_or_default]
    pub invite: bool,
}

/// A menu of the guided scenarios.
#[component]
pub fn LessonMenu(props: &LessonProps) -> Html {
    let current = props.state.lesson.as_ref().map(|l| l.lesson.id);
    let onchange = on_select(&props.on_msg, |value| {
        LESSONS
            .iter()
            .find(|l| l.id == value)
            .map_or(Msg::CloseLesson, |l| Msg::OpenLesson(l.id))
    });
    html! {
        <label class="field">{ "Guided" }
            <select {onchange} aria-label="Guided scenario">
                <option value="" selected={current.is_none()}>{ "Free play" }</option>
                { for LESSONS.iter().map(|l| html! {
                    <option value={l.id} selected={current == Some(l.id)}>{ l.title }</option>
                }) }
            </select>
        </label>
    }
}

/// The narration of the open guided scenario, and the mistake banner.
#[component]
pub fn Narration(props: &LessonProps) -> Html {
    let s = &props.state;
    let send = |m: Msg| on_click(&props.on_msg, m);
    let mistakes = (s.mistakes != Mistakes::NONE).then(|| {
        let names: Vec<String> = s
            .mistakes
            .iter()
            .map(|m| format!("{} ({})", m.name(), m.describe()))
            .collect();
        html! {
            <div class="mistake" role="note">
                <span><strong>{ "Mistake switched on: " }</strong>{ names.join("; ") }</span>
                <button onclick={send(Msg::ClearMistakes)} title="Replay this session with the protocols as the papers describe them">{ "Switch off" }</button>
            </div>
        }
    });
    let Some(at) = &s.lesson else {
        let first = &LESSONS[0];
        let invite = (props.invite && s.history.is_empty()).then(|| {
            html! {
                <p class="invite">
                    { "New to consensus? " }
                    <button onclick={send(Msg::OpenLesson(first.id))}>{ format!("Start with a guided scenario: {}", first.title) }</button>
                    { " or pick another from the Guided menu." }
                </p>
            }
        });
        return html! { <>{ invite.unwrap_or_default() }{ mistakes.unwrap_or_default() }</> };
    };
    let lesson = &at.lesson;
    let step = &lesson.steps[at.step];
    let last = lesson.steps.len() - 1;
    let detour = at.detour(&s.history);
    // The accessible name starts with the visible text (WCAG 2.5.3).
    let (next_text, next_label) = match (at.step == last, detour > 0) {
        (false, _) => ("Next", "Next narration step"),
        (true, true) => ("Back to this step", "Back to this step"),
        (true, false) => ("The end", "The end of the scenario"),
    };
    html! {
        <>
            <section class="narration" aria-labelledby="narration-title">
                <div class="narration-head">
                    <h2 id="narration-title">{ lesson.title }</h2>
                    <span class="narration-count">{ format!("Step {} of {}", at.step + 1, last + 1) }</span>
                </div>
                <div aria-live="polite">
                    <h3>{ step.title }</h3>
                    <p>{ step.text }</p>
                    { if detour > 0 { html! {
                        <p class="detour">{ format!("You have taken {detour} action{} of your own since this step. Back returns to this step, Next goes on with the scenario.", if detour == 1 { "" } else { "s" }) }</p>
                    } } else { html! {} } }
                </div>
                <div class="actions">
                    <button onclick={send(Msg::LessonBack)} disabled={at.step == 0 && detour == 0}
                            aria-label="Back to the previous step">{ "Back" }</button>
                    <button class="primary" onclick={send(Msg::LessonNext)} disabled={at.step == last && detour == 0}
                            aria-label={next_label}>{ next_text }</button>
                    <button onclick={send(Msg::CloseLesson)} aria-label="Close the guided scenario (keeps the state)">{ "Close" }</button>
                </div>
            </section>
            { mistakes.unwrap_or_default() }
        </>
    }
}
