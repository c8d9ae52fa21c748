//! The exported descriptor set must describe every service, so that reflection clients see them all.

use std::collections::BTreeSet;

use prost::Message;
use prost_types::FileDescriptorSet;

const SERVICES: &[&str] = &[
    "medaid.v1.ActivityService",
    "medaid.v1.AssessmentService",
    "medaid.v1.AuditService",
    "medaid.v1.BatchTimelineService",
    "medaid.v1.CollaborationNetworkService",
    "medaid.v1.CollaborationService",
    "medaid.v1.CorrectionService",
    "medaid.v1.DeploymentService",
    "medaid.v1.EventService",
    "medaid.v1.HospitalCapabilityService",
    "medaid.v1.HospitalService",
    "medaid.v1.MentorshipBoardService",
    "medaid.v1.MentorshipService",
    "medaid.v1.OnSiteRosterService",
    "medaid.v1.PairingScoreboardService",
    "medaid.v1.PairingService",
    "medaid.v1.PersonalDataService",
    "medaid.v1.PractitionerDirectoryService",
    "medaid.v1.PractitionerService",
    "medaid.v1.ProgramService",
    "medaid.v1.ProjectionAdminService",
    "medaid.v1.TargetsService",
    "medaid.v1.TechniqueDiffusionService",
    "medaid.v1.TechniqueService",
];

/// The services that only read (the event feed, the read models and their administration, audit): their
/// requests carry no request_id or expected_version.
const READ_SERVICES: &[&str] = &[
    "AuditService",
    "BatchTimelineService",
    "CollaborationNetworkService",
    "EventService",
    "HospitalCapabilityService",
    "MentorshipBoardService",
    "OnSiteRosterService",
    "PairingScoreboardService",
    "PractitionerDirectoryService",
    "ProjectionAdminService",
    "TargetsService",
    "TechniqueDiffusionService",
];

fn descriptor_set() -> FileDescriptorSet {
    FileDescriptorSet::decode(api::FILE_DESCRIPTOR_SET).expect("FILE_DESCRIPTOR_SET decodes")
}

#[test]
fn descriptor_set_holds_every_service() {
    let found: BTreeSet<String> = descriptor_set()
        .file
        .iter()
        .flat_map(|file| {
            let package = file.package().to_owned();
            file.service
                .iter()
                .map(move |service| format!("{package}.{}", service.name()))
        })
        .collect();
    let expected: BTreeSet<String> = SERVICES.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(found, expected);
}

#[test]
fn every_write_request_carries_request_id_and_expected_version() {
    let set = descriptor_set();
    let messages: Vec<_> = set
        .file
        .iter()
        .filter(|file| file.package() == "medaid.v1")
        .flat_map(|file| file.message_type.iter())
        .collect();
    let mut checked = 0;
    for file in set.file.iter().filter(|file| file.package() == "medaid.v1") {
        for service in file
            .service
            .iter()
            .filter(|service| !READ_SERVICES.contains(&service.name()))
        {
            for method in &service.method {
                let request = method.input_type().trim_start_matches(".medaid.v1.");
                let message = messages
                    .iter()
                    .find(|message| message.name() == request)
                    .unwrap_or_else(|| panic!("request message {request} is in the set"));
                for field in ["request_id", "expected_version"] {
                    assert!(
                        message.field.iter().any(|f| f.name() == field),
                        "{}.{} request {request} lacks {field}",
                        service.name(),
                        method.name()
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 29, "only {checked} command RPCs found");
}

#[test]
fn descriptor_set_holds_the_error_detail_types() {
    let files: BTreeSet<String> = descriptor_set()
        .file
        .iter()
        .map(|file| file.name().to_owned())
        .collect();
    for name in ["google/rpc/error_details.proto", "medaid/v1/errors.proto"] {
        assert!(
            files.contains(name),
            "{name} missing from FILE_DESCRIPTOR_SET"
        );
    }
}

#[test]
fn every_read_model_query_takes_min_position_and_answers_position() {
    let set = descriptor_set();
    let messages: Vec<_> = set
        .file
        .iter()
        .filter(|file| file.package() == "medaid.v1")
        .flat_map(|file| file.message_type.iter())
        .collect();
    let has = |name: &str, field: &str| {
        let name = name.trim_start_matches(".medaid.v1.");
        messages
            .iter()
            .find(|message| message.name() == name)
            .is_some_and(|message| message.field.iter().any(|f| f.name() == field))
    };
    let mut checked = 0;
    for file in set.file.iter().filter(|file| file.package() == "medaid.v1") {
        let queries = file.service.iter().filter(|service| {
            READ_SERVICES.contains(&service.name())
                && !matches!(
                    service.name(),
                    "EventService" | "ProjectionAdminService" | "AuditService"
                )
        });
        for service in queries {
            for method in &service.method {
                let rpc = format!("{}.{}", service.name(), method.name());
                assert!(has(method.input_type(), "min_position"), "{rpc} request");
                assert!(has(method.output_type(), "position"), "{rpc} response");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 22, "read-model query RPCs");
}
