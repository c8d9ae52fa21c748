//! The store handle: open a database, append, read, subscribe, and close.

use std::sync::Arc;
use std::time::Duration;

use ledger::Hash;
use tokio::sync::{Mutex, mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use crate::audit::CheckpointCache;
use crate::backend::{self, BackendKind, Readers, WriterConn};
use crate::error::{AppendError, StoreError};
use crate::keys::KeyPool;
use crate::limits::{Limits, ValidatedAppend, check_tag_query};
use crate::metrics::StoreMetrics;
use crate::model::{
    AppendCondition, AppendMetadata, AppendResult, Conditions, EventFilter, EventPage,
    ExpectedVersion, LogHead, NewEvent, RecordedRequest, StoredEvent, TagQuery, TaggedEvents,
};
use crate::subscription::Subscription;
use crate::testing::FaultHook;
use crate::tree_cache::TreeCache;
use crate::writer::{Command, GroupLimits, Writer, closed};

/// Largest page any read returns, whatever the caller asks for.
pub const MAX_READ_LIMIT: usize = 10_000;

/// How to open a store.
#[derive(Clone)]
pub struct StoreOptions {
    /// `sqlite:PATH` (the file is created if missing) or `postgres://…`.
    pub url: String,
    pub limits: Limits,
    /// Most appends committed together in one transaction.
    pub max_group_requests: usize,
    /// Most events committed together in one transaction.
    pub max_group_events: usize,
    /// How many appends may wait for the writer before `append` itself waits.
    pub queue_capacity: usize,
    /// Reader connections.
    pub max_read_connections: u32,
    /// How long a caught-up subscription waits before looking at the database again by itself.
    pub poll_interval: Duration,
    /// How long a read or the writer waits for a PostgreSQL connection before the call fails as
    /// unavailable. The server sets it short (`limits.store_timeout_ms`), so that an outage answers
    /// UNAVAILABLE at once instead of holding writes.
    pub acquire_timeout: Duration,
    /// Fault injection for tests; `None` in production.
    pub faults: Option<Arc<dyn FaultHook>>,
    /// Most memory for the upper levels of the Merkle tree, which proofs then read without a query
    /// (`0` keeps none).
    pub tree_cache_bytes: u64,
}

impl StoreOptions {
    /// Defaults for a database URL.
    pub fn new(url: impl Into<String>) -> StoreOptions {
        StoreOptions {
            url: url.into(),
            limits: Limits::default(),
            max_group_requests: 512,
            max_group_events: 10_000,
            queue_capacity: 4_096,
            max_read_connections: 8,
            poll_interval: Duration::from_millis(500),
            acquire_timeout: Duration::from_secs(10),
            faults: None,
            tree_cache_bytes: 64 << 20,
        }
    }
}

/// The committed size of the log and the Merkle root over exactly that many leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MerkleRoot {
    pub size: u64,
    pub root: Hash,
}

/// A handle on the log. Cheap to clone; all clones share one writer.
#[derive(Clone)]
pub struct EventStore {
    inner: Arc<Inner>,
}

struct Inner {
    readers: Readers,
    keys: KeyPool,
    limits: Limits,
    commands: mpsc::Sender<Command>,
    head: Arc<watch::Sender<u64>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    listener: Option<JoinHandle<()>>,
    poll_interval: Duration,
    metrics: Arc<StoreMetrics>,
    checkpoints: CheckpointCache,
    tree: Arc<TreeCache>,
    tree_follower: JoinHandle<()>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(listener) = &self.listener {
            listener.abort();
        }
        self.tree_follower.abort();
    }
}

