//! Mounts the read-model services and the projection admin service behind the server's layers.

use tonic::service::RoutesBuilder;

use super::batch_timeline::BatchTimeline;
use super::collaboration_network::CollaborationNetwork;
use super::hospital_capability::HospitalCapability;
use super::mentorship_board::MentorshipBoard;
use super::mount;
use super::on_site_roster::OnSiteRoster;
use super::pairing_scoreboard::PairingScoreboard;
use super::projection_admin::ProjectionAdmin;
use super::reads::Reader;
use super::targets::Targets;
use super::technique_diffusion::TechniqueDiffusion;
use crate::config::LimitsConfig;

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
        OnSiteRoster::new(reader.clone())
    );
    mount!(
        builder,
        names,
        max,
        batch_timeline_service_server::BatchTimelineServiceServer,
        BatchTimeline::new(reader.clone())
    );
    mount!(
        builder,
        names,
        max,
        mentorship_board_service_server::MentorshipBoardServiceServer,
        MentorshipBoard::new(reader.clone())
    );
    mount!(
        builder,
        names,
        max,
        technique_diffusion_service_server::TechniqueDiffusionServiceServer,
        TechniqueDiffusion::new(reader.clone())
    );
    mount!(
        builder,
        names,
        max,
        collaboration_network_service_server::CollaborationNetworkServiceServer,
        CollaborationNetwork::new(reader.clone())
    );
    mount!(
        builder,
        names,
        max,
        pairing_scoreboard_service_server::PairingScoreboardServiceServer,
        PairingScoreboard::new(reader.clone())
    );
    mount!(
        builder,
        names,
        max,
        hospital_capability_service_server::HospitalCapabilityServiceServer,
        HospitalCapability::new(reader.clone())
    );
    mount!(
        builder,
        names,
        max,
        targets_service_server::TargetsServiceServer,
        Targets::new(reader.clone())
    );
    mount!(
        builder,
        names,
        max,
        projection_admin_service_server::ProjectionAdminServiceServer,
        ProjectionAdmin::new(app.clone())
    );
}
