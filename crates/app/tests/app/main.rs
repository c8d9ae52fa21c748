//! The use cases against a real event store (SQLite; PostgreSQL when `MEDAID_TEST_DATABASE_URL` is set).

mod amended_facts;
mod backfill;
mod concurrent_decision;
mod personnel;
mod races;
mod races_against_a_change;
mod reads;
mod support;
mod world;

use app::{App, CommandRequest, Error, FeedFilter, Role};
use domain::AggregateCommand;
use domain::StreamCommand;
use domain::aggregates::batch::BatchCommand;
use domain::aggregates::deployment::DeploymentCommand;
use domain::aggregates::hospital::HospitalCommand;
use domain::aggregates::mentorship::{MentorshipCommand, MentorshipPaired};
use domain::aggregates::pairing::PairingCommand;
use domain::aggregates::program::{ProgramCommand, ProgramDefined, ProgramKind};
use domain::values::{HospitalId, MentorshipId};
use support::*;
use time::macros::date;
use uuid::Uuid;

fn request(command: AggregateCommand, request_id: &str) -> CommandRequest {
    CommandRequest {
        command,
        request_id: request_id.to_owned(),
        content_digest: None,
        expected_version: None,
        correlation_id: None,
        causation_id: None,
        trace_id: None,
        provenance: app::Provenance::default(),
        today: date!(2024 - 09 - 01),
    }
}

fn register(code: domain::values::CreditCode, division: &str) -> AggregateCommand {
    AggregateCommand::Hospital {
        id: HospitalId(code.clone()),
        command: StreamCommand::Act(HospitalCommand::Register(hospital(code, division))),
    }
}

async fn head(app: &App) -> u64 {
    app.store().head().await.unwrap().size
}

#[tokio::test]
async fn a_command_is_decided_and_appended_with_its_actor() {
    let t = test_app().await;
    let outcome = t
        .app
        .execute(
            &gansu_recorder(),
            request(register(recipient(), "620422"), "r-1"),
        )
        .await
        .unwrap();
    let stream = HospitalId(recipient()).stream_id();
    assert_eq!(outcome.stream_id, stream);
    assert_eq!(outcome.stream_version, 1);
    assert_eq!(outcome.positions, 0..1);
    assert_eq!(outcome.event_ids.len(), 1);
    assert_eq!(outcome.created_id.as_deref(), Some(recipient().as_str()));
    let stored = t.app.store().read_stream(&stream, 1, 10).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].event_type, "HospitalRegistered");
    assert_eq!(stored[0].event_id, outcome.event_ids[0]);
    let payload: serde_json::Value = serde_json::from_str(stored[0].payload.get()).unwrap();
    assert_eq!(payload["hospital"], recipient().as_str());
    let metadata = stored[0].parsed_metadata().unwrap();
    assert_eq!(metadata.actor, "recorder-gansu");
    assert_eq!(metadata.request_id, "r-1");
}

#[tokio::test]
async fn a_rule_violation_is_a_failed_precondition_and_writes_nothing() {
    let t = test_app().await;
    let p = gansu_recorder();
    t.app
        .execute(&p, request(register(recipient(), "620422"), "r-1"))
        .await
        .unwrap();
    let error = t
        .app
        .execute(&p, request(register(recipient(), "620422"), "r-2"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::AlreadyExists { .. }), "{error:?}");
    assert_eq!(error.reason(), "STREAM_ALREADY_EXISTS");
    assert_eq!(head(&t.app).await, 1);
}

#[tokio::test]
async fn a_stale_expected_version_is_a_conflict() {
    let t = test_app().await;
    let p = gansu_recorder();
    t.app
        .execute(&p, request(register(recipient(), "620422"), "r-1"))
        .await
        .unwrap();
    let mut stale = request(register(recipient(), "620422"), "r-2");
    stale.expected_version = Some(0);
    let error = t.app.execute(&p, stale).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Conflict {
                expected: 0,
                actual: 1,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.reason(), "STREAM_VERSION_CONFLICT");
    assert_eq!(head(&t.app).await, 1);
}

