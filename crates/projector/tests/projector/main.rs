//! The projector's suite, on SQLite and (when `MEDAID_TEST_DATABASE_URL` is set) PostgreSQL.

mod basics;
mod counter;
mod crash;
mod failure;
mod leadership;
mod rebuild;
mod support;
