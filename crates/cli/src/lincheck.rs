//! `consensus lincheck FILE`: the linearizability checker on a history file.
//!
//! The file (documented in the README):
//!
//! ```json
//! {"history": [
//!   {"client": 1, "op": "write", "key": "x", "value": 4, "call": 2, "return": 9},
//!   {"client": 2, "op": "read",  "key": "x", "call": 3, "return": 6, "value": null},
//!   {"client": 3, "op": "cas",   "key": "x", "from": 4, "to": 0, "call": 10, "return": 12, "ok": true},
//!   {"client": 4, "op": "write", "key": "x", "value": 7, "call": 11, "return": null}
//! ]}
//! ```

use consensus_core::linearizability::{self, Op, Operation, Verdict};
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryFile {
    history: Vec<Entry>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Read,
    Write,
    Cas,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    client: u32,
    op: Kind,
    key: String,
    /// Absent, or present and maybe null: a read's null means "no value".
    #[serde(default, deserialize_with = "present")]
    value: Option<Option<i64>>,
    from: Option<i64>,
    to: Option<i64>,
    ok: Option<bool>,
    call: u64,
    /// Required; null when the outcome is unknown.
    #[serde(rename = "return", deserialize_with = "present")]
    ret: Option<Option<u64>>,
}

/// Tells a field given as `null` (`Some(None)`) from a missing one (`None`).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

impl Entry {
    fn into_operation(self) -> Result<Operation, String> {
        let ret = self.ret.flatten();
        let completed = ret.is_some();
        let op = match self.op {
            Kind::Read => {
                if self.from.is_some() || self.to.is_some() || self.ok.is_some() {
                    return Err("a read has no \"from\", \"to\" or \"ok\"".into());
                }
                match self.value {
                    Some(value) => Op::Read { value },
                    None if !completed => Op::Read { value: None },
                    None => {
                        return Err(format!(
                            "a completed read needs \"value\" (null when {} had no value)",
                            self.key
                        ))
                    }
                }
            }
            Kind::Write => {
                if self.from.is_some() || self.to.is_some() || self.ok.is_some() {
                    return Err("a write has no \"from\", \"to\" or \"ok\"".into());
                }
                match self.value {
                    Some(Some(value)) => Op::Write { value },
                    _ => return Err("a write needs an integer \"value\"".into()),
                }
            }
            Kind::Cas => {
                if self.value.is_some() {
                    return Err("a cas has \"from\" and \"to\", not \"value\"".into());
                }
                let (Some(from), Some(to)) = (self.from, self.to) else {
                    return Err("a cas needs integers \"from\" and \"to\"".into());
                };
                let ok = match (self.ok, completed) {
                    (Some(ok), _) => ok,
                    (None, false) => false,
                    (None, true) => {
                        return Err("a completed cas needs \"ok\" (true or false)".into())
                    }
                };
                Op::Cas { from, to, ok }
            }
        };
        Ok(Operation {
            client: self.client,
            key: self.key,
            op,
            call: self.call,
            ret,
        })
    }
}

/// Reads a history file's text; the message says what is wrong and where.
pub fn parse(text: &str) -> Result<Vec<Operation>, String> {
    let file: HistoryFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    file.history
        .into_iter()
        .enumerate()
        .map(|(i, entry)| {
            entry
                .into_operation()
                .map_err(|why| format!("operation {i}: {why}"))
        })
        .collect()
}

/// A history in the file format: what [`parse`] reads back.
pub fn to_file(history: &[Operation]) -> Value {
    let ops: Vec<Value> = history
        .iter()
        .map(|o| {
            let done = o.ret.is_some();
            let mut entry = json!({
                "client": o.client,
                "key": o.key,
                "call": o.call,
                "return": o.ret,
            });
            match o.op {
                Op::Read { value } => {
                    entry["op"] = json!("read");
                    if done {
                        entry["value"] = json!(value);
                    }
                }
                Op::Write { value } => {
                    entry["op"] = json!("write");
                    entry["value"] = json!(value);
                }
                Op::Cas { from, to, ok } => {
                    entry["op"] = json!("cas");
                    entry["from"] = json!(from);
                    entry["to"] = json!(to);
                    if done {
                        entry["ok"] = json!(ok);
                    }
                }
            }
            entry
        })
        .collect();
    json!({ "history": ops })
}

/// Checks the history; the verdict, or why the history cannot be checked.
pub fn check(history: &[Operation]) -> Result<Verdict, String> {
    linearizability::check(history).map_err(|e| e.to_string())
}

/// The verdict as JSON: every failing key with its explanation, the order
/// found and the offending operations (positions in the file, from 0).
pub fn to_json(history: &[Operation], verdict: &Verdict) -> Value {
    let failures: Vec<Value> = verdict
        .failures
        .iter()
        .map(|f| {
            json!({
                "key": f.key,
                "explanation": f.explain(history),
                "order": f.order,
                "value": f.value,
                "stuck": f.stuck,
                "writer": f.writer,
                "offending": f.offending(),
            })
        })
        .collect();
    json!({
        "linearizable": verdict.linearizable(),
        "operations": history.len(),
        "keys": verdict.keys,
        "explored": verdict.explored,
        "failures": failures,
    })
}

/// The verdict in words.
pub fn to_text(history: &[Operation], verdict: &Verdict) -> String {
    let keys = if verdict.keys == 1 { "key" } else { "keys" };
    let head = format!("{} operations on {} {keys}", history.len(), verdict.keys);
    if verdict.linearizable() {
        return format!("linearizable: {head}\n");
    }
    let mut text = format!("not linearizable: {head}\n");
    for f in &verdict.failures {
        text.push_str(&format!("\nkey {}: {}\n", f.key, f.explain(history)));
        for i in f.offending() {
            let o = &history[i as usize];
            let ret = o.ret.map_or("?".to_string(), |t| t.to_string());
            text.push_str(&format!("  operation {i}: {o}, t={}..{ret}\n", o.call));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use consensus_core::linearizability::{random_history, Shape};
    use consensus_core::Rng;

    use super::*;

    /// What `to_file` writes, `parse` reads back as it was (values of
    /// unknown outcome aside, which the file leaves out).
    #[test]
    fn the_file_format_round_trips() {
        let shape = Shape {
            clients: 5,
            operations: 200,
            keys: 3,
            unknown_percent: 10,
            latency: 10,
        };
        let mut history = random_history(&mut Rng::new(3), &shape);
        for o in history.iter_mut().filter(|o| o.ret.is_none()) {
            match &mut o.op {
                Op::Read { value } => *value = None,
                Op::Cas { ok, .. } => *ok = false,
                Op::Write { .. } => {}
            }
        }
        assert!(history.iter().any(|o| o.ret.is_none()));
        let text = serde_json::to_string(&to_file(&history)).unwrap();
        assert_eq!(parse(&text).unwrap(), history);
    }
}
