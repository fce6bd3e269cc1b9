//! Benchmarks run through the real code paths (`ixorg bench …`).

use std::time::{Duration, Instant};

use ixorg_app::AppContext;
use ixorg_domain::Cents;
use ixorg_domain::ids::LedgerAccountId;
use ixorg_domain::ledger::{AccountKind, Transfer};
use ixorg_domain::ledger::{OperatorAccount, TransferKind};

use crate::synthetic::Rng;

pub mod api;
pub mod page_load;
pub mod portal;

/// What the ledger benchmark measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LedgerBench {
    /// Transfers offered.
    pub transfers: u64,
    /// Transfers applied (the rest were refused by a credit line, as designed).
    pub applied: u64,
    /// Transfers per transaction.
    pub batch_size: usize,
    /// Wall-clock time of the posting (account set-up excluded).
    pub elapsed: Duration,
}

impl LedgerBench {
    /// Committed transfers per second.
    pub fn per_second(&self) -> u64 {
        let ms = self.elapsed.as_millis().max(1);
        u64::try_from(u128::from(self.transfers) * 1_000 / ms).unwrap_or(u64::MAX)
    }
}

/// Posts `transfers` transfers in batches of `batch_size` through [`ixorg_app::ledger::post_batch`]:
/// contributions from the bank into `accounts` budgets, and payments from those budgets to a
/// payable, some of which hit a credit line and are refused. `progress` is called after each
/// batch with the number done.
pub async fn ledger(
    ctx: &AppContext,
    transfers: u64,
    batch_size: usize,
    accounts: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> anyhow::Result<LedgerBench> {
    anyhow::ensure!(batch_size > 0, "the batch size must be positive");
    anyhow::ensure!(accounts > 0, "at least one account is needed");
    let bank = ixorg_app::ledger::operator_account(ctx, OperatorAccount::BankReceivable)
        .await?
        .id;
    let (budgets, payable) = open_bench_accounts(ctx, accounts).await?;
    let mut rng = Rng::new(42);
    let run = ctx.ids.new_uuid().simple().to_string();
    let started = Instant::now();
    let mut done = 0u64;
    let mut applied = 0u64;
    while done < transfers {
        let n = usize::try_from((transfers - done).min(batch_size as u64)).unwrap_or(batch_size);
        let batch: Vec<Transfer> = (0..n)
            .map(|i| {
                let budget = *rng.pick(&budgets);
                let amount = Cents::new(500 + i64::try_from(rng.below(5_000)).unwrap_or(0));
                let (debit, credit, kind) = if rng.chance(55) {
                    (bank, budget, TransferKind::Contribution)
                } else {
                    (budget, payable, TransferKind::Declaration)
                };
                Transfer {
                    idempotency_key: format!("bench-{run}-{}", done + i as u64),
                    debit,
                    credit,
                    amount,
                    kind,
                    reverses: None,
                }
            })
            .collect();
        let outcomes = ixorg_app::ledger::post_batch(ctx, &batch).await?;
        applied += outcomes.iter().filter(|o| o.is_ok()).count() as u64;
        done += n as u64;
        progress(done);
    }
    Ok(LedgerBench {
        transfers,
        applied,
        batch_size,
        elapsed: started.elapsed(),
    })
}

async fn open_bench_accounts(
    ctx: &AppContext,
    accounts: usize,
) -> anyhow::Result<(Vec<LedgerAccountId>, LedgerAccountId)> {
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let mut budgets = Vec::with_capacity(accounts);
    for _ in 0..accounts {
        let id = LedgerAccountId::from_uuid(ctx.ids.new_uuid());
        let account = ixorg_store::ledger::NewAccount {
            id,
            kind: AccountKind::Budget,
            code: None,
            participant: None,
            payee: None,
            credit_line: Cents::new(24_000),
        };
        ixorg_store::ledger::open_account(&mut tx, &account, now).await?;
        budgets.push(id);
    }
    let payable = LedgerAccountId::from_uuid(ctx.ids.new_uuid());
    let account = ixorg_store::ledger::NewAccount {
        id: payable,
        kind: AccountKind::Payable,
        code: None,
        participant: None,
        payee: None,
        credit_line: Cents::ZERO,
    };
    ixorg_store::ledger::open_account(&mut tx, &account, now).await?;
    tx.commit().await?;
    Ok((budgets, payable))
}

/// What the collection benchmark measured.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectBench {
    /// Participants generated (set-up, not timed as collection).
    pub participants: u64,
    /// Time to generate them.
    pub generate: Duration,
    /// Direct debits in the run.
    pub debits: i64,
    /// Time of `collect` (run + ledger + pain.008 file).
    pub collect: Duration,
    /// Size of the pain.008 file.
    pub file_bytes: u64,
    /// Peak resident memory during `collect`, when the platform can tell (Linux).
    pub collect_peak_rss_bytes: Option<u64>,
    /// Time to reconcile the matching camt.053 (written by the bank simulator, untimed).
    pub reconcile: Duration,
    /// Entries settled and returned by the reconciliation.
    pub settled_returned: (u64, u64),
}

