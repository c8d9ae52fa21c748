//! Who may write and read what.
//!
//! Writes need the `recorder` role (an admin records only if it also holds `recorder`: roles do not
//! imply one another, see [`Principal::has_role`]). Every event a command produces must lie within
//! the caller's scope:
//! - each province of the event's scope is covered by one of the caller's province entries, or by
//!   one of the caller's organisations that the event names and that lies in that province (so a
//!   hospital's own recorder can record facts hosted at that hospital);
//! - each organisation the event names is one of the caller's organisations, or lies in a province
//!   the caller covers.
//!
//! Recording a cross-province fact (a Beijing hospital supporting a Gansu one) therefore needs a
//! scope over both sides, or `*`. Reads need `reader`, `auditor` or `admin`. Auditors and admins read
//! the whole log. A reader sees an event when each of its provinces is covered as above; an event
//! with no province (a program definition, which is national) is visible to every reader, and an
//! event whose payload the app cannot decode is shown only to auditors and admins (fail closed).

use std::collections::BTreeSet;

use domain::EventScope;
use domain::values::CreditCode;

use crate::error::Error;
use crate::principal::{Principal, Role};

/// What a whole service needs of its caller. The server checks it from the request path before the
/// request is decoded (see `server::auth::access`), so a caller without the role learns nothing
/// from validation; each use case checks it again, so no path around the server skips it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// The write services: `recorder`.
    Record,
    /// The event feed and the read models: `reader`, `auditor` or `admin`.
    Read,
    /// Proofs, checkpoints and exports: `auditor` or `admin`.
    Audit,
    /// Operating the projections: `admin`.
    Admin,
}

impl Access {
    /// Whether `principal` may call a service that needs this access; the refusal names the role.
    pub fn check(self, principal: &Principal) -> Result<(), Error> {
        match self {
            Access::Record => require_recorder(principal),
            Access::Read => require_reader(principal),
            Access::Audit => require_auditor(principal),
            Access::Admin => require_admin(principal),
        }
    }
}

pub(crate) fn require_recorder(principal: &Principal) -> Result<(), Error> {
    if principal.has_role(Role::Recorder) {
        Ok(())
    } else {
        Err(missing_role(
            Role::Recorder,
            "recording facts needs the recorder role",
        ))
    }
}

pub(crate) fn require_reader(principal: &Principal) -> Result<(), Error> {
    if [Role::Reader, Role::Auditor, Role::Admin]
        .into_iter()
        .any(|role| principal.has_role(role))
    {
        Ok(())
    } else {
        Err(missing_role(
            Role::Reader,
            "reading the event feed needs the reader, auditor or admin role",
        ))
    }
}

pub(crate) fn require_auditor(principal: &Principal) -> Result<(), Error> {
    if principal.has_role(Role::Auditor) || principal.has_role(Role::Admin) {
        Ok(())
    } else {
        Err(missing_role(
            Role::Auditor,
            "audit proofs and exports need the auditor or admin role",
        ))
    }
}

pub(crate) fn require_admin(principal: &Principal) -> Result<(), Error> {
    if principal.has_role(Role::Admin) {
        Ok(())
    } else {
        Err(missing_role(
            Role::Admin,
            "operating the projections needs the admin role",
        ))
    }
}

/// Whether the caller reads everything, so that per-event checks can be skipped.
pub(crate) fn reads_everything(principal: &Principal) -> bool {
    principal.scope.all || principal.has_role(Role::Auditor) || principal.has_role(Role::Admin)
}

fn missing_role(role: Role, message: &str) -> Error {
    Error::PermissionDenied {
        message: message.to_owned(),
        missing: vec![("missing_role".to_owned(), role.as_str().to_owned())],
    }
}

/// Checks that every event's scope lies within what the caller may touch.
pub(crate) fn check_write_scope<'a>(
    principal: &Principal,
    scopes: impl IntoIterator<Item = &'a EventScope>,
) -> Result<(), Error> {
    let mut missing = BTreeSet::new();
    for scope in scopes {
        for province in &scope.provinces {
            if !province_covered(principal, province.as_str(), &scope.organisations, false) {
                missing.insert(("missing_province", province.as_str().to_owned()));
            }
        }
        for org in &scope.organisations {
            let in_covered_province = org
                .division()
                .is_some_and(|d| principal.may_touch_province(d.as_str()));
            if !principal.may_touch_organisation(org.as_str()) && !in_covered_province {
                missing.insert(("missing_organisation", org.as_str().to_owned()));
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = missing.iter().map(|(_, v)| v.clone()).collect();
    Err(Error::PermissionDenied {
        message: format!(
            "the caller's scope does not cover {}; nothing was written",
            list.join(", ")
        ),
        missing: missing
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    })
}

/// Whether a reader may see an event with these provinces and organisations.
pub(crate) fn may_read(
    principal: &Principal,
    provinces: &[String],
    organisations: &BTreeSet<CreditCode>,
) -> bool {
    reads_everything(principal)
        || provinces
            .iter()
            .all(|p| province_covered(principal, p, organisations, true))
}

/// A province is covered by a province entry, or by one of the caller's organisations that the
/// event names and that lies in the province.
fn province_covered(
    principal: &Principal,
    province: &str,
    named: &BTreeSet<CreditCode>,
    read: bool,
) -> bool {
    let by_entry = if read {
        principal.may_read_province(province)
    } else {
        principal.may_touch_province(province)
    };
    by_entry
        || named.iter().any(|org| {
            principal.scope.organisations.contains(org.as_str())
                && org
                    .division()
                    .is_some_and(|d| d.as_str().get(..2) == province.get(..2))
        })
}
