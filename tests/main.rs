//! End-to-end tests: `server::run` on `127.0.0.1:0` with a fresh SQLite data directory (and a fresh
//! PostgreSQL database when `MEDAID_TEST_DATABASE_URL` is set), called through the generated clients
//! with tokens minted from the development key.

mod audit;
mod audit_contract;
mod authorization;
mod big_numbers;
mod chaos;
mod common;
mod corrections;
mod coverage;
mod custom_regions;
mod descriptor;
mod erasure;
mod errors;
mod feed;
mod feed_filters;
mod field_contracts;
mod flow;
mod fuzz_requests;
mod limits;
mod metrics;
mod organisations;
mod poison;
mod read_models;
mod recorder;
mod reported_figures;
mod request_ids;
mod required_fields;
