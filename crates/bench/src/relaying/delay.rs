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
use tokio::sync::{Semaphore, oneshot};

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
    /// The append call as the writer saw it (queueing for a group, the commit and its fsync).
    append_p99: Duration,
    /// The parts of the delay, each at its p99: record time to the writer's answer (the group's
    /// commit and fsync), the answer to JetStream's store time (the head notification, the relay's
    /// read and publish, JetStream's store), and store time to the consumer.
    to_commit_p99: Duration,
    to_stream_p99: Duration,
    to_consumer_p99: Duration,
    load: String,
}

pub(crate) async fn run(args: &DelayArgs, postgres_url: &str) -> anyhow::Result<String> {
    let total = args.rate * usize::try_from(args.seconds)?;
    let world = scenario::generate(total)?;
    let events = Arc::new(world.log.events);
    let mut lines = vec![
        "| run | events | write events/s (achieved) | events/append | clients | p50 | p99 | max | p99 append call | p99 record → answer | p99 answer → stream | p99 stream → consumer | load average (1 5 15 min) |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|"
            .to_owned(),
    ];
    let mut p99s = Vec::new();
    for run in 0..args.runs.max(1) {
        let database = ScratchDatabase::create(postgres_url).await?;
        let measured = once(args, &database.url, events.clone()).await;
        database.drop_it().await?;
        let m = measured?;
        let line = format!(
            "| {} | {} | {:.0} | {} | {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {} |",
            run + 1,
            m.events,
            m.write_rate,
            args.batch,
            args.clients,
            ms(m.p50),
            ms(m.p99),
            ms(m.max),
            ms(m.append_p99),
            ms(m.to_commit_p99),
            ms(m.to_stream_p99),
            ms(m.to_consumer_p99),
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
    let config = super::config(&args.nats_url, args.relay_batch, args.max_pending_acks);
    let result = async {
        let (stop, stopped) = oneshot::channel::<()>();
        let (status_sender, status) = oneshot::channel();
        let relay_done = {
            let (url, config) = (url.to_owned(), config.clone());
            on_own_runtime("relay", 2, move || async move {
                let store = EventStore::open(StoreOptions::new(&url)).await?;
                let relay = relay::Relay::connect(store.clone(), &url, config).await;
                let relay = match relay {
                    Ok(relay) => relay,
                    Err(error) => {
                        store.close().await;
                        return Err(error.into());
                    }
                };
                let _ = status_sender.send(relay.status());
                relay
                    .run(async {
                        let _ = stopped.await;
                    })
                    .await;
                store.close().await;
                Ok(())
            })?
        };
        let Ok(mut status) = status.await else {
            return Err(relay_done
                .await?
                .err()
                .unwrap_or_else(|| anyhow::anyhow!("the relay stopped before it connected")));
        };
        status.wait_for(|s| s.connected).await?;
        let total = events.len();
        let consumer = {
            let config = config.clone();
            on_own_runtime("consumer", 1, move || consume(config, total))?
        };
        let (write_rate, written, appends) = write_paced(args, &writer, events).await?;
        let seen = tokio::time::timeout(Duration::from_secs(60), consumer).await???;
        let _ = stop.send(());
        relay_done.await??;
        let load = crate::load::average();
        anyhow::ensure!(
            seen.len() == written,
            "the consumer received {} of {written} events",
            seen.len()
        );
        // When the writer had its answer, for every position.
        let mut answered_at = vec![i64::MAX; written];
        for answer in &appends {
            for position in answer.first_position..answer.first_position + answer.events {
                if let Some(slot) = answered_at.get_mut(usize::try_from(position)?) {
                    *slot = answer.answered_us;
                }
            }
        }
        let mut calls: Vec<Duration> = appends.iter().map(|a| a.call).collect();
        let mut to_commit = Vec::with_capacity(written);
        let mut to_stream = Vec::with_capacity(written);
        let mut to_consumer = Vec::with_capacity(written);
        let mut delays = Vec::with_capacity(written);
        for event in &seen {
            let answered = answered_at
                .get(usize::try_from(event.position)?)
                .copied()
                .ok_or_else(|| anyhow::anyhow!("position {} was not written", event.position))?;
            to_commit.push(micros(event.recorded_us, answered));
            to_stream.push(micros(answered, event.stored_us));
            to_consumer.push(micros(event.stored_us, event.received_us));
            delays.push(micros(event.recorded_us, event.received_us));
        }
        for parts in [
            &mut calls,
            &mut to_commit,
            &mut to_stream,
            &mut to_consumer,
            &mut delays,
        ] {
            parts.sort_unstable();
        }
        anyhow::Ok(Measured {
            events: written,
            write_rate,
            p50: percentile(&delays, 500),
            p99: percentile(&delays, 990),
            max: delays.last().copied().unwrap_or_default(),
            append_p99: percentile(&calls, 990),
            to_commit_p99: percentile(&to_commit, 990),
            to_stream_p99: percentile(&to_stream, 990),
            to_consumer_p99: percentile(&to_consumer, 990),
            load,
        })
    }
    .await;
    super::delete_stream(&config).await;
    writer.close().await;
    result
}

/// Runs `work` on a runtime of its own, on threads of its own, as it runs in a process of its own
/// in a deployment (the relay is `medaid relay`, the consumer a province's system): the writer's
/// clients, which stand in for the service, then share the cores with it through the operating
/// system's scheduler rather than delay its tasks in one run queue. The answer comes back through
/// the returned channel.
fn on_own_runtime<T: Send + 'static, F: Future<Output = anyhow::Result<T>>>(
    name: &str,
    workers: usize,
    work: impl FnOnce() -> F + Send + 'static,
) -> anyhow::Result<oneshot::Receiver<anyhow::Result<T>>> {
    let (done, answer) = oneshot::channel();
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            let outcome = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .enable_all()
                .build()
                .map_err(anyhow::Error::from)
                .and_then(|runtime| runtime.block_on(work()));
            let _ = done.send(outcome);
        })?;
    Ok(answer)
}

