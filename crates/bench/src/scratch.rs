//! Databases made for one measurement and removed after it: a temporary SQLite file, or a database
//! created on the PostgreSQL server the bench was pointed at and dropped with `WITH (FORCE)`.
//!
//! A scratch database can also be copied (`CREATE DATABASE … TEMPLATE` on PostgreSQL, `VACUUM INTO`
//! on SQLite), so that a log written once can be projected many times from position 0.

use sqlx::{Connection, PgConnection, SqliteConnection};
use tempfile::TempDir;

/// A PostgreSQL database created for one run and dropped after it.
pub(crate) struct ScratchDatabase {
    server_url: String,
    name: String,
    pub(crate) url: String,
}

impl ScratchDatabase {
    pub(crate) async fn create(server_url: &str) -> anyhow::Result<ScratchDatabase> {
        ScratchDatabase::create_from(server_url, None).await
    }

    /// Creates a database, empty or as a copy of `template` (which must have no open connection).
    async fn create_from(
        server_url: &str,
        template: Option<&str>,
    ) -> anyhow::Result<ScratchDatabase> {
        let name = format!("medaid_bench_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(server_url).await?;
        let sql = match template {
            Some(template) => format!("CREATE DATABASE {name} TEMPLATE {template}"),
            None => format!("CREATE DATABASE {name}"),
        };
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut admin)
            .await?;
        let base = server_url.split('?').next().unwrap_or(server_url);
        let prefix = base.rsplit_once('/').map_or(base, |(prefix, _)| prefix);
        Ok(ScratchDatabase {
            server_url: server_url.to_owned(),
            url: format!("{prefix}/{name}"),
            name,
        })
    }

    /// A new database holding a copy of this one. Connections still open on this database (a pool
    /// closing in the background) are ended first, because PostgreSQL copies only an idle template.
    pub(crate) async fn copy(&self) -> anyhow::Result<ScratchDatabase> {
        let mut admin = PgConnection::connect(&self.server_url).await?;
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid()",
        )
        .bind(&self.name)
        .execute(&mut admin)
        .await?;
        ScratchDatabase::create_from(&self.server_url, Some(&self.name)).await
    }

    pub(crate) async fn drop_it(self) -> anyhow::Result<()> {
        let mut admin = PgConnection::connect(&self.server_url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .execute(&mut admin)
        .await?;
        Ok(())
    }
}

/// A scratch database on either backend.
pub(crate) enum Scratch {
    /// The directory holding the database file; it is deleted when dropped.
    Sqlite {
        _dir: TempDir,
        url: String,
    },
    Postgres(ScratchDatabase),
}

impl Scratch {
    /// An empty database on `backend` (`sqlite`, or `postgres` on the server at `server_url`).
    pub(crate) async fn create(backend: &str, server_url: &str) -> anyhow::Result<Scratch> {
        match backend {
            "sqlite" => {
                let dir = tempfile::tempdir()?;
                let url = format!("sqlite:{}", dir.path().join("bench.db").display());
                Ok(Scratch::Sqlite { _dir: dir, url })
            }
            "postgres" => Ok(Scratch::Postgres(
                ScratchDatabase::create(server_url).await?,
            )),
            other => anyhow::bail!("unknown backend {other:?}"),
        }
    }

    pub(crate) fn url(&self) -> &str {
        match self {
            Scratch::Sqlite { url, .. } => url,
            Scratch::Postgres(database) => &database.url,
        }
    }

    /// A copy of this database, to be dropped on its own.
    pub(crate) async fn copy(&self) -> anyhow::Result<Scratch> {
        match self {
            Scratch::Sqlite { url, .. } => {
                let copy = tempfile::tempdir()?;
                let path = copy.path().join("bench.db");
                let mut source = SqliteConnection::connect(url).await?;
                sqlx::query("VACUUM INTO $1")
                    .bind(path.display().to_string())
                    .execute(&mut source)
                    .await?;
                source.close().await?;
                Ok(Scratch::Sqlite {
                    url: format!("sqlite:{}", path.display()),
                    _dir: copy,
                })
            }
            Scratch::Postgres(database) => Ok(Scratch::Postgres(database.copy().await?)),
        }
    }

    /// Removes the database (the temporary directory goes when dropped).
    pub(crate) async fn drop_it(self) -> anyhow::Result<()> {
        match self {
            Scratch::Sqlite { .. } => Ok(()),
            Scratch::Postgres(database) => database.drop_it().await,
        }
    }
}
