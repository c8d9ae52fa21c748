//! Dates in the fact tables are `YYYY-MM-DD` text; these read them back.

use time::Date;
use time::macros::format_description;

use crate::page::QueryError;

/// Parses a stored day.
pub(crate) fn parse(text: &str) -> Result<Date, QueryError> {
    Date::parse(text, format_description!("[year]-[month]-[day]"))
        .map_err(|e| QueryError::Corrupt(format!("bad date {text:?}: {e}")))
}

/// Parses an optional stored day.
pub(crate) fn parse_opt(text: Option<String>) -> Result<Option<Date>, QueryError> {
    text.as_deref().map(parse).transpose()
}
