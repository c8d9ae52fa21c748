//! Assessment (考核): results against the indicator set an agreement bound, after the targets fell due.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::aggregates::agreement::AgreementSigned;
use crate::aggregates::command_for;
use crate::errors::{CommonError, DomainError, domain_errors};
use crate::events::{Event, EventPayload, EventScope};
use crate::stream::Aggregate;
use crate::values::{
    AgreementId, AssessmentId, BatchId, BusinessTime, Count, CreditCode, DeploymentId,
    IndicatorCode, PairingId, ValueProblem, day,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum AssessmentSubject {
    Member(DeploymentId),
    Batch(BatchId),
    Pairing(PairingId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentResult {
    /// 优秀.
    Excellent,
    /// 合格.
    Pass,
    /// 不合格.
    Fail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorResult {
    pub indicator: IndicatorCode,
    pub value: Count,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentConducted {
    pub assessment_id: AssessmentId,
    pub agreement_id: AgreementId,
    pub recipient_org: CreditCode,
    pub subject: AssessmentSubject,
    #[serde(with = "day")]
    pub period_start: Date,
    #[serde(with = "day")]
    pub period_end: Date,
    pub indicator_results: Vec<IndicatorResult>,
    /// 0 to 100 when the assessment scores.
    pub score: Option<u32>,
    pub result: AssessmentResult,
    pub assessor: CreditCode,
}

impl EventPayload for AssessmentConducted {
    const TYPE: &'static str = "AssessmentConducted";
    fn stream_id(&self) -> String {
        self.assessment_id.stream_id()
    }
    fn scope(&self) -> EventScope {
        EventScope::hosted_at(&self.recipient_org, [&self.assessor])
    }
    fn occurred_at(&self) -> BusinessTime {
        BusinessTime::days(self.period_start, self.period_end)
            .unwrap_or(BusinessTime::on(self.period_end))
    }
}

domain_errors! {
    pub enum AssessmentError {
        #[error("agreement {agreement} was not loaded or does not exist")]
        AgreementNotFound { agreement: String } => "AGREEMENT_NOT_FOUND",
        #[error("indicator {indicator} ({field}) is not in the agreement's indicator set {set_version}")]
        IndicatorNotInSet { indicator: String, field: String, set_version: String } => "INDICATOR_NOT_IN_SET",
        #[error("the period ends {period_end}, before the last target falls due on {due}")]
        BeforeTargetsDue { period_end: Date, due: Date } => "ASSESSMENT_BEFORE_TARGETS_DUE",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssessmentCommand {
    Conduct(ConductAssessment),
}

command_for! {
    /// An assessment under an agreement; the recipient comes from the agreement.
    ConductAssessment => AssessmentConducted {
        assessment_id: AssessmentId,
        agreement_id: AgreementId,
        subject: AssessmentSubject,
        period_start: Date,
        period_end: Date,
        indicator_results: Vec<IndicatorResult>,
        score: Option<u32>,
        result: AssessmentResult,
        assessor: CreditCode,
    } + { recipient_org: CreditCode }
}

/// Load: `agreement` from `agreement-<agreement_id>` (its `AgreementSigned`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssessmentContext {
    pub agreement: Option<AgreementSigned>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssessmentState {
    pub conducted: Option<AssessmentConducted>,
}

impl Aggregate for AssessmentState {
    type Command = AssessmentCommand;
    type Context = AssessmentContext;

    fn records(command: &AssessmentCommand) -> &'static str {
        match command {
            AssessmentCommand::Conduct(_) => <AssessmentConducted as EventPayload>::TYPE,
        }
    }

    fn decide(
        &self,
        command: &AssessmentCommand,
        context: &AssessmentContext,
    ) -> Result<Vec<Event>, DomainError> {
        let AssessmentCommand::Conduct(a) = command;
        if self.conducted.is_some() {
            return Err(CommonError::AlreadyExists {
                stream: a.assessment_id.stream_id(),
            }
            .into());
        }
        if a.period_end < a.period_start {
            let problem = ValueProblem::PeriodReversed {
                start: a.period_start.to_string(),
                end: a.period_end.to_string(),
            };
            return Err(problem.at("period_end").into());
        }
        if let Some(score) = a.score.filter(|s| *s > 100) {
            let detail = format!("score must be 0 to 100, got {score}");
            return Err(ValueProblem::OutOfRange { detail }.at("score").into());
        }
        let agreement = context
            .agreement
            .as_ref()
            .filter(|g| g.agreement_id == a.agreement_id)
            .ok_or_else(|| AssessmentError::AgreementNotFound {
                agreement: a.agreement_id.to_string(),
            })?;
        let set = &agreement.indicator_set;
        for (i, result) in a.indicator_results.iter().enumerate() {
            if !set.indicators.contains(&result.indicator) {
                return Err(AssessmentError::IndicatorNotInSet {
                    indicator: result.indicator.to_string(),
                    field: format!("indicator_results[{i}].indicator"),
                    set_version: set.version.clone(),
                }
                .into());
            }
        }
        if let Some(due) = agreement
            .targets
            .iter()
            .map(|t| t.due)
            .max()
            .filter(|due| a.period_end < *due)
        {
            return Err(AssessmentError::BeforeTargetsDue {
                period_end: a.period_end,
                due,
            }
            .into());
        }
        Ok(vec![a.record(agreement.recipient_org.clone()).into()])
    }

    fn apply(mut self, event: &Event) -> Self {
        if let Event::AssessmentConducted(e) = event {
            self.conducted = Some(e.clone());
        }
        self
    }
}
