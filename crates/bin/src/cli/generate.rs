//! `ixorg generate …`: synthetic data through the real use cases, and the bank simulator.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use time::Date;

use super::money::parse_date;
use crate::settings::{DatabaseArgs, data_key_from_env, open_app};

#[derive(Debug, Subcommand)]
pub enum GenerateCommand {
    /// Register realistic synthetic households (Dutch names and postcodes, valid IBANs, BSNs
    /// for some, a spread of budgets and start dates) until N participants exist among them.
    Participants {
        /// Number of participants.
        #[arg(long)]
        count: u64,
        /// Seed, for reproducible data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Play the bank: write the camt.053 statement for a collection run, with a share of
    /// returns and their reason codes.
    Camt053 {
        /// The collection date of the run.
        #[arg(long, value_parser = parse_date)]
        collection: Date,
        /// Percentage of the direct debits that come back returned.
        #[arg(long, default_value_t = 0)]
        returns: u8,
        /// Seed, for reproducible returns.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write the statement.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Write a realistic synthetic MZ301 file for the participants in the database (valid
    /// codes and tariffs, with shares of duplicates, over-tariff lines, credits, accidents and
    /// unknown participants).
    Mz301 {
        /// Number of declaration lines.
        #[arg(long)]
        lines: usize,
        /// Seed, for reproducible files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write the file.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Play the bank for a payout run: the camt.053 statement that books its transfers.
    Camt053Payouts {
        /// The payout date of the run.
        #[arg(long, value_parser = parse_date)]
        date: Date,
        /// Where to write the statement.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

pub async fn run(command: GenerateCommand) -> anyhow::Result<()> {
    match command {
        GenerateCommand::Mz301 {
            lines,
            seed,
            out,
            database,
        } => {
            let ctx = open_app(&database.url(), data_key_from_env()).await?;
            let made = ixorg_tools::declarations::mz301(&ctx, lines, seed, &out).await;
            ctx.db_close().await;
            let made = made.context("no MZ301 file was generated")?;
            println!(
                "wrote {} declaration lines ({} bytes) to {}",
                made.lines,
                made.bytes,
                out.display()
            );
            Ok(())
        }
        GenerateCommand::Camt053Payouts {
            date,
            out,
            database,
        } => {
            let ctx = open_app(&database.url(), data_key_from_env()).await?;
            let made = ixorg_tools::bank::camt053_for_payouts(&ctx, date, &out).await;
            ctx.db_close().await;
            let made = made.context("no statement was written")?;
            println!(
                "wrote the statement of {} payouts to {}",
                made.credited,
                out.display()
            );
            Ok(())
        }
        GenerateCommand::Participants {
            count,
            seed,
            database,
        } => {
            anyhow::ensure!(count <= 10_000_000, "--count is at most 10,000,000");
            let ctx = open_app(&database.url(), data_key_from_env()).await?;
            let bar = ProgressBar::new(count);
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} participants {per_sec} eta {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let made =
                ixorg_tools::generate::participants(&ctx, count, seed, &|n| bar.set_position(n))
                    .await;
            bar.finish_and_clear();
            ctx.db_close().await;
            let made = made?;
            println!(
                "generated {} participants in {} households",
                made.participants, made.households
            );
            Ok(())
        }
        GenerateCommand::Camt053 {
            collection,
            returns,
            seed,
            out,
            database,
        } => {
            let ctx = open_app(&database.url(), data_key_from_env()).await?;
            let made =
                ixorg_tools::bank::camt053_for_collection(&ctx, collection, returns, seed, &out)
                    .await;
            ctx.db_close().await;
            let made = made?;
            println!(
                "camt.053 written to {}: {} collections credited, {} returned",
                out.display(),
                made.credited,
                made.returned
            );
            Ok(())
        }
    }
}
