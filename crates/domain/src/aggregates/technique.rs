//! Technique at a hospital (新技术新项目): the first time a technique is performed at one hospital.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::errors::{DomainError, domain_errors};
use crate::events::{Event, EventPayload, EventScope};
use crate::facts::OnSiteStint;
use crate::stream::Aggregate;
use crate::values::{
    BusinessTime, ClinicalDepartment, CreditCode, PractitionerId, TechniqueAtHospitalId,
    TechniqueKey, check_text, day,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TechniqueCategory {
    /// 新技术.
    NewTechnique,
    /// 新项目.
    NewProject,
    /// 四级手术.
    Grade4Surgery,
}

/// Who performed it first: an on-site member, or a local doctor with the privileges for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "practitioner")]
pub enum Performer {
    OnSiteMember(PractitionerId),
    Local(PractitionerId),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechniqueIntroduced {
    pub hospital: CreditCode,
    pub technique: TechniqueKey,
    pub name: String,
    /// An ICD-9-CM-3 procedure code where one exists.
    pub procedure_code: Option<String>,
    pub department: ClinicalDepartment,
    #[serde(with = "day")]
    pub first_performed_on: Date,
    pub performer: Performer,
    pub category: TechniqueCategory,
}

impl TechniqueIntroduced {
    pub fn id(&self) -> TechniqueAtHospitalId {
        TechniqueAtHospitalId {
            hospital: self.hospital.clone(),
            technique: self.technique.clone(),
        }
    }
}

impl EventPayload for TechniqueIntroduced {
    const TYPE: &'static str = "TechniqueIntroduced";
    fn stream_id(&self) -> String {
        self.id().stream_id()
    }
    fn scope(&self) -> EventScope {
        EventScope::hosted_at(&self.hospital, [])
    }
    fn occurred_at(&self) -> BusinessTime {
        BusinessTime::on(self.first_performed_on)
    }
}

domain_errors! {
    pub enum TechniqueError {
        #[error("{technique} was already introduced at {hospital} on {on}")]
        AlreadyIntroduced { technique: String, hospital: String, on: Date } => "TECHNIQUE_ALREADY_INTRODUCED",
        #[error("performer {performer} is not an on-site member at {hospital} on {date}")]
        PerformerNotOnSite { performer: String, hospital: String, date: Date } => "PERFORMER_NOT_ON_SITE",
        #[error("local performer {performer} has no privileges for this technique")]
        PerformerNotPrivileged { performer: String } => "PERFORMER_NOT_PRIVILEGED",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TechniqueCommand {
    Introduce(TechniqueIntroduced),
}

/// Load: `performer_stints` = the performer's `deployment-*` stints (roster by practitioner) when an
/// on-site member performed it; `local_performer_privileged` from the hospital's privileging record
/// (手术分级授权, kept by the hospital, read through the provincial platform) when a local doctor did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TechniqueContext {
    pub performer_stints: Vec<OnSiteStint>,
    pub local_performer_privileged: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TechniqueState {
    pub introduced: Option<TechniqueIntroduced>,
}

impl TechniqueState {
    /// The day the technique was first performed here, for gap-fill and independence contexts.
    pub fn introduced_on(&self) -> Option<Date> {
        self.introduced.as_ref().map(|t| t.first_performed_on)
    }
}

impl Aggregate for TechniqueState {
    type Command = TechniqueCommand;
    type Context = TechniqueContext;

    fn records(command: &TechniqueCommand) -> &'static str {
        match command {
            TechniqueCommand::Introduce(_) => <TechniqueIntroduced as EventPayload>::TYPE,
        }
    }

    fn decide(
        &self,
        command: &TechniqueCommand,
        context: &TechniqueContext,
    ) -> Result<Vec<Event>, DomainError> {
        let TechniqueCommand::Introduce(t) = command;
        if let Some(existing) = &self.introduced {
            return Err(TechniqueError::AlreadyIntroduced {
                technique: existing.technique.to_string(),
                hospital: existing.hospital.to_string(),
                on: existing.first_performed_on,
            }
            .into());
        }
        check_text("name", &t.name, 200)?;
        match &t.performer {
            Performer::OnSiteMember(who) => {
                let on_site = context.performer_stints.iter().any(|s| {
                    &s.practitioner == who && s.on_site_at(&t.hospital, t.first_performed_on)
                });
                if !on_site {
                    return Err(TechniqueError::PerformerNotOnSite {
                        performer: who.to_string(),
                        hospital: t.hospital.to_string(),
                        date: t.first_performed_on,
                    }
                    .into());
                }
            }
            Performer::Local(who) => {
                if !context.local_performer_privileged {
                    return Err(TechniqueError::PerformerNotPrivileged {
                        performer: who.to_string(),
                    }
                    .into());
                }
            }
        }
        Ok(vec![t.clone().into()])
    }

    fn apply(mut self, event: &Event) -> Self {
        if let Event::TechniqueIntroduced(e) = event {
            self.introduced = Some(e.clone());
        }
        self
    }
}
