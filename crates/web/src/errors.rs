//! One format per part of the site for every error answer, whoever made it: RFC 9457 problem
//! details under `/api` and `/schemas`, a FHIR `OperationOutcome` under `/fhir`, and an HTML page
//! (Dutch, or English when `Accept-Language` prefers it) everywhere else.
//!
//! Handlers answer in their part's format themselves. [`normalize`] is the outermost layer but
//! for the security headers and the trace: it catches every other error answer (the body limit's
//! 413, the timeout's 408, the router's 404 and 405, a handler's bare status, an extractor's
//! rejection in plain text) and replaces its body with the right format. The replaced body is
//! dropped unread, so an extractor's message that quotes the request never reaches the client.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ixorg_app::domain::Language;

use crate::api::problem::Problem;
use crate::layout::Layout;

/// The most `Accept-Language` entries read.
const LANGUAGE_RANGES_MAX: usize = 16;

/// The part of the site a path belongs to, which decides the error format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    /// `/api/…` and `/schemas/…`: problem details.
    Api,
    /// `/fhir/…`: `OperationOutcome`.
    Fhir,
    /// Everything else: HTML pages.
    Page,
}

impl Area {
    /// The area of `path`.
    #[must_use]
    pub fn of(path: &str) -> Area {
        let under = |prefix: &str| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        if under("/api") || under("/schemas") {
            Area::Api
        } else if under("/fhir") {
            Area::Fhir
        } else {
            Area::Page
        }
    }

    /// Whether a response of `content_type` is already in this area's error format.
    fn speaks(self, content_type: Option<&str>) -> bool {
        let media = content_type
            .and_then(|t| t.split(';').next())
            .map(|t| t.trim().to_ascii_lowercase());
        let expected = match self {
            Area::Api => "application/problem+json",
            Area::Fhir => crate::fhir::FHIR_JSON,
            Area::Page => "text/html",
        };
        media.as_deref() == Some(expected)
    }
}

/// The language of an error page: the visitor's choice (the language cookie), else English
/// when `Accept-Language` gives `en` a higher weight than `nl`, else Dutch.
#[must_use]
pub fn error_language(headers: &HeaderMap) -> Language {
    crate::i18n::chosen(headers).unwrap_or_else(|| accept_language(headers))
}

/// English when `Accept-Language` gives `en` a higher weight than `nl`; Dutch otherwise.
#[must_use]
pub fn accept_language(headers: &HeaderMap) -> Language {
    let Some(value) = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
    else {
        return Language::Dutch;
    };
    let (mut english, mut dutch) = (0_u16, 0_u16);
    for range in value.split(',').take(LANGUAGE_RANGES_MAX) {
        let mut parts = range.split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let weight = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(1000, weight_per_mille);
        let primary = tag.split('-').next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("en") {
            english = english.max(weight);
        } else if primary.eq_ignore_ascii_case("nl") {
            dutch = dutch.max(weight);
        }
    }
    if english > dutch {
        Language::English
    } else {
        Language::Dutch
    }
}

/// An `Accept-Language` weight (`0` to `1` with up to three decimals) in thousandths; anything
/// unreadable counts as 0.
fn weight_per_mille(q: &str) -> u16 {
    let (whole, fraction) = q.trim().split_once('.').unwrap_or((q.trim(), ""));
    let digits = fraction.len() <= 3 && fraction.bytes().all(|b| b.is_ascii_digit());
    match (whole, digits) {
        ("1", true) if fraction.bytes().all(|b| b == b'0') => 1000,
        ("0", true) => {
            let padded = format!("{fraction:0<3}");
            padded.parse().unwrap_or(0)
        }
        _ => 0,
    }
}

/// What an error page says besides its status's own text, in both languages. A handler attaches
/// it to a bare status (see [`page_error`]); [`normalize`] renders the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageMessage {
    /// The Dutch sentence.
    pub dutch: &'static str,
    /// The English sentence.
    pub english: &'static str,
}

