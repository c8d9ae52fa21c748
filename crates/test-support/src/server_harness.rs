//! The real server on port 0, through `server::run_with`, with its own data folder and, on
//! PostgreSQL, its own database: what the shell tests of `server` and the end-to-end tests start.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Once;
use std::time::Duration;

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
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_types::StatusExt;

use crate::database::fresh_postgres;

/// A running server with its own data folder (and database).
pub struct TestServer {
    pub addr: SocketAddr,
    pub config: Config,
    calls: CallLog,
    _dir: TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    handle: JoinHandle<Result<(), RunError>>,
}

static TELEMETRY: Once = Once::new();

/// Installs telemetry once per test binary, as `medaid serve` does at start, so that request spans
/// carry the caller's trace and the trace id reaches event metadata as in production.
fn install_telemetry(config: &Config) {
    TELEMETRY.call_once(|| {
        let guard = server::telemetry::init(&config.telemetry).expect("telemetry installs");
        // No exporter runs in tests; the provider only has to live as long as the process.
        std::mem::forget(guard);
    });
}

/// The compiled-in defaults with a data folder, read without the process environment, made for
/// a busy test machine: no drain delay, and 10 s to get a database connection (many servers start
/// at once, each creating and migrating a database; the production 1 s is for outages).
pub fn test_config(data_dir: &std::path::Path) -> Config {
    let overrides = Overrides {
        data_dir: Some(data_dir.to_owned()),
        ..Overrides::default()
    };
    let mut config: Config = Config::figment(None, None, &overrides)
        .extract()
        .expect("the compiled-in defaults are a valid configuration");
    config.telemetry.log_filter = "warn".into();
    config.server.drain_delay_ms = 0;
    config.limits.store_timeout_ms = 10_000;
    config
}

impl TestServer {
    /// Starts the server on SQLite (`None`) or on a fresh database of the PostgreSQL server whose
    /// admin URL is given, and waits until it is SERVING.
    pub async fn start(database: Option<&str>) -> TestServer {
        TestServer::start_with(database, RunOptions::default()).await
    }

    /// [`TestServer::start`] with extra wiring (metrics, a health probe), through `server::run_with`.
    pub async fn start_with(database: Option<&str>, options: RunOptions) -> TestServer {
        let server = TestServer::launch(database, |_| {}, options).await;
        server.wait_for_health(ServingStatus::Serving).await;
        server
    }

    /// Starts the server on SQLite with `configure` applied to [`test_config`], without waiting
    /// for it to serve (a server with TLS does not answer plain health checks).
    pub async fn configured(configure: impl FnOnce(&mut Config)) -> TestServer {
        TestServer::launch(None, configure, RunOptions::default()).await
    }

    /// The general form: backend, configuration and wiring; returns once the port is bound.
    pub async fn launch(
        database: Option<&str>,
        configure: impl FnOnce(&mut Config),
        options: RunOptions,
    ) -> TestServer {
        let dir = tempfile::tempdir().expect("a temporary folder");
        server::status::observe_reasons();
        let mut config = test_config(dir.path());
        install_telemetry(&config);
        if let Some(admin_url) = database {
            config.database_url =
                Some(secrecy::SecretString::from(fresh_postgres(admin_url).await));
        }
        configure(&mut config);
        config.validate().expect("the test configuration is valid");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port on loopback");
        let addr = listener.local_addr().expect("a bound address");
        let (tx, rx) = oneshot::channel::<()>();
        let calls = CallLog::default();
        let options = RunOptions {
            call_log: Some(calls.clone()),
            ..options
        };
        let run_config = config.clone();
        let handle = tokio::spawn(async move {
            run_with(
                run_config,
                listener,
                async { rx.await.unwrap_or(()) },
                options,
            )
            .await
        });
        TestServer {
            addr,
            config,
            calls,
            _dir: dir,
            shutdown: Some(tx),
            handle,
        }
    }

