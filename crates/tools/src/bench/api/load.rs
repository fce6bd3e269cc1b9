//! Runs the clients of `bench api` and sums up what they measured; reads the stored lines back.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use ixorg_app::AppContext;
use ixorg_app::declarations::fhir::ApiClient;
use ixorg_app::domain::ids::Uuid;

use super::Plan;
use super::client::{ClientRun, OUTCOMES, client};

/// How often the progress is told the lines accepted so far.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// Runs every client until the plan's duration has passed and merges what they measured.
/// `progress` is told the lines accepted so far every [`PROGRESS_EVERY`] while they run.
pub(super) async fn load(
    plan: &Arc<Plan>,
    progress: &(dyn Fn(&str, u64) + Sync),
) -> anyhow::Result<Load> {
    let started = Instant::now();
    let tasks: Vec<_> = (0..plan.clients)
        .map(|index| tokio::spawn(client(Arc::clone(plan), index, started)))
        .collect();
    let mut runs = Vec::with_capacity(tasks.len());
    for mut task in tasks {
        let run = loop {
            progress("load", plan.lines_done.load(Ordering::Relaxed));
            tokio::select! {
                run = &mut task => break run.context("A client task failed")?,
                () = tokio::time::sleep(PROGRESS_EVERY) => {}
            }
        };
        runs.push(run);
    }
    let elapsed = started.elapsed();
    Ok(Load::merge(plan, runs, elapsed))
}

/// What all clients measured together.
#[derive(Clone, Debug)]
pub struct Load {
    clients: usize,
    /// The offered rate (`--rate`), if any.
    rate: Option<u64>,
    lines_per_request: usize,
    /// Requests sent.
    pub requests: u64,
    created: u64,
    /// Requests not answered with 201 Created.
    pub failed: u64,
    failures: std::collections::BTreeMap<u16, u64>,
    /// Lines accepted in 201 answers.
    pub lines_created: u64,
    outcomes: [u64; 4],
    /// Every request's latency in microseconds, sorted.
    latencies_us: Vec<u32>,
    /// From the start of the first request to the last answer.
    elapsed: Duration,
    /// The batches answered with 201.
    pub batches: Vec<Uuid>,
}

impl Load {
    fn merge(plan: &Plan, runs: Vec<ClientRun>, elapsed: Duration) -> Load {
        let mut load = Load {
            clients: plan.clients,
            rate: plan.rate,
            lines_per_request: plan.lines_per_request,
            requests: 0,
            created: 0,
            failed: 0,
            failures: std::collections::BTreeMap::new(),
            lines_created: 0,
            outcomes: [0; 4],
            latencies_us: Vec::new(),
            elapsed,
            batches: Vec::new(),
        };
        for run in runs {
            load.requests += run.latencies_us.len() as u64;
            load.created += run.created;
            for (status, n) in run.failures {
                load.failed += n;
                *load.failures.entry(status).or_default() += n;
            }
            load.lines_created += run.lines_created;
            for (total, n) in load.outcomes.iter_mut().zip(run.outcomes) {
                *total += n;
            }
            load.latencies_us.extend(run.latencies_us);
            load.batches.extend(run.batches);
        }
        load.latencies_us.sort_unstable();
        load
    }

    /// The latency at `per_mille` ‰ by nearest rank, in microseconds.
    fn percentile_us(&self, per_mille: usize) -> u32 {
        let n = self.latencies_us.len();
        let rank = (per_mille * n).div_ceil(1_000).max(1);
        self.latencies_us.get(rank - 1).copied().unwrap_or(0)
    }

    /// Accepted lines (in 201 answers) per second of wall time.
    fn lines_per_second(&self) -> u64 {
        let micros = self.elapsed.as_micros().max(1);
        u64::try_from(u128::from(self.lines_created) * 1_000_000 / micros).unwrap_or(u64::MAX)
    }

    /// The result line, naming the database kind `database`.
    pub fn summary(&self, database: &str) -> String {
        let errors = if self.failures.is_empty() {
            "0 errors".to_owned()
        } else {
            let each: Vec<String> = self
                .failures
                .iter()
                .map(|(status, n)| format!("{n} × {status}"))
                .collect();
            format!("{} errors ({})", self.failed, each.join(", "))
        };
        let outcomes: Vec<String> = OUTCOMES
            .iter()
            .zip(self.outcomes)
            .map(|(name, n)| format!("{n} {name}"))
            .collect();
        let ms = self.elapsed.as_millis();
        let pace = self.rate.map_or_else(
            || "back to back".to_owned(),
            |rate| format!("offered {rate} lines/s"),
        );
        format!(
            "bench api: {} clients × {} lines per request, {pace}, for {}.{:02} s: {} \
             requests, {} created, {errors}; {} lines = {} lines/s; latency p50 {} ms, p90 {} \
             ms, p99 {} ms, max {} ms; lines {}; database {database}",
            self.clients,
            self.lines_per_request,
            ms / 1_000,
            ms % 1_000 / 10,
            self.requests,
            self.created,
            self.lines_created,
            self.lines_per_second(),
            millis(self.percentile_us(500)),
            millis(self.percentile_us(900)),
            millis(self.percentile_us(990)),
            millis(self.latencies_us.last().copied().unwrap_or(0)),
            outcomes.join(", "),
        )
    }
}

/// Microseconds as milliseconds with one decimal.
fn millis(us: u32) -> String {
    format!("{}.{}", us / 1_000, us % 1_000 / 100)
}

/// The lines stored for `batches`, read back through the app as the client would see them.
pub(super) async fn stored_lines(
    ctx: &AppContext,
    client: &ApiClient,
    batches: &[Uuid],
    progress: &(dyn Fn(&str, u64) + Sync),
) -> anyhow::Result<u64> {
    let mut lines = 0u64;
    for (n, id) in batches.iter().enumerate() {
        let answers = ixorg_app::declarations::api::batch_status(ctx, client, (*id).into())
            .await
            .context("Failed to read back a batch")?;
        lines += answers.lines.len() as u64;
        progress("verify", n as u64 + 1);
    }
    Ok(lines)
}
