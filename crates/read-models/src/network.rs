//! Collaboration network: organisations joined by pairings, alliances, platforms and 进修 flows.
//!
//! - Which specialty alliances (专科联盟) exist, who leads them, who are their members now, at which
//!   tiers (市县乡村)?
//! - Which platforms (co-built departments, training bases, famous-doctor stations, studios…) exist,
//!   hosted where, with which partners?
//! - How many staff went from hospital A to hospital B for advanced study, and how many completed?
//! - Which organisations is one organisation linked to, and how?

use std::collections::{BTreeMap, BTreeSet};

use domain::aggregates::alliance::Tier;
use domain::aggregates::platform::PlatformKind;
use sqlx::AnyPool;
use time::Date;

use crate::dates::parse;
use crate::fact::{FactProjection, tables as t};
use crate::names::{OrgName, department_name, named, org_name, org_names};
use crate::page::{
    Answer, Page, PageRequest, QueryError, fetch, int, opt_tag, opt_text, paginate, tag, text,
};
use crate::query::{Query, Subject, View, Visible};

pub static PROJECTION: FactProjection = FactProjection {
    name: "collaboration_network",
    // v2: alliances carry their specialty name and sub-code.
    // v3: the hospital table, for organisations' names.
    version: 3,
    tables: &[
        &t::HOSPITAL,
        &t::PAIRING,
        &t::PAIRING_ORG,
        &t::ALLIANCE,
        &t::ALLIANCE_MEMBER,
        &t::PLATFORM,
        &t::PLATFORM_PARTNER,
        &t::STUDY,
        &t::STUDY_DONE,
    ],
};

/// An alliance with its current members (org, tier).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alliance {
    pub alliance_id: String,
    /// The 诊疗科目 code, e.g. `50`.
    pub specialty: String,
    /// The alliance's own specialty name (脑病科), or the department's name when it has none.
    pub specialty_name: String,
    pub sub_code: Option<String>,
    pub lead_org: String,
    /// The lead's registered name (empty when not registered).
    pub lead_org_name: String,
    pub formed_on: Date,
    pub plaque_awarded: bool,
    pub members: Vec<(String, Option<Tier>)>,
    /// The members' registered names, in the order of `members`.
    pub member_names: Vec<OrgName>,
}

/// A platform and its partners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub platform_id: String,
    pub pairing_id: String,
    pub kind: PlatformKind,
    pub name: String,
    pub host_org: String,
    /// The host's registered name (empty when not registered).
    pub host_org_name: String,
    pub specialty: Option<String>,
    /// The specialty's 诊疗科目 name (empty when there is none).
    pub specialty_name: &'static str,
    pub partners: Vec<String>,
    /// The partners' registered names, in the order of `partners`.
    pub partner_names: Vec<OrgName>,
    pub established_on: Date,
}

/// Advanced-study flow from the trainee's hospital to the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyFlow {
    pub trainee_org: String,
    /// The trainees' hospital's registered name (empty when not registered).
    pub trainee_org_name: String,
    pub host_org: String,
    /// The host's registered name (empty when not registered).
    pub host_org_name: String,
    pub started: u64,
    pub completed: u64,
}

/// An edge of the network from one organisation's point of view.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Link {
    pub other: String,
    pub kind: LinkKind,
    /// The other organisation's registered name (empty when not registered).
    pub other_name: String,
}

/// How two organisations are linked. Declared in alphabetical order, so that links sort by kind
/// the way their names do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LinkKind {
    Alliance,
    Pairing,
    Platform,
    Study,
}

async fn all_alliances(pool: &AnyPool, prefix: &str) -> Result<Vec<Alliance>, QueryError> {
    let mut alliances: BTreeMap<String, Alliance> = BTreeMap::new();
    for row in fetch(pool, prefix, "SELECT * FROM {p}alliance", &[]).await? {
        let id = text(&row, "alliance_id")?;
        alliances.insert(
            id.clone(),
            Alliance {
                alliance_id: id,
                specialty: text(&row, "specialty")?,
                specialty_name: text(&row, "specialty_name")?,
                sub_code: opt_text(&row, "sub_code")?,
                lead_org: text(&row, "lead_org")?,
                lead_org_name: String::new(),
                formed_on: parse(&text(&row, "formed_on")?)?,
                plaque_awarded: int(&row, "plaque")? != 0,
                members: Vec::new(),
                member_names: Vec::new(),
            },
        );
    }
    // Replay membership changes in business order; the last change of each org wins.
    let mut current: BTreeMap<(String, String), Option<Option<Tier>>> = BTreeMap::new();
    for row in fetch(
        pool,
        prefix,
        "SELECT * FROM {p}alliance_member ORDER BY date_on, src_stream, src_version, seq",
        &[],
    )
    .await?
    {
        let key = (text(&row, "alliance_id")?, text(&row, "org")?);
        let joined = text(&row, "change")? == "joined";
        current.insert(key, joined.then_some(opt_tag(&row, "tier")?));
    }
    for ((alliance, org), tier) in current {
        if let (Some(a), Some(tier)) = (alliances.get_mut(&alliance), tier) {
            a.members.push((org, tier));
        }
    }
    Ok(alliances.into_values().collect())
}

