//! The server's clock: the one place the server reads wall time (the root `clippy.toml` bans
//! clock reads elsewhere). The domain decides against the `today` passed in from here, the feed's
//! heartbeats and development tokens take their instants from here; record time is the store's.

use std::time::{SystemTime, UNIX_EPOCH};

use time::{Date, OffsetDateTime, UtcOffset};

/// China Standard Time (UTC+8), the zone the API's calendar dates are days of.
const CHINA_STANDARD_TIME: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// The current instant.
#[expect(
    clippy::disallowed_methods,
    reason = "this module is the server's clock, the one place that reads wall time"
)]
pub fn now_utc() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// Seconds since the Unix epoch, for token claims.
#[expect(
    clippy::disallowed_methods,
    reason = "this module is the server's clock, the one place that reads wall time"
)]
pub fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// Today's date in China Standard Time, the recording date the domain decides against and the
/// default day of the read-model queries.
pub fn today_in_china() -> Date {
    now_utc().to_offset(CHINA_STANDARD_TIME).date()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_china_day_of_now() {
        let before = now_utc().to_offset(CHINA_STANDARD_TIME).date();
        let today = today_in_china();
        assert!(today >= before && today <= before.next_day().unwrap_or(before));
        assert_eq!(CHINA_STANDARD_TIME.whole_hours(), 8);
    }
}
