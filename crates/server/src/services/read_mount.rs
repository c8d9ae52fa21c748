//! Mounts the read-model services and the projection admin service behind the server's layers.

use api::medaid::v1 as pb;
use tonic::service::RoutesBuilder;

use super::batch_timeline::BatchTimeline;
use super::collaboration_network::CollaborationNetwork;
use super::hospital_capability::HospitalCapability;
use super::mentorship_board::MentorshipBoard;
use super::on_site_roster::OnSiteRoster;
use super::pairing_scoreboard::PairingScoreboard;
use super::projection_admin::ProjectionAdmin;
use super::reads::Reader;
use super::targets::Targets;
use super::technique_diffusion::TechniqueDiffusion;
use crate::config::LimitsConfig;

/// Mounts one generated server with the request size limit and records its name for health.
macro_rules! mount {
    ($builder:expr, $names:expr, $limits:expr, $module:ident :: $server:ident, $service:expr) => {{
        $names.push(pb::$module::SERVICE_NAME.to_owned());
        $builder.add_service(
            pb::$module::$server::new($service)
                .max_decoding_message_size($limits.max_request_bytes),
        );
    }};
}

/// Mounts the eight read-model services and the admin service, pushing their names onto `names`.
///
/// They are mounted whether or not this server runs a projector: without one they answer
/// UNAVAILABLE (READ_MODELS_UNAVAILABLE), which tells a client more than UNIMPLEMENTED would.
pub fn mount_reads(
    builder: &mut RoutesBuilder,
    app: &app::App,
    limits: &LimitsConfig,
    names: &mut Vec<String>,
) {
    let reader = || Reader::new(app.clone(), limits);
    mount!(
        builder,
        names,
        limits,
        on_site_roster_service_server::OnSiteRosterServiceServer,
        OnSiteRoster::new(reader())
    );
    mount!(
        builder,
        names,
        limits,
        batch_timeline_service_server::BatchTimelineServiceServer,
        BatchTimeline::new(reader())
    );
    mount!(
        builder,
        names,
        limits,
        mentorship_board_service_server::MentorshipBoardServiceServer,
        MentorshipBoard::new(reader())
    );
    mount!(
        builder,
        names,
        limits,
        technique_diffusion_service_server::TechniqueDiffusionServiceServer,
        TechniqueDiffusion::new(reader())
    );
    mount!(
        builder,
        names,
        limits,
        collaboration_network_service_server::CollaborationNetworkServiceServer,
        CollaborationNetwork::new(reader())
    );
    mount!(
        builder,
        names,
        limits,
        pairing_scoreboard_service_server::PairingScoreboardServiceServer,
        PairingScoreboard::new(reader())
    );
    mount!(
        builder,
        names,
        limits,
        hospital_capability_service_server::HospitalCapabilityServiceServer,
        HospitalCapability::new(reader())
    );
    mount!(
        builder,
        names,
        limits,
        targets_service_server::TargetsServiceServer,
        Targets::new(reader())
    );
    mount!(
        builder,
        names,
        limits,
        projection_admin_service_server::ProjectionAdminServiceServer,
        ProjectionAdmin::new(app.clone())
    );
}
