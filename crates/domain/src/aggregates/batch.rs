//! Batch (第N批): a numbered team of one pairing, and the members assigned to it.
//!
//! Batches are numbered per pairing and the stream id carries the number (`batch-<pairing>.<n>`),
//! so "number = previous + 1" is checked by the previous batch's stream existing and this one not.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::aggregates::command_for;
use crate::aggregates::pairing::PairingFacts;
use crate::errors::{CommonError, DomainError, domain_errors};
use crate::events::{Event, EventPayload, EventScope};
use crate::facts::{OnSiteStint, lasts_months};
use crate::stream::{Aggregate, RuleWarning};
use crate::values::{
    BatchId, BusinessTime, ClinicalDepartment, CreditCode, DeploymentId, PractitionerId,
    ProfessionalTitle, day,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchDispatched {
    pub batch: BatchId,
    pub recipient_org: CreditCode,
    pub leader: Option<PractitionerId>,
    #[serde(with = "day")]
    pub planned_start: Date,
    #[serde(with = "day")]
    pub planned_end: Date,
    /// Copied from the pairing's parameters so that team warnings need no other stream.
    pub min_team_size: u32,
    pub min_senior_members: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// 领队.
    Leader,
    /// 管理.
    Management,
    /// 临床.
    Clinical,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberAssigned {
    pub batch: BatchId,
    pub deployment_id: DeploymentId,
    pub recipient_org: CreditCode,
    pub practitioner: PractitionerId,
    pub home_org: CreditCode,
    pub title: ProfessionalTitle,
    pub specialty: ClinicalDepartment,
    pub role: MemberRole,
    #[serde(with = "day")]
    pub planned_start: Date,
    #[serde(with = "day")]
    pub planned_end: Date,
}

impl EventPayload for BatchDispatched {
    const TYPE: &'static str = "BatchDispatched";
    fn stream_id(&self) -> String {
        self.batch.stream_id()
    }
    fn scope(&self) -> EventScope {
        EventScope::hosted_at(&self.recipient_org, [])
    }
    fn occurred_at(&self) -> BusinessTime {
        BusinessTime::days(self.planned_start, self.planned_end)
            .unwrap_or(BusinessTime::on(self.planned_start))
    }
}

impl EventPayload for MemberAssigned {
    const TYPE: &'static str = "MemberAssigned";
    fn stream_id(&self) -> String {
        self.batch.stream_id()
    }
    fn scope(&self) -> EventScope {
        EventScope::hosted_at(&self.recipient_org, [&self.home_org])
    }
    fn occurred_at(&self) -> BusinessTime {
        BusinessTime::days(self.planned_start, self.planned_end)
            .unwrap_or(BusinessTime::on(self.planned_start))
    }
}

domain_errors! {
    pub enum BatchError {
        #[error("batch {number} needs batch {previous} of the pairing first")]
        NumberNotNext { number: u32, previous: u32 } => "BATCH_NUMBER_NOT_NEXT",
        #[error("planned term {start}..{end} is shorter than the program minimum of {min_months} months")]
        PlannedTermTooShort { start: Date, end: Date, min_months: u32 } => "PLANNED_TERM_TOO_SHORT",
        #[error("{home_org} is not a supporting or group hospital of the pairing")]
        HomeOrgNotSupporting { home_org: String } => "HOME_ORG_NOT_SUPPORTING",
        #[error("{practitioner} is already a member of this batch")]
        AlreadyInBatch { practitioner: String } => "MEMBER_ALREADY_IN_BATCH",
        #[error("{practitioner} is assigned to deployment {other} for overlapping dates")]
        OverlappingAssignment { practitioner: String, other: String } => "OVERLAPPING_ASSIGNMENT",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchCommand {
    Dispatch(DispatchBatch),
    AssignMember(AssignMember),
}

command_for! {
    /// A batch of the pairing; the recipient and the team minimums come from the pairing.
    DispatchBatch => BatchDispatched {
        batch: BatchId,
        leader: Option<PractitionerId>,
        planned_start: Date,
        planned_end: Date,
    } + { recipient_org: CreditCode, min_team_size: u32, min_senior_members: u32 }
}

command_for! {
    /// A member of the batch; the recipient comes from the batch.
    AssignMember => MemberAssigned {
        batch: BatchId,
        deployment_id: DeploymentId,
        practitioner: PractitionerId,
        home_org: CreditCode,
        title: ProfessionalTitle,
        specialty: ClinicalDepartment,
        role: MemberRole,
        planned_start: Date,
        planned_end: Date,
    } + { recipient_org: CreditCode }
}

/// Load: `pairing` from `pairing-<batch.pairing>`; `previous_batch_dispatched` = whether stream
/// `batch-<pairing>.<n-1>` exists (append with an expected-version guard on it); for `AssignMember`,
/// `practitioner_terms` = the planned or actual terms of the same practitioner in other batches and
/// deployments (a roster read model over `batch-*` and `deployment-*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchContext {
    pub pairing: Option<PairingFacts>,
    pub previous_batch_dispatched: bool,
    pub practitioner_terms: Vec<OnSiteStint>,
}

/// A team-composition shortfall: reported, not refused (catalog #7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamWarning {
    BelowMinimumSize { members: usize, minimum: u32 },
    TooFewSeniorMembers { senior: usize, minimum: u32 },
}

impl TeamWarning {
    pub fn reason(&self) -> &'static str {
        match self {
            Self::BelowMinimumSize { .. } => "TEAM_BELOW_MIN_SIZE",
            Self::TooFewSeniorMembers { .. } => "TEAM_TOO_FEW_SENIOR_MEMBERS",
        }
    }

    /// The explanation for people, in English.
    pub fn message(&self) -> String {
        match self {
            Self::BelowMinimumSize { members, minimum } => {
                format!("the team has {members} members, below the program minimum of {minimum}")
            }
            Self::TooFewSeniorMembers { senior, minimum } => format!(
                "the team has {senior} senior members, below the program minimum of {minimum}"
            ),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchState {
    pub dispatched: Option<BatchDispatched>,
    pub members: Vec<MemberAssigned>,
}

impl BatchState {
    pub fn team_warnings(&self) -> Vec<TeamWarning> {
        let Some(batch) = &self.dispatched else {
            return Vec::new();
        };
        let mut warnings = Vec::new();
        if u32::try_from(self.members.len()).unwrap_or(u32::MAX) < batch.min_team_size {
            warnings.push(TeamWarning::BelowMinimumSize {
                members: self.members.len(),
                minimum: batch.min_team_size,
            });
        }
        let senior = self.members.iter().filter(|m| m.title.is_senior()).count();
        if u32::try_from(senior).unwrap_or(u32::MAX) < batch.min_senior_members {
            warnings.push(TeamWarning::TooFewSeniorMembers {
                senior,
                minimum: batch.min_senior_members,
            });
        }
        warnings
    }
}

impl Aggregate for BatchState {
    type Command = BatchCommand;
    type Context = BatchContext;

    fn records(command: &BatchCommand) -> &'static str {
        match command {
            BatchCommand::Dispatch(_) => <BatchDispatched as EventPayload>::TYPE,
            BatchCommand::AssignMember(_) => <MemberAssigned as EventPayload>::TYPE,
        }
    }

    fn decide(
        &self,
        command: &BatchCommand,
        context: &BatchContext,
    ) -> Result<Vec<Event>, DomainError> {
        match command {
            BatchCommand::Dispatch(d) => {
                if self.dispatched.is_some() {
                    return Err(CommonError::AlreadyExists {
                        stream: d.batch.stream_id(),
                    }
                    .into());
                }
                let pairing = active_pairing(context, d.batch)?;
                if d.batch.number == 0 || (d.batch.number > 1 && !context.previous_batch_dispatched)
                {
                    let previous = d.batch.number.saturating_sub(1);
                    return Err(BatchError::NumberNotNext {
                        number: d.batch.number,
                        previous,
                    }
                    .into());
                }
                let min_months = pairing.parameters.min_term_months;
                if !lasts_months(d.planned_start, d.planned_end, min_months) {
                    let (start, end) = (d.planned_start, d.planned_end);
                    return Err(BatchError::PlannedTermTooShort {
                        start,
                        end,
                        min_months,
                    }
                    .into());
                }
                let e = d.record(
                    pairing.recipient_org.clone(),
                    pairing.parameters.min_team_size,
                    pairing.parameters.min_senior_members,
                );
                Ok(vec![e.into()])
            }
            BatchCommand::AssignMember(m) => {
                let Some(batch) = &self.dispatched else {
                    return Err(CommonError::NotFound {
                        stream: m.batch.stream_id(),
                    }
                    .into());
                };
                let pairing = active_pairing(context, batch.batch)?;
                if !pairing.supporting().contains(&m.home_org) {
                    return Err(BatchError::HomeOrgNotSupporting {
                        home_org: m.home_org.to_string(),
                    }
                    .into());
                }
                if self
                    .members
                    .iter()
                    .any(|other| other.practitioner == m.practitioner)
                {
                    return Err(BatchError::AlreadyInBatch {
                        practitioner: m.practitioner.to_string(),
                    }
                    .into());
                }
                let min_months = pairing.parameters.min_term_months;
                if !lasts_months(m.planned_start, m.planned_end, min_months) {
                    let (start, end) = (m.planned_start, m.planned_end);
                    return Err(BatchError::PlannedTermTooShort {
                        start,
                        end,
                        min_months,
                    }
                    .into());
                }
                if let Some(other) = context.practitioner_terms.iter().find(|t| {
                    t.practitioner == m.practitioner
                        && t.deployment != m.deployment_id
                        && t.overlaps(m.planned_start, m.planned_end)
                }) {
                    return Err(BatchError::OverlappingAssignment {
                        practitioner: m.practitioner.to_string(),
                        other: other.deployment.to_string(),
                    }
                    .into());
                }
                let e = MemberAssigned {
                    batch: batch.batch,
                    ..m.record(batch.recipient_org.clone())
                };
                Ok(vec![e.into()])
            }
        }
    }

    fn apply(mut self, event: &Event) -> Self {
        match event {
            Event::BatchDispatched(e) => self.dispatched = Some(e.clone()),
            Event::MemberAssigned(e) => self.members.push(e.clone()),
            _ => {}
        }
        self
    }

    fn warnings(&self) -> Vec<RuleWarning> {
        self.team_warnings()
            .into_iter()
            .map(|w| RuleWarning {
                reason: w.reason(),
                message: w.message(),
            })
            .collect()
    }
}

fn active_pairing(context: &BatchContext, batch: BatchId) -> Result<&PairingFacts, DomainError> {
    let pairing = context
        .pairing
        .as_ref()
        .filter(|p| p.pairing_id == batch.pairing)
        .ok_or_else(|| CommonError::PairingNotFound {
            pairing: batch.pairing.to_string(),
        })?;
    if !pairing.active {
        return Err(CommonError::PairingNotActive {
            pairing: batch.pairing.to_string(),
        }
        .into());
    }
    Ok(pairing)
}
