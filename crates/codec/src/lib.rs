//! The one codec between domain events and the log's rows: a domain [`Event`] becomes a
//! [`NewEvent`] (type, schema version, JSON payload, business time in microseconds) and a
//! [`StoredEvent`] becomes a domain event again, upcast on the way.
//!
//! Every crate that writes or reads domain events through the store uses this crate (`app`,
//! `read-models`, `relay`, `bench` and the tests), so a date means the same instant everywhere:
//! a calendar day is that day in China Standard Time (UTC+08:00), as the API promises.
//!
//! It owns no I/O and no policy: what to do with an undecodable row is the caller's decision.

use domain::Event;
use domain::values::{BusinessTime, TimePoint};
use event_store::{NewEvent, StoredEvent, TimePrecision};
use time::{Date, OffsetDateTime, Time, UtcOffset};

/// China Standard Time, UTC+08:00: the API says a calendar date means that day in CST.
pub const CHINA_STANDARD_TIME: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// A stored row the domain cannot read back.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("payload is not JSON: {0}")]
    NotJson(#[from] serde_json::Error),
    #[error("{reason}: {message}")]
    Unreadable {
        /// The domain's stable reason (`UNKNOWN_EVENT_TYPE`, `SCHEMA_VERSION_UNSUPPORTED`, …).
        reason: &'static str,
        message: String,
    },
}

/// The row the store appends for `event`.
pub fn encode(event: &Event) -> NewEvent {
    let stored = event.to_stored();
    NewEvent {
        event_type: stored.event_type,
        schema_version: stored.schema_version,
        payload: stored.data,
        occurred: business_time(&event.occurred_at()),
        tags: Vec::new(),
    }
}

/// The domain event of a stored row (its payload is the event's `data`, upcast to the current
/// schema version).
pub fn decode(stored: &StoredEvent) -> Result<Event, DecodeError> {
    let data = serde_json::from_str(stored.payload.get())?;
    Event::from_stored(&domain::StoredEvent {
        event_type: stored.event_type.clone(),
        schema_version: stored.schema_version,
        data,
    })
    .map_err(|error| DecodeError::Unreadable {
        reason: error.reason(),
        message: error.to_string(),
    })
}

/// The store's form of a business time: the first microsecond of its start to the last microsecond
/// of its end (a period's end includes its whole year, month or day), with the start's precision.
pub fn business_time(time: &BusinessTime) -> event_store::BusinessTime {
    let start = time.start();
    let end = time.end().unwrap_or(start);
    event_store::BusinessTime {
        from_us: first_us(start),
        to_us: last_us(end),
        precision: precision(start),
    }
}

/// The first microsecond of `day` in China Standard Time.
pub fn day_start_us(day: Date) -> i64 {
    micros(
        day.with_time(Time::MIDNIGHT)
            .assume_offset(CHINA_STANDARD_TIME),
    )
}

fn precision(point: TimePoint) -> TimePrecision {
    match point {
        TimePoint::Year(_) => TimePrecision::Year,
        TimePoint::Month(..) => TimePrecision::Month,
        TimePoint::Day(_) => TimePrecision::Day,
        TimePoint::Instant(_) => TimePrecision::Microsecond,
    }
}

fn first_us(point: TimePoint) -> i64 {
    match point {
        TimePoint::Instant(at) => micros(at),
        other => day_start_us(other.first_day()),
    }
}

fn last_us(point: TimePoint) -> i64 {
    match point {
        TimePoint::Instant(at) => micros(at),
        other => other
            .last_day()
            .next_day()
            .map_or(i64::MAX, |next| day_start_us(next) - 1),
    }
}

fn micros(at: OffsetDateTime) -> i64 {
    // Every date the domain accepts fits in i64 microseconds; saturate rather than panic if not.
    i64::try_from(at.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_covers_its_whole_cst_day() {
        let day = BusinessTime::parse("2024-07-25").unwrap();
        let stored = business_time(&day);
        assert_eq!(stored.precision, TimePrecision::Day);
        // 2024-07-25T00:00+08:00 is 2024-07-24T16:00Z.
        assert_eq!(stored.from_us, 1_721_836_800_000_000);
        assert_eq!(stored.to_us - stored.from_us, 86_400_000_000 - 1);
    }

    #[test]
    fn a_month_period_ends_with_its_last_month() {
        let period = BusinessTime::parse("2022-01/2022-06").unwrap();
        let stored = business_time(&period);
        assert_eq!(stored.precision, TimePrecision::Month);
        let july = business_time(&BusinessTime::parse("2022-07-01").unwrap());
        assert_eq!(stored.to_us + 1, july.from_us);
    }
}
