//! `medaid.v1.HospitalCapabilityService`: a hospital's capability card and the grades due for
//! re-review.

use api::medaid::v1 as pb;
use api::medaid::v1::hospital_capability_service_server::HospitalCapabilityService;
use tonic::{Request, Response, Status};

use super::reads::{Reader, next_page_token};
use crate::convert::reads::capability::{card, expiring_grade};
use crate::convert::reads::day_or_today;
use crate::page_token::parameters_hash;
use crate::status::{from_app_error, invalid_field};

/// The hospital capability read model.
#[derive(Clone)]
pub struct HospitalCapability {
    reader: Reader,
}

impl HospitalCapability {
    pub fn new(reader: Reader) -> HospitalCapability {
        HospitalCapability { reader }
    }
}

#[tonic::async_trait]
impl HospitalCapabilityService for HospitalCapability {
    async fn get_capability_card(
        &self,
        request: Request<pb::GetCapabilityCardRequest>,
    ) -> Result<Response<pb::GetCapabilityCardResponse>, Status> {
        let (caller, fresh) = self
            .reader
            .begin(&request, request.get_ref().min_position)?;
        let req = request.get_ref();
        let date = day_or_today("date", &req.date).map_err(|e| invalid_field(&e))?;
        let answer = self
            .reader
            .app
            .capability_card(&caller, fresh, &req.hospital, date)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(pb::GetCapabilityCardResponse {
            card: Some(card(&answer.value)),
            position: answer.position,
        }))
    }

    async fn list_expiring_grades(
        &self,
        request: Request<pb::ListExpiringGradesRequest>,
    ) -> Result<Response<pb::ListExpiringGradesResponse>, Status> {
        let (caller, fresh) = self
            .reader
            .begin(&request, request.get_ref().min_position)?;
        let req = request.get_ref();
        let by = day_or_today("expires_by", &req.expires_by).map_err(|e| invalid_field(&e))?;
        let params = parameters_hash(&["ListExpiringGrades", &req.expires_by]);
        let page = self.reader.page(req.page_size, &req.page_token, params)?;
        let found = self
            .reader
            .app
            .capability_grades_expiring(&caller, fresh, by, &page)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(pb::ListExpiringGradesResponse {
            grades: found.items.iter().map(expiring_grade).collect(),
            next_page_token: next_page_token(found.next_cursor, params),
            position: found.position,
        }))
    }
}
