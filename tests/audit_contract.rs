//! AuditService's proto, statement by statement: each behaviour `audit_service.proto` promises and
//! `audit.rs` does not already hold, checked against the real server on both backends.

use std::collections::HashMap;

use api::medaid::v1 as pb;
use api::medaid::v1::audit_service_client::AuditServiceClient;
use pb::get_checkpoint_request::Selector;
use pb::get_event_with_proof_request::Event as Which;
use pb::get_inclusion_proof_request::Leaf;
use tonic::transport::Channel;
use tonic::{Code, Status};
use tonic_types::StatusExt;

use crate::common::{TestServer, assert_refused, authed, backends};
use crate::flow::seed;

/// The ErrorInfo metadata of a refusal, after checking its code and reason.
fn refused(status: &Status, code: Code, reason: &str) -> HashMap<String, String> {
    assert_refused(status, code, reason);
    status.get_details_error_info().unwrap().metadata
}

fn checkpoint_request(selector: Option<Selector>) -> pb::GetCheckpointRequest {
    pb::GetCheckpointRequest { selector }
}

async fn checkpoint(
    client: &mut AuditServiceClient<Channel>,
    token: &str,
    selector: Option<Selector>,
) -> Result<pb::SignedCheckpoint, Status> {
    Ok(client
        .get_checkpoint(authed(token, checkpoint_request(selector)))
        .await?
        .into_inner()
        .checkpoint
        .unwrap())
}

