//! gRPC server reflection, v1 and v1alpha: buf curl speaks v1, Python's grpcio-reflection only v1alpha.

use tonic::service::RoutesBuilder;

/// The encoded descriptor sets that reflection serves, besides its own.
///
/// The `medaid.v1` descriptors come from the `api` crate.
pub fn descriptor_sets() -> Vec<&'static [u8]> {
    vec![
        tonic_health::pb::FILE_DESCRIPTOR_SET,
        api::FILE_DESCRIPTOR_SET,
    ]
}

/// Mounts both reflection versions.
pub fn mount(builder: &mut RoutesBuilder) -> Result<(), tonic_reflection::server::Error> {
    let mut v1 = tonic_reflection::server::Builder::configure();
    let mut v1alpha = tonic_reflection::server::Builder::configure();
    for set in descriptor_sets() {
        v1 = v1.register_encoded_file_descriptor_set(set);
        v1alpha = v1alpha.register_encoded_file_descriptor_set(set);
    }
    v1 = v1.register_file_descriptor_set(crate::session::file_descriptor_set());
    v1alpha = v1alpha.register_file_descriptor_set(crate::session::file_descriptor_set());
    builder.add_service(v1.build_v1()?);
    builder.add_service(v1alpha.build_v1alpha()?);
    Ok(())
}
