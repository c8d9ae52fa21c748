//! The event feed: single events, a stream's events, pages of the log and live subscriptions, each
//! filtered to what the caller may read (see `authorize`).

use std::collections::BTreeSet;

use domain::values::CreditCode;
use event_store::{EventFilter, EventMetadata, StoredEvent, Subscription};
use uuid::Uuid;

use crate::App;
use crate::authorize::{may_read, require_reader};
use crate::error::Error;
use crate::principal::Principal;

/// One event of the log with everything stored about it, plus what the domain says of it.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEvent {
    /// Dense, gap-free position in the global log, from 0.
    pub position: u64,
    pub stream_id: String,
    /// The event's version in its stream: 1 for the first event.
    pub stream_version: u64,
    pub event_id: Uuid,
    pub event_type: String,
    pub schema_version: u32,
    /// The payload exactly as stored (the bytes the Merkle leaf commits to).
    pub payload_json: String,
    /// The metadata exactly as stored.
    pub metadata_json: String,
    /// The metadata, parsed; `None` only if stored metadata is unreadable.
    pub metadata: Option<EventMetadata>,
    /// Business time as the store keeps it (microseconds and precision).
    pub occurred: event_store::BusinessTime,
    /// Business time as the domain writes it ("2016-04", "2023-03-21/2023-03-23"); `None` when the
    /// payload could not be decoded.
    pub occurred_at: Option<String>,
    pub recorded_at_us: i64,
    pub leaf_hash: [u8; 32],
    /// GB/T 2260 province codes (six digits) of the event's scope.
    pub provinces: Vec<String>,
    /// Credit codes the event names.
    pub organisations: Vec<String>,
}

/// What a list or subscription wants. Empty lists mean "all".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedFilter {
    /// Stream categories such as `pairing`.
    pub categories: Vec<String>,
    pub event_types: Vec<String>,
    /// Province codes; an event matches when one of its provinces shares the two-digit prefix.
    pub provinces: Vec<String>,
}

/// One page of the log.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedPage {
    pub events: Vec<FeedEvent>,
    /// Where the next page starts; past the last event returned when events were filtered out.
    pub next_position: u64,
}

/// A live feed: catches up from a position, then waits for new events.
pub struct FeedSubscription {
    app: App,
    inner: Subscription,
    principal: Principal,
    provinces: Vec<String>,
}

impl FeedSubscription {
    /// The next event the caller may see and the filter accepts.
    ///
    /// Cancel-safe: the only await is the store subscription's cancel-safe `next`; what follows it
    /// is synchronous, so dropping this future loses no event.
    pub async fn next(&mut self) -> Result<FeedEvent, Error> {
        loop {
            let stored = self.inner.next().await?;
            let (event, organisations) = to_feed(&stored);
            if visible(&self.principal, &event, &organisations)
                && in_provinces(&self.provinces, &event)
            {
                return Ok(event);
            }
        }
    }

    /// The committed head of the log (its size), for heartbeats.
    pub async fn head(&self) -> Result<u64, Error> {
        Ok(self.app.store.head().await?.size)
    }

    /// Where a new subscription would continue exactly where this one stands.
    pub fn resume_position(&self) -> u64 {
        self.inner.resume_position()
    }
}

impl App {
    /// The event at `position`; `NotFound` when there is none or the caller may not see it.
    pub async fn get_event(
        &self,
        principal: &Principal,
        position: u64,
    ) -> Result<FeedEvent, Error> {
        require_reader(principal)?;
        let not_found = || Error::NotFound {
            reason: "EVENT_NOT_FOUND",
            what: format!("event at position {position}"),
        };
        let stored = self
            .store
            .get_event(position)
            .await?
            .ok_or_else(not_found)?;
        let (event, organisations) = to_feed(&stored);
        if visible(principal, &event, &organisations) {
            Ok(event)
        } else {
            Err(not_found())
        }
    }

