//! Mentorship board (师带徒).
//!
//! - Mentor → apprentices, and each mentor's ratio against the program's limit (e.g. 1:2).
//! - Which apprentices are left without an on-site mentor (the mentor left and no handover)?
//! - Milestones per pair (lectures, ward rounds, supervised surgery, drills, contests, visits).
//! - How many apprentices are declared independent, and in what (e.g. 20 of 30)?

use std::collections::{BTreeMap, BTreeSet};

use domain::aggregates::mentorship::MilestoneKind;
use sqlx::AnyPool;
use time::Date;

use crate::dates::parse;
use crate::fact::{FactProjection, tables as t};
use crate::page::{Answer, QueryError, fetch, int, tag, text};
use crate::practitioners::{DisplayName, display_names};
use crate::query::{Query, Subject, View, Visible};
use crate::stints;

pub static PROJECTION: FactProjection = FactProjection {
    name: "mentorship_board",
    version: 3,
    tables: &[
        &t::PAIRING,
        &t::ASSIGNMENT,
        &t::ARRIVAL,
        &t::TERM_CHANGE,
        &t::DEPARTURE,
        &t::MENTORSHIP,
        &t::HANDOVER,
        &t::MILESTONE,
        &t::INDEPENDENCE,
        &t::PRACTITIONER,
        &t::PRACTITIONER_CHANGE,
        &t::PERSONAL_ERASURE,
    ],
};

/// One mentor and the apprentices still in training with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentorRow {
    pub mentor: String,
    pub on_site: bool,
    pub apprentices: Vec<String>,
    /// The program's limit of apprentices per mentor, when the pairing is known.
    pub limit: Option<u32>,
    pub over_limit: bool,
}

/// One apprentice in training whose current mentor is not on site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Orphan {
    pub mentorship_id: String,
    pub apprentice: String,
    pub mentor: String,
}

/// One independence declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Independence {
    pub mentorship_id: String,
    pub apprentice: String,
    pub scope: Scope,
    pub date: Date,
}

/// What an apprentice was declared independent in: a department (by code) or a technique (by key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Department(String),
    Technique(String),
}

impl Scope {
    /// The scope from the independence table's `scope_kind` and `scope` columns.
    fn from_row(kind: &str, scope: String) -> Result<Scope, QueryError> {
        match kind {
            "department" => Ok(Scope::Department(scope)),
            "technique" => Ok(Scope::Technique(scope)),
            other => Err(QueryError::Corrupt(format!("scope_kind {other:?}"))),
        }
    }
}

/// One recorded milestone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    pub kind: MilestoneKind,
    pub date: Date,
}

/// The board of one hospital on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Board {
    /// Pairs started on or before the day.
    pub pairs: usize,
    /// Apprentices declared independent on or before the day (distinct pairs).
    pub independent: usize,
    pub mentors: Vec<MentorRow>,
    pub orphaned: Vec<Orphan>,
    pub independence: Vec<Independence>,
    /// Every practitioner the board names, with their name from the directory (empty when not
    /// registered or erased).
    pub names: BTreeMap<String, DisplayName>,
}

