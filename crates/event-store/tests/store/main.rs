//! The event store's shared test suite: every test runs against SQLite and, when
//! `MEDAID_TEST_DATABASE_URL` is set, against PostgreSQL, each in a database of its own.

mod audit;
mod basics;
mod conditions;
mod crash;
mod guarantees;
mod keys;
mod replicas;
mod restart;
mod support;
mod tags;
mod wide_groups;

/// Instantiates each listed `async fn(Backend)` once per backend.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::support::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(backend) = $crate::support::Backend::postgres() {
                        super::$name(backend).await
                    }
                }
            )*
        }
    };
}
