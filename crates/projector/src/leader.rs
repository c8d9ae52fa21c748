//! Which replica runs the projections, and what the others show.
//!
//! On PostgreSQL several `medaid serve` replicas share one database. Exactly one of them, the
//! leader, runs the projections; every replica answers queries from the same tables. Leadership is
//! a session-level advisory lock ([`LOCK_KEY`]) held on a connection of its own: PostgreSQL releases
//! it the moment that session ends (the process died, the connection broke), and a follower, which
//! tries to take it every `follow_interval`, takes over and resumes every projection from its
//! checkpoint. A leader whose lock connection stops answering steps down at once.
//!
//! The lock decides who works; correctness never rests on it. Every batch first locks its
//! checkpoint row and checks that it still stands where the runner believes
//! (`checkpoint::claim`), so a former leader that has not noticed its loss yet applies nothing, and
//! no event is applied twice.
//!
//! A follower refreshes the active view of every projection from the checkpoint tables every
//! `follow_interval`, so [`crate::Projector::active`] and [`crate::Projector::wait_for`] answer from
//! what the leader committed, never from memory of its own. Rebuilds and retries asked of a
//! follower are written to the tables; the leader's reconcile starts their runners.
//!
//! SQLite is one process by construction (the database is a file of that process): it is always
//! the leader and takes no lock.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use sqlx::{AnyConnection, Connection};
use tokio::sync::{mpsc, oneshot};

use crate::checkpoint::{self, GenKey};
use crate::error::{ProjectorError, error_chain};
use crate::open;
use crate::slot::{ActiveView, Context, Slot};
use crate::write::Backend;

/// The advisory lock of the projection leader ("medaidPR"). Advisory locks are per database, so
/// two medaid deployments on one PostgreSQL server in different databases do not compete.
pub(crate) const LOCK_KEY: i64 = 0x6d65_6461_6964_5052;

/// How often a leader checks that its lock connection is alive and reconciles its runners.
const LEADER_TICK: Duration = Duration::from_secs(1);

/// What the projector handle asks of its conductor.
pub(crate) enum Request {
    /// Bring the runners in line with the tables now (after a rebuild or retry); answered when done.
    Reconcile(oneshot::Sender<()>),
    /// Stop every runner, give up the lock and end.
    Stop(oneshot::Sender<()>),
}

/// Tries to take the leader lock on `conn`; true when this session holds it.
pub(crate) async fn try_lock(conn: &mut AnyConnection) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(LOCK_KEY)
        .fetch_one(conn)
        .await
}

/// Makes this replica the leader: tidies every projection and starts its runners. On an error the
/// runners started so far are stopped again and the caller must give up the lock.
pub(crate) async fn take_over(
    context: &Arc<Context>,
    slots: &[Arc<Slot>],
) -> Result<(), ProjectorError> {
    context.leader.store(true, Ordering::SeqCst);
    for slot in slots {
        let started = async {
            open::resume(context, slot).await?;
            open::reconcile(context, slot).await
        };
        if let Err(error) = started.await {
            step_down(context, slots).await;
            return Err(error);
        }
    }
    Ok(())
}

/// Stops every runner after its current transaction; the replica answers queries as a follower.
pub(crate) async fn step_down(context: &Context, slots: &[Arc<Slot>]) {
    context.leader.store(false, Ordering::SeqCst);
    for slot in slots {
        let runners = slot.with_runners(std::mem::take);
        for runner in runners {
            runner.stop().await;
        }
    }
}

/// The task that holds or seeks leadership for one projector.
pub(crate) struct Conductor {
    pub(crate) context: Arc<Context>,
    pub(crate) slots: Vec<Arc<Slot>>,
    pub(crate) url: String,
    /// PostgreSQL only: the session holding (or trying to take) the lock.
    pub(crate) lock: Option<AnyConnection>,
    pub(crate) requests: mpsc::Receiver<Request>,
}

