//! Client certificate identities: the TLS layer has already checked the chain against the client CA;
//! here the leaf certificate's identity is looked up in the configured table to find its principal.

use std::collections::{BTreeSet, HashMap};

use app::{Principal, Role, Scope};
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::config::ClientIdentityConfig;

/// The configured table from certificate identity to principal.
#[derive(Debug, Default)]
pub struct ClientIdentities {
    by_identity: HashMap<String, Principal>,
}

impl ClientIdentities {
    /// Builds the table; the entries were checked by `Config::validate`, so a bad entry is skipped with an error log.
    pub fn from_config(entries: &[ClientIdentityConfig]) -> ClientIdentities {
        let mut by_identity = HashMap::new();
        for entry in entries {
            let roles: Result<BTreeSet<Role>, _> = entry.roles.iter().map(|r| r.parse()).collect();
            match (roles, Scope::from_entries(&entry.scope)) {
                (Ok(roles), Ok(scope)) => {
                    let principal = Principal {
                        subject: entry.subject.clone(),
                        roles,
                        scope,
                    };
                    by_identity.insert(entry.identity.clone(), principal);
                }
                _ => {
                    tracing::error!(identity = %entry.identity, "skipping invalid client identity")
                }
            }
        }
        ClientIdentities { by_identity }
    }

    pub fn is_empty(&self) -> bool {
        self.by_identity.is_empty()
    }

    /// The principal of a DER leaf certificate: its URI subject alternative names are tried first,
    /// then its subject common names. `None` when the certificate cannot be parsed or is not listed.
    pub fn principal_for(&self, leaf_der: &[u8]) -> Option<Principal> {
        let (_, cert) = X509Certificate::from_der(leaf_der).ok()?;
        certificate_identities(&cert)
            .into_iter()
            .find_map(|id| self.by_identity.get(&id).cloned())
    }
}

/// The identities a certificate presents, in the order they are matched.
fn certificate_identities(cert: &X509Certificate<'_>) -> Vec<String> {
    let mut ids = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            if let GeneralName::URI(uri) = name {
                ids.push((*uri).to_owned());
            }
        }
    }
    for cn in cert.subject().iter_common_name() {
        if let Ok(cn) = cn.as_str() {
            ids.push(cn.to_owned());
        }
    }
    ids
}
