//! RFC 9457 problem details: the one error shape of the JSON API.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One field that failed, with a stable code and an English sentence.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field's path in the request, e.g. `members[1].date_of_birth`.
    pub field: String,
    /// A stable code, e.g. `acceptance.main_not_adult`.
    pub code: String,
    /// What is wrong (never the value itself).
    pub detail: String,
}

/// A problem details document.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// An explanation of this occurrence.
    pub detail: String,
    /// The fields that failed, if any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

impl Problem {
    /// A problem of `status` with a kind slug (`/problems/{slug}`).
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: format!("/problems/{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// A 500 that says nothing of the cause (the cause is logged once, here).
    pub fn internal(cause: &dyn std::fmt::Display) -> Problem {
        tracing::error!(error = %cause, "Request failed");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "The request could not be completed; it was logged.",
        )
    }
}

/// A 400 for a path whose parameter cannot be read (such as a broken `%` escape); it does not
/// repeat the path.
#[must_use]
pub fn bad_path() -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "bad-path",
        "Bad path",
        "A parameter in the path could not be read; check its percent-encoding.",
    )
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}
