//! Payout runs: what is owed per payee, the credit transfers of a run, and their confirmation
//! from the bank statement. Payees are practices and intermediaries (professional data), so
//! no grant is needed; the declaration lines are only linked to their payout.

use std::collections::HashMap;

use ixorg_domain::Cents;
use ixorg_domain::identifiers::Iban;
use ixorg_domain::ids::{LedgerAccountId, PayeeId, PayoutRunId};
use ixorg_domain::timestamp::Timestamp;
use sqlx::AssertSqlSafe;
use time::Date;
use uuid::Uuid;

use crate::error::corrupt;
use crate::sql::in_list;
use crate::{Error, Tx, on_tx};

/// Rows per `IN (…)` list.
const CHUNK_ROWS: usize = 400;

/// A payout run (one pain.001 file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayoutRun {
    /// Its id.
    pub id: PayoutRunId,
    /// The execution date.
    pub date: Date,
    /// The file's message id.
    pub message_id: String,
    /// Number of transfers.
    pub transactions: i64,
    /// Their sum.
    pub control_sum: Cents,
    /// When it was made.
    pub created_at: Timestamp,
}

/// The run for a date, if made.
pub async fn run_by_date(tx: &mut Tx, date: Date) -> Result<Option<PayoutRun>, Error> {
    const SQL: &str = "SELECT payout_run_id, payout_date, message_id, transactions, \
         control_sum_cents, created_at_ms FROM payout_run WHERE payout_date = $1";
    let row: Option<(Uuid, Date, String, i64, i64, i64)> =
        on_tx!(tx, c => sqlx::query_as(SQL).bind(date).fetch_optional(&mut *c).await)?;
    Ok(
        row.map(|(id, date, message_id, transactions, sum, at)| PayoutRun {
            id: PayoutRunId::from_uuid(id),
            date,
            message_id,
            transactions,
            control_sum: Cents::new(sum),
            created_at: Timestamp::from_unix_ms(at),
        }),
    )
}

/// The run whose pain.001 carried `message_id`, if we sent one.
pub async fn run_by_message_id(tx: &mut Tx, message_id: &str) -> Result<Option<PayoutRun>, Error> {
    const SQL: &str = "SELECT payout_run_id, payout_date, message_id, transactions, \
         control_sum_cents, created_at_ms FROM payout_run WHERE message_id = $1";
    let row: Option<(Uuid, Date, String, i64, i64, i64)> =
        on_tx!(tx, c => sqlx::query_as(SQL).bind(message_id).fetch_optional(&mut *c).await)?;
    Ok(
        row.map(|(id, date, message_id, transactions, sum, at)| PayoutRun {
            id: PayoutRunId::from_uuid(id),
            date,
            message_id,
            transactions,
            control_sum: Cents::new(sum),
            created_at: Timestamp::from_unix_ms(at),
        }),
    )
}

