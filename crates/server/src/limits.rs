//! Request limits from `[limits]`, applied to the tonic server builder.
//!
//! The maximum request size is per service in tonic (`max_decoding_message_size` on each generated
//! server), so `routes` applies [`LimitsConfig::max_request_bytes`] to every service it mounts.

use std::time::Duration;

use tonic::transport::Server;

use crate::config::LimitsConfig;

/// How often HTTP/2 pings check that an idle client is still there, so dead connections free their slots.
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(60);

/// The largest header block accepted on a connection. A header list over h2's limit resets more
/// than the one call in some clients; accepting a generous block lets the auth layer refuse an
/// oversized token with UNAUTHENTICATED and ErrorInfo instead (see `auth::MAX_TOKEN_BYTES`).
pub const MAX_HEADER_LIST_BYTES: u32 = 1024 * 1024;

/// Applies the connection-level limits.
///
/// The request deadline is not set here but by [`crate::deadline::DeadlineLayer`], which answers
/// DEADLINE_EXCEEDED where tonic's own timeout would answer CANCELLED; how many requests run at once
/// and queue is [`crate::admission`]'s, which sheds with RetryInfo where tonic's `load_shed` would
/// answer a bare RESOURCE_EXHAUSTED.
pub fn apply(builder: Server, limits: &LimitsConfig) -> Server {
    builder
        .max_concurrent_streams(limits.max_concurrent_streams)
        .http2_max_header_list_size(MAX_HEADER_LIST_BYTES)
        .http2_keepalive_interval(Some(KEEPALIVE_INTERVAL))
}

/// The admission budget of `[limits]`.
pub fn budget(limits: &LimitsConfig) -> crate::admission::Budget {
    crate::admission::Budget {
        max_in_flight: limits.max_in_flight,
        max_queued: limits.max_queued,
        queue_timeout: Duration::from_millis(limits.queue_timeout_ms),
    }
}
