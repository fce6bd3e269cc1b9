//! Contract life: notice and end date, final settlement, year-end deductions.

use ixorg_domain::Cents;
use ixorg_domain::identifiers::{Iban, MandateId};
use ixorg_domain::ids::{ContractId, LedgerAccountId, ParticipantId};
use ixorg_domain::privacy::{Action, DataCategory};
use ixorg_domain::terms::HouseholdRole;
use ixorg_domain::timestamp::Timestamp;
use time::Date;
use uuid::Uuid;

use crate::error::corrupt;
use crate::gate::Grant;
use crate::{Error, Tx, on_tx};

/// Records the notice and the end date of a contract. Returns false when the contract does not
/// exist or has notice already.
pub async fn give_notice(
    tx: &mut Tx,
    grant: &Grant,
    contract: ContractId,
    notice_given_on: Date,
    end_date: Date,
    now: Timestamp,
) -> Result<bool, Error> {
    const SQL: &str = "UPDATE contract SET notice_given_on = $1, end_date = $2, updated_at_ms = $3 \
         WHERE contract_id = $4 AND notice_given_on IS NULL AND contract_status = 'active'";
    grant.require(None, &[DataCategory::Financial], Action::Change)?;
    let n = on_tx!(tx, c => sqlx::query(SQL)
        .bind(notice_given_on)
        .bind(end_date)
        .bind(now.unix_ms())
        .bind(contract.uuid())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The contract of a participant number.
pub async fn contract_of_number(tx: &mut Tx, number: &str) -> Result<Option<ContractId>, Error> {
    const SQL: &str = "SELECT contract_id FROM participant WHERE participant_number = $1";
    let id: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(SQL)
        .bind(number)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(id.map(ContractId::from_uuid))
}

/// A contract whose end date has passed and which is not settled yet.
#[derive(Clone, PartialEq, Eq)]
pub struct ToSettle {
    /// The contract.
    pub contract: ContractId,
    /// Its end date.
    pub end_date: Date,
    /// Its mandate (for a final debit).
    pub mandate: MandateId,
    /// Mandate signature date.
    pub mandate_signed_on: Date,
    /// Settled collections on the mandate.
    pub successful_collections: i64,
    /// The payer's IBAN.
    pub iban: Iban,
    /// The payer's name.
    pub account_holder: String,
    /// Each member's budget account and balance.
    pub budgets: Vec<(LedgerAccountId, Cents)>,
}

impl std::fmt::Debug for ToSettle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToSettle")
            .field("contract", &self.contract)
            .finish_non_exhaustive()
    }
}

#[derive(sqlx::FromRow)]
struct SettleRow {
    contract_id: Uuid,
    end_date: Date,
    mandate_id: String,
    signed_on: Date,
    successful_collections: i64,
    iban: String,
    account_holder: String,
    ledger_account_id: Uuid,
    balance_cents: i64,
}

/// Contracts ended before `date` without a settlement, with their budgets.
pub async fn to_settle(tx: &mut Tx, grant: &Grant, date: Date) -> Result<Vec<ToSettle>, Error> {
    const SQL: &str = "SELECT c.contract_id, c.end_date, m.mandate_id, m.signed_on, \
         m.successful_collections, m.iban, m.account_holder, a.ledger_account_id, \
         a.balance_cents FROM contract c \
         JOIN mandate m ON m.contract_id = c.contract_id \
         JOIN participant p ON p.contract_id = c.contract_id \
         JOIN ledger_account a ON a.participant_id = p.participant_id \
         AND a.account_kind = 'budget' \
         LEFT JOIN settlement s ON s.contract_id = c.contract_id \
         WHERE c.end_date < $1 AND c.contract_status = 'active' AND s.contract_id IS NULL \
         ORDER BY c.contract_id, a.ledger_account_id";
    grant.require(None, &[DataCategory::Financial], Action::Read)?;
    let rows: Vec<SettleRow> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(date)
        .fetch_all(&mut *c)
        .await)?;
    let mut out: Vec<ToSettle> = Vec::new();
    for r in rows {
        let budget = (
            LedgerAccountId::from_uuid(r.ledger_account_id),
            Cents::new(r.balance_cents),
        );
        match out.last_mut() {
            Some(last) if last.contract.uuid() == r.contract_id => last.budgets.push(budget),
            _ => out.push(ToSettle {
                contract: ContractId::from_uuid(r.contract_id),
                end_date: r.end_date,
                mandate: r
                    .mandate_id
                    .parse()
                    .map_err(|_| corrupt("mandate", "mandate_id"))?,
                mandate_signed_on: r.signed_on,
                successful_collections: r.successful_collections,
                iban: r.iban.parse().map_err(|_| corrupt("mandate", "iban"))?,
                account_holder: r.account_holder,
                budgets: vec![budget],
            }),
        }
    }
    Ok(out)
}

