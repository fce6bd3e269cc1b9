//! What the participant portal reads about one household member: the member, the budget's
//! movements, the contributions and the declaration lines. Every function needs a grant for
//! that member (the portal's own-data or representative grant).

use ixorg_domain::Cents;
use ixorg_domain::declaration::{Outcome, Reason};
use ixorg_domain::identifiers::ParticipantNumber;
use ixorg_domain::ids::ParticipantId;
use ixorg_domain::ledger::TransferKind;
use ixorg_domain::privacy::{Action, DataCategory};
use ixorg_domain::statement::ContributionState;
use ixorg_domain::terms::HouseholdRole;
use ixorg_domain::timestamp::Timestamp;
use time::Date;
use uuid::Uuid;

use crate::error::corrupt;
use crate::gate::Grant;
use crate::{Error, Tx, on_tx};

/// A member of the user's household, as far as deciding whom the user may see needs it (keys,
/// role and date of birth; no grant needed, as for the gate's own representation check).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HouseholdKey {
    /// The member.
    pub participant: ParticipantId,
    /// Main participant, partner or child.
    pub role: HouseholdRole,
    /// Born on (decides whether the main participant represents a child).
    pub born: Date,
}

/// The members of `user`'s contract, the main participant first, then by participant number.
pub async fn household_keys(tx: &mut Tx, user: ParticipantId) -> Result<Vec<HouseholdKey>, Error> {
    const SQL: &str = "SELECT m.participant_id, m.household_role, m.date_of_birth \
         FROM participant u JOIN participant m ON m.contract_id = u.contract_id \
         WHERE u.participant_id = $1 \
         ORDER BY CASE m.household_role WHEN 'main' THEN 0 WHEN 'partner' THEN 1 ELSE 2 END, \
         m.participant_number";
    let rows: Vec<(Uuid, String, Date)> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(user.uuid())
        .fetch_all(&mut *c)
        .await)?;
    rows.into_iter()
        .map(|(id, role, born)| {
            Ok(HouseholdKey {
                participant: ParticipantId::from_uuid(id),
                role: role
                    .parse()
                    .map_err(|_| corrupt("participant", "household_role"))?,
                born,
            })
        })
        .collect()
}

/// A household member with the budget figures the portal shows.
#[derive(Clone, PartialEq, Eq)]
pub struct MemberBudget {
    /// The member.
    pub participant: ParticipantId,
    /// The participant number.
    pub number: ParticipantNumber,
    /// First names (how the portal addresses the member).
    pub first_names: String,
    /// Main participant, partner or child.
    pub role: HouseholdRole,
    /// The annual budget chosen.
    pub annual_budget: Cents,
    /// The budget's balance now.
    pub balance: Cents,
    /// The budget's credit line.
    pub credit_line: Cents,
}

impl std::fmt::Debug for MemberBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemberBudget")
            .field("participant", &self.participant)
            .finish_non_exhaustive()
    }
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    participant_number: String,
    first_names: String,
    household_role: String,
    annual_budget_cents: i64,
    balance_cents: i64,
    credit_line_cents: i64,
}

/// The member and their budget account.
pub async fn member_budget(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
) -> Result<MemberBudget, Error> {
    grant.require(
        Some(participant),
        &[DataCategory::Identity, DataCategory::Financial],
        Action::Read,
    )?;
    const SQL: &str = "SELECT p.participant_number, p.first_names, p.household_role, \
         p.annual_budget_cents, a.balance_cents, a.credit_line_cents \
         FROM participant p JOIN ledger_account a \
           ON a.participant_id = p.participant_id AND a.account_kind = 'budget' \
         WHERE p.participant_id = $1";
    let row: Option<MemberRow> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(participant.uuid())
        .fetch_optional(&mut *c)
        .await)?;
    let r = row.ok_or(Error::NotFound)?;
    Ok(MemberBudget {
        participant,
        number: r
            .participant_number
            .parse()
            .map_err(|_| corrupt("participant", "participant_number"))?,
        first_names: r.first_names,
        role: r
            .household_role
            .parse()
            .map_err(|_| corrupt("participant", "household_role"))?,
        annual_budget: Cents::new(r.annual_budget_cents),
        balance: Cents::new(r.balance_cents),
        credit_line: Cents::new(r.credit_line_cents),
    })
}

/// One booking on a member's budget account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetMovement {
    /// When it was booked.
    pub posted_at: Timestamp,
    /// What it was.
    pub kind: TransferKind,
    /// Positive into the budget, negative out of it.
    pub amount: Cents,
    /// The transfer's idempotency key (names the batch of a declaration transfer).
    pub key: String,
}

/// The bookings on `participant`'s budget account posted at or after `since`, in ledger order.
pub async fn budget_movements(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
    since: Timestamp,
) -> Result<Vec<BudgetMovement>, Error> {
    grant.require(Some(participant), &[DataCategory::Financial], Action::Read)?;
    const SQL: &str = "SELECT t.posted_at_ms, t.transfer_kind, \
         CASE WHEN t.credit_account_id = a.ledger_account_id THEN t.amount_cents \
              ELSE -t.amount_cents END AS signed, t.idempotency_key \
         FROM ledger_account a JOIN ledger_transfer t \
           ON t.debit_account_id = a.ledger_account_id OR t.credit_account_id = a.ledger_account_id \
         WHERE a.participant_id = $1 AND a.account_kind = 'budget' AND t.posted_at_ms >= $2 \
         ORDER BY t.sequence";
    let rows: Vec<(i64, String, i64, String)> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(participant.uuid())
        .bind(since.unix_ms())
        .fetch_all(&mut *c)
        .await)?;
    rows.into_iter()
        .map(|(at, kind, amount, key)| {
            Ok(BudgetMovement {
                posted_at: Timestamp::from_unix_ms(at),
                kind: kind
                    .parse()
                    .map_err(|_| corrupt("ledger_transfer", "transfer_kind"))?,
                amount: Cents::new(amount),
                key,
            })
        })
        .collect()
}

