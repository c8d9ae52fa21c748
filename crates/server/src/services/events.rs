//! `medaid.v1.EventService`: single events, AIP-158 pages of a stream or the log, and a live feed
//! with heartbeats.

use std::pin::Pin;
use std::time::Duration;

use api::medaid::v1 as pb;
use api::medaid::v1::event_service_server::EventService;
use futures_util::Stream;
use tokio::sync::mpsc;
use tonic::{Request, Response, Status};

use super::principal;
use crate::config::LimitsConfig;
use crate::convert::event::{event, timestamp};
use crate::page_token::{self, PageError};
use crate::status::{from_app_error, from_page_error};

/// The heartbeat interval when the client asks for none, and the bounds of what it may ask for.
const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(15);
const MIN_HEARTBEAT: Duration = Duration::from_millis(100);
const MAX_HEARTBEAT: Duration = Duration::from_secs(300);

/// The event feed over the use cases.
#[derive(Clone)]
pub struct Events {
    app: app::App,
    default_page_size: u32,
    max_page_size: u32,
    shutdown: tokio::sync::watch::Receiver<bool>,
}

impl Events {
    /// A feed whose streams end when `shutdown` turns true.
    pub fn new(
        app: app::App,
        limits: &LimitsConfig,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> Events {
        Events {
            app,
            default_page_size: limits.default_page_size,
            max_page_size: limits.max_page_size,
            shutdown,
        }
    }

    fn page_size(&self, requested: i32) -> Result<usize, Status> {
        page_token::page_size(requested, self.default_page_size, self.max_page_size)
            .map_err(|e| from_page_error(&e))
    }
}

fn page_err(error: PageError) -> Status {
    from_page_error(&error)
}

fn heartbeat_interval(requested: Option<&prost_types::Duration>) -> Duration {
    let Some(requested) = requested else {
        return DEFAULT_HEARTBEAT;
    };
    let seconds = u64::try_from(requested.seconds).unwrap_or(0);
    let nanos = u32::try_from(requested.nanos).unwrap_or(0);
    let interval = Duration::new(seconds, nanos);
    if interval.is_zero() {
        DEFAULT_HEARTBEAT
    } else {
        interval.clamp(MIN_HEARTBEAT, MAX_HEARTBEAT)
    }
}

fn now_us() -> i64 {
    let now = crate::clock::now_utc();
    i64::try_from(now.unix_timestamp_nanos() / 1_000).unwrap_or(0)
}

type EventStream = Pin<Box<dyn Stream<Item = Result<pb::SubscribeEventsResponse, Status>> + Send>>;

#[tonic::async_trait]
impl EventService for Events {
    async fn get_event(
        &self,
        request: Request<pb::GetEventRequest>,
    ) -> Result<Response<pb::GetEventResponse>, Status> {
        let caller = principal(&request)?;
        let position = request.get_ref().position;
        let found = self
            .app
            .get_event(&caller, position)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(pb::GetEventResponse {
            event: Some(event(&found)),
        }))
    }

    async fn list_stream_events(
        &self,
        request: Request<pb::ListStreamEventsRequest>,
    ) -> Result<Response<pb::ListStreamEventsResponse>, Status> {
        let caller = principal(&request)?;
        let req = request.get_ref();
        let limit = self.page_size(req.page_size)?;
        let after = req.after_version.unwrap_or(0).to_string();
        let params = page_token::parameters_hash(&["stream", &req.stream_id, &after]);
        let from_version = match page_token::decode(&req.page_token, params).map_err(page_err)? {
            Some(version) => version,
            None => req.after_version.unwrap_or(0).saturating_add(1),
        };
        let events = self
            .app
            .list_stream_events(&caller, &req.stream_id, from_version, limit)
            .await
            .map_err(from_app_error)?;
        // A full page may have more behind it; a short page is the end of the stream.
        let next_page_token = match events.last() {
            Some(last) if events.len() == limit => {
                page_token::encode(last.stream_version.saturating_add(1), params)
            }
            _ => String::new(),
        };
        Ok(Response::new(pb::ListStreamEventsResponse {
            events: events.iter().map(event).collect(),
            next_page_token,
        }))
    }

