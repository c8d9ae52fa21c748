//! Technique diffusion and the gap registry (填补空白).
//!
//! - Which hospitals perform technique T, since when, and who introduced it?
//! - Gaps filled, by level (county, prefecture, province, custom) and region.
//! - Is T still performed after the expert who introduced it left (the "带不走" test)? A technique
//!   is *sustained* when, after its introducer left, a local apprentice was declared independent in it.

use std::collections::BTreeMap;

use domain::aggregates::gap::GapLevel;
use domain::aggregates::technique::TechniqueCategory;
use sqlx::AnyPool;
use sqlx::any::AnyRow;
use time::Date;

use crate::dates::parse;
use crate::fact::{FactProjection, tables as t};
use crate::names::{department_name, org_name, org_names};
use crate::page::{Answer, Page, PageRequest, QueryError, fetch, opt_text, paginate, tag, text};
use crate::query::{Query, Subject, View, Visible};
use crate::stints::{self, Stint};

pub static PROJECTION: FactProjection = FactProjection {
    name: "technique_diffusion",
    // 3: gaps keep the display name of a custom region.
    // 4: the hospital table, for hospitals' names.
    version: 4,
    tables: &[
        &t::HOSPITAL,
        &t::PAIRING,
        &t::ASSIGNMENT,
        &t::ARRIVAL,
        &t::TERM_CHANGE,
        &t::DEPARTURE,
        &t::TECHNIQUE,
        &t::GAP,
        &t::INDEPENDENCE,
    ],
};

/// Whether a technique outlives its introducer at a hospital, on a given day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sustainability {
    /// First performed by a local practitioner.
    LocalFromStart,
    /// The on-site expert who introduced it is still there.
    IntroducerOnSite,
    /// The introducer left, and these local practitioners were declared independent in it.
    Sustained { local_practitioners: Vec<String> },
    /// The introducer left and nobody was declared independent in it.
    AtRisk,
}

/// Technique T at one hospital.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TechniqueAtHospital {
    pub hospital: String,
    /// The hospital's registered name (empty when not registered).
    pub hospital_name: String,
    pub technique: String,
    pub name: String,
    pub department: String,
    /// e.g. 胸外科专业.
    pub department_name: &'static str,
    pub since: Date,
    pub introduced_by: IntroducedBy,
    pub category: TechniqueCategory,
    pub sustainability: Sustainability,
}

/// Who performed a technique first at a hospital (by practitioner id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntroducedBy {
    /// A member of a batch on site.
    OnSiteMember(String),
    /// A local practitioner of the hospital.
    Local(String),
}

impl IntroducedBy {
    /// The performer from the technique table's `performer_kind` and `performer` columns.
    fn from_row(kind: &str, practitioner: String) -> Result<IntroducedBy, QueryError> {
        match kind {
            "on_site_member" => Ok(IntroducedBy::OnSiteMember(practitioner)),
            "local" => Ok(IntroducedBy::Local(practitioner)),
            other => Err(QueryError::Corrupt(format!("performer_kind {other:?}"))),
        }
    }

    /// The practitioner's id.
    pub fn practitioner(&self) -> &str {
        match self {
            IntroducedBy::OnSiteMember(id) | IntroducedBy::Local(id) => id,
        }
    }
}

/// One filled gap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapRow {
    pub level: GapLevel,
    pub region: String,
    pub technique: String,
    pub hospital: String,
    /// The hospital's registered name (empty when not registered).
    pub hospital_name: String,
    pub introduced_on: Date,
    pub claimed_on: Date,
    /// The display name of a custom region (南疆), as stored with the first use of its key.
    pub region_name: Option<String>,
}

/// How many gaps are filled at one level and region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapCount {
    pub level: GapLevel,
    pub region: String,
    pub filled: u64,
    /// The display name of a custom region, as on [`GapRow::region_name`].
    pub region_name: Option<String>,
}

