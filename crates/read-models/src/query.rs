//! The one shape of a read-model query: which projection it reads, which subject a caller must be
//! allowed to see, and how it runs on that projection's active tables.
//!
//! Each question is a type holding its arguments, with its [`Query`] impl next to the query
//! function it calls. `app` runs every one the same way (`App::query`): it checks the caller's
//! role and the [`Subject`], waits for freshness, opens the [`View`] and passes in what the caller
//! may see as [`Visible`]. This crate still knows no caller: a subject is plain data and
//! visibility a predicate over credit codes.

use std::future::Future;

use sqlx::AnyPool;

use crate::fact::FactProjection;
use crate::page::QueryError;

/// What a query is about, for `app` to authorize before it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject<'a> {
    /// One organisation named by the request field `field`; refused when the caller may not see it.
    Org { field: &'static str, org: &'a str },
    /// One pairing by id; refused when the caller may see none of its parties, not found when absent.
    Pairing(&'a str),
    /// One mentorship by id; refused when the caller may not see its recipient hospital.
    Mentorship(&'a str),
    /// One agreement by id: the id must be a UUID; an agreement the caller may not see is reported
    /// as not found by the query itself (through [`Visible`]), so that its existence does not leak.
    Agreement(&'a str),
    /// No single subject: the query reads many and keeps only the rows the caller may see.
    Rows,
}

/// The tables of one projection to read, and the log position they reflect.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    pub pool: &'a AnyPool,
    pub prefix: &'a str,
    pub position: u64,
}

/// Which organisations' rows the caller may see, as decided by `app`.
#[derive(Clone, Copy)]
pub enum Visible<'a> {
    /// Every row (a national reader or auditor).
    All,
    /// Only rows naming at least one organisation this predicate accepts (by credit code).
    Only(&'a (dyn Fn(&str) -> bool + Sync)),
}

impl Visible<'_> {
    /// Whether the caller may see facts about the organisation with this credit code.
    pub fn org(&self, org: &str) -> bool {
        match self {
            Visible::All => true,
            Visible::Only(may_see) => may_see(org),
        }
    }

    /// Whether the caller may see a row naming these organisations.
    pub fn any<'o>(&self, orgs: impl IntoIterator<Item = &'o str>) -> bool {
        match self {
            Visible::All => true,
            Visible::Only(may_see) => orgs.into_iter().any(may_see),
        }
    }

    /// Whether every row is visible, so totals may be counted in SQL over all of them.
    pub fn is_all(&self) -> bool {
        matches!(self, Visible::All)
    }
}

/// One read-model question with its arguments.
pub trait Query: Send + Sync {
    /// What the query answers: a [`crate::Page`] for a list, an [`crate::Answer`] otherwise.
    type Answer: Send;

    /// The projection whose active tables the query reads.
    const PROJECTION: &'static FactProjection;

    /// What the caller must be allowed to see before the query runs.
    fn subject(&self) -> Subject<'_>;

    /// Runs the query on `view`, keeping what `visible` allows for row-filtered queries.
    fn run(
        &self,
        view: View<'_>,
        visible: Visible<'_>,
    ) -> impl Future<Output = Result<Self::Answer, QueryError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visibility_is_all_or_by_organisation() {
        let gansu = |org: &str| org.starts_with("1262");
        let only = Visible::Only(&gansu);
        assert!(only.org("12620422000000035C"));
        assert!(!only.org("12440300000000000X"));
        assert!(only.any(["12440300000000000X", "12620422000000035C"]));
        assert!(!only.any(["12440300000000000X"]));
        assert!(!only.any([]));
        assert!(!only.is_all());
        assert!(Visible::All.any([]));
        assert!(Visible::All.is_all());
    }
}
