//! Who is calling: the authenticated caller, independent of how it proved its identity.
//!
//! The server turns a bearer token or a client certificate into a [`Principal`] and hands it to the use cases.
//! Nothing here knows about tokens, certificates, tonic or protobuf, so the authorization rules in this crate
//! can be tested with plain values.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// An authenticated caller: a subject, the roles it holds and the part of the country it may touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// A stable identifier of the caller, such as a token's `sub` claim or a certificate's common name.
    pub subject: String,
    /// The roles granted to the caller.
    pub roles: BTreeSet<Role>,
    /// The provinces and organisations the caller may touch.
    pub scope: Scope,
}

impl Principal {
    /// Whether the caller holds `role`.
    ///
    /// Roles do not imply one another: an admin that should also record must be given `recorder` too,
    /// so that every permission can be read from the token alone.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether the caller may write facts that concern the province (or a division inside it) with this code.
    pub fn may_touch_province(&self, division_code: &str) -> bool {
        self.scope.covers_province(division_code)
    }

    /// Whether the caller may read facts that concern this province.
    ///
    /// Auditors and admins read the whole country; everyone else reads what their scope covers.
    pub fn may_read_province(&self, division_code: &str) -> bool {
        self.has_role(Role::Auditor)
            || self.has_role(Role::Admin)
            || self.scope.covers_province(division_code)
    }

    /// The caller's own organisation, when its credentials name exactly one: a scope of one
    /// organisation and nothing else (a hospital's own system). Stored as the actor's organisation.
    pub fn organisation(&self) -> Option<&str> {
        let scope = &self.scope;
        if scope.all || !scope.provinces.is_empty() || scope.organisations.len() != 1 {
            return None;
        }
        scope.organisations.first().map(String::as_str)
    }

    /// Whether the caller may write facts that concern the organisation with this unified social credit code.
    pub fn may_touch_organisation(&self, credit_code: &str) -> bool {
        self.scope.all || self.scope.organisations.contains(credit_code)
    }
}

/// The roles a caller may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Records facts (writes events) within its scope.
    Recorder,
    /// Reads read models and the event feed within its scope.
    Reader,
    /// Replays history and checks proofs across the whole log.
    Auditor,
    /// Operates the service; its scope is normally everything.
    Admin,
}

impl Role {
    /// Every role, in a stable order.
    pub const ALL: [Role; 4] = [Role::Recorder, Role::Reader, Role::Auditor, Role::Admin];

    /// The lowercase name used in tokens and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Recorder => "recorder",
            Role::Reader => "reader",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a role name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected one of recorder, reader, auditor, admin")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// The part of the country a caller may touch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Two-digit GB/T 2260 province prefixes, such as "62" for Gansu.
    pub provinces: BTreeSet<String>,
    /// Unified social credit codes (GB 32100) of organisations.
    pub organisations: BTreeSet<String>,
    /// Everything, for admins or a `*` scope entry.
    pub all: bool,
}

impl Scope {
    /// A scope that covers the whole country.
    pub fn everything() -> Self {
        Scope {
            all: true,
            ..Scope::default()
        }
    }

    /// Builds a scope from its written entries, as they appear in tokens and configuration.
    ///
    /// An entry is `*` (everything), a two-digit province prefix such as "62", or an 18-character
    /// unified social credit code. Only the shape of a credit code is checked here; its check
    /// character is the domain's business.
    pub fn from_entries<I, S>(entries: I) -> Result<Scope, ScopeError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut scope = Scope::default();
        for entry in entries {
            let entry = entry.as_ref();
            if entry == "*" {
                scope.all = true;
            } else if entry.len() == 2 && entry.bytes().all(|b| b.is_ascii_digit()) {
                scope.provinces.insert(entry.to_owned());
            } else if entry.len() == 18 && entry.bytes().all(is_credit_code_byte) {
                scope.organisations.insert(entry.to_owned());
            } else {
                return Err(ScopeError(entry.to_owned()));
            }
        }
        Ok(scope)
    }

    /// Whether this scope covers the province of a GB/T 2260 code.
    ///
    /// Any code of two or more characters is matched on its first two characters, so a county code
    /// such as "622901" falls under the province "62". Shorter codes never match a province entry.
    pub fn covers_province(&self, division_code: &str) -> bool {
        if self.all {
            return true;
        }
        division_code
            .get(..2)
            .is_some_and(|prefix| self.provinces.contains(prefix))
    }
}

/// GB 32100 writes credit codes with digits and the capital letters other than I, O, S, V and Z.
fn is_credit_code_byte(b: u8) -> bool {
    b.is_ascii_digit() || (b.is_ascii_uppercase() && !matches!(b, b'I' | b'O' | b'S' | b'V' | b'Z'))
}

/// The error for a scope entry that is neither `*`, a province prefix nor a credit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid scope entry {0:?}: expected \"*\", a two-digit province prefix such as \"62\", \
     or an 18-character unified social credit code"
)]
pub struct ScopeError(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(roles: &[Role], scope: Scope) -> Principal {
        Principal {
            subject: "tester".into(),
            roles: roles.iter().copied().collect(),
            scope,
        }
    }

    fn gansu() -> Scope {
        Scope {
            provinces: ["62".to_owned()].into(),
            ..Scope::default()
        }
    }

    #[test]
    fn province_scope_matches_on_the_two_digit_prefix() {
        let p = principal(&[Role::Recorder], gansu());
        assert!(p.may_touch_province("62"));
        assert!(p.may_touch_province("622901"));
        assert!(!p.may_touch_province("650000"));
        assert!(!p.may_touch_province("6"));
        assert!(!p.may_touch_province(""));
    }

    #[test]
    fn all_scope_touches_everything() {
        let p = principal(&[Role::Admin], Scope::everything());
        assert!(p.may_touch_province("540000"));
        assert!(p.may_touch_organisation("12100000400000624D"));
    }

    #[test]
    fn organisation_scope_is_exact() {
        let scope = Scope {
            organisations: ["12100000400000624D".to_owned()].into(),
            ..Scope::default()
        };
        let p = principal(&[Role::Recorder], scope);
        assert!(p.may_touch_organisation("12100000400000624D"));
        assert!(!p.may_touch_organisation("12100000400000625B"));
        assert!(!p.may_touch_province("62"));
    }

    #[test]
    fn auditors_read_every_province_but_touch_none_outside_scope() {
        let p = principal(&[Role::Auditor], Scope::default());
        assert!(p.may_read_province("62"));
        assert!(!p.may_touch_province("62"));
        let reader = principal(&[Role::Reader], gansu());
        assert!(reader.may_read_province("620100"));
        assert!(!reader.may_read_province("110000"));
    }

    #[test]
    fn scope_entries_parse_by_shape() {
        let scope = Scope::from_entries(["62", "12100000400000624D"]).unwrap();
        assert!(scope.provinces.contains("62"));
        assert!(scope.organisations.contains("12100000400000624D"));
        assert!(!scope.all);
        assert!(Scope::from_entries(["*"]).unwrap().all);
        assert_eq!(
            Scope::from_entries(["620000"]),
            Err(ScopeError("620000".into()))
        );
        assert!(Scope::from_entries(["12100000400000624I"]).is_err());
    }

    #[test]
    fn roles_parse_from_their_names_only() {
        assert_eq!("auditor".parse::<Role>(), Ok(Role::Auditor));
        assert!("Admin".parse::<Role>().is_err());
        assert_eq!(Role::Recorder.to_string(), "recorder");
    }
}
