//! `medaid.v1.AssessmentService`.

use api::medaid::v1 as pb;
use api::medaid::v1::assessment_service_server::AssessmentService;
use tonic::{Request, Response, Status};

use super::{Writer, write_rpc};
use crate::convert::assessment;

/// Agreements with their targets, and assessments against them.
#[derive(Clone)]
pub struct Assessments {
    writer: Writer,
}

impl Assessments {
    pub fn new(app: app::App) -> Assessments {
        Assessments {
            writer: Writer::new(app),
        }
    }
}

#[tonic::async_trait]
impl AssessmentService for Assessments {
    async fn sign_agreement(
        &self,
        request: Request<pb::SignAgreementRequest>,
    ) -> Result<Response<pb::SignAgreementResponse>, Status> {
        let written = write_rpc!(self.writer, request, assessment::sign)?;
        Ok(Response::new(pb::SignAgreementResponse {
            result: written.result,
            agreement_id: written.created_id,
        }))
    }

    async fn record_assessment(
        &self,
        request: Request<pb::RecordAssessmentRequest>,
    ) -> Result<Response<pb::RecordAssessmentResponse>, Status> {
        let written = write_rpc!(self.writer, request, assessment::record)?;
        Ok(Response::new(pb::RecordAssessmentResponse {
            result: written.result,
            assessment_id: written.created_id,
        }))
    }
}
