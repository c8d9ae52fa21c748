//! Counts taken from reports, which may be "at least" figures (30余项).

use serde::{Deserialize, Serialize};

use super::problem::ValueProblem;

/// `Exact` for a counted figure; `AtLeast` for 余/多 figures whose true value is not lower.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparator {
    Exact,
    AtLeast,
}

/// A non-negative count with its comparator; the comparator is kept so that sums stay honest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Count {
    pub value: u64,
    pub comparator: Comparator,
}

impl Count {
    /// Builds a count from a signed figure as it arrives from a report; negative figures are refused.
    pub fn new(value: i64, comparator: Comparator) -> Result<Self, ValueProblem> {
        u64::try_from(value)
            .map(|value| Self { value, comparator })
            .map_err(|_| ValueProblem::Negative { value })
    }

    pub fn exact(value: u64) -> Self {
        Self {
            value,
            comparator: Comparator::Exact,
        }
    }

    pub fn at_least(value: u64) -> Self {
        Self {
            value,
            comparator: Comparator::AtLeast,
        }
    }

    /// Adds two counts; the sum is "at least" if either part is.
    pub fn plus(self, other: Count) -> Count {
        let comparator =
            if self.comparator == Comparator::Exact && other.comparator == Comparator::Exact {
                Comparator::Exact
            } else {
                Comparator::AtLeast
            };
        Count {
            value: self.value.saturating_add(other.value),
            comparator,
        }
    }
}

/// Money in CNY fen (分), so that amounts stay exact integers: 780万元 is 780,000,000 fen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MoneyFen(pub u64);

impl MoneyFen {
    pub fn from_yuan(yuan: u64) -> Self {
        Self(yuan.saturating_mul(100))
    }
}
