//! Drill-down: the scoreboards of a pairing's direct children.

use sqlx::AnyPool;

use super::{Scoreboard, scoreboard};
use crate::page::{Page, PageRequest, QueryError, fetch, paginate, text};

/// The scoreboards of the pairings directly under `pairing_id`, each rolled up over its own
/// descendants, ordered by pairing id.
pub async fn children(
    pool: &AnyPool,
    prefix: &str,
    position: u64,
    pairing_id: &str,
    page: &PageRequest,
) -> Result<Page<Scoreboard>, QueryError> {
    let ids: Vec<String> = fetch(
        pool,
        prefix,
        "SELECT pairing_id FROM {p}pairing WHERE parent_id = $1",
        &[pairing_id],
    )
    .await?
    .iter()
    .map(|row| text(row, "pairing_id"))
    .collect::<Result<_, _>>()?;
    // Page the ids first, so that only the boards of one page are computed.
    let ids = paginate(ids, Clone::clone, page, position)?;
    let mut items = Vec::with_capacity(ids.items.len());
    for id in &ids.items {
        items.push(scoreboard(pool, prefix, position, id).await?.value);
    }
    Ok(Page {
        items,
        next_cursor: ids.next_cursor,
        position,
    })
}
