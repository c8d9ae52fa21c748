//! Erasure of personal data end to end (issue 9, item 13; PIPL Art. 47): a practitioner registered
//! with a distinctive name, facts that name them, then `ErasePersonalData`. Afterwards no read
//! model, feed event, export or stored byte of the database (the SQLite files, a `pg_dump` of the
//! PostgreSQL database) holds the name or the key, while the log keeps every event with its leaf
//! hash, the bundle and the proofs verify against signed checkpoints, and the counts stay.

use api::medaid::v1 as pb;
use api::medaid::v1::audit_service_client::AuditServiceClient;
use api::medaid::v1::correction_service_client::CorrectionServiceClient;
use api::medaid::v1::event_service_client::EventServiceClient;
use api::medaid::v1::on_site_roster_service_client::OnSiteRosterServiceClient;
use api::medaid::v1::personal_data_service_client::PersonalDataServiceClient;
use api::medaid::v1::practitioner_directory_service_client::PractitionerDirectoryServiceClient;
use api::medaid::v1::practitioner_service_client::PractitionerServiceClient;
use ledger::{Hash, open_checkpoint, verify_inclusion};
use sqlx::Connection;
use test_support::database::{contains_bytes, stored_bytes};
use tonic::Code;
use tonic::transport::Channel;

use crate::audit::{database_url, export, trust_root, verify_bundle};
use crate::common::{TestServer, assert_refused, authed, backends, huining, lzu_first, request_id};
use crate::flow::seed;

/// A name that occurs nowhere else, so that finding it anywhere is a leak.
const NAME: &str = "欧阳擦除测试名";
const LICENCE: &str = "ZX7731990042";
const WHO: &str = "lzu-hu-wenteng";

