//! Which subjects and rows of the read models a caller may see.
//!
//! An organisation is visible when the caller reads everything, names it in its scope, or covers
//! the province its credit code was registered in. A pairing, mentorship or agreement is visible
//! when one of its parties is: a Guizhou platform follows the Dongguan teams sent to Guizhou. A row
//! of a list is visible when one of the organisations it names is.

use domain::aggregates::mentorship::MentorshipState;
use domain::aggregates::pairing::PairingState;
use domain::values::{CreditCode, MentorshipId, PairingId};

use crate::App;
use crate::authorize::{reads_everything, require_reader};
use crate::error::Error;
use crate::load::state;
use crate::principal::Principal;

/// Whether the caller may see facts about the organisation with this credit code.
pub(crate) fn may_see_org(caller: &Principal, org: &str) -> bool {
    if reads_everything(caller) || caller.scope.organisations.contains(org) {
        return true;
    }
    CreditCode::parse(org)
        .ok()
        .and_then(|code| code.division())
        .is_some_and(|division| caller.may_read_province(division.as_str()))
}

/// Whether the caller may see a row naming these organisations.
pub(crate) fn may_see_any<'a>(caller: &Principal, orgs: impl IntoIterator<Item = &'a str>) -> bool {
    reads_everything(caller) || orgs.into_iter().any(|org| may_see_org(caller, org))
}

/// Parses an organisation argument, refusing a malformed credit code with the field named.
pub(crate) fn parse_org(field: &str, org: &str) -> Result<CreditCode, Error> {
    CreditCode::parse(org).map_err(|problem| Error::InvalidArgument {
        field: field.to_owned(),
        reason: problem.reason(),
        message: format!("{field} {org:?} is not a unified social credit code: {problem}"),
    })
}

/// Refuses an organisation argument the caller may not see.
pub(crate) fn require_org(caller: &Principal, field: &str, org: &str) -> Result<(), Error> {
    let code = parse_org(field, org)?;
    if may_see_org(caller, code.as_str()) {
        return Ok(());
    }
    let province = code
        .division()
        .map(|d| d.province().as_str().to_owned())
        .unwrap_or_default();
    Err(Error::PermissionDenied {
        message: format!("the caller's scope does not cover {org} (province {province})"),
        missing: vec![("missing_province".to_owned(), province)],
    })
}

/// Parses a UUID-keyed id argument.
pub(crate) fn parse_uuid(field: &str, id: &str) -> Result<uuid::Uuid, Error> {
    uuid::Uuid::parse_str(id).map_err(|_| Error::InvalidArgument {
        field: field.to_owned(),
        reason: "INVALID_FIELD",
        message: format!("{field} {id:?} is not a UUID"),
    })
}

fn out_of_scope(what: String) -> Error {
    Error::PermissionDenied {
        message: format!("the caller's scope covers no party of {what}"),
        missing: vec![("missing_scope".to_owned(), what)],
    }
}

impl App {
    /// Refuses a pairing the caller may not see; an unknown pairing is not found, for every caller.
    pub(crate) async fn require_pairing(
        &self,
        caller: &Principal,
        pairing_id: &str,
    ) -> Result<(), Error> {
        // The role first: without it the caller must not learn whether the pairing exists.
        require_reader(caller)?;
        let id = PairingId(parse_uuid("pairing_id", pairing_id)?);
        let pairing = state::<PairingState>(&self.store, &id.stream_id()).await?;
        let established = pairing
            .established
            .as_ref()
            .ok_or_else(|| Error::NotFound {
                reason: "PAIRING_NOT_FOUND",
                what: format!("pairing {pairing_id}"),
            })?;
        let parties = established
            .supporting_orgs
            .iter()
            .chain(std::iter::once(&established.recipient_org));
        if may_see_any(caller, parties.map(CreditCode::as_str)) {
            Ok(())
        } else {
            Err(out_of_scope(format!("pairing {pairing_id}")))
        }
    }

    /// Refuses a mentorship the caller may not see; an unknown mentorship is not found.
    pub(crate) async fn require_mentorship(
        &self,
        caller: &Principal,
        mentorship_id: &str,
    ) -> Result<(), Error> {
        require_reader(caller)?;
        let id = MentorshipId(parse_uuid("mentorship_id", mentorship_id)?);
        let mentorship = state::<MentorshipState>(&self.store, &id.stream_id()).await?;
        let paired = mentorship.paired.as_ref().ok_or_else(|| Error::NotFound {
            reason: "STREAM_NOT_FOUND",
            what: format!("mentorship {mentorship_id}"),
        })?;
        if may_see_org(caller, paired.recipient_org.as_str()) {
            Ok(())
        } else {
            Err(out_of_scope(format!("mentorship {mentorship_id}")))
        }
    }
}
