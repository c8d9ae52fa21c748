//! Starts the real server on port 0 through `server::run_with` and gives tests clients for it.

use std::net::SocketAddr;
use std::sync::{Arc, Once};
use std::time::Duration;

use server::cli::DevTokenArgs;
use server::config::{Config, Overrides};
use server::health::HealthProbe;
use server::session::WHO_AM_I_PATH;
use server::{RunError, RunOptions};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::Code;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_prost::ProstCodec;
use tonic_types::StatusExt;

static TELEMETRY: Once = Once::new();

/// Installs telemetry once per test binary, so request spans get trace ids as in production.
pub(crate) fn telemetry() {
    TELEMETRY.call_once(|| {
        let config = test_config(std::path::Path::new("unused"));
        let guard = server::telemetry::init(&config.telemetry).unwrap();
        // The provider has no exporter in tests; keeping it alive for the whole process is enough.
        std::mem::forget(guard);
    });
}

/// The compiled-in defaults with a data directory, read without the process environment.
pub(crate) fn test_config(data_dir: &std::path::Path) -> Config {
    let overrides = Overrides {
        data_dir: Some(data_dir.to_owned()),
        ..Overrides::default()
    };
    let mut config: Config = Config::figment(None, None, &overrides).extract().unwrap();
    config.telemetry.log_filter = "warn".into();
    config
}

pub(crate) struct TestServer {
    pub(crate) addr: SocketAddr,
    pub(crate) config: Config,
    _dir: TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    handle: JoinHandle<Result<(), RunError>>,
}

impl TestServer {
    pub(crate) async fn start(configure: impl FnOnce(&mut Config)) -> TestServer {
        TestServer::start_with(configure, None).await
    }

    pub(crate) async fn start_with(
        configure: impl FnOnce(&mut Config),
        probe: Option<Arc<dyn HealthProbe>>,
    ) -> TestServer {
        let options = RunOptions {
            health_probe: probe,
            extra_services: None,
            ..RunOptions::default()
        };
        TestServer::start_with_options(configure, options).await
    }

    pub(crate) async fn start_with_options(
        configure: impl FnOnce(&mut Config),
        options: RunOptions,
    ) -> TestServer {
        telemetry();
        let dir = tempfile::tempdir().unwrap();
        let mut config = test_config(dir.path());
        configure(&mut config);
        config.validate().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let run_config = config.clone();
        let handle = tokio::spawn(async move {
            server::run_with(
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
            _dir: dir,
            shutdown: Some(tx),
            handle,
        }
    }

    pub(crate) async fn channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.addr))
            .unwrap()
            .connect()
            .await
            .unwrap()
    }

    pub(crate) async fn health(&self) -> ServingStatus {
        let mut client = HealthClient::new(self.channel().await);
        let response = client
            .check(HealthCheckRequest {
                service: String::new(),
            })
            .await
            .unwrap();
        ServingStatus::try_from(response.into_inner().status).unwrap()
    }

    /// Waits until the overall health reports `want`, failing after a few seconds.
    pub(crate) async fn wait_for_health(&self, want: ServingStatus) {
        for _ in 0..100 {
            if self.health().await == want {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("health never became {want:?}");
    }

    pub(crate) fn begin_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    pub(crate) async fn stop(mut self) -> Result<(), RunError> {
        self.begin_shutdown();
        tokio::time::timeout(Duration::from_secs(10), self.handle)
            .await
            .unwrap()
            .unwrap()
    }
}

/// Calls `medaid.internal.v1.Session/WhoAmI` with the given metadata and returns the JSON it answers.
pub(crate) async fn who_am_i(
    channel: Channel,
    headers: &[(&'static str, String)],
    body: String,
) -> Result<serde_json::Value, tonic::Status> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.unwrap();
    let mut request = tonic::Request::new(body);
    for (key, value) in headers {
        request.metadata_mut().insert(*key, value.parse().unwrap());
    }
    let codec = ProstCodec::<String, String>::default();
    let response = grpc
        .unary(request, PathAndQuery::from_static(WHO_AM_I_PATH), codec)
        .await?;
    Ok(serde_json::from_str(&response.into_inner()).unwrap())
}

pub(crate) fn bearer(token: &str) -> (&'static str, String) {
    ("authorization", format!("Bearer {token}"))
}

pub(crate) fn token_args(roles: &[&str], scope: &[&str]) -> DevTokenArgs {
    DevTokenArgs {
        roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        scope: scope.iter().map(|s| (*s).to_owned()).collect(),
        subject: "tester".into(),
        ttl: 600,
        data_dir: None,
    }
}

pub(crate) fn assert_unauthenticated(status: &tonic::Status, reason: &str) {
    assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
    let info = status.get_details_error_info().expect("ErrorInfo detail");
    assert_eq!(info.reason, reason);
    assert_eq!(info.domain, "medaid.v1");
}
