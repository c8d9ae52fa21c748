//! TLS with client certificates: a listed certificate authenticates as its configured principal.

use std::path::Path;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType};
use server::cli::dev_token;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

use crate::common::{TestServer, assert_unauthenticated, bearer, token_args, who_am_i};

const PLATFORM_URI: &str = "spiffe://gansu.example/health-platform";

struct Pki {
    ca_pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl Pki {
    fn new() -> Pki {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "medaid test CA");
        let key = KeyPair::generate().unwrap();
        let ca_pem = params.self_signed(&key).unwrap().pem();
        Pki {
            ca_pem,
            issuer: Issuer::new(params, key),
        }
    }

    /// A leaf certificate and its key, both PEM.
    fn leaf(&self, common_name: &str, dns: &[&str], uri: Option<&str>) -> (String, String) {
        let mut params =
            CertificateParams::new(dns.iter().map(|d| (*d).to_owned()).collect::<Vec<_>>())
                .unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        if let Some(uri) = uri {
            params
                .subject_alt_names
                .push(SanType::URI(uri.try_into().unwrap()));
        }
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }
}

fn write(dir: &Path, name: &str, contents: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

async fn tls_channel(
    server: &TestServer,
    ca_pem: &str,
    client: Option<&(String, String)>,
) -> Channel {
    let mut tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(ca_pem))
        .domain_name("localhost");
    if let Some((cert, key)) = client {
        tls = tls.identity(Identity::from_pem(cert, key));
    }
    Channel::from_shared(format!("https://{}", server.addr))
        .unwrap()
        .tls_config(tls)
        .unwrap()
        .connect()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_listed_client_certificate_authenticates_and_others_are_refused() {
    let pki = Pki::new();
    let files = tempfile::tempdir().unwrap();
    let (server_cert, server_key) = pki.leaf("medaid", &["localhost"], None);
    let cert_path = write(files.path(), "server.crt", &server_cert);
    let key_path = write(files.path(), "server.key", &server_key);
    let ca_path = write(files.path(), "ca.crt", &pki.ca_pem);
    let server = TestServer::configured(|c| {
        c.tls.cert_path = Some(cert_path);
        c.tls.key_path = Some(key_path);
        c.tls.client_ca_path = Some(ca_path);
        c.tls.client_identities = vec![server::config::ClientIdentityConfig {
            identity: PLATFORM_URI.into(),
            subject: "gansu-health-platform".into(),
            roles: vec!["recorder".into(), "reader".into()],
            scope: vec!["62".into()],
        }];
    })
    .await;

    let platform = pki.leaf("gansu platform", &[], Some(PLATFORM_URI));
    let me = who_am_i(
        tls_channel(&server, &pki.ca_pem, Some(&platform)).await,
        &[],
        String::new(),
    )
    .await
    .unwrap();
    assert_eq!(me["subject"], "gansu-health-platform");
    assert_eq!(me["roles"], serde_json::json!(["recorder", "reader"]));
    assert_eq!(me["provinces"], serde_json::json!(["62"]));

    let stranger = pki.leaf("stranger", &[], None);
    let refused = who_am_i(
        tls_channel(&server, &pki.ca_pem, Some(&stranger)).await,
        &[],
        String::new(),
    )
    .await;
    assert_unauthenticated(&refused.unwrap_err(), "CLIENT_CERTIFICATE_UNKNOWN");

    // Without a certificate, tokens still work over TLS, and health stays open.
    let anonymous = tls_channel(&server, &pki.ca_pem, None).await;
    let missing = who_am_i(anonymous.clone(), &[], String::new()).await;
    assert_unauthenticated(&missing.unwrap_err(), "TOKEN_MISSING");
    let token = dev_token(&server.config, &token_args(&["auditor"], &["*"])).unwrap();
    let me = who_am_i(anonymous.clone(), &[bearer(&token)], String::new())
        .await
        .unwrap();
    assert_eq!(me["subject"], "tester");
    let health = HealthClient::new(anonymous)
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await;
    assert!(health.is_ok());
    server.shut_down().await.unwrap();
}

#[tokio::test]
async fn unreadable_tls_files_stop_the_start_with_the_key_named() {
    let files = tempfile::tempdir().unwrap();
    let not_pem = write(files.path(), "server.crt", "not a certificate");
    let mut config = crate::common::test_config(files.path());
    config.tls.cert_path = Some(not_pem);
    config.tls.key_path = Some(files.path().join("missing.key"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let error = server::run(config, listener, std::future::pending())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("tls.cert_path"), "{error}");
}
