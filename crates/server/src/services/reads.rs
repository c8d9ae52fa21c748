//! The shared half of the read-model services: how long a query may wait for freshness, page sizes,
//! and the page tokens that wrap the read models' cursors.

use std::time::Duration;

use app::read_models::{MAX_PAGE_SIZE, PageRequest};
use tonic::metadata::MetadataMap;
use tonic::{Request, Status};

use crate::config::LimitsConfig;
use crate::page_token;
use crate::status::from_page_error;

/// The longest part of a request's time budget kept back from the freshness wait.
const MAX_MARGIN: Duration = Duration::from_secs(2);

/// What every read-model service holds: the use cases and the limits that shape a query.
#[derive(Clone)]
pub struct Reader {
    pub(crate) app: app::App,
    default_page_size: u32,
    max_page_size: u32,
    timeout: Duration,
}

impl Reader {
    pub fn new(app: app::App, limits: &LimitsConfig) -> Reader {
        let ceiling = u32::try_from(MAX_PAGE_SIZE).unwrap_or(u32::MAX);
        Reader {
            app,
            default_page_size: limits.default_page_size,
            max_page_size: limits.max_page_size.min(ceiling),
            timeout: limits.request_timeout(),
        }
    }

    /// The caller and the freshness of one read request: what every read handler starts with.
    pub fn begin<T>(
        &self,
        request: &Request<T>,
        min_position: Option<u64>,
    ) -> Result<(app::Principal, app::Freshness), Status> {
        Ok((
            super::principal(request)?,
            self.freshness(request, min_position),
        ))
    }

    /// How fresh the answer must be: the position the client names, waited for within the request's
    /// time budget (the configured timeout, or the client's shorter deadline).
    ///
    /// The wait stops a tenth of the budget (at most two seconds) before the deadline: tonic cancels
    /// the call at the deadline itself, and a wait as long as the budget would lose the race, so the
    /// client would see CANCELLED instead of PROJECTION_BEHIND and the metadata that says how far
    /// the read model got.
    pub fn freshness<T>(&self, request: &Request<T>, min_position: Option<u64>) -> app::Freshness {
        app::Freshness {
            min_position,
            wait: wait_within(self.timeout, request.metadata()),
        }
    }

    /// The page a list request asks for: its size (AIP-158 defaults and caps) and the read model's
    /// cursor from the token, which must have been issued for the same `parameters`.
    pub fn page(
        &self,
        page_size: i32,
        page_token: &str,
        parameters: [u8; 8],
    ) -> Result<PageRequest, Status> {
        let page_size =
            page_token::page_size(page_size, self.default_page_size, self.max_page_size)
                .map_err(|e| from_page_error(&e))?;
        let cursor =
            page_token::decode_cursor(page_token, parameters).map_err(|e| from_page_error(&e))?;
        Ok(PageRequest { page_size, cursor })
    }
}

/// The token for the page after this one; empty at the end of the list.
pub fn next_page_token(cursor: Option<String>, parameters: [u8; 8]) -> String {
    cursor
        .filter(|c| !c.is_empty())
        .map(|c| page_token::encode_cursor(&c, parameters))
        .unwrap_or_default()
}

/// How long a query may wait for freshness under the configured `timeout` and the client's deadline.
fn wait_within(timeout: Duration, metadata: &MetadataMap) -> Duration {
    let budget = client_deadline(metadata).map_or(timeout, |d| d.min(timeout));
    budget.saturating_sub((budget / 10).min(MAX_MARGIN))
}

/// The client's deadline from the `grpc-timeout` header (gRPC over HTTP/2: at most eight digits and
/// a unit). A malformed header is ignored, as tonic itself does.
fn client_deadline(metadata: &MetadataMap) -> Option<Duration> {
    let value = metadata.get("grpc-timeout")?.to_str().ok()?;
    if value.len() < 2 || value.len() > 9 || !value.is_ascii() {
        return None;
    }
    let (digits, unit) = value.split_at(value.len() - 1);
    let amount: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(amount.saturating_mul(3600)),
        "M" => Duration::from_secs(amount.saturating_mul(60)),
        "S" => Duration::from_secs(amount),
        "m" => Duration::from_millis(amount),
        "u" => Duration::from_micros(amount),
        "n" => Duration::from_nanos(amount),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata(timeout: &str) -> MetadataMap {
        let mut map = MetadataMap::new();
        if let Ok(value) = timeout.parse() {
            map.insert("grpc-timeout", value);
        }
        map
    }

    #[test]
    fn client_deadlines_follow_the_grpc_header_format() {
        assert_eq!(
            client_deadline(&metadata("2S")),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            client_deadline(&metadata("1500m")),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            client_deadline(&metadata("1H")),
            Some(Duration::from_secs(3600))
        );
        for bad in ["", "S", "12", "1x", "123456789S", "-1S"] {
            assert_eq!(client_deadline(&metadata(bad)), None, "{bad:?}");
        }
    }

    #[test]
    fn the_wait_ends_before_the_deadline() {
        let timeout = Duration::from_secs(30);
        assert_eq!(
            wait_within(timeout, &MetadataMap::new()),
            Duration::from_secs(28)
        );
        assert_eq!(
            wait_within(timeout, &metadata("1S")),
            Duration::from_millis(900)
        );
        assert_eq!(
            wait_within(timeout, &metadata("10M")),
            Duration::from_secs(28)
        );
        assert_eq!(wait_within(timeout, &metadata("0m")), Duration::ZERO);
    }
}
