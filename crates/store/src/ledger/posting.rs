//! Posting transfers: idempotent by key, hash-chained, in multi-row statements, with the
//! balances of the accounts they touch.

use std::collections::HashMap;

use ixorg_domain::Cents;
use ixorg_domain::ids::{LedgerAccountId, LedgerTransferId};
use ixorg_domain::ledger::{BalanceChanges, Book, LedgerError, PostOutcome, Transfer};
use ixorg_domain::timestamp::Timestamp;
use sqlx::AssertSqlSafe;
use uuid::Uuid;

use super::accounts::{ACCOUNT_COLUMNS, Account, AccountRow};
use crate::chain::{self, Canonical, Chain, Hash, Head};
use crate::error::corrupt;
use crate::sql::{in_list, value_rows};
use crate::{Backend, Error, Tx, on_tx};

/// The number of rows per multi-row statement: 500 transfers are 5,500 bind parameters, well
/// under SQLite's limit of 32,766.
const CHUNK_ROWS: usize = 200;

/// Transfers per insert: 11,000 bind parameters, under the 32,766 of SQLite and 65,535 of
/// PostgreSQL; fewer, larger statements mean fewer round trips to SQLite's worker thread.
const TRANSFERS_PER_INSERT: usize = 1_000;

/// Balances per update: 2,001 bind parameters.
const BALANCES_PER_UPDATE: usize = 1_000;

/// Posts transfers in order, in the caller's transaction, and returns each one's outcome.
///
/// `ids[i]` is the id given to `transfers[i]` if it is applied now. A refused transfer changes
/// nothing and does not stop the others; the caller decides whether to commit.
pub async fn post_batch(
    tx: &mut Tx,
    transfers: &[Transfer],
    ids: &[LedgerTransferId],
    now: Timestamp,
) -> Result<Vec<Result<PostOutcome, LedgerError>>, Error> {
    assert_eq!(transfers.len(), ids.len(), "BUG: one id per transfer");
    if transfers.is_empty() {
        return Ok(Vec::new());
    }
    // The head lock serialises all posting, so the balances and keys read below stay current
    // until commit, on SQLite and PostgreSQL alike.
    let head = chain::lock_head(tx, Chain::LedgerTransfer).await?;
    let mut book = Book::new();
    load_existing_keys(tx, transfers, &mut book).await?;
    let accounts = load_accounts(tx, transfers).await?;
    for account in accounts.values() {
        book.load(account.id, account.state());
    }
    let outcomes: Vec<_> = transfers
        .iter()
        .zip(ids)
        .map(|(t, id)| book.post(*id, t.clone()))
        .collect();
    let applied = book.applied().iter().map(|(id, t)| (*id, t));
    let new_head = insert_transfers(tx, applied, head, now).await?;
    update_balances(tx, &book, &accounts, now).await?;
    chain::set_head(tx, Chain::LedgerTransfer, new_head).await?;
    Ok(outcomes)
}

/// Posts transfers whose idempotency keys are new by construction (for example keys made from
/// the end-to-end ids of a collection run created in this transaction), in order, in the
/// caller's transaction; every one must apply.
///
/// Unlike [`post_batch`] it neither looks the keys up nor loads the credited accounts: the
/// debited accounts are loaded and checked by the ledger's rules ([`BalanceChanges`]), and each
/// credited balance is raised by its change in the database. A key that exists after all (or
/// twice in the batch) fails the insert on the unique key index, so nothing is ever posted
/// twice: the error leaves the transaction to be rolled back.
///
/// # Errors
/// [`Error::Ledger`] for the first transfer the rules refuse (nothing is written then); a
/// database error, among them the unique-key violation.
pub async fn post_new_batch(
    tx: &mut Tx,
    transfers: &[Transfer],
    ids: &[LedgerTransferId],
    now: Timestamp,
) -> Result<(), Error> {
    assert_eq!(transfers.len(), ids.len(), "BUG: one id per transfer");
    if transfers.is_empty() {
        return Ok(());
    }
    let head = chain::lock_head(tx, Chain::LedgerTransfer).await?;
    let mut debited: Vec<LedgerAccountId> = transfers.iter().map(|t| t.debit).collect();
    debited.sort_unstable();
    debited.dedup();
    let mut changes = BalanceChanges::new();
    for account in load_accounts_by_id(tx, &debited).await?.values() {
        changes.load(account.id, account.state());
    }
    for t in transfers {
        changes.post(t)?;
    }
    let changes = changes.changes()?;
    let new_head = insert_transfers(tx, ids.iter().copied().zip(transfers), head, now).await?;
    add_to_balances(tx, &changes, now).await?;
    chain::set_head(tx, Chain::LedgerTransfer, new_head).await?;
    Ok(())
}

