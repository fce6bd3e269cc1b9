//! `ixorg privacy …`: the privacy officer's side of the data subject's rights: the request
//! queue, decisions, answering access requests with the export, the published export schema and
//! versioned privacy documents.
//!
//! Staff commands log in as a staff user: `--staff USERNAME` with the password in
//! `IXORG_STAFF_PASSWORD`, acting in the privacy officer role.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use ixorg_app::AppContext;
use ixorg_app::domain::ids::PrivacyRequestId;
use ixorg_app::domain::privacy::Role;
use ixorg_app::domain::privacy::consent::DocumentKind;
use ixorg_app::privacy::requests::{self, Approval};
use ixorg_app::privacy::{Staff, consent, export};
use time::Date;

use super::money::parse_date;
use crate::settings::{DatabaseArgs, data_key_from_env, open_app};

/// The staff user a command acts as, and the database.
#[derive(Debug, Args)]
pub struct StaffArgs {
    /// The staff user (password in `IXORG_STAFF_PASSWORD`), acting as privacy officer.
    #[arg(long)]
    staff: String,
    #[command(flatten)]
    database: DatabaseArgs,
}

impl StaffArgs {
    /// Opens the platform and logs the staff user in.
    async fn open(&self) -> anyhow::Result<(AppContext, Staff)> {
        let ctx = open_app(&self.database.url(), data_key_from_env()).await?;
        let staff = privacy_officer(&ctx, &self.staff).await?;
        Ok((ctx, staff))
    }
}

/// Logs the privacy officer `username` in, with the password in `IXORG_STAFF_PASSWORD`.
pub async fn privacy_officer(ctx: &AppContext, username: &str) -> anyhow::Result<Staff> {
    let password = std::env::var("IXORG_STAFF_PASSWORD")
        .context("set IXORG_STAFF_PASSWORD to the staff user's password")?;
    Ok(Staff::login(ctx, username, &password, Role::PrivacyOfficer).await?)
}

/// `ixorg privacy …`.
#[derive(Debug, Subcommand)]
pub enum PrivacyCommand {
    /// Print the JSON Schema of the personal-data export (`docs/export.schema.json`).
    Schema,
    /// List pending data-subject requests, the earliest due first; overdue ones are marked.
    Requests {
        #[command(flatten)]
        who: StaffArgs,
    },
    /// Show one request with its history.
    Show {
        /// The request id.
        request: String,
        #[command(flatten)]
        who: StaffArgs,
    },
    /// Take a request on.
    Assign {
        /// The request id.
        request: String,
        #[command(flatten)]
        who: StaffArgs,
    },
    /// Approve a request and carry it out (an IBAN change needs two different staff members).
    Approve {
        /// The request id.
        request: String,
        #[command(flatten)]
        who: StaffArgs,
    },
    /// Refuse a request, with the reason the participant is told.
    Reject {
        /// The request id.
        request: String,
        /// Why.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        who: StaffArgs,
    },
    /// Answer an access request: write the export as JSON and HTML into a directory.
    AnswerAccess {
        /// The request id.
        request: String,
        /// The directory to write `export-NUMBER.json` and `export-NUMBER.html` into.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        who: StaffArgs,
    },
    /// Publish a new version of the privacy statement or the cookie policy.
    Publish {
        /// `privacy_statement` or `cookie_policy`.
        #[arg(long)]
        kind: String,
        /// In force from (YYYY-MM-DD).
        #[arg(long, value_parser = parse_date)]
        from: Date,
        /// What changed, shown to participants at their next login.
        #[arg(long)]
        summary: String,
        /// The text (Markdown).
        #[arg(long)]
        file: PathBuf,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// Runs `ixorg privacy …`.
pub async fn run(command: PrivacyCommand) -> anyhow::Result<()> {
    match command {
        PrivacyCommand::Schema => {
            print!("{}", export::schema_text());
            Ok(())
        }
        PrivacyCommand::Requests { who } => {
            let (ctx, officer) = who.open().await?;
            for p in requests::pending(&ctx, officer).await? {
                let r = p.request;
                println!(
                    "{}  {:<13} {:<24} due {}{}",
                    r.id,
                    r.request_type,
                    r.status,
                    r.due_on,
                    if p.overdue { "  OVERDUE" } else { "" }
                );
            }
            Ok(())
        }
        PrivacyCommand::Show { request, who } => {
            let (ctx, officer) = who.open().await?;
            let (record, history) = requests::show(&ctx, officer, parse_id(&request)?).await?;
            println!(
                "{} {} {} due {}",
                record.id, record.request_type, record.status, record.due_on
            );
            if let Some(field) = record.field {
                println!("field: {field}");
            }
            for e in history {
                println!(
                    "  {} {} {} {}",
                    e.recorded_at.unix_ms(),
                    e.kind,
                    e.actor_kind,
                    e.note
                );
            }
            Ok(())
        }
        PrivacyCommand::Assign { request, who } => {
            let (ctx, officer) = who.open().await?;
            requests::assign(&ctx, officer, parse_id(&request)?).await?;
            println!("assigned");
            Ok(())
        }
        other => decide(other).await,
    }
}

async fn decide(command: PrivacyCommand) -> anyhow::Result<()> {
    match command {
        PrivacyCommand::Approve { request, who } => {
            let (ctx, officer) = who.open().await?;
            match requests::approve(&ctx, officer, parse_id(&request)?).await? {
                Approval::AwaitingSecondApproval => {
                    println!("approved once; a second staff member must approve too");
                }
                Approval::Completed(summary) => println!("completed: {summary}"),
            }
            Ok(())
        }
        PrivacyCommand::Reject {
            request,
            reason,
            who,
        } => {
            let (ctx, officer) = who.open().await?;
            requests::reject(&ctx, officer, parse_id(&request)?, &reason).await?;
            println!("rejected");
            Ok(())
        }
        PrivacyCommand::AnswerAccess { request, out, who } => {
            let (ctx, officer) = who.open().await?;
            let request = parse_id(&request)?;
            let page = ixorg_web::export_page::render;
            let answered =
                export::answer_access_request(&ctx, officer, request, &out, page).await?;
            println!("{}\n{}", answered.json.display(), answered.html.display());
            Ok(())
        }
        PrivacyCommand::Publish {
            kind,
            from,
            summary,
            file,
            database,
        } => {
            let kind: DocumentKind = kind
                .parse()
                .map_err(|_| anyhow::anyhow!("--kind: use privacy_statement or cookie_policy"))?;
            let body = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let ctx = open_app(&database.url(), data_key_from_env()).await?;
            let version = consent::publish_document(&ctx, kind, from, &summary, &body).await?;
            println!("{kind} version {version}, in force from {from}");
            Ok(())
        }
        _ => Ok(()),
    }
}

fn parse_id(text: &str) -> anyhow::Result<PrivacyRequestId> {
    text.parse()
        .map_err(|_| anyhow::anyhow!("request: not a request id (a UUID)"))
}
