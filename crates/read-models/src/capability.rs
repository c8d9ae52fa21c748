//! Hospital capability card.
//!
//! - Grade history (初评/复审) and whether the current grade has expired on day D.
//! - Certified centres (the 五大中心: chest pain, stroke, trauma, maternal and neonatal critical care)
//!   and whether each certificate is still valid.
//! - Service lines opened (e.g. 肺结节门诊), and key specialties: departments co-built with the
//!   supporting hospitals (the only specialty fact the log holds).
//! - Which hospitals' grades expire by a day?

use domain::aggregates::hospital::CenterType;
use domain::values::{GradeClass, GradeLevel, ReviewKind};
use sqlx::AnyPool;
use time::Date;

use crate::dates::{parse, parse_opt};
use crate::fact::{FactProjection, tables as t};
use crate::names::{department_name, org_name, org_names};
use crate::page::{
    Answer, Page, PageRequest, QueryError, fetch, opt_tag, opt_text, paginate, tag, text,
};
use crate::query::{Query, Subject, View, Visible};

pub static PROJECTION: FactProjection = FactProjection {
    name: "hospital_capability",
    version: 1,
    tables: &[
        &t::HOSPITAL,
        &t::GRADE,
        &t::CENTER,
        &t::SERVICE_LINE,
        &t::PLATFORM,
    ],
};

/// One grade assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeEntry {
    pub hospital: String,
    /// The hospital's registered name (empty when not registered).
    pub hospital_name: String,
    pub level: GradeLevel,
    pub class: Option<GradeClass>,
    pub review: ReviewKind,
    pub assessed_on: Date,
    pub valid_until: Option<Date>,
}

/// One certified centre.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CenterEntry {
    pub center: CenterType,
    pub certifier: String,
    pub certified_on: Date,
    pub valid_until: Option<Date>,
    pub valid: bool,
}

/// One service line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceLine {
    pub name: String,
    pub department: String,
    /// The department's 诊疗科目 name, e.g. 胸外科专业.
    pub department_name: &'static str,
    pub opened_on: Date,
}

/// The card of one hospital on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub hospital: String,
    pub name: Option<String>,
    pub division: Option<String>,
    pub grades: Vec<GradeEntry>,
    pub current_grade: Option<GradeEntry>,
    pub grade_expired: bool,
    pub centers: Vec<CenterEntry>,
    pub service_lines: Vec<ServiceLine>,
    pub key_specialties: Vec<String>,
    /// The 诊疗科目 names of `key_specialties`, in the same order.
    pub key_specialty_names: Vec<&'static str>,
}

fn grade(row: &sqlx::any::AnyRow) -> Result<GradeEntry, QueryError> {
    Ok(GradeEntry {
        hospital: text(row, "hospital")?,
        hospital_name: String::new(),
        level: tag(row, "level")?,
        class: opt_tag(row, "class")?,
        review: tag(row, "review")?,
        assessed_on: parse(&text(row, "assessed_on")?)?,
        valid_until: parse_opt(opt_text(row, "valid_until")?)?,
    })
}

fn current(grades: &[GradeEntry], date: Date) -> Option<GradeEntry> {
    grades
        .iter()
        .filter(|g| g.assessed_on <= date)
        .max_by_key(|g| g.assessed_on)
        .cloned()
}

