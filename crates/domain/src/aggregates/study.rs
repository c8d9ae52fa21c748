//! Advanced study (进修): a local doctor studies at a supporting or alliance hospital.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::errors::{CommonError, DomainError, domain_errors};
use crate::events::{Event, EventPayload, EventScope};
use crate::stream::Aggregate;
use crate::values::{
    BusinessTime, ClinicalDepartment, CreditCode, PractitionerId, StudyId, ValueProblem, day,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvancedStudyStarted {
    pub study_id: StudyId,
    pub trainee: PractitionerId,
    pub trainee_org: CreditCode,
    pub host_org: CreditCode,
    pub department: ClinicalDepartment,
    #[serde(with = "day")]
    pub start: Date,
    #[serde(with = "day")]
    pub planned_end: Date,
    /// Groups the stays of one "组团式进修" cohort.
    pub cohort: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvancedStudyCompleted {
    pub study_id: StudyId,
    pub trainee_org: CreditCode,
    pub host_org: CreditCode,
    #[serde(with = "day")]
    pub completed_on: Date,
}

impl EventPayload for AdvancedStudyStarted {
    const TYPE: &'static str = "AdvancedStudyStarted";
    fn stream_id(&self) -> String {
        self.study_id.stream_id()
    }
    fn scope(&self) -> EventScope {
        EventScope::hosted_at(&self.trainee_org, [&self.host_org])
    }
    fn occurred_at(&self) -> BusinessTime {
        BusinessTime::days(self.start, self.planned_end).unwrap_or(BusinessTime::on(self.start))
    }
}

impl EventPayload for AdvancedStudyCompleted {
    const TYPE: &'static str = "AdvancedStudyCompleted";
    fn stream_id(&self) -> String {
        self.study_id.stream_id()
    }
    fn scope(&self) -> EventScope {
        EventScope::hosted_at(&self.trainee_org, [&self.host_org])
    }
    fn occurred_at(&self) -> BusinessTime {
        BusinessTime::on(self.completed_on)
    }
}

domain_errors! {
    pub enum StudyError {
        #[error("{host} is neither a supporting nor an alliance hospital of {trainee_org}")]
        HostNotLinked { host: String, trainee_org: String } => "STUDY_HOST_NOT_LINKED",
        #[error("the trainee is already studying under {other} from {start} to {end}")]
        OverlappingStudy { other: String, start: Date, end: Date } => "OVERLAPPING_STUDY",
        #[error("the study was already completed")]
        AlreadyCompleted => "STUDY_ALREADY_COMPLETED",
        #[error("completion on {completed_on} is before the start on {start}")]
        CompletionBeforeStart { completed_on: Date, start: Date } => "STUDY_COMPLETION_BEFORE_START",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StudyCommand {
    Start(AdvancedStudyStarted),
    Complete { completed_on: Date },
}

/// Load: `linked_hosts` = supporting organisations of the pairings whose recipient is the trainee's
/// hospital (`pairing-*`, via a pairing index) plus the co-members of its alliances (`alliance-*`);
/// `trainee_studies` = (id, start, end) of the trainee's other `study-*` streams.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StudyContext {
    pub linked_hosts: BTreeSet<CreditCode>,
    pub trainee_studies: Vec<(StudyId, Date, Date)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StudyState {
    pub started: Option<AdvancedStudyStarted>,
    pub completed_on: Option<Date>,
}

impl Aggregate for StudyState {
    type Command = StudyCommand;
    type Context = StudyContext;

    fn records(command: &StudyCommand) -> &'static str {
        match command {
            StudyCommand::Start(_) => <AdvancedStudyStarted as EventPayload>::TYPE,
            StudyCommand::Complete { .. } => <AdvancedStudyCompleted as EventPayload>::TYPE,
        }
    }

    fn decide(
        &self,
        command: &StudyCommand,
        context: &StudyContext,
    ) -> Result<Vec<Event>, DomainError> {
        match command {
            StudyCommand::Start(s) => {
                if self.started.is_some() {
                    return Err(CommonError::AlreadyExists {
                        stream: s.stream_id(),
                    }
                    .into());
                }
                if s.planned_end < s.start {
                    let problem = ValueProblem::PeriodReversed {
                        start: s.start.to_string(),
                        end: s.planned_end.to_string(),
                    };
                    return Err(problem.at("planned_end").into());
                }
                if !context.linked_hosts.contains(&s.host_org) {
                    return Err(StudyError::HostNotLinked {
                        host: s.host_org.to_string(),
                        trainee_org: s.trainee_org.to_string(),
                    }
                    .into());
                }
                if let Some((other, start, end)) =
                    context.trainee_studies.iter().find(|(id, start, end)| {
                        *id != s.study_id && *start <= s.planned_end && s.start <= *end
                    })
                {
                    return Err(StudyError::OverlappingStudy {
                        other: other.to_string(),
                        start: *start,
                        end: *end,
                    }
                    .into());
                }
                Ok(vec![s.clone().into()])
            }
            StudyCommand::Complete { completed_on } => {
                let Some(started) = &self.started else {
                    return Err(CommonError::NotFound {
                        stream: "study".to_owned(),
                    }
                    .into());
                };
                if self.completed_on.is_some() {
                    return Err(StudyError::AlreadyCompleted.into());
                }
                if *completed_on < started.start {
                    return Err(StudyError::CompletionBeforeStart {
                        completed_on: *completed_on,
                        start: started.start,
                    }
                    .into());
                }
                let e = AdvancedStudyCompleted {
                    study_id: started.study_id,
                    trainee_org: started.trainee_org.clone(),
                    host_org: started.host_org.clone(),
                    completed_on: *completed_on,
                };
                Ok(vec![e.into()])
            }
        }
    }

    fn apply(mut self, event: &Event) -> Self {
        match event {
            Event::AdvancedStudyStarted(e) => self.started = Some(e.clone()),
            Event::AdvancedStudyCompleted(e) => self.completed_on = Some(e.completed_on),
            _ => {}
        }
        self
    }
}
