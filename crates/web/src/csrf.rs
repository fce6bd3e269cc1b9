//! Cross-site request forgery: every state-changing request outside `/api` and `/fhir` (which
//! take bearer tokens and no cookies) passes [`guard`]:
//!
//! 1. a browser's `Sec-Fetch-Site` must be `same-origin` or `none`, and an `Origin` header must
//!    name this site (the public URL, or the host the request was sent to);
//! 2. the synchronizer token kept in the session must come back, compared in constant time, as
//!    the form field [`FIELD`] of an `application/x-www-form-urlencoded` body, as the header
//!    [`HEADER`], or (for a `multipart/form-data` form) as `?csrf_token=` in the form's action.
//!
//! A refused request is answered 403 with a page in the visitor's language that says what to do.
//! Every page route is wrapped with [`guarded`] (so a method the route does not have still gets
//! its 405); forms get their token from [`token`] (the layout's `csrf_token`), and handlers read
//! their form with [`CsrfForm`], which also refuses a request that did not pass the guard (a
//! route someone forgot to wrap).

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq as _;
use tower_sessions::Session;

use crate::errors::{Area, PageMessage, page_error};
use crate::session::SessionError;
use crate::{REQUEST_BODY_BYTES_MAX, WebState};

/// The form field that carries the token.
pub const FIELD: &str = "csrf_token";

/// The header that carries the token (for requests that are not forms).
pub const HEADER: &str = "x-csrf-token";

/// The session key of the token.
const SESSION_KEY: &str = "csrf";

/// Random bytes in a token.
const TOKEN_BYTES: usize = 32;

/// The session's CSRF token, made (and the session with it) on first use.
///
/// # Errors
/// [`SessionError`] when the session cannot be read or written, or no randomness is available.
pub async fn token(session: &Session) -> Result<String, SessionError> {
    if let Ok(Some(token)) = session.get::<String>(SESSION_KEY).await {
        return Ok(token);
    }
    renew(session).await
}

/// Gives the session a new token (at log-in) and returns it.
///
/// # Errors
/// As [`token`].
pub async fn renew(session: &Session) -> Result<String, SessionError> {
    let mut bytes = [0_u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).map_err(|_| {
        tracing::error!("No randomness for a CSRF token");
        SessionError
    })?;
    let token = hex::encode(bytes);
    session.insert(SESSION_KEY, &token).await?;
    Ok(token)
}

/// Marks a request that passed [`guard`] (read by [`CsrfForm`]).
#[derive(Clone, Copy, Debug)]
struct Checked;

/// Whether `method` may change state (everything but GET, HEAD, OPTIONS, TRACE).
fn changes_state(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// The 403 page of a refused form.
#[must_use]
pub fn refused() -> Response {
    page_error(
        StatusCode::FORBIDDEN,
        PageMessage {
            dutch: "Dit formulier kon niet worden verstuurd, omdat het niet (meer) van deze \
                    website kwam of te lang open stond. Er is niets opgeslagen. Ga terug, laad \
                    de pagina opnieuw en verstuur het formulier nog een keer.",
            english: "This form could not be sent, because it did not come from this website or \
                      was open for too long. Nothing was saved. Go back, reload the page and send \
                      the form again.",
        },
    )
}

/// Whether the request's `Sec-Fetch-Site` and `Origin` allow it (see the module docs).
fn same_origin(state: &WebState, headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or_default();
        if !(site.eq_ignore_ascii_case("same-origin") || site.eq_ignore_ascii_case("none")) {
            return false;
        }
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    if origin == state.config.public_url.origin() {
        return true;
    }
    // The host the browser sent the request to (a browser sets Host; a forged page cannot).
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
}

/// The token of an urlencoded `body`, if it holds [`FIELD`].
fn form_token(body: &[u8]) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    pairs.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v)
}

/// Whether `given` is the session's token (constant time in the token's content).
async fn matches(session: &Session, given: Option<&str>) -> bool {
    let Some(given) = given else { return false };
    let Ok(Some(expected)) = session.get::<String>(SESSION_KEY).await else {
        return false;
    };
    bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

/// `route` with [`guard`] in front of each of its methods (not of its 405 answer). Wrap every
/// page route: `.route("/mijn/x", guarded(&state, get(show).post(change)))`.
pub fn guarded(
    state: &WebState,
    route: axum::routing::MethodRouter<WebState>,
) -> axum::routing::MethodRouter<WebState> {
    route.route_layer(axum::middleware::from_fn_with_state(state.clone(), guard))
}

/// Middleware: the checks of the module docs on every state-changing request outside `/api`
/// and `/fhir`. It runs inside the session layer.
pub async fn guard(
    axum::extract::State(state): axum::extract::State<WebState>,
    request: Request,
    next: Next,
) -> Response {
    if !changes_state(request.method()) || Area::of(request.uri().path()) != Area::Page {
        return next.run(request).await;
    }
    if !same_origin(&state, request.headers()) {
        return refused();
    }
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return refused();
    };
    let (mut parts, body) = request.into_parts();
    let header_token = parts
        .headers
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let media = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let (body, given) = if header_token.is_some() {
        (body, header_token)
    } else if media == "application/x-www-form-urlencoded" {
        let Ok(bytes) = axum::body::to_bytes(body, REQUEST_BODY_BYTES_MAX).await else {
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        };
        let given = form_token(&bytes);
        (Body::from(bytes), given)
    } else {
        let query = parts.uri.query().unwrap_or_default().as_bytes();
        (body, form_token(query))
    };
    if !matches(&session, given.as_deref()).await {
        return refused();
    }
    parts.extensions.insert(Checked);
    next.run(Request::from_parts(parts, body)).await
}

/// Extractor: an urlencoded form of a request that passed [`guard`] (anything else is refused
/// with the 403 page), parsed into `T`; the token field itself is left out. A form that cannot
/// be parsed into `T` is answered 400 (its page never quotes the input).
#[derive(Debug)]
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<WebState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &WebState) -> Result<Self, Response> {
        if request.extensions().get::<Checked>().is_none() {
            return Err(refused());
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        serde_urlencoded::from_bytes::<T>(&bytes)
            .map(CsrfForm)
            .map_err(|_| StatusCode::BAD_REQUEST.into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_safe_methods_pass_without_a_token() {
        assert!(!changes_state(&Method::GET));
        assert!(!changes_state(&Method::HEAD));
        assert!(changes_state(&Method::POST));
        assert!(changes_state(&Method::DELETE));
        assert!(changes_state(&Method::PATCH));
    }

    #[test]
    fn the_token_is_found_in_an_urlencoded_body() {
        assert_eq!(
            form_token(b"a=1&csrf_token=abc&b=2").as_deref(),
            Some("abc")
        );
        assert_eq!(form_token(b"a=1"), None);
    }
}
