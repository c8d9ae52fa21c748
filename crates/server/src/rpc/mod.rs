//! The RPCs as units: one file per proto service, named with the proto file's stem, each holding
//! one trait impl per RPC run by the generic pipeline of its direction (`write` for the write
//! services, `read` for the read models).

pub mod activity;
pub mod assessment;
pub mod capability;
pub mod collaboration;
pub mod correction;
pub mod deployment;
pub mod enums;
pub mod hospital;
pub mod mentorship;
pub mod mentorship_board;
pub mod network;
pub mod pairing;
pub mod personal_data;
pub mod practitioner;
pub mod practitioner_directory;
pub mod program;
pub mod projection_admin;
pub mod read;
pub mod roster;
pub mod scoreboard;
pub mod targets;
pub mod technique;
pub mod technique_diffusion;
pub mod timeline;
pub mod write;

use tonic::service::RoutesBuilder;

use crate::config::LimitsConfig;
use crate::services::mount;
use projection_admin::ProjectionAdmin;
use read::Reader;

/// Mounts the nine read-model services and the admin service, pushing their names onto `names`.
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
        practitioner_directory_service_server::PractitionerDirectoryServiceServer,
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

/// Mounts every write service, pushing their names onto `names` for health reporting.
pub fn mount_commands(
    builder: &mut RoutesBuilder,
    app: &app::App,
    max: usize,
    names: &mut Vec<String>,
) {
    macro_rules! mount_all {
        ($($module:ident :: $server:ident => $service:path),* $(,)?) => {
            $( mount!(builder, names, max, $module::$server, <$service>::new(app.clone())); )*
        };
    }
    mount_all!(
        hospital_service_server::HospitalServiceServer => hospital::Hospitals,
        program_service_server::ProgramServiceServer => program::Programs,
        pairing_service_server::PairingServiceServer => pairing::Pairings,
        deployment_service_server::DeploymentServiceServer => deployment::Deployments,
        mentorship_service_server::MentorshipServiceServer => mentorship::Mentorships,
        technique_service_server::TechniqueServiceServer => technique::Techniques,
        correction_service_server::CorrectionServiceServer => correction::Corrections,
        assessment_service_server::AssessmentServiceServer => assessment::Assessments,
        activity_service_server::ActivityServiceServer => activity::Activities,
        collaboration_service_server::CollaborationServiceServer => collaboration::Collaborations,
        practitioner_service_server::PractitionerServiceServer => practitioner::Practitioners,
        personal_data_service_server::PersonalDataServiceServer => personal_data::PersonalDataErasure,
    );
}
