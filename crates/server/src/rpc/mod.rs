//! The RPCs as units: one file per proto service, named with the proto file's stem, each holding
//! one trait impl per RPC run by the generic pipeline (`read` for the read models).

pub mod capability;
pub mod enums;
pub mod mentorship_board;
pub mod network;
pub mod projection_admin;
pub mod read;
pub mod roster;
pub mod scoreboard;
pub mod targets;
pub mod technique_diffusion;
pub mod timeline;

use tonic::service::RoutesBuilder;

use crate::config::LimitsConfig;
use crate::services::mount;
use projection_admin::ProjectionAdmin;
use read::Reader;

/// Mounts the eight read-model services and the admin service, pushing their names onto `names`.
///
/// `server::run` always starts a projector; an `app::App` built without one (`App::new`) makes
/// these services answer UNAVAILABLE (READ_MODELS_UNAVAILABLE) rather than UNIMPLEMENTED.
pub fn mount_reads(
    builder: &mut RoutesBuilder,
    app: &app::App,
    limits: &LimitsConfig,
    names: &mut Vec<String>,
) {
    let reader = Reader::new(app.clone(), limits);
    let max = limits.max_request_bytes;
    mount!(
        builder,
        names,
        max,
        on_site_roster_service_server::OnSiteRosterServiceServer,
        reader.clone()
    );
    mount!(
        builder,
        names,
        max,
        batch_timeline_service_server::BatchTimelineServiceServer,
        reader.clone()
    );
    mount!(
        builder,
        names,
        max,
        mentorship_board_service_server::MentorshipBoardServiceServer,
        reader.clone()
    );
    mount!(
        builder,
        names,
        max,
        technique_diffusion_service_server::TechniqueDiffusionServiceServer,
        reader.clone()
    );
    mount!(
        builder,
        names,
        max,
        collaboration_network_service_server::CollaborationNetworkServiceServer,
        reader.clone()
    );
    mount!(
        builder,
        names,
        max,
        pairing_scoreboard_service_server::PairingScoreboardServiceServer,
        reader.clone()
    );
    mount!(
        builder,
        names,
        max,
        hospital_capability_service_server::HospitalCapabilityServiceServer,
        reader.clone()
    );
    mount!(
        builder,
        names,
        max,
        targets_service_server::TargetsServiceServer,
        reader.clone()
    );
    mount!(
        builder,
        names,
        max,
        projection_admin_service_server::ProjectionAdminServiceServer,
        ProjectionAdmin::new(app.clone())
    );
}
