//! AIP-158 pagination: page sizes and opaque page tokens.
//!
//! A token carries where the next page starts and a hash of the request's other parameters (the
//! filter or the stream id). Reusing a token with different parameters is refused, and a checksum
//! makes an edited token fail instead of silently reading elsewhere. Tokens never grant access: every
//! page is authorized again.
//!
//! Two kinds of token share one format family: the event feed's carry a log position ([`encode`]),
//! the read models' carry the read model's own keyset cursor, a string ([`encode_cursor`]). A
//! version byte tells them apart, so a token of one kind is refused where the other is expected.

use sha2::{Digest, Sha256};

/// Why a page size or a token was refused; the field names the request field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("page_size must not be negative, got {0}")]
    NegativePageSize(i32),
    #[error("page_token is not a token this server issued")]
    Malformed,
    #[error("page_token was issued for a request with different parameters")]
    ParametersChanged,
}

impl PageError {
    /// The proto field of the request that is at fault.
    pub fn field(&self) -> &'static str {
        match self {
            PageError::NegativePageSize(_) => "page_size",
            PageError::Malformed | PageError::ParametersChanged => "page_token",
        }
    }

    /// The stable reason code for `ErrorInfo`.
    pub fn reason(&self) -> &'static str {
        match self {
            // The reasons documented in errors.proto and on every page_size and page_token field.
            PageError::NegativePageSize(_) => "INVALID_FIELD",
            PageError::Malformed | PageError::ParametersChanged => "INVALID_PAGE_TOKEN",
        }
    }
}

/// The effective page size: 0 is the default, values above the maximum are coerced down.
pub fn page_size(requested: i32, default: u32, max: u32) -> Result<usize, PageError> {
    let requested = u32::try_from(requested).map_err(|_| PageError::NegativePageSize(requested))?;
    let size = if requested == 0 { default } else { requested };
    Ok(usize::try_from(size.min(max).max(1)).unwrap_or(1))
}

/// A hash of the request parameters a token is bound to.
pub fn parameters_hash(parts: &[&str]) -> [u8; 8] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    let mut out = [0u8; 8];
    out.copy_from_slice(&digest[..8]);
    out
}

const VERSION: u8 = 1;

/// Encodes the next start position bound to `parameters`.
pub fn encode(position: u64, parameters: [u8; 8]) -> String {
    let mut body = Vec::with_capacity(21);
    body.push(VERSION);
    body.extend_from_slice(&position.to_be_bytes());
    body.extend_from_slice(&parameters);
    let check = Sha256::digest(&body);
    body.extend_from_slice(&check[..4]);
    hex::encode(body)
}

/// Decodes a token into its start position, checking that it was issued for `parameters`.
///
/// An empty token means the first page and gives `None`.
pub fn decode(token: &str, parameters: [u8; 8]) -> Result<Option<u64>, PageError> {
    if token.is_empty() {
        return Ok(None);
    }
    let bytes = hex::decode(token).map_err(|_| PageError::Malformed)?;
    if bytes.len() != 21 || bytes[0] != VERSION {
        return Err(PageError::Malformed);
    }
    let check = Sha256::digest(&bytes[..17]);
    if bytes[17..] != check[..4] {
        return Err(PageError::Malformed);
    }
    let mut position = [0u8; 8];
    position.copy_from_slice(&bytes[1..9]);
    if bytes[9..17] != parameters {
        return Err(PageError::ParametersChanged);
    }
    Ok(Some(u64::from_be_bytes(position)))
}

/// The version byte of a read-model cursor token.
const CURSOR_VERSION: u8 = 2;

/// Length of a cursor token's fixed parts: version, parameters hash and checksum.
const CURSOR_OVERHEAD: usize = 1 + 8 + 4;

/// Encodes a read model's cursor (opaque to the server too) bound to `parameters`.
pub fn encode_cursor(cursor: &str, parameters: [u8; 8]) -> String {
    let mut body = Vec::with_capacity(CURSOR_OVERHEAD + cursor.len());
    body.push(CURSOR_VERSION);
    body.extend_from_slice(&parameters);
    body.extend_from_slice(cursor.as_bytes());
    let check = Sha256::digest(&body);
    body.extend_from_slice(&check[..4]);
    hex::encode(body)
}

