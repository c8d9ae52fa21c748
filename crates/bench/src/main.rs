//! `medaid-bench`: measures appends to the log on SQLite and PostgreSQL, and plain PostgreSQL inserts
//! of the same row shape as the physical limit to compare against.
//!
//! Each workload appends `--events` events from `clients` concurrent writers, `batch` events per
//! append, into a fresh database, and reports events per second and the p50/p99 latency of one
//! append. It is a measuring tool, not a test: it asserts nothing about speed.

mod plain;
mod stats;
mod store;

use clap::Parser;

use crate::stats::Report;

#[derive(Debug, Parser)]
#[command(
    name = "medaid-bench",
    about = "Throughput and latency of the medaid log"
)]
struct Args {
    /// Events written per workload.
    #[arg(long, default_value_t = 20_000)]
    events: usize,
    /// Workloads as CLIENTSxBATCH, e.g. 1x1 (one client, one event per append).
    #[arg(long, value_delimiter = ',', default_values_t = ["1x1".to_string(), "64x1".to_string(), "4x100".to_string()])]
    workloads: Vec<String>,
    /// Backends to measure: sqlite, postgres, plain (plain PostgreSQL inserts).
    #[arg(long, value_delimiter = ',', default_values_t = ["sqlite".to_string(), "postgres".to_string(), "plain".to_string()])]
    targets: Vec<String>,
    /// A PostgreSQL server; each run creates and drops a database of its own on it.
    #[arg(
        long,
        env = "MEDAID_BENCH_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/test"
    )]
    postgres_url: String,
    /// Runs per workload; the median run is reported.
    #[arg(long, default_value_t = 1)]
    runs: usize,
}

/// One workload: how many concurrent clients, how many events per append.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Workload {
    pub(crate) clients: usize,
    pub(crate) batch: usize,
    pub(crate) events: usize,
}

fn parse_workload(text: &str, events: usize) -> anyhow::Result<Workload> {
    let (clients, batch) = text
        .split_once('x')
        .ok_or_else(|| anyhow::anyhow!("workload {text:?} is not CLIENTSxBATCH"))?;
    Ok(Workload {
        clients: clients.parse()?,
        batch: batch.parse()?,
        events,
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut lines = vec![Report::header()];
    for text in &args.workloads {
        let workload = parse_workload(text, args.events)?;
        for target in &args.targets {
            let mut reports = Vec::new();
            for _ in 0..args.runs.max(1) {
                let report = match target.as_str() {
                    "sqlite" => store::run_sqlite(workload).await?,
                    "postgres" => store::run_postgres(&args.postgres_url, workload).await?,
                    "plain" => plain::run(&args.postgres_url, workload).await?,
                    other => anyhow::bail!("unknown target {other:?}"),
                };
                eprintln!("{}", report.line(target, workload));
                reports.push(report);
            }
            reports.sort_by(|a, b| a.events_per_second.total_cmp(&b.events_per_second));
            lines.push(reports[reports.len() / 2].line(target, workload));
        }
    }
    let table = lines.join("\n");
    std::io::Write::write_all(&mut std::io::stdout(), format!("{table}\n").as_bytes())?;
    Ok(())
}