impl EventStore {
    /// Opens (and migrates) the database and starts the writer task.
    pub async fn open(options: StoreOptions) -> Result<EventStore, StoreError> {
        let url = options.url.as_str();
        let (readers, conn, keys) =
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                let pool = backend::postgres::connect(
                    url,
                    options.max_read_connections + 2,
                    options.acquire_timeout,
                )
                .await?;
                (
                    Readers::Postgres(pool.clone()),
                    WriterConn::Postgres(pool.clone()),
                    KeyPool::Postgres(pool),
                )
            } else if url.starts_with("sqlite:") {
                let (writer, pool) =
                    backend::sqlite::connect(url, options.max_read_connections).await?;
                let keys = backend::sqlite::connect_keys(url).await?;
                (
                    Readers::Sqlite(pool),
                    WriterConn::Sqlite(Box::new(writer)),
                    KeyPool::Sqlite(keys),
                )
            } else {
                return Err(StoreError::UnsupportedUrl(url.to_owned()));
            };

        let size = readers.head().await?.size;
        let head = Arc::new(watch::channel(size).0);
        let listener = match &readers {
            Readers::Postgres(pool) => Some(backend::postgres::spawn_listener(
                pool.clone(),
                head.clone(),
            )),
            Readers::Sqlite(_) => None,
        };
        let (commands, receiver) = mpsc::channel(options.queue_capacity.max(1));
        let metrics = Arc::new(StoreMetrics::new());
        let writer = Writer {
            conn,
            commands: receiver,
            head: head.clone(),
            limits: GroupLimits {
                max_requests: options.max_group_requests.max(1),
                max_events: options.max_group_events.max(1),
            },
            faults: options.faults,
            metrics: metrics.clone(),
        };
        let writer = tokio::spawn(writer.run());
        let tree = Arc::new(TreeCache::new(options.tree_cache_bytes));
        let tree_follower = tokio::spawn(crate::tree_cache::follow(
            tree.clone(),
            readers.clone(),
            head.subscribe(),
        ));
        Ok(EventStore {
            inner: Arc::new(Inner {
                readers,
                keys,
                limits: options.limits,
                commands,
                head,
                writer: Mutex::new(Some(writer)),
                listener,
                poll_interval: options.poll_interval,
                metrics,
                checkpoints: CheckpointCache::default(),
                tree,
                tree_follower,
            }),
        })
    }

    /// Where personal data keys are written (`keys.rs`).
    pub(crate) fn keys(&self) -> &KeyPool {
        &self.inner.keys
    }

    /// Which database this store runs on.
    pub fn backend(&self) -> BackendKind {
        self.inner.readers.kind()
    }

    /// Appends events to one stream, atomically.
    ///
    /// `expected_version` is checked against the stream's version at the moment of the write. A
    /// `request_id` seen before returns the original result and writes nothing; the same id with a
    /// different stream, expectation or events is refused with [`AppendError::RequestIdReused`].
    pub async fn append(
        &self,
        stream_id: &str,
        expected_version: ExpectedVersion,
        events: Vec<NewEvent>,
        request_id: &str,
        metadata: AppendMetadata,
    ) -> Result<AppendResult, AppendError> {
        self.append_if(
            stream_id,
            expected_version,
            Vec::new(),
            events,
            request_id,
            metadata,
        )
        .await
    }

    /// [`EventStore::append`], refused with [`AppendError::ConditionViolated`] if any of
    /// `conditions` is broken: an event matching its query holds a position at or after its
    /// `from_position`.
    ///
    /// The writer decides the conditions inside the group's transaction, under the head lock, in
    /// queue order: against the stored events (an index probe per alternative of each query) and
    /// against the events of the requests accepted before it in the same group. A request id seen
    /// before answers its original result whatever the conditions say, since it was decided then.
    pub async fn append_if(
        &self,
        stream_id: &str,
        expected_version: ExpectedVersion,
        conditions: Vec<AppendCondition>,
        events: Vec<NewEvent>,
        request_id: &str,
        metadata: AppendMetadata,
    ) -> Result<AppendResult, AppendError> {
        self.append_decided(
            stream_id,
            expected_version,
            Conditions {
                tags: conditions,
                streams: Vec::new(),
            },
            events,
            request_id,
            metadata,
        )
        .await
    }

    /// [`EventStore::append_if`] with `conditions.tags`, also refused with
    /// [`AppendError::StreamMoved`] if a stream of `conditions.streams` (facts the decision read by id) is no longer at the version read. The
    /// writer reads those versions under the head lock in the statement that reads the target
    /// streams' versions, and an append accepted earlier in the same group moves them first.
    pub async fn append_decided(
        &self,
        stream_id: &str,
        expected_version: ExpectedVersion,
        conditions: Conditions,
        events: Vec<NewEvent>,
        request_id: &str,
        metadata: AppendMetadata,
    ) -> Result<AppendResult, AppendError> {
        let started = std::time::Instant::now();
        let outcome = async {
            let request = ValidatedAppend::new(
                &self.inner.limits,
                stream_id,
                expected_version,
                conditions,
                events,
                request_id,
                metadata,
            )?;
            let (reply, answer) = oneshot::channel();
            self.inner
                .commands
                .send(Command::Append(request, reply))
                .await
                .map_err(|_| closed())?;
            answer.await.map_err(|_| closed())?
        }
        .await;
        self.inner.metrics.append_done(started, &outcome);
        outcome
    }

    /// Events of one stream from `from_version` (1 is the first event), at most `limit`.
    pub async fn read_stream(
        &self,
        stream_id: &str,
        from_version: u64,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        self.inner
            .readers
            .read_stream(stream_id, from_version.max(1), limit.min(MAX_READ_LIMIT))
            .await
    }

    /// A page of the whole log from `from_position`, filtered, at most `limit` events.
    pub async fn read_all(
        &self,
        from_position: u64,
        limit: usize,
        filter: &EventFilter,
    ) -> Result<EventPage, StoreError> {
        self.inner
            .readers
            .read_all(from_position, limit.min(MAX_READ_LIMIT), filter)
            .await
    }

    /// Every event matching `query` below `up_to_position` (or the committed head, if that is
    /// smaller), in position order, with the bound the read covered: the `from_position` of an
    /// [`AppendCondition`] that guards a decision made on these facts.
    ///
    /// Each alternative of the query is a range probe of the tag index on its first tag, so the cost
    /// follows that tag's matches, not the size of the log. There is no page limit: a query names the
    /// facts of one decision (one practitioner, one gap), and a decision needs all of them.
    pub async fn read_by_tags(
        &self,
        query: &TagQuery,
        up_to_position: u64,
    ) -> Result<TaggedEvents, StoreError> {
        let query = check_tag_query(query).map_err(StoreError::InvalidQuery)?;
        // Every position below the committed head is committed, so the read skips none.
        let up_to_position = up_to_position.min(self.head().await?.size);
        let events = self
            .inner
            .readers
            .read_by_tags(&query, up_to_position)
            .await?;
        Ok(TaggedEvents {
            events,
            up_to_position,
        })
    }

    /// The append recorded under `request_id`, if one was: the stream it wrote to and its result
    /// (positions, stream version, record time, event ids and leaf hashes), from the request record
    /// the append's transaction wrote. One primary-key probe when there is none.
    pub async fn recorded_request(
        &self,
        request_id: &str,
    ) -> Result<Option<RecordedRequest>, StoreError> {
        Ok(self
            .inner
            .readers
            .recorded_request(request_id)
            .await?
            .map(|record| RecordedRequest {
                stream_id: record.stream_id,
                result: record.result,
            }))
    }

    /// How far the events of the log have been tagged under `scheme` by
    /// [`EventStore::backfill_tags`]: every event below it carries the scheme's tags (0 when the
    /// scheme was never backfilled).
    pub async fn tags_backfilled_through(&self, scheme: &str) -> Result<u64, StoreError> {
        self.inner.readers.backfilled_through(scheme).await
    }

    /// Adds tags to events already in the log (`rows`: a position and the tags it should carry),
    /// those not yet stored, and records that every event below `through` is tagged under
    /// `scheme`, in one transaction through the writer's queue. For events recorded before their
    /// tags existed: tags are derived data (ARCHITECTURE.md, "Tags"), so they may be added later,
    /// and never changed or removed. The caller computes them exactly as for new events.
    pub async fn backfill_tags(
        &self,
        scheme: &str,
        rows: Vec<(u64, Vec<String>)>,
        through: u64,
    ) -> Result<(), StoreError> {
        for (index, (_, tags)) in rows.iter().enumerate() {
            if let Some(tag) = tags.iter().find(|t| crate::limits::check_tag(t).is_err()) {
                return Err(StoreError::Corrupt(format!(
                    "backfill row {index} has a malformed tag {tag:?}"
                )));
            }
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        let backfill = crate::writer::TagBackfill {
            scheme: scheme.to_owned(),
            rows,
            through,
        };
        self.send(Command::BackfillTags(backfill, reply))
            .await
            .map_err(|_| crate::writer::closed_store())?;
        answer.await.map_err(|_| crate::writer::closed_store())?
    }

    /// The event at a position, if the log is that long.
    pub async fn get_event(&self, position: u64) -> Result<Option<StoredEvent>, StoreError> {
        self.inner.readers.get_event(position).await
    }

    /// The committed head of the log.
    pub async fn head(&self) -> Result<LogHead, StoreError> {
        self.inner.readers.head().await
    }

    /// The size of the log as this handle last heard it (its own commits, and other processes'
    /// through notifications on PostgreSQL), without asking the database: for metrics. May trail
    /// [`EventStore::head`] by a notification.
    pub fn committed_size(&self) -> u64 {
        *self.inner.head.borrow()
    }

    /// The Merkle root of the log at its committed head, from the stored subtree nodes.
    pub async fn merkle_root(&self) -> Result<MerkleRoot, StoreError> {
        let size = self.head().await?.size;
        Ok(MerkleRoot {
            size,
            root: backend::root_at(&self.inner.readers, size).await?,
        })
    }

    /// Follows the log from `from_position`: every matching event, in order, then live ones.
    pub fn subscribe(&self, from_position: u64, filter: EventFilter) -> Subscription {
        Subscription {
            readers: self.inner.readers.clone(),
            filter,
            next: from_position,
            buffer: Default::default(),
            head: self.inner.head.subscribe(),
            poll_interval: self.inner.poll_interval,
            page_size: 500,
        }
    }

    /// The readers' pool, for the audit reads (`audit`).
    pub(crate) fn readers(&self) -> &Readers {
        &self.inner.readers
    }

    /// The checkpoints read so far, by size (`audit`).
    pub(crate) fn checkpoint_cache(&self) -> &CheckpointCache {
        &self.inner.checkpoints
    }

    pub(crate) fn tree_cache(&self) -> &TreeCache {
        &self.inner.tree
    }

    /// Queues a command for the writer task.
    pub(crate) async fn send(
        &self,
        command: Command,
    ) -> Result<(), mpsc::error::SendError<Command>> {
        self.inner.commands.send(command).await
    }

    /// The committed head's size, updated after every commit (and, on PostgreSQL, every commit by
    /// another process).
    pub fn watch_head(&self) -> watch::Receiver<u64> {
        self.inner.head.subscribe()
    }

    /// Whether the database answers; used by health checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.head().await.map(|_| ())
    }

    /// Finishes every append queued so far, then stops the writer. Later appends fail with
    /// [`StoreError::Closed`]; reads keep working until the last handle is dropped.
    pub async fn close(&self) {
        let (done, finished) = oneshot::channel();
        if self.inner.commands.send(Command::Close(done)).await.is_ok() {
            let _ = finished.await;
        }
        if let Some(writer) = self.inner.writer.lock().await.take() {
            let _ = writer.await;
        }
    }
}
