//! The relay task: resume from what the stream and the checkpoint say, then publish batch after
//! batch, each pipelined and each acknowledged in full before the checkpoint moves (the checkpoint
//! is written beside the publishing, never ahead of what JetStream acknowledged).

use std::pin::pin;
use std::time::Duration;

use async_nats::jetstream::{self, message::PublishMessage, stream};
use event_store::{EventFilter, EventStore, StoredEvent};
use futures_util::FutureExt;
use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use tokio::sync::watch;

use crate::checkpoint;
use crate::subject::{message, provinces_of, subject_for};

/// The header carrying an event's log position on its message.
pub const POSITION_HEADER: &str = "Medaid-Position";
/// The header listing an event's provinces, comma-separated (empty for a national event).
pub const PROVINCES_HEADER: &str = "Medaid-Provinces";

/// Where and how to publish.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// A NATS server URL, such as `nats://127.0.0.1:4222`.
    pub nats_url: String,
    /// The JetStream stream; created with subjects `<subject_prefix>.>` if missing.
    pub stream: String,
    /// The first subject tokens, such as `medaid.events`.
    pub subject_prefix: String,
    /// Most events published before their acknowledgements are awaited.
    pub batch_size: usize,
    /// The stream's duplicate window, when the relay creates it.
    pub duplicate_window: Duration,
    /// Longest pause between attempts after NATS or the database failed.
    pub max_retry_backoff: Duration,
}

/// What the relay has done, for metrics and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RelayStatus {
    /// The next log position to publish: every event before it is in the stream.
    pub position: u64,
    /// Events acknowledged by JetStream since the relay started.
    pub published: u64,
    /// Whether the last attempt is running (false while it waits to retry after an error).
    pub connected: bool,
}

