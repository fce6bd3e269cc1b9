//! Reconciliation of bank files: camt.053 statements and pain.002 status reports. Entries are
//! matched by end-to-end id; settled collections are confirmed; returns and rejects reverse the
//! contribution and start the reminder flow; what matches nothing is listed, never guessed.
//! A file is reconciled whole or not at all, and the same file twice changes nothing. A file
//! about someone else's account or file is refused whole: a statement must be for the
//! operator's account, a status report must answer a file we sent for the operator's creditor
//! id and account (`status_report`).

use ixorg_domain::Cents;
use ixorg_domain::collection::SequenceType;
use ixorg_domain::collection::{ReminderStep, ReturnReason, reminder_step};
use ixorg_domain::ledger::Transfer;
use ixorg_domain::ledger::{OperatorAccount, TransferKind};
use ixorg_domain::privacy::DataCategory;
use ixorg_formats::sepa::camt053::{Camt053Event, Camt053Reader};
use ixorg_store::collections::{self as repo, BankEntry, ContributionRef};
use ixorg_store::enrollment as mandates;
use ixorg_store::{Tx, ledger};
use sha2::{Digest, Sha256};

use crate::collections::{CollectError, batch_grants};
use crate::context::AppContext;
use crate::ledger::{PostAllError, post_all};

mod status_report;

/// What reconciling a file did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    /// `camt053` or `pain002`.
    pub kind: String,
    /// False when the same file was reconciled before (nothing changed).
    pub imported: bool,
    /// Entries settled (collections confirmed).
    pub settled: u64,
    /// Collections returned after settlement.
    pub returned: u64,
    /// Collections rejected before settlement.
    pub rejected: u64,
    /// Entries that matched nothing (for staff).
    pub unmatched: u64,
    /// Entries about a collection already handled.
    pub duplicates: u64,
    /// Entries with nothing to do (other bookings).
    pub ignored: u64,
    /// Payouts (credit transfers to payees) the bank confirmed.
    pub payouts_settled: u64,
    /// Payouts the bank returned (owed to the payee again).
    pub payouts_returned: u64,
}

/// Why a file was refused (nothing changed).
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    /// Not a camt.053 or pain.002 document.
    #[error("not a camt.053 statement or pain.002 status report")]
    UnknownFile,
    /// The file does not parse.
    #[error("malformed bank file: {0}")]
    Malformed(#[source] crate::ErrorCause),
    /// The statement is for another account than the operator's.
    #[error("the statement is for another account than the operator's; nothing was changed")]
    OtherAccount,
    /// The status report answers no file we sent.
    #[error(
        "the status report answers message {message_id:?} (OrgnlGrpInfAndSts/OrgnlMsgId), which \
         is not a file the operator sent (no collection, payout or settlement run has that \
         message id); nothing was changed"
    )]
    UnknownOriginal {
        /// The original message id it names (cut to 35 characters).
        message_id: String,
    },
    /// A transaction of the status report names another creditor or account than the
    /// operator's: the report is about someone else's file.
    #[error(
        "transaction {transaction} of the status report names another {what} than the \
         operator's ({element}); nothing was changed"
    )]
    OtherCreditor {
        /// The transaction's position in the report, from 1.
        transaction: usize,
        /// What differs: `creditor identifier`, `creditor account` or `debtor account`.
        what: &'static str,
        /// Where, below `TxInfAndSts`.
        element: &'static str,
    },
    /// The run or the database failed.
    #[error(transparent)]
    Collect(#[from] CollectError),
}

impl From<PostAllError> for ReconcileError {
    fn from(e: PostAllError) -> Self {
        ReconcileError::Collect(CollectError::from(e))
    }
}

impl From<ixorg_store::Error> for ReconcileError {
    fn from(e: ixorg_store::Error) -> Self {
        ReconcileError::Collect(CollectError::Store(e))
    }
}