/// Posts one transfer; a refusal is an error.
pub async fn post(
    tx: &mut Tx,
    transfer: &Transfer,
    id: LedgerTransferId,
    now: Timestamp,
) -> Result<PostOutcome, Error> {
    let mut outcomes = post_batch(tx, std::slice::from_ref(transfer), &[id], now).await?;
    let outcome = outcomes.pop().expect("BUG: one outcome per transfer");
    Ok(outcome?)
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    ledger_transfer_id: Uuid,
    idempotency_key: String,
    debit_account_id: Uuid,
    credit_account_id: Uuid,
    amount_cents: i64,
    transfer_kind: String,
    reverses_transfer_id: Option<Uuid>,
}

async fn load_existing_keys(
    tx: &mut Tx,
    transfers: &[Transfer],
    book: &mut Book,
) -> Result<(), Error> {
    for chunk in transfers.chunks(CHUNK_ROWS) {
        let sql = format!(
            "SELECT ledger_transfer_id, idempotency_key, debit_account_id, credit_account_id, \
             amount_cents, transfer_kind, reverses_transfer_id FROM ledger_transfer \
             WHERE idempotency_key IN ({})",
            in_list(tx.backend(), 1, chunk.len())
        );
        let rows: Vec<KeyRow> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql.clone()));
            for t in chunk {
                q = q.bind(t.idempotency_key.as_str());
            }
            q.fetch_all(&mut *c).await
        })?;
        for r in rows {
            book.load_key(
                LedgerTransferId::from_uuid(r.ledger_transfer_id),
                Transfer {
                    idempotency_key: r.idempotency_key,
                    debit: LedgerAccountId::from_uuid(r.debit_account_id),
                    credit: LedgerAccountId::from_uuid(r.credit_account_id),
                    amount: Cents::new(r.amount_cents),
                    kind: r
                        .transfer_kind
                        .parse()
                        .map_err(|_| corrupt("ledger_transfer", "transfer_kind"))?,
                    reverses: r.reverses_transfer_id.map(LedgerTransferId::from_uuid),
                },
            );
        }
    }
    Ok(())
}

async fn load_accounts(
    tx: &mut Tx,
    transfers: &[Transfer],
) -> Result<HashMap<LedgerAccountId, Account>, Error> {
    let mut wanted: Vec<LedgerAccountId> =
        transfers.iter().flat_map(|t| [t.debit, t.credit]).collect();
    wanted.sort_unstable();
    wanted.dedup();
    load_accounts_by_id(tx, &wanted).await
}

/// The accounts of `wanted` (sorted, without duplicates) that exist.
async fn load_accounts_by_id(
    tx: &mut Tx,
    wanted: &[LedgerAccountId],
) -> Result<HashMap<LedgerAccountId, Account>, Error> {
    let mut out = HashMap::with_capacity(wanted.len());
    for chunk in wanted.chunks(CHUNK_ROWS) {
        let sql = format!(
            "{ACCOUNT_COLUMNS} WHERE ledger_account_id IN ({})",
            in_list(tx.backend(), 1, chunk.len())
        );
        let rows: Vec<AccountRow> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(id.uuid());
            }
            q.fetch_all(&mut *c).await
        })?;
        for row in rows {
            let account = Account::try_from(row)?;
            out.insert(account.id, account);
        }
    }
    Ok(out)
}

