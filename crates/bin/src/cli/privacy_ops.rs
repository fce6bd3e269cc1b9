//! `ixorg stats`, `ixorg breach report`, `ixorg keys`, `ixorg processor`, `ixorg disclose`: the
//! privacy operations of the operator.

use anyhow::Context as _;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use ixorg_app::AppContext;
use ixorg_app::breach::{BreachFilter, BreachQuery, breach_report};
use ixorg_app::domain::identifiers::ParticipantNumber;
use ixorg_app::domain::privacy::{Actor, DataCategory, Purpose, Role};
use ixorg_app::domain::recipients::{ProcessorAgreement, join_list, parse_list};
use ixorg_app::domain::timestamp::Timestamp;
use ixorg_app::processors::{self, DisclosureRequest};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use super::money::parse_date;
use super::privacy::privacy_officer;
use crate::settings::{DatabaseArgs, data_key_from_env, open_app};

/// Arguments of `ixorg stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// `md` (a page) or `json` (one document).
    #[arg(long, default_value = "md", value_parser = ["md", "json"])]
    pub format: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// `ixorg breach …`.
#[derive(Debug, Subcommand)]
pub enum BreachCommand {
    /// List the data subjects and categories affected in a period, from the access log (for the
    /// 72-hour notification, GDPR art. 33/34).
    Report {
        /// Start (RFC 3339 instant or YYYY-MM-DD, UTC midnight), included.
        #[arg(long, value_parser = parse_instant)]
        from: Timestamp,
        /// End (RFC 3339 instant or YYYY-MM-DD, UTC midnight), excluded.
        #[arg(long, value_parser = parse_instant)]
        to: Timestamp,
        /// Only the accesses of this actor (its id or job name, or `kind:id`).
        #[arg(long, conflicts_with = "category")]
        actor: Option<String>,
        /// Only the accesses that touched this category.
        #[arg(long)]
        category: Option<String>,
        /// The privacy officer's username, password in `IXORG_STAFF_PASSWORD` (default: the
        /// platform itself).
        #[arg(long)]
        by: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// `ixorg keys …`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Re-encrypt every BSN under the newest key version, in short chunks (rerunnable).
    Rotate {
        /// Rows per transaction.
        #[arg(long, default_value_t = ixorg_app::keys::CHUNK_ROWS)]
        chunk: i64,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Print the `index:HEX` entry that pins the blind-index key in use (key material: put it
    /// in the secret store with `IXORG_DATA_KEY`, never in a file in the repository).
    IndexKey,
}

/// `ixorg processor …`.
#[derive(Debug, Subcommand)]
pub enum ProcessorCommand {
    /// Register a processor with its processor agreement (or replace its agreement).
    Add {
        /// The register name (the processor's actor id).
        #[arg(long)]
        name: String,
        /// The agreement's reference.
        #[arg(long)]
        agreement: String,
        /// Signed on (YYYY-MM-DD): in force from this day.
        #[arg(long, value_parser = parse_date)]
        signed_on: Date,
        /// Ends on (YYYY-MM-DD), included; leave out for an open-ended agreement.
        #[arg(long, value_parser = parse_date)]
        ends_on: Option<Date>,
        /// The categories it may handle, comma-separated (`identity,contact`).
        #[arg(long)]
        categories: String,
        /// The purposes it may handle them for, comma-separated (`contact`).
        #[arg(long)]
        purposes: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// List the processor register (the processors the record of processing names).
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// Arguments of `ixorg disclose`.
#[derive(Debug, Args)]
pub struct DiscloseArgs {
    /// The participant number.
    #[arg(long)]
    pub participant: String,
    /// The recipient (an authority, court or bailiff).
    #[arg(long)]
    pub recipient: String,
    /// The categories disclosed, comma-separated.
    #[arg(long)]
    pub categories: String,
    /// The legal duty: `tax_authority`, `criminal_investigation`, `supervisor`, `court_order` or
    /// `garnishment`. Without one the disclosure is refused (and the refusal logged).
    #[arg(long)]
    pub legal_ground: Option<String>,
    /// The recipient's reference (request, order or case number).
    #[arg(long)]
    pub reference: String,
    /// The privacy officer's username (password in `IXORG_STAFF_PASSWORD`).
    #[arg(long)]
    pub by: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Parses an RFC 3339 instant or a date (UTC midnight).
fn parse_instant(text: &str) -> Result<Timestamp, String> {
    let at = match OffsetDateTime::parse(text, &Rfc3339) {
        Ok(t) => t,
        Err(_) => parse_date(text)?.midnight().assume_utc(),
    };
    Timestamp::from_offset_date_time(at).ok_or_else(|| "out of range".to_owned())
}

pub async fn stats(args: StatsArgs) -> anyhow::Result<()> {
    let ctx = open_app(&args.database.url(), data_key_from_env()).await?;
    let result = ixorg_app::statistics::statistics(&ctx).await;
    ctx.db_close().await;
    let stats = result.context("Statistics failed")?;
    match args.format.as_str() {
        "json" => print!("{}", stats.to_json()),
        _ => print!("{}", stats.to_markdown()),
    }
    Ok(())
}

async fn acting(ctx: &AppContext, by: Option<&str>) -> anyhow::Result<(Actor, Role)> {
    match by {
        Some(username) => Ok(privacy_officer(ctx, username).await?.acting()),
        None => Ok((Actor::System("breach-report".into()), Role::System)),
    }
}

pub async fn breach(command: BreachCommand) -> anyhow::Result<()> {
    let BreachCommand::Report {
        from,
        to,
        actor,
        category,
        by,
        database,
    } = command;
    let filter = match (actor, category) {
        (Some(a), _) => BreachFilter::Actor(a),
        (None, Some(c)) => BreachFilter::Category(
            c.parse::<DataCategory>()
                .map_err(|_| anyhow::anyhow!("unknown category {c:?}"))?,
        ),
        (None, None) => BreachFilter::All,
    };
    let ctx = open_app(&database.url(), data_key_from_env()).await?;
    let result = async {
        let by = acting(&ctx, by.as_deref()).await?;
        let query = BreachQuery { from, to, filter };
        anyhow::Ok(breach_report(&ctx, by, query).await?)
    }
    .await;
    ctx.db_close().await;
    print!("{}", result?.to_markdown());
    Ok(())
}

pub async fn keys(command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::IndexKey => {
            let setting = data_key_from_env().context("IXORG_DATA_KEY is not set")?;
            let crypto = ixorg_app::crypto::Crypto::from_setting(&setting)?;
            println!("{}", crypto.index_key_setting());
            Ok(())
        }
        KeysCommand::Rotate { chunk, database } => {
            let ctx = open_app(&database.url(), data_key_from_env()).await?;
            let bar = ProgressBar::no_length();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            let result = ixorg_app::keys::rotate(&ctx, chunk, &|p| {
                bar.set_message(format!(
                    "{}.{}: {} seen, {} re-encrypted, {} already current",
                    p.table, p.column, p.seen, p.rewritten, p.current
                ));
            })
            .await;
            bar.finish_and_clear();
            ctx.db_close().await;
            for c in result? {
                println!(
                    "{}.{}: {} ciphertexts, {} re-encrypted, {} already on the newest key, {} changed meanwhile",
                    c.table, c.column, c.seen, c.rewritten, c.current, c.changed_meanwhile
                );
            }
            Ok(())
        }
    }
}

pub async fn processor(command: ProcessorCommand) -> anyhow::Result<()> {
    match command {
        ProcessorCommand::Add {
            name,
            agreement,
            signed_on,
            ends_on,
            categories,
            purposes,
            database,
        } => {
            let categories: Vec<DataCategory> = parse_list(&categories)
                .map_err(|bad| anyhow::anyhow!("unknown category {bad:?}"))?;
            let purposes: Vec<Purpose> =
                parse_list(&purposes).map_err(|bad| anyhow::anyhow!("unknown purpose {bad:?}"))?;
            let agreement = ProcessorAgreement {
                name,
                agreement_reference: agreement,
                signed_on,
                ends_on,
                categories,
                purposes,
            };
            let ctx = open_app(&database.url(), data_key_from_env()).await?;
            let result = processors::register(&ctx, &agreement).await;
            ctx.db_close().await;
            result?;
            println!("registered processor {}", agreement.name);
            Ok(())
        }
        ProcessorCommand::List { database } => {
            let ctx = open_app(&database.url(), data_key_from_env()).await?;
            let result = processors::list(&ctx).await;
            ctx.db_close().await;
            println!("| processor | agreement | signed on | ends on | categories | purposes |");
            println!("|---|---|---|---|---|---|");
            for p in result? {
                let ends = p
                    .ends_on
                    .map_or_else(|| "open-ended".to_owned(), |d| d.to_string());
                println!(
                    "| {} | {} | {} | {ends} | {} | {} |",
                    p.name,
                    p.agreement_reference,
                    p.signed_on,
                    join_list(&p.categories),
                    join_list(&p.purposes)
                );
            }
            Ok(())
        }
    }
}

pub async fn disclose(args: DiscloseArgs) -> anyhow::Result<()> {
    let number: ParticipantNumber = args
        .participant
        .parse()
        .map_err(|_| anyhow::anyhow!("not a participant number"))?;
    let categories: Vec<DataCategory> =
        parse_list(&args.categories).map_err(|bad| anyhow::anyhow!("unknown category {bad:?}"))?;
    let ctx = open_app(&args.database.url(), data_key_from_env()).await?;
    let result = async {
        let by = privacy_officer(&ctx, &args.by).await?.acting();
        let participant = processors::participant_of_number(&ctx, &number)
            .await?
            .context("no participant has this number")?;
        let request = DisclosureRequest {
            participant,
            recipient: args.recipient,
            categories,
            legal_ground: args.legal_ground,
            reference: args.reference,
        };
        anyhow::Ok(processors::disclose(&ctx, by, request).await?)
    }
    .await;
    ctx.db_close().await;
    let id = result?;
    println!("disclosure {id} recorded");
    Ok(())
}
