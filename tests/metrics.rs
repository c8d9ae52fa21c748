//! Metrics: the Prometheus scrape endpoint, on a port of its own, answers with real values that
//! move after writes (appends, group commits, the log head, RPC durations by method and code).

use std::sync::Arc;

use api::medaid::v1::hospital_service_client::HospitalServiceClient;
use server::metrics::Metrics;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{TestServer, authed, backends, org};
use crate::flow::register_request;

/// `GET path` over plain HTTP/1.1; the status line and the body.
async fn get(addr: std::net::SocketAddr, path: &str) -> (String, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: metrics\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}

/// The value of the first sample whose name and labels start with `series` (`name{a="b"`).
fn sample(body: &str, series: &str) -> Option<f64> {
    body.lines()
        .filter(|line| !line.starts_with('#'))
        .find(|line| line.starts_with(series))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scrape_endpoint_shows_counters_moving_after_writes() {
    // One test per process (nextest), so the global meter provider is this test's own.
    let database = backends().pop().flatten();
    let config: server::Config =
        server::Config::figment(None, None, &server::config::Overrides::default())
            .extract()
            .unwrap();
    let metrics = Arc::new(Metrics::install(&config.metrics, &config.telemetry).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let options = server::RunOptions {
        metrics: Some(metrics),
        metrics_listener: Some(listener),
        ..server::RunOptions::default()
    };
    let server = TestServer::start_with(database.as_deref(), options).await;

    let (status, before) = get(addr, "/metrics").await;
    assert!(status.contains("200"), "{status}");
    assert_eq!(sample(&before, "medaid_log_head"), Some(0.0), "{before}");
    let (status, _) = get(addr, "/other").await;
    assert!(status.contains("404"), "{status}");

    let token = server.admin_token();
    let mut hospitals = HospitalServiceClient::new(server.channel().await);
    for n in 0..3 {
        hospitals
            .register_hospital(authed(
                &token,
                register_request(&org("620102", n + 10), "医院", "620102"),
            ))
            .await
            .unwrap();
    }
    // Refused without credentials: counted with its status code (16, UNAUTHENTICATED).
    let refused = hospitals
        .register_hospital(tonic::Request::new(register_request(
            &org("620102", 99),
            "医院",
            "620102",
        )))
        .await;
    assert!(refused.is_err());

    let (_, after) = get(addr, "/metrics").await;
    assert_eq!(
        sample(&after, "medaid_log_appends_total{outcome=\"ok\""),
        Some(3.0),
        "{after}"
    );
    assert_eq!(
        sample(&after, "medaid_log_appended_events_total"),
        Some(3.0)
    );
    assert_eq!(sample(&after, "medaid_log_head"), Some(3.0));
    assert!(sample(&after, "medaid_log_group_commit_size_count").unwrap() >= 1.0);
    assert!(sample(&after, "medaid_log_append_duration_seconds_count").unwrap() >= 3.0);
    let ok = "rpc_server_duration_milliseconds_count{rpc_grpc_status_code=\"0\",rpc_method=\"RegisterHospital\"";
    assert_eq!(sample(&after, ok), Some(3.0), "{after}");
    let unauthenticated = "rpc_server_duration_milliseconds_count{rpc_grpc_status_code=\"16\",rpc_method=\"RegisterHospital\"";
    assert_eq!(sample(&after, unauthenticated), Some(1.0), "{after}");
    assert!(after.contains("medaid_projection_position{"), "{after}");
    assert_eq!(sample(&after, "medaid_projection_leader"), Some(1.0));
    server.stop().await;
}
