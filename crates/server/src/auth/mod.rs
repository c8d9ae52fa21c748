//! Authentication: every RPC except health must carry a bearer token or a listed client
//! certificate. The resulting [`Principal`] is put into the request extensions, where handlers find it
//! with `request.extensions().get::<app::Principal>()`.
//!
//! Health is open because load balancers and orchestrators probe it without credentials. Reflection
//! needs credentials like any other call (any role will do): it describes every service this server
//! runs, which is for integrators, not for anyone who can reach the port.

pub mod access;
pub mod dev_keys;
pub mod jwt;
pub mod mtls;

use std::sync::Arc;
use std::task::{Context, Poll};

use app::Principal;
use futures_util::future::{Either, Ready, ready};
use tonic::codegen::http;
use tonic::transport::server::{TcpConnectInfo, TlsConnectInfo};
use tonic::{Code, Status};
use tower::{Layer, Service};

use self::jwt::{TokenError, TokenVerifier};
use self::mtls::ClientIdentities;

/// The `google.rpc.ErrorInfo` domain of every error medaid returns.
pub const ERROR_DOMAIN: &str = "medaid.v1";

/// Path prefixes that are served without authentication.
const OPEN_PREFIXES: [&str; 1] = ["/grpc.health.v1.Health/"];

/// Why a request was refused; each variant is one `ErrorInfo` reason.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no bearer token and no recognised client certificate")]
    Missing,
    #[error("the authorization header is not a bearer token")]
    NotBearer,
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("the client certificate is not listed in tls.client_identities")]
    UnknownCertificate,
}

impl AuthError {
    /// The `ErrorInfo` reason, stable for clients to switch on.
    pub fn reason(&self) -> &'static str {
        match self {
            AuthError::Missing => "TOKEN_MISSING",
            AuthError::Token(TokenError::Expired) => "TOKEN_EXPIRED",
            AuthError::NotBearer | AuthError::Token(_) => "TOKEN_INVALID",
            AuthError::UnknownCertificate => "CLIENT_CERTIFICATE_UNKNOWN",
        }
    }

    /// The status sent to the client: a fixed message per reason, never the verifier's details.
    pub fn to_status(&self) -> Status {
        let message = match self {
            AuthError::Missing => "authentication required: send `authorization: Bearer <token>`",
            AuthError::Token(TokenError::Expired) => "the bearer token has expired",
            AuthError::NotBearer | AuthError::Token(_) => "the bearer token is not valid",
            AuthError::UnknownCertificate => "the client certificate is not authorised",
        };
        crate::status::status(
            Code::Unauthenticated,
            message.to_owned(),
            self.reason(),
            Vec::new(),
            |_| {},
        )
    }
}

/// Turns request credentials into a [`Principal`].
#[derive(Clone)]
pub struct Authenticator {
    tokens: Arc<TokenVerifier>,
    certificates: Arc<ClientIdentities>,
}

impl Authenticator {
    pub fn new(tokens: TokenVerifier, certificates: ClientIdentities) -> Authenticator {
        Authenticator {
            tokens: Arc::new(tokens),
            certificates: Arc::new(certificates),
        }
    }

    /// Authenticates a request. A bearer token wins over a client certificate, because a platform that
    /// holds one certificate may act for several callers with their own tokens.
    pub fn authenticate<B>(&self, request: &http::Request<B>) -> Result<Principal, AuthError> {
        if let Some(value) = request.headers().get(http::header::AUTHORIZATION) {
            let token = bearer_token(value).ok_or(AuthError::NotBearer)?;
            return Ok(self.tokens.verify(token)?);
        }
        let leaf = request
            .extensions()
            .get::<TlsConnectInfo<TcpConnectInfo>>()
            .and_then(|info| info.peer_certs())
            .and_then(|certs| certs.first().map(|c| c.as_ref().to_vec()));
        match leaf {
            Some(der) => self
                .certificates
                .principal_for(&der)
                .ok_or(AuthError::UnknownCertificate),
            None => Err(AuthError::Missing),
        }
    }
}

/// The longest `authorization` header accepted, in bytes. Real tokens are a few hundred bytes to a
/// few KiB; a longer one is refused as TOKEN_INVALID before any parsing, so its cost stays fixed.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

fn bearer_token(value: &http::HeaderValue) -> Option<&str> {
    if value.len() > MAX_TOKEN_BYTES {
        return None;
    }
    let value = value.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// A tower layer that authenticates every request outside [`OPEN_PREFIXES`].
#[derive(Clone)]
pub struct AuthLayer {
    authenticator: Authenticator,
}

impl AuthLayer {
    pub fn new(authenticator: Authenticator) -> AuthLayer {
        AuthLayer { authenticator }
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = AuthService<S>;

    fn layer(&self, inner: S) -> AuthService<S> {
        AuthService {
            inner,
            authenticator: self.authenticator.clone(),
        }
    }
}

/// The service made by [`AuthLayer`].
#[derive(Clone)]
pub struct AuthService<S> {
    inner: S,
    authenticator: Authenticator,
}

impl<S, B, ResBody> Service<http::Request<B>> for AuthService<S>
where
    S: Service<http::Request<B>, Response = http::Response<ResBody>>,
    ResBody: Default,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Either<S::Future, Ready<Result<S::Response, S::Error>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        let path = request.uri().path();
        if OPEN_PREFIXES.iter().any(|prefix| path.starts_with(prefix)) {
            return Either::Left(self.inner.call(request));
        }
        match self.authenticator.authenticate(&request) {
            Ok(principal) => {
                tracing::debug!(subject = %principal.subject, "authenticated");
                if let Some(refused) =
                    access::for_path(path).and_then(|a| a.check(&principal).err())
                {
                    tracing::info!(subject = %principal.subject, %path, "request refused: role");
                    let status = crate::status::from_app_error(refused);
                    return Either::Right(ready(Ok(status.into_http())));
                }
                request.extensions_mut().insert(principal);
                Either::Left(self.inner.call(request))
            }
            Err(error) => {
                // The cause is logged here and only the reason code goes to the client.
                tracing::info!(reason = error.reason(), error = %error, "request refused");
                Either::Right(ready(Ok(error.to_status().into_http())))
            }
        }
    }
}
