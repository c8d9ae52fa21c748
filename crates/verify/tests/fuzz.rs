//! Fuzz target of the offline verifier (see `fuzz/harness.rs`): export bundles, the stored events
//! auditors decode, altered byte by byte. The verifier must refuse with a located failure, never
//! panic; only the honest archive (or one whose change the ustar format ignores) verifies.

#[path = "../../../fuzz/harness.rs"]
mod harness;

use ed25519_dalek::SigningKey;
use ledger::note::NoteSigner;
use verify::bundle::verify_bundle;
use verify::sample::SampleBundle;

#[test]
fn fuzz_bundles() {
    let signer = NoteSigner::new("test.example/log", SigningKey::from_bytes(&[1; 32])).unwrap();
    let bundle = SampleBundle::new(&signer, 12, 5);
    let honest = bundle.archive();
    let summary = verify_bundle(honest.as_slice(), &bundle.trust_root).unwrap();
    assert_eq!(summary.events, 12);
    harness::fuzz("bundle", vec![honest], |input| {
        if let Ok(summary) = verify_bundle(input, &bundle.trust_root) {
            assert_eq!(summary.events, 12);
        }
    });
}
