//! The store's error type: typed, with no personal data in any message.

use ixorg_domain::ledger::LedgerError;

/// Which uniqueness rule a write broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConflictKind {
    /// Another participant has the same BSN (by blind index).
    DuplicateBsn,
    /// The participant number exists (never reused).
    DuplicateParticipantNumber,
    /// An AGB code is registered already.
    DuplicateAgbCode,
    /// A staff username is taken.
    DuplicateUsername,
    /// A ledger account code or owner exists.
    DuplicateAccount,
    /// A declaration line's reference or treatment is taken by another line.
    DuplicateDeclaration,
    /// A declaration batch with this content hash or idempotency key exists.
    DuplicateBatch,
    /// Another unique rule.
    Other,
}

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken.
    #[error("conflict: {0:?}")]
    Conflict(ConflictKind),
    /// A repository function was called with a grant that does not cover what it reads or
    /// writes. This is a programming error in the caller, caught before any data is touched.
    #[error("the access grant does not cover {0}")]
    GrantDoesNotCover(&'static str),
    /// A ledger rule refused a transfer.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// Stored data does not have the shape the code expects (names the table and column).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The database URL is neither `sqlite:` nor `postgres://`.
    #[error("unsupported database URL: use sqlite://PATH or postgres://…")]
    UnsupportedUrl,
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database failed.
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::RowNotFound = e {
            return Error::NotFound;
        }
        if let Some(db) = e.as_database_error()
            && db.is_unique_violation()
        {
            // SQLite names `table.column` in the message, PostgreSQL names the constraint;
            // neither message carries the offending value.
            let text = format!("{} {}", db.message(), db.constraint().unwrap_or(""));
            return Error::Conflict(conflict_kind(&text));
        }
        Error::Database(e)
    }
}

fn conflict_kind(text: &str) -> ConflictKind {
    if text.contains("declaration_line") {
        ConflictKind::DuplicateDeclaration
    } else if text.contains("declaration_batch") {
        ConflictKind::DuplicateBatch
    } else if text.contains("bsn_blind_index") {
        ConflictKind::DuplicateBsn
    } else if text.contains("participant_number") {
        ConflictKind::DuplicateParticipantNumber
    } else if text.contains("agb_code") {
        ConflictKind::DuplicateAgbCode
    } else if text.contains("username") {
        ConflictKind::DuplicateUsername
    } else if text.contains("ledger_account") {
        ConflictKind::DuplicateAccount
    } else {
        ConflictKind::Other
    }
}

/// Turns a stored value that failed to parse into a [`Error::Corrupt`] naming where it was.
pub(crate) fn corrupt(table: &str, column: &str) -> Error {
    Error::Corrupt(format!("{table}.{column}"))
}
