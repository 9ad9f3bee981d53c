//! Entry point: show a message instead of a dead page if anything panics,
//! then render the playground.

fn main() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let text = format!(
            "Something went wrong inside the playground: {info}. Your browser console has details; reload the page to start again."
        );
        if let Some(el) = gloo::utils::document().get_element_by_id("fatal") {
            el.set_text_content(Some(&text));
            let _ = el.remove_attribute("hidden");
        }
    }));
    yew::Renderer::<consensus_web::app::App>::new().render();
}
