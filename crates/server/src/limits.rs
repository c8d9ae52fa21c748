//! Request limits from `[limits]`, applied to the tonic server builder.
//!
//! The maximum request size is per service in tonic (`max_decoding_message_size` on each generated
//! server), so `routes` applies [`LimitsConfig::max_request_bytes`] to every service it mounts.

use std::time::Duration;

use tonic::transport::Server;

use crate::config::LimitsConfig;

/// How often HTTP/2 pings check that an idle client is still there, so dead connections free their slots.
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(60);

/// Applies the connection-level limits.
///
/// The request deadline is not set here but by [`crate::deadline::DeadlineLayer`], which answers
/// DEADLINE_EXCEEDED where tonic's own timeout would answer CANCELLED.
/// - `concurrency_limit_per_connection` with `load_shed` answers RESOURCE_EXHAUSTED when full,
///   instead of letting one client queue without bound.
pub fn apply(builder: Server, limits: &LimitsConfig) -> Server {
    builder
        .concurrency_limit_per_connection(limits.concurrency_per_connection)
        .load_shed(limits.load_shed)
        .max_concurrent_streams(limits.max_concurrent_streams)
        .http2_keepalive_interval(Some(KEEPALIVE_INTERVAL))
}