/// An error page of `status` that says `message` (rendered by [`normalize`] in the visitor's
/// language).
#[must_use]
pub fn page_error(status: StatusCode, message: PageMessage) -> Response {
    let mut response = status.into_response();
    response.extensions_mut().insert(message);
    response
}

/// Middleware: gives every error answer the format of its part of the site (see the module
/// docs). Successful answers pass unchanged.
pub async fn normalize(req: Request, next: Next) -> Response {
    let area = Area::of(req.uri().path());
    let language = error_language(req.headers());
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    if area.speaks(content_type) {
        return response;
    }
    let message = response.extensions().get::<PageMessage>().copied();
    let (parts, _dropped) = response.into_parts();
    let mut answer = match area {
        Area::Api => problem(status).into_response(),
        Area::Fhir => {
            let text = texts(status).english;
            crate::fhir::outcome(status, crate::fhir::issue_code(status), text, None)
        }
        Area::Page => page(status, language, message),
    };
    *answer.status_mut() = status;
    for (name, value) in &parts.headers {
        let ours = name == header::CONTENT_TYPE || name == header::CONTENT_LENGTH;
        if !ours && !answer.headers().contains_key(name) {
            answer.headers_mut().insert(name, value.clone());
        }
    }
    answer
}

/// The problem document of a status no handler described.
fn problem(status: StatusCode) -> Problem {
    let slug = match status {
        StatusCode::BAD_REQUEST => "bad-request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not-found",
        StatusCode::METHOD_NOT_ALLOWED => "method-not-allowed",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::PAYLOAD_TOO_LARGE => "too-large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported-media-type",
        StatusCode::UNPROCESSABLE_ENTITY => "malformed-request",
        StatusCode::SERVICE_UNAVAILABLE => "busy",
        s if s.is_server_error() => "internal",
        _ => "error",
    };
    let title = status.canonical_reason().unwrap_or("Error");
    Problem::new(status, slug, title, texts(status).english)
}

/// What a status means to the client, in Dutch and English.
fn texts(status: StatusCode) -> PageMessage {
    let (dutch, english) = match status {
        StatusCode::BAD_REQUEST => (
            "Het verzoek kon niet worden gelezen. Controleer het adres en wat u verstuurde.",
            "The request could not be read; check the path, the query and the body.",
        ),
        StatusCode::UNAUTHORIZED => (
            "U moet eerst inloggen of een geldig toegangsbewijs meesturen.",
            "Authentication is required: send a valid bearer token.",
        ),
        StatusCode::FORBIDDEN => (
            "U hebt geen toegang tot deze pagina.",
            "Access to this resource is not allowed.",
        ),
        StatusCode::NOT_FOUND => (
            "Deze pagina bestaat niet (meer). Controleer het adres.",
            "There is nothing at this path; check the path.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "Deze handeling kan op deze pagina niet.",
            "This method is not allowed on this path; the Allow header lists the methods that are.",
        ),
        StatusCode::REQUEST_TIMEOUT => (
            "Het verzoek duurde te lang. Probeer het later opnieuw.",
            "The request took too long and was stopped; try again later.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "Wat u verstuurde is te groot.",
            "The request body is larger than this path accepts.",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "Dit soort inhoud wordt hier niet aangenomen.",
            "The body's Content-Type is not one this path accepts.",
        ),
        StatusCode::UNPROCESSABLE_ENTITY => (
            "Wat u verstuurde kon niet worden verwerkt.",
            "The request body does not have the expected content.",
        ),
        StatusCode::SERVICE_UNAVAILABLE => (
            "De dienst is tijdelijk niet beschikbaar. Probeer het later opnieuw.",
            "The service is unavailable for a moment; try again later.",
        ),
        s if s.is_server_error() => (
            "Er ging bij ons iets mis. Het is vastgelegd; probeer het later opnieuw.",
            "The request could not be completed; it was logged.",
        ),
        _ => (
            "Dit verzoek kon niet worden uitgevoerd.",
            "The request could not be carried out.",
        ),
    };
    PageMessage { dutch, english }
}

