//! Declaration batches and lines with their outcomes, the facts adjudication reads, and the
//! API clients of practices and billing intermediaries.
//!
//! Uniqueness is enforced by the database as well as by adjudication: a provider's reference
//! and a treatment can each be taken by one line that was not rejected (partial unique
//! indexes), so a line that arrives twice at the same moment is never stored as paid twice.

use ixorg_domain::Cents;
use ixorg_domain::adjudication::PriorLine;
use ixorg_domain::declaration::{CostKind, Decision, DeclarationLine, Outcome, Reason};
use ixorg_domain::ids::{
    BillingIntermediaryId, LedgerAccountId, ParticipantId, PayeeId, PracticeId,
};
use ixorg_domain::privacy::{Action, DataCategory};
use sqlx::AssertSqlSafe;
use time::Date;
use uuid::Uuid;

use crate::error::corrupt;
use crate::gate::Grant;
use crate::sql::{in_list, value_rows};
use crate::{Error, Tx, on_tx};

/// Rows per multi-row statement (26 columns: 5,200 parameters, under both databases' limits).
const CHUNK_ROWS: usize = 200;

/// Values per `IN (…)` list: fewer round trips for the lookups of a large batch.
const IN_ROWS: usize = 900;

/// A participant as adjudication needs them: identity for the check, contract dates and the
/// budget. No `Debug`: it holds a date of birth and a balance.
#[derive(Clone)]
pub struct DeclarationSubject {
    /// The participant.
    pub participant: ParticipantId,
    /// The participant number.
    pub number: String,
    /// Date of birth.
    pub birth_date: Date,
    /// Contract start.
    pub contract_start: Date,
    /// Contract end, once known.
    pub contract_end: Option<Date>,
    /// The budget account.
    pub budget: LedgerAccountId,
    /// Its balance.
    pub balance: Cents,
    /// Its credit line.
    pub credit_line: Cents,
}

#[derive(sqlx::FromRow)]
struct SubjectRow {
    participant_id: Uuid,
    participant_number: String,
    date_of_birth: Date,
    start_date: Date,
    end_date: Option<Date>,
    ledger_account_id: Uuid,
    balance_cents: i64,
    credit_line_cents: i64,
    bsn_blind_index: Option<Vec<u8>>,
}

impl From<SubjectRow> for DeclarationSubject {
    fn from(r: SubjectRow) -> Self {
        DeclarationSubject {
            participant: ParticipantId::from_uuid(r.participant_id),
            number: r.participant_number,
            birth_date: r.date_of_birth,
            contract_start: r.start_date,
            contract_end: r.end_date,
            budget: LedgerAccountId::from_uuid(r.ledger_account_id),
            balance: Cents::new(r.balance_cents),
            credit_line: Cents::new(r.credit_line_cents),
        }
    }
}

const SUBJECT_SELECT: &str = "SELECT p.participant_id, p.participant_number, p.date_of_birth, \
     c.start_date, c.end_date, a.ledger_account_id, a.balance_cents, a.credit_line_cents, \
     p.bsn_blind_index FROM participant p JOIN contract c ON c.contract_id = p.contract_id \
     JOIN ledger_account a ON a.participant_id = p.participant_id AND a.account_kind = 'budget'";

const SUBJECT_CATEGORIES: &[DataCategory] = &[
    DataCategory::Identity,
    DataCategory::Account,
    DataCategory::Financial,
];

/// Plans every statement of this transaction for its own values (PostgreSQL only). A batch
/// keeps adding to `declaration_line` while it reads it back per chunk; a plan cached while the
/// table was small would keep scanning it whole as it grows.
pub async fn plan_each_statement(tx: &mut Tx) -> Result<(), Error> {
    if tx.backend() == crate::Backend::Postgres {
        on_tx!(tx, c => sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// The participants with these numbers (unknown numbers are left out).
pub async fn subjects_by_number(
    tx: &mut Tx,
    grant: &Grant,
    numbers: &[&str],
) -> Result<Vec<DeclarationSubject>, Error> {
    grant.require(None, SUBJECT_CATEGORIES, Action::Read)?;
    let mut out = Vec::with_capacity(numbers.len());
    for chunk in numbers.chunks(IN_ROWS) {
        let sql = format!(
            "{SUBJECT_SELECT} WHERE p.participant_number IN ({})",
            in_list(tx.backend(), 1, chunk.len())
        );
        let rows: Vec<SubjectRow> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql.clone()));
            for n in chunk {
                q = q.bind(*n);
            }
            q.fetch_all(&mut *c).await
        })?;
        out.extend(rows.into_iter().map(DeclarationSubject::from));
    }
    Ok(out)
}

