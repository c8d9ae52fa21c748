//! `medaid-bench`: measures medaid's speed. It is a measuring tool, not a test: it asserts nothing
//! about speed, and every database it creates is dropped again.
//!
//! - `append`: appends `--events` events to the log on SQLite and PostgreSQL from `clients`
//!   concurrent writers, `batch` events per append, into a fresh database, and also inserts the same
//!   rows with plain PostgreSQL inserts as the physical limit; reports events per second and the
//!   p50/p99 latency of one append.
//! - `read-models`: writes a log of realistic domain events once, then projects it from position 0
//!   with each read model alone and with all eight together (events per second), and measures the
//!   latency and throughput of representative read-model queries against the built models.
//! - `audit`: inclusion proofs through a real server over a 1,000,000-event log, and appends with
//!   the checkpoint signer off and on (`audit` module).
//! - `relay-throughput`: writes a log of realistic events once, then measures how fast the NATS
//!   JetStream relay publishes all of it to a fresh stream from position 0; it also reports what
//!   the log costs on disk (bytes per event, indexes included).
//! - `relay-delay`: writes realistic events at a steady rate while the relay runs and measures the
//!   delay from each event's commit to a JetStream consumer (p50, p99, max).
//! - `replicas`: appends from 64 clients through one store and through two stores (two replicas)
//!   on one PostgreSQL database, paired runs.
//!
//! Figures and the commands that produced them are in `docs/benchmarks.md`.

mod append;
mod audit;
mod load;
mod plain;
mod readside;
mod relaying;
mod replicas;
mod scratch;
mod stats;
mod storage;
mod store;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "medaid-bench",
    about = "Throughput and latency of the medaid log and read models"
)]
struct Cli {
    /// A PostgreSQL server; each run creates and drops a database of its own on it.
    #[arg(
        long,
        global = true,
        env = "MEDAID_BENCH_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/test"
    )]
    postgres_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Append throughput and latency of the log against plain PostgreSQL inserts.
    Append(append::AppendArgs),
    /// Projection rebuild speed and read-model query latency.
    ReadModels(readside::ReadModelArgs),
    /// Inclusion-proof RPC rate and latency; appends with the checkpoint signer off and on.
    Audit(audit::AuditArgs),
    /// NATS JetStream relay throughput over a log already in the store.
    RelayThroughput(relaying::throughput::ThroughputArgs),
    /// Commit-to-JetStream-consumer delay under a paced write load.
    RelayDelay(relaying::delay::DelayArgs),
    /// Appends through one replica against two replicas on one PostgreSQL database.
    Replicas(replicas::ReplicaArgs),
}

/// One append workload: how many concurrent clients, how many events per append, and how long the
/// streams they append to grow.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Workload {
    pub(crate) clients: usize,
    pub(crate) batch: usize,
    pub(crate) events: usize,
    /// Events per stream before a client moves on to a new stream; `None` keeps one stream per
    /// client for the whole run.
    pub(crate) stream_events: Option<usize>,
}

impl Workload {
    /// The stream a client's `append`-th append goes to: `batch-{client}`, or with
    /// `stream_events`, `batch-{client}-{n}` for the `n`-th stream of that length.
    pub(crate) fn stream(&self, client: usize, append: usize) -> String {
        match self.stream_events {
            None => format!("batch-{client}"),
            Some(length) => {
                let appends_per_stream = (length / self.batch.max(1)).max(1);
                format!("batch-{client}-{}", append / appends_per_stream)
            }
        }
    }

    /// The version in its stream of the `i`-th event of a client's `append`-th append.
    pub(crate) fn stream_version(&self, append: usize, i: usize) -> usize {
        let appends_per_stream = match self.stream_events {
            None => usize::MAX,
            Some(length) => (length / self.batch.max(1)).max(1),
        };
        (append % appends_per_stream) * self.batch + i + 1
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let output = match &cli.command {
        Command::Append(args) => append::run(args, &cli.postgres_url).await?,
        Command::ReadModels(args) => readside::run(args, &cli.postgres_url).await?,
        Command::Audit(args) => audit::run(args, &cli.postgres_url).await?,
        Command::RelayThroughput(args) => {
            relaying::throughput::run(args, &cli.postgres_url).await?
        }
        Command::RelayDelay(args) => relaying::delay::run(args, &cli.postgres_url).await?,
        Command::Replicas(args) => replicas::run(args, &cli.postgres_url).await?,
    };
    std::io::Write::write_all(&mut std::io::stdout(), format!("{output}\n").as_bytes())?;
    Ok(())
}
