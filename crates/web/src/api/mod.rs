//! The JSON API under `/api/v1/`.

pub mod applications;
pub mod problem;

use axum::Router;
use axum::routing::post;

use crate::WebState;

/// The `/api/v1` routes.
pub fn routes() -> Router<WebState> {
    Router::new().route("/api/v1/applications", post(applications::create))
}
