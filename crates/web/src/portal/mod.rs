//! The participant portal at `/mijn/`: its pieces that do not depend on a request (the year
//! chart and the explanations in words), and its log-in pages ([`auth`]).

pub mod auth;
pub mod chart;
pub mod consent;
pub mod explain;
pub mod overview;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ixorg_app::privacy::PrivacyError;

/// A portal use case's refusal or failure as an answer that reveals nothing: 404 for anything
/// the participant may not see, 500 (logged, without personal data) otherwise.
pub(crate) fn failure(e: &PrivacyError) -> Response {
    match e {
        PrivacyError::Refused(_) | PrivacyError::NotFound(_) => {
            StatusCode::NOT_FOUND.into_response()
        }
        other => {
            tracing::error!(error = %other, "A portal page failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
