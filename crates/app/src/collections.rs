//! The monthly collection run: one pain.008 file for every contribution due on a collection
//! date, the ledger postings that go with it, and the same file again when the run exists.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ixorg_domain::Cents;
use ixorg_domain::ids::CollectionRunId;
use ixorg_domain::ids::LedgerAccountId;
use ixorg_domain::ledger::Transfer;
use ixorg_domain::ledger::{OperatorAccount, TransferKind};
use ixorg_domain::privacy::{Action, DataCategory, Purpose};
use ixorg_domain::timestamp::Timestamp;
use ixorg_store::collections::{self as repo, CollectionRun, DueContract, NewContribution};
use ixorg_store::enrollment as mandates;
use ixorg_store::gate::Grant;
use ixorg_store::{Tx, ledger};
use time::Date;

use crate::context::AppContext;
use crate::ledger::{PostAllError, post_all, post_new};
use crate::output::StagedFile;
use contribution::{
    OVERFLOW, add, add_retries, end_to_end_prefix, one_contribution, saving_transfer,
};
use file::{write_file, write_spooled_file};
use spool::{Spooled, Spools};

mod contribution;
mod file;
mod spool;

pub use contribution::end_to_end_range;
// Re-exported for `generate`, which still names them here.
pub(crate) use crate::output::date_code;

/// Contracts read per page while building a run.
const PAGE_CONTRACTS: i64 = 4_000;

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
    BudgetChange(#[source] crate::contracts::ContractError),
    /// Writing the file failed.
    #[error("cannot write the collection file: {0}")]
    File(#[source] crate::ErrorCause),
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
        id: CollectionRunId::from_uuid(ctx.ids.new_uuid()),
        collection_date: date,
        message_id: format!("IXORG-COL-{}", date_code(date)),
        transactions: 0,
        control_sum: Cents::ZERO,
        created_at: ctx.now(),
    };
    let mut builder = RunBuilder::new(ctx, tx, &run, out).await?;
    repo::insert_run(tx, &run).await?;
    crate::contracts::apply_due_budget_changes(ctx, tx, change, date)
        .await
        .map_err(|e| match e {
            crate::contracts::ContractError::Store(s) => CollectError::Store(s),
            other => CollectError::BudgetChange(other),
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
    run: CollectionRunId,
    month_first: Date,
    end_to_end_prefix: String,
    bank: LedgerAccountId,
    fee_income: LedgerAccountId,
    premium_payable: LedgerAccountId,
    now: Timestamp,
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
    fn log(&self, run: CollectionRunId) {
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
            bank: ledger::account_by_code(tx, OperatorAccount::BankReceivable)
                .await?
                .id,
            fee_income: ledger::account_by_code(tx, OperatorAccount::FeeIncome)
                .await?
                .id,
            premium_payable: ledger::account_by_code(tx, OperatorAccount::PremiumPayable)
                .await?
                .id,
            now: run.created_at,
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
        repo::insert_contributions(tx, change, &contributions, self.now).await?;
        repo::mark_retried(tx, &retried).await?;
        let inserted = Instant::now();
        post_new(self.ctx, tx, &savings).await?;
        self.phases.make += made - started;
        self.phases.insert += inserted - made;
        self.phases.post += inserted.elapsed();
        for due in page.iter().filter(|d| d.amended_from_iban.is_some()) {
            mandates::clear_amendment(tx, &due.mandate, self.now).await?;
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
                TransferKind::ServiceFee,
            ),
            (
                format!("col-{date}-premium"),
                self.premium_payable,
                self.premium_total,
                TransferKind::Premium,
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
                kind,
                reverses: None,
            })
            .collect();
        Ok(post_all(self.ctx, tx, &fees).await?)
    }
}

impl From<PostAllError> for CollectError {
    fn from(e: PostAllError) -> Self {
        match e {
            PostAllError::Refused(e) => CollectError::Posting(e),
            PostAllError::Store(e) => CollectError::Store(e),
        }
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
