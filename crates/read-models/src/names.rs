//! Display names beside codes in the read models' answers (issue 9 item 13): organisations by
//! credit code from the hospital fact table (`HospitalRegistered`, which also registers the
//! organisations that are not hospitals), departments (诊疗科目) and professional titles
//! (GB/T 8561) from the domain's code tables. A code without a name answers an empty name, so a
//! model whose projection lacks [`t::HOSPITAL`](crate::fact) would only ever answer empty names:
//! a model that calls [`org_names`] lists that table.

use std::collections::{BTreeMap, BTreeSet};

use domain::values::{ClinicalDepartment, ProfessionalTitle};
use sqlx::AnyPool;

use crate::page::{QueryError, fetch, text};

/// The name of the 诊疗科目 `code`, e.g. 胸外科专业 for `04.05`; empty when the code is not in the
/// shipped list.
pub fn department_name(code: &str) -> &'static str {
    ClinicalDepartment::parse(code).map_or("", |d| d.name())
}

/// The name of the GB/T 8561 title `code`, e.g. 主治医师 for 233; empty for an unknown code.
pub fn title_name(code: u16) -> &'static str {
    ProfessionalTitle::from_code(code).map_or("", ProfessionalTitle::name)
}

/// The registered names of the organisations `orgs` (credit codes); an organisation that is not
/// registered is absent from the answer.
pub(crate) async fn org_names<'a>(
    pool: &AnyPool,
    prefix: &str,
    orgs: impl IntoIterator<Item = &'a str>,
) -> Result<BTreeMap<String, String>, QueryError> {
    let mut names = BTreeMap::new();
    let unique: BTreeSet<&str> = orgs.into_iter().collect();
    for org in unique {
        // An organisation registers once (its stream's first event), so one row at most.
        let rows = fetch(
            pool,
            prefix,
            "SELECT name FROM {p}hospital WHERE hospital = $1 ORDER BY src_version LIMIT 1",
            &[org],
        )
        .await?;
        if let Some(row) = rows.first() {
            names.insert(org.to_owned(), text(row, "name")?);
        }
    }
    Ok(names)
}

/// An organisation's credit code and the name it is registered under (empty when it is not).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgName {
    pub org: String,
    pub name: String,
}

/// The name of `org` in `names`, empty when it is not registered.
pub(crate) fn org_name(names: &BTreeMap<String, String>, org: &str) -> String {
    names.get(org).cloned().unwrap_or_default()
}

/// `org` with its name in `names`.
pub(crate) fn named(names: &BTreeMap<String, String>, org: &str) -> OrgName {
    OrgName {
        org: org.to_owned(),
        name: org_name(names, org),
    }
}
