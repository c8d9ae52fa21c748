//! Clinical department (诊疗科目), checked against the list shipped in `data/clinical_departments.tsv`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::problem::ValueProblem;

/// The department list ships as data so that adding a code is a data change, not a code change.
const DEPARTMENT_LIST: &str = include_str!("../../data/clinical_departments.tsv");

/// A code such as `04.05` (胸外科专业) or `20` (急诊医学科) that appears in the shipped list.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClinicalDepartment(String);

impl ClinicalDepartment {
    pub fn parse(code: &str) -> Result<Self, ValueProblem> {
        if lookup(code).is_some() {
            Ok(Self(code.to_owned()))
        } else {
            Err(ValueProblem::UnknownDepartment {
                code: code.to_owned(),
            })
        }
    }

    pub fn code(&self) -> &str {
        &self.0
    }

    /// The name in the list, e.g. 胸外科专业.
    pub fn name(&self) -> &'static str {
        lookup(&self.0).unwrap_or("")
    }

    /// The first-level subject this code belongs to (`04.05` belongs to `04`).
    pub fn parent(&self) -> Option<ClinicalDepartment> {
        let (first, _) = self.0.split_once('.')?;
        Self::parse(first).ok()
    }

    /// Every code in the shipped list, in file order.
    pub fn all() -> impl Iterator<Item = ClinicalDepartment> {
        entries().map(|(code, _)| Self(code.to_owned()))
    }
}

fn entries() -> impl Iterator<Item = (&'static str, &'static str)> {
    DEPARTMENT_LIST
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| line.split_once('\t'))
}

fn lookup(code: &str) -> Option<&'static str> {
    entries()
        .find(|(listed, _)| *listed == code)
        .map(|(_, name)| name)
}

impl TryFrom<String> for ClinicalDepartment {
    type Error = ValueProblem;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ClinicalDepartment> for String {
    fn from(value: ClinicalDepartment) -> Self {
        value.0
    }
}

impl fmt::Display for ClinicalDepartment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.name())
    }
}
