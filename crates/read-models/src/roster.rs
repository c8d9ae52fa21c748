//! On-site roster.
//!
//! - Who is at hospital X on day D, by batch, title, post and department, with days remaining?
//!   (On site by the domain's one rule, `domain::facts::Term::presence`; a member past the planned
//!   end with no departure recorded is listed only when asked for as departure unconfirmed.)
//! - Which batches are on site together on day D (e.g. 第三批 and 第四批)?
//! - Who serves (or is planned to serve) less than the program's minimum term?
//! - Does each 1+N对1 group keep its minimum staffing (lead ≥ N, each assisting ≥ M) on day D?

use std::collections::BTreeMap;

use domain::aggregates::batch::MemberRole;
use domain::aggregates::deployment::Post;
use domain::facts::Presence;
use sqlx::AnyPool;
use time::Date;

use crate::dates::parse;
use crate::fact::{FactProjection, tables as t};
use crate::names::{department_name, org_name, org_names, title_name};
use crate::page::{
    Answer, Page, PageRequest, QueryError, fetch, int, opt_text, paginate, tag, text,
};
use crate::practitioners::{DisplayName, display_names};
use crate::query::{Query, Subject, View, Visible};
use crate::stints::{self, Stint};

pub static PROJECTION: FactProjection = FactProjection {
    name: "on_site_roster",
    version: 4,
    tables: &[
        &t::PAIRING,
        &t::GROUP_ORG,
        &t::HOSPITAL,
        &t::ASSIGNMENT,
        &t::ARRIVAL,
        &t::POST,
        &t::TERM_CHANGE,
        &t::DEPARTURE,
        &t::PRACTITIONER,
        &t::PRACTITIONER_CHANGE,
        &t::PERSONAL_ERASURE,
    ],
};

/// Narrows the roster; empty fields match every member.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RosterFilter {
    pub batch_number: Option<u32>,
    /// A department code such as `04.05`; a first-level code (`04`) matches its sub-departments.
    pub department: Option<String>,
    pub title_code: Option<u16>,
    /// A post held on the day.
    pub post: Option<Post>,
    /// Where the members listed stand on the day; `None` means [`Presence::OnSite`].
    pub presence: Option<Presence>,
}

impl RosterFilter {
    /// The presence the listed members have on the day.
    fn presence(&self) -> Presence {
        self.presence.unwrap_or(Presence::OnSite)
    }

    fn matches(&self, m: &OnSiteMember) -> bool {
        self.batch_number.is_none_or(|b| b == m.batch_number)
            && self
                .department
                .as_deref()
                .is_none_or(|d| m.department == d || m.department.starts_with(&format!("{d}.")))
            && self.title_code.is_none_or(|t| t == m.title_code)
            && self
                .post
                .is_none_or(|p| m.posts.iter().any(|held| held.post == p))
    }
}

/// A post held on the roster's day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldPost {
    pub post: Post,
    pub department: Option<String>,
    /// The department's name (empty for a post of the whole hospital).
    pub department_name: &'static str,
    pub from: Date,
}

/// One member on site (or, when the filter asks, with another presence on the day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnSiteMember {
    pub deployment_id: String,
    pub practitioner: String,
    pub home_org: String,
    /// The home organisation's registered name (empty when not registered).
    pub home_org_name: String,
    pub pairing_id: String,
    pub batch_number: u32,
    pub title_code: u16,
    /// e.g. 副主任医师.
    pub title_name: String,
    pub department: String,
    /// e.g. 胸外科专业.
    pub department_name: &'static str,
    pub role: MemberRole,
    pub posts: Vec<HeldPost>,
    pub arrived: Date,
    pub last_day: Date,
    /// Days from the roster's day to the last day (planned or actual), 0 on the last day.
    pub days_remaining: i64,
    pub below_minimum_term: bool,
    /// Where the member stands on the roster's day.
    pub presence: Presence,
    /// The member's name from the directory (empty when not registered or erased).
    pub name: DisplayName,
}

/// A term shorter than the program's minimum (as planned, as served, or flagged when decided).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortTerm {
    pub deployment_id: String,
    pub practitioner: String,
    pub arrived: Date,
    pub last_day: Date,
    pub min_term_months: Option<u32>,
}

/// A batch with members on site on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchOnSite {
    pub pairing_id: String,
    pub batch_number: u32,
    pub members: usize,
}

/// The part an organisation plays in a 1+N对1 group: the one lead hospital or one of the N
/// assisting ones (stored by this tag in the group fact table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupRole {
    Lead,
    Assisting,
}

