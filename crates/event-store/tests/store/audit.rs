//! Audit reads: proofs from stored nodes verify against the roots of the log, and the checkpoint
//! signer keeps every checkpoint and refuses to sign over a rewritten history.

use ed25519_dalek::SigningKey;
use event_store::{AuditError, Checkpointer, CheckpointerError, ExpectedVersion};
use ledger::note::NoteSigner;
use ledger::{Frontier, ProofError, open_checkpoint, verify_consistency, verify_inclusion};
use sqlx::Connection;

use crate::support::{Backend, OnDatabase, TestDatabase, events, metadata, read_everything};

crate::backend_tests!(
    append_results_carry_the_leaf_hashes_stored_with_the_events,
    proofs_from_stored_nodes_verify_for_every_size,
    checkpoints_are_signed_once_per_size_and_kept,
    the_signer_refuses_a_history_rewritten_under_its_checkpoints,
    a_handle_that_has_not_heard_of_a_commit_still_proves_it,
    proof_reads_use_the_primary_keys,
    proofs_from_the_tree_cache_equal_the_database_ones,
);

fn signer() -> NoteSigner {
    NoteSigner::new("test.example/log", SigningKey::from_bytes(&[42; 32])).unwrap()
}

async fn fill(store: &event_store::EventStore, first: usize, appends: usize) {
    for i in first..first + appends {
        store
            .append(
                &format!("s-{}", i % 3),
                ExpectedVersion::Any,
                events(i % 4 + 1, &format!("m{i}")),
                &format!("r{i}"),
                metadata(),
            )
            .await
            .unwrap();
    }
}

async fn append_results_carry_the_leaf_hashes_stored_with_the_events(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let store = db.open().await;
    // Concurrent appends of different sizes, so several share a group commit.
    let appends: Vec<_> = (0..12)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .append(
                        &format!("s-{}", i % 3),
                        ExpectedVersion::Any,
                        events(i % 4 + 1, &format!("m{i}")),
                        &format!("r{i}"),
                        metadata(),
                    )
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut results = Vec::new();
    for append in appends {
        results.push(append.await.unwrap());
    }
    let all = read_everything(&store).await;
    for result in &results {
        assert_eq!(result.leaf_hashes.len(), result.event_count as usize);
        for (position, hash) in result.positions().zip(&result.leaf_hashes) {
            let stored = &all[usize::try_from(position).unwrap()];
            assert_eq!(&stored.leaf_hash, hash, "position {position}");
            assert_eq!(&stored.leaf_hash_recomputed().unwrap(), hash);
        }
    }
    // After a restart, a retried request id answers the hashes read back from the stored events.
    store.close().await;
    let store = db.open().await;
    for (i, original) in results.iter().enumerate() {
        let retry = store
            .append(
                &format!("s-{}", i % 3),
                ExpectedVersion::Any,
                events(i % 4 + 1, &format!("m{i}")),
                &format!("r{i}"),
                metadata(),
            )
            .await
            .unwrap();
        assert_eq!(&retry, original);
    }
    assert_eq!(read_everything(&store).await.len(), all.len());
}

async fn proofs_from_stored_nodes_verify_for_every_size(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let store = db.open().await;
    fill(&store, 0, 20).await;
    let all = read_everything(&store).await;
    let leaves: Vec<_> = all.iter().map(|e| e.leaf_hash).collect();
    let n = all.len() as u64;
    for size in 1..=n {
        let head = store.tree_head(size).await.unwrap();
        assert_eq!(
            head.root,
            ledger::root_from_leaves(&leaves[..usize::try_from(size).unwrap()])
        );
        for index in [0, size / 2, size - 1] {
            let proof = store.inclusion_proof(index, size).await.unwrap();
            let leaf = leaves[usize::try_from(index).unwrap()];
            verify_inclusion(&head, index, &leaf, &proof).unwrap();
            assert_eq!(
                store.inclusion_proof_with_leaf(index, size).await.unwrap(),
                (proof, leaf),
                "one query gives the same proof and the stored leaf"
            );
        }
        for first in [1, size / 2 + 1, size] {
            let old = store.tree_head(first).await.unwrap();
            let proof = store.consistency_proof(first, size).await.unwrap();
            verify_consistency(&old, &head, &proof).unwrap();
        }
    }
    assert!(matches!(
        store.inclusion_proof(0, n + 1).await,
        Err(AuditError::BeyondHead { size, head }) if size == n + 1 && head == n
    ));
    assert!(matches!(
        store.inclusion_proof(n, n).await,
        Err(AuditError::Proof(ProofError::IndexOutOfRange { .. }))
    ));
    assert!(matches!(
        store.consistency_proof(0, n).await,
        Err(AuditError::Proof(ProofError::BadSizes { .. }))
    ));
    let third = &all[3];
    assert_eq!(
        store.position_of_leaf(&third.leaf_hash).await.unwrap(),
        Some(3)
    );
    assert_eq!(
        store
            .get_event_by_id(third.event_id)
            .await
            .unwrap()
            .as_ref(),
        Some(third)
    );
    assert_eq!(
        store
            .position_of_leaf(&ledger::leaf_hash(b"x"))
            .await
            .unwrap(),
        None
    );
}