impl Conductor {
    fn leading(&self) -> bool {
        self.context.leader.load(Ordering::SeqCst)
    }

    pub(crate) async fn run(mut self) {
        loop {
            let pause = if self.leading() {
                LEADER_TICK
            } else {
                self.context.options.follow_interval
            };
            tokio::select! {
                request = self.requests.recv() => match request {
                    Some(Request::Reconcile(done)) => {
                        if self.leading() {
                            self.reconcile().await;
                        } else {
                            self.refresh().await;
                        }
                        let _ = done.send(());
                    }
                    Some(Request::Stop(done)) => {
                        self.stop().await;
                        let _ = done.send(());
                        return;
                    }
                    None => {
                        self.stop().await;
                        return;
                    }
                },
                () = tokio::time::sleep(pause) => {
                    if self.leading() {
                        if self.lock_alive().await {
                            self.reconcile().await;
                        } else {
                            tracing::warn!("lost the projection leader lock; stepping down");
                            step_down(&self.context, &self.slots).await;
                            self.lock = None;
                        }
                    } else {
                        self.try_lead().await;
                        if !self.leading() {
                            self.refresh().await;
                        }
                    }
                }
            }
        }
    }

    async fn stop(&mut self) {
        step_down(&self.context, &self.slots).await;
        if let Some(lock) = self.lock.take() {
            // Closing the session releases the lock; a follower takes over on its next attempt.
            let _ = lock.close().await;
        }
    }

    async fn reconcile(&mut self) {
        for slot in &self.slots {
            if let Err(error) = open::reconcile(&self.context, slot).await {
                tracing::warn!(
                    projection = slot.projection.name(),
                    error = %error_chain(&error),
                    "cannot reconcile the projection's runners; retrying"
                );
            }
        }
    }

    async fn lock_alive(&mut self) -> bool {
        if self.context.backend == Backend::Sqlite {
            return true;
        }
        match &mut self.lock {
            Some(conn) => conn.ping().await.is_ok(),
            None => false,
        }
    }

    async fn try_lead(&mut self) {
        if self.context.backend == Backend::Sqlite {
            return;
        }
        if self.lock.is_none() {
            match AnyConnection::connect(&self.url).await {
                Ok(conn) => self.lock = Some(conn),
                Err(error) => {
                    tracing::debug!(%error, "cannot connect for the projection leader lock");
                    return;
                }
            }
        }
        let Some(conn) = self.lock.as_mut() else {
            return;
        };
        match try_lock(conn).await {
            Ok(false) => {}
            Ok(true) => {
                tracing::info!("took the projection leader lock; running the projections");
                if let Err(error) = take_over(&self.context, &self.slots).await {
                    tracing::warn!(error = %error_chain(&error), "cannot take over the projections; giving the lock up");
                    if let Some(lock) = self.lock.take() {
                        let _ = lock.close().await;
                    }
                }
            }
            Err(error) => {
                tracing::debug!(%error, "cannot try the projection leader lock; reconnecting");
                self.lock = None;
            }
        }
    }

    /// Shows queries on this follower what the leader has committed.
    async fn refresh(&mut self) {
        let rows = async {
            let mut conn = self.context.pool.acquire().await?;
            checkpoint::load_active_positions(&mut conn).await
        };
        let rows = match rows.await {
            Ok(rows) => rows,
            Err(error) => {
                tracing::debug!(error = %error_chain(&error), "cannot refresh the projections' positions");
                return;
            }
        };
        for slot in &self.slots {
            let name = slot.projection.name();
            let Some((_, version, generation, position)) = rows.iter().find(|r| r.0 == name) else {
                continue;
            };
            let stored = ActiveView {
                key: Some(GenKey {
                    name,
                    version: *version,
                    generation: *generation,
                }),
                position: *position,
            };
            slot.active.send_if_modified(|view| {
                let moved = view.key != stored.key || stored.position > view.position;
                if moved {
                    *view = stored;
                }
                moved
            });
        }
    }
}
