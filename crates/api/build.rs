//! Compiles `proto/` with protox (pure Rust, no `protoc` needed) and generates the prost messages
//! and tonic servers and clients. Also writes the encoded descriptor set for gRPC reflection.

use std::path::{Path, PathBuf};

/// The root `.proto` files; every other file they import is compiled with them.
const PROTOS: &[&str] = &[
    "medaid/v1/common.proto",
    "medaid/v1/errors.proto",
    "medaid/v1/events.proto",
    "medaid/v1/event_service.proto",
    "medaid/v1/program_service.proto",
    "medaid/v1/pairing_service.proto",
    "medaid/v1/deployment_service.proto",
    "medaid/v1/mentorship_service.proto",
    "medaid/v1/technique_service.proto",
    "medaid/v1/collaboration_service.proto",
    "medaid/v1/activity_service.proto",
    "medaid/v1/hospital_service.proto",
    "medaid/v1/assessment_service.proto",
    "medaid/v1/correction_service.proto",
    "medaid/v1/roster_service.proto",
    "medaid/v1/timeline_service.proto",
    "medaid/v1/mentorship_board_service.proto",
    "medaid/v1/technique_diffusion_service.proto",
    "medaid/v1/network_service.proto",
    "medaid/v1/scoreboard_service.proto",
    "medaid/v1/capability_service.proto",
    "medaid/v1/targets_service.proto",
    "medaid/v1/projection_admin_service.proto",
    // Not imported by our files, but clients that decode rich error details through reflection
    // need these types.
    "google/rpc/error_details.proto",
    "google/rpc/status.proto",
];

/// File name of the encoded `FileDescriptorSet` in `OUT_DIR`.
const DESCRIPTOR_FILE: &str = "medaid_descriptor.bin";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let proto_root = manifest_dir.join("../../proto");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);

    rerun_if_changed(&proto_root)?;

    let fds = protox::compile(PROTOS, [&proto_root])?;
    std::fs::write(
        out_dir.join(DESCRIPTOR_FILE),
        prost::Message::encode_to_vec(&fds),
    )?;

    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .compile_fds(fds)?;
    Ok(())
}

/// Asks Cargo to rebuild when any file or folder under `dir` changes.
fn rerun_if_changed(dir: &Path) -> std::io::Result<()> {
    println!("cargo:rerun-if-changed={}", dir.display());
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            rerun_if_changed(&path)?;
        } else {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    Ok(())
}