/// The page's heading for `status`.
fn heading(status: StatusCode, language: Language) -> &'static str {
    let (dutch, english) = match status {
        StatusCode::NOT_FOUND => ("Pagina niet gevonden", "Page not found"),
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
            ("Verzoek niet leesbaar", "Request not readable")
        }
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ("Geen toegang", "No access"),
        StatusCode::METHOD_NOT_ALLOWED => ("Handeling niet toegestaan", "Method not allowed"),
        StatusCode::REQUEST_TIMEOUT => ("Te lang gewacht", "Request timed out"),
        StatusCode::PAYLOAD_TOO_LARGE => ("Te groot", "Too large"),
        StatusCode::SERVICE_UNAVAILABLE => ("Tijdelijk niet beschikbaar", "Unavailable"),
        s if s.is_server_error() => ("Er ging iets mis", "Something went wrong"),
        _ => ("Niet gelukt", "Request refused"),
    };
    match language {
        Language::Dutch => dutch,
        Language::English => english,
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    status: u16,
    heading: &'static str,
    general: &'static str,
    specific: &'static str,
}

/// The HTML error page, in the site's layout.
fn page(status: StatusCode, language: Language, message: Option<PageMessage>) -> Response {
    let pick = |m: PageMessage| match language {
        Language::Dutch => m.dutch,
        Language::English => m.english,
    };
    let mut response = crate::pages::render(&ErrorPage {
        l: Layout::new(language, "/"),
        status: status.as_u16(),
        heading: heading(status, language),
        general: pick(texts(status)),
        specific: message.map(pick).unwrap_or_default(),
    });
    response.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(language.code()),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn language(value: &str) -> Language {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_str(value).expect("a header"),
        );
        accept_language(&headers)
    }

    #[test]
    fn english_is_chosen_only_when_the_browser_prefers_it_to_dutch() {
        assert_eq!(accept_language(&HeaderMap::new()), Language::Dutch);
        assert_eq!(language("en-GB,en;q=0.9"), Language::English);
        assert_eq!(language("nl-NL,nl;q=0.9,en;q=0.8"), Language::Dutch);
        assert_eq!(language("de,en;q=0.5"), Language::English);
        assert_eq!(language("en;q=0.4,nl;q=0.5"), Language::Dutch);
        assert_eq!(language("en;q=0"), Language::Dutch);
        assert_eq!(language("en;q=bogus"), Language::Dutch);
        assert_eq!(language("fr"), Language::Dutch);
    }

    #[test]
    fn the_visitors_choice_of_language_wins_over_the_browser() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("en"));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=b; ixorg_taal=nl"),
        );
        assert_eq!(error_language(&headers), Language::Dutch);
        headers.remove(header::COOKIE);
        assert_eq!(error_language(&headers), Language::English);
    }

    #[tokio::test]
    async fn a_bare_timeout_gets_the_format_of_its_part_of_the_site() {
        use axum::body::Body;
        use tower::ServiceExt as _;

        let app = axum::Router::new()
            .fallback(|| async { (StatusCode::REQUEST_TIMEOUT, "request timed out") })
            .layer(axum::middleware::from_fn(normalize));
        for (path, content_type) in [
            ("/api/v1/x", "application/problem+json"),
            ("/fhir/x", crate::fhir::FHIR_JSON),
            ("/x", "text/html; charset=utf-8"),
        ] {
            let request = Request::get(path).body(Body::empty()).expect("a request");
            let response = app.clone().oneshot(request).await.expect("an answer");
            assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT, "{path}");
            assert_eq!(
                response.headers()[header::CONTENT_TYPE],
                content_type,
                "{path}"
            );
        }
    }

    #[test]
    fn a_path_belongs_to_the_api_fhir_or_the_pages() {
        assert_eq!(Area::of("/api/v1/applications"), Area::Api);
        assert_eq!(Area::of("/schemas/export-v1.json"), Area::Api);
        assert_eq!(Area::of("/fhir"), Area::Fhir);
        assert_eq!(Area::of("/fhir/Claim"), Area::Fhir);
        assert_eq!(Area::of("/apirone"), Area::Page);
        assert_eq!(Area::of("/privacy"), Area::Page);
    }
}
