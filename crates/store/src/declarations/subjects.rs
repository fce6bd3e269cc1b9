//! The participants a batch declares for, as adjudication needs them.

use ixorg_domain::Cents;
use ixorg_domain::ids::{LedgerAccountId, ParticipantId};
use ixorg_domain::privacy::{Action, DataCategory};
use sqlx::AssertSqlSafe;
use time::Date;
use uuid::Uuid;

use super::IN_ROWS;
use crate::gate::Grant;
use crate::sql::in_list;
use crate::{Error, Tx, on_tx};

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
