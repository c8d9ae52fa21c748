//! The relay commands: `relay-throughput` (how fast the relay publishes a log that is already in
//! the store to the local JetStream) and `relay-delay` (how long an event takes from its commit to
//! a JetStream consumer while the log is written at a steady rate).
//!
//! Both run the relay crate in this process against a scratch PostgreSQL database and a JetStream
//! stream of their own (named `MEDAID_BENCH_…`, deleted after the run), with the relay's own store
//! handle, as `medaid relay` has in a process of its own: it learns of new commits through
//! PostgreSQL's `NOTIFY`, not from the writer's memory.

pub(crate) mod delay;
pub(crate) mod throughput;

use std::time::Duration;

use async_nats::jetstream;
use relay::RelayConfig;

/// A relay configuration with a stream and subject prefix of its own.
pub(crate) fn config(nats_url: &str, batch_size: usize, max_pending_acks: usize) -> RelayConfig {
    let unique = uuid::Uuid::new_v4().simple().to_string();
    RelayConfig {
        nats_url: nats_url.to_owned(),
        stream: format!("MEDAID_BENCH_{unique}"),
        subject_prefix: format!("medaid_bench_{unique}.events"),
        batch_size,
        max_pending_acks,
        duplicate_window: Duration::from_secs(120),
        max_retry_backoff: Duration::from_secs(1),
    }
}

/// Removes the run's stream; a failure is reported, not fatal (the figure is already measured).
pub(crate) async fn delete_stream(config: &RelayConfig) {
    match async_nats::connect(&config.nats_url).await {
        Ok(client) => {
            if let Err(error) = jetstream::new(client).delete_stream(&config.stream).await {
                eprintln!("could not delete stream {}: {error}", config.stream);
            }
        }
        Err(error) => eprintln!("could not delete stream {}: {error}", config.stream),
    }
}

/// How many messages the stream holds.
pub(crate) async fn stream_messages(config: &RelayConfig) -> anyhow::Result<u64> {
    let client = async_nats::connect(&config.nats_url).await?;
    let mut stream = jetstream::new(client).get_stream(&config.stream).await?;
    Ok(stream.info().await?.state.messages)
}
