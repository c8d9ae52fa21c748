//! AuditService end to end: an auditor's proofs and bundles verify offline with `medaid-verify`'s
//! checks; tampering with the tables (append-only triggers switched off, as a superuser could) is
//! detected and located; a witness catches a server that rewrote its history; other roles are
//! refused with PERMISSION_DENIED.

use api::medaid::v1 as pb;
use api::medaid::v1::audit_service_client::AuditServiceClient;
use ledger::format::{EventRecord, ProofFile, TrustRoot};
use ledger::{
    Frontier, Hash, TreeHead, leaf_hash, open_checkpoint, verify_consistency, verify_inclusion,
};
use sqlx::Connection;
use tonic::Code;
use tonic::transport::Channel;
use verify::report::{Failure, Location};

use crate::common::org;
use crate::common::{TestServer, assert_refused, authed, backends};
use crate::coverage::{Tour, assert_tour_called};
use crate::flow::{register_request, seed};
use api::medaid::v1::hospital_service_client::HospitalServiceClient;

fn auditor(server: &TestServer) -> String {
    server.token(&["auditor"], &[])
}

pub(crate) async fn trust_root(client: &mut AuditServiceClient<Channel>, token: &str) -> TrustRoot {
    let reply = client
        .get_trust_root(authed(token, pb::GetTrustRootRequest {}))
        .await
        .unwrap()
        .into_inner();
    let root: TrustRoot = serde_json::from_str(&reply.trust_root_json).unwrap();
    assert_eq!(root.origin, reply.origin);
    assert_eq!(reply.keys.len(), 1);
    assert_eq!(reply.keys[0].verifier_key, root.keys[0].verifier_key);
    root
}

pub(crate) async fn export(client: &mut AuditServiceClient<Channel>, token: &str) -> Vec<u8> {
    let mut stream = client
        .export_bundle(authed(token, pb::ExportBundleRequest {}))
        .await
        .unwrap()
        .into_inner();
    let mut bytes = Vec::new();
    let mut sizes = Vec::new();
    while let Some(chunk) = stream.message().await.unwrap() {
        sizes.push(chunk.chunk.len());
        bytes.extend_from_slice(&chunk.chunk);
    }
    // Every chunk but the last is a multiple of 3 (their base64 forms concatenate), at most 1 MiB.
    let all_but_last = &sizes[..sizes.len().saturating_sub(1)];
    assert!(
        all_but_last.iter().all(|n| n % 3 == 0 && *n <= 1 << 20),
        "{sizes:?}"
    );
    bytes
}

