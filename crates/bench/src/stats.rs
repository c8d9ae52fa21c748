//! Latency samples and the report line.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::Workload;

/// The result of one workload run.
#[derive(Debug, Clone)]
pub(crate) struct Report {
    pub(crate) events_per_second: f64,
    pub(crate) p50: Duration,
    pub(crate) p99: Duration,
}

impl Report {
    /// Builds a report from every append's latency and the wall time of the whole run.
    pub(crate) fn new(events: usize, elapsed: Duration, mut latencies: Vec<Duration>) -> Report {
        latencies.sort_unstable();
        Report {
            events_per_second: events as f64 / elapsed.as_secs_f64(),
            p50: percentile(&latencies, 500),
            p99: percentile(&latencies, 990),
        }
    }

    pub(crate) fn header() -> String {
        "| target | clients | events/append | events/stream | events | events/s | p50 append | p99 append |\n|---|---|---|---|---|---|---|---|"
            .to_string()
    }

    pub(crate) fn line(&self, target: &str, workload: Workload) -> String {
        format!(
            "| {target} | {} | {} | {} | {} | {:.0} | {:.2} ms | {:.2} ms |",
            workload.clients,
            workload.batch,
            workload
                .stream_events
                .unwrap_or(workload.events / workload.clients.max(1)),
            workload.events,
            self.events_per_second,
            self.p50.as_secs_f64() * 1e3,
            self.p99.as_secs_f64() * 1e3,
        )
    }
}

/// The nearest-rank percentile of sorted samples, in integer per-mille (which avoids float-to-index
/// casts); zero for no samples.
pub(crate) fn percentile(sorted: &[Duration], per_mille: usize) -> Duration {
    let index = (sorted.len().saturating_sub(1) * per_mille).div_ceil(1000);
    sorted.get(index).copied().unwrap_or_default()
}

/// How many appends each client makes so that all clients together write `events` events.
pub(crate) fn appends_per_client(workload: Workload) -> usize {
    workload
        .events
        .div_ceil(workload.clients * workload.batch)
        .max(1)
}

/// Runs `append(client, n)` from every client concurrently, each client waiting for one append before
/// the next, and returns the wall time and the latency of every append.
pub(crate) async fn drive_clients<F, Fut>(
    workload: Workload,
    append: F,
) -> anyhow::Result<(Duration, Vec<Duration>)>
where
    F: Fn(usize, usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let appends = appends_per_client(workload);
    let started = Instant::now();
    let mut clients = Vec::new();
    for client in 0..workload.clients {
        let append = append.clone();
        clients.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(appends);
            for n in 0..appends {
                let one = Instant::now();
                append(client, n).await?;
                latencies.push(one.elapsed());
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for client in clients {
        latencies.extend(client.await??);
    }
    Ok((started.elapsed(), latencies))
}
