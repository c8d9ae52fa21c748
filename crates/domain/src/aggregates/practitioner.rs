//! Practitioner directory entry: who a practitioner is (sealed), their title, department and
//! employer, and the erasure of their personal data.
//!
//! Every other fact names practitioners by id only; this stream, `practitioner-<id>`, is the one
//! place a name is recorded, and only sealed under the practitioner's own key
//! ([`crate::values::seal`]). `PersonalDataErased` records that the key was destroyed and why: the
//! events stay, their ciphertext no longer opens, and every answer shows the person as erased.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::errors::{CommonError, DomainError, domain_errors};
use crate::events::{Event, EventPayload, EventScope};
use crate::stream::Aggregate;
use crate::values::{
    BusinessTime, ClinicalDepartment, CreditCode, PractitionerId, ProfessionalTitle,
    SealedPersonalData, day,
};

/// A practitioner entered in the directory. `personal` is the name, gender and licence number,
/// sealed: the log never holds them in the clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PractitionerRegistered {
    pub practitioner: PractitionerId,
    pub personal: SealedPersonalData,
    pub title: ProfessionalTitle,
    pub department: ClinicalDepartment,
    pub employer: CreditCode,
    #[serde(with = "day")]
    pub registered_on: Date,
}

/// A new title, department or employer (the fields left out stay as they were).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PractitionerChanged {
    pub practitioner: PractitionerId,
    pub title: Option<ProfessionalTitle>,
    pub department: Option<ClinicalDepartment>,
    pub employer: Option<CreditCode>,
    /// The employer before the change, filled by the domain: a recorder of the old employer's
    /// province must cover the change too.
    pub previous_employer: CreditCode,
    #[serde(with = "day")]
    pub changed_on: Date,
}

/// The ground of an erasure: PIPL Art. 47, paragraph 1, items (1) to (5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErasureBasis {
    /// (1) 处理目的已实现、无法实现或者为实现处理目的不再必要.
    PurposeAchieved,
    /// (2) 个人信息处理者停止提供产品或者服务，或者保存期限已届满.
    RetentionEnded,
    /// (3) 个人撤回同意.
    ConsentWithdrawn,
    /// (4) 个人信息处理者违反法律、行政法规或者违反约定处理个人信息.
    UnlawfulProcessing,
    /// (5) 法律、行政法规规定的其他情形.
    OtherLegalGround,
}

/// The practitioner's key was destroyed: their sealed personal data can no longer be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalDataErased {
    pub practitioner: PractitionerId,
    pub legal_basis: ErasureBasis,
    /// The employer at the time of erasure, filled by the domain, for the event's scope.
    pub employer: CreditCode,
    #[serde(with = "day")]
    pub erased_on: Date,
}

impl EventPayload for PractitionerRegistered {
    const TYPE: &'static str = "PractitionerRegistered";
    fn stream_id(&self) -> String {
        self.practitioner.stream_id()
    }
    fn scope(&self) -> EventScope {
        EventScope::hosted_at(&self.employer, [])
    }
    fn occurred_at(&self) -> BusinessTime {
        BusinessTime::on(self.registered_on)
    }
}

impl EventPayload for PractitionerChanged {
    const TYPE: &'static str = "PractitionerChanged";
    fn stream_id(&self) -> String {
        self.practitioner.stream_id()
    }
    fn scope(&self) -> EventScope {
        let mut scope = EventScope::hosted_at(&self.previous_employer, []);
        if let Some(employer) = &self.employer {
            scope.add_host(employer);
        }
        scope
    }
    fn occurred_at(&self) -> BusinessTime {
        BusinessTime::on(self.changed_on)
    }
}

impl EventPayload for PersonalDataErased {
    const TYPE: &'static str = "PersonalDataErased";
    fn stream_id(&self) -> String {
        self.practitioner.stream_id()
    }
    fn scope(&self) -> EventScope {
        EventScope::hosted_at(&self.employer, [])
    }
    fn occurred_at(&self) -> BusinessTime {
        BusinessTime::on(self.erased_on)
    }
}

domain_errors! {
    pub enum PractitionerError {
        #[error("the change of {practitioner} names no title, department or employer other than the current one")]
        Unchanged { practitioner: String } => "PRACTITIONER_UNCHANGED",
        #[error("the personal data of {practitioner} was erased on {on}")]
        AlreadyErased { practitioner: String, on: Date } => "PERSONAL_DATA_ALREADY_ERASED",
    }
}

/// `ChangePractitioner`: the fields given replace the current ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangePractitioner {
    pub practitioner: PractitionerId,
    pub title: Option<ProfessionalTitle>,
    pub department: Option<ClinicalDepartment>,
    pub employer: Option<CreditCode>,
    pub changed_on: Date,
}

/// `ErasePersonalData`: the key is destroyed by `app` before this is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasePersonalData {
    pub practitioner: PractitionerId,
    pub legal_basis: ErasureBasis,
    pub erased_on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PractitionerCommand {
    Register(PractitionerRegistered),
    Change(ChangePractitioner),
    Erase(ErasePersonalData),
}

impl From<PractitionerChanged> for ChangePractitioner {
    fn from(fact: PractitionerChanged) -> Self {
        Self {
            practitioner: fact.practitioner,
            title: fact.title,
            department: fact.department,
            employer: fact.employer,
            changed_on: fact.changed_on,
        }
    }
}

