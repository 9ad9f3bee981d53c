//! Counterexamples in words, for the event log, the history view and
//! `consensus lincheck`.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::{Counterexample, Datum, Op, Operation};

/// How many operations of a long order the explanation spells out.
const SHOWN: usize = 4;

/// A value as a learner reads it.
struct Shown(Option<Datum>);

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(v) => write!(f, "{v}"),
            None => f.write_str("no value"),
        }
    }
}

/// `C1's write x = 5`, `C2's read x → 3`, `C3's cas x 4 → 0 (ok)`, with
/// `(outcome unknown)` when the client never heard back.
impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "C{}'s ", self.client)?;
        let key = &self.key;
        match (self.op, self.completed()) {
            (Op::Read { .. }, false) => write!(f, "read {key}")?,
            (Op::Read { value: Some(v) }, true) => write!(f, "read {key} → {v}")?,
            (Op::Read { value: None }, true) => write!(f, "read {key} → none")?,
            (Op::Write { value }, _) => write!(f, "write {key} = {value}")?,
            (Op::Cas { from, to, .. }, false) => write!(f, "cas {key} {from} → {to}")?,
            (Op::Cas { from, to, ok }, true) => {
                let reply = if ok { "ok" } else { "failed" };
                write!(f, "cas {key} {from} → {to} ({reply})")?
            }
        }
        if !self.completed() {
            f.write_str(" (outcome unknown)")?;
        }
        Ok(())
    }
}

impl Counterexample {
    /// The counterexample in words: first the conflict in one sentence, then
    /// the longest order that works and why nothing can follow it.
    pub fn explain(&self, history: &[Operation]) -> String {
        let op = |i: u32| &history[i as usize];
        let stuck = op(self.stuck);
        let key = &stuck.key;
        let value = Shown(self.value);
        let expected = match stuck.op {
            Op::Read { value } => format!("it read {}", Shown(value)),
            Op::Cas { from, ok: true, .. } => format!("its cas found {from}"),
            Op::Cas {
                from, ok: false, ..
            } => format!("its cas did not find {from}"),
            Op::Write { .. } => String::from("it wrote"),
        };
        let never_written = match stuck.op {
            Op::Read { value: Some(v) } => !history.iter().any(|o| {
                o.key == *key
                    && match o.op {
                        Op::Write { value } => value == v,
                        Op::Cas { to, .. } => to == v,
                        Op::Read { .. } => false,
                    }
            }),
            _ => false,
        };
        let writer = self.writer.map(op);
        let mut text = match writer {
            _ if never_written => format!("{stuck}: no operation writes that value to {key}."),
            Some(w) if w.ret.is_some_and(|ret| ret < stuck.call) => format!(
                "{stuck} started (t={}) after {w} finished (t={}), so {key} was {value}, yet {expected}.",
                stuck.call,
                w.ret.unwrap_or_default()
            ),
            _ => format!(
                "{stuck} cannot be ordered: {key} is {value} whenever it could take effect, yet {expected}."
            ),
        };
        text.push_str(" The longest order of operations on ");
        text.push_str(key);
        text.push_str(" that works is ");
        if self.order.is_empty() {
            text.push_str("empty");
        } else {
            let skipped = self.order.len().saturating_sub(SHOWN);
            let shown: Vec<String> = self.order[skipped..]
                .iter()
                .map(|&i| format!("{}", op(i)))
                .collect();
            if skipped > 0 {
                text.push_str(&format!("{skipped} operations, then "));
            }
            text.push_str(&shown.join(", "));
        }
        text.push_str(&format!(
            "; it leaves {key} = {value}, and no operation still running when {stuck} returned (t={}) changes that.",
            stuck.ret.unwrap_or_default()
        ));
        text
    }
}
