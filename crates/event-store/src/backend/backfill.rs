//! Tagging events recorded before a tagging scheme existed: insert the missing tag rows and move the
//! scheme's marker, in one transaction of the writer, so a crash leaves the marker behind the rows
//! it covers and a restart tags the same events again (inserting a tag row twice is a no-op).

/// `(scheme, rows, through)`: inserts every `(tag, position)` of `rows` not yet stored and raises
/// the scheme's `through` to `through` (never lowers it). Runs on a transaction (`$tx`).
macro_rules! backfill_tags {
    ($tx:expr, $scheme:expr, $rows:expr, $through:expr) => {
        async {
            let rows: &[(u64, Vec<String>)] = $rows;
            for (position, tags) in rows {
                let position = $crate::backend::rows::to_db(*position)?;
                for tag in tags {
                    sqlx::query(
                        "INSERT INTO event_tags (tag, position) VALUES ($1, $2) \
                         ON CONFLICT (tag, position) DO NOTHING",
                    )
                    .bind(tag.as_str())
                    .bind(position)
                    .execute(&mut *$tx)
                    .await?;
                }
            }
            sqlx::query(
                "INSERT INTO tag_backfill (scheme, through) VALUES ($1, $2) \
                 ON CONFLICT (scheme) DO UPDATE SET through = \
                 CASE WHEN excluded.through > tag_backfill.through \
                 THEN excluded.through ELSE tag_backfill.through END",
            )
            .bind($scheme)
            .bind($crate::backend::rows::to_db($through)?)
            .execute(&mut *$tx)
            .await?;
            Ok::<(), $crate::error::StoreError>(())
        }
    };
}

/// The scheme's `through` (0 when the scheme has no row yet). `$exec` is a pool or connection.
macro_rules! backfilled_through {
    ($exec:expr, $scheme:expr) => {
        async {
            let found: Option<i64> =
                sqlx::query_scalar("SELECT through FROM tag_backfill WHERE scheme = $1")
                    .bind($scheme)
                    .fetch_optional($exec)
                    .await?;
            Ok::<u64, $crate::error::StoreError>(found.map_or(0, |t| u64::try_from(t).unwrap_or(0)))
        }
    };
}

pub(crate) use {backfill_tags, backfilled_through};
