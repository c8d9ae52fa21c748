//! What the teams did: the technique registry, the collaboration network and the scoreboard.

use api::medaid::v1 as pb;
use api::medaid::v1::collaboration_network_service_client::CollaborationNetworkServiceClient;
use api::medaid::v1::pairing_scoreboard_service_client::PairingScoreboardServiceClient;
use api::medaid::v1::technique_diffusion_service_client::TechniqueDiffusionServiceClient;
use tonic::transport::Channel;

use super::scenario::{EXPERT, Recorded, TECHNIQUE};
use crate::common::{authed, huining, lzu_first};

/// The technique registry, the collaboration network and the scoreboard.
pub(super) async fn check_work(channel: &Channel, t: &str, r: &Recorded) {
    let at = Some(r.last_position);
    let mut techniques = TechniqueDiffusionServiceClient::new(channel.clone());
    let by_technique = |date: &str| pb::ListTechniqueHospitalsRequest {
        subject: Some(pb::list_technique_hospitals_request::Subject::Technique(
            TECHNIQUE.into(),
        )),
        date: date.into(),
        min_position: at,
        ..Default::default()
    };
    let while_on_site = techniques
        .list_technique_hospitals(authed(t, by_technique("2024-09-30")))
        .await
        .unwrap()
        .into_inner();
    assert!(while_on_site.position > r.last_position);
    let entry = while_on_site
        .entries
        .first()
        .expect("the technique's hospital");
    assert_eq!(
        (entry.hospital.as_str(), entry.since.as_str()),
        (huining().as_str(), "2024-09-15")
    );
    assert_eq!(
        (entry.hospital_name.as_str(), entry.department_name.as_str()),
        ("会宁县人民医院", "胸外科专业")
    );
    let introducer = Some(pb::performer::Performer::OnSiteMember(EXPERT.into()));
    assert_eq!(
        entry.introduced_by.as_ref().map(|p| p.performer.clone()),
        Some(introducer)
    );
    assert_eq!(
        entry.sustainability,
        i32::from(pb::Sustainability::IntroducerOnSite)
    );
    // The expert left at the end of 2024 and nobody was declared independent in the technique.
    let after = techniques
        .list_technique_hospitals(authed(t, by_technique("2025-06-01")))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        after.entries.first().map(|e| e.sustainability),
        Some(i32::from(pb::Sustainability::AtRisk))
    );
    let by_hospital = pb::ListTechniqueHospitalsRequest {
        subject: Some(pb::list_technique_hospitals_request::Subject::Hospital(
            huining(),
        )),
        date: "2024-09-30".into(),
        min_position: at,
        ..Default::default()
    };
    let at_huining = techniques
        .list_technique_hospitals(authed(t, by_hospital))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        at_huining
            .entries
            .iter()
            .map(|e| e.technique.as_str())
            .collect::<Vec<_>>(),
        [TECHNIQUE]
    );
    let gaps = |filter: &str| pb::ListGapFillsRequest {
        filter: filter.into(),
        min_position: at,
        ..Default::default()
    };
    let county = techniques
        .list_gap_fills(authed(t, gaps("level = GAP_LEVEL_COUNTY")))
        .await
        .unwrap()
        .into_inner();
    let gap = county
        .gap_fills
        .first()
        .and_then(|g| g.gap.clone())
        .expect("the county gap");
    assert_eq!(
        (gap.level, gap.region.as_str(), gap.technique.as_str()),
        (i32::from(pb::GapLevel::County), "620422", TECHNIQUE)
    );
    assert_eq!(
        county.gap_fills.first().map(|g| g.hospital_name.as_str()),
        Some("会宁县人民医院")
    );
    let province = techniques
        .list_gap_fills(authed(t, gaps(r#"region = "620000""#)))
        .await
        .unwrap()
        .into_inner();
    assert!(province.gap_fills.is_empty());
    // The level filter is applied too: the one gap is a county gap, not a provincial one.
    let provincial = techniques
        .list_gap_fills(authed(t, gaps("level = GAP_LEVEL_PROVINCE")))
        .await
        .unwrap()
        .into_inner();
    assert!(provincial.gap_fills.is_empty());
    let counts = techniques
        .get_gap_counts(authed(t, pb::GetGapCountsRequest { min_position: at }))
        .await
        .unwrap()
        .into_inner();
    let counts: Vec<(&str, u64)> = counts
        .counts
        .iter()
        .map(|c| (c.region.as_str(), c.filled))
        .collect();
    assert_eq!(counts, [("620422", 1)]);

    let mut network = CollaborationNetworkServiceClient::new(channel.clone());
    let alliances = network
        .list_alliances(authed(
            t,
            pb::ListAlliancesRequest {
                min_position: at,
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let alliance = alliances.alliances.first().expect("the alliance");
    assert_eq!(alliance.lead_org, lzu_first());
    assert_eq!(
        (
            alliance.specialty_name.as_str(),
            alliance.specialty_sub_code.as_str()
        ),
        ("胸外科专业", ""),
        "no name of its own: named after its department"
    );
    // Issue 9 item 8: the filters by lead, member and specialty.
    for (filter, expected) in [
        (format!(r#"lead_org = "{}""#, lzu_first()), 1),
        (format!(r#"member_org = "{}""#, huining()), 1),
        (format!(r#"member_org = "{}""#, lzu_first()), 0),
        (r#"specialty = "04""#.to_owned(), 1),
        (r#"specialty = "50""#.to_owned(), 0),
    ] {
        let listed = network
            .list_alliances(authed(
                t,
                pb::ListAlliancesRequest {
                    filter: filter.clone(),
                    min_position: at,
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(listed.alliances.len(), expected, "{filter}");
    }
    let refused = network
        .list_alliances(authed(
            t,
            pb::ListAlliancesRequest {
                filter: r#"specialty_name = "脑病科""#.into(),
                min_position: at,
                ..Default::default()
            },
        ))
        .await
        .unwrap_err();
    crate::common::assert_refused(&refused, tonic::Code::InvalidArgument, "INVALID_FILTER");
    let members: Vec<(&str, i32)> = alliance
        .members
        .iter()
        .map(|m| (m.org.as_str(), m.tier))
        .collect();
    assert_eq!(
        members,
        [(huining().as_str(), i32::from(pb::AllianceTier::County))]
    );
    // Names beside the codes.
    assert_eq!(
        (
            alliance.lead_org_name.as_str(),
            alliance.member_names.clone()
        ),
        (
            "兰州大学第一医院",
            vec![pb::OrganisationName {
                org: huining(),
                name: "会宁县人民医院".into()
            }]
        )
    );
    let platforms = |filter: &str| pb::ListPlatformsRequest {
        filter: filter.into(),
        min_position: at,
        ..Default::default()
    };
    let co_built = network
        .list_platforms(authed(
            t,
            platforms("kind = PLATFORM_KIND_CO_BUILT_DEPARTMENT"),
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        co_built
            .platforms
            .iter()
            .map(|p| p.host_org.as_str())
            .collect::<Vec<_>>(),
        [huining()]
    );
    let named: Vec<(&str, &str)> = co_built
        .platforms
        .iter()
        .map(|p| (p.host_org_name.as_str(), p.specialty_name.as_str()))
        .collect();
    assert_eq!(named, [("会宁县人民医院", "胸外科专业")]);
    let bases = network
        .list_platforms(authed(t, platforms("kind = PLATFORM_KIND_TRAINING_BASE")))
        .await
        .unwrap()
        .into_inner();
    assert!(bases.platforms.is_empty());
    let flows = network
        .get_study_flows(authed(t, pb::GetStudyFlowsRequest { min_position: at }))
        .await
        .unwrap()
        .into_inner();
    let flow_names: Vec<(&str, &str)> = flows
        .flows
        .iter()
        .map(|f| (f.trainee_org_name.as_str(), f.host_org_name.as_str()))
        .collect();
    assert_eq!(flow_names, [("会宁县人民医院", "兰州大学第一医院")]);
    let flows: Vec<(&str, &str, u64, u64)> = flows
        .flows
        .iter()
        .map(|f| {
            (
                f.trainee_org.as_str(),
                f.host_org.as_str(),
                f.started,
                f.completed,
            )
        })
        .collect();
    assert_eq!(flows, [(huining().as_str(), lzu_first().as_str(), 1, 1)]);
    let links = network
        .get_organisation_links(authed(
            t,
            pb::GetOrganisationLinksRequest {
                org: huining(),
                min_position: at,
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let mut kinds: Vec<i32> = links
        .links
        .iter()
        .filter(|l| l.other_org == lzu_first())
        .map(|l| l.kind)
        .collect();
    kinds.sort_unstable();
    assert!(
        links
            .links
            .iter()
            .filter(|l| l.other_org == lzu_first())
            .all(|l| l.other_org_name == "兰州大学第一医院")
    );
    let expected = [
        pb::LinkKind::Pairing,
        pb::LinkKind::Alliance,
        pb::LinkKind::Platform,
        pb::LinkKind::Study,
    ];
    assert_eq!(kinds, expected.map(i32::from));

    let mut scoreboards = PairingScoreboardServiceClient::new(channel.clone());
    let board = scoreboards
        .get_pairing_scoreboard(authed(
            t,
            pb::GetPairingScoreboardRequest {
                pairing_id: r.pairing_id.clone(),
                min_position: at,
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(board.position > r.last_position);
    let s = board.scoreboard.expect("a scoreboard");
    assert_eq!(
        (s.pairings, s.supporting_hospitals, s.recipient_hospitals),
        (1, 1, 1)
    );
    // The pairing's parties with the names they were registered under.
    assert_eq!(
        (s.recipient_org.clone(), s.supporting_orgs.clone()),
        (
            Some(pb::OrganisationName {
                org: huining(),
                name: "会宁县人民医院".into()
            }),
            vec![pb::OrganisationName {
                org: lzu_first(),
                name: "兰州大学第一医院".into()
            }]
        )
    );
    assert_eq!((s.staff_people, s.staff_terms, s.trainings), (2, 2, 1));
    assert_eq!(
        (
            s.techniques,
            s.gaps_filled,
            s.alliances,
            s.platforms,
            s.co_built_departments
        ),
        (1, 1, 1, 1, 1)
    );
    let at_least = i32::from(pb::CountComparator::AtLeast);
    assert_eq!(
        s.surgeries.map(|c| (c.value, c.comparator)),
        Some((120, at_least)),
        "120余 stays at least"
    );
    let exact = i32::from(pb::CountComparator::Exact);
    assert_eq!(
        s.training_attendees.map(|c| (c.value, c.comparator)),
        Some((30, exact))
    );
    assert_eq!(s.funding_fen, 50_000_000);
    let children = scoreboards
        .list_child_scoreboards(authed(
            t,
            pb::ListChildScoreboardsRequest {
                pairing_id: r.pairing_id.clone(),
                min_position: at,
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(children.scoreboards.is_empty() && children.next_page_token.is_empty());
}
