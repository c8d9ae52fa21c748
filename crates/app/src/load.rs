//! Reading streams back into domain state, by stream id.
//!
//! Facts that span streams ("every stint of this practitioner") are read by tag query in
//! `facts`; nothing here reads more than the streams it names.

use domain::aggregates::hospital::HospitalState;
use domain::aggregates::pairing::{PairingFacts, PairingState};
use domain::values::{CreditCode, HospitalId, PairingId};
use domain::{Aggregate, Event, Stream};
use event_store::{EventStore, MAX_READ_LIMIT, StoredEvent};

use crate::error::Error;
use crate::facts::Guard;

/// A stream as read: its stored rows, its decoded events and its folded state.
pub(crate) struct Loaded<A> {
    pub(crate) stored: Vec<StoredEvent>,
    /// `stored`, decoded: the earlier events that the tags of a new event derive from.
    pub(crate) events: Vec<Event>,
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
        events,
    })
}

/// The folded state of one stream.
pub(crate) async fn state<A: Aggregate>(store: &EventStore, stream_id: &str) -> Result<A, Error> {
    Ok(load::<A>(store, stream_id).await?.stream.state().clone())
}

/// The facts of a pairing, read by id through `guard` (the append fails if the pairing moved).
pub(crate) async fn pairing_facts(
    store: &EventStore,
    guard: &mut Guard,
    pairing: &PairingId,
) -> Result<Option<PairingFacts>, Error> {
    Ok(guard
        .state::<PairingState>(store, &pairing.stream_id())
        .await?
        .facts())
}

/// The organisations among `orgs` whose `hospital-<code>` stream holds a `HospitalRegistered`,
/// each read by id through `guard`.
pub(crate) async fn registered<'a>(
    store: &EventStore,
    guard: &mut Guard,
    orgs: impl IntoIterator<Item = &'a CreditCode>,
) -> Result<std::collections::BTreeSet<CreditCode>, Error> {
    let mut found = std::collections::BTreeSet::new();
    for org in orgs {
        let id = HospitalId(org.clone()).stream_id();
        if guard
            .state::<HospitalState>(store, &id)
            .await?
            .registered
            .is_some()
        {
            found.insert(org.clone());
        }
    }
    Ok(found)
}
