//! `ixorg demo`: a data directory with an SQLite database, a generated data key and demo data,
//! then the server.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;

use crate::settings::open_app;

/// Arguments of `ixorg demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The data directory (created when missing; reused when it exists).
    #[arg(long, default_value = "ixorg-demo")]
    pub dir: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Number of demo households.
    #[arg(long, default_value_t = 40)]
    pub households: usize,
    /// Seed the data, print the log-ins and exit instead of serving.
    #[arg(long)]
    pub no_serve: bool,
    #[command(flatten)]
    pub web: super::serve::WebArgs,
}

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.households <= 10_000, "--households is at most 10000");
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("Failed to create {}", args.dir.display()))?;
    let key = data_key(&args.dir.join("data.key"))?;
    let url = format!("sqlite://{}", args.dir.join("ixorg.db").display());
    let ctx = open_app(&url, Some(key)).await?;
    let bank_files = args.dir.join("bank");
    let summary = ixorg_tools::demo::seed(&ctx, args.households, &bank_files).await?;
    if summary.seeded {
        println!(
            "Demo data: {} households, {} participants, {} ledger transfers.",
            summary.households, summary.participants, summary.transfers
        );
        println!(
            "This year's collections: {} runs (pain.008 and the bank's camt.053 in {}), {} \
             direct debits returned and in the reminder flow.",
            summary.collection_runs,
            bank_files.display(),
            summary.returned
        );
        println!(
            "Declarations: {} lines from a practice's MZ301 file, answered in its MZ302, and a \
             payout run of {} transfers (pain.001 and the bank's camt.053), in {}.",
            summary.declaration_lines,
            summary.payouts,
            bank_files.display()
        );
        if let Some(token) = &summary.api_token {
            println!(
                "API token of practice 12000001 (POST /api/v1/declarations, POST /fhir/Claim; \
                 shown once): {token}"
            );
        }
        if let Some(tour) = &summary.privacy {
            println!(
                "Privacy: a participant's complete export in {} and {}; {} data-subject \
                 requests wait for the privacy officer (IXORG_STAFF_PASSWORD=\
                 demo-privacy-officer-2026 ixorg privacy requests --staff privacy-officer \
                 --database {url}).",
                tour.export_json.display(),
                tour.export_html.display(),
                tour.pending_requests
            );
            println!(
                "Statistics (groups below 10 suppressed) in {}; a retention run today would \
                 change {} rows (`ixorg retention run --dry-run`); a processor and a disclosure \
                 under a legal duty are registered (`ixorg processor list`).",
                tour.statistics.display(),
                tour.retention_due
            );
        }
        if let Some(number) = &summary.application {
            println!("One household applied through the public path: participant {number}.");
        }
    } else {
        println!(
            "Demo data exists already in {} ({} participants).",
            args.dir.display(),
            summary.participants
        );
    }
    println!(
        "Database: {url}  (data key in {})",
        args.dir.join("data.key").display()
    );
    println!(
        "Try: ixorg collect --database {url} --date YYYY-MM-DD --out FILE, ixorg generate \
         camt053 …, ixorg reconcile FILE, ixorg generate mz301 --lines N --out FILE, ixorg \
         import mz301 FILE, ixorg payout --date YYYY-MM-DD --out FILE; POST \
         /api/v1/applications, /api/v1/declarations and /fhir/Claim on the server."
    );
    println!("Staff log-ins (each user holds one role; the role decides what data it may see):");
    for login in &summary.logins {
        println!(
            "  {:<16} {:<18} password {}",
            login.role.as_str(),
            login.username,
            login.password
        );
    }
    if args.no_serve {
        ctx.db_close().await;
        return Ok(());
    }
    super::serve::serve(ctx, args.addr, &args.web, |url| {
        println!("ixorg demo is running at {url}  (Ctrl-C stops it)");
    })
    .await
}

/// Reads the demo's data key, or generates one (readable by the owner only).
fn data_key(path: &Path) -> anyhow::Result<String> {
    if let Some(key) = crate::settings::data_key_from_env() {
        return Ok(key);
    }
    if path.exists() {
        return std::fs::read_to_string(path)
            .with_context(|| format!("Failed to read {}", path.display()));
    }
    let key = ixorg_app::crypto::Crypto::generate_key_hex()?;
    write_private(path, &key).with_context(|| format!("Failed to write {}", path.display()))?;
    Ok(key)
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}
