//! Business time of the domain (dates in China Standard Time, or instants) as the store's microseconds.

use domain::values::{BusinessTime, TimePoint};
use event_store::TimePrecision;
use time::{Date, OffsetDateTime, Time, UtcOffset};

/// China Standard Time, UTC+08:00: the API says a calendar date means that day in CST.
const CST: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// The store's form of a business time: the first microsecond of its start to the last microsecond
/// of its end (a period's end includes its whole year, month or day), with the start's precision.
pub(crate) fn to_store(time: &BusinessTime) -> event_store::BusinessTime {
    let start = time.start();
    let end = time.end().unwrap_or(start);
    event_store::BusinessTime {
        from_us: first_us(start),
        to_us: last_us(end),
        precision: precision(start),
    }
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

fn day_start_us(day: Date) -> i64 {
    micros(day.with_time(Time::MIDNIGHT).assume_offset(CST))
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
        let stored = to_store(&day);
        assert_eq!(stored.precision, TimePrecision::Day);
        // 2024-07-25T00:00+08:00 is 2024-07-24T16:00Z.
        assert_eq!(stored.from_us, 1_721_836_800_000_000);
        assert_eq!(stored.to_us - stored.from_us, 86_400_000_000 - 1);
    }

    #[test]
    fn a_month_period_ends_with_its_last_month() {
        let period = BusinessTime::parse("2022-01/2022-06").unwrap();
        let stored = to_store(&period);
        assert_eq!(stored.precision, TimePrecision::Month);
        let july = to_store(&BusinessTime::parse("2022-07-01").unwrap());
        assert_eq!(stored.to_us + 1, july.from_us);
    }
}
