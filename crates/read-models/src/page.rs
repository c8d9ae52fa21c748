//! Answers, pages and the opaque keyset cursor shared by the list queries.

use sqlx::any::AnyRow;
use sqlx::{AnyPool, AssertSqlSafe, Row};

/// The largest page any list query returns.
pub const MAX_PAGE_SIZE: usize = 1_000;

/// Why a query failed.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("read-model database error")]
    Database(#[from] sqlx::Error),
    #[error("invalid page cursor")]
    InvalidCursor,
    #[error("read-model row is malformed: {0}")]
    Corrupt(String),
    /// The one subject asked about is absent (or hidden from the caller, which must look the same).
    #[error("{what} not found")]
    NotFound { reason: &'static str, what: String },
}

/// A single answer and the log position it reflects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer<T> {
    pub position: u64,
    pub value: T,
}

/// What page of a list to return: at most `page_size` items after `cursor` (from a previous page).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    pub page_size: usize,
    pub cursor: Option<String>,
}

impl PageRequest {
    /// The first page of `page_size` items.
    pub fn first(page_size: usize) -> PageRequest {
        PageRequest {
            page_size,
            cursor: None,
        }
    }
}

/// One page of a list, the cursor of the next page (if any), and the log position it reflects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
    pub position: u64,
}

/// Pages `items` (sorted by the unique `key`) after the cursor's key. The cursor is the hex of
/// `position:key`, so a list paged at a later position resumes after the same item.
pub(crate) fn paginate<T>(
    mut items: Vec<T>,
    key: impl Fn(&T) -> String,
    request: &PageRequest,
    position: u64,
) -> Result<Page<T>, QueryError> {
    items.sort_by_key(|item| key(item));
    if let Some(cursor) = &request.cursor {
        let after = decode_cursor(cursor)?;
        items.retain(|item| key(item) > after);
    }
    let size = request.page_size.clamp(1, MAX_PAGE_SIZE);
    let next_cursor = if items.len() > size {
        items.truncate(size);
        items.last().map(|last| encode_cursor(position, &key(last)))
    } else {
        None
    };
    Ok(Page {
        items,
        next_cursor,
        position,
    })
}

fn encode_cursor(position: u64, key: &str) -> String {
    format!("{position}:{key}")
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn decode_cursor(cursor: &str) -> Result<String, QueryError> {
    if !cursor.len().is_multiple_of(2) {
        return Err(QueryError::InvalidCursor);
    }
    let bytes = (0..cursor.len())
        .step_by(2)
        .map(|i| {
            cursor
                .get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or(QueryError::InvalidCursor)?;
    let text = String::from_utf8(bytes).map_err(|_| QueryError::InvalidCursor)?;
    let (position, key) = text.split_once(':').ok_or(QueryError::InvalidCursor)?;
    position
        .parse::<u64>()
        .map_err(|_| QueryError::InvalidCursor)?;
    Ok(key.to_owned())
}

/// Runs a query with text parameters `$1..` against the prefixed tables (`{p}` in `sql`).
pub(crate) async fn fetch(
    pool: &AnyPool,
    prefix: &str,
    sql: &str,
    binds: &[&str],
) -> Result<Vec<AnyRow>, QueryError> {
    let sql = sql.replace("{p}", prefix);
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for bind in binds {
        query = query.bind((*bind).to_owned());
    }
    Ok(query.fetch_all(pool).await?)
}

/// A text column.
pub(crate) fn text(row: &AnyRow, column: &str) -> Result<String, QueryError> {
    Ok(row.try_get::<String, _>(column)?)
}

/// A nullable text column.
pub(crate) fn opt_text(row: &AnyRow, column: &str) -> Result<Option<String>, QueryError> {
    Ok(row.try_get::<Option<String>, _>(column)?)
}

/// An integer column.
pub(crate) fn int(row: &AnyRow, column: &str) -> Result<i64, QueryError> {
    Ok(row.try_get::<i64, _>(column)?)
}

/// A nullable integer column.
pub(crate) fn opt_int(row: &AnyRow, column: &str) -> Result<Option<i64>, QueryError> {
    Ok(row.try_get::<Option<i64>, _>(column)?)
}

/// A column holding a domain enum by its serde tag (as [`crate::fact::tag`] wrote it), parsed back
/// into the enum; a tag the enum does not know is a corrupt row, never a silent default.
pub(crate) fn tag<T: serde::de::DeserializeOwned>(
    row: &AnyRow,
    column: &str,
) -> Result<T, QueryError> {
    parse_tag(column, text(row, column)?)
}

/// A nullable enum column.
pub(crate) fn opt_tag<T: serde::de::DeserializeOwned>(
    row: &AnyRow,
    column: &str,
) -> Result<Option<T>, QueryError> {
    opt_text(row, column)?
        .map(|value| parse_tag(column, value))
        .transpose()
}

/// Parses a serde tag back into its enum.
pub(crate) fn parse_tag<T: serde::de::DeserializeOwned>(
    column: &str,
    value: String,
) -> Result<T, QueryError> {
    serde_json::from_value(serde_json::Value::String(value))
        .map_err(|error| QueryError::Corrupt(format!("{column}: {error}")))
}

/// A non-negative integer column as `u64`.
pub(crate) fn uint(row: &AnyRow, column: &str) -> Result<u64, QueryError> {
    let value = int(row, column)?;
    u64::try_from(value).map_err(|_| QueryError::Corrupt(format!("{column} is negative")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_resume_after_the_cursor_and_end_without_one() {
        let items: Vec<u32> = (0..5).collect();
        let key = |n: &u32| format!("{n:03}");
        let first = paginate(items.clone(), key, &PageRequest::first(2), 7).unwrap();
        assert_eq!(first.items, vec![0, 1]);
        assert_eq!(first.position, 7);
        let cursor = first.next_cursor.clone().unwrap();
        assert!(!cursor.contains("001"), "the cursor is opaque");
        let second = paginate(
            items.clone(),
            key,
            &PageRequest {
                page_size: 2,
                cursor: Some(cursor),
            },
            9,
        )
        .unwrap();
        assert_eq!(second.items, vec![2, 3]);
        let third = paginate(
            items,
            key,
            &PageRequest {
                page_size: 2,
                cursor: second.next_cursor,
            },
            9,
        )
        .unwrap();
        assert_eq!(third.items, vec![4]);
        assert!(third.next_cursor.is_none());
    }

    #[test]
    fn a_foreign_cursor_is_refused() {
        for cursor in ["xyz", "abc", "7a7a"] {
            let request = PageRequest {
                page_size: 2,
                cursor: Some(cursor.into()),
            };
            assert!(matches!(
                paginate(vec![1u32], |n| n.to_string(), &request, 0),
                Err(QueryError::InvalidCursor)
            ));
        }
    }

    #[test]
    fn tags_parse_back_into_their_enum_or_are_corrupt() {
        use domain::aggregates::deployment::Post;
        let post: Post = parse_tag("post", "department_head".to_owned()).unwrap();
        assert_eq!(post, Post::DepartmentHead);
        let unknown = parse_tag::<Post>("post", "janitor".to_owned());
        assert!(
            matches!(unknown, Err(QueryError::Corrupt(_))),
            "{unknown:?}"
        );
    }

    #[test]
    fn page_sizes_are_clamped() {
        let items: Vec<u32> = (0..3).collect();
        let page = paginate(items, |n| n.to_string(), &PageRequest::first(0), 0).unwrap();
        assert_eq!(page.items.len(), 1);
    }
}