/// Reconciles one bank file (its bytes).
pub async fn reconcile(ctx: &AppContext, bytes: &[u8]) -> Result<ReconcileReport, ReconcileError> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4_096)]).into_owned();
    let kind = if head.contains("camt.053") || head.contains("BkToCstmrStmt") {
        "camt053"
    } else if head.contains("pain.002") || head.contains("CstmrPmtStsRpt") {
        "pain002"
    } else {
        return Err(ReconcileError::UnknownFile);
    };
    let sha: Vec<u8> = Sha256::digest(bytes).to_vec();
    let mut tx = ctx.db.begin().await?;
    if repo::bank_file_by_hash(&mut tx, &sha).await?.is_some() {
        tx.commit().await?;
        return Ok(ReconcileReport {
            kind: kind.to_owned(),
            imported: false,
            ..ReconcileReport::default()
        });
    }
    let operator = mandates::operator_profile(&mut tx)
        .await?
        .ok_or(ReconcileError::Collect(CollectError::NoOperatorProfile))?;
    batch_grants(ctx, &mut tx, vec![DataCategory::Financial]).await?;
    let mut report = ReconcileReport {
        kind: kind.to_owned(),
        imported: true,
        ..ReconcileReport::default()
    };
    let mut entries = Vec::new();
    let document_id = if kind == "camt053" {
        camt053(
            ctx,
            &mut tx,
            bytes,
            &operator.iban,
            &mut report,
            &mut entries,
        )
        .await?
    } else {
        status_report::pain002(ctx, &mut tx, bytes, &operator, &mut report, &mut entries).await?
    };
    let file_id = ctx.ids.new_uuid();
    let count = i64::try_from(entries.len()).unwrap_or(i64::MAX);
    repo::insert_bank_file(&mut tx, file_id, kind, &sha, &document_id, count, ctx.now()).await?;
    repo::insert_bank_entries(&mut tx, file_id, &entries).await?;
    tx.commit().await?;
    tracing::info!(
        kind,
        settled = report.settled,
        returned = report.returned,
        rejected = report.rejected,
        unmatched = report.unmatched,
        "Bank file reconciled"
    );
    Ok(report)
}

/// Statement facts handled per batch (one look-up and one update of many rows each).
const FACTS_PER_BATCH: usize = 2_000;

/// One booked fact of a statement about one end-to-end id.
struct Fact {
    e2e: Option<String>,
    reason: Option<String>,
    amount: Cents,
    credit: bool,
    failed: bool,
    booked: bool,
}

async fn camt053(
    ctx: &AppContext,
    tx: &mut Tx,
    bytes: &[u8],
    operator_iban: &ixorg_domain::identifiers::Iban,
    report: &mut ReconcileReport,
    entries: &mut Vec<BankEntry>,
) -> Result<String, ReconcileError> {
    let mut reader = Camt053Reader::new(bytes);
    let mut document_id = String::new();
    let malformed = |e: ixorg_formats::sepa::SepaReadError| ReconcileError::Malformed(e.into());
    let mut pending: Vec<Fact> = Vec::with_capacity(FACTS_PER_BATCH);
    while let Some(event) = reader.next_event().map_err(malformed)? {
        match event {
            Camt053Event::Statement(header) => {
                if header.account_iban != *operator_iban {
                    return Err(ReconcileError::OtherAccount);
                }
                document_id = header.id.clone();
            }
            Camt053Event::Entry(entry) => {
                let booked = entry.status == "BOOK";
                let facts: Vec<Fact> = if entry.details.is_empty() {
                    vec![Fact {
                        e2e: None,
                        reason: None,
                        amount: entry.amount,
                        credit: entry.credit,
                        failed: !entry.credit || entry.reversal,
                        booked,
                    }]
                } else {
                    entry
                        .details
                        .into_iter()
                        .map(|d| Fact {
                            failed: !entry.credit || entry.reversal || d.return_reason.is_some(),
                            e2e: d.end_to_end_id,
                            reason: d.return_reason,
                            amount: d.amount.unwrap_or(entry.amount),
                            credit: entry.credit,
                            booked,
                        })
                        .collect()
                };
                pending.extend(facts);
                if pending.len() >= FACTS_PER_BATCH {
                    apply_facts(ctx, tx, &pending, report, entries).await?;
                    pending.clear();
                }
            }
        }
    }
    apply_facts(ctx, tx, &pending, report, entries).await?;
    Ok(document_id)
}

