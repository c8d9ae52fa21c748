//! Pairing (结对): supporting organisations and one recipient in a program, possibly nested under a
//! parent pairing (city to city, then hospital to hospital), possibly with a 1+N对1 group.
//!
//! The pairing stream also holds short visits and funding: both are facts about the pairing as a
//! whole and need no stream of their own.

mod decide;
mod events;

use std::collections::BTreeSet;

use time::Date;

use crate::aggregates::command_for;
use crate::aggregates::program::{ProgramKind, ProgramParameters};
use crate::errors::domain_errors;
use crate::events::{Event, EventPayload};
use crate::facts::OnSiteStint;
use crate::stream::Aggregate;
use crate::values::{CreditCode, DivisionCode, MoneyFen, PairingId, ProgramId};

pub use events::{
    Delegate, FundingCommitted, FundingSource, GroupFormed, PairingEnded, PairingEstablished,
    PairingRestructured, ShortVisitConducted,
};

domain_errors! {
    pub enum PairingError {
        #[error("{org} cannot both support and receive in one pairing")]
        SupportingEqualsRecipient { org: String } => "SUPPORTING_EQUALS_RECIPIENT",
        #[error("{supporting} already supports {recipient} in active pairing {existing} of this program")]
        DuplicateActivePairing { supporting: String, recipient: String, existing: String } => "DUPLICATE_ACTIVE_PAIRING",
        #[error("region {region} lies outside the parent pairing's regions {parent_regions}")]
        RegionOutsideParent { region: String, parent_regions: String } => "REGION_OUTSIDE_PARENT",
        #[error("region {region} is not one of the program's eligible counties")]
        RecipientCountyNotEligible { region: String } => "RECIPIENT_COUNTY_NOT_ELIGIBLE",
        #[error("the pairing started {start}; {date} is before that")]
        DateBeforeStart { start: Date, date: Date } => "DATE_BEFORE_PAIRING_START",
        #[error("members are still on site on {date}: deployments {deployments}")]
        MembersStillOnSite { date: Date, deployments: String } => "MEMBERS_STILL_ON_SITE",
        #[error("this pairing already has its 1+N group")]
        GroupAlreadyFormed => "GROUP_ALREADY_FORMED",
        #[error("the program defines no 1+N group rules")]
        GroupRulesMissing => "GROUP_RULES_MISSING",
        #[error("a group has {min} to {max} hospitals; got {actual}")]
        GroupSizeOutOfRange { min: u32, max: u32, actual: usize } => "GROUP_SIZE_OUT_OF_RANGE",
        #[error("{org} ({field}) is not a supporting organisation of this pairing")]
        GroupOrgNotSupporting { org: String, field: String } => "GROUP_ORG_NOT_SUPPORTING",
        #[error("a short visit lasts at most {max_days} days; this one lasts {days}")]
        ShortVisitTooLong { max_days: u32, days: i64 } => "SHORT_VISIT_TOO_LONG",
        #[error("funding must be more than zero")]
        FundingNotPositive => "FUNDING_NOT_POSITIVE",
    }
}

/// What a pairing's commands need from the program and from other pairings.
///
/// Load: `program` from `program-<program_id>` (kind and current parameters); `registered_orgs` from
/// the `hospital-<credit code>` streams of every organisation the command names (those holding a
/// `HospitalRegistered`); `active_pairings_in_program` from the pairings of the same program (a
/// pairing index read model over `pairing-*`); `parent` from `pairing-<parent_pairing_id>`;
/// `on_site` from the `deployment-*` streams of this pairing's batches (ending a pairing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairingContext {
    pub program: Option<ProgramSnapshot>,
    pub registered_orgs: BTreeSet<CreditCode>,
    pub active_pairings_in_program: Vec<PairingFacts>,
    pub parent: Option<PairingFacts>,
    pub on_site: Vec<OnSiteStint>,
}

/// A program as a pairing binds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramSnapshot {
    pub program_id: ProgramId,
    pub kind: ProgramKind,
    pub parameters: ProgramParameters,
}

/// What other aggregates need to know about a pairing; built by [`PairingState::facts`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingFacts {
    pub pairing_id: PairingId,
    pub program_id: ProgramId,
    pub parameters: ProgramParameters,
    pub supporting_orgs: Vec<CreditCode>,
    pub recipient_org: CreditCode,
    pub region_codes: Vec<DivisionCode>,
    pub group: Option<GroupFormed>,
    pub start: Date,
    pub active: bool,
}

impl PairingFacts {
    /// Supporting organisations, including the hospitals of the 1+N group.
    pub fn supporting(&self) -> BTreeSet<&CreditCode> {
        let mut all: BTreeSet<&CreditCode> = self.supporting_orgs.iter().collect();
        if let Some(group) = &self.group {
            all.insert(&group.lead_org);
            all.extend(group.assisting_orgs.iter());
        }
        all
    }