/// The participants with these BSN blind indexes, each with its index.
pub async fn subjects_by_blind_index(
    tx: &mut Tx,
    grant: &Grant,
    indexes: &[Vec<u8>],
) -> Result<Vec<(Vec<u8>, DeclarationSubject)>, Error> {
    let mut categories = SUBJECT_CATEGORIES.to_vec();
    categories.push(DataCategory::NationalId);
    grant.require(None, &categories, Action::Read)?;
    let mut out = Vec::with_capacity(indexes.len());
    for chunk in indexes.chunks(IN_ROWS) {
        let sql = format!(
            "{SUBJECT_SELECT} WHERE p.bsn_blind_index IN ({})",
            in_list(tx.backend(), 1, chunk.len())
        );
        let rows: Vec<SubjectRow> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql.clone()));
            for index in chunk {
                q = q.bind(index.as_slice());
            }
            q.fetch_all(&mut *c).await
        })?;
        for mut row in rows {
            let index = row.bsn_blind_index.take().unwrap_or_default();
            out.push((index, DeclarationSubject::from(row)));
        }
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct PriorRow {
    participant_id: Uuid,
    provider_agb: String,
    reference: String,
    treatment_date: Date,
    code: String,
    element: String,
    surface: String,
    cost_kind: String,
    amount_cents: i64,
    budget_paid_cents: i64,
    own_payment_cents: i64,
    outcome: String,
    credited: bool,
}

impl TryFrom<PriorRow> for PriorLine {
    type Error = Error;
    fn try_from(r: PriorRow) -> Result<Self, Error> {
        let non_empty = |s: String| (!s.is_empty()).then_some(s);
        Ok(PriorLine {
            participant: ParticipantId::from_uuid(r.participant_id),
            provider: r.provider_agb,
            reference: r.reference,
            treatment_date: r.treatment_date,
            code: r.code,
            element: non_empty(r.element),
            surface: non_empty(r.surface),
            cost: CostKind::from_name(&r.cost_kind)
                .ok_or_else(|| corrupt("declaration_line", "cost_kind"))?,
            amount: Cents::new(r.amount_cents),
            budget_paid: Cents::new(r.budget_paid_cents),
            own_payment: Cents::new(r.own_payment_cents),
            outcome: Outcome::from_name(&r.outcome)
                .ok_or_else(|| corrupt("declaration_line", "outcome"))?,
            credited: r.credited,
        })
    }
}

const PRIOR_SELECT: &str = "SELECT participant_id, provider_agb, reference, treatment_date, \
     code, element, surface, cost_kind, amount_cents, budget_paid_cents, own_payment_cents, \
     outcome, credited FROM declaration_line WHERE outcome <> 'rejected' AND participant_id \
     IS NOT NULL";

/// Every line that was not rejected for these participants (for duplicates and fraud
/// signals).
pub async fn prior_lines_of(
    tx: &mut Tx,
    grant: &Grant,
    participants: &[ParticipantId],
) -> Result<Vec<PriorLine>, Error> {
    grant.require(
        None,
        &[DataCategory::Care, DataCategory::Financial],
        Action::Read,
    )?;
    let mut out = Vec::new();
    for chunk in participants.chunks(IN_ROWS) {
        let sql = format!(
            "{PRIOR_SELECT} AND participant_id IN ({})",
            in_list(tx.backend(), 1, chunk.len())
        );
        let rows: Vec<PriorRow> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql.clone()));
            for p in chunk {
                q = q.bind(p.uuid());
            }
            q.fetch_all(&mut *c).await
        })?;
        for row in rows {
            out.push(PriorLine::try_from(row)?);
        }
    }
    Ok(out)
}

