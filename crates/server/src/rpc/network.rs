//! `medaid.v1.CollaborationNetworkService` (`network_service.proto`): alliances, platforms,
//! advanced-study flows and the links of one organisation.

use api::medaid::v1 as pb;
use api::medaid::v1::collaboration_network_service_server::CollaborationNetworkService;
use domain::aggregates::platform::PlatformKind;
use read_models::network::{self, Alliance, AllianceFilter, Link, Platform, StudyFlow};
use read_models::{Answer, PageRequest};
use tonic::Status;

use super::enums::{ProtoEnum, filter_value, optional_wire};
use super::read::answer::{day, organisation_name};
use super::read::filter::{self, value};
use super::read::{GetRpc, ListRpc, read_service};
use crate::convert::fields::{credit_code, department};
use crate::status::from_app_error;

read_service!(CollaborationNetworkService {
    list_alliances: list ListAlliances(ListAlliancesRequest) -> ListAlliancesResponse;
    list_platforms: list ListPlatforms(ListPlatformsRequest) -> ListPlatformsResponse;
    get_study_flows: get GetStudyFlows(GetStudyFlowsRequest) -> GetStudyFlowsResponse;
    get_organisation_links: get GetOrganisationLinks(GetOrganisationLinksRequest) -> GetOrganisationLinksResponse;
});

impl ListRpc for ListAlliances {
    type Item = Alliance;
    type Query = network::Alliances;

    fn token_key(req: &pb::ListAlliancesRequest) -> Vec<&str> {
        vec![&req.filter]
    }

    fn query(req: &pb::ListAlliancesRequest, page: PageRequest) -> Result<Self::Query, Status> {
        let filter = alliance_filter(&req.filter).map_err(from_app_error)?;
        Ok(network::Alliances { filter, page })
    }

    fn respond(
        alliances: Vec<Alliance>,
        next_page_token: String,
        position: u64,
    ) -> pb::ListAlliancesResponse {
        pb::ListAlliancesResponse {
            alliances: alliances.iter().map(alliance).collect(),
            next_page_token,
            position,
        }
    }
}

impl ListRpc for ListPlatforms {
    type Item = Platform;
    type Query = network::Platforms;

    fn token_key(req: &pb::ListPlatformsRequest) -> Vec<&str> {
        vec![&req.filter]
    }

    fn query(req: &pb::ListPlatformsRequest, page: PageRequest) -> Result<Self::Query, Status> {
        let filter = platform_filter(&req.filter).map_err(from_app_error)?;
        Ok(network::Platforms {
            host_org: filter.host_org,
            kind: filter.kind,
            page,
        })
    }

    fn respond(
        platforms: Vec<Platform>,
        next_page_token: String,
        position: u64,
    ) -> pb::ListPlatformsResponse {
        pb::ListPlatformsResponse {
            platforms: platforms.iter().map(platform).collect(),
            next_page_token,
            position,
        }
    }
}

impl GetRpc for GetStudyFlows {
    type Query = network::StudyFlows;

    fn query(_: &pb::GetStudyFlowsRequest) -> Result<Self::Query, Status> {
        Ok(network::StudyFlows)
    }

    fn respond(answer: Answer<Vec<StudyFlow>>) -> pb::GetStudyFlowsResponse {
        pb::GetStudyFlowsResponse {
            flows: answer.value.iter().map(study_flow).collect(),
            position: answer.position,
        }
    }
}

impl GetRpc for GetOrganisationLinks {
    type Query = network::OrganisationLinks;

    fn query(req: &pb::GetOrganisationLinksRequest) -> Result<Self::Query, Status> {
        Ok(network::OrganisationLinks {
            org: req.org.clone(),
        })
    }

    fn respond(answer: Answer<Vec<Link>>) -> pb::GetOrganisationLinksResponse {
        pb::GetOrganisationLinksResponse {
            links: answer.value.iter().map(link).collect(),
            position: answer.position,
        }
    }
}

/// The keys `ListAlliancesRequest.filter` accepts.
const ALLIANCE_KEYS: &[&str] = &["lead_org", "member_org", "specialty"];

/// Parses `ListAlliancesRequest.filter`.
fn alliance_filter(text: &str) -> Result<AllianceFilter, app::Error> {
    let terms = filter::parse(text, ALLIANCE_KEYS)?;
    let org = |key: &str| {
        value(&terms, key)
            .map(|v| {
                credit_code("filter", v)
                    .map(|code| code.to_string())
                    .map_err(|e| filter::invalid(format!("{key} = {v:?}: {e}")))
            })
            .transpose()
    };
    let specialty = value(&terms, "specialty")
        .map(|code| {
            department("filter", code)
                .map(|d| d.code().to_owned())
                .map_err(|e| filter::invalid(format!("specialty = {code:?}: {e}")))
        })
        .transpose()?;
    Ok(AllianceFilter {
        lead_org: org("lead_org")?,
        member_org: org("member_org")?,
        specialty,
    })
}

