//! Settings shared by the commands: the database URL and the data key, from flags or the
//! environment. Secrets come only from the environment, never from flags or files in the repo.

use std::sync::Arc;

use anyhow::Context as _;
use clap::Args;
use ixorg_app::setup::{OpenOptions, open};
use ixorg_app::{AppContext, SystemClock};

/// The default database: an SQLite file in the working directory.
pub const DATABASE_URL_DEFAULT: &str = "sqlite://ixorg.db";

/// Where the data lives: `--database URL`, before or after the subcommand (`ixorg --database
/// URL collect …`, as git and cargo take their global options).
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Database URL: `sqlite://PATH` (created and migrated on first use) or `postgres://…`.
    /// Without it, `IXORG_DATABASE_URL`, else `sqlite://ixorg.db` (the benchmarks use a fresh
    /// SQLite file of their own instead).
    #[arg(long = "database", value_name = "URL", global = true)]
    pub given: Option<String>,
}

impl DatabaseArgs {
    /// The database to use: `--database`, else `IXORG_DATABASE_URL`, else
    /// [`DATABASE_URL_DEFAULT`].
    pub fn url(&self) -> String {
        self.given
            .clone()
            .or_else(|| {
                std::env::var("IXORG_DATABASE_URL")
                    .ok()
                    .filter(|u| !u.trim().is_empty())
            })
            .unwrap_or_else(|| DATABASE_URL_DEFAULT.to_owned())
    }
}

/// The data key from `IXORG_DATA_KEY` (64 hex characters), if set.
pub fn data_key_from_env() -> Option<String> {
    std::env::var("IXORG_DATA_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty())
}

/// Opens the platform on `url` with the system clock. The key is required (when the database
/// holds encrypted data) for the commands that read personal data, such as `serve`.
pub async fn open_app(url: &str, data_key: Option<String>) -> anyhow::Result<AppContext> {
    open_with(url, data_key, true).await
}

/// Opens the platform for a command that never decrypts (`migrate`, `audit verify`).
pub async fn open_app_keyless(url: &str, data_key: Option<String>) -> anyhow::Result<AppContext> {
    open_with(url, data_key, false).await
}

async fn open_with(
    url: &str,
    data_key: Option<String>,
    key_required_if_encrypted: bool,
) -> anyhow::Result<AppContext> {
    let options = OpenOptions {
        database_url: url.to_owned(),
        data_key,
        clock: Arc::new(SystemClock),
        connect: ixorg_app::setup::connect_defaults(),
        key_required_if_encrypted,
    };
    open(options)
        .await
        .with_context(|| format!("Failed to open the {} database", scheme(url)))
}

/// The scheme of a URL, for messages (never the credentials in it).
pub fn scheme(url: &str) -> &str {
    url.split(':').next().unwrap_or("")
}
