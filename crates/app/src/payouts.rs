//! `ixorg payout --date D --out FILE`: what is owed to each payee (practice or billing
//! intermediary) paid in one SEPA credit transfer file (pain.001.001.03).
//!
//! What is owed is the balance of each payee's payable account: budgets pay into it when
//! declaration lines are accepted, credits take from it. A run posts one transfer per payee
//! from its payable account to the operator's bank account when the file is made, links the
//! paid lines to their payout, and names the batches in the remittance information. The same
//! date again writes the same file and changes nothing; `ixorg reconcile` confirms each
//! transfer from the bank statement. The file is written before the run commits and renamed
//! into place after ([`crate::output`]): a run is committed with its file or not at all.

use std::io::Write as _;
use std::path::Path;

use ixorg_domain::Cents;
use ixorg_domain::ids::{LedgerTransferId, PayoutRunId};
use ixorg_domain::ledger::Transfer;
use ixorg_domain::ledger::{OperatorAccount, TransferKind};
use ixorg_formats::sepa::pain001::{CreditTransfer, CreditTransferBatch, Pain001Writer};
use ixorg_formats::sepa::{AccountHolder, GroupHeader};
use ixorg_store::enrollment::OperatorProfile;
use ixorg_store::ledger;
use ixorg_store::payouts::{self as repo, Payout, PayoutRun};
use time::Date;

use crate::context::AppContext;
use crate::output::{OutputError, StagedFile, created_at_of, date_code};

/// Most batch references named in one remittance text.
const REFERENCES_MAX: i64 = 20;

/// The longest unstructured remittance text SEPA allows.
const REMITTANCE_CHARS_MAX: usize = 140;

/// Why a payout run failed. Nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum PayoutError {
    /// The operator's bank details are missing.
    #[error("the operator's bank details are not set: run `ixorg operator set` first")]
    NoOperatorProfile,
    /// Writing the file failed (nothing was stored).
    #[error("cannot write the payout file: {0}")]
    File(#[source] OutputError),
    /// A ledger rule refused a transfer.
    #[error("a payout could not be posted: {0}")]
    Posting(ixorg_domain::ledger::LedgerError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] ixorg_store::Error),
}

/// What a payout run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayoutReport {
    /// The run; `None` when nothing was owed.
    pub run: Option<PayoutRun>,
    /// False when the run existed and its file was written again.
    pub created: bool,
}