/// The keys `ListPlatformsRequest.filter` accepts.
const KEYS: &[&str] = &["host_org", "kind"];

/// A platform filter: the host and the kind, each optional.
#[derive(Debug, Default, PartialEq, Eq)]
struct PlatformFilter {
    host_org: Option<String>,
    kind: Option<PlatformKind>,
}

/// Parses `ListPlatformsRequest.filter`.
fn platform_filter(text: &str) -> Result<PlatformFilter, app::Error> {
    let terms = filter::parse(text, KEYS)?;
    let host_org = value(&terms, "host_org")
        .map(|v| {
            credit_code("filter", v)
                .map(|code| code.to_string())
                .map_err(|e| filter::invalid(format!("host_org = {v:?}: {e}")))
        })
        .transpose()?;
    let kind = value(&terms, "kind")
        .map(|v| {
            filter_value(v).ok_or_else(|| {
                filter::invalid(format!("kind = {v:?} is not a PlatformKind value name"))
            })
        })
        .transpose()?;
    Ok(PlatformFilter { host_org, kind })
}

/// One alliance with its current members.
fn alliance(a: &Alliance) -> pb::Alliance {
    pb::Alliance {
        alliance_id: a.alliance_id.clone(),
        specialty: a.specialty.clone(),
        specialty_name: a.specialty_name.clone(),
        specialty_sub_code: a.sub_code.clone().unwrap_or_default(),
        lead_org: a.lead_org.clone(),
        formed_on: day(a.formed_on),
        plaque_awarded: a.plaque_awarded,
        members: a
            .members
            .iter()
            .map(|(org, tier)| pb::AllianceMember {
                org: org.clone(),
                tier: optional_wire(*tier),
            })
            .collect(),
        lead_org_name: a.lead_org_name.clone(),
        member_names: a.member_names.iter().map(organisation_name).collect(),
    }
}

/// One platform with its partners.
fn platform(p: &Platform) -> pb::Platform {
    pb::Platform {
        platform_id: p.platform_id.clone(),
        pairing_id: p.pairing_id.clone(),
        kind: p.kind.to_wire(),
        name: p.name.clone(),
        host_org: p.host_org.clone(),
        specialty: p.specialty.clone().unwrap_or_default(),
        partners: p.partners.clone(),
        established_on: day(p.established_on),
        host_org_name: p.host_org_name.clone(),
        specialty_name: p.specialty_name.to_owned(),
        partner_names: p.partner_names.iter().map(organisation_name).collect(),
    }
}

/// One advanced-study flow.
fn study_flow(f: &StudyFlow) -> pb::StudyFlow {
    pb::StudyFlow {
        trainee_org: f.trainee_org.clone(),
        host_org: f.host_org.clone(),
        started: f.started,
        completed: f.completed,
        trainee_org_name: f.trainee_org_name.clone(),
        host_org_name: f.host_org_name.clone(),
    }
}

/// One link of an organisation.
fn link(l: &Link) -> pb::OrganisationLink {
    pb::OrganisationLink {
        other_org: l.other.clone(),
        kind: l.kind.to_wire(),
        other_org_name: l.other_name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_filters_name_a_host_and_a_kind() {
        let parsed = platform_filter("kind = PLATFORM_KIND_TELECONSULTATION_CENTER");
        assert_eq!(
            parsed.ok().and_then(|f| f.kind),
            Some(PlatformKind::TeleconsultationCentre)
        );
        assert!(platform_filter(r#"host_org = "not a code""#).is_err());
        assert!(platform_filter("kind = PLATFORM_KIND_SPACEPORT").is_err());
    }

    #[test]
    fn alliance_filters_name_a_lead_a_member_and_a_specialty() {
        let lead = "126200000000000196";
        let parsed = alliance_filter(&format!(
            r#"lead_org = "{lead}" AND member_org = "{lead}" AND specialty = "50""#
        ));
        assert_eq!(
            parsed.ok(),
            Some(AllianceFilter {
                lead_org: Some(lead.to_owned()),
                member_org: Some(lead.to_owned()),
                specialty: Some("50".to_owned()),
            })
        );
        assert_eq!(alliance_filter("").ok(), Some(AllianceFilter::default()));
        for bad in [
            r#"lead_org = "not a code""#,
            r#"member_org = "x""#,
            r#"specialty = "99.99.99""#,
            r#"name = "脑病科""#,
        ] {
            assert!(
                matches!(
                    alliance_filter(bad),
                    Err(app::Error::InvalidArgument {
                        reason: "INVALID_FILTER",
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }
}
