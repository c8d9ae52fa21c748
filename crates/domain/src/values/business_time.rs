//! Business time: when a fact happened, as an instant or a period, with the precision the source gives.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime, format_description::well_known::Rfc3339};

use super::problem::ValueProblem;

/// One point of business time. A news article often gives only a month ("2016-04") or a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimePoint {
    Year(i32),
    Month(i32, Month),
    Day(Date),
    Instant(OffsetDateTime),
}

/// How precise a time point is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    Year,
    Month,
    Day,
    Instant,
}

impl TimePoint {
    /// Parses `2016`, `2016-04`, `2016-04-23` or an RFC 3339 instant.
    pub fn parse(input: &str) -> Result<Self, ValueProblem> {
        let bad = || ValueProblem::OutOfRange {
            detail: format!("{input:?} is not a year, month, day or RFC 3339 instant"),
        };
        if input.contains('T') {
            return OffsetDateTime::parse(input, &Rfc3339)
                .map(Self::Instant)
                .map_err(|_| bad());
        }
        let parts: Vec<&str> = input.split('-').collect();
        let year = parts
            .first()
            .and_then(|y| (y.len() == 4).then(|| y.parse::<i32>().ok()).flatten())
            .ok_or_else(bad)?;
        match parts.len() {
            1 => Ok(Self::Year(year)),
            2 => {
                let month: u8 = parts[1].parse().map_err(|_| bad())?;
                let month =
                    Month::try_from(month).map_err(|_| ValueProblem::InvalidMonth { month })?;
                Ok(Self::Month(year, month))
            }
            3 => {
                let month: u8 = parts[1].parse().map_err(|_| bad())?;
                let month =
                    Month::try_from(month).map_err(|_| ValueProblem::InvalidMonth { month })?;
                let day: u8 = parts[2].parse().map_err(|_| bad())?;
                Date::from_calendar_date(year, month, day)
                    .map(Self::Day)
                    .map_err(|_| bad())
            }
            _ => Err(bad()),
        }
    }

    pub fn precision(&self) -> Precision {
        match self {
            Self::Year(_) => Precision::Year,
            Self::Month(..) => Precision::Month,
            Self::Day(_) => Precision::Day,
            Self::Instant(_) => Precision::Instant,
        }
    }

    /// The first calendar day this point may stand for.
    pub fn first_day(&self) -> Date {
        match *self {
            Self::Year(year) => {
                Date::from_calendar_date(year, Month::January, 1).unwrap_or(Date::MIN)
            }
            Self::Month(year, month) => {
                Date::from_calendar_date(year, month, 1).unwrap_or(Date::MIN)
            }
            Self::Day(date) => date,
            Self::Instant(at) => at.date(),
        }
    }

    /// The last calendar day this point may stand for.
    pub fn last_day(&self) -> Date {
        match *self {
            Self::Year(year) => {
                Date::from_calendar_date(year, Month::December, 31).unwrap_or(Date::MAX)
            }
            Self::Month(year, month) => {
                Date::from_calendar_date(year, month, month.length(year)).unwrap_or(Date::MAX)
            }
            Self::Day(date) => date,
            Self::Instant(at) => at.date(),
        }
    }
}

impl fmt::Display for TimePoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Year(year) => write!(f, "{year:04}"),
            Self::Month(year, month) => write!(f, "{year:04}-{:02}", u8::from(*month)),
            Self::Day(date) => write!(f, "{date}"),
            Self::Instant(at) => f.write_str(&at.format(&Rfc3339).map_err(|_| fmt::Error)?),
        }
    }
}

/// An instant or a period (ISO 8601 interval `start/end`), serialized as that one string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BusinessTime {
    start: TimePoint,
    end: Option<TimePoint>,
}

impl BusinessTime {
    pub fn at(point: TimePoint) -> Self {
        Self {
            start: point,
            end: None,
        }
    }

    pub fn on(date: Date) -> Self {
        Self::at(TimePoint::Day(date))
    }

    /// A period; refused when it ends before it starts.
    pub fn between(start: TimePoint, end: TimePoint) -> Result<Self, ValueProblem> {
        if end.last_day() < start.first_day() {
            return Err(ValueProblem::PeriodReversed {
                start: start.to_string(),
                end: end.to_string(),
            });
        }
        Ok(Self {
            start,
            end: Some(end),
        })
    }

    pub fn days(start: Date, end: Date) -> Result<Self, ValueProblem> {
        Self::between(TimePoint::Day(start), TimePoint::Day(end))
    }

    pub fn parse(input: &str) -> Result<Self, ValueProblem> {
        match input.split_once('/') {
            Some((start, end)) => Self::between(TimePoint::parse(start)?, TimePoint::parse(end)?),
            None => Ok(Self::at(TimePoint::parse(input)?)),
        }
    }

    pub fn start(&self) -> TimePoint {
        self.start
    }
    pub fn end(&self) -> Option<TimePoint> {
        self.end
    }
    pub fn first_day(&self) -> Date {
        self.start.first_day()
    }
    pub fn last_day(&self) -> Date {
        self.end.unwrap_or(self.start).last_day()
    }
}

impl fmt::Display for BusinessTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.end {
            Some(end) => write!(f, "{}/{}", self.start, end),
            None => write!(f, "{}", self.start),
        }
    }
}

impl TryFrom<String> for BusinessTime {
    type Error = ValueProblem;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<BusinessTime> for String {
    fn from(value: BusinessTime) -> Self {
        value.to_string()
    }
}
