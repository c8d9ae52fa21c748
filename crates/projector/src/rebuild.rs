//! Blue/green rebuilds: build a new generation next to the active one, switch, drop the old one.
//!
//! The new generation gets its own tables (the next generation number of the registered version,
//! see [`crate::table_prefix_generation`]) and its own runner. Queries keep reading the active
//! generation, which keeps following the log. When the new one has caught up, one transaction
//! retires the old checkpoint (reading its final position under the row's lock), checks that the new
//! one is at least as far, and points `projection_active` at it; only then is the old runner stopped
//! and its tables dropped. So the position queries see never goes backwards.

use std::sync::Arc;

use crate::checkpoint::{self, GenKey};
use crate::error::{ProjectorError, error_chain};
use crate::slot::{ActiveView, Context, Slot};
use crate::tables;
use crate::write;

/// Starts building a new generation of a projection's registered version; returns its number.
///
/// Everything is decided and written in the database, so any replica may ask: the leader's
/// reconcile (see `open`) starts the runner. A running earlier rebuild is refused; a failed one is
/// replaced.
pub(crate) async fn start(context: &Arc<Context>, slot: &Arc<Slot>) -> Result<u32, ProjectorError> {
    let projection = slot.projection.as_ref();
    let name = projection.name();
    let mut conn = context.pool.acquire().await?;
    let active = checkpoint::load_active(&mut conn, name).await?;
    let rows = checkpoint::load_all(&mut conn, name).await?;
    drop(conn);
    let building = rows.iter().filter(|r| {
        Some(r.key) != active && r.key.version == projection.version() && r.state != "retired"
    });
    for row in building {
        if row.state != "failed" {
            return Err(ProjectorError::AlreadyRebuilding(name.to_owned()));
        }
        if let Some(previous) = slot.take_runner(row.key) {
            previous.stop().await;
        }
        drop_retired(context, row.key).await?;
    }

    let mut tx = write::begin(context).await?;
    let generation = checkpoint::next_generation(&mut tx, name, projection.version()).await?;
    let key = GenKey {
        name,
        version: projection.version(),
        generation,
    };
    tables::create_generation(&mut tx, projection, key, false).await?;
    tx.commit().await?;
    tracing::info!(
        projection = key.name,
        version = key.version,
        generation,
        "rebuild started"
    );
    Ok(generation)
}

/// Makes `key` (at `position`) the generation queries read, if it is at least as far as the active
/// one; true when it is active afterwards.
pub(crate) async fn try_switch(
    context: &Context,
    slot: &Slot,
    key: GenKey,
    position: u64,
) -> Result<bool, ProjectorError> {
    let old = slot.active.borrow().key;
    if old == Some(key) {
        return Ok(true);
    }
    let mut tx = write::begin(context).await?;
    let old_position = match old {
        Some(old) => checkpoint::retire(&mut tx, old).await?.unwrap_or(0),
        None => 0,
    };
    // The guard also proves this generation is still running at exactly `position`.
    if position < old_position || !checkpoint::advance(&mut tx, key, position, position).await? {
        tx.rollback().await?;
        return Ok(false);
    }
    checkpoint::set_active(&mut tx, key).await?;
    tx.commit().await?;
    slot.active.send_replace(ActiveView {
        key: Some(key),
        position,
    });
    tracing::info!(
        projection = key.name,
        version = key.version,
        generation = key.generation,
        position,
        "switched queries to the rebuilt generation"
    );
    if let Some(old) = old {
        if let Some(handle) = slot.take_runner(old) {
            handle.stop().await;
        }
        // A failed drop leaves a retired generation, which the next start drops; the switch stands.
        if let Err(error) = drop_retired(context, old).await {
            tracing::warn!(
                projection = old.name,
                generation = old.generation,
                error = %error_chain(&error),
                "could not drop the retired generation's tables"
            );
        }
    }
    Ok(true)
}

/// Drops a generation that queries no longer read.
pub(crate) async fn drop_retired(context: &Context, key: GenKey) -> Result<(), ProjectorError> {
    let mut tx = write::begin(context).await?;
    tables::drop_generation(&mut tx, key).await?;
    tx.commit().await?;
    Ok(())
}
