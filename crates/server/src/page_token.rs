//! AIP-158 pagination: page sizes and opaque page tokens.
//!
//! A token carries the log position where the next page starts and a hash of the request's other
//! parameters (the filter or the stream id). Reusing a token with different parameters is refused, and
//! a checksum makes an edited token fail instead of silently reading elsewhere. Tokens never grant
//! access: every page is authorized again.

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
            PageError::NegativePageSize(_) => "PAGE_SIZE_NEGATIVE",
            PageError::Malformed => "PAGE_TOKEN_INVALID",
            PageError::ParametersChanged => "PAGE_TOKEN_PARAMETERS_CHANGED",
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
}
