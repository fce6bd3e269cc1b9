//! Who is paid for a batch: the practice's account, or a billing intermediary's.

use ixorg_domain::ids::{BillingIntermediaryId, LedgerAccountId, PayeeId, PracticeId};
use ixorg_domain::timestamp::Timestamp;
use uuid::Uuid;

use crate::{Error, Tx, on_tx};

/// Who a payee belongs to, and its payable account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PayeeAccount {
    /// The payee.
    pub payee: PayeeId,
    /// Its payable account in the ledger.
    pub payable: LedgerAccountId,
}

/// The payee (with its payable account) of a practice or a billing intermediary.
pub async fn payee_account(
    tx: &mut Tx,
    practice: Option<PracticeId>,
    intermediary: Option<BillingIntermediaryId>,
) -> Result<Option<PayeeAccount>, Error> {
    const SQL: &str = "SELECT p.payee_id, a.ledger_account_id FROM payee p \
         JOIN ledger_account a ON a.payee_id = p.payee_id \
         WHERE p.practice_id = $1 OR p.billing_intermediary_id = $2";
    let row: Option<(Uuid, Uuid)> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(practice.map(|p| p.uuid()))
        .bind(intermediary.map(|b| b.uuid()))
        .fetch_optional(&mut *c)
        .await)?;
    Ok(row.map(|(payee, payable)| PayeeAccount {
        payee: PayeeId::from_uuid(payee),
        payable: LedgerAccountId::from_uuid(payable),
    }))
}

/// The billing intermediary with this (service bureau) code.
pub async fn intermediary_by_agb(
    tx: &mut Tx,
    agb: &str,
) -> Result<Option<BillingIntermediaryId>, Error> {
    const SQL: &str =
        "SELECT billing_intermediary_id FROM billing_intermediary WHERE agb_code = $1";
    let id: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(SQL)
        .bind(agb)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(id.map(BillingIntermediaryId::from_uuid))
}

/// Gives a billing intermediary its service-bureau code.
pub async fn set_intermediary_agb(
    tx: &mut Tx,
    intermediary: BillingIntermediaryId,
    agb: &str,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "UPDATE billing_intermediary SET agb_code = $1, updated_at_ms = $2 \
         WHERE billing_intermediary_id = $3";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(agb)
        .bind(now.unix_ms())
        .bind(intermediary.uuid())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
