//! The `append` command: appends to the log on SQLite and PostgreSQL, and plain PostgreSQL inserts
//! of the same row shape as the physical limit, workload by workload.

use clap::Args;

use crate::stats::Report;
use crate::store::Conditions;
use crate::{Workload, plain, store};

/// Options of the `append` command.
#[derive(Debug, Args)]
pub(crate) struct AppendArgs {
    /// Events written per workload.
    #[arg(long, default_value_t = 20_000)]
    events: usize,
    /// Workloads as CLIENTSxBATCH, e.g. 1x1 (one client, one event per append).
    #[arg(long, value_delimiter = ',', default_values_t = ["1x1".to_string(), "64x1".to_string(), "4x100".to_string()])]
    workloads: Vec<String>,
    /// Targets to measure: sqlite, postgres, plain (plain PostgreSQL inserts), and
    /// sqlite-conditioned, postgres-conditioned (a tag condition on every append).
    #[arg(long, value_delimiter = ',', default_values_t = ["sqlite".to_string(), "postgres".to_string(), "plain".to_string()])]
    targets: Vec<String>,
    /// Runs per workload and target; the median run is reported.
    #[arg(long, default_value_t = 1)]
    runs: usize,
    /// Events per stream before a client moves on to a new stream (default: one stream per client
    /// for the whole run, so streams grow to events/clients events).
    #[arg(long)]
    stream_events: Option<usize>,
}

pub(crate) fn parse_workload(
    text: &str,
    events: usize,
    stream_events: Option<usize>,
) -> anyhow::Result<Workload> {
    let (clients, batch) = text
        .split_once('x')
        .ok_or_else(|| anyhow::anyhow!("workload {text:?} is not CLIENTSxBATCH"))?;
    Ok(Workload {
        clients: clients.parse()?,
        batch: batch.parse()?,
        events,
        stream_events,
    })
}

/// Runs every workload on every target and returns the table of median runs. Each run's line is
/// also written to stderr as it finishes, so a long run shows progress.
pub(crate) async fn run(args: &AppendArgs, postgres_url: &str) -> anyhow::Result<String> {
    let mut lines = vec![Report::header()];
    for text in &args.workloads {
        let workload = parse_workload(text, args.events, args.stream_events)?;
        for target in &args.targets {
            let mut reports = Vec::new();
            for _ in 0..args.runs.max(1) {
                let report = match target.as_str() {
                    "sqlite" => store::run_sqlite(workload, Conditions::None).await?,
                    "postgres" => {
                        store::run_postgres(postgres_url, workload, Conditions::None).await?
                    }
                    "sqlite-conditioned" => {
                        store::run_sqlite(workload, Conditions::EveryAppend).await?
                    }
                    "postgres-conditioned" => {
                        store::run_postgres(postgres_url, workload, Conditions::EveryAppend).await?
                    }
                    "plain" => plain::run(postgres_url, workload).await?,
                    other => anyhow::bail!("unknown target {other:?}"),
                };
                eprintln!("{}", report.line(target, workload));
                reports.push(report);
            }
            reports.sort_by(|a, b| a.events_per_second.total_cmp(&b.events_per_second));
            lines.push(reports[reports.len() / 2].line(target, workload));
        }
    }
    Ok(lines.join("\n"))
}
