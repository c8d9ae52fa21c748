//! `relay-delay`: the delay from an event's commit to a JetStream consumer while the log is written
//! at a steady rate. A writer store appends realistic domain events paced to `--rate` events per
//! second; a relay with a store handle of its own publishes them; a pull consumer on the stream
//! takes every message and measures `now − recorded_at_us` (the store's record time, set in the
//! committing transaction, carried in the message body).

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_nats::jetstream::{self, consumer};
use clap::Args;
use event_store::{AppendMetadata, EventStore, ExpectedVersion, StoreOptions};
use futures_util::StreamExt;
use tokio::sync::Semaphore;

use crate::readside::scenario;
use crate::scratch::ScratchDatabase;
use crate::stats::percentile;

/// Options of the `relay-delay` command.
#[derive(Debug, Args)]
pub(crate) struct DelayArgs {
    /// Events per second written to the log.
    #[arg(long, default_value_t = 5_000)]
    rate: usize,
    /// How long the load runs.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Events per append (one stream's consecutive events).
    #[arg(long, default_value_t = 1)]
    batch: usize,
    /// Most appends in flight at once (clients).
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// Runs; each is reported and the median p99 is marked.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// The relay's batch size.
    #[arg(long, default_value_t = 1_000)]
    relay_batch: usize,
    /// Most publishes awaiting their acknowledgement.
    #[arg(long, default_value_t = 4_000)]
    max_pending_acks: usize,
    /// The NATS server with JetStream.
    #[arg(
        long,
        env = "MEDAID_BENCH_NATS_URL",
        default_value = "nats://127.0.0.1:4222"
    )]
    nats_url: String,
}

/// What one run measured.
struct Measured {
    events: usize,
    write_rate: f64,
    p50: Duration,
    p99: Duration,
    max: Duration,
    load: String,
}

pub(crate) async fn run(args: &DelayArgs, postgres_url: &str) -> anyhow::Result<String> {
    let total = args.rate * usize::try_from(args.seconds)?;
    let world = scenario::generate(total)?;
    let events = Arc::new(world.log.events);
    let mut lines = vec![
        "| run | events | write events/s (achieved) | events/append | clients | p50 | p99 | max | load average (1 5 15 min) |\n|---|---|---|---|---|---|---|---|---|"
            .to_owned(),
    ];
    let mut p99s = Vec::new();
    for run in 0..args.runs.max(1) {
        let database = ScratchDatabase::create(postgres_url).await?;
        let measured = once(args, &database.url, events.clone()).await;
        database.drop_it().await?;
        let m = measured?;
        let line = format!(
            "| {} | {} | {:.0} | {} | {} | {:.1} ms | {:.1} ms | {:.1} ms | {} |",
            run + 1,
            m.events,
            m.write_rate,
            args.batch,
            args.clients,
            ms(m.p50),
            ms(m.p99),
            ms(m.max),
            m.load
        );
        eprintln!("{line}");
        lines.push(line);
        p99s.push(m.p99);
    }
    p99s.sort();
    lines.push(format!(
        "\nmedian p99 over {} runs: **{:.1} ms**",
        p99s.len(),
        ms(p99s[p99s.len() / 2])
    ));
    Ok(lines.join("\n"))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[expect(
    clippy::disallowed_methods,
    reason = "the delay is wall time now against the store's wall-clock record time"
)]
fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

async fn once(
    args: &DelayArgs,
    url: &str,
    events: Arc<Vec<domain::Event>>,
) -> anyhow::Result<Measured> {
    let writer = EventStore::open(StoreOptions::new(url)).await?;
    let relay_store = EventStore::open(StoreOptions::new(url)).await?;
    let config = super::config(&args.nats_url, args.relay_batch, args.max_pending_acks);
    let result = async {
        let relay = relay::Relay::connect(relay_store.clone(), url, config.clone()).await?;
        let mut status = relay.status();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let relay_task = tokio::spawn(relay.run(async {
            let _ = stopped.await;
        }));
        status.wait_for(|s| s.connected).await?;
        let total = events.len();
        let consumer = tokio::spawn(consume(config.clone(), total));
        let (write_rate, written) = write_paced(args, &writer, events).await?;
        let mut delays = tokio::time::timeout(Duration::from_secs(60), consumer).await???;
        let load = crate::load::average();
        let _ = stop.send(());
        relay_task.await?;
        anyhow::ensure!(
            delays.len() == written,
            "the consumer received {} of {written} events",
            delays.len()
        );
        delays.sort_unstable();
        anyhow::Ok(Measured {
            events: written,
            write_rate,
            p50: percentile(&delays, 500),
            p99: percentile(&delays, 990),
            max: delays.last().copied().unwrap_or_default(),
            load,
        })
    }
    .await;
    super::delete_stream(&config).await;
    writer.close().await;
    relay_store.close().await;
    result
}

/// Appends `events` at `args.rate` events per second, `args.batch` per append, at most
/// `args.clients` appends in flight; returns the achieved rate and the number written.
async fn write_paced(
    args: &DelayArgs,
    store: &EventStore,
    events: Arc<Vec<domain::Event>>,
) -> anyhow::Result<(f64, usize)> {
    let in_flight = Arc::new(Semaphore::new(args.clients.max(1)));
    let batch = args.batch.max(1);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let mut sent = 0;
    while sent < events.len() {
        let due = usize::try_from(started.elapsed().as_micros() * args.rate as u128 / 1_000_000)
            .unwrap_or(usize::MAX);
        while sent < due.min(events.len()) {
            let permit = in_flight.clone().acquire_owned().await?;
            let end = (sent + batch).min(events.len());
            let (store, events) = (store.clone(), events.clone());
            tasks.spawn(async move {
                let _permit = permit;
                let chunk = &events[sent..end];
                let stream = chunk[0].stream_id();
                let new_events = chunk.iter().map(codec::encode).collect();
                let metadata = AppendMetadata {
                    actor: "recorder:bench".into(),
                    ..AppendMetadata::default()
                };
                store
                    .append(
                        &stream,
                        ExpectedVersion::Any,
                        new_events,
                        &uuid::Uuid::new_v4().to_string(),
                        metadata,
                    )
                    .await?;
                anyhow::Ok(end - sent)
            });
            sent = end;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let mut written = 0;
    while let Some(done) = tasks.join_next().await {
        written += done??;
    }
    Ok((written as f64 / started.elapsed().as_secs_f64(), written))
}

/// Takes `expected` messages from the stream and returns each one's delay since its record time.
async fn consume(config: relay::RelayConfig, expected: usize) -> anyhow::Result<Vec<Duration>> {
    let js = jetstream::new(async_nats::connect(&config.nats_url).await?);
    let stream = js.get_stream(&config.stream).await?;
    let consumer = stream
        .create_consumer(consumer::pull::Config {
            ack_policy: consumer::AckPolicy::None,
            ..consumer::pull::Config::default()
        })
        .await?;
    let mut messages = consumer.messages().await?;
    let mut delays = Vec::with_capacity(expected);
    while delays.len() < expected {
        let Some(message) = messages.next().await else {
            break;
        };
        let message = message?;
        let received = now_us();
        let body: serde_json::Value = serde_json::from_slice(&message.payload)?;
        let recorded = body["recorded_at_us"]
            .as_i64()
            .ok_or_else(|| anyhow::anyhow!("a message without recorded_at_us"))?;
        let micros = u64::try_from(received - recorded).unwrap_or(0);
        delays.push(Duration::from_micros(micros));
    }
    Ok(delays)
}
