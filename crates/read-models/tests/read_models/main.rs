//! Read models built by the real projector from a real store, on scenarios taken from the seed
//! articles: each test appends domain events and checks the answers the articles give.

mod support;

mod capability;
mod failures;
mod leadership;
mod network;
mod presence;
mod rebuild_and_restart;
mod seed_000_corrections;
mod seed_000_roster;
mod seed_000_timeline;
mod seed_002_facts;
mod seed_002_groups;
mod seed_002_scoreboard;
mod seed_003_mentorship;
mod targets;
mod techniques;
