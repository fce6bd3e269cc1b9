//! Test helpers, used only as a dev-dependency: a fresh database per test on SQLite and on
//! PostgreSQL, the `db_test!` macro that runs one test body on both, proptest strategies, and
//! the replay of the committed fuzz corpora.

pub mod app;
pub mod db;
pub mod fuzz;
pub mod raw;
pub mod strategies;

pub use app::{TEST_DATA_KEY, TEST_NOW, test_app};
pub use db::TestDb;

/// Defines a module `$name` with two tests, `sqlite` and `postgres`, each running `$body` (an
/// async closure taking a [`TestDb`]) on a fresh, migrated database. The PostgreSQL test runs
/// when `IXORG_TEST_PG_URL` is set and says clearly, on stderr, when it was skipped.
#[macro_export]
macro_rules! db_test {
    ($(#[$meta:meta])* $name:ident, $body:expr) => {
        $(#[$meta])*
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::TestDb::sqlite().await;
                let body = $body;
                body(db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = $crate::TestDb::postgres().await {
                    let body = $body;
                    body(db).await;
                }
            }
        }
    };
}
