//! Technical data: site visits recorded, folded into daily counts, and the access log pruned.

use ixorg_domain::ids::ParticipantId;
use ixorg_domain::privacy::{Action, DataCategory};
use ixorg_domain::timestamp::Timestamp;
use time::Date;

use super::expiry::rule_of;
use crate::chain::{self, Chain, Head};
use crate::error::corrupt;
use crate::gate::Grant;
use crate::sql::value_rows;
use crate::{Error, Tx, on_tx};

use DataCategory::{PrivacyRecord, Technical};

/// What folding the expired site visits did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Folded {
    /// Visits deleted (each counted into the daily aggregate first).
    pub visits_deleted: u64,
    /// Rows of `site_visit_daily` added or increased.
    pub days_counted: u64,
}

/// The Julian day of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;
/// Aggregate rows written per statement.
const DAILY_CHUNK: usize = 1_000;

/// Folds site visits older than the technical-data rule allows (90 days) into the daily counts
/// per page, then deletes them (`PRIVACY.md` §1, promise P8).
pub async fn fold_site_visits(tx: &mut Tx, grant: &Grant, today: Date) -> Result<Folded, Error> {
    const GROUPED: &str = "SELECT visited_at_ms / 86400000, path, COUNT(*) FROM site_visit \
         WHERE visited_at_ms < $1 GROUP BY visited_at_ms / 86400000, path";
    const DELETE: &str = "DELETE FROM site_visit WHERE visited_at_ms < $1";
    grant.require(None, &[Technical], Action::Change)?;
    let Some(before) = rule_of(Technical)?.recorded_before(today) else {
        return Err(Error::Corrupt(
            "technical data is kept from when it was recorded".into(),
        ));
    };
    let before_ms = Timestamp::midnight_of(before).unix_ms();
    let groups: Vec<(i64, String, i64)> = on_tx!(tx, c => sqlx::query_as(GROUPED)
        .bind(before_ms)
        .fetch_all(&mut *c)
        .await)?;
    let backend = tx.backend();
    let mut days_counted = 0;
    for chunk in groups.chunks(DAILY_CHUNK) {
        let sql = format!(
            "INSERT INTO site_visit_daily (day, path, visits) VALUES {} \
             ON CONFLICT (day, path) DO UPDATE SET visits = site_visit_daily.visits + excluded.visits",
            value_rows(backend, chunk.len(), 3, "")
        );
        let rows = on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (day_number, path, visits) in chunk {
                let julian = i32::try_from(UNIX_EPOCH_JULIAN_DAY + day_number)
                    .map_err(|_| corrupt("site_visit", "visited_at_ms"))?;
                let day = Date::from_julian_day(julian)
                    .map_err(|_| corrupt("site_visit", "visited_at_ms"))?;
                q = q.bind(day).bind(path.as_str()).bind(*visits);
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
        days_counted += rows;
    }
    let visits_deleted = on_tx!(tx, c => sqlx::query(DELETE)
        .bind(before_ms)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(Folded {
        visits_deleted,
        days_counted,
    })
}

/// Deletes the access-log entries older than the privacy-record rule allows, as a prefix of the
/// chain: the chain's anchor moves first to the last entry deleted (its sequence and hash), so
/// verification starts from there and still finds any changed, removed or inserted entry after
/// it. Returns the entries deleted.
pub async fn prune_access_log(tx: &mut Tx, grant: &Grant, today: Date) -> Result<u64, Error> {
    const FIRST_KEPT: &str = "SELECT MIN(sequence) FROM access_log WHERE occurred_at_ms >= $1";
    const HASH_OF: &str = "SELECT entry_hash FROM access_log WHERE sequence = $1";
    const DELETE: &str = "DELETE FROM access_log WHERE sequence <= $1";
    grant.require(None, &[PrivacyRecord], Action::Change)?;
    let Some(before) = rule_of(PrivacyRecord)?.recorded_before(today) else {
        return Err(Error::Corrupt(
            "privacy records are kept by book year".into(),
        ));
    };
    let head = chain::lock_head(tx, Chain::AccessLog).await?;
    let anchor = chain::read_anchor(tx, Chain::AccessLog).await?;
    let first_kept: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(FIRST_KEPT)
        .bind(Timestamp::midnight_of(before).unix_ms())
        .fetch_one(&mut *c)
        .await)?;
    let last_pruned = first_kept.map_or(head.last_sequence, |s| s - 1);
    if last_pruned <= anchor.last_sequence {
        return Ok(0);
    }
    let hash: Vec<u8> = on_tx!(tx, c => sqlx::query_scalar(HASH_OF)
        .bind(last_pruned)
        .fetch_one(&mut *c)
        .await)?;
    let last_hash =
        chain::Hash::try_from(hash.as_slice()).map_err(|_| corrupt("access_log", "entry_hash"))?;
    chain::set_anchor(
        tx,
        Chain::AccessLog,
        Head {
            last_sequence: last_pruned,
            last_hash,
        },
    )
    .await?;
    let rows = on_tx!(tx, c => sqlx::query(DELETE)
        .bind(last_pruned)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(rows)
}

/// A site visit to record.
#[derive(Clone, PartialEq, Eq)]
pub struct NewVisit<'a> {
    /// When.
    pub visited_at: Timestamp,
    /// The page's path (ids already replaced by the caller).
    pub path: &'a str,
    /// The visitor's IP address, if known.
    pub ip_address: Option<&'a str>,
    /// The browser's user agent, if sent.
    pub user_agent: Option<&'a str>,
    /// The logged-in participant, if one.
    pub participant: Option<ParticipantId>,
}

impl std::fmt::Debug for NewVisit<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewVisit")
            .field("visited_at", &self.visited_at)
            .finish_non_exhaustive()
    }
}

/// Records one site visit (technical data, kept 90 days).
pub async fn insert_visit(tx: &mut Tx, grant: &Grant, visit: &NewVisit<'_>) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO site_visit (visited_at_ms, path, ip_address, user_agent, \
         participant_id) VALUES ($1, $2, $3, $4, $5)";
    grant.require(visit.participant, &[Technical], Action::Change)?;
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(visit.visited_at.unix_ms())
        .bind(visit.path)
        .bind(visit.ip_address)
        .bind(visit.user_agent)
        .bind(visit.participant.map(|p| p.uuid()))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
