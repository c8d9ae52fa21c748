//! `medaid.v1.ProgramService`.

use api::medaid::v1 as pb;
use api::medaid::v1::program_service_server::ProgramService;
use tonic::{Request, Response, Status};

use super::{Writer, write_rpc};
use crate::convert::program;

/// Programs and their versioned parameters.
#[derive(Clone)]
pub struct Programs {
    writer: Writer,
}

impl Programs {
    pub fn new(app: app::App) -> Programs {
        Programs {
            writer: Writer::new(app),
        }
    }
}

#[tonic::async_trait]
impl ProgramService for Programs {
    async fn define_program(
        &self,
        request: Request<pb::DefineProgramRequest>,
    ) -> Result<Response<pb::DefineProgramResponse>, Status> {
        let written = write_rpc!(self.writer, request, program::define)?;
        Ok(Response::new(pb::DefineProgramResponse {
            result: written.result,
            program_id: written.created_id,
        }))
    }

    async fn revise_program_parameters(
        &self,
        request: Request<pb::ReviseProgramParametersRequest>,
    ) -> Result<Response<pb::ReviseProgramParametersResponse>, Status> {
        let result = write_rpc!(self.writer, request, program::revise)?.result;
        Ok(Response::new(pb::ReviseProgramParametersResponse {
            result,
        }))
    }
}
