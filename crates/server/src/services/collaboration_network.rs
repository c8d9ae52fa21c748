//! `medaid.v1.CollaborationNetworkService`: alliances, platforms, advanced-study flows and the links
//! of one organisation.

use api::medaid::v1 as pb;
use api::medaid::v1::collaboration_network_service_server::CollaborationNetworkService;
use tonic::{Request, Response, Status};

use super::reads::{Reader, next_page_token};
use crate::convert::reads::network::{alliance, link, platform, platform_filter, study_flow};
use crate::page_token::parameters_hash;
use crate::status::from_app_error;

/// The collaboration network read model.
#[derive(Clone)]
pub struct CollaborationNetwork {
    reader: Reader,
}

impl CollaborationNetwork {
    pub fn new(reader: Reader) -> CollaborationNetwork {
        CollaborationNetwork { reader }
    }
}

#[tonic::async_trait]
impl CollaborationNetworkService for CollaborationNetwork {
    async fn list_alliances(
        &self,
        request: Request<pb::ListAlliancesRequest>,
    ) -> Result<Response<pb::ListAlliancesResponse>, Status> {
        let (caller, fresh) = self
            .reader
            .begin(&request, request.get_ref().min_position)?;
        let req = request.get_ref();
        let params = parameters_hash(&["ListAlliances"]);
        let page = self.reader.page(req.page_size, &req.page_token, params)?;
        let found = self
            .reader
            .app
            .network_alliances(&caller, fresh, &page)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(pb::ListAlliancesResponse {
            alliances: found.items.iter().map(alliance).collect(),
            next_page_token: next_page_token(found.next_cursor, params),
            position: found.position,
        }))
    }

    async fn list_platforms(
        &self,
        request: Request<pb::ListPlatformsRequest>,
    ) -> Result<Response<pb::ListPlatformsResponse>, Status> {
        let (caller, fresh) = self
            .reader
            .begin(&request, request.get_ref().min_position)?;
        let req = request.get_ref();
        let filter = platform_filter(&req.filter).map_err(from_app_error)?;
        let params = parameters_hash(&["ListPlatforms", &req.filter]);
        let page = self.reader.page(req.page_size, &req.page_token, params)?;
        let found = self
            .reader
            .app
            .network_platforms(
                &caller,
                fresh,
                filter.host_org.as_deref(),
                filter.kind,
                &page,
            )
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(pb::ListPlatformsResponse {
            platforms: found.items.iter().map(platform).collect(),
            next_page_token: next_page_token(found.next_cursor, params),
            position: found.position,
        }))
    }

    async fn get_study_flows(
        &self,
        request: Request<pb::GetStudyFlowsRequest>,
    ) -> Result<Response<pb::GetStudyFlowsResponse>, Status> {
        let (caller, fresh) = self
            .reader
            .begin(&request, request.get_ref().min_position)?;
        let answer = self
            .reader
            .app
            .network_study_flows(&caller, fresh)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(pb::GetStudyFlowsResponse {
            flows: answer.value.iter().map(study_flow).collect(),
            position: answer.position,
        }))
    }

    async fn get_organisation_links(
        &self,
        request: Request<pb::GetOrganisationLinksRequest>,
    ) -> Result<Response<pb::GetOrganisationLinksResponse>, Status> {
        let (caller, fresh) = self
            .reader
            .begin(&request, request.get_ref().min_position)?;
        let answer = self
            .reader
            .app
            .network_links(&caller, fresh, &request.get_ref().org)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(pb::GetOrganisationLinksResponse {
            links: answer.value.iter().map(link).collect(),
            position: answer.position,
        }))
    }
}
