//! The monthly collection run: one pain.008 file for every contribution due on a collection
//! date, the ledger postings that go with it, and the same file again when the run exists.

use std::io::Write;
use std::path::{Path, PathBuf};

use ixorg_domain::Cents;
use ixorg_domain::collection::{MandateHistory, contribution, sequence_type};
use ixorg_domain::ids::{LedgerAccountId, LedgerTransferId};
use ixorg_domain::ledger::Transfer;
use ixorg_domain::privacy::{Action, DataCategory, Purpose};
use ixorg_formats::sepa::GroupHeader;
use ixorg_formats::sepa::pain008::{
    DirectDebit, DirectDebitBatch, MandateAmendment, Pain008Writer,
};
use ixorg_store::collections::{self as repo, CollectionRun, DueContract, NewContribution};
use ixorg_store::enrollment::{self as mandates, OperatorProfile};
use ixorg_store::gate::Grant;
use ixorg_store::{Tx, ledger};
use time::{Date, OffsetDateTime, PrimitiveDateTime};
use uuid::Uuid;

use crate::context::AppContext;

/// Contracts read per page while building a run.
const PAGE_CONTRACTS: i64 = 4_000;
/// Direct debits read per page while writing the file.
const PAGE_DEBITS: i64 = 5_000;

/// What a collection run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectReport {
    /// The run.
    pub run: CollectionRun,
    /// False when the run existed already and only its file was written again.
    pub created: bool,
    /// Participants whose saving was collected in this run (when created).
    pub participants: u64,
    /// Where the file was written; `None` when nothing was due (no run, no file: a SEPA file
    /// holds at least one transaction).
    pub file: Option<PathBuf>,
}

/// Why a run could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// The operator's creditor details are missing.
    #[error("the operator's bank details are not set: run `ixorg operator set` first")]
    NoOperatorProfile,
    /// No product terms on that date.
    #[error("no product terms are in force on the collection date")]
    NoTerms,
    /// The access was refused.
    #[error("access refused: {0}")]
    Refused(ixorg_domain::privacy::Refusal),
    /// A ledger posting was refused (a bug in the run's postings; nothing was committed).
    #[error("a collection posting was refused: {0}")]
    Posting(ixorg_domain::ledger::LedgerError),
    /// A due budget change could not be applied.
    #[error("a due budget change could not be applied: {0}")]
    BudgetChange(String),
    /// Writing the file failed.
    #[error("cannot write the collection file: {0}")]
    File(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] ixorg_store::Error),
}

/// Grants for a batch job that reads and changes financial data (and reads identity data).
pub(crate) async fn batch_grants(
    ctx: &AppContext,
    tx: &mut Tx,
    read: Vec<DataCategory>,
) -> Result<(Grant, Grant), CollectError> {
    let purpose = Purpose::Reimbursement;
    let job = "collect";
    let read = crate::access::job_grant(ctx, tx, job, purpose, read, Action::Read).await?;
    let financial = vec![DataCategory::Financial];
    let change = crate::access::job_grant(ctx, tx, job, purpose, financial, Action::Change).await?;
    Ok((read, change))
}