/// Why the relay could not start, or why an attempt ended (it then retries).
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("checkpoint database error")]
    Database(#[from] sqlx::Error),
    #[error("event store error")]
    Store(#[from] event_store::StoreError),
    #[error("cannot connect to NATS")]
    Connect(#[from] async_nats::ConnectError),
    #[error("JetStream refused to {what}")]
    JetStream {
        what: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("message {sequence} of stream {stream} has no readable {POSITION_HEADER} header")]
    Foreign { stream: String, sequence: u64 },
    #[error("JetStream stored position {position} at sequence {got}, expected {expected}")]
    OutOfOrder {
        position: u64,
        expected: u64,
        got: u64,
    },
}

fn jetstream_error(
    what: &'static str,
) -> impl FnOnce(Box<dyn std::error::Error + Send + Sync>) -> RelayError {
    move |source| RelayError::JetStream { what, source }
}

/// A connected relay, ready to [`Relay::run`].
pub struct Relay {
    store: EventStore,
    pool: AnyPool,
    jetstream: jetstream::Context,
    config: RelayConfig,
    status: watch::Sender<RelayStatus>,
}

impl Relay {
    /// Connects to the checkpoint database (`database_url`, the store's own, migrated by the store)
    /// and to NATS, and makes sure the stream exists, so that a wrong address fails here, at start.
    pub async fn connect(
        store: EventStore,
        database_url: &str,
        config: RelayConfig,
    ) -> Result<Relay, RelayError> {
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(2)
            .connect(database_url)
            .await?;
        let client = async_nats::connect(&config.nats_url).await?;
        let jetstream = jetstream::new(client);
        jetstream
            .get_or_create_stream(stream::Config {
                name: config.stream.clone(),
                subjects: vec![format!("{}.>", config.subject_prefix)],
                storage: stream::StorageType::File,
                duplicate_window: config.duplicate_window,
                ..stream::Config::default()
            })
            .await
            .map_err(|e| jetstream_error("create the stream")(Box::new(e)))?;
        Ok(Relay {
            store,
            pool,
            jetstream,
            config,
            status: watch::channel(RelayStatus::default()).0,
        })
    }

    /// Follows what the relay does.
    pub fn status(&self) -> watch::Receiver<RelayStatus> {
        self.status.subscribe()
    }

    /// Publishes until `shutdown` resolves, retrying with a growing pause after every error.
    /// Stopping (or being killed) in the middle of a batch loses nothing: the next run starts from
    /// what the stream holds.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let mut shutdown = pin!(shutdown);
        let mut backoff = Duration::from_millis(100);
        loop {
            let published = self.status.borrow().published;
            tokio::select! {
                () = &mut shutdown => return,
                Err(error) = self.attempt() => {
                    self.status.send_modify(|s| s.connected = false);
                    tracing::warn!(error = %chain(&error), stream = %self.config.stream, "relay attempt failed; retrying");
                }
            }
            if self.status.borrow().published > published {
                backoff = Duration::from_millis(100);
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(self.config.max_retry_backoff);
        }
    }

    /// Where to resume: after the later of the stream's last message and the checkpoint. Also
    /// returns the stream's last sequence, which the next publish must expect.
    async fn resume_point(&self) -> Result<(u64, u64), RelayError> {
        let name = &self.config.stream;
        let mut stream = self
            .jetstream
            .get_stream(name)
            .await
            .map_err(|e| jetstream_error("find the stream")(Box::new(e)))?;
        let last_sequence = stream
            .info()
            .await
            .map_err(|e| jetstream_error("describe the stream")(Box::new(e)))?
            .state
            .last_sequence;
        let after_stream = if last_sequence == 0 {
            0
        } else {
            match stream.get_raw_message(last_sequence).await {
                Ok(last) => {
                    let position = last
                        .headers
                        .get(POSITION_HEADER)
                        .and_then(|v| v.as_str().parse::<u64>().ok())
                        .ok_or_else(|| RelayError::Foreign {
                            stream: name.clone(),
                            sequence: last_sequence,
                        })?;
                    position + 1
                }
                // Removed (by age or a purge): the checkpoint alone says where the relay stood.
                Err(e) if e.kind() == stream::LastRawMessageErrorKind::NoMessageFound => 0,
                Err(e) => return Err(jetstream_error("read the last message")(Box::new(e))),
            }
        };
        let checkpoint = checkpoint::load(&self.pool, name).await?;
        let position = checkpoint.max(after_stream);
        if position > checkpoint {
            checkpoint::save(&self.pool, name, position).await?;
        }
        Ok((position, last_sequence))
    }

    /// One run: resume, then publish until something fails.
    ///
    /// The checkpoint is written beside the publishing, not in its path: it is only the fallback
    /// for a stream whose messages were removed (the resume point is the later of it and the
    /// stream's last message), so a checkpoint a few batches behind after a crash republishes
    /// nothing, while waiting for its commit (one fsync) after every batch would halve the rate.
    async fn attempt(&self) -> Result<std::convert::Infallible, RelayError> {
        let (position, last_sequence) = self.resume_point().await?;
        self.status.send_modify(|s| {
            s.position = position;
            s.connected = true;
        });
        tracing::info!(stream = %self.config.stream, position, "relaying the log");
        let (acknowledged, mut to_save) = watch::channel(position);
        let saving = async {
            while to_save.changed().await.is_ok() {
                let position = *to_save.borrow_and_update();
                checkpoint::save(&self.pool, &self.config.stream, position).await?;
            }
            // The sender lives as long as the publishing, which ends the attempt first.
            std::future::pending::<Result<std::convert::Infallible, RelayError>>().await
        };
        let publishing = self.publish_from(position, last_sequence, &acknowledged);
        tokio::select! {
            result = publishing => result,
            result = saving => result,
        }
    }

    /// Publishes from `position` on, batch after batch, telling `acknowledged` where the stream
    /// stands after each one.
    async fn publish_from(
        &self,
        mut position: u64,
        mut last_sequence: u64,
        acknowledged: &watch::Sender<u64>,
    ) -> Result<std::convert::Infallible, RelayError> {
        let batch_size = self.config.batch_size.clamp(1, event_store::MAX_READ_LIMIT);
        let mut subscription = self.store.subscribe(position, EventFilter::default());
        loop {
            let mut batch = vec![subscription.next().await?];
            while batch.len() < batch_size {
                match subscription.next().now_or_never() {
                    Some(event) => batch.push(event?),
                    None => break,
                }
            }
            last_sequence = self.publish(&batch, last_sequence).await?;
            position = batch.last().map_or(position, |e| e.position + 1);
            acknowledged.send_replace(position);
            let count = batch.len() as u64;
            self.status.send_modify(|s| {
                s.position = position;
                s.published += count;
            });
        }
    }

    /// Publishes a batch pipelined, then awaits every acknowledgement in order; returns the stream's
    /// new last sequence.
    async fn publish(&self, batch: &[StoredEvent], last_sequence: u64) -> Result<u64, RelayError> {
        let mut acks = Vec::with_capacity(batch.len());
        for (expected, event) in (last_sequence..).zip(batch) {
            let provinces = provinces_of(event);
            let subject = subject_for(&self.config.subject_prefix, event, provinces.as_deref());
            let listed = provinces.as_deref().unwrap_or_default();
            let publish = PublishMessage::build()
                .payload(message(event, listed).into())
                .message_id(event.event_id.to_string())
                .expected_last_sequence(expected)
                .header(POSITION_HEADER, event.position.to_string())
                .header(PROVINCES_HEADER, listed.join(","))
                .header("Content-Type", "application/json");
            let ack = self
                .jetstream
                .send_publish(subject, publish)
                .await
                .map_err(|e| jetstream_error("take a message")(Box::new(e)))?;
            acks.push((event.position, ack));
        }
        let mut sequence = last_sequence;
        for (position, ack) in acks {
            let ack = ack
                .await
                .map_err(|e| jetstream_error("store a message")(Box::new(e)))?;
            // A duplicate is already in the stream (another relay published it): start over from
            // what the stream holds rather than guess the sequence.
            if ack.duplicate || ack.sequence != sequence + 1 {
                return Err(RelayError::OutOfOrder {
                    position,
                    expected: sequence + 1,
                    got: ack.sequence,
                });
            }
            sequence = ack.sequence;
        }
        Ok(sequence)
    }
}

fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
