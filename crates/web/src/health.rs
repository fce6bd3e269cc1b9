//! Liveness and readiness.

use axum::extract::State;
use axum::http::StatusCode;

use crate::WebState;

/// `GET /healthz`: the process is alive.
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// `GET /readyz`: the database answers.
pub async fn readyz(State(state): State<WebState>) -> (StatusCode, &'static str) {
    if ixorg_app::setup::ready(&state.ctx).await {
        (StatusCode::OK, "ready\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
    }
}