pub(crate) fn verify_bundle(
    bytes: &[u8],
    root: &TrustRoot,
) -> Result<verify::bundle::BundleSummary, Failure> {
    verify::bundle::verify_bundle(bytes, root)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auditors_get_proofs_and_bundles_that_verify_offline() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        seed(server.channel().await, &server.admin_token()).await;
        let token = auditor(&server);
        let mut client = AuditServiceClient::new(server.channel().await);
        let root = trust_root(&mut client, &token).await;
        let keys = root.verifiers().unwrap();

        // A checkpoint of the head, signed on demand.
        let current = client
            .get_checkpoint(authed(
                &token,
                pb::GetCheckpointRequest {
                    selector: Some(pb::get_checkpoint_request::Selector::CurrentHead(
                        pb::CurrentHeadCheckpoint {},
                    )),
                },
            ))
            .await
            .unwrap()
            .into_inner()
            .checkpoint
            .unwrap();
        let head = open_checkpoint(&current.note, &root.origin, &keys)
            .unwrap()
            .checkpoint
            .head;
        assert!(head.size >= 5, "the seed wrote events");

        // Every event's proof file verifies with the offline checks.
        for position in 0..head.size {
            let reply = client
                .get_event_with_proof(authed(
                    &token,
                    pb::GetEventWithProofRequest {
                        event: Some(pb::get_event_with_proof_request::Event::Position(position)),
                        tree_size: Some(head.size),
                    },
                ))
                .await
                .unwrap()
                .into_inner();
            let file: ProofFile = serde_json::from_str(&reply.proof_file).unwrap();
            verify::proof::verify_proof(&file, &root).unwrap();
            assert_eq!(
                leaf_hash(&reply.leaf).as_bytes().to_vec(),
                reply.event.unwrap().leaf_hash
            );
            // A proof for another size does not verify against this checkpoint.
            if head.size > 2 {
                let other = client
                    .get_inclusion_proof(authed(
                        &token,
                        pb::GetInclusionProofRequest {
                            leaf: Some(pb::get_inclusion_proof_request::Leaf::Position(0)),
                            tree_size: Some(head.size - 1),
                        },
                    ))
                    .await
                    .unwrap()
                    .into_inner();
                let hashes: Vec<Hash> = other
                    .hashes
                    .iter()
                    .map(|h| Hash::from_slice(h).unwrap())
                    .collect();
                let leaf = Hash::from_slice(&other.leaf_hash).unwrap();
                let wrong = ProofFile {
                    inclusion_proof: hashes.clone(),
                    ..file.clone()
                };
                if position == 0 && hashes != file.inclusion_proof {
                    assert!(verify::proof::verify_proof(&wrong, &root).is_err());
                    assert!(verify_inclusion(&head, 0, &leaf, &hashes).is_err());
                }
            }
        }

        // By leaf hash, against the current head.
        let first_event = client
            .get_event_with_proof(authed(
                &token,
                pb::GetEventWithProofRequest {
                    event: Some(pb::get_event_with_proof_request::Event::Position(1)),
                    tree_size: None,
                },
            ))
            .await
            .unwrap()
            .into_inner();
        let leaf = first_event.event.unwrap().leaf_hash;
        let by_hash = client
            .get_inclusion_proof(authed(
                &token,
                pb::GetInclusionProofRequest {
                    leaf: Some(pb::get_inclusion_proof_request::Leaf::LeafHash(
                        leaf.clone(),
                    )),
                    tree_size: None,
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(by_hash.position, 1);
        let signed = by_hash.checkpoint.unwrap();
        let signed_head = open_checkpoint(&signed.note, &root.origin, &keys)
            .unwrap()
            .checkpoint
            .head;
        let hashes: Vec<Hash> = by_hash
            .hashes
            .iter()
            .map(|h| Hash::from_slice(h).unwrap())
            .collect();
        verify_inclusion(&signed_head, 1, &Hash::from_slice(&leaf).unwrap(), &hashes).unwrap();

        // Consistency from an early size to the head.
        let consistency = client
            .get_consistency_proof(authed(
                &token,
                pb::GetConsistencyProofRequest {
                    first_size: 2,
                    second_size: Some(head.size),
                },
            ))
            .await
            .unwrap()
            .into_inner();
        let early = client
            .get_inclusion_proof(authed(
                &token,
                pb::GetInclusionProofRequest {
                    leaf: Some(pb::get_inclusion_proof_request::Leaf::Position(0)),
                    tree_size: Some(2),
                },
            ))
            .await
            .unwrap()
            .into_inner();
        // The root of size 2 from its two leaves, as an auditor would recompute it.
        let zero = Hash::from_slice(&early.leaf_hash).unwrap();
        let one = Hash::from_slice(&early.hashes[0]).unwrap();
        let old = TreeHead {
            size: 2,
            root: ledger::node_hash(&zero, &one),
        };
        let hashes: Vec<Hash> = consistency
            .hashes
            .iter()
            .map(|h| Hash::from_slice(h).unwrap())
            .collect();
        verify_consistency(&old, &head, &hashes).unwrap();

        // Bad requests: an index at the size, a size past the head, an unknown hash, a bad selector.
        let status = client
            .get_inclusion_proof(authed(
                &token,
                pb::GetInclusionProofRequest {
                    leaf: Some(pb::get_inclusion_proof_request::Leaf::Position(head.size)),
                    tree_size: Some(head.size),
                },
            ))
            .await
            .unwrap_err();
        assert_refused(&status, Code::InvalidArgument, "INVALID_FIELD");
        let status = client
            .get_inclusion_proof(authed(
                &token,
                pb::GetInclusionProofRequest {
                    leaf: Some(pb::get_inclusion_proof_request::Leaf::Position(0)),
                    tree_size: Some(head.size + 100),
                },
            ))
            .await
            .unwrap_err();
        assert_refused(&status, Code::OutOfRange, "POSITION_OUT_OF_RANGE");
        let status = client
            .get_inclusion_proof(authed(
                &token,
                pb::GetInclusionProofRequest {
                    leaf: Some(pb::get_inclusion_proof_request::Leaf::LeafHash(vec![7; 32])),
                    tree_size: None,
                },
            ))
            .await
            .unwrap_err();
        assert_refused(&status, Code::NotFound, "LEAF_NOT_FOUND");
        let status = client
            .get_consistency_proof(authed(
                &token,
                pb::GetConsistencyProofRequest {
                    first_size: 0,
                    second_size: None,
                },
            ))
            .await
            .unwrap_err();
        assert_refused(&status, Code::InvalidArgument, "INVALID_FIELD");
        let status = client
            .get_checkpoint(authed(
                &token,
                pb::GetCheckpointRequest {
                    selector: Some(pb::get_checkpoint_request::Selector::TreeSize(
                        head.size + 5,
                    )),
                },
            ))
            .await
            .unwrap_err();
        assert_refused(&status, Code::NotFound, "CHECKPOINT_NOT_FOUND");

        // The whole log as a bundle.
        let bundle = export(&mut client, &token).await;
        let summary = verify_bundle(&bundle, &root).unwrap();
        assert_eq!(summary.events, head.size);

        // Recorders and readers are refused, with ErrorInfo.
        for role in ["recorder", "reader"] {
            let other = server.token(&[role], &["*"]);
            let status = client
                .get_trust_root(authed(&other, pb::GetTrustRootRequest {}))
                .await
                .unwrap_err();
            assert_refused(&status, Code::PermissionDenied, "PERMISSION_DENIED");
            let status = client
                .export_bundle(authed(&other, pb::ExportBundleRequest {}))
                .await
                .unwrap_err();
            assert_refused(&status, Code::PermissionDenied, "PERMISSION_DENIED");
            let status = client
                .get_inclusion_proof(authed(
                    &other,
                    pb::GetInclusionProofRequest {
                        leaf: Some(pb::get_inclusion_proof_request::Leaf::Position(0)),
                        tree_size: None,
                    },
                ))
                .await
                .unwrap_err();
            assert_refused(&status, Code::PermissionDenied, "PERMISSION_DENIED");
        }
        assert_tour_called(&server, Tour::Audit);
        server.stop().await;
    }
}

/// The database URL of a test server.
pub(crate) fn database_url(server: &TestServer) -> String {
    match &server.config.database_url {
        Some(url) => secrecy::ExposeSecret::expose_secret(url).to_owned(),
        None => format!(
            "sqlite:{}",
            server.config.data_dir.join("medaid.db").display()
        ),
    }
}

/// Runs statements as a superuser would, with the append-only triggers switched off.
async fn tamper(server: &TestServer, statements: &[String]) {
    let url = database_url(server);
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        // Tags reference their events; a superuser rewriting positions leaves them dangling (as
        // PostgreSQL's replica role below does).
        sqlx::raw_sql("PRAGMA foreign_keys = OFF")
            .execute(&mut conn)
            .await
            .unwrap();
        for trigger in [
            "events_no_update",
            "events_no_delete",
            "merkle_nodes_no_update",
            "merkle_nodes_no_delete",
            "checkpoints_no_delete",
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP TRIGGER IF EXISTS {trigger}"
            )))
            .execute(&mut conn)
            .await
            .unwrap();
        }
        for statement in statements {
            sqlx::raw_sql(sqlx::AssertSqlSafe(statement.clone()))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    } else {
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::raw_sql("SET session_replication_role = replica")
            .execute(&mut conn)
            .await
            .unwrap();
        for statement in statements {
            sqlx::raw_sql(sqlx::AssertSqlSafe(statement.clone()))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
}

fn blob(server: &TestServer, bytes: &[u8]) -> String {
    if server.config.database_url.is_some() {
        format!("'\\x{}'::bytea", hex::encode(bytes))
    } else {
        format!("X'{}'", hex::encode(bytes))
    }
}

fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Every event record of a bundle, in order.
fn records(bundle: &[u8]) -> Vec<EventRecord> {
    use std::io::Read;
    let mut archive = tar::Archive::new(bundle);
    let mut out = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry
            .path()
            .unwrap()
            .to_string_lossy()
            .starts_with("events/")
        {
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            out.extend(
                text.lines()
                    .map(|l| serde_json::from_str::<EventRecord>(l).unwrap()),
            );
        }
    }
    out
}

