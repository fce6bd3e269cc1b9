//! Queries that only `ixorg-tools` (the demo, the generators and the benchmarks) uses. They
//! live here because this crate is the only one with SQL; no use case of `ixorg-app` calls them.

use ixorg_domain::privacy::{Action, DataCategory};
use time::Date;

use crate::gate::Grant;
use crate::{Error, Tx, on_tx};

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
