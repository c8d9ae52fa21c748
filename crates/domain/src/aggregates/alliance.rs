//! Specialty alliance (专科联盟): a supporting hospital leads members in one specialty.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::errors::{CommonError, DomainError, domain_errors};
use crate::events::{Event, EventPayload, EventScope};
use crate::stream::Aggregate;
use crate::values::{AllianceId, BusinessTime, ClinicalDepartment, CreditCode, day};

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllianceFormed {
    pub alliance_id: AllianceId,
    pub specialty: ClinicalDepartment,
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

impl EventPayload for AllianceFormed {
    const TYPE: &'static str = "AllianceFormed";
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
/// `existing_alliances` = (id, lead, specialty) of the `alliance-*` streams (an alliance index).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllianceContext {
    pub supporting_orgs: BTreeSet<CreditCode>,
    pub registered_orgs: BTreeSet<CreditCode>,
    pub existing_alliances: Vec<(AllianceId, CreditCode, ClinicalDepartment)>,
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
                if let Some((existing, _, _)) =
                    context
                        .existing_alliances
                        .iter()
                        .find(|(id, lead, specialty)| {
                            *id != a.alliance_id && lead == &a.lead_org && specialty == &a.specialty
                        })
                {
                    return Err(AllianceError::DuplicateAlliance {
                        lead: a.lead_org.to_string(),
                        specialty: a.specialty.to_string(),
                        existing: existing.to_string(),
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
