//! The declarations API: practices and billing intermediaries send declaration lines and read
//! each line's outcome.
//!
//! # `POST /api/v1/declarations`
//!
//! - `Authorization: Bearer <token>` (an API client's token): missing or unknown → 401 problem
//!   details with `WWW-Authenticate: Bearer`.
//! - `Idempotency-Key: <1 to 200 visible ASCII characters>`, required: missing or invalid →
//!   400 problem details. The same key again returns the batch it made, with 200 and the same
//!   body, without deciding anything again.
//! - Body (`application/json`, at most [`DECLARATIONS_BODY_BYTES_MAX`] bytes, 1 to
//!   `LINES_PER_BATCH_MAX` lines):
//!   `{ "sender_reference": "...", "lines": [ { "reference", "previous_reference"?,
//!   "participant_number"? or "bsn" + "birth_date", "provider_agb", "practice_agb"?,
//!   "treatment_date": "YYYY-MM-DD", "code", "element"?, "surface"?, "cost_kind"?
//!   ("honorarium" | "material"), "quantity"? (1-65535), "unit_tariff": "28.51",
//!   "amount": "28.51" (negative for a credit), "accident"? (boolean) } ] }`.
//!   Any field problem → 422 problem details listing every field as
//!   `{ "pointer": "/lines/3/amount", "detail": "..." }` (never the value); nothing is stored.
//! - 201 Created, `Location: /api/v1/declarations/{batch_id}`, body [`BatchBody`]:
//!   `{ "batch_id", "received_on", "declared", "assigned", "lines": [ { "line_number",
//!   "reference", "outcome", "reasons": [ { "code", "title" } ], "amount", "paid_from_budget",
//!   "own_payment" } ] }`, amounts as euro text (`"28.51"`).
//!
//! # `GET /api/v1/declarations/{batch_id}`
//!
//! The same body with 200 for a batch this client sent; 404 problem details for any other id.
//!
//! # Errors
//!
//! Every use-case error becomes a status in one place, [`failure`], which the FHIR endpoints
//! share.

mod lines;

pub use lines::{BatchRequest, FieldError, FieldErrors, read_batch};

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ixorg_app::access::AccessError;
use ixorg_app::declarations::DecideError;
use ixorg_app::declarations::api::{
    ApiError, BatchAnswers, IDEMPOTENCY_KEY_CHARS_MAX, batch_status, submit,
};
use ixorg_app::declarations::fhir::Channel;
use ixorg_app::domain::ids::DeclarationBatchId;
use serde::Serialize;
use serde_json::Value;

use super::problem::Problem;
use crate::WebState;
use crate::auth::ApiCaller;

/// The largest body accepted: `LINES_PER_BATCH_MAX` lines of about 400 bytes each.
pub const DECLARATIONS_BODY_BYTES_MAX: usize = crate::REQUEST_BODY_BYTES_MAX;

/// The name of the idempotency header.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// How a use-case error is answered: the one mapping to HTTP of the declaration endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The HTTP status.
    pub status: StatusCode,
    /// The problem kind (`/problems/{slug}`).
    pub slug: &'static str,
    /// A short summary.
    pub title: &'static str,
    /// What the caller can do.
    pub detail: &'static str,
}

/// Maps a use-case error to its answer; a server error is logged here, once.
pub fn failure(e: &ApiError) -> Failure {
    let answer = |status, slug, title, detail| Failure {
        status,
        slug,
        title,
        detail,
    };
    let refused = |e: &AccessError| matches!(e, AccessError::Refused(_));
    let failure = match e {
        ApiError::NotFound => answer(
            StatusCode::NOT_FOUND,
            "not-found",
            "No such batch",
            "This API client sent no batch with this id.",
        ),
        ApiError::NoPayee => answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no-payee",
            "The sender cannot be paid",
            "The practice or intermediary has no payee account yet; ask the operator.",
        ),
        ApiError::BatchSize => answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            "batch-size",
            "Too many or too few lines",
            "A batch holds at least one line and at most the documented maximum.",
        ),
        ApiError::Access(a) | ApiError::Decide(DecideError::Access(a)) if refused(a) => answer(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Access refused",
            "The access policy does not allow this client to do this; the refusal was logged.",
        ),
        ApiError::Decide(DecideError::NoTerms) => answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no-terms",
            "No product terms for a treatment date",
            "A treatment date lies outside every period of the product terms.",
        ),
        ApiError::KeyReused => answer(
            StatusCode::CONFLICT,
            "idempotency-key-reused",
            "Idempotency-Key used for another request",
            "This Idempotency-Key was used before for a different request; nothing was stored. \
             Send a new key with a new request, and the same request with the same key.",
        ),
        ApiError::NoSender => answer(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Access refused",
            "This API client belongs to no practice or billing intermediary.",
        ),
        ApiError::Decide(DecideError::AmountAboveMaximum(_)) => answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            "amount-above-maximum",
            "An amount is above the maximum per line",
            "A line's amount is above the maximum per line of the product terms; nothing was \
             stored.",
        ),
        ApiError::Decide(DecideError::TotalOutOfRange) => answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            "total-out-of-range",
            "The batch total is out of range",
            "The amounts of the batch add up to more than can be booked; nothing was stored.",
        ),
        ApiError::Decide(DecideError::Raced) => answer(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "Try again",
            "Another batch with the same lines was stored at the same moment; send it again.",
        ),
        _ => answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "The request could not be completed; it was logged.",
        ),
    };
    if failure.status.is_server_error() {
        tracing::error!(error = %e, status = failure.status.as_u16(), "Declarations request failed");
    }
    failure
}