/// Narrows `ListAlliances`; empty fields match every alliance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllianceFilter {
    /// The lead organisation, by credit code.
    pub lead_org: Option<String>,
    /// An organisation among the current members (the lead is not a member of its alliance).
    pub member_org: Option<String>,
    /// A department code; a first-level code (`50`) also matches its sub-departments (`50.01`).
    pub specialty: Option<String>,
}

impl AllianceFilter {
    fn matches(&self, a: &Alliance) -> bool {
        self.lead_org.as_ref().is_none_or(|l| *l == a.lead_org)
            && self
                .member_org
                .as_ref()
                .is_none_or(|m| a.members.iter().any(|(org, _)| org == m))
            && self
                .specialty
                .as_deref()
                .is_none_or(|d| a.specialty == d || a.specialty.starts_with(&format!("{d}.")))
    }
}

/// Alliances matching `filter`, ordered by id, with their current members.
pub async fn alliances(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
    filter: &AllianceFilter,
    page: &PageRequest,
) -> Result<Page<Alliance>, QueryError> {
    let mut all = all_alliances(pool, prefix).await?;
    all.retain(|a| filter.matches(a));
    let mut page = paginate(all, |a| a.alliance_id.clone(), page, position)?;
    // Names for the page only.
    let orgs: Vec<&str> = page
        .items
        .iter()
        .flat_map(|a| {
            a.members
                .iter()
                .map(|(org, _)| org.as_str())
                .chain([a.lead_org.as_str()])
        })
        .collect();
    let names = org_names(pool, prefix, orgs).await?;
    for a in &mut page.items {
        a.lead_org_name = org_name(&names, &a.lead_org);
        a.member_names = a
            .members
            .iter()
            .map(|(org, _)| named(&names, org))
            .collect();
    }
    Ok(page)
}

/// Platforms, optionally of one host and kind (e.g. `co_built_department`).
pub async fn platforms(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
    host_org: Option<&str>,
    kind: Option<PlatformKind>,
    page: &PageRequest,
) -> Result<Page<Platform>, QueryError> {
    let mut partners: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in fetch(pool, prefix, "SELECT * FROM {p}platform_partner", &[]).await? {
        partners
            .entry(text(&row, "platform_id")?)
            .or_default()
            .push(text(&row, "org")?);
    }
    let mut all = Vec::new();
    for row in fetch(pool, prefix, "SELECT * FROM {p}platform", &[]).await? {
        let platform_id = text(&row, "platform_id")?;
        let platform = Platform {
            pairing_id: text(&row, "pairing_id")?,
            kind: tag(&row, "kind")?,
            name: text(&row, "name")?,
            host_org: text(&row, "host_org")?,
            host_org_name: String::new(),
            specialty: opt_text(&row, "specialty")?,
            specialty_name: "",
            partners: partners.remove(&platform_id).unwrap_or_default(),
            partner_names: Vec::new(),
            established_on: parse(&text(&row, "established_on")?)?,
            platform_id,
        };
        if host_org.is_none_or(|h| h == platform.host_org)
            && kind.is_none_or(|k| k == platform.kind)
        {
            all.push(platform);
        }
    }
    let mut page = paginate(all, |p| p.platform_id.clone(), page, position)?;
    let orgs: Vec<&str> = page
        .items
        .iter()
        .flat_map(|p| {
            p.partners
                .iter()
                .map(String::as_str)
                .chain([p.host_org.as_str()])
        })
        .collect();
    let names = org_names(pool, prefix, orgs).await?;
    for p in &mut page.items {
        p.host_org_name = org_name(&names, &p.host_org);
        p.specialty_name = p.specialty.as_deref().map_or("", department_name);
        p.partner_names = p.partners.iter().map(|org| named(&names, org)).collect();
    }
    Ok(page)
}

/// Advanced-study flows between hospitals: started and completed stays per (trainee org, host).
pub async fn study_flows(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
) -> Result<Answer<Vec<StudyFlow>>, QueryError> {
    let done: BTreeSet<String> = fetch(pool, prefix, "SELECT study_id FROM {p}study_done", &[])
        .await?
        .iter()
        .map(|row| text(row, "study_id"))
        .collect::<Result<_, _>>()?;
    let mut flows: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
    for row in fetch(pool, prefix, "SELECT * FROM {p}study", &[]).await? {
        let flow = flows
            .entry((text(&row, "trainee_org")?, text(&row, "host_org")?))
            .or_default();
        flow.0 += 1;
        if done.contains(&text(&row, "study_id")?) {
            flow.1 += 1;
        }
    }
    let orgs: Vec<&str> = flows
        .keys()
        .flat_map(|(trainee, host)| [trainee.as_str(), host.as_str()])
        .collect();
    let names = org_names(pool, prefix, orgs).await?;
    let value = flows
        .into_iter()
        .map(
            |((trainee_org, host_org), (started, completed))| StudyFlow {
                trainee_org_name: org_name(&names, &trainee_org),
                host_org_name: org_name(&names, &host_org),
                trainee_org,
                host_org,
                started,
                completed,
            },
        )
        .collect();
    Ok(Answer { position, value })
}

