//! Key rotation's reads and writes: every column that holds a BSN ciphertext, read and rewritten
//! in short chunks so that the server keeps serving while a rotation runs.
//!
//! [`CIPHERTEXT_COLUMNS`] lists every encrypted national-id column with the column its
//! associated data (the row id the ciphertext is bound to) comes from; a test checks it against
//! the field registry, so a new ciphertext column cannot be forgotten by the rotation.

use ixorg_domain::privacy::{Action, DataCategory};
use sqlx::AssertSqlSafe;
use uuid::Uuid;

use crate::gate::Grant;
use crate::{Error, Tx, on_tx};

/// How the rows of a table are keyed (and walked through in chunks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// A UUID primary key.
    Id,
    /// An integer sequence primary key.
    Sequence,
}

/// One encrypted national-id column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CiphertextColumn {
    /// The table.
    pub table: &'static str,
    /// The ciphertext column.
    pub column: &'static str,
    /// The primary key the rotation walks.
    pub key: &'static str,
    /// Its kind.
    pub key_kind: KeyKind,
    /// The column whose UUID is the ciphertext's associated data.
    pub aad: &'static str,
    /// The blind-index column kept beside it, if any.
    pub blind_index: Option<&'static str>,
}

/// Every encrypted national-id column of the schema.
pub const CIPHERTEXT_COLUMNS: &[CiphertextColumn] = &[
    CiphertextColumn {
        table: "participant",
        column: "bsn_ciphertext",
        key: "participant_id",
        key_kind: KeyKind::Id,
        aad: "participant_id",
        blind_index: Some("bsn_blind_index"),
    },
    CiphertextColumn {
        table: "privacy_request",
        column: "proposed_national_id",
        key: "privacy_request_id",
        key_kind: KeyKind::Id,
        aad: "privacy_request_id",
        blind_index: None,
    },
    CiphertextColumn {
        table: "personal_data_change",
        column: "old_national_id",
        key: "sequence",
        key_kind: KeyKind::Sequence,
        aad: "participant_id",
        blind_index: None,
    },
];

/// A row's key, as the rotation walks a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RowKey {
    /// A UUID key.
    Id(Uuid),
    /// An integer key.
    Sequence(i64),
}

/// One stored ciphertext. Its `Debug` shows the key only.
#[derive(Clone, PartialEq, Eq)]
pub struct CipherRow {
    /// The row.
    pub key: RowKey,
    /// The associated data the ciphertext is bound to.
    pub aad: Uuid,
    /// The stored value (key version byte first).
    pub ciphertext: Vec<u8>,
    /// The blind index beside it, for columns that have one.
    pub blind_index: Option<Vec<u8>>,
}

impl std::fmt::Debug for CipherRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CipherRow")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// A stored row: key, associated data, ciphertext, blind index.
type Row<K> = (K, Uuid, Vec<u8>, Option<Vec<u8>>);

/// The next at most `limit` rows of `column` holding a ciphertext, after `after` (from the
/// start when `None`), in key order.
pub async fn chunk(
    tx: &mut Tx,
    grant: &Grant,
    column: &CiphertextColumn,
    after: Option<RowKey>,
    limit: i64,
) -> Result<Vec<CipherRow>, Error> {
    grant.require(None, &[DataCategory::NationalId], Action::Change)?;
    let CiphertextColumn {
        table,
        column: col,
        key,
        aad,
        ..
    } = *column;
    // Without a blind index the ciphertext is selected twice and the copy ignored, so that
    // every column has the one row shape.
    let index = column.blind_index.unwrap_or(col);
    // Every name comes from the constant list above, none from input.
    let sql = format!(
        "SELECT {key}, {aad}, {col}, {index} FROM {table} WHERE {col} IS NOT NULL \
         AND {key} > $1 ORDER BY {key} LIMIT $2"
    );
    let rows: Vec<CipherRow> = match column.key_kind {
        KeyKind::Id => {
            let after = match after {
                Some(RowKey::Id(id)) => id,
                _ => Uuid::nil(),
            };
            let rows: Vec<Row<Uuid>> = on_tx!(tx, c =>
                sqlx::query_as(AssertSqlSafe(sql.clone())).bind(after).bind(limit).fetch_all(&mut *c).await)?;
            rows.into_iter()
                .map(|(k, aad, ciphertext, index)| CipherRow {
                    key: RowKey::Id(k),
                    aad,
                    ciphertext,
                    blind_index: index,
                })
                .collect()
        }
        KeyKind::Sequence => {
            let after = match after {
                Some(RowKey::Sequence(n)) => n,
                _ => i64::MIN,
            };
            let rows: Vec<Row<i64>> = on_tx!(tx, c =>
                sqlx::query_as(AssertSqlSafe(sql.clone())).bind(after).bind(limit).fetch_all(&mut *c).await)?;
            rows.into_iter()
                .map(|(k, aad, ciphertext, index)| CipherRow {
                    key: RowKey::Sequence(k),
                    aad,
                    ciphertext,
                    blind_index: index,
                })
                .collect()
        }
    };
    Ok(rows
        .into_iter()
        .map(|mut r| {
            if column.blind_index.is_none() {
                r.blind_index = None;
            }
            r
        })
        .collect())
}

/// Replaces one row's ciphertext (and blind index, for columns that have one) if it still holds
/// `old`: a value changed meanwhile (a rectification) is left alone. Returns whether it was
/// replaced.
pub async fn replace(
    tx: &mut Tx,
    grant: &Grant,
    column: &CiphertextColumn,
    row: RowKey,
    old: &[u8],
    new: &[u8],
    new_index: Option<&[u8]>,
) -> Result<bool, Error> {
    grant.require(None, &[DataCategory::NationalId], Action::Change)?;
    let CiphertextColumn {
        table,
        column: col,
        key,
        ..
    } = *column;
    // Every name comes from the constant list above, none from input. Parameters appear in
    // ascending order (SQLite numbers `$n` by first appearance).
    let index = column.blind_index.zip(new_index);
    let sql = match index {
        Some((index, _)) => {
            format!("UPDATE {table} SET {col} = $1, {index} = $2 WHERE {key} = $3 AND {col} = $4")
        }
        None => format!("UPDATE {table} SET {col} = $1 WHERE {key} = $2 AND {col} = $3"),
    };
    let done = on_tx!(tx, c => {
        let q = sqlx::query(AssertSqlSafe(sql.clone())).bind(new);
        let q = match index {
            Some((_, value)) => q.bind(value),
            None => q,
        };
        let q = match row {
            RowKey::Id(id) => q.bind(id),
            RowKey::Sequence(n) => q.bind(n),
        };
        q.bind(old).execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    Ok(done == 1)
}
