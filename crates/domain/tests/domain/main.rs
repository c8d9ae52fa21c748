//! Rule tests: given/when/then for every aggregate, at least one passing and one failing case per rule.

mod agreement_batch_rules;
mod correction_rules;
mod deployment_rules;
mod fixtures;
mod harness;
mod hospital_alliance_rules;
mod mentorship_rules;
mod pairing_rules;
mod practitioner_rules;
mod presence_rules;
mod program_rules;
mod reasons;
mod samples;
mod seeds;
mod serialization;
mod study_activity_rules;
mod tags;
mod technique_gap_rules;
mod values_props;