/// The mentorship board of `hospital` on `date`.
pub async fn board(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
    hospital: &str,
    date: Date,
) -> Result<Answer<Board>, QueryError> {
    let limit = fetch(
        pool,
        prefix,
        "SELECT mentor_ratio_max FROM {p}pairing WHERE recipient_org = $1",
        &[hospital],
    )
    .await?
    .iter()
    .map(|row| int(row, "mentor_ratio_max"))
    .collect::<Result<Vec<i64>, _>>()?
    .into_iter()
    .filter_map(|v| u32::try_from(v).ok())
    .min();
    let on_site: BTreeSet<String> = stints::load(pool, prefix, Some(hospital))
        .await?
        .into_iter()
        .filter(|s| s.on_site(date))
        .map(|s| s.practitioner)
        .collect();

    // mentorship id -> (apprentice, current mentor)
    let mut pairs: BTreeMap<String, (String, String)> = BTreeMap::new();
    for row in fetch(
        pool,
        prefix,
        "SELECT * FROM {p}mentorship WHERE recipient_org = $1",
        &[hospital],
    )
    .await?
    {
        if parse(&text(&row, "start_on")?)? <= date {
            pairs.insert(
                text(&row, "mentorship_id")?,
                (text(&row, "apprentice")?, text(&row, "mentor")?),
            );
        }
    }
    for row in fetch(
        pool,
        prefix,
        "SELECT * FROM {p}handover ORDER BY src_stream, src_version",
        &[],
    )
    .await?
    {
        if parse(&text(&row, "date_on")?)? <= date
            && let Some(pair) = pairs.get_mut(&text(&row, "mentorship_id")?)
        {
            pair.1 = text(&row, "to_mentor")?;
        }
    }
    let mut independence = Vec::new();
    for row in fetch(
        pool,
        prefix,
        "SELECT * FROM {p}independence WHERE recipient_org = $1",
        &[hospital],
    )
    .await?
    {
        let when = parse(&text(&row, "date_on")?)?;
        let mentorship_id = text(&row, "mentorship_id")?;
        if when <= date && pairs.contains_key(&mentorship_id) {
            independence.push(Independence {
                mentorship_id,
                apprentice: text(&row, "apprentice")?,
                scope: Scope::from_row(&text(&row, "scope_kind")?, text(&row, "scope")?)?,
                date: when,
            });
        }
    }
    independence.sort_by(|a, b| (&a.mentorship_id, a.date).cmp(&(&b.mentorship_id, b.date)));
    let independent: BTreeSet<&str> = independence
        .iter()
        .map(|i| i.mentorship_id.as_str())
        .collect();

    let mut mentors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut orphaned = Vec::new();
    for (id, (apprentice, mentor)) in &pairs {
        if independent.contains(id.as_str()) {
            continue;
        }
        mentors
            .entry(mentor.clone())
            .or_default()
            .push(apprentice.clone());
        if !on_site.contains(mentor) {
            orphaned.push(Orphan {
                mentorship_id: id.clone(),
                apprentice: apprentice.clone(),
                mentor: mentor.clone(),
            });
        }
    }
    let named: BTreeSet<&str> = pairs
        .values()
        .flat_map(|(apprentice, mentor)| [apprentice.as_str(), mentor.as_str()])
        .collect();
    let found = display_names(pool, prefix, named.iter().copied()).await?;
    let names = named
        .iter()
        .map(|id| {
            (
                (*id).to_owned(),
                found.get(*id).cloned().unwrap_or_default(),
            )
        })
        .collect();
    let mentors = mentors
        .into_iter()
        .map(|(mentor, mut apprentices)| {
            apprentices.sort();
            MentorRow {
                on_site: on_site.contains(&mentor),
                over_limit: limit.is_some_and(|l| apprentices.len() > l as usize),
                apprentices,
                limit,
                mentor,
            }
        })
        .collect();
    Ok(Answer {
        position,
        value: Board {
            pairs: pairs.len(),
            independent: independent.len(),
            mentors,
            orphaned,
            independence,
            names,
        },
    })
}

/// The milestones of one mentorship, in the order recorded.
pub async fn milestones(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
    mentorship_id: &str,
) -> Result<Answer<Vec<Milestone>>, QueryError> {
    let value = fetch(
        pool,
        prefix,
        "SELECT kind, date_on FROM {p}milestone WHERE mentorship_id = $1 ORDER BY src_version",
        &[mentorship_id],
    )
    .await?
    .iter()
    .map(|row| {
        Ok(Milestone {
            kind: tag(row, "kind")?,
            date: parse(&text(row, "date_on")?)?,
        })
    })
    .collect::<Result<_, QueryError>>()?;
    Ok(Answer { position, value })
}

/// `GetMentorshipBoard`: mentors and apprentices at `hospital` on `date`, against the ratio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentorshipBoard {
    pub hospital: String,
    pub date: Date,
}

impl Query for MentorshipBoard {
    type Answer = Answer<Board>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        Subject::Org {
            field: "hospital",
            org: &self.hospital,
        }
    }

    async fn run(&self, v: View<'_>, _: Visible<'_>) -> Result<Self::Answer, QueryError> {
        board(v.pool, v.prefix, v.position, &self.hospital, self.date).await
    }
}

/// `GetMentorshipMilestones`: the milestones of one mentorship, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentorshipMilestones {
    pub mentorship_id: String,
}

impl Query for MentorshipMilestones {
    type Answer = Answer<Vec<Milestone>>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        Subject::Mentorship(&self.mentorship_id)
    }

    async fn run(&self, v: View<'_>, _: Visible<'_>) -> Result<Self::Answer, QueryError> {
        milestones(v.pool, v.prefix, v.position, &self.mentorship_id).await
    }
}
