//! `medaid.v1.MentorshipBoardService`: the 师带徒 board of a hospital and a mentorship's milestones.

use api::medaid::v1 as pb;
use api::medaid::v1::mentorship_board_service_server::MentorshipBoardService;
use tonic::{Request, Response, Status};

use super::reads::Reader;
use crate::convert::reads::day_or_today;
use crate::convert::reads::mentorship::{board, milestone};
use crate::status::{from_app_error, invalid_field};

/// The mentorship board read model.
#[derive(Clone)]
pub struct MentorshipBoard {
    reader: Reader,
}

impl MentorshipBoard {
    pub fn new(reader: Reader) -> MentorshipBoard {
        MentorshipBoard { reader }
    }
}

#[tonic::async_trait]
impl MentorshipBoardService for MentorshipBoard {
    async fn get_mentorship_board(
        &self,
        request: Request<pb::GetMentorshipBoardRequest>,
    ) -> Result<Response<pb::GetMentorshipBoardResponse>, Status> {
        let (caller, fresh) = self
            .reader
            .begin(&request, request.get_ref().min_position)?;
        let req = request.get_ref();
        let date = day_or_today("date", &req.date).map_err(|e| invalid_field(&e))?;
        let answer = self
            .reader
            .app
            .mentorship_board(&caller, fresh, &req.hospital, date)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(board(&answer)))
    }

    async fn get_mentorship_milestones(
        &self,
        request: Request<pb::GetMentorshipMilestonesRequest>,
    ) -> Result<Response<pb::GetMentorshipMilestonesResponse>, Status> {
        let (caller, fresh) = self
            .reader
            .begin(&request, request.get_ref().min_position)?;
        let answer = self
            .reader
            .app
            .mentorship_milestones(&caller, fresh, &request.get_ref().mentorship_id)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(pb::GetMentorshipMilestonesResponse {
            milestones: answer.value.iter().map(milestone).collect(),
            position: answer.position,
        }))
    }
}
