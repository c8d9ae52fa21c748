//! The relay against the real NATS JetStream server of this machine (`MEDAID_TEST_NATS_URL`,
//! default `nats://127.0.0.1:4222`). Each test uses a stream and a subject prefix of its own, and
//! deletes its stream at the end.

use std::collections::BTreeMap;
use std::time::Duration;

use async_nats::jetstream::{self, consumer};
use domain::Event;
use domain::aggregates::hospital::HospitalRegistered;
use domain::values::{CreditCode, DivisionCode};
use event_store::{
    AppendMetadata, BusinessTime, EventStore, ExpectedVersion, NewEvent, StoreOptions,
    TimePrecision,
};
use futures_util::StreamExt;
use relay::{POSITION_HEADER, Relay, RelayConfig, RelayStatus};
use tempfile::TempDir;
use tokio::sync::watch;

fn nats_url() -> String {
    std::env::var("MEDAID_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

/// A SQLite store in a directory of its own, and a relay configuration with a unique stream.
struct Env {
    store: EventStore,
    url: String,
    config: RelayConfig,
    _dir: TempDir,
}

impl Env {
    async fn new(batch_size: usize) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("log.db").display());
        let mut options = StoreOptions::new(&url);
        options.poll_interval = Duration::from_millis(50);
        let store = EventStore::open(options).await.unwrap();
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let config = RelayConfig {
            nats_url: nats_url(),
            stream: format!("MEDAID_TEST_{unique}"),
            subject_prefix: format!("medaid_test_{unique}.events"),
            batch_size,
            max_pending_acks: 2 * batch_size,
            duplicate_window: Duration::from_secs(120),
            max_retry_backoff: Duration::from_secs(1),
        };
        Env {
            store,
            url,
            config,
            _dir: dir,
        }
    }

    async fn relay(&self) -> Relay {
        Relay::connect(self.store.clone(), &self.url, self.config.clone())
            .await
            .unwrap()
    }

    async fn jetstream(&self) -> jetstream::Context {
        jetstream::new(async_nats::connect(&self.config.nats_url).await.unwrap())
    }

    /// Appends `runs` appends of `per_run` hospital registrations, alternating between Gansu
    /// (620102) and Guizhou (520102) hospitals; returns the log's end.
    async fn append_hospitals(&self, from: u32, runs: u32, per_run: usize) -> u64 {
        let mut end = 0;
        for run in from..from + runs {
            let division = if run % 2 == 0 { "620102" } else { "520102" };
            let hospital = CreditCode::complete(&format!("12{division}{run:08}")).unwrap();
            let event = Event::HospitalRegistered(HospitalRegistered {
                hospital,
                name: format!("医院 {run}"),
                division: DivisionCode::parse(division).unwrap(),
                kind: domain::aggregates::hospital::OrganisationKind::Hospital,
                category: Some("A100".into()),
                registered_on: time::macros::date!(2024 - 09 - 15),
            });
            let stored = event.to_stored();
            let events = (0..per_run)
                .map(|_| NewEvent {
                    event_type: stored.event_type.clone(),
                    schema_version: stored.schema_version,
                    payload: stored.data.clone(),
                    occurred: BusinessTime {
                        from_us: 1_726_358_400_000_000,
                        to_us: 1_726_444_799_999_999,
                        precision: TimePrecision::Day,
                    },
                    tags: Vec::new(),
                })
                .collect();
            end = self
                .store
                .append(
                    &event.stream_id(),
                    ExpectedVersion::Any,
                    events,
                    &uuid::Uuid::new_v4().to_string(),
                    AppendMetadata {
                        actor: "recorder:test".into(),
                        ..AppendMetadata::default()
                    },
                )
                .await
                .unwrap()
                .positions()
                .end;
        }
        end
    }

    /// Every message a consumer with `filter` (empty: all) receives: (stream sequence, position,
    /// message id).
    async fn consume(&self, filter: &str, expected: usize) -> Vec<(u64, u64, String)> {
        let js = self.jetstream().await;
        let stream = js.get_stream(&self.config.stream).await.unwrap();
        let consumer = stream
            .create_consumer(consumer::pull::Config {
                filter_subject: filter.to_owned(),
                ack_policy: consumer::AckPolicy::None,
                ..consumer::pull::Config::default()
            })
            .await
            .unwrap();
        let mut seen = Vec::new();
        while seen.len() < expected {
            let mut batch = consumer
                .fetch()
                .max_messages(1000)
                .expires(Duration::from_millis(500))
                .messages()
                .await
                .unwrap();
            let before = seen.len();
            while let Some(message) = batch.next().await {
                let message = message.unwrap();
                let info = message.info().unwrap();
                let headers = message.headers.as_ref().unwrap();
                seen.push((
                    info.stream_sequence,
                    headers
                        .get(POSITION_HEADER)
                        .unwrap()
                        .as_str()
                        .parse()
                        .unwrap(),
                    headers.get("Nats-Msg-Id").unwrap().as_str().to_owned(),
                ));
            }
            if seen.len() == before {
                break;
            }
        }
        seen
    }

    async fn stream_size(&self) -> u64 {
        let js = self.jetstream().await;
        let mut stream = js.get_stream(&self.config.stream).await.unwrap();
        stream.info().await.unwrap().state.messages
    }

    async fn delete_stream(&self) {
        let js = self.jetstream().await;
        let _ = js.delete_stream(&self.config.stream).await;
    }

    /// Every event id of the log, by position.
    async fn event_ids(&self, end: u64) -> Vec<String> {
        let mut ids = Vec::new();
        let mut from = 0;
        while from < end {
            let page = self
                .store
                .read_all(from, 1000, &event_store::EventFilter::default())
                .await
                .unwrap();
            ids.extend(page.events.iter().map(|e| e.event_id.to_string()));
            from = page.next_position;
        }
        ids
    }
}

