//! `ixorg operator`, `ixorg collect`, `ixorg reconcile`: the bank side.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use ixorg_app::domain::identifiers::{CreditorId, Iban};
use time::Date;

use crate::settings::{DatabaseArgs, data_key_from_env, open_app};

/// `ixorg operator …`.
#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Set the operator's creditor details used in SEPA files and to check bank statements.
    Set {
        /// Legal name (creditor name in collections, debtor name in payouts).
        #[arg(long)]
        name: String,
        /// The operator's IBAN.
        #[arg(long)]
        iban: String,
        /// The bank's BIC (optional).
        #[arg(long)]
        bic: Option<String>,
        /// The SEPA creditor identifier, e.g. NL38ZZZ000012345678.
        #[arg(long)]
        creditor_id: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Show the operator's creditor details.
    Show {
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// Arguments of `ixorg collect`.
#[derive(Debug, Args)]
pub struct CollectArgs {
    /// The collection date (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    pub date: Date,
    /// Where to write the pain.008 file.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Arguments of `ixorg reconcile`.
#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// A camt.053 statement or a pain.002 status report.
    pub file: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Parses a `YYYY-MM-DD` date argument.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, &format).map_err(|_| format!("expected a date like 2026-12-01, got {text:?}"))
}

pub async fn operator(command: OperatorCommand) -> anyhow::Result<()> {
    match command {
        OperatorCommand::Set {
            name,
            iban,
            bic,
            creditor_id,
            database,
        } => {
            let iban: Iban = iban.parse().context("--iban is not a valid SEPA IBAN")?;
            let creditor_id: CreditorId = creditor_id
                .parse()
                .context("--creditor-id is not a valid SEPA creditor identifier")?;
            anyhow::ensure!(!name.trim().is_empty(), "--name must not be empty");
            let ctx = open_app(&database.url(), data_key_from_env()).await?;
            let profile = ixorg_app::operator::OperatorProfile {
                legal_name: name.trim().to_owned(),
                iban,
                bic,
                creditor_id,
            };
            ixorg_app::operator::set(&ctx, &profile).await?;
            ctx.db_close().await;
            println!("operator profile set");
            Ok(())
        }
        OperatorCommand::Show { database } => {
            let ctx = open_app(&database.url(), data_key_from_env()).await?;
            let profile = ixorg_app::operator::get(&ctx).await?;
            ctx.db_close().await;
            match profile {
                Some(p) => println!(
                    "name: {}\niban: {}\nbic: {}\ncreditor id: {}",
                    p.legal_name,
                    p.iban.expose(),
                    p.bic.as_deref().unwrap_or("-"),
                    p.creditor_id.as_str()
                ),
                None => println!("no operator profile is set: use `ixorg operator set`"),
            }
            Ok(())
        }
    }
}

pub async fn collect(args: CollectArgs) -> anyhow::Result<()> {
    let ctx = open_app(&args.database.url(), data_key_from_env()).await?;
    let bar = ProgressBar::no_length();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {pos} contracts collected {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let report = ixorg_app::collections::collect(&ctx, args.date, &args.out, &|n| {
        bar.set_position(n);
    })
    .await;
    bar.finish_and_clear();
    ctx.db_close().await;
    let report = report?;
    let Some(file) = &report.file else {
        println!(
            "nothing is due on {}: no collection run and no file",
            report.run.collection_date
        );
        return Ok(());
    };
    if report.created {
        println!(
            "collection run {}: {} direct debits for {} participants, EUR {}; written to {}",
            report.run.collection_date,
            report.run.transactions,
            report.participants,
            report.run.control_sum,
            file.display()
        );
    } else {
        println!(
            "the collection run for {} exists already ({} direct debits, EUR {}); its file was \
             written again to {}",
            report.run.collection_date,
            report.run.transactions,
            report.run.control_sum,
            file.display()
        );
    }
    Ok(())
}

pub async fn reconcile(args: ReconcileArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("Failed to read {}", args.file.display()))?;
    let ctx = open_app(&args.database.url(), data_key_from_env()).await?;
    let report = ixorg_app::reconciliation::reconcile(&ctx, &bytes).await;
    ctx.db_close().await;
    let r = report.with_context(|| format!("{} was not reconciled", args.file.display()))?;
    if r.imported {
        println!(
            "{}: {} settled, {} returned, {} rejected, {} unmatched (listed for staff), {} already \
             handled, {} other",
            r.kind, r.settled, r.returned, r.rejected, r.unmatched, r.duplicates, r.ignored
        );
    } else {
        println!(
            "{}: this file was reconciled before; nothing changed",
            r.kind
        );
    }
    Ok(())
}

/// Arguments of `ixorg terminate`.
#[derive(Debug, Args)]
pub struct TerminateArgs {
    /// The participant number of any member of the contract.
    #[arg(long)]
    pub participant_number: String,
    /// The day the notice was given (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    pub notice_date: Date,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Arguments of `ixorg settle`.
#[derive(Debug, Args)]
pub struct SettleArgs {
    /// Settle contracts that ended before this date; also the execution and collection date.
    #[arg(long, value_parser = parse_date)]
    pub date: Date,
    /// Where to write the pain.001 with the payouts of positive balances.
    #[arg(long)]
    pub payouts: PathBuf,
    /// Where to write the pain.008 with the final debits of negative balances.
    #[arg(long)]
    pub collections: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Arguments of `ixorg yearend`.
#[derive(Debug, Args)]
pub struct YearEndArgs {
    /// The calendar year to apply the check-up rule to.
    #[arg(long)]
    pub year: i32,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

pub async fn terminate(args: TerminateArgs) -> anyhow::Result<()> {
    let ctx = open_app(&args.database.url(), data_key_from_env()).await?;
    let result =
        ixorg_app::contracts::give_notice(&ctx, args.participant_number.trim(), args.notice_date)
            .await;
    ctx.db_close().await;
    let (contract, end) = result?;
    println!("notice recorded for contract {contract}: the contract ends on {end}");
    Ok(())
}

pub async fn settle(args: SettleArgs) -> anyhow::Result<()> {
    let ctx = open_app(&args.database.url(), data_key_from_env()).await?;
    let result =
        ixorg_app::contracts::settle(&ctx, args.date, &args.payouts, &args.collections).await;
    ctx.db_close().await;
    let r = result?;
    let file = |written: bool, path: &std::path::Path| {
        if written {
            format!("in {}", path.display())
        } else {
            "no file".to_owned()
        }
    };
    println!(
        "settled {} contracts: {} paid out (EUR {}, {}), {} collected (EUR {}, {}), {} at zero",
        r.paid_out + r.collected + r.even,
        r.paid_out,
        r.paid_out_sum,
        file(r.payouts_written(), &args.payouts),
        r.collected,
        r.collected_sum,
        file(r.collections_written(), &args.collections),
        r.even
    );
    Ok(())
}

pub async fn yearend(args: YearEndArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (2000..=2100).contains(&args.year),
        "--year must be between 2000 and 2100"
    );
    let ctx = open_app(&args.database.url(), data_key_from_env()).await?;
    let result = ixorg_app::contracts::yearend(&ctx, args.year).await;
    ctx.db_close().await;
    let r = result?;
    println!(
        "year-end {}: {} participants checked, {} check-up deductions (EUR {})",
        args.year, r.checked, r.deducted, r.sum
    );
    Ok(())
}

/// Arguments of `ixorg change-iban`.
#[derive(Debug, Args)]
pub struct ChangeIbanArgs {
    /// The participant number of any member of the contract.
    #[arg(long)]
    pub participant_number: String,
    /// The new IBAN to collect from.
    #[arg(long)]
    pub iban: String,
    /// The new account holder's name.
    #[arg(long)]
    pub account_holder: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Arguments of `ixorg unmatched`.
#[derive(Debug, Args)]
pub struct UnmatchedArgs {
    /// At most this many entries.
    #[arg(long, default_value_t = 100)]
    pub limit: i64,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

pub async fn change_iban(args: ChangeIbanArgs) -> anyhow::Result<()> {
    let iban: Iban = args
        .iban
        .parse()
        .context("--iban is not a valid SEPA IBAN")?;
    anyhow::ensure!(
        !args.account_holder.trim().is_empty(),
        "--account-holder must not be empty"
    );
    let ctx = open_app(&args.database.url(), data_key_from_env()).await?;
    let result = ixorg_app::contracts::change_iban(
        &ctx,
        args.participant_number.trim(),
        &iban,
        args.account_holder.trim(),
    )
    .await;
    ctx.db_close().await;
    let contract = result?;
    println!(
        "contract {contract} now collects from the new IBAN; the next collection carries the \
         mandate amendment"
    );
    Ok(())
}

pub async fn unmatched(args: UnmatchedArgs) -> anyhow::Result<()> {
    anyhow::ensure!((1..=10_000).contains(&args.limit), "--limit is 1 to 10000");
    let ctx = open_app(&args.database.url(), data_key_from_env()).await?;
    let entries = ixorg_app::reconciliation::unmatched(&ctx, args.limit).await;
    ctx.db_close().await;
    let entries = entries?;
    if entries.is_empty() {
        println!("no unmatched bank entries");
    }
    for e in entries {
        println!(
            "entry {:>6}  {} EUR {:>12}  end-to-end id {}  reason {}",
            e.index,
            if e.credit { "credit" } else { "debit " },
            e.amount.to_string(),
            e.end_to_end_id.as_deref().unwrap_or("-"),
            e.reason_code.as_deref().unwrap_or("-")
        );
    }
    Ok(())
}

/// Arguments of `ixorg change-budget`.
#[derive(Debug, Args)]
pub struct ChangeBudgetArgs {
    /// The participant's number.
    #[arg(long)]
    pub participant_number: String,
    /// The new annual budget in euros, e.g. 360 or 360.00.
    #[arg(long)]
    pub annual: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

pub async fn change_budget(args: ChangeBudgetArgs) -> anyhow::Result<()> {
    let annual = ixorg_app::domain::Cents::parse_eur(&args.annual)
        .map_err(|e| anyhow::anyhow!("--annual is not a euro amount: {e}"))?;
    let ctx = open_app(&args.database.url(), data_key_from_env()).await?;
    let result =
        ixorg_app::contracts::change_annual_budget(&ctx, args.participant_number.trim(), annual)
            .await;
    ctx.db_close().await;
    let change = result?;
    println!(
        "annual budget EUR {} from {} (credit line EUR {})",
        change.new_annual, change.effective_from, change.credit_line
    );
    Ok(())
}
