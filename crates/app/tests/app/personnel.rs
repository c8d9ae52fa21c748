//! Rules about practitioners that the log itself can contradict, although the personnel registry
//! and hospitals' privileging records are not integrated: an apprentice's employer (from team
//! assignments and study stays) and a local performer's employer.

use app::Error;
use domain::AggregateCommand;
use domain::StreamCommand;
use domain::aggregates::batch::{BatchCommand, MemberAssigned};
use domain::aggregates::deployment::DeploymentCommand;
use domain::aggregates::mentorship::{MentorshipCommand, MentorshipPaired};
use domain::aggregates::pairing::{PairingCommand, PairingEstablished};
use domain::aggregates::program::{ProgramCommand, ProgramDefined, ProgramKind};
use domain::aggregates::study::{AdvancedStudyStarted, StudyCommand};
use domain::aggregates::technique::{
    Performer, TechniqueCategory, TechniqueCommand, TechniqueIntroduced,
};
use domain::values::{
    CreditCode, DeploymentId, MentorshipId, PairingId, StudyId, TechniqueAtHospitalId, TechniqueKey,
};
use time::Date;
use time::macros::date;
use uuid::Uuid;

use crate::support::*;
use crate::{register, request};

/// A second county hospital, paired with the same supporting hospital.
fn other_county() -> CreditCode {
    org("620422", 4)
}

/// Runs one command as the Gansu recorder, with a fresh request id.
async fn run(t: &TestApp, command: AggregateCommand) -> Result<app::CommandOutcome, Error> {
    let id = Uuid::new_v4().to_string();
    t.app
        .execute(&gansu_recorder(), request(command, &id))
        .await
}

async fn head(t: &TestApp) -> u64 {
    t.app.store().head().await.unwrap().size
}

/// Hospitals, a program, a pairing and batch 1 with `doc-mentor` (from `supporting()`) on site at
/// `recipient()` since 2024-07-01.
async fn team_on_site(t: &TestApp) {
    for (code, division) in [
        (supporting(), "620000"),
        (supporting_b(), "620000"),
        (recipient(), "620422"),
        (other_county(), "620422"),
    ] {
        run(t, register(code, division)).await.unwrap();
    }
    let define = ProgramCommand::Define(ProgramDefined {
        program_id: program_id(),
        kind: ProgramKind::KeyCountyGroupAid,
        name: "组团式帮扶".to_owned(),
        policy_refs: vec![],
        parameters: parameters(),
        defined_on: date!(2021 - 12 - 01),
    });
    let steps = [
        AggregateCommand::Program {
            id: program_id(),
            command: StreamCommand::Act(define),
        },
        AggregateCommand::Pairing {
            id: pairing_id(),
            command: StreamCommand::Act(PairingCommand::Establish(pairing().into())),
        },
        AggregateCommand::Batch {
            id: batch_id(),
            command: StreamCommand::Act(BatchCommand::Dispatch(batch().into())),
        },
        AggregateCommand::Batch {
            id: batch_id(),
            command: StreamCommand::Act(BatchCommand::AssignMember(assignment().into())),
        },
        AggregateCommand::Deployment {
            id: deployment_id(),
            command: StreamCommand::Act(DeploymentCommand::Arrive {
                deployment_id: deployment_id(),
                recipient_org: recipient(),
                arrived_on: date!(2024 - 07 - 01),
            }),
        },
    ];
    for step in steps {
        run(t, step).await.unwrap();
    }
}

/// Assigns `who` from `home_org` to batch 1 for `start..=end` (arrival is not needed).
async fn assign(t: &TestApp, n: u128, who: &str, home_org: CreditCode, start: Date, end: Date) {
    let member = MemberAssigned {
        deployment_id: DeploymentId(Uuid::from_u128(0x100 + n)),
        practitioner: person(who),
        home_org,
        planned_start: start,
        planned_end: end,
        ..assignment()
    };
    let command = AggregateCommand::Batch {
        id: batch_id(),
        command: StreamCommand::Act(BatchCommand::AssignMember(member.into())),
    };
    run(t, command).await.unwrap();
}

/// `doc-mentor` takes `apprentice` at `recipient()` from 2024-08-01.
fn pair(n: u128, apprentice: &str) -> AggregateCommand {
    let mentorship_id = MentorshipId(Uuid::from_u128(0x200 + n));
    AggregateCommand::Mentorship {
        id: mentorship_id,
        command: StreamCommand::Act(MentorshipCommand::Pair(MentorshipPaired {
            mentorship_id,
            mentor: person("doc-mentor"),
            apprentice: person(apprentice),
            recipient_org: recipient(),
            department: dept("04.05"),
            start: date!(2024 - 08 - 01),
            plan: "胸腔镜手术带教".to_owned(),
        })),
    }
}