/// Decodes a token into the read model's cursor, checking that it was issued for `parameters`.
///
/// An empty token means the first page and gives `None`.
pub fn decode_cursor(token: &str, parameters: [u8; 8]) -> Result<Option<String>, PageError> {
    if token.is_empty() {
        return Ok(None);
    }
    let bytes = hex::decode(token).map_err(|_| PageError::Malformed)?;
    // A token with an empty cursor is never issued: the last page has no token at all.
    if bytes.len() <= CURSOR_OVERHEAD || bytes.first() != Some(&CURSOR_VERSION) {
        return Err(PageError::Malformed);
    }
    let (body, check) = bytes.split_at(bytes.len() - 4);
    if Sha256::digest(body)[..4] != *check {
        return Err(PageError::Malformed);
    }
    let (bound, cursor) = body[1..].split_at(8);
    if bound != parameters {
        return Err(PageError::ParametersChanged);
    }
    String::from_utf8(cursor.to_vec())
        .map(Some)
        .map_err(|_| PageError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_aip_158() {
        assert_eq!(page_size(0, 50, 500), Ok(50));
        assert_eq!(page_size(10, 50, 500), Ok(10));
        assert_eq!(page_size(10_000, 50, 500), Ok(500));
        assert_eq!(page_size(-1, 50, 500), Err(PageError::NegativePageSize(-1)));
    }

    #[test]
    fn tokens_round_trip_and_bind_their_parameters() {
        let params = parameters_hash(&["category=batch"]);
        let token = encode(42, params);
        assert_eq!(decode(&token, params), Ok(Some(42)));
        assert_eq!(decode("", params), Ok(None));
        let other = parameters_hash(&["category=pairing"]);
        assert_eq!(decode(&token, other), Err(PageError::ParametersChanged));
        let mut edited = token.clone().into_bytes();
        edited[5] = if edited[5] == b'0' { b'1' } else { b'0' };
        let edited = String::from_utf8(edited).unwrap_or_default();
        assert_eq!(decode(&edited, params), Err(PageError::Malformed));
        assert_eq!(decode("zz", params), Err(PageError::Malformed));
    }

    #[test]
    fn cursor_tokens_round_trip_and_are_refused_by_another_query() {
        let on_site =
            parameters_hash(&["ListOnSiteMembers", "12620422000000035C", "2024-09-15", ""]);
        let token = encode_cursor("3a7c", on_site);
        assert_eq!(decode_cursor(&token, on_site), Ok(Some("3a7c".to_owned())));
        assert_eq!(decode_cursor("", on_site), Ok(None));
        // The same query on another day, or another RPC with the same values, is another query.
        let other_day =
            parameters_hash(&["ListOnSiteMembers", "12620422000000035C", "2024-09-16", ""]);
        assert_eq!(
            decode_cursor(&token, other_day),
            Err(PageError::ParametersChanged)
        );
        let short_terms =
            parameters_hash(&["ListShortTerms", "12620422000000035C", "2024-09-15", ""]);
        assert_eq!(
            decode_cursor(&token, short_terms),
            Err(PageError::ParametersChanged)
        );
        assert_eq!(PageError::ParametersChanged.reason(), "INVALID_PAGE_TOKEN");
    }

    #[test]
    fn cursor_tokens_refuse_edits_and_the_other_kind_of_token() {
        let params = parameters_hash(&["ListAlliances"]);
        let token = encode_cursor("3a7c", params);
        let mut edited = token.clone().into_bytes();
        let last = edited.len() - 1;
        edited[last] = if edited[last] == b'0' { b'1' } else { b'0' };
        let edited = String::from_utf8(edited).unwrap_or_default();
        assert_eq!(decode_cursor(&edited, params), Err(PageError::Malformed));
        // A position token of the event feed is not a cursor token, nor the other way round.
        assert_eq!(
            decode_cursor(&encode(42, params), params),
            Err(PageError::Malformed)
        );
        assert_eq!(decode(&token, params), Err(PageError::Malformed));
        for junk in ["zz", "02", "not a token", "\u{4f1a}\u{5b81}"] {
            assert_eq!(decode_cursor(junk, params), Err(PageError::Malformed));
        }
    }
}
