//! FHIR R4 endpoints under `/fhir/` (content type `application/fhir+json`). Every error is an
//! R4 `OperationOutcome` with the HTTP status of the R4 REST API.
//!
//! | Route | Contract |
//! |---|---|
//! | `GET /fhir/metadata` | the `CapabilityStatement` (no token needed) |
//! | `POST /fhir/Claim` | bearer token; an optional `Idempotency-Key` (else the claim's identifier value is the key); body an R4 `Claim` of our profile (see `ixorg_formats::fhir`), at most `CLAIM_BYTES_MAX` bytes, as `application/fhir+json` or `application/json`. 201 with the `ClaimResponse` (200 when the claim was decided before), `Location: {public URL}/fhir/Claim/{batch id}/_history/1`. Unreadable JSON or not a `Claim` → 400, a claim that breaks the profile → 422 (every problem with its `FHIRPath` expression), too large → 413, the key used for another claim → 409. |
//! | `GET /fhir/Coverage?beneficiary=<system>\|<participant number>` | bearer token; also `beneficiary:identifier=`, and a bare number. A `searchset` `Bundle` with the participant's coverage, empty when the number is unknown. The access is checked by the privacy gate and logged. A search by BSN or any other system → 400. |
//!
//! Absolute URLs (the `CapabilityStatement`'s, `Location`, a `Bundle`'s links) start with the
//! configured public URL ([`crate::config::WebConfig`]), never with the request's `Host`.
//!
//! A missing or unknown token → 401 with `WWW-Authenticate: Bearer`; a refusal of the access
//! policy → 403. Use-case errors map to a status in one place,
//! [`crate::api::declarations::failure`].

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ixorg_app::declarations::DecideError;
use ixorg_app::declarations::api::ApiError;
use ixorg_app::declarations::coverage::{CoverageError, coverage};
use ixorg_app::declarations::fhir::format::{
    self, BSN_SYSTEM, CLAIM_BYTES_MAX, Claim, ClaimResponseParts, FhirErrors, FhirId,
    PARTICIPANT_NUMBER_SYSTEM, Problem,
};
use ixorg_app::declarations::fhir::{ClaimAnswer, ClaimError, submit_claim};
use ixorg_app::domain::identifiers::ParticipantNumber;
use serde_json::json;
use time::Date;
use time::macros::date;

use crate::WebState;
use crate::api::declarations::{failure, idempotency_key};
use crate::auth::{ApiCaller, AuthFailure};

/// The FHIR JSON media type.
pub const FHIR_JSON: &str = "application/fhir+json";

/// `CapabilityStatement.date`: the day the FHIR surface last changed. Change it with the
/// routes or the profile.
pub const CAPABILITY_STATEMENT_DATE: Date = date!(2026 - 11 - 26);

/// The `/fhir` routes.
pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/fhir/metadata", get(metadata))
        .route(
            "/fhir/Claim",
            post(create_claim).layer(DefaultBodyLimit::max(CLAIM_BYTES_MAX)),
        )
        .route("/fhir/Coverage", get(search_coverage))
}

/// A FHIR resource with `status`.
fn resource(status: StatusCode, json: String) -> Response {
    (status, [(header::CONTENT_TYPE, FHIR_JSON)], json).into_response()
}

/// An `OperationOutcome` with one `error` issue of R4 issue type `code`.
pub(crate) fn outcome(
    status: StatusCode,
    code: &str,
    diagnostics: &str,
    expression: Option<&str>,
) -> Response {
    let mut issue = json!({ "severity": "error", "code": code, "diagnostics": diagnostics });
    if let Some(expression) = expression {
        issue["expression"] = json!([expression]);
    }
    let body = json!({ "resourceType": "OperationOutcome", "issue": [issue] });
    resource(status, body.to_string())
}

/// The R4 issue type of an error answered with `status`.
pub(crate) fn issue_code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::UNAUTHORIZED => "login",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not-found",
        StatusCode::CONFLICT => "duplicate",
        StatusCode::PAYLOAD_TOO_LARGE => "too-long",
        StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::METHOD_NOT_ALLOWED => "not-supported",
        StatusCode::UNPROCESSABLE_ENTITY => "business-rule",
        StatusCode::SERVICE_UNAVAILABLE => "transient",
        s if s.is_server_error() => "exception",
        _ => "invalid",
    }
}

