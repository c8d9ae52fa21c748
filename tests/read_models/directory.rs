//! The practitioner directory: names opened with each practitioner's key, titles and departments
//! named beside their codes, and the current employer after a change.

use api::medaid::v1 as pb;
use api::medaid::v1::practitioner_directory_service_client::PractitionerDirectoryServiceClient;
use tonic::Code;
use tonic::transport::Channel;

use super::scenario::{EXPERT, Recorded, SECOND};
use crate::common::{assert_refused, authed, huining, lzu_first};

fn directory(channel: &Channel) -> PractitionerDirectoryServiceClient<Channel> {
    PractitionerDirectoryServiceClient::new(channel.clone())
}

/// Looks up the experts, lists both employers, and asks for someone never registered.
pub(super) async fn check_directory(channel: &Channel, t: &str, r: &Recorded) {
    let at = Some(r.last_position);
    let expert = directory(channel)
        .get_practitioner(authed(
            t,
            pb::GetPractitionerRequest {
                practitioner: EXPERT.into(),
                min_position: at,
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(expert.position > r.last_position);
    let entry = expert.practitioner.unwrap();
    assert_eq!(
        (
            entry.name.as_str(),
            entry.erased,
            entry.title,
            entry.title_name.as_str(),
            entry.department.as_str(),
            entry.department_name.as_str(),
            entry.employer.as_str(),
            entry.employer_name.as_str(),
            entry.registered_on.as_str(),
        ),
        (
            "胡文滕",
            false,
            231,
            "主任医师",
            "04.05",
            "胸外科专业",
            lzu_first().as_str(),
            "兰州大学第一医院",
            "2024-01-01"
        )
    );
    let list = |employer: String| pb::ListPractitionersRequest {
        employer,
        min_position: at,
        ..Default::default()
    };
    let here = directory(channel)
        .list_practitioners(authed(t, list(huining())))
        .await
        .unwrap()
        .into_inner();
    assert!(
        here.practitioners
            .iter()
            .all(|p| p.employer_name == "会宁县人民医院")
    );
    let names: Vec<(&str, &str)> = here
        .practitioners
        .iter()
        .map(|p| (p.practitioner.as_str(), p.name.as_str()))
        .collect();
    // 李广杰 moved here; ordered by practitioner id.
    assert_eq!(
        names,
        [("huining-resident-1", "王顺成"), (SECOND, "李广杰")]
    );
    let there = directory(channel)
        .list_practitioners(authed(t, list(lzu_first())))
        .await
        .unwrap()
        .into_inner();
    let ids: Vec<&str> = there
        .practitioners
        .iter()
        .map(|p| p.practitioner.as_str())
        .collect();
    assert_eq!(ids, [EXPERT]);
    let missing = directory(channel)
        .get_practitioner(authed(
            t,
            pb::GetPractitionerRequest {
                practitioner: "nobody-registered".into(),
                min_position: at,
            },
        ))
        .await
        .unwrap_err();
    assert_refused(&missing, Code::NotFound, "STREAM_NOT_FOUND");
}
