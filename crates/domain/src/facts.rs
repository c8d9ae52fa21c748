//! Facts one aggregate reads from another stream, passed in through a decision context.
//!
//! The domain never loads anything: the app layer reads the named streams (or a read model built
//! from them at a known position), builds these values, and appends with an expected-version guard on
//! the streams it read, so that a rule decided from them cannot be invalidated by a concurrent write.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::values::{CreditCode, DeploymentId, PractitionerId};

/// One member's on-site stint, as folded from a `deployment-<id>` stream (see `DeploymentState::stint`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnSiteStint {
    pub deployment: DeploymentId,
    pub practitioner: PractitionerId,
    pub hospital: CreditCode,
    /// The supporting (or group) hospital that sent the member.
    pub home_org: CreditCode,
    pub arrived: Date,
    /// The planned end of the term (after term changes).
    pub planned_end: Date,
    pub departed: Option<Date>,
}

impl OnSiteStint {
    /// On site at `hospital` on `date`: arrived on or before it and not departed before it.
    pub fn on_site_at(&self, hospital: &CreditCode, date: Date) -> bool {
        &self.hospital == hospital
            && self.arrived <= date
            && self.departed.is_none_or(|left| date <= left)
    }

    /// The last day the member is (or is planned to be) on site.
    pub fn last_day(&self) -> Date {
        self.departed.unwrap_or(self.planned_end)
    }

    /// True when this stint shares a day with `[start, end]`.
    pub fn overlaps(&self, start: Date, end: Date) -> bool {
        self.arrived <= end && start <= self.last_day()
    }
}

/// `date` moved by whole calendar months; the day is clamped to the target month's length.
pub fn add_months(date: Date, months: u32) -> Date {
    let total = i64::from(u8::from(date.month())) - 1 + i64::from(months);
    let year = i64::from(date.year()) + total.div_euclid(12);
    let month_number = u8::try_from(total.rem_euclid(12) + 1).unwrap_or(1);
    let Ok(year) = i32::try_from(year) else {
        return Date::MAX;
    };
    let Ok(month) = Month::try_from(month_number) else {
        return Date::MAX;
    };
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(Date::MAX)
}

/// True when `[start, end]` lasts at least `months` calendar months (end is the last day on site).
pub fn lasts_months(start: Date, end: Date, months: u32) -> bool {
    end.next_day()
        .is_some_and(|after| after >= add_months(start, months))
}
