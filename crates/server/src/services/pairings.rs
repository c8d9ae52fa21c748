//! `medaid.v1.PairingService`.

use api::medaid::v1 as pb;
use api::medaid::v1::pairing_service_server::PairingService;
use tonic::{Request, Response, Status};

use super::{Writer, write_rpc};
use crate::convert::pairing;

/// Pairings between supporting organisations and a recipient hospital.
#[derive(Clone)]
pub struct Pairings {
    writer: Writer,
}

impl Pairings {
    pub fn new(app: app::App) -> Pairings {
        Pairings {
            writer: Writer::new(app),
        }
    }
}

#[tonic::async_trait]
impl PairingService for Pairings {
    async fn establish_pairing(
        &self,
        request: Request<pb::EstablishPairingRequest>,
    ) -> Result<Response<pb::EstablishPairingResponse>, Status> {
        let written = write_rpc!(self.writer, request, pairing::establish)?;
        Ok(Response::new(pb::EstablishPairingResponse {
            result: written.result,
            pairing_id: written.created_id,
        }))
    }

    async fn restructure_pairing(
        &self,
        request: Request<pb::RestructurePairingRequest>,
    ) -> Result<Response<pb::RestructurePairingResponse>, Status> {
        let result = write_rpc!(self.writer, request, pairing::restructure)?.result;
        Ok(Response::new(pb::RestructurePairingResponse { result }))
    }

    async fn end_pairing(
        &self,
        request: Request<pb::EndPairingRequest>,
    ) -> Result<Response<pb::EndPairingResponse>, Status> {
        let result = write_rpc!(self.writer, request, pairing::end)?.result;
        Ok(Response::new(pb::EndPairingResponse { result }))
    }

    async fn form_group(
        &self,
        request: Request<pb::FormGroupRequest>,
    ) -> Result<Response<pb::FormGroupResponse>, Status> {
        let result = write_rpc!(self.writer, request, pairing::form_group)?.result;
        Ok(Response::new(pb::FormGroupResponse { result }))
    }
}