/// The hash of one transfer after `prev`.
#[expect(clippy::too_many_arguments, reason = "one argument per hashed column")]
pub(super) fn transfer_hash(
    prev: &Hash,
    sequence: i64,
    id: Uuid,
    key: &str,
    debit: Uuid,
    credit: Uuid,
    amount_cents: i64,
    kind: &str,
    reverses: Option<Uuid>,
    posted_at: Timestamp,
) -> Hash {
    Canonical::after(prev)
        .int(sequence)
        .bytes(id.as_bytes())
        .text(key)
        .bytes(debit.as_bytes())
        .bytes(credit.as_bytes())
        .int(amount_cents)
        .text(kind)
        .opt_bytes(reverses.as_ref().map(|u| u.as_bytes().as_slice()))
        .int(posted_at.unix_ms())
        .finish()
}

struct Prepared<'a> {
    sequence: i64,
    id: Uuid,
    transfer: &'a Transfer,
    prev: Hash,
    hash: Hash,
}

async fn insert_transfers<'a>(
    tx: &mut Tx,
    applied: impl ExactSizeIterator<Item = (LedgerTransferId, &'a Transfer)>,
    head: Head,
    now: Timestamp,
) -> Result<Head, Error> {
    let mut prev = head.last_hash;
    let mut sequence = head.last_sequence;
    let mut prepared = Vec::with_capacity(applied.len());
    for (id, t) in applied {
        sequence += 1;
        let hash = transfer_hash(
            &prev,
            sequence,
            id.uuid(),
            &t.idempotency_key,
            t.debit.uuid(),
            t.credit.uuid(),
            t.amount.get(),
            t.kind.as_str(),
            t.reverses.map(|r| r.uuid()),
            now,
        );
        prepared.push(Prepared {
            sequence,
            id: id.uuid(),
            transfer: t,
            prev,
            hash,
        });
        prev = hash;
    }
    let backend = tx.backend();
    let full_sql = insert_transfers_sql(backend, TRANSFERS_PER_INSERT);
    for chunk in prepared.chunks(TRANSFERS_PER_INSERT) {
        let sql = if chunk.len() == TRANSFERS_PER_INSERT {
            full_sql.clone()
        } else {
            insert_transfers_sql(backend, chunk.len())
        };
        on_tx!(tx, c => {
            let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
            for p in chunk {
                q = q
                    .bind(p.sequence)
                    .bind(p.id)
                    .bind(p.transfer.idempotency_key.as_str())
                    .bind(p.transfer.debit.uuid())
                    .bind(p.transfer.credit.uuid())
                    .bind(p.transfer.amount.get())
                    .bind(p.transfer.kind.as_str())
                    .bind(p.transfer.reverses.map(|r| r.uuid()))
                    .bind(now.unix_ms())
                    .bind(p.prev.as_slice())
                    .bind(p.hash.as_slice());
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(Head {
        last_sequence: sequence,
        last_hash: prev,
    })
}

/// The multi-row insert of `rows` transfers.
fn insert_transfers_sql(backend: Backend, rows: usize) -> String {
    let values = value_rows(backend, rows, 11, "");
    format!(
        "INSERT INTO ledger_transfer (sequence, ledger_transfer_id, idempotency_key, \
         debit_account_id, credit_account_id, amount_cents, transfer_kind, \
         reverses_transfer_id, posted_at_ms, prev_hash, entry_hash) VALUES {values}"
    )
}

async fn update_balances(
    tx: &mut Tx,
    book: &Book,
    before: &HashMap<LedgerAccountId, Account>,
    now: Timestamp,
) -> Result<(), Error> {
    let mut changed: Vec<(LedgerAccountId, Cents)> = book
        .accounts()
        .filter(|(id, state)| before.get(id).map(|a| a.balance) != Some(state.balance))
        .map(|(id, state)| (*id, state.balance))
        .collect();
    // A fixed order keeps lock acquisition deterministic.
    changed.sort_unstable();
    write_balances(tx, &changed, BalanceWrite::Set, now).await
}

/// Adds each change (in account order) to its account's cached balance.
async fn add_to_balances(
    tx: &mut Tx,
    changes: &[(LedgerAccountId, Cents)],
    now: Timestamp,
) -> Result<(), Error> {
    write_balances(tx, changes, BalanceWrite::Add, now).await
}

/// Whether [`write_balances`] sets a balance or adds to it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BalanceWrite {
    Set,
    Add,
}

/// The `UPDATE … FROM (VALUES …)` of `rows` balances, in the backend's dialect.
fn write_balances_sql(backend: Backend, rows: usize, how: BalanceWrite) -> String {
    match (backend, how) {
        (Backend::Sqlite, _) => format!(
            "UPDATE ledger_account SET balance_cents = {}v.column2, updated_at_ms = ? \
             FROM (VALUES {}) AS v WHERE ledger_account.ledger_account_id = v.column1",
            if how == BalanceWrite::Add {
                "balance_cents + "
            } else {
                ""
            },
            vec!["(?, ?)"; rows].join(", ")
        ),
        (Backend::Postgres, _) => format!(
            "UPDATE ledger_account AS a SET balance_cents = {}v.balance, updated_at_ms = $1 \
             FROM (VALUES {}) AS v(id, balance) WHERE a.ledger_account_id = v.id",
            if how == BalanceWrite::Add {
                "a.balance_cents + "
            } else {
                ""
            },
            (0..rows)
                .map(|i| format!("(${}::uuid, ${}::bigint)", 2 + 2 * i, 3 + 2 * i))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Writes cached balances (sorted by account, so locks are taken in a fixed order), one
/// statement per chunk.
async fn write_balances(
    tx: &mut Tx,
    balances: &[(LedgerAccountId, Cents)],
    how: BalanceWrite,
    now: Timestamp,
) -> Result<(), Error> {
    let backend = tx.backend();
    let full_sql = write_balances_sql(backend, BALANCES_PER_UPDATE, how);
    for chunk in balances.chunks(BALANCES_PER_UPDATE) {
        let sql = if chunk.len() == BALANCES_PER_UPDATE {
            full_sql.clone()
        } else {
            write_balances_sql(backend, chunk.len(), how)
        };
        let updated = on_tx!(tx, c => {
            let mut q = sqlx::query(AssertSqlSafe(sql.clone())).bind(now.unix_ms());
            for (id, balance) in chunk {
                q = q.bind(id.uuid()).bind(balance.get());
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
        debug_assert_eq!(
            updated,
            chunk.len() as u64,
            "every changed account is updated"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transfer_hashes_its_posting_instant_as_the_stored_unix_milliseconds() {
        // Arrange
        let prev = [7_u8; 32];
        let (id, debit, credit) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let posted_at_ms = 1_767_225_600_123;
        let as_stored = Canonical::after(&prev)
            .int(4)
            .bytes(id.as_bytes())
            .text("key")
            .bytes(debit.as_bytes())
            .bytes(credit.as_bytes())
            .int(500)
            .text("contribution")
            .opt_bytes(None)
            .int(posted_at_ms)
            .finish();

        // Act
        let hash = transfer_hash(
            &prev,
            4,
            id,
            "key",
            debit,
            credit,
            500,
            "contribution",
            None,
            Timestamp::from_unix_ms(posted_at_ms),
        );

        // Assert
        assert_eq!(hash, as_stored);
    }
}
