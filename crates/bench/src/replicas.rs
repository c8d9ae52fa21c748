//! `replicas`: appends from 64 clients through one store versus two stores on one PostgreSQL
//! database, paired A B A B on fresh databases. Each store is what a `medaid serve` replica holds:
//! its own connection pools and its own group-commit writer, so two stores commit in two groups
//! that take turns on the `log_head` row lock. Both stores run in this process, sharing its
//! runtime and the machine's cores, as two replica processes on one host would share the cores.

use clap::Args;
use event_store::{
    AppendMetadata, BusinessTime, EventStore, ExpectedVersion, NewEvent, StoreOptions,
};

use crate::scratch::ScratchDatabase;
use crate::stats::{Report, drive_clients};
use crate::{Workload, store};

/// Options of the `replicas` command.
#[derive(Debug, Args)]
pub(crate) struct ReplicaArgs {
    /// Events written per run.
    #[arg(long, default_value_t = 50_000)]
    events: usize,
    /// Concurrent clients, split evenly over the replicas.
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// Events per stream before a client moves on to a new stream.
    #[arg(long, default_value_t = 100)]
    stream_events: usize,
    /// Pairs of runs (one replica, then two); the median of each is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// The replica counts compared, in the order each pair runs them.
    #[arg(long, value_delimiter = ',', default_values_t = [1usize, 2])]
    replicas: Vec<usize>,
}

pub(crate) async fn run(args: &ReplicaArgs, postgres_url: &str) -> anyhow::Result<String> {
    let workload = Workload {
        clients: args.clients,
        batch: 1,
        events: args.events,
        stream_events: Some(args.stream_events),
    };
    let mut lines = vec![
        "| replicas | run | clients | events | events/s | p50 append | p99 append | load average (1 5 15 min) |\n|---|---|---|---|---|---|---|---|"
            .to_owned(),
    ];
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); args.replicas.len()];
    for run in 0..args.runs.max(1) {
        for (slot, &replicas) in args.replicas.iter().enumerate() {
            let database = ScratchDatabase::create(postgres_url).await?;
            let report = once(&database.url, replicas.max(1), workload).await;
            database.drop_it().await?;
            let report = report?;
            let line = format!(
                "| {replicas} | {} | {} | {} | {:.0} | {:.2} ms | {:.2} ms | {} |",
                run + 1,
                workload.clients,
                workload.events,
                report.events_per_second,
                report.p50.as_secs_f64() * 1e3,
                report.p99.as_secs_f64() * 1e3,
                crate::load::average(),
            );
            eprintln!("{line}");
            lines.push(line);
            rates[slot].push(report.events_per_second);
        }
    }
    for (slot, &replicas) in args.replicas.iter().enumerate() {
        rates[slot].sort_by(f64::total_cmp);
        let median = rates[slot][rates[slot].len() / 2];
        lines.push(format!(
            "| {replicas} | median | | | **{median:.0}** | | | |"
        ));
    }
    Ok(lines.join("\n"))
}

/// One run: `replicas` stores on `url`, client `c` appending through store `c % replicas`.
async fn once(url: &str, replicas: usize, workload: Workload) -> anyhow::Result<Report> {
    let mut stores = Vec::new();
    for _ in 0..replicas {
        stores.push(EventStore::open(StoreOptions::new(url)).await?);
    }
    let writers = stores.clone();
    let (elapsed, latencies) = drive_clients(workload, move |client, append| {
        let store = writers[client % writers.len()].clone();
        async move {
            let events = vec![NewEvent {
                event_type: "MemberAssigned".into(),
                schema_version: 1,
                payload: store::payload(client, append, 0),
                occurred: BusinessTime::instant(1_721_865_600_000_000),
                tags: Vec::new(),
            }];
            let metadata = AppendMetadata {
                actor: "bench".into(),
                ..AppendMetadata::default()
            };
            store
                .append(
                    &workload.stream(client, append),
                    ExpectedVersion::Any,
                    events,
                    &format!("bench-{client}-{append}"),
                    metadata,
                )
                .await?;
            Ok(())
        }
    })
    .await?;
    let written = stores[0].head().await?.size;
    for store in stores {
        store.close().await;
    }
    Ok(Report::new(usize::try_from(written)?, elapsed, latencies))
}