    pub async fn channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.addr))
            .expect("a valid URI")
            .connect()
            .await
            .expect("the server accepts connections")
    }

    /// The overall health the server reports now, `None` while it does not answer.
    pub async fn health_now(&self) -> Option<ServingStatus> {
        let channel = Channel::from_shared(format!("http://{}", self.addr))
            .expect("a valid URI")
            .connect()
            .await
            .ok()?;
        let reply = HealthClient::new(channel)
            .check(HealthCheckRequest {
                service: String::new(),
            })
            .await
            .ok()?;
        ServingStatus::try_from(reply.into_inner().status).ok()
    }

    /// The overall health; panics if the server does not answer.
    pub async fn health(&self) -> ServingStatus {
        self.health_now()
            .await
            .expect("the server answers health checks")
    }

    /// Waits until the overall health reports `want`, failing after 10 s.
    pub async fn wait_for_health(&self, want: ServingStatus) {
        for _ in 0..400 {
            if self.health_now().await == Some(want) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("health never became {want:?}");
    }

    /// The method paths this server answered for an authenticated caller so far.
    pub fn called(&self) -> BTreeSet<String> {
        self.calls.paths()
    }

    /// A bearer token from the development key.
    pub fn token(&self, roles: &[&str], scope: &[&str]) -> String {
        dev_token(&self.config, &token_args(roles, scope)).expect("the development key signs")
    }

    /// A token that records, reads and administers everywhere (erasing personal data needs the
    /// admin role).
    pub fn admin_token(&self) -> String {
        self.token(&["recorder", "reader", "admin"], &["*"])
    }

    /// Starts the graceful shutdown without waiting for it.
    pub fn begin_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// Shuts down and returns how the server ended, within 20 s.
    pub async fn shut_down(mut self) -> Result<(), RunError> {
        self.begin_shutdown();
        tokio::time::timeout(Duration::from_secs(20), self.handle)
            .await
            .expect("the server stops within the grace period")
            .expect("the server task does not panic")
    }

    /// Shuts down and checks that the server stopped cleanly, and that every refusal built in this
    /// process answered the code `errors.proto` documents for its reason.
    pub async fn stop(self) {
        self.shut_down().await.expect("the server stops cleanly");
        assert_reasons_documented();
    }
}

/// Every reason the servers of this process answered (`server::status::observed_reasons`) is one
/// `errors.proto` documents, with the code it documents for it.
pub(crate) fn assert_reasons_documented() {
    let documented = crate::errors_proto::documented_codes();
    let wrong: Vec<String> = server::status::observed_reasons()
        .into_iter()
        .filter(|(reason, code)| {
            documented.get(reason).map(String::as_str) != Some(code_name(*code))
        })
        .map(|(reason, code)| {
            format!(
                "{reason} answered {}, errors.proto documents {:?}",
                code_name(code),
                documented.get(&reason)
            )
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The development-token arguments for `roles` over `scope`, subject `tester`.
pub fn token_args(roles: &[&str], scope: &[&str]) -> DevTokenArgs {
    DevTokenArgs {
        roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        scope: scope.iter().map(|s| (*s).to_owned()).collect(),
        subject: "tester".into(),
        ttl: 600,
        data_dir: None,
    }
}

/// Wraps a message with the bearer token.
pub fn authed<T>(token: &str, message: T) -> Request<T> {
    let mut request = Request::new(message);
    let value: MetadataValue<_> = format!("Bearer {token}").parse().expect("a token is ASCII");
    request.metadata_mut().insert("authorization", value);
    request
}

/// Checks the code and the `ErrorInfo` (domain `medaid.v1`, `reason`) of a refusal.
pub fn assert_refused(status: &Status, code: Code, reason: &str) {
    assert_eq!(status.code(), code, "{status:?}");
    let info = status
        .get_details_error_info()
        .unwrap_or_else(|| panic!("no ErrorInfo in {status:?}"));
    assert_eq!(info.domain, "medaid.v1");
    assert_eq!(info.reason, reason, "{status:?}");
    // The reason is one errors.proto lists, with the code it documents for it.
    let documented = crate::errors_proto::documented_codes().get(reason);
    assert_eq!(
        documented.map(String::as_str),
        Some(code_name(code)),
        "errors.proto documents {reason} with another code (or not at all) than the server answered"
    );
}

/// The code as `errors.proto` and the gRPC spec spell it.
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}
