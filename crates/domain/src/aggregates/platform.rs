//! Co-built platform (共建平台挂牌): departments, training bases, studios, stations, centres.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::aggregates::pairing::PairingFacts;
use crate::errors::{CommonError, DomainError, domain_errors};
use crate::events::{Event, EventPayload, EventScope};
use crate::stream::Aggregate;
use crate::values::{
    BusinessTime, ClinicalDepartment, CreditCode, PairingId, PlatformId, check_text, day,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlatformKind {
    /// 共建科室.
    CoBuiltDepartment,
    /// 培训基地.
    TrainingBase,
    /// 名医工作站.
    FamousDoctorStation,
    /// 传帮带工作室.
    CoachingStudio,
    /// 远程会诊中心.
    TeleconsultationCentre,
    /// 继教分中心.
    ContinuingEducationBranch,
    /// 协作示范点.
    DemonstrationSite,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformEstablished {
    pub platform_id: PlatformId,
    pub pairing_id: PairingId,
    pub kind: PlatformKind,
    pub name: String,
    pub host_org: CreditCode,
    pub partners: Vec<CreditCode>,
    pub specialty: Option<ClinicalDepartment>,
    #[serde(with = "day")]
    pub established_on: Date,
}

impl EventPayload for PlatformEstablished {
    const TYPE: &'static str = "PlatformEstablished";
    fn stream_id(&self) -> String {
        self.platform_id.stream_id()
    }
    fn scope(&self) -> EventScope {
        EventScope::hosted_at(&self.host_org, &self.partners)
    }
    fn occurred_at(&self) -> BusinessTime {
        BusinessTime::on(self.established_on)
    }
}

domain_errors! {
    pub enum PlatformError {
        #[error("host {host} is not a party of pairing {pairing}")]
        HostNotInPairing { host: String, pairing: String } => "PLATFORM_HOST_NOT_IN_PAIRING",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlatformCommand {
    Establish(PlatformEstablished),
}

/// Load: `pairing` from `pairing-<pairing_id>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlatformContext {
    pub pairing: Option<PairingFacts>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlatformState {
    pub established: Option<PlatformEstablished>,
}

impl Aggregate for PlatformState {
    type Command = PlatformCommand;
    type Context = PlatformContext;

    fn records(command: &PlatformCommand) -> &'static str {
        match command {
            PlatformCommand::Establish(_) => <PlatformEstablished as EventPayload>::TYPE,
        }
    }

    fn decide(
        &self,
        command: &PlatformCommand,
        context: &PlatformContext,
    ) -> Result<Vec<Event>, DomainError> {
        let PlatformCommand::Establish(p) = command;
        if self.established.is_some() {
            return Err(CommonError::AlreadyExists {
                stream: p.stream_id(),
            }
            .into());
        }
        check_text("name", &p.name, 200)?;
        let pairing = context
            .pairing
            .as_ref()
            .filter(|f| f.pairing_id == p.pairing_id)
            .ok_or_else(|| CommonError::PairingNotFound {
                pairing: p.pairing_id.to_string(),
            })?;
        if !pairing.parties().contains(&p.host_org) {
            return Err(PlatformError::HostNotInPairing {
                host: p.host_org.to_string(),
                pairing: p.pairing_id.to_string(),
            }
            .into());
        }
        Ok(vec![p.clone().into()])
    }

    fn apply(mut self, event: &Event) -> Self {
        if let Event::PlatformEstablished(e) = event {
            self.established = Some(e.clone());
        }
        self
    }
}
