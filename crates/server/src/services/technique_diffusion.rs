//! `medaid.v1.TechniqueDiffusionService`: techniques by hospital and hospitals by technique, and the
//! gap registry.

use api::medaid::v1 as pb;
use api::medaid::v1::list_technique_hospitals_request::Subject;
use api::medaid::v1::technique_diffusion_service_server::TechniqueDiffusionService;
use tonic::{Request, Response, Status};

use super::reads::{Reader, next_page_token};
use crate::convert::fields;
use crate::convert::reads::day_or_today;
use crate::convert::reads::technique::{gap_count, gap_fill, gap_filter, technique_at_hospital};
use crate::page_token::parameters_hash;
use crate::status::{from_app_error, invalid_field};

/// The technique diffusion and gap registry read model.
#[derive(Clone)]
pub struct TechniqueDiffusion {
    reader: Reader,
}

impl TechniqueDiffusion {
    pub fn new(reader: Reader) -> TechniqueDiffusion {
        TechniqueDiffusion { reader }
    }
}

#[tonic::async_trait]
impl TechniqueDiffusionService for TechniqueDiffusion {
    async fn list_technique_hospitals(
        &self,
        request: Request<pb::ListTechniqueHospitalsRequest>,
    ) -> Result<Response<pb::ListTechniqueHospitalsResponse>, Status> {
        let (caller, fresh) = self
            .reader
            .begin(&request, request.get_ref().min_position)?;
        let req = request.get_ref();
        let subject =
            fields::required("technique", req.subject.as_ref()).map_err(|e| invalid_field(&e))?;
        let date = day_or_today("date", &req.date).map_err(|e| invalid_field(&e))?;
        // The subject's kind is part of the parameters, so a token of one kind of list is refused
        // by the other even for the same text.
        let (kind, value) = match subject {
            Subject::Technique(technique) => ("technique", technique),
            Subject::Hospital(hospital) => ("hospital", hospital),
        };
        let params = parameters_hash(&["ListTechniqueHospitals", kind, value, &req.date]);
        let page = self.reader.page(req.page_size, &req.page_token, params)?;
        let app = &self.reader.app;
        let found = match subject {
            Subject::Technique(technique) => {
                app.technique_hospitals(&caller, fresh, technique, date, &page)
                    .await
            }
            Subject::Hospital(hospital) => {
                app.technique_at_hospital(&caller, fresh, hospital, date, &page)
                    .await
            }
        }
        .map_err(from_app_error)?;
        Ok(Response::new(pb::ListTechniqueHospitalsResponse {
            entries: found.items.iter().map(technique_at_hospital).collect(),
            next_page_token: next_page_token(found.next_cursor, params),
            position: found.position,
        }))
    }

    async fn list_gap_fills(
        &self,
        request: Request<pb::ListGapFillsRequest>,
    ) -> Result<Response<pb::ListGapFillsResponse>, Status> {
        let (caller, fresh) = self
            .reader
            .begin(&request, request.get_ref().min_position)?;
        let req = request.get_ref();
        let filter = gap_filter(&req.filter).map_err(from_app_error)?;
        let params = parameters_hash(&["ListGapFills", &req.filter]);
        let page = self.reader.page(req.page_size, &req.page_token, params)?;
        let found = self
            .reader
            .app
            .technique_gaps(
                &caller,
                fresh,
                filter.level,
                filter.region.as_deref(),
                &page,
            )
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(pb::ListGapFillsResponse {
            gap_fills: found.items.iter().map(gap_fill).collect(),
            next_page_token: next_page_token(found.next_cursor, params),
            position: found.position,
        }))
    }

    async fn get_gap_counts(
        &self,
        request: Request<pb::GetGapCountsRequest>,
    ) -> Result<Response<pb::GetGapCountsResponse>, Status> {
        let (caller, fresh) = self
            .reader
            .begin(&request, request.get_ref().min_position)?;
        let answer = self
            .reader
            .app
            .technique_gap_counts(&caller, fresh)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(pb::GetGapCountsResponse {
            counts: answer.value.iter().map(gap_count).collect(),
            position: answer.position,
        }))
    }
}