/// Seconds a client waits before sending again after a 503.
pub const RETRY_AFTER_SECONDS: &str = "1";

impl Failure {
    /// Adds what the status asks for besides the body: `Retry-After` on a 503.
    pub fn decorate(&self, mut response: Response) -> Response {
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_static(RETRY_AFTER_SECONDS),
            );
        }
        response
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let problem = Problem::new(self.status, self.slug, self.title, self.detail);
        self.decorate(problem.into_response())
    }
}

/// The `Idempotency-Key` header: `Ok(None)` when absent, `Err` when not 1 to
/// [`IDEMPOTENCY_KEY_CHARS_MAX`] visible ASCII characters.
///
/// # Errors
/// A sentence saying what is wrong (never the key).
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, &'static str> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= IDEMPOTENCY_KEY_CHARS_MAX)
        .filter(|k| k.bytes().all(|b| b.is_ascii_graphic()));
    key.map(Some).ok_or(
        "Idempotency-Key must be 1 to 200 visible ASCII characters (a UUID is a good choice).",
    )
}

/// A 400 problem about the request as a whole.
fn bad_request(slug: &str, title: &str, detail: impl Into<String>) -> Response {
    Problem::new(StatusCode::BAD_REQUEST, slug, title, detail).into_response()
}

/// A 422 problem listing every field.
#[derive(Debug, Serialize)]
struct InvalidFields {
    #[serde(flatten)]
    problem: Problem,
    errors: Vec<FieldError>,
}

impl IntoResponse for InvalidFields {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self).expect("BUG: a problem serializes");
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}

fn invalid_fields(errors: FieldErrors) -> Response {
    let detail = if errors.truncated > 0 {
        format!(
            "{} field(s) are not valid, the first {} are listed; nothing was stored.",
            errors.count(),
            errors.errors.len()
        )
    } else {
        format!(
            "{} field(s) are not valid; nothing was stored.",
            errors.count()
        )
    };
    InvalidFields {
        problem: Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-declarations",
            "The declarations are not valid",
            detail,
        ),
        errors: errors.errors,
    }
    .into_response()
}

/// A body that could not be read as JSON (the reader's own message may quote the body, so it is
/// not passed on).
fn unreadable(rejection: &JsonRejection) -> Response {
    let status = rejection.status();
    let detail = match status {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "Send the body as `application/json`.".to_owned(),
        StatusCode::PAYLOAD_TOO_LARGE => {
            format!(
                "The body is larger than {DECLARATIONS_BODY_BYTES_MAX} bytes; send fewer lines per batch."
            )
        }
        _ => "The body is not valid JSON.".to_owned(),
    };
    Problem::new(
        status,
        "malformed-request",
        "The request body could not be read",
        detail,
    )
    .into_response()
}

/// One reason of a line.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ReasonBody {
    /// The stable code (`docs/REASON-CODES.md`).
    pub code: &'static str,
    /// What it means.
    pub title: &'static str,
}

/// One line's answer.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct LineBody {
    /// Position in the batch, from 1.
    pub line_number: i64,
    /// The sender's reference.
    pub reference: String,
    /// `accepted`, `partly_accepted`, `held` or `rejected`.
    pub outcome: &'static str,
    /// Why.
    pub reasons: Vec<ReasonBody>,
    /// The declared amount (euro text).
    pub amount: String,
    /// Paid from the participant's budget.
    pub paid_from_budget: String,
    /// The participant's own payment.
    pub own_payment: String,
}

/// A batch and its answers, as the API returns it.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct BatchBody {
    /// The batch id.
    pub batch_id: String,
    /// The day it was received (`YYYY-MM-DD`).
    pub received_on: String,
    /// Sum of the declared amounts.
    pub declared: String,
    /// Sum paid from budgets.
    pub assigned: String,
    /// Each line's answer, in order.
    pub lines: Vec<LineBody>,
}

