//! The lines adjudication compares a new line with: a participant's earlier lines, and lines
//! by the provider's reference.

use ixorg_domain::Cents;
use ixorg_domain::adjudication::PriorLine;
use ixorg_domain::declaration::{CostKind, Outcome};
use ixorg_domain::ids::ParticipantId;
use ixorg_domain::privacy::{Action, DataCategory};
use sqlx::AssertSqlSafe;
use time::Date;
use uuid::Uuid;

use super::IN_ROWS;
use crate::error::corrupt;
use crate::gate::Grant;
use crate::sql::in_list;
use crate::{Error, Tx, on_tx};

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