async fn techniques(
    pool: &AnyPool,
    prefix: &str,
    rows: Vec<AnyRow>,
    date: Date,
) -> Result<Vec<TechniqueAtHospital>, QueryError> {
    let stints = stints::load(pool, prefix, None).await?;
    let mut independent: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for row in fetch(
        pool,
        prefix,
        "SELECT * FROM {p}independence WHERE scope_kind = 'technique'",
        &[],
    )
    .await?
    {
        if parse(&text(&row, "date_on")?)? <= date {
            independent
                .entry((text(&row, "recipient_org")?, text(&row, "scope")?))
                .or_default()
                .push(text(&row, "apprentice")?);
        }
    }
    let mut out = Vec::new();
    for row in rows {
        let since = parse(&text(&row, "first_on")?)?;
        if since > date {
            continue;
        }
        let hospital = text(&row, "hospital")?;
        let technique = text(&row, "technique")?;
        let introduced_by =
            IntroducedBy::from_row(&text(&row, "performer_kind")?, text(&row, "performer")?)?;
        let introducer: Vec<&Stint> = stints
            .iter()
            .filter(|s| s.hospital == hospital && s.practitioner == introduced_by.practitioner())
            .collect();
        let sustainability = if matches!(introduced_by, IntroducedBy::Local(_)) {
            Sustainability::LocalFromStart
        } else if introducer.iter().any(|s| s.on_site(date)) {
            Sustainability::IntroducerOnSite
        } else {
            match independent.get(&(hospital.clone(), technique.clone())) {
                Some(locals) if !locals.is_empty() => {
                    let mut locals = locals.clone();
                    locals.sort();
                    locals.dedup();
                    Sustainability::Sustained {
                        local_practitioners: locals,
                    }
                }
                _ => Sustainability::AtRisk,
            }
        };
        let department = text(&row, "department")?;
        out.push(TechniqueAtHospital {
            name: text(&row, "name")?,
            department_name: department_name(&department),
            department,
            hospital_name: String::new(),
            category: tag(&row, "category")?,
            hospital,
            technique,
            since,
            introduced_by,
            sustainability,
        });
    }
    Ok(out)
}

/// The hospitals performing `technique` on `date`, with when and by whom it was introduced.
pub async fn hospitals_performing(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
    technique: &str,
    date: Date,
    page: &PageRequest,
) -> Result<Page<TechniqueAtHospital>, QueryError> {
    let rows = fetch(
        pool,
        prefix,
        "SELECT * FROM {p}technique WHERE technique = $1",
        &[technique],
    )
    .await?;
    let all = techniques(pool, prefix, rows, date).await?;
    let page = paginate(
        all,
        |t| format!("{}|{}", t.since, t.hospital),
        page,
        position,
    )?;
    with_hospital_names(pool, prefix, page).await
}

/// `page` with the names of its hospitals, read for the page only.
async fn with_hospital_names(
    pool: &AnyPool,
    prefix: &str,
    mut page: Page<TechniqueAtHospital>,
) -> Result<Page<TechniqueAtHospital>, QueryError> {
    let hospitals: Vec<&str> = page.items.iter().map(|t| t.hospital.as_str()).collect();
    let names = org_names(pool, prefix, hospitals).await?;
    for item in &mut page.items {
        item.hospital_name = org_name(&names, &item.hospital);
    }
    Ok(page)
}

/// The techniques a hospital performs on `date`.
pub async fn at_hospital(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
    hospital: &str,
    date: Date,
    page: &PageRequest,
) -> Result<Page<TechniqueAtHospital>, QueryError> {
    let rows = fetch(
        pool,
        prefix,
        "SELECT * FROM {p}technique WHERE hospital = $1",
        &[hospital],
    )
    .await?;
    let all = techniques(pool, prefix, rows, date).await?;
    let page = paginate(all, |t| t.technique.clone(), page, position)?;
    with_hospital_names(pool, prefix, page).await
}

/// Filled gaps, optionally of one level and region.
pub async fn gaps(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
    level: Option<GapLevel>,
    region: Option<&str>,
    page: &PageRequest,
) -> Result<Page<GapRow>, QueryError> {
    let all = gap_rows(pool, prefix, level, region).await?;
    let mut page = paginate(
        all,
        |g| {
            format!(
                "{}|{}|{}",
                crate::fact::tag(&g.level),
                g.region,
                g.technique
            )
        },
        page,
        position,
    )?;
    let hospitals: Vec<&str> = page.items.iter().map(|g| g.hospital.as_str()).collect();
    let names = org_names(pool, prefix, hospitals).await?;
    for gap in &mut page.items {
        gap.hospital_name = org_name(&names, &gap.hospital);
    }
    Ok(page)
}

/// Every filled gap, optionally of one level and region, unordered.
async fn gap_rows(
    pool: &AnyPool,
    prefix: &str,
    level: Option<GapLevel>,
    region: Option<&str>,
) -> Result<Vec<GapRow>, QueryError> {
    let mut all = Vec::new();
    for row in fetch(pool, prefix, "SELECT * FROM {p}gap", &[]).await? {
        let gap = GapRow {
            level: tag(&row, "level")?,
            region: text(&row, "region")?,
            technique: text(&row, "technique")?,
            hospital: text(&row, "hospital")?,
            hospital_name: String::new(),
            introduced_on: parse(&text(&row, "introduced_on")?)?,
            claimed_on: parse(&text(&row, "claimed_on")?)?,
            region_name: opt_text(&row, "region_name")?,
        };
        if level.is_none_or(|l| l == gap.level) && region.is_none_or(|r| r == gap.region) {
            all.push(gap);
        }
    }
    Ok(all)
}