async fn checkpoints_are_signed_once_per_size_and_kept(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let store = db.open().await;
    let checkpointer = Checkpointer::new(store.clone(), "test.example/log", signer());
    fill(&store, 0, 5).await;
    let first = checkpointer.sign_head().await.unwrap();
    let size = store.head().await.unwrap().size;
    assert_eq!(first.tree_size, size);
    assert_eq!(
        checkpointer.sign_head().await.unwrap(),
        first,
        "one per size"
    );
    let opened = open_checkpoint(
        &first.note,
        "test.example/log",
        &[signer().verifier().clone()],
    )
    .unwrap();
    assert_eq!(opened.checkpoint.head, store.tree_head(size).await.unwrap());

    fill(&store, 5, 3).await;
    let second = checkpointer.sign_head().await.unwrap();
    assert!(second.tree_size > first.tree_size);
    assert_eq!(
        store.latest_checkpoint().await.unwrap(),
        Some(second.clone())
    );
    assert_eq!(
        store.checkpoint_of_size(first.tree_size).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(
        store
            .checkpoint_at_or_before(second.signed_at_us - 1)
            .await
            .unwrap(),
        Some(first.clone())
    );
    assert_eq!(
        store
            .checkpoint_at_or_before(first.signed_at_us - 1)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .checkpoints_between(0, u64::MAX >> 1, 10)
            .await
            .unwrap(),
        vec![first.clone(), second.clone()]
    );

    // Kept across a restart, and the table refuses changes.
    store.close().await;
    drop((store, checkpointer));
    let store = db.open().await;
    assert_eq!(store.latest_checkpoint().await.unwrap(), Some(second));
    let refused = raw(&db, &["UPDATE checkpoints SET note = 'x'"], false).await;
    assert!(refused.is_err(), "checkpoints are append-only");
}

async fn the_signer_refuses_a_history_rewritten_under_its_checkpoints(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let store = db.open().await;
    let checkpointer = Checkpointer::new(store.clone(), "test.example/log", signer());
    fill(&store, 0, 6).await;
    let signed = checkpointer.sign_head().await.unwrap();
    store.close().await;
    drop((store, checkpointer));

    // A superuser rewrites event 0 and recomputes every leaf and node, so the tables agree again.
    let mut all = {
        let store = db.open().await;
        let all = read_everything(&store).await;
        store.close().await;
        all
    };
    let forged = r#"{"marker":"forged","i":0}"#;
    all[0].payload = serde_json::value::RawValue::from_string(forged.to_owned()).unwrap();
    let leaf0 = all[0].leaf_hash_recomputed().unwrap();
    all[0].leaf_hash = leaf0;
    let mut frontier = Frontier::new();
    let mut nodes = Vec::new();
    for event in &all {
        nodes.extend(frontier.push(event.leaf_hash));
    }
    let blob = |bytes: &[u8]| match &backend {
        Backend::Sqlite => format!("X'{}'", hex::encode(bytes)),
        Backend::Postgres(_) => format!("'\\x{}'::bytea", hex::encode(bytes)),
    };
    let mut statements = vec![
        format!(
            "UPDATE events SET payload = '{forged}', leaf_hash = {} WHERE position = 0",
            blob(leaf0.as_bytes())
        ),
        "DELETE FROM merkle_nodes".to_owned(),
    ];
    for node in &nodes {
        statements.push(format!(
            "INSERT INTO merkle_nodes (level, idx, hash) VALUES ({}, {}, {})",
            node.level,
            node.index,
            blob(node.hash.as_bytes())
        ));
    }
    let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
    raw(&db, &statements, true).await.unwrap();

    let store = db.open().await;
    assert_ne!(
        store.tree_head(signed.tree_size).await.unwrap().root,
        signed.root
    );
    fill(&store, 6, 1).await;
    let checkpointer = Checkpointer::new(store.clone(), "test.example/log", signer());
    let refused = checkpointer.sign_head().await;
    assert!(
        matches!(refused, Err(CheckpointerError::Inconsistent { previous, .. }) if previous == signed.tree_size),
        "{refused:?}"
    );
    assert_eq!(store.latest_checkpoint().await.unwrap(), Some(signed));
}

async fn a_handle_that_has_not_heard_of_a_commit_still_proves_it(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let writer = db.open().await;
    let reader = db.open().await;
    fill(&writer, 0, 4).await;
    let size = writer.head().await.unwrap().size;
    // The second handle may not have heard of these commits (on SQLite it never does; on
    // PostgreSQL its notification may still be on its way): the head is then read from the database.
    let (proof, leaf) = reader
        .inclusion_proof_with_leaf(size - 1, size)
        .await
        .unwrap();
    let head = writer.tree_head(size).await.unwrap();
    verify_inclusion(&head, size - 1, &leaf, &proof).unwrap();
    assert!(matches!(
        reader.inclusion_proof(0, size + 1).await,
        Err(AuditError::BeyondHead { size: asked, head }) if asked == size + 1 && head == size
    ));
}

/// The proof's one query probes the primary keys of `events` and `merkle_nodes` and scans
/// neither table, so its cost does not grow with the log. Checked with `EXPLAIN` on a log of
/// 20,000 events with fresh statistics, for a leaf in the middle and one at the right edge.
async fn proof_reads_use_the_primary_keys(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let store = db.open().await;
    for i in 0..20u64 {
        store
            .append(
                &format!("big-{}", i % 5),
                ExpectedVersion::Any,
                events(1_000, &format!("b{i}")),
                &format!("big{i}"),
                metadata(),
            )
            .await
            .unwrap();
    }
    let size = store.head().await.unwrap().size;
    assert_eq!(size, 20_000);
    raw(&db, &["ANALYZE"], false).await.unwrap();
    for index in [12_345, size - 1] {
        let query = event_store::testing::inclusion_proof_query(index, size).unwrap();
        assert!(!query.positions.is_empty() && !query.nodes.is_empty());
        let plan = explain(&db, &query).await;
        let plan_text = plan.join("\n");
        match &backend {
            Backend::Postgres(_) => {
                assert!(!plan_text.contains("Seq Scan"), "{plan_text}");
                assert!(plan_text.contains("events_pkey"), "{plan_text}");
                assert!(plan_text.contains("merkle_nodes_pkey"), "{plan_text}");
            }
            Backend::Sqlite => {
                // SQLite says SCAN for a full table scan and SEARCH for an index probe.
                assert!(
                    plan.iter().all(|line| !line.contains("SCAN")),
                    "{plan_text}"
                );
                assert!(plan_text.contains("SEARCH events"), "{plan_text}");
                assert!(plan_text.contains("SEARCH merkle_nodes"), "{plan_text}");
            }
        }
    }
}

/// The plan of a proof query with its values bound: PostgreSQL's `EXPLAIN` lines, SQLite's
/// `EXPLAIN QUERY PLAN` details.
async fn explain(db: &TestDatabase, query: &event_store::testing::ProofQuery) -> Vec<String> {
    if db.url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        let sql = format!("EXPLAIN QUERY PLAN {}", query.sql);
        let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(sql));
        for position in &query.positions {
            q = q.bind(i64::try_from(*position).unwrap());
        }
        for (level, index) in &query.nodes {
            q = q
                .bind(i32::from(*level))
                .bind(i64::try_from(*index).unwrap());
        }
        let rows = q.fetch_all(&mut conn).await.unwrap();
        rows.into_iter().map(|(_, _, _, detail)| detail).collect()
    } else {
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        let sql = format!("EXPLAIN {}", query.sql);
        let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql));
        for position in &query.positions {
            q = q.bind(i64::try_from(*position).unwrap());
        }
        for (level, index) in &query.nodes {
            q = q
                .bind(i32::from(*level))
                .bind(i64::try_from(*index).unwrap());
        }
        q.fetch_all(&mut conn).await.unwrap()
    }
}

