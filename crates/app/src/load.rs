//! Reading streams back into domain state.
//!
//! Index-style context facts ("every active pairing of this program", "every stint at this
//! hospital") are read by scanning one stream category of the log. That is correct but linear in
//! the category's size; the read models of `read-models` will replace these scans once they exist.

use std::collections::BTreeMap;

use domain::aggregates::batch::{BatchState, MemberAssigned};
use domain::aggregates::deployment::DeploymentState;
use domain::aggregates::hospital::HospitalState;
use domain::aggregates::pairing::{PairingFacts, PairingState};
use domain::facts::OnSiteStint;
use domain::values::{BatchId, CreditCode, DeploymentId, HospitalId, PairingId};
use domain::{Aggregate, Event, Stream};
use event_store::{EventFilter, EventStore, MAX_READ_LIMIT, StoredEvent};

use crate::error::Error;

/// A stream as read: its stored rows, its decoded events and its folded state.
pub(crate) struct Loaded<A> {
    pub(crate) stored: Vec<StoredEvent>,
    pub(crate) stream: Stream<A>,
}

impl<A> Loaded<A> {
    /// The stream's version: its number of events (0 when it does not exist).
    pub(crate) fn version(&self) -> u64 {
        self.stored.last().map_or(0, |e| e.stream_version)
    }
}

/// Reads every event of a stream, oldest first.
pub(crate) async fn read_whole_stream(
    store: &EventStore,
    stream_id: &str,
) -> Result<Vec<StoredEvent>, Error> {
    let mut all = Vec::new();
    loop {
        let next = all.last().map_or(1, |e: &StoredEvent| e.stream_version + 1);
        let page = store.read_stream(stream_id, next, MAX_READ_LIMIT).await?;
        let done = page.len() < MAX_READ_LIMIT;
        all.extend(page);
        if done {
            return Ok(all);
        }
    }
}

/// Decodes a stored row into a domain event; an undecodable row in the log is a bug or corruption.
pub(crate) fn decode(stored: &StoredEvent) -> Result<Event, Error> {
    codec::decode(stored).map_err(Error::internal)
}

/// Loads and folds one stream.
pub(crate) async fn load<A: Aggregate>(
    store: &EventStore,
    stream_id: &str,
) -> Result<Loaded<A>, Error> {
    let stored = read_whole_stream(store, stream_id).await?;
    let events = stored.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
    Ok(Loaded {
        stream: Stream::from_events(&events),
        stored,
    })
}

/// The folded state of one stream.
pub(crate) async fn state<A: Aggregate>(store: &EventStore, stream_id: &str) -> Result<A, Error> {
    Ok(load::<A>(store, stream_id).await?.stream.state().clone())
}

/// Every stream of a category, folded, keyed by stream id.
pub(crate) async fn scan<A: Aggregate>(
    store: &EventStore,
    category: &str,
) -> Result<BTreeMap<String, A>, Error> {
    let filter = EventFilter {
        categories: vec![category.to_owned()],
        event_types: Vec::new(),
    };
    let end = store.head().await?.size;
    let mut streams: BTreeMap<String, Stream<A>> = BTreeMap::new();
    let mut from = 0;
    while from < end {
        let page = store.read_all(from, MAX_READ_LIMIT, &filter).await?;
        for stored in &page.events {
            let event = decode(stored)?;
            let stream = streams.remove(&stored.stream_id).unwrap_or_default();
            streams.insert(stored.stream_id.clone(), domain::evolve(stream, &event));
        }
        if page.next_position <= from {
            break;
        }
        from = page.next_position;
    }
    Ok(streams
        .into_iter()
        .map(|(id, stream)| (id, stream.state().clone()))
        .collect())
}

pub(crate) async fn pairing_facts(
    store: &EventStore,
    pairing: &PairingId,
) -> Result<Option<PairingFacts>, Error> {
    Ok(state::<PairingState>(store, &pairing.stream_id())
        .await?
        .facts())
}

/// Every pairing's facts (a pairing index over `pairing-*`).
pub(crate) async fn all_pairings(store: &EventStore) -> Result<Vec<PairingFacts>, Error> {
    Ok(scan::<PairingState>(store, PairingId::CATEGORY)
        .await?
        .values()
        .filter_map(PairingState::facts)
        .collect())
}

/// Every on-site stint (the roster over `deployment-*`).
pub(crate) async fn all_stints(store: &EventStore) -> Result<Vec<OnSiteStint>, Error> {
    Ok(all_deployments(store)
        .await?
        .values()
        .filter_map(DeploymentState::stint)
        .collect())
}

/// Every member assignment of every batch, keyed by deployment id (the team rosters over `batch-*`).
pub(crate) async fn all_assignments(
    store: &EventStore,
) -> Result<BTreeMap<DeploymentId, MemberAssigned>, Error> {
    Ok(scan::<BatchState>(store, BatchId::CATEGORY)
        .await?
        .into_values()
        .flat_map(|b| b.members)
        .map(|m| (m.deployment_id, m))
        .collect())
}

pub(crate) async fn all_deployments(
    store: &EventStore,
) -> Result<BTreeMap<String, DeploymentState>, Error> {
    scan::<DeploymentState>(store, DeploymentId::CATEGORY).await
}

/// The organisations among `orgs` whose `hospital-<code>` stream holds a `HospitalRegistered`.
pub(crate) async fn registered<'a>(
    store: &EventStore,
    orgs: impl IntoIterator<Item = &'a CreditCode>,
) -> Result<std::collections::BTreeSet<CreditCode>, Error> {
    let mut found = std::collections::BTreeSet::new();
    for org in orgs {
        let id = HospitalId(org.clone()).stream_id();
        if state::<HospitalState>(store, &id)
            .await?
            .registered
            .is_some()
        {
            found.insert(org.clone());
        }
    }
    Ok(found)
}
