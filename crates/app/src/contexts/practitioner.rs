//! Loader for the practitioner directory: whether the employers a command names are registered.

use domain::aggregates::practitioner::{
    PractitionerCommand, PractitionerContext, PractitionerState,
};
use domain::{Stream, StreamCommand};
use event_store::EventStore;
use time::Date;

use super::{Guard, LoadContext};
use crate::error::Error;
use crate::load::registered;

impl LoadContext for PractitionerState {
    async fn load_context(
        store: &EventStore,
        _stream: &Stream<Self>,
        command: &StreamCommand<PractitionerCommand>,
        _today: Date,
        guard: &mut Guard,
    ) -> Result<PractitionerContext, Error> {
        let employer = match command.action() {
            Some(PractitionerCommand::Register(r)) => Some(&r.employer),
            Some(PractitionerCommand::Change(c)) => c.employer.as_ref(),
            Some(PractitionerCommand::Erase(_)) | None => None,
        };
        Ok(PractitionerContext {
            registered_orgs: registered(store, guard, employer).await?,
        })
    }
}
