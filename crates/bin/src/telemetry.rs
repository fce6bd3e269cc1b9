//! Logging through `tracing`: human-readable by default, JSON with `IXORG_LOG_FORMAT=json`,
//! levels from `RUST_LOG` (default `info`, and `warn` for sqlx so statements are not logged).
//! Log lines carry ids only, never personal data (see `docs/LOGGING.md`).

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber, writing to stderr.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let json = std::env::var("IXORG_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let result = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    if result.is_err() {
        // A subscriber is already installed (tests): keep it.
    }
}
