//! The demo's year as it happened: households join month by month, each month's collection run
//! (its pain.008), the bank's camt.053 with some returns and its reconciliation, MZ301 files
//! from two practices (imported, answered with an MZ302) and the payout run with the bank's
//! statement confirming it. Each step runs through the real use cases with the clock set to
//! its day, so every figure carries the date it would have had.

use std::path::Path;
use std::sync::Arc;

use ixorg_app::AppContext;
use ixorg_app::context::FixedClock;
use ixorg_app::participants::{self, NewHousehold};
use ixorg_domain::ids::ParticipantId;
use ixorg_domain::privacy::Actor;
use ixorg_domain::terms::HouseholdRole;
use time::{Date, Duration, Month, OffsetDateTime};

use super::parties::DemoPractice;
use crate::declarations::{self, Mz301Spec};

/// How many monthly collection runs the demo makes.
pub const MONTHS: usize = 12;

/// Percentage of direct debits the simulated bank returns.
const RETURNS_PERCENT: u8 = 3;

/// MZ301 files per month (each from another practice).
const FILES_PER_MONTH: usize = 2;

/// Declaration lines per participant over the year, in the MZ301 files.
const LINES_PER_PARTICIPANT_YEAR: usize = 4;

/// `ctx` with its clock standing at `instant`, or at its own now when that is earlier (the demo
/// never writes a future instant).
pub fn at(ctx: &AppContext, instant: OffsetDateTime) -> AppContext {
    let mut moved = ctx.clone();
    moved.clock = Arc::new(FixedClock(instant.min(ctx.clock.now())));
    moved
}

/// `date` at `hour`:00 UTC.
pub fn on(date: Date, hour: u8) -> OffsetDateTime {
    date.with_hms(hour, 0, 0)
        .unwrap_or_else(|_| date.midnight())
        .assume_utc()
}

/// The dates of the last [`MONTHS`] collection runs up to `today`, oldest first.
pub fn collection_dates(ctx: &AppContext, today: Date) -> anyhow::Result<Vec<Date>> {
    let mut dates = Vec::with_capacity(MONTHS + 1);
    let (mut year, mut month) = (today.year(), today.month());
    for _ in 0..=MONTHS {
        let terms = ctx.terms.resolve(today)?;
        let date = ixorg_domain::collection::collection_date(terms, year, month);
        if date <= today {
            dates.push(date);
        }
        if month == Month::January {
            year -= 1;
        }
        month = month.previous();
    }
    dates.truncate(MONTHS);
    dates.reverse();
    Ok(dates)
}

/// What the year did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Year {
    /// Every participant registered, with their household role.
    pub members: Vec<(ParticipantId, HouseholdRole)>,
    /// Collection runs made.
    pub runs: usize,
    /// Direct debits returned.
    pub returned: u64,
    /// MZ301 files imported.
    pub mz301_files: usize,
    /// Lines in them, per outcome name.
    pub mz301_outcomes: std::collections::BTreeMap<&'static str, u64>,
    /// Credit transfers of the payout runs.
    pub payouts: i64,
}

/// Runs the year for `households` (each registered a week before its start, or before the
/// first run when it started earlier) over the collection `dates`.
pub async fn run(
    ctx: &AppContext,
    dates: &[Date],
    households: Vec<NewHousehold>,
    practices: &[DemoPractice],
    files: &Path,
) -> anyhow::Result<Year> {
    let mut year = Year::default();
    let mut waiting = households;
    // Oldest start first, so each month takes the households due from the front.
    waiting.sort_by_key(|h| h.start_date);
    let mut waiting = waiting.into_iter().peekable();
    let senders: Vec<&DemoPractice> = practices.iter().filter(|p| !p.billed_by_bureau).collect();
    let mut participants = 0usize;
    for (k, date) in dates.iter().enumerate() {
        let month_ctx = at(ctx, on(*date, 6));
        let horizon = dates.get(k + 1).copied().unwrap_or(Date::MAX);
        let mut due = Vec::new();
        while let Some(h) = waiting.next_if(|h| h.start_date - Duration::days(7) < horizon) {
            due.push(mandate_before(h, *date));
        }
        participants += due.iter().map(|h| h.members.len()).sum::<usize>();
        register(&month_ctx, due, &mut year).await?;
        collect_month(&month_ctx, *date, files, &mut year).await?;
        let lines = (participants * LINES_PER_PARTICIPANT_YEAR / (MONTHS * FILES_PER_MONTH)).max(1);
        let send_ctx = at(ctx, on(*date + Duration::days(3), 10));
        for f in 0..FILES_PER_MONTH {
            let Some(sender) = senders.get((k * FILES_PER_MONTH + f) % senders.len().max(1)) else {
                continue;
            };
            import_month(
                &send_ctx,
                sender,
                lines,
                (k * FILES_PER_MONTH + f) as u64,
                files,
                &mut year,
            )
            .await?;
        }
        let pay_ctx = at(ctx, on(*date + Duration::days(4), 8));
        pay_month(&pay_ctx, files, &mut year).await?;
    }
    Ok(year)
}