/// Resets the process's peak-RSS counter (Linux `clear_refs` 5); false when not possible.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The process's peak resident memory since the last reset (Linux `VmHWM`).
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1_024)
}

/// Generates `participants`, then times one collection run into `dir/pain008.xml` and the
/// reconciliation of its camt.053 (2 % returns).
pub async fn collect(
    ctx: &AppContext,
    participants: u64,
    dir: &std::path::Path,
    progress: &(dyn Fn(&str, u64) + Sync),
) -> anyhow::Result<CollectBench> {
    ixorg_app::operator::set(ctx, &crate::demo::operator_profile()).await?;
    let started = Instant::now();
    let made =
        crate::generate::participants(ctx, participants, 7, &|n| progress("generate", n)).await?;
    let generate = started.elapsed();
    let today = ctx.clock.today();
    let next = ixorg_domain::termination::first_of_next_month(today)
        .ok_or_else(|| anyhow::anyhow!("no next month"))?;
    let terms = ctx.terms.resolve(next)?;
    let date = ixorg_domain::collection::collection_date(terms, next.year(), next.month());
    let file = dir.join("pain008.xml");
    let measured = reset_peak_rss();
    let started = Instant::now();
    let report =
        ixorg_app::collections::collect(ctx, date, &file, &|n| progress("collect", n)).await?;
    let collect = started.elapsed();
    let collect_peak_rss_bytes = if measured { peak_rss_bytes() } else { None };
    let file_bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let statement = dir.join("camt053.xml");
    crate::bank::camt053_for_collection(ctx, date, 2, 7, &statement).await?;
    let bytes = std::fs::read(&statement)?;
    let started = Instant::now();
    let reconciled = ixorg_app::reconciliation::reconcile(ctx, &bytes).await?;
    let reconcile = started.elapsed();
    Ok(CollectBench {
        participants: made.participants,
        generate,
        debits: report.run.transactions,
        collect,
        file_bytes,
        collect_peak_rss_bytes,
        reconcile,
        settled_returned: (reconciled.settled, reconciled.returned),
    })
}

/// What the MZ301 parse benchmark measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mz301ParseBench {
    /// Declaration lines in the file.
    pub lines: u64,
    /// Size of the file in bytes.
    pub bytes: u64,
    /// The fastest of the timed runs (parse and validate).
    pub best: Duration,
    /// Timed runs.
    pub runs: u32,
}

impl Mz301ParseBench {
    /// Megabytes (10^6 bytes) per second of the fastest run.
    pub fn megabytes_per_second(&self) -> u64 {
        let micros = self.best.as_micros().max(1);
        u64::try_from(u128::from(self.bytes) / micros).unwrap_or(u64::MAX)
    }

    /// Declaration lines per second of the fastest run.
    pub fn lines_per_second(&self) -> u64 {
        let micros = self.best.as_micros().max(1);
        u64::try_from(u128::from(self.lines) * 1_000_000 / micros).unwrap_or(u64::MAX)
    }
}

