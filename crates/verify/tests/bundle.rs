//! The bundle verifier against bundles altered in every way the issue names: each is refused and
//! the failure is located. The CLI is run once to check its exit status and JSON.

use ed25519_dalek::SigningKey;
use ledger::format::TrustRoot;
use ledger::note::NoteSigner;
use verify::bundle::verify_bundle;
use verify::report::Location;
use verify::sample::SampleBundle;

fn signer(seed: u8) -> NoteSigner {
    NoteSigner::new("test.example/log", SigningKey::from_bytes(&[seed; 32])).unwrap()
}

fn sample() -> SampleBundle {
    SampleBundle::new(&signer(1), 2_500, 1_000)
}

fn location(bundle: &SampleBundle, root: &TrustRoot) -> Location {
    verify_bundle(bundle.archive().as_slice(), root)
        .unwrap_err()
        .location
}

#[test]
fn an_honest_bundle_verifies() {
    let bundle = sample();
    let summary = verify_bundle(bundle.archive().as_slice(), &bundle.trust_root).unwrap();
    assert_eq!(
        (summary.events, summary.checkpoints, summary.streams),
        (2_500, 3, 100)
    );
}

#[test]
fn a_forged_signature_and_an_unknown_key_are_refused() {
    let mut bundle = sample();
    let root = bundle.trust_root.clone();
    // The middle checkpoint re-signed by a key the trust root does not list.
    let stranger = signer(2);
    let head = ledger::TreeHead {
        size: bundle.checkpoints[1].tree_size,
        root: bundle.checkpoints[1].root,
    };
    bundle.checkpoints[1].note = ledger::Checkpoint::new("test.example/log", head)
        .sign(&stranger)
        .unwrap();
    assert_eq!(location(&bundle, &root), Location::Checkpoint(2_000));
    // A flipped byte in a trusted signature.
    let mut bundle = sample();
    let note = &bundle.checkpoints[0].note;
    let (text, line) = note.rsplit_once(' ').unwrap();
    let mut forged: Vec<char> = line.chars().collect();
    forged[10] = if forged[10] == 'A' { 'B' } else { 'A' };
    bundle.checkpoints[0].note = format!("{text} {}", forged.into_iter().collect::<String>());
    assert_eq!(location(&bundle, &root), Location::Checkpoint(1_000));
}

#[test]
fn a_file_whose_sha256_differs_from_the_manifest_is_refused() {
    let bundle = sample();
    let mut archive = bundle.archive();
    // Change one byte inside the first events file, keeping the archive readable.
    let needle = b"practitioner-7\\\"";
    let at = archive
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap();
    archive[at + 13] = b'8';
    let failure = verify_bundle(archive.as_slice(), &bundle.trust_root).unwrap_err();
    // The changed bytes no longer match the leaf recorded with that event, which is found first.
    assert_eq!(failure.location, Location::Position(7), "{failure}");

    // A manifest that lists a different hash for an untouched file.
    let archive = bundle.archive();
    let text = String::from_utf8_lossy(&archive).into_owned();
    let start = text.rfind("\"sha256\":\"").unwrap() + 10;
    let mut archive = archive;
    archive[start] = if archive[start] == b'0' { b'1' } else { b'0' };
    let failure = verify_bundle(archive.as_slice(), &bundle.trust_root).unwrap_err();
    assert!(matches!(failure.location, Location::File(_)), "{failure}");
    assert!(failure.reason.contains("SHA-256"), "{failure}");
}

#[test]
fn gaps_swaps_stream_jumps_and_missing_tails_are_located() {
    let root = sample().trust_root;
    let mut bundle = sample();
    bundle.events.remove(1_234);
    assert_eq!(location(&bundle, &root), Location::Position(1_234));

    let mut bundle = sample();
    bundle.events.swap(10, 11);
    assert_eq!(location(&bundle, &root), Location::Position(10));

    let mut bundle = sample();
    bundle.events.truncate(2_200);
    assert_eq!(location(&bundle, &root), Location::Position(2_200));

    // A stream version that skips, with its leaf recomputed so only the continuity check sees it.
    let mut bundle = sample();
    bundle.events[300].stream_version += 1;
    bundle.events[300].leaf_hash = ledger::leaf_hash(&bundle.events[300].leaf().unwrap());
    assert_eq!(location(&bundle, &root), Location::Stream("batch-0".into()));
}

#[test]
fn the_command_line_exits_zero_only_when_everything_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = sample();
    let bundle_path = dir.path().join("bundle.tar");
    let root_path = dir.path().join("trust-root.json");
    std::fs::write(&bundle_path, bundle.archive()).unwrap();
    std::fs::write(&root_path, serde_json::to_vec(&bundle.trust_root).unwrap()).unwrap();
    let run = |path: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_medaid-verify"))
            .args(["--json", "bundle"])
            .arg(path)
            .arg("--trust-root")
            .arg(&root_path)
            .output()
            .unwrap()
    };
    let ok = run(&bundle_path);
    assert!(ok.status.success());
    let report: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(report["verified"], true);

    let mut broken = sample();
    broken.events.remove(5);
    let broken_path = dir.path().join("broken.tar");
    std::fs::write(&broken_path, broken.archive()).unwrap();
    let failed = run(&broken_path);
    assert_eq!(failed.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&failed.stdout).unwrap();
    assert_eq!(report["verified"], false);
    assert_eq!(report["failure"]["location"]["kind"], "position");
    assert_eq!(report["failure"]["location"]["at"], 5);
}
