//! Starting a projection from what the database remembers, and keeping the runners of the
//! replica that runs the projections in line with the checkpoint table.
//!
//! Every replica makes a [`Slot`] from the stored view ([`stored_view`]). Only the leader (see
//! `leader`) then tidies up ([`resume`]) and runs generations ([`reconcile`]):
//! - Never built: its first generation is created and made active at once (there is nothing older
//!   for queries to read meanwhile), and built from position 0.
//! - Active generation of the registered version: it resumes from its checkpoint; failed stays failed.
//! - Active generation of another version (the code was upgraded): queries keep reading the old
//!   tables, frozen, while the registered version is built next to them; the switch happens when it
//!   has caught up (blue/green, as for [`crate::Projector::rebuild`]).
//! - An interrupted rebuild resumes; retired generations and builds of versions no longer registered
//!   are dropped.

use std::sync::{Arc, Mutex};

use sqlx::AnyConnection;
use tokio::sync::watch;

use crate::checkpoint::{self, Checkpoint, GenKey};
use crate::error::ProjectorError;
use crate::projection::Projection;
use crate::rebuild::drop_retired;
use crate::runner;
use crate::slot::{ActiveView, Context, Slot};
use crate::status::ProjectionFailure;
use crate::tables;
use crate::write;

/// The generation queries read and its checkpoint, as stored.
pub(crate) async fn stored_view(
    conn: &mut AnyConnection,
    name: &'static str,
) -> Result<ActiveView, ProjectorError> {
    let Some(key) = checkpoint::load_active(&mut *conn, name).await? else {
        return Ok(ActiveView {
            key: None,
            position: 0,
        });
    };
    let rows = checkpoint::load_all(conn, name).await?;
    match rows.iter().find(|r| r.key == key) {
        Some(row) => Ok(ActiveView {
            key: Some(key),
            position: row.position,
        }),
        None => Err(ProjectorError::Corrupt(format!(
            "{name} v{} g{} is active but has no checkpoint",
            key.version, key.generation
        ))),
    }
}

/// A projection's slot, showing what the database holds; no runner yet.
pub(crate) async fn slot(
    context: &Context,
    projection: Arc<dyn Projection>,
) -> Result<Arc<Slot>, ProjectorError> {
    let mut conn = context.pool.acquire().await?;
    let view = stored_view(&mut conn, projection.name()).await?;
    Ok(Arc::new(Slot {
        projection,
        active: watch::channel(view).0,
        runners: Mutex::new(Vec::new()),
    }))
}

/// Leader only, on taking over: drops what no one will read, creates the generation the
/// registered version needs, and shows the stored view.
pub(crate) async fn resume(context: &Arc<Context>, slot: &Slot) -> Result<(), ProjectorError> {
    let projection = slot.projection.as_ref();
    let name = projection.name();
    let version = projection.version();
    let mut conn = context.pool.acquire().await?;
    let active = checkpoint::load_active(&mut conn, name).await?;
    let rows = checkpoint::load_all(&mut conn, name).await?;
    drop(conn);

    // The newest unfinished build of the registered version is kept; every other generation that
    // queries do not read is dropped.
    let building = rows
        .iter()
        .filter(|r| Some(r.key) != active && r.key.version == version && r.state != "retired")
        .map(|r| r.key.generation)
        .max();
    for row in rows {
        let keep = Some(row.key) == active
            || (row.key.version == version && Some(row.key.generation) == building);
        if !keep {
            drop_retired(context, row.key).await?;
        }
    }

    let needs_build = match active {
        None => true,
        Some(key) => key.version != version && building.is_none(),
    };
    if needs_build {
        let mut tx = write::begin(context).await?;
        let generation = checkpoint::next_generation(&mut tx, name, version).await?;
        let key = GenKey {
            name,
            version,
            generation,
        };
        tables::create_generation(&mut tx, projection, key, active.is_none()).await?;
        tx.commit().await?;
    }
    let mut conn = context.pool.acquire().await?;
    let view = stored_view(&mut conn, name).await?;
    slot.active.send_replace(view);
    Ok(())
}

/// Leader only: makes the local runners match the checkpoint table. A running generation of the
/// registered version without a live runner gets one at its stored position (a new rebuild, a
/// retry, or a runner that stopped because someone else moved its checkpoint); a failed one gets a
/// handle for its status; a runner whose generation was dropped or retired is stopped.
pub(crate) async fn reconcile(
    context: &Arc<Context>,
    slot: &Arc<Slot>,
) -> Result<(), ProjectorError> {
    let name = slot.projection.name();
    let version = slot.projection.version();
    let rows = {
        let mut conn = context.pool.acquire().await?;
        checkpoint::load_all(&mut conn, name).await?
    };
    let wanted: Vec<&Checkpoint> = rows
        .iter()
        .filter(|r| r.key.version == version && r.state != "retired")
        .collect();
    let gone: Vec<GenKey> = slot.with_runners(|runners| {
        runners
            .iter()
            .map(|r| r.key)
            .filter(|key| wanted.iter().all(|row| row.key != *key))
            .collect()
    });
    for key in gone {
        if let Some(handle) = slot.take_runner(key) {
            handle.stop().await;
        }
    }
    for row in wanted {
        let failed = row.state == "failed";
        let local = slot.with_runners(|runners| {
            runners.iter().find(|r| r.key == row.key).map(|r| {
                let live = r.task.as_ref().is_some_and(|t| !t.is_finished());
                live || (failed && r.status.get().failure.is_some())
            })
        });
        match local {
            // Running here, or failed here as it is in the table.
            Some(true) => continue,
            Some(false) => {
                if let Some(old) = slot.take_runner(row.key) {
                    old.stop().await;
                }
            }
            None => {}
        }
        let failure = failed.then(|| {
            let (position, reason) = row.error.clone().unwrap_or((row.position, String::new()));
            ProjectionFailure { position, reason }
        });
        let handle = runner::spawn(
            context.clone(),
            slot.clone(),
            row.key,
            row.position,
            failure,
        );
        slot.with_runners(|runners| runners.push(handle));
    }
    Ok(())
}