#[tokio::test]
async fn a_repeated_request_id_returns_the_original_outcome() {
    let t = test_app().await;
    let p = gansu_recorder();
    let first = t
        .app
        .execute(&p, request(register(recipient(), "620422"), "r-1"))
        .await
        .unwrap();
    // Deciding again would now fail (the hospital exists); the repeat must still succeed.
    let again = t
        .app
        .execute(&p, request(register(recipient(), "620422"), "r-1"))
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(
        (
            again.stream_version,
            again.positions.clone(),
            again.event_ids.clone()
        ),
        (
            first.stream_version,
            first.positions.clone(),
            first.event_ids.clone()
        )
    );
    assert_eq!(again.recorded_at_us, first.recorded_at_us);
    assert_eq!(head(&t.app).await, 1);
}

#[tokio::test]
async fn a_request_id_repeated_with_another_content_digest_is_reused() {
    let t = test_app().await;
    let p = gansu_recorder();
    let with_digest = |digest: Option<&str>| CommandRequest {
        content_digest: digest.map(str::to_owned),
        ..request(register(recipient(), "620422"), "r-1")
    };
    let a = "a".repeat(64);
    let b = "b".repeat(64);
    t.app.execute(&p, with_digest(Some(&a))).await.unwrap();
    let again = t.app.execute(&p, with_digest(Some(&a))).await.unwrap();
    assert!(again.replayed);
    let error = t.app.execute(&p, with_digest(Some(&b))).await.unwrap_err();
    assert!(
        matches!(&error, Error::RequestIdReused { request_id } if request_id == "r-1"),
        "{error:?}"
    );
    // A caller that states no digest compares none.
    assert!(t.app.execute(&p, with_digest(None)).await.unwrap().replayed);
    // Events recorded without a digest (before it existed) replay by request id alone.
    let other = test_support::world::org("620422", 77);
    t.app
        .execute(&p, request(register(other.clone(), "620422"), "r-2"))
        .await
        .unwrap();
    let old = CommandRequest {
        content_digest: Some(b.clone()),
        ..request(register(other, "620422"), "r-2")
    };
    assert!(t.app.execute(&p, old).await.unwrap().replayed);
    assert_eq!(head(&t.app).await, 2);
}

#[tokio::test]
async fn an_out_of_scope_recorder_is_denied_and_nothing_is_written() {
    let t = test_app().await;
    let guangdong = principal("recorder-gd", &[Role::Recorder], &["44"]);
    let error = t
        .app
        .execute(&guangdong, request(register(recipient(), "620422"), "r-1"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::PermissionDenied { .. }), "{error:?}");
    assert_eq!(error.reason(), "PERMISSION_DENIED");
    assert!(
        error
            .metadata()
            .contains(&("missing_province".to_owned(), "620000".to_owned()))
    );
    // An admin without the recorder role may not record either.
    let admin = principal("root", &[Role::Admin], &["*"]);
    let error = t
        .app
        .execute(&admin, request(register(recipient(), "620422"), "r-2"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::PermissionDenied { .. }), "{error:?}");
    assert_eq!(head(&t.app).await, 0);
}

#[tokio::test]
async fn a_reader_sees_only_its_provinces() {
    let t = test_app().await;
    t.app
        .execute(
            &gansu_recorder(),
            request(register(recipient(), "620422"), "r-1"),
        )
        .await
        .unwrap();
    let outsider = principal("reader-gd", &[Role::Reader], &["44"]);
    let page = t
        .app
        .list_events(&outsider, 0, 100, &FeedFilter::default())
        .await
        .unwrap();
    assert!(page.events.is_empty());
    assert_eq!(page.next_position, 1);
    assert!(matches!(
        t.app.get_event(&outsider, 0).await,
        Err(Error::NotFound { .. })
    ));
    let insider = principal("reader-gs", &[Role::Reader], &["62"]);
    let page = t
        .app
        .list_events(&insider, 0, 100, &FeedFilter::default())
        .await
        .unwrap();
    assert_eq!(page.events.len(), 1);
    assert_eq!(page.events[0].provinces, vec!["620000".to_owned()]);
    assert_eq!(page.events[0].stream_version, 1);
    let recorder_only = principal("rec", &[Role::Recorder], &["62"]);
    assert!(matches!(
        t.app
            .list_events(&recorder_only, 0, 10, &FeedFilter::default())
            .await,
        Err(Error::PermissionDenied { .. })
    ));
}

