//! The subcommands.

mod audit;
mod bench;
mod declarations;
mod demo;
mod generate;
mod money;
mod outbox;
mod privacy;
mod privacy_ops;
mod retention;
mod serve;

use clap::{Parser, Subcommand};

use crate::settings::{DatabaseArgs, data_key_from_env, open_app_keyless};

/// ixorg: a Dutch dental-care budget plan, end to end.
#[derive(Debug, Parser)]
#[command(name = "ixorg", version, about, propagate_version = true)]
pub struct Cli {
    /// `--database` before the subcommand; each command reads it from its own arguments, where
    /// clap passes it down.
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the database if needed and apply all migrations and reference data.
    Migrate {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Run the web server.
    Serve(serve::ServeArgs),
    /// Create a demo data directory (SQLite database, generated data key, demo data) and serve it.
    Demo(demo::DemoArgs),
    /// Checks of the books and the logs.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The operator's creditor details (for SEPA files).
    Operator {
        #[command(subcommand)]
        command: money::OperatorCommand,
    },
    /// Make the collection run for a date and write its pain.008 file (again, if it exists).
    Collect(money::CollectArgs),
    /// Reconcile a camt.053 bank statement or a pain.002 status report.
    Reconcile(money::ReconcileArgs),
    /// Record a participant's notice; the contract ends at the end of a calendar month.
    Terminate(money::TerminateArgs),
    /// Settle ended contracts: pay out positive balances (pain.001), collect negative ones.
    Settle(money::SettleArgs),
    /// Apply the yearly check-up rule to a calendar year.
    Yearend(money::YearEndArgs),
    /// Change the IBAN a contract is collected from (the next collection carries the mandate
    /// amendment).
    ChangeIban(money::ChangeIbanArgs),
    /// Change a participant's annual budget (any time upwards, once a year for next year).
    ChangeBudget(money::ChangeBudgetArgs),
    /// List bank entries that matched nothing, for staff.
    Unmatched(money::UnmatchedArgs),
    /// Import declaration files.
    Import {
        #[command(subcommand)]
        command: declarations::ImportCommand,
    },
    /// Pay what is owed to practices and billing intermediaries: one pain.001 file per date.
    Payout(declarations::PayoutArgs),
    /// Practices and their providers.
    Practice {
        #[command(subcommand)]
        command: declarations::PracticeCommand,
    },
    /// API clients (practices and billing intermediaries with a token).
    ApiClient {
        #[command(subcommand)]
        command: declarations::ApiClientCommand,
    },
    /// Retention: anonymise or delete what has expired (PRIVACY.md §6).
    Retention {
        #[command(subcommand)]
        command: retention::RetentionCommand,
    },
    /// Print the record of processing activities (GDPR art. 30), generated from the code.
    Ropa {
        /// `md` (a page) or `json` (one document).
        #[arg(long, default_value = "md", value_parser = ["md", "json"])]
        format: String,
    },
    /// The data subject's rights for the privacy officer: requests, decisions, exports, the
    /// export schema and versioned privacy documents.
    Privacy {
        #[command(subcommand)]
        command: privacy::PrivacyCommand,
    },
    /// User statistics, aggregated only (groups below 10 suppressed).
    Stats(privacy_ops::StatsArgs),
    /// The mail outbox: what waits, what was sent, what failed.
    Outbox {
        #[command(subcommand)]
        command: outbox::OutboxCommand,
    },
    /// Breach support: who was affected, from the access log.
    Breach {
        #[command(subcommand)]
        command: privacy_ops::BreachCommand,
    },
    /// Data keys: rotation of the BSN encryption key.
    Keys {
        #[command(subcommand)]
        command: privacy_ops::KeysCommand,
    },
    /// The processor register (processors and their processor agreements).
    Processor {
        #[command(subcommand)]
        command: privacy_ops::ProcessorCommand,
    },
    /// Record a disclosure of a participant's data to a third party under a legal duty.
    Disclose(privacy_ops::DiscloseArgs),
    /// Synthetic data for tests, the demo and benchmarks; the bank simulator.
    Generate {
        #[command(subcommand)]
        command: generate::GenerateCommand,
    },
    /// Benchmarks through the real code paths.
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Verify the ledger's invariants and the access log's hash chain; exit 1 naming the first
    /// broken entry.
    Verify {
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// Runs the chosen command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    // `--database` is a global option, so clap accepts it everywhere: refuse it where it would
    // be ignored (the message starts with the option, which makes it an argument error).
    let own_database = match &cli.command {
        Command::Demo(_) => Some("demo makes its own SQLite database in --dir"),
        Command::Bench {
            command: bench::BenchCommand::Mz301Parse { .. },
        } => Some("bench mz301-parse reads no database"),
        _ => None,
    };
    if let (Some(why), Some(_)) = (own_database, &cli.database.given) {
        anyhow::bail!("--database does not apply here: {why}");
    }
    match cli.command {
        Command::Migrate { database } => migrate(&database).await,
        Command::Serve(args) => serve::run(args).await,
        Command::Demo(args) => demo::run(args).await,
        Command::Audit {
            command: AuditCommand::Verify { database },
        } => audit::verify(&database).await,
        Command::Bench { command } => bench::run(command).await,
        Command::Operator { command } => money::operator(command).await,
        Command::Generate { command } => generate::run(command).await,
        Command::Collect(args) => money::collect(args).await,
        Command::Reconcile(args) => money::reconcile(args).await,
        Command::Terminate(args) => money::terminate(args).await,
        Command::Settle(args) => money::settle(args).await,
        Command::Yearend(args) => money::yearend(args).await,
        Command::ChangeIban(args) => money::change_iban(args).await,
        Command::Unmatched(args) => money::unmatched(args).await,
        Command::ChangeBudget(args) => money::change_budget(args).await,
        Command::Import { command } => declarations::import(command).await,
        Command::Ropa { format } => ropa(&format),
        Command::Retention { command } => retention::run(command).await,
        Command::Privacy { command } => privacy::run(command).await,
        Command::Stats(args) => privacy_ops::stats(args).await,
        Command::Outbox { command } => outbox::run(command).await,
        Command::Breach { command } => privacy_ops::breach(command).await,
        Command::Keys { command } => privacy_ops::keys(command).await,
        Command::Processor { command } => privacy_ops::processor(command).await,
        Command::Disclose(args) => privacy_ops::disclose(args).await,
        Command::Payout(args) => declarations::payout(args).await,
        Command::Practice { command } => declarations::practice(command).await,
        Command::ApiClient { command } => declarations::api_client(command).await,
    }
}

async fn migrate(database: &DatabaseArgs) -> anyhow::Result<()> {
    let ctx = open_app_keyless(&database.url(), data_key_from_env()).await?;
    let migrations = ixorg_app::setup::migrations(&ctx);
    tracing::info!(
        database = crate::settings::scheme(&database.url()),
        migrations = migrations.len(),
        "Database is migrated"
    );
    for (version, name) in migrations {
        println!("{version:04} {name}");
    }
    ctx.db_close().await;
    Ok(())
}

fn ropa(format: &str) -> anyhow::Result<()> {
    let policy = ixorg_app::domain::privacy::Policy::defaults();
    let record = ixorg_app::domain::privacy::ropa::record(&policy)?;
    match format {
        "json" => print!("{}", record.to_json()),
        _ => print!("{}", record.to_markdown()),
    }
    Ok(())
}
