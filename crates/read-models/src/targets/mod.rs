//! Targets against actuals, assessments and term compliance (目标责任书 / 目标管理考核).
//!
//! - For each target of an agreement: what does the log show for the recipient between the
//!   agreement's start and the target's due day, and is the target met?
//! - Which assessments were conducted under the agreement, with which result and score?
//! - How many terms of the pairing's members meet the program's minimum term?
//!
//! Indicators the log can count: `new_techniques`, `gaps_filled`, `trainings` (the larger of the
//! trainings itemized and the trainings reported, never their sum), `training_attendees`,
//! `surgeries`, `critical_rescues`, `patients_served`, `teleconsults` (from activity reports), and
//! `staff_on_site` (distinct members arrived). Any other indicator has no actual (`None`).

use domain::aggregates::agreement::AgreementKind;
use domain::aggregates::assessment::AssessmentResult;
use sqlx::AnyPool;
use time::Date;

use crate::dates::{parse, parse_opt};
use crate::fact::{FactProjection, tables as t};
use crate::names::{org_name, org_names};
use crate::page::{
    Answer, Page, PageRequest, QueryError, fetch, opt_int, opt_text, paginate, tag, text,
};
use crate::query::{Query, Subject, View, Visible};
use crate::scoreboard::Figure;

mod actual;
use crate::stints;

pub static PROJECTION: FactProjection = FactProjection {
    name: "targets_actuals",
    // 3: the gap table keeps the display name of a custom region.
    // 4: the activity table gained reported trainings and teleconsultations.
    // 5: the hospital table, for the recipient's name.
    version: 5,
    tables: &[
        &t::HOSPITAL,
        &t::PAIRING,
        &t::AGREEMENT,
        &t::TARGET,
        &t::ASSESSMENT,
        &t::TRAINING,
        &t::ACTIVITY,
        &t::TECHNIQUE,
        &t::GAP,
        &t::ASSIGNMENT,
        &t::ARRIVAL,
        &t::TERM_CHANGE,
        &t::DEPARTURE,
    ],
};

/// One target and its actual.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRow {
    pub indicator: String,
    pub target: Figure,
    pub due: Date,
    pub actual: Option<Figure>,
    pub met: Option<bool>,
}

/// One assessment under the agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentRow {
    pub assessment_id: String,
    pub subject: Assessed,
    pub period_start: Date,
    pub period_end: Date,
    pub score: Option<i64>,
    pub result: AssessmentResult,
}

/// Who or what an assessment assessed, by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assessed {
    Member(String),
    Pairing(String),
    Batch {
        pairing_id: String,
        batch_number: u32,
    },
}

impl Assessed {
    /// The subject from the assessment table's `subject_kind` and `subject` columns; a batch is
    /// stored as `<pairing_id>.<batch_number>`.
    fn from_row(kind: &str, subject: String) -> Result<Assessed, QueryError> {
        let corrupt = || QueryError::Corrupt(format!("assessment subject {kind} {subject:?}"));
        match kind {
            "member" => Ok(Assessed::Member(subject)),
            "pairing" => Ok(Assessed::Pairing(subject)),
            "batch" => {
                let (pairing_id, number) = subject.rsplit_once('.').ok_or_else(corrupt)?;
                Ok(Assessed::Batch {
                    pairing_id: pairing_id.to_owned(),
                    batch_number: number.parse().map_err(|_| corrupt())?,
                })
            }
            _ => Err(corrupt()),
        }
    }
}

/// Terms of the pairing's members at the recipient.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TermCompliance {
    pub terms: usize,
    pub below_minimum: usize,
}

/// An agreement with its targets, assessments and term compliance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementReport {
    pub agreement_id: String,
    pub pairing_id: String,
    pub recipient_org: String,
    /// The recipient's registered name (empty when not registered).
    pub recipient_org_name: String,
    pub kind: AgreementKind,
    pub title: String,
    pub start: Date,
    pub end: Option<Date>,
    pub targets: Vec<TargetRow>,
    pub assessments: Vec<AssessmentRow>,
    pub term_compliance: TermCompliance,
}

