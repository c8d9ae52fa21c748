//! `medaid.internal.v1.Session/WhoAmI`: an authenticated echo of the caller's principal and trace id.
//!
//! It lets an operator or a newcomer check a token or client certificate end to end, and it is the
//! authenticated RPC that the server's own tests call before the `medaid.v1` services exist.
//! It is written by hand on tonic's server primitives because it has no `.proto` file: the request is a
//! `google.protobuf.StringValue` that is ignored, and the response is a `StringValue` holding JSON:
//! `{"subject":..,"roles":[..],"provinces":[..],"organisations":[..],"all":..,"trace_id":..}`.
//! [`file_descriptor_set`] describes it for reflection, so `buf curl` can call it without a schema file.

use std::convert::Infallible;
use std::task::{Context, Poll};

use app::Principal;
use futures_util::future::{BoxFuture, Ready, ready};
use prost_types::{
    DescriptorProto, FieldDescriptorProto, FileDescriptorProto, FileDescriptorSet,
    MethodDescriptorProto, ServiceDescriptorProto, field_descriptor_proto,
};
use tonic::body::Body;
use tonic::codegen::http;
use tonic::server::{Grpc, NamedService, UnaryService};
use tonic::{Request, Response, Status};
use tonic_prost::ProstCodec;
use tower::Service;

use crate::auth::AuthError;
use crate::telemetry::current_trace_id;

/// The full path of the only method.
pub const WHO_AM_I_PATH: &str = "/medaid.internal.v1.Session/WhoAmI";

/// The service, mounted by `run` on every server.
#[derive(Debug, Clone)]
pub struct SessionService {
    max_request_bytes: usize,
}

impl SessionService {
    pub fn new(max_request_bytes: usize) -> SessionService {
        SessionService { max_request_bytes }
    }
}

impl NamedService for SessionService {
    const NAME: &'static str = "medaid.internal.v1.Session";
}

impl Service<http::Request<Body>> for SessionService {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        if request.uri().path() != WHO_AM_I_PATH {
            return Box::pin(async { Ok(crate::status::unknown_method().into_http()) });
        }
        let mut grpc = Grpc::new(ProstCodec::<String, String>::default())
            .max_decoding_message_size(self.max_request_bytes);
        Box::pin(async move { Ok(grpc.unary(WhoAmI, request).await) })
    }
}

struct WhoAmI;

impl UnaryService<String> for WhoAmI {
    type Response = String;
    type Future = Ready<Result<Response<String>, Status>>;

    fn call(&mut self, request: Request<String>) -> Self::Future {
        // The auth layer always inserts a principal before a request reaches this service.
        let Some(principal) = request.extensions().get::<Principal>() else {
            return ready(Err(AuthError::Missing.to_status()));
        };
        ready(Ok(Response::new(describe(principal, current_trace_id()))))
    }
}

/// The descriptors of this service and the one message it uses, for reflection.
///
/// Reflection keeps the first file registered under a name, and encoded sets (such as the `api` crate's)
/// go first, so a complete `google/protobuf/wrappers.proto` from elsewhere wins over this minimal one.
pub fn file_descriptor_set() -> FileDescriptorSet {
    let string_value = DescriptorProto {
        name: Some("StringValue".into()),
        field: vec![FieldDescriptorProto {
            name: Some("value".into()),
            json_name: Some("value".into()),
            number: Some(1),
            label: Some(field_descriptor_proto::Label::Optional.into()),
            r#type: Some(field_descriptor_proto::Type::String.into()),
            ..FieldDescriptorProto::default()
        }],
        ..DescriptorProto::default()
    };
    let wrappers = FileDescriptorProto {
        name: Some("google/protobuf/wrappers.proto".into()),
        package: Some("google.protobuf".into()),
        message_type: vec![string_value],
        syntax: Some("proto3".into()),
        ..FileDescriptorProto::default()
    };
    let who_am_i = MethodDescriptorProto {
        name: Some("WhoAmI".into()),
        input_type: Some(".google.protobuf.StringValue".into()),
        output_type: Some(".google.protobuf.StringValue".into()),
        ..MethodDescriptorProto::default()
    };
    let session = FileDescriptorProto {
        name: Some("medaid/internal/v1/session.proto".into()),
        package: Some("medaid.internal.v1".into()),
        dependency: vec!["google/protobuf/wrappers.proto".into()],
        service: vec![ServiceDescriptorProto {
            name: Some("Session".into()),
            method: vec![who_am_i],
            ..ServiceDescriptorProto::default()
        }],
        syntax: Some("proto3".into()),
        ..FileDescriptorProto::default()
    };
    FileDescriptorSet {
        file: vec![wrappers, session],
    }
}

fn describe(principal: &Principal, trace_id: Option<String>) -> String {
    let roles: Vec<&str> = principal.roles.iter().map(|r| r.as_str()).collect();
    serde_json::json!({
        "subject": principal.subject,
        "roles": roles,
        "provinces": principal.scope.provinces,
        "organisations": principal.scope.organisations,
        "all": principal.scope.all,
        "trace_id": trace_id,
    })
    .to_string()
}