/// The mandate is signed before the household is registered (a start long ago keeps its own
/// signing date).
fn mandate_before(mut household: NewHousehold, registered_on: Date) -> NewHousehold {
    household.mandate_signed_on = household.mandate_signed_on.min(registered_on);
    household
}

async fn register(
    ctx: &AppContext,
    households: Vec<NewHousehold>,
    year: &mut Year,
) -> anyhow::Result<()> {
    if households.is_empty() {
        return Ok(());
    }
    let roles: Vec<Vec<HouseholdRole>> = households
        .iter()
        .map(|h| h.members.iter().map(|m| m.role).collect())
        .collect();
    let chunks = roles.len().div_ceil(participants::HOUSEHOLDS_PER_CALL_MAX);
    let mut households = households.into_iter();
    let mut registered = Vec::new();
    for _ in 0..chunks {
        let chunk: Vec<_> = households
            .by_ref()
            .take(participants::HOUSEHOLDS_PER_CALL_MAX)
            .collect();
        let actor = Actor::System("demo".into());
        registered.extend(participants::register_households(ctx, actor, chunk).await?);
    }
    for (household, roles) in registered.iter().zip(roles) {
        for ((id, ..), role) in household.members.iter().zip(roles) {
            year.members.push((*id, role));
        }
    }
    Ok(())
}

async fn collect_month(
    ctx: &AppContext,
    date: Date,
    files: &Path,
    year: &mut Year,
) -> anyhow::Result<()> {
    let stem = format!("{}-{:02}", date.year(), u8::from(date.month()));
    let pain008 = files.join(format!("pain008-{stem}.xml"));
    let report = ixorg_app::collections::collect(ctx, date, &pain008, &|_| {}).await?;
    if report.file.is_none() {
        return Ok(());
    }
    year.runs += 1;
    let camt = files.join(format!("camt053-{stem}.xml"));
    let seed = u64::from(u8::from(date.month())) + 100 * u64::try_from(date.year()).unwrap_or(0);
    crate::bank::camt053_for_collection(ctx, date, RETURNS_PERCENT, seed, &camt).await?;
    let reconciled = ixorg_app::reconciliation::reconcile(ctx, &std::fs::read(&camt)?).await?;
    year.returned += reconciled.returned;
    Ok(())
}

async fn import_month(
    ctx: &AppContext,
    sender: &DemoPractice,
    lines: usize,
    seed: u64,
    files: &Path,
    year: &mut Year,
) -> anyhow::Result<()> {
    let today = ctx.clock.today();
    let stem = format!("{today}-{}", sender.agb.as_str());
    let mz301 = files.join(format!("mz301-{stem}.asc"));
    let spec = Mz301Spec {
        practice: Some(sender.agb.clone()),
        days_back: 35,
    };
    let lines = lines.clamp(1, declarations::LINES_MAX);
    match declarations::mz301_for(ctx, lines, 2026 + seed, &mz301, &spec).await {
        Ok(_) => {}
        // Nobody's contract has started yet: the practice has nothing to declare this month.
        Err(declarations::GenerateMz301Error::NoParticipants) => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    let mz302 = files.join(format!("mz302-{stem}.asc"));
    let report =
        ixorg_app::declarations::import::import_mz301(ctx, &mz301, &mz302, &|_| {}).await?;
    year.mz301_files += 1;
    for (outcome, n, _) in report.outcomes {
        *year.mz301_outcomes.entry(outcome.as_str()).or_default() += n;
    }
    Ok(())
}

async fn pay_month(ctx: &AppContext, files: &Path, year: &mut Year) -> anyhow::Result<()> {
    let today = ctx.clock.today();
    let pain001 = files.join(format!("payout-{today}.xml"));
    let payout = ixorg_app::payouts::payout(ctx, today, &pain001).await?;
    if let Some(run) = payout.run {
        year.payouts += run.transactions;
        let statement = files.join(format!("payout-{today}-camt053.xml"));
        crate::bank::camt053_for_payouts(ctx, today, &statement).await?;
        ixorg_app::reconciliation::reconcile(ctx, &std::fs::read(&statement)?).await?;
    }
    Ok(())
}
