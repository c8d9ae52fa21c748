//! `medaid.v1.AssessmentService` requests to agreement and assessment commands.

use api::medaid::v1 as pb;
use domain::AggregateCommand;
use domain::aggregates::{agreement, assessment};

use super::write::{Ids, created_rpcs, write_service};
use api::medaid::v1::assessment_service_server::AssessmentService;
use domain::StreamCommand;
use domain::aggregates::agreement::{AgreementCommand, AgreementKind, Target};
use domain::aggregates::assessment::{
    AssessmentCommand, AssessmentResult, AssessmentSubject, IndicatorResult,
};
use domain::values::{
    AgreementId, AssessmentId, BatchId, DeploymentId, IndicatorCode, ValidationError, ValueProblem,
};

use crate::convert::fields::at_most_entries;
use crate::convert::fields::count;
use crate::convert::fields::{
    credit_code, date, optional_date, required, required_enum, text, uuid,
};
use crate::convert::fields::{credit_codes, pairing_id};

fn indicator(field: &str, value: &str) -> Result<IndicatorCode, ValidationError> {
    IndicatorCode::parse(value).map_err(|problem| problem.at(field))
}

/// `SignAgreement`: the server assigns the agreement id; the domain binds the pairing's
/// recipient and indicator set.
pub fn sign(
    req: &pb::SignAgreementRequest,
    ids: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let id = AgreementId(ids.derive("agreement"));
    let kind: pb::AgreementKind = required_enum("kind", req.kind)?;
    let kind = match kind {
        pb::AgreementKind::Framework | pb::AgreementKind::Unspecified => AgreementKind::Framework,
        pb::AgreementKind::WorkPlan => AgreementKind::WorkPlan,
        pb::AgreementKind::AidAgreement => AgreementKind::AidAgreement,
        pb::AgreementKind::TargetResponsibility => AgreementKind::TargetResponsibility,
    };
    at_most_entries("targets", &req.targets, 200)?;
    let targets = req
        .targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let at = format!("targets[{i}]");
            Ok(Target {
                indicator: indicator(&format!("{at}.indicator"), &t.indicator)?,
                target: count(
                    &format!("{at}.target"),
                    required(&format!("{at}.target"), t.target.as_ref())?,
                )?,
                due: date(&format!("{at}.due"), &t.due)?,
            })
        })
        .collect::<Result<Vec<_>, ValidationError>>()?;
    let event = agreement::SignAgreement {
        agreement_id: id,
        pairing_id: pairing_id("pairing_id", &req.pairing_id)?,
        kind,
        title: text("title", &req.title)?,
        parties: credit_codes("parties", &req.parties)?,
        start: date("start", &req.start)?,
        end: optional_date("end", &req.end)?,
        targets,
    };
    Ok(AggregateCommand::Agreement {
        id,
        command: StreamCommand::Act(AgreementCommand::Sign(event)),
    })
}

fn subject(value: &pb::AssessmentSubject) -> Result<AssessmentSubject, ValidationError> {
    match &value.subject {
        Some(pb::assessment_subject::Subject::Member(id)) => Ok(AssessmentSubject::Member(
            DeploymentId(uuid("subject.member", id)?),
        )),
        Some(pb::assessment_subject::Subject::Batch(batch)) => {
            if batch.batch_number == 0 {
                return Err(ValueProblem::NotPositive.at("subject.batch.batch_number"));
            }
            Ok(AssessmentSubject::Batch(BatchId {
                pairing: pairing_id("subject.batch.pairing_id", &batch.pairing_id)?,
                number: batch.batch_number,
            }))
        }
        Some(pb::assessment_subject::Subject::Pairing(id)) => Ok(AssessmentSubject::Pairing(
            pairing_id("subject.pairing", id)?,
        )),
        None => Err(ValueProblem::Empty.at("subject")),
    }
}

/// `RecordAssessment`: the server assigns the assessment id.
pub fn record(
    req: &pb::RecordAssessmentRequest,
    ids: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let id = AssessmentId(ids.derive("assessment"));
    let result: pb::AssessmentResult = required_enum("result", req.result)?;
    let result = match result {
        pb::AssessmentResult::Excellent => AssessmentResult::Excellent,
        pb::AssessmentResult::Pass | pb::AssessmentResult::Unspecified => AssessmentResult::Pass,
        pb::AssessmentResult::Fail => AssessmentResult::Fail,
    };
    at_most_entries("indicator_results", &req.indicator_results, 200)?;
    let indicator_results = req
        .indicator_results
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let at = format!("indicator_results[{i}]");
            Ok(IndicatorResult {
                indicator: indicator(&format!("{at}.indicator"), &r.indicator)?,
                value: count(
                    &format!("{at}.value"),
                    required(&format!("{at}.value"), r.value.as_ref())?,
                )?,
            })
        })
        .collect::<Result<Vec<_>, ValidationError>>()?;
    let event = assessment::ConductAssessment {
        assessment_id: id,
        agreement_id: AgreementId(uuid("agreement_id", &req.agreement_id)?),
        subject: subject(required("subject", req.subject.as_ref())?)?,
        period_start: date("period_start", &req.period_start)?,
        period_end: date("period_end", &req.period_end)?,
        indicator_results,
        score: req.score,
        result,
        assessor: credit_code("assessor", &req.assessor)?,
    };
    Ok(AggregateCommand::Assessment {
        id,
        command: StreamCommand::Act(AssessmentCommand::Conduct(event)),
    })
}

created_rpcs! {
    SignAgreement(pb::SignAgreementRequest => SignAgreementResponse.agreement_id) = sign;
    RecordAssessment(pb::RecordAssessmentRequest => RecordAssessmentResponse.assessment_id) = record;
}

write_service! {
    /// Agreements and their assessments.
    AssessmentService for Assessments {
        sign_agreement => SignAgreement,
        record_assessment => RecordAssessment,
    }
}
