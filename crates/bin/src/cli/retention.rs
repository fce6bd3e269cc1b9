//! `ixorg retention run [--dry-run] [--date D]`: the retention job (`PRIVACY.md` §6). Prints
//! counts per category and table, never data.

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use time::Date;

use super::money::parse_date;
use crate::settings::{DatabaseArgs, data_key_from_env, open_app_keyless};

/// `ixorg retention …`.
#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Anonymise or delete what has expired under the retention rules, and log what was done.
    Run(RunArgs),
}

/// Arguments of `ixorg retention run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Count what would be removed, change nothing (the run is still logged, as a dry run).
    #[arg(long)]
    pub dry_run: bool,
    /// Apply the rules as on this day (YYYY-MM-DD); default today.
    #[arg(long, value_parser = parse_date)]
    pub date: Option<Date>,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Runs `ixorg retention …`.
pub async fn run(command: RetentionCommand) -> anyhow::Result<()> {
    match command {
        RetentionCommand::Run(args) => run_job(args).await,
    }
}

async fn run_job(args: RunArgs) -> anyhow::Result<()> {
    // The job never decrypts: it empties encrypted columns without reading them.
    let ctx = open_app_keyless(&args.database.url(), data_key_from_env()).await?;
    let today = args.date.unwrap_or_else(|| ctx.clock.today());
    let steps = u64::try_from(ixorg_app::retention::RUN_ORDER.len()).unwrap_or(u64::MAX);
    let bar = ProgressBar::new(steps);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} categories {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let report =
        ixorg_app::retention::run_with_progress(&ctx, today, args.dry_run, &|category, rows| {
            bar.set_message(format!("{category}: {rows} rows"));
            bar.inc(1);
        })
        .await;
    bar.finish_and_clear();
    ctx.db_close().await;
    let report = report?;
    let what = if report.dry_run {
        "dry run (nothing changed)"
    } else {
        "run"
    };
    println!(
        "retention {what} for {}: {} rows",
        report.run_date,
        report.total()
    );
    for c in report.counts.iter().filter(|c| c.rows > 0) {
        println!(
            "  {:<15} {:<24} {:>9}",
            c.category.as_str(),
            c.table,
            c.rows
        );
    }
    if report.total() == 0 {
        println!("  nothing had expired");
    }
    println!("logged as retention run {}", report.id);
    Ok(())
}
