//! Activity ledger of one pairing and reporting period: trainings and clinical activity reports.

use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

use crate::aggregates::command_for;
use crate::aggregates::pairing::PairingFacts;
use crate::errors::{CommonError, DomainError, domain_errors};
use crate::events::{Event, EventPayload, EventScope};
use crate::stream::Aggregate;
use crate::values::{
    ActivityLedgerId, BusinessTime, Count, CreditCode, PractitionerId, ValueProblem, check_text,
    day,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainingMode {
    OnSite,
    Remote,
    Hybrid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingDelivered {
    pub ledger: ActivityLedgerId,
    pub recipient_org: CreditCode,
    pub training_id: Uuid,
    pub topic: String,
    pub trainers: Vec<PractitionerId>,
    pub mode: TrainingMode,
    /// Person-times (人次), possibly an "at least" figure.
    pub attendees: Count,
    #[serde(with = "day")]
    pub date: Date,
}

/// Aggregate figures for a period. Schema v2: every figure is a [`Count`] (v1 had bare integers).
/// Schema v3 added `trainings`, the count of trainings the report states (seed 002: 1,176), which
/// may include trainings also recorded one by one as `TrainingDelivered`; read models never add the
/// two (see `read_models::scoreboard`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClinicalActivityReported {
    pub ledger: ActivityLedgerId,
    pub recipient_org: CreditCode,
    pub report_id: Uuid,
    pub reporter: CreditCode,
    #[serde(with = "day")]
    pub period_start: Date,
    #[serde(with = "day")]
    pub period_end: Date,
    pub surgeries: Option<Count>,
    pub critical_rescues: Option<Count>,
    pub outreach_clinics: Option<Count>,
    pub patients_served: Option<Count>,
    pub teleconsults: Option<Count>,
    #[serde(default)]
    pub trainings: Option<Count>,
}

impl EventPayload for TrainingDelivered {
    const TYPE: &'static str = "TrainingDelivered";
    fn stream_id(&self) -> String {
        self.ledger.stream_id()
    }
    fn scope(&self) -> EventScope {
        EventScope::hosted_at(&self.recipient_org, [])
    }
    fn occurred_at(&self) -> BusinessTime {
        BusinessTime::on(self.date)
    }
}

impl EventPayload for ClinicalActivityReported {
    const TYPE: &'static str = "ClinicalActivityReported";
    const SCHEMA_VERSION: u32 = 3;
    fn stream_id(&self) -> String {
        self.ledger.stream_id()
    }
    fn scope(&self) -> EventScope {
        EventScope::hosted_at(&self.recipient_org, [&self.reporter])
    }
    fn occurred_at(&self) -> BusinessTime {
        BusinessTime::days(self.period_start, self.period_end)
            .unwrap_or(BusinessTime::on(self.period_start))
    }
}

domain_errors! {
    pub enum ActivityError {
        #[error("{reporter} already reported {start}..{end}; correct that report instead")]
        OverlappingReport { reporter: String, start: Date, end: Date } => "OVERLAPPING_REPORT_PERIOD",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivityCommand {
    DeliverTraining(DeliverTraining),
    ReportClinicalActivity(ReportClinicalActivity),
}

command_for! {
    /// A training delivered; the recipient comes from the pairing.
    DeliverTraining => TrainingDelivered {
        ledger: ActivityLedgerId,
        training_id: Uuid,
        topic: String,
        trainers: Vec<PractitionerId>,
        mode: TrainingMode,
        attendees: Count,
        date: Date,
    } + { recipient_org: CreditCode }
}

command_for! {
    /// A clinical activity report; the recipient comes from the pairing.
    ReportClinicalActivity => ClinicalActivityReported {
        ledger: ActivityLedgerId,
        report_id: Uuid,
        reporter: CreditCode,
        period_start: Date,
        period_end: Date,
        surgeries: Option<Count>,
        critical_rescues: Option<Count>,
        outreach_clinics: Option<Count>,
        patients_served: Option<Count>,
        teleconsults: Option<Count>,
        trainings: Option<Count>,
    } + { recipient_org: CreditCode }
}

/// Load: `pairing` from `pairing-<ledger.pairing>`.
///
/// Trainers are not checked against anything: the personnel registry (WS/T 790.8) is not
/// integrated, and the log cannot stand in for it (short-visit experts are delegates without a
/// practitioner id, remote trainings are given by home-hospital staff never dispatched), so the
/// trainers are recorded as the recording hospital names them, and may be left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityContext {
    pub pairing: Option<PairingFacts>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityState {
    pub trainings: Vec<TrainingDelivered>,
    pub reports: Vec<ClinicalActivityReported>,
}

impl ActivityState {
    /// Total surgeries reported, keeping "at least" when any part was.
    pub fn surgeries(&self) -> Count {
        self.reports
            .iter()
            .filter_map(|r| r.surgeries)
            .fold(Count::exact(0), Count::plus)
    }
}

impl Aggregate for ActivityState {
    type Command = ActivityCommand;
    type Context = ActivityContext;

    fn records(command: &ActivityCommand) -> &'static str {
        match command {
            ActivityCommand::DeliverTraining(_) => <TrainingDelivered as EventPayload>::TYPE,
            ActivityCommand::ReportClinicalActivity(_) => {
                <ClinicalActivityReported as EventPayload>::TYPE
            }
        }
    }

    fn decide(
        &self,
        command: &ActivityCommand,
        context: &ActivityContext,
    ) -> Result<Vec<Event>, DomainError> {
        let ledger = match command {
            ActivityCommand::DeliverTraining(t) => &t.ledger,
            ActivityCommand::ReportClinicalActivity(r) => &r.ledger,
        };
        let pairing = context
            .pairing
            .as_ref()
            .filter(|p| p.pairing_id == ledger.pairing)
            .ok_or_else(|| CommonError::PairingNotFound {
                pairing: ledger.pairing.to_string(),
            })?;
        let recipient_org = pairing.recipient_org.clone();
        match command {
            ActivityCommand::DeliverTraining(t) => {
                check_text("topic", &t.topic, 200)?;
                Ok(vec![t.record(recipient_org).into()])
            }
            ActivityCommand::ReportClinicalActivity(r) => {
                if r.period_end < r.period_start {
                    let problem = ValueProblem::PeriodReversed {
                        start: r.period_start.to_string(),
                        end: r.period_end.to_string(),
                    };
                    return Err(problem.at("period_end").into());
                }
                if let Some(other) = self.reports.iter().find(|o| {
                    o.reporter == r.reporter
                        && o.period_start <= r.period_end
                        && r.period_start <= o.period_end
                }) {
                    return Err(ActivityError::OverlappingReport {
                        reporter: r.reporter.to_string(),
                        start: other.period_start,
                        end: other.period_end,
                    }
                    .into());
                }
                Ok(vec![r.record(recipient_org).into()])
            }
        }
    }

    fn apply(mut self, event: &Event) -> Self {
        match event {
            Event::TrainingDelivered(e) => self.trainings.push(e.clone()),
            Event::ClinicalActivityReported(e) => self.reports.push(e.clone()),
            _ => {}
        }
        self
    }
}
