//! Declaration lines with their outcomes: stored per batch, marked credited, answered.

use ixorg_domain::Cents;
use ixorg_domain::declaration::{Decision, DeclarationLine, Outcome, Reason};
use ixorg_domain::ids::{DeclarationBatchId, ParticipantId, PayeeId};
use ixorg_domain::privacy::{Action, DataCategory};
use ixorg_domain::timestamp::Timestamp;
use sqlx::AssertSqlSafe;
use uuid::Uuid;

use super::IN_ROWS;
use crate::error::corrupt;
use crate::gate::Grant;
use crate::sql::{in_list, value_rows};
use crate::{Error, Tx, on_tx};

/// Rows per multi-row statement (26 columns: 5,200 parameters, under both databases' limits).
const CHUNK_ROWS: usize = 200;

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

/// The reason codes as stored ([`reasons_text`]) read back; an unknown code is corrupt data.
pub(crate) fn reasons_of_text(text: &str) -> Result<Vec<Reason>, Error> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|code| Reason::from_code(code).ok_or_else(|| corrupt("declaration_line", "reasons")))
        .collect()
}

/// Stores decided lines of `batch`, all paid to `payee` (multi-row inserts).
pub async fn insert_lines(
    tx: &mut Tx,
    grant: &Grant,
    batch: DeclarationBatchId,
    payee: PayeeId,
    lines: &[NewLine<'_>],
    now: Timestamp,
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
                    .bind(batch.uuid())
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
                    .bind(now.unix_ms())
                    .bind(now.unix_ms());
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
    now: Timestamp,
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
                .bind(now.unix_ms())
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
    batch: DeclarationBatchId,
) -> Result<Vec<LineAnswer>, Error> {
    const SQL: &str = "SELECT line_number, reference, outcome, reasons, amount_cents, \
         budget_paid_cents, own_payment_cents FROM declaration_line \
         WHERE declaration_batch_id = $1 ORDER BY line_number";
    grant.require(None, &[DataCategory::Care], Action::Read)?;
    let rows: Vec<AnswerRow> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(batch.uuid())
        .fetch_all(&mut *c)
        .await)?;
    rows.into_iter()
        .map(|r| {
            let reasons = reasons_of_text(&r.reasons)?;
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