/// Calls all six RPCs with `token`; the status of each, in proto order.
async fn every_rpc(
    client: &mut AuditServiceClient<Channel>,
    token: &str,
) -> Vec<Result<(), Status>> {
    let mut out = Vec::new();
    out.push(
        client
            .get_trust_root(authed(token, pb::GetTrustRootRequest {}))
            .await
            .map(drop),
    );
    out.push(
        client
            .get_checkpoint(authed(token, checkpoint_request(None)))
            .await
            .map(drop),
    );
    out.push(
        client
            .get_inclusion_proof(authed(
                token,
                pb::GetInclusionProofRequest {
                    leaf: Some(Leaf::Position(0)),
                    tree_size: None,
                },
            ))
            .await
            .map(drop),
    );
    out.push(
        client
            .get_consistency_proof(authed(
                token,
                pb::GetConsistencyProofRequest {
                    first_size: 1,
                    second_size: None,
                },
            ))
            .await
            .map(drop),
    );
    out.push(
        client
            .get_event_with_proof(authed(
                token,
                pb::GetEventWithProofRequest {
                    event: Some(Which::Position(0)),
                    tree_size: None,
                },
            ))
            .await
            .map(drop),
    );
    out.push(
        match client
            .export_bundle(authed(token, pb::ExportBundleRequest {}))
            .await
        {
            Ok(stream) => {
                let mut stream = stream.into_inner();
                let mut result = Ok(());
                while let Some(next) = stream.message().await.transpose() {
                    if let Err(status) = next {
                        result = Err(status);
                        break;
                    }
                }
                result
            }
            Err(status) => Err(status),
        },
    );
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_service_does_what_its_proto_says() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        seed(server.channel().await, &server.admin_token()).await;
        let auditor = server.token(&["auditor"], &[]);
        let mut client = AuditServiceClient::new(server.channel().await);

        // Every RPC: auditor and admin are let in; recorders and readers are refused, naming the role.
        for token in [auditor.clone(), server.token(&["admin"], &[])] {
            for (rpc, outcome) in every_rpc(&mut client, &token).await.into_iter().enumerate() {
                assert!(outcome.is_ok(), "rpc {rpc}: {outcome:?}");
            }
        }
        for role in ["recorder", "reader"] {
            let token = server.token(&[role], &["*"]);
            for (rpc, outcome) in every_rpc(&mut client, &token).await.into_iter().enumerate() {
                let status = outcome.expect_err("refused");
                let metadata = refused(&status, Code::PermissionDenied, "PERMISSION_DENIED");
                assert_eq!(metadata["missing_role"], "auditor", "rpc {rpc} as {role}");
            }
        }

        // GetCheckpoint: no selector and `latest` are the largest stored; a size is that size; a
        // time is the last signed at or before it; nothing before the first is NOT_FOUND.
        let head = checkpoint(
            &mut client,
            &auditor,
            Some(Selector::CurrentHead(pb::CurrentHeadCheckpoint {})),
        )
        .await
        .unwrap();
        let latest = checkpoint(
            &mut client,
            &auditor,
            Some(Selector::Latest(pb::LatestCheckpoint {})),
        )
        .await
        .unwrap();
        assert_eq!(latest, head);
        assert_eq!(checkpoint(&mut client, &auditor, None).await.unwrap(), head);
        let by_size = checkpoint(
            &mut client,
            &auditor,
            Some(Selector::TreeSize(head.tree_size)),
        )
        .await
        .unwrap();
        assert_eq!(by_size, head);
        let at = head.sign_time.unwrap();
        let at_or_before = checkpoint(&mut client, &auditor, Some(Selector::AtOrBefore(at)))
            .await
            .unwrap();
        assert_eq!(at_or_before, head);
        let before_any = prost_types::Timestamp {
            seconds: at.seconds - 3_600,
            nanos: 0,
        };
        let status = checkpoint(
            &mut client,
            &auditor,
            Some(Selector::AtOrBefore(before_any)),
        )
        .await
        .unwrap_err();
        refused(&status, Code::NotFound, "CHECKPOINT_NOT_FOUND");
        let bad_time = prost_types::Timestamp {
            seconds: at.seconds,
            nanos: -1,
        };
        let status = checkpoint(&mut client, &auditor, Some(Selector::AtOrBefore(bad_time)))
            .await
            .unwrap_err();
        assert_eq!(
            refused(&status, Code::InvalidArgument, "INVALID_FIELD")["field"],
            "at_or_before"
        );

        // GetInclusionProof: a leaf hash of the wrong length, a leaf at or past the size (by
        // position and by hash), a size past the head with its metadata, one leaf's empty path,
        // and no checkpoint for an unsigned size.
        let status = client
            .get_inclusion_proof(authed(
                &auditor,
                pb::GetInclusionProofRequest {
                    leaf: Some(Leaf::LeafHash(vec![1; 31])),
                    tree_size: None,
                },
            ))
            .await
            .unwrap_err();
        assert_eq!(
            refused(&status, Code::InvalidArgument, "INVALID_FIELD")["field"],
            "leaf_hash"
        );
        let last = client
            .get_inclusion_proof(authed(
                &auditor,
                pb::GetInclusionProofRequest {
                    leaf: Some(Leaf::Position(head.tree_size - 1)),
                    tree_size: None,
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            last.checkpoint.as_ref(),
            Some(&head),
            "unset size: the head's checkpoint"
        );
        for (leaf, field) in [
            (Leaf::Position(2), "position"),
            (Leaf::LeafHash(last.leaf_hash.clone()), "leaf_hash"),
        ] {
            let status = client
                .get_inclusion_proof(authed(
                    &auditor,
                    pb::GetInclusionProofRequest {
                        leaf: Some(leaf),
                        tree_size: Some(2),
                    },
                ))
                .await
                .unwrap_err();
            assert_eq!(
                refused(&status, Code::InvalidArgument, "INVALID_FIELD")["field"],
                field
            );
        }
        let status = client
            .get_inclusion_proof(authed(
                &auditor,
                pb::GetInclusionProofRequest {
                    leaf: Some(Leaf::Position(0)),
                    tree_size: Some(head.tree_size + 7),
                },
            ))
            .await
            .unwrap_err();
        let metadata = refused(&status, Code::OutOfRange, "POSITION_OUT_OF_RANGE");
        assert_eq!(metadata["position"], (head.tree_size + 7).to_string());
        assert_eq!(metadata["head_position"], head.tree_size.to_string());
        let single = client
            .get_inclusion_proof(authed(
                &auditor,
                pb::GetInclusionProofRequest {
                    leaf: Some(Leaf::Position(0)),
                    tree_size: Some(1),
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert!(
            single.hashes.is_empty(),
            "a tree of one leaf has an empty path"
        );
        assert_eq!(single.tree_size, 1);
        if checkpoint(&mut client, &auditor, Some(Selector::TreeSize(1)))
            .await
            .is_err()
        {
            assert_eq!(
                single.checkpoint, None,
                "no checkpoint of size 1 was signed"
            );
        }

        // GetConsistencyProof: a first size past the second, a second size past the head, equal
        // sizes with an empty proof and both checkpoints.
        let status = client
            .get_consistency_proof(authed(
                &auditor,
                pb::GetConsistencyProofRequest {
                    first_size: 3,
                    second_size: Some(2),
                },
            ))
            .await
            .unwrap_err();
        assert_eq!(
            refused(&status, Code::InvalidArgument, "INVALID_FIELD")["field"],
            "first_size"
        );
        let status = client
            .get_consistency_proof(authed(
                &auditor,
                pb::GetConsistencyProofRequest {
                    first_size: 1,
                    second_size: Some(head.tree_size + 1),
                },
            ))
            .await
            .unwrap_err();
        refused(&status, Code::OutOfRange, "POSITION_OUT_OF_RANGE");
        let same = client
            .get_consistency_proof(authed(
                &auditor,
                pb::GetConsistencyProofRequest {
                    first_size: head.tree_size,
                    second_size: None,
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert!(same.hashes.is_empty());
        assert_eq!(same.first_checkpoint.as_ref(), Some(&head));
        assert_eq!(same.second_checkpoint.as_ref(), Some(&head));

        // GetEventWithProof: a malformed id, an unknown id, a position past the log, and no proof
        // file when the size has no checkpoint.
        let status = client
            .get_event_with_proof(authed(
                &auditor,
                pb::GetEventWithProofRequest {
                    event: Some(Which::EventId("not-a-uuid".into())),
                    tree_size: None,
                },
            ))
            .await
            .unwrap_err();
        assert_eq!(
            refused(&status, Code::InvalidArgument, "INVALID_FIELD")["field"],
            "event_id"
        );
        for which in [
            Which::EventId(uuid::Uuid::nil().to_string()),
            Which::Position(head.tree_size + 1_000),
        ] {
            let status = client
                .get_event_with_proof(authed(
                    &auditor,
                    pb::GetEventWithProofRequest {
                        event: Some(which),
                        tree_size: None,
                    },
                ))
                .await
                .unwrap_err();
            refused(&status, Code::NotFound, "EVENT_NOT_FOUND");
        }
        let mut unsigned_size = None;
        for size in 1..head.tree_size {
            if checkpoint(&mut client, &auditor, Some(Selector::TreeSize(size)))
                .await
                .is_err()
            {
                unsigned_size = Some(size);
                break;
            }
        }
        if let Some(size) = unsigned_size {
            let reply = client
                .get_event_with_proof(authed(
                    &auditor,
                    pb::GetEventWithProofRequest {
                        event: Some(Which::Position(0)),
                        tree_size: Some(size),
                    },
                ))
                .await
                .unwrap()
                .into_inner();
            assert!(reply.proof_file.is_empty(), "no checkpoint of size {size}");
            assert_eq!(reply.proof.unwrap().checkpoint, None);
        }
        server.stop().await;
    }
}
