//! `ixorg bench …`.

use anyhow::Context as _;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use ixorg_tools::bench::api::ApiConfig;

use crate::settings::{DatabaseArgs, data_key_from_env, open_app};

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Post N transfers through the real ledger code in batched transactions.
    Ledger {
        /// Number of transfers.
        #[arg(long, default_value_t = 100_000)]
        transfers: u64,
        /// Transfers per transaction.
        #[arg(long, default_value_t = 1_000)]
        batch_size: usize,
        /// Number of budget accounts the transfers spread over.
        #[arg(long, default_value_t = 1_000)]
        accounts: usize,
        /// `--database URL` (on the command line only, never from the environment); default a
        /// fresh SQLite file in the temp directory, removed afterwards.
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Parse and validate a synthetic MZ301 file of about N declaration lines.
    Mz301Parse {
        /// Number of declaration lines (an MZ301 1.3 file holds at most 999,999).
        #[arg(long, default_value_t = 999_996)]
        lines: u64,
        /// Timed runs; the fastest counts.
        #[arg(long, default_value_t = 3)]
        runs: u32,
    },
    /// Generate participants and a synthetic MZ301 file of N lines for them, then time its
    /// import: both passes, adjudication, storing, ledger postings, MZ302 and commit.
    Import {
        /// Number of declaration lines (at most 999,999: the sluit record counts in six
        /// digits).
        #[arg(long, default_value_t = 999_999)]
        lines: u64,
        /// Number of participants (default: one per three lines, as many as the file's
        /// verzekerden).
        #[arg(long)]
        participants: Option<u64>,
        /// `--database URL` (on the command line only, never from the environment); default a
        /// fresh SQLite file in the temp directory, removed afterwards.
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Generate N participants, then time one collection run (pain.008) and the
    /// reconciliation of its camt.053.
    Collect {
        /// Number of participants.
        #[arg(long, default_value_t = 100_000)]
        participants: u64,
        /// `--database URL` (on the command line only, never from the environment); default a
        /// fresh SQLite file in the temp directory, removed afterwards.
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Set up participants, a practice and an API client, start the server on a loopback
    /// port, and time N concurrent clients posting declaration batches to the JSON API.
    Api(ApiArgs),
    /// Seed the demo, start the server on a loopback port, log a demo participant in through
    /// the form, and time N connections asking for the portal overview `/mijn/`; beside it, the
    /// same reads through the use case without HTTP.
    Portal(PortalArgs),
}

pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Api(args) => api(args).await,
        BenchCommand::Portal(args) => portal(args).await,
        BenchCommand::Ledger {
            transfers,
            batch_size,
            accounts,
            database,
        } => ledger(transfers, batch_size, accounts, database.given).await,
        BenchCommand::Collect {
            participants,
            database,
        } => collect(participants, database.given).await,
        BenchCommand::Import {
            lines,
            participants,
            database,
        } => import(lines, participants, database.given).await,
        BenchCommand::Mz301Parse { lines, runs } => {
            anyhow::ensure!(
                (1..=20_000_000).contains(&lines),
                "--lines is 1 to 20,000,000"
            );
            anyhow::ensure!((1..=20).contains(&runs), "--runs is 1 to 20");
            let r = ixorg_tools::bench::mz301_parse(lines, runs)?;
            println!(
                "bench mz301-parse: {} lines, {} MB, fastest of {} runs {:.3} s = {} MB/s, {} \
                 lines/s",
                r.lines,
                r.bytes / 1_000_000,
                r.runs,
                r.best.as_secs_f64(),
                r.megabytes_per_second(),
                r.lines_per_second()
            );
            Ok(())
        }
    }
}

