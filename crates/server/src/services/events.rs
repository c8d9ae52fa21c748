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
use crate::filter::{self, feed::STREAM_CATEGORIES};
use crate::page_token::{self, PageError};
use crate::status::{from_app_error, from_page_error};

/// The heartbeat interval when the client asks for none, and the bounds of what it may ask for, as
/// `SubscribeEventsRequest.heartbeat_interval` documents them.
pub const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(5);
pub const MIN_HEARTBEAT: Duration = Duration::from_secs(1);
pub const MAX_HEARTBEAT: Duration = Duration::from_secs(60);

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

pub fn heartbeat_interval(requested: Option<&prost_types::Duration>) -> Duration {
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
        let predicate =
            filter::feed::parse(&req.filter).map_err(|e| from_app_error(e.into_app_error()))?;
        let hints = predicate.hints();
        let params = page_token::parameters_hash(&["log", &req.filter]);
        let from = page_token::decode(&req.page_token, params)
            .map_err(page_err)?
            .unwrap_or(0)
            .max(hints.from);
        let until = hints.until.unwrap_or(u64::MAX);
        if from >= until {
            return Ok(Response::new(pb::ListEventsResponse::default()));
        }
        let store_filter = app::FeedFilter {
            categories: hints.categories,
            event_types: hints.event_types,
            provinces: Vec::new(),
        };
        let scan = usize::try_from(until - from).map_or(limit, |left| limit.min(left));
        let page = self
            .app
            .list_events(&caller, from, scan, &store_filter)
            .await
            .map_err(from_app_error)?;
        let head = self
            .app
            .store()
            .head()
            .await
            .map_err(|e| from_app_error(e.into()))?
            .size;
        let next_page_token = if page.next_position < head.min(until) {
            page_token::encode(page.next_position, params)
        } else {
            String::new()
        };
        Ok(Response::new(pb::ListEventsResponse {
            events: page
                .events
                .iter()
                .filter(|e| predicate.matches(e))
                .map(event)
                .collect(),
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
        let filter = subscription_filter(&req)?;
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

/// The most values one repeated filter of `SubscribeEventsRequest` may hold.
pub const MAX_SUBSCRIPTION_VALUES: usize = 64;

/// One repeated filter: its field, its values, which values are known, and what a value must be.
type ListCheck<'a> = (&'a str, &'a Vec<String>, fn(&str) -> bool, &'a str);

/// The subscription's filters, each value checked: unknown categories, types and provinces would
/// silently match nothing, and a huge list would make every event costly to test.
fn subscription_filter(req: &pb::SubscribeEventsRequest) -> Result<app::FeedFilter, Status> {
    let lists: [ListCheck<'_>; 3] = [
        (
            "stream_categories",
            &req.stream_categories,
            |v| STREAM_CATEGORIES.contains(&v),
            "a stream category",
        ),
        (
            "event_types",
            &req.event_types,
            |v| domain::events::EVENT_TYPES.contains(&v),
            "an event type",
        ),
        (
            "province_codes",
            &req.province_codes,
            |v| province_prefix(v).is_some(),
            "a province code such as 620000",
        ),
    ];
    for (field, values, known, what) in lists {
        if values.len() > MAX_SUBSCRIPTION_VALUES {
            return Err(invalid_field(
                field,
                "VALUE_TOO_LONG",
                format!(
                    "{field} holds {} values; at most {MAX_SUBSCRIPTION_VALUES} are accepted",
                    values.len()
                ),
            ));
        }
        if let Some((index, value)) = values.iter().enumerate().find(|(_, v)| !known(v)) {
            return Err(invalid_field(
                &format!("{field}[{index}]"),
                "INVALID_FIELD",
                format!("{} is not {what}", domain::values::excerpt(value)),
            ));
        }
    }
    Ok(app::FeedFilter {
        categories: req.stream_categories.clone(),
        event_types: req.event_types.clone(),
        provinces: req
            .province_codes
            .iter()
            .filter_map(|p| province_prefix(p))
            .collect(),
    })
}

/// The two-digit prefix of a province code given as `620000` or `62`.
fn province_prefix(value: &str) -> Option<String> {
    let two = match value.len() {
        2 => value,
        6 if value.is_char_boundary(2) && &value[2..] == "0000" => &value[..2],
        _ => return None,
    };
    domain::values::DivisionCode::parse(&format!("{two}0000"))
        .ok()
        .map(|_| two.to_owned())
}

fn invalid_field(field: &str, reason: &'static str, message: String) -> Status {
    from_app_error(app::Error::InvalidArgument {
        field: field.to_owned(),
        reason,
        message,
    })
}
