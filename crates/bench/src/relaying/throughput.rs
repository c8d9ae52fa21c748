//! `relay-throughput`: a log of realistic domain events is written once into a scratch PostgreSQL
//! database; then, run after run, a relay starts on a fresh JetStream stream (so from position 0,
//! with no checkpoint) and the time until JetStream has acknowledged the whole log is measured.

use std::time::{Duration, Instant};

use clap::Args;
use event_store::{EventStore, StoreOptions};

use crate::readside::{scenario, world};
use crate::scratch::ScratchDatabase;

/// Options of the `relay-throughput` command.
#[derive(Debug, Args)]
pub(crate) struct ThroughputArgs {
    /// Events in the log the relay catches up with.
    #[arg(long, default_value_t = 200_000)]
    events: usize,
    /// Relay runs over the same log; the median is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// The relay's batch size (events read from the log and prepared at once).
    #[arg(long, value_delimiter = ',', default_values_t = [1_000usize])]
    batch_sizes: Vec<usize>,
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

pub(crate) async fn run(args: &ThroughputArgs, postgres_url: &str) -> anyhow::Result<String> {
    let world = scenario::generate(args.events)?;
    let database = ScratchDatabase::create(postgres_url).await?;
    // The database is dropped whether or not the runs succeeded.
    let measured = measure(args, &database.url, &world.log.events).await;
    database.drop_it().await?;
    measured
}

async fn measure(
    args: &ThroughputArgs,
    url: &str,
    events: &[domain::Event],
) -> anyhow::Result<String> {
    let store = EventStore::open(StoreOptions::new(url)).await?;
    let started = Instant::now();
    world::write(&store, events, 8).await?;
    let written = store.head().await?.size;
    eprintln!(
        "wrote the log ({written} events) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    store.close().await;
    let storage = crate::storage::report(url, written).await?;
    eprintln!("{storage}");
    let mut lines = vec![
        "| events in log | relay batch | run | seconds | events/s | load average (1 5 15 min) |\n|---|---|---|---|---|---|"
            .to_owned(),
    ];
    for &batch_size in &args.batch_sizes {
        let mut rates = Vec::new();
        for run in 0..args.runs.max(1) {
            let (elapsed, load) = once(args, url, batch_size, written).await?;
            let rate = written as f64 / elapsed.as_secs_f64();
            let line = format!(
                "| {written} | {batch_size} | {} | {:.2} | {rate:.0} | {load} |",
                run + 1,
                elapsed.as_secs_f64()
            );
            eprintln!("{line}");
            lines.push(line);
            rates.push(rate);
        }
        rates.sort_by(f64::total_cmp);
        lines.push(format!(
            "| {written} | {batch_size} | median | | **{:.0}** | |",
            rates[rates.len() / 2]
        ));
    }
    Ok(format!("{}\n\n{storage}", lines.join("\n")))
}

/// One relay run from position 0 on a new stream: the time from the relay's start until the stream
/// holds all `written` events, and the load average at the end.
async fn once(
    args: &ThroughputArgs,
    url: &str,
    batch_size: usize,
    written: u64,
) -> anyhow::Result<(Duration, String)> {
    let config = super::config(&args.nats_url, batch_size, args.max_pending_acks);
    let store = EventStore::open(StoreOptions::new(url)).await?;
    let result = async {
        let started = Instant::now();
        let relay = relay::Relay::connect(store.clone(), url, config.clone()).await?;
        let mut status = relay.status();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(relay.run(async {
            let _ = stopped.await;
        }));
        status.wait_for(|s| s.position >= written).await?;
        let elapsed = started.elapsed();
        let load = crate::load::average();
        let _ = stop.send(());
        task.await?;
        let held = super::stream_messages(&config).await?;
        anyhow::ensure!(
            held == written,
            "the stream holds {held} messages, not {written}"
        );
        anyhow::Ok((elapsed, load))
    }
    .await;
    super::delete_stream(&config).await;
    store.close().await;
    result
}