/// A 401 (with its challenge) or a 500 for a request without a valid token.
fn unauthorized(failure: &AuthFailure) -> Response {
    let status = match failure {
        AuthFailure::Failed(e) => {
            tracing::error!(error = %e, "API token lookup failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
        AuthFailure::Missing | AuthFailure::Invalid => StatusCode::UNAUTHORIZED,
    };
    let mut response = outcome(status, issue_code(status), failure.detail(), None);
    if let Some(challenge) = failure.challenge() {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, challenge);
    }
    response
}

/// The server's FHIR base URL: the configured public URL (never the request's `Host`).
fn base_url(state: &WebState) -> String {
    format!("{}/fhir", state.config.public_url)
}

/// `GET /fhir/metadata`.
pub async fn metadata(State(state): State<WebState>) -> Response {
    let statement = format::capability_statement(
        &base_url(&state),
        env!("CARGO_PKG_VERSION"),
        CAPABILITY_STATEMENT_DATE,
    );
    resource(StatusCode::OK, statement)
}

/// Whether the body is declared as FHIR JSON or plain JSON.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .is_some_and(|m| {
            m.eq_ignore_ascii_case(FHIR_JSON) || m.eq_ignore_ascii_case("application/json")
        })
}

/// The status of a refused claim: 413 too large, 400 when it is not a readable `Claim` at all,
/// 422 when it breaks the profile.
fn claim_status(errors: &FhirErrors) -> StatusCode {
    let problems = || {
        errors
            .errors
            .iter()
            .map(|e| (&e.problem, e.expression.as_str()))
    };
    if problems().any(|(p, _)| matches!(p, Problem::TooLarge { .. })) {
        StatusCode::PAYLOAD_TOO_LARGE
    } else if problems().any(|(p, at)| {
        matches!(p, Problem::Syntax { .. }) || at == "Claim" || at == "Claim.resourceType"
    }) {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// `POST /fhir/Claim` (see the module docs).
pub async fn create_claim(
    State(state): State<WebState>,
    caller: Result<ApiCaller, AuthFailure>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let client = match caller {
        Ok(ApiCaller(client)) => client,
        Err(failure) => return unauthorized(&failure),
    };
    if !is_json(&headers) {
        let detail = "Send the Claim as application/fhir+json.";
        return outcome(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not-supported",
            detail,
            None,
        );
    }
    let key = match idempotency_key(&headers) {
        Ok(key) => key,
        Err(detail) => return outcome(StatusCode::BAD_REQUEST, "invalid", detail, None),
    };
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let status = rejection.status();
            let detail = format!("The Claim must be at most {CLAIM_BYTES_MAX} bytes.");
            return outcome(status, issue_code(status), &detail, Some("Claim"));
        }
    };
    let claim = match format::read_claim(&body) {
        Ok(claim) => claim,
        Err(errors) => {
            let json = format::operation_outcome(&errors.issues());
            return resource(claim_status(&errors), json);
        }
    };
    match submit_claim(&state.ctx, &client, &claim, key).await {
        Ok(answer) => claim_response(&claim, &answer, &base_url(&state)),
        Err(ClaimError::KeyReused) => {
            let detail = "This claim identifier (or Idempotency-Key) was used for another claim.";
            outcome(
                StatusCode::CONFLICT,
                "duplicate",
                detail,
                Some("Claim.identifier"),
            )
        }
        Err(ClaimError::Api(ApiError::Decide(DecideError::AmountAboveMaximum(positions)))) => {
            let items: Vec<String> = positions
                .iter()
                .map(|at| at.line_number.to_string())
                .collect();
            let detail = format!(
                "The net amount of item(s) {} is above the maximum per line of the product \
                 terms; nothing was stored.",
                items.join(", ")
            );
            let expression = positions
                .first()
                .map(|at| format!("Claim.item[{}].net", at.line_number.saturating_sub(1)));
            outcome(
                StatusCode::UNPROCESSABLE_ENTITY,
                "business-rule",
                &detail,
                expression.as_deref(),
            )
        }
        Err(ClaimError::Api(e)) => {
            let failure = failure(&e);
            let status = failure.status;
            failure.decorate(outcome(status, issue_code(status), failure.detail, None))
        }
    }
}

