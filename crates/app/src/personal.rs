//! Personal data: sealing a practitioner's name, gender and licence number under their own key
//! before the registration is decided, and erasing them by destroying the key (crypto-shredding,
//! PIPL Art. 47; `../shared/reference/audit-anchors.md` §4.5).
//!
//! Keys live in the store's `personal_data_keys` table, outside the log. The server asks for a
//! [`Sealer`] before it builds a registration: the key is the practitioner's stored one, or a new
//! one drawn from the operating system. The request digest stored with the events (which enters
//! the Merkle leaf through the metadata) must not be a plain hash of the personal data either, or a
//! guessed name could be checked against it; the sealer keys that part of the digest with the
//! practitioner's key ([`Sealer::digest`]), so once the key is gone the digest tells nothing.

use domain::aggregates::practitioner::{
    PractitionerCommand, PractitionerContext, PractitionerState,
};
use domain::values::{KEY_LEN, NONCE_LEN, PersonalData, PractitionerId, SealedPersonalData, seal};
use domain::{AggregateCommand, Event, StreamCommand};
use hmac::{Hmac, KeyInit as _, Mac as _};
use rand_core::{OsRng, RngCore as _};
use sha2::Sha256;

use crate::App;
use crate::authorize::{check_write_scope, require_admin, require_recorder};
use crate::command::{CommandOutcome, CommandRequest};
use crate::error::Error;
use crate::load::{Loaded, load};
use crate::principal::Principal;

/// Seals one practitioner's personal data under their key.
pub struct Sealer {
    subject: String,
    key: [u8; KEY_LEN],
}

impl Sealer {
    /// `data` sealed with a fresh random nonce.
    pub fn seal(&self, data: &PersonalData) -> SealedPersonalData {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        seal(&self.key, &nonce, &self.subject, data)
    }

    /// The request digest of a write carrying `data`: `base` (the server's digest of the request
    /// without the personal fields) and an HMAC-SHA-256 of the personal data under the
    /// practitioner's key, hashed together. Equal for two requests exactly when both parts are.
    pub fn digest(&self, base: &str, data: &PersonalData) -> String {
        // HMAC takes keys of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256>>::new_from_slice(&self.key).expect("HMAC accepts any key");
        mac.update(b"medaid-personal-digest-v1\0");
        mac.update(base.as_bytes());
        mac.update(b"\0");
        mac.update(&data.canonical_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

impl App {
    /// The sealer of `practitioner`'s personal data, with their stored key or a new one. Needs the
    /// recorder role; a practitioner whose personal data was erased gets no new key
    /// (`PERSONAL_DATA_ALREADY_ERASED`): their registration is not recorded again.
    pub async fn sealer(
        &self,
        principal: &Principal,
        practitioner: &PractitionerId,
    ) -> Result<Sealer, Error> {
        require_recorder(principal)?;
        let subject = practitioner.stream_id();
        let loaded: Loaded<PractitionerState> = load(&self.store, &subject).await?;
        if let Err(refusal) = loaded.stream.state().require_not_erased(practitioner) {
            // The refusal describes the stream: only a caller who may write to it learns it.
            crate::execute::check_stream_scope(principal, &loaded.stored)?;
            return Err(Error::from_domain(&refusal, &subject));
        }
        let mut candidate = [0u8; KEY_LEN];
        OsRng.fill_bytes(&mut candidate);
        let key = self
            .store
            .subject_key_or_insert(&subject, candidate)
            .await?;
        Ok(Sealer { subject, key })
    }

    /// Erases a practitioner's personal data: decides the erasure (the practitioner exists and is
    /// not erased yet, the caller's scope covers the employer), destroys the key, then records
    /// `PersonalDataErased`. Needs the admin role.
    ///
    /// The key goes first: should the append fail, the data is unreadable all the same and a
    /// retry records the event; the other order could leave an erasure on record with the key
    /// still in place. A repeat of the request destroys nothing more and answers the original.
    pub async fn erase_personal_data(
        &self,
        principal: &Principal,
        request: CommandRequest,
    ) -> Result<CommandOutcome, Error> {
        require_admin(principal)?;
        let AggregateCommand::Practitioner {
            id,
            command: command @ StreamCommand::Act(PractitionerCommand::Erase(_)),
        } = &request.command
        else {
            return Err(Error::internal("erase_personal_data takes an erasure"));
        };
        let subject = id.stream_id();
        let loaded: Loaded<PractitionerState> = load(&self.store, &subject).await?;
        let repeat = loaded.stored.iter().any(|e| {
            e.parsed_metadata()
                .is_ok_and(|m| m.request_id == request.request_id)
        });
        if !repeat {
            let events = domain::decide(&loaded.stream, command, &PractitionerContext::default())
                .map_err(|refusal| {
                match crate::execute::check_stream_scope(principal, &loaded.stored) {
                    Ok(()) => Error::from_domain(&refusal, &subject),
                    Err(denied) => denied,
                }
            })?;
            let scopes: Vec<_> = events.iter().map(Event::scope).collect();
            check_write_scope(principal, &scopes)?;
            self.store.destroy_subject_key(&subject).await?;
        }
        self.run::<PractitionerState>(principal, &request, command)
            .await
    }
}
