//! The world of the seed articles as test values: organisations by division, practitioners,
//! clinical departments. Credit codes get a valid check character, as the domain requires.

use domain::values::{ClinicalDepartment, CreditCode, PractitionerId};

/// A valid credit code of a public institution (`12`) in `division` (a GB/T 2260 code), numbered `n`.
pub fn org(division: &str, n: u32) -> CreditCode {
    CreditCode::complete(&format!("12{division}{n:08}")).expect("a division of six digits")
}

/// 兰州大学第一医院 (Lanzhou), the supporting hospital of seed 000.
pub fn lzu_first() -> CreditCode {
    org("620000", 1)
}

/// 会宁县人民医院 (白银市会宁县), the recipient of seed 000.
pub fn huining() -> CreditCode {
    org("620422", 2)
}

/// A practitioner by registry id.
pub fn person(id: &str) -> PractitionerId {
    PractitionerId::parse(id).expect("a practitioner id of the allowed characters")
}

/// A clinical department (诊疗科目) by its code, such as `03` (内科).
pub fn dept(code: &str) -> ClinicalDepartment {
    ClinicalDepartment::parse(code).expect("a code of the 诊疗科目 list")
}
