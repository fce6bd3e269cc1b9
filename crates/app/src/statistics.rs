//! `ixorg stats`: user statistics on aggregated data only (promise P18). The platform's own
//! `statistics` job counts in the database (through the gate, logged); only counts per group
//! leave the store, and the domain suppresses every group below ten before anything is shown.

use ixorg_domain::privacy::statistics::{RawCounts, Statistics, compile};
use ixorg_domain::privacy::{Action, Purpose};
use ixorg_store::statistics::{self as repo, STATISTICS_CATEGORIES};

use crate::access::{self, AccessError};
use crate::context::AppContext;

/// The job name in the access log.
pub const JOB: &str = "statistics";

/// Counts and publishes the statistics, with ages on today's date.
pub async fn statistics(ctx: &AppContext) -> Result<Statistics, AccessError> {
    let mut tx = ctx.db.begin().await?;
    let grant = access::job_grant(
        ctx,
        &mut tx,
        JOB,
        Purpose::Statistics,
        STATISTICS_CATEGORIES.to_vec(),
        Action::Read,
    )
    .await?;
    let raw = RawCounts {
        births: repo::participants_by_birth_date(&mut tx, &grant).await?,
        genders: repo::participants_by_gender(&mut tx, &grant).await?,
        areas: repo::participants_by_postcode_area(&mut tx, &grant).await?,
        declarations: repo::declarations_by_code_and_month(&mut tx, &grant).await?,
        month_persons: repo::declaring_participants_by_month(&mut tx, &grant).await?,
        codes: repo::treatment_codes(&mut tx).await?,
    };
    tx.commit().await?;
    Ok(compile(&raw, ctx.clock.today()))
}