/// The organisations linked to `org`, and how.
pub async fn links(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
    org: &str,
) -> Result<Answer<Vec<Link>>, QueryError> {
    let mut links: BTreeSet<Link> = BTreeSet::new();
    let mut add = |a: &str, b: &str, kind: LinkKind| {
        if a == org && b != org {
            links.insert(Link {
                other: b.to_owned(),
                kind,
                other_name: String::new(),
            });
        } else if b == org && a != org {
            links.insert(Link {
                other: a.to_owned(),
                kind,
                other_name: String::new(),
            });
        }
    };
    for row in fetch(
        pool,
        prefix,
        "SELECT o.org AS a, p.recipient_org AS b FROM {p}pairing_org o JOIN {p}pairing p ON p.pairing_id = o.pairing_id",
        &[],
    )
    .await?
    {
        add(&text(&row, "a")?, &text(&row, "b")?, LinkKind::Pairing);
    }
    for a in all_alliances(pool, prefix).await? {
        for (member, _) in &a.members {
            add(&a.lead_org, member, LinkKind::Alliance);
        }
    }
    for row in fetch(
        pool,
        prefix,
        "SELECT p.host_org AS a, o.org AS b FROM {p}platform_partner o JOIN {p}platform p ON p.platform_id = o.platform_id",
        &[],
    )
    .await?
    {
        add(&text(&row, "a")?, &text(&row, "b")?, LinkKind::Platform);
    }
    for row in fetch(
        pool,
        prefix,
        "SELECT trainee_org, host_org FROM {p}study",
        &[],
    )
    .await?
    {
        add(
            &text(&row, "trainee_org")?,
            &text(&row, "host_org")?,
            LinkKind::Study,
        );
    }
    let mut links: Vec<Link> = links.into_iter().collect();
    let others: Vec<&str> = links.iter().map(|l| l.other.as_str()).collect();
    let names = org_names(pool, prefix, others).await?;
    for link in &mut links {
        link.other_name = org_name(&names, &link.other);
    }
    Ok(Answer {
        position,
        value: links,
    })
}

/// `ListAlliances`: specialty alliances matching the filter, with a lead or member the caller may
/// see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alliances {
    pub filter: AllianceFilter,
    pub page: PageRequest,
}

impl Query for Alliances {
    type Answer = Page<Alliance>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        Subject::Rows
    }

    async fn run(&self, v: View<'_>, visible: Visible<'_>) -> Result<Self::Answer, QueryError> {
        let mut page = alliances(v.pool, v.prefix, v.position, &self.filter, &self.page).await?;
        page.items.retain(|a| {
            let members = a.members.iter().map(|(org, _)| org.as_str());
            visible.any(std::iter::once(a.lead_org.as_str()).chain(members))
        });
        Ok(page)
    }
}

/// `ListPlatforms`: co-built platforms, optionally of one host and kind, with a party the caller
/// may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platforms {
    pub host_org: Option<String>,
    pub kind: Option<PlatformKind>,
    pub page: PageRequest,
}

impl Query for Platforms {
    type Answer = Page<Platform>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        Subject::Rows
    }

    async fn run(&self, v: View<'_>, visible: Visible<'_>) -> Result<Self::Answer, QueryError> {
        let host_org = self.host_org.as_deref();
        let mut page = platforms(
            v.pool, v.prefix, v.position, host_org, self.kind, &self.page,
        )
        .await?;
        page.items.retain(|p| {
            let partners = p.partners.iter().map(String::as_str);
            visible.any(std::iter::once(p.host_org.as_str()).chain(partners))
        });
        Ok(page)
    }
}

/// `GetStudyFlows`: advanced-study flows (进修) between hospitals, of pairs the caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyFlows;

impl Query for StudyFlows {
    type Answer = Answer<Vec<StudyFlow>>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        Subject::Rows
    }

    async fn run(&self, v: View<'_>, visible: Visible<'_>) -> Result<Self::Answer, QueryError> {
        let mut answer = study_flows(v.pool, v.prefix, v.position).await?;
        answer
            .value
            .retain(|f| visible.any([f.trainee_org.as_str(), f.host_org.as_str()]));
        Ok(answer)
    }
}

/// `GetOrganisationLinks`: every organisation linked to `org`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationLinks {
    pub org: String,
}

impl Query for OrganisationLinks {
    type Answer = Answer<Vec<Link>>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        Subject::Org {
            field: "org",
            org: &self.org,
        }
    }

    async fn run(&self, v: View<'_>, _: Visible<'_>) -> Result<Self::Answer, QueryError> {
        links(v.pool, v.prefix, v.position, &self.org).await
    }
}
