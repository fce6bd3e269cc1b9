//! `ixorg serve`, and the web settings it shares with `ixorg demo`.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use ixorg_app::AppContext;
use ixorg_app::mail::{MailTransport, run_sender};
use ixorg_web::{MetricsToken, PublicUrl, WebConfig};

use crate::settings::{DatabaseArgs, data_key_from_env, open_app};

/// The environment variable that may hold the metrics token (instead of a file).
pub const METRICS_TOKEN_ENV: &str = "IXORG_METRICS_TOKEN";

/// The environment variable with the SMTP server's URL (lettre's form, for example
/// `smtps://user:password@mail.example.nl:465` or `smtp://localhost:25`).
pub const SMTP_URL_ENV: &str = "IXORG_SMTP_URL";

/// The environment variable with the sender of the messages (`Name <address>`).
pub const MAIL_FROM_ENV: &str = "IXORG_MAIL_FROM";

/// Arguments of `ixorg serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub web: WebArgs,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// What the web server is told besides its address.
#[derive(Debug, Clone, Args)]
pub struct WebArgs {
    /// The URL clients reach the server at (`https://host[:port][/path]`), used for every
    /// absolute URL the server writes; the request's Host header never is. Default:
    /// `http://<listen address>` (127.0.0.1 for an unspecified address).
    #[arg(long, env = "IXORG_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<PublicUrl>,
    /// A file holding the bearer token that `/metrics` on the listen address asks for (or set
    /// `IXORG_METRICS_TOKEN`). Without a token `/metrics` answers 404 there.
    #[arg(long, value_name = "FILE")]
    pub metrics_token_file: Option<PathBuf>,
    /// A separate address that serves only `/metrics`, without a token, for the monitoring
    /// system (keep it unreachable from outside).
    #[arg(long, env = "IXORG_METRICS_ADDR", value_name = "ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Write the outbox's messages as `.eml` files into this directory (created if missing)
    /// instead of sending them; without it, `IXORG_SMTP_URL` sends them by SMTP, and with
    /// neither they wait in the outbox.
    #[arg(long, value_name = "DIR")]
    pub mail_dir: Option<PathBuf>,
    /// Development on plain `http://` only: session and language cookies without `Secure`,
    /// and no `Strict-Transport-Security` header. Never use it in production.
    #[arg(long)]
    pub insecure_dev: bool,
}

fn parse_public_url(text: &str) -> Result<PublicUrl, String> {
    PublicUrl::parse(text).map_err(|e| e.to_string())
}

impl WebArgs {
    /// The metrics token from `--metrics-token-file` or `IXORG_METRICS_TOKEN` (never both).
    fn metrics_token(&self) -> anyhow::Result<Option<MetricsToken>> {
        let from_env = std::env::var(METRICS_TOKEN_ENV)
            .ok()
            .filter(|t| !t.trim().is_empty());
        match (&self.metrics_token_file, from_env) {
            (Some(_), Some(_)) => anyhow::bail!(
                "--metrics-token-file and {METRICS_TOKEN_ENV} are both set; give the metrics \
                 token once"
            ),
            (Some(path), None) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("Failed to read {}", path.display()))?;
                let token = MetricsToken::new(&text).context("--metrics-token-file")?;
                Ok(Some(token))
            }
            (None, Some(text)) => Ok(Some(MetricsToken::new(&text).context(METRICS_TOKEN_ENV)?)),
            (None, None) => Ok(None),
        }
    }

    /// The web settings for a server bound to `local`.
    fn config(&self, local: SocketAddr) -> anyhow::Result<WebConfig> {
        let public_url = match &self.public_url {
            Some(url) => url.clone(),
            None => default_public_url(local)?,
        };
        Ok(WebConfig {
            public_url,
            metrics_token: self.metrics_token()?,
            insecure_dev: self.insecure_dev,
        })
    }
}

