//! The provinces and organisations an event concerns.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::values::{CreditCode, DivisionCode};

/// `provinces` are GB/T 2260 province codes of the recipient or host hospitals, derived from positions
/// 3-8 of their credit codes; `organisations` are all credit codes the event names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventScope {
    pub provinces: BTreeSet<DivisionCode>,
    pub organisations: BTreeSet<CreditCode>,
}

impl EventScope {
    /// A scope anchored at `host` (recipient or host hospital), naming `others` too.
    pub fn hosted_at<'a>(
        host: &CreditCode,
        others: impl IntoIterator<Item = &'a CreditCode>,
    ) -> Self {
        let mut scope = Self::default();
        scope.add_host(host);
        scope.organisations.extend(others.into_iter().cloned());
        scope
    }

    /// Adds a recipient or host organisation: its province and itself.
    pub fn add_host(&mut self, host: &CreditCode) {
        if let Some(division) = host.division() {
            self.provinces.insert(division.province());
        }
        self.organisations.insert(host.clone());
    }

    /// Adds an organisation without making its province part of the scope.
    pub fn add_org(&mut self, org: &CreditCode) {
        self.organisations.insert(org.clone());
    }
}
