//! Invariant violations: data, never panics.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;

/// One broken invariant: which one, and what broke it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Violation {
    /// The invariant's name, as in `CORRECTNESS.md` (`Election Safety`, `Agreement`, ...).
    pub invariant: &'static str,
    /// The nodes, terms and indexes involved, in plain words.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.invariant, self.detail)
    }
}

/// Shorthand for building a violation with `format!`.
macro_rules! violation {
    ($out:expr, $inv:expr, $($arg:tt)*) => {
        $out.push($crate::check::Violation { invariant: $inv, detail: alloc::format!($($arg)*) })
    };
}
pub(crate) use violation;

/// How many entries two sequences share at their start.
pub(crate) fn common_prefix<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// A checker's copy of one node's log (or history), brought up to date after
/// each step the node took, so that a check can look at only what the step
/// changed: a log changes at its end (truncated, then appended to), and the
/// entries before that were checked when they were written.
#[derive(Clone, Debug)]
pub(crate) struct LogCopy<E> {
    entries: Vec<E>,
    /// How many entries at the start the last update left as they were.
    kept: usize,
    /// How many entries the copy had before the last update.
    had: usize,
}

impl<E> Default for LogCopy<E> {
    fn default() -> Self {
        LogCopy {
            entries: Vec::new(),
            kept: 0,
            had: 0,
        }
    }
}

impl<E: Copy + PartialEq> LogCopy<E> {
    /// Bring the copy up to `now`, calling `moved` with each entry that left
    /// its place (replaced or removed) and each that is new at its place
    /// (0-based positions).
    pub(crate) fn update(&mut self, now: &[E], mut moved: impl FnMut(usize, &E, Move)) {
        let kept = common_prefix(&self.entries, now);
        for (k, e) in self.entries.iter().enumerate().skip(kept) {
            moved(k, e, Move::Gone);
        }
        for (k, e) in now.iter().enumerate().skip(kept) {
            moved(k, e, Move::Came);
        }
        self.had = self.entries.len();
        self.kept = kept;
        self.entries.truncate(kept);
        self.entries.extend_from_slice(&now[kept..]);
    }

    /// The log as it is now.
    pub(crate) fn entries(&self) -> &[E] {
        &self.entries
    }

    /// How many entries at the start the last update left as they were.
    pub(crate) fn kept(&self) -> usize {
        self.kept
    }

    /// Whether the last update changed or removed an entry that was there
    /// before (rather than only appending).
    pub(crate) fn rewrote(&self) -> bool {
        self.kept < self.had
    }
}

/// What happened to an entry at its place in a log, for [`LogCopy::update`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Move {
    /// It was there and is no longer.
    Gone,
    /// It is there and was not.
    Came,
}

/// Bring `copy` up to `now` and put in `keys`, in order, the keys whose
/// values differ: added, removed or changed. One walk over both maps, with
/// no lookups, so a checker that keeps copies looks at only what changed.
pub(crate) fn sync_map<K: Ord + Copy, V: Copy + PartialEq>(
    copy: &mut BTreeMap<K, V>,
    now: &BTreeMap<K, V>,
    keys: &mut Vec<K>,
) {
    keys.clear();
    let (mut a, mut b) = (copy.iter().peekable(), now.iter().peekable());
    loop {
        let order = match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(&(ka, _)), Some(&(kb, _))) => ka.cmp(kb),
        };
        match order {
            Ordering::Less => keys.extend(a.next().map(|(k, _)| *k)),
            Ordering::Greater => keys.extend(b.next().map(|(k, _)| *k)),
            Ordering::Equal => {
                if let (Some((k, va)), Some((_, vb))) = (a.next(), b.next()) {
                    if va != vb {
                        keys.push(*k);
                    }
                }
            }
        }
    }
    for k in keys.iter() {
        match now.get(k) {
            Some(v) => copy.insert(*k, *v),
            None => copy.remove(k),
        };
    }
}
