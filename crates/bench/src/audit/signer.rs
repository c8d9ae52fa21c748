//! `audit signer`: does checkpoint signing stall appends? The `append` command's workloads through
//! the store, once with nothing beside the writer and once with the server's background signer
//! (`Checkpointer::run` with the server's default policy: every second or 1,000 events) signing
//! while the log grows, in pairs (off, on, off, on, …) on fresh databases.

use std::sync::Arc;

use clap::Args;
use ed25519_dalek::SigningKey;
use event_store::{CheckpointPolicy, Checkpointer, EventStore, StoreOptions};
use ledger::note::NoteSigner;

use crate::Workload;
use crate::scratch::ScratchDatabase;
use crate::stats::Report;

/// Options of `audit signer`.
#[derive(Debug, Args)]
pub(crate) struct SignerArgs {
    /// Events written per run.
    #[arg(long, default_value_t = 20_000)]
    events: usize,
    /// Workloads as CLIENTSxBATCH, as for `append`.
    #[arg(long, value_delimiter = ',', default_values_t = ["1x1".to_string(), "64x1".to_string(), "4x100".to_string()])]
    workloads: Vec<String>,
    /// Targets: sqlite, postgres.
    #[arg(long, value_delimiter = ',', default_values_t = ["sqlite".to_string(), "postgres".to_string()])]
    targets: Vec<String>,
    /// Pairs of runs (one off, one on) per workload and target; the medians are reported.
    #[arg(long, default_value_t = 3)]
    pairs: usize,
    /// Events per stream before a client moves on, as for `append`.
    #[arg(long)]
    stream_events: Option<usize>,
}

pub(super) async fn run(args: &SignerArgs, postgres_url: &str) -> anyhow::Result<String> {
    let mut lines = vec![
        "| target | clients | events/append | events | signer | events/s (median) | p50 append | p99 append | checkpoints signed | on/off |".to_owned(),
        "|---|---|---|---|---|---|---|---|---|---|".to_owned(),
    ];
    for text in &args.workloads {
        let workload = crate::append::parse_workload(text, args.events, args.stream_events)?;
        for target in &args.targets {
            let (mut off, mut on) = (Vec::new(), Vec::new());
            for _ in 0..args.pairs.max(1) {
                for signing in [false, true] {
                    let (report, signed) = one_run(target, postgres_url, workload, signing).await?;
                    eprintln!(
                        "signer {}: {} ({signed} checkpoints)",
                        if signing { "on " } else { "off" },
                        report.line(target, workload)
                    );
                    if signing {
                        on.push((report, signed))
                    } else {
                        off.push((report, signed))
                    }
                }
            }
            let off = median(off);
            let on = median(on);
            let ratio = on.0.events_per_second / off.0.events_per_second;
            for (label, (report, signed)) in [("off", &off), ("on", &on)] {
                lines.push(format!(
                    "| {target} | {} | {} | {} | {label} | {:.0} | {:.2} ms | {:.2} ms | {signed} | {} |",
                    workload.clients,
                    workload.batch,
                    workload.events,
                    report.events_per_second,
                    report.p50.as_secs_f64() * 1e3,
                    report.p99.as_secs_f64() * 1e3,
                    if label == "on" { format!("{ratio:.3}") } else { String::new() },
                ));
            }
        }
    }
    Ok(lines.join("\n"))
}

fn median(mut runs: Vec<(Report, usize)>) -> (Report, usize) {
    runs.sort_by(|a, b| a.0.events_per_second.total_cmp(&b.0.events_per_second));
    runs.swap_remove(runs.len() / 2)
}

/// One run on a fresh database; returns the report and how many checkpoints were signed.
async fn one_run(
    target: &str,
    postgres_url: &str,
    workload: Workload,
    signing: bool,
) -> anyhow::Result<(Report, usize)> {
    match target {
        "sqlite" => {
            let dir = tempfile::tempdir()?;
            let url = format!("sqlite:{}", dir.path().join("bench.db").display());
            measured(&url, workload, signing).await
        }
        "postgres" => {
            let database = ScratchDatabase::create(postgres_url).await?;
            let outcome = measured(&database.url, workload, signing).await;
            database.drop_it().await?;
            outcome
        }
        other => anyhow::bail!("unknown target {other:?}"),
    }
}

async fn measured(url: &str, workload: Workload, signing: bool) -> anyhow::Result<(Report, usize)> {
    let store = EventStore::open(StoreOptions::new(url)).await?;
    let signer_task = signing.then(|| {
        // A throw-away key: signing costs the same whatever the key.
        let signer = NoteSigner::new("bench.invalid/log", SigningKey::from_bytes(&[9; 32]));
        signer.map(|signer| {
            let checkpointer = Arc::new(Checkpointer::new(
                store.clone(),
                "bench.invalid/log",
                signer,
            ));
            tokio::spawn(checkpointer.run(CheckpointPolicy::default()))
        })
    });
    let signer_task = signer_task.transpose()?;
    let report = crate::store::run(store, workload, crate::store::Conditions::None).await;
    if let Some(task) = signer_task {
        task.abort();
    }
    let report = report?;
    // Count what was signed, from a fresh handle (the run closed its store).
    let store = EventStore::open(StoreOptions::new(url)).await?;
    let signed = store
        .checkpoints_between(0, u64::MAX >> 1, event_store::MAX_READ_LIMIT)
        .await?
        .len();
    store.close().await;
    Ok((report, signed))
}
