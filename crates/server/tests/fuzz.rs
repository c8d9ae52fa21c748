//! Fuzz targets of the server's parsers (see `fuzz/harness.rs`): the AIP-160 filter parser and the
//! feed and read-model filters built on it, page tokens and cursors, bearer tokens (JWT parsing,
//! and signed tokens with arbitrary claims), and timestamps for stored business and record times.
//! Each runs over its committed corpus in `fuzz/corpus/` and then over generated inputs.

#[path = "../../../fuzz/harness.rs"]
mod harness;

use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use server::auth::jwt::{TokenVerifier, TrustedKey};
use server::config::AuthConfig;
use server::filter::{self, MAX_FILTER_CHARS};
use server::page_token;

fn text(input: &[u8]) -> String {
    String::from_utf8_lossy(input).into_owned()
}

/// A refusal is bounded and quotes the filter with escapes, so it can go into trailers and logs.
fn check_message(message: &str) {
    assert!(message.len() <= 512, "{} bytes: {message:?}", message.len());
    assert!(!message.chars().any(char::is_control), "{message:?}");
}

#[test]
fn fuzz_filter_parser() {
    harness::fuzz("filter", Vec::new(), |input| {
        let input = text(input);
        match filter::parse(&input) {
            Ok(expr) => {
                assert!(input.chars().count() <= MAX_FILTER_CHARS);
                assert!(expr.comparisons().len() <= filter::MAX_COMPARISONS);
            }
            Err(e) => check_message(&e.message),
        }
        match filter::feed::parse(&input) {
            Ok(predicate) => {
                // The store hints are derived without a panic from whatever the parser accepts.
                let _ = predicate.hints();
            }
            Err(e) => check_message(&e.message),
        }
        if let Err(e) = filter::equalities(&input, &["hospital", "technique", "status"]) {
            check_message(&e.message);
        }
    });
}

#[test]
fn fuzz_page_tokens() {
    let parameters = page_token::parameters_hash(&["filter", "50"]);
    let other = page_token::parameters_hash(&["filter", "51"]);
    let seeds = vec![
        page_token::encode(0, parameters).into_bytes(),
        page_token::encode(u64::MAX, parameters).into_bytes(),
        page_token::encode_cursor("hospital-1|2024-09-15", parameters).into_bytes(),
    ];
    harness::fuzz("page_token", seeds, |input| {
        let token = text(input);
        if let Ok(Some(position)) = page_token::decode(&token, parameters) {
            // Only a token the server issued decodes, and it decodes to what was issued.
            assert_eq!(page_token::encode(position, parameters), token);
            assert!(page_token::decode(&token, other).is_err());
        }
        if let Ok(Some(cursor)) = page_token::decode_cursor(&token, parameters) {
            assert_eq!(page_token::encode_cursor(&cursor, parameters), token);
            assert!(page_token::decode_cursor(&token, other).is_err());
        }
    });
}

const ISSUER: &str = "medaid-dev";
const AUDIENCE: &str = "medaid";

struct Keys {
    encoding: EncodingKey,
    verifier: TokenVerifier,
}

fn keys() -> Keys {
    let signing = SigningKey::from_bytes(&[7; 32]);
    let private = signing.to_pkcs8_pem(LineEnding::LF).unwrap();
    let public = signing
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    let auth = AuthConfig {
        issuer: ISSUER.into(),
        audience: AUDIENCE.into(),
        leeway_secs: 0,
        dev_keys: false,
        keys: Vec::new(),
    };
    let trusted = TrustedKey {
        id: "dev".into(),
        algorithm: Algorithm::EdDSA,
        key: DecodingKey::from_ed_pem(public.as_bytes()).unwrap(),
    };
    Keys {
        encoding: EncodingKey::from_ed_pem(private.as_bytes()).unwrap(),
        verifier: TokenVerifier::new(&auth, vec![trusted]),
    }
}

/// Arbitrary bytes as a bearer token: never a panic, never accepted.
#[test]
fn fuzz_jwt_parsing() {
    let keys = keys();
    let claims = serde_json::json!({
        "sub": "e2e", "iss": ISSUER, "aud": AUDIENCE, "iat": 1_700_000_000u64,
        "exp": 4_102_444_800u64, "roles": ["reader"], "scope": ["62"],
    });
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some("dev".into());
    let valid = jsonwebtoken::encode(&header, &claims, &keys.encoding).unwrap();
    assert!(keys.verifier.verify(&valid).is_ok());
    harness::fuzz("jwt", vec![valid.clone().into_bytes()], |input| {
        let token = text(input);
        if token != valid {
            assert!(keys.verifier.verify(&token).is_err(), "{token:?} accepted");
        }
    });
}

/// Arbitrary claims, correctly signed: the claims are read without a panic, and a principal comes
/// out only with a subject and a known role.
#[test]
fn fuzz_jwt_claims() {
    let keys = keys();
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some("dev".into());
    harness::fuzz("jwt_claims", Vec::new(), |input| {
        let Ok(claims) = serde_json::from_slice::<serde_json::Value>(input) else {
            return;
        };
        let token = jsonwebtoken::encode(&header, &claims, &keys.encoding).unwrap();
        if let Ok(principal) = keys.verifier.verify(&token) {
            assert!(!principal.subject.trim().is_empty());
            assert!(!principal.roles.is_empty());
        }
    });
}

/// Stored times as the feed serves them: every microsecond count becomes a timestamp that every
/// client decodes (0001-01-01..9999-12-31, nanos in range), exact inside that range.
#[test]
fn fuzz_stored_times() {
    harness::fuzz("timestamp", Vec::new(), |input| {
        for chunk in input.chunks(8) {
            let mut bytes = [0u8; 8];
            bytes[..chunk.len()].copy_from_slice(chunk);
            let us = i64::from_le_bytes(bytes);
            let t = server::convert::event::timestamp(us);
            assert!(
                (-62_135_596_800..=253_402_300_799).contains(&t.seconds),
                "{us}"
            );
            assert!((0..1_000_000_000).contains(&t.nanos), "{us}");
            if (-62_135_596_800_000_000..=253_402_300_799_999_999).contains(&us) {
                assert_eq!(
                    i128::from(t.seconds) * 1_000_000 + i128::from(t.nanos / 1000),
                    i128::from(us)
                );
            }
        }
    });
}
