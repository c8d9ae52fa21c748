//! The `medaid.v1` service implementations: each RPC reads the caller from the request extensions,
//! converts the request, calls the use case and maps the result (or the one error mapping in `status`).

pub mod activities;
pub mod assessments;
pub mod collaborations;
pub mod corrections;
pub mod deployments;
pub mod events;
pub mod hospitals;
pub mod mentorships;
pub mod pairings;
pub mod programs;
pub mod techniques;

use api::medaid::v1 as pb;
use tonic::{Request, Status};

use crate::convert::write::{WriteFields, request as command_request, write_result};
use crate::status::{from_app_error, invalid_field};
use crate::telemetry::current_trace_id;

/// Runs one write RPC: `write_rpc!(writer, request, convert)` reads the caller, converts the request
/// with `convert`, executes it and yields a [`Written`] (or the mapped status).
///
/// A macro because every request type has the same three shared fields but no common trait.
macro_rules! write_rpc {
    ($writer:expr, $request:expr, $convert:path) => {{
        let caller = $crate::services::principal(&$request)?;
        let req = $request.get_ref();
        let fields = $crate::convert::write::WriteFields {
            request_id: &req.request_id,
            expected_version: req.expected_version.as_ref(),
            context: req.context.as_ref(),
        };
        let command = $convert(req).map_err(|e| $crate::status::invalid_field(&e));
        $writer.execute(&caller, &fields, command).await
    }};
}
pub(crate) use write_rpc;

/// The authenticated caller the auth layer put in the request extensions.
pub fn principal<T>(request: &Request<T>) -> Result<app::Principal, Status> {
    request
        .extensions()
        .get::<app::Principal>()
        .cloned()
        .ok_or_else(|| from_app_error(app::Error::Unauthenticated))
}

/// The shared half of every command service: validation of the shared fields and execution.
#[derive(Clone)]
pub struct Writer {
    app: app::App,
}

impl Writer {
    pub fn new(app: app::App) -> Writer {
        Writer { app }
    }

    /// Executes a converted command for `caller`.
    pub async fn execute(
        &self,
        caller: &app::Principal,
        fields: &WriteFields<'_>,
        command: Result<app::DomainCommand, Status>,
    ) -> Result<Written, Status> {
        let command = command?;
        let request =
            command_request(fields, command, current_trace_id()).map_err(|e| invalid_field(&e))?;
        let outcome = self
            .app
            .execute(caller, request)
            .await
            .map_err(from_app_error)?;
        Ok(Written {
            result: Some(write_result(&outcome)),
            created_id: outcome.created_id.unwrap_or_default(),
        })
    }
}

/// What a write RPC answers: the `WriteResult` and, for a stream it created, the new id.
pub struct Written {
    pub result: Option<pb::WriteResult>,
    pub created_id: String,
}

/// Mounts one command service with the request size limit and records its name for health.
macro_rules! mount {
    ($builder:expr, $names:expr, $max:expr, $module:ident :: $server:ident, $service:expr) => {{
        $names.push(api::medaid::v1::$module::SERVICE_NAME.to_owned());
        $builder.add_service(
            api::medaid::v1::$module::$server::new($service).max_decoding_message_size($max),
        );
    }};
}
pub(crate) use mount;

/// Mounts every command service, pushing their names onto `names` for health reporting.
pub fn mount_commands(
    builder: &mut tonic::service::RoutesBuilder,
    app: &app::App,
    max: usize,
    names: &mut Vec<String>,
) {
    let app = || app.clone();
    mount!(
        builder,
        names,
        max,
        hospital_service_server::HospitalServiceServer,
        hospitals::Hospitals::new(app())
    );
    mount!(
        builder,
        names,
        max,
        program_service_server::ProgramServiceServer,
        programs::Programs::new(app())
    );
    mount!(
        builder,
        names,
        max,
        pairing_service_server::PairingServiceServer,
        pairings::Pairings::new(app())
    );
    mount!(
        builder,
        names,
        max,
        deployment_service_server::DeploymentServiceServer,
        deployments::Deployments::new(app())
    );
    mount!(
        builder,
        names,
        max,
        mentorship_service_server::MentorshipServiceServer,
        mentorships::Mentorships::new(app())
    );
    mount!(
        builder,
        names,
        max,
        technique_service_server::TechniqueServiceServer,
        techniques::Techniques::new(app())
    );
    mount!(
        builder,
        names,
        max,
        correction_service_server::CorrectionServiceServer,
        corrections::Corrections::new(app())
    );
    mount!(
        builder,
        names,
        max,
        assessment_service_server::AssessmentServiceServer,
        assessments::Assessments::new(app())
    );
    mount!(
        builder,
        names,
        max,
        activity_service_server::ActivityServiceServer,
        activities::Activities::new(app())
    );
    mount!(
        builder,
        names,
        max,
        collaboration_service_server::CollaborationServiceServer,
        collaborations::Collaborations::new(app())
    );
}