/// Lines that were not rejected and carry one of `references` of `provider`.
pub async fn prior_lines_by_reference(
    tx: &mut Tx,
    grant: &Grant,
    provider: &str,
    references: &[&str],
) -> Result<Vec<PriorLine>, Error> {
    grant.require(
        None,
        &[DataCategory::Care, DataCategory::Financial],
        Action::Read,
    )?;
    let mut out = Vec::new();
    for chunk in references.chunks(IN_ROWS) {
        let sql = format!(
            "{PRIOR_SELECT} AND provider_agb = {} AND reference IN ({})",
            in_list(tx.backend(), 1, 1),
            in_list(tx.backend(), 2, chunk.len())
        );
        let rows: Vec<PriorRow> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql.clone())).bind(provider);
            for r in chunk {
                q = q.bind(*r);
            }
            q.fetch_all(&mut *c).await
        })?;
        for row in rows {
            out.push(PriorLine::try_from(row)?);
        }
    }
    Ok(out)
}

/// Through which channel a batch came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// A Vektis MZ301 file.
    Mz301,
    /// The JSON API.
    Api,
    /// A FHIR `Claim`.
    Fhir,
}

impl Channel {
    /// The stored name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Channel::Mz301 => "mz301",
            Channel::Api => "api",
            Channel::Fhir => "fhir",
        }
    }

    fn from_name(name: &str) -> Option<Channel> {
        [Channel::Mz301, Channel::Api, Channel::Fhir]
            .into_iter()
            .find(|c| c.as_str() == name)
    }
}

/// A stored batch (no personal data).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// Its id.
    pub id: Uuid,
    /// The channel.
    pub channel: Channel,
    /// The SHA-256 of a file's content.
    pub content_hash: Option<Vec<u8>>,
    /// The API client that sent it.
    pub api_client: Option<Uuid>,
    /// The client's `Idempotency-Key`.
    pub idempotency_key: Option<String>,
    /// The SHA-256 of the API or FHIR request's canonical form (none for files, and for
    /// batches stored before it was kept).
    pub request_hash: Option<Vec<u8>>,
    /// Who is paid for its lines.
    pub payee: PayeeId,
    /// The sender's own reference (invoice number, claim id).
    pub sender_reference: String,
    /// The day it was received.
    pub received_on: Date,
    /// Number of lines.
    pub line_count: i64,
    /// Sum of the declared amounts (credits negative).
    pub declared: Cents,
    /// Sum of the amounts assigned (paid from budgets; credits negative).
    pub assigned: Cents,
    /// Where the MZ302 return file was written, for file batches.
    pub return_file_name: Option<String>,
    /// When it was stored.
    pub created_at_ms: i64,
}

#[derive(sqlx::FromRow)]
struct BatchRow {
    declaration_batch_id: Uuid,
    channel: String,
    content_hash: Option<Vec<u8>>,
    api_client_id: Option<Uuid>,
    idempotency_key: Option<String>,
    request_hash: Option<Vec<u8>>,
    payee_id: Uuid,
    sender_reference: String,
    received_on: Date,
    line_count: i64,
    declared_cents: i64,
    assigned_cents: i64,
    return_file_name: Option<String>,
    created_at_ms: i64,
}

impl TryFrom<BatchRow> for Batch {
    type Error = Error;
    fn try_from(r: BatchRow) -> Result<Self, Error> {
        Ok(Batch {
            id: r.declaration_batch_id,
            channel: Channel::from_name(&r.channel)
                .ok_or_else(|| corrupt("declaration_batch", "channel"))?,
            content_hash: r.content_hash,
            api_client: r.api_client_id,
            idempotency_key: r.idempotency_key,
            request_hash: r.request_hash,
            payee: PayeeId::from_uuid(r.payee_id),
            sender_reference: r.sender_reference,
            received_on: r.received_on,
            line_count: r.line_count,
            declared: Cents::new(r.declared_cents),
            assigned: Cents::new(r.assigned_cents),
            return_file_name: r.return_file_name,
            created_at_ms: r.created_at_ms,
        })
    }
}