    /// Every party: supporting organisations and the recipient.
    pub fn parties(&self) -> BTreeSet<&CreditCode> {
        let mut all = self.supporting();
        all.insert(&self.recipient_org);
        all
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PairingCommand {
    Establish(EstablishPairing),
    Restructure {
        successor_pairing_id: PairingId,
        reason: String,
        date: Date,
    },
    End {
        reason: String,
        date: Date,
    },
    FormGroup {
        lead_org: CreditCode,
        assisting_orgs: Vec<CreditCode>,
        formed_on: Date,
    },
    RecordShortVisit(RecordShortVisit),
    CommitFunding(CommitFunding),
}

command_for! {
    /// A pairing under a program; the program's kind and current terms are bound from the program.
    EstablishPairing => PairingEstablished {
        pairing_id: PairingId,
        program_id: ProgramId,
        supporting_orgs: Vec<CreditCode>,
        recipient_org: CreditCode,
        parent_pairing_id: Option<PairingId>,
        region_codes: Vec<DivisionCode>,
        start: Date,
    } + { program_kind: ProgramKind, parameters: ProgramParameters }
}

command_for! {
    /// A short visit of the pairing; the recipient comes from the pairing.
    RecordShortVisit => ShortVisitConducted {
        pairing_id: PairingId,
        visit_id: uuid::Uuid,
        delegation: Vec<Delegate>,
        start: Date,
        end: Date,
        activities: Vec<String>,
    } + { recipient_org: CreditCode }
}

/// Funding committed to the pairing. The recipient is the caller's when given (the money may go to
/// another party of the pairing), the pairing's recipient otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitFunding {
    pub pairing_id: PairingId,
    pub funding_id: uuid::Uuid,
    pub recipient_org: Option<CreditCode>,
    pub amount_fen: MoneyFen,
    pub source: FundingSource,
    pub purpose: String,
    pub date: Date,
}

impl CommitFunding {
    /// The fact this command records, given the pairing's recipient.
    pub fn record(&self, pairing_recipient: CreditCode) -> FundingCommitted {
        FundingCommitted {
            pairing_id: self.pairing_id,
            funding_id: self.funding_id,
            recipient_org: self.recipient_org.clone().unwrap_or(pairing_recipient),
            amount_fen: self.amount_fen,
            source: self.source,
            purpose: self.purpose.clone(),
            date: self.date,
        }
    }
}

impl From<FundingCommitted> for CommitFunding {
    fn from(fact: FundingCommitted) -> Self {
        Self {
            pairing_id: fact.pairing_id,
            funding_id: fact.funding_id,
            recipient_org: Some(fact.recipient_org),
            amount_fen: fact.amount_fen,
            source: fact.source,
            purpose: fact.purpose,
            date: fact.date,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairingState {
    pub established: Option<PairingEstablished>,
    pub group: Option<GroupFormed>,
    pub ended_on: Option<Date>,
    pub successor: Option<PairingId>,
    pub short_visits: u32,
    pub funding_fen: u64,
}

impl PairingState {
    /// The facts other aggregates' contexts take; `None` before the pairing is established.
    pub fn facts(&self) -> Option<PairingFacts> {
        let e = self.established.as_ref()?;
        Some(PairingFacts {
            pairing_id: e.pairing_id,
            program_id: e.program_id,
            parameters: e.parameters.clone(),
            supporting_orgs: e.supporting_orgs.clone(),
            recipient_org: e.recipient_org.clone(),
            region_codes: e.region_codes.clone(),
            group: self.group.clone(),
            start: e.start,
            active: self.ended_on.is_none(),
        })
    }
}

impl Aggregate for PairingState {
    type Command = PairingCommand;
    type Context = PairingContext;

    fn records(command: &PairingCommand) -> &'static str {
        match command {
            PairingCommand::Establish(_) => <PairingEstablished as EventPayload>::TYPE,
            PairingCommand::Restructure { .. } => <PairingRestructured as EventPayload>::TYPE,
            PairingCommand::End { .. } => <PairingEnded as EventPayload>::TYPE,
            PairingCommand::FormGroup { .. } => <GroupFormed as EventPayload>::TYPE,
            PairingCommand::RecordShortVisit(_) => <ShortVisitConducted as EventPayload>::TYPE,
            PairingCommand::CommitFunding(_) => <FundingCommitted as EventPayload>::TYPE,
        }
    }

    fn decide(
        &self,
        command: &PairingCommand,
        context: &PairingContext,
    ) -> Result<Vec<Event>, crate::DomainError> {
        decide::decide(self, command, context)
    }

    fn apply(mut self, event: &Event) -> Self {
        match event {
            Event::PairingEstablished(e) => self.established = Some(e.clone()),
            Event::PairingRestructured(e) => {
                self.ended_on = Some(e.date);
                self.successor = Some(e.successor_pairing_id);
            }
            Event::PairingEnded(e) => self.ended_on = Some(e.date),
            Event::GroupFormed(e) => self.group = Some(e.clone()),
            Event::ShortVisitConducted(_) => self.short_visits += 1,
            Event::FundingCommitted(e) => {
                self.funding_fen = self.funding_fen.saturating_add(e.amount_fen.0)
            }
            _ => {}
        }
        self
    }
}