/// Makes the run for `date` and writes its pain.008 to `out`; when the run exists, writes the
/// same file again and changes nothing. `progress` is told the contracts done so far.
pub async fn collect(
    ctx: &AppContext,
    date: Date,
    out: &Path,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<CollectReport, CollectError> {
    let mut tx = ctx.db.begin().await?;
    let operator = mandates::operator_profile(&mut tx)
        .await?
        .ok_or(CollectError::NoOperatorProfile)?;
    let (read, change) = batch_grants(
        ctx,
        &mut tx,
        vec![DataCategory::Financial, DataCategory::Identity],
    )
    .await?;
    let (run, created, participants) = match repo::run_by_date(&mut tx, date).await? {
        Some(run) => (run, false, 0),
        None => {
            let (run, participants) =
                build_run(ctx, &mut tx, &read, &change, date, progress).await?;
            (run, true, participants)
        }
    };
    if run.transactions == 0 {
        tx.rollback().await?;
        tracing::info!(collection_date = %date, "Nothing is due: no run, no file");
        return Ok(CollectReport {
            run,
            created: false,
            participants: 0,
            file: None,
        });
    }
    tx.commit().await?;
    write_file(ctx, &run, &operator, out).await?;
    tracing::info!(
        collection_date = %date,
        transactions = run.transactions,
        created,
        "Collection run written"
    );
    Ok(CollectReport {
        run,
        created,
        participants,
        file: Some(out.to_owned()),
    })
}

async fn build_run(
    ctx: &AppContext,
    tx: &mut Tx,
    read: &Grant,
    change: &Grant,
    date: Date,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(CollectionRun, u64), CollectError> {
    let terms = ctx
        .terms
        .resolve(date)
        .map_err(|_| CollectError::NoTerms)?
        .clone();
    let now_ms = ctx.now_ms();
    let run_id = ctx.ids.new_uuid();
    let bank = ledger::account_by_code(tx, "bank_receivable").await?.id;
    let fee_income = ledger::account_by_code(tx, "fee_income").await?.id;
    let premium_payable = ledger::account_by_code(tx, "premium_payable").await?.id;
    let month_first = date.replace_day(1).map_err(|_| CollectError::NoTerms)?;
    let mut run = CollectionRun {
        id: run_id,
        collection_date: date,
        message_id: format!("IXORG-COL-{}", date_code(date)),
        transactions: 0,
        control_sum: Cents::ZERO,
        created_at_ms: now_ms,
    };
    repo::insert_run(tx, &run).await?;
    crate::contracts::apply_due_budget_changes(ctx, tx, change, date)
        .await
        .map_err(|e| match e {
            crate::contracts::ContractError::Store(s) => CollectError::Store(s),
            other => CollectError::BudgetChange(other.to_string()),
        })?;
    let mut after = None;
    let mut counter: u64 = 0;
    let mut participants: u64 = 0;
    let mut total = Cents::ZERO;
    let mut fee_total = Cents::ZERO;
    let mut premium_total = Cents::ZERO;
    loop {
        let page = repo::due_contracts_page(tx, read, date, after, PAGE_CONTRACTS).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.contract);
        let mut contributions = Vec::with_capacity(page.len());
        let mut savings = Vec::new();
        let contract_ids: Vec<_> = page.iter().map(|d| d.contract).collect();
        let mut retries = repo::pending_retries(tx, &contract_ids).await?;
        let mut retried = Vec::new();
        for due in &page {
            counter += 1;
            let e2e = format!("C{}{counter:09}", date_code(date));
            let mut made =
                one_contribution(&terms, due, month_first, run_id, &e2e, ctx.ids.new_uuid())
                    .ok_or(CollectError::Posting(
                        ixorg_domain::ledger::LedgerError::Overflow,
                    ))?;
            add_retries(&mut made, &mut retries, &mut retried).ok_or(CollectError::Posting(
                ixorg_domain::ledger::LedgerError::Overflow,
            ))?;
            for (member, (participant, saving, fee, premium)) in made.lines.iter().enumerate() {
                participants += 1;
                fee_total = add(fee_total, fee.checked_sub(*premium).unwrap_or(Cents::ZERO))?;
                premium_total = add(premium_total, *premium)?;
                let budget = due
                    .members
                    .iter()
                    .find(|m| m.participant == *participant)
                    .map(|m| m.budget)
                    .expect("BUG: every line belongs to a member of the contract");
                if saving.is_positive() {
                    savings.push(saving_transfer(&e2e, member, bank, budget, *saving));
                }
            }
            total = add(total, made.amount)?;
            contributions.push(made);
        }
        repo::insert_contributions(tx, change, &contributions, now_ms).await?;
        repo::mark_retried(tx, &retried).await?;
        post_all(ctx, tx, &savings).await?;
        for due in page.iter().filter(|d| d.amended_from_iban.is_some()) {
            mandates::clear_amendment(tx, &due.mandate, now_ms).await?;
        }
        progress(counter);
    }
    let run_fees = [
        (
            format!("col-{date}-fee"),
            fee_income,
            fee_total,
            "service_fee",
        ),
        (
            format!("col-{date}-premium"),
            premium_payable,
            premium_total,
            "premium",
        ),
    ];
    let fees: Vec<Transfer> = run_fees
        .into_iter()
        .filter(|(_, _, amount, _)| amount.is_positive())
        .map(|(key, credit, amount, kind)| Transfer {
            idempotency_key: key,
            debit: bank,
            credit,
            amount,
            kind: kind.to_owned(),
            reverses: None,
        })
        .collect();
    post_all(ctx, tx, &fees).await?;
    run.transactions = i64::try_from(counter).unwrap_or(i64::MAX);
    run.control_sum = total;
    repo::set_run_totals(tx, run.id, run.transactions, run.control_sum).await?;
    Ok((run, participants))
}

fn add(a: Cents, b: Cents) -> Result<Cents, CollectError> {
    a.checked_add(b).ok_or(CollectError::Posting(
        ixorg_domain::ledger::LedgerError::Overflow,
    ))
}

/// A date as `YYYYMMDD`, for message and end-to-end ids.
pub(crate) fn date_code(date: Date) -> String {
    format!(
        "{:04}{:02}{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

fn one_contribution(
    terms: &ixorg_domain::terms::ProductTerms,
    due: &DueContract,
    month_first: Date,
    run: Uuid,
    e2e: &str,
    id: Uuid,
) -> Option<NewContribution> {
    let history = MandateHistory {
        successful_collections: u32::try_from(due.successful_collections).unwrap_or(u32::MAX),
        first_collection_failed_last: due.last_first_failed,
    };
    let sequence = sequence_type(terms, history, false);
    let mut amount = Cents::ZERO;
    let mut lines = Vec::with_capacity(due.members.len());
    for m in &due.members {
        let c = contribution(terms, m.role, m.date_of_birth, m.annual_budget, month_first);
        amount = amount.checked_add(c.total()?)?;
        lines.push((m.participant, c.saving, c.fee, c.premium));
    }
    Some(NewContribution {
        id,
        run,
        contract: due.contract,
        mandate: due.mandate.clone(),
        end_to_end_id: e2e.to_owned(),
        sequence_type: sequence.as_str(),
        amount,
        amendment_from_iban: due.amended_from_iban.clone(),
        debtor_iban: due.iban.clone(),
        debtor_name: due.account_holder.clone(),
        mandate_signed_on: due.mandate_signed_on,
        lines,
    })
}

/// A missed contribution's line, due again, of a contract.
type Retry = (
    ixorg_domain::ids::ContractId,
    Uuid,
    ixorg_store::collections::ContributionLine,
);

/// Adds the missed contributions that are due again ("retry in the next run") to the new
/// contribution of the same contract, member by member.
fn add_retries(
    made: &mut NewContribution,
    retries: &mut Vec<Retry>,
    retried: &mut Vec<(Uuid, Uuid)>,
) -> Option<()> {
    let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(retries)
        .into_iter()
        .partition(|(c, ..)| *c == made.contract);
    *retries = rest;
    for (_, old, (participant, saving, fee, premium)) in mine {
        let Some(line) = made.lines.iter_mut().find(|l| l.0 == participant) else {
            continue;
        };
        line.1 = line.1.checked_add(saving)?;
        line.2 = line.2.checked_add(fee)?;
        line.3 = line.3.checked_add(premium)?;
        made.amount = made.amount.checked_add(saving)?.checked_add(fee)?;
        if !retried.iter().any(|(o, _)| *o == old) {
            retried.push((old, made.id));
        }
    }
    Some(())
}

/// The saving transfer of one member of a contribution. The key is the end-to-end id (unique
/// across runs: it holds the date) and the member's place in the contribution, which is
/// stable (members are ordered by id); short keys keep the ledger's key index small.
fn saving_transfer(
    e2e: &str,
    member: usize,
    bank: LedgerAccountId,
    budget: LedgerAccountId,
    saving: Cents,
) -> Transfer {
    Transfer {
        idempotency_key: format!("{e2e}.{member}"),
        debit: bank,
        credit: budget,
        amount: saving,
        kind: "contribution".to_owned(),
        reverses: None,
    }
}

/// Posts transfers that must all apply (nothing in them can hit a credit line).
pub(crate) async fn post_all(
    ctx: &AppContext,
    tx: &mut Tx,
    transfers: &[Transfer],
) -> Result<(), CollectError> {
    for chunk in transfers.chunks(crate::ledger::BATCH_TRANSFERS_MAX) {
        let ids: Vec<_> = chunk
            .iter()
            .map(|_| LedgerTransferId::from_uuid(ctx.ids.new_uuid()))
            .collect();
        let outcomes = ledger::post_batch(tx, chunk, &ids, ctx.now_ms()).await?;
        if let Some(Err(e)) = outcomes.into_iter().find(Result::is_err) {
            return Err(CollectError::Posting(e));
        }
    }
    Ok(())
}

fn created_at(run: &CollectionRun) -> PrimitiveDateTime {
    created_at_of(run.created_at_ms)
}

/// A unix-millisecond instant as a file timestamp (UTC, whole seconds).
pub(crate) fn created_at_of(ms: i64) -> PrimitiveDateTime {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let at = at.replace_nanosecond(0).unwrap_or(at);
    PrimitiveDateTime::new(at.date(), at.time())
}

/// Writes the run's pain.008 to a temporary file beside `out`, then renames it into place, so
/// `out` is never half-written.
async fn write_file(
    ctx: &AppContext,
    run: &CollectionRun,
    operator: &OperatorProfile,
    out: &Path,
) -> Result<(), CollectError> {
    let file_err = |e: &dyn std::fmt::Display| CollectError::File(e.to_string());
    let temp = out.with_extension("partial");
    let file = std::fs::File::create(&temp).map_err(|e| file_err(&e))?;
    // A write transaction: the gate's access-log entry is a write.
    let mut tx = ctx.db.begin().await?;
    let financial = vec![DataCategory::Financial];
    let read = crate::access::job_grant(
        ctx,
        &mut tx,
        "collect",
        Purpose::Reimbursement,
        financial,
        Action::Read,
    )
    .await?;
    let totals = repo::run_totals(&mut tx, run.id).await?;
    let header = GroupHeader {
        message_id: run.message_id.clone(),
        created_at: created_at(run),
        initiating_party: operator.legal_name.clone(),
    };
    let count = u64::try_from(run.transactions).unwrap_or(0);
    let mut writer = Pain008Writer::new(
        std::io::BufWriter::new(file),
        &header,
        count,
        run.control_sum,
    )
    .map_err(|e| file_err(&e))?;
    for (sequence, n, sum) in &totals {
        let seq = match sequence.as_str() {
            "FRST" => ixorg_formats::sepa::pain008::SequenceType::Frst,
            "OOFF" => ixorg_formats::sepa::pain008::SequenceType::Ooff,
            "FNAL" => ixorg_formats::sepa::pain008::SequenceType::Fnal,
            _ => ixorg_formats::sepa::pain008::SequenceType::Rcur,
        };
        let batch = DirectDebitBatch {
            payment_info_id: format!("{}-{sequence}", run.message_id),
            sequence: seq,
            collection_date: run.collection_date,
            creditor_name: operator.legal_name.clone(),
            creditor_iban: operator.iban.clone(),
            creditor_bic: operator.bic.clone(),
            creditor_id: operator.creditor_id.clone(),
            batch_booking: true,
        };
        writer
            .begin_payment(&batch, u64::try_from(*n).unwrap_or(0), *sum)
            .map_err(|e| file_err(&e))?;
        let mut after = String::new();
        loop {
            let page =
                repo::file_debits_page(&mut tx, &read, run.id, sequence, &after, PAGE_DEBITS)
                    .await?;
            let Some(last) = page.last() else { break };
            after = last.end_to_end_id.clone();
            for d in &page {
                let debit = DirectDebit {
                    end_to_end_id: d.end_to_end_id.clone(),
                    amount: d.amount,
                    mandate_id: d.mandate.clone(),
                    mandate_signed_on: d.signed_on,
                    amendment: d.amendment_from_iban.clone().map(|iban| MandateAmendment {
                        original_mandate_id: None,
                        original_debtor_iban: Some(iban),
                    }),
                    debtor_name: d.account_holder.clone(),
                    debtor_iban: d.iban.clone(),
                    debtor_bic: None,
                    remittance: format!(
                        "Tandartsbudget {} {}",
                        run.collection_date.month(),
                        run.collection_date.year()
                    ),
                };
                writer.debit(&debit).map_err(|e| file_err(&e))?;
            }
        }
        writer.end_payment().map_err(|e| file_err(&e))?;
    }
    tx.commit().await?;
    let mut inner = writer.finish().map_err(|e| file_err(&e))?;
    inner.flush().map_err(|e| file_err(&e))?;
    drop(inner);
    std::fs::rename(&temp, out).map_err(|e| file_err(&e))?;
    Ok(())
}

impl From<crate::access::AccessError> for CollectError {
    fn from(e: crate::access::AccessError) -> Self {
        match e {
            crate::access::AccessError::Refused(r) => CollectError::Refused(r),
            crate::access::AccessError::Store(s) => CollectError::Store(s),
        }
    }
}