const BATCH_SELECT: &str = "SELECT declaration_batch_id, channel, content_hash, api_client_id, \
     idempotency_key, request_hash, payee_id, sender_reference, received_on, line_count, \
     declared_cents, assigned_cents, return_file_name, created_at_ms FROM declaration_batch";

/// The batch of a file with this content hash.
pub async fn batch_by_hash(tx: &mut Tx, hash: &[u8]) -> Result<Option<Batch>, Error> {
    let sql = format!("{BATCH_SELECT} WHERE content_hash = $1");
    let row: Option<BatchRow> = on_tx!(tx, c => sqlx::query_as(AssertSqlSafe(sql.clone()))
        .bind(hash)
        .fetch_optional(&mut *c)
        .await)?;
    row.map(Batch::try_from).transpose()
}

/// The batch an API client sent with this `Idempotency-Key`.
pub async fn batch_by_idempotency_key(
    tx: &mut Tx,
    client: Uuid,
    key: &str,
) -> Result<Option<Batch>, Error> {
    let sql = format!("{BATCH_SELECT} WHERE api_client_id = $1 AND idempotency_key = $2");
    let row: Option<BatchRow> = on_tx!(tx, c => sqlx::query_as(AssertSqlSafe(sql.clone()))
        .bind(client)
        .bind(key)
        .fetch_optional(&mut *c)
        .await)?;
    row.map(Batch::try_from).transpose()
}