impl From<&BatchAnswers> for BatchBody {
    fn from(a: &BatchAnswers) -> Self {
        BatchBody {
            batch_id: a.batch.id.to_string(),
            received_on: a.batch.received_on.to_string(),
            declared: a.batch.declared.to_eur_string(),
            assigned: a.batch.assigned.to_eur_string(),
            lines: a
                .lines
                .iter()
                .map(|l| LineBody {
                    line_number: l.line_number,
                    reference: l.reference.clone(),
                    outcome: l.outcome.as_str(),
                    reasons: l
                        .reasons
                        .iter()
                        .map(|r| ReasonBody {
                            code: r.code(),
                            title: r.title(),
                        })
                        .collect(),
                    amount: l.amount.to_eur_string(),
                    paid_from_budget: l.budget_paid.to_eur_string(),
                    own_payment: l.own_payment.to_eur_string(),
                })
                .collect(),
        }
    }
}

/// The path of a batch.
fn batch_path(id: DeclarationBatchId) -> String {
    format!("/api/v1/declarations/{id}")
}

/// `POST /api/v1/declarations` (see the module docs).
pub async fn create(
    State(state): State<WebState>,
    ApiCaller(client): ApiCaller,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Response {
    let key = match idempotency_key(&headers) {
        Ok(Some(key)) => key,
        Ok(None) => {
            let detail = "Send an Idempotency-Key header, so a batch sent twice is stored once.";
            return bad_request(
                "missing-idempotency-key",
                "Idempotency-Key required",
                detail,
            );
        }
        Err(detail) => {
            return bad_request("invalid-idempotency-key", "Bad Idempotency-Key", detail);
        }
    };
    let body = match body {
        Ok(Json(body)) => body,
        Err(rejection) => return unreadable(&rejection),
    };
    let batch = match read_batch(&body) {
        Ok(batch) => batch,
        Err(errors) => return invalid_fields(errors),
    };
    let submitted = submit(
        &state.ctx,
        &client,
        Channel::Api,
        key,
        &batch.sender_reference,
        batch.lines,
    )
    .await;
    match submitted {
        Ok(answers) => {
            let status = if answers.replayed {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            let location = HeaderValue::from_str(&batch_path(answers.batch.id))
                .expect("BUG: a path of a UUID is a header value");
            let body = BatchBody::from(&answers);
            (status, [(header::LOCATION, location)], Json(body)).into_response()
        }
        Err(ApiError::KeyReused) => key_reused(key),
        Err(ApiError::Decide(DecideError::AmountAboveMaximum(positions))) => {
            let mut errors = FieldErrors::default();
            for at in positions {
                errors.push(
                    format!("/lines/{}/amount", at.line_number.saturating_sub(1)),
                    "Above the maximum amount per line of the product terms.",
                );
            }
            invalid_fields(errors)
        }
        Err(e) => failure(&e).into_response(),
    }
}

/// A 409 naming the reused key (the client's own key, never personal data), as a problem
/// with the member `idempotency_key`.
fn key_reused(key: &str) -> Response {
    #[derive(Serialize)]
    struct KeyReused<'a> {
        #[serde(flatten)]
        problem: Problem,
        idempotency_key: &'a str,
    }
    let f = failure(&ApiError::KeyReused);
    let body = KeyReused {
        problem: Problem::new(f.status, f.slug, f.title, f.detail),
        idempotency_key: key,
    };
    let body = serde_json::to_vec(&body).expect("BUG: a problem serializes");
    (
        f.status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body,
    )
        .into_response()
}

/// `GET /api/v1/declarations/{batch_id}`: a batch this client sent.
pub async fn show(
    State(state): State<WebState>,
    ApiCaller(client): ApiCaller,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(id)) = path else {
        return crate::api::problem::bad_path().into_response();
    };
    let Ok(id) = id.parse::<DeclarationBatchId>() else {
        return failure(&ApiError::NotFound).into_response();
    };
    match batch_status(&state.ctx, &client, id).await {
        Ok(answers) => Json(BatchBody::from(&answers)).into_response(),
        Err(e) => failure(&e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use ixorg_app::domain::privacy::Refusal;

    use super::*;

    #[test]
    fn every_use_case_error_maps_to_its_status_and_a_503_asks_to_retry() {
        let refused = || AccessError::Refused(Refusal::NoPurpose);
        let cases = [
            (ApiError::NotFound, StatusCode::NOT_FOUND),
            (ApiError::NoPayee, StatusCode::UNPROCESSABLE_ENTITY),
            (ApiError::BatchSize, StatusCode::UNPROCESSABLE_ENTITY),
            (ApiError::Access(refused()), StatusCode::FORBIDDEN),
            (
                ApiError::Decide(DecideError::Access(refused())),
                StatusCode::FORBIDDEN,
            ),
            (
                ApiError::Decide(DecideError::NoTerms),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                ApiError::Decide(DecideError::Raced),
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (ApiError::Random, StatusCode::INTERNAL_SERVER_ERROR),
        ];
        for (error, status) in cases {
            assert_eq!(failure(&error).status, status, "{error}");
        }
        let busy = failure(&ApiError::Decide(DecideError::Raced)).into_response();
        assert_eq!(busy.headers()[header::RETRY_AFTER], RETRY_AFTER_SECONDS);
    }
}
