//! An [`AppContext`] on a test database, with a fixed clock and a fixed data key.

use std::sync::Arc;

use ixorg_app::setup::{OpenOptions, open};
use ixorg_app::{AppContext, FixedClock};
use time::macros::datetime;

use crate::TestDb;

/// The data key of every test context (never used outside tests).
pub const TEST_DATA_KEY: &str = "5f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

/// "Now" in tests: 26 November 2026, 10:00 UTC.
pub const TEST_NOW: time::OffsetDateTime = datetime!(2026-11-26 10:00 UTC);

/// Opens the platform on `db` (already migrated) with [`TEST_NOW`] and [`TEST_DATA_KEY`].
pub async fn test_app(db: &TestDb) -> AppContext {
    open(OpenOptions {
        database_url: db.url().to_owned(),
        data_key: Some(TEST_DATA_KEY.to_owned()),
        clock: Arc::new(FixedClock(TEST_NOW)),
        connect: ixorg_app::setup::connect_defaults(),
        key_required_if_encrypted: true,
    })
    .await
    .expect("open the platform on the test database")
}
