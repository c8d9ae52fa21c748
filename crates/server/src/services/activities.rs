//! `medaid.v1.ActivityService`.

use api::medaid::v1 as pb;
use api::medaid::v1::activity_service_server::ActivityService;
use tonic::{Request, Response, Status};

use super::{Writer, write_rpc};
use crate::convert::activity;

/// Training, clinical activity reports, funding and short visits.
#[derive(Clone)]
pub struct Activities {
    writer: Writer,
}

impl Activities {
    pub fn new(app: app::App) -> Activities {
        Activities {
            writer: Writer::new(app),
        }
    }
}

#[tonic::async_trait]
impl ActivityService for Activities {
    async fn record_training(
        &self,
        request: Request<pb::RecordTrainingRequest>,
    ) -> Result<Response<pb::RecordTrainingResponse>, Status> {
        let result = write_rpc!(self.writer, request, activity::training)?.result;
        Ok(Response::new(pb::RecordTrainingResponse { result }))
    }

    async fn report_clinical_activity(
        &self,
        request: Request<pb::ReportClinicalActivityRequest>,
    ) -> Result<Response<pb::ReportClinicalActivityResponse>, Status> {
        let result = write_rpc!(self.writer, request, activity::clinical)?.result;
        Ok(Response::new(pb::ReportClinicalActivityResponse { result }))
    }

    async fn commit_funding(
        &self,
        request: Request<pb::CommitFundingRequest>,
    ) -> Result<Response<pb::CommitFundingResponse>, Status> {
        let result = write_rpc!(self.writer, request, activity::funding)?.result;
        Ok(Response::new(pb::CommitFundingResponse { result }))
    }

    async fn record_short_visit(
        &self,
        request: Request<pb::RecordShortVisitRequest>,
    ) -> Result<Response<pb::RecordShortVisitResponse>, Status> {
        let result = write_rpc!(self.writer, request, activity::short_visit)?.result;
        Ok(Response::new(pb::RecordShortVisitResponse { result }))
    }
}
