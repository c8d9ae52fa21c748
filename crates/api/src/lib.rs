//! Code generated from the protobuf API in `proto/` (package `medaid.v1`): prost messages, tonic
//! servers and clients, the encoded descriptor set for gRPC reflection, and `medaid::v1::WriteRequest`
//! (the shared fields of every write request, generated from the descriptor by `build.rs`).
//!
//! This crate holds only generated code. It must not grow logic: validation, mapping to domain
//! types and error handling belong in `server` and `app`.

/// Generated code for the proto packages, one module per package.
///
/// prost and tonic output trips some workspace lints (for example `unreachable_pub` on
/// items of private generated modules and clippy style lints on long doc comments copied from the
/// `.proto` files). It is not ours to edit, so the lints are allowed here and only here.
#[allow(
    unreachable_pub,
    elided_lifetimes_in_paths,
    clippy::all,
    clippy::pedantic
)]
mod generated {
    pub mod medaid {
        pub mod v1 {
            include!(concat!(env!("OUT_DIR"), "/medaid.v1.rs"));
            include!(concat!(env!("OUT_DIR"), "/medaid.v1.write.rs"));
        }
    }

    pub mod google {
        pub mod api {
            include!(concat!(env!("OUT_DIR"), "/google.api.rs"));
        }
        pub mod rpc {
            include!(concat!(env!("OUT_DIR"), "/google.rpc.rs"));
        }
    }
}

pub use generated::{google, medaid};

/// The encoded `google.protobuf.FileDescriptorSet` of every file in `proto/` that the API uses
/// (ours and their imports), for `tonic_reflection::server::Builder::register_encoded_file_descriptor_set`.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/medaid_descriptor.bin"));
