//! The `medaid.v1` read services (the write services are in `rpc`): each RPC reads the caller from
//! the request extensions, converts the request, calls the use case and maps the result (or the one
//! error mapping in `status`).

pub mod events;

use tonic::{Request, Status};

use crate::status::from_app_error;

/// The authenticated caller the auth layer put in the request extensions.
pub fn principal<T>(request: &Request<T>) -> Result<app::Principal, Status> {
    request
        .extensions()
        .get::<app::Principal>()
        .cloned()
        .ok_or_else(|| from_app_error(app::Error::Unauthenticated))
}

/// Mounts one service with the request size limit and records its name for health.
macro_rules! mount {
    ($builder:expr, $names:expr, $max:expr, $module:ident :: $server:ident, $service:expr) => {{
        $names.push(api::medaid::v1::$module::SERVICE_NAME.to_owned());
        $builder.add_service(
            api::medaid::v1::$module::$server::new($service).max_decoding_message_size($max),
        );
    }};
}
pub(crate) use mount;