/// The tree sizes of a bundle's checkpoints.
fn signed_sizes(bundle: &[u8]) -> Vec<u64> {
    use std::io::Read;
    let mut archive = tar::Archive::new(bundle);
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.path().unwrap().to_string_lossy() == "checkpoints.jsonl" {
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            return text
                .lines()
                .map(|l| {
                    serde_json::from_str::<ledger::format::BundleCheckpoint>(l)
                        .unwrap()
                        .tree_size
                })
                .collect();
        }
    }
    Vec::new()
}

/// The statements that replace event `at`'s payload and recompute its leaf and every node, so the
/// tables agree with themselves again: a different history of the same length.
fn rewrite_history(server: &TestServer, mut all: Vec<EventRecord>, at: usize) -> Vec<String> {
    all[at].payload = all[at].payload.replacen("20", "19", 1);
    all[at].leaf_hash = leaf_hash(&all[at].leaf().unwrap());
    let mut frontier = Frontier::new();
    let mut nodes = Vec::new();
    for record in &all {
        nodes.extend(frontier.push(record.leaf_hash));
    }
    let mut statements = vec![
        format!(
            "UPDATE events SET payload = {}, leaf_hash = {} WHERE position = {at}",
            quoted(&all[at].payload),
            blob(server, all[at].leaf_hash.as_bytes())
        ),
        "DELETE FROM merkle_nodes".to_owned(),
    ];
    for node in nodes {
        statements.push(format!(
            "INSERT INTO merkle_nodes (level, idx, hash) VALUES ({}, {}, {})",
            node.level,
            node.index,
            blob(server, node.hash.as_bytes())
        ));
    }
    statements
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_is_detected_and_located() {
    // Each case gets the server, the events and the signed sizes, and says where the failure must be.
    type Tamper = fn(&TestServer, Vec<EventRecord>, &[u64]) -> (Vec<String>, Location);
    let cases: [(&str, Tamper); 5] = [
        ("one payload byte changed", |_, all, _| {
            let changed = all[2].payload.replacen("20", "21", 1);
            assert_ne!(changed, all[2].payload);
            (
                vec![format!(
                    "UPDATE events SET payload = {} WHERE position = 2",
                    quoted(&changed)
                )],
                Location::Position(2),
            )
        }),
        ("an event deleted", |_, _, _| {
            (
                vec!["DELETE FROM events WHERE position = 3".to_owned()],
                Location::Position(3),
            )
        }),
        ("two events swapped", |_, _, _| {
            (
                vec![
                    "UPDATE events SET position = 1000000 WHERE position = 1".to_owned(),
                    "UPDATE events SET position = 1 WHERE position = 2".to_owned(),
                    "UPDATE events SET position = 2 WHERE position = 1000000".to_owned(),
                ],
                Location::Position(1),
            )
        }),
        ("the log truncated", |_, all, _| {
            let keep = all.len() - 2;
            (
                vec![
                    format!("DELETE FROM events WHERE position >= {keep}"),
                    format!("UPDATE log_head SET size = {keep}"),
                ],
                Location::Position(keep as u64),
            )
        }),
        (
            "a different history of the same length",
            |server, all, signed| {
                // The first signed tree that holds event 0 no longer matches.
                let first = signed.iter().copied().find(|size| *size > 0).unwrap();
                (rewrite_history(server, all, 0), Location::Checkpoint(first))
            },
        ),
    ];
    for database in backends() {
        for (name, case) in cases {
            let server = TestServer::start(database.as_deref()).await;
            seed(server.channel().await, &server.admin_token()).await;
            let token = auditor(&server);
            let mut client = AuditServiceClient::new(server.channel().await);
            let root = trust_root(&mut client, &token).await;
            let before = export(&mut client, &token).await;
            verify_bundle(&before, &root).unwrap();

            let (statements, location) = case(&server, records(&before), &signed_sizes(&before));
            tamper(&server, &statements).await;
            let after = export(&mut client, &token).await;
            let failure = verify_bundle(&after, &root).unwrap_err();
            assert_eq!(
                failure.location, location,
                "{name} ({database:?}): {failure}"
            );
            server.stop().await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_witness_catches_a_server_that_rewrote_its_history() {
    for database in backends() {
        // A running server keeps in memory the hashes it committed to (its writer's right edge and
        // its tree cache), so tables rewritten under it change its proofs only once it restarts on
        // them. This server keeps no tree cache, so it serves the rewritten tables at once: the
        // server a witness must catch, without the restart.
        let server = TestServer::launch(
            database.as_deref(),
            |config| config.audit.tree_cache_mib = 0,
            server::RunOptions::default(),
        )
        .await;
        server
            .wait_for_health(tonic_health::pb::health_check_response::ServingStatus::Serving)
            .await;
        seed(server.channel().await, &server.admin_token()).await;
        let token = auditor(&server);
        let mut client = AuditServiceClient::new(server.channel().await);
        let root = trust_root(&mut client, &token).await;
        let url = format!("http://{}", server.addr);
        let state = tempfile::tempdir().unwrap();
        let witness = verify::witness::State::new(state.path());

        let mut fetch = verify::fetch::Server::connect(&url, Some(&token), None)
            .await
            .unwrap();
        let note = fetch.current_checkpoint().await.unwrap();
        let first = verify::witness::open(&note, &root).unwrap();
        verify::witness::check_new_checkpoint(None, first, &[]).unwrap();
        witness.accept(&note).unwrap();

        // The operator rewrites event 0, deletes the checkpoints and lets the server sign afresh.
        let mut statements =
            rewrite_history(&server, records(&export(&mut client, &token).await), 0);
        statements.push("DELETE FROM checkpoints".to_owned());
        tamper(&server, &statements).await;
        let mut hospitals = HospitalServiceClient::new(server.channel().await);
        hospitals
            .register_hospital(authed(
                &server.admin_token(),
                register_request(&org("620000", 77), "甘肃省人民医院", "620102"),
            ))
            .await
            .unwrap();

        let note = fetch.current_checkpoint().await.unwrap();
        let forged = verify::witness::open(&note, &root).unwrap();
        assert!(forged.size > first.size);
        let previous =
            verify::witness::open(&witness.last_note().unwrap().unwrap(), &root).unwrap();
        let proof = fetch.consistency(previous.size, forged.size).await.unwrap();
        let failure =
            verify::witness::check_new_checkpoint(Some(previous), forged, &proof).unwrap_err();
        assert_eq!(
            failure.location,
            Location::Checkpoint(forged.size),
            "{failure}"
        );
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_receipt_is_the_leaf_an_auditor_proves_and_a_replay_answers_it_again() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        seed(server.channel().await, &server.admin_token()).await;
        let token = auditor(&server);
        let mut client = AuditServiceClient::new(server.channel().await);
        let root = trust_root(&mut client, &token).await;
        let keys = root.verifiers().unwrap();

        let mut hospitals = HospitalServiceClient::new(server.channel().await);
        let request = register_request(&org("620000", 78), "甘肃省妇幼保健院", "620102");
        let receipt = hospitals
            .register_hospital(authed(&server.admin_token(), request.clone()))
            .await
            .unwrap()
            .into_inner()
            .result
            .unwrap();
        assert_eq!(receipt.leaf_hashes.len(), receipt.positions.len());
        assert!(!receipt.positions.is_empty());

        for (position, hash) in receipt.positions.iter().zip(&receipt.leaf_hashes) {
            assert_eq!(hash.len(), 32, "a leaf hash is 32 bytes");
            // The event the auditor fetches commits to the receipt's leaf, rebuilt from its bytes.
            let with_proof = client
                .get_event_with_proof(authed(
                    &token,
                    pb::GetEventWithProofRequest {
                        event: Some(pb::get_event_with_proof_request::Event::Position(*position)),
                        tree_size: None,
                    },
                ))
                .await
                .unwrap()
                .into_inner();
            assert_eq!(&with_proof.event.unwrap().leaf_hash, hash);
            assert_eq!(leaf_hash(&with_proof.leaf).as_bytes().as_slice(), hash);
            assert_eq!(&with_proof.proof.unwrap().leaf_hash, hash);

            // Proved by the receipt's hash alone, against a signed checkpoint of the head.
            let proof = client
                .get_inclusion_proof(authed(
                    &token,
                    pb::GetInclusionProofRequest {
                        leaf: Some(pb::get_inclusion_proof_request::Leaf::LeafHash(
                            hash.clone(),
                        )),
                        tree_size: None,
                    },
                ))
                .await
                .unwrap()
                .into_inner();
            assert_eq!(proof.position, *position);
            assert_eq!(&proof.leaf_hash, hash);
            let signed = proof.checkpoint.unwrap();
            let head = open_checkpoint(&signed.note, &root.origin, &keys)
                .unwrap()
                .checkpoint
                .head;
            assert_eq!(head.size, proof.tree_size);
            let path: Vec<Hash> = proof
                .hashes
                .iter()
                .map(|h| Hash::from_slice(h).unwrap())
                .collect();
            let leaf = Hash::from_slice(hash).unwrap();
            verify_inclusion(&head, *position, &leaf, &path).unwrap();
            // Another leaf on the same path does not verify: the receipt's hash is what is proved.
            let mut other = leaf.0;
            other[0] ^= 1;
            assert!(verify_inclusion(&head, *position, &Hash(other), &path).is_err());
        }

        // A retried request id answers the original receipt, hashes included, and writes nothing.
        let replayed = hospitals
            .register_hospital(authed(&server.admin_token(), request))
            .await
            .unwrap()
            .into_inner()
            .result
            .unwrap();
        assert_eq!(replayed, receipt);
        server.stop().await;
    }
}