/// Asserts that `result` is a refusal for `reason` whose message names `named`, and that nothing was
/// written.
async fn assert_refused(
    t: &TestApp,
    before: u64,
    result: Result<app::CommandOutcome, Error>,
    reason: &str,
    named: &str,
) {
    let error = result.unwrap_err();
    assert_eq!(error.reason(), reason, "{error:?}");
    let Error::FailedPrecondition { message, .. } = &error else {
        panic!("not a failed precondition: {error:?}");
    };
    assert!(message.contains(named), "{error:?}");
    assert_eq!(head(t).await, before);
}

#[tokio::test]
async fn a_dispatched_member_is_not_an_apprentice_of_the_recipient() {
    let t = test_app().await;
    team_on_site(&t).await;
    let term = (date!(2024 - 07 - 01), date!(2025 - 06 - 30));
    assign(&t, 2, "doc-second", supporting_b(), term.0, term.1).await;

    let before = head(&t).await;
    let employer = supporting_b();
    let refused = run(&t, pair(1, "doc-second")).await;
    assert_refused(
        &t,
        before,
        refused,
        "APPRENTICE_NOT_EMPLOYED_BY_RECIPIENT",
        employer.as_str(),
    )
    .await;

    // A doctor the log knows nothing about is the recipient's, as the recording hospital says.
    run(&t, pair(2, "local-apprentice")).await.unwrap();
}

#[tokio::test]
async fn a_finished_assignment_says_nothing_about_a_later_day() {
    let t = test_app().await;
    team_on_site(&t).await;
    // Doctors change jobs without an event: a term that ended in 2023 is no word on 2024-08-01.
    let term = (date!(2023 - 01 - 01), date!(2023 - 12 - 31));
    assign(&t, 2, "doc-former", supporting_b(), term.0, term.1).await;
    run(&t, pair(1, "doc-former")).await.unwrap();
}

#[tokio::test]
async fn a_trainee_of_another_hospital_is_not_an_apprentice_here_during_the_stay() {
    let t = test_app().await;
    team_on_site(&t).await;
    let other_pairing = PairingId(Uuid::from_u128(3));
    let establish = PairingEstablished {
        pairing_id: other_pairing,
        supporting_orgs: vec![supporting()],
        recipient_org: other_county(),
        ..pairing()
    };
    run(
        &t,
        AggregateCommand::Pairing {
            id: other_pairing,
            command: StreamCommand::Act(PairingCommand::Establish(establish.into())),
        },
    )
    .await
    .unwrap();
    let study_id = StudyId(Uuid::from_u128(0x300));
    let study = |command| AggregateCommand::Study {
        id: study_id,
        command: StreamCommand::Act(command),
    };
    let started = AdvancedStudyStarted {
        study_id,
        trainee: person("county-b-doctor"),
        trainee_org: other_county(),
        host_org: supporting(),
        department: dept("04.05"),
        start: date!(2024 - 07 - 15),
        planned_end: date!(2024 - 12 - 31),
        cohort: None,
    };
    run(&t, study(StudyCommand::Start(started))).await.unwrap();

    let before = head(&t).await;
    let employer = other_county();
    let refused = run(&t, pair(1, "county-b-doctor")).await;
    assert_refused(
        &t,
        before,
        refused,
        "APPRENTICE_NOT_EMPLOYED_BY_RECIPIENT",
        employer.as_str(),
    )
    .await;

    // Once the stay is over the log no longer places the trainee anywhere on the start day.
    let completed_on = date!(2024 - 07 - 31);
    run(&t, study(StudyCommand::Complete { completed_on }))
        .await
        .unwrap();
    run(&t, pair(1, "county-b-doctor")).await.unwrap();
}

#[tokio::test]
async fn a_local_performer_the_log_places_with_another_employer_is_not_privileged() {
    let t = test_app().await;
    team_on_site(&t).await;
    let term = (date!(2024 - 07 - 01), date!(2025 - 06 - 30));
    assign(&t, 2, "doc-second", supporting_b(), term.0, term.1).await;
    let technique = TechniqueKey::parse("vats_wedge_resection").unwrap();
    let id = TechniqueAtHospitalId {
        hospital: recipient(),
        technique: technique.clone(),
    };
    let introduce = |performer| AggregateCommand::Technique {
        id: id.clone(),
        command: StreamCommand::Act(TechniqueCommand::Introduce(TechniqueIntroduced {
            hospital: recipient(),
            technique: technique.clone(),
            name: "胸腔镜下肺楔形切除术".to_owned(),
            procedure_code: None,
            department: dept("04.05"),
            first_performed_on: date!(2024 - 09 - 15),
            performer,
            category: TechniqueCategory::NewTechnique,
        })),
    };

    let before = head(&t).await;
    let refused = run(&t, introduce(Performer::Local(person("doc-second")))).await;
    assert_refused(
        &t,
        before,
        refused,
        "PERFORMER_NOT_PRIVILEGED",
        "doc-second",
    )
    .await;

    // A local doctor the log knows nothing about keeps the hospital's attestation.
    let local = Performer::Local(person("huining-surgeon"));
    run(&t, introduce(local)).await.unwrap();
}
