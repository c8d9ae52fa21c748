//! Starting the server, minting tokens, building clients and the shared test data of seed 000.

use std::net::SocketAddr;
use std::time::Duration;

use domain::values::CreditCode;
use server::call_log::CallLog;
use server::cli::{DevTokenArgs, dev_token};
use server::config::{Config, Overrides};
use server::{RunError, RunOptions, run_with};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::metadata::MetadataValue;
use tonic::transport::Channel;
use tonic::{Code, Request, Status};
use tonic_types::StatusExt;

/// A running server with its own data directory (and database).
pub(crate) struct TestServer {
    pub(crate) addr: SocketAddr,
    pub(crate) config: Config,
    calls: CallLog,
    _dir: TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    handle: JoinHandle<Result<(), RunError>>,
}

/// Backends to run each test against: SQLite always, PostgreSQL when configured.
pub(crate) fn backends() -> Vec<Option<String>> {
    let mut out = vec![None];
    if let Ok(url) = std::env::var("MEDAID_TEST_DATABASE_URL")
        && !url.is_empty()
    {
        out.push(Some(url));
    }
    out
}

/// Creates a fresh PostgreSQL database next to the one `base` names and returns its URL.
async fn fresh_postgres(base: &str) -> String {
    use sqlx::Connection;
    let name = format!("medaid_e2e_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(base).await.unwrap();
    let statement = format!("CREATE DATABASE {name}");
    sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
        .execute(&mut conn)
        .await
        .unwrap();
    let (prefix, _) = base.rsplit_once('/').unwrap();
    format!("{prefix}/{name}")
}

static TELEMETRY: std::sync::Once = std::sync::Once::new();

/// Installs telemetry once per test binary, as `medaid serve` does at start, so that request spans
/// carry the caller's trace and the trace id reaches event metadata as in production.
fn install_telemetry(config: &Config) {
    TELEMETRY.call_once(|| {
        let guard = server::telemetry::init(&config.telemetry).unwrap();
        // No exporter runs in tests; the provider only has to live as long as the process.
        std::mem::forget(guard);
    });
}

impl TestServer {
    /// Starts the server through `server::run`, on SQLite or on a fresh PostgreSQL database.
    pub(crate) async fn start(database: Option<&str>) -> TestServer {
        TestServer::start_with(database, server::RunOptions::default()).await
    }

    /// [`TestServer::start`] with extra wiring (metrics, say), through `server::run_with`.
    pub(crate) async fn start_with(
        database: Option<&str>,
        options: server::RunOptions,
    ) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let overrides = Overrides {
            data_dir: Some(dir.path().to_owned()),
            ..Overrides::default()
        };
        let mut config: Config = Config::figment(None, None, &overrides).extract().unwrap();
        config.telemetry.log_filter = "warn".into();
        config.server.drain_delay_ms = 0;
        // Many servers start at once here, each creating and migrating a database; the production
        // default of 1 s to get a connection is for outages, not for a machine this busy.
        config.limits.store_timeout_ms = 10_000;
        install_telemetry(&config);
        if let Some(base) = database {
            config.database_url = Some(secrecy::SecretString::from(fresh_postgres(base).await));
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let run_config = config.clone();
        let calls = CallLog::default();
        let options = RunOptions {
            call_log: Some(calls.clone()),
            ..options
        };
        let handle = tokio::spawn(async move {
            run_with(
                run_config,
                listener,
                async { rx.await.unwrap_or(()) },
                options,
            )
            .await
        });
        let server = TestServer {
            addr,
            config,
            calls,
            _dir: dir,
            shutdown: Some(tx),
            handle,
        };
        server.wait_until_serving().await;
        server
    }

    async fn wait_until_serving(&self) {
        use tonic_health::pb::HealthCheckRequest;
        use tonic_health::pb::health_client::HealthClient;
        for _ in 0..200 {
            if let Ok(channel) = Channel::from_shared(format!("http://{}", self.addr))
                .unwrap()
                .connect()
                .await
            {
                let reply = HealthClient::new(channel)
                    .check(HealthCheckRequest {
                        service: String::new(),
                    })
                    .await;
                if reply.is_ok_and(|r| r.into_inner().status == 1) {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the server never became SERVING");
    }

    pub(crate) async fn channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.addr))
            .unwrap()
            .connect()
            .await
            .unwrap()
    }

    /// The method paths this server answered for an authenticated caller so far.
    pub(crate) fn called(&self) -> std::collections::BTreeSet<String> {
        self.calls.paths()
    }

    /// A bearer token from the development key.
    pub(crate) fn token(&self, roles: &[&str], scope: &[&str]) -> String {
        let args = DevTokenArgs {
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            scope: scope.iter().map(|s| (*s).to_owned()).collect(),
            subject: "e2e".into(),
            ttl: 600,
            data_dir: None,
        };
        dev_token(&self.config, &args).unwrap()
    }

    /// A token that records and reads everywhere.
    pub(crate) fn admin_token(&self) -> String {
        self.token(&["recorder", "reader"], &["*"])
    }

    pub(crate) async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let result = tokio::time::timeout(Duration::from_secs(20), self.handle)
            .await
            .expect("the server stops within the grace period")
            .expect("the server task does not panic");
        result.expect("the server stops cleanly");
    }
}

/// Wraps a message with the bearer token.
pub(crate) fn authed<T>(token: &str, message: T) -> Request<T> {
    let mut request = Request::new(message);
    let value: MetadataValue<_> = format!("Bearer {token}").parse().unwrap();
    request.metadata_mut().insert("authorization", value);
    request
}

/// A fresh request id (UUID4, AIP-155).
pub(crate) fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A credit code in a division with a valid check character, like the domain's fixtures.
pub(crate) fn org(division: &str, n: u32) -> String {
    CreditCode::complete(&format!("12{division}{n:08}"))
        .unwrap()
        .to_string()
}

/// 兰州大学第一医院 (Lanzhou), the supporting hospital of seed 000.
pub(crate) fn lzu_first() -> String {
    org("620000", 1)
}

/// 会宁县人民医院 (白银市会宁县), the recipient of seed 000.
pub(crate) fn huining() -> String {
    org("620422", 2)
}

/// Checks the code and the `ErrorInfo` of a refusal and returns the status for further checks.
pub(crate) fn assert_refused(status: &Status, code: Code, reason: &str) {
    assert_eq!(status.code(), code, "{status:?}");
    let info = status
        .get_details_error_info()
        .unwrap_or_else(|| panic!("no ErrorInfo in {status:?}"));
    assert_eq!(info.domain, "medaid.v1");
    assert_eq!(info.reason, reason, "{status:?}");
}