/// The capability card of `hospital` on `date`.
pub async fn card(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
    hospital: &str,
    date: Date,
) -> Result<Answer<Card>, QueryError> {
    let registered = fetch(
        pool,
        prefix,
        "SELECT * FROM {p}hospital WHERE hospital = $1",
        &[hospital],
    )
    .await?;
    let mut grades = fetch(
        pool,
        prefix,
        "SELECT * FROM {p}grade WHERE hospital = $1",
        &[hospital],
    )
    .await?
    .iter()
    .map(grade)
    .collect::<Result<Vec<_>, _>>()?;
    grades.sort_by_key(|g| g.assessed_on);
    let mut centers = Vec::new();
    for row in fetch(
        pool,
        prefix,
        "SELECT * FROM {p}center WHERE hospital = $1",
        &[hospital],
    )
    .await?
    {
        let certified_on = parse(&text(&row, "certified_on")?)?;
        let valid_until = parse_opt(opt_text(&row, "valid_until")?)?;
        centers.push(CenterEntry {
            center: tag(&row, "center")?,
            certifier: text(&row, "certifier")?,
            valid: certified_on <= date && valid_until.is_none_or(|until| date <= until),
            certified_on,
            valid_until,
        });
    }
    // By the centre's tag, as when it was text.
    centers.sort_by_key(|c| (crate::fact::tag(&c.center), c.certified_on));
    let mut service_lines = Vec::new();
    for row in fetch(
        pool,
        prefix,
        "SELECT * FROM {p}service_line WHERE hospital = $1",
        &[hospital],
    )
    .await?
    {
        let department = text(&row, "department")?;
        service_lines.push(ServiceLine {
            name: text(&row, "name")?,
            department_name: department_name(&department),
            department,
            opened_on: parse(&text(&row, "opened_on")?)?,
        });
    }
    service_lines.sort_by(|a, b| (a.opened_on, &a.name).cmp(&(b.opened_on, &b.name)));
    let mut key_specialties = Vec::new();
    for row in fetch(
        pool,
        prefix,
        "SELECT specialty FROM {p}platform WHERE host_org = $1 AND kind = 'co_built_department'",
        &[hospital],
    )
    .await?
    {
        if let Some(s) = opt_text(&row, "specialty")? {
            key_specialties.push(s);
        }
    }
    key_specialties.sort();
    key_specialties.dedup();
    let name = registered.first().map(|r| text(r, "name")).transpose()?;
    for g in &mut grades {
        g.hospital_name = name.clone().unwrap_or_default();
    }
    let current_grade = current(&grades, date);
    let value = Card {
        hospital: hospital.to_owned(),
        key_specialty_names: key_specialties
            .iter()
            .map(|code| department_name(code))
            .collect(),
        name,
        division: registered
            .first()
            .map(|r| text(r, "division"))
            .transpose()?,
        grade_expired: current_grade
            .as_ref()
            .is_some_and(|g| g.valid_until.is_some_and(|until| until < date)),
        current_grade,
        grades,
        centers,
        service_lines,
        key_specialties,
    };
    Ok(Answer { position, value })
}

/// Hospitals whose current grade (as of `by`) has a validity end on or before `by`.
pub async fn grades_expiring(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
    by: Date,
    page: &PageRequest,
) -> Result<Page<GradeEntry>, QueryError> {
    let all = fetch(pool, prefix, "SELECT * FROM {p}grade", &[])
        .await?
        .iter()
        .map(grade)
        .collect::<Result<Vec<_>, _>>()?;
    let mut hospitals: Vec<&str> = all.iter().map(|g| g.hospital.as_str()).collect();
    hospitals.sort_unstable();
    hospitals.dedup();
    let expiring: Vec<GradeEntry> = hospitals
        .iter()
        .filter_map(|h| {
            let own: Vec<GradeEntry> = all.iter().filter(|g| g.hospital == *h).cloned().collect();
            current(&own, by)
        })
        .filter(|g| g.valid_until.is_some_and(|until| until <= by))
        .collect();
    let mut page = paginate(expiring, |g| g.hospital.clone(), page, position)?;
    let hospitals: Vec<&str> = page.items.iter().map(|g| g.hospital.as_str()).collect();
    let names = org_names(pool, prefix, hospitals).await?;
    for g in &mut page.items {
        g.hospital_name = org_name(&names, &g.hospital);
    }
    Ok(page)
}

/// `GetCapabilityCard`: a hospital's grades, certified centres, service lines and key specialties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapabilityCard {
    pub hospital: String,
    pub date: Date,
}

impl Query for CapabilityCard {
    type Answer = Answer<Card>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        Subject::Org {
            field: "hospital",
            org: &self.hospital,
        }
    }

    async fn run(&self, v: View<'_>, _: Visible<'_>) -> Result<Self::Answer, QueryError> {
        card(v.pool, v.prefix, v.position, &self.hospital, self.date).await
    }
}

/// `ListExpiringGrades`: grades that expire on or before `by`, of hospitals the caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiringGrades {
    pub by: Date,
    pub page: PageRequest,
}

impl Query for ExpiringGrades {
    type Answer = Page<GradeEntry>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        Subject::Rows
    }

    async fn run(&self, v: View<'_>, visible: Visible<'_>) -> Result<Self::Answer, QueryError> {
        let mut page = grades_expiring(v.pool, v.prefix, v.position, self.by, &self.page).await?;
        page.items.retain(|g| visible.org(&g.hospital));
        Ok(page)
    }
}
