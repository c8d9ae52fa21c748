//! `medaid.v1.TargetsService` (`targets_service.proto`): agreement targets against what the log
//! shows.

use api::medaid::v1 as pb;
use api::medaid::v1::targets_service_server::TargetsService;
use read_models::targets::{self, AgreementReport, Assessed, AssessmentRow, TargetRow};
use read_models::{Answer, PageRequest};
use tonic::Status;

use super::enums::ProtoEnum;
use super::read::answer::{count, day, number, optional_day};
use super::read::{GetRpc, ListRpc, read_service};

read_service!(TargetsService {
    get_agreement_report: get GetAgreementReport(GetAgreementReportRequest) -> GetAgreementReportResponse;
    list_agreement_reports: list ListAgreementReports(ListAgreementReportsRequest) -> ListAgreementReportsResponse;
});

impl GetRpc for GetAgreementReport {
    type Query = targets::Agreement;

    fn query(req: &pb::GetAgreementReportRequest) -> Result<Self::Query, Status> {
        Ok(targets::Agreement {
            agreement_id: req.agreement_id.clone(),
        })
    }

    fn respond(answer: Answer<AgreementReport>) -> pb::GetAgreementReportResponse {
        pb::GetAgreementReportResponse {
            report: Some(report(&answer.value)),
            position: answer.position,
        }
    }
}

impl ListRpc for ListAgreementReports {
    type Item = AgreementReport;
    type Query = targets::AgreementReports;

    fn token_key(req: &pb::ListAgreementReportsRequest) -> Vec<&str> {
        vec![&req.recipient_org]
    }

    fn query(
        req: &pb::ListAgreementReportsRequest,
        page: PageRequest,
    ) -> Result<Self::Query, Status> {
        Ok(targets::AgreementReports {
            recipient_org: req.recipient_org.clone(),
            page,
        })
    }

    fn respond(
        reports: Vec<AgreementReport>,
        next_page_token: String,
        position: u64,
    ) -> pb::ListAgreementReportsResponse {
        pb::ListAgreementReportsResponse {
            reports: reports.iter().map(report).collect(),
            next_page_token,
            position,
        }
    }
}

fn target(t: &TargetRow) -> pb::TargetProgress {
    pb::TargetProgress {
        indicator: t.indicator.clone(),
        target: Some(count(t.target)),
        due: day(t.due),
        actual: t.actual.map(count),
        met: t.met,
    }
}

/// Who or what an assessment assessed.
fn subject(assessed: &Assessed) -> pb::AssessmentSubject {
    use pb::assessment_subject::Subject;
    let subject = match assessed {
        Assessed::Member(id) => Subject::Member(id.clone()),
        Assessed::Pairing(id) => Subject::Pairing(id.clone()),
        Assessed::Batch {
            pairing_id,
            batch_number,
        } => Subject::Batch(pb::BatchRef {
            pairing_id: pairing_id.clone(),
            batch_number: *batch_number,
        }),
    };
    pb::AssessmentSubject {
        subject: Some(subject),
    }
}

fn assessment(a: &AssessmentRow) -> pb::AssessmentSummary {
    pb::AssessmentSummary {
        assessment_id: a.assessment_id.clone(),
        subject: Some(subject(&a.subject)),
        period_start: day(a.period_start),
        period_end: day(a.period_end),
        score: a.score,
        result: a.result.to_wire(),
    }
}

/// One agreement's report.
fn report(r: &AgreementReport) -> pb::AgreementReport {
    pb::AgreementReport {
        agreement_id: r.agreement_id.clone(),
        pairing_id: r.pairing_id.clone(),
        recipient_org: r.recipient_org.clone(),
        recipient_org_name: r.recipient_org_name.clone(),
        kind: r.kind.to_wire(),
        title: r.title.clone(),
        start: day(r.start),
        end: optional_day(r.end),
        targets: r.targets.iter().map(target).collect(),
        assessments: r.assessments.iter().map(assessment).collect(),
        term_compliance: Some(pb::TermCompliance {
            terms: number(r.term_compliance.terms),
            below_minimum: number(r.term_compliance.below_minimum),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_subjects_name_the_pairing_and_the_number() {
        use pb::assessment_subject::Subject;
        let pairing = "0192f1c4-7a2b-7c3d-8e4f-5a6b7c8d9e0f";
        let batch = Assessed::Batch {
            pairing_id: pairing.to_owned(),
            batch_number: 3,
        };
        assert_eq!(
            subject(&batch).subject,
            Some(Subject::Batch(pb::BatchRef {
                pairing_id: pairing.to_owned(),
                batch_number: 3,
            }))
        );
    }
}
