//! `medaid.v1.HospitalService`.

use api::medaid::v1 as pb;
use api::medaid::v1::hospital_service_server::HospitalService;
use tonic::{Request, Response, Status};

use super::{Writer, write_rpc};
use crate::convert::hospital;

/// Hospital registrations, grades and certified centres.
#[derive(Clone)]
pub struct Hospitals {
    writer: Writer,
}

impl Hospitals {
    pub fn new(app: app::App) -> Hospitals {
        Hospitals {
            writer: Writer::new(app),
        }
    }
}

#[tonic::async_trait]
impl HospitalService for Hospitals {
    async fn register_hospital(
        &self,
        request: Request<pb::RegisterHospitalRequest>,
    ) -> Result<Response<pb::RegisterHospitalResponse>, Status> {
        let result = write_rpc!(self.writer, request, hospital::register)?.result;
        Ok(Response::new(pb::RegisterHospitalResponse { result }))
    }

    async fn record_hospital_grade(
        &self,
        request: Request<pb::RecordHospitalGradeRequest>,
    ) -> Result<Response<pb::RecordHospitalGradeResponse>, Status> {
        let result = write_rpc!(self.writer, request, hospital::record_grade)?.result;
        Ok(Response::new(pb::RecordHospitalGradeResponse { result }))
    }

    async fn record_center_certification(
        &self,
        request: Request<pb::RecordCenterCertificationRequest>,
    ) -> Result<Response<pb::RecordCenterCertificationResponse>, Status> {
        let result = write_rpc!(self.writer, request, hospital::certify_center)?.result;
        Ok(Response::new(pb::RecordCenterCertificationResponse {
            result,
        }))
    }
}
