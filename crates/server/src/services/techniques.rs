//! `medaid.v1.TechniqueService`.

use api::medaid::v1 as pb;
use api::medaid::v1::technique_service_server::TechniqueService;
use tonic::{Request, Response, Status};

use super::{Writer, write_rpc};
use crate::convert::technique;

/// Techniques introduced, gaps filled and service lines opened.
#[derive(Clone)]
pub struct Techniques {
    writer: Writer,
}

impl Techniques {
    pub fn new(app: app::App) -> Techniques {
        Techniques {
            writer: Writer::new(app),
        }
    }
}

#[tonic::async_trait]
impl TechniqueService for Techniques {
    async fn introduce_technique(
        &self,
        request: Request<pb::IntroduceTechniqueRequest>,
    ) -> Result<Response<pb::IntroduceTechniqueResponse>, Status> {
        let result = write_rpc!(self.writer, request, technique::introduce)?.result;
        Ok(Response::new(pb::IntroduceTechniqueResponse { result }))
    }

    async fn record_gap_fill(
        &self,
        request: Request<pb::RecordGapFillRequest>,
    ) -> Result<Response<pb::RecordGapFillResponse>, Status> {
        let result = write_rpc!(self.writer, request, technique::fill_gap)?.result;
        Ok(Response::new(pb::RecordGapFillResponse { result }))
    }

    async fn open_service_line(
        &self,
        request: Request<pb::OpenServiceLineRequest>,
    ) -> Result<Response<pb::OpenServiceLineResponse>, Status> {
        let result = write_rpc!(self.writer, request, technique::open_service_line)?.result;
        Ok(Response::new(pb::OpenServiceLineResponse { result }))
    }
}
