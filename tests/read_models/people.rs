//! Who is where: the on-site roster, the batch timeline and the mentorship board.

use api::medaid::v1 as pb;
use api::medaid::v1::batch_timeline_service_client::BatchTimelineServiceClient;
use api::medaid::v1::mentorship_board_service_client::MentorshipBoardServiceClient;
use tonic::transport::Channel;

use super::scenario::{EXPERT, Recorded, SECOND};
use super::{on_site, practitioners, roster};
use crate::common::{authed, huining};

/// The roster, the batch timeline and the mentorship board.
pub(super) async fn check_people(channel: &Channel, t: &str, r: &Recorded) {
    let at = Some(r.last_position);
    let reply = roster(channel)
        .list_on_site_members(authed(t, on_site(r, "2024-09-15", "")))
        .await
        .unwrap()
        .into_inner();
    assert!(
        reply.position > r.last_position,
        "{} <= {}",
        reply.position,
        r.last_position
    );
    assert_eq!(practitioners(&reply), [EXPERT]);
    let expert = &reply.members[0];
    // The directory's name beside the id.
    assert_eq!(
        expert.practitioner_name,
        Some(pb::PractitionerName {
            practitioner: EXPERT.into(),
            name: "胡文滕".into(),
            erased: false,
        })
    );
    assert_eq!(
        (
            expert.batch_number,
            expert.title_code,
            expert.department.as_str()
        ),
        (1, 233, "04.05")
    );
    assert_eq!(
        (
            expert.arrived_on.as_str(),
            expert.last_day.as_str(),
            expert.days_remaining
        ),
        ("2024-01-01", "2024-12-31", 107)
    );
    assert_eq!(
        expert.posts.first().map(|p| p.post),
        Some(pb::Post::DepartmentHead.into())
    );
    // Names beside the codes: the home hospital as registered, title and department from their
    // code tables, also for the post's department.
    assert_eq!(
        (
            expert.home_org_name.as_str(),
            expert.title_name.as_str(),
            expert.department_name.as_str(),
            expert.posts.first().map(|p| p.department_name.as_str()),
        ),
        (
            "兰州大学第一医院",
            "主治医师",
            "胸外科专业",
            Some("胸外科专业")
        )
    );
    assert_eq!(expert.role, i32::from(pb::MemberRole::Clinical));
    let december = roster(channel)
        .list_on_site_members(authed(t, on_site(r, "2024-12-01", "")))
        .await
        .unwrap()
        .into_inner();
    let mut names = practitioners(&december);
    names.sort_unstable();
    assert_eq!(names, [EXPERT, SECOND]);
    for (filter, expected) in [
        ("batch_number = 2", SECOND),
        ("post = POST_DEPARTMENT_HEAD", EXPERT),
        (r#"department = "03""#, SECOND),
    ] {
        let filtered = roster(channel)
            .list_on_site_members(authed(t, on_site(r, "2024-12-01", filter)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(practitioners(&filtered), [expected], "{filter}");
    }
    // Issue 9 item 7: past the planned end (2025-10-31) with no departure recorded, the second
    // member is no longer on site but "departure unconfirmed"; the expert, whose departure was
    // recorded, has departed.
    for (filter, expected, presence) in [
        ("", None, pb::Presence::OnSite),
        (
            "presence = PRESENCE_DEPARTURE_UNCONFIRMED",
            Some(SECOND),
            pb::Presence::DepartureUnconfirmed,
        ),
        ("presence = DEPARTED", Some(EXPERT), pb::Presence::Departed),
    ] {
        let listed = roster(channel)
            .list_on_site_members(authed(t, on_site(r, "2026-01-01", filter)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            practitioners(&listed),
            expected.into_iter().collect::<Vec<_>>(),
            "{filter}"
        );
        assert!(
            listed
                .members
                .iter()
                .all(|m| m.presence == i32::from(presence) && m.days_remaining < 0),
            "{filter}"
        );
    }
    let staffing = roster(channel)
        .get_site_staffing(authed(
            t,
            pb::GetSiteStaffingRequest {
                hospital: huining(),
                date: "2024-12-01".into(),
                min_position: at,
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let batches: Vec<(u32, u32)> = staffing
        .batches
        .iter()
        .map(|b| (b.batch_number, b.members_on_site))
        .collect();
    assert_eq!(batches, [(1, 1), (2, 1)]);
    assert!(staffing.groups.is_empty(), "no 1+N对1 group was formed");
    let short = roster(channel)
        .list_short_terms(authed(
            t,
            pb::ListShortTermsRequest {
                hospital: huining(),
                min_position: at,
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(short.short_terms.is_empty(), "{:?}", short.short_terms);

    let mut timeline = BatchTimelineServiceClient::new(channel.clone());
    let batches = timeline
        .list_batches(authed(
            t,
            pb::ListBatchesRequest {
                pairing_id: r.pairing_id.clone(),
                min_position: at,
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let numbers: Vec<u32> = batches.batches.iter().map(|b| b.batch_number).collect();
    assert_eq!(numbers, [1, 2]);
    assert_eq!(batches.batches[0].recipient_org_name, "会宁县人民医院");
    assert_eq!(
        batches.batches[0]
            .members
            .first()
            .map(|m| (m.title_name.as_str(), m.department_name.as_str())),
        Some(("主治医师", "胸外科专业"))
    );
    assert_eq!(
        batches.batches[1]
            .members
            .first()
            .map(|m| (m.practitioner.as_str(), m.departure_recorded)),
        Some((SECOND, false))
    );
    assert_eq!(
        batches.batches[0]
            .members
            .first()
            .map(|m| (m.last_day.as_str(), m.departure_recorded)),
        Some(("2024-12-31", true))
    );
    let overlaps = timeline
        .get_batch_overlaps(authed(
            t,
            pb::GetBatchOverlapsRequest {
                pairing_id: r.pairing_id.clone(),
                min_position: at,
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let overlap = overlaps.overlaps.first().map(|o| {
        (
            o.earlier_batch,
            o.later_batch,
            o.start.as_str(),
            o.end.as_str(),
        )
    });
    assert_eq!(overlap, Some((1, 2, "2024-11-01", "2024-12-31")));
    let handover = overlaps
        .handovers
        .first()
        .map(|h| (h.from_batch, h.to_batch, h.shared_days));
    assert_eq!(handover, Some((1, 2, 61)));

    let mut mentorship = MentorshipBoardServiceClient::new(channel.clone());
    let board = mentorship
        .get_mentorship_board(authed(
            t,
            pb::GetMentorshipBoardRequest {
                hospital: huining(),
                date: "2024-12-01".into(),
                min_position: at,
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (board.pairs, board.independent),
        (2, 1),
        "1 of 2 apprentices independent"
    );
    // Every practitioner the board names, with the directory's name (resident 2 is not in it).
    let names: Vec<(&str, &str)> = board
        .names
        .iter()
        .map(|n| (n.practitioner.as_str(), n.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("huining-resident-1", "王顺成"),
            ("huining-resident-2", ""),
            (EXPERT, "胡文滕")
        ]
    );
    assert_eq!(
        board
            .mentors
            .first()
            .map(|m| (m.mentor.as_str(), m.ratio_limit)),
        Some((EXPERT, Some(2)))
    );
    assert_eq!(
        board.independence.first().map(|i| i.mentorship_id.as_str()),
        Some(r.first_mentorship.as_str())
    );
    let milestones = mentorship
        .get_mentorship_milestones(authed(
            t,
            pb::GetMentorshipMilestonesRequest {
                mentorship_id: r.first_mentorship.clone(),
                min_position: at,
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let kinds: Vec<(i32, &str)> = milestones
        .milestones
        .iter()
        .map(|m| (m.kind, m.date.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [(
            i32::from(pb::MilestoneKind::SupervisedSurgery),
            "2024-10-01"
        )]
    );
}
