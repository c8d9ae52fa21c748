use domain::aggregates::activity::{
    ActivityCommand, ActivityContext, ActivityState, ClinicalActivityReported, TrainingDelivered,
    TrainingMode,
};
use domain::aggregates::assessment::{
    AssessmentCommand, AssessmentConducted, AssessmentContext, AssessmentResult, AssessmentState,
    AssessmentSubject, IndicatorResult,
};
use domain::aggregates::study::{AdvancedStudyStarted, StudyCommand, StudyContext, StudyState};
use domain::values::{ActivityLedgerId, AssessmentId, Comparator, Count, PeriodKey, StudyId};
use time::{Date, macros::date};
use uuid::Uuid;

use crate::agreement_batch_rules::agreement;
use crate::fixtures::*;
use crate::harness::{given, given_in};

pub(crate) fn study() -> AdvancedStudyStarted {
    AdvancedStudyStarted {
        study_id: StudyId(Uuid::from_u128(100)),
        trainee: person("local-wang-2"),
        trainee_org: recipient(),
        host_org: supporting(),
        department: dept("04.05"),
        start: date!(2024 - 03 - 01),
        planned_end: date!(2024 - 08 - 31),
        cohort: Some("组团式进修-2024".to_owned()),
    }
}

fn linked() -> StudyContext {
    StudyContext {
        linked_hosts: registered(&[supporting()]),
        trainee_studies: vec![],
    }
}

#[test]
fn a_trainee_studies_at_a_supporting_hospital() {
    given_in::<StudyState>([], linked())
        .when(StudyCommand::Start(study()))
        .then(vec![study().into()]);
    given_in::<StudyState>([study().into()], linked())
        .when(StudyCommand::Start(study()))
        .then_err("STREAM_ALREADY_EXISTS");
    given::<StudyState>([])
        .when(StudyCommand::Start(study()))
        .then_err("STUDY_HOST_NOT_LINKED");
}

#[test]
fn studies_of_one_trainee_do_not_overlap() {
    let mut ctx = linked();
    ctx.trainee_studies = vec![(
        StudyId(Uuid::from_u128(101)),
        date!(2024 - 08 - 31),
        date!(2024 - 12 - 31),
    )];
    given_in::<StudyState>([], ctx.clone())
        .when(StudyCommand::Start(study()))
        .then_err("OVERLAPPING_STUDY");
    ctx.trainee_studies[0].1 = date!(2024 - 09 - 01);
    given_in::<StudyState>([], ctx)
        .when(StudyCommand::Start(study()))
        .then_ok();
}

#[test]
fn a_study_completes_once_after_it_started() {
    let complete = |on: Date| StudyCommand::Complete { completed_on: on };
    let started = [study().into()];
    let done = given::<StudyState>(started.clone())
        .when(complete(date!(2024 - 08 - 31)))
        .then_ok();
    given::<StudyState>(started.clone())
        .when(complete(date!(2024 - 02 - 01)))
        .then_err("STUDY_COMPLETION_BEFORE_START");
    let mut events = started.to_vec();
    events.extend(done);
    given::<StudyState>(events)
        .when(complete(date!(2024 - 09 - 01)))
        .then_err("STUDY_ALREADY_COMPLETED");
    given::<StudyState>([])
        .when(complete(date!(2024 - 09 - 01)))
        .then_err("STREAM_NOT_FOUND");
}

fn ledger() -> ActivityLedgerId {
    ActivityLedgerId {
        pairing: pairing_id(),
        period: PeriodKey::parse("2024").unwrap(),
    }
}

pub(crate) fn training() -> TrainingDelivered {
    TrainingDelivered {
        ledger: ledger(),
        recipient_org: recipient(),
        training_id: Uuid::from_u128(110),
        topic: "胸痛中心建设".to_owned(),
        trainers: vec![person("doc-hu")],
        mode: TrainingMode::OnSite,
        attendees: Count::at_least(40),
        date: date!(2024 - 04 - 17),
    }
}

fn activity_context() -> ActivityContext {
    ActivityContext {
        pairing: Some(pairing_facts()),
    }
}

#[test]
fn trainings_record_their_trainers_as_named_or_none() {
    given_in::<ActivityState>([], activity_context())
        .when(ActivityCommand::DeliverTraining(training().into()))
        .then(vec![training().into()]);
    // No registry to check trainers against: an id the log never saw is recorded as named.
    let named = TrainingDelivered {
        trainers: vec![person("doc-hu"), person("doc-unknown")],
        ..training()
    };
    given_in::<ActivityState>([], activity_context())
        .when(ActivityCommand::DeliverTraining(named.clone().into()))
        .then(vec![named.into()]);
    // trainers is optional (activity_service.proto).
    let untaught = TrainingDelivered {
        trainers: Vec::new(),
        ..training()
    };
    given_in::<ActivityState>([], activity_context())
        .when(ActivityCommand::DeliverTraining(untaught.clone().into()))
        .then(vec![untaught.into()]);
    given::<ActivityState>([])
        .when(ActivityCommand::DeliverTraining(training().into()))
        .then_err("PAIRING_NOT_FOUND");
}

