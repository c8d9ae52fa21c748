//! Batch timeline.
//!
//! - Batch N of a pairing: planned and actual dates, and its members.
//! - Which batches overlap on site (e.g. 第三批 and 第四批 at the same time)?
//! - Handovers (接力棒) between consecutive batches: shared days, or days left uncovered.

use std::collections::BTreeMap;

use domain::aggregates::batch::MemberRole;
use sqlx::AnyPool;
use time::Date;

use crate::dates::parse;
use crate::fact::{FactProjection, tables as t};
use crate::names::{department_name, org_name, org_names, title_name};
use crate::page::{Answer, Page, PageRequest, QueryError, fetch, int, tag, text};
use crate::query::{Query, Subject, View, Visible};
use crate::stints;

pub static PROJECTION: FactProjection = FactProjection {
    name: "batch_timeline",
    // 2: the hospital table, for the recipient's name.
    version: 2,
    tables: &[
        &t::HOSPITAL,
        &t::PAIRING,
        &t::BATCH,
        &t::ASSIGNMENT,
        &t::ARRIVAL,
        &t::TERM_CHANGE,
        &t::DEPARTURE,
    ],
};

/// A member of a batch, as assigned, with arrival and departure when recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchMember {
    pub deployment_id: String,
    pub practitioner: String,
    pub title_code: u16,
    /// e.g. 主治医师; empty for a code outside GB/T 8561.
    pub title_name: &'static str,
    pub department: String,
    /// e.g. 胸外科专业.
    pub department_name: &'static str,
    pub role: MemberRole,
    pub arrived: Option<Date>,
    /// The last day on site by the domain's one rule (`domain::facts::Term::last_day`): the planned
    /// end after term changes, or an earlier departure; the planned end until the member arrives.
    pub last_day: Date,
    /// A departure is recorded; false past `last_day` means the departure is unconfirmed.
    pub departure_recorded: bool,
}

/// One batch: planned dates, actual span (first arrival to last day on site) and members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchSummary {
    pub pairing_id: String,
    pub number: u32,
    pub recipient_org: String,
    /// The recipient's registered name (empty when not registered).
    pub recipient_org_name: String,
    pub planned_start: Date,
    pub planned_end: Date,
    pub start: Date,
    pub end: Date,
    pub members: Vec<BatchMember>,
}

/// Two batches on site together from `from` to `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlap {
    pub earlier: u32,
    pub later: u32,
    pub from: Date,
    pub to: Date,
}

/// The handover from batch `from` to batch `to`: `shared_days` > 0 when they overlapped, < 0 when the
/// hospital was left without either batch for that many days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    pub from: u32,
    pub to: u32,
    pub to_start: Date,
    pub shared_days: i64,
}

async fn summaries(
    pool: &AnyPool,
    prefix: &str,
    pairing_id: &str,
) -> Result<Vec<BatchSummary>, QueryError> {
    let stints: BTreeMap<String, stints::Stint> = stints::load(pool, prefix, None)
        .await?
        .into_iter()
        .filter(|s| s.pairing_id == pairing_id)
        .map(|s| (s.deployment_id.clone(), s))
        .collect();
    let mut batches: BTreeMap<u32, BatchSummary> = BTreeMap::new();
    for row in fetch(
        pool,
        prefix,
        "SELECT * FROM {p}batch WHERE pairing_id = $1",
        &[pairing_id],
    )
    .await?
    {
        let number = u32::try_from(int(&row, "number")?).unwrap_or(0);
        let planned_start = parse(&text(&row, "planned_start")?)?;
        let planned_end = parse(&text(&row, "planned_end")?)?;
        batches.insert(
            number,
            BatchSummary {
                pairing_id: pairing_id.to_owned(),
                number,
                recipient_org: text(&row, "recipient_org")?,
                recipient_org_name: String::new(),
                planned_start,
                planned_end,
                start: planned_start,
                end: planned_end,
                members: Vec::new(),
            },
        );
    }
    for row in fetch(
        pool,
        prefix,
        "SELECT * FROM {p}assignment WHERE pairing_id = $1 ORDER BY src_stream, src_version",
        &[pairing_id],
    )
    .await?
    {
        let number = u32::try_from(int(&row, "batch_number")?).unwrap_or(0);
        let Some(batch) = batches.get_mut(&number) else {
            continue;
        };
        let deployment_id = text(&row, "deployment_id")?;
        let stint = stints.get(&deployment_id);
        let title_code = u16::try_from(int(&row, "title")?).unwrap_or(0);
        let department = text(&row, "specialty")?;
        batch.members.push(BatchMember {
            practitioner: text(&row, "practitioner")?,
            title_code,
            title_name: title_name(title_code),
            department_name: department_name(&department),
            department,
            role: tag(&row, "role")?,
            arrived: stint.map(|s| s.arrived),
            last_day: match stint {
                Some(s) => s.last_day(),
                None => parse(&text(&row, "planned_end")?)?,
            },
            departure_recorded: stint.is_some_and(|s| s.departed.is_some()),
            deployment_id,
        });
    }
    for batch in batches.values_mut() {
        let arrivals: Vec<&BatchMember> = batch
            .members
            .iter()
            .filter(|m| m.arrived.is_some())
            .collect();
        if let Some(first) = arrivals.iter().filter_map(|m| m.arrived).min() {
            batch.start = first;
        }
        if let Some(last) = arrivals.iter().map(|m| m.last_day).max() {
            batch.end = last;
        }
    }
    Ok(batches.into_values().collect())
}

