//! Which RPCs a server answered for an authenticated caller: a tower layer recording each
//! request's method path, so that the end-to-end tests can check that every RPC of the API is
//! called by a test (`tests/coverage.rs`). It records nothing unless [`crate::RunOptions`] gives
//! it a [`CallLog`]; production never does.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use tonic::codegen::http;
use tower::{Layer, Service};

/// The method paths (`/medaid.v1.HospitalService/RegisterHospital`) a server was called with.
#[derive(Debug, Clone, Default)]
pub struct CallLog(Arc<Mutex<BTreeSet<String>>>);

impl CallLog {
    /// Every path called so far.
    pub fn paths(&self) -> BTreeSet<String> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn record(&self, path: &str) {
        let mut paths = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if !paths.contains(path) {
            paths.insert(path.to_owned());
        }
    }
}

/// Records into the log, if there is one. It sits inside the auth layer, so a refused caller is
/// not recorded.
#[derive(Debug, Clone, Default)]
pub struct CallLogLayer(pub Option<CallLog>);

impl<S> Layer<S> for CallLogLayer {
    type Service = Recording<S>;

    fn layer(&self, inner: S) -> Recording<S> {
        Recording {
            inner,
            log: self.0.clone(),
        }
    }
}

/// The service made by [`CallLogLayer`].
#[derive(Debug, Clone)]
pub struct Recording<S> {
    inner: S,
    log: Option<CallLog>,
}

impl<S, B> Service<http::Request<B>> for Recording<S>
where
    S: Service<http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        if let Some(log) = &self.log {
            log.record(request.uri().path());
        }
        self.inner.call(request)
    }
}
