//! The `read-models` command: projection rebuild speed and read-model query latency.
//!
//! For each backend it generates a log of realistic domain events (`scenario`), writes it once into
//! a scratch database, and then, for each read model alone and for all eight together, copies that
//! database and runs the projector on the copy from position 0 until every projection has applied
//! the whole log (`rebuild`). Against the eight models of the last build it then measures
//! representative queries from several concurrent clients (`queries`). Every database is dropped.

mod facts;
mod people;
mod queries;
mod rebuild;
pub(crate) mod scenario;
mod work;
pub(crate) mod world;

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use projector::{Projection, ProjectorOptions};

use crate::scratch::Scratch;
use scenario::World;

/// Options of the `read-models` command.
#[derive(Debug, Args)]
pub(crate) struct ReadModelArgs {
    /// Events in the generated log.
    #[arg(long, default_value_t = 20_000)]
    events: usize,
    /// Backends to measure: sqlite, postgres.
    #[arg(long, value_delimiter = ',', default_values_t = ["sqlite".to_string(), "postgres".to_string()])]
    backends: Vec<String>,
    /// Rebuild runs per projection (and for all eight together); the median run is reported.
    #[arg(long, default_value_t = 1)]
    runs: usize,
    /// Skip the rebuilds of each read model alone; only all eight together are built.
    #[arg(long)]
    together_only: bool,
    /// Concurrent query clients.
    #[arg(long, default_value_t = 4)]
    clients: usize,
    /// Queries asked per query kind, split over the clients.
    #[arg(long, default_value_t = 1_000)]
    queries: usize,
    /// Most events the projector applies in one transaction (default: the projector's own).
    #[arg(long)]
    batch_size: Option<usize>,
}

/// Writers used to fill the log; the log's write speed is not what is measured here.
const LOG_WRITERS: usize = 8;

pub(crate) async fn run(args: &ReadModelArgs, postgres_url: &str) -> anyhow::Result<String> {
    let world = Arc::new(scenario::generate(args.events)?);
    let payload_bytes: usize = world
        .log
        .events
        .iter()
        .map(|e| e.to_stored().data.to_string().len())
        .sum();
    eprintln!(
        "generated {} events ({} payload bytes on average): {} hospitals, {} city-level pairings",
        world.log.len(),
        payload_bytes / world.log.len().max(1),
        world.hospitals.len(),
        world.city_pairings.len()
    );
    let mut rebuilds = vec![
        "| backend | read model | events in log | events applied | seconds | log events/s | applied events/s |\n|---|---|---|---|---|---|---|".to_string(),
    ];
    let mut answers = vec![
        "| backend | query | clients | queries | queries/s | p50 | p99 | items per answer |\n|---|---|---|---|---|---|---|---|".to_string(),
    ];
    for backend in &args.backends {
        let log = Scratch::create(backend, postgres_url).await?;
        // The log database is dropped whether or not the measurements succeeded.
        let measured = measure(backend, &log, &world, args, &mut rebuilds, &mut answers).await;
        log.drop_it().await?;
        measured?;
    }
    Ok(format!("{}\n\n{}", rebuilds.join("\n"), answers.join("\n")))
}

async fn measure(
    backend: &str,
    log: &Scratch,
    world: &Arc<World>,
    args: &ReadModelArgs,
    rebuilds: &mut Vec<String>,
    answers: &mut Vec<String>,
) -> anyhow::Result<()> {
    let store = event_store::EventStore::open(event_store::StoreOptions::new(log.url())).await?;
    let started = Instant::now();
    world::write(&store, &world.log.events, LOG_WRITERS).await?;
    let written = store.head().await?.size;
    eprintln!(
        "{backend}: wrote the log ({written} events) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    store.close().await;
    drop(store);

    let mut options = ProjectorOptions::default();
    if let Some(batch_size) = args.batch_size {
        options.batch_size = batch_size;
    }
    let mut sets: Vec<(String, Vec<Arc<dyn Projection>>)> = Vec::new();
    if !args.together_only {
        for projection in read_models::all() {
            sets.push((projection.name().to_owned(), vec![projection]));
        }
    }
    sets.push(("all eight together".to_owned(), read_models::all()));
    let last = sets.len() - 1;
    for (index, (label, projections)) in sets.into_iter().enumerate() {
        let applied: usize = projections.iter().map(|p| applied_events(world, p)).sum();
        let mut times = Vec::new();
        for run in 0..args.runs.max(1) {
            let built = rebuild::build(log, projections.clone(), options.clone()).await?;
            let seconds = built.elapsed.as_secs_f64();
            eprintln!("{backend}: {label} run {}: {seconds:.2} s", run + 1);
            times.push(built.elapsed);
            // The last build of all eight is kept for the queries.
            if index == last && run + 1 == args.runs.max(1) {
                let asked = ask_all(backend, &built, world, args, answers).await;
                built.teardown().await?;
                asked?;
            } else {
                built.teardown().await?;
            }
        }
        times.sort();
        let median: Duration = times[times.len() / 2];
        let seconds = median.as_secs_f64();
        rebuilds.push(format!(
            "| {backend} | {label} | {written} | {applied} | {seconds:.2} | {:.0} | {:.0} |",
            written as f64 / seconds,
            applied as f64 / seconds,
        ));
    }
    Ok(())
}

/// Measures every query kind against the built read models.
async fn ask_all(
    backend: &str,
    built: &rebuild::Built,
    world: &Arc<World>,
    args: &ReadModelArgs,
    answers: &mut Vec<String>,
) -> anyhow::Result<()> {
    for query in queries::ALL {
        let result =
            queries::measure(&built.projector, world, query, args.clients, args.queries).await?;
        let line = format!(
            "| {backend} | {} | {} | {} | {:.0} | {:.2} ms | {:.2} ms | {:.1} |",
            query.name(),
            args.clients,
            args.queries,
            result.report.events_per_second,
            result.report.p50.as_secs_f64() * 1e3,
            result.report.p99.as_secs_f64() * 1e3,
            result.mean_items,
        );
        eprintln!("{line}");
        answers.push(line);
    }
    Ok(())
}

/// How many events of the log `projection` reads (its filter's event types).
fn applied_events(world: &World, projection: &Arc<dyn Projection>) -> usize {
    let wanted = projection.filter().event_types;
    world
        .log
        .events
        .iter()
        .filter(|e| wanted.iter().any(|t| t == e.event_type()))
        .count()
}
