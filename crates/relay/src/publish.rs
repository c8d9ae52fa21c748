//! The relay task: resume from what the stream and the checkpoint say, then publish continuously.
//!
//! Three parts run side by side in one attempt, so that no part waits for another's round trip:
//! - a **reader** (a task of its own, so it has a core of its own) reads the log in pages of
//!   `batch_size` events bounded by the committed head, decodes each event's scope and builds its
//!   message, and queues a few prepared pages ahead of the publisher;
//! - the **publisher** sends every message as soon as it is prepared, each with
//!   `Nats-Expected-Last-Sequence`, keeping at most `max_pending_acks` publishes whose
//!   acknowledgement has not arrived, and checks the acknowledgements in the order sent;
//! - the **checkpoint** is written beside the publishing, never ahead of what JetStream
//!   acknowledged, and never waited for.

use std::collections::VecDeque;
use std::pin::pin;
use std::time::Duration;

use async_nats::jetstream::context::{ContextBuilder, PublishError};
use async_nats::jetstream::publish::PublishAck;
use async_nats::jetstream::{self, message::PublishMessage, stream};
use event_store::{EventFilter, EventStore, StoredEvent};
use futures_util::stream::FuturesOrdered;
use futures_util::{FutureExt, StreamExt};
use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use tokio::sync::{mpsc, watch};

use crate::checkpoint;
use crate::subject::{message, provinces_of, subject_for};

/// The header carrying an event's log position on its message.
pub const POSITION_HEADER: &str = "Medaid-Position";
/// The header listing an event's provinces, comma-separated (empty for a national event).
pub const PROVINCES_HEADER: &str = "Medaid-Provinces";

/// Prepared pages the reader may hold ahead of the publisher.
const PAGES_AHEAD: usize = 4;
/// How long the reader waits for the head to move before it reads again anyway (a missed wake-up
/// costs at most this much delay).
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Where and how to publish.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// A NATS server URL, such as `nats://127.0.0.1:4222`.
    pub nats_url: String,
    /// The JetStream stream; created with subjects `<subject_prefix>.>` if missing.
    pub stream: String,
    /// The first subject tokens, such as `medaid.events`.
    pub subject_prefix: String,
    /// Most events read from the log and prepared at once (one page, at most
    /// [`event_store::MAX_READ_LIMIT`]).
    pub batch_size: usize,
    /// Most publishes whose acknowledgement JetStream has not yet sent; the publisher waits for the
    /// oldest before it sends more.
    pub max_pending_acks: usize,
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
    #[error("the relay's log reader stopped")]
    ReaderGone,
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

/// An event's message, ready to send but for its expected last sequence.
struct Outgoing {
    position: u64,
    subject: String,
    message: PublishMessage,
}

/// An acknowledgement on its way, with the position of the event it acknowledges.
type PendingAck = std::pin::Pin<
    Box<dyn Future<Output = (u64, Result<PublishAck, PublishError>)> + Send + 'static>,
>;

