//! `ixorg demo`: a data directory with an SQLite database, a generated data key and demo data,
//! then the server.
//!
//! The data directory holds `data.key` (the generated data key, owner-only), `demo.sqlite`
//! (the database), `files/` (what the bank and the practices exchanged: pain.008, camt.053,
//! MZ301/MZ302, pain.001, the privacy export), `mail/` (the outgoing mail as `.eml` files) and
//! `logins.txt` (the log-ins printed at the first run, printed again by every later run).

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
    /// Number of random demo households besides the named ones (340 make about 1,050
    /// participants).
    #[arg(long, default_value_t = ixorg_tools::demo::HOUSEHOLDS_DEFAULT)]
    pub households: usize,
    /// Seed the data, print the log-ins and exit instead of serving.
    #[arg(long)]
    pub no_serve: bool,
    #[command(flatten)]
    pub web: super::serve::WebArgs,
}

/// The files of a demo data directory.
struct Layout {
    key: PathBuf,
    database: PathBuf,
    files: PathBuf,
    mail: PathBuf,
    logins: PathBuf,
}

impl Layout {
    fn of(dir: &Path) -> Layout {
        Layout {
            key: dir.join("data.key"),
            database: dir.join("demo.sqlite"),
            files: dir.join("files"),
            mail: dir.join("mail"),
            logins: dir.join("logins.txt"),
        }
    }
}

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.households <= 10_000, "--households is at most 10000");
    let layout = Layout::of(&args.dir);
    for dir in [&args.dir, &layout.files, &layout.mail] {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("Failed to create {}", dir.display()))?;
    }
    let key = data_key(&layout.key)?;
    let url = format!("sqlite://{}", layout.database.display());
    let ctx = open_app(&url, Some(key)).await?;
    let summary = ixorg_tools::demo::seed(&ctx, args.households, &layout.files).await?;
    if summary.seeded {
        print_seeded(&summary, &layout);
        let logins = logins_text(&summary);
        std::fs::write(&layout.logins, &logins)
            .with_context(|| format!("Failed to write {}", layout.logins.display()))?;
    } else {
        println!(
            "Demo data exists already in {} ({} participants); reusing it.",
            args.dir.display(),
            summary.participants
        );
    }
    println!(
        "Database: {url}  (data key in {}; files in {}; mail in {})",
        layout.key.display(),
        layout.files.display(),
        layout.mail.display()
    );
    let logins = std::fs::read_to_string(&layout.logins).unwrap_or_else(|_| logins_text(&summary));
    print!("{logins}");
    if args.no_serve {
        ctx.db_close().await;
        return Ok(());
    }
    // The demo is served on plain http on this machine, and its mail (the portal's activation
    // and reset links) goes into the data directory unless SMTP is configured.
    let mut web = args.web.clone();
    web.insecure_dev = true;
    if web.mail_dir.is_none() && std::env::var_os("IXORG_SMTP_URL").is_none() {
        web.mail_dir = Some(layout.mail.clone());
    }
    super::serve::serve(ctx, args.addr, &web, |url| {
        println!("ixorg demo is running at {url}  (Ctrl-C stops it)");
    })
    .await
}

fn print_seeded(summary: &ixorg_tools::demo::DemoSummary, layout: &Layout) {
    let files = layout.files.display();
    println!(
        "Demo data: {} participants in households, {} practices with two providers each and a \
         billing bureau, {} ledger transfers.",
        summary.participants, summary.practices, summary.transfers
    );
    println!(
        "Collections: {} monthly runs (pain.008 and the bank's camt.053 in {files}), {} direct \
         debits returned and in the reminder flow.",
        summary.collection_runs, summary.returned
    );
    let channels: Vec<String> = summary
        .variety
        .channels
        .iter()
        .map(|(channel, n)| format!("{channel} {n}"))
        .collect();
    let outcomes: Vec<String> = summary
        .variety
        .outcomes
        .iter()
        .map(|(outcome, n)| format!("{outcome} {n}"))
        .collect();
    println!(
        "Declarations: {} MZ301 files with their MZ302 answers, a JSON API batch and a FHIR \
         claim (lines per channel: {}; per outcome: {}; {} reason codes); payout runs of {} \
         transfers in all.",
        summary.mz301_files,
        channels.join(", "),
        outcomes.join(", "),
        summary.variety.reasons.len(),
        summary.payouts
    );
    if let Some(token) = &summary.api_token {
        println!(
            "API token of practice 12000001 (POST /api/v1/declarations, POST /fhir/Claim; \
             shown once): {token}"
        );
    }
    if let Some(tour) = &summary.privacy {
        let states: Vec<String> = tour
            .request_states
            .iter()
            .map(|(state, n)| format!("{state} {n}"))
            .collect();
        println!(
            "Privacy: requests ({}); consents of every kind; a complete export in {} and {}; \
             statistics in {}; a retention run today would change {} rows.",
            states.join(", "),
            tour.export_json.display(),
            tour.export_html.display(),
            tour.statistics.display(),
            tour.retention_due
        );
    }
    if let Some(number) = &summary.application {
        println!("One household applied through the public path: participant {number}.");
    }
}

/// The log-ins as printed (and kept in `logins.txt` for later runs).
fn logins_text(summary: &ixorg_tools::demo::DemoSummary) -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "Staff log-ins (each user holds one role; the role decides what data it may see):\n",
    );
    for login in &summary.logins {
        let _ = writeln!(
            out,
            "  {:<16} {:<18} password {}",
            login.role.as_str(),
            login.username,
            login.password
        );
    }
    if !summary.participant_logins.is_empty() {
        out.push_str("Participant log-ins (/mijn/, participant number and password):\n");
        for login in &summary.participant_logins {
            let _ = writeln!(
                out,
                "  {}  password {}  {}",
                login.number, login.password, login.story
            );
        }
    }
    out
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
