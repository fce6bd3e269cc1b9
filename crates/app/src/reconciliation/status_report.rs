//! pain.002 status reports: the bank's answer to one file we sent. A report is accepted only
//! when its original message id is that of a file we sent (a collection run's pain.008, a
//! payout run's pain.001, or a settlement's pain.001 or pain.008) and every transaction that
//! repeats its original creditor names the operator's creditor id and account (for a credit
//! transfer file: the operator's account as debtor). Otherwise the whole report is refused
//! before anything changes. Transactions are matched only to the payments of that file.

use std::collections::HashMap;

use ixorg_domain::Cents;
use ixorg_domain::identifiers::CreditorId;
use ixorg_domain::ids::{CollectionRunId, PayoutRunId};
use ixorg_formats::sepa::pain002::{StatusReport, TransactionStatus, read_pain002};
use ixorg_store::Tx;
use ixorg_store::collections::{self as repo, BankEntry};
use ixorg_store::enrollment::OperatorProfile;
use ixorg_store::payouts::{self as payouts_repo, Payout};
use uuid::Uuid;

use super::{Fact, ReconcileError, ReconcileReport, apply_one, confirm_payout, count};
use crate::context::AppContext;

/// Characters of an unknown message id repeated in an error.
const MESSAGE_ID_CHARS_MAX: usize = 35;

