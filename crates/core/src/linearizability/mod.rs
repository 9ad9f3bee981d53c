//! # Linearizability: could one atomic register per key have produced this history?
//!
//! A *history* is what clients saw: each operation's invocation time, its
//! completion time and result, or that its outcome is unknown (the client gave
//! up, or its node crashed). The history is **linearizable** (Herlihy & Wing,
//! 1990) when its operations can be put in one order that
//!
//! 1. respects real time: an operation that completed before another was
//!    invoked comes first; operations that overlap may go either way; and
//! 2. replays correctly on one register per key, starting with no value: a
//!    read returns the last value written; `cas(from, to)` succeeds exactly
//!    when the value is `from`, and then writes `to`.
//!
//! An operation whose outcome is unknown may take effect at any moment after
//! its invocation, or never; a read of unknown outcome constrains nothing and
//! is left out.
//!
//! Linearizability is *local*: a history is linearizable exactly when each
//! key's sub-history is, so each key is checked alone (Herlihy & Wing, §3.2).
//!
//! ## The search
//!
//! Wing & Gong's algorithm (1993) with Lowe's memoisation (2017), the one
//! Knossos and Porcupine use. Calls and returns are laid out on a time line.
//! Walking it from the start, the search picks an operation whose call it has
//! passed, *linearizes* it (applies it to the register; a read must return
//! what the register holds) and starts again from the first remaining call.
//! Reaching the return of an operation not yet linearized means the order so
//! far cannot be extended: it undoes the last choice and tries the next
//! candidate. Lowe's remark makes this fast: two paths that have linearized
//! the same *set* of operations and left the register in the same *state*
//! have the same future, so each (set, state) pair is explored once.
//!
//! ## The verdict
//!
//! A history that is not linearizable gets a [`Counterexample`] per key that
//! fails: the longest order the search found, the completed operation that
//! cannot come next, and what the register held then, worded by
//! [`Counterexample::explain`] ("C2's read x → 3 started (t=10) after C1's
//! write x = 5 finished (t=9) ...").

mod explain;
mod sample;
#[cfg(test)]
mod tests;

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

pub use sample::{random_history, Shape};

/// A value held by a register. Histories come from files as well as from the
/// simulator, so any integer is accepted.
pub type Datum = i64;

/// What an operation asked for, and what it was told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Read the key; `value` is what the read returned (`None`: the key had
    /// no value). Ignored when the outcome is unknown.
    Read { value: Option<Datum> },
    /// Write `value`.
    Write { value: Datum },
    /// Compare-and-set: if the key holds `from`, write `to`. `ok` is the
    /// reply; ignored when the outcome is unknown.
    Cas { from: Datum, to: Datum, ok: bool },
}

/// One client operation of a history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    /// The client (C1, C2, ...) that invoked it.
    pub client: u32,
    /// The key it reads or writes.
    pub key: String,
    pub op: Op,
    /// When the client invoked it.
    pub call: u64,
    /// When the client got the reply; `None` when the outcome is unknown.
    pub ret: Option<u64>,
}

impl Operation {
    /// Whether the client got a reply.
    pub fn completed(&self) -> bool {
        self.ret.is_some()
    }
}

/// Why a history cannot be checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    /// The position of the faulty operation in the history (from 0).
    pub index: u32,
    pub why: &'static str,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "operation {}: {}", self.index, self.why)
    }
}

/// The checker's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// How many keys the history touches.
    pub keys: u32,
    /// One counterexample per key that is not linearizable, in key order.
    /// Empty when the history is linearizable.
    pub failures: Vec<Counterexample>,
    /// Distinct (linearized set, register state) pairs the search visited:
    /// its work, for benchmarks and the curious.
    pub explored: u64,
}

