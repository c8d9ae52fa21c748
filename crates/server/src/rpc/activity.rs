//! `medaid.v1.ActivityService` requests to activity-ledger and pairing commands.

use api::medaid::v1 as pb;
use domain::AggregateCommand;
use domain::aggregates::{activity, pairing};

use super::write::{Ids, plain_rpcs, write_service};
use crate::convert::fields::count;
use crate::convert::fields::{at_most_entries, entries_1_to, text_at_most};
use api::medaid::v1::activity_service_server::ActivityService;
use domain::StreamCommand;
use domain::aggregates::activity::{ActivityCommand, TrainingMode};
use domain::aggregates::pairing::{Delegate, FundingSource, PairingCommand};
use domain::values::{ActivityLedgerId, Count, MoneyFen, PeriodKey, ValidationError};

use crate::convert::fields::pairing_id;
use crate::convert::fields::{credit_code, date, required, required_enum, text};
use crate::convert::fields::{department, practitioner, title};

fn optional_count(
    field: &str,
    value: Option<&pb::Count>,
) -> Result<Option<Count>, ValidationError> {
    value.map(|v| count(field, v)).transpose()
}

fn ledger(pairing: &str, period: &str) -> Result<ActivityLedgerId, ValidationError> {
    Ok(ActivityLedgerId {
        pairing: pairing_id("pairing_id", pairing)?,
        period: PeriodKey::parse(period).map_err(|p| p.at("period"))?,
    })
}

fn activity(id: ActivityLedgerId, command: ActivityCommand) -> AggregateCommand {
    AggregateCommand::Activity {
        id,
        command: StreamCommand::Act(command),
    }
}

/// `RecordTraining`.
pub fn training(
    req: &pb::RecordTrainingRequest,
    ids: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let id = ledger(&req.pairing_id, &req.period)?;
    let mode: pb::TrainingMode = required_enum("mode", req.mode)?;
    let mode = match mode {
        pb::TrainingMode::OnSite | pb::TrainingMode::Unspecified => TrainingMode::OnSite,
        pb::TrainingMode::Remote => TrainingMode::Remote,
        pb::TrainingMode::Hybrid => TrainingMode::Hybrid,
    };
    at_most_entries("trainers", &req.trainers, 50)?;
    let trainers = req
        .trainers
        .iter()
        .enumerate()
        .map(|(i, t)| practitioner(&format!("trainers[{i}]"), t))
        .collect::<Result<Vec<_>, _>>()?;
    let event = activity::DeliverTraining {
        ledger: id.clone(),
        training_id: ids.derive("training"),
        topic: text("topic", &req.topic)?,
        trainers,
        mode,
        attendees: count("attendees", required("attendees", req.attendees.as_ref())?)?,
        date: date("date", &req.date)?,
    };
    Ok(activity(id, ActivityCommand::DeliverTraining(event)))
}

/// `ReportClinicalActivity`.
pub fn clinical(
    req: &pb::ReportClinicalActivityRequest,
    ids: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let id = ledger(&req.pairing_id, &req.period)?;
    let event = activity::ReportClinicalActivity {
        ledger: id.clone(),
        report_id: ids.derive("report"),
        reporter: credit_code("reporter", &req.reporter)?,
        period_start: date("period_start", &req.period_start)?,
        period_end: date("period_end", &req.period_end)?,
        surgeries: optional_count("surgeries", req.surgeries.as_ref())?,
        critical_rescues: optional_count("critical_rescues", req.critical_rescues.as_ref())?,
        outreach_clinics: optional_count("outreach_clinics", req.outreach_clinics.as_ref())?,
        patients_served: optional_count("patients_served", req.patients_served.as_ref())?,
        teleconsults: optional_count("teleconsults", req.teleconsults.as_ref())?,
        trainings: optional_count("trainings", req.trainings.as_ref())?,
    };
    Ok(activity(id, ActivityCommand::ReportClinicalActivity(event)))
}