#[test]
fn attendee_counts_are_never_negative() {
    assert_eq!(
        Count::new(-1, Comparator::Exact).unwrap_err().reason(),
        "VALUE_NEGATIVE"
    );
    assert_eq!(Count::new(0, Comparator::Exact).unwrap(), Count::exact(0));
}

pub(crate) fn report(start: Date, end: Date) -> ClinicalActivityReported {
    ClinicalActivityReported {
        ledger: ledger(),
        recipient_org: recipient(),
        report_id: Uuid::from_u128(120),
        reporter: supporting(),
        period_start: start,
        period_end: end,
        surgeries: Some(Count::exact(538)),
        critical_rescues: Some(Count::at_least(2000)),
        outreach_clinics: None,
        patients_served: None,
        teleconsults: None,
        trainings: None,
    }
}

#[test]
fn a_report_carries_the_trainings_it_counts() {
    // Given an active pairing, when a report counts its trainings (exactly 1176, or 30余: at least
    // 30) and its teleconsultations, then the event records each count with its comparator and
    // no training is invented for it.
    for trainings in [Count::exact(1176), Count::at_least(30)] {
        let stated = ClinicalActivityReported {
            trainings: Some(trainings),
            teleconsults: Some(Count::exact(48)),
            ..report(date!(2021 - 07 - 01), date!(2022 - 11 - 30))
        };
        given_in::<ActivityState>([], activity_context())
            .when(ActivityCommand::ReportClinicalActivity(
                stated.clone().into(),
            ))
            .then(vec![stated.into()]);
    }
}

#[test]
fn report_periods_of_one_reporter_do_not_overlap() {
    let first = report(date!(2024 - 01 - 01), date!(2024 - 06 - 30));
    let events = [first.clone().into()];
    given_in::<ActivityState>(events.clone(), activity_context())
        .when(ActivityCommand::ReportClinicalActivity(
            report(date!(2024 - 06 - 30), date!(2024 - 12 - 31)).into(),
        ))
        .then_err("OVERLAPPING_REPORT_PERIOD");
    given_in::<ActivityState>(events, activity_context())
        .when(ActivityCommand::ReportClinicalActivity(
            report(date!(2024 - 07 - 01), date!(2024 - 12 - 31)).into(),
        ))
        .then_ok();
}

pub(crate) fn assessment(end: Date) -> AssessmentConducted {
    AssessmentConducted {
        assessment_id: AssessmentId(Uuid::from_u128(130)),
        agreement_id: agreement().agreement_id,
        recipient_org: recipient(),
        subject: AssessmentSubject::Pairing(pairing_id()),
        period_start: date!(2024 - 04 - 16),
        period_end: end,
        indicator_results: vec![IndicatorResult {
            indicator: indicator("new_techniques"),
            value: Count::exact(6),
        }],
        score: Some(92),
        result: AssessmentResult::Excellent,
        assessor: org("620000", 6),
    }
}

fn with_agreement() -> AssessmentContext {
    AssessmentContext {
        agreement: Some(agreement()),
    }
}

#[test]
fn an_assessment_after_the_targets_fell_due_is_recorded() {
    let a = assessment(date!(2025 - 04 - 15));
    given_in::<AssessmentState>([], with_agreement())
        .when(AssessmentCommand::Conduct(a.clone().into()))
        .then(vec![a.clone().into()]);
    given_in::<AssessmentState>([a.clone().into()], with_agreement())
        .when(AssessmentCommand::Conduct(a.clone().into()))
        .then_err("STREAM_ALREADY_EXISTS");
    given::<AssessmentState>([])
        .when(AssessmentCommand::Conduct(a.into()))
        .then_err("AGREEMENT_NOT_FOUND");
}

#[test]
fn an_assessment_before_the_targets_fall_due_is_refused() {
    given_in::<AssessmentState>([], with_agreement())
        .when(AssessmentCommand::Conduct(
            assessment(date!(2025 - 03 - 30)).into(),
        ))
        .then_err("ASSESSMENT_BEFORE_TARGETS_DUE");
}

#[test]
fn assessments_use_the_bound_indicator_set() {
    let mut a = assessment(date!(2025 - 04 - 15));
    a.indicator_results.push(IndicatorResult {
        indicator: indicator("bed_count"),
        value: Count::exact(1),
    });
    given_in::<AssessmentState>([], with_agreement())
        .when(AssessmentCommand::Conduct(a.into()))
        .then_err("INDICATOR_NOT_IN_SET");
}