async fn wait_until(
    status: &mut watch::Receiver<RelayStatus>,
    what: &str,
    done: impl Fn(&RelayStatus) -> bool,
) {
    tokio::time::timeout(Duration::from_secs(60), status.wait_for(|s| done(s)))
        .await
        .unwrap_or_else(|_| panic!("timed out: {what}"))
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_killed_mid_publish_and_restarted_leaves_every_event_once_in_order() {
    let env = Env::new(100).await;
    let first_end = env.append_hospitals(0, 40, 100).await;

    let relay = env.relay().await;
    let mut status = relay.status();
    let task = tokio::spawn(relay.run(std::future::pending()));
    wait_until(&mut status, "some batches published", |s| {
        s.published >= 500
    })
    .await;
    // Killed where it stands: acknowledgements in flight, checkpoint not yet moved.
    task.abort();
    let _ = task.await;
    let killed_at = status.borrow().position;
    assert!(
        killed_at < first_end,
        "killed mid-publish at {killed_at} of {first_end}"
    );

    // The log moves on while the relay is down; the restarted relay catches up.
    let end = env.append_hospitals(40, 10, 100).await;
    let relay = env.relay().await;
    let mut status = relay.status();
    let task = tokio::spawn(relay.run(std::future::pending()));
    wait_until(&mut status, "caught up", |s| s.position == end).await;
    task.abort();

    assert_eq!(env.stream_size().await, end, "one message per event");
    let messages = env.consume("", usize::try_from(end).unwrap()).await;
    let positions: Vec<u64> = messages.iter().map(|m| m.1).collect();
    assert_eq!(
        positions,
        (0..end).collect::<Vec<_>>(),
        "every event once, in position order"
    );
    let sequences: Vec<u64> = messages.iter().map(|m| m.0).collect();
    assert_eq!(sequences, (1..=end).collect::<Vec<_>>());
    let ids: Vec<String> = messages.into_iter().map(|m| m.2).collect();
    assert_eq!(ids, env.event_ids(end).await, "Nats-Msg-Id is the event id");
    env.delete_stream().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_province_consumer_receives_exactly_its_provinces_events() {
    let env = Env::new(500).await;
    let end = env.append_hospitals(0, 12, 25).await;
    // One event no domain type decodes: published under `unknown`, never to a province.
    let stray = env
        .store
        .append(
            "misc-1",
            ExpectedVersion::Any,
            vec![NewEvent {
                event_type: "Happened".into(),
                schema_version: 1,
                payload: serde_json::json!({ "what": "not a domain event" }),
                occurred: BusinessTime::instant(1_726_358_400_000_000),
                tags: Vec::new(),
            }],
            "stray-1",
            AppendMetadata {
                actor: "recorder:test".into(),
                ..AppendMetadata::default()
            },
        )
        .await
        .unwrap()
        .positions()
        .end;
    assert_eq!(stray, end + 1);

    let relay = env.relay().await;
    let mut status = relay.status();
    let task = tokio::spawn(relay.run(std::future::pending()));
    wait_until(&mut status, "caught up", |s| s.position == stray).await;
    task.abort();

    // Expected from the log itself: each event's province from its scope.
    let mut by_province: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let page = env
        .store
        .read_all(0, 1000, &event_store::EventFilter::default())
        .await
        .unwrap();
    for event in &page.events {
        let provinces = relay::provinces_of(event).unwrap_or_default();
        by_province
            .entry(provinces.first().cloned().unwrap_or_default())
            .or_default()
            .push(event.position);
    }
    assert_eq!(by_province["620000"].len(), 6 * 25);
    assert_eq!(by_province["520000"].len(), 6 * 25);

    let prefix = &env.config.subject_prefix;
    for province in ["620000", "520000"] {
        let wanted = &by_province[province];
        let got = env
            .consume(&format!("{prefix}.{province}.>"), wanted.len())
            .await;
        let positions: Vec<u64> = got.iter().map(|m| m.1).collect();
        assert_eq!(&positions, wanted, "province {province}");
    }
    // Subjects name the category and the event type too.
    let hospitals = env
        .consume(&format!("{prefix}.620000.hospital.HospitalRegistered"), 150)
        .await;
    assert_eq!(hospitals.len(), 150);
    let unknown = env.consume(&format!("{prefix}.unknown.>"), 1).await;
    assert_eq!(unknown.iter().map(|m| m.1).collect::<Vec<_>>(), [end]);
    env.delete_stream().await;
}
