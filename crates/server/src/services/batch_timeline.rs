//! `medaid.v1.BatchTimelineService`: the batches of a pairing, their overlaps and handovers.

use api::medaid::v1 as pb;
use api::medaid::v1::batch_timeline_service_server::BatchTimelineService;
use tonic::{Request, Response, Status};

use super::reads::{Reader, next_page_token};
use crate::convert::reads::timeline::{batch, handover, overlap};
use crate::page_token::parameters_hash;
use crate::status::from_app_error;

/// The batch timeline read model.
#[derive(Clone)]
pub struct BatchTimeline {
    reader: Reader,
}

impl BatchTimeline {
    pub fn new(reader: Reader) -> BatchTimeline {
        BatchTimeline { reader }
    }
}

#[tonic::async_trait]
impl BatchTimelineService for BatchTimeline {
    async fn list_batches(
        &self,
        request: Request<pb::ListBatchesRequest>,
    ) -> Result<Response<pb::ListBatchesResponse>, Status> {
        let (caller, fresh) = self
            .reader
            .begin(&request, request.get_ref().min_position)?;
        let req = request.get_ref();
        let params = parameters_hash(&["ListBatches", &req.pairing_id]);
        let page = self.reader.page(req.page_size, &req.page_token, params)?;
        let found = self
            .reader
            .app
            .timeline_batches(&caller, fresh, &req.pairing_id, &page)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(pb::ListBatchesResponse {
            batches: found.items.iter().map(batch).collect(),
            next_page_token: next_page_token(found.next_cursor, params),
            position: found.position,
        }))
    }

    async fn get_batch_overlaps(
        &self,
        request: Request<pb::GetBatchOverlapsRequest>,
    ) -> Result<Response<pb::GetBatchOverlapsResponse>, Status> {
        let (caller, fresh) = self
            .reader
            .begin(&request, request.get_ref().min_position)?;
        let pairing_id = &request.get_ref().pairing_id;
        let app = &self.reader.app;
        let overlaps = app
            .timeline_overlaps(&caller, fresh, pairing_id)
            .await
            .map_err(from_app_error)?;
        let handovers = app
            .timeline_handovers(&caller, fresh, pairing_id)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(pb::GetBatchOverlapsResponse {
            overlaps: overlaps.value.iter().map(overlap).collect(),
            handovers: handovers.value.iter().map(handover).collect(),
            // Two reads: the lower position is the one the whole answer reflects.
            position: overlaps.position.min(handovers.position),
        }))
    }
}
