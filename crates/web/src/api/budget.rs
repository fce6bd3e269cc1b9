//! `GET /api/v1/participants/{number}/budget`: what a practice may see of a participant's
//! budget (balance and credit left, nothing else), only while the participant's provider-view
//! consent covers the practice. Every look is logged; a refusal answers 403.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ixorg_app::domain::identifiers::ParticipantNumber;
use ixorg_app::privacy::PrivacyError;
use ixorg_app::privacy::consent::budget_for_practice;
use serde::Serialize;

use crate::WebState;
use crate::api::problem::Problem;
use crate::auth::ApiCaller;

/// The answer: amounts in euro cents.
#[derive(Debug, Serialize)]
pub struct BudgetBody {
    /// The participant number asked about.
    pub participant_number: String,
    /// The balance (negative when in the red).
    pub balance_cents: i64,
    /// What can still be paid from the budget: balance plus the credit line.
    pub credit_left_cents: i64,
}

fn refused(detail: &str) -> Response {
    Problem::new(
        StatusCode::FORBIDDEN,
        "refused",
        "Not allowed",
        detail.to_owned(),
    )
    .into_response()
}

/// The handler.
pub async fn show(
    State(state): State<WebState>,
    ApiCaller(client): ApiCaller,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(number)) = path else {
        return crate::api::problem::bad_path().into_response();
    };
    let Some(practice) = client.practice else {
        return refused("Only a practice may see a participant's budget.");
    };
    let Ok(number) = number.parse::<ParticipantNumber>() else {
        return Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            "No participant has this number.",
        )
        .into_response();
    };
    match budget_for_practice(&state.ctx, practice, &number).await {
        Ok(view) => Json(BudgetBody {
            participant_number: number.as_str().to_owned(),
            balance_cents: view.balance.get(),
            credit_left_cents: view.credit_left.get(),
        })
        .into_response(),
        Err(PrivacyError::Refused(_)) => refused(
            "The participant has not given (or has withdrawn) consent for this practice to see \
             the budget.",
        ),
        Err(PrivacyError::NotFound(_)) => Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            "No participant has this number.",
        )
        .into_response(),
        Err(other) => Problem::internal(&other).into_response(),
    }
}
