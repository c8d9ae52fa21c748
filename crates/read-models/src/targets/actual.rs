//! What the log shows for one indicator of a recipient within a period.

use std::collections::BTreeSet;

use sqlx::AnyPool;
use time::Date;

use crate::dates::parse;
use crate::page::{QueryError, fetch, opt_int, opt_text, text};
use crate::scoreboard::Figure;
use crate::stints;

fn within(date: Date, from: Date, to: Date) -> bool {
    from <= date && date <= to
}

/// The actual of `indicator` for `recipient` between `from` and `to`, or `None` for an indicator
/// the log cannot count.
pub(super) async fn actual(
    pool: &AnyPool,
    prefix: &str,
    indicator: &str,
    recipient: &str,
    from: Date,
    to: Date,
) -> Result<Option<Figure>, QueryError> {
    let count = |n: usize| Figure {
        value: u64::try_from(n).unwrap_or(u64::MAX),
        at_least: false,
    };
    let sum =
        |rows: &[sqlx::any::AnyRow], date: &str, column: &str| -> Result<Figure, QueryError> {
            let mut figure = Figure::default();
            for row in rows {
                if within(parse(&text(row, date)?)?, from, to)
                    && let Some(v) = opt_int(row, column)?.and_then(|v| u64::try_from(v).ok())
                {
                    figure.value = figure.value.saturating_add(v);
                    figure.at_least |=
                        opt_text(row, &format!("{column}_cmp"))?.as_deref() == Some("at_least");
                }
            }
            Ok(figure)
        };
    let dated = |rows: &[sqlx::any::AnyRow], date: &str| -> Result<usize, QueryError> {
        let mut n = 0;
        for row in rows {
            if within(parse(&text(row, date)?)?, from, to) {
                n += 1;
            }
        }
        Ok(n)
    };
    Ok(Some(match indicator {
        "new_techniques" => {
            let rows = fetch(
                pool,
                prefix,
                "SELECT first_on FROM {p}technique WHERE hospital = $1",
                &[recipient],
            )
            .await?;
            count(dated(&rows, "first_on")?)
        }
        "gaps_filled" => {
            let rows = fetch(
                pool,
                prefix,
                "SELECT claimed_on FROM {p}gap WHERE hospital = $1",
                &[recipient],
            )
            .await?;
            count(dated(&rows, "claimed_on")?)
        }
        "trainings" | "training_attendees" => {
            let rows = fetch(
                pool,
                prefix,
                "SELECT * FROM {p}training WHERE recipient_org = $1",
                &[recipient],
            )
            .await?;
            if indicator == "trainings" {
                // Itemized and reported trainings are never added (a report may count the ones
                // recorded one by one): the actual is the larger of the two, on a tie the exact one.
                let itemized = count(dated(&rows, "date_on")?);
                let reports = fetch(
                    pool,
                    prefix,
                    "SELECT * FROM {p}activity WHERE recipient_org = $1",
                    &[recipient],
                )
                .await?;
                itemized.larger(sum(&reports, "period_end", "trainings")?)
            } else {
                sum(&rows, "date_on", "attendees")?
            }
        }
        "surgeries" | "critical_rescues" | "patients_served" | "teleconsults" => {
            let rows = fetch(
                pool,
                prefix,
                "SELECT * FROM {p}activity WHERE recipient_org = $1",
                &[recipient],
            )
            .await?;
            let column = match indicator {
                "surgeries" => "surgeries",
                "critical_rescues" => "rescues",
                "teleconsults" => "teleconsults",
                _ => "patients",
            };
            sum(&rows, "period_end", column)?
        }
        "staff_on_site" => {
            let people: BTreeSet<String> = stints::load(pool, prefix, Some(recipient))
                .await?
                .into_iter()
                .filter(|s| within(s.arrived, from, to))
                .map(|s| s.practitioner)
                .collect();
            count(people.len())
        }
        _ => return Ok(None),
    }))
}
