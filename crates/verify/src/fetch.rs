//! The only network code of `medaid-verify`: the witness asks the server's `AuditService` for a
//! checkpoint of its head and a consistency proof. Nothing fetched is trusted: every answer goes
//! through the same checks as offline files.

use api::medaid::v1 as pb;
use api::medaid::v1::audit_service_client::AuditServiceClient;
use ledger::Hash;
use tonic::metadata::MetadataValue;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

use crate::report::{Failure, Location};

/// A connection to one server, with the caller's bearer token.
pub struct Server {
    url: String,
    client: AuditServiceClient<Channel>,
    authorization: Option<MetadataValue<tonic::metadata::Ascii>>,
}

impl Server {
    /// Connects to `url` (`http://` or `https://`, the latter checked against `ca_pem` when given).
    pub async fn connect(
        url: &str,
        token: Option<&str>,
        ca_pem: Option<&[u8]>,
    ) -> Result<Server, Failure> {
        let fail = |reason: String| Failure::new(Location::Server(url.to_owned()), reason);
        let mut endpoint =
            Endpoint::from_shared(url.to_owned()).map_err(|e| fail(format!("bad URL: {e}")))?;
        if let Some(ca) = ca_pem {
            endpoint = endpoint
                .tls_config(ClientTlsConfig::new().ca_certificate(Certificate::from_pem(ca)))
                .map_err(|e| fail(format!("bad TLS settings: {e}")))?;
        }
        let channel = endpoint
            .connect()
            .await
            .map_err(|e| fail(format!("cannot connect: {e}")))?;
        let authorization = token
            .map(|t| format!("Bearer {t}").parse())
            .transpose()
            .map_err(|_| fail("the token is not a valid header value".to_owned()))?;
        Ok(Server {
            url: url.to_owned(),
            client: AuditServiceClient::new(channel),
            authorization,
        })
    }

    fn request<T>(&self, message: T) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        if let Some(value) = &self.authorization {
            request
                .metadata_mut()
                .insert("authorization", value.clone());
        }
        request
    }

    fn failure(&self, what: &str, status: &tonic::Status) -> Failure {
        Failure::new(
            Location::Server(self.url.clone()),
            format!("{what} failed: {:?} {}", status.code(), status.message()),
        )
    }

    /// A signed checkpoint of the server's committed head.
    pub async fn current_checkpoint(&mut self) -> Result<String, Failure> {
        let request = self.request(pb::GetCheckpointRequest {
            selector: Some(pb::get_checkpoint_request::Selector::CurrentHead(
                pb::CurrentHeadCheckpoint {},
            )),
        });
        let response = self
            .client
            .get_checkpoint(request)
            .await
            .map_err(|s| self.failure("GetCheckpoint", &s))?;
        response
            .into_inner()
            .checkpoint
            .map(|c| c.note)
            .ok_or_else(|| {
                Failure::new(
                    Location::Server(self.url.clone()),
                    "GetCheckpoint failed: the answer holds no checkpoint".to_owned(),
                )
            })
    }

    /// The consistency proof between two sizes.
    pub async fn consistency(&mut self, first: u64, second: u64) -> Result<Vec<Hash>, Failure> {
        let request = self.request(pb::GetConsistencyProofRequest {
            first_size: first,
            second_size: Some(second),
        });
        let response = self
            .client
            .get_consistency_proof(request)
            .await
            .map_err(|s| self.failure("GetConsistencyProof", &s))?;
        response
            .into_inner()
            .hashes
            .iter()
            .map(|bytes| {
                Hash::from_slice(bytes).map_err(|e| {
                    Failure::new(
                        Location::Server(self.url.clone()),
                        format!("a proof hash is malformed: {e}"),
                    )
                })
            })
            .collect()
    }
}