/// Runs SQL on the test database directly, as a superuser would; with `bypass`, the append-only
/// triggers are switched off first (PostgreSQL: replica mode for the session; SQLite: dropped).
pub(crate) async fn raw(
    db: &TestDatabase,
    statements: &[&str],
    bypass: bool,
) -> Result<(), sqlx::Error> {
    if db.url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(&db.url).await?;
        if bypass {
            for trigger in [
                "events_no_update",
                "events_no_delete",
                "merkle_nodes_no_update",
                "merkle_nodes_no_delete",
                "checkpoints_no_update",
                "checkpoints_no_delete",
            ] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP TRIGGER IF EXISTS {trigger}"
                )))
                .execute(&mut conn)
                .await?;
            }
        }
        for statement in statements {
            sqlx::query(sqlx::AssertSqlSafe(*statement))
                .execute(&mut conn)
                .await?;
        }
    } else {
        let mut conn = sqlx::PgConnection::connect(&db.url).await?;
        if bypass {
            sqlx::query("SET session_replication_role = replica")
                .execute(&mut conn)
                .await?;
        }
        for statement in statements {
            sqlx::query(sqlx::AssertSqlSafe(*statement))
                .execute(&mut conn)
                .await?;
        }
    }
    Ok(())
}

/// The hashes a tree of `size` leaves has at every level: what a cache holding all of it holds.
fn tree_hashes(size: u64) -> u64 {
    (0..64).map(|level| size >> level).sum()
}