/// Aborts the reader task when the attempt ends, however it ends (an error, shutdown, or the
/// relay's own task aborted).
struct AbortOnDrop(tokio::task::JoinHandle<Result<std::convert::Infallible, RelayError>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
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
        // The client's own bound on unacknowledged publishes is the relay's, so the publisher's
        // window decides and a publish never waits inside the client for an acknowledgement that
        // only the publisher itself would collect.
        let jetstream = ContextBuilder::new()
            .max_ack_inflight(config.max_pending_acks.max(1))
            .build(client);
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

    /// One run: resume, then read, publish and checkpoint until something fails.
    ///
    /// The checkpoint is written beside the publishing, not in its path: it is only the fallback
    /// for a stream whose messages were removed (the resume point is the later of it and the
    /// stream's last message), so a checkpoint a few batches behind after a crash republishes
    /// nothing, while waiting for its commit (one fsync) would stall the publishing.
    async fn attempt(&self) -> Result<std::convert::Infallible, RelayError> {
        let (position, last_sequence) = self.resume_point().await?;
        self.status.send_modify(|s| {
            s.position = position;
            s.connected = true;
        });
        tracing::info!(stream = %self.config.stream, position, "relaying the log");
        let (pages, prepared) = mpsc::channel(PAGES_AHEAD);
        let mut reader = AbortOnDrop(tokio::spawn(read_ahead(
            self.store.clone(),
            self.config.subject_prefix.clone(),
            self.config.batch_size.clamp(1, event_store::MAX_READ_LIMIT),
            position,
            pages,
        )));
        let reading = async {
            match (&mut reader.0).await {
                Ok(result) => result,
                Err(_) => Err(RelayError::ReaderGone),
            }
        };
        let (acknowledged, mut to_save) = watch::channel(position);
        let saving = async {
            while to_save.changed().await.is_ok() {
                let position = *to_save.borrow_and_update();
                checkpoint::save(&self.pool, &self.config.stream, position).await?;
            }
            // The sender lives as long as the publishing, which ends the attempt first.
            std::future::pending::<Result<std::convert::Infallible, RelayError>>().await
        };
        let publishing = self.publish_from(position, last_sequence, prepared, &acknowledged);
        tokio::select! {
            result = publishing => result,
            result = saving => result,
            result = reading => result,
        }
    }

    /// Publishes the reader's messages from `position` on, at most `max_pending_acks`
    /// unacknowledged at once, checking every acknowledgement in order and telling `acknowledged`
    /// how far the stream holds the log.
    async fn publish_from(
        &self,
        mut position: u64,
        last_sequence: u64,
        mut prepared: mpsc::Receiver<Vec<Outgoing>>,
        acknowledged: &watch::Sender<u64>,
    ) -> Result<std::convert::Infallible, RelayError> {
        let window = self.config.max_pending_acks.max(1);
        let mut queue: VecDeque<Outgoing> = VecDeque::new();
        let mut pending: FuturesOrdered<PendingAck> = FuturesOrdered::new();
        // The stream's last sequence once everything sent so far is stored, and once everything
        // acknowledged so far is.
        let mut sent = last_sequence;
        let mut stored = last_sequence;
        loop {
            while pending.len() < window {
                let Some(next) = queue.pop_front() else {
                    match prepared.try_recv() {
                        Ok(page) => {
                            queue.extend(page);
                            continue;
                        }
                        Err(mpsc::error::TryRecvError::Empty) => break,
                        Err(mpsc::error::TryRecvError::Disconnected) => {
                            return Err(RelayError::ReaderGone);
                        }
                    }
                };
                let ack = self
                    .jetstream
                    .send_publish(next.subject, next.message.expected_last_sequence(sent))
                    .await
                    .map_err(|e| jetstream_error("take a message")(Box::new(e)))?;
                sent += 1;
                let at = next.position;
                pending.push_back(Box::pin(ack.into_future().map(move |result| (at, result))));
            }
            if pending.is_empty() {
                // Caught up with the log: wait for the reader.
                queue.extend(prepared.recv().await.ok_or(RelayError::ReaderGone)?);
                continue;
            }
            let can_send = queue.is_empty() && pending.len() < window;
            tokio::select! {
                biased;
                Some(first) = pending.next() => {
                    let mut count = 0;
                    let mut next = Some(first);
                    // Every acknowledgement already here, then one report for all of them.
                    while let Some((at, result)) = next {
                        let ack = result.map_err(|e| jetstream_error("store a message")(Box::new(e)))?;
                        // A duplicate is already in the stream (another relay published it): start
                        // over from what the stream holds rather than guess the sequence.
                        if ack.duplicate || ack.sequence != stored + 1 {
                            return Err(RelayError::OutOfOrder {
                                position: at,
                                expected: stored + 1,
                                got: ack.sequence,
                            });
                        }
                        stored = ack.sequence;
                        position = at + 1;
                        count += 1;
                        next = pending.next().now_or_never().flatten();
                    }
                    acknowledged.send_replace(position);
                    self.status.send_modify(|s| {
                        s.position = position;
                        s.published += count;
                    });
                }
                page = prepared.recv(), if can_send => {
                    queue.extend(page.ok_or(RelayError::ReaderGone)?);
                }
            }
        }
    }
}

/// Reads the log from `position` in pages of `page_size` events (live once caught up), and sends
/// each page's messages, in position order, to the publisher.
async fn read_ahead(
    store: EventStore,
    prefix: String,
    page_size: usize,
    mut position: u64,
    pages: mpsc::Sender<Vec<Outgoing>>,
) -> Result<std::convert::Infallible, RelayError> {
    let mut head = store.watch_head();
    let filter = EventFilter::default();
    loop {
        // Mark the head seen before reading, so a commit during the read still wakes the wait.
        head.borrow_and_update();
        let page = store.read_all(position, page_size, &filter).await?;
        position = page.next_position;
        if page.events.is_empty() {
            match tokio::time::timeout(POLL_INTERVAL, head.changed()).await {
                Ok(Ok(())) | Err(_) => {}
                // The store is closing; keep polling at the interval rather than spinning.
                Ok(Err(_)) => tokio::time::sleep(POLL_INTERVAL).await,
            }
            continue;
        }
        let messages = page.events.iter().map(|e| outgoing(&prefix, e)).collect();
        if pages.send(messages).await.is_err() {
            // The publisher is gone; the attempt is ending.
            return Err(RelayError::ReaderGone);
        }
    }
}

/// An event's message: subject, body and headers.
fn outgoing(prefix: &str, event: &StoredEvent) -> Outgoing {
    let provinces = provinces_of(event);
    let subject = subject_for(prefix, event, provinces.as_deref());
    let listed = provinces.as_deref().unwrap_or_default();
    let message = PublishMessage::build()
        .payload(message(event, listed).into())
        .message_id(event.event_id.to_string())
        .header(POSITION_HEADER, event.position.to_string())
        .header(PROVINCES_HEADER, listed.join(","))
        .header("Content-Type", "application/json");
    Outgoing {
        position: event.position,
        subject,
        message,
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
