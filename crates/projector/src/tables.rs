//! Creating and dropping a generation's tables.
//!
//! The names of the tables a generation creates are recorded in `projection_tables` in the same
//! transaction as the `CREATE` statements, so they can be dropped after a switch even when the code
//! of that version is gone, and never by matching prefixes (which could catch another projection's
//! tables: `rm_a_v1_` is a prefix of `rm_a_v1_g2_…`).

use sqlx::AnyConnection;

use crate::checkpoint::{self, GenKey};
use crate::error::ProjectorError;
use crate::projection::Projection;

/// The table a `CREATE TABLE` statement creates, if the statement is one.
pub(crate) fn created_table(statement: &str) -> Option<String> {
    let words: Vec<&str> = statement.split_whitespace().collect();
    let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
    let table_at = upper.iter().position(|w| w == "TABLE")?;
    // Only `CREATE [UNLOGGED] TABLE`; `TABLE` elsewhere (in a comment, say) is not a creation.
    let creates = upper.first().is_some_and(|w| w == "CREATE")
        && upper[1..table_at].iter().all(|w| w == "UNLOGGED");
    if !creates {
        return None;
    }
    let mut name_at = table_at + 1;
    if upper.get(name_at..name_at + 3) == Some(&["IF".into(), "NOT".into(), "EXISTS".into()]) {
        name_at += 3;
    }
    let raw = words.get(name_at)?;
    let name = raw.split('(').next().unwrap_or(raw).trim_matches('"');
    (!name.is_empty()).then(|| name.to_owned())
}

/// Creates a generation: its tables, their record and its checkpoint at 0; optionally makes it the
/// one queries read. All in the caller's transaction.
pub(crate) async fn create_generation(
    conn: &mut AnyConnection,
    projection: &dyn Projection,
    key: GenKey,
    activate: bool,
) -> Result<(), ProjectorError> {
    let prefix = key.prefix();
    let mut seq: i64 = 0;
    for statement in projection.schema(&prefix) {
        if let Some(table) = created_table(&statement) {
            if !table.starts_with(&prefix) {
                return Err(ProjectorError::Schema {
                    name: key.name.to_owned(),
                    prefix,
                    table,
                });
            }
            sqlx::query(
                "INSERT INTO projection_tables (name, version, generation, seq, table_name) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(key.name)
            .bind(i64::from(key.version))
            .bind(i64::from(key.generation))
            .bind(seq)
            .bind(table)
            .execute(&mut *conn)
            .await?;
            seq += 1;
        }
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(&mut *conn)
            .await?;
    }
    checkpoint::insert(conn, key).await?;
    if activate {
        checkpoint::set_active(conn, key).await?;
    }
    Ok(())
}

/// Drops a generation's tables (newest first, so references between them never block the drop)
/// and forgets its checkpoint. All in the caller's transaction.
pub(crate) async fn drop_generation(
    conn: &mut AnyConnection,
    key: GenKey,
) -> Result<(), ProjectorError> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name FROM projection_tables \
         WHERE name = $1 AND version = $2 AND generation = $3 ORDER BY seq DESC",
    )
    .bind(key.name)
    .bind(i64::from(key.version))
    .bind(i64::from(key.generation))
    .fetch_all(&mut *conn)
    .await?;
    for table in tables {
        // The name was checked against the generation's prefix when it was recorded.
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP TABLE IF EXISTS {table}")))
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(
        "DELETE FROM projection_tables WHERE name = $1 AND version = $2 AND generation = $3",
    )
    .bind(key.name)
    .bind(i64::from(key.version))
    .bind(i64::from(key.generation))
    .execute(&mut *conn)
    .await?;
    checkpoint::delete(conn, key).await
}

#[cfg(test)]
mod tests {
    use super::created_table;

    #[test]
    fn table_names_are_read_from_create_statements() {
        assert_eq!(
            created_table("CREATE TABLE rm_a_v1_x (id TEXT PRIMARY KEY)").as_deref(),
            Some("rm_a_v1_x")
        );
        assert_eq!(
            created_table("create table if not exists rm_a_v1_y(id TEXT)").as_deref(),
            Some("rm_a_v1_y")
        );
        assert_eq!(
            created_table("CREATE UNLOGGED TABLE \"rm_a_v1_z\" (id TEXT)").as_deref(),
            Some("rm_a_v1_z")
        );
        assert_eq!(created_table("CREATE INDEX rm_i ON rm_a_v1_x (id)"), None);
    }
}