async fn proofs_from_the_tree_cache_equal_the_database_ones(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let cached = db.open().await;
    fill(&cached, 0, 30).await;
    let n = cached.head().await.unwrap().size;
    // The follower copies what was committed; wait until it holds the whole tree.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while event_store::testing::cached_tree_hashes(&cached) < tree_hashes(n) {
        assert!(
            std::time::Instant::now() < deadline,
            "the tree cache never caught up"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        event_store::testing::cached_tree_hashes(&cached),
        tree_hashes(n)
    );
    // A handle without a cache reads every hash from the database; one with a small budget holds
    // only the top levels and reads the rest.
    let plain = db.open_with(|o| o.tree_cache_bytes = 0).await;
    let partial = db.open_with(|o| o.tree_cache_bytes = 8 * 32).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while event_store::testing::cached_tree_hashes(&partial) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the partial cache never filled"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(event_store::testing::cached_tree_hashes(&plain), 0);
    assert!(event_store::testing::cached_tree_hashes(&partial) <= 8);
    for size in 1..=n {
        for index in 0..size {
            let expected = plain.inclusion_proof_with_leaf(index, size).await.unwrap();
            assert_eq!(
                cached.inclusion_proof_with_leaf(index, size).await.unwrap(),
                expected
            );
            assert_eq!(
                partial
                    .inclusion_proof_with_leaf(index, size)
                    .await
                    .unwrap(),
                expected
            );
        }
        for first in 1..=size {
            let expected = plain.consistency_proof(first, size).await.unwrap();
            assert_eq!(
                cached.consistency_proof(first, size).await.unwrap(),
                expected
            );
        }
    }
    // More commits: the follower keeps up.
    fill(&cached, 30, 5).await;
    let grown = cached.head().await.unwrap().size;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while event_store::testing::cached_tree_hashes(&cached) < tree_hashes(grown) {
        assert!(
            std::time::Instant::now() < deadline,
            "the tree cache stopped following"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let head = cached.tree_head(grown).await.unwrap();
    let (proof, leaf) = cached
        .inclusion_proof_with_leaf(grown - 1, grown)
        .await
        .unwrap();
    verify_inclusion(&head, grown - 1, &leaf, &proof).unwrap();
}
