//! The log of retention runs.

use time::Date;
use uuid::Uuid;

use ixorg_domain::timestamp::Timestamp;

use crate::{Error, Tx, on_tx};

/// One retention run as logged (counts only, never data).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunLog {
    /// The run's id.
    pub id: Uuid,
    /// When it ran.
    pub ran_at: Timestamp,
    /// The day it ran for.
    pub run_date: Date,
    /// Whether it was a dry run (nothing changed).
    pub dry_run: bool,
    /// The counts per category and table, as JSON.
    pub counts: String,
}

/// Logs a retention run. The log holds counts only, so it needs no grant.
pub async fn log_run(tx: &mut Tx, run: &RunLog) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO retention_run (retention_run_id, ran_at_ms, run_date, \
         dry_run, counts) VALUES ($1, $2, $3, $4, $5)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(run.id)
        .bind(run.ran_at.unix_ms())
        .bind(run.run_date)
        .bind(run.dry_run)
        .bind(run.counts.as_str())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The logged runs, newest first.
pub async fn runs(tx: &mut Tx, limit: i64) -> Result<Vec<RunLog>, Error> {
    const SQL: &str = "SELECT retention_run_id, ran_at_ms, run_date, dry_run, counts \
         FROM retention_run ORDER BY ran_at_ms DESC, retention_run_id DESC LIMIT $1";
    let rows: Vec<(Uuid, i64, Date, bool, String)> =
        on_tx!(tx, c => sqlx::query_as(SQL).bind(limit).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|(id, ran_at_ms, run_date, dry_run, counts)| RunLog {
            id,
            ran_at: Timestamp::from_unix_ms(ran_at_ms),
            run_date,
            dry_run,
            counts,
        })
        .collect())
}
