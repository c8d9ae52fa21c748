//! Starting a projection from what the database remembers.
//!
//! - Never built: its first generation is created and made active at once (there is nothing older
//!   for queries to read meanwhile), and built from position 0.
//! - Active generation of the registered version: it resumes from its checkpoint; failed stays failed.
//! - Active generation of another version (the code was upgraded): queries keep reading the old
//!   tables, frozen, while the registered version is built next to them; the switch happens when it
//!   has caught up (blue/green, as for [`crate::Projector::rebuild`]).
//! - An interrupted rebuild resumes; retired generations and builds of versions no longer registered
//!   are dropped.

use std::sync::{Arc, Mutex};

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

pub(crate) async fn open(
    context: &Arc<Context>,
    projection: Arc<dyn Projection>,
) -> Result<Arc<Slot>, ProjectorError> {
    let name = projection.name();
    let version = projection.version();
    let mut conn = context.pool.acquire().await?;
    let mut active = checkpoint::load_active(&mut conn, name).await?;
    let rows = checkpoint::load_all(&mut conn, name).await?;
    drop(conn);

    // The newest unfinished build of the registered version is kept; every other generation that
    // queries do not read is dropped.
    let building = rows
        .iter()
        .filter(|r| Some(r.key) != active && r.key.version == version && r.state != "retired")
        .map(|r| r.key.generation)
        .max();
    let mut kept: Vec<Checkpoint> = Vec::new();
    for row in rows {
        let keep = Some(row.key) == active
            || (row.key.version == version && Some(row.key.generation) == building);
        if keep {
            kept.push(row);
        } else {
            drop_retired(context, row.key).await?;
        }
    }

    let needs_build = match active {
        None => true,
        Some(key) => key.version != version && building.is_none(),
    };
    if needs_build {
        let activate = active.is_none();
        let mut tx = write::begin(context).await?;
        let generation = checkpoint::next_generation(&mut tx, name, version).await?;
        let key = GenKey {
            name,
            version,
            generation,
        };
        tables::create_generation(&mut tx, projection.as_ref(), key, activate).await?;
        tx.commit().await?;
        if activate {
            active = Some(key);
        }
        kept.push(Checkpoint {
            key,
            position: 0,
            state: "running".to_owned(),
            error: None,
        });
    }

    let active_position = match active {
        None => 0,
        Some(key) => match kept.iter().find(|r| r.key == key) {
            Some(row) => row.position,
            None => {
                return Err(ProjectorError::Corrupt(format!(
                    "{name} v{} g{} is active but has no checkpoint",
                    key.version, key.generation
                )));
            }
        },
    };
    let slot = Arc::new(Slot {
        projection,
        active: watch::channel(ActiveView {
            key: active,
            position: active_position,
        })
        .0,
        runners: Mutex::new(Vec::new()),
    });
    for row in kept {
        // An active generation of an older version has no code to run: it is read, not updated.
        if row.key.version != version {
            continue;
        }
        let failure = (row.state == "failed").then(|| {
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
    Ok(slot)
}
