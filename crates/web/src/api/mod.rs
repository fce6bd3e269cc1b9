//! The JSON API under `/api/v1/`.

pub mod applications;
pub mod budget;
pub mod declarations;
pub mod problem;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::WebState;

/// The `/api/v1` routes.
pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/api/v1/applications", post(applications::create))
        .route(
            "/api/v1/declarations",
            post(declarations::create).layer(DefaultBodyLimit::max(
                declarations::DECLARATIONS_BODY_BYTES_MAX,
            )),
        )
        .route("/api/v1/declarations/{batch_id}", get(declarations::show))
        .route("/api/v1/participants/{number}/budget", get(budget::show))
        .route("/schemas/export-v1.json", get(export_schema))
}

/// `GET /schemas/export-v1.json`: the published JSON Schema of the personal-data export.
async fn export_schema() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/schema+json")],
        ixorg_app::privacy::export::schema_text(),
    )
}
