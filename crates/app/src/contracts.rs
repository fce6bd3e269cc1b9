//! The end of a contract (notice, end date, final settlement) and the yearly check-up rule.

use std::path::Path;

use ixorg_domain::Cents;
use ixorg_domain::ids::{ContractId, LedgerAccountId};
use ixorg_domain::ledger::Transfer;
use ixorg_domain::ledger::{OperatorAccount, TransferKind};
use ixorg_domain::privacy::{Action, DataCategory, Purpose, Refusal};
use ixorg_domain::termination::{Settlement, end_date};
use ixorg_domain::terms::age_on;
use ixorg_domain::timestamp::Timestamp;
use ixorg_domain::yearend::checkup_deduction;
use ixorg_formats::sepa::GroupHeader;
use ixorg_store::contracts as repo;
use ixorg_store::gate::Grant;
use ixorg_store::{Tx, ledger};
use time::Date;

use crate::context::AppContext;
use crate::ledger::{PostAllError, post_all};
use crate::output::{OutputError, StagedFile, created_at_of, date_code};

mod settlement_files;

use settlement_files::{SettlementFile, write_final_debits, write_payouts};

/// Why a contract change could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    /// No contract with that participant number.
    #[error("no contract has a participant with that number")]
    NotFound,
    /// The contract has no active mandate, or the IBAN is the one it has.
    #[error("the contract has no active mandate, or it already collects from that IBAN")]
    NoActiveMandate,
    /// Notice was given before, or the contract ended.
    #[error("notice was given before, or the contract has ended")]
    AlreadyGiven,
    /// No product terms.
    #[error("no product terms are in force on that date")]
    NoTerms,
    /// The gate refused.
    #[error("access refused: {0}")]
    Refused(Refusal),
    /// The operator profile is missing.
    #[error("the operator's bank details are not set: run `ixorg operator set` first")]
    NoOperatorProfile,
    /// The tariffs do not cover the year.
    #[error("no tariff for the check-up in that year: {0}")]
    Tariff(#[source] ixorg_domain::yearend::YearEndError),
    /// Writing a file failed.
    #[error("cannot write {0}")]
    File(#[source] OutputError),
    /// Posting failed.
    #[error(transparent)]
    Posting(#[from] PostAllError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] ixorg_store::Error),
}

impl From<OutputError> for ContractError {
    fn from(e: OutputError) -> Self {
        ContractError::File(e)
    }
}

async fn grant(
    ctx: &AppContext,
    tx: &mut Tx,
    job: &str,
    categories: Vec<DataCategory>,
    action: Action,
) -> Result<Grant, ContractError> {
    let purpose = Purpose::ServiceDelivery;
    Ok(crate::access::job_grant(ctx, tx, job, purpose, categories, action).await?)
}

/// Records notice for the contract of `participant_number`, given on `notice_given_on`, and
/// returns the end date: the last day of the month in which the notice period ends.
pub async fn give_notice(
    ctx: &AppContext,
    participant_number: &str,
    notice_given_on: Date,
) -> Result<(ContractId, Date), ContractError> {
    let terms = ctx
        .terms
        .resolve(notice_given_on)
        .map_err(|_| ContractError::NoTerms)?;
    let end = end_date(terms, notice_given_on);
    let mut tx = ctx.db.begin().await?;
    let contract = repo::contract_of_number(&mut tx, participant_number)
        .await?
        .ok_or(ContractError::NotFound)?;
    let change = grant(
        ctx,
        &mut tx,
        "termination",
        vec![DataCategory::Financial],
        Action::Change,
    )
    .await?;
    if !repo::give_notice(&mut tx, &change, contract, notice_given_on, end, ctx.now()).await? {
        return Err(ContractError::AlreadyGiven);
    }
    tx.commit().await?;
    tracing::info!(contract.id = %contract, %end, "Notice recorded");
    Ok((contract, end))
}

/// What a settlement run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SettleReport {
    /// Contracts paid out (pain.001).
    pub paid_out: u64,
    /// Contracts collected in a final debit (pain.008).
    pub collected: u64,
    /// Contracts that ended at zero.
    pub even: u64,
    /// Sum paid out.
    pub paid_out_sum: Cents,
    /// Sum to collect.
    pub collected_sum: Cents,
}

impl SettleReport {
    /// Whether a payouts file was written.
    pub fn payouts_written(&self) -> bool {
        self.paid_out > 0
    }

    /// Whether a final-debits file was written.
    pub fn collections_written(&self) -> bool {
        self.collected > 0
    }
}

/// Settles every contract that ended before `date`: a positive balance is paid out to the
/// payer (`payouts`, pain.001.001.03), a negative one collected in one final direct debit
/// (`collections`, pain.008.001.02, requested for `date`), and the contract and mandate end.
/// All in one transaction; both files are staged before any work, written before it commits,
/// and renamed into place only after it did ([`crate::output`]); a side with nothing to pay or
/// collect writes no file.
pub async fn settle(
    ctx: &AppContext,
    date: Date,
    payouts: &Path,
    collections: &Path,
) -> Result<SettleReport, ContractError> {
    let payouts = StagedFile::create(payouts)?;
    let collections = StagedFile::create(collections)?;
    let mut tx = ctx.db.begin().await?;
    let operator = ixorg_store::enrollment::operator_profile(&mut tx)
        .await?
        .ok_or(ContractError::NoOperatorProfile)?;
    let read = grant(
        ctx,
        &mut tx,
        "settlement",
        vec![DataCategory::Financial],
        Action::Read,
    )
    .await?;
    let contracts = repo::to_settle(&mut tx, &read, date).await?;
    let bank = ledger::account_by_code(&mut tx, OperatorAccount::OperatorBank)
        .await?
        .id;
    let receivable = ledger::account_by_code(&mut tx, OperatorAccount::BankReceivable)
        .await?
        .id;
    let mut report = SettleReport::default();
    let mut transfers = Vec::new();
    let mut outgoing = Vec::new();
    let mut incoming = Vec::new();
    for (i, c) in contracts.iter().enumerate() {
        let net = c
            .budgets
            .iter()
            .try_fold(Cents::ZERO, |sum, (_, b)| sum.checked_add(*b))
            .ok_or(PostAllError::Refused(
                ixorg_domain::ledger::LedgerError::Overflow,
            ))?;
        let e2e = format!("S{}{:09}", date_code(date), i + 1);
        for (budget, balance) in &c.budgets {
            transfers.extend(zero_budget(c.contract, *budget, *balance, bank, receivable));
        }
        let (direction, e2e) = match Settlement::from_balance(net) {
            Some(Settlement::PayOut(amount)) => {
                report.paid_out += 1;
                report.paid_out_sum = report
                    .paid_out_sum
                    .checked_add(amount)
                    .unwrap_or(report.paid_out_sum);
                outgoing.push((c, amount, e2e.clone()));
                ("payout", Some(e2e))
            }
            Some(Settlement::Collect(amount)) => {
                report.collected += 1;
                report.collected_sum = report
                    .collected_sum
                    .checked_add(amount)
                    .unwrap_or(report.collected_sum);
                incoming.push((c, amount, e2e.clone()));
                ("collect", Some(e2e))
            }
            _ => {
                report.even += 1;
                ("none", None)
            }
        };
        repo::settle(
            &mut tx,
            c.contract,
            c.end_date,
            direction,
            net.abs().unwrap_or(Cents::ZERO),
            e2e.as_deref(),
            ctx.now(),
        )
        .await?;
    }
    post_all(ctx, &mut tx, &transfers).await?;
    let header = |kind: &str| GroupHeader {
        message_id: format!("IXORG-{kind}-{}", date_code(date)),
        created_at: created_at_of(ctx.now()),
        initiating_party: operator.legal_name.clone(),
    };
    // A SEPA file holds at least one transaction: an empty side writes no file.
    let mut written = Vec::new();
    if !outgoing.is_empty() {
        write_payouts(&SettlementFile {
            staged: &payouts,
            header: header("SET"),
            operator: &operator,
            date,
            items: &outgoing,
            sum: report.paid_out_sum,
        })?;
        written.push(payouts);
    }
    if !incoming.is_empty() {
        write_final_debits(&SettlementFile {
            staged: &collections,
            header: header("FIN"),
            operator: &operator,
            date,
            items: &incoming,
            sum: report.collected_sum,
        })?;
        written.push(collections);
    }
    tx.commit().await?;
    for staged in written {
        staged.publish()?;
    }
    tracing::info!(
        paid_out = report.paid_out,
        collected = report.collected,
        "Settlement run"
    );
    Ok(report)
}

/// The transfers that bring one budget to zero at the end of the contract.
fn zero_budget(
    contract: ContractId,
    budget: LedgerAccountId,
    balance: Cents,
    bank: LedgerAccountId,
    receivable: LedgerAccountId,
) -> Option<Transfer> {
    let key = format!(
        "settle-{}-{}",
        contract.uuid().simple(),
        budget.uuid().simple()
    );
    if balance.is_positive() {
        Some(Transfer {
            idempotency_key: key,
            debit: budget,
            credit: bank,
            amount: balance,
            kind: TransferKind::SettlementPayout,
            reverses: None,
        })
    } else if balance.is_negative() {
        Some(Transfer {
            idempotency_key: key,
            debit: receivable,
            credit: budget,
            amount: balance.abs()?,
            kind: TransferKind::SettlementCollection,
            reverses: None,
        })
    } else {
        None
    }
}

/// What the year-end run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct YearEndReport {
    /// Participants looked at.
    pub checked: u64,
    /// Deductions made.
    pub deducted: u64,
    /// Their sum.
    pub sum: Cents,
}

