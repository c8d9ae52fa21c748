//! `medaid.v1.OnSiteRosterService`: who is on site at a hospital on a day, batch and group staffing,
//! and terms below the minimum.

use api::medaid::v1 as pb;
use api::medaid::v1::on_site_roster_service_server::OnSiteRosterService;
use tonic::{Request, Response, Status};

use super::reads::{Reader, next_page_token};
use crate::convert::reads::day_or_today;
use crate::convert::reads::roster::{
    batch_on_site, group_staffing, on_site_member, roster_filter, short_term,
};
use crate::page_token::parameters_hash;
use crate::status::{from_app_error, invalid_field};

/// The on-site roster read model.
#[derive(Clone)]
pub struct OnSiteRoster {
    reader: Reader,
}

impl OnSiteRoster {
    pub fn new(reader: Reader) -> OnSiteRoster {
        OnSiteRoster { reader }
    }
}

#[tonic::async_trait]
impl OnSiteRosterService for OnSiteRoster {
    async fn list_on_site_members(
        &self,
        request: Request<pb::ListOnSiteMembersRequest>,
    ) -> Result<Response<pb::ListOnSiteMembersResponse>, Status> {
        let (caller, fresh) = self
            .reader
            .begin(&request, request.get_ref().min_position)?;
        let req = request.get_ref();
        let date = day_or_today("date", &req.date).map_err(|e| invalid_field(&e))?;
        let filter = roster_filter(&req.filter).map_err(from_app_error)?;
        // The token is bound to the date as sent: a list of "today" continues on the day it is read.
        let params = parameters_hash(&["ListOnSiteMembers", &req.hospital, &req.date, &req.filter]);
        let page = self.reader.page(req.page_size, &req.page_token, params)?;
        let found = self
            .reader
            .app
            .roster_on_site(&caller, fresh, &req.hospital, date, &filter, &page)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(pb::ListOnSiteMembersResponse {
            members: found.items.iter().map(on_site_member).collect(),
            next_page_token: next_page_token(found.next_cursor, params),
            position: found.position,
        }))
    }

    async fn get_site_staffing(
        &self,
        request: Request<pb::GetSiteStaffingRequest>,
    ) -> Result<Response<pb::GetSiteStaffingResponse>, Status> {
        let (caller, fresh) = self
            .reader
            .begin(&request, request.get_ref().min_position)?;
        let req = request.get_ref();
        let date = day_or_today("date", &req.date).map_err(|e| invalid_field(&e))?;
        let app = &self.reader.app;
        let batches = app
            .roster_batches_on_site(&caller, fresh, &req.hospital, date)
            .await
            .map_err(from_app_error)?;
        let groups = app
            .roster_group_staffing(&caller, fresh, &req.hospital, date)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(pb::GetSiteStaffingResponse {
            batches: batches.value.iter().map(batch_on_site).collect(),
            groups: groups.value.iter().map(group_staffing).collect(),
            // The two halves are read one after the other, so the lower position is the one the
            // whole answer is guaranteed to reflect.
            position: batches.position.min(groups.position),
        }))
    }

    async fn list_short_terms(
        &self,
        request: Request<pb::ListShortTermsRequest>,
    ) -> Result<Response<pb::ListShortTermsResponse>, Status> {
        let (caller, fresh) = self
            .reader
            .begin(&request, request.get_ref().min_position)?;
        let req = request.get_ref();
        let params = parameters_hash(&["ListShortTerms", &req.hospital]);
        let page = self.reader.page(req.page_size, &req.page_token, params)?;
        let found = self
            .reader
            .app
            .roster_below_minimum_term(&caller, fresh, &req.hospital, &page)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(pb::ListShortTermsResponse {
            short_terms: found.items.iter().map(short_term).collect(),
            next_page_token: next_page_token(found.next_cursor, params),
            position: found.position,
        }))
    }
}
