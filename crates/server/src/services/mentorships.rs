//! `medaid.v1.MentorshipService`.

use api::medaid::v1 as pb;
use api::medaid::v1::mentorship_service_server::MentorshipService;
use tonic::{Request, Response, Status};

use super::{Writer, write_rpc};
use crate::convert::mentorship;

/// Mentor-apprentice pairs (师带徒) and their milestones.
#[derive(Clone)]
pub struct Mentorships {
    writer: Writer,
}

impl Mentorships {
    pub fn new(app: app::App) -> Mentorships {
        Mentorships {
            writer: Writer::new(app),
        }
    }
}

#[tonic::async_trait]
impl MentorshipService for Mentorships {
    async fn pair_mentorship(
        &self,
        request: Request<pb::PairMentorshipRequest>,
    ) -> Result<Response<pb::PairMentorshipResponse>, Status> {
        let written = write_rpc!(self.writer, request, mentorship::pair)?;
        Ok(Response::new(pb::PairMentorshipResponse {
            result: written.result,
            mentorship_id: written.created_id,
        }))
    }

    async fn hand_over_mentorship(
        &self,
        request: Request<pb::HandOverMentorshipRequest>,
    ) -> Result<Response<pb::HandOverMentorshipResponse>, Status> {
        let result = write_rpc!(self.writer, request, mentorship::hand_over)?.result;
        Ok(Response::new(pb::HandOverMentorshipResponse { result }))
    }

    async fn record_apprentice_milestone(
        &self,
        request: Request<pb::RecordApprenticeMilestoneRequest>,
    ) -> Result<Response<pb::RecordApprenticeMilestoneResponse>, Status> {
        let result = write_rpc!(self.writer, request, mentorship::milestone)?.result;
        Ok(Response::new(pb::RecordApprenticeMilestoneResponse {
            result,
        }))
    }

    async fn declare_apprentice_independent(
        &self,
        request: Request<pb::DeclareApprenticeIndependentRequest>,
    ) -> Result<Response<pb::DeclareApprenticeIndependentResponse>, Status> {
        let result = write_rpc!(self.writer, request, mentorship::declare_independent)?.result;
        Ok(Response::new(pb::DeclareApprenticeIndependentResponse {
            result,
        }))
    }
}
