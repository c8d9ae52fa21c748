//! The people of a site: two batches of members who are assigned, arrive, take posts, change terms
//! and leave, and the apprentices the first batch's experts mentor.

use domain::aggregates::batch::{BatchDispatched, MemberAssigned, MemberRole};
use domain::aggregates::deployment::{
    MemberAppointedToPost, MemberArrived, MemberDeparted, MemberTermChanged, Post,
};
use domain::aggregates::mentorship::{
    ApprenticeDeclaredIndependent, ApprenticeMilestoneRecorded, IndependenceScope,
    MentorshipHandedOver, MentorshipPaired, MilestoneKind,
};
use domain::values::{BatchId, DeploymentId, MentorshipId, ProfessionalTitle};
use time::Date;
use time::macros::date;

use super::scenario::Site;
use super::world::{Log, dept, person};

/// Members per batch.
const MEMBERS: u32 = 8;
const TITLES: [u16; 3] = [231, 232, 233];
const DEPARTMENTS: [&str; 6] = ["04.05", "04.01", "03.04", "20", "22", "04.04"];

/// Batch 1 (December 2022 to November 2023, all of whom leave) and batch 2 (December 2023 to
/// November 2024, still on site), then the mentorships of batch 1's experts.
pub(crate) fn teams(log: &mut Log, site: &Site) -> anyhow::Result<()> {
    let first = batch(log, site, 1, date!(2022 - 12 - 01), date!(2023 - 11 - 30))?;
    let second = batch(log, site, 2, date!(2023 - 12 - 01), date!(2024 - 11 - 30))?;
    for (i, member) in first.iter().enumerate() {
        let short = i == 2;
        let departed_on = if short {
            date!(2023 - 04 - 30)
        } else {
            member.planned_end
        };
        log.push(MemberDeparted {
            deployment_id: member.deployment_id,
            recipient_org: site.recipient.clone(),
            departed_on,
            on_site_days: 0,
            reason: None,
            below_minimum: short,
        });
    }
    mentorships(log, site, &first, &second)
}

/// Dispatches a batch; every member is assigned and arrives, two take posts and one's term is cut
/// below the program's minimum.
fn batch(
    log: &mut Log,
    site: &Site,
    number: u32,
    start: Date,
    end: Date,
) -> anyhow::Result<Vec<MemberAssigned>> {
    let id = BatchId {
        pairing: site.pairing,
        number,
    };
    log.push(BatchDispatched {
        batch: id,
        recipient_org: site.recipient.clone(),
        leader: None,
        planned_start: start,
        planned_end: end,
        min_team_size: 1,
        min_senior_members: 0,
    });
    let mut members = Vec::new();
    for i in 0..MEMBERS {
        let member = MemberAssigned {
            batch: id,
            deployment_id: DeploymentId(site.id(10 + number, i)),
            recipient_org: site.recipient.clone(),
            practitioner: person(&format!("p-k{}-b{number}-m{i}", site.k))?,
            home_org: site.supporting.clone(),
            title: ProfessionalTitle::from_code(TITLES[i as usize % TITLES.len()])?,
            specialty: dept(DEPARTMENTS[i as usize % DEPARTMENTS.len()])?,
            role: MemberRole::Clinical,
            planned_start: start,
            planned_end: end,
        };
        log.push(member.clone());
        log.push(MemberArrived {
            deployment_id: member.deployment_id,
            assignment: member.clone(),
            arrived_on: start,
        });
        members.push(member);
    }
    for (i, post, department) in [
        (0, Post::VicePresident, None),
        (1, Post::DepartmentHead, Some(dept(DEPARTMENTS[1])?)),
    ] {
        log.push(MemberAppointedToPost {
            deployment_id: members[i].deployment_id,
            recipient_org: site.recipient.clone(),
            post,
            department,
            from: start,
        });
    }
    log.push(MemberTermChanged {
        deployment_id: members[2].deployment_id,
        recipient_org: site.recipient.clone(),
        new_end: start.saturating_add(time::Duration::days(150)),
        reason: Some("家庭原因".into()),
        below_minimum: true,
        decided_on: start,
    });
    Ok(members)
}

/// Each expert of the first batch mentors one local doctor; the pairs are handed over to the
/// second batch, half record milestones and five apprentices are declared independent.
fn mentorships(
    log: &mut Log,
    site: &Site,
    first: &[MemberAssigned],
    second: &[MemberAssigned],
) -> anyhow::Result<()> {
    for (i, (mentor, successor)) in (0u32..).zip(first.iter().zip(second)) {
        let id = MentorshipId(site.id(20, i));
        let apprentice = person(&format!("p-k{}-local-{i}", site.k))?;
        log.push(MentorshipPaired {
            mentorship_id: id,
            mentor: mentor.practitioner.clone(),
            apprentice: apprentice.clone(),
            recipient_org: site.recipient.clone(),
            department: mentor.specialty.clone(),
            start: mentor.planned_start,
            plan: "导师带徒实施办法".into(),
        });
        if i % 2 == 0 {
            for kind in [MilestoneKind::Lecture, MilestoneKind::WardRound] {
                log.push(ApprenticeMilestoneRecorded {
                    mentorship_id: id,
                    recipient_org: site.recipient.clone(),
                    kind,
                    date: date!(2023 - 03 - 01),
                });
            }
        }
        log.push(MentorshipHandedOver {
            mentorship_id: id,
            recipient_org: site.recipient.clone(),
            from_mentor: mentor.practitioner.clone(),
            to_mentor: successor.practitioner.clone(),
            date: mentor.planned_end,
        });
        if i < 5 {
            log.push(ApprenticeDeclaredIndependent {
                mentorship_id: id,
                recipient_org: site.recipient.clone(),
                apprentice,
                scope: IndependenceScope::Department(mentor.specialty.clone()),
                assessor: successor.practitioner.clone(),
                date: date!(2024 - 06 - 01),
            });
        }
    }
    Ok(())
}
