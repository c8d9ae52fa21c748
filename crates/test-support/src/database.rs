//! Fresh, empty databases for tests: a file in a temporary folder on SQLite, a new database on the
//! PostgreSQL server named by `MEDAID_TEST_DATABASE_URL`.
//!
//! Every PostgreSQL database a test creates is named [`PREFIX`] + 32 hex digits and is left for
//! inspection; `scripts/test.sh` drops those of earlier runs by that pattern.

use sqlx::Connection;
use tempfile::TempDir;

/// The name prefix of every test database on PostgreSQL.
pub const PREFIX: &str = "medaid_test_";

/// The environment variable naming a PostgreSQL server the tests may create databases on.
pub const ENV: &str = "MEDAID_TEST_DATABASE_URL";

/// Which database a test runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    /// The admin URL of a PostgreSQL server; each test creates its own database through it.
    Postgres(String),
}

impl Backend {
    /// PostgreSQL, if the suite was given a server (and a note on stderr when it was not).
    pub fn postgres() -> Option<Backend> {
        match std::env::var(ENV) {
            Ok(url) if !url.is_empty() => Some(Backend::Postgres(url)),
            _ => {
                eprintln!("{ENV} is not set: PostgreSQL case not run");
                None
            }
        }
    }

    /// The admin URL on PostgreSQL, `None` on SQLite.
    pub fn admin_url(&self) -> Option<&str> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres(url) => Some(url),
        }
    }
}

/// SQLite always; PostgreSQL too when `MEDAID_TEST_DATABASE_URL` names a server.
pub fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    all.extend(Backend::postgres());
    all
}

/// A fresh, empty database for one test; the SQLite folder lives as long as this value.
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    pub backend: Backend,
    dir: Option<TempDir>,
}

impl TestDatabase {
    pub async fn new(backend: &Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary folder");
                let url = format!("sqlite:{}", dir.path().join("log.db").display());
                TestDatabase {
                    url,
                    backend: Backend::Sqlite,
                    dir: Some(dir),
                }
            }
            Backend::Postgres(admin_url) => TestDatabase {
                url: fresh_postgres(admin_url).await,
                backend: backend.clone(),
                dir: None,
            },
        }
    }

    pub async fn sqlite() -> TestDatabase {
        TestDatabase::new(&Backend::Sqlite).await
    }

    /// The folder of the SQLite file; `None` on PostgreSQL.
    pub fn dir(&self) -> Option<&std::path::Path> {
        self.dir.as_ref().map(TempDir::path)
    }

    /// Every byte the database holds, as a backup would take it: see [`stored_bytes`].
    pub fn stored_bytes(&self) -> Vec<u8> {
        stored_bytes(&self.url, self.dir())
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// Waits until no other session is connected to this database (PostgreSQL; SQLite returns).
    ///
    /// A PostgreSQL server finishes a `COMMIT` it has received even when the client process was
    /// killed right after sending it, so a crashed writer's last group may land a moment after the
    /// process is gone. Only once its sessions have ended is the log final.
    pub async fn wait_for_other_sessions_to_end(&self) {
        if !self.is_postgres() {
            return;
        }
        let mut conn = sqlx::PgConnection::connect(&self.url)
            .await
            .expect("the test database answers");
        for _ in 0..600 {
            let others: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
            )
            .fetch_one(&mut conn)
            .await
            .expect("pg_stat_activity is readable");
            if others == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the killed writer's database sessions did not end within 30 s");
    }
}

/// Every byte a database holds, as a backup would take it: the plain-text `pg_dump` of a PostgreSQL
/// database (`pg_dump` from `PG_DUMP`, else `/usr/bin/pg_dump`, else the path), or every file in the
/// folder of a SQLite database and its subfolders (the file, its WAL and shared memory). Erasure tests grep it.
pub fn stored_bytes(url: &str, sqlite_dir: Option<&std::path::Path>) -> Vec<u8> {
    if url.starts_with("postgres") {
        let program = std::env::var("PG_DUMP").unwrap_or_else(|_| {
            if std::path::Path::new("/usr/bin/pg_dump").exists() {
                "/usr/bin/pg_dump".to_owned()
            } else {
                "pg_dump".to_owned()
            }
        });
        let out = std::process::Command::new(&program)
            .args(["--no-owner", "--no-privileges", "--dbname", url])
            .output()
            .unwrap_or_else(|e| panic!("{program} runs: {e}"));
        assert!(
            out.status.success(),
            "{program} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stdout.len() > 1_000,
            "the dump holds the schema at least"
        );
        return out.stdout;
    }
    let dir = sqlite_dir.expect("a SQLite database lives in a folder");
    let mut bytes = Vec::new();
    let mut folders = vec![dir.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("the database folder is readable") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.is_file() {
                bytes.extend(std::fs::read(&path).expect("a database file is readable"));
            }
        }
    }
    assert!(!bytes.is_empty(), "the folder holds the database");
    bytes
}

/// Whether `needle` occurs in `haystack`.
pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Creates a database named [`PREFIX`] + a random suffix on the server of `admin_url` and returns
/// its URL (the admin URL with the database name replaced, query kept).
pub async fn fresh_postgres(admin_url: &str) -> String {
    let name = format!("{PREFIX}{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("the PostgreSQL server of MEDAID_TEST_DATABASE_URL answers");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("the test role may create databases");
    with_database(admin_url, &name)
}

/// The same server URL with another database name.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let prefix = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    format!("{prefix}/{name}{query}")
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_is_replaced_and_the_query_kept() {
        assert_eq!(
            with_database("postgres://u@h:5432/test?sslmode=disable", "x"),
            "postgres://u@h:5432/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
