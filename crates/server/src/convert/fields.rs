//! Field parsers shared by every service: each returns a `ValidationError` located at the proto path.

use api::medaid::v1 as pb;
use domain::values::{
    ClinicalDepartment, Comparator, Count, CreditCode, DivisionCode, PairingId, PractitionerId,
    ProfessionalTitle, TechniqueKey, ValidationError, ValueProblem, check_text, parse_day,
};
use time::Date;

/// The longest free-text field accepted (names, reasons, certifiers).
pub const MAX_TEXT: usize = 200;

/// A required calendar date, `YYYY-MM-DD`, inside the business dates every client can decode.
pub fn date(field: &str, value: &str) -> Result<Date, ValidationError> {
    parse_day(value).map_err(|problem| problem.at(field))
}

/// An optional calendar date: the empty string means absent.
pub fn optional_date(field: &str, value: &str) -> Result<Option<Date>, ValidationError> {
    if value.is_empty() {
        Ok(None)
    } else {
        date(field, value).map(Some)
    }
}

/// A unified social credit code (GB 32100), check characters included.
pub fn credit_code(field: &str, value: &str) -> Result<CreditCode, ValidationError> {
    CreditCode::parse(value).map_err(|problem| problem.at(field))
}

/// A GB/T 2260 division code.
pub fn division(field: &str, value: &str) -> Result<DivisionCode, ValidationError> {
    DivisionCode::parse(value).map_err(|problem| problem.at(field))
}

/// A required free-text field, bounded in length.
pub fn text(field: &str, value: &str) -> Result<String, ValidationError> {
    check_text(field, value, MAX_TEXT)?;
    Ok(value.to_owned())
}

/// A required free-text field of at most `max` characters, the limit its proto comment states.
pub fn text_at_most(field: &str, value: &str, max: usize) -> Result<String, ValidationError> {
    check_text(field, value, max)?;
    Ok(value.to_owned())
}

/// An optional multi-line text (a reason): empty means absent; otherwise recordable text of at
/// most `max` characters, line feeds and tabs allowed.
pub fn optional_lines(
    field: &str,
    value: &str,
    max: usize,
) -> Result<Option<String>, ValidationError> {
    if value.is_empty() {
        return Ok(None);
    }
    domain::values::check_multiline_text(field, value, max)?;
    Ok(Some(value.to_owned()))
}

/// Refuses a repeated field with more than `max` entries, the limit its proto comment states.
pub fn at_most_entries<T>(field: &str, entries: &[T], max: usize) -> Result<(), ValidationError> {
    if entries.len() > max {
        return Err(ValueProblem::OutOfRange {
            detail: format!("at most {max} entries, got {}", entries.len()),
        }
        .at(field));
    }
    Ok(())
}

/// A required repeated field of 1 to `max` entries, as its proto comment states.
pub fn entries_1_to<T>(field: &str, entries: &[T], max: usize) -> Result<(), ValidationError> {
    if entries.is_empty() {
        return Err(ValueProblem::Empty.at(field));
    }
    at_most_entries(field, entries, max)
}

/// A required enum field: the unspecified (zero) or an unknown value is refused.
pub fn required_enum<T, E>(field: &str, value: i32) -> Result<T, ValidationError>
where
    T: TryFrom<i32, Error = E>,
{
    if value == 0 {
        return Err(ValueProblem::Empty.at(field));
    }
    T::try_from(value).map_err(|_| {
        ValueProblem::OutOfRange {
            detail: format!("{value} is not a known value"),
        }
        .at(field)
    })
}

/// The id of an entity this request creates, derived from the request id (a version 8 UUID over a
/// SHA-256 of `kind` and the request id).
///
/// Deriving it makes a repeated request (AIP-155) produce the same command, and lets a response
/// name an id the write put in a payload rather than in the stream id.
pub fn derived_uuid(kind: &str, request_id: &str) -> uuid::Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(kind.as_bytes())
        .chain_update([0u8])
        .chain_update(request_id.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(bytes)
}

/// An id naming an existing UUID-keyed stream.
pub fn uuid(field: &str, value: &str) -> Result<uuid::Uuid, ValidationError> {
    if value.is_empty() {
        return Err(ValueProblem::Empty.at(field));
    }
    uuid::Uuid::parse_str(value).map_err(|_| {
        ValueProblem::OutOfRange {
            detail: format!("{value:?} is not a UUID"),
        }
        .at(field)
    })
}

