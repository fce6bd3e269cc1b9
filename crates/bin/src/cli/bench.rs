//! `ixorg bench …`.

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};

use crate::settings::{data_key_from_env, open_app};

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
        /// Database URL; default a fresh SQLite file in the temp directory, removed afterwards.
        #[arg(long)]
        database: Option<String>,
    },
}

pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Ledger {
            transfers,
            batch_size,
            accounts,
            database,
        } => ledger(transfers, batch_size, accounts, database).await,
    }
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
    let report = ixorg_app::bench::ledger(&ctx, transfers, batch_size, accounts, &|n| {
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
