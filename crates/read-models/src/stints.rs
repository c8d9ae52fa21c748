//! On-site stints rebuilt from the `arrival`, `assignment`, `term_change`, `departure` and `pairing`
//! fact tables, shared by the models that ask who was on site when.

use std::collections::HashMap;

use domain::aggregates::batch::MemberRole;
use domain::facts::{Presence, Term};
use sqlx::AnyPool;
use sqlx::any::AnyRow;
use time::Date;

use crate::dates::parse;
use crate::page::{QueryError, fetch, int, tag, text};

/// One member's term at a hospital, after term changes, with its departure if recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stint {
    pub(crate) deployment_id: String,
    pub(crate) pairing_id: String,
    pub(crate) batch_number: u32,
    pub(crate) hospital: String,
    pub(crate) practitioner: String,
    pub(crate) home_org: String,
    pub(crate) title: u16,
    pub(crate) specialty: String,
    pub(crate) role: MemberRole,
    pub(crate) arrived: Date,
    pub(crate) planned_end: Date,
    pub(crate) departed: Option<Date>,
    /// A term change or the departure was recorded as below the program's minimum term.
    pub(crate) flagged_below_minimum: bool,
    /// The pairing's minimum term in months, if the pairing is known to this model.
    pub(crate) min_term_months: Option<u32>,
}

impl Stint {
    /// The term, for the domain's one presence rule ([`Term::presence`]), which every read model
    /// asks instead of comparing dates itself.
    pub(crate) fn term(&self) -> Term {
        Term {
            arrived: self.arrived,
            planned_end: self.planned_end,
            departed: self.departed,
        }
    }

    /// Where the member stands on `date`.
    pub(crate) fn presence(&self, date: Date) -> Presence {
        self.term().presence(date)
    }

    /// On site on `date`, by the one presence rule.
    pub(crate) fn on_site(&self, date: Date) -> bool {
        self.term().on_site(date)
    }

    /// The last day on site: the planned end (after term changes), or an earlier departure.
    pub(crate) fn last_day(&self) -> Date {
        self.term().last_day()
    }

    /// The term (as planned or as served) is shorter than the pairing's minimum, or was flagged so.
    pub(crate) fn below_minimum(&self) -> bool {
        self.flagged_below_minimum
            || self.min_term_months.is_some_and(|months| {
                !domain::facts::lasts_months(self.arrived, self.last_day(), months)
            })
    }
}

/// Every stint, or those at one hospital.
pub(crate) async fn load(
    pool: &AnyPool,
    prefix: &str,
    hospital: Option<&str>,
) -> Result<Vec<Stint>, QueryError> {
    let min_terms: HashMap<String, u32> = fetch(
        pool,
        prefix,
        "SELECT pairing_id, min_term_months FROM {p}pairing",
        &[],
    )
    .await?
    .iter()
    .map(|row| {
        let months = u32::try_from(int(row, "min_term_months")?).unwrap_or(0);
        Ok((text(row, "pairing_id")?, months))
    })
    .collect::<Result<_, QueryError>>()?;

    let mut ends: HashMap<String, (i64, Date, bool)> = HashMap::new();
    for row in fetch(
        pool,
        prefix,
        "SELECT deployment_id, src_version, new_end, below_minimum FROM {p}term_change",
        &[],
    )
    .await?
    {
        let version = int(&row, "src_version")?;
        let new_end = parse(&text(&row, "new_end")?)?;
        let flagged = int(&row, "below_minimum")? != 0;
        let entry = ends
            .entry(text(&row, "deployment_id")?)
            .or_insert((version, new_end, false));
        if version >= entry.0 {
            (entry.0, entry.1) = (version, new_end);
        }
        entry.2 |= flagged;
    }

    let mut departures: HashMap<String, (Date, bool)> = HashMap::new();
    for row in fetch(
        pool,
        prefix,
        "SELECT deployment_id, departed_on, below_minimum FROM {p}departure",
        &[],
    )
    .await?
    {
        departures.insert(
            text(&row, "deployment_id")?,
            (
                parse(&text(&row, "departed_on")?)?,
                int(&row, "below_minimum")? != 0,
            ),
        );
    }

    let rows = match hospital {
        Some(h) => {
            fetch(
                pool,
                prefix,
                "SELECT * FROM {p}arrival WHERE recipient_org = $1",
                &[h],
            )
            .await?
        }
        None => fetch(pool, prefix, "SELECT * FROM {p}arrival", &[]).await?,
    };
    // The assignment (as corrected) is the source of the member's details; the arrival's embedded
    // copy is used when the model has no assignment row for the deployment.
    let assignments = match hospital {
        Some(h) => {
            fetch(
                pool,
                prefix,
                "SELECT * FROM {p}assignment WHERE recipient_org = $1",
                &[h],
            )
            .await?
        }
        None => fetch(pool, prefix, "SELECT * FROM {p}assignment", &[]).await?,
    };
    let assignments: HashMap<String, &AnyRow> = assignments
        .iter()
        .map(|row| Ok((text(row, "deployment_id")?, row)))
        .collect::<Result<_, QueryError>>()?;
    rows.iter()
        .map(|arrival| {
            let deployment_id = text(arrival, "deployment_id")?;
            let row = assignments.get(&deployment_id).copied().unwrap_or(arrival);
            let pairing_id = text(row, "pairing_id")?;
            let end = ends.get(&deployment_id);
            let departure = departures.get(&deployment_id);
            Ok(Stint {
                batch_number: u32::try_from(int(row, "batch_number")?).unwrap_or(0),
                hospital: text(row, "recipient_org")?,
                practitioner: text(row, "practitioner")?,
                home_org: text(row, "home_org")?,
                title: u16::try_from(int(row, "title")?).unwrap_or(0),
                specialty: text(row, "specialty")?,
                role: tag(row, "role")?,
                arrived: parse(&text(arrival, "start_on")?)?,
                planned_end: match end {
                    Some((_, date, _)) => *date,
                    None => parse(&text(row, "planned_end")?)?,
                },
                departed: departure.map(|d| d.0),
                flagged_below_minimum: end.is_some_and(|e| e.2) || departure.is_some_and(|d| d.1),
                min_term_months: min_terms.get(&pairing_id).copied(),
                deployment_id,
                pairing_id,
            })
        })
        .collect()
}