/// Builds a synthetic MZ301 file of about `lines` declaration lines (four per patient), then
/// parses and validates it `runs` times with the real reader and keeps the fastest run.
pub fn mz301_parse(lines: u64, runs: u32) -> anyhow::Result<Mz301ParseBench> {
    use ixorg_formats::vektis::{read_mz301, synthetic_file, write_mz301};
    const LINES_PER_PATIENT: usize = 4;
    anyhow::ensure!(runs > 0, "at least one run");
    let patients = usize::try_from(lines)?.div_ceil(LINES_PER_PATIENT).max(1);
    let file = synthetic_file(patients, LINES_PER_PATIENT, 42);
    let bytes = write_mz301(&file).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut best = Duration::MAX;
    let mut read_lines = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let read = read_mz301(&bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
        best = best.min(started.elapsed());
        read_lines = read.lines().count() as u64;
    }
    Ok(Mz301ParseBench {
        lines: read_lines,
        bytes: bytes.len() as u64,
        best,
        runs,
    })
}

/// What the import benchmark measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportBench {
    /// Participants generated (untimed).
    pub participants: u64,
    /// Declaration lines in the file.
    pub lines: u64,
    /// Size of the MZ301 file.
    pub file_bytes: u64,
    /// Time of `import_mz301`: both passes, adjudication, storing, ledger, MZ302, commit.
    pub import: Duration,
    /// Peak resident memory during the import, when the platform can tell (Linux).
    pub peak_rss_bytes: Option<u64>,
    /// Lines per outcome.
    pub outcomes: Vec<(String, u64)>,
    /// Size of the MZ302 return file.
    pub return_bytes: u64,
}

impl ImportBench {
    /// Declaration lines per second.
    pub fn lines_per_second(&self) -> u64 {
        let micros = self.import.as_micros().max(1);
        u64::try_from(u128::from(self.lines) * 1_000_000 / micros).unwrap_or(u64::MAX)
    }
}

/// Generates `participants` and a practice, writes a synthetic MZ301 file of `lines` lines for
/// them (untimed), then times its import with the MZ302 return into `dir`.
pub async fn import(
    ctx: &AppContext,
    participants: u64,
    lines: u64,
    dir: &std::path::Path,
    progress: &(dyn Fn(&str, u64) + Sync),
) -> anyhow::Result<ImportBench> {
    ixorg_app::operator::set(ctx, &crate::demo::operator_profile()).await?;
    let made =
        crate::generate::participants(ctx, participants, 11, &|n| progress("generate", n)).await?;
    let practice = ixorg_app::parties::NewPractice {
        agb: "12002242".parse()?,
        name: "Bench Tandartsen".to_owned(),
        city: "Utrecht".to_owned(),
        providers: vec![
            ("12041054".parse()?, "A. Bench".to_owned()),
            ("12045210".parse()?, "B. Bench".to_owned()),
        ],
        iban: Some("NL91ABNA0417164300".parse()?),
    };
    ixorg_app::parties::register_practice(ctx, &practice).await?;
    let file = dir.join("bench.asc");
    let lines_usize = usize::try_from(lines)?;
    let generated = crate::declarations::mz301(ctx, lines_usize, 11, &file).await?;
    let out = dir.join("bench.mz302");
    let measured = reset_peak_rss();
    let started = Instant::now();
    let report = ixorg_app::declarations::import::import_mz301(ctx, &file, &out, &|n| {
        progress("import", n);
    })
    .await?;
    let import = started.elapsed();
    let peak_rss_bytes = if measured { peak_rss_bytes() } else { None };
    Ok(ImportBench {
        participants: made.participants,
        lines,
        file_bytes: generated.bytes as u64,
        import,
        peak_rss_bytes,
        outcomes: report
            .outcomes
            .iter()
            .map(|(o, n, _)| (o.as_str().to_owned(), *n))
            .collect(),
        return_bytes: std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0),
    })
}
