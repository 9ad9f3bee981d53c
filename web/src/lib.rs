//! Consensus Playground in the browser: the Yew app over `consensus-core`.
//!
//! `session` is what a link, a file and the autosave hold, and `link` its
//! text; `state` holds everything the learner sees and does, as a reducer
//! that is tested natively; `lessons` are guided scenarios scripted against
//! it; `components` render it; `app` wires the play loop, the keyboard and
//! the page together.

pub mod app;
pub mod components;
pub mod lessons;
pub mod link;
pub mod options;
pub mod session;
pub mod state;
