//! A modal dialog on the browser's own `<dialog>`: opened with
//! `showModal()`, so focus moves into it and stays there (the page behind is
//! inert), and Escape closes it, as the platform does for every modal.

use yew::prelude::*;

/// Props of [`Modal`].
#[derive(Properties, PartialEq)]
pub struct ModalProps {
    /// The id of the dialog's heading, which names it.
    pub labelled_by: AttrValue,
    /// Called when the dialog closes (Escape, or a button inside).
    pub on_close: Callback<()>,
    pub children: Html,
}

/// A modal dialog, open while it is rendered.
#[component]
pub fn Modal(props: &ModalProps) -> Html {
    let dialog = use_node_ref();
    {
        let dialog = dialog.clone();
        use_effect_with((), move |_| {
            if let Some(d) = dialog.cast::<web_sys::HtmlDialogElement>() {
                if !d.open() {
                    // Fails only if it is already open, or not in the page.
                    let _ = d.show_modal();
                }
            }
        });
    }
    let on_cancel = {
        let close = props.on_close.clone();
        Callback::from(move |e: Event| {
            // Escape: the app state closes the dialog by not rendering it.
            e.prevent_default();
            close.emit(());
        })
    };
    html! {
        <dialog ref={dialog} class="dialog" aria-labelledby={props.labelled_by.clone()} oncancel={on_cancel}>
            { props.children.clone() }
        </dialog>
    }
}
