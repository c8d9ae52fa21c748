//! `medaid.v1.PairingScoreboardService`: a pairing's cumulative figures and its children's.

use api::medaid::v1 as pb;
use api::medaid::v1::pairing_scoreboard_service_server::PairingScoreboardService;
use tonic::{Request, Response, Status};

use super::reads::{Reader, next_page_token};
use crate::convert::reads::scoreboard::scoreboard;
use crate::page_token::parameters_hash;
use crate::status::from_app_error;

/// The pairing scoreboard read model.
#[derive(Clone)]
pub struct PairingScoreboard {
    reader: Reader,
}

impl PairingScoreboard {
    pub fn new(reader: Reader) -> PairingScoreboard {
        PairingScoreboard { reader }
    }
}

#[tonic::async_trait]
impl PairingScoreboardService for PairingScoreboard {
    async fn get_pairing_scoreboard(
        &self,
        request: Request<pb::GetPairingScoreboardRequest>,
    ) -> Result<Response<pb::GetPairingScoreboardResponse>, Status> {
        let (caller, fresh) = self
            .reader
            .begin(&request, request.get_ref().min_position)?;
        let answer = self
            .reader
            .app
            .scoreboard(&caller, fresh, &request.get_ref().pairing_id)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(pb::GetPairingScoreboardResponse {
            scoreboard: Some(scoreboard(&answer.value)),
            position: answer.position,
        }))
    }

    async fn list_child_scoreboards(
        &self,
        request: Request<pb::ListChildScoreboardsRequest>,
    ) -> Result<Response<pb::ListChildScoreboardsResponse>, Status> {
        let (caller, fresh) = self
            .reader
            .begin(&request, request.get_ref().min_position)?;
        let req = request.get_ref();
        let params = parameters_hash(&["ListChildScoreboards", &req.pairing_id]);
        let page = self.reader.page(req.page_size, &req.page_token, params)?;
        let found = self
            .reader
            .app
            .scoreboard_children(&caller, fresh, &req.pairing_id, &page)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(pb::ListChildScoreboardsResponse {
            scoreboards: found.items.iter().map(scoreboard).collect(),
            next_page_token: next_page_token(found.next_cursor, params),
            position: found.position,
        }))
    }
}