impl Verdict {
    pub fn linearizable(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Why one key's sub-history is not linearizable, as indexes into the
/// history that was checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counterexample {
    pub key: String,
    /// The longest order of this key's operations the search found that
    /// respects real time and replays correctly.
    pub order: Vec<u32>,
    /// What the key holds after `order`.
    pub value: Option<Datum>,
    /// A completed operation that must come next (it returned before every
    /// other candidate could be placed) but does not fit `value`.
    pub stuck: u32,
    /// The operation in `order` that left `value` there, if any.
    pub writer: Option<u32>,
}

impl Counterexample {
    /// The operations to highlight: the one that cannot be placed and the
    /// one whose value it contradicts.
    pub fn offending(&self) -> Vec<u32> {
        let mut ops = Vec::from([self.stuck]);
        ops.extend(self.writer);
        ops
    }
}

/// Checks `history`: whether one register per key, starting with no value,
/// explains every result (see the module documentation).
pub fn check(history: &[Operation]) -> Result<Verdict, Malformed> {
    let mut by_key: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for (index, operation) in (0u32..).zip(history) {
        if operation.ret.is_some_and(|ret| ret < operation.call) {
            return Err(Malformed {
                index,
                why: "it returns before it is called",
            });
        }
        by_key.entry(&operation.key).or_default().push(index);
    }
    let mut verdict = Verdict {
        keys: by_key.len() as u32,
        failures: Vec::new(),
        explored: 0,
    };
    for (key, ops) in by_key {
        let mut search = Search::new(history, ops);
        match search.run() {
            Ok(()) => {}
            Err(mut counterexample) => {
                counterexample.key = String::from(key);
                verdict.failures.push(counterexample);
            }
        }
        verdict.explored += search.explored;
    }
    Ok(verdict)
}

/// What the register holds: `None` before the first write.
type State = Option<Datum>;

/// Applies `op` to `state` as the register would: the state after it, or
/// `None` when the operation's reply contradicts the state. An operation of
/// unknown outcome accepts any reply (the register's rules alone decide a
/// cas of unknown outcome).
fn apply(state: State, op: &Op, completed: bool) -> Option<State> {
    match *op {
        Op::Read { value } => (!completed || value == state).then_some(state),
        Op::Write { value } => Some(Some(value)),
        Op::Cas { from, to, ok } => {
            let succeeds = state == Some(from);
            if completed && ok != succeeds {
                return None;
            }
            Some(if succeeds { Some(to) } else { state })
        }
    }
}

/// Whether `op`, applied to `before`, writes the register.
fn writes(before: State, op: &Op) -> bool {
    match *op {
        Op::Read { .. } => false,
        Op::Write { .. } => true,
        Op::Cas { from, .. } => before == Some(from),
    }
}

/// A set of operations, by their position in one key's list.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Self {
        Bits(alloc::vec![0; n.div_ceil(64)])
    }
    fn flip(&mut self, i: usize) {
        self.0[i / 64] ^= 1 << (i % 64);
    }
}

/// One point of the time line: an operation's call, or its return.
#[derive(Clone, Copy, Debug)]
struct Point {
    /// The operation, by position in the key's list.
    op: usize,
    /// For a call, the point of its return.
    matching: Option<usize>,
}

/// What the current node of the search offers.
enum Survey {
    /// Every completed operation is placed.
    Done,
    /// A candidate that can be placed without branching (see `run`).
    Harmless(usize),
    /// Candidates to try one by one.
    Branch,
}

/// One step of the search: an operation placed next in the order.
struct Choice {
    /// Its call point.
    call: usize,
    /// The register before it.
    before: State,
    /// Placed without branching: undoing it means undoing the choice
    /// before it too.
    forced: bool,
}

/// The search for one key: Wing & Gong over a doubly linked time line,
/// memoised on (linearized set, state).
struct Search<'h> {
    history: &'h [Operation],
    /// This key's operations, as indexes into `history` (reads of unknown
    /// outcome left out).
    ops: Vec<u32>,
    /// Calls and returns in time order; a sentinel head at position 0.
    points: Vec<Point>,
    next: Vec<usize>,
    prev: Vec<usize>,
    /// Where the returns of unknown outcome begin: reaching one means every
    /// completed operation is placed.
    first_unknown_return: usize,
    seen: BTreeSet<(Bits, State)>,
    explored: u64,
}

impl<'h> Search<'h> {
    fn new(history: &'h [Operation], ops: Vec<u32>) -> Self {
        let ops: Vec<u32> = ops
            .into_iter()
            .filter(|&i| {
                let o = &history[i as usize];
                o.completed() || !matches!(o.op, Op::Read { .. })
            })
            .collect();
        // The time line: calls at their time, returns at theirs, unknown
        // returns after everything. At equal times calls come first, so
        // operations that touch at one instant count as concurrent.
        #[derive(PartialEq, Eq, PartialOrd, Ord)]
        enum At {
            Known(u64, bool),
            Never,
        }
        let mut timeline: Vec<(At, usize, bool)> = Vec::with_capacity(2 * ops.len());
        for (op, &i) in ops.iter().enumerate() {
            let o = &history[i as usize];
            timeline.push((At::Known(o.call, false), op, true));
            let ret = o.ret.map_or(At::Never, |t| At::Known(t, true));
            timeline.push((ret, op, false));
        }
        timeline.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let first_unknown_return = 1 + timeline
            .iter()
            .position(|(at, _, is_call)| *at == At::Never && !is_call)
            .unwrap_or(timeline.len());

        let mut points = Vec::with_capacity(timeline.len() + 1);
        points.push(Point {
            op: usize::MAX,
            matching: None,
        });
        let mut return_of = alloc::vec![0; ops.len()];
        for (position, (_, op, is_call)) in timeline.iter().enumerate() {
            if !is_call {
                return_of[*op] = position + 1;
            }
        }
        for (_, op, is_call) in &timeline {
            points.push(Point {
                op: *op,
                matching: is_call.then(|| return_of[*op]),
            });
        }
        let n = points.len();
        Search {
            history,
            ops,
            next: (1..=n).collect(),
            prev: (0..n).map(|p| p.saturating_sub(1)).collect(),
            points,
            first_unknown_return,
            seen: BTreeSet::new(),
            explored: 0,
        }
    }

