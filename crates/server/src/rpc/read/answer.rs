//! The pieces every read-model answer and request shares: the day asked about, dates, counts.
//!
//! Conversions are by hand and total: every number is narrowed with saturation, so that no stored
//! row can make an answer panic. Each read service's own conversions live in its `rpc` file.

use api::medaid::v1 as pb;
use domain::values::ValidationError;
use read_models::scoreboard::Figure;
use time::Date;

use crate::clock::today_in_china;
use crate::convert::fields;

/// The day a query asks about: `YYYY-MM-DD`, or today in China Standard Time when empty (the proto
/// dates are China Standard Time days, like the `today` the write rules use).
pub fn day_or_today(field: &str, value: &str) -> Result<Date, ValidationError> {
    if value.is_empty() {
        Ok(today_in_china())
    } else {
        fields::date(field, value)
    }
}

/// A calendar date as the protos write it, `YYYY-MM-DD`.
pub fn day(date: Date) -> String {
    date.to_string()
}

/// An optional date: absent is the empty string.
pub fn optional_day(date: Option<Date>) -> String {
    date.map(day).unwrap_or_default()
}

/// A summed figure that keeps its "at least" comparator.
pub fn count(figure: Figure) -> pb::Count {
    let comparator = if figure.at_least {
        pb::CountComparator::AtLeast
    } else {
        pb::CountComparator::Exact
    };
    pb::Count {
        value: figure.value,
        comparator: comparator.into(),
    }
}

/// A count of rows, saturating (a `usize` always fits in practice).
pub fn number(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// A small count, saturating.
pub fn small(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A practitioner's display name beside their id.
pub fn practitioner_name(
    practitioner: &str,
    name: &read_models::practitioners::DisplayName,
) -> pb::PractitionerName {
    pb::PractitionerName {
        practitioner: practitioner.to_owned(),
        name: name.name.clone(),
        erased: name.erased,
    }
}

/// An organisation's credit code with its registered name.
pub fn organisation_name(org: &read_models::names::OrgName) -> pb::OrganisationName {
    pb::OrganisationName {
        org: org.org.clone(),
        name: org.name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_day_is_today_and_a_bad_one_names_its_field() {
        assert_eq!(day_or_today("date", "").ok(), Some(today_in_china()));
        let error = day_or_today("expires_by", "2024-02-30").err();
        assert_eq!(error.map(|e| e.field), Some("expires_by".to_owned()));
        let parsed = day_or_today("date", "2024-09-15").ok();
        assert_eq!(parsed.map(day).as_deref(), Some("2024-09-15"));
    }

    #[test]
    fn at_least_figures_keep_their_comparator() {
        let exact = count(Figure {
            value: 5993,
            at_least: false,
        });
        assert_eq!(exact.comparator, i32::from(pb::CountComparator::Exact));
        let at_least = count(Figure {
            value: 30,
            at_least: true,
        });
        assert_eq!(at_least.value, 30);
        assert_eq!(at_least.comparator, i32::from(pb::CountComparator::AtLeast));
    }
}