/// The 201 (or, for a claim decided before, 200) `ClaimResponse`.
fn claim_response(claim: &Claim, answer: &ClaimAnswer, base_url: &str) -> Response {
    let batch = &answer.answers.batch;
    let id = FhirId::parse(&batch.id.to_string()).expect("BUG: a hyphenated UUID is a FHIR id");
    let parts = ClaimResponseParts {
        id: Some(id.clone()),
        created: answer.created,
        insurer: &answer.insurer,
        claim_id: Some(id.clone()),
        participant: None,
    };
    let json = format::claim_response(claim, &answer.decisions, &parts);
    let status = if answer.answers.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let mut response = resource(status, json);
    let location = HeaderValue::from_str(&format!("{base_url}/Claim/{id}/_history/1"))
        .expect("BUG: a checked public URL and a UUID make a header value");
    response.headers_mut().insert(header::LOCATION, location);
    response
}

/// The participant number of a `beneficiary` search value: `system|number` in our system, or
/// a bare number. `Err` holds the R4 issue type and what is wrong (never the value).
fn beneficiary(value: &str) -> Result<ParticipantNumber, (&'static str, String)> {
    let unsupported = |detail: &str| Err(("not-supported", detail.to_owned()));
    let number = match value.split_once('|') {
        Some((PARTICIPANT_NUMBER_SYSTEM, number)) => number,
        Some((BSN_SYSTEM, _)) => {
            return unsupported("Coverage is searched by participant number, not by BSN.");
        }
        Some(_) => return unsupported("Search by an identifier in the participant-number system."),
        None if value.contains('/') => {
            return unsupported("Search by identifier: system|participant number.");
        }
        None => value,
    };
    ParticipantNumber::parse(number).map_err(|e| ("value", e.to_string()))
}

/// `GET /fhir/Coverage?beneficiary=…` (see the module docs).
pub async fn search_coverage(
    State(state): State<WebState>,
    caller: Result<ApiCaller, AuthFailure>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let client = match caller {
        Ok(ApiCaller(client)) => client,
        Err(failure) => return unauthorized(&failure),
    };
    let Ok(Query(params)) = query else {
        return outcome(
            StatusCode::BAD_REQUEST,
            "invalid",
            "The query could not be read.",
            None,
        );
    };
    let mut values = params
        .iter()
        .filter(|(name, _)| name == "beneficiary" || name == "beneficiary:identifier")
        .map(|(_, value)| value.as_str());
    let (Some(value), None) = (values.next(), values.next()) else {
        let detail = "Give the beneficiary once: beneficiary=<system>|<participant number>.";
        return outcome(
            StatusCode::BAD_REQUEST,
            "required",
            detail,
            Some("beneficiary"),
        );
    };
    let number = match beneficiary(value) {
        Ok(number) => number,
        Err((code, detail)) => {
            return outcome(StatusCode::BAD_REQUEST, code, &detail, Some("beneficiary"));
        }
    };
    match coverage(&state.ctx, &client, &number).await {
        Ok(found) => {
            let bundle =
                format::coverage_bundle(&base_url(&state), &number, &found.coverages, &found.payor);
            resource(StatusCode::OK, bundle)
        }
        Err(CoverageError::Refused(_)) => {
            let detail =
                "The access policy does not let this client see coverage; the refusal was logged.";
            outcome(StatusCode::FORBIDDEN, "forbidden", detail, None)
        }
        Err(CoverageError::Store(e)) => {
            tracing::error!(error = %e, "Coverage search failed");
            let detail = "The request could not be completed; it was logged.";
            outcome(StatusCode::INTERNAL_SERVER_ERROR, "exception", detail, None)
        }
    }
}
