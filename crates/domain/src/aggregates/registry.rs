//! The one list of aggregates, and what is generated from it: the command enum that addresses a
//! stream, its stream ids both ways, and (through [`for_each_aggregate!`]) the dispatch in `app`.
//!
//! A new aggregate is one line here; every match over aggregates in the workspace is generated
//! from that line, so nothing else can forget it.

use crate::errors::CorrectionError;
use crate::stream::StreamCommand;
use crate::values::{StreamKey, ValueProblem};

/// Calls `$callback! { Variant(IdType, StateType, CommandType), … }` with every aggregate.
///
/// The callback is a `macro_rules!` of the caller's that generates what needs one arm per
/// aggregate (`app`'s dispatch from a command to its aggregate's load and decide).
#[macro_export]
macro_rules! for_each_aggregate {
    ($callback:ident) => {
        $callback! {
            Program($crate::values::ProgramId, $crate::aggregates::program::ProgramState, $crate::aggregates::program::ProgramCommand),
            Pairing($crate::values::PairingId, $crate::aggregates::pairing::PairingState, $crate::aggregates::pairing::PairingCommand),
            Agreement($crate::values::AgreementId, $crate::aggregates::agreement::AgreementState, $crate::aggregates::agreement::AgreementCommand),
            Batch($crate::values::BatchId, $crate::aggregates::batch::BatchState, $crate::aggregates::batch::BatchCommand),
            Deployment($crate::values::DeploymentId, $crate::aggregates::deployment::DeploymentState, $crate::aggregates::deployment::DeploymentCommand),
            Mentorship($crate::values::MentorshipId, $crate::aggregates::mentorship::MentorshipState, $crate::aggregates::mentorship::MentorshipCommand),
            Technique($crate::values::TechniqueAtHospitalId, $crate::aggregates::technique::TechniqueState, $crate::aggregates::technique::TechniqueCommand),
            Gap($crate::aggregates::gap::GapKey, $crate::aggregates::gap::GapState, $crate::aggregates::gap::GapCommand),
            Hospital($crate::values::HospitalId, $crate::aggregates::hospital::HospitalState, $crate::aggregates::hospital::HospitalCommand),
            Alliance($crate::values::AllianceId, $crate::aggregates::alliance::AllianceState, $crate::aggregates::alliance::AllianceCommand),
            Platform($crate::values::PlatformId, $crate::aggregates::platform::PlatformState, $crate::aggregates::platform::PlatformCommand),
            Study($crate::values::StudyId, $crate::aggregates::study::StudyState, $crate::aggregates::study::StudyCommand),
            Activity($crate::values::ActivityLedgerId, $crate::aggregates::activity::ActivityState, $crate::aggregates::activity::ActivityCommand),
            Assessment($crate::values::AssessmentId, $crate::aggregates::assessment::AssessmentState, $crate::aggregates::assessment::AssessmentCommand),
            Practitioner($crate::values::PractitionerId, $crate::aggregates::practitioner::PractitionerState, $crate::aggregates::practitioner::PractitionerCommand),
        }
    };
}

/// Turns an `Act` into the API's correction of the fact at `version`; amendments stay as they are.
fn correcting<C>(command: StreamCommand<C>, version: u64, reason: String) -> StreamCommand<C> {
    match command {
        StreamCommand::Act(command) => StreamCommand::CorrectWith {
            version,
            command,
            reason,
        },
        other => other,
    }
}

macro_rules! aggregate_command {
    ($( $variant:ident($id:ty, $state:ty, $command:ty) ),* $(,)?) => {
        /// One command to one aggregate, with the id of the stream it targets.
        ///
        /// The target is explicit because many commands (ending a pairing, a departure) do not
        /// name their own stream. For stream-creating commands the server assigns the id and puts
        /// the same id in the payload; `app` refuses a payload naming another stream.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum AggregateCommand {
            $( $variant { id: $id, command: StreamCommand<$command> }, )*
        }

        impl AggregateCommand {
            /// The stream categories of the log (the prefixes of stream ids), one per aggregate.
            pub const CATEGORIES: &'static [&'static str] = &[$( <$id as StreamKey>::CATEGORY ),*];

            /// The stream the command writes to, `category-key`.
            pub fn stream_id(&self) -> String {
                match self { $( Self::$variant { id, .. } => StreamKey::stream_id(id), )* }
            }

            /// A retraction of the fact at `version` of the stream named `stream_id`: the one
            /// command addressed by a stream id alone. `stream_id` must be exactly the stream id of
            /// an aggregate (a normalised neighbour, such as an upper-case UUID, is refused).
            pub fn retraction(stream_id: &str, version: u64, reason: String) -> Result<Self, ValueProblem> {
                let unknown = || ValueProblem::OutOfRange {
                    detail: format!("{} is not the id of a medaid stream", crate::values::excerpt(stream_id)),
                };
                let (category, key) = stream_id.split_once('-').ok_or_else(unknown)?;
                let found = $(
                    if category == <$id as StreamKey>::CATEGORY {
                        Self::$variant {
                            id: <$id as StreamKey>::parse_key(key)?,
                            command: StreamCommand::Retract { version, reason },
                        }
                    } else
                )* {
                    return Err(unknown());
                };
                if found.stream_id() != stream_id {
                    return Err(unknown());
                }
                Ok(found)
            }

            /// The same command as a correction of the fact at `version` of `target` (the API's
            /// `correction` field): the aggregate re-records the command as the stream stood before
            /// that fact. The command must write to `target`.
            pub fn into_correction(self, target: &str, version: u64, reason: String) -> Result<Self, CorrectionError> {
                let found = self.stream_id();
                if found != target {
                    return Err(CorrectionError::ChangesStream { expected: target.to_owned(), found });
                }
                Ok(match self {
                    $( Self::$variant { id, command } => Self::$variant { id, command: correcting(command, version, reason) }, )*
                })
            }

            /// The key part of the stream id (after `category-`), returned as the created id of a
            /// new stream.
            pub fn entity_id(&self) -> String {
                let stream = self.stream_id();
                stream.split_once('-').map_or(stream.clone(), |(_, key)| key.to_owned())
            }
        }
    };
}