    fn operation(&self, op: usize) -> &'h Operation {
        &self.history[self.ops[op] as usize]
    }

    /// Takes a point out of the time line.
    fn unlink(&mut self, p: usize) {
        let (before, after) = (self.prev[p], self.next[p]);
        self.next[before] = after;
        if after < self.points.len() {
            self.prev[after] = before;
        }
    }

    /// Puts back a point taken out by `unlink` (in the reverse order).
    fn relink(&mut self, p: usize) {
        let (before, after) = (self.prev[p], self.next[p]);
        self.next[before] = p;
        if after < self.points.len() {
            self.prev[after] = p;
        }
    }

    /// Looks over the candidates of the current node: the calls before the
    /// first return still on the time line.
    ///
    /// A *harmless* candidate is a completed operation that fits the state
    /// and leaves it as it is: a read of the current value, a cas that
    /// fails. NB: placing it now is never wrong. If any order of the rest
    /// works, moving it to the front works too: it was invoked already,
    /// everything that had to precede it is placed, and no later operation
    /// sees a difference. So the search places it without trying the other
    /// candidates, which spares it every interleaving of concurrent reads.
    fn survey(&self, state: State) -> Survey {
        let mut at = self.next[0];
        while at < self.first_unknown_return {
            let point = self.points[at];
            if point.matching.is_none() {
                return Survey::Branch;
            }
            let o = self.operation(point.op);
            if o.completed()
                && !matches!(o.op, Op::Write { .. })
                && apply(state, &o.op, true) == Some(state)
            {
                return Survey::Harmless(at);
            }
            at = self.next[at];
        }
        Survey::Done
    }

    fn run(&mut self) -> Result<(), Counterexample> {
        let mut linearized = Bits::new(self.ops.len());
        let mut state: State = None;
        let mut chosen: Vec<Choice> = Vec::new();
        let mut deepest: Option<Counterexample> = None;
        // Where to go on looking for candidates after undoing a choice;
        // `None` at a new node.
        let mut resume: Option<usize> = None;
        loop {
            let mut choice: Option<(usize, State, bool)> = None;
            let mut at = match resume.take() {
                Some(at) => Some(at),
                None => match self.survey(state) {
                    Survey::Done => return Ok(()),
                    Survey::Harmless(call) => {
                        let op = self.points[call].op;
                        linearized.flip(op);
                        // Seen before means it failed before: so does this
                        // node, with no other candidate worth trying.
                        if self.seen.insert((linearized.clone(), state)) {
                            choice = Some((call, state, true));
                        }
                        linearized.flip(op);
                        None
                    }
                    Survey::Branch => Some(self.next[0]),
                },
            };
            // Try the candidates in time order. A return ends them: it
            // belongs to an operation not yet placed, so the order so far
            // cannot be extended past it.
            while let Some(call) = at.filter(|&p| p < self.points.len()) {
                let point = self.points[call];
                let Some(_) = point.matching else {
                    // Remember the deepest dead end: there every candidate
                    // failed outright, which is what the verdict explains.
                    if deepest
                        .as_ref()
                        .is_none_or(|d| chosen.len() > d.order.len())
                    {
                        deepest = Some(self.dead_end(&chosen, state, point.op));
                    }
                    break;
                };
                let o = self.operation(point.op);
                if let Some(after) = apply(state, &o.op, o.completed()) {
                    linearized.flip(point.op);
                    let fresh = self.seen.insert((linearized.clone(), after));
                    linearized.flip(point.op);
                    if fresh {
                        choice = Some((call, after, false));
                        break;
                    }
                }
                at = Some(self.next[call]);
            }
            match choice {
                Some((call, after, forced)) => {
                    // Linearize the operation: take its call and return out
                    // of the time line, and start again from the front.
                    self.explored += 1;
                    let point = self.points[call];
                    chosen.push(Choice {
                        call,
                        before: state,
                        forced,
                    });
                    state = after;
                    linearized.flip(point.op);
                    self.unlink(call);
                    self.unlink(point.matching.expect("a call point"));
                }
                None => loop {
                    // Undo choices until one leaves candidates to try.
                    let Some(undone) = chosen.pop() else {
                        return Err(deepest.expect("a dead end was recorded"));
                    };
                    let point = self.points[undone.call];
                    self.relink(point.matching.expect("a call point"));
                    self.relink(undone.call);
                    linearized.flip(point.op);
                    state = undone.before;
                    if !undone.forced {
                        resume = Some(self.next[undone.call]);
                        break;
                    }
                },
            }
        }
    }

    fn dead_end(&self, chosen: &[Choice], state: State, stuck: usize) -> Counterexample {
        let order: Vec<u32> = chosen
            .iter()
            .map(|c| self.ops[self.points[c.call].op])
            .collect();
        // The writer of `state`: the last placed operation that wrote the
        // register (a write, or a cas that found its `from`).
        let writer = chosen
            .iter()
            .rev()
            .find(|c| writes(c.before, &self.operation(self.points[c.call].op).op))
            .map(|c| self.ops[self.points[c.call].op]);
        Counterexample {
            key: String::new(),
            order,
            value: state,
            stuck: self.ops[stuck],
            writer,
        }
    }
}
