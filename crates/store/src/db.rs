//! The database handle: one enum over a SQLite and a PostgreSQL pool, and its transaction type.
//!
//! The same SQL text and row structs compile once per backend through [`on_db!`] and
//! [`on_tx!`]; where the dialects really differ, a function matches on the backend itself.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};

use crate::Error;

/// Runs `$body` with `$p` bound to the backend's (reading) pool.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $p:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite($crate::db::SqlitePools { read: $p, .. }) => $body,
            $crate::Db::Pg($p) => $body,
        }
    };
}

/// Runs `$body` with `$c` bound to the transaction's connection (`&mut SqliteConnection` or
/// `&mut PgConnection`).
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::Tx::Pg(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// Which database a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default.
    Sqlite,
    /// PostgreSQL, for scale.
    Postgres,
}

impl Backend {
    /// `sqlite` or `postgres`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// SQLite's two pools: readers, and the one writer.
///
/// SQLite allows one writer at a time anyway. Giving all writes one connection keeps that
/// connection's page cache valid from transaction to transaction (a connection must drop its
/// cache whenever another connection has written), which makes batch posting several times
/// faster, and writers queue in the pool instead of spinning on the busy handler.
#[derive(Clone, Debug)]
pub struct SqlitePools {
    /// Readers (WAL lets them run during a write).
    pub read: SqlitePool,
    /// The single writer.
    pub write: SqlitePool,
}

/// A pool of connections to one database.
#[derive(Clone, Debug)]
pub enum Db {
    /// SQLite (WAL mode, foreign keys on).
    Sqlite(SqlitePools),
    /// PostgreSQL.
    Pg(PgPool),
}

/// An open transaction. Repository functions take `&mut Tx` and never commit: only `app` does.
#[derive(Debug)]
pub enum Tx {
    /// A SQLite transaction.
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    /// A PostgreSQL transaction.
    Pg(sqlx::Transaction<'static, Postgres>),
}

/// Connection settings, chosen at the call site.
#[derive(Clone, Copy, Debug)]
pub struct ConnectOptions {
    /// Pool size. SQLite serialises writers anyway; readers benefit from a few connections.
    pub connections_max: u32,
    /// How long to wait for a free connection or a lock before giving up.
    pub acquire_timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        // Ten connections serve a web tier and a batch job on two cores; five seconds is long
        // enough to ride out a batch commit and short enough to fail a health check clearly.
        ConnectOptions {
            connections_max: 10,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

/// The page size of a new SQLite database.
const SQLITE_PAGE_BYTES: u32 = 16_384;

/// The longest a SQLite writer waits for the write lock before failing with "database is busy".
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// How often the background task checkpoints the WAL into the database.
const SQLITE_CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Checkpoints the WAL of a SQLite database in the background, `PASSIVE`: it copies what it can
/// without waiting for readers or the writer, so no commit ever waits for it. Ends when the
/// pool is closed.
fn spawn_checkpointer(read: sqlx::SqlitePool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SQLITE_CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if read.is_closed() {
                return;
            }
            // A busy database or a closing pool only delays the next checkpoint.
            let _ = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&read)
                .await;
        }
    });
}

impl Db {
    /// Connects to `url` (`sqlite://path`, `sqlite::memory:`, `postgres://…`). A SQLite file is
    /// created when missing. Does not migrate: call [`crate::migrate::run`].
    pub async fn connect(url: &str, options: ConnectOptions) -> Result<Db, Error> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(options.connections_max)
                .acquire_timeout(options.acquire_timeout)
                .connect(url)
                .await?;
            Ok(Db::Pg(pool))
        } else if url.starts_with("sqlite:") {
            let memory = url.contains(":memory:") || url.contains("mode=memory");
            let connect = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .foreign_keys(true)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                // WAL lets readers run during a write; NORMAL sync is durable across
                // application crashes and is the recommended pairing with WAL.
                .journal_mode(if memory {
                    SqliteJournalMode::Memory
                } else {
                    SqliteJournalMode::Wal
                })
                .synchronous(SqliteSynchronous::Normal)
                // 16 KiB pages for a new database (an existing one keeps its page size until
                // `VACUUM`): a collection run or a ledger batch writes hundreds of MiB in one
                // transaction, and bigger pages mean fewer pages to spill, log and checkpoint
                // and shallower B-trees.
                .page_size(SQLITE_PAGE_BYTES)
                // 64 MiB of page cache per connection (the default is 2 MiB): batch postings
                // touch index pages all over the ledger, and re-reading them from the OS
                // costs a system call each.
                .pragma("cache_size", "-65536")
                .pragma("temp_store", "memory")
                // Checkpoint the WAL into the database every 10,000 pages (about 40 MiB)
                // instead of every 1,000: a page changed by many batches is copied back once.
                .pragma("wal_autocheckpoint", "10000");
            if memory {
                // An in-memory database exists per connection: one connection does all.
                let pool = SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .acquire_timeout(options.acquire_timeout)
                    .connect_with(connect)
                    .await?;
                return Ok(Db::Sqlite(SqlitePools {
                    read: pool.clone(),
                    write: pool,
                }));
            }
            // The writer never checkpoints in its commits: a checkpoint there stalls every
            // writer queued behind it (tens to hundreds of ms after a large batch). A task
            // checkpoints in the background instead (see `spawn_checkpointer`).
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .acquire_timeout(SQLITE_BUSY_TIMEOUT)
                .connect_with(connect.clone().pragma("wal_autocheckpoint", "0"))
                .await?;
            let read = SqlitePoolOptions::new()
                .max_connections(options.connections_max)
                .idle_timeout(Some(Duration::from_secs(600)))
                .max_lifetime(Some(Duration::from_secs(3600)))
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await?;
            spawn_checkpointer(read.clone());
            Ok(Db::Sqlite(SqlitePools { read, write }))
        } else {
            Err(Error::UnsupportedUrl)
        }
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Pg(_) => Backend::Postgres,
        }
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a read followed by a write can never fail on a lock upgrade.
    pub async fn begin(&self) -> Result<Tx, Error> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.write.begin_with("BEGIN IMMEDIATE").await?),
            Db::Pg(p) => Tx::Pg(p.begin().await?),
        })
    }

    /// Begins a read-only transaction (a consistent snapshot; no write lock on SQLite).
    pub async fn begin_read(&self) -> Result<Tx, Error> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.read.begin().await?),
            Db::Pg(p) => Tx::Pg(
                p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?,
            ),
        })
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), Error> {
        on_db!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Closes the pools, waiting for connections to be returned.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => {
                p.write.close().await;
                p.read.close().await;
            }
            Db::Pg(p) => p.close().await,
        }
    }
}

impl Tx {
    /// Commits the transaction.
    pub async fn commit(self) -> Result<(), Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Pg(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Rolls the transaction back (dropping it does the same).
    pub async fn rollback(self) -> Result<(), Error> {
        match self {
            Tx::Sqlite(t) => t.rollback().await?,
            Tx::Pg(t) => t.rollback().await?,
        }
        Ok(())
    }

    /// Which backend this transaction runs on.
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Pg(_) => Backend::Postgres,
        }
    }
}
