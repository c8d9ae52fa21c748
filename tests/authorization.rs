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
//! recorded tour calls (the feed, projection admin and audit services) get a valid hand-made request
//! ([`handmade_request`]), so that every cell shows what the role and scope decide, not a validation error.
//! Everything is in Gansu (62) at 会宁县人民医院; the other province is Guizhou (52) and the
//! organisation 会宁县人民医院 itself.
//!
//! An outcome is `OK` (answered), or the code and `ErrorInfo` reason of the refusal, whatever the
//! code: a NOT_FOUND for an event in another province is as much an authorization answer as a
//! PERMISSION_DENIED, and must not look like an answer.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::time::Duration;

use tonic_types::StatusExt;

use crate::common::{TestServer, backends, huining};
use crate::descriptor::{self, Rpc, rpcs};
use crate::recorder::{first_of_stream, handmade_request, tour_requests, unary};

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
        Ok(()) => "OK".to_owned(),
        Err(status) => {
            let reason = status
                .get_details_error_info()
                .map(|i| i.reason)
                .unwrap_or_else(|| "NO_ERROR_INFO".to_owned());
            // Whatever the cell says, its reason must be one errors.proto documents with this code.
            test_support::assert_refused(&status, status.code(), &reason);
            format!("{:?} {reason}", status.code())
        }
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

/// The roles a service's comment says it requires: the role names between "requires the" and the
/// next "role" ("Requires the reader, auditor or admin role").
fn documented_roles(comment: &str) -> BTreeSet<String> {
    let lower = comment.to_lowercase();
    let Some(start) = lower.find("requires the ") else {
        return BTreeSet::new();
    };
    let named = &lower[start + "requires the ".len()..];
    let named = &named[..named.find(" role").unwrap_or(named.len())];
    named
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|word| ROLES.iter().any(|(role, _)| role == word))
        .map(str::to_owned)
        .collect()
}

/// Every service's comment names exactly the roles that the table shows answered for some RPC of
/// it: a caller reading the proto learns the truth about who may call it.
fn assert_roles_as_documented(table: &str) {
    let mut answered: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in table.lines().filter(|l| !l.starts_with('#')) {
        let cells: Vec<&str> = line.split('\t').collect();
        let (Some(path), Some(role), Some(outcome)) = (cells.first(), cells.get(1), cells.get(3))
        else {
            continue;
        };
        let service = path
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default();
        let roles = answered.entry(service.to_owned()).or_default();
        if *outcome == "OK" {
            roles.insert((*role).to_owned());
        }
    }
    let mut wrong = Vec::new();
    for service in descriptor::pool()
        .services()
        .filter(|s| s.package_name() == "medaid.v1")
    {
        let documented = documented_roles(&descriptor::service_comment(&service));
        let observed = answered.remove(service.full_name()).unwrap_or_default();
        if documented != observed {
            wrong.push(format!(
                "{}: the comment names {documented:?}, the server answers {observed:?}",
                service.full_name()
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "roles not as documented:\n{}",
        wrong.join("\n")
    );
}

#[tokio::test]
async fn every_rpc_role_and_scope_meets_the_checked_in_table() {
    for database in backends() {
        // Writes are replayed on the server that ran the seed 000 flow, reads on the one that
        // recorded the read-model scenario (the two tours register the same hospitals).
        let writes = TestServer::start(database.as_deref()).await;
        let reads = TestServer::start(database.as_deref()).await;
        let recorded = tour_requests(&writes, &reads).await;
        let org = huining();
        let mut table = String::from(
            "# The authorization matrix (tests/authorization.rs): rpc, role, scope, outcome.\n\
             # OK = answered; otherwise the refusal's code and ErrorInfo reason.\n",
        );
        for rpc in rpcs() {
            let (message, on_writes) = recorded.get(&rpc.path).cloned().unwrap_or_else(|| {
                // Empty is a valid request for the rest (ListEvents, SubscribeEvents, ...).
                (
                    handmade_request(&rpc.path).unwrap_or_default(),
                    rpc.is_write(),
                )
            });
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
        assert_roles_as_documented(&table);
        writes.stop().await;
        reads.stop().await;
    }
}