/// A required message field.
pub fn required<'a, T>(field: &str, value: Option<&'a T>) -> Result<&'a T, ValidationError> {
    value.ok_or_else(|| ValueProblem::Empty.at(field))
}

pub fn practitioner(field: &str, value: &str) -> Result<PractitionerId, ValidationError> {
    PractitionerId::parse(value).map_err(|problem| problem.at(field))
}

/// A GB/T 8561 title code.
pub fn title(field: &str, value: u32) -> Result<ProfessionalTitle, ValidationError> {
    let code = u16::try_from(value).map_err(|_| {
        ValueProblem::OutOfRange {
            detail: format!("{value} is not a title code"),
        }
        .at(field)
    })?;
    ProfessionalTitle::try_from(code).map_err(|problem| problem.at(field))
}

/// A clinical department (诊疗科目) code.
pub fn department(field: &str, value: &str) -> Result<ClinicalDepartment, ValidationError> {
    ClinicalDepartment::parse(value).map_err(|problem| problem.at(field))
}

/// A list of credit codes, each named by its index (`supporting_orgs[1]`).
pub fn credit_codes(field: &str, values: &[String]) -> Result<Vec<CreditCode>, ValidationError> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| credit_code(&format!("{field}[{i}]"), v))
        .collect()
}

/// A list of division codes, each named by its index.
pub fn divisions(field: &str, values: &[String]) -> Result<Vec<DivisionCode>, ValidationError> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| division(&format!("{field}[{i}]"), v))
        .collect()
}

/// The pairing id an RPC names.
pub fn pairing_id(field: &str, value: &str) -> Result<PairingId, ValidationError> {
    uuid(field, value).map(PairingId)
}

/// A count with its comparator (`attendees`, `surgeries`...).
pub fn count(field: &str, value: &pb::Count) -> Result<Count, ValidationError> {
    let comparator = match pb::CountComparator::try_from(value.comparator) {
        Ok(pb::CountComparator::AtLeast) => Comparator::AtLeast,
        Ok(pb::CountComparator::Exact | pb::CountComparator::Unspecified) => Comparator::Exact,
        Err(_) => {
            return Err(ValueProblem::OutOfRange {
                detail: format!("{} is not a known comparator", value.comparator),
            }
            .at(format!("{field}.comparator")));
        }
    };
    let figure = i64::try_from(value.value).map_err(|_| {
        ValueProblem::OutOfRange {
            detail: format!("{} is too large", value.value),
        }
        .at(format!("{field}.value"))
    })?;
    Count::new(figure, comparator).map_err(|problem| problem.at(format!("{field}.value")))
}

/// A technique key (`technique`, `gap.technique`).
pub fn technique_key(field: &str, value: &str) -> Result<TechniqueKey, ValidationError> {
    TechniqueKey::parse(value).map_err(|problem| problem.at(field))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_name_their_field() {
        assert!(date("registered_on", "2024-09-15").is_ok());
        let error = date("grade.assessed_on", "2024-13-01").err();
        assert_eq!(error.map(|e| e.field), Some("grade.assessed_on".to_owned()));
        assert_eq!(optional_date("valid_until", ""), Ok(None));
    }

    #[test]
    fn credit_codes_are_checked() {
        let error = credit_code("hospital", "91350100M000100Y4X").err();
        assert_eq!(error.map(|e| e.field), Some("hospital".to_owned()));
    }

    #[test]
    fn entity_ids_are_the_uuidv8_the_proto_documents_and_a_retry_names_the_same_one() {
        let request = "4f1c2e9a-6b1d-4c3e-9f7a-2d5b8c9e0a11";
        let id = derived_uuid("pairing", request);
        assert_eq!(
            id.get_version_num(),
            8,
            "common.proto: entity ids are UUIDv8"
        );
        assert_eq!(id.get_variant(), uuid::Variant::RFC4122);
        assert_eq!(id.to_string(), id.hyphenated().to_string().to_lowercase());
        assert_eq!(
            derived_uuid("pairing", request),
            id,
            "a retry names the same entity"
        );
        assert_ne!(
            derived_uuid("program", request),
            id,
            "the kind is part of the id"
        );
        assert_ne!(
            derived_uuid("pairing", "0b7e6a55-3c2d-4e1f-8a9b-1c2d3e4f5a6b"),
            id
        );
    }
}
