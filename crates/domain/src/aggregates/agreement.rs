//! Agreement (协议 / 帮扶目标责任书): parties of a pairing sign targets from the program's indicator set.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::aggregates::command_for;
use crate::aggregates::pairing::PairingFacts;
use crate::aggregates::program::IndicatorSet;
use crate::errors::{CommonError, DomainError, domain_errors};
use crate::events::{Event, EventPayload, EventScope};
use crate::stream::Aggregate;
use crate::values::{
    AgreementId, BusinessTime, Count, CreditCode, IndicatorCode, PairingId, ValueProblem,
    check_text, day, optional_day,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgreementKind {
    /// 框架协议.
    Framework,
    /// 工作方案.
    WorkPlan,
    /// 帮扶协议.
    AidAgreement,
    /// 帮扶目标责任书.
    TargetResponsibility,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub indicator: IndicatorCode,
    pub target: Count,
    #[serde(with = "day")]
    pub due: Date,
}

/// The agreement binds the pairing's indicator set, so that later assessments use the same one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementSigned {
    pub agreement_id: AgreementId,
    pub pairing_id: PairingId,
    pub recipient_org: CreditCode,
    pub kind: AgreementKind,
    pub title: String,
    pub parties: Vec<CreditCode>,
    #[serde(with = "day")]
    pub start: Date,
    #[serde(with = "optional_day")]
    pub end: Option<Date>,
    pub indicator_set: IndicatorSet,
    pub targets: Vec<Target>,
}

impl EventPayload for AgreementSigned {
    const TYPE: &'static str = "AgreementSigned";
    fn stream_id(&self) -> String {
        self.agreement_id.stream_id()
    }
    fn scope(&self) -> EventScope {
        EventScope::hosted_at(&self.recipient_org, &self.parties)
    }
    fn occurred_at(&self) -> BusinessTime {
        self.end
            .and_then(|end| BusinessTime::days(self.start, end).ok())
            .unwrap_or(BusinessTime::on(self.start))
    }
}

domain_errors! {
    pub enum AgreementError {
        #[error("{org} ({field}) is not a party of pairing {pairing}")]
        PartyNotInPairing { org: String, field: String, pairing: String } => "PARTY_NOT_IN_PAIRING",
        #[error("indicator {indicator} ({field}) is not in indicator set {set_version}")]
        UnknownIndicator { indicator: String, field: String, set_version: String } => "UNKNOWN_INDICATOR",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgreementCommand {
    Sign(SignAgreement),
}

command_for! {
    /// An agreement of the pairing; the recipient and the indicator set come from the pairing.
    SignAgreement => AgreementSigned {
        agreement_id: AgreementId,
        pairing_id: PairingId,
        kind: AgreementKind,
        title: String,
        parties: Vec<CreditCode>,
        start: Date,
        end: Option<Date>,
        targets: Vec<Target>,
    } + { recipient_org: CreditCode, indicator_set: IndicatorSet }
}

/// Load: `pairing` from `pairing-<pairing_id>` (`PairingState::facts`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgreementContext {
    pub pairing: Option<PairingFacts>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgreementState {
    pub signed: Option<AgreementSigned>,
}

impl Aggregate for AgreementState {
    type Command = AgreementCommand;
    type Context = AgreementContext;

    fn records(command: &AgreementCommand) -> &'static str {
        match command {
            AgreementCommand::Sign(_) => <AgreementSigned as EventPayload>::TYPE,
        }
    }

    fn decide(
        &self,
        command: &AgreementCommand,
        context: &AgreementContext,
    ) -> Result<Vec<Event>, DomainError> {
        let AgreementCommand::Sign(signed) = command;
        if self.signed.is_some() {
            return Err(CommonError::AlreadyExists {
                stream: signed.agreement_id.stream_id(),
            }
            .into());
        }
        check_text("title", &signed.title, 200)?;
        let pairing = context
            .pairing
            .as_ref()
            .filter(|p| p.pairing_id == signed.pairing_id)
            .ok_or_else(|| CommonError::PairingNotFound {
                pairing: signed.pairing_id.to_string(),
            })?;
        if signed.parties.is_empty() {
            return Err(ValueProblem::Empty.at("parties").into());
        }
        let parties = pairing.parties();
        for (i, org) in signed.parties.iter().enumerate() {
            if !parties.contains(org) {
                return Err(AgreementError::PartyNotInPairing {
                    org: org.to_string(),
                    field: format!("parties[{i}]"),
                    pairing: pairing.pairing_id.to_string(),
                }
                .into());
            }
        }
        let set = &pairing.parameters.indicator_set;
        for (i, target) in signed.targets.iter().enumerate() {
            if !set.indicators.contains(&target.indicator) {
                return Err(AgreementError::UnknownIndicator {
                    indicator: target.indicator.to_string(),
                    field: format!("targets[{i}].indicator"),
                    set_version: set.version.clone(),
                }
                .into());
            }
        }
        let bound = signed.record(pairing.recipient_org.clone(), set.clone());
        Ok(vec![bound.into()])
    }

    fn apply(mut self, event: &Event) -> Self {
        if let Event::AgreementSigned(e) = event {
            self.signed = Some(e.clone());
        }
        self
    }
}
