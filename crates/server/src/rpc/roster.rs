//! `medaid.v1.OnSiteRosterService` (`roster_service.proto`): who is on site at a hospital on a
//! day, batch and group staffing, and terms below the minimum.

use api::medaid::v1 as pb;
use api::medaid::v1::on_site_roster_service_server::OnSiteRosterService;
use read_models::roster::{
    self, BatchOnSite, GroupStaffing, HeldPost, OnSiteMember, OrgStaffing, RosterFilter, ShortTerm,
};
use read_models::{Answer, PageRequest};
use tonic::Status;

use super::enums::{ProtoEnum, filter_value};
use super::read::answer::{day, day_or_today, practitioner_name, small};
use super::read::filter::{self, value};
use super::read::{GetRpc, ListRpc, read_service};
use crate::convert::fields::department;
use crate::status::{from_app_error, invalid_field};

read_service!(OnSiteRosterService {
    list_on_site_members: list ListOnSiteMembers(ListOnSiteMembersRequest) -> ListOnSiteMembersResponse;
    get_site_staffing: get GetSiteStaffing(GetSiteStaffingRequest) -> GetSiteStaffingResponse;
    list_short_terms: list ListShortTerms(ListShortTermsRequest) -> ListShortTermsResponse;
});

impl ListRpc for ListOnSiteMembers {
    type Item = OnSiteMember;
    type Query = roster::OnSiteMembers;

    fn token_key(req: &pb::ListOnSiteMembersRequest) -> Vec<&str> {
        // The token is bound to the date as sent: a list of "today" continues on the day it is read.
        vec![&req.hospital, &req.date, &req.filter]
    }

    fn query(req: &pb::ListOnSiteMembersRequest, page: PageRequest) -> Result<Self::Query, Status> {
        Ok(roster::OnSiteMembers {
            hospital: req.hospital.clone(),
            date: day_or_today("date", &req.date).map_err(|e| invalid_field(&e))?,
            filter: roster_filter(&req.filter).map_err(from_app_error)?,
            page,
        })
    }

    fn respond(
        members: Vec<OnSiteMember>,
        next_page_token: String,
        position: u64,
    ) -> pb::ListOnSiteMembersResponse {
        pb::ListOnSiteMembersResponse {
            members: members.iter().map(on_site_member).collect(),
            next_page_token,
            position,
        }
    }
}

impl GetRpc for GetSiteStaffing {
    type Query = roster::SiteStaffing;

    fn query(req: &pb::GetSiteStaffingRequest) -> Result<Self::Query, Status> {
        Ok(roster::SiteStaffing {
            hospital: req.hospital.clone(),
            date: day_or_today("date", &req.date).map_err(|e| invalid_field(&e))?,
        })
    }

    fn respond(answer: Answer<roster::Staffing>) -> pb::GetSiteStaffingResponse {
        pb::GetSiteStaffingResponse {
            batches: answer.value.batches.iter().map(batch_on_site).collect(),
            groups: answer.value.groups.iter().map(group_staffing).collect(),
            position: answer.position,
        }
    }
}

impl ListRpc for ListShortTerms {
    type Item = ShortTerm;
    type Query = roster::ShortTerms;

    fn token_key(req: &pb::ListShortTermsRequest) -> Vec<&str> {
        vec![&req.hospital]
    }

    fn query(req: &pb::ListShortTermsRequest, page: PageRequest) -> Result<Self::Query, Status> {
        Ok(roster::ShortTerms {
            hospital: req.hospital.clone(),
            page,
        })
    }

    fn respond(
        short_terms: Vec<ShortTerm>,
        next_page_token: String,
        position: u64,
    ) -> pb::ListShortTermsResponse {
        pb::ListShortTermsResponse {
            short_terms: short_terms.iter().map(short_term).collect(),
            next_page_token,
            position,
        }
    }
}

/// The keys `ListOnSiteMembersRequest.filter` accepts.
const KEYS: &[&str] = &[
    "batch_number",
    "department",
    "title_code",
    "post",
    "presence",
];

