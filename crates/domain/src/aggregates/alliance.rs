//! Specialty alliance (专科联盟): a supporting hospital leads members in one specialty.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::errors::{CommonError, DomainError, domain_errors};
use crate::events::{Event, EventPayload, EventScope};
use crate::stream::Aggregate;
use crate::values::{
    AllianceId, BusinessTime, ClinicalDepartment, CreditCode, ValidationError, ValueProblem,
    check_text, day,
};

/// The referral tier of a member (seed 004: 市县乡村).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    City,
    County,
    Township,
    Village,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllianceMember {
    pub org: CreditCode,
    pub tier: Option<Tier>,
}

/// Schema v2 added `specialty_name` and `specialty_sub_code`; a v1 payload has neither and reads
/// as an alliance named after its department (upcast in `events::stored`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllianceFormed {
    pub alliance_id: AllianceId,
    /// The 诊疗科目 the alliance belongs to, e.g. `50` 中医科.
    pub specialty: ClinicalDepartment,
    /// The alliance's own specialty (脑病科, 心病科, 治未病科 under 50 中医科): several alliances
    /// of one lead in one department differ by it. `None`: named after the department.
    #[serde(default)]
    pub specialty_name: Option<String>,
    /// An optional code of that specialty (e.g. the organiser's own), `[0-9A-Za-z.-]`, 1 to 16.
    #[serde(default)]
    pub specialty_sub_code: Option<String>,
    pub lead_org: CreditCode,
    pub members: Vec<AllianceMember>,
    #[serde(with = "day")]
    pub formed_on: Date,
    /// 授牌: a plaque was awarded.
    pub plaque_awarded: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MembershipChange {
    Joined,
    Left,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllianceMembershipChanged {
    pub alliance_id: AllianceId,
    pub member: AllianceMember,
    pub change: MembershipChange,
    #[serde(with = "day")]
    pub date: Date,
}

impl AllianceFormed {
    /// The alliance's specialty name: its own, or the department's (e.g. "中医科").
    pub fn name(&self) -> String {
        self.specialty_name
            .clone()
            .unwrap_or_else(|| self.specialty.name().to_owned())
    }

    /// What tells one alliance of a lead apart from the others.
    pub fn key(&self) -> AllianceKey {
        AllianceKey {
            alliance_id: self.alliance_id,
            lead_org: self.lead_org.clone(),
            specialty: self.specialty.clone(),
            name: self.name(),
            sub_code: self.specialty_sub_code.clone(),
        }
    }
}

/// An existing alliance as the duplicate rule sees it: one lead leads at most one alliance per
/// department and specialty name, and per sub-code when one is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllianceKey {
    pub alliance_id: AllianceId,
    pub lead_org: CreditCode,
    pub specialty: ClinicalDepartment,
    pub name: String,
    pub sub_code: Option<String>,
}

impl AllianceKey {
    /// True when `other` (another alliance) would be the same alliance of the same lead.
    fn same_as(&self, other: &AllianceKey) -> bool {
        self.alliance_id != other.alliance_id
            && self.lead_org == other.lead_org
            && ((self.specialty == other.specialty && self.name == other.name)
                || (self.sub_code.is_some() && self.sub_code == other.sub_code))
    }
}

/// Checks an alliance's sub-code: 1 to 16 ASCII letters, digits, '.' or '-'.
pub fn check_sub_code(field: &str, code: &str) -> Result<(), ValidationError> {
    if code.is_empty() {
        return Err(ValueProblem::Empty.at(field));
    }
    let chars = code.chars().count();
    if chars > 16 {
        return Err(ValueProblem::TooLong {
            max: 16,
            actual: chars,
        }
        .at(field));
    }
    match code
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '.' || *c == '-'))
    {
        Some((index, found)) => Err(ValueProblem::InvalidCharacter {
            position: index + 1,
            found,
        }
        .at(field)),
        None => Ok(()),
    }
}

impl EventPayload for AllianceFormed {
    const TYPE: &'static str = "AllianceFormed";
    const SCHEMA_VERSION: u32 = 2;
    fn stream_id(&self) -> String {
        self.alliance_id.stream_id()
    }
    fn scope(&self) -> EventScope {
        let mut scope = EventScope::default();
        self.members.iter().for_each(|m| scope.add_host(&m.org));
        scope.add_org(&self.lead_org);
        scope
    }
    fn occurred_at(&self) -> BusinessTime {
        BusinessTime::on(self.formed_on)
    }
}

impl EventPayload for AllianceMembershipChanged {
    const TYPE: &'static str = "AllianceMembershipChanged";
    fn stream_id(&self) -> String {
        self.alliance_id.stream_id()
    }
    fn scope(&self) -> EventScope {
        EventScope::hosted_at(&self.member.org, [])
    }
    fn occurred_at(&self) -> BusinessTime {
        BusinessTime::on(self.date)
    }
}

