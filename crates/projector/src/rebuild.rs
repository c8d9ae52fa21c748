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
use crate::runner;
use crate::slot::{ActiveView, Context, Slot};
use crate::status::Phase;
use crate::tables;
use crate::write;

/// Starts building a new generation of a projection's registered version; returns its number.
pub(crate) async fn start(context: &Arc<Context>, slot: &Arc<Slot>) -> Result<u32, ProjectorError> {
    let active = slot.active.borrow().key;
    // A failed earlier rebuild is replaced; a running one is not.
    let previous = slot.with_runners(|runners| {
        let building = runners.iter().position(|r| Some(r.key) != active)?;
        Some(runners.remove(building))
    });
    if let Some(previous) = previous {
        if previous.status.get().phase != Phase::Failed {
            slot.with_runners(|runners| runners.push(previous));
            return Err(ProjectorError::AlreadyRebuilding(
                slot.projection.name().to_owned(),
            ));
        }
        let key = previous.key;
        previous.stop().await;
        let mut tx = write::begin(context).await?;
        tables::drop_generation(&mut tx, key).await?;
        tx.commit().await?;
    }

    let projection = slot.projection.as_ref();
    let mut tx = write::begin(context).await?;
    let generation =
        checkpoint::next_generation(&mut tx, projection.name(), projection.version()).await?;
    let key = GenKey {
        name: projection.name(),
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
    let handle = runner::spawn(context.clone(), slot.clone(), key, 0, None);
    slot.with_runners(|runners| runners.push(handle));
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