#[tokio::test]
async fn a_cross_stream_rule_is_decided_from_the_loaded_context() {
    let t = test_app().await;
    let p = gansu_recorder();
    let run = |command, id: &str| t.app.execute(&p, request(command, id));
    let mentorship_id = MentorshipId(Uuid::from_u128(0x200));
    let pair = || AggregateCommand::Mentorship {
        id: mentorship_id,
        command: StreamCommand::Act(MentorshipCommand::Pair(MentorshipPaired {
            mentorship_id,
            mentor: person("doc-mentor"),
            apprentice: person("local-apprentice"),
            recipient_org: recipient(),
            department: dept("04.05"),
            start: date!(2024 - 08 - 01),
            plan: "胸腔镜手术带教".to_owned(),
        })),
    };
    let error = run(pair(), "m-1").await.unwrap_err();
    assert_eq!(error.reason(), "MENTOR_NOT_ON_SITE", "{error:?}");

    for (n, (code, division)) in [
        (supporting(), "620000"),
        (supporting_b(), "620000"),
        (recipient(), "620422"),
    ]
    .into_iter()
    .enumerate()
    {
        run(register(code, division), &format!("h-{n}"))
            .await
            .unwrap();
    }
    run(
        AggregateCommand::Program {
            id: program_id(),
            command: StreamCommand::Act(ProgramCommand::Define(ProgramDefined {
                program_id: program_id(),
                kind: ProgramKind::KeyCountyGroupAid,
                name: "组团式帮扶".to_owned(),
                policy_refs: vec![],
                parameters: parameters(),
                defined_on: date!(2021 - 12 - 01),
            })),
        },
        "p-1",
    )
    .await
    .unwrap();
    run(
        AggregateCommand::Pairing {
            id: pairing_id(),
            command: StreamCommand::Act(PairingCommand::Establish(pairing().into())),
        },
        "pa-1",
    )
    .await
    .unwrap();
    run(
        AggregateCommand::Batch {
            id: batch_id(),
            command: StreamCommand::Act(BatchCommand::Dispatch(batch().into())),
        },
        "b-1",
    )
    .await
    .unwrap();
    run(
        AggregateCommand::Batch {
            id: batch_id(),
            command: StreamCommand::Act(BatchCommand::AssignMember(assignment().into())),
        },
        "b-2",
    )
    .await
    .unwrap();
    run(
        AggregateCommand::Deployment {
            id: deployment_id(),
            command: StreamCommand::Act(DeploymentCommand::Arrive {
                deployment_id: deployment_id(),
                recipient_org: recipient(),
                arrived_on: date!(2024 - 07 - 01),
            }),
        },
        "d-1",
    )
    .await
    .unwrap();
    let outcome = run(pair(), "m-2").await.unwrap();
    assert_eq!(outcome.stream_id, mentorship_id.stream_id());
    assert_eq!(outcome.stream_version, 1);
}

/// The server runs use cases on a multi-threaded runtime, so their futures must be `Send`.
#[allow(dead_code)]
fn use_case_futures_are_send(app: &App, p: &app::Principal, r: CommandRequest) {
    fn send<T: Send>(_: &T) {}
    send(&app.execute(p, r));
    send(&app.list_events(p, 0, 1, &FeedFilter::default()));
    send(&app.subscribe(p, 0, FeedFilter::default()));
}

#[allow(dead_code)]
fn feed_next_is_send(subscription: &mut app::FeedSubscription) {
    fn send<T: Send>(_: &T) {}
    send(&subscription.next());
}
