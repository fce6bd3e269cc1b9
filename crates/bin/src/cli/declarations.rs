//! `ixorg import mz301`, `ixorg payout`, `ixorg practice add`, `ixorg api-client create`: the
//! declaration side.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use ixorg_app::declarations::import::{ImportError, import_mz301};
use ixorg_app::domain::identifiers::{AgbCode, Iban};
use time::Date;

use super::money::parse_date;
use crate::settings::{DatabaseArgs, data_key_from_env, open_app};

/// `ixorg import …`.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import a Vektis MZ301 declaration file (all or nothing) and write its MZ302 return file.
    Mz301 {
        /// The MZ301 file.
        file: PathBuf,
        /// Where to write the MZ302 return file (default: the file name with `.mz302`).
        #[arg(long = "return")]
        return_file: Option<PathBuf>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// Arguments of `ixorg payout`.
#[derive(Debug, Args)]
pub struct PayoutArgs {
    /// The execution date (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    pub date: Date,
    /// Where to write the pain.001 file.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// `ixorg practice …`.
#[derive(Debug, Subcommand)]
pub enum PracticeCommand {
    /// Register a practice with its providers and the IBAN it is paid on.
    Add {
        /// The practice's AGB code (8 digits).
        #[arg(long)]
        agb: String,
        /// Name.
        #[arg(long)]
        name: String,
        /// City.
        #[arg(long)]
        city: String,
        /// IBAN for payouts (leave out when a billing intermediary is paid instead).
        #[arg(long)]
        iban: Option<String>,
        /// A provider as `AGB:Name`; repeat for more.
        #[arg(long = "provider")]
        providers: Vec<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// `ixorg api-client …`.
#[derive(Debug, Subcommand)]
pub enum ApiClientCommand {
    /// Create an API client for a practice and print its token (shown once).
    Create {
        /// The practice's AGB code.
        #[arg(long)]
        practice: String,
        /// A label ("billing system of …").
        #[arg(long)]
        label: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

pub async fn import(command: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Mz301 {
        file,
        return_file,
        database,
    } = command;
    let return_file = return_file.unwrap_or_else(|| file.with_extension("mz302"));
    let ctx = open_app(&database.url(), data_key_from_env()).await?;
    let bar = ProgressBar::no_length();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {pos} lines adjudicated {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let result = import_mz301(&ctx, &file, &return_file, &|n| bar.set_position(n)).await;
    bar.finish_and_clear();
    ctx.db_close().await;
    match result {
        Ok(report) => {
            println!(
                "imported {} as batch {}: declared EUR {}, paid from budgets EUR {}; return file {}",
                file.display(),
                report.batch,
                report.declared,
                report.assigned,
                report.return_file.display()
            );
            for (outcome, lines, paid) in report.outcomes {
                println!("  {outcome}: {lines} lines, EUR {paid}");
            }
            Ok(())
        }
        Err(ImportError::Malformed(errors)) => {
            // Every problem once, here; the error line says only how many there were (the
            // errors' own `Display` lists them all again, so it is not printed).
            for e in &errors.errors {
                eprintln!("  {e}");
            }
            if errors.truncated > 0 {
                eprintln!("  … and {} more", errors.truncated);
            }
            let count = errors.errors.len().saturating_add(errors.truncated);
            anyhow::bail!(
                "{} was refused: the MZ301 file has {count} problem(s), listed above; nothing \
                 was imported",
                file.display()
            )
        }
        Err(e) => Err(e).with_context(|| format!("{} was not imported", file.display())),
    }
}

pub async fn payout(args: PayoutArgs) -> anyhow::Result<()> {
    let ctx = open_app(&args.database.url(), data_key_from_env()).await?;
    let report = ixorg_app::payouts::payout(&ctx, args.date, &args.out).await;
    ctx.db_close().await;
    let report = report?;
    match (report.run, report.created) {
        (None, _) => println!(
            "nothing is owed on {}: no payout run and no file",
            args.date
        ),
        (Some(run), true) => println!(
            "payout run {}: {} transfers, EUR {}; written to {}",
            run.date,
            run.transactions,
            run.control_sum,
            args.out.display()
        ),
        (Some(run), false) => println!(
            "the payout run for {} exists already ({} transfers, EUR {}); its file was written \
             again to {}",
            run.date,
            run.transactions,
            run.control_sum,
            args.out.display()
        ),
    }
    Ok(())
}

pub async fn practice(command: PracticeCommand) -> anyhow::Result<()> {
    let PracticeCommand::Add {
        agb,
        name,
        city,
        iban,
        providers,
        database,
    } = command;
    let agb: AgbCode = agb.parse().context("--agb is not an 8-digit AGB code")?;
    let iban: Option<Iban> = iban
        .map(|i| i.parse().context("--iban is not a valid SEPA IBAN"))
        .transpose()?;
    let providers = providers
        .iter()
        .map(|p| {
            let (code, name) = p
                .split_once(':')
                .context("--provider is written as AGB:Name")?;
            let code: AgbCode = code.parse().context("--provider has no valid AGB code")?;
            Ok((code, name.trim().to_owned()))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    anyhow::ensure!(!name.trim().is_empty(), "--name must not be empty");
    let ctx = open_app(&database.url(), data_key_from_env()).await?;
    let new = ixorg_app::parties::NewPractice {
        agb,
        name: name.trim().to_owned(),
        city: city.trim().to_owned(),
        providers,
        iban,
    };
    let done = ixorg_app::parties::register_practice(&ctx, &new).await;
    ctx.db_close().await;
    let done = done.context("the practice was not registered")?;
    println!("practice {} registered as {}", new.agb, done.practice);
    Ok(())
}

pub async fn api_client(command: ApiClientCommand) -> anyhow::Result<()> {
    let ApiClientCommand::Create {
        practice,
        label,
        database,
    } = command;
    let agb: AgbCode = practice
        .parse()
        .context("--practice is not an 8-digit AGB code")?;
    let ctx = open_app(&database.url(), data_key_from_env()).await?;
    let made = ixorg_app::declarations::api::create_client_for_practice(&ctx, &agb, &label).await;
    ctx.db_close().await;
    let (client, token) = made.context("no API client was created")?;
    println!(
        "API client {} created; its token (shown once):\n{token}",
        client.id
    );
    Ok(())
}
