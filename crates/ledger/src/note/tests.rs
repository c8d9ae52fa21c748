//! Signed notes against the C2SP rules, and against an independent implementation (`signed_note`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::SigningKey;
use signed_note::{
    Note as TheirNote, StandardSigner, StandardVerifier, Verifier as _, VerifierList,
};

use super::*;
use crate::checkpoint::{Checkpoint, CheckpointError, open_checkpoint};
use crate::hash::leaf_hash;
use crate::proof::TreeHead;

fn signer(name: &str, seed: u8) -> NoteSigner {
    NoteSigner::new(name, SigningKey::from_bytes(&[seed; 32])).unwrap()
}

fn checkpoint_text() -> String {
    Checkpoint::new(
        "medaid.example/log",
        TreeHead {
            size: 42,
            root: leaf_hash(b"root"),
        },
    )
    .to_text()
}

#[test]
fn our_signed_checkpoint_verifies_with_the_independent_implementation() {
    let ours = signer("medaid.example/log", 7);
    let note = ours.sign(&checkpoint_text()).unwrap();
    let verifier = StandardVerifier::new(&ours.verifier().encode()).unwrap();
    assert_eq!(
        verifier.key_id(),
        u32::from_be_bytes(ours.verifier().key_id())
    );
    let parsed = TheirNote::from_bytes(note.as_bytes()).unwrap();
    let (verified, unverified) = parsed
        .verify(&VerifierList::new(vec![Box::new(verifier)]))
        .unwrap();
    assert_eq!((verified.len(), unverified.len()), (1, 0));
    assert_eq!(parsed.text(), checkpoint_text().as_bytes());
}

#[test]
fn a_note_signed_by_the_independent_implementation_verifies_here_beside_unknown_lines() {
    let ours = signer("medaid.example/log", 9);
    let mut seed = vec![ED25519_TYPE];
    seed.extend_from_slice(&[9u8; 32]);
    let private = format!(
        "PRIVATE+KEY+medaid.example/log+{}+{}",
        hex::encode(ours.verifier().key_id()),
        STANDARD.encode(seed)
    );
    let theirs = StandardSigner::new(&private).unwrap();
    let stranger = signer("witness.example", 3);
    let stranger_note = stranger.sign(&checkpoint_text()).unwrap();
    let stranger_line = stranger_note.rsplit_once("\n\n").unwrap().1;

    let mut note = TheirNote::new(checkpoint_text().as_bytes(), &[]).unwrap();
    note.add_sigs(&[&theirs]).unwrap();
    let mut bytes = String::from_utf8(note.to_bytes()).unwrap();
    // An unknown key's line before ours must be skipped, not refused.
    let (text, own_line) = bytes.rsplit_once("\n\n").unwrap();
    bytes = format!("{text}\n\n{stranger_line}{own_line}");

    let parsed = Note::parse(&bytes).unwrap();
    assert_eq!(parsed.signatures.len(), 2);
    let trusted = [ours.verifier().clone()];
    assert_eq!(
        parsed.verify(&trusted).unwrap().name(),
        "medaid.example/log"
    );
    let opened = open_checkpoint(&bytes, "medaid.example/log", &trusted).unwrap();
    assert_eq!(opened.checkpoint.head.size, 42);
    // The other way round the same note is signed only by the stranger as far as it knows.
    assert_eq!(
        parsed
            .verify(&[stranger.verifier().clone()])
            .unwrap()
            .name(),
        "witness.example"
    );
}

#[test]
fn verifier_keys_round_trip_and_a_wrong_id_is_refused() {
    let verifier = signer("log", 1).verifier().clone();
    assert_eq!(NoteVerifier::parse(&verifier.encode()).unwrap(), verifier);
    let encoded = verifier.encode();
    let (name, rest) = encoded.split_once('+').unwrap();
    let (_, key) = rest.split_once('+').unwrap();
    assert_eq!(
        NoteVerifier::parse(&format!("{name}+00000000+{key}")),
        Err(NoteError::VerifierKeyIdMismatch)
    );
    assert_eq!(
        NoteVerifier::parse("log+zz+AA=="),
        Err(NoteError::BadVerifierKey)
    );
    assert!(NoteSigner::new("bad name", SigningKey::from_bytes(&[1; 32])).is_err());
    assert!(NoteSigner::new("a+b", SigningKey::from_bytes(&[1; 32])).is_err());
}

#[test]
fn a_forged_or_unknown_signature_is_refused() {
    let ours = signer("log", 1);
    let trusted = [ours.verifier().clone()];
    let note = ours.sign(&checkpoint_text()).unwrap();
    open_checkpoint(&note, "medaid.example/log", &trusted).unwrap();

    // The same text signed by a key nobody trusts.
    let impostor = signer("log", 2).sign(&checkpoint_text()).unwrap();
    assert_eq!(
        open_checkpoint(&impostor, "medaid.example/log", &trusted),
        Err(CheckpointError::Note(NoteError::NoTrustedSignature))
    );
    // A changed size under the original signature.
    let altered = note.replacen("\n42\n", "\n43\n", 1);
    assert_eq!(
        open_checkpoint(&altered, "medaid.example/log", &trusted),
        Err(CheckpointError::Note(NoteError::InvalidSignature(
            "log".into()
        )))
    );
    // A known key's signature with one byte flipped.
    let (text, line) = note.rsplit_once("\n\n").unwrap();
    let blob = line.trim_end().rsplit_once(' ').unwrap().1;
    let mut bytes = STANDARD.decode(blob).unwrap();
    bytes[10] ^= 1;
    let forged = format!("{text}\n\n\u{2014} log {}\n", STANDARD.encode(bytes));
    assert_eq!(
        open_checkpoint(&forged, "medaid.example/log", &trusted),
        Err(CheckpointError::Note(NoteError::InvalidSignature(
            "log".into()
        )))
    );
    // Another origin.
    assert!(matches!(
        open_checkpoint(&note, "other.example/log", &trusted),
        Err(CheckpointError::WrongOrigin { .. })
    ));
}

#[test]
fn malformed_notes_and_bodies_are_refused() {
    assert_eq!(Note::parse("no blank line\n"), Err(NoteError::NoSignatures));
    assert_eq!(Note::parse("text\n\n"), Err(NoteError::NoSignatures));
    assert_eq!(
        Note::parse("text\n\nnot a signature\n"),
        Err(NoteError::MalformedSignature(1))
    );
    assert_eq!(
        Note::parse("te\u{7}xt\n\n\u{2014} a AAAAAAA=\n"),
        Err(NoteError::MalformedText)
    );
    let lines = "\u{2014} a AAAAAAAA\n".repeat(MAX_SIGNATURES + 1);
    assert_eq!(
        Note::parse(&format!("text\n\n{lines}")),
        Err(NoteError::TooManySignatures)
    );
    for body in [
        "origin\n042\nAAAA\n",
        "origin\n-1\nAAAA\n",
        "origin\n1\nnot base64\n",
        "origin\n1\nAAAA\n",
        "\n1\nAAAA\n",
        "origin\n1",
    ] {
        assert!(Checkpoint::parse(body).is_err(), "{body:?}");
    }
    let parsed = Checkpoint::parse(&checkpoint_text()).unwrap();
    assert_eq!(parsed.to_text(), checkpoint_text());
}
