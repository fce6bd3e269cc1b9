//! Retention (`PRIVACY.md` §6) and erasure (§5, GDPR art. 17/18).
//!
//! [`run`] removes what the retention rules say has expired on a day, one category per
//! transaction, and logs what it did (counts, never data); a dry run does the same work and
//! rolls every part back. [`erase_participant`] carries out an erasure decision inside the
//! caller's transaction: everything no law obliges the operator to keep is erased, the rest is
//! kept and restricted, and the outcome says what was kept and why.

use std::fmt::Write as _;

use ixorg_domain::ids::{ParticipantId, PrivacyRequestId};
use ixorg_domain::privacy::retention::erasure_plan;
use ixorg_domain::privacy::{Action, DataCategory, Purpose, Refusal};
use ixorg_store::Tx;
use ixorg_store::gate::Grant;
use ixorg_store::retention::{self as repo, RunLog};
use time::Date;
use uuid::Uuid;

use crate::access::{AccessError, job_grant};
use crate::context::AppContext;

pub use ixorg_store::retention::Counted;

/// The job name in the access log.
const JOB: &str = "retention";

/// The order in which the run goes through the categories: technical data first (the most
/// often due), the access log last (so the run's own entries are written before it is pruned).
pub const RUN_ORDER: &[DataCategory] = &[
    DataCategory::Technical,
    DataCategory::NationalId,
    DataCategory::ProviderLink,
    DataCategory::Contact,
    DataCategory::Account,
    DataCategory::Consent,
    DataCategory::Identity,
    DataCategory::Financial,
    DataCategory::Care,
    DataCategory::PrivacyRecord,
];

/// What a retention run did (or, dry, would do).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetentionReport {
    /// The run's id in the `retention_run` log.
    pub id: Uuid,
    /// The day the rules were applied for.
    pub run_date: Date,
    /// True when nothing was changed.
    pub dry_run: bool,
    /// Rows changed per category and table, in [`RUN_ORDER`].
    pub counts: Vec<Counted>,
}

impl RetentionReport {
    /// All rows changed.
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|c| c.rows).sum()
    }

    /// The rows changed for one category.
    pub fn rows(&self, category: DataCategory) -> u64 {
        self.counts
            .iter()
            .filter(|c| c.category == category)
            .map(|c| c.rows)
            .sum()
    }

    /// The counts as JSON: `[{"category":…,"table":…,"rows":…}, …]` (names and numbers only).
    pub fn counts_json(&self) -> String {
        let mut out = String::from("[");
        for (i, c) in self.counts.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(
                out,
                "{{\"category\":\"{}\",\"table\":\"{}\",\"rows\":{}}}",
                c.category, c.table, c.rows
            );
        }
        out.push(']');
        out
    }
}

/// Why retention or an erasure could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    /// The gate refused the access (for the job: the policy no longer lets it run).
    #[error("access refused: {0}")]
    Refused(Refusal),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] ixorg_store::Error),
}

impl From<AccessError> for RetentionError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Refused(r) => RetentionError::Refused(r),
            AccessError::Store(s) => RetentionError::Store(s),
        }
    }
}

/// Applies the retention rules for `today`; see [`run_with_progress`].
pub async fn run(
    ctx: &AppContext,
    today: Date,
    dry_run: bool,
) -> Result<RetentionReport, RetentionError> {
    run_with_progress(ctx, today, dry_run, &|_, _| {}).await
}

