//! The one read pipeline: every read-model RPC is a [`GetRpc`] or a [`ListRpc`] (the query its
//! request asks and the response its answer makes), run by [`Reader::get`] or [`Reader::list`],
//! which read the caller, bound the freshness wait by the request's deadline, page with AIP-158
//! sizes and page tokens bound to the request's parameters, call `App::query` and map errors
//! through the one mapping in `status`. [`read_service!`] turns a list of RPCs into the tonic
//! service, so a new RPC is its proto message, one impl and one line.

pub mod answer;
pub mod filter;

use std::time::Duration;

use read_models::{MAX_PAGE_SIZE, Page, PageRequest, Query};
use tonic::metadata::MetadataMap;
use tonic::{Request, Response, Status};

use crate::config::LimitsConfig;
use crate::page_token::{self, parameters_hash};
use crate::status::{from_app_error, from_page_error};

/// A read request: every one names the log position its answer must reflect (read-your-writes).
pub trait ReadRequest {
    fn min_position(&self) -> Option<u64>;
}

/// A list request: AIP-158 page size and token.
pub trait PagedRequest: ReadRequest {
    fn page_size(&self) -> i32;
    fn page_token(&self) -> &str;
}

/// What every read RPC declares: its name and its proto messages (written by [`read_service!`]).
pub trait ReadRpc: 'static {
    /// The RPC's name, which page tokens are bound to.
    const NAME: &'static str;
    type Request: ReadRequest + Send + Sync + 'static;
    type Response;
}

/// An RPC with one answer.
pub trait GetRpc: ReadRpc {
    type Query: Query;

    /// The read-model query the request asks, its arguments validated.
    fn query(req: &Self::Request) -> Result<Self::Query, Status>;

    /// The response for the query's answer.
    fn respond(answer: <Self::Query as Query>::Answer) -> Self::Response;
}

/// An RPC answering with one page of a list.
pub trait ListRpc: ReadRpc<Request: PagedRequest> {
    type Item;
    type Query: Query<Answer = Page<Self::Item>>;

    /// The request fields besides paging that a page token is bound to: a token is refused by a
    /// request that changed any of them.
    fn token_key(req: &Self::Request) -> Vec<&str>;

    /// The read-model query for one page of the list.
    fn query(req: &Self::Request, page: PageRequest) -> Result<Self::Query, Status>;

    /// The response for one page of items, with the token of the next page (empty at the end).
    fn respond(items: Vec<Self::Item>, next_page_token: String, position: u64) -> Self::Response;
}

/// Implements a read-model service's tonic trait on [`Reader`] from its list of RPCs:
/// `method: get|list Rpc(Request) -> Response;` declares the RPC type `Rpc`, its messages and the
/// request accessors, and routes `method` through [`Reader::get`] or [`Reader::list`]. The tonic
/// trait makes a forgotten method fail to compile.
macro_rules! read_service {
    (@request get $request:ident) => {
        impl $crate::rpc::read::ReadRequest for api::medaid::v1::$request {
            fn min_position(&self) -> Option<u64> {
                self.min_position
            }
        }
    };
    (@request list $request:ident) => {
        $crate::rpc::read::read_service!(@request get $request);

        impl $crate::rpc::read::PagedRequest for api::medaid::v1::$request {
            fn page_size(&self) -> i32 {
                self.page_size
            }

            fn page_token(&self) -> &str {
                &self.page_token
            }
        }
    };
    ($service:path {
        $( $method:ident: $kind:ident $rpc:ident($request:ident) -> $response:ident; )*
    }) => {
        $(
            #[doc = concat!("The `", stringify!($rpc), "` RPC.")]
            pub struct $rpc;

            impl $crate::rpc::read::ReadRpc for $rpc {
                const NAME: &'static str = stringify!($rpc);
                type Request = api::medaid::v1::$request;
                type Response = api::medaid::v1::$response;
            }

            $crate::rpc::read::read_service!(@request $kind $request);
        )*

        #[tonic::async_trait]
        impl $service for $crate::rpc::read::Reader {
            $(
                async fn $method(
                    &self,
                    request: tonic::Request<api::medaid::v1::$request>,
                ) -> Result<tonic::Response<api::medaid::v1::$response>, tonic::Status> {
                    self.$kind::<$rpc>(request).await
                }
            )*
        }
    };
}
pub(crate) use read_service;

/// The longest part of a request's time budget kept back from the freshness wait.
const MAX_MARGIN: Duration = Duration::from_secs(2);

/// What serves every read-model RPC: the use cases and the limits that shape a query.
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

    /// Runs a single-answer RPC.
    pub async fn get<R: GetRpc>(
        &self,
        request: Request<R::Request>,
    ) -> Result<Response<R::Response>, Status> {
        let (caller, fresh) = self.begin(&request)?;
        let query = R::query(request.get_ref())?;
        let answer = self
            .app
            .query(&caller, fresh, &query)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(R::respond(answer)))
    }

    /// Runs a list RPC: one page, and the token of the next, bound to [`ListRpc::token_key`].
    pub async fn list<R: ListRpc>(
        &self,
        request: Request<R::Request>,
    ) -> Result<Response<R::Response>, Status> {
        let (caller, fresh) = self.begin(&request)?;
        let req = request.get_ref();
        let mut key = vec![R::NAME];
        key.extend(R::token_key(req));
        let params = parameters_hash(&key);
        let page = self.page(req.page_size(), req.page_token(), params)?;
        let query = R::query(req, page)?;
        let found = self
            .app
            .query(&caller, fresh, &query)
            .await
            .map_err(from_app_error)?;
        let next = next_page_token(found.next_cursor, params);
        Ok(Response::new(R::respond(found.items, next, found.position)))
    }

    /// The caller and the freshness of one read request: what every read RPC starts with.
    fn begin<T: ReadRequest>(
        &self,
        request: &Request<T>,
    ) -> Result<(app::Principal, app::Freshness), Status> {
        Ok((
            crate::services::principal(request)?,
            self.freshness(request, request.get_ref().min_position()),
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
    fn page(
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
fn next_page_token(cursor: Option<String>, parameters: [u8; 8]) -> String {
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
