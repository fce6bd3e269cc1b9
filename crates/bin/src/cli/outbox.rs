//! `ixorg outbox list [--failed]`: the outbox as staff see it (no address, no content).

use anyhow::Context as _;
use clap::Subcommand;
use ixorg_app::domain::timestamp::Timestamp;
use time::format_description::well_known::Rfc3339;

use crate::settings::{DatabaseArgs, data_key_from_env, open_app_keyless};

/// `ixorg outbox …`.
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// The newest messages (at most 500): kind, state, tries, next try and the class of the
    /// last error. No address or content is shown.
    List {
        /// Only the messages whose last try failed (retrying or undeliverable).
        #[arg(long)]
        failed: bool,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

fn instant(t: Option<Timestamp>) -> String {
    t.and_then(|t| t.to_offset_date_time()?.format(&Rfc3339).ok())
        .unwrap_or_else(|| "-".to_owned())
}

/// Runs `ixorg outbox …`.
pub async fn run(command: OutboxCommand) -> anyhow::Result<()> {
    let OutboxCommand::List { failed, database } = command;
    let ctx = open_app_keyless(&database.url(), data_key_from_env()).await?;
    let entries = ixorg_app::mail::list(&ctx, failed).await;
    ctx.db_close().await;
    let entries = entries.context("Failed to read the outbox")?;
    println!(
        "{:<36}  {:<29}  {:<15}  {:>8}  {:<24}  {:<24}  error",
        "message", "kind", "state", "attempts", "created", "next attempt"
    );
    for e in &entries {
        println!(
            "{:<36}  {:<29}  {:<15}  {:>8}  {:<24}  {:<24}  {}",
            e.id,
            e.kind.as_str(),
            e.state.as_str(),
            e.attempts,
            instant(Some(e.created_at)),
            instant(e.next_attempt_at),
            e.last_error.map_or("-", |x| x.as_str()),
        );
    }
    println!("{} message(s)", entries.len());
    Ok(())
}
