//! The application context: the database, the clock, the id source, the keys and the loaded
//! reference data (policy, product terms), built once and shared by every use case.

use std::sync::Arc;

use ixorg_domain::privacy::Policy;
use ixorg_domain::terms::TermsHistory;
use ixorg_domain::timestamp::Timestamp;
use ixorg_store::Db;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::crypto::Crypto;

/// The source of "now". Injected so tests control time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant.
    fn now(&self) -> OffsetDateTime;

    /// The current instant as a [`Timestamp`] (how instants are passed and stored).
    fn timestamp(&self) -> Timestamp {
        Timestamp::from_offset_date_time(self.now())
            .expect("BUG: the clock is within the range of i64 milliseconds")
    }

    /// Today's date (UTC).
    fn today(&self) -> Date {
        self.now().date()
    }
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[expect(
        clippy::disallowed_methods,
        reason = "this is the one place that reads the system clock"
    )]
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still (tests, reproducible benchmarks and demo data).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub OffsetDateTime);

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }
}

/// Makes new ids: time-ordered UUID v7 (good index locality) from the system's randomness.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ids;

impl Ids {
    /// A new id.
    #[expect(
        clippy::disallowed_methods,
        reason = "this is the one place that makes random ids"
    )]
    pub fn new_uuid(&self) -> Uuid {
        Uuid::now_v7()
    }

    /// `n` new ids at once, for batch jobs that make millions: UUID v7 of the current
    /// millisecond with their random bits from one draw of the system's randomness (one system
    /// call for all instead of one per id), in ascending order like ids made one by one.
    pub fn new_uuids(&self, n: usize) -> Vec<Uuid> {
        let now = self.new_uuid();
        let mut random = vec![0u8; n * UUID_V7_RANDOM_BYTES];
        let Some((seconds, nanos)) = now.get_timestamp().map(|t| t.to_unix()) else {
            return (0..n).map(|_| self.new_uuid()).collect();
        };
        if getrandom::fill(&mut random).is_err() {
            return (0..n).map(|_| self.new_uuid()).collect();
        }
        let millis = seconds * 1_000 + u64::from(nanos / 1_000_000);
        let mut ids: Vec<Uuid> = random
            .chunks_exact(UUID_V7_RANDOM_BYTES)
            .map(|bits| {
                let bits = bits.try_into().expect("BUG: chunks are exactly ten bytes");
                uuid::Builder::from_unix_timestamp_millis(millis, bits).into_uuid()
            })
            .collect();
        ids.sort_unstable();
        ids
    }
}

/// The random (and counter) bytes of a UUID v7 after its 48-bit timestamp.
const UUID_V7_RANDOM_BYTES: usize = 10;

/// Everything a use case needs. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppContext {
    /// The database.
    pub db: Db,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// The id source.
    pub ids: Ids,
    /// The data keys (absent when none was configured: BSNs can then not be stored or read).
    pub crypto: Option<Arc<Crypto>>,
    /// The access policy, as loaded from the database.
    pub policy: Arc<Policy>,
    /// The product terms, as loaded from the database.
    pub terms: Arc<TermsHistory>,
}

impl AppContext {
    /// The current instant.
    pub fn now(&self) -> Timestamp {
        self.clock.timestamp()
    }

    /// The keys, or an error saying none is configured.
    pub fn crypto(&self) -> Result<&Crypto, crate::crypto::CryptoError> {
        self.crypto
            .as_deref()
            .ok_or(crate::crypto::CryptoError::NoKey)
    }
}

impl AppContext {
    /// Which database this context uses.
    pub fn db_backend(&self) -> ixorg_store::Backend {
        self.db.backend()
    }
}

impl AppContext {
    /// Closes the database pool (waits for connections to return).
    pub async fn db_close(&self) {
        self.db.close().await;
    }
}
