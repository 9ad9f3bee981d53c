//! Helpers for unit tests that drive one node's state machine directly.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::protocol::{
    Cluster, Ctx, Effect, EffectOf, Input, Mistakes, NodeId, Protocol, Purpose, Tick, Timing,
    Variants,
};
use crate::rng::Rng;

/// A cluster of `size` nodes with default timing.
pub fn cluster(size: u8, mistakes: Mistakes) -> Cluster {
    Cluster {
        size,
        mistakes,
        variants: Variants::NONE,
        timing: Timing::default(),
    }
}

/// The effects of one node handling one input.
pub struct Out<P: Protocol>(pub Vec<EffectOf<P>>);

impl<P: Protocol> Out<P> {
    /// Messages sent, as (to, message).
    pub fn sends(&self) -> Vec<(NodeId, P::Msg)> {
        self.0
            .iter()
            .filter_map(|e| match e {
                Effect::Send { to, msg, .. } => Some((*to, msg.clone())),
                _ => None,
            })
            .collect()
    }

    /// Refusals and notes, as text.
    pub fn said(&self) -> Vec<String> {
        use crate::protocol::Observation::*;
        self.0
            .iter()
            .filter_map(|e| match e {
                Effect::Observe(Refused(s) | Note(s) | Milestone(_, s)) => Some(format!("{s}")),
                _ => None,
            })
            .collect()
    }

    /// Whether some observation mentions `text`.
    pub fn says(&self, text: &str) -> bool {
        self.said().iter().any(|s| s.contains(text))
    }

    /// Values decided.
    /// The reads cleared to be served: (read, index).
    pub fn served(&self) -> Vec<(crate::kv::ReadId, u32)> {
        self.0
            .iter()
            .filter_map(|e| match e {
                Effect::ServeRead { id, index } => Some((*id, *index)),
                _ => None,
            })
            .collect()
    }

    pub fn decided(&self) -> Vec<u32> {
        self.0
            .iter()
            .filter_map(|e| match e {
                Effect::Observe(crate::protocol::Observation::Decided { value, .. }) => {
                    Some(*value)
                }
                _ => None,
            })
            .collect()
    }
}

/// Run `f` with a context for node `id` at time `now` that keeps every effect.
fn with_ctx<P: Protocol, R>(
    id: NodeId,
    cluster: &Cluster,
    (seed, now): (u64, Tick),
    purpose: Purpose,
    f: impl FnOnce(&mut Ctx<'_, P>) -> R,
) -> (R, Out<P>) {
    let mut rng = Rng::new(seed);
    let mut effects = Vec::new();
    let mut ctx = Ctx::new(id, cluster, now, &mut rng, purpose, true, &mut effects);
    let r = f(&mut ctx);
    (r, Out(effects))
}

/// Boot node `id` of `cluster`.
pub fn boot<P: Protocol>(id: NodeId, cluster: &Cluster) -> (P, Out<P>) {
    with_ctx(id, cluster, (u64::from(id), 0), Purpose::Election, P::boot)
}

/// Restart node `id` from `durable`.
pub fn restart<P: Protocol>(id: NodeId, cluster: &Cluster, durable: P::Durable) -> (P, Out<P>) {
    with_ctx(id, cluster, (u64::from(id), 0), Purpose::Election, |ctx| {
        P::restart(durable, ctx)
    })
}

/// Node `id` handles `input`.
pub fn step<P: Protocol>(
    p: &mut P,
    id: NodeId,
    cluster: &Cluster,
    input: Input<P::Msg, P::Timer>,
) -> Out<P> {
    with_ctx(id, cluster, (99, 0), Purpose::Heartbeat, |ctx| {
        p.handle(input, ctx)
    })
    .1
}

/// Node `id` receives `msg` from `from`.
pub fn deliver<P: Protocol>(
    p: &mut P,
    id: NodeId,
    cluster: &Cluster,
    from: NodeId,
    msg: P::Msg,
) -> Out<P> {
    step(p, id, cluster, Input::Deliver { from, msg })
}

/// Node `id` is asked at t=0 to serve read `read` by `path`.
pub fn read<P: Protocol>(
    p: &mut P,
    id: NodeId,
    cluster: &Cluster,
    read: crate::kv::ReadId,
    path: crate::kv::ReadPath,
) -> Out<P> {
    read_at(p, id, cluster, read, path, 0)
}

/// Node `id` is asked at time `now` to serve read `read` by `path`.
pub fn read_at<P: Protocol>(
    p: &mut P,
    id: NodeId,
    cluster: &Cluster,
    read: crate::kv::ReadId,
    path: crate::kv::ReadPath,
    now: Tick,
) -> Out<P> {
    with_ctx(id, cluster, (99, now), Purpose::Read, |ctx| {
        p.read(read, path, ctx)
    })
    .1
}
