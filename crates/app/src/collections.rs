//! The monthly collection run: one pain.008 file for every contribution due on a collection
//! date, the ledger postings that go with it, and the same file again when the run exists.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ixorg_domain::Cents;
use ixorg_domain::collection::{MandateHistory, contribution, sequence_type};
use ixorg_domain::ids::{LedgerAccountId, LedgerTransferId};
use ixorg_domain::ledger::Transfer;
use ixorg_domain::privacy::{Action, DataCategory, Purpose};
use ixorg_formats::sepa::GroupHeader;
use ixorg_formats::sepa::pain008::{
    DirectDebit, DirectDebitBatch, MandateAmendment, Pain008DebitSpool, Pain008Writer,
    SequenceType, SpooledDebits,
};
use ixorg_store::collections::{self as repo, CollectionRun, DueContract, NewContribution};
use ixorg_store::enrollment::{self as mandates, OperatorProfile};
use ixorg_store::gate::Grant;
use ixorg_store::{Tx, ledger};
use time::{Date, OffsetDateTime, PrimitiveDateTime};
use uuid::Uuid;

use crate::context::AppContext;
use crate::output::{OutputError, StagedFile};

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
    let staged = StagedFile::create(out)?;
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
    let (run, built) = match repo::run_by_date(&mut tx, date).await? {
        Some(run) => (run, None),
        None => {
            let (run, built) = build_run(ctx, &mut tx, &read, &change, date, out, progress).await?;
            (run, Some(built))
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
    let created = built.is_some();
    let participants = built.as_ref().map_or(0, |b| b.participants);
    let started = Instant::now();
    match built {
        // A new run: its file is written and synced before the run commits (crate::output).
        Some(built) => {
            write_spooled_file(&run, &operator, &staged, out, built.spooled)?;
            let written = Instant::now();
            tx.commit().await?;
            tracing::debug!(
                run.id = %run.id,
                file_ms = (written - started).as_millis(),
                commit_ms = written.elapsed().as_millis(),
                "Collection run's file written and the run committed"
            );
        }
        None => {
            tx.commit().await?;
            write_file(ctx, &run, &operator, &staged).await?;
        }
    }
    staged.publish()?;
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

/// What building a new run left besides the run itself.
struct Built {
    /// Participants whose saving was collected.
    participants: u64,
    /// The run's direct debits, written ahead per sequence type.
    spooled: Spooled,
}

async fn build_run(
    ctx: &AppContext,
    tx: &mut Tx,
    read: &Grant,
    change: &Grant,
    date: Date,
    out: &Path,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(CollectionRun, Built), CollectError> {
    let mut run = CollectionRun {
        id: ctx.ids.new_uuid(),
        collection_date: date,
        message_id: format!("IXORG-COL-{}", date_code(date)),
        transactions: 0,
        control_sum: Cents::ZERO,
        created_at_ms: ctx.now_ms(),
    };
    let mut builder = RunBuilder::new(ctx, tx, &run, out).await?;
    repo::insert_run(tx, &run).await?;
    crate::contracts::apply_due_budget_changes(ctx, tx, change, date)
        .await
        .map_err(|e| match e {
            crate::contracts::ContractError::Store(s) => CollectError::Store(s),
            other => CollectError::BudgetChange(other.to_string()),
        })?;
    let mut after = None;
    loop {
        let started = Instant::now();
        let page = repo::due_contracts_page(tx, read, date, after, PAGE_CONTRACTS).await?;
        builder.phases.read += started.elapsed();
        let Some(last) = page.last() else { break };
        after = Some(last.contract);
        builder.add_page(tx, change, &page).await?;
        progress(builder.counter);
    }
    builder.post_run_totals(tx, date).await?;
    builder.phases.log(run.id);
    run.transactions = i64::try_from(builder.counter).unwrap_or(i64::MAX);
    run.control_sum = builder.total;
    repo::set_run_totals(tx, run.id, run.transactions, run.control_sum).await?;
    let participants = builder.participants;
    let spooled = builder.spools.finish()?;
    Ok((
        run,
        Built {
            participants,
            spooled,
        },
    ))
}

/// A run while its pages are built: the counters, the totals and the spooled file body.
struct RunBuilder<'a> {
    ctx: &'a AppContext,
    terms: ixorg_domain::terms::ProductTerms,
    run: Uuid,
    month_first: Date,
    end_to_end_prefix: String,
    bank: LedgerAccountId,
    fee_income: LedgerAccountId,
    premium_payable: LedgerAccountId,
    now_ms: i64,
    counter: u64,
    participants: u64,
    total: Cents,
    fee_total: Cents,
    premium_total: Cents,
    spools: Spools,
    phases: Phases,
}

/// Where a new run's time went, logged at debug level for performance work.
#[derive(Debug, Default)]
struct Phases {
    /// Reading the due contracts.
    read: Duration,
    /// Making the contributions (with retries) and spooling their debits.
    make: Duration,
    /// Storing the contributions and their lines.
    insert: Duration,
    /// Posting the savings.
    post: Duration,
}

impl Phases {
    fn log(&self, run: Uuid) {
        tracing::debug!(
            run.id = %run,
            read_ms = self.read.as_millis(),
            make_ms = self.make.as_millis(),
            insert_ms = self.insert.as_millis(),
            post_ms = self.post.as_millis(),
            "Collection run built"
        );
    }
}

impl<'a> RunBuilder<'a> {
    async fn new(
        ctx: &'a AppContext,
        tx: &mut Tx,
        run: &CollectionRun,
        out: &Path,
    ) -> Result<RunBuilder<'a>, CollectError> {
        let date = run.collection_date;
        let terms = ctx.terms.resolve(date).map_err(|_| CollectError::NoTerms)?;
        Ok(RunBuilder {
            ctx,
            terms: terms.clone(),
            run: run.id,
            month_first: date.replace_day(1).map_err(|_| CollectError::NoTerms)?,
            end_to_end_prefix: end_to_end_prefix(date),
            bank: ledger::account_by_code(tx, "bank_receivable").await?.id,
            fee_income: ledger::account_by_code(tx, "fee_income").await?.id,
            premium_payable: ledger::account_by_code(tx, "premium_payable").await?.id,
            now_ms: run.created_at_ms,
            counter: 0,
            participants: 0,
            total: Cents::ZERO,
            fee_total: Cents::ZERO,
            premium_total: Cents::ZERO,
            spools: Spools::new(out, date),
            phases: Phases::default(),
        })
    }

    /// Makes the contributions of one page of due contracts: stores them with their lines,
    /// spools their direct debits, posts the members' savings and clears carried amendments.
    async fn add_page(
        &mut self,
        tx: &mut Tx,
        change: &Grant,
        page: &[DueContract],
    ) -> Result<(), CollectError> {
        let started = Instant::now();
        let (Some(first), Some(last)) = (page.first(), page.last()) else {
            return Ok(());
        };
        let mut retries = repo::pending_retries(tx, first.contract, last.contract).await?;
        let mut retried = Vec::new();
        let mut contributions = Vec::with_capacity(page.len());
        let mut savings = Vec::with_capacity(page.len() * 3);
        for (due, id) in page.iter().zip(self.ctx.ids.new_uuids(page.len())) {
            self.counter += 1;
            let e2e = format!("{}{:09}", self.end_to_end_prefix, self.counter);
            let mut made = one_contribution(&self.terms, due, self.month_first, self.run, &e2e, id)
                .ok_or(OVERFLOW)?;
            add_retries(&mut made, &mut retries, &mut retried).ok_or(OVERFLOW)?;
            self.add_lines(due, &made, &mut savings)?;
            self.spools.add(&made)?;
            contributions.push(made);
        }
        let made = Instant::now();
        repo::insert_contributions(tx, change, &contributions, self.now_ms).await?;
        repo::mark_retried(tx, &retried).await?;
        let inserted = Instant::now();
        post_new(self.ctx, tx, &savings).await?;
        self.phases.make += made - started;
        self.phases.insert += inserted - made;
        self.phases.post += inserted.elapsed();
        for due in page.iter().filter(|d| d.amended_from_iban.is_some()) {
            mandates::clear_amendment(tx, &due.mandate, self.now_ms).await?;
        }
        Ok(())
    }

    /// Adds a contribution's lines to the run's totals and its savings to `savings`.
    fn add_lines(
        &mut self,
        due: &DueContract,
        made: &NewContribution,
        savings: &mut Vec<Transfer>,
    ) -> Result<(), CollectError> {
        for (member, (participant, saving, fee, premium)) in made.lines.iter().enumerate() {
            self.participants += 1;
            let fee_only = fee.checked_sub(*premium).unwrap_or(Cents::ZERO);
            self.fee_total = add(self.fee_total, fee_only)?;
            self.premium_total = add(self.premium_total, *premium)?;
            let budget = due
                .members
                .iter()
                .find(|m| m.participant == *participant)
                .map(|m| m.budget)
                .expect("BUG: every line belongs to a member of the contract");
            if saving.is_positive() {
                let e2e = &made.end_to_end_id;
                savings.push(saving_transfer(e2e, member, self.bank, budget, *saving));
            }
        }
        self.total = add(self.total, made.amount)?;
        Ok(())
    }

    /// Posts the run's fee and premium totals.
    async fn post_run_totals(&self, tx: &mut Tx, date: Date) -> Result<(), CollectError> {
        let run_fees = [
            (
                format!("col-{date}-fee"),
                self.fee_income,
                self.fee_total,
                "service_fee",
            ),
            (
                format!("col-{date}-premium"),
                self.premium_payable,
                self.premium_total,
                "premium",
            ),
        ];
        let fees: Vec<Transfer> = run_fees
            .into_iter()
            .filter(|(_, _, amount, _)| amount.is_positive())
            .map(|(key, credit, amount, kind)| Transfer {
                idempotency_key: key,
                debit: self.bank,
                credit,
                amount,
                kind: kind.to_owned(),
                reverses: None,
            })
            .collect();
        post_all(self.ctx, tx, &fees).await
    }
}

/// The error of a sum that leaves the range of cents.
const OVERFLOW: CollectError = CollectError::Posting(ixorg_domain::ledger::LedgerError::Overflow);

/// The prefix of every end-to-end id of the run on `date`: `C` and the date, followed in each
/// id by a nine-digit counter in contract order.
fn end_to_end_prefix(date: Date) -> String {
    format!("C{}", date_code(date))
}

/// Bounds that enclose every end-to-end id of the run on `date`: its prefix, which sorts
/// before each id, and the prefix with `~`, which sorts after (the ids go on in digits).
pub(crate) fn end_to_end_range(date: Date) -> (String, String) {
    let prefix = end_to_end_prefix(date);
    let before = format!("{prefix}~");
    (prefix, before)
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

/// Posts a new run's savings, whose keys are new by construction: they hold the run's
/// end-to-end ids, and the run did not exist. The ledger's unique key index still guards
/// against posting twice.
async fn post_new(
    ctx: &AppContext,
    tx: &mut Tx,
    transfers: &[Transfer],
) -> Result<(), CollectError> {
    let ids: Vec<_> = (ctx.ids.new_uuids(transfers.len()).into_iter())
        .map(LedgerTransferId::from_uuid)
        .collect();
    ledger::post_new_batch(tx, transfers, &ids, ctx.now_ms())
        .await
        .map_err(|e| match e {
            ixorg_store::Error::Ledger(e) => CollectError::Posting(e),
            other => CollectError::Store(other),
        })
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

/// Writes an existing run's pain.008, read back from its contributions, into the staged file
/// and syncs it; the caller renames it into place, so the output is never half-written.
async fn write_file(
    ctx: &AppContext,
    run: &CollectionRun,
    operator: &OperatorProfile,
    staged: &StagedFile,
) -> Result<(), CollectError> {
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
    let mut writer = file_writer(staged, run, operator)?;
    let remittance = remittance(run.collection_date);
    let (first, before) = end_to_end_range(run.collection_date);
    for (sequence, n, sum) in &totals {
        let block = payment_block(run, operator, sequence);
        let n = u64::try_from(*n).unwrap_or(0);
        writer
            .begin_payment(&block, n, *sum)
            .map_err(|e| file_err(&e))?;
        let mut after = first.clone();
        loop {
            let page = repo::file_debits_page(
                &mut tx,
                &read,
                run.id,
                sequence,
                (&after, &before),
                PAGE_DEBITS,
            )
            .await?;
            let Some(last) = page.last() else { break };
            after = last.end_to_end_id.clone();
            for d in page {
                let debit = DirectDebit {
                    end_to_end_id: d.end_to_end_id,
                    amount: d.amount,
                    mandate_id: d.mandate,
                    mandate_signed_on: d.signed_on,
                    amendment: d.amendment_from_iban.map(amendment),
                    debtor_name: d.account_holder,
                    debtor_iban: d.iban,
                    debtor_bic: None,
                    remittance: remittance.clone(),
                };
                writer.debit(&debit).map_err(|e| file_err(&e))?;
            }
        }
        writer.end_payment().map_err(|e| file_err(&e))?;
    }
    tx.commit().await?;
    finish_file(writer, staged)
}

/// Writes a new run's pain.008 from its spooled direct debits (beside `out`) into the staged
/// file and syncs it. The bytes are those [`write_file`] writes for the run.
fn write_spooled_file(
    run: &CollectionRun,
    operator: &OperatorProfile,
    staged: &StagedFile,
    out: &Path,
    spooled: Spooled,
) -> Result<(), CollectError> {
    let mut writer = file_writer(staged, run, operator)?;
    for (sequence, written) in &spooled.blocks {
        let block = payment_block(run, operator, sequence);
        writer
            .begin_payment(&block, written.count(), written.sum())
            .map_err(|e| file_err(&e))?;
        let mut bytes = std::fs::File::open(spool_path(out, sequence)).map_err(|e| file_err(&e))?;
        writer
            .append_spooled(*written, &mut bytes)
            .map_err(|e| file_err(&e))?;
        writer.end_payment().map_err(|e| file_err(&e))?;
    }
    finish_file(writer, staged)?;
    drop(spooled);
    Ok(())
}

fn file_err(e: &dyn std::fmt::Display) -> CollectError {
    CollectError::File(e.to_string())
}

/// A pain.008 writer for `run` into the staged file, with the group header written.
fn file_writer(
    staged: &StagedFile,
    run: &CollectionRun,
    operator: &OperatorProfile,
) -> Result<Pain008Writer<std::io::BufWriter<std::fs::File>>, CollectError> {
    let header = GroupHeader {
        message_id: run.message_id.clone(),
        created_at: created_at(run),
        initiating_party: operator.legal_name.clone(),
    };
    let count = u64::try_from(run.transactions).unwrap_or(0);
    Pain008Writer::new(staged.writer()?, &header, count, run.control_sum).map_err(|e| file_err(&e))
}

/// Ends the document, flushes it and syncs the staged file (renamed after the commit).
fn finish_file(
    writer: Pain008Writer<std::io::BufWriter<std::fs::File>>,
    staged: &StagedFile,
) -> Result<(), CollectError> {
    let mut inner = writer.finish().map_err(|e| file_err(&e))?;
    inner.flush().map_err(|e| file_err(&e))?;
    drop(inner);
    Ok(staged.sync()?)
}

impl From<OutputError> for CollectError {
    fn from(e: OutputError) -> Self {
        CollectError::File(e.to_string())
    }
}

/// The payment information block of one sequence type (`FRST`, `RCUR`, …) of `run`.
fn payment_block(
    run: &CollectionRun,
    operator: &OperatorProfile,
    sequence: &str,
) -> DirectDebitBatch {
    let seq = match sequence {
        "FRST" => SequenceType::Frst,
        "OOFF" => SequenceType::Ooff,
        "FNAL" => SequenceType::Fnal,
        _ => SequenceType::Rcur,
    };
    DirectDebitBatch {
        payment_info_id: format!("{}-{sequence}", run.message_id),
        sequence: seq,
        collection_date: run.collection_date,
        creditor_name: operator.legal_name.clone(),
        creditor_iban: operator.iban.clone(),
        creditor_bic: operator.bic.clone(),
        creditor_id: operator.creditor_id.clone(),
        batch_booking: true,
    }
}

/// The text on the debtor's statement for a run on `date`.
fn remittance(date: Date) -> String {
    format!("Tandartsbudget {} {}", date.month(), date.year())
}

/// A debit's amendment: the debtor's previous IBAN.
fn amendment(iban: ixorg_domain::identifiers::Iban) -> MandateAmendment {
    MandateAmendment {
        original_mandate_id: None,
        original_debtor_iban: Some(iban),
    }
}

/// Bytes buffered per spool file.
const SPOOL_BUFFER_BYTES: usize = 64 * 1024;

/// Where the direct debits of one sequence type are spooled while a run for `out` is built.
fn spool_path(out: &Path, sequence: &str) -> PathBuf {
    out.with_extension(format!("{sequence}.partial"))
}

/// A new run's direct debits, written ahead into one spool file per sequence type (beside the
/// output file) while the run is built, so that the file is put together at the end without
/// reading the run back from the database.
struct Spools {
    out: PathBuf,
    remittance: String,
    open: BTreeMap<&'static str, Pain008DebitSpool<std::io::BufWriter<std::fs::File>>>,
    files: SpoolFiles,
}

/// The spooled debits per sequence type, in file order (the order of the codes), and the
/// files that hold them.
struct Spooled {
    blocks: Vec<(&'static str, SpooledDebits)>,
    #[expect(dead_code, reason = "held only to remove the files when dropped")]
    files: SpoolFiles,
}

/// Spool files, removed when dropped: after the file is written, or when the run fails.
#[derive(Default)]
struct SpoolFiles(Vec<PathBuf>);

impl Drop for SpoolFiles {
    fn drop(&mut self) {
        for path in &self.0 {
            // A leftover spool file is harmless: the next run for the same output replaces it.
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Spools {
    fn new(out: &Path, date: Date) -> Spools {
        Spools {
            out: out.to_owned(),
            remittance: remittance(date),
            open: BTreeMap::new(),
            files: SpoolFiles::default(),
        }
    }

    /// Spools the direct debit of a contribution.
    fn add(&mut self, c: &NewContribution) -> Result<(), CollectError> {
        let spool = match self.open.entry(c.sequence_type) {
            Entry::Occupied(open) => open.into_mut(),
            Entry::Vacant(new) => {
                let path = spool_path(&self.out, c.sequence_type);
                let file = std::fs::File::create(&path).map_err(|e| file_err(&e))?;
                self.files.0.push(path);
                let buffered = std::io::BufWriter::with_capacity(SPOOL_BUFFER_BYTES, file);
                new.insert(Pain008DebitSpool::new(buffered))
            }
        };
        let debit = DirectDebit {
            end_to_end_id: c.end_to_end_id.clone(),
            amount: c.amount,
            mandate_id: c.mandate.clone(),
            mandate_signed_on: c.mandate_signed_on,
            amendment: c.amendment_from_iban.clone().map(amendment),
            debtor_name: c.debtor_name.clone(),
            debtor_iban: c.debtor_iban.clone(),
            debtor_bic: None,
            remittance: self.remittance.clone(),
        };
        spool.debit(&debit).map_err(|e| file_err(&e))
    }

    /// Flushes every spool.
    fn finish(self) -> Result<Spooled, CollectError> {
        let mut blocks = Vec::with_capacity(self.open.len());
        for (sequence, spool) in self.open {
            let (_, written) = spool.finish().map_err(|e| file_err(&e))?;
            blocks.push((sequence, written));
        }
        Ok(Spooled {
            blocks,
            files: self.files,
        })
    }
}

impl From<crate::access::AccessError> for CollectError {
    fn from(e: crate::access::AccessError) -> Self {
        match e {
            crate::access::AccessError::Refused(r) => CollectError::Refused(r),
            crate::access::AccessError::Store(s) => CollectError::Store(s),
        }
    }
}
