//! `medaid.v1.CorrectionService`.

use api::medaid::v1 as pb;
use api::medaid::v1::correction_service_server::CorrectionService;
use tonic::{Request, Response, Status};

use super::{Writer, write_rpc};
use crate::convert::correction;

/// Retractions of recorded facts.
#[derive(Clone)]
pub struct Corrections {
    writer: Writer,
}

impl Corrections {
    pub fn new(app: app::App) -> Corrections {
        Corrections {
            writer: Writer::new(app),
        }
    }
}

#[tonic::async_trait]
impl CorrectionService for Corrections {
    async fn retract_event(
        &self,
        request: Request<pb::RetractEventRequest>,
    ) -> Result<Response<pb::RetractEventResponse>, Status> {
        let result = write_rpc!(self.writer, request, correction::retract)?.result;
        Ok(Response::new(pb::RetractEventResponse { result }))
    }
}
