//! # consensus-core
//!
//! Raft, Basic Paxos, Multi-Paxos, Zab and Viewstamped Replication as pure, deterministic state machines, driven by
//! a seeded simulator that owns time, randomness and the network — the engine
//! of Consensus Playground.
//!
//! * [`protocol`]: the protocol-neutral interface. A node is fed one input at
//!   a time and answers with effects as data.
//! * [`raft`], [`paxos`], [`multipaxos`], [`zab`], [`vr`]: the protocols, each with
//!   its invariant checker and ghost history.
//! * [`sim`]: the simulator. Every change is a recorded [`sim::Action`];
//!   replaying (configuration, actions) reproduces a run exactly.
//! * [`accounting`]: messages per decision, by type, against the textbook.
//! * [`scenario`]: the scenario-file language of the tests and `consensus run`.
//! * [`explore`]: random schedules under random faults, and liveness checks.
//! * [`linearizability`]: the checker of client histories (Wing & Gong with
//!   Lowe's memoisation), per key.
//!
//! The crate is `no_std` with `alloc`: it builds natively, for wasm and for
//! bare-metal targets alike.

#![no_std]

extern crate alloc;

pub mod accounting;
pub mod any;
pub mod check;
pub mod explore;
pub mod kv;
pub mod linearizability;
pub mod multipaxos;
pub mod paxos;
pub mod protocol;
pub mod raft;
pub mod rng;
pub mod scenario;
pub mod sim;
pub mod vr;
pub mod zab;

#[cfg(test)]
mod testkit;

pub use any::{AnySim, ProtocolKind};
pub use check::Violation;
pub use multipaxos::MultiPaxos;
pub use paxos::Paxos;
pub use protocol::{Mistake, Mistakes, NodeId, Protocol, Tick, Value, Variant, Variants};
pub use raft::Raft;
pub use rng::Rng;
pub use sim::{Action, Config, Faults, Sim};
pub use vr::Vr;
pub use zab::Zab;