/// Applies the yearly check-up rule for `year`: each adult participant without a declared
/// check-up (the terms' code, C002) that year has the code's maximum tariff of that year
/// deducted from the budget, with the reason recorded for them to see. What the budget cannot
/// carry within its credit line becomes a debt of the participant. Running it twice deducts
/// once.
pub async fn yearend(ctx: &AppContext, year: i32) -> Result<YearEndReport, ContractError> {
    let first = Date::from_calendar_date(year, time::Month::January, 1)
        .map_err(|_| ContractError::NoTerms)?;
    let last = Date::from_calendar_date(year, time::Month::December, 31)
        .map_err(|_| ContractError::NoTerms)?;
    let terms = ctx
        .terms
        .resolve(last)
        .map_err(|_| ContractError::NoTerms)?
        .clone();
    let mut tx = ctx.db.begin().await?;
    let tariffs = ixorg_store::reference::tariff_table(&mut tx).await?;
    let read = grant(
        ctx,
        &mut tx,
        "yearend",
        vec![DataCategory::Identity, DataCategory::Financial],
        Action::Read,
    )
    .await?;
    grant(
        ctx,
        &mut tx,
        "yearend",
        vec![DataCategory::Financial],
        Action::Change,
    )
    .await?;
    let candidates = repo::yearend_candidates(&mut tx, &read, first, last, year).await?;
    let fees = ledger::account_by_code(&mut tx, OperatorAccount::FeeIncome)
        .await?
        .id;
    let mut report = YearEndReport::default();
    let reason = format!(
        "Geen periodieke controle ({}) gedeclareerd in {year}: de standaardprijs is van het \
         budget afgeschreven.",
        terms.yearly_checkup_code
    );
    for c in candidates {
        report.checked += 1;
        // FUTURE(#5): declarations arrive with issue 5; until then no check-up is on record.
        let had_checkup = false;
        let age = age_on(c.date_of_birth, last);
        let amount = checkup_deduction(&terms, &tariffs, year, age, had_checkup, true)
            .map_err(ContractError::Tariff)?;
        let Some(amount) = amount else { continue };
        let account = ledger::account(&mut tx, c.budget).await?;
        let room = account
            .balance
            .checked_add(account.credit_line)
            .unwrap_or(Cents::ZERO)
            .max(Cents::ZERO);
        let from_budget = amount.min(room);
        let short = amount.checked_sub(from_budget).unwrap_or(Cents::ZERO);
        let key = format!("yearend-{year}-{}", c.participant.uuid().simple());
        let mut transfers = Vec::new();
        if from_budget.is_positive() {
            transfers.push(Transfer {
                idempotency_key: key.clone(),
                debit: c.budget,
                credit: fees,
                amount: from_budget,
                kind: TransferKind::CheckupDeduction,
                reverses: None,
            });
        }
        if short.is_positive() {
            let debt = crate::ledger::own_payment_account(ctx, &mut tx, c.participant).await?;
            transfers.push(Transfer {
                idempotency_key: format!("{key}-debt"),
                debit: debt,
                credit: fees,
                amount: short,
                kind: TransferKind::CheckupDeduction,
                reverses: None,
            });
        }
        post_all(ctx, &mut tx, &transfers).await?;
        repo::insert_yearend_deduction(&mut tx, c.participant, year, amount, &reason, ctx.now())
            .await?;
        report.deducted += 1;
        report.sum = report.sum.checked_add(amount).unwrap_or(report.sum);
    }
    tx.commit().await?;
    tracing::info!(
        year,
        deducted = report.deducted,
        "Year-end check-up rule applied"
    );
    Ok(report)
}

