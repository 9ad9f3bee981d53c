//! The playground's components: each renders part of the shared state and
//! sends [`Msg`](crate::state::Msg)s back through a callback.

pub mod clients;
pub mod compare;
pub mod controls;
pub mod help;
pub mod history;
pub mod inspector;
pub mod lesson;
pub mod logs;
pub mod modal;
pub mod network;
pub mod panel;
pub mod ring;
pub mod spacetime;

use consensus_core::protocol::Category;
use yew::{Callback, Event, MouseEvent, TargetCast, UseReducerHandle};

use crate::state::{Msg, Playground};

/// A click that sends `value` to `cb`.
pub fn on_click<T: Clone + 'static>(cb: &Callback<T>, value: T) -> Callback<MouseEvent> {
    cb.reform(move |_| value.clone())
}

/// Handlers that tell `on_hover` when the pointer enters message `id`
/// (on the ring or in the space-time diagram) and when it leaves.
pub fn hover(
    on_hover: &Callback<Option<u64>>,
    id: u64,
) -> (Callback<MouseEvent>, Callback<MouseEvent>) {
    (
        on_hover.reform(move |_| Some(id)),
        on_hover.reform(|_| None),
    )
}

/// Whether the checkbox a change came from is ticked.
pub fn checked(e: &Event) -> bool {
    e.target_unchecked_into::<web_sys::HtmlInputElement>()
        .checked()
}

/// A `<select>`'s change, turned into a message by `to_msg`.
pub fn on_select(cb: &Callback<Msg>, to_msg: fn(&str) -> Msg) -> Callback<Event> {
    cb.reform(move |e: Event| {
        to_msg(
            &e.target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value(),
        )
    })
}

/// The state as components receive it, compared by the version it had when
/// the props were made: every change makes a new version, so unchanged
/// views are not re-rendered. (The handle itself always reads the newest
/// state, so comparing through it would find old and new props equal.)
#[derive(Clone)]
pub struct Shared {
    handle: UseReducerHandle<Playground>,
    version: u64,
}

impl Shared {
    /// Props for the state as it is now.
    pub fn new(handle: UseReducerHandle<Playground>) -> Self {
        let version = handle.version;
        Shared { handle, version }
    }
}

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

impl std::ops::Deref for Shared {
    type Target = Playground;
    fn deref(&self) -> &Playground {
        &self.handle
    }
}

/// The letter drawn on a message of a category, so types are told apart
/// without colour, and the legend's words for it, with the message types
/// of each protocol that play that part.
pub fn category_mark(category: Category) -> (&'static str, &'static str, &'static str) {
    match category {
        Category::Ask => (
            "?",
            "asks",
            "a vote or promise: RequestVote, Prepare, VOTE, SYNC, StartViewChange",
        ),
        Category::Answer => (
            "!",
            "answers",
            "RequestVoteReply, Promise, CEPOCH, ACK-E, SYNC-REPLY, DoViewChange",
        ),
        Category::Carry => (
            "E",
            "carries entries",
            "AppendEntries, Accept, PROPOSE, Prepare (VR)",
        ),
        Category::Ack => (
            "A",
            "acknowledges",
            "AppendEntriesReply, Accepted, ACK, PrepareOK",
        ),
        Category::Commit => ("C", "commits", "Decide, COMMIT, COMMIT-LD, Commit (VR)"),
        Category::Refuse => ("N", "refuses", "Nack"),
        Category::Recover => (
            "S",
            "syncs a node",
            "NEWEPOCH, NEWLEADER, ACK-LD, CatchUp, Learn, StartView, Recovery",
        ),
        Category::Keepalive => ("H", "heartbeat", "PING, PONG, Heartbeat"),
    }
}

/// Every category, in the legend's order.
pub const CATEGORIES: [Category; 8] = [
    Category::Ask,
    Category::Answer,
    Category::Carry,
    Category::Ack,
    Category::Commit,
    Category::Refuse,
    Category::Recover,
    Category::Keepalive,
];

/// The CSS class that colours a message by the part it plays, the same in
/// the ring, the pending list and the space-time diagram, and the same
/// across protocols.
pub fn category_class(category: Category) -> &'static str {
    match category {
        Category::Ask => "k-ask",
        Category::Answer => "k-answer",
        Category::Carry => "k-carry",
        Category::Ack => "k-ack",
        Category::Commit => "k-commit",
        Category::Refuse => "k-refuse",
        Category::Recover => "k-recover",
        Category::Keepalive => "k-keepalive",
    }
}
