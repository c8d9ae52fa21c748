//! Which role each `medaid.v1` service needs, checked from the request path right after
//! authentication and before the request is decoded or validated (AIP-211: a caller without the
//! role gets PERMISSION_DENIED, never a validation error that tells it what a valid request looks
//! like). Every use case in `app` checks the same access again, so this table can only refuse
//! earlier, never allow more.
//!
//! The list is explicit once: a `medaid.v1` service in the descriptor without an entry fails
//! `every_service_in_the_descriptor_has_an_access`.

use api::medaid::v1 as pb;
use app::Access;

/// The access a service needs, by its full name; `None` for services outside `medaid.v1`
/// (health, reflection, the session echo), which need only authentication.
pub fn for_service(service: &str) -> Option<Access> {
    let access = match service {
        pb::hospital_service_server::SERVICE_NAME
        | pb::program_service_server::SERVICE_NAME
        | pb::pairing_service_server::SERVICE_NAME
        | pb::deployment_service_server::SERVICE_NAME
        | pb::mentorship_service_server::SERVICE_NAME
        | pb::technique_service_server::SERVICE_NAME
        | pb::correction_service_server::SERVICE_NAME
        | pb::assessment_service_server::SERVICE_NAME
        | pb::activity_service_server::SERVICE_NAME
        | pb::collaboration_service_server::SERVICE_NAME
        | pb::practitioner_service_server::SERVICE_NAME => Access::Record,
        pb::event_service_server::SERVICE_NAME
        | pb::on_site_roster_service_server::SERVICE_NAME
        | pb::batch_timeline_service_server::SERVICE_NAME
        | pb::mentorship_board_service_server::SERVICE_NAME
        | pb::technique_diffusion_service_server::SERVICE_NAME
        | pb::collaboration_network_service_server::SERVICE_NAME
        | pb::pairing_scoreboard_service_server::SERVICE_NAME
        | pb::hospital_capability_service_server::SERVICE_NAME
        | pb::targets_service_server::SERVICE_NAME
        | pb::practitioner_directory_service_server::SERVICE_NAME => Access::Read,
        pb::audit_service_server::SERVICE_NAME => Access::Audit,
        pb::projection_admin_service_server::SERVICE_NAME
        | pb::personal_data_service_server::SERVICE_NAME => Access::Admin,
        _ => return None,
    };
    Some(access)
}

/// The access the RPC at `path` (`/package.Service/Method`) needs.
pub fn for_path(path: &str) -> Option<Access> {
    let service = path.strip_prefix('/')?.split_once('/')?.0;
    for_service(service)
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;

    #[test]
    fn every_service_in_the_descriptor_has_an_access() {
        let set = prost_types::FileDescriptorSet::decode(api::FILE_DESCRIPTOR_SET)
            .expect("the api crate's descriptor set decodes");
        let mut seen = 0;
        for file in set.file.iter().filter(|f| f.package() == "medaid.v1") {
            for service in &file.service {
                let name = format!("medaid.v1.{}", service.name());
                assert!(
                    for_service(&name).is_some(),
                    "{name} has no entry in server::auth::access::for_service"
                );
                seen += 1;
            }
        }
        assert_eq!(
            seen, 24,
            "the proto's service count changed: review this table"
        );
    }

    #[test]
    fn paths_map_to_their_service() {
        assert_eq!(
            for_path("/medaid.v1.ProjectionAdminService/RebuildProjection"),
            Some(Access::Admin)
        );
        assert_eq!(
            for_path("/medaid.v1.AuditService/GetInclusionProof"),
            Some(Access::Audit)
        );
        assert_eq!(for_path("/grpc.health.v1.Health/Check"), None);
        assert_eq!(for_path("/medaid.internal.v1.Session/WhoAmI"), None);
        assert_eq!(for_path("no-slash"), None);
    }
}
