//! The end-to-end suite's view of `test-support`: the server harness, tokens, and the shared test
//! data of seed 000 as the strings the API takes.

pub(crate) use test_support::{TestServer, assert_refused, authed};

/// Backends to run each test against: SQLite (`None`) always, PostgreSQL (its admin URL) when
/// configured.
pub(crate) fn backends() -> Vec<Option<String>> {
    test_support::backends()
        .into_iter()
        .map(|backend| backend.admin_url().map(str::to_owned))
        .collect()
}

/// A fresh request id (UUID4, AIP-155).
pub(crate) fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A credit code in a division with a valid check character, like the domain's fixtures.
pub(crate) fn org(division: &str, n: u32) -> String {
    test_support::world::org(division, n).to_string()
}

/// 兰州大学第一医院 (Lanzhou), the supporting hospital of seed 000.
pub(crate) fn lzu_first() -> String {
    test_support::world::lzu_first().to_string()
}

/// 会宁县人民医院 (白银市会宁县), the recipient of seed 000.
pub(crate) fn huining() -> String {
    test_support::world::huining().to_string()
}
