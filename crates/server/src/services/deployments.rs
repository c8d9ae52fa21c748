//! `medaid.v1.DeploymentService`.

use api::medaid::v1 as pb;
use api::medaid::v1::deployment_service_server::DeploymentService;
use tonic::{Request, Response, Status};

use super::{Writer, write_rpc};
use crate::convert::deployment;
use crate::convert::fields::derived_uuid;

/// Batches, their members and each member's on-site term.
#[derive(Clone)]
pub struct Deployments {
    writer: Writer,
}

impl Deployments {
    pub fn new(app: app::App) -> Deployments {
        Deployments {
            writer: Writer::new(app),
        }
    }
}

#[tonic::async_trait]
impl DeploymentService for Deployments {
    async fn dispatch_batch(
        &self,
        request: Request<pb::DispatchBatchRequest>,
    ) -> Result<Response<pb::DispatchBatchResponse>, Status> {
        let result = write_rpc!(self.writer, request, deployment::dispatch)?.result;
        Ok(Response::new(pb::DispatchBatchResponse { result }))
    }

    async fn assign_member(
        &self,
        request: Request<pb::AssignMemberRequest>,
    ) -> Result<Response<pb::AssignMemberResponse>, Status> {
        let written = write_rpc!(self.writer, request, deployment::assign)?;
        // The deployment id is in the payload, not the stream id (the batch stream is written).
        let deployment_id = derived_uuid("deployment", &request.get_ref().request_id).to_string();
        Ok(Response::new(pb::AssignMemberResponse {
            result: written.result,
            deployment_id,
            warnings: Vec::new(),
        }))
    }

    async fn record_member_arrival(
        &self,
        request: Request<pb::RecordMemberArrivalRequest>,
    ) -> Result<Response<pb::RecordMemberArrivalResponse>, Status> {
        let result = write_rpc!(self.writer, request, deployment::arrive)?.result;
        Ok(Response::new(pb::RecordMemberArrivalResponse { result }))
    }

    async fn appoint_member_to_post(
        &self,
        request: Request<pb::AppointMemberToPostRequest>,
    ) -> Result<Response<pb::AppointMemberToPostResponse>, Status> {
        let result = write_rpc!(self.writer, request, deployment::appoint)?.result;
        Ok(Response::new(pb::AppointMemberToPostResponse { result }))
    }

    async fn change_member_term(
        &self,
        request: Request<pb::ChangeMemberTermRequest>,
    ) -> Result<Response<pb::ChangeMemberTermResponse>, Status> {
        let result = write_rpc!(self.writer, request, deployment::change_term)?.result;
        Ok(Response::new(pb::ChangeMemberTermResponse { result }))
    }

    async fn record_member_departure(
        &self,
        request: Request<pb::RecordMemberDepartureRequest>,
    ) -> Result<Response<pb::RecordMemberDepartureResponse>, Status> {
        let result = write_rpc!(self.writer, request, deployment::depart)?.result;
        Ok(Response::new(pb::RecordMemberDepartureResponse {
            result,
            on_site_days: 0,
        }))
    }
}
