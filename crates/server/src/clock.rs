//! The server's clock: the one place a write or a read learns today's date.
//!
//! Business dates are China Standard Time (UTC+8, no daylight saving), the time zone the facts are
//! recorded in; the domain has no clock and is given this date with each command.

use time::{Date, OffsetDateTime, UtcOffset};

/// Today's date in China Standard Time (UTC+8), the recording date the domain decides against.
pub fn today_in_china() -> Date {
    let offset = UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC);
    OffsetDateTime::now_utc().to_offset(offset).date()
}
