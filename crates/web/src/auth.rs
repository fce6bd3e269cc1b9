//! API clients by bearer token (RFC 6750): `Authorization: Bearer <token>` names the practice
//! or billing intermediary that calls the declarations API and the FHIR endpoints.
//!
//! [`ApiCaller`] is the extractor. It answers a missing or unknown token with a 401 problem
//! document carrying `WWW-Authenticate: Bearer`; a FHIR handler takes
//! `Result<ApiCaller, AuthFailure>` and answers with an `OperationOutcome` instead. The token
//! itself is never logged or echoed.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ixorg_app::declarations::api::{ApiError, authenticate};
use ixorg_app::declarations::fhir::ApiClient;

use crate::WebState;
use crate::api::problem::Problem;

/// The longest token looked up (ours are 68 characters); a longer one is refused unread.
pub const TOKEN_CHARS_MAX: usize = 128;

/// The API client that made the request.
#[derive(Clone, Debug)]
pub struct ApiCaller(pub ApiClient);

/// Why a request has no API client.
#[derive(Debug)]
pub enum AuthFailure {
    /// No `Authorization: Bearer` header.
    Missing,
    /// A token that is not one of an active client.
    Invalid,
    /// The lookup failed.
    Failed(ApiError),
}

impl AuthFailure {
    /// The `WWW-Authenticate` challenge for a 401 (RFC 6750 §3), or `None` for a failure.
    #[must_use]
    pub fn challenge(&self) -> Option<HeaderValue> {
        match self {
            AuthFailure::Missing => Some(HeaderValue::from_static("Bearer realm=\"ixorg\"")),
            AuthFailure::Invalid => Some(HeaderValue::from_static(
                "Bearer realm=\"ixorg\", error=\"invalid_token\"",
            )),
            AuthFailure::Failed(_) => None,
        }
    }

    /// What to tell the caller (never the token).
    #[must_use]
    pub fn detail(&self) -> &'static str {
        match self {
            AuthFailure::Missing => "Send the API token as `Authorization: Bearer <token>`.",
            AuthFailure::Invalid => "The API token is not valid, or was withdrawn.",
            AuthFailure::Failed(_) => "The API token could not be checked.",
        }
    }
}

impl IntoResponse for AuthFailure {
    fn into_response(self) -> Response {
        let challenge = self.challenge();
        let detail = self.detail();
        let mut response = match self {
            AuthFailure::Failed(e) => Problem::internal(&e).into_response(),
            AuthFailure::Missing | AuthFailure::Invalid => Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Authentication required",
                detail,
            )
            .into_response(),
        };
        if let Some(challenge) = challenge {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, challenge);
        }
        response
    }
}

/// The token of an `Authorization: Bearer` header (the scheme is case-insensitive).
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl FromRequestParts<WebState> for ApiCaller {
    type Rejection = AuthFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers).ok_or(AuthFailure::Missing)?;
        if token.len() > TOKEN_CHARS_MAX {
            return Err(AuthFailure::Invalid);
        }
        match authenticate(&state.ctx, token).await {
            Ok(Some(client)) => Ok(ApiCaller(client)),
            Ok(None) => Err(AuthFailure::Invalid),
            Err(e) => Err(AuthFailure::Failed(e)),
        }
    }
}
