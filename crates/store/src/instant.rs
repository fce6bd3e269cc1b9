//! How an instant is stored: an `*_at_ms` column of unix milliseconds (`BIGINT`), read into a
//! [`Timestamp`]. Store is the only crate that sees the integer.

use ixorg_domain::timestamp::Timestamp;

/// An `*_at_ms` column as it is decoded, for row structs that derive `sqlx::FromRow`:
/// `#[sqlx(rename = "created_at_ms", try_from = "UnixMs")] created_at: Timestamp`.
#[derive(Clone, Copy, Debug, sqlx::Type)]
#[sqlx(transparent)]
pub(crate) struct UnixMs(i64);

impl From<UnixMs> for Timestamp {
    fn from(ms: UnixMs) -> Self {
        Timestamp::from_unix_ms(ms.0)
    }
}
