//! The per-IP throttle of `POST /mijn/inloggen`: at most [`LOG_IN_ATTEMPTS_PER_WINDOW`] attempts
//! per address per [`THROTTLE_WINDOW`] (fixed windows, in memory, per router), then 429 with a
//! page in the visitor's language.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use crate::errors::{PageMessage, page_error};

/// Log-in attempts (POST) per IP address per [`THROTTLE_WINDOW`].
pub const LOG_IN_ATTEMPTS_PER_WINDOW: u32 = 20;
/// The window of [`LOG_IN_ATTEMPTS_PER_WINDOW`].
pub const THROTTLE_WINDOW: Duration = Duration::from_secs(60);

/// Log-in attempts per IP address in fixed windows.
#[derive(Debug, Default)]
pub(super) struct Throttle {
    hits: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl Throttle {
    /// Counts an attempt from `ip`; false when it is over the limit.
    fn allow(&self, ip: IpAddr, now: Instant) -> bool {
        let Ok(mut hits) = self.hits.lock() else {
            return true;
        };
        if hits.len() > 100_000 {
            hits.retain(|_, (start, _)| now.duration_since(*start) < THROTTLE_WINDOW);
        }
        let entry = hits.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= THROTTLE_WINDOW {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        entry.1 <= LOG_IN_ATTEMPTS_PER_WINDOW
    }
}

/// Middleware: 429 with a page in the visitor's language after too many log-ins from one IP
/// (requests without a peer address share one bucket).
pub(super) async fn limit_log_ins(
    State(throttle): State<Arc<Throttle>>,
    request: Request,
    next: Next,
) -> Response {
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(a)| a.ip());
    if throttle.allow(ip, Instant::now()) {
        next.run(request).await
    } else {
        tracing::warn!("Too many log-in attempts from one address");
        page_error(
            StatusCode::TOO_MANY_REQUESTS,
            PageMessage {
                dutch: "Er is vanaf dit adres te vaak geprobeerd in te loggen. Wacht een minuut \
                        en probeer het dan opnieuw.",
                english: "There were too many log-in attempts from this address. Wait a minute \
                          and try again.",
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_throttle_refuses_after_the_limit_and_forgives_after_the_window() {
        let t = Throttle::default();
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let now = Instant::now();
        for _ in 0..LOG_IN_ATTEMPTS_PER_WINDOW {
            assert!(t.allow(ip, now));
        }
        assert!(!t.allow(ip, now));
        assert!(t.allow(IpAddr::V4(Ipv4Addr::BROADCAST), now));
        assert!(t.allow(ip, now + THROTTLE_WINDOW));
    }
}