fn pairing(id: &str, command: PairingCommand) -> Result<AggregateCommand, ValidationError> {
    Ok(AggregateCommand::Pairing {
        id: pairing_id("pairing_id", id)?,
        command: StreamCommand::Act(command),
    })
}

/// `CommitFunding` (recorded on the pairing's stream).
pub fn funding(
    req: &pb::CommitFundingRequest,
    ids: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let source: pb::FundingSource = required_enum("source", req.source)?;
    let source = match source {
        pb::FundingSource::Fiscal | pb::FundingSource::Unspecified => FundingSource::Fiscal,
        pb::FundingSource::Social => FundingSource::Social,
        pb::FundingSource::EastWestCooperationFund => FundingSource::EastWestCooperationFund,
        pb::FundingSource::FiscalAndSocial => FundingSource::FiscalAndSocial,
    };
    // Zero or negative is the aggregate's FUNDING_NOT_POSITIVE, INVALID_ARGUMENT on amount_fen as
    // errors.proto documents it: a negative amount reaches it as zero.
    let amount = u64::try_from(req.amount_fen).unwrap_or(0);
    let recipient_org = if req.recipient_org.is_empty() {
        None
    } else {
        Some(credit_code("recipient_org", &req.recipient_org)?)
    };
    let event = pairing::CommitFunding {
        pairing_id: pairing_id("pairing_id", &req.pairing_id)?,
        funding_id: ids.derive("funding"),
        recipient_org,
        amount_fen: MoneyFen(amount),
        source,
        purpose: text_at_most("purpose", &req.purpose, 500)?,
        date: date("date", &req.date)?,
    };
    pairing(&req.pairing_id, PairingCommand::CommitFunding(event))
}

fn delegate(field: &str, d: &pb::Delegate) -> Result<Delegate, ValidationError> {
    Ok(Delegate {
        home_org: credit_code(&format!("{field}.home_org"), &d.home_org)?,
        title: (d.title != 0)
            .then(|| title(&format!("{field}.title"), d.title))
            .transpose()?,
        specialty: (!d.specialty.is_empty())
            .then(|| department(&format!("{field}.specialty"), &d.specialty))
            .transpose()?,
    })
}

/// `RecordShortVisit` (recorded on the pairing's stream).
pub fn short_visit(
    req: &pb::RecordShortVisitRequest,
    ids: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    at_most_entries("delegation", &req.delegation, 200)?;
    entries_1_to("activities", &req.activities, 20)?;
    let delegation = req
        .delegation
        .iter()
        .enumerate()
        .map(|(i, d)| delegate(&format!("delegation[{i}]"), d))
        .collect::<Result<Vec<_>, _>>()?;
    let activities = req
        .activities
        .iter()
        .enumerate()
        .map(|(i, a)| text_at_most(&format!("activities[{i}]"), a, 50))
        .collect::<Result<Vec<_>, _>>()?;
    let event = pairing::RecordShortVisit {
        pairing_id: pairing_id("pairing_id", &req.pairing_id)?,
        visit_id: ids.derive("visit"),
        delegation,
        start: date("start", &req.start)?,
        end: date("end", &req.end)?,
        activities,
    };
    pairing(&req.pairing_id, PairingCommand::RecordShortVisit(event))
}

plain_rpcs! {
    RecordTraining(pb::RecordTrainingRequest => RecordTrainingResponse) = training;
    ReportClinicalActivity(pb::ReportClinicalActivityRequest => ReportClinicalActivityResponse) = clinical;
    CommitFunding(pb::CommitFundingRequest => CommitFundingResponse) = funding;
    RecordShortVisit(pb::RecordShortVisitRequest => RecordShortVisitResponse) = short_visit;
}

write_service! {
    /// Training, clinical activity, funding and short visits of a pairing.
    ActivityService for Activities {
        record_training => RecordTraining,
        report_clinical_activity => ReportClinicalActivity,
        commit_funding => CommitFunding,
        record_short_visit => RecordShortVisit,
    }
}