/// The batches of a pairing in order, with their members.
pub async fn batches(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
    pairing_id: &str,
    page: &PageRequest,
) -> Result<Page<BatchSummary>, QueryError> {
    let all = summaries(pool, prefix, pairing_id).await?;
    let mut page = crate::page::paginate(all, |b| format!("{:010}", b.number), page, position)?;
    let recipients: Vec<&str> = page
        .items
        .iter()
        .map(|b| b.recipient_org.as_str())
        .collect();
    let names = org_names(pool, prefix, recipients).await?;
    for batch in &mut page.items {
        batch.recipient_org_name = org_name(&names, &batch.recipient_org);
    }
    Ok(page)
}

/// Every pair of batches of a pairing whose spans on site share at least one day.
pub async fn overlaps(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
    pairing_id: &str,
) -> Result<Answer<Vec<Overlap>>, QueryError> {
    let all = summaries(pool, prefix, pairing_id).await?;
    let mut value = Vec::new();
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            let from = a.start.max(b.start);
            let to = a.end.min(b.end);
            if from <= to {
                value.push(Overlap {
                    earlier: a.number,
                    later: b.number,
                    from,
                    to,
                });
            }
        }
    }
    Ok(Answer { position, value })
}

/// The handover between each batch and the next one.
pub async fn handovers(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
    pairing_id: &str,
) -> Result<Answer<Vec<Handover>>, QueryError> {
    let all = summaries(pool, prefix, pairing_id).await?;
    let value = all
        .windows(2)
        .map(|pair| Handover {
            from: pair[0].number,
            to: pair[1].number,
            to_start: pair[1].start,
            shared_days: (pair[0].end - pair[1].start).whole_days() + 1,
        })
        .collect();
    Ok(Answer { position, value })
}

/// `ListBatches`: a pairing's batches with dates and members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batches {
    pub pairing_id: String,
    pub page: PageRequest,
}

impl Query for Batches {
    type Answer = Page<BatchSummary>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        Subject::Pairing(&self.pairing_id)
    }

    async fn run(&self, v: View<'_>, _: Visible<'_>) -> Result<Self::Answer, QueryError> {
        batches(v.pool, v.prefix, v.position, &self.pairing_id, &self.page).await
    }
}

/// `GetBatchOverlaps`: when a pairing's batches were on site together, and how each handed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchOverlaps {
    pub pairing_id: String,
}

/// The answer of [`BatchOverlaps`], both halves from the same tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverlapsAndHandovers {
    pub overlaps: Vec<Overlap>,
    pub handovers: Vec<Handover>,
}

impl Query for BatchOverlaps {
    type Answer = Answer<OverlapsAndHandovers>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        Subject::Pairing(&self.pairing_id)
    }

    async fn run(&self, v: View<'_>, _: Visible<'_>) -> Result<Self::Answer, QueryError> {
        let overlaps = overlaps(v.pool, v.prefix, v.position, &self.pairing_id).await?;
        let handovers = handovers(v.pool, v.prefix, v.position, &self.pairing_id).await?;
        Ok(Answer {
            position: v.position,
            value: OverlapsAndHandovers {
                overlaps: overlaps.value,
                handovers: handovers.value,
            },
        })
    }
}