/// How many gaps are filled per (level, region).
pub async fn gap_counts(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
) -> Result<Answer<Vec<GapCount>>, QueryError> {
    let value = fetch(
        pool,
        prefix,
        // Every named fill of a custom key carries the name of its first use, so MAX picks it (and
        // skips the fills recorded before names were kept).
        "SELECT level, region, MAX(region_name) AS region_name, COUNT(*) AS n FROM {p}gap \
         GROUP BY level, region ORDER BY level, region",
        &[],
    )
    .await?
    .iter()
    .map(|row| {
        Ok(GapCount {
            level: tag(row, "level")?,
            region: text(row, "region")?,
            filled: crate::page::uint(row, "n")?,
            region_name: opt_text(row, "region_name")?,
        })
    })
    .collect::<Result<_, QueryError>>()?;
    Ok(Answer { position, value })
}

/// What `TechniqueHospitals` lists: the hospitals of one technique, or the techniques of one
/// hospital.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PerformedBy {
    /// The hospitals performing this technique key, of those the caller may see.
    Technique(String),
    /// The techniques performed at this hospital.
    Hospital(String),
}

/// `ListTechniqueHospitals`: techniques performed on `date`, by technique or by hospital.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TechniqueHospitals {
    pub subject: PerformedBy,
    pub date: Date,
    pub page: PageRequest,
}

impl Query for TechniqueHospitals {
    type Answer = Page<TechniqueAtHospital>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        match &self.subject {
            PerformedBy::Technique(_) => Subject::Rows,
            PerformedBy::Hospital(hospital) => Subject::Org {
                field: "hospital",
                org: hospital,
            },
        }
    }

    async fn run(&self, v: View<'_>, visible: Visible<'_>) -> Result<Self::Answer, QueryError> {
        match &self.subject {
            PerformedBy::Technique(technique) => {
                let mut page = hospitals_performing(
                    v.pool, v.prefix, v.position, technique, self.date, &self.page,
                )
                .await?;
                page.items.retain(|t| visible.org(&t.hospital));
                Ok(page)
            }
            PerformedBy::Hospital(hospital) => {
                at_hospital(
                    v.pool, v.prefix, v.position, hospital, self.date, &self.page,
                )
                .await
            }
        }
    }
}

/// `ListGapFills`: gaps filled (填补空白) at hospitals the caller may see, optionally of one level
/// and region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapFills {
    pub level: Option<GapLevel>,
    pub region: Option<String>,
    pub page: PageRequest,
}

impl Query for GapFills {
    type Answer = Page<GapRow>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        Subject::Rows
    }

    async fn run(&self, v: View<'_>, visible: Visible<'_>) -> Result<Self::Answer, QueryError> {
        let region = self.region.as_deref();
        let mut page = gaps(v.pool, v.prefix, v.position, self.level, region, &self.page).await?;
        page.items.retain(|g| visible.org(&g.hospital));
        Ok(page)
    }
}

/// `GetGapCounts`: how many gaps were filled per level and region, counting only the hospitals the
/// caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapCounts;

impl Query for GapCounts {
    type Answer = Answer<Vec<GapCount>>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        Subject::Rows
    }

    async fn run(&self, v: View<'_>, visible: Visible<'_>) -> Result<Self::Answer, QueryError> {
        if visible.is_all() {
            return gap_counts(v.pool, v.prefix, v.position).await;
        }
        // A scoped reader's counts come from the gaps it may see, so no total leaks the rest.
        // Keyed by the level's tag, so that the order is the SQL path's `ORDER BY level, region`.
        let mut counts: BTreeMap<(String, String), GapCount> = BTreeMap::new();
        for gap in gap_rows(v.pool, v.prefix, None, None).await? {
            if visible.org(&gap.hospital) {
                let key = (crate::fact::tag(&gap.level), gap.region.clone());
                let count = counts.entry(key).or_insert(GapCount {
                    level: gap.level,
                    region: gap.region,
                    filled: 0,
                    region_name: None,
                });
                count.filled += 1;
                count.region_name = count.region_name.take().max(gap.region_name);
            }
        }
        let value = counts.into_values().collect();
        Ok(Answer {
            position: v.position,
            value,
        })
    }
}