/// Applies a batch of statement facts: settlements are gathered and written in bulk; a return
/// first writes the settlements gathered so far, then goes through the one-by-one path.
async fn apply_facts(
    ctx: &AppContext,
    tx: &mut Tx,
    facts: &[Fact],
    report: &mut ReconcileReport,
    entries: &mut Vec<BankEntry>,
) -> Result<(), ReconcileError> {
    let ids: Vec<&str> = facts.iter().filter_map(|f| f.e2e.as_deref()).collect();
    let mut known = repo::contributions_by_end_to_end(tx, &ids).await?;
    let mut payouts = ixorg_store::payouts::payouts_by_end_to_end(tx, &ids).await?;
    let mut settle_ids = Vec::new();
    let mut settle_mandates = Vec::new();
    for fact in facts {
        if let Some(payout) = fact.e2e.as_deref().and_then(|e| payouts.get_mut(e)) {
            let outcome = confirm_payout(ctx, tx, payout, fact, report).await?;
            count(report, outcome);
            entries.push(BankEntry {
                index: i64::try_from(entries.len()).unwrap_or(i64::MAX),
                amount: fact.amount,
                credit: fact.credit,
                end_to_end_id: fact.e2e.clone(),
                reason_code: fact.reason.clone(),
                outcome,
                contribution: None,
            });
            continue;
        }
        let found = fact.e2e.as_deref().and_then(|e| known.get_mut(e));
        let outcome: (&'static str, Option<uuid::Uuid>) = match found {
            _ if !fact.booked => ("ignored", None),
            None => ("unmatched", None),
            Some(c) if c.amount != fact.amount => ("unmatched", None),
            Some(c) => match (fact.failed, c.status.as_str()) {
                (false, "sent") => {
                    c.status = "settled".to_owned();
                    settle_ids.push(c.id);
                    settle_mandates.push(c.mandate.clone());
                    ("settled", Some(c.id))
                }
                (true, "sent" | "settled") => {
                    repo::settle_many(tx, &settle_ids, &settle_mandates, ctx.now()).await?;
                    settle_ids.clear();
                    settle_mandates.clear();
                    let done = apply_one(
                        ctx,
                        tx,
                        fact.e2e.as_deref(),
                        fact.amount,
                        true,
                        fact.reason.as_deref(),
                        "returned",
                    )
                    .await?;
                    c.status = done.0.to_owned();
                    done
                }
                _ => ("duplicate", Some(c.id)),
            },
        };
        count(report, outcome.0);
        entries.push(BankEntry {
            index: i64::try_from(entries.len()).unwrap_or(i64::MAX),
            amount: fact.amount,
            credit: fact.credit,
            end_to_end_id: fact.e2e.clone(),
            reason_code: fact.reason.clone(),
            outcome: outcome.0,
            contribution: outcome.1,
        });
    }
    repo::settle_many(tx, &settle_ids, &settle_mandates, ctx.now()).await?;
    Ok(())
}

/// A statement entry about one of our payouts: a booked debit of the same amount confirms it;
/// a credit back (a return) makes the amount owed to the payee again. Returns the outcome.
async fn confirm_payout(
    ctx: &AppContext,
    tx: &mut Tx,
    payout: &mut ixorg_store::payouts::Payout,
    fact: &Fact,
    report: &mut ReconcileReport,
) -> Result<&'static str, ReconcileError> {
    if !fact.booked {
        return Ok("ignored");
    }
    if fact.amount != payout.amount {
        return Ok("unmatched");
    }
    match (fact.credit, payout.status.as_str()) {
        (false, "sent") => {
            ixorg_store::payouts::set_status(tx, payout.id, "settled", ctx.now()).await?;
            payout.status = "settled".to_owned();
            report.payouts_settled += 1;
            Ok("settled")
        }
        (true, "sent" | "settled") => {
            let bank = ledger::account_by_code(tx, OperatorAccount::OperatorBank)
                .await?
                .id;
            let payable = ixorg_store::payouts::payable_of(tx, payout.payee).await?;
            let back = Transfer {
                idempotency_key: format!("payout-return.{}", payout.end_to_end_id),
                debit: bank,
                credit: payable,
                amount: payout.amount,
                kind: TransferKind::PayoutReturn,
                reverses: None,
            };
            post_all(ctx, tx, &[back]).await?;
            ixorg_store::payouts::set_status(tx, payout.id, "returned", ctx.now()).await?;
            payout.status = "returned".to_owned();
            report.payouts_returned += 1;
            Ok("returned")
        }
        _ => Ok("duplicate"),
    }
}

fn count(report: &mut ReconcileReport, outcome: &str) {
    match outcome {
        "settled" => report.settled += 1,
        "returned" => report.returned += 1,
        "rejected" => report.rejected += 1,
        "unmatched" => report.unmatched += 1,
        "duplicate" => report.duplicates += 1,
        _ => report.ignored += 1,
    }
}

/// Applies one bank fact about one end-to-end id. Returns the outcome and the contribution.
async fn apply_one(
    ctx: &AppContext,
    tx: &mut Tx,
    e2e: Option<&str>,
    amount: Cents,
    failed: bool,
    reason: Option<&str>,
    failed_status: &'static str,
) -> Result<(&'static str, Option<uuid::Uuid>), ReconcileError> {
    let Some(e2e) = e2e else {
        return Ok(("unmatched", None));
    };
    let Some(c) = repo::contribution_by_end_to_end(tx, e2e).await? else {
        return Ok(("unmatched", None));
    };
    if c.amount != amount {
        // A different amount under our id is not ours to guess about.
        return Ok(("unmatched", None));
    }
    let now = ctx.now();
    let first = c.sequence_type == SequenceType::Frst;
    match (failed, c.status.as_str()) {
        (false, "sent") => {
            repo::set_contribution_status(tx, c.id, "settled", None, now).await?;
            mandates::record_collection_result(tx, &c.mandate, true, first, now).await?;
            Ok(("settled", Some(c.id)))
        }
        (true, "sent" | "settled") => {
            let reason = reason.unwrap_or("MS03");
            let mut c = c;
            repo::load_lines(tx, &mut c).await?;
            reverse(ctx, tx, &c).await?;
            repo::set_contribution_status(tx, c.id, failed_status, Some(reason), now).await?;
            mandates::record_collection_result(tx, &c.mandate, false, first, now).await?;
            remind(ctx, tx, &c, reason).await?;
            Ok((failed_status, Some(c.id)))
        }
        _ => Ok(("duplicate", Some(c.id))),
    }
}

