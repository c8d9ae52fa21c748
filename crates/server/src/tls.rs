//! Server TLS and optional client certificates (mTLS), from the PEM files named in `[tls]`.

use std::path::{Path, PathBuf};

use tonic::transport::{Certificate, Identity, ServerTlsConfig};

use crate::config::TlsConfig;

/// Why the TLS files could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read tls.{key} from {path}")]
    Read {
        key: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("tls.{key} in {path} holds no PEM block")]
    NotPem { key: &'static str, path: PathBuf },
}

/// The tonic TLS configuration, or `None` when TLS is off.
///
/// Client certificates are optional even when a client CA is set, so that token callers and
/// certificate callers can share one port; the auth layer refuses callers that present neither.
pub fn server_tls_config(tls: &TlsConfig) -> Result<Option<ServerTlsConfig>, TlsError> {
    let (Some(cert_path), Some(key_path)) = (&tls.cert_path, &tls.key_path) else {
        return Ok(None);
    };
    let cert = read_pem("cert_path", cert_path)?;
    let key = read_pem("key_path", key_path)?;
    let mut config = ServerTlsConfig::new().identity(Identity::from_pem(cert, key));
    if let Some(ca_path) = &tls.client_ca_path {
        let ca = read_pem("client_ca_path", ca_path)?;
        config = config
            .client_ca_root(Certificate::from_pem(ca))
            .client_auth_optional(true);
    }
    Ok(Some(config))
}

/// Reads a PEM file, checking only that it looks like PEM: rustls gives the precise error when it parses it.
fn read_pem(key: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    let bytes = std::fs::read(path).map_err(|source| TlsError::Read {
        key,
        path: path.to_owned(),
        source,
    })?;
    if !bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        return Err(TlsError::NotPem {
            key,
            path: path.to_owned(),
        });
    }
    Ok(bytes)
}
