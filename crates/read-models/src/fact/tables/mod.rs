//! The fact tables the read models share. A model lists the tables it needs; each table keeps one row
//! per source event (or one per list element, numbered by `seq`), with dates as `YYYY-MM-DD` text.

mod agreements;
mod directory;
mod mentoring;
mod orgs;
mod people;
mod work;

pub(crate) use agreements::*;
pub(crate) use directory::*;
pub(crate) use mentoring::*;
pub(crate) use orgs::*;
pub(crate) use people::*;
pub(crate) use work::*;

use time::Date;

use super::{Val, tag};
use domain::values::Count;

/// A calendar date as sortable text.
pub(super) fn day(date: Date) -> Val {
    Val::Text(date.to_string())
}

/// An optional count as (value, comparator) cells.
pub(super) fn count(count: Option<Count>) -> [Val; 2] {
    match count {
        Some(c) => [Val::from(c.value), Val::Text(tag(&c.comparator))],
        None => [Val::Null, Val::Null],
    }
}
