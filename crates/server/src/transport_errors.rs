//! Errors tonic raises itself before a handler runs, given the `ErrorInfo` every status of the API
//! carries (`errors.proto`).
//!
//! tonic answers a request that does not decode as its message type with INTERNAL ("failed to decode
//! Protobuf message"), which tells clients the server is broken, and one over the size limit with
//! OUT_OF_RANGE; neither carries details. Both are the caller's doing: this layer rewrites them to
//! INVALID_ARGUMENT, reason MESSAGE_MALFORMED, and RESOURCE_EXHAUSTED, reason MESSAGE_TOO_LARGE with
//! `limit_bytes`. Both arrive as trailers-only responses (the status in the headers), which is all
//! this layer looks at; a status the handlers built already has its details and passes unchanged.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tonic::codegen::http;
use tonic::{Code, Status};
#[cfg(test)]
use tonic_types::StatusExt;
use tower::{Layer, Service};

use crate::status::status;

pub const MALFORMED_REASON: &str = "MESSAGE_MALFORMED";
pub const TOO_LARGE_REASON: &str = "MESSAGE_TOO_LARGE";

/// The layer; `limit_bytes` is `limits.max_request_bytes`, named in the error.
#[derive(Debug, Clone, Copy)]
pub struct TransportErrorLayer {
    limit_bytes: usize,
}

impl TransportErrorLayer {
    pub fn new(limit_bytes: usize) -> TransportErrorLayer {
        TransportErrorLayer { limit_bytes }
    }
}

impl<S> Layer<S> for TransportErrorLayer {
    type Service = TransportErrorService<S>;

    fn layer(&self, inner: S) -> TransportErrorService<S> {
        TransportErrorService {
            inner,
            limit_bytes: self.limit_bytes,
        }
    }
}

/// The service made by [`TransportErrorLayer`].
#[derive(Debug, Clone)]
pub struct TransportErrorService<S> {
    inner: S,
    limit_bytes: usize,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B, ResBody> Service<http::Request<B>> for TransportErrorService<S>
where
    S: Service<http::Request<B>, Response = http::Response<ResBody>>,
    S::Future: Send + 'static,
    ResBody: Default,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<S::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let limit_bytes = self.limit_bytes;
        let call = self.inner.call(request);
        Box::pin(async move {
            let response = call.await?;
            Ok(match rewrite(response.headers(), limit_bytes) {
                Some(status) => status.into_http(),
                None => response,
            })
        })
    }
}

/// The status that replaces a detail-less transport error in `headers`, if there is one.
pub fn rewrite(headers: &http::HeaderMap, limit_bytes: usize) -> Option<Status> {
    let found = Status::from_header_map(headers)?;
    if !found.details().is_empty() {
        return None;
    }
    let message = found.message();
    match found.code() {
        Code::Internal if message.contains("decode") => Some(status(
            Code::InvalidArgument,
            "the request body is not a valid protobuf message of this RPC's request type"
                .to_owned(),
            MALFORMED_REASON,
            Vec::new(),
            |_| {},
        )),
        Code::OutOfRange if message.contains("too large") => Some(status(
            Code::ResourceExhausted,
            format!(
                "the request message is larger than the limit of {limit_bytes} bytes (limits.max_request_bytes)"
            ),
            TOO_LARGE_REASON,
            vec![("limit_bytes".to_owned(), limit_bytes.to_string())],
            |_| {},
        )),
        _ => None,
    }
}

#[cfg(test)]
#[expect(
    clippy::disallowed_methods,
    reason = "the tests build the bare statuses tonic itself sends, to check they are rewritten"
)]
mod tests {
    use super::*;

    fn headers_of(status: &Status) -> http::HeaderMap {
        status.clone().into_http::<()>().headers().clone()
    }

    #[test]
    fn tonic_decode_and_size_errors_gain_error_info() {
        let decode = Status::internal("failed to decode Protobuf message: buffer underflow");
        let rewritten = rewrite(&headers_of(&decode), 4096).unwrap();
        assert_eq!(rewritten.code(), Code::InvalidArgument);
        let info = rewritten.get_error_details().error_info().cloned().unwrap();
        assert_eq!(info.reason, MALFORMED_REASON);

        let large = Status::out_of_range(
            "Error, decoded message length too large: found 10485760 bytes, the limit is: 4194304 bytes",
        );
        let rewritten = rewrite(&headers_of(&large), 4_194_304).unwrap();
        assert_eq!(rewritten.code(), Code::ResourceExhausted);
        let info = rewritten.get_error_details().error_info().cloned().unwrap();
        assert_eq!(info.reason, TOO_LARGE_REASON);
        assert_eq!(info.metadata["limit_bytes"], "4194304");
    }

    #[test]
    fn statuses_with_details_and_other_codes_pass_unchanged() {
        let ours = crate::status::from_app_error(app::Error::OutOfRange {
            position: 9,
            head: 3,
        });
        assert!(rewrite(&headers_of(&ours), 1).is_none());
        assert!(rewrite(&headers_of(&Status::unimplemented("")), 1).is_none());
        assert!(rewrite(&http::HeaderMap::new(), 1).is_none());
    }
}
