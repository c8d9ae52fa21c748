//! The upper part of the Merkle tree in memory, so that most of a proof's hashes need no query.
//!
//! A completed subtree node never changes once committed, and a level's complete nodes are
//! numbered densely from 0, so each cached level is a plain vector that only grows. A follower task
//! copies new nodes from the database after the head moves (its own commits and, on PostgreSQL,
//! other replicas' alike, since it reads what is committed rather than listening to one writer).
//! Whatever is not cached yet, or lies below the cached levels, is read from the database as before,
//! so the cache changes how fast a proof is, never what it says.
//!
//! Memory is bounded: the cache holds the levels from the top down to the lowest one whose nodes,
//! with all the levels above, fit the budget; as the log grows past the budget the lowest cached
//! level is dropped. A proof then reads from the database only the levels below it (a handful of
//! primary-key probes instead of one per level).

use std::sync::{Arc, RwLock};
use std::time::Duration;

use ledger::{Hash, NodeCoordinate};
use tokio::sync::watch;

use crate::backend::Readers;
use crate::error::StoreError;

/// Levels a tree can have: sizes are below 2^63.
const LEVELS: usize = 64;
/// Most hashes copied in one query, so a follower catching up at start never holds a long read.
const CHUNK: u64 = 20_000;
/// How often the follower looks for new nodes at most: a commit's new nodes are batched with the
/// next ones for this long, so a busy log costs a few small queries a second, not a few per commit.
const FOLLOW_INTERVAL: Duration = Duration::from_millis(50);

/// The cached levels of the log's Merkle tree.
pub(crate) struct TreeCache {
    /// Most hashes held, all levels together.
    budget: u64,
    levels: RwLock<Levels>,
}

struct Levels {
    /// The lowest level held; every level from it up is held from index 0.
    lowest: usize,
    /// `hashes[level][index]`, for levels `lowest..`; lower levels are empty.
    hashes: Vec<Vec<Hash>>,
}

impl TreeCache {
    /// A cache of at most `budget_bytes` of hashes.
    pub(crate) fn new(budget_bytes: u64) -> TreeCache {
        TreeCache {
            budget: budget_bytes / 32,
            levels: RwLock::new(Levels {
                lowest: LEVELS,
                hashes: vec![Vec::new(); LEVELS],
            }),
        }
    }

    /// The hash at `coordinate`, if it is cached.
    pub(crate) fn get(&self, coordinate: NodeCoordinate) -> Option<Hash> {
        let levels = self.levels.read().unwrap_or_else(|p| p.into_inner());
        let level = usize::from(coordinate.level);
        if level < levels.lowest {
            return None;
        }
        let index = usize::try_from(coordinate.index).ok()?;
        levels.hashes.get(level)?.get(index).copied()
    }

    /// How many hashes are cached, all levels together.
    pub(crate) fn held(&self) -> u64 {
        let levels = self.levels.read().unwrap_or_else(|p| p.into_inner());
        levels.hashes.iter().map(|level| level.len() as u64).sum()
    }

    /// How many nodes of `level` are cached.
    fn len(&self, level: usize) -> u64 {
        let levels = self.levels.read().unwrap_or_else(|p| p.into_inner());
        levels.hashes[level].len() as u64
    }

    /// The lowest level whose nodes, with every level above, fit the budget for a tree of `size`
    /// leaves; `LEVELS` when not even the top fits.
    fn lowest_for(&self, size: u64) -> usize {
        let mut total = 0u64;
        let mut lowest = LEVELS;
        if self.budget == 0 {
            return lowest;
        }
        for level in (0..LEVELS).rev() {
            total = total.saturating_add(size >> level);
            if total > self.budget {
                break;
            }
            lowest = level;
        }
        lowest
    }

    /// Drops the levels below `lowest` and marks the levels from `lowest` up as held.
    fn hold_from(&self, lowest: usize) {
        let mut levels = self.levels.write().unwrap_or_else(|p| p.into_inner());
        for level in levels.lowest.min(lowest)..lowest {
            levels.hashes[level] = Vec::new();
        }
        levels.lowest = lowest;
    }

    /// Appends `hashes`, which start at index `from` of `level`; nothing if the level has moved on
    /// or is no longer held (another pass copied them, or the budget dropped the level).
    fn extend(&self, level: usize, from: u64, hashes: Vec<Hash>) {
        let mut levels = self.levels.write().unwrap_or_else(|p| p.into_inner());
        if level < levels.lowest || levels.hashes[level].len() as u64 != from {
            return;
        }
        levels.hashes[level].extend(hashes);
    }

    /// Copies every complete node of a tree of `size` leaves that is not cached yet, top level
    /// first (the top levels are few and serve every proof).
    async fn catch_up(&self, readers: &Readers, size: u64) -> Result<(), StoreError> {
        let lowest = self.lowest_for(size);
        self.hold_from(lowest);
        for level in (lowest..LEVELS).rev() {
            let complete = size >> level;
            let mut have = self.len(level);
            while have < complete {
                let upto = complete.min(have + CHUNK);
                let hashes = readers.level_hashes(level, have, upto).await?;
                let got = hashes.len() as u64;
                self.extend(level, have, hashes);
                if got < upto - have {
                    // Not all committed yet as this reader sees it: the next pass takes the rest.
                    break;
                }
                have = upto;
            }
        }
        Ok(())
    }
}

/// Keeps `cache` up with the committed head until the store is dropped (the task is aborted then).
pub(crate) async fn follow(
    cache: Arc<TreeCache>,
    readers: Readers,
    mut head: watch::Receiver<u64>,
) {
    loop {
        let size = *head.borrow_and_update();
        if let Err(error) = cache.catch_up(&readers, size).await {
            // Proofs still read what is missing from the database; try again at the next commit.
            tracing::warn!(%error, "the Merkle tree cache could not read new nodes");
        }
        tokio::time::sleep(FOLLOW_INTERVAL).await;
        if head.changed().await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_keeps_the_top_levels() {
        // 1,000 leaves: 1,000 + 500 + 250 + ... ≈ 1,994 hashes for every level.
        let all = TreeCache::new(2_000 * 32);
        assert_eq!(all.lowest_for(1_000), 0);
        let some = TreeCache::new(100 * 32);
        // Levels 4 and up hold 62 + 31 + 15 + 7 + 3 + 1 = 119 > 100; levels 5 and up hold 57.
        assert_eq!(some.lowest_for(1_000), 5);
        assert_eq!(TreeCache::new(0).lowest_for(1_000), LEVELS);
    }

    #[test]
    fn only_dense_extensions_are_kept() {
        let cache = TreeCache::new(1 << 20);
        cache.hold_from(0);
        let h = |b: u8| Hash::from_slice(&[b; 32]).unwrap();
        cache.extend(0, 0, vec![h(1), h(2)]);
        // A copy that does not start where the level ends is not kept: it would leave a hole.
        cache.extend(0, 3, vec![h(9)]);
        cache.extend(0, 1, vec![h(8)]);
        cache.extend(0, 2, vec![h(3)]);
        let at = |index| cache.get(NodeCoordinate { level: 0, index });
        assert_eq!(
            (at(0), at(1), at(2), at(3)),
            (Some(h(1)), Some(h(2)), Some(h(3)), None)
        );
        // Dropping a level forgets it.
        cache.hold_from(1);
        assert_eq!(at(0), None);
    }
}
