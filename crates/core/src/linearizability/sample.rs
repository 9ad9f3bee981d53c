//! Histories of a true atomic register, for tests and benchmarks: every
//! operation takes effect at one random instant within its call and return,
//! so the history is linearizable by construction.

use alloc::string::String;
use alloc::vec::Vec;

use super::{Datum, Op, Operation, State};
use crate::Rng;

/// The kind of history to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Clients invoking operations concurrently, one at a time each.
    pub clients: u32,
    pub operations: u32,
    /// Keys `x`, `y`, `z`, `k3`, ... (at least one).
    pub keys: u32,
    /// The chance that a client never hears back; such an operation takes
    /// effect, or not, at some later instant.
    pub unknown_percent: u8,
    /// The longest time between an operation's call and its return.
    pub latency: u64,
}

fn key_name(k: u32) -> String {
    match k {
        0 => String::from("x"),
        1 => String::from("y"),
        2 => String::from("z"),
        _ => alloc::format!("k{k}"),
    }
}

/// A random linearizable history of `shape`. Values are small (0 to 4) so
/// that reads of old values and cas on them happen often.
pub fn random_history(rng: &mut Rng, shape: &Shape) -> Vec<Operation> {
    let clients = shape.clients.max(1);
    let mut free_at = alloc::vec![0u64; clients as usize];
    // Each operation with the instant it takes effect, if it does.
    let mut drawn: Vec<(Operation, Option<u64>)> = Vec::new();
    for _ in 0..shape.operations {
        // The client that is free first invokes next.
        let (c, _) = free_at
            .iter()
            .enumerate()
            .min_by_key(|&(c, t)| (*t, c))
            .expect("at least one client");
        let call = free_at[c] + rng.between(0, 3);
        let duration = rng.between(1, shape.latency.max(1));
        let key = key_name(rng.below(shape.keys.max(1)));
        let value = Datum::from(rng.below(5));
        let op = match rng.below(10) {
            0..=4 => Op::Read { value: None },
            5..=7 => Op::Write { value },
            _ => Op::Cas {
                from: Datum::from(rng.below(5)),
                to: value,
                ok: false,
            },
        };
        let (ret, effect) = if rng.chance(shape.unknown_percent) {
            // The reply is lost: the operation may still take effect,
            // later than the client waited.
            let effect = rng.chance(50).then(|| call + rng.between(0, 2 * duration));
            (None, effect)
        } else {
            (Some(call + duration), Some(call + rng.between(0, duration)))
        };
        free_at[c] = call + duration;
        let operation = Operation {
            client: c as u32 + 1,
            key,
            op,
            call,
            ret,
        };
        drawn.push((operation, effect));
    }
    // Replay the operations on registers in the order they take effect to
    // fill in what each read saw and whether each cas succeeded.
    let mut order: Vec<usize> = (0..drawn.len()).filter(|&i| drawn[i].1.is_some()).collect();
    order.sort_by_key(|&i| (drawn[i].1, i));
    let mut registers: Vec<(String, State)> = Vec::new();
    for i in order {
        let operation = &mut drawn[i].0;
        let slot = match registers.iter().position(|(k, _)| *k == operation.key) {
            Some(slot) => slot,
            None => {
                registers.push((operation.key.clone(), None));
                registers.len() - 1
            }
        };
        let state = &mut registers[slot].1;
        match &mut operation.op {
            Op::Read { value } => *value = *state,
            Op::Write { value } => *state = Some(*value),
            Op::Cas { from, to, ok } => {
                *ok = *state == Some(*from);
                if *ok {
                    *state = Some(*to);
                }
            }
        }
    }
    drawn.into_iter().map(|(operation, _)| operation).collect()
}