/// Applies the retention rules for `today`: per category, in its own transaction with a job
/// grant (`legal_obligation`, change), the expired data is anonymised or deleted; on a dry run
/// each transaction is rolled back, so nothing changes but the counts are exact. The run is
/// logged in `retention_run` either way. `progress` is told each category when it is done,
/// with its rows.
pub async fn run_with_progress(
    ctx: &AppContext,
    today: Date,
    dry_run: bool,
    progress: &(dyn Fn(DataCategory, u64) + Sync),
) -> Result<RetentionReport, RetentionError> {
    let mut counts = Vec::new();
    for &category in RUN_ORDER {
        let mut tx = ctx.db.begin().await?;
        let grant = job_grant(
            ctx,
            &mut tx,
            JOB,
            Purpose::LegalObligation,
            vec![category],
            Action::Change,
        )
        .await?;
        let part = expire(ctx, &mut tx, &grant, category, today).await?;
        if dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        let rows = part.iter().map(|c| c.rows).sum();
        tracing::info!(category = %category, rows, dry_run, "Retention: category done");
        progress(category, rows);
        counts.extend(part);
    }
    let report = RetentionReport {
        id: ctx.ids.new_uuid(),
        run_date: today,
        dry_run,
        counts,
    };
    let mut tx = ctx.db.begin().await?;
    repo::log_run(
        &mut tx,
        &RunLog {
            id: report.id,
            ran_at: ctx.now(),
            run_date: today,
            dry_run,
            counts: report.counts_json(),
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(rows = report.total(), dry_run, run_date = %today, "Retention run done");
    Ok(report)
}

/// One category's part of the run.
async fn expire(
    ctx: &AppContext,
    tx: &mut Tx,
    grant: &Grant,
    category: DataCategory,
    today: Date,
) -> Result<Vec<Counted>, RetentionError> {
    Ok(match category {
        DataCategory::Technical => {
            let folded = repo::fold_site_visits(tx, grant, today).await?;
            vec![
                Counted {
                    category,
                    table: "site_visit",
                    rows: folded.visits_deleted,
                },
                Counted {
                    category,
                    table: "site_visit_daily",
                    rows: folded.days_counted,
                },
            ]
        }
        DataCategory::PrivacyRecord => {
            let mut part = repo::expire_category(tx, grant, category, today, ctx.now()).await?;
            let pruned = repo::prune_access_log(tx, grant, today).await?;
            part.push(Counted {
                category,
                table: "access_log",
                rows: pruned,
            });
            part
        }
        _ => repo::expire_category(tx, grant, category, today, ctx.now()).await?,
    })
}

/// The runs logged so far, newest first (counts only).
pub async fn runs(ctx: &AppContext, limit: i64) -> Result<Vec<RunLog>, ixorg_store::Error> {
    let mut tx = ctx.db.begin_read().await?;
    let runs = repo::runs(&mut tx, limit).await?;
    tx.commit().await?;
    Ok(runs)
}

/// What an erasure did: rows erased per category, and what was kept and why (to tell the
/// participant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErasureOutcome {
    /// Categories erased or anonymised, with the rows changed (0: there was nothing).
    pub erased: Vec<(DataCategory, u64)>,
    /// Categories kept under a legal duty, restricted, each with its ground in words.
    pub kept: Vec<(DataCategory, &'static str)>,
}

/// The categories the grant given to [`erase_participant`] must cover (action `change`, the
/// participant as subject): every category an erasure removes, and `privacy_record` for the
/// restriction it records.
pub fn erasure_grant_categories() -> Vec<DataCategory> {
    let mut out = erasure_plan().erased_categories();
    out.push(DataCategory::PrivacyRecord);
    out
}

/// Carries out an erasure decision for `participant` in the caller's transaction and with the
/// caller's grant (see [`erasure_grant_categories`]): erases every category no law obliges the
/// operator to keep, restricts what is kept (only `audit` and `legal_obligation` may read it
/// from now on) and records when the erasure was done. Repeating it changes nothing more.
pub async fn erase_participant(
    ctx: &AppContext,
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
    request: Option<PrivacyRequestId>,
) -> Result<ErasureOutcome, RetentionError> {
    let plan = erasure_plan();
    let now = ctx.now();
    let erased_categories = plan.erased_categories();
    let changed = repo::erase(tx, grant, participant, &erased_categories, now).await?;
    let kept_categories = plan.kept_categories();
    repo::restrict(tx, grant, participant, request, &kept_categories, now).await?;
    repo::mark_erased(tx, grant, participant, now).await?;
    let erased = erased_categories
        .into_iter()
        .map(|category| {
            let rows = changed
                .iter()
                .filter(|c| c.category == category)
                .map(|c| c.rows)
                .sum();
            (category, rows)
        })
        .collect();
    tracing::info!("Erasure carried out; kept data restricted");
    Ok(ErasureOutcome {
        erased,
        kept: plan.kept,
    })
}