/// The file of ours a status report answers.
enum Original {
    /// A collection run (pain.008): we are the creditor.
    Collection(CollectionRunId),
    /// A payout run (pain.001): we are the debtor.
    Payout(PayoutRunId),
    /// A settlement's final debits (pain.008, `collect`) or payouts (pain.001, `payout`).
    Settlement { direction: &'static str },
}

impl Original {
    /// Whether the file was a direct-debit file, where the operator is the creditor.
    fn is_direct_debit(&self) -> bool {
        match self {
            Original::Collection(_) => true,
            Original::Payout(_) => false,
            Original::Settlement { direction, .. } => *direction == "collect",
        }
    }
}

/// Reconciles a pain.002 (see the module docs). Returns the report's message id.
pub(super) async fn pain002(
    ctx: &AppContext,
    tx: &mut Tx,
    bytes: &[u8],
    operator: &OperatorProfile,
    report: &mut ReconcileReport,
    entries: &mut Vec<BankEntry>,
) -> Result<String, ReconcileError> {
    let status = read_pain002(bytes).map_err(|e| ReconcileError::Malformed(e.into()))?;
    let original = original_of(tx, &status).await?;
    check_parties(&status, operator, &original)?;
    match original {
        Original::Collection(run) => collection(ctx, tx, &status, run, report, entries).await?,
        Original::Payout(run) => payout(ctx, tx, &status, run, report, entries).await?,
        Original::Settlement { .. } => {
            // Settlement payments are not matched by status reports: listed for staff.
            for t in &status.transactions {
                let outcome = if t.status == "RJCT" {
                    "unmatched"
                } else {
                    "ignored"
                };
                count(report, outcome);
                entries.push(entry(entries.len(), Cents::ZERO, t, outcome, None));
            }
        }
    }
    Ok(status.message_id.clone())
}

/// The file of ours the report answers, by its original message id.
async fn original_of(tx: &mut Tx, status: &StatusReport) -> Result<Original, ReconcileError> {
    let id = status.original_message_id.as_str();
    if let Some(run) = repo::run_by_message_id(tx, id).await? {
        return Ok(Original::Collection(run.id));
    }
    if let Some(run) = payouts_repo::run_by_message_id(tx, id).await? {
        return Ok(Original::Payout(run.id));
    }
    // Settlement files are `IXORG-SET-YYYYMMDD` (payouts) and `IXORG-FIN-YYYYMMDD` (final
    // debits); their end-to-end ids start with `SYYYYMMDD`.
    for (prefix, direction) in [("IXORG-SET-", "payout"), ("IXORG-FIN-", "collect")] {
        if let Some(code) = id.strip_prefix(prefix)
            && code.len() == 8
            && code.bytes().all(|b| b.is_ascii_digit())
        {
            let end_to_end_prefix = format!("S{code}");
            if ixorg_store::contracts::settlement_sent(tx, direction, &end_to_end_prefix).await? {
                return Ok(Original::Settlement { direction });
            }
        }
    }
    Err(ReconcileError::UnknownOriginal {
        message_id: id.chars().take(MESSAGE_ID_CHARS_MAX).collect(),
    })
}

/// Refuses a report whose transactions name another creditor or account than the operator's.
fn check_parties(
    status: &StatusReport,
    operator: &OperatorProfile,
    original: &Original,
) -> Result<(), ReconcileError> {
    let other = |n: usize, what: &'static str, element: &'static str| {
        Err(ReconcileError::OtherCreditor {
            transaction: n + 1,
            what,
            element,
        })
    };
    for (n, t) in status.transactions.iter().enumerate() {
        if original.is_direct_debit() {
            if let Some(id) = &t.creditor_id
                && id.parse::<CreditorId>().ok().as_ref() != Some(&operator.creditor_id)
            {
                return other(n, "creditor identifier", "OrgnlTxRef/CdtrSchmeId");
            }
            if let Some(iban) = &t.creditor_iban
                && *iban != operator.iban
            {
                return other(n, "creditor account", "OrgnlTxRef/CdtrAcct");
            }
        } else if let Some(iban) = &t.debtor_iban
            && *iban != operator.iban
        {
            return other(n, "debtor account", "OrgnlTxRef/DbtrAcct");
        }
    }
    Ok(())
}

/// A report on a collection run: a reject reverses a contribution of that run.
async fn collection(
    ctx: &AppContext,
    tx: &mut Tx,
    status: &StatusReport,
    run: CollectionRunId,
    report: &mut ReconcileReport,
    entries: &mut Vec<BankEntry>,
) -> Result<(), ReconcileError> {
    for t in &status.transactions {
        if t.status != "RJCT" {
            count(report, "ignored");
            entries.push(entry(entries.len(), Cents::ZERO, t, "ignored", None));
            continue;
        }
        let found = repo::contribution_by_end_to_end(tx, &t.original_end_to_end_id).await?;
        let Some(c) = found.filter(|c| c.run == run) else {
            count(report, "unmatched");
            entries.push(entry(entries.len(), Cents::ZERO, t, "unmatched", None));
            continue;
        };
        let amount = c.amount;
        let e2e = Some(t.original_end_to_end_id.as_str());
        let reason = t.reason.as_deref();
        let outcome = apply_one(ctx, tx, e2e, amount, true, reason, "rejected").await?;
        count(report, outcome.0);
        entries.push(entry(entries.len(), amount, t, outcome.0, outcome.1));
    }
    Ok(())
}

/// A report on a payout run: a rejected transfer never left, so it is owed to the payee again
/// (as a returned one is).
async fn payout(
    ctx: &AppContext,
    tx: &mut Tx,
    status: &StatusReport,
    run: PayoutRunId,
    report: &mut ReconcileReport,
    entries: &mut Vec<BankEntry>,
) -> Result<(), ReconcileError> {
    let mut payouts: HashMap<String, Payout> = payouts_repo::payouts_of_run(tx, run)
        .await?
        .into_iter()
        .map(|p| (p.end_to_end_id.clone(), p))
        .collect();
    for t in &status.transactions {
        let found = payouts.get_mut(&t.original_end_to_end_id);
        let (outcome, amount) = match found {
            None if t.status == "RJCT" => ("unmatched", Cents::ZERO),
            Some(p) if t.status == "RJCT" => {
                let back = Fact {
                    e2e: Some(t.original_end_to_end_id.clone()),
                    reason: t.reason.clone(),
                    amount: p.amount,
                    credit: true,
                    failed: true,
                    booked: true,
                };
                (confirm_payout(ctx, tx, p, &back, report).await?, p.amount)
            }
            _ => ("ignored", Cents::ZERO),
        };
        count(report, outcome);
        entries.push(entry(entries.len(), amount, t, outcome, None));
    }
    Ok(())
}

/// The stored entry of one transaction status.
fn entry(
    index: usize,
    amount: Cents,
    t: &TransactionStatus,
    outcome: &'static str,
    contribution: Option<Uuid>,
) -> BankEntry {
    BankEntry {
        index: i64::try_from(index).unwrap_or(i64::MAX),
        amount,
        credit: false,
        end_to_end_id: Some(t.original_end_to_end_id.clone()),
        reason_code: t.reason.clone(),
        outcome,
        contribution,
    }
}
