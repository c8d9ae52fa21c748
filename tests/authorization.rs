//! The authorization matrix: every RPC of the API (from the descriptor) × role (none, recorder,
//! reader, auditor, admin) × scope (all, the matching province, another province, one
//! organisation), with the outcome of each in one checked-in table,
//! `tests/output/authorization.tsv`. A new RPC adds rows the table lacks, so it fails the test
//! until its rows are reviewed and written (`UPDATE_EXPECT=1 cargo nextest run -p e2e -E
//! 'test(authorization)'`, then read the diff).
//!
//! The requests are real: the seed 000 flow and the read-model scenario run through
//! `tests/recorder.rs`, and each RPC is replayed with the last request the tours sent it (a write
//! is replayed with its own request id, so an authorized replay is the idempotent repeat). RPCs no
//! recorded tour calls (the feed, projection admin and audit services) get an empty request, which
//! still shows the role check. Everything is in Gansu (62) at 会宁县人民医院; the other province is
//! Guizhou (52) and the organisation 会宁县人民医院 itself.
//!
//! An outcome is `allowed` (the call passed authorization: answered, or refused for another reason
//! such as NOT_FOUND or a domain rule) or the code and `ErrorInfo` reason of the refusal.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use tonic::Code;
use tonic_types::StatusExt;

use crate::common::{TestServer, backends, huining};
use crate::descriptor::{Rpc, rpcs};
use crate::recorder::{Recorder, first_of_stream, unary};

const ROLES: &[(&str, &[&str])] = &[
    ("none", &[]),
    ("recorder", &["recorder"]),
    ("reader", &["reader"]),
    ("auditor", &["auditor"]),
    ("admin", &["admin"]),
];

/// The scopes by name; `org` is filled in with 会宁县人民医院's credit code.
const SCOPES: &[(&str, &str)] = &[
    ("all", "*"),
    ("province", "62"),
    ("other_province", "52"),
    ("org", ""),
];

/// The outcome of one call, as the table spells it.
fn outcome(answer: Result<(), tonic::Status>) -> String {
    match answer {
        Ok(()) => "allowed".to_owned(),
        Err(status)
            if matches!(
                status.code(),
                Code::PermissionDenied | Code::Unauthenticated
            ) =>
        {
            let reason = status
                .get_details_error_info()
                .map(|i| i.reason)
                .unwrap_or_else(|| "NO_ERROR_INFO".to_owned());
            format!("{:?} {reason}", status.code())
        }
        Err(_) => "allowed".to_owned(),
    }
}

async fn call(
    server: &TestServer,
    rpc: &Rpc,
    message: Vec<u8>,
    token: &str,
) -> Result<(), tonic::Status> {
    let channel = server.channel().await;
    if rpc.server_streaming {
        // A subscription that is allowed answers with events or waits for them; either way it
        // passed authorization.
        match tokio::time::timeout(
            Duration::from_secs(2),
            first_of_stream(&channel, &rpc.path, message, Some(token)),
        )
        .await
        {
            Ok(answer) => answer.map(drop),
            Err(_) => Ok(()),
        }
    } else {
        unary(&channel, &rpc.path, message, Some(token))
            .await
            .map(drop)
    }
}

#[tokio::test]
async fn every_rpc_role_and_scope_meets_the_checked_in_table() {
    for database in backends() {
        // Writes are replayed on the server that ran the seed 000 flow, reads on the one that
        // recorded the read-model scenario (the two tours register the same hospitals).
        let writes = TestServer::start(database.as_deref()).await;
        let reads = TestServer::start(database.as_deref()).await;
        let mut recorded: BTreeMap<String, (Vec<u8>, bool)> = BTreeMap::new();
        for (server, on_writes) in [(&writes, true), (&reads, false)] {
            let recorder = Recorder::start(server.channel().await).await;
            let token = server.admin_token();
            if on_writes {
                crate::flow::command_flow(recorder.channel().await, &token).await;
            } else {
                crate::read_models::read_tour(recorder.channel().await, &token).await;
            }
            for call in recorder.calls() {
                recorded
                    .entry(call.path)
                    .or_insert((call.message, on_writes));
            }
        }
        let org = huining();
        let mut table = String::from(
            "# The authorization matrix (tests/authorization.rs): rpc, role, scope, outcome.\n\
             # allowed = passed authorization; otherwise the refusal's code and ErrorInfo reason.\n",
        );
        for rpc in rpcs() {
            let (message, on_writes) = recorded
                .get(&rpc.path)
                .cloned()
                .unwrap_or_else(|| (Vec::new(), rpc.is_write()));
            let server = if on_writes { &writes } else { &reads };
            for (role, roles) in ROLES {
                for (scope, entry) in SCOPES {
                    let entry = if entry.is_empty() {
                        org.as_str()
                    } else {
                        entry
                    };
                    let token = server.token(roles, &[entry]);
                    let answer = call(server, &rpc, message.clone(), &token).await;
                    let _ = writeln!(table, "{}\t{role}\t{scope}\t{}", rpc.path, outcome(answer));
                }
            }
        }
        expect_test::expect_file!["output/authorization.tsv"].assert_eq(&table);
        writes.stop().await;
        reads.stop().await;
    }
}