domain_errors! {
    pub enum AllianceError {
        #[error("lead {lead} is not a supporting hospital of any pairing")]
        LeadNotSupporting { lead: String } => "ALLIANCE_LEAD_NOT_SUPPORTING",
        #[error("{lead} already leads alliance {existing} in {specialty}")]
        DuplicateAlliance { lead: String, specialty: String, existing: String } => "DUPLICATE_ALLIANCE",
        #[error("{org} is already a member")]
        AlreadyMember { org: String } => "ALREADY_ALLIANCE_MEMBER",
        #[error("{org} is not a member")]
        NotAMember { org: String } => "NOT_AN_ALLIANCE_MEMBER",
        #[error("the lead hospital cannot leave its own alliance")]
        LeadCannotLeave => "ALLIANCE_LEAD_CANNOT_LEAVE",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllianceCommand {
    Form(AllianceFormed),
    ChangeMembership {
        member: AllianceMember,
        change: MembershipChange,
        date: Date,
    },
}

/// Load: `supporting_orgs` = supporting organisations of active pairings (pairing index over
/// `pairing-*`); `registered_orgs` from the `hospital-<code>` streams of the named organisations;
/// `existing_alliances` = the keys of the `alliance-*` streams (an alliance index).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllianceContext {
    pub supporting_orgs: BTreeSet<CreditCode>,
    pub registered_orgs: BTreeSet<CreditCode>,
    pub existing_alliances: Vec<AllianceKey>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllianceState {
    pub formed: Option<AllianceFormed>,
    pub members: Vec<AllianceMember>,
}

impl Aggregate for AllianceState {
    type Command = AllianceCommand;
    type Context = AllianceContext;

    fn records(command: &AllianceCommand) -> &'static str {
        match command {
            AllianceCommand::Form(_) => <AllianceFormed as EventPayload>::TYPE,
            AllianceCommand::ChangeMembership { .. } => {
                <AllianceMembershipChanged as EventPayload>::TYPE
            }
        }
    }

    fn decide(
        &self,
        command: &AllianceCommand,
        context: &AllianceContext,
    ) -> Result<Vec<Event>, DomainError> {
        let registered = |org: &CreditCode, field: String| -> Result<(), DomainError> {
            if context.registered_orgs.contains(org) {
                Ok(())
            } else {
                Err(CommonError::OrgNotRegistered {
                    org: org.to_string(),
                    field,
                }
                .into())
            }
        };
        match command {
            AllianceCommand::Form(a) => {
                if self.formed.is_some() {
                    return Err(CommonError::AlreadyExists {
                        stream: a.stream_id(),
                    }
                    .into());
                }
                if !context.supporting_orgs.contains(&a.lead_org) {
                    return Err(AllianceError::LeadNotSupporting {
                        lead: a.lead_org.to_string(),
                    }
                    .into());
                }
                if let Some(name) = &a.specialty_name {
                    check_text("specialty_name", name, 50)?;
                }
                if let Some(code) = &a.specialty_sub_code {
                    check_sub_code("specialty_sub_code", code)?;
                }
                let key = a.key();
                if let Some(existing) = context.existing_alliances.iter().find(|e| key.same_as(e)) {
                    return Err(AllianceError::DuplicateAlliance {
                        lead: a.lead_org.to_string(),
                        specialty: format!("{} {}", a.specialty, key.name),
                        existing: existing.alliance_id.to_string(),
                    }
                    .into());
                }
                registered(&a.lead_org, "lead_org".to_owned())?;
                for (i, member) in a.members.iter().enumerate() {
                    registered(&member.org, format!("members[{i}].org"))?;
                }
                Ok(vec![a.clone().into()])
            }
            AllianceCommand::ChangeMembership {
                member,
                change,
                date,
            } => {
                let Some(formed) = &self.formed else {
                    return Err(CommonError::NotFound {
                        stream: "alliance".to_owned(),
                    }
                    .into());
                };
                registered(&member.org, "member.org".to_owned())?;
                let is_member = self.members.iter().any(|m| m.org == member.org);
                match change {
                    MembershipChange::Joined if is_member => {
                        return Err(AllianceError::AlreadyMember {
                            org: member.org.to_string(),
                        }
                        .into());
                    }
                    MembershipChange::Left if member.org == formed.lead_org => {
                        return Err(AllianceError::LeadCannotLeave.into());
                    }
                    MembershipChange::Left if !is_member => {
                        return Err(AllianceError::NotAMember {
                            org: member.org.to_string(),
                        }
                        .into());
                    }
                    MembershipChange::Joined | MembershipChange::Left => {}
                }
                let e = AllianceMembershipChanged {
                    alliance_id: formed.alliance_id,
                    member: member.clone(),
                    change: *change,
                    date: *date,
                };
                Ok(vec![e.into()])
            }
        }
    }

    fn apply(mut self, event: &Event) -> Self {
        match event {
            Event::AllianceFormed(e) => {
                self.members = e.members.clone();
                self.formed = Some(e.clone());
            }
            Event::AllianceMembershipChanged(e) => match e.change {
                MembershipChange::Joined => self.members.push(e.member.clone()),
                MembershipChange::Left => self.members.retain(|m| m.org != e.member.org),
            },
            _ => {}
        }
        self
    }
}
