//! Write transactions on the read-model database.
//!
//! SQLite has one writer at a time for the whole file, the store's included. A projector write
//! transaction takes the lock up front (`BEGIN IMMEDIATE`): a deferred one that read first could not
//! upgrade after another writer committed and would fail instead of waiting its turn. The projector's
//! own transactions also queue on an in-process FIFO lock first, so its runners take turns fairly
//! instead of polling SQLite's busy handler (where a runner committing batch after batch, such as a
//! rebuild, could starve a live one). PostgreSQL needs neither.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use sqlx::{Any, AnyPool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::error::ProjectorError;
use crate::slot::Context;

/// Which database the read models live in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub(crate) fn of_url(url: &str) -> Result<Backend, ProjectorError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(ProjectorError::UnsupportedUrl(url.to_owned()))
        }
    }
}

/// The turn-taking lock of one projector's SQLite write transactions.
pub(crate) type Turn = Arc<Mutex<()>>;

/// A write transaction, holding the projector's turn on SQLite until it ends.
pub(crate) struct WriteTx {
    tx: Transaction<'static, Any>,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl Deref for WriteTx {
    type Target = Transaction<'static, Any>;

    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

/// Begins a write transaction on the read-model database.
pub(crate) async fn begin(context: &Context) -> Result<WriteTx, sqlx::Error> {
    begin_on(&context.pool, context.backend, &context.turn).await
}

async fn begin_on(pool: &AnyPool, backend: Backend, turn: &Turn) -> Result<WriteTx, sqlx::Error> {
    match backend {
        Backend::Sqlite => {
            let turn = turn.clone().lock_owned().await;
            Ok(WriteTx {
                tx: pool.begin_with("BEGIN IMMEDIATE").await?,
                _turn: Some(turn),
            })
        }
        Backend::Postgres => Ok(WriteTx {
            tx: pool.begin().await?,
            _turn: None,
        }),
    }
}