/// Parses `ListOnSiteMembersRequest.filter` into the read model's filter.
fn roster_filter(text: &str) -> Result<RosterFilter, app::Error> {
    let terms = filter::parse(text, KEYS)?;
    let number = |key: &str| -> Result<Option<u64>, app::Error> {
        value(&terms, key)
            .map(|v| {
                v.parse::<u64>()
                    .map_err(|_| filter::invalid(format!("{key} = {v:?} is not a number")))
            })
            .transpose()
    };
    let batch_number = number("batch_number")?
        .map(|n| {
            u32::try_from(n).map_err(|_| filter::invalid(format!("batch_number {n} is too large")))
        })
        .transpose()?;
    let title_code = number("title_code")?
        .map(|n| {
            u16::try_from(n).map_err(|_| filter::invalid(format!("title_code {n} is too large")))
        })
        .transpose()?;
    let department = value(&terms, "department")
        .map(|code| {
            department("filter", code)
                .map(|d| d.code().to_owned())
                .map_err(|e| filter::invalid(format!("department = {code:?}: {e}")))
        })
        .transpose()?;
    let post = value(&terms, "post")
        .map(|v| {
            filter_value(v)
                .ok_or_else(|| filter::invalid(format!("post = {v:?} is not a Post value name")))
        })
        .transpose()?;
    let presence = value(&terms, "presence")
        .map(|v| {
            filter_value(v).ok_or_else(|| {
                filter::invalid(format!("presence = {v:?} is not a Presence value name"))
            })
        })
        .transpose()?;
    Ok(RosterFilter {
        batch_number,
        department,
        title_code,
        post,
        presence,
    })
}

fn held_post(post: &HeldPost) -> pb::HeldPost {
    pb::HeldPost {
        post: post.post.to_wire(),
        department: post.department.clone().unwrap_or_default(),
        held_from: day(post.from),
        department_name: post.department_name.to_owned(),
    }
}

/// One member on site.
fn on_site_member(m: &OnSiteMember) -> pb::OnSiteMember {
    pb::OnSiteMember {
        deployment_id: m.deployment_id.clone(),
        practitioner: m.practitioner.clone(),
        home_org: m.home_org.clone(),
        pairing_id: m.pairing_id.clone(),
        batch_number: m.batch_number,
        title_code: u32::from(m.title_code),
        title_name: m.title_name.clone(),
        department: m.department.clone(),
        role: m.role.to_wire(),
        posts: m.posts.iter().map(held_post).collect(),
        arrived_on: day(m.arrived),
        last_day: day(m.last_day),
        days_remaining: m.days_remaining,
        below_minimum_term: m.below_minimum_term,
        presence: m.presence.to_wire(),
        practitioner_name: Some(practitioner_name(&m.practitioner, &m.name)),
        home_org_name: m.home_org_name.clone(),
        department_name: m.department_name.to_owned(),
    }
}

/// One batch with members on site.
fn batch_on_site(b: &BatchOnSite) -> pb::BatchOnSite {
    pb::BatchOnSite {
        pairing_id: b.pairing_id.clone(),
        batch_number: b.batch_number,
        members_on_site: small(b.members),
    }
}

fn org_staffing(o: &OrgStaffing) -> pb::OrgStaffing {
    pb::OrgStaffing {
        org: o.org.clone(),
        role: o.role.to_wire(),
        min_staff: o.min_staff,
        on_site: o.on_site,
        org_name: o.org_name.clone(),
    }
}

/// One 1+N对1 group's staffing.
fn group_staffing(g: &GroupStaffing) -> pb::GroupStaffing {
    pb::GroupStaffing {
        pairing_id: g.pairing_id.clone(),
        lead_org: g.lead_org.clone(),
        orgs: g.orgs.iter().map(org_staffing).collect(),
        staffed: g.staffed,
        lead_org_name: g.lead_org_name.clone(),
    }
}

/// One term below the minimum.
fn short_term(s: &ShortTerm) -> pb::ShortTerm {
    pb::ShortTerm {
        deployment_id: s.deployment_id.clone(),
        practitioner: s.practitioner.clone(),
        arrived_on: day(s.arrived),
        last_day: day(s.last_day),
        min_term_months: s.min_term_months,
    }
}

#[cfg(test)]
mod tests {
    use domain::aggregates::deployment::Post;
    use domain::facts::Presence;

    use super::*;

    #[test]
    fn the_filter_becomes_the_read_models_filter() {
        let parsed = roster_filter(
            r#"batch_number = 2 AND department = "04" AND title_code = 232 AND post = POST_DEPARTMENT_HEAD AND presence = PRESENCE_DEPARTURE_UNCONFIRMED"#,
        );
        assert_eq!(
            parsed.ok(),
            Some(RosterFilter {
                batch_number: Some(2),
                department: Some("04".to_owned()),
                title_code: Some(232),
                post: Some(Post::DepartmentHead),
                presence: Some(Presence::DepartureUnconfirmed),
            })
        );
        assert_eq!(roster_filter("").ok(), Some(RosterFilter::default()));
    }

    #[test]
    fn bad_values_are_invalid_filters() {
        for text in [
            "batch_number = two",
            "batch_number = 99999999999",
            "title_code = 70000",
            r#"department = "99.99.99""#,
            "post = POST_DEAN",
            "presence = PRESENCE_UNSPECIFIED",
            "presence = gone",
        ] {
            assert!(
                matches!(
                    roster_filter(text),
                    Err(app::Error::InvalidArgument {
                        reason: "INVALID_FILTER",
                        ..
                    })
                ),
                "{text}"
            );
        }
    }
}