/// Appends `events` at `args.rate` events per second, `args.batch` per append, at most
/// `args.clients` appends in flight; returns the achieved rate, the number written and every
/// append's answer.
async fn write_paced(
    args: &DelayArgs,
    store: &EventStore,
    events: Arc<Vec<domain::Event>>,
) -> anyhow::Result<(f64, usize, Vec<Answer>)> {
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
                let called = Instant::now();
                let result = store
                    .append(
                        &stream,
                        ExpectedVersion::Any,
                        new_events,
                        &uuid::Uuid::new_v4().to_string(),
                        metadata,
                    )
                    .await?;
                anyhow::Ok(Answer {
                    first_position: result.first_position,
                    events: u64::from(result.event_count),
                    answered_us: now_us(),
                    call: called.elapsed(),
                })
            });
            sent = end;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let mut written = 0;
    let mut appends = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let answer = done??;
        written += usize::try_from(answer.events)?;
        appends.push(answer);
    }
    Ok((
        written as f64 / started.elapsed().as_secs_f64(),
        written,
        appends,
    ))
}

/// One append as the writer saw it.
struct Answer {
    first_position: u64,
    events: u64,
    /// Wall time when the store's answer reached the writer.
    answered_us: i64,
    call: Duration,
}

/// One message as the consumer saw it, with the three times it carries or was given, all in
/// microseconds of this machine's wall clock: the store's record time, JetStream's store time, and
/// the consumer's receipt.
struct Seen {
    position: u64,
    recorded_us: i64,
    stored_us: i64,
    received_us: i64,
}

/// `to − from`, or zero if the clocks' order was inverted (two threads reading one clock).
fn micros(from: i64, to: i64) -> Duration {
    Duration::from_micros(u64::try_from(to - from).unwrap_or(0))
}

/// Takes `expected` messages from the stream and returns what each one carried and when.
async fn consume(config: relay::RelayConfig, expected: usize) -> anyhow::Result<Vec<Seen>> {
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
        let stored = i64::try_from(
            message
                .info()
                .map_err(|e| anyhow::anyhow!("a message without JetStream info: {e}"))?
                .published
                .unix_timestamp_nanos()
                / 1_000,
        )?;
        let position = message
            .headers
            .as_ref()
            .and_then(|h| h.get(relay::POSITION_HEADER))
            .and_then(|v| v.as_str().parse::<u64>().ok())
            .ok_or_else(|| anyhow::anyhow!("a message without its position header"))?;
        delays.push(Seen {
            position,
            recorded_us: recorded,
            stored_us: stored,
            received_us: received,
        });
    }
    Ok(delays)
}
