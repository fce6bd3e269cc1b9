//! `ixorg serve`.

use std::net::SocketAddr;

use anyhow::Context as _;
use clap::Args;
use ixorg_app::AppContext;

use crate::settings::{DatabaseArgs, data_key_from_env, open_app};

/// Arguments of `ixorg serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let ctx = open_app(&args.database.url, data_key_from_env()).await?;
    serve(ctx, args.addr, |url| {
        println!("ixorg is listening on {url}")
    })
    .await
}

/// Serves until SIGTERM or Ctrl-C, then finishes the requests in flight and closes the pool.
pub async fn serve(
    ctx: AppContext,
    addr: SocketAddr,
    announce: impl FnOnce(&str),
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("Failed to listen on {addr}"))?;
    let local = listener
        .local_addr()
        .context("Failed to read the bound address")?;
    let url = format!("http://{local}/");
    tracing::info!(%local, "Listening");
    announce(&url);
    ixorg_web::serve(ctx.clone(), listener, shutdown_signal())
        .await
        .context("The server failed")?;
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