/// A batch by id.
pub async fn batch(tx: &mut Tx, id: Uuid) -> Result<Option<Batch>, Error> {
    let sql = format!("{BATCH_SELECT} WHERE declaration_batch_id = $1");
    let row: Option<BatchRow> = on_tx!(tx, c => sqlx::query_as(AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(&mut *c)
        .await)?;
    row.map(Batch::try_from).transpose()
}

/// Stores a batch. A second file with the same content, or a second call with the same
/// client and key, is a conflict.
pub async fn insert_batch(tx: &mut Tx, b: &Batch) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO declaration_batch (declaration_batch_id, channel, \
         content_hash, api_client_id, idempotency_key, payee_id, sender_reference, received_on, \
         line_count, declared_cents, assigned_cents, return_file_name, created_at_ms, \
         request_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(b.id)
        .bind(b.channel.as_str())
        .bind(b.content_hash.as_deref())
        .bind(b.api_client)
        .bind(b.idempotency_key.as_deref())
        .bind(b.payee.uuid())
        .bind(b.sender_reference.as_str())
        .bind(b.received_on)
        .bind(b.line_count)
        .bind(b.declared.get())
        .bind(b.assigned.get())
        .bind(b.return_file_name.as_deref())
        .bind(b.created_at_ms)
        .bind(b.request_hash.as_deref())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a batch's line count and totals once all its lines are stored.
pub async fn set_batch_totals(tx: &mut Tx, b: &Batch) -> Result<(), Error> {
    const SQL: &str = "UPDATE declaration_batch SET line_count = $1, declared_cents = $2, \
         assigned_cents = $3 WHERE declaration_batch_id = $4";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(b.line_count)
        .bind(b.declared.get())
        .bind(b.assigned.get())
        .bind(b.id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// One decided line to store.
pub struct NewLine<'a> {
    /// Its id.
    pub id: Uuid,
    /// Position in the batch, from 1.
    pub line_number: i64,
    /// The MZ301 record number, for file batches.
    pub record_number: Option<i64>,
    /// The participant, when identified.
    pub participant: Option<ParticipantId>,
    /// The line as received.
    pub line: &'a DeclarationLine,
    /// Its decision.
    pub decision: &'a Decision,
    /// A credit line has reversed it (a credit in the same batch), or it is an applied credit.
    pub credited: bool,
}

/// The reason codes as stored: comma-separated.
#[must_use]
pub fn reasons_text(reasons: &[Reason]) -> String {
    reasons
        .iter()
        .map(|r| r.code())
        .collect::<Vec<_>>()
        .join(",")
}

/// Stores decided lines of `batch`, all paid to `payee` (multi-row inserts).
pub async fn insert_lines(
    tx: &mut Tx,
    grant: &Grant,
    batch: Uuid,
    payee: PayeeId,
    lines: &[NewLine<'_>],
    now_ms: i64,
) -> Result<(), Error> {
    grant.require(
        None,
        &[DataCategory::Care, DataCategory::Financial],
        Action::Change,
    )?;
    let backend = tx.backend();
    for chunk in lines.chunks(CHUNK_ROWS) {
        let sql = format!(
            "INSERT INTO declaration_line (declaration_line_id, declaration_batch_id, line_number, \
             record_number, participant_id, provider_agb, practice_agb, reference, \
             previous_reference, treatment_date, code, element, surface, cost_kind, quantity, \
             unit_tariff_cents, amount_cents, accident, outcome, reasons, budget_paid_cents, \
             own_payment_cents, credited, payee_id, created_at_ms, updated_at_ms) VALUES {}",
            value_rows(backend, chunk.len(), 26, "")
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
            for n in chunk {
                let l = n.line;
                q = q
                    .bind(n.id)
                    .bind(batch)
                    .bind(n.line_number)
                    .bind(n.record_number)
                    .bind(n.participant.map(|p| p.uuid()))
                    .bind(l.provider.as_str())
                    .bind(l.practice.as_ref().map(|p| p.as_str()))
                    .bind(l.reference.as_str())
                    .bind(l.previous_reference.as_deref())
                    .bind(l.treatment_date)
                    .bind(l.code.as_str())
                    .bind(l.element.as_deref().unwrap_or(""))
                    .bind(l.surface.as_deref().unwrap_or(""))
                    .bind(l.cost.as_str())
                    .bind(i64::from(l.quantity))
                    .bind(l.unit_tariff.get())
                    .bind(l.amount.get())
                    .bind(l.accident)
                    .bind(n.decision.outcome.as_str())
                    .bind(reasons_text(&n.decision.reasons))
                    .bind(n.decision.budget_paid.get())
                    .bind(n.decision.own_payment.get())
                    .bind(n.credited)
                    .bind(payee.uuid())
                    .bind(now_ms)
                    .bind(now_ms);
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Marks the lines of `provider` with these references as credited, so their treatment may be
/// declared again.
pub async fn mark_credited(
    tx: &mut Tx,
    grant: &Grant,
    provider: &str,
    references: &[&str],
    now_ms: i64,
) -> Result<u64, Error> {
    grant.require(None, &[DataCategory::Care], Action::Change)?;
    let mut done = 0;
    for chunk in references.chunks(IN_ROWS) {
        let sql = format!(
            "UPDATE declaration_line SET credited = {}, updated_at_ms = {} \
             WHERE outcome <> 'rejected' AND provider_agb = {} AND reference IN ({})",
            in_list(tx.backend(), 1, 1),
            in_list(tx.backend(), 2, 1),
            in_list(tx.backend(), 3, 1),
            in_list(tx.backend(), 4, chunk.len())
        );
        done += on_tx!(tx, c => {
            let mut q = sqlx::query(AssertSqlSafe(sql.clone()))
                .bind(true)
                .bind(now_ms)
                .bind(provider);
            for r in chunk {
                q = q.bind(*r);
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(done)
}

/// A stored line's answer, as the API returns it (no identity, no treatment details).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineAnswer {
    /// Position in the batch.
    pub line_number: i64,
    /// The provider's reference.
    pub reference: String,
    /// The outcome.
    pub outcome: Outcome,
    /// The reasons.
    pub reasons: Vec<Reason>,
    /// The declared amount.
    pub amount: Cents,
    /// Paid from the budget.
    pub budget_paid: Cents,
    /// Own payment.
    pub own_payment: Cents,
}

#[derive(sqlx::FromRow)]
struct AnswerRow {
    line_number: i64,
    reference: String,
    outcome: String,
    reasons: String,
    amount_cents: i64,
    budget_paid_cents: i64,
    own_payment_cents: i64,
}

/// The answers of a batch's lines, in order.
pub async fn batch_answers(
    tx: &mut Tx,
    grant: &Grant,
    batch: Uuid,
) -> Result<Vec<LineAnswer>, Error> {
    const SQL: &str = "SELECT line_number, reference, outcome, reasons, amount_cents, \
         budget_paid_cents, own_payment_cents FROM declaration_line \
         WHERE declaration_batch_id = $1 ORDER BY line_number";
    grant.require(None, &[DataCategory::Care], Action::Read)?;
    let rows: Vec<AnswerRow> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(batch)
        .fetch_all(&mut *c)
        .await)?;
    rows.into_iter()
        .map(|r| {
            let reasons = r
                .reasons
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|code| {
                    Reason::from_code(code).ok_or_else(|| corrupt("declaration_line", "reasons"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(LineAnswer {
                line_number: r.line_number,
                reference: r.reference,
                outcome: Outcome::from_name(&r.outcome)
                    .ok_or_else(|| corrupt("declaration_line", "outcome"))?,
                reasons,
                amount: Cents::new(r.amount_cents),
                budget_paid: Cents::new(r.budget_paid_cents),
                own_payment: Cents::new(r.own_payment_cents),
            })
        })
        .collect()
}

/// Who a payee belongs to, and its payable account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PayeeAccount {
    /// The payee.
    pub payee: PayeeId,
    /// Its payable account in the ledger.
    pub payable: LedgerAccountId,
}

/// The payee (with its payable account) of a practice or a billing intermediary.
pub async fn payee_account(
    tx: &mut Tx,
    practice: Option<PracticeId>,
    intermediary: Option<BillingIntermediaryId>,
) -> Result<Option<PayeeAccount>, Error> {
    const SQL: &str = "SELECT p.payee_id, a.ledger_account_id FROM payee p \
         JOIN ledger_account a ON a.payee_id = p.payee_id \
         WHERE p.practice_id = $1 OR p.billing_intermediary_id = $2";
    let row: Option<(Uuid, Uuid)> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(practice.map(|p| p.uuid()))
        .bind(intermediary.map(|b| b.uuid()))
        .fetch_optional(&mut *c)
        .await)?;
    Ok(row.map(|(payee, payable)| PayeeAccount {
        payee: PayeeId::from_uuid(payee),
        payable: LedgerAccountId::from_uuid(payable),
    }))
}

/// The billing intermediary with this (service bureau) code.
pub async fn intermediary_by_agb(
    tx: &mut Tx,
    agb: &str,
) -> Result<Option<BillingIntermediaryId>, Error> {
    const SQL: &str =
        "SELECT billing_intermediary_id FROM billing_intermediary WHERE agb_code = $1";
    let id: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(SQL)
        .bind(agb)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(id.map(BillingIntermediaryId::from_uuid))
}

/// Gives a billing intermediary its service-bureau code.
pub async fn set_intermediary_agb(
    tx: &mut Tx,
    intermediary: BillingIntermediaryId,
    agb: &str,
    now_ms: i64,
) -> Result<(), Error> {
    const SQL: &str = "UPDATE billing_intermediary SET agb_code = $1, updated_at_ms = $2 \
         WHERE billing_intermediary_id = $3";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(agb)
        .bind(now_ms)
        .bind(intermediary.uuid())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// An API client: a practice or a billing intermediary with a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiClient {
    /// Its id.
    pub id: Uuid,
    /// The practice it belongs to.
    pub practice: Option<PracticeId>,
    /// Or the billing intermediary.
    pub intermediary: Option<BillingIntermediaryId>,
    /// A label for people ("Praktijk X, billing system").
    pub label: String,
    /// Whether the token is still accepted.
    pub active: bool,
}

/// Stores an API client with the hash of its token.
pub async fn insert_api_client(
    tx: &mut Tx,
    client: &ApiClient,
    token_hash: &[u8],
    now_ms: i64,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO api_client (api_client_id, practice_id, \
         billing_intermediary_id, label, token_hash, active, created_at_ms, updated_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(client.id)
        .bind(client.practice.map(|p| p.uuid()))
        .bind(client.intermediary.map(|b| b.uuid()))
        .bind(client.label.as_str())
        .bind(token_hash)
        .bind(client.active)
        .bind(now_ms)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

type ClientRow = (Uuid, Option<Uuid>, Option<Uuid>, String, bool);

/// The active API client whose token has this hash.
pub async fn api_client_by_token_hash(
    tx: &mut Tx,
    token_hash: &[u8],
) -> Result<Option<ApiClient>, Error> {
    const SQL: &str = "SELECT api_client_id, practice_id, billing_intermediary_id, label, active \
         FROM api_client WHERE token_hash = $1 AND active = $2";
    let row: Option<ClientRow> = on_tx!(tx, c => sqlx::query_as(SQL)
            .bind(token_hash)
            .bind(true)
            .fetch_optional(&mut *c)
            .await)?;
    Ok(
        row.map(|(id, practice, intermediary, label, active)| ApiClient {
            id,
            practice: practice.map(PracticeId::from_uuid),
            intermediary: intermediary.map(BillingIntermediaryId::from_uuid),
            label,
            active,
        }),
    )
}

/// Lines and their total per outcome, for reports and the bench.
pub async fn outcome_counts(tx: &mut Tx) -> Result<Vec<(String, i64, Cents)>, Error> {
    const SQL: &str = "SELECT outcome, COUNT(*), CAST(COALESCE(SUM(budget_paid_cents), 0) AS \
         BIGINT) FROM declaration_line GROUP BY outcome ORDER BY outcome";
    let rows: Vec<(String, i64, i64)> =
        on_tx!(tx, c => sqlx::query_as(SQL).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|(o, n, paid)| (o, n, Cents::new(paid)))
        .collect())
}

/// A participant for synthetic declarations: number, date of birth and contract period.
#[derive(Clone)]
pub struct SyntheticSubject {
    /// The participant number.
    pub number: String,
    /// Date of birth.
    pub birth_date: Date,
    /// Contract start.
    pub contract_start: Date,
    /// Contract end, if known.
    pub contract_end: Option<Date>,
}

/// Up to `limit` participants of contracts that started on or before `on`, in number order.
pub async fn synthetic_subjects(
    tx: &mut Tx,
    grant: &Grant,
    on: Date,
    limit: i64,
) -> Result<Vec<SyntheticSubject>, Error> {
    const SQL: &str = "SELECT p.participant_number, p.date_of_birth, c.start_date, c.end_date \
         FROM participant p JOIN contract c ON c.contract_id = p.contract_id \
         WHERE c.start_date <= $1 ORDER BY p.participant_number LIMIT $2";
    grant.require(
        None,
        &[DataCategory::Identity, DataCategory::Account],
        Action::Read,
    )?;
    let rows: Vec<(String, Date, Date, Option<Date>)> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(on)
        .bind(limit)
        .fetch_all(&mut *c)
        .await)?;
    Ok(rows
        .into_iter()
        .map(
            |(number, birth_date, contract_start, contract_end)| SyntheticSubject {
                number,
                birth_date,
                contract_start,
                contract_end,
            },
        )
        .collect())
}

/// Practices that are paid themselves (they have a payee), with their providers' AGB codes:
/// `(practice AGB, [provider AGB])`, by practice AGB.
pub async fn paid_practices(tx: &mut Tx) -> Result<Vec<(String, Vec<String>)>, Error> {
    const SQL: &str = "SELECT pr.agb_code, pv.agb_code FROM practice pr \
         JOIN payee pe ON pe.practice_id = pr.practice_id \
         LEFT JOIN provider pv ON pv.practice_id = pr.practice_id \
         ORDER BY pr.agb_code, pv.agb_code";
    let rows: Vec<(String, Option<String>)> =
        on_tx!(tx, c => sqlx::query_as(SQL).fetch_all(&mut *c).await)?;
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for (practice, provider) in rows {
        if out.last().map(|(p, _)| p) != Some(&practice) {
            out.push((practice, Vec::new()));
        }
        if let (Some(provider), Some(last)) = (provider, out.last_mut()) {
            last.1.push(provider);
        }
    }
    Ok(out)
}
