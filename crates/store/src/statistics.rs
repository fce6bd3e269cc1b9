//! The counts behind the user statistics (`ixorg stats`): grouped in SQL, so no row about a
//! person leaves the database, only counts per group. Suppression of small groups is the
//! domain's rule (`ixorg_domain::privacy::statistics`), applied before anything is shown.

use ixorg_domain::privacy::statistics::Group;
use ixorg_domain::privacy::{Action, DataCategory};
use time::Date;

use crate::gate::Grant;
use crate::{Backend, Error, Tx, on_tx};

/// The categories the statistics count over.
pub const STATISTICS_CATEGORIES: &[DataCategory] = &[
    DataCategory::Identity,
    DataCategory::Contact,
    DataCategory::Care,
];

/// Participants (not erased) per date of birth.
pub async fn participants_by_birth_date(
    tx: &mut Tx,
    grant: &Grant,
) -> Result<Vec<(Date, i64)>, Error> {
    const SQL: &str = "SELECT date_of_birth, COUNT(*) FROM participant \
         WHERE erased_at_ms IS NULL GROUP BY date_of_birth ORDER BY date_of_birth";
    grant.require(None, &[DataCategory::Identity], Action::Read)?;
    Ok(on_tx!(tx, c => sqlx::query_as(SQL).fetch_all(&mut *c).await)?)
}

/// Participants (not erased) per gender.
pub async fn participants_by_gender(
    tx: &mut Tx,
    grant: &Grant,
) -> Result<Vec<(String, i64)>, Error> {
    const SQL: &str = "SELECT gender, COUNT(*) FROM participant \
         WHERE erased_at_ms IS NULL GROUP BY gender ORDER BY gender";
    grant.require(None, &[DataCategory::Identity], Action::Read)?;
    Ok(on_tx!(tx, c => sqlx::query_as(SQL).fetch_all(&mut *c).await)?)
}

/// Participants (not erased) per two-digit postcode area.
pub async fn participants_by_postcode_area(
    tx: &mut Tx,
    grant: &Grant,
) -> Result<Vec<(String, i64)>, Error> {
    const SQL: &str = "SELECT substr(postcode, 1, 2) AS area, COUNT(*) FROM participant \
         WHERE erased_at_ms IS NULL GROUP BY substr(postcode, 1, 2) ORDER BY area";
    grant.require(None, &[DataCategory::Contact], Action::Read)?;
    Ok(on_tx!(tx, c => sqlx::query_as(SQL).fetch_all(&mut *c).await)?)
}

/// `YYYY-MM` of `treatment_date` in each dialect.
fn month_of(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "substr(treatment_date, 1, 7)",
        Backend::Postgres => "to_char(treatment_date, 'YYYY-MM')",
    }
}

/// Declaration lines per (treatment code, month): lines and distinct participants.
pub async fn declarations_by_code_and_month(
    tx: &mut Tx,
    grant: &Grant,
) -> Result<Vec<(String, String, Group)>, Error> {
    grant.require(None, &[DataCategory::Care], Action::Read)?;
    let month = month_of(tx.backend());
    // The month expression is one of two constants, not input.
    let sql = format!(
        "SELECT code, {month} AS month, COUNT(*), COUNT(DISTINCT participant_id) \
         FROM declaration_line GROUP BY code, {month} ORDER BY code, month"
    );
    let rows: Vec<(String, String, i64, i64)> = on_tx!(tx, c =>
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|(code, month, count, persons)| (code, month, Group { count, persons }))
        .collect())
}

/// Distinct participants with a declaration line, per month.
pub async fn declaring_participants_by_month(
    tx: &mut Tx,
    grant: &Grant,
) -> Result<Vec<(String, i64)>, Error> {
    grant.require(None, &[DataCategory::Care], Action::Read)?;
    let month = month_of(tx.backend());
    // The month expression is one of two constants, not input.
    let sql = format!(
        "SELECT {month} AS month, COUNT(DISTINCT participant_id) FROM declaration_line \
         GROUP BY {month} ORDER BY month"
    );
    Ok(on_tx!(tx, c =>
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).fetch_all(&mut *c).await)?)
}

/// Every treatment code of the tariff table (reference data, no personal data).
pub async fn treatment_codes(tx: &mut Tx) -> Result<Vec<String>, Error> {
    const SQL: &str = "SELECT code FROM tariff_code ORDER BY code";
    Ok(on_tx!(tx, c => sqlx::query_scalar(SQL).fetch_all(&mut *c).await)?)
}
