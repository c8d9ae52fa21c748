//! The shell suite's helpers beside `test-support`'s server harness: the internal WhoAmI call
//! and bearer headers.

use server::session::WHO_AM_I_PATH;
use tonic::Code;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::Channel;
use tonic_prost::ProstCodec;
use tonic_types::StatusExt;

pub(crate) use test_support::{TestServer, test_config, token_args};

/// Calls `medaid.internal.v1.Session/WhoAmI` with the given metadata and returns the JSON it answers.
pub(crate) async fn who_am_i(
    channel: Channel,
    headers: &[(&'static str, String)],
    body: String,
) -> Result<serde_json::Value, tonic::Status> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.unwrap();
    let mut request = tonic::Request::new(body);
    for (key, value) in headers {
        request.metadata_mut().insert(*key, value.parse().unwrap());
    }
    let codec = ProstCodec::<String, String>::default();
    let response = grpc
        .unary(request, PathAndQuery::from_static(WHO_AM_I_PATH), codec)
        .await?;
    Ok(serde_json::from_str(&response.into_inner()).unwrap())
}

pub(crate) fn bearer(token: &str) -> (&'static str, String) {
    ("authorization", format!("Bearer {token}"))
}

pub(crate) fn assert_unauthenticated(status: &tonic::Status, reason: &str) {
    assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
    let info = status.get_details_error_info().expect("ErrorInfo detail");
    assert_eq!(info.reason, reason);
    assert_eq!(info.domain, "medaid.v1");
}
