//! A fresh, migrated database per test: a temporary SQLite file, or a PostgreSQL schema of its
//! own in the database named by `IXORG_TEST_PG_URL`.

#![expect(
    clippy::disallowed_methods,
    reason = "test databases get random names of their own"
)]

use std::io::Write;
use std::path::PathBuf;
use std::sync::Once;

use ixorg_store::{ConnectOptions, Db};

/// A database for one test. SQLite files are removed on drop; PostgreSQL schemas stay until the
/// CI cluster is thrown away (dropping needs an async call that `Drop` cannot make).
#[derive(Debug)]
pub struct TestDb {
    db: Db,
    url: String,
    file: Option<PathBuf>,
}

impl TestDb {
    /// A fresh SQLite database in a temporary file (a file, not `:memory:`, so that several
    /// connections and the WAL are exercised as in production).
    pub async fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join("ixorg-tests");
        std::fs::create_dir_all(&dir).expect("create the test directory");
        let file = dir.join(format!("{}.db", uuid::Uuid::new_v4().simple()));
        let url = format!("sqlite://{}", file.display());
        let db = Db::connect(&url, ConnectOptions::default())
            .await
            .expect("connect to the test SQLite file");
        ixorg_store::migrate::run(&db)
            .await
            .expect("migrate the test SQLite database");
        TestDb {
            db,
            url,
            file: Some(file),
        }
    }

    /// A fresh PostgreSQL schema, or `None` (with a notice on stderr) when `IXORG_TEST_PG_URL`
    /// is not set. A set but unreachable URL fails the test: CI must never skip silently.
    pub async fn postgres() -> Option<TestDb> {
        let Ok(base) = std::env::var("IXORG_TEST_PG_URL") else {
            static NOTICE: Once = Once::new();
            NOTICE.call_once(|| {
                // Written past the test harness's capture on purpose, so the skip is visible.
                let _ = std::io::stderr().write_all(
                    b"\nNOTICE: IXORG_TEST_PG_URL is not set: PostgreSQL tests were SKIPPED \
                      (only SQLite ran). .ci/run sets it.\n",
                );
            });
            return None;
        };
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let admin = Db::connect(
            &base,
            ConnectOptions {
                connections_max: 1,
                ..ConnectOptions::default()
            },
        )
        .await
        .expect("connect to IXORG_TEST_PG_URL (is the test PostgreSQL running?)");
        ixorg_store::schema::create_schema(&admin, &schema)
            .await
            .expect("create the test schema");
        admin.close().await;
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        let db = Db::connect(&url, ConnectOptions::default())
            .await
            .expect("connect to the test PostgreSQL schema");
        ixorg_store::migrate::run(&db)
            .await
            .expect("migrate the test PostgreSQL schema");
        Some(TestDb {
            db,
            url,
            file: None,
        })
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Its URL (for tests that start the binary against it).
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(file) = &self.file {
            for suffix in ["", "-wal", "-shm"] {
                let mut name = file.clone().into_os_string();
                name.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(name));
            }
        }
    }
}