/// The mail transport: `--mail-dir`, or SMTP from `IXORG_SMTP_URL`, or none (one warning; the
/// messages wait in the outbox).
fn mail_transport(web: &WebArgs) -> anyhow::Result<Option<MailTransport>> {
    let env = |name| {
        std::env::var(name)
            .ok()
            .filter(|v: &String| !v.trim().is_empty())
    };
    let from = env(MAIL_FROM_ENV);
    match (&web.mail_dir, env(SMTP_URL_ENV)) {
        (Some(_), Some(_)) => anyhow::bail!(
            "--mail-dir and {SMTP_URL_ENV} are both set; choose where the mail goes once"
        ),
        (Some(dir), None) => {
            std::fs::create_dir_all(dir).with_context(|| {
                format!("Failed to create the mail directory {}", dir.display())
            })?;
            let transport = MailTransport::file(dir, from.as_deref()).context(MAIL_FROM_ENV)?;
            tracing::info!(mail_dir = %dir.display(), "Outbox messages are written as .eml files");
            Ok(Some(transport))
        }
        (None, Some(url)) => {
            let transport = MailTransport::smtp(&url, from.as_deref()).context(SMTP_URL_ENV)?;
            tracing::info!("Outbox messages are sent by SMTP");
            Ok(Some(transport))
        }
        (None, None) => {
            tracing::warn!(
                "No mail transport (--mail-dir or {SMTP_URL_ENV}): outbox messages wait unsent"
            );
            Ok(None)
        }
    }
}

/// `http://<local>`, with the loopback address for an unspecified one (`0.0.0.0`).
fn default_public_url(local: SocketAddr) -> anyhow::Result<PublicUrl> {
    let mut shown = local;
    if shown.ip().is_unspecified() {
        shown.set_ip(match local {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    PublicUrl::parse(&format!("http://{shown}")).context("Failed to make the default public URL")
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    // Settings first, so a bad token is reported before the database is opened.
    args.web.metrics_token()?;
    let ctx = open_app(&args.database.url(), data_key_from_env()).await?;
    serve(ctx, args.addr, &args.web, |url| {
        println!("ixorg is listening on {url}");
    })
    .await
}

/// Serves until SIGTERM or Ctrl-C, then finishes the requests in flight and closes the pool.
pub async fn serve(
    ctx: AppContext,
    addr: SocketAddr,
    web: &WebArgs,
    announce: impl FnOnce(&str),
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("Failed to listen on {addr}"))?;
    let local = listener
        .local_addr()
        .context("Failed to read the bound address")?;
    let config = web.config(local)?;
    let mail = mail_transport(web)?;
    let metrics_listener = match web.metrics_addr {
        Some(metrics_addr) => Some(
            tokio::net::TcpListener::bind(metrics_addr)
                .await
                .with_context(|| format!("Failed to listen on {metrics_addr} for metrics"))?,
        ),
        None => None,
    };
    let url = format!("http://{local}/");
    tracing::info!(%local, public_url = %config.public_url, "Listening");
    announce(&url);
    if let Some(metrics) = &metrics_listener {
        let metrics = metrics
            .local_addr()
            .context("Failed to read the bound metrics address")?;
        tracing::info!(%metrics, "Serving /metrics");
        println!("metrics are served on http://{metrics}/metrics");
    }
    let (stop_sender, stopped) = tokio::sync::watch::channel(false);
    let sender = mail.map(|transport| {
        let mut stopped = stopped.clone();
        let shutdown = async move {
            // A closed channel means the server is gone too: stop either way.
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        let public_url = config.public_url.as_str().to_owned();
        tokio::spawn(run_sender(ctx.clone(), transport, public_url, shutdown))
    });
    let served = ixorg_web::serve_with(
        ctx.clone(),
        config,
        listener,
        metrics_listener,
        shutdown_signal(),
    )
    .await;
    let _ = stop_sender.send(true);
    if let Some(sender) = sender {
        sender.await.context("The mail sender failed")?;
    }
    served.context("The server failed")?;
    ctx.db_close().await;
    tracing::info!("Stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("Shutting down");
}