/// Changes the IBAN the contract's contributions are collected from. The next collection
/// carries the mandate amendment (the original IBAN) to the bank. (A participant's own request
/// for this goes through a staff decision with a second approval: issue 6.)
pub async fn change_iban(
    ctx: &AppContext,
    participant_number: &str,
    iban: &ixorg_domain::identifiers::Iban,
    account_holder: &str,
) -> Result<ContractId, ContractError> {
    let mut tx = ctx.db.begin().await?;
    let contract = repo::contract_of_number(&mut tx, participant_number)
        .await?
        .ok_or(ContractError::NotFound)?;
    let change = grant(
        ctx,
        &mut tx,
        "iban-change",
        vec![DataCategory::Financial],
        Action::Change,
    )
    .await?;
    let changed = ixorg_store::enrollment::change_mandate_iban(
        &mut tx,
        &change,
        contract,
        iban,
        account_holder,
        ctx.now(),
    )
    .await?;
    if !changed {
        return Err(ContractError::NoActiveMandate);
    }
    tx.commit().await?;
    tracing::info!(contract.id = %contract, "Mandate IBAN changed; amendment pending");
    Ok(contract)
}

/// Why a budget change was not made.
#[derive(Debug, thiserror::Error)]
pub enum BudgetChangeError {
    /// No participant with that number.
    #[error("no participant has that number")]
    NotFound,
    /// The product rule refused it.
    #[error("the change is not allowed: {0}")]
    Refused(ixorg_domain::enrollment::BudgetChangeRefusal),
    /// Anything else.
    #[error(transparent)]
    Contract(#[from] ContractError),
}

impl From<ixorg_store::Error> for BudgetChangeError {
    fn from(e: ixorg_store::Error) -> Self {
        BudgetChangeError::Contract(ContractError::Store(e))
    }
}

/// Changes a participant's annual budget by the product rule (`PRODUCT.md`: once per year for
/// the next year, or any time upwards). Returns the change: applied at once when it is already
/// effective, otherwise pending until its date (the collection run applies it).
pub async fn change_annual_budget(
    ctx: &AppContext,
    participant_number: &str,
    requested: Cents,
) -> Result<ixorg_domain::enrollment::BudgetChange, BudgetChangeError> {
    let today = ctx.clock.today();
    let terms = ctx
        .terms
        .resolve(today)
        .map_err(|_| ContractError::NoTerms)?
        .clone();
    let mut tx = ctx.db.begin().await?;
    let read = grant(
        ctx,
        &mut tx,
        "budget-change",
        vec![DataCategory::Financial],
        Action::Read,
    )
    .await?;
    let change_grant = grant(
        ctx,
        &mut tx,
        "budget-change",
        vec![DataCategory::Financial],
        Action::Change,
    )
    .await?;
    let (participant, current, budget) = repo::budget_of_number(&mut tx, &read, participant_number)
        .await?
        .ok_or(BudgetChangeError::NotFound)?;
    let year_start = Date::from_calendar_date(today.year(), time::Month::January, 1)
        .map_err(|_| ContractError::NoTerms)?;
    let done =
        repo::yearly_budget_changes_since(&mut tx, participant, Timestamp::midnight_of(year_start))
            .await?;
    let changes = u8::try_from(done).unwrap_or(u8::MAX);
    let change =
        ixorg_domain::enrollment::check_budget_change(&terms, current, requested, changes, today)
            .map_err(BudgetChangeError::Refused)?;
    let upward_any_time = requested > current && terms.budget_change_upward_any_time;
    let row = repo::BudgetChangeRow {
        id: ctx.ids.new_uuid(),
        participant,
        effective_from: change.effective_from,
        old_annual: current,
        new_annual: change.new_annual,
        counts_as_yearly_change: !upward_any_time,
    };
    let now = ctx.now();
    let effective = change.effective_from <= today;
    repo::insert_budget_change(&mut tx, &row, false, now).await?;
    if effective {
        apply_one_change(ctx, &mut tx, &change_grant, &row, budget).await?;
    }
    tx.commit().await?;
    tracing::info!(participant.id = %participant, effective, "Annual budget change recorded");
    Ok(change)
}

/// Applies the pending budget changes due on `date` (called by the collection run, so the run
/// collects the new saving amount and the credit line follows).
pub(crate) async fn apply_due_budget_changes(
    ctx: &AppContext,
    tx: &mut Tx,
    change_grant: &Grant,
    date: Date,
) -> Result<u64, ContractError> {
    let due = repo::due_budget_changes(tx, date).await?;
    let mut applied = 0;
    for change in &due {
        let budget = ledger::account_of(
            tx,
            change.participant,
            ixorg_domain::ledger::AccountKind::Budget,
        )
        .await?
        .ok_or(ContractError::NotFound)?;
        apply_one_change(ctx, tx, change_grant, change, budget.id).await?;
        applied += 1;
    }
    Ok(applied)
}

async fn apply_one_change(
    ctx: &AppContext,
    tx: &mut Tx,
    change_grant: &Grant,
    change: &repo::BudgetChangeRow,
    budget: LedgerAccountId,
) -> Result<(), ContractError> {
    let terms = ctx
        .terms
        .resolve(change.effective_from)
        .map_err(|_| ContractError::NoTerms)?;
    repo::apply_budget_change(tx, change_grant, change, ctx.now()).await?;
    let account = ledger::account(tx, budget).await?;
    // The new credit line, but never below what is already used of it.
    let used = Cents::new((-account.balance.get()).max(0));
    let line = terms.credit_line(change.new_annual).max(used);
    ledger::set_credit_line(tx, budget, line, ctx.now()).await?;
    Ok(())
}

impl From<crate::access::AccessError> for ContractError {
    fn from(e: crate::access::AccessError) -> Self {
        match e {
            crate::access::AccessError::Refused(r) => ContractError::Refused(r),
            crate::access::AccessError::Store(s) => ContractError::Store(s),
        }
    }
}
