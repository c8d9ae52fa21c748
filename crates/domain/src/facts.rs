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
    /// The term this stint serves, for the one presence rule.
    pub fn term(&self) -> Term {
        Term {
            arrived: self.arrived,
            planned_end: self.planned_end,
            departed: self.departed,
        }
    }

    /// On site at `hospital` on `date`, by [`Term::presence`].
    pub fn on_site_at(&self, hospital: &CreditCode, date: Date) -> bool {
        &self.hospital == hospital && self.term().on_site(date)
    }

    /// The last day the member is (or is planned to be) on site: [`Term::last_day`].
    pub fn last_day(&self) -> Date {
        self.term().last_day()
    }

    /// True when this stint shares a day with `[start, end]`.
    pub fn overlaps(&self, start: Date, end: Date) -> bool {
        self.arrived <= end && start <= self.last_day()
    }
}

/// Where a member stands on a day (issue 9 item 7), decided by [`Term::presence`] alone so that
/// every rule and every read model that asks "who is on site" gives the same answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// The day is before the arrival.
    NotArrived,
    /// Arrived on or before the day, and the day is on or before the term's last day.
    OnSite,
    /// The term has ended and the departure is recorded.
    Departed,
    /// The planned end has passed and no departure is recorded: the member is no longer counted
    /// as on site, and the log is waiting for the departure to confirm it.
    DepartureUnconfirmed,
}

/// One member's term at a hospital: the arrival, the planned end after the latest term change,
/// and the departure when recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    pub arrived: Date,
    /// The planned end after term changes (a term change extends or shortens it).
    pub planned_end: Date,
    pub departed: Option<Date>,
}

impl Term {
    /// The last day on site: the planned end, unless a departure recorded before it ends the
    /// term earlier. A departure recorded after the planned end does not extend the term (only a
    /// term change does), and no departure does not extend it either: loading history needs no
    /// invented departure for every term that simply ran out.
    pub fn last_day(&self) -> Date {
        self.departed
            .map_or(self.planned_end, |left| left.min(self.planned_end))
    }

    /// The one presence rule: on site from the arrival through [`Term::last_day`]; after it,
    /// departed when a departure is recorded, else departure unconfirmed.
    pub fn presence(&self, date: Date) -> Presence {
        if date < self.arrived {
            Presence::NotArrived
        } else if date <= self.last_day() {
            Presence::OnSite
        } else if self.departed.is_some() {
            Presence::Departed
        } else {
            Presence::DepartureUnconfirmed
        }
    }

    /// `presence(date)` is [`Presence::OnSite`].
    pub fn on_site(&self, date: Date) -> bool {
        self.presence(date) == Presence::OnSite
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
