//! `GET /metrics` in the Prometheus text exposition format (version 0.0.4).
//!
//! The figures (requests, and counts of participants, staff users, ledger transfers and
//! access-log entries) are for the monitoring system only. On the public address `/metrics`
//! answers only a request with `Authorization: Bearer <metrics token>` (the configured token,
//! compared in constant time): without a configured token it answers 404, with a missing or
//! wrong token 401. On the separate metrics address (`serve --metrics-addr`), which only the
//! monitoring system can reach, it answers without a token.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::WebState;

/// Status classes counted (1xx..5xx).
const CLASSES: usize = 5;

/// Request counters. Only counts: no paths with ids, no personal data.
#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    requests: [AtomicU64; CLASSES],
    duration_micros_total: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            started: Instant::now(),
            requests: Default::default(),
            duration_micros_total: AtomicU64::new(0),
        }
    }
}

/// Middleware: counts every response by status class and adds up the time taken.
pub async fn count_requests(State(state): State<WebState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let response = next.run(req).await;
    let class = usize::from(response.status().as_u16() / 100).clamp(1, CLASSES) - 1;
    state.metrics.requests[class].fetch_add(1, Ordering::Relaxed);
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    state
        .metrics
        .duration_micros_total
        .fetch_add(micros, Ordering::Relaxed);
    response
}

/// `GET /metrics` on the public address: only with the configured bearer token.
pub async fn metrics(State(state): State<WebState>, headers: HeaderMap) -> Response {
    let Some(token) = &state.config.metrics_token else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .map(HeaderValue::as_bytes)
        .and_then(|v| v.split_at_checked(BEARER.len()))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case(BEARER))
        .map(|(_, token)| token.trim_ascii());
    if given.is_some_and(|given| token.admits(given)) {
        return exposition(State(state)).await;
    }
    let mut refused = StatusCode::UNAUTHORIZED.into_response();
    refused.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"ixorg-metrics\""),
    );
    refused
}

/// The scheme of the `Authorization` header, with its space.
const BEARER: &[u8] = b"Bearer ";

/// `GET /metrics` on the separate metrics address, and the answer of [`metrics`].
pub async fn exposition(State(state): State<WebState>) -> Response {
    let m = &state.metrics;
    let mut out = String::with_capacity(2_048);
    let _ = writeln!(out, "# HELP ixorg_build_info Version of the running ixorg.");
    let _ = writeln!(out, "# TYPE ixorg_build_info gauge");
    let _ = writeln!(
        out,
        "ixorg_build_info{{version=\"{}\",database=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION"),
        state.ctx.db_backend().as_str()
    );
    let _ = writeln!(
        out,
        "# HELP ixorg_uptime_seconds Seconds since the server started."
    );
    let _ = writeln!(out, "# TYPE ixorg_uptime_seconds gauge");
    let _ = writeln!(
        out,
        "ixorg_uptime_seconds {}",
        m.started.elapsed().as_secs()
    );
    let _ = writeln!(
        out,
        "# HELP ixorg_http_requests_total HTTP responses by status class."
    );
    let _ = writeln!(out, "# TYPE ixorg_http_requests_total counter");
    for (i, counter) in m.requests.iter().enumerate() {
        let _ = writeln!(
            out,
            "ixorg_http_requests_total{{status=\"{}xx\"}} {}",
            i + 1,
            counter.load(Ordering::Relaxed)
        );
    }
    let _ = writeln!(
        out,
        "# HELP ixorg_http_request_duration_seconds_total Time spent answering."
    );
    let _ = writeln!(
        out,
        "# TYPE ixorg_http_request_duration_seconds_total counter"
    );
    let micros = m.duration_micros_total.load(Ordering::Relaxed);
    let _ = writeln!(
        out,
        "ixorg_http_request_duration_seconds_total {}.{:06}",
        micros / 1_000_000,
        micros % 1_000_000
    );
    let ready = ixorg_app::setup::ready(&state.ctx).await;
    let _ = writeln!(
        out,
        "# HELP ixorg_database_up Whether the database answers."
    );
    let _ = writeln!(out, "# TYPE ixorg_database_up gauge");
    let _ = writeln!(out, "ixorg_database_up {}", u8::from(ready));
    if let Ok(c) = ixorg_app::stats::counts(&state.ctx).await {
        for (name, help, value) in [
            ("ixorg_participants", "Participants.", c.participants),
            ("ixorg_staff_users", "Staff users.", c.staff_users),
            (
                "ixorg_ledger_transfers",
                "Ledger transfers.",
                c.ledger_transfers,
            ),
            (
                "ixorg_access_log_entries",
                "Access-log entries.",
                c.access_log_entries,
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} gauge");
            let _ = writeln!(out, "{name} {value}");
        }
    }
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}
