//! Subscriptions: catch up from a position, then follow the log live.
//!
//! A subscription reads pages of the log bounded by the committed head, so it never reads past what
//! is committed and, because positions are assigned by one serialized writer, never skips an event
//! that commits later. When it has caught up it waits for the head to move: the writer signals its own
//! commits in-process, PostgreSQL notifications signal other processes' commits, and a poll interval
//! bounds the wait if a signal is ever missed.

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::Stream;
use tokio::sync::watch;

use crate::backend::Readers;
use crate::error::StoreError;
use crate::model::{EventFilter, StoredEvent};

/// Events delivered in position order, each exactly once, from a starting position onwards.
pub struct Subscription {
    pub(crate) readers: Readers,
    pub(crate) filter: EventFilter,
    /// The next position to read from the database.
    pub(crate) next: u64,
    pub(crate) buffer: VecDeque<StoredEvent>,
    pub(crate) head: watch::Receiver<u64>,
    pub(crate) poll_interval: Duration,
    pub(crate) page_size: usize,
}

impl Subscription {
    /// The next matching event, waiting for one to be committed if the subscription has caught up.
    ///
    /// Cancel-safe: dropping the future (in a `select!` with a heartbeat timer, say) loses no event,
    /// because the read position only moves once a page is in the buffer.
    pub async fn next(&mut self) -> Result<StoredEvent, StoreError> {
        loop {
            if let Some(event) = self.buffer.pop_front() {
                return Ok(event);
            }
            // Mark the current head as seen before reading, so a commit that lands during the read
            // still wakes the wait below.
            self.head.borrow_and_update();
            let page = self
                .readers
                .read_all(self.next, self.page_size, &self.filter)
                .await?;
            self.next = page.next_position;
            if !page.events.is_empty() {
                self.buffer.extend(page.events);
                continue;
            }
            match tokio::time::timeout(self.poll_interval, self.head.changed()).await {
                Ok(Ok(())) | Err(_) => {}
                // The store was dropped; keep polling at the interval rather than spinning.
                Ok(Err(_)) => tokio::time::sleep(self.poll_interval).await,
            }
        }
    }

    /// The position from which a new subscription would continue exactly where this one stands:
    /// everything before it has been delivered or did not match the filter.
    pub fn resume_position(&self) -> u64 {
        self.buffer
            .front()
            .map_or(self.next, |event| event.position)
    }

    /// The subscription as a stream that ends only with the first error.
    pub fn into_stream(self) -> impl Stream<Item = Result<StoredEvent, StoreError>> + Send {
        futures_util::stream::unfold(Some(self), |state| async move {
            let mut subscription = state?;
            match subscription.next().await {
                Ok(event) => Some((Ok(event), Some(subscription))),
                Err(error) => Some((Err(error), None)),
            }
        })
    }
}