/// Every event of the feed, as the API returns them.
async fn feed(channel: &Channel, token: &str) -> Vec<pb::Event> {
    let mut client = EventServiceClient::new(channel.clone());
    let mut all = Vec::new();
    let mut page_token = String::new();
    loop {
        let page = client
            .list_events(authed(
                token,
                pb::ListEventsRequest {
                    page_size: 500,
                    page_token: page_token.clone(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        all.extend(page.events);
        if page.next_page_token.is_empty() {
            return all;
        }
        page_token = page.next_page_token;
    }
}

/// The practitioner as the directory shows them once it reflects `position`.
async fn shown(channel: &Channel, token: &str, position: u64) -> pb::Practitioner {
    PractitionerDirectoryServiceClient::new(channel.clone())
        .get_practitioner(authed(
            token,
            pb::GetPractitionerRequest {
                practitioner: WHO.into(),
                min_position: Some(position),
            },
        ))
        .await
        .unwrap()
        .into_inner()
        .practitioner
        .unwrap()
}

/// Who is on site at 会宁 on 2024-09-15 once the roster reflects `position`, with the names shown.
async fn on_site(channel: &Channel, token: &str, position: u64) -> Vec<(String, String, bool)> {
    OnSiteRosterServiceClient::new(channel.clone())
        .list_on_site_members(authed(
            token,
            pb::ListOnSiteMembersRequest {
                hospital: huining(),
                date: "2024-09-15".into(),
                min_position: Some(position),
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner()
        .members
        .into_iter()
        .map(|m| {
            let name = m.practitioner_name.unwrap_or_default();
            (m.practitioner, name.name, name.erased)
        })
        .collect()
}

/// The practitioner's key as stored, read from the database the way an operator could.
async fn stored_key(url: &str) -> Option<String> {
    let select = "SELECT key_hex FROM personal_data_keys WHERE subject = $1";
    let subject = format!("practitioner-{WHO}");
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
        let key = sqlx::query_scalar(select)
            .bind(&subject)
            .fetch_optional(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        key
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        let key = sqlx::query_scalar(select)
            .bind(&subject)
            .fetch_optional(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        key
    }
}

/// Every byte of the server's database: the SQLite folder, or a `pg_dump`.
fn database_bytes(server: &TestServer) -> Vec<u8> {
    let url = database_url(server);
    stored_bytes(&url, Some(server.config.data_dir.as_path()))
}

fn assert_nowhere(what: &str, haystack: &[u8]) {
    for needle in [NAME, LICENCE] {
        assert!(
            !contains_bytes(haystack, needle.as_bytes()),
            "{what} holds {needle:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erased_personal_data_is_gone_everywhere_while_the_log_still_verifies() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let channel = server.channel().await;
        let token = server.admin_token();
        // Facts that name the practitioner: a team assignment and an arrival at 会宁.
        seed(channel.clone(), &token).await;
        let registered = PractitionerServiceClient::new(channel.clone())
            .register_practitioner(authed(
                &token,
                pb::RegisterPractitionerRequest {
                    request_id: request_id(),
                    practitioner: WHO.into(),
                    name: NAME.into(),
                    gender: pb::Gender::Male.into(),
                    licence_number: LICENCE.into(),
                    title: 233,
                    department: "04.05".into(),
                    employer: lzu_first(),
                    registered_on: "2024-01-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner()
            .result
            .unwrap();
        let registration = registered.positions[0];
        let before = shown(&channel, &token, registration).await;
        assert_eq!((before.name.as_str(), before.erased), (NAME, false));
        assert_eq!(before.licence_number, LICENCE);
        let roster_before = on_site(&channel, &token, registration).await;
        assert_eq!(roster_before, [(WHO.to_owned(), NAME.to_owned(), false)]);
        let feed_before = feed(&channel, &token).await;

        // Even before the erasure, the name is sealed wherever it is stored.
        let url = database_url(&server);
        let key = stored_key(&url).await.expect("the practitioner has a key");
        let bytes = database_bytes(&server);
        assert_nowhere("the database", &bytes);
        assert!(contains_bytes(&bytes, key.as_bytes()), "the key is stored");

        // Only an admin erases: a recorder is refused before anything is destroyed.
        let mut erasure = PersonalDataServiceClient::new(channel.clone());
        let request = pb::ErasePersonalDataRequest {
            request_id: request_id(),
            practitioner: WHO.into(),
            legal_basis: pb::ErasureBasis::ConsentWithdrawn.into(),
            ..Default::default()
        };
        let recorder = server.token(&["recorder", "reader"], &["*"]);
        let refused = erasure
            .erase_personal_data(authed(&recorder, request.clone()))
            .await
            .unwrap_err();
        assert_refused(&refused, Code::PermissionDenied, "PERMISSION_DENIED");
        assert_eq!(stored_key(&url).await.as_ref(), Some(&key));

        let erased = erasure
            .erase_personal_data(authed(&token, request.clone()))
            .await
            .unwrap()
            .into_inner()
            .result
            .unwrap();
        let at = erased.positions[0];
        // A repeat answers the original; a second erasure is refused as done already.
        let repeat = erasure
            .erase_personal_data(authed(&token, request))
            .await
            .unwrap()
            .into_inner()
            .result
            .unwrap();
        assert_eq!(repeat, erased);
        let again = erasure
            .erase_personal_data(authed(
                &token,
                pb::ErasePersonalDataRequest {
                    request_id: request_id(),
                    practitioner: WHO.into(),
                    legal_basis: pb::ErasureBasis::PurposeAchieved.into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap_err();
        assert_refused(&again, Code::AlreadyExists, "PERSONAL_DATA_ALREADY_ERASED");

        // Read models: erased, and the other facts about them as they were.
        let after = shown(&channel, &token, at).await;
        assert_eq!(
            (
                after.name.as_str(),
                after.licence_number.as_str(),
                after.gender,
                after.erased
            ),
            ("", "", 0, true)
        );
        assert_eq!(
            (after.title, after.employer.as_str()),
            (233, before.employer.as_str())
        );
        assert!(!after.erased_on.is_empty());
        let listed = PractitionerDirectoryServiceClient::new(channel.clone())
            .list_practitioners(authed(
                &token,
                pb::ListPractitionersRequest {
                    employer: lzu_first(),
                    min_position: Some(at),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(listed.practitioners, std::slice::from_ref(&after));
        // The roster still counts them, by id, with their name erased.
        assert_eq!(
            on_site(&channel, &token, at).await,
            [(WHO.to_owned(), String::new(), true)]
        );

        // The feed: every event kept, the registration's bytes unchanged, one erasure added.
        let feed_after = feed(&channel, &token).await;
        assert_eq!(feed_after.len(), feed_before.len() + 1);
        assert_eq!(&feed_after[..feed_before.len()], feed_before.as_slice());
        let last = feed_after.last().unwrap();
        assert_eq!(last.event_type, "PersonalDataErased");
        assert!(
            last.payload.contains("consent_withdrawn"),
            "{}",
            last.payload
        );
        for event in &feed_after {
            assert_nowhere("the feed", event.payload.as_bytes());
            assert_nowhere("the feed", event.metadata_json.as_bytes());
        }

        // The database: neither the name nor the destroyed key, in any file or in the dump.
        assert_eq!(stored_key(&url).await, None);
        let bytes = database_bytes(&server);
        assert_nowhere("the database", &bytes);
        assert!(
            !contains_bytes(&bytes, key.as_bytes()),
            "the destroyed key is still in the database's bytes"
        );

        // Audit: the export holds no name and verifies; the registration is still proved by
        // the leaf hash its write returned, against a signed checkpoint of the new head.
        let auditor = server.token(&["auditor"], &[]);
        let mut audit = AuditServiceClient::new(channel.clone());
        let root = trust_root(&mut audit, &auditor).await;
        let bundle = export(&mut audit, &auditor).await;
        assert_nowhere("the export", &bundle);
        let summary = verify_bundle(&bundle, &root).unwrap();
        assert_eq!(summary.events, u64::try_from(feed_after.len()).unwrap());
        let proof = audit
            .get_inclusion_proof(authed(
                &auditor,
                pb::GetInclusionProofRequest {
                    leaf: Some(pb::get_inclusion_proof_request::Leaf::LeafHash(
                        registered.leaf_hashes[0].clone(),
                    )),
                    tree_size: None,
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(proof.position, registration);
        let keys = root.verifiers().unwrap();
        let head = open_checkpoint(&proof.checkpoint.unwrap().note, &root.origin, &keys)
            .unwrap()
            .checkpoint
            .head;
        assert!(head.size > registration);
        let path: Vec<Hash> = proof
            .hashes
            .iter()
            .map(|h| Hash::from_slice(h).unwrap())
            .collect();
        let leaf = Hash::from_slice(&registered.leaf_hashes[0]).unwrap();
        verify_inclusion(&head, registration, &leaf, &path).unwrap();

        // The erasure is not retracted either: the key is gone for good.
        let retract = CorrectionServiceClient::new(channel.clone())
            .retract_event(authed(
                &token,
                pb::RetractEventRequest {
                    request_id: request_id(),
                    stream_id: erased.stream_id.clone(),
                    stream_version: erased.stream_version,
                    reason: "误操作".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap_err();
        assert_refused(&retract, Code::FailedPrecondition, "EVENT_NOT_AMENDABLE");

        // Registering them again is refused: the erasure stands.
        let again = PractitionerServiceClient::new(channel.clone())
            .register_practitioner(authed(
                &token,
                pb::RegisterPractitionerRequest {
                    request_id: request_id(),
                    practitioner: WHO.into(),
                    name: NAME.into(),
                    title: 233,
                    department: "04.05".into(),
                    employer: lzu_first(),
                    registered_on: "2024-01-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap_err();
        assert_refused(&again, Code::AlreadyExists, "PERSONAL_DATA_ALREADY_ERASED");
        server.stop().await;
    }
}