/// Makes the payout run for `date` and writes its pain.001 to `out` (see the module docs).
pub async fn payout(ctx: &AppContext, date: Date, out: &Path) -> Result<PayoutReport, PayoutError> {
    let staged = StagedFile::create(out)?;
    let mut tx = ctx.db.begin().await?;
    let operator = ixorg_store::enrollment::operator_profile(&mut tx)
        .await?
        .ok_or(PayoutError::NoOperatorProfile)?;
    if let Some(run) = repo::run_by_date(&mut tx, date).await? {
        let payouts = repo::payouts_of_run(&mut tx, run.id).await?;
        tx.rollback().await?;
        write_file(&staged, &run, &operator, &payouts)?;
        staged.publish()?;
        return Ok(PayoutReport {
            run: Some(run),
            created: false,
        });
    }
    let owed = repo::owed(&mut tx).await?;
    if owed.is_empty() {
        tx.rollback().await?;
        tracing::info!(payout_date = %date, "Nothing is owed: no run, no file");
        return Ok(PayoutReport {
            run: None,
            created: false,
        });
    }
    let code = date_code(date);
    let mut payouts = Vec::with_capacity(owed.len());
    let mut transfers = Vec::with_capacity(owed.len());
    let bank = ledger::account_by_code(&mut tx, OperatorAccount::OperatorBank)
        .await?
        .id;
    for (n, o) in owed.iter().enumerate() {
        let references = repo::unpaid_batch_references(&mut tx, o.payee, REFERENCES_MAX).await?;
        payouts.push(Payout {
            id: ctx.ids.new_uuid(),
            payee: o.payee,
            end_to_end_id: format!("IXORG-PAY-{code}-{:06}", n + 1),
            amount: o.amount,
            creditor_iban: o.iban.clone(),
            creditor_name: o.name.clone(),
            remittance: remittance(date, &references),
            status: "sent".to_owned(),
        });
        transfers.push(Transfer {
            idempotency_key: format!("payout.{code}.{}", o.payee.uuid().simple()),
            debit: o.payable,
            credit: bank,
            amount: o.amount,
            kind: TransferKind::Payout,
            reverses: None,
        });
    }
    let sum = payouts
        .iter()
        .try_fold(Cents::ZERO, |sum, p| sum.checked_add(p.amount))
        .ok_or(PayoutError::Posting(
            ixorg_domain::ledger::LedgerError::Overflow,
        ))?;
    let run = PayoutRun {
        id: PayoutRunId::from_uuid(ctx.ids.new_uuid()),
        date,
        message_id: format!("IXORG-PAY-{code}"),
        transactions: i64::try_from(payouts.len()).unwrap_or(i64::MAX),
        control_sum: sum,
        created_at: ctx.now(),
    };
    repo::insert_run(&mut tx, &run).await?;
    repo::insert_payouts(&mut tx, run.id, &payouts, ctx.now()).await?;
    let ids: Vec<LedgerTransferId> = transfers
        .iter()
        .map(|_| LedgerTransferId::from_uuid(ctx.ids.new_uuid()))
        .collect();
    for outcome in ledger::post_batch(&mut tx, &transfers, &ids, ctx.now()).await? {
        outcome.map_err(PayoutError::Posting)?;
    }
    write_file(&staged, &run, &operator, &payouts)?;
    tx.commit().await?;
    staged.publish()?;
    tracing::info!(payout_date = %date, transfers = payouts.len(), "Payout run written");
    Ok(PayoutReport {
        run: Some(run),
        created: true,
    })
}

/// `ixorg uitbetaling 2027-01-31 declaraties F26-0001, F26-0002`, cut to 140 characters.
fn remittance(date: Date, references: &[String]) -> String {
    let mut text = format!("ixorg uitbetaling {date} declaraties ");
    text.push_str(&references.join(", "));
    if text.chars().count() > REMITTANCE_CHARS_MAX {
        text = text.chars().take(REMITTANCE_CHARS_MAX - 3).collect();
        text.push_str("...");
    }
    text
}

/// Writes the run's pain.001 into the staged file and syncs it (it is renamed into place by
/// the caller, after the commit).
fn write_file(
    staged: &StagedFile,
    run: &PayoutRun,
    operator: &OperatorProfile,
    payouts: &[Payout],
) -> Result<(), PayoutError> {
    let err = |e: &dyn std::fmt::Display| PayoutError::from(staged.error(e));
    let header = GroupHeader {
        message_id: run.message_id.clone(),
        created_at: created_at_of(run.created_at),
        initiating_party: operator.legal_name.clone(),
    };
    let count = payouts.len() as u64;
    let mut w = Pain001Writer::new(staged.writer()?, &header, count, run.control_sum)
        .map_err(|e| err(&e))?;
    let batch = CreditTransferBatch {
        payment_info_id: format!("{}-1", run.message_id),
        execution_date: run.date,
        debtor: crate::output::operator_holder(operator),
        batch_booking: true,
    };
    w.begin_payment(&batch, count, run.control_sum)
        .map_err(|e| err(&e))?;
    for p in payouts {
        let transfer = CreditTransfer {
            end_to_end_id: p.end_to_end_id.clone(),
            amount: p.amount,
            creditor: AccountHolder {
                name: p.creditor_name.clone(),
                iban: p.creditor_iban.clone(),
                bic: None,
            },
            remittance: p.remittance.clone(),
        };
        w.transfer(&transfer).map_err(|e| err(&e))?;
    }
    w.end_payment().map_err(|e| err(&e))?;
    let mut inner = w.finish().map_err(|e| err(&e))?;
    inner.flush().map_err(|e| err(&e))?;
    drop(inner);
    Ok(staged.sync()?)
}

impl From<OutputError> for PayoutError {
    fn from(e: OutputError) -> Self {
        PayoutError::File(e)
    }
}