async fn report(
    pool: &AnyPool,
    prefix: &str,
    row: &sqlx::any::AnyRow,
) -> Result<AgreementReport, QueryError> {
    let agreement_id = text(row, "agreement_id")?;
    let pairing_id = text(row, "pairing_id")?;
    let recipient_org = text(row, "recipient_org")?;
    let start = parse(&text(row, "start_on")?)?;
    let mut targets = Vec::new();
    for target in fetch(
        pool,
        prefix,
        "SELECT * FROM {p}target WHERE agreement_id = $1 ORDER BY seq",
        &[&agreement_id],
    )
    .await?
    {
        let indicator = text(&target, "indicator")?;
        let due = parse(&text(&target, "due")?)?;
        let goal = Figure {
            value: opt_int(&target, "target_value")?
                .and_then(|v| u64::try_from(v).ok())
                .unwrap_or(0),
            at_least: opt_text(&target, "target_cmp")?.as_deref() == Some("at_least"),
        };
        let actual = actual::actual(pool, prefix, &indicator, &recipient_org, start, due).await?;
        targets.push(TargetRow {
            met: actual.map(|a| a.value >= goal.value),
            indicator,
            target: goal,
            due,
            actual,
        });
    }
    let mut assessments = Vec::new();
    for a in fetch(
        pool,
        prefix,
        "SELECT * FROM {p}assessment WHERE agreement_id = $1",
        &[&agreement_id],
    )
    .await?
    {
        assessments.push(AssessmentRow {
            assessment_id: text(&a, "assessment_id")?,
            subject: Assessed::from_row(&text(&a, "subject_kind")?, text(&a, "subject")?)?,
            period_start: parse(&text(&a, "period_start")?)?,
            period_end: parse(&text(&a, "period_end")?)?,
            score: opt_int(&a, "score")?,
            result: tag(&a, "result")?,
        });
    }
    assessments
        .sort_by(|a, b| (a.period_end, &a.assessment_id).cmp(&(b.period_end, &b.assessment_id)));
    let mut term_compliance = TermCompliance::default();
    for stint in stints::load(pool, prefix, Some(&recipient_org)).await? {
        if stint.pairing_id == pairing_id {
            term_compliance.terms += 1;
            term_compliance.below_minimum += usize::from(stint.below_minimum());
        }
    }
    let names = org_names(pool, prefix, [recipient_org.as_str()]).await?;
    Ok(AgreementReport {
        recipient_org_name: org_name(&names, &recipient_org),
        kind: tag(row, "kind")?,
        title: text(row, "title")?,
        end: parse_opt(opt_text(row, "end_on")?)?,
        agreement_id,
        pairing_id,
        recipient_org,
        start,
        targets,
        assessments,
        term_compliance,
    })
}

/// One agreement's report, if the agreement is known.
pub async fn agreement(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
    agreement_id: &str,
) -> Result<Answer<Option<AgreementReport>>, QueryError> {
    let rows = fetch(
        pool,
        prefix,
        "SELECT * FROM {p}agreement WHERE agreement_id = $1",
        &[agreement_id],
    )
    .await?;
    let value = match rows.first() {
        Some(row) => Some(report(pool, prefix, row).await?),
        None => None,
    };
    Ok(Answer { position, value })
}

/// The reports of every agreement of a recipient.
pub async fn agreements_of(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
    recipient_org: &str,
    page: &PageRequest,
) -> Result<Page<AgreementReport>, QueryError> {
    let mut all = Vec::new();
    for row in fetch(
        pool,
        prefix,
        "SELECT * FROM {p}agreement WHERE recipient_org = $1",
        &[recipient_org],
    )
    .await?
    {
        all.push(report(pool, prefix, &row).await?);
    }
    paginate(
        all,
        |a| format!("{}|{}", a.start, a.agreement_id),
        page,
        position,
    )
}

/// `GetAgreementReport`: one agreement's targets against the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    pub agreement_id: String,
}

impl Query for Agreement {
    type Answer = Answer<AgreementReport>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        Subject::Agreement(&self.agreement_id)
    }

    async fn run(&self, v: View<'_>, visible: Visible<'_>) -> Result<Self::Answer, QueryError> {
        let answer = agreement(v.pool, v.prefix, v.position, &self.agreement_id).await?;
        // An agreement outside the caller's scope is reported like a missing one, so that its
        // existence does not leak.
        match answer.value {
            Some(report) if visible.org(&report.recipient_org) => Ok(Answer {
                position: answer.position,
                value: report,
            }),
            _ => Err(QueryError::NotFound {
                reason: "AGREEMENT_NOT_FOUND",
                what: format!("agreement {}", self.agreement_id),
            }),
        }
    }
}

/// `ListAgreementReports`: the agreements whose recipient is `recipient_org`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementReports {
    pub recipient_org: String,
    pub page: PageRequest,
}

impl Query for AgreementReports {
    type Answer = Page<AgreementReport>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        Subject::Org {
            field: "recipient_org",
            org: &self.recipient_org,
        }
    }

    async fn run(&self, v: View<'_>, _: Visible<'_>) -> Result<Self::Answer, QueryError> {
        agreements_of(
            v.pool,
            v.prefix,
            v.position,
            &self.recipient_org,
            &self.page,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_subjects_split_into_pairing_and_number() {
        let pairing = "0192f1c4-7a2b-7c3d-8e4f-5a6b7c8d9e0f";
        let parsed = Assessed::from_row("batch", format!("{pairing}.3")).ok();
        assert_eq!(
            parsed,
            Some(Assessed::Batch {
                pairing_id: pairing.to_owned(),
                batch_number: 3,
            })
        );
        assert!(Assessed::from_row("batch", "no-number".to_owned()).is_err());
        assert!(Assessed::from_row("planet", "x".to_owned()).is_err());
    }
}
