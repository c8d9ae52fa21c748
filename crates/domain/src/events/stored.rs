//! The stable JSON form of events, and the upcasters that read older schema versions.
//!
//! Stored form: `{"type": "BatchDispatched", "schema_version": 1, "data": {...}}`. The type name and
//! schema version sit outside the payload so that a reader can upcast before it deserializes.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{Event, EventPayload};
use crate::aggregates::activity::ClinicalActivityReported;
use crate::aggregates::alliance::AllianceFormed;
use crate::aggregates::hospital::HospitalRegistered;
use crate::aggregates::pairing::FundingCommitted;

/// One event as written to and read from the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    #[serde(rename = "type")]
    pub event_type: String,
    pub schema_version: u32,
    pub data: Value,
}

/// Why stored JSON could not be read as an event.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("unknown event type {0:?}")]
    UnknownType(String),
    #[error("{event_type} has no schema version {version} (current is {current})")]
    UnknownVersion {
        event_type: String,
        version: u32,
        current: u32,
    },
    #[error("{event_type} v{version} payload is malformed: {detail}")]
    Malformed {
        event_type: String,
        version: u32,
        detail: String,
    },
}

impl DecodeError {
    pub fn reason(&self) -> &'static str {
        match self {
            Self::UnknownType(_) => "EVENT_TYPE_UNKNOWN",
            Self::UnknownVersion { .. } => "EVENT_SCHEMA_VERSION_UNKNOWN",
            Self::Malformed { .. } => "EVENT_PAYLOAD_MALFORMED",
        }
    }
}

impl Event {
    /// The stored form at the current schema version.
    pub fn to_stored(&self) -> StoredEvent {
        let data = match serde_json::to_value(self) {
            Ok(Value::Object(mut tagged)) => tagged.remove("data").unwrap_or(Value::Null),
            // Serializing plain data structs into a Value cannot fail; keep a visible marker if it did.
            Ok(_) | Err(_) => Value::Null,
        };
        StoredEvent {
            event_type: self.event_type().to_owned(),
            schema_version: self.schema_version(),
            data,
        }
    }

    /// Reads a stored event of any known schema version, upcasting it to the current one.
    pub fn from_stored(stored: &StoredEvent) -> Result<Event, DecodeError> {
        let data = upcast(
            &stored.event_type,
            stored.schema_version,
            stored.data.clone(),
        )?;
        serde_json::from_value(json!({ "type": stored.event_type, "data": data })).map_err(|e| {
            DecodeError::Malformed {
                event_type: stored.event_type.clone(),
                version: stored.schema_version,
                detail: e.to_string(),
            }
        })
    }
}

/// Turns the payload of `event_type` written at `version` into the current schema version.
pub fn upcast(event_type: &str, version: u32, data: Value) -> Result<Value, DecodeError> {
    let current = current_version(event_type)?;
    if version == 0 || version > current {
        return Err(DecodeError::UnknownVersion {
            event_type: event_type.to_owned(),
            version,
            current,
        });
    }
    let malformed = |detail: &str| DecodeError::Malformed {
        event_type: event_type.to_owned(),
        version,
        detail: detail.to_owned(),
    };
    match (event_type, version) {
        (ClinicalActivityReported::TYPE, 1) => {
            let Value::Object(payload) = data else {
                return Err(malformed("payload is not an object"));
            };
            Ok(Value::Object(clinical_activity_v1_to_v2(payload)))
        }
        // ClinicalActivityReported v3 added the optional `trainings` (a v2 report stated no
        // trainings count); FundingCommitted v2 added the source `fiscal_and_social` (a v1
        // commitment has one of the others). Both read unchanged; the versions moved so that a
        // reader that does not know the new field or value refuses it rather than drops it.
        (ClinicalActivityReported::TYPE, 2) | (FundingCommitted::TYPE, 1) => match data {
            Value::Object(_) => Ok(data),
            _ => Err(malformed("payload is not an object")),
        },
        // v2 added the optional `specialty_name` and `specialty_sub_code`: a v1 alliance has
        // neither, which v2 reads as named after its department. The version still moved, so that
        // a reader that does not know the new fields refuses them rather than drops them.
        (AllianceFormed::TYPE, 1) => match data {
            Value::Object(_) => Ok(data),
            _ => Err(malformed("payload is not an object")),
        },
        // v2 added `kind` and made `category` a hospital's only: every v1 registration was a
        // hospital with its category.
        (HospitalRegistered::TYPE, 1) => {
            let Value::Object(mut payload) = data else {
                return Err(malformed("payload is not an object"));
            };
            payload.insert("kind".to_owned(), json!("hospital"));
            Ok(Value::Object(payload))
        }
        ("EventCorrected", _) => upcast_nested_replacement(data).map_err(|e| match e {
            DecodeError::Malformed { detail, .. } => malformed(&detail),
            other => other,
        }),
        _ => Ok(data),
    }
}

fn current_version(event_type: &str) -> Result<u32, DecodeError> {
    super::EVENT_SCHEMA_VERSIONS
        .iter()
        .find(|(name, _)| *name == event_type)
        .map(|(_, version)| *version)
        .ok_or_else(|| DecodeError::UnknownType(event_type.to_owned()))
}

/// v1 of `ClinicalActivityReported` stored every figure as a bare integer, which lost the "at least"
/// qualifier of figures such as 2000余名. v2 stores `{value, comparator}`; a v1 integer was a counted
/// figure, so it becomes `exact`.
fn clinical_activity_v1_to_v2(mut payload: Map<String, Value>) -> Map<String, Value> {
    for field in [
        "surgeries",
        "critical_rescues",
        "outreach_clinics",
        "patients_served",
        "teleconsults",
    ] {
        if let Some(number @ Value::Number(_)) = payload.remove(field) {
            payload.insert(
                field.to_owned(),
                json!({ "value": number, "comparator": "exact" }),
            );
        } else {
            payload.insert(field.to_owned(), Value::Null);
        }
    }
    payload
}

/// A correction embeds its replacement at the replacement's schema version of the day; bring it current.
fn upcast_nested_replacement(mut data: Value) -> Result<Value, DecodeError> {
    let Some(object) = data.as_object_mut() else {
        return Ok(data);
    };
    let version = object
        .get("replacement_schema_version")
        .and_then(Value::as_u64)
        .and_then(|v| u32::try_from(v).ok());
    let Some(replacement) = object.get_mut("replacement") else {
        return Ok(data);
    };
    let Some(version) = version else {
        return Ok(data);
    };
    let event_type = replacement
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let payload = replacement.get("data").cloned().unwrap_or(Value::Null);
    let current = current_version(&event_type)?;
    let upgraded = upcast(&event_type, version, payload)?;
    *replacement = json!({ "type": event_type, "data": upgraded });
    object.insert("replacement_schema_version".to_owned(), json!(current));
    Ok(data)
}
