//! Bank files and their entries, and settling the contributions they report.

use ixorg_domain::Cents;
use ixorg_domain::identifiers::MandateId;
use ixorg_domain::timestamp::Timestamp;
use sqlx::AssertSqlSafe;
use uuid::Uuid;

use super::contributions::{CHUNK_ROWS, ContributionRef, contribution_of};
use crate::sql::{in_list, value_rows};
use crate::{Backend, Error, Tx, on_tx};

/// A bank file already imported with this content hash, as (id, kind, document id).
pub async fn bank_file_by_hash(
    tx: &mut Tx,
    sha256: &[u8],
) -> Result<Option<(Uuid, String, String)>, Error> {
    const SQL: &str =
        "SELECT bank_file_id, file_kind, document_id FROM bank_file WHERE content_sha256 = $1";
    Ok(on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(sha256)
        .fetch_optional(&mut *c)
        .await)?)
}

/// Stores an imported bank file.
pub async fn insert_bank_file(
    tx: &mut Tx,
    id: Uuid,
    kind: &str,
    sha256: &[u8],
    document_id: &str,
    entries: i64,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO bank_file (bank_file_id, file_kind, content_sha256, \
         document_id, entries, imported_at_ms) VALUES ($1, $2, $3, $4, $5, $6)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(kind)
        .bind(sha256)
        .bind(document_id)
        .bind(entries)
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// One entry of a bank file and what it matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankEntry {
    /// Position in the file.
    pub index: i64,
    /// Amount.
    pub amount: Cents,
    /// Credit (money in) or debit.
    pub credit: bool,
    /// End-to-end id, if the bank gave one.
    pub end_to_end_id: Option<String>,
    /// Return or reject reason.
    pub reason_code: Option<String>,
    /// `settled`, `returned`, `rejected`, `unmatched`, `duplicate`, `ignored`.
    pub outcome: &'static str,
    /// The contribution matched.
    pub contribution: Option<Uuid>,
}

/// Stores entries of an imported bank file.
pub async fn insert_bank_entries(
    tx: &mut Tx,
    file: Uuid,
    entries: &[BankEntry],
) -> Result<(), Error> {
    let backend = tx.backend();
    for chunk in entries.chunks(CHUNK_ROWS) {
        let sql = format!(
            "INSERT INTO bank_entry (bank_file_id, entry_index, amount_cents, credit, \
             end_to_end_id, reason_code, match_outcome, contribution_id) VALUES {}",
            value_rows(backend, chunk.len(), 8, "")
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
            for e in chunk {
                q = q
                    .bind(file)
                    .bind(e.index)
                    .bind(e.amount.get())
                    .bind(e.credit)
                    .bind(e.end_to_end_id.as_deref())
                    .bind(e.reason_code.as_deref())
                    .bind(e.outcome)
                    .bind(e.contribution);
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Entries that matched nothing, for staff to look at (never guessed).
pub async fn unmatched_entries(tx: &mut Tx, limit: i64) -> Result<Vec<BankEntry>, Error> {
    const SQL: &str = "SELECT entry_index, amount_cents, credit, end_to_end_id, reason_code \
         FROM bank_entry WHERE match_outcome = 'unmatched' ORDER BY bank_file_id, entry_index \
         LIMIT $1";
    type EntryRow = (i64, i64, bool, Option<String>, Option<String>);
    let rows: Vec<EntryRow> = on_tx!(tx, c =>
        sqlx::query_as(SQL).bind(limit).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|(index, amount, credit, e2e, reason)| BankEntry {
            index,
            amount: Cents::new(amount),
            credit,
            end_to_end_id: e2e,
            reason_code: reason,
            outcome: "unmatched",
            contribution: None,
        })
        .collect())
}

/// Contributions by end-to-end id, without lines, for a batch of ids.
pub async fn contributions_by_end_to_end(
    tx: &mut Tx,
    end_to_end_ids: &[&str],
) -> Result<std::collections::HashMap<String, ContributionRef>, Error> {
    let mut out = std::collections::HashMap::with_capacity(end_to_end_ids.len());
    let backend = tx.backend();
    for chunk in end_to_end_ids.chunks(CHUNK_ROWS) {
        let list = in_list(backend, 1, chunk.len());
        let sql = format!(
            "SELECT contribution_id, collection_run_id, contract_id, mandate_id, sequence_type, \
             amount_cents, contribution_status, end_to_end_id FROM contribution \
             WHERE end_to_end_id IN ({list})"
        );
        type Row = (Uuid, Uuid, Uuid, String, String, i64, String, String);
        let rows: Vec<Row> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(&mut *c).await
        })?;
        for (id, run, contract, mandate, sequence_type, amount, status, e2e) in rows {
            let head = (id, run, contract, mandate, sequence_type, amount, status);
            out.insert(e2e, contribution_of(head)?);
        }
    }
    Ok(out)
}

/// Marks contributions settled and counts a settled collection on each of their mandates
/// (`mandates` may name a mandate more than once).
pub async fn settle_many(
    tx: &mut Tx,
    contributions: &[Uuid],
    mandates: &[MandateId],
    now: Timestamp,
) -> Result<(), Error> {
    let backend = tx.backend();
    for chunk in contributions.chunks(CHUNK_ROWS) {
        let list = in_list(backend, 1, chunk.len());
        let (first, rest) = match backend {
            Backend::Sqlite => ("?".to_owned(), list),
            Backend::Postgres => {
                // The list's placeholders start at $1; shift them by one for the timestamp.
                let shifted = (0..chunk.len())
                    .map(|i| format!("${}", i + 2))
                    .collect::<Vec<_>>()
                    .join(", ");
                ("$1".to_owned(), shifted)
            }
        };
        let sql = format!(
            "UPDATE contribution SET contribution_status = 'settled', updated_at_ms = {first} \
             WHERE contribution_id IN ({rest})"
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(AssertSqlSafe(sql.clone())).bind(now.unix_ms());
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    let mut counted: Vec<(&MandateId, i64)> = Vec::new();
    for m in mandates {
        match counted.iter_mut().find(|(x, _)| *x == m) {
            Some((_, n)) => *n += 1,
            None => counted.push((m, 1)),
        }
    }
    let ones: Vec<&MandateId> = counted
        .iter()
        .filter(|(_, n)| *n == 1)
        .map(|(m, _)| *m)
        .collect();
    for chunk in ones.chunks(CHUNK_ROWS) {
        let list = match backend {
            Backend::Sqlite => vec!["?"; chunk.len()].join(", "),
            Backend::Postgres => (0..chunk.len())
                .map(|i| format!("${}", i + 3))
                .collect::<Vec<_>>()
                .join(", "),
        };
        let (a, b) = match backend {
            Backend::Sqlite => ("?", "?"),
            Backend::Postgres => ("$1", "$2"),
        };
        let sql = format!(
            "UPDATE mandate SET successful_collections = successful_collections + 1, \
             last_first_failed = {a}, updated_at_ms = {b} WHERE mandate_id IN ({list})"
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(AssertSqlSafe(sql.clone())).bind(false).bind(now.unix_ms());
            for m in chunk {
                q = q.bind(m.as_str());
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    const MANDATE: &str = "UPDATE mandate SET successful_collections = successful_collections + $1, \
         last_first_failed = $2, updated_at_ms = $3 WHERE mandate_id = $4";
    for (mandate, n) in counted.into_iter().filter(|(_, n)| *n > 1) {
        on_tx!(tx, c => sqlx::query(MANDATE)
            .bind(n)
            .bind(false)
            .bind(now.unix_ms())
            .bind(mandate.as_str())
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}
