//! `medaid.v1.TargetsService`: agreement targets against what the log shows.

use api::medaid::v1 as pb;
use api::medaid::v1::targets_service_server::TargetsService;
use tonic::{Request, Response, Status};

use super::reads::{Reader, next_page_token};
use crate::convert::reads::targets::report;
use crate::page_token::parameters_hash;
use crate::status::from_app_error;

/// The targets-against-actuals read model.
#[derive(Clone)]
pub struct Targets {
    reader: Reader,
}

impl Targets {
    pub fn new(reader: Reader) -> Targets {
        Targets { reader }
    }
}

#[tonic::async_trait]
impl TargetsService for Targets {
    async fn get_agreement_report(
        &self,
        request: Request<pb::GetAgreementReportRequest>,
    ) -> Result<Response<pb::GetAgreementReportResponse>, Status> {
        let (caller, fresh) = self
            .reader
            .begin(&request, request.get_ref().min_position)?;
        let answer = self
            .reader
            .app
            .targets_agreement(&caller, fresh, &request.get_ref().agreement_id)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(pb::GetAgreementReportResponse {
            report: Some(report(&answer.value)),
            position: answer.position,
        }))
    }

    async fn list_agreement_reports(
        &self,
        request: Request<pb::ListAgreementReportsRequest>,
    ) -> Result<Response<pb::ListAgreementReportsResponse>, Status> {
        let (caller, fresh) = self
            .reader
            .begin(&request, request.get_ref().min_position)?;
        let req = request.get_ref();
        let params = parameters_hash(&["ListAgreementReports", &req.recipient_org]);
        let page = self.reader.page(req.page_size, &req.page_token, params)?;
        let found = self
            .reader
            .app
            .targets_agreements_of(&caller, fresh, &req.recipient_org, &page)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(pb::ListAgreementReportsResponse {
            reports: found.items.iter().map(report).collect(),
            next_page_token: next_page_token(found.next_cursor, params),
            position: found.position,
        }))
    }
}
