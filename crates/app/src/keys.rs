//! `ixorg keys rotate`: re-encrypts every BSN ciphertext under the newest key version (promises
//! P2 and P5), while older versions still decrypt.
//!
//! The rotation walks every column of [`CIPHERTEXT_COLUMNS`] in chunks of [`CHUNK_ROWS`] rows,
//! each chunk its own short transaction, so the server keeps serving (readers see either the old
//! or the new ciphertext of a row, and both decrypt). A row already on the newest version with
//! the configured blind index is skipped, so the rotation can be stopped and run again at any
//! time. A row whose ciphertext changed between read and write (a rectification meanwhile) is
//! left alone: it was written under the newest key anyway. Each chunk passes the gate as the
//! `key-rotation` job for the `security` purpose and is written to the access log.
//!
//! The blind-index key must be pinned first (see [`crate::crypto`]), so that removing the old key
//! version afterwards cannot change the index.

use ixorg_domain::privacy::{Action, DataCategory, Purpose, Refusal};
use ixorg_store::keys::{self as repo, CIPHERTEXT_COLUMNS, CiphertextColumn, RowKey};

use crate::access::{self, AccessError};
use crate::context::AppContext;
use crate::crypto::{Crypto, CryptoError};

/// Rows per chunk (one short transaction each).
pub const CHUNK_ROWS: i64 = 500;

/// The job name in the access log.
pub const JOB: &str = "key-rotation";

/// Why a rotation stopped. What was rotated before stays rotated; run it again.
#[derive(Debug, thiserror::Error)]
pub enum RotateError {
    /// The blind-index key is derived from a key version that the rotation makes removable.
    #[error(
        "the blind-index key is not pinned: add the entry `ixorg keys index-key` prints to \
         IXORG_DATA_KEY before rotating, or BSN lookups break when the old key is removed"
    )]
    IndexKeyNotPinned,
    /// A stored value does not decrypt with the configured keys.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The gate refused the job.
    #[error("access refused: {0}")]
    Refused(Refusal),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] ixorg_store::Error),
}

impl From<AccessError> for RotateError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Refused(r) => RotateError::Refused(r),
            AccessError::Store(s) => RotateError::Store(s),
        }
    }
}

/// What the rotation did to one column (also its progress while it runs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ColumnReport {
    /// `table.column`.
    pub table: &'static str,
    /// The column.
    pub column: &'static str,
    /// Ciphertexts looked at.
    pub seen: u64,
    /// Re-encrypted (or given the configured blind index).
    pub rewritten: u64,
    /// Already on the newest version: left alone.
    pub current: u64,
    /// Changed by someone else between read and write: left alone.
    pub changed_meanwhile: u64,
}

/// One chunk of one column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// The last row of the chunk, where the next chunk starts; `None` when the column is done.
    pub last: Option<RowKey>,
    /// The counts of this chunk.
    pub report: ColumnReport,
}

/// The key version everything is rotated to, after checking that rotating is safe.
fn target(ctx: &AppContext) -> Result<&Crypto, RotateError> {
    let crypto = ctx.crypto()?;
    if !crypto.index_key_pinned() && crypto.versions().len() > 1 {
        return Err(RotateError::IndexKeyNotPinned);
    }
    Ok(crypto)
}

/// Rotates the next at most `limit` rows of `column` after `after`, in one transaction.
pub async fn rotate_chunk(
    ctx: &AppContext,
    column: &CiphertextColumn,
    after: Option<RowKey>,
    limit: i64,
) -> Result<Chunk, RotateError> {
    let crypto = target(ctx)?;
    let mut tx = ctx.db.begin().await?;
    let grant = access::job_grant(
        ctx,
        &mut tx,
        JOB,
        Purpose::Security,
        vec![DataCategory::NationalId],
        Action::Change,
    )
    .await?;
    let rows = repo::chunk(&mut tx, &grant, column, after, limit).await?;
    let mut report = ColumnReport {
        table: column.table,
        column: column.column,
        ..ColumnReport::default()
    };
    for row in &rows {
        report.seen += 1;
        let bsn = crypto.decrypt_bsn(row.aad, &row.ciphertext)?;
        let index = column.blind_index.map(|_| crypto.blind_index(&bsn));
        let on_current = Crypto::version_of(&row.ciphertext) == Some(crypto.current_version());
        if on_current && index == row.blind_index {
            report.current += 1;
            continue;
        }
        let new = if on_current {
            row.ciphertext.clone()
        } else {
            crypto.encrypt_bsn(row.aad, &bsn)?
        };
        let replaced = repo::replace(
            &mut tx,
            &grant,
            column,
            row.key,
            &row.ciphertext,
            &new,
            index.as_deref(),
        )
        .await?;
        if replaced {
            report.rewritten += 1;
        } else {
            report.changed_meanwhile += 1;
        }
    }
    tx.commit().await?;
    let full = i64::try_from(rows.len()).unwrap_or(i64::MAX) >= limit;
    Ok(Chunk {
        last: if full {
            rows.last().map(|r| r.key)
        } else {
            None
        },
        report,
    })
}

/// Rotates every ciphertext column, `chunk_rows` rows per transaction, calling `progress` after
/// each chunk with the column's running totals.
pub async fn rotate(
    ctx: &AppContext,
    chunk_rows: i64,
    progress: &dyn Fn(&ColumnReport),
) -> Result<Vec<ColumnReport>, RotateError> {
    target(ctx)?;
    let chunk_rows = chunk_rows.max(1);
    let mut reports = Vec::with_capacity(CIPHERTEXT_COLUMNS.len());
    for column in CIPHERTEXT_COLUMNS {
        let mut total = ColumnReport {
            table: column.table,
            column: column.column,
            ..ColumnReport::default()
        };
        let mut after = None;
        loop {
            let chunk = rotate_chunk(ctx, column, after, chunk_rows).await?;
            total.seen += chunk.report.seen;
            total.rewritten += chunk.report.rewritten;
            total.current += chunk.report.current;
            total.changed_meanwhile += chunk.report.changed_meanwhile;
            progress(&total);
            match chunk.last {
                Some(last) => after = Some(last),
                None => break,
            }
        }
        tracing::info!(
            table = column.table,
            column = column.column,
            rewritten = total.rewritten,
            current = total.current,
            "Key rotation of a column done"
        );
        reports.push(total);
    }
    Ok(reports)
}
