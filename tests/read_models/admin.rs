//! The projection admin service: only admins, every projection live, and a rebuild that switches
//! over without the roster changing its answer.

use std::time::Duration;

use api::medaid::v1 as pb;
use api::medaid::v1::projection_admin_service_client::ProjectionAdminServiceClient;
use tonic::Code;
use tonic::transport::Channel;
use tonic_types::StatusExt;

use super::scenario::{EXPERT, record};
use super::{on_site, practitioners, roster};
use crate::common::{TestServer, assert_refused, authed, backends};
use crate::coverage::{Tour, assert_tour_called};

/// The nine read models, by the names the admin service lists.
const PROJECTIONS: [&str; 9] = [
    "batch_timeline",
    "collaboration_network",
    "hospital_capability",
    "mentorship_board",
    "on_site_roster",
    "pairing_scoreboard",
    "practitioner_directory",
    "targets_actuals",
    "technique_diffusion",
];

/// Waits until `done` holds for the admin's list of projections.
async fn poll_projections(
    admin: &mut ProjectionAdminServiceClient<Channel>,
    token: &str,
    what: &str,
    done: impl Fn(&[pb::ProjectionStatus]) -> bool,
) -> Vec<pb::ProjectionStatus> {
    for _ in 0..400 {
        let listed = admin
            .list_projections(authed(token, pb::ListProjectionsRequest {}))
            .await
            .unwrap()
            .into_inner();
        if done(&listed.projections) {
            return listed.projections;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the projections never reached: {what}");
}

#[tokio::test]
async fn admins_see_every_projection_live_and_rebuild_one() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let channel = server.channel().await;
        let recorded = record(channel.clone(), &server.admin_token()).await;
        let mut admin = ProjectionAdminServiceClient::new(channel.clone());

        let reader = server.token(&["recorder", "reader"], &["*"]);
        let refused = admin
            .list_projections(authed(&reader, pb::ListProjectionsRequest {}))
            .await
            .unwrap_err();
        assert_refused(&refused, Code::PermissionDenied, "PERMISSION_DENIED");
        let rebuild = |name: &str| pb::RebuildProjectionRequest { name: name.into() };
        let refused = admin
            .rebuild_projection(authed(&reader, rebuild("on_site_roster")))
            .await
            .unwrap_err();
        assert_refused(&refused, Code::PermissionDenied, "PERMISSION_DENIED");

        let token = server.token(&["admin"], &["*"]);
        let live = i32::from(pb::ProjectionState::Live);
        let all_live = |list: &[pb::ProjectionStatus]| {
            PROJECTIONS.iter().all(|name| {
                list.iter().any(|p| {
                    p.name == *name
                        && p.active
                        && p.state == live
                        && p.position > recorded.last_position
                })
            })
        };
        let listed = poll_projections(&mut admin, &token, "all nine live", all_live).await;
        // Nothing has been rebuilt yet, so each projection is listed once.
        let names: Vec<&str> = listed.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, PROJECTIONS, "sorted by name, one generation each");

        let unknown = admin
            .rebuild_projection(authed(&token, rebuild("no_such_model")))
            .await
            .unwrap_err();
        assert_refused(&unknown, Code::NotFound, "PROJECTION_NOT_FOUND");
        let unnamed = admin
            .rebuild_projection(authed(&token, rebuild("")))
            .await
            .unwrap_err();
        assert_refused(&unnamed, Code::InvalidArgument, "VALUE_EMPTY");
        let field = unnamed.get_error_details().bad_request().cloned().unwrap();
        assert_eq!(field.field_violations[0].field, "name");
        let started = admin
            .rebuild_projection(authed(&token, rebuild("on_site_roster")))
            .await
            .unwrap()
            .into_inner();
        let generation = started.generation;
        let switched = |list: &[pb::ProjectionStatus]| {
            list.iter().any(|p| {
                p.name == "on_site_roster"
                    && p.active
                    && p.generation == generation
                    && p.state == live
            })
        };
        poll_projections(&mut admin, &token, "the rebuilt roster active", switched).await;

        // The rebuilt generation answers like the one it replaced.
        let rebuilt = roster(&channel)
            .list_on_site_members(authed(&reader, on_site(&recorded, "2024-09-15", "")))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(practitioners(&rebuilt), [EXPERT]);

        // A retry names a known projection; on one that has not failed it changes nothing.
        let retry = |name: &str| pb::RetryProjectionRequest {
            name: name.to_owned(),
        };
        let unknown = admin
            .retry_projection(authed(&token, retry("no_such_model")))
            .await
            .unwrap_err();
        assert_refused(&unknown, Code::NotFound, "PROJECTION_NOT_FOUND");
        let not_admin = admin
            .retry_projection(authed(&reader, retry("on_site_roster")))
            .await
            .unwrap_err();
        assert_eq!(not_admin.code(), Code::PermissionDenied, "{not_admin:?}");
        admin
            .retry_projection(authed(&token, retry("on_site_roster")))
            .await
            .unwrap();
        let still_live = |list: &[pb::ProjectionStatus]| {
            list.iter()
                .filter(|p| p.name == "on_site_roster" && p.active)
                .all(|p| p.state == live && p.generation == generation)
        };
        poll_projections(&mut admin, &token, "the roster still live", still_live).await;
        assert_tour_called(&server, Tour::Admin);
        server.stop().await;
    }
}