impl From<PersonalDataErased> for ErasePersonalData {
    fn from(fact: PersonalDataErased) -> Self {
        Self {
            practitioner: fact.practitioner,
            legal_basis: fact.legal_basis,
            erased_on: fact.erased_on,
        }
    }
}

/// Load: `registered_orgs` = the employers the command names whose `hospital-<code>` stream holds
/// a `HospitalRegistered`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PractitionerContext {
    pub registered_orgs: BTreeSet<CreditCode>,
}

/// What the directory knows of one practitioner, without their personal data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PractitionerState {
    pub registered: Option<PractitionerRegistered>,
    pub title: Option<ProfessionalTitle>,
    pub department: Option<ClinicalDepartment>,
    pub employer: Option<CreditCode>,
    /// The day the personal data was erased, once it was.
    pub erased_on: Option<Date>,
}

impl PractitionerState {
    /// The current employer of a registered practitioner; a missing stream is `STREAM_NOT_FOUND`.
    fn registered_employer(
        &self,
        practitioner: &PractitionerId,
    ) -> Result<CreditCode, DomainError> {
        match &self.registered {
            Some(registered) => Ok(self
                .employer
                .clone()
                .unwrap_or_else(|| registered.employer.clone())),
            None => Err(CommonError::NotFound {
                stream: practitioner.stream_id(),
            }
            .into()),
        }
    }

    /// Refuses a command while the personal data stays erased.
    pub fn require_not_erased(&self, practitioner: &PractitionerId) -> Result<(), DomainError> {
        match self.erased_on {
            Some(on) => Err(PractitionerError::AlreadyErased {
                practitioner: practitioner.to_string(),
                on,
            }
            .into()),
            None => Ok(()),
        }
    }
}

fn require_employer(
    context: &PractitionerContext,
    employer: &CreditCode,
) -> Result<(), DomainError> {
    if context.registered_orgs.contains(employer) {
        Ok(())
    } else {
        Err(CommonError::OrgNotRegistered {
            org: employer.to_string(),
            field: "employer".to_owned(),
        }
        .into())
    }
}

impl Aggregate for PractitionerState {
    type Command = PractitionerCommand;
    type Context = PractitionerContext;

    fn records(command: &PractitionerCommand) -> &'static str {
        match command {
            PractitionerCommand::Register(_) => <PractitionerRegistered as EventPayload>::TYPE,
            PractitionerCommand::Change(_) => <PractitionerChanged as EventPayload>::TYPE,
            PractitionerCommand::Erase(_) => <PersonalDataErased as EventPayload>::TYPE,
        }
    }

    fn decide(
        &self,
        command: &PractitionerCommand,
        context: &PractitionerContext,
    ) -> Result<Vec<Event>, DomainError> {
        match command {
            PractitionerCommand::Register(r) => {
                if self.registered.is_some() {
                    return Err(CommonError::AlreadyExists {
                        stream: r.stream_id(),
                    }
                    .into());
                }
                require_employer(context, &r.employer)?;
                Ok(vec![r.clone().into()])
            }
            PractitionerCommand::Change(c) => {
                let previous_employer = self.registered_employer(&c.practitioner)?;
                let new_title = c.title.filter(|t| Some(*t) != self.title);
                let new_department = c
                    .department
                    .clone()
                    .filter(|d| Some(d) != self.department.as_ref());
                let new_employer = c
                    .employer
                    .clone()
                    .filter(|e| Some(e) != self.employer.as_ref());
                if new_title.is_none() && new_department.is_none() && new_employer.is_none() {
                    return Err(PractitionerError::Unchanged {
                        practitioner: c.practitioner.to_string(),
                    }
                    .into());
                }
                if let Some(employer) = &new_employer {
                    require_employer(context, employer)?;
                }
                Ok(vec![
                    PractitionerChanged {
                        practitioner: c.practitioner.clone(),
                        title: new_title,
                        department: new_department,
                        employer: new_employer,
                        previous_employer,
                        changed_on: c.changed_on,
                    }
                    .into(),
                ])
            }
            PractitionerCommand::Erase(e) => {
                let employer = self.registered_employer(&e.practitioner)?;
                self.require_not_erased(&e.practitioner)?;
                Ok(vec![
                    PersonalDataErased {
                        practitioner: e.practitioner.clone(),
                        legal_basis: e.legal_basis,
                        employer,
                        erased_on: e.erased_on,
                    }
                    .into(),
                ])
            }
        }
    }

    fn apply(mut self, event: &Event) -> Self {
        match event {
            Event::PractitionerRegistered(r) => {
                self.title = Some(r.title);
                self.department = Some(r.department.clone());
                self.employer = Some(r.employer.clone());
                self.registered = Some(r.clone());
            }
            Event::PractitionerChanged(c) => {
                if let Some(title) = c.title {
                    self.title = Some(title);
                }
                if let Some(department) = &c.department {
                    self.department = Some(department.clone());
                }
                if let Some(employer) = &c.employer {
                    self.employer = Some(employer.clone());
                }
            }
            Event::PersonalDataErased(e) => self.erased_on = Some(e.erased_on),
            _ => {}
        }
        self
    }
}