    async fn list_events(
        &self,
        request: Request<pb::ListEventsRequest>,
    ) -> Result<Response<pb::ListEventsResponse>, Status> {
        let caller = principal(&request)?;
        let req = request.get_ref();
        let limit = self.page_size(req.page_size)?;
        let filter = parse_filter(&req.filter)?;
        let params = page_token::parameters_hash(&["log", &req.filter]);
        let from = page_token::decode(&req.page_token, params)
            .map_err(page_err)?
            .unwrap_or(0);
        let page = self
            .app
            .list_events(&caller, from, limit, &filter)
            .await
            .map_err(from_app_error)?;
        let head = self.app.store().head().await.map(|h| h.size).unwrap_or(0);
        let next_page_token = if page.next_position < head {
            page_token::encode(page.next_position, params)
        } else {
            String::new()
        };
        Ok(Response::new(pb::ListEventsResponse {
            events: page.events.iter().map(event).collect(),
            next_page_token,
        }))
    }

    type SubscribeEventsStream = EventStream;

    async fn subscribe_events(
        &self,
        request: Request<pb::SubscribeEventsRequest>,
    ) -> Result<Response<EventStream>, Status> {
        let caller = principal(&request)?;
        let req = request.into_inner();
        let filter = app::FeedFilter {
            categories: req.stream_categories,
            event_types: req.event_types,
            provinces: req.province_codes,
        };
        let from = req.after_position.map_or(0, |p| p.saturating_add(1));
        let mut subscription = self
            .app
            .subscribe(&caller, from, filter)
            .await
            .map_err(from_app_error)?;
        let interval = heartbeat_interval(req.heartbeat_interval.as_ref());
        let mut shutdown = self.shutdown.clone();
        let (tx, rx) = mpsc::channel::<Result<pb::SubscribeEventsResponse, Status>>(64);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.tick().await;
            loop {
                let item = tokio::select! {
                    next = subscription.next() => match next {
                        Ok(found) => Ok(pb::SubscribeEventsResponse {
                            item: Some(pb::subscribe_events_response::Item::Event(event(&found))),
                        }),
                        Err(error) => Err(from_app_error(error)),
                    },
                    _ = ticker.tick() => {
                        let head = subscription.head().await.ok();
                        Ok(pb::SubscribeEventsResponse {
                            item: Some(pb::subscribe_events_response::Item::Heartbeat(pb::Heartbeat {
                                head_position: head,
                                scanned_position: Some(subscription.resume_position()),
                                server_time: Some(timestamp(now_us())),
                            })),
                        })
                    }
                    () = tx.closed() => break,
                    () = stopping(&mut shutdown) => break,
                };
                let failed = item.is_err();
                if tx.send(item).await.is_err() || failed {
                    break;
                }
            }
        });
        let stream = futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        });
        Ok(Response::new(Box::pin(stream)))
    }
}

/// Resolves once the server starts shutting down (or is gone).
async fn stopping(shutdown: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stopping| *stopping).await;
}

/// Parses the documented AIP-160 subset: `category=X`, `event_type=X`, `province=NN` terms joined
/// by `AND`. Several values of one key are alternatives.
fn parse_filter(filter: &str) -> Result<app::FeedFilter, Status> {
    let mut out = app::FeedFilter::default();
    for term in filter
        .split(" AND ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let Some((key, value)) = term.split_once('=') else {
            return Err(filter_error(term));
        };
        let value = value.trim().trim_matches('"').to_owned();
        match key.trim() {
            "category" | "stream_category" => out.categories.push(value),
            "event_type" => out.event_types.push(value),
            "province" | "province_code" => out.provinces.push(value),
            _ => return Err(filter_error(term)),
        }
    }
    Ok(out)
}

fn filter_error(term: &str) -> Status {
    from_app_error(app::Error::InvalidArgument {
        field: "filter".to_owned(),
        reason: "INVALID_FIELD",
        message: format!("filter term {term:?} is not category=, event_type= or province="),
    })
}
