//! The NATS JetStream relay: every event of the log, in position order, exactly once, to one
//! JetStream stream, so provincial systems can consume the log through a broker instead of holding
//! a gRPC stream open.
//!
//! # What it owns
//! - Subjects: `<prefix>.<province>.<category>.<event_type>` ([`subject_for`]), where `province` is
//!   the six-digit GB/T 2260 code of the event's scope, `national` for an event with no province
//!   (a program definition) and `multi` for one that spans several (an alliance across provinces;
//!   the `Medaid-Provinces` header lists them). A provincial consumer binds
//!   `<prefix>.620000.>` for its own events (and `<prefix>.multi.>`, keeping the messages whose
//!   header names it, for cross-province ones).
//! - The message ([`message`]): JSON of the stored event (payload and metadata exactly as stored),
//!   with `Nats-Msg-Id` = the event id and `Medaid-Position` = its log position.
//! - Its checkpoint: table `relay_checkpoints` (migration `0004_relay.sql`), one row per target
//!   stream, moved only after JetStream acknowledged every event before it.
//!
//! # Guarantees
//! - **Order and no gaps.** Each publish carries `Nats-Expected-Last-Sequence`: the stream accepts
//!   event `n` only right after event `n - 1`, so a failed publish in the middle of the pipelined
//!   window (up to `max_pending_acks` publishes awaiting their acknowledgement) can never let a
//!   later event in before it. The relay then starts over from what the stream holds.
//! - **Exactly once.** On every (re)start the relay reads the position of the stream's last message
//!   and resumes after the later of that and its checkpoint, so an event acknowledged just before a
//!   crash is not republished, however long the relay was down. `Nats-Msg-Id` lets JetStream drop
//!   a republish within its duplicate window as well (a second relay racing the first).
//! - **Catch-up.** The relay reads the log from its checkpoint at full speed (a reader task reads
//!   and prepares the next pages while the publisher sends the current one), then follows it live;
//!   a relay stopped for an hour publishes the hour's events in order and carries on.
//!
//! # What it must not do
//! It never writes to the log and never decides anything about events: it reads the store, asks
//! the domain for an event's scope, and publishes. It knows no gRPC.

mod checkpoint;
mod publish;
mod subject;

pub use publish::{POSITION_HEADER, PROVINCES_HEADER, Relay, RelayConfig, RelayError, RelayStatus};
pub use subject::{message, provinces_of, subject_for};