/// Reverses a contribution in the ledger: each saving back out of its budget (what the budget
/// cannot carry within its credit line becomes a debt of the participant), the fee out of fee
/// income and the premium out of premium payable.
async fn reverse(ctx: &AppContext, tx: &mut Tx, c: &ContributionRef) -> Result<(), ReconcileError> {
    let bank = ledger::account_by_code(tx, OperatorAccount::BankReceivable)
        .await?
        .id;
    let fee_income = ledger::account_by_code(tx, OperatorAccount::FeeIncome)
        .await?
        .id;
    let premium_payable = ledger::account_by_code(tx, OperatorAccount::PremiumPayable)
        .await?
        .id;
    let key = |what: &str| format!("ret-{}-{what}", c.id.simple());
    let transfer = |key: String, debit, amount, kind: TransferKind| Transfer {
        idempotency_key: key,
        debit,
        credit: bank,
        amount,
        kind,
        reverses: None,
    };
    let mut transfers = Vec::new();
    let mut fee = Cents::ZERO;
    let mut premium = Cents::ZERO;
    for (participant, saving, line_fee, line_premium, budget) in &c.lines {
        fee = fee
            .checked_add(line_fee.checked_sub(*line_premium).unwrap_or(Cents::ZERO))
            .unwrap_or(fee);
        premium = premium.checked_add(*line_premium).unwrap_or(premium);
        if !saving.is_positive() {
            continue;
        }
        let account = ledger::account(tx, *budget).await?;
        let room = account
            .balance
            .checked_add(account.credit_line)
            .unwrap_or(Cents::ZERO)
            .max(Cents::ZERO);
        let from_budget = (*saving).min(room);
        let short = saving.checked_sub(from_budget).unwrap_or(Cents::ZERO);
        let tag = participant.uuid().simple().to_string();
        if from_budget.is_positive() {
            transfers.push(transfer(
                key(&format!("saving-{tag}")),
                *budget,
                from_budget,
                TransferKind::CollectionReturn,
            ));
        }
        if short.is_positive() {
            let debt = crate::ledger::own_payment_account(ctx, tx, *participant).await?;
            transfers.push(transfer(
                key(&format!("debt-{tag}")),
                debt,
                short,
                TransferKind::CollectionReturn,
            ));
        }
    }
    if fee.is_positive() {
        transfers.push(transfer(
            key("fee"),
            fee_income,
            fee,
            TransferKind::CollectionReturn,
        ));
    }
    if premium.is_positive() {
        transfers.push(transfer(
            key("premium"),
            premium_payable,
            premium,
            TransferKind::CollectionReturn,
        ));
    }
    post_all(ctx, tx, &transfers).await?;
    Ok(())
}

/// Starts the next step of the reminder flow for a failed contribution.
async fn remind(
    ctx: &AppContext,
    tx: &mut Tx,
    c: &ContributionRef,
    reason: &str,
) -> Result<(), ReconcileError> {
    let now = ctx.now();
    let failures = repo::failures_in_a_row(tx, c.contract).await?;
    let parsed: ReturnReason = reason.parse().unwrap_or(ReturnReason::Ms03);
    let step = reminder_step(&parsed, failures);
    repo::insert_reminder(tx, c.id, c.contract, reason, failures, step.as_str(), now).await?;
    if matches!(
        step,
        ReminderStep::SuspendCreditLine | ReminderStep::StopCollecting
    ) {
        for (_, _, _, _, budget) in &c.lines {
            let account = ledger::account(tx, *budget).await?;
            // Suspended: no new credit; what is already used stays (the floor is the balance).
            let frozen = Cents::new((-account.balance.get()).max(0));
            if frozen < account.credit_line {
                ledger::set_credit_line(tx, *budget, frozen, now).await?;
            }
        }
    }
    if step == ReminderStep::StopCollecting {
        mandates::stop_mandate(tx, &c.mandate, now).await?;
    }
    Ok(())
}

/// Bank entries that matched nothing, for staff to look at (at most `limit`).
pub async fn unmatched(
    ctx: &AppContext,
    limit: i64,
) -> Result<Vec<ixorg_store::collections::BankEntry>, ixorg_store::Error> {
    let mut tx = ctx.db.begin_read().await?;
    let entries = repo::unmatched_entries(&mut tx, limit).await?;
    tx.commit().await?;
    Ok(entries)
}
