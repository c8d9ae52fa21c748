//! The read models over gRPC: a scenario recorded through the write RPCs, then every read RPC with
//! `min_position` at the last write, checked against the values the scenario implies; scope, page
//! tokens and positions; and the projection admin service with a rebuild.

mod admin;
mod directory;
mod hospital;
mod people;
mod scenario;
mod work;

use api::medaid::v1 as pb;
use api::medaid::v1::collaboration_network_service_client::CollaborationNetworkServiceClient;
use api::medaid::v1::on_site_roster_service_client::OnSiteRosterServiceClient;
use api::medaid::v1::technique_diffusion_service_client::TechniqueDiffusionServiceClient;
use tonic::Code;
use tonic::transport::Channel;

use crate::common::{TestServer, assert_refused, authed, backends, huining};
use crate::coverage::{Tour, assert_tour_called};
use scenario::{Recorded, record};

fn roster(channel: &Channel) -> OnSiteRosterServiceClient<Channel> {
    OnSiteRosterServiceClient::new(channel.clone())
}

/// Lists who is on site at 会宁县人民医院 on `date`, after the scenario's last write.
fn on_site(r: &Recorded, date: &str, filter: &str) -> pb::ListOnSiteMembersRequest {
    pb::ListOnSiteMembersRequest {
        hospital: huining(),
        date: date.into(),
        filter: filter.into(),
        min_position: Some(r.last_position),
        ..Default::default()
    }
}

fn practitioners(reply: &pb::ListOnSiteMembersResponse) -> Vec<&str> {
    reply
        .members
        .iter()
        .map(|m| m.practitioner.as_str())
        .collect()
}

/// The scenario and every read-model query over it, through `channel`; `tests/recorder.rs` records
/// it for the authorization matrix.
pub(crate) async fn read_tour(channel: Channel, token: &str) {
    let recorded = record(channel.clone(), token).await;
    people::check_people(&channel, token, &recorded).await;
    work::check_work(&channel, token, &recorded).await;
    hospital::check_hospital(&channel, token, &recorded).await;
    directory::check_directory(&channel, token, &recorded).await;
}

#[tokio::test]
async fn every_read_model_answers_the_recorded_scenario() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let token = server.admin_token();
        let channel = server.channel().await;
        let recorded = record(channel.clone(), &token).await;
        people::check_people(&channel, &token, &recorded).await;
        work::check_work(&channel, &token, &recorded).await;
        hospital::check_hospital(&channel, &token, &recorded).await;
        directory::check_directory(&channel, &token, &recorded).await;
        assert_tour_called(&server, Tour::ReadModels);
        server.stop().await;
    }
}

#[tokio::test]
async fn scope_page_tokens_and_positions_are_enforced() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let channel = server.channel().await;
        let recorded = record(channel.clone(), &server.admin_token()).await;
        let at = Some(recorded.last_position);

        // A reader of Guizhou (52) may not ask about a Gansu hospital and sees no Gansu rows; a
        // reader of Gansu (62) sees them.
        let guizhou = server.token(&["reader"], &["52"]);
        let refused = roster(&channel)
            .list_on_site_members(authed(&guizhou, on_site(&recorded, "2024-09-15", "")))
            .await
            .unwrap_err();
        assert_refused(&refused, Code::PermissionDenied, "PERMISSION_DENIED");
        let alliances = |t: &str| {
            authed(
                t,
                pb::ListAlliancesRequest {
                    min_position: at,
                    ..Default::default()
                },
            )
        };
        let mut network = CollaborationNetworkServiceClient::new(channel.clone());
        assert!(
            network
                .list_alliances(alliances(&guizhou))
                .await
                .unwrap()
                .into_inner()
                .alliances
                .is_empty()
        );
        let gansu = server.token(&["reader"], &["62"]);
        assert_eq!(
            network
                .list_alliances(alliances(&gansu))
                .await
                .unwrap()
                .into_inner()
                .alliances
                .len(),
            1
        );
        let gaps = |t: &str| {
            authed(
                t,
                pb::ListGapFillsRequest {
                    min_position: at,
                    ..Default::default()
                },
            )
        };
        let mut techniques = TechniqueDiffusionServiceClient::new(channel.clone());
        assert!(
            techniques
                .list_gap_fills(gaps(&guizhou))
                .await
                .unwrap()
                .into_inner()
                .gap_fills
                .is_empty()
        );
        assert_eq!(
            techniques
                .list_gap_fills(gaps(&gansu))
                .await
                .unwrap()
                .into_inner()
                .gap_fills
                .len(),
            1
        );

        // Pages: one member per page, the token continues the same query and no other.
        let page = |token: &str, date: &str| pb::ListOnSiteMembersRequest {
            page_size: 1,
            page_token: token.into(),
            ..on_site(&recorded, date, "")
        };
        let first = roster(&channel)
            .list_on_site_members(authed(&gansu, page("", "2024-12-01")))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(first.members.len(), 1);
        assert!(!first.next_page_token.is_empty());
        let second = roster(&channel)
            .list_on_site_members(authed(&gansu, page(&first.next_page_token, "2024-12-01")))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(second.members.len(), 1);
        assert_ne!(
            second.members[0].practitioner,
            first.members[0].practitioner
        );
        assert!(second.next_page_token.is_empty(), "two members, two pages");
        let other_query = roster(&channel)
            .list_on_site_members(authed(&gansu, page(&first.next_page_token, "2024-12-02")))
            .await
            .unwrap_err();
        assert_refused(&other_query, Code::InvalidArgument, "INVALID_PAGE_TOKEN");
        let forged = roster(&channel)
            .list_on_site_members(authed(&gansu, page("not-a-token", "2024-12-01")))
            .await
            .unwrap_err();
        assert_refused(&forged, Code::InvalidArgument, "INVALID_PAGE_TOKEN");
        let bad_filter = roster(&channel)
            .list_on_site_members(authed(&gansu, on_site(&recorded, "2024-12-01", "name = x")))
            .await
            .unwrap_err();
        assert_refused(&bad_filter, Code::InvalidArgument, "INVALID_FILTER");

        // A position the log has not reached cannot be waited for.
        let beyond = pb::ListOnSiteMembersRequest {
            min_position: Some(recorded.last_position + 1_000_000),
            ..on_site(&recorded, "2024-12-01", "")
        };
        let beyond = roster(&channel)
            .list_on_site_members(authed(&gansu, beyond))
            .await
            .unwrap_err();
        assert_refused(&beyond, Code::OutOfRange, "POSITION_OUT_OF_RANGE");
        server.stop().await;
    }
}
