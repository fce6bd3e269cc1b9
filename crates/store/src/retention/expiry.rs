//! The retention job's bulk expiry: per category, what its rule says has expired on a day.

use ixorg_domain::identifiers::ParticipantNumber;
use ixorg_domain::privacy::retention::{self, RetentionRule, Start};
use ixorg_domain::privacy::{Action, DataCategory};
use ixorg_domain::timestamp::Timestamp;
use time::Date;
use uuid::Uuid;

use super::statements::{Bound, EXPIRE};
use crate::error::corrupt;
use crate::gate::Grant;
use crate::sql::value_rows;
use crate::{Backend, Error, Tx, on_tx};

use DataCategory::Account;

/// Rows changed in one table for one category.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counted {
    /// The category whose data was removed.
    pub category: DataCategory,
    /// The table.
    pub table: &'static str,
    /// Rows changed or deleted.
    pub rows: u64,
}

/// The statement's `$1` for `today`, or `None` when the rule gives none (a rule that does not
/// fit the statement: a bug in the table above, refused rather than guessed).
pub(super) fn bound_for(rule: &RetentionRule, bound: Bound, today: Date) -> Option<BoundValue> {
    match bound {
        Bound::EndedBy => rule.relation_ended_by(today).map(BoundValue::Date),
        Bound::Before => rule.recorded_before(today).map(BoundValue::Date),
        Bound::BeforeMs => rule
            .recorded_before(today)
            .map(|d| BoundValue::Ms(Timestamp::midnight_of(d).unix_ms())),
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) enum BoundValue {
    Date(Date),
    Ms(i64),
}

pub(super) fn rule_of(category: DataCategory) -> Result<&'static RetentionRule, Error> {
    retention::rule(category).ok_or(Error::Corrupt("a category without a retention rule".into()))
}

async fn run_bound(tx: &mut Tx, sql: &'static str, value: BoundValue) -> Result<u64, Error> {
    let rows = match value {
        BoundValue::Date(d) => on_tx!(tx, c => sqlx::query(sql).bind(d).execute(&mut *c).await
                .map(|r| r.rows_affected()))?,
        BoundValue::Ms(ms) => on_tx!(tx, c => sqlx::query(sql).bind(ms).execute(&mut *c).await
                .map(|r| r.rows_affected()))?,
    };
    Ok(rows)
}

/// Removes the data of `category` that expired on `today`, in every table that holds it
/// (technical data and the access log: see [`fold_site_visits`], [`prune_access_log`]).
/// Returns the rows changed per table (tables without changes included, with 0).
pub async fn expire_category(
    tx: &mut Tx,
    grant: &Grant,
    category: DataCategory,
    today: Date,
    now: Timestamp,
) -> Result<Vec<Counted>, Error> {
    grant.require(None, &[category], Action::Change)?;
    let rule = rule_of(category)?;
    let backend = tx.backend();
    let mut out = Vec::new();
    for s in EXPIRE.iter().filter(|s| s.category == category) {
        let Some(value) = bound_for(rule, s.bound, today) else {
            return Err(Error::Corrupt(
                "a retention statement does not fit its rule".into(),
            ));
        };
        let sql = match (backend, s.postgres) {
            (Backend::Postgres, Some(pg)) => pg,
            _ => s.sql,
        };
        let rows = run_bound(tx, sql, value).await?;
        out.push(Counted {
            category,
            table: s.table,
            rows,
        });
    }
    if category == Account {
        let rows = close_expired_accounts(tx, rule, today, now).await?;
        out.push(Counted {
            category,
            table: "participant",
            rows,
        });
    }
    Ok(out)
}

/// How many participants get a fresh number per statement.
const RENUMBER_CHUNK: usize = 500;

/// Closes the accounts of participants whose account data expired: each gets a fresh
/// participant number that nobody was ever told, so the old one leads nowhere.
async fn close_expired_accounts(
    tx: &mut Tx,
    rule: &RetentionRule,
    today: Date,
    now: Timestamp,
) -> Result<u64, Error> {
    const DUE: &str = concat!(
        "SELECT participant_id FROM participant WHERE account_closed_at_ms IS NULL \
         AND participant_id IN (",
        ended_by!(),
        ") ORDER BY participant_id LIMIT $2"
    );
    if rule.start != Start::EndOfRelation {
        return Err(Error::Corrupt(
            "account data expires with the contract".into(),
        ));
    }
    let Some(ended_by) = rule.relation_ended_by(today) else {
        return Ok(0);
    };
    let limit = i64::try_from(RENUMBER_CHUNK).expect("BUG: the chunk is small");
    let mut total = 0;
    loop {
        let ids: Vec<Uuid> = on_tx!(tx, c => sqlx::query_scalar(DUE)
            .bind(ended_by)
            .bind(limit)
            .fetch_all(&mut *c)
            .await)?;
        if ids.is_empty() {
            return Ok(total);
        }
        total += renumber(tx, &ids, now).await?;
    }
}

/// Gives each participant in `ids` a fresh participant number and records when the account
/// was closed.
pub(super) async fn renumber(tx: &mut Tx, ids: &[Uuid], now: Timestamp) -> Result<u64, Error> {
    const DRAW: &str = "UPDATE sequence_counter SET next_value = next_value + $1 \
         WHERE counter_name = 'participant_number' RETURNING next_value - $1";
    let n = i64::try_from(ids.len()).map_err(|_| corrupt("participant", "participant_id"))?;
    let first: i64 = on_tx!(tx, c => sqlx::query_scalar(DRAW).bind(n).fetch_one(&mut *c).await)?;
    let numbers = (first..first + n)
        .map(|seq| {
            u32::try_from(seq)
                .ok()
                .and_then(|s| ParticipantNumber::from_sequence(s).ok())
                .ok_or_else(|| corrupt("sequence_counter", "next_value"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let sql = format!(
        "UPDATE participant SET participant_number = v.column2, account_closed_at_ms = {} \
         FROM (VALUES {}) AS v WHERE participant.participant_id = v.column1",
        now.unix_ms(),
        value_rows(tx.backend(), ids.len(), 2, "")
    );
    let rows = on_tx!(tx, c => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
        for (id, number) in ids.iter().zip(&numbers) {
            q = q.bind(*id).bind(number.as_str().to_owned());
        }
        q.execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    Ok(rows)
}