/// Stores a run.
pub async fn insert_run(tx: &mut Tx, run: &PayoutRun) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO payout_run (payout_run_id, payout_date, message_id, \
         transactions, control_sum_cents, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(run.id.uuid())
        .bind(run.date)
        .bind(run.message_id.as_str())
        .bind(run.transactions)
        .bind(run.control_sum.get())
        .bind(run.created_at.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A payee that is owed money: the balance of its payable account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owed {
    /// The payee.
    pub payee: PayeeId,
    /// Its name.
    pub name: String,
    /// Its IBAN.
    pub iban: Iban,
    /// Its payable account.
    pub payable: LedgerAccountId,
    /// What is owed.
    pub amount: Cents,
}

/// Every payee whose payable account holds a positive balance, in id order.
pub async fn owed(tx: &mut Tx) -> Result<Vec<Owed>, Error> {
    const SQL: &str = "SELECT p.payee_id, p.name, p.iban, a.ledger_account_id, a.balance_cents \
         FROM payee p JOIN ledger_account a ON a.payee_id = p.payee_id \
         WHERE a.account_kind = 'payable' AND a.balance_cents > 0 ORDER BY p.payee_id";
    let rows: Vec<(Uuid, String, String, Uuid, i64)> =
        on_tx!(tx, c => sqlx::query_as(SQL).fetch_all(&mut *c).await)?;
    rows.into_iter()
        .map(|(payee, name, iban, payable, amount)| {
            Ok(Owed {
                payee: PayeeId::from_uuid(payee),
                name,
                iban: iban.parse().map_err(|_| corrupt("payee", "iban"))?,
                payable: LedgerAccountId::from_uuid(payable),
                amount: Cents::new(amount),
            })
        })
        .collect()
}

/// The sender references of the batches whose paid lines for `payee` are not in a payout yet
/// (at most `limit`, oldest first): for the remittance information.
///
/// The batch ids come from the payee's unpaid lines alone (the covering partial index
/// `declaration_line_payee_unpaid_batch`, migration 0009), and only those batches are looked
/// up, so the cost grows with what this payout pays, not with the tables. (It was an `EXISTS`
/// per batch of the whole table, each scanning the payee's unpaid lines: quadratic.)
pub async fn unpaid_batch_references(
    tx: &mut Tx,
    payee: PayeeId,
    limit: i64,
) -> Result<Vec<String>, Error> {
    let rows: Vec<String> = on_tx!(tx, c => sqlx::query_scalar(UNPAID_BATCH_REFERENCES)
        .bind(payee.uuid())
        .bind(limit)
        .fetch_all(&mut *c)
        .await)?;
    Ok(rows)
}

/// The statement of [`unpaid_batch_references`] (public for its plan test).
pub const UNPAID_BATCH_REFERENCES: &str = "SELECT b.sender_reference FROM \
     (SELECT DISTINCT l.declaration_batch_id AS batch_id FROM declaration_line l \
     WHERE l.payee_id = $1 AND l.payout_id IS NULL AND l.budget_paid_cents <> 0) u \
     JOIN declaration_batch b ON b.declaration_batch_id = u.batch_id \
     ORDER BY b.created_at_ms, b.sender_reference LIMIT $2";

/// One credit transfer of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payout {
    /// Its id.
    pub id: Uuid,
    /// The payee.
    pub payee: PayeeId,
    /// End-to-end id.
    pub end_to_end_id: String,
    /// Amount.
    pub amount: Cents,
    /// Creditor IBAN as written to the file.
    pub creditor_iban: Iban,
    /// Creditor name as written.
    pub creditor_name: String,
    /// Remittance information as written.
    pub remittance: String,
    /// `sent`, `settled` or `returned`.
    pub status: String,
}

/// Stores the payouts of a run and links each payee's unpaid lines to its payout.
pub async fn insert_payouts(
    tx: &mut Tx,
    run: PayoutRunId,
    payouts: &[Payout],
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO payout (payout_id, payout_run_id, payee_id, end_to_end_id, \
         amount_cents, creditor_iban, creditor_name, remittance, payout_status, created_at_ms, \
         updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'sent', $9, $9)";
    const LINK: &str = "UPDATE declaration_line SET payout_id = $1, updated_at_ms = $2 \
         WHERE payee_id = $3 AND payout_id IS NULL AND budget_paid_cents <> 0";
    for p in payouts {
        on_tx!(tx, c => sqlx::query(SQL)
            .bind(p.id)
            .bind(run.uuid())
            .bind(p.payee.uuid())
            .bind(p.end_to_end_id.as_str())
            .bind(p.amount.get())
            .bind(p.creditor_iban.expose())
            .bind(p.creditor_name.as_str())
            .bind(p.remittance.as_str())
            .bind(now.unix_ms())
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        on_tx!(tx, c => sqlx::query(LINK)
            .bind(p.id)
            .bind(now.unix_ms())
            .bind(p.payee.uuid())
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

type PayoutRow = (Uuid, Uuid, String, i64, String, String, String, String);

fn payout_of(row: PayoutRow) -> Result<Payout, Error> {
    let (id, payee, e2e, amount, iban, name, remittance, status) = row;
    Ok(Payout {
        id,
        payee: PayeeId::from_uuid(payee),
        end_to_end_id: e2e,
        amount: Cents::new(amount),
        creditor_iban: iban
            .parse()
            .map_err(|_| corrupt("payout", "creditor_iban"))?,
        creditor_name: name,
        remittance,
        status,
    })
}

const PAYOUT_SELECT: &str = "SELECT payout_id, payee_id, end_to_end_id, amount_cents, \
     creditor_iban, creditor_name, remittance, payout_status FROM payout";

/// The payouts of a run, in file order.
pub async fn payouts_of_run(tx: &mut Tx, run: PayoutRunId) -> Result<Vec<Payout>, Error> {
    let sql = format!("{PAYOUT_SELECT} WHERE payout_run_id = $1 ORDER BY end_to_end_id");
    let rows: Vec<PayoutRow> = on_tx!(tx, c => sqlx::query_as(AssertSqlSafe(sql.clone()))
        .bind(run.uuid())
        .fetch_all(&mut *c)
        .await)?;
    rows.into_iter().map(payout_of).collect()
}

/// The payouts with these end-to-end ids, by id.
pub async fn payouts_by_end_to_end(
    tx: &mut Tx,
    ids: &[&str],
) -> Result<HashMap<String, Payout>, Error> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(CHUNK_ROWS) {
        let sql = format!(
            "{PAYOUT_SELECT} WHERE end_to_end_id IN ({})",
            in_list(tx.backend(), 1, chunk.len())
        );
        let rows: Vec<PayoutRow> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(&mut *c).await
        })?;
        for row in rows {
            let payout = payout_of(row)?;
            out.insert(payout.end_to_end_id.clone(), payout);
        }
    }
    Ok(out)
}

/// Sets a payout's status.
pub async fn set_status(
    tx: &mut Tx,
    payout: Uuid,
    status: &str,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str =
        "UPDATE payout SET payout_status = $1, updated_at_ms = $2 WHERE payout_id = $3";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(status)
        .bind(now.unix_ms())
        .bind(payout)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The payable account of a payee.
pub async fn payable_of(tx: &mut Tx, payee: PayeeId) -> Result<LedgerAccountId, Error> {
    const SQL: &str = "SELECT ledger_account_id FROM ledger_account WHERE payee_id = $1 \
         AND account_kind = 'payable'";
    let id: Uuid = on_tx!(tx, c => sqlx::query_scalar(SQL)
        .bind(payee.uuid())
        .fetch_one(&mut *c)
        .await)?;
    Ok(LedgerAccountId::from_uuid(id))
}
