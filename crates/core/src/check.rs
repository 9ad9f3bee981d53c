//! Invariant violations: data, never panics.

use alloc::string::String;
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
