//! Consensus Playground in the browser: the Yew app over `consensus-core`.
//!
//! `state` holds everything the learner sees and does, as a reducer that is
//! tested natively; `components` render it; `app` wires the play loop, the
//! keyboard and the page together.

pub mod app;
pub mod components;
pub mod lessons;
pub mod link;
pub mod options;
pub mod state;
