//! Collection runs: one a collection date, with its message id and totals.

use ixorg_domain::Cents;
use ixorg_domain::collection::SequenceType;
use ixorg_domain::ids::CollectionRunId;
use ixorg_domain::timestamp::Timestamp;
use time::Date;
use uuid::Uuid;

use super::contributions::stored_sequence_type;
use crate::{Error, Tx, on_tx};

/// A collection run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectionRun {
    /// Its id.
    pub id: CollectionRunId,
    /// The requested collection date.
    pub collection_date: Date,
    /// The pain.008 message id.
    pub message_id: String,
    /// Number of direct debits.
    pub transactions: i64,
    /// Their sum.
    pub control_sum: Cents,
    /// When the run was made (the file's creation time).
    pub created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct RunRow {
    collection_run_id: Uuid,
    collection_date: Date,
    message_id: String,
    transactions: i64,
    control_sum_cents: i64,
    created_at_ms: i64,
}

impl From<RunRow> for CollectionRun {
    fn from(r: RunRow) -> Self {
        CollectionRun {
            id: CollectionRunId::from_uuid(r.collection_run_id),
            collection_date: r.collection_date,
            message_id: r.message_id,
            transactions: r.transactions,
            control_sum: Cents::new(r.control_sum_cents),
            created_at: Timestamp::from_unix_ms(r.created_at_ms),
        }
    }
}

/// The run for a collection date, if one was made.
pub async fn run_by_date(tx: &mut Tx, date: Date) -> Result<Option<CollectionRun>, Error> {
    const SQL: &str = "SELECT collection_run_id, collection_date, message_id, transactions, \
         control_sum_cents, created_at_ms FROM collection_run WHERE collection_date = $1";
    let row: Option<RunRow> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(date)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(row.map(CollectionRun::from))
}

/// The run whose pain.008 carried `message_id`, if we sent one.
pub async fn run_by_message_id(
    tx: &mut Tx,
    message_id: &str,
) -> Result<Option<CollectionRun>, Error> {
    const SQL: &str = "SELECT collection_run_id, collection_date, message_id, transactions, \
         control_sum_cents, created_at_ms FROM collection_run WHERE message_id = $1";
    let row: Option<RunRow> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(message_id)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(row.map(CollectionRun::from))
}

/// Stores a run.
pub async fn insert_run(tx: &mut Tx, run: &CollectionRun) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO collection_run (collection_run_id, collection_date, message_id, \
         transactions, control_sum_cents, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(run.id.uuid())
        .bind(run.collection_date)
        .bind(run.message_id.as_str())
        .bind(run.transactions)
        .bind(run.control_sum.get())
        .bind(run.created_at.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Sets a run's totals once all its contributions are stored.
pub async fn set_run_totals(
    tx: &mut Tx,
    run: CollectionRunId,
    transactions: i64,
    control_sum: Cents,
) -> Result<(), Error> {
    const SQL: &str = "UPDATE collection_run SET transactions = $1, control_sum_cents = $2 \
         WHERE collection_run_id = $3";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(transactions)
        .bind(control_sum.get())
        .bind(run.uuid())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Number and sum of a run's direct debits per sequence type, in file order.
pub async fn run_totals(
    tx: &mut Tx,
    run: CollectionRunId,
) -> Result<Vec<(SequenceType, i64, Cents)>, Error> {
    const SQL: &str = "SELECT sequence_type, COUNT(*), CAST(SUM(amount_cents) AS BIGINT) \
         FROM contribution WHERE collection_run_id = $1 GROUP BY sequence_type \
         ORDER BY sequence_type";
    let rows: Vec<(String, i64, i64)> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(run.uuid())
        .fetch_all(&mut *c)
        .await)?;
    rows.into_iter()
        .map(|(s, n, sum)| Ok((stored_sequence_type(&s)?, n, Cents::new(sum))))
        .collect()
}