/// The staffing of one organisation of a 1+N对1 group on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgStaffing {
    pub org: String,
    /// The organisation's registered name (empty when not registered).
    pub org_name: String,
    pub role: GroupRole,
    pub min_staff: u32,
    pub on_site: u32,
}

/// One group and whether every organisation keeps its minimum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupStaffing {
    pub pairing_id: String,
    pub lead_org: String,
    /// The lead organisation's registered name (empty when not registered).
    pub lead_org_name: String,
    pub orgs: Vec<OrgStaffing>,
    pub staffed: bool,
}

/// The members at `hospital` whose presence on `date` is `presence`.
async fn members(
    pool: &AnyPool,
    prefix: &str,
    hospital: &str,
    date: Date,
    presence: Presence,
) -> Result<Vec<OnSiteMember>, QueryError> {
    let stints: Vec<Stint> = stints::load(pool, prefix, Some(hospital))
        .await?
        .into_iter()
        .filter(|s| s.presence(date) == presence)
        .collect();
    let mut posts: BTreeMap<String, Vec<HeldPost>> = BTreeMap::new();
    for row in fetch(
        pool,
        prefix,
        "SELECT deployment_id, post, department, from_on FROM {p}post WHERE recipient_org = $1 ORDER BY src_version",
        &[hospital],
    )
    .await?
    {
        let from = parse(&text(&row, "from_on")?)?;
        if from <= date {
            let department = opt_text(&row, "department")?;
            posts
                .entry(text(&row, "deployment_id")?)
                .or_default()
                .push(HeldPost {
                    post: tag(&row, "post")?,
                    department_name: department.as_deref().map_or("", department_name),
                    department,
                    from,
                });
        }
    }
    Ok(stints
        .into_iter()
        .map(|s| OnSiteMember {
            title_name: title_name(s.title).to_owned(),
            department_name: department_name(&s.specialty),
            home_org_name: String::new(),
            posts: posts.remove(&s.deployment_id).unwrap_or_default(),
            days_remaining: (s.last_day() - date).whole_days(),
            below_minimum_term: s.below_minimum(),
            last_day: s.last_day(),
            presence,
            deployment_id: s.deployment_id,
            practitioner: s.practitioner,
            home_org: s.home_org,
            pairing_id: s.pairing_id,
            batch_number: s.batch_number,
            title_code: s.title,
            department: s.specialty,
            role: s.role,
            arrived: s.arrived,
            name: DisplayName::default(),
        })
        .collect())
}

/// Who is on site at `hospital` on `date` (narrowed by `filter`), ordered by batch, department and
/// practitioner.
pub async fn on_site(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
    hospital: &str,
    date: Date,
    filter: &RosterFilter,
    page: &PageRequest,
) -> Result<Page<OnSiteMember>, QueryError> {
    let mut all = members(pool, prefix, hospital, date, filter.presence()).await?;
    all.retain(|m| filter.matches(m));
    let mut page = paginate(
        all,
        |m| {
            format!(
                "{:010}|{}|{}|{}",
                m.batch_number, m.department, m.practitioner, m.deployment_id
            )
        },
        page,
        position,
    )?;
    // Names for the page only: each opens a sealed record with its key.
    let names = display_names(
        pool,
        prefix,
        page.items.iter().map(|m| m.practitioner.as_str()),
    )
    .await?;
    let orgs = org_names(pool, prefix, page.items.iter().map(|m| m.home_org.as_str())).await?;
    for member in &mut page.items {
        member.name = names.get(&member.practitioner).cloned().unwrap_or_default();
        member.home_org_name = org_name(&orgs, &member.home_org);
    }
    Ok(page)
}

/// The batches with members on site at `hospital` on `date`, by pairing and number.
pub async fn batches_on_site(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
    hospital: &str,
    date: Date,
) -> Result<Answer<Vec<BatchOnSite>>, QueryError> {
    let mut batches: BTreeMap<(String, u32), usize> = BTreeMap::new();
    for m in members(pool, prefix, hospital, date, Presence::OnSite).await? {
        *batches.entry((m.pairing_id, m.batch_number)).or_default() += 1;
    }
    let value = batches
        .into_iter()
        .map(|((pairing_id, batch_number), members)| BatchOnSite {
            pairing_id,
            batch_number,
            members,
        })
        .collect();
    Ok(Answer { position, value })
}

/// Every term at `hospital` (past, current or planned) shorter than the program's minimum.
pub async fn below_minimum_term(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
    hospital: &str,
    page: &PageRequest,
) -> Result<Page<ShortTerm>, QueryError> {
    let below: Vec<ShortTerm> = stints::load(pool, prefix, Some(hospital))
        .await?
        .into_iter()
        .filter(Stint::below_minimum)
        .map(|s| ShortTerm {
            last_day: s.last_day(),
            deployment_id: s.deployment_id,
            practitioner: s.practitioner,
            arrived: s.arrived,
            min_term_months: s.min_term_months,
        })
        .collect();
    paginate(below, |b| b.deployment_id.clone(), page, position)
}