for_each_aggregate!(aggregate_command);

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use uuid::Uuid;

    use super::*;
    use crate::aggregates::gap::{GapKey, GapLevel, GapRegion};
    use crate::values::{
        ActivityLedgerId, AgreementId, AllianceId, AssessmentId, BatchId, CreditCode, DeploymentId,
        DivisionCode, HospitalId, MentorshipId, PairingId, PeriodKey, PlatformId, PractitionerId,
        ProgramId, RegionKey, StudyId, TechniqueAtHospitalId, TechniqueKey,
    };

    /// One stream id of every aggregate; a new aggregate without one here fails the test below.
    fn samples() -> Vec<String> {
        let uuid = Uuid::from_u128(0x0192_f1c4_7a2b_7c3d_8e4f_5a6b_7c8d_9e0f);
        let code = CreditCode::complete("1262042200000002").unwrap();
        let technique = TechniqueKey::parse("vats_wedge_resection").unwrap();
        vec![
            ProgramId(uuid).stream_id(),
            PairingId(uuid).stream_id(),
            AgreementId(uuid).stream_id(),
            BatchId {
                pairing: PairingId(uuid),
                number: 3,
            }
            .stream_id(),
            DeploymentId(uuid).stream_id(),
            MentorshipId(uuid).stream_id(),
            TechniqueAtHospitalId {
                hospital: code.clone(),
                technique: technique.clone(),
            }
            .stream_id(),
            GapKey::new(
                GapLevel::County,
                GapRegion::Division(DivisionCode::parse("620422").unwrap()),
                technique.clone(),
            )
            .unwrap()
            .stream_id(),
            GapKey::new(
                GapLevel::Custom,
                GapRegion::Custom(RegionKey::parse("southern_xinjiang").unwrap()),
                technique,
            )
            .unwrap()
            .stream_id(),
            HospitalId(code).stream_id(),
            AllianceId(uuid).stream_id(),
            PlatformId(uuid).stream_id(),
            StudyId(uuid).stream_id(),
            ActivityLedgerId {
                pairing: PairingId(uuid),
                period: PeriodKey::parse("2021_2022").unwrap(),
            }
            .stream_id(),
            AssessmentId(uuid).stream_id(),
            PractitionerId::parse("p-620422-0001").unwrap().stream_id(),
        ]
    }

    #[test]
    fn every_aggregates_stream_id_reads_back_to_a_retraction_of_that_stream() {
        let mut categories = BTreeSet::new();
        for stream_id in samples() {
            let command = AggregateCommand::retraction(&stream_id, 2, "typo".into())
                .unwrap_or_else(|e| panic!("{stream_id}: {e}"));
            assert_eq!(command.stream_id(), stream_id);
            categories.insert(stream_id.split_once('-').unwrap().0.to_owned());
        }
        let all: BTreeSet<String> = AggregateCommand::CATEGORIES
            .iter()
            .map(|c| (*c).to_owned())
            .collect();
        assert_eq!(categories, all, "one sample per aggregate");
    }

    #[test]
    fn a_stream_id_that_is_not_exactly_an_aggregates_is_refused() {
        for stream_id in [
            "",
            "program",
            "program-",
            "nothing-0192f1c4-7a2b-7c3d-8e4f-5a6b7c8d9e0f",
            // A normalised neighbour: the UUID parses, but the stream id is not the one written.
            "program-0192F1C4-7A2B-7C3D-8E4F-5A6B7C8D9E0F",
            "batch-0192f1c4-7a2b-7c3d-8e4f-5a6b7c8d9e0f",
            "batch-0192f1c4-7a2b-7c3d-8e4f-5a6b7c8d9e0f.03",
            "gap-district.620422.vats",
            "technique-1262042200000002",
        ] {
            assert!(
                AggregateCommand::retraction(stream_id, 1, "typo".into()).is_err(),
                "{stream_id:?} was taken for a stream"
            );
        }
    }

    #[test]
    fn a_correction_must_write_to_the_corrected_stream() {
        let stream_id = samples().remove(0);
        let command = AggregateCommand::retraction(&stream_id, 1, "typo".into()).unwrap();
        let error = command
            .into_correction("program-other", 1, "typo".into())
            .unwrap_err();
        assert!(matches!(error, CorrectionError::ChangesStream { .. }));
    }
}
