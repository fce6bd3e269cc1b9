//! Embedded, forward-only migrations: `migrations/sqlite` and `migrations/postgres`, paired 1:1.

use sqlx::migrate::Migrator;

use crate::{Db, Error};

static SQLITE: Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("../../migrations/postgres");

/// Applies every migration that has not run yet. Safe to call on every start.
pub async fn run(db: &Db) -> Result<(), Error> {
    match db {
        Db::Sqlite(pools) => SQLITE.run(&pools.write).await?,
        Db::Pg(pool) => POSTGRES.run(pool).await?,
    }
    Ok(())
}

/// The versions and names of the embedded migrations for a backend (for `ixorg migrate`).
pub fn embedded(db: &Db) -> Vec<(i64, String)> {
    let migrator = match db {
        Db::Sqlite(_) => &SQLITE,
        Db::Pg(_) => &POSTGRES,
    };
    migrator
        .iter()
        .map(|m| (m.version, m.description.to_string()))
        .collect()
}