/// One contribution collected for a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContributionEntry {
    /// The collection date.
    pub collected_on: Date,
    /// The saving into the budget.
    pub saving: Cents,
    /// The service fee.
    pub fee: Cents,
    /// The accident-cover premium.
    pub premium: Cents,
    /// Where the direct debit stands.
    pub state: ContributionState,
    /// The bank's return reason code, for a returned or rejected debit.
    pub return_reason: Option<String>,
}

/// Every contribution of `participant`, newest first.
pub async fn contributions(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
) -> Result<Vec<ContributionEntry>, Error> {
    grant.require(Some(participant), &[DataCategory::Financial], Action::Read)?;
    const SQL: &str = "SELECT r.collection_date, l.saving_cents, l.fee_cents, l.premium_cents, \
         c.contribution_status, c.return_reason \
         FROM contribution_line l \
         JOIN contribution c ON c.contribution_id = l.contribution_id \
         JOIN collection_run r ON r.collection_run_id = c.collection_run_id \
         WHERE l.participant_id = $1 ORDER BY r.collection_date DESC";
    let rows: Vec<(Date, i64, i64, i64, String, Option<String>)> = on_tx!(tx, c => sqlx::query_as(SQL)
            .bind(participant.uuid())
            .fetch_all(&mut *c)
            .await)?;
    rows.into_iter()
        .map(|(on, saving, fee, premium, state, reason)| {
            Ok(ContributionEntry {
                collected_on: on,
                saving: Cents::new(saving),
                fee: Cents::new(fee),
                premium: Cents::new(premium),
                state: ContributionState::from_name(&state)
                    .ok_or_else(|| corrupt("contribution", "contribution_status"))?,
                return_reason: reason,
            })
        })
        .collect()
}

/// One declaration line about a member, as the portal explains it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclarationEntry {
    /// The batch it came in (its net transfer names it).
    pub batch: Uuid,
    /// The line's number in the batch.
    pub line_number: i64,
    /// The treatment date.
    pub treated_on: Date,
    /// The treatment code (e.g. C002).
    pub code: String,
    /// The practice's name, where the line names a known practice.
    pub practice: Option<String>,
    /// The amount declared.
    pub amount: Cents,
    /// Treated after an accident.
    pub accident: bool,
    /// The outcome.
    pub outcome: Outcome,
    /// The reasons.
    pub reasons: Vec<Reason>,
    /// Paid from the budget.
    pub budget_paid: Cents,
    /// The participant's own payment.
    pub own_payment: Cents,
    /// Reversed by a credit line, or itself an applied credit.
    pub credited: bool,
    /// When it was received.
    pub received_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    declaration_batch_id: Uuid,
    line_number: i64,
    treatment_date: Date,
    code: String,
    practice_name: Option<String>,
    amount_cents: i64,
    accident: bool,
    outcome: String,
    reasons: String,
    budget_paid_cents: i64,
    own_payment_cents: i64,
    credited: bool,
    created_at_ms: i64,
}

/// Every declaration line about `participant`, the latest treatment first.
pub async fn declaration_lines(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
) -> Result<Vec<DeclarationEntry>, Error> {
    grant.require(
        Some(participant),
        &[DataCategory::Care, DataCategory::Financial],
        Action::Read,
    )?;
    const SQL: &str = "SELECT l.declaration_batch_id, l.line_number, l.treatment_date, l.code, \
         p.name AS practice_name, l.amount_cents, l.accident, l.outcome, l.reasons, \
         l.budget_paid_cents, l.own_payment_cents, l.credited, l.created_at_ms \
         FROM declaration_line l LEFT JOIN practice p ON p.agb_code = l.practice_agb \
         WHERE l.participant_id = $1 \
         ORDER BY l.treatment_date DESC, l.created_at_ms DESC, l.line_number";
    let rows: Vec<LineRow> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(participant.uuid())
        .fetch_all(&mut *c)
        .await)?;
    rows.into_iter()
        .map(|r| {
            let reasons = crate::declarations::reasons_of_text(&r.reasons)?;
            Ok(DeclarationEntry {
                batch: r.declaration_batch_id,
                line_number: r.line_number,
                treated_on: r.treatment_date,
                code: r.code,
                practice: r.practice_name,
                amount: Cents::new(r.amount_cents),
                accident: r.accident,
                outcome: Outcome::from_name(&r.outcome)
                    .ok_or_else(|| corrupt("declaration_line", "outcome"))?,
                reasons,
                budget_paid: Cents::new(r.budget_paid_cents),
                own_payment: Cents::new(r.own_payment_cents),
                credited: r.credited,
                received_at: Timestamp::from_unix_ms(r.created_at_ms),
            })
        })
        .collect()
}