/// Whether a settlement in `direction` (`payout` or `collect`) has an end-to-end id that starts
/// with `end_to_end_prefix`: whether we sent the settlement file of that date.
pub async fn settlement_sent(
    tx: &mut Tx,
    direction: &str,
    end_to_end_prefix: &str,
) -> Result<bool, Error> {
    const SQL: &str = "SELECT COUNT(*) FROM settlement WHERE direction = $1 \
         AND end_to_end_id LIKE $2";
    let pattern = format!("{end_to_end_prefix}%");
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(SQL)
        .bind(direction)
        .bind(pattern.as_str())
        .fetch_one(&mut *c)
        .await)?;
    Ok(n > 0)
}

/// Records a settlement and ends the contract and its mandate.
pub async fn settle(
    tx: &mut Tx,
    contract: ContractId,
    end_date: Date,
    direction: &str,
    amount: Cents,
    end_to_end_id: Option<&str>,
    now: Timestamp,
) -> Result<(), Error> {
    const SETTLEMENT: &str = "INSERT INTO settlement (contract_id, end_date, direction, \
         amount_cents, end_to_end_id, settled_at_ms) VALUES ($1, $2, $3, $4, $5, $6)";
    const END: &str = "UPDATE contract SET contract_status = 'ended', updated_at_ms = $1 \
         WHERE contract_id = $2";
    const MANDATE: &str = "UPDATE mandate SET mandate_status = 'ended', updated_at_ms = $1 \
         WHERE contract_id = $2";
    on_tx!(tx, c => sqlx::query(SETTLEMENT)
        .bind(contract.uuid())
        .bind(end_date)
        .bind(direction)
        .bind(amount.get())
        .bind(end_to_end_id)
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    for sql in [END, MANDATE] {
        on_tx!(tx, c => sqlx::query(sql)
            .bind(now.unix_ms())
            .bind(contract.uuid())
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// An adult candidate for the year-end check-up rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YearEndCandidate {
    /// The participant.
    pub participant: ParticipantId,
    /// Role.
    pub role: HouseholdRole,
    /// Date of birth.
    pub date_of_birth: Date,
    /// Budget account.
    pub budget: LedgerAccountId,
}

/// Participants whose contract ran in part of `year` (started on or before 31 December and not
/// ended before 1 January) and who have no year-end deduction for it yet.
pub async fn yearend_candidates(
    tx: &mut Tx,
    grant: &Grant,
    year_start: Date,
    year_end: Date,
    year: i32,
) -> Result<Vec<YearEndCandidate>, Error> {
    const SQL: &str = "SELECT p.participant_id, p.household_role, p.date_of_birth, \
         a.ledger_account_id FROM participant p \
         JOIN contract c ON c.contract_id = p.contract_id \
         JOIN ledger_account a ON a.participant_id = p.participant_id \
         AND a.account_kind = 'budget' \
         LEFT JOIN yearend_deduction y ON y.participant_id = p.participant_id AND y.year = $1 \
         WHERE c.start_date <= $2 AND (c.end_date IS NULL OR c.end_date >= $3) \
         AND y.participant_id IS NULL ORDER BY p.participant_id";
    grant.require(
        None,
        &[DataCategory::Identity, DataCategory::Financial],
        Action::Read,
    )?;
    let rows: Vec<(Uuid, String, Date, Uuid)> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(i64::from(year))
        .bind(year_end)
        .bind(year_start)
        .fetch_all(&mut *c)
        .await)?;
    rows.into_iter()
        .map(|(p, role, born, budget)| {
            Ok(YearEndCandidate {
                participant: ParticipantId::from_uuid(p),
                role: role
                    .parse()
                    .map_err(|_| corrupt("participant", "household_role"))?,
                date_of_birth: born,
                budget: LedgerAccountId::from_uuid(budget),
            })
        })
        .collect()
}

/// Records a year-end deduction and why.
pub async fn insert_yearend_deduction(
    tx: &mut Tx,
    participant: ParticipantId,
    year: i32,
    amount: Cents,
    reason: &str,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO yearend_deduction (participant_id, year, amount_cents, reason, \
         created_at_ms) VALUES ($1, $2, $3, $4, $5)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(participant.uuid())
        .bind(i64::from(year))
        .bind(amount.get())
        .bind(reason)
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A participant's id, annual budget and budget account, by participant number.
pub async fn budget_of_number(
    tx: &mut Tx,
    grant: &Grant,
    number: &str,
) -> Result<Option<(ParticipantId, Cents, LedgerAccountId)>, Error> {
    const SQL: &str = "SELECT p.participant_id, p.annual_budget_cents, a.ledger_account_id \
         FROM participant p JOIN ledger_account a ON a.participant_id = p.participant_id \
         AND a.account_kind = 'budget' WHERE p.participant_number = $1";
    grant.require(None, &[DataCategory::Financial], Action::Read)?;
    let row: Option<(Uuid, i64, Uuid)> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(number)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(row.map(|(p, cents, a)| {
        (
            ParticipantId::from_uuid(p),
            Cents::new(cents),
            LedgerAccountId::from_uuid(a),
        )
    }))
}

/// How many yearly (not upward-any-time) budget changes a participant requested since
/// `since`.
pub async fn yearly_budget_changes_since(
    tx: &mut Tx,
    participant: ParticipantId,
    since: Timestamp,
) -> Result<i64, Error> {
    const SQL: &str = "SELECT COUNT(*) FROM budget_change WHERE participant_id = $1 \
         AND counts_as_yearly_change = $2 AND requested_at_ms >= $3";
    Ok(on_tx!(tx, c => sqlx::query_scalar(SQL)
        .bind(participant.uuid())
        .bind(true)
        .bind(since.unix_ms())
        .fetch_one(&mut *c)
        .await)?)
}

/// A requested budget change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetChangeRow {
    /// Its id.
    pub id: Uuid,
    /// The participant.
    pub participant: ParticipantId,
    /// From when.
    pub effective_from: Date,
    /// The budget before.
    pub old_annual: Cents,
    /// The budget after.
    pub new_annual: Cents,
    /// Whether it is the once-a-year change.
    pub counts_as_yearly_change: bool,
}

/// Stores a requested change (applied or pending).
pub async fn insert_budget_change(
    tx: &mut Tx,
    change: &BudgetChangeRow,
    applied: bool,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO budget_change (budget_change_id, participant_id, \
         effective_from, old_annual_cents, new_annual_cents, counts_as_yearly_change, \
         requested_at_ms, applied_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(change.id)
        .bind(change.participant.uuid())
        .bind(change.effective_from)
        .bind(change.old_annual.get())
        .bind(change.new_annual.get())
        .bind(change.counts_as_yearly_change)
        .bind(now.unix_ms())
        .bind(applied.then_some(now.unix_ms()))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Pending changes that are due on `date`, oldest first.
pub async fn due_budget_changes(tx: &mut Tx, date: Date) -> Result<Vec<BudgetChangeRow>, Error> {
    const SQL: &str = "SELECT budget_change_id, participant_id, effective_from, old_annual_cents, \
         new_annual_cents, counts_as_yearly_change FROM budget_change \
         WHERE applied_at_ms IS NULL AND effective_from <= $1 ORDER BY requested_at_ms";
    let rows: Vec<(Uuid, Uuid, Date, i64, i64, bool)> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(date)
        .fetch_all(&mut *c)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, p, from, old, new, yearly)| BudgetChangeRow {
            id,
            participant: ParticipantId::from_uuid(p),
            effective_from: from,
            old_annual: Cents::new(old),
            new_annual: Cents::new(new),
            counts_as_yearly_change: yearly,
        })
        .collect())
}

/// Applies a change: the participant's annual budget, and marks it applied.
pub async fn apply_budget_change(
    tx: &mut Tx,
    grant: &Grant,
    change: &BudgetChangeRow,
    now: Timestamp,
) -> Result<(), Error> {
    const PARTICIPANT: &str = "UPDATE participant SET annual_budget_cents = $1, \
         updated_at_ms = $2 WHERE participant_id = $3";
    const APPLIED: &str = "UPDATE budget_change SET applied_at_ms = $1 WHERE budget_change_id = $2";
    grant.require(None, &[DataCategory::Financial], Action::Change)?;
    on_tx!(tx, c => sqlx::query(PARTICIPANT)
        .bind(change.new_annual.get())
        .bind(now.unix_ms())
        .bind(change.participant.uuid())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query(APPLIED)
        .bind(now.unix_ms())
        .bind(change.id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