    /// A stream's events from `from_version` (1 is the first), at most `limit`, that the caller may see.
    ///
    /// A stream that does not exist, or whose first event the caller may not see, is `NotFound`
    /// with reason STREAM_NOT_FOUND (as `event_service.proto` states), not an empty page.
    pub async fn list_stream_events(
        &self,
        principal: &Principal,
        stream_id: &str,
        from_version: u64,
        limit: usize,
    ) -> Result<Vec<FeedEvent>, Error> {
        require_reader(principal)?;
        let first = self.store.read_stream(stream_id, 1, 1).await?;
        let seen = first.first().map(to_feed);
        if !seen.is_some_and(|(event, orgs)| visible(principal, &event, &orgs)) {
            return Err(Error::NotFound {
                reason: "STREAM_NOT_FOUND",
                what: format!(
                    "stream {:?}",
                    stream_id.chars().take(80).collect::<String>()
                ),
            });
        }
        let stored = self
            .store
            .read_stream(stream_id, from_version, limit)
            .await?;
        Ok(stored
            .iter()
            .map(to_feed)
            .filter(|(event, orgs)| visible(principal, event, orgs))
            .map(|(event, _)| event)
            .collect())
    }

    /// A page of the log from `from_position`: at most `limit` events scanned, filtered.
    pub async fn list_events(
        &self,
        principal: &Principal,
        from_position: u64,
        limit: usize,
        filter: &FeedFilter,
    ) -> Result<FeedPage, Error> {
        require_reader(principal)?;
        let page = self
            .store
            .read_all(from_position, limit, &store_filter(filter))
            .await?;
        let events = page
            .events
            .iter()
            .map(to_feed)
            .filter(|(event, orgs)| {
                visible(principal, event, orgs) && in_provinces(&filter.provinces, event)
            })
            .map(|(event, _)| event)
            .collect();
        Ok(FeedPage {
            events,
            next_position: page.next_position,
        })
    }

    /// Follows the log from `from_position`; `OutOfRange` when that is beyond the head.
    pub async fn subscribe(
        &self,
        principal: &Principal,
        from_position: u64,
        filter: FeedFilter,
    ) -> Result<FeedSubscription, Error> {
        require_reader(principal)?;
        let head = self.store.head().await?.size;
        if from_position > head {
            return Err(Error::OutOfRange {
                position: from_position,
                head,
            });
        }
        Ok(FeedSubscription {
            app: self.clone(),
            inner: self.store.subscribe(from_position, store_filter(&filter)),
            principal: principal.clone(),
            provinces: filter.provinces,
        })
    }
}

fn store_filter(filter: &FeedFilter) -> EventFilter {
    EventFilter {
        categories: filter.categories.clone(),
        event_types: filter.event_types.clone(),
    }
}

fn in_provinces(wanted: &[String], event: &FeedEvent) -> bool {
    wanted.is_empty()
        || event.provinces.iter().any(|p| {
            wanted
                .iter()
                .any(|w| w.get(..2).is_some_and(|prefix| p.get(..2) == Some(prefix)))
        })
}

/// Whether the caller may see the event; undecodable events only for those who read everything.
fn visible(principal: &Principal, event: &FeedEvent, orgs: &Option<BTreeSet<CreditCode>>) -> bool {
    match orgs {
        Some(orgs) => may_read(principal, &event.provinces, orgs),
        None => crate::authorize::reads_everything(principal),
    }
}

/// The feed form of a stored event; the organisations are `None` when the payload does not decode.
fn to_feed(stored: &StoredEvent) -> (FeedEvent, Option<BTreeSet<CreditCode>>) {
    let decoded = codec::decode(stored).ok();
    let scope = decoded.as_ref().map(domain::Event::scope);
    let event = FeedEvent {
        position: stored.position,
        stream_id: stored.stream_id.clone(),
        stream_version: stored.stream_version,
        event_id: stored.event_id,
        event_type: stored.event_type.clone(),
        schema_version: stored.schema_version,
        payload_json: stored.payload.get().to_owned(),
        metadata_json: stored.metadata.get().to_owned(),
        metadata: stored.parsed_metadata().ok(),
        occurred: stored.occurred,
        occurred_at: decoded.as_ref().map(|e| e.occurred_at().to_string()),
        recorded_at_us: stored.recorded_at_us,
        leaf_hash: stored.leaf_hash.0,
        provinces: scope
            .iter()
            .flat_map(|s| s.provinces.iter().map(|p| p.as_str().to_owned()))
            .collect(),
        organisations: scope
            .iter()
            .flat_map(|s| s.organisations.iter().map(|o| o.as_str().to_owned()))
            .collect(),
    };
    (event, scope.map(|s| s.organisations))
}
