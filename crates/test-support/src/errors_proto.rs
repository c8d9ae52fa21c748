//! What `proto/medaid/v1/errors.proto` documents for each `ErrorReason`: the gRPC code named by the
//! word before the colon that opens the comment above the value (`// ALREADY_EXISTS: …`). Every
//! refusal a test asserts is checked against it, so a reason the server returns with another code
//! than documented, or one missing from the proto, fails the test that meets it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The documented code of every reason, e.g. `"TOKEN_EXPIRED" → "UNAUTHENTICATED"`.
pub fn documented_codes() -> &'static BTreeMap<String, String> {
    static CODES: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    CODES.get_or_init(|| parse(include_str!("../../../proto/medaid/v1/errors.proto")))
}

fn parse(proto: &str) -> BTreeMap<String, String> {
    let mut codes = BTreeMap::new();
    let mut comment = String::new();
    for line in proto.lines().map(str::trim) {
        if let Some(text) = line.strip_prefix("//") {
            comment.push_str(text.trim());
            comment.push(' ');
            continue;
        }
        if let Some((name, _)) = line.split_once(" = ")
            && let Some((code, _)) = comment.split_once(':')
            && is_constant(name)
            && is_constant(code.trim())
        {
            codes.insert(name.to_owned(), code.trim().to_owned());
        }
        comment.clear();
    }
    codes
}

fn is_constant(word: &str) -> bool {
    !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_code_of_each_documented_reason() {
        let codes = documented_codes();
        assert_eq!(codes["INVALID_FILTER"], "INVALID_ARGUMENT");
        assert_eq!(codes["TOKEN_EXPIRED"], "UNAUTHENTICATED");
        assert_eq!(codes["PROJECTION_BEHIND"], "UNAVAILABLE");
        assert!(
            !codes.contains_key("ERROR_REASON_UNSPECIFIED"),
            "its comment names no code"
        );
        assert!(codes.len() > 100, "{} reasons parsed", codes.len());
    }
}
