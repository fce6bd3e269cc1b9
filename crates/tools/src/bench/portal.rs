//! `ixorg bench portal`: the logged-in portal overview page under load. The demo's data is
//! seeded (untimed), the server runs on a loopback port, a demo participant logs in through
//! the real log-in form, and N connections ask for `/mijn/` as fast as it answers. Beside it,
//! the same reads through the use case without HTTP (the raw figure for the same rows).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use ixorg_app::AppContext;

use super::page_load::{self, PageLoad, once};

/// What `bench portal` measured.
#[derive(Debug)]
pub struct PortalBench {
    /// The page under load.
    pub load: PageLoad,
    /// Overview reads through the use case (no HTTP) in the same time, over as many tasks.
    pub direct_reads: u64,
    /// How long the direct reads ran.
    pub direct_elapsed: Duration,
    /// Participants in the database.
    pub participants: usize,
}

impl PortalBench {
    /// Direct reads per second.
    #[must_use]
    pub fn direct_per_second(&self) -> u64 {
        let micros = self.direct_elapsed.as_micros().max(1);
        u64::try_from(u128::from(self.direct_reads) * 1_000_000 / micros).unwrap_or(u64::MAX)
    }
}

/// Seeds the demo with `households` into the empty database of `ctx` (files in `files`), then
/// measures `/mijn/` over `connections` connections for `seconds`.
///
/// # Errors
/// When the seeding, the server, the log-in or the load fails.
pub async fn portal(
    ctx: &AppContext,
    files: &Path,
    households: usize,
    connections: usize,
    seconds: u64,
) -> anyhow::Result<PortalBench> {
    let summary = crate::demo::seed(ctx, households, files).await?;
    let login = summary
        .participant_logins
        .first()
        .context("the demo made no participant log-in")?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("Failed to listen on a loopback port")?;
    let addr = listener
        .local_addr()
        .context("Failed to read the address")?;
    let config = ixorg_web::WebConfig {
        public_url: ixorg_web::PublicUrl::parse(&format!("http://{addr}"))?,
        insecure_dev: true,
        ..ixorg_web::WebConfig::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(ixorg_web::serve_with(
        ctx.clone(),
        config,
        listener,
        None,
        async {
            let _ = stopped.await;
        },
    ));
    let measured = async {
        let cookie = log_in(addr, &login.number, &login.password).await?;
        let headers = vec![format!("Cookie: {cookie}")];
        let check = once(addr, "GET", "/mijn/", &headers, None).await?;
        if check.status != 200 {
            bail!("the overview answered {} after the log-in", check.status);
        }
        let duration = Duration::from_secs(seconds);
        let load = page_load::run(addr, "/mijn/", &headers, connections, duration, 200).await?;
        let number = login.number.parse()?;
        let participant = ixorg_app::processors::participant_of_number(ctx, &number)
            .await?
            .context("the demo participant is not in the database")?;
        let (direct_reads, direct_elapsed) =
            direct(ctx, participant, connections, duration).await?;
        Ok::<_, anyhow::Error>((load, direct_reads, direct_elapsed))
    }
    .await;
    let _ = stop.send(());
    server
        .await
        .context("The server task failed")?
        .context("The server failed")?;
    let (load, direct_reads, direct_elapsed) = measured?;
    Ok(PortalBench {
        load,
        direct_reads,
        direct_elapsed,
        participants: summary.participants,
    })
}

/// Logs in through the form (and accepts the privacy statement shown at the first log-in);
/// returns the session cookie.
async fn log_in(addr: SocketAddr, number: &str, password: &str) -> anyhow::Result<String> {
    let origin = format!("Origin: http://{addr}");
    let form = once(addr, "GET", "/mijn/inloggen", &[], None).await?;
    let mut cookie = form
        .cookies
        .iter()
        .find(|c| c.starts_with(ixorg_web::session::SESSION_COOKIE))
        .cloned()
        .context("the log-in form made no session")?;
    let token = csrf(&form.body)?;
    let body = format!(
        "csrf_token={token}&nummer={number}&wachtwoord={}",
        ixorg_web::i18n::encode(password)
    );
    let answer = once(
        addr,
        "POST",
        "/mijn/inloggen",
        &[format!("Cookie: {cookie}"), origin.clone()],
        Some(&body),
    )
    .await?;
    if answer.status != 303 {
        bail!("the log-in answered {}", answer.status);
    }
    if let Some(c) = answer
        .cookies
        .iter()
        .find(|c| c.starts_with(ixorg_web::session::SESSION_COOKIE))
    {
        cookie.clone_from(c);
    }
    let page = once(
        addr,
        "GET",
        "/mijn/privacyverklaring",
        &[format!("Cookie: {cookie}")],
        None,
    )
    .await?;
    if page.status == 200 {
        let mut body = format!("csrf_token={}", csrf(&page.body)?);
        for doc in page.body.split("name=\"doc\" value=\"").skip(1) {
            let value = doc.split('"').next().unwrap_or_default();
            body.push_str(&format!("&doc={}", ixorg_web::i18n::encode(value)));
        }
        let accepted = once(
            addr,
            "POST",
            "/mijn/privacyverklaring",
            &[format!("Cookie: {cookie}"), origin],
            Some(&body),
        )
        .await?;
        if accepted.status != 303 {
            bail!(
                "accepting the privacy statement answered {}",
                accepted.status
            );
        }
    }
    Ok(cookie)
}

fn csrf(body: &str) -> anyhow::Result<String> {
    body.split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
        .context("no CSRF field in the form")
}

/// The overview's reads through the use case, on `tasks` tasks for `duration`.
async fn direct(
    ctx: &AppContext,
    participant: ixorg_app::domain::ids::ParticipantId,
    tasks: usize,
    duration: Duration,
) -> anyhow::Result<(u64, Duration)> {
    let started = Instant::now();
    let deadline = started + duration;
    let ctx = Arc::new(ctx.clone());
    let mut handles = Vec::with_capacity(tasks);
    for _ in 0..tasks {
        let ctx = Arc::clone(&ctx);
        handles.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                ixorg_app::portal::overview(&ctx, participant).await?;
                n += 1;
            }
            Ok::<u64, ixorg_app::privacy::PrivacyError>(n)
        }));
    }
    let mut total = 0;
    for h in handles {
        total += h.await.context("a direct-read task failed")??;
    }
    Ok((total, started.elapsed()))
}
