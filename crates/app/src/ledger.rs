//! Posting to the ledger and reading balances.

use ixorg_domain::ids::{LedgerAccountId, LedgerTransferId, ParticipantId};
use ixorg_domain::ledger::OperatorAccount;
use ixorg_domain::ledger::{LedgerError, PostOutcome, Transfer};
use ixorg_store::ledger::{self as repo, Account};
use ixorg_store::{Tx, ledger};

use crate::context::AppContext;

/// The most transfers one call may post (one transaction).
pub const BATCH_TRANSFERS_MAX: usize = 10_000;

/// Why a batch could not be posted at all.
#[derive(Debug, thiserror::Error)]
pub enum PostError {
    /// More than [`BATCH_TRANSFERS_MAX`] transfers.
    #[error("at most {BATCH_TRANSFERS_MAX} transfers per batch")]
    TooMany,
    /// The database failed; nothing was posted.
    #[error(transparent)]
    Store(#[from] ixorg_store::Error),
}

/// Posts transfers in one transaction, in order. Each gets its own outcome: applied, already
/// applied (same idempotency key), or refused (credit line, shape); refused ones change nothing.
pub async fn post_batch(
    ctx: &AppContext,
    transfers: &[Transfer],
) -> Result<Vec<Result<PostOutcome, LedgerError>>, PostError> {
    if transfers.len() > BATCH_TRANSFERS_MAX {
        return Err(PostError::TooMany);
    }
    let ids: Vec<_> = transfers
        .iter()
        .map(|_| LedgerTransferId::from_uuid(ctx.ids.new_uuid()))
        .collect();
    let mut tx = ctx.db.begin().await?;
    let outcomes = repo::post_batch(&mut tx, transfers, &ids, ctx.now()).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// Posts one transfer; a refusal is an error and nothing changes.
pub async fn post(ctx: &AppContext, transfer: &Transfer) -> Result<PostOutcome, PostOneError> {
    let id = LedgerTransferId::from_uuid(ctx.ids.new_uuid());
    let mut tx = ctx.db.begin().await?;
    let outcome = repo::post(&mut tx, transfer, id, ctx.now()).await;
    match outcome {
        Ok(o) => {
            tx.commit().await?;
            Ok(o)
        }
        Err(ixorg_store::Error::Ledger(e)) => Err(PostOneError::Refused(e)),
        Err(e) => Err(PostOneError::Store(e)),
    }
}

/// Why one transfer was not posted.
#[derive(Debug, thiserror::Error)]
pub enum PostOneError {
    /// A ledger rule refused it.
    #[error(transparent)]
    Refused(LedgerError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] ixorg_store::Error),
}

/// One of the operator's accounts by code (`operator_bank`, `fee_income`, …).
pub async fn operator_account(
    ctx: &AppContext,
    account: OperatorAccount,
) -> Result<Account, ixorg_store::Error> {
    let mut tx = ctx.db.begin_read().await?;
    let a = repo::account_by_code(&mut tx, account).await?;
    tx.commit().await?;
    Ok(a)
}

/// An account by id (balances carry no personal data on their own; the link to a participant is
/// the budget account's, read through [`budget_of`] by batch jobs).
pub async fn account(ctx: &AppContext, id: LedgerAccountId) -> Result<Account, ixorg_store::Error> {
    let mut tx = ctx.db.begin_read().await?;
    let a = repo::account(&mut tx, id).await?;
    tx.commit().await?;
    Ok(a)
}

/// The budget account of a participant.
pub async fn budget_of(
    ctx: &AppContext,
    participant: ParticipantId,
) -> Result<Account, ixorg_store::Error> {
    let mut tx = ctx.db.begin_read().await?;
    let a = repo::budget_of(&mut tx, participant).await?;
    tx.commit().await?;
    Ok(a)
}

/// The participant's own-payment receivable account (what they owe), opened on first use.
pub(crate) async fn own_payment_account(
    ctx: &AppContext,
    tx: &mut ixorg_store::Tx,
    participant: ixorg_domain::ids::ParticipantId,
) -> Result<ixorg_domain::ids::LedgerAccountId, ixorg_store::Error> {
    if let Some(a) = ixorg_store::ledger::account_of(
        tx,
        participant,
        ixorg_domain::ledger::AccountKind::OwnPaymentReceivable,
    )
    .await?
    {
        return Ok(a.id);
    }
    let id = ixorg_domain::ids::LedgerAccountId::from_uuid(ctx.ids.new_uuid());
    let account = ixorg_store::ledger::NewAccount {
        id,
        kind: ixorg_domain::ledger::AccountKind::OwnPaymentReceivable,
        code: None,
        participant: Some(participant),
        payee: None,
        credit_line: ixorg_domain::Cents::ZERO,
    };
    ixorg_store::ledger::open_account(tx, &account, ctx.now()).await?;
    Ok(id)
}

/// Why transfers that must all apply were not posted (nothing was committed).
#[derive(Debug, thiserror::Error)]
pub enum PostAllError {
    /// A posting was refused: a bug in the caller's postings.
    #[error("a collection posting was refused: {0}")]
    Refused(LedgerError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] ixorg_store::Error),
}

/// Posts transfers that must all apply (nothing in them can hit a credit line).
pub(crate) async fn post_all(
    ctx: &AppContext,
    tx: &mut Tx,
    transfers: &[Transfer],
) -> Result<(), PostAllError> {
    for chunk in transfers.chunks(crate::ledger::BATCH_TRANSFERS_MAX) {
        let ids: Vec<_> = chunk
            .iter()
            .map(|_| LedgerTransferId::from_uuid(ctx.ids.new_uuid()))
            .collect();
        let outcomes = ledger::post_batch(tx, chunk, &ids, ctx.now()).await?;
        if let Some(Err(e)) = outcomes.into_iter().find(Result::is_err) {
            return Err(PostAllError::Refused(e));
        }
    }
    Ok(())
}

/// Posts a new run's savings, whose keys are new by construction: they hold the run's
/// end-to-end ids, and the run did not exist. The ledger's unique key index still guards
/// against posting twice.
pub(crate) async fn post_new(
    ctx: &AppContext,
    tx: &mut Tx,
    transfers: &[Transfer],
) -> Result<(), PostAllError> {
    let ids: Vec<_> = (ctx.ids.new_uuids(transfers.len()).into_iter())
        .map(LedgerTransferId::from_uuid)
        .collect();
    ledger::post_new_batch(tx, transfers, &ids, ctx.now())
        .await
        .map_err(|e| match e {
            ixorg_store::Error::Ledger(e) => PostAllError::Refused(e),
            other => PostAllError::Store(other),
        })
}