async fn collect(participants: u64, database: Option<String>) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=5_000_000).contains(&participants),
        "--participants is 1 to 5,000,000"
    );
    let dir = std::env::temp_dir().join(format!("ixorg-bench-collect-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = database.unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()));
    let key = data_key_from_env().or_else(|| ixorg_app::crypto::Crypto::generate_key_hex().ok());
    let ctx = open_app(&url, key).await?;
    let bar = ProgressBar::new(participants);
    bar.set_style(
        ProgressStyle::with_template("{msg:>9} {bar:40} {pos} {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let report = ixorg_tools::bench::collect(&ctx, participants, &dir, &|phase, n| {
        bar.set_message(phase.to_owned());
        bar.set_position(n);
    })
    .await;
    bar.finish_and_clear();
    let audit = ixorg_app::audit::verify(&ctx).await;
    ctx.db_close().await;
    let _ = std::fs::remove_dir_all(&dir);
    let r = report?;
    println!(
        "bench collect: {} participants (generated in {:.1} s); collect: {} direct debits in \
         {:.3} s, pain.008 {} MB, peak memory {}; reconcile camt.053: {} settled + {} returned \
         in {:.3} s; database {}",
        r.participants,
        r.generate.as_secs_f64(),
        r.debits,
        r.collect.as_secs_f64(),
        r.file_bytes / 1_000_000,
        r.collect_peak_rss_bytes
            .map_or_else(|| "unknown".to_owned(), |b| format!("{} MB", b / 1_000_000)),
        r.settled_returned.0,
        r.settled_returned.1,
        r.reconcile.as_secs_f64(),
        crate::settings::scheme(&url),
    );
    anyhow::ensure!(
        audit?.is_sound(),
        "the books do not verify after the benchmark"
    );
    println!("audit after the benchmark: ok");
    Ok(())
}

async fn import(
    lines: u64,
    participants: Option<u64>,
    database: Option<String>,
) -> anyhow::Result<()> {
    anyhow::ensure!((1..=999_999).contains(&lines), "--lines is 1 to 999,999");
    let participants = participants.unwrap_or(lines.div_ceil(3) + 1_000);
    anyhow::ensure!(
        (1..=5_000_000).contains(&participants),
        "--participants is 1 to 5,000,000"
    );
    let dir = std::env::temp_dir().join(format!("ixorg-bench-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = database.unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()));
    let key = data_key_from_env().or_else(|| ixorg_app::crypto::Crypto::generate_key_hex().ok());
    let ctx = open_app(&url, key).await?;
    let bar = ProgressBar::new(participants);
    bar.set_style(
        ProgressStyle::with_template("{msg:>9} {pos} {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let report = ixorg_tools::bench::import(&ctx, participants, lines, &dir, &|phase, n| {
        bar.set_message(phase.to_owned());
        bar.set_position(n);
    })
    .await;
    bar.finish_and_clear();
    let audit = ixorg_app::audit::verify(&ctx).await;
    ctx.db_close().await;
    let _ = std::fs::remove_dir_all(&dir);
    let r = report?;
    let outcomes: Vec<String> = r.outcomes.iter().map(|(o, n)| format!("{n} {o}")).collect();
    println!(
        "bench import: {} lines ({} MB) for {} participants in {:.3} s = {} lines/s, peak memory          {}; MZ302 {} MB; {}; database {}",
        r.lines,
        r.file_bytes / 1_000_000,
        r.participants,
        r.import.as_secs_f64(),
        r.lines_per_second(),
        r.peak_rss_bytes
            .map_or_else(|| "unknown".to_owned(), |b| format!("{} MB", b / 1_000_000)),
        r.return_bytes / 1_000_000,
        outcomes.join(", "),
        crate::settings::scheme(&url),
    );
    anyhow::ensure!(
        audit?.is_sound(),
        "the books do not verify after the benchmark"
    );
    println!("audit after the benchmark: ok");
    Ok(())
}

async fn ledger(
    transfers: u64,
    batch_size: usize,
    accounts: usize,
    database: Option<String>,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=ixorg_app::ledger::BATCH_TRANSFERS_MAX).contains(&batch_size),
        "--batch-size must be 1 to {}",
        ixorg_app::ledger::BATCH_TRANSFERS_MAX
    );
    let temp = database
        .is_none()
        .then(|| std::env::temp_dir().join(format!("ixorg-bench-{}.db", std::process::id())));
    let url = match (&database, &temp) {
        (Some(url), _) => url.clone(),
        (None, Some(path)) => format!("sqlite://{}", path.display()),
        (None, None) => unreachable!("BUG: a temp path exists when no database was given"),
    };
    let ctx = open_app(&url, data_key_from_env()).await?;
    let bar = ProgressBar::new(transfers);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} transfers {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let report = ixorg_tools::bench::ledger(&ctx, transfers, batch_size, accounts, &|n| {
        bar.set_position(n)
    })
    .await;
    bar.finish_and_clear();
    let audit = ixorg_app::audit::verify(&ctx).await;
    ctx.db_close().await;
    if let Some(path) = &temp {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    let report = report?;
    println!(
        "bench ledger: {} transfers ({} applied, {} refused by a credit line) in {:.3} s \
         = {} transfers/s; batch {} per transaction; {} accounts; database {}",
        report.transfers,
        report.applied,
        report.transfers - report.applied,
        report.elapsed.as_secs_f64(),
        report.per_second(),
        report.batch_size,
        accounts,
        crate::settings::scheme(&url),
    );
    let audit = audit?;
    anyhow::ensure!(
        audit.is_sound(),
        "the ledger does not verify after the benchmark"
    );
    println!("audit after the benchmark: ok");
    Ok(())
}

/// Most concurrent clients.
const CLIENTS_MAX: usize = 1_000;

/// Longest run.
const SECONDS_MAX: u64 = 3_600;

/// Arguments of `ixorg bench api`.
#[derive(Debug, Args)]
pub struct ApiArgs {
    /// Concurrent clients, each on its own keep-alive connection.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// How long the clients send, in seconds.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Declaration lines per request.
    #[arg(long, default_value_t = 50)]
    lines_per_request: usize,
    /// Offered load in lines per second, spread evenly over the clients: each client sends on
    /// a fixed schedule and a request's latency counts from its scheduled time, so a server
    /// that falls behind shows it in the latency (as `wrk2 -R` does). Default: every client
    /// sends its next request as soon as the answer to the last one is in (as `wrk` does).
    #[arg(long)]
    rate: Option<u64>,
    /// Number of participants generated before the run.
    #[arg(long, default_value_t = 20_000)]
    participants: u64,
    /// `--database URL` of an empty database (on the command line only, never from the
    /// environment); default a fresh SQLite file in the temp directory, removed afterwards.
    #[command(flatten)]
    database: DatabaseArgs,
}

/// Runs the benchmark and prints its result line.
async fn api(args: ApiArgs) -> anyhow::Result<()> {
    check_api(&args)?;
    let (dir, url, ctx) = bench_database("api", &args.database).await?;
    let bar = ProgressBar::new(args.participants);
    bar.set_style(
        ProgressStyle::with_template("{msg:>9} {pos} {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let config = ApiConfig {
        clients: args.clients,
        seconds: args.seconds,
        lines_per_request: args.lines_per_request,
        rate: args.rate,
        participants: args.participants,
    };
    let measured = ixorg_tools::bench::api::api(&ctx, &config, &|phase, n| {
        bar.set_message(phase.to_owned());
        bar.set_position(n);
    })
    .await;
    bar.finish_and_clear();
    let audit = ixorg_app::audit::verify(&ctx).await;
    ctx.db_close().await;
    let _ = std::fs::remove_dir_all(&dir);
    let (load, stored) = measured?;
    println!("{}", load.summary(crate::settings::scheme(&url)));
    anyhow::ensure!(
        load.failed == 0,
        "{} of {} requests were not answered with 201 Created",
        load.failed,
        load.requests
    );
    anyhow::ensure!(
        stored == load.lines_created,
        "{stored} lines are stored for the 201 answers, which accepted {}",
        load.lines_created
    );
    println!(
        "stored after the benchmark: {stored} lines in {} batches, as answered",
        load.batches.len()
    );
    anyhow::ensure!(
        audit?.is_sound(),
        "the books do not verify after the benchmark"
    );
    println!("audit after the benchmark: ok");
    Ok(())
}

fn check_api(args: &ApiArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=CLIENTS_MAX).contains(&args.clients),
        "--clients is 1 to {CLIENTS_MAX}"
    );
    anyhow::ensure!(
        (1..=SECONDS_MAX).contains(&args.seconds),
        "--seconds is 1 to {SECONDS_MAX}"
    );
    let lines_max = ixorg_app::declarations::api::LINES_PER_BATCH_MAX;
    anyhow::ensure!(
        (1..=lines_max).contains(&args.lines_per_request),
        "--lines-per-request is 1 to {lines_max}"
    );
    anyhow::ensure!(
        args.rate
            .is_none_or(|rate| (1..=10_000_000).contains(&rate)),
        "--rate is 1 to 10,000,000 lines per second"
    );
    anyhow::ensure!(
        (1..=5_000_000).contains(&args.participants),
        "--participants is 1 to 5,000,000"
    );
    Ok(())
}

/// Arguments of `ixorg bench portal`.
#[derive(Debug, Args)]
pub struct PortalArgs {
    /// Concurrent connections, each keep-alive, each sending its next request at once.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// How long they send, in seconds (and as long again for the direct reads).
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Demo households seeded before the run.
    #[arg(long, default_value_t = ixorg_tools::demo::HOUSEHOLDS_DEFAULT)]
    households: usize,
    /// `--database URL` of an empty database (on the command line only, never from the
    /// environment); default a fresh SQLite file in the temp directory, removed afterwards.
    #[command(flatten)]
    database: DatabaseArgs,
}

/// Runs `bench portal` and prints its result lines.
async fn portal(args: PortalArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=CLIENTS_MAX).contains(&args.connections),
        "--connections is 1 to {CLIENTS_MAX}"
    );
    anyhow::ensure!(
        (1..=SECONDS_MAX).contains(&args.seconds),
        "--seconds is 1 to {SECONDS_MAX}"
    );
    anyhow::ensure!(
        (1..=100_000).contains(&args.households),
        "--households is 1 to 100,000"
    );
    let (dir, url, ctx) = bench_database("portal", &args.database).await?;
    let files = dir.join("files");
    std::fs::create_dir_all(&files).context("Failed to create the files directory")?;
    let measured = ixorg_tools::bench::portal::portal(
        &ctx,
        &files,
        args.households,
        args.connections,
        args.seconds,
    )
    .await;
    ctx.db_close().await;
    let _ = std::fs::remove_dir_all(&dir);
    let bench = measured?;
    let scheme = crate::settings::scheme(&url);
    println!(
        "{scheme}, {} participants, GET /mijn/ (logged in) over {} connections: {}",
        bench.participants,
        args.connections,
        bench.load.summary()
    );
    println!(
        "{scheme}, the same overview reads through the use case without HTTP on {} tasks: {} reads/s",
        args.connections,
        bench.direct_per_second()
    );
    anyhow::ensure!(
        bench.load.failed() == 0,
        "{} of {} requests were not answered 200",
        bench.load.failed(),
        bench.load.requests
    );
    Ok(())
}

/// The temp directory of benchmark `name` (created), the database URL (`--database`, or a fresh
/// SQLite file in that directory) and the application on it, with the environment's data key or
/// a generated one.
async fn bench_database(
    name: &str,
    database: &DatabaseArgs,
) -> anyhow::Result<(std::path::PathBuf, String, ixorg_app::AppContext)> {
    let dir = std::env::temp_dir().join(format!("ixorg-bench-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).context("Failed to create the temp directory")?;
    let url = database
        .given
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()));
    let key = data_key_from_env().or_else(|| ixorg_app::crypto::Crypto::generate_key_hex().ok());
    let ctx = open_app(&url, key).await?;
    Ok((dir, url, ctx))
}