/// For each 1+N对1 group at `hospital`: members on site from each organisation against its minimum.
pub async fn group_staffing(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
    hospital: &str,
    date: Date,
) -> Result<Answer<Vec<GroupStaffing>>, QueryError> {
    let on_site = members(pool, prefix, hospital, date, Presence::OnSite).await?;
    let mut groups: BTreeMap<(String, i64), GroupStaffing> = BTreeMap::new();
    for row in fetch(
        pool,
        prefix,
        "SELECT * FROM {p}group_org WHERE recipient_org = $1 ORDER BY src_stream, src_version, seq",
        &[hospital],
    )
    .await?
    {
        let key = (text(&row, "src_stream")?, int(&row, "src_version")?);
        let org = text(&row, "org")?;
        let min_staff = u32::try_from(int(&row, "min_staff")?).unwrap_or(u32::MAX);
        let count = on_site.iter().filter(|m| m.home_org == org).count();
        let group = groups.entry(key).or_insert(GroupStaffing {
            pairing_id: text(&row, "pairing_id")?,
            lead_org: text(&row, "lead_org")?,
            lead_org_name: String::new(),
            orgs: Vec::new(),
            staffed: true,
        });
        let on_site = u32::try_from(count).unwrap_or(u32::MAX);
        group.staffed &= on_site >= min_staff;
        group.orgs.push(OrgStaffing {
            org,
            org_name: String::new(),
            role: tag(&row, "role")?,
            min_staff,
            on_site,
        });
    }
    let mut groups: Vec<GroupStaffing> = groups.into_values().collect();
    // Collected first: the future must be Send, which an iterator of closures over borrows is not.
    let orgs: Vec<&str> = groups
        .iter()
        .flat_map(|g| {
            g.orgs
                .iter()
                .map(|o| o.org.as_str())
                .chain([g.lead_org.as_str()])
        })
        .collect();
    let names = org_names(pool, prefix, orgs).await?;
    for group in &mut groups {
        group.lead_org_name = org_name(&names, &group.lead_org);
        for org in &mut group.orgs {
            org.org_name = org_name(&names, &org.org);
        }
    }
    Ok(Answer {
        position,
        value: groups,
    })
}

/// `ListOnSiteMembers`: who is on site at `hospital` on `date`, narrowed by `filter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnSiteMembers {
    pub hospital: String,
    pub date: Date,
    pub filter: RosterFilter,
    pub page: PageRequest,
}

impl Query for OnSiteMembers {
    type Answer = Page<OnSiteMember>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        Subject::Org {
            field: "hospital",
            org: &self.hospital,
        }
    }

    async fn run(&self, v: View<'_>, _: Visible<'_>) -> Result<Self::Answer, QueryError> {
        on_site(
            v.pool,
            v.prefix,
            v.position,
            &self.hospital,
            self.date,
            &self.filter,
            &self.page,
        )
        .await
    }
}

/// `GetSiteStaffing`: the batches on site at `hospital` on `date` and each group's staffing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteStaffing {
    pub hospital: String,
    pub date: Date,
}

/// The two halves of [`SiteStaffing`], read from the same tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staffing {
    pub batches: Vec<BatchOnSite>,
    pub groups: Vec<GroupStaffing>,
}

impl Query for SiteStaffing {
    type Answer = Answer<Staffing>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        Subject::Org {
            field: "hospital",
            org: &self.hospital,
        }
    }

    async fn run(&self, v: View<'_>, _: Visible<'_>) -> Result<Self::Answer, QueryError> {
        let batches =
            batches_on_site(v.pool, v.prefix, v.position, &self.hospital, self.date).await?;
        let groups =
            group_staffing(v.pool, v.prefix, v.position, &self.hospital, self.date).await?;
        Ok(Answer {
            position: v.position,
            value: Staffing {
                batches: batches.value,
                groups: groups.value,
            },
        })
    }
}

/// `ListShortTerms`: terms at `hospital` shorter than the program's minimum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortTerms {
    pub hospital: String,
    pub page: PageRequest,
}

impl Query for ShortTerms {
    type Answer = Page<ShortTerm>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        Subject::Org {
            field: "hospital",
            org: &self.hospital,
        }
    }

    async fn run(&self, v: View<'_>, _: Visible<'_>) -> Result<Self::Answer, QueryError> {
        below_minimum_term(v.pool, v.prefix, v.position, &self.hospital, &self.page).await
    }
}
