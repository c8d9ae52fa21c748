//! `medaid.v1.PersonalDataService` (`personal_data_service.proto`): erasure of a practitioner's
//! personal data, which `app` runs as its own use case (admin role, key destroyed first).

use api::medaid::v1 as pb;
use api::medaid::v1::personal_data_service_server::PersonalDataService;
use domain::aggregates::practitioner::{ErasePersonalData, ErasureBasis, PractitionerCommand};
use domain::values::ValidationError;
use domain::{AggregateCommand, StreamCommand};

use super::enums::ProtoEnum;
use super::write::{Ids, plain_rpcs, write_service};
use crate::convert::fields::{practitioner, required_enum};

/// `ErasePersonalData`: dated with the recording day.
pub fn erase(
    req: &pb::ErasePersonalDataRequest,
    ids: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let id = practitioner("practitioner", &req.practitioner)?;
    let basis: pb::ErasureBasis = required_enum("legal_basis", req.legal_basis)?;
    let legal_basis = ErasureBasis::from_proto(basis).unwrap_or(ErasureBasis::OtherLegalGround);
    Ok(AggregateCommand::Practitioner {
        id: id.clone(),
        command: StreamCommand::Act(PractitionerCommand::Erase(ErasePersonalData {
            practitioner: id,
            legal_basis,
            erased_on: ids.today(),
        })),
    })
}

plain_rpcs! {
    ErasePersonalDataRpc(pb::ErasePersonalDataRequest => ErasePersonalDataResponse) = erase;
}

write_service! {
    /// Erasure of personal data.
    PersonalDataService for PersonalDataErasure {
        erase_personal_data => ErasePersonalDataRpc,
    }
}
