//! Coverage that cannot be forgotten, derived from `api::FILE_DESCRIPTOR_SET`: every RPC of the
//! `medaid.v1` API belongs to a tour (an end-to-end test that must call it) and refuses an
//! unauthenticated caller.
//!
//! A tour is chosen by the request's shape, so a new RPC joins one without a list to edit: a
//! request with `request_id` is a command (the seed 000 flow), one with `min_position` a read-model
//! query (the recorded scenario); the event feed, projection admin and audit services have a tour
//! each.
//! Each tour test ends with [`assert_tour_called`] on its server, whose call log records every
//! authenticated call (`server::call_log`). The tests run one per process, so the check lives in
//! the tour that must make the calls rather than in a test that would have to run last. Known
//! gaps go in `tests/output/uncovered-rpcs.txt` with their reason; it is empty.

use std::collections::{BTreeMap, BTreeSet};

use prost::Message;
use prost_types::FileDescriptorSet;
use tonic::Code;
use tonic::codegen::http::uri::PathAndQuery;
use tonic_prost::ProstCodec;

use crate::common::{TestServer, assert_refused};

/// The end-to-end tests that must call RPCs, each those of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Tour {
    /// `flow::seed_000_flow_covers_every_command_rpc`: every RPC whose request has `request_id`.
    Commands,
    /// `read_models::every_read_model_answers_the_recorded_scenario`: requests with `min_position`.
    ReadModels,
    /// `feed::the_feed_pages_and_follows_the_log`: `medaid.v1.EventService`.
    Feed,
    /// `read_models::admin::admins_see_every_projection_live_and_rebuild_one`.
    Admin,
    /// `audit::auditors_get_proofs_and_bundles_that_verify_offline`: `medaid.v1.AuditService`.
    Audit,
}

const EXCEPTIONS: &str = include_str!("output/uncovered-rpcs.txt");

/// Every RPC of the API as `/package.Service/Method`, with the tour it belongs to (`None` when
/// its shape fits none).
fn rpcs() -> BTreeMap<String, Option<Tour>> {
    let set = FileDescriptorSet::decode(api::FILE_DESCRIPTOR_SET).expect("the descriptor decodes");
    let files = set.file.iter().filter(|f| f.package() == "medaid.v1");
    let messages: BTreeMap<String, Vec<String>> = files
        .clone()
        .flat_map(|f| f.message_type.iter())
        .map(|m| {
            let fields = m.field.iter().map(|f| f.name().to_owned()).collect();
            (format!(".medaid.v1.{}", m.name()), fields)
        })
        .collect();
    let mut out = BTreeMap::new();
    for file in files {
        for service in &file.service {
            for method in &service.method {
                let fields = messages
                    .get(method.input_type())
                    .cloned()
                    .unwrap_or_default();
                let has = |name: &str| fields.iter().any(|f| f == name);
                let tour = match service.name() {
                    "EventService" => Some(Tour::Feed),
                    "ProjectionAdminService" => Some(Tour::Admin),
                    "AuditService" => Some(Tour::Audit),
                    _ if has("request_id") => Some(Tour::Commands),
                    _ if has("min_position") => Some(Tour::ReadModels),
                    _ => None,
                };
                let path = format!("/medaid.v1.{}/{}", service.name(), method.name());
                out.insert(path, tour);
            }
        }
    }
    out
}

/// The method paths listed as deliberately uncovered.
fn exceptions() -> BTreeSet<String> {
    EXCEPTIONS
        .lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|path| !path.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Fails unless `server` was called (authenticated) with every RPC of `tour` that is not listed
/// as an exception, and unless every listed exception of the tour really went uncalled.
pub(crate) fn assert_tour_called(server: &TestServer, tour: Tour) {
    let called = server.called();
    let exceptions = exceptions();
    let expected: Vec<String> = rpcs()
        .into_iter()
        .filter(|(_, t)| *t == Some(tour))
        .map(|(path, _)| path)
        .collect();
    let uncalled: Vec<&String> = expected
        .iter()
        .filter(|p| !called.contains(*p) && !exceptions.contains(*p))
        .collect();
    assert!(
        uncalled.is_empty(),
        "the {tour:?} tour never called {uncalled:?}: call them, or list them with a reason in tests/output/uncovered-rpcs.txt"
    );
    let stale: Vec<&String> = expected
        .iter()
        .filter(|p| called.contains(*p) && exceptions.contains(*p))
        .collect();
    assert!(
        stale.is_empty(),
        "{stale:?} are called now: remove them from tests/output/uncovered-rpcs.txt"
    );
}

#[test]
fn every_rpc_belongs_to_a_tour_or_is_a_listed_exception() {
    let rpcs = rpcs();
    assert!(rpcs.len() > 60, "the descriptor lists {} RPCs", rpcs.len());
    let exceptions = exceptions();
    let orphans: Vec<&String> = rpcs
        .iter()
        .filter(|(path, tour)| tour.is_none() && !exceptions.contains(*path))
        .map(|(path, _)| path)
        .collect();
    assert!(
        orphans.is_empty(),
        "{orphans:?} fit no tour: give their service a tour in tests/coverage.rs, or list them in tests/output/uncovered-rpcs.txt"
    );
    let unknown: Vec<&String> = exceptions
        .iter()
        .filter(|path| !rpcs.contains_key(*path))
        .collect();
    assert!(unknown.is_empty(), "{unknown:?} are no RPCs of the API");
}

/// Every RPC of the API, called without credentials, answers UNAUTHENTICATED with `ErrorInfo`
/// before its handler runs (only health is open).
#[tokio::test]
async fn every_rpc_refuses_an_unauthenticated_caller() {
    let server = TestServer::start(None).await;
    let channel = server.channel().await;
    for path in rpcs().keys() {
        let mut grpc = tonic::client::Grpc::new(channel.clone());
        grpc.ready().await.expect("the channel is ready");
        // An empty message is a valid encoding of every proto3 request.
        let answer = grpc
            .unary(
                tonic::Request::new(()),
                PathAndQuery::from_maybe_shared(path.clone()).expect("a method path"),
                ProstCodec::<(), ()>::default(),
            )
            .await;
        let status = answer.expect_err(path);
        assert_refused(&status, Code::Unauthenticated, "TOKEN_MISSING");
    }
    let reached: Vec<String> = server
        .called()
        .into_iter()
        .filter(|path| path.starts_with("/medaid.v1."))
        .collect();
    assert!(reached.is_empty(), "refused calls reached {reached:?}");
    server.stop().await;
}
