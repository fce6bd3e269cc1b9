//! Malformed requests on every route: wrong methods, bad JSON, wrong types, huge bodies, bad
//! query parameters and paths, bad headers, unknown paths. Each is refused with a 4xx in the
//! format of its part of the site (problem details under `/api` and `/schemas`, an
//! `OperationOutcome` under `/fhir`, an HTML page elsewhere) with the security headers, and no
//! answer repeats the distinctive values the request carried.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ixorg_testkit::{TestDb, db_test};
use ixorg_web::errors::Area;

use crate::platform::{Answer, platform, send};

/// A value no answer may repeat.
const MARKER: &str = "ECHO7f3a";
/// A number (shaped like a BSN) no answer may repeat.
const NUMBER: &str = "111222333";
/// More than the largest body any route accepts.
const HUGE_BYTES: usize = 6 * 1024 * 1024;

/// Which token a case sends.
#[derive(Clone, Copy)]
enum Token {
    None,
    /// The platform's practice token.
    Valid,
}

/// One malformed request and the status it must get.
struct Case {
    method: &'static str,
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    token: Token,
    status: StatusCode,
}

fn case(status: StatusCode, method: &'static str, path: &str) -> Case {
    Case {
        method,
        path: path.to_owned(),
        headers: Vec::new(),
        body: Vec::new(),
        token: Token::None,
        status,
    }
}

impl Case {
    fn header(mut self, name: &'static str, value: &str) -> Case {
        self.headers.push((name, value.to_owned()));
        self
    }

    fn json(self, body: &str) -> Case {
        self.body("application/json", body.as_bytes().to_vec())
    }

    fn body(mut self, content_type: &str, body: Vec<u8>) -> Case {
        self.body = body;
        self.header("content-type", content_type)
    }

    fn token(mut self) -> Case {
        self.token = Token::Valid;
        self
    }

    /// With an idempotency key (needed by the declarations API before the body is read).
    fn keyed(self) -> Case {
        self.token().header("idempotency-key", "malformed-1")
    }

    fn request(&self, token: &str) -> Request<Body> {
        let mut builder = Request::builder()
            .method(self.method)
            .uri(self.path.as_str());
        if let Token::Valid = self.token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        for (name, value) in &self.headers {
            builder = builder.header(*name, value.as_str());
        }
        builder
            .body(Body::from(self.body.clone()))
            .expect("a request")
    }
}

/// A body of `bytes` bytes made of the marker.
fn huge(bytes: usize) -> Vec<u8> {
    MARKER
        .as_bytes()
        .iter()
        .copied()
        .cycle()
        .take(bytes)
        .collect()
}

/// A FHIR `Claim` whose patient identifier is the number, as a JSON number.
fn claim_with_numeric_identifier() -> String {
    format!(
        r##"{{"resourceType": "Claim", "contained": [{{"resourceType": "Patient", "id": "p1",
        "identifier": [{{"system": "http://fhir.nl/fhir/NamingSystem/bsn", "value": {NUMBER}}}]}}],
        "identifier": [{{"system": "https://practice.example/claims", "value": "{MARKER}"}}],
        "status": "{MARKER}", "use": "claim", "patient": {{"reference": "#p1"}}, "item": []}}"##
    )
}

fn page_cases() -> Vec<Case> {
    use StatusCode as S;
    vec![
        case(S::BAD_REQUEST, "GET", &format!("/privacy?versie={MARKER}")),
        case(
            S::BAD_REQUEST,
            "GET",
            &format!("/cookies?versie={NUMBER}{NUMBER}{NUMBER}"),
        ),
        case(S::NOT_FOUND, "GET", &format!("/privacy?versie={NUMBER}")),
        case(S::NOT_FOUND, "GET", &format!("/cookies?versie=-{NUMBER}")),
        case(S::METHOD_NOT_ALLOWED, "POST", "/privacy").json(&format!("{{\"v\": \"{MARKER}\"}}")),
        case(S::METHOD_NOT_ALLOWED, "DELETE", "/"),
        case(S::METHOD_NOT_ALLOWED, "PUT", "/cookies").body("text/plain", huge(64)),
        case(S::NOT_FOUND, "GET", &format!("/{MARKER}")),
        case(S::NOT_FOUND, "GET", &format!("/mijn/{MARKER}?bsn={NUMBER}")),
        case(S::NOT_FOUND, "GET", "/%FF%FE"),
        case(S::METHOD_NOT_ALLOWED, "POST", "/healthz"),
        case(S::METHOD_NOT_ALLOWED, "PATCH", "/readyz"),
        case(S::NOT_FOUND, "GET", "/metrics").header("authorization", &format!("Bearer {MARKER}")),
        case(S::PAYLOAD_TOO_LARGE, "POST", "/")
            .body("text/plain", huge(HUGE_BYTES))
            .header("content-length", &HUGE_BYTES.to_string()),
        case(S::NOT_FOUND, "GET", &format!("/{MARKER}")).header("accept-language", "en"),
    ]
}

fn application_cases() -> Vec<Case> {
    use StatusCode as S;
    let path = "/api/v1/applications";
    vec![
        case(S::METHOD_NOT_ALLOWED, "GET", path),
        case(S::METHOD_NOT_ALLOWED, "PUT", path).json("{}"),
        case(S::BAD_REQUEST, "POST", path).json(&format!("{{\"members\": [{MARKER}")),
        case(S::UNPROCESSABLE_ENTITY, "POST", path)
            .json(&format!("{{\"members\": [{{\"bsn\": {NUMBER}}}]}}")),
        case(S::UNPROCESSABLE_ENTITY, "POST", path).json(&format!("{{\"{MARKER}\": 1}}")),
        case(S::UNPROCESSABLE_ENTITY, "POST", path).json(&format!("{{\"members\": \"{MARKER}\"}}")),
        case(S::UNPROCESSABLE_ENTITY, "POST", path).json(&format!("[{NUMBER}]")),
        case(S::UNPROCESSABLE_ENTITY, "POST", path).json(&format!(
            "{{\"start_date\": {NUMBER}.5, \"iban\": [\"{MARKER}\"]}}"
        )),
        case(S::UNPROCESSABLE_ENTITY, "POST", path).json(&format!(
            "{{\"members\": [{{\"role\": \"{MARKER}\", \"bsn\": \"{NUMBER}\", \
             \"email\": \"{MARKER}\", \"date_of_birth\": \"{MARKER}\"}}], \"iban\": \"{MARKER}\"}}"
        )),
        case(S::BAD_REQUEST, "POST", path).json(&format!("{{}} \"{MARKER}\"")),
        case(S::BAD_REQUEST, "POST", path).body(
            "application/json",
            [b"{\"iban\": \"", MARKER.as_bytes(), b"\xff\xfe\"}"].concat(),
        ),
        case(S::UNSUPPORTED_MEDIA_TYPE, "POST", path).body(
            "text/plain",
            format!("{{\"bsn\": \"{NUMBER}\"}}").into_bytes(),
        ),
        case(S::UNSUPPORTED_MEDIA_TYPE, "POST", path).header("content-type", MARKER),
        case(S::PAYLOAD_TOO_LARGE, "POST", path)
            .body("application/json", huge(HUGE_BYTES))
            .header("content-length", &HUGE_BYTES.to_string()),
        case(S::PAYLOAD_TOO_LARGE, "POST", path).body("application/json", huge(HUGE_BYTES)),
    ]
}

fn declaration_cases() -> Vec<Case> {
    use StatusCode as S;
    let path = "/api/v1/declarations";
    let batch = format!("{path}/00000000-0000-0000-0000-000000000000");
    vec![
        case(S::UNAUTHORIZED, "POST", path).json("{}"),
        case(S::UNAUTHORIZED, "POST", path).header("authorization", &format!("Bearer {MARKER}")),
        case(S::UNAUTHORIZED, "POST", path).header("authorization", &format!("Basic {MARKER}")),
        case(S::UNAUTHORIZED, "POST", path)
            .header("authorization", &format!("Bearer {}", MARKER.repeat(40))),
        case(S::BAD_REQUEST, "POST", path).token().json("{}"),
        case(S::BAD_REQUEST, "POST", path)
            .token()
            .header("idempotency-key", &MARKER.repeat(30))
            .json("{}"),
        case(S::BAD_REQUEST, "POST", path)
            .keyed()
            .json(&format!("{{\"lines\": [{MARKER}]")),
        case(S::UNPROCESSABLE_ENTITY, "POST", path)
            .keyed()
            .json(&format!(
                "{{\"sender_reference\": {NUMBER}, \"lines\": \"{MARKER}\"}}"
            )),
        case(S::UNPROCESSABLE_ENTITY, "POST", path)
            .keyed()
            .json(&format!(
                "{{\"sender_reference\": \"S\", \"lines\": [{{\"bsn\": {NUMBER}, \
             \"birth_date\": \"{MARKER}\", \"amount\": \"{MARKER}\", \"{MARKER}\": 1}}]}}"
            )),
        case(S::UNPROCESSABLE_ENTITY, "POST", path)
            .keyed()
            .json(&format!("{{\"{MARKER}\": \"{NUMBER}\"}}")),
        case(S::UNSUPPORTED_MEDIA_TYPE, "POST", path)
            .keyed()
            .body("text/plain", MARKER.as_bytes().to_vec()),
        case(S::PAYLOAD_TOO_LARGE, "POST", path)
            .keyed()
            .body("application/json", huge(HUGE_BYTES)),
        case(S::METHOD_NOT_ALLOWED, "GET", path).token(),
        case(S::NOT_FOUND, "GET", &format!("{path}/{MARKER}")).token(),
        case(S::BAD_REQUEST, "GET", &format!("{path}/%FF{MARKER}")).token(),
        case(S::METHOD_NOT_ALLOWED, "DELETE", &batch).token(),
        case(S::UNAUTHORIZED, "GET", &batch),
    ]
}

fn other_api_cases() -> Vec<Case> {
    use StatusCode as S;
    vec![
        case(
            S::NOT_FOUND,
            "GET",
            &format!("/api/v1/participants/{MARKER}/budget"),
        )
        .token(),
        case(
            S::NOT_FOUND,
            "GET",
            &format!("/api/v1/participants/{NUMBER}/budget"),
        )
        .token(),
        case(S::BAD_REQUEST, "GET", "/api/v1/participants/%FF/budget").token(),
        case(
            S::METHOD_NOT_ALLOWED,
            "POST",
            "/api/v1/participants/123/budget",
        )
        .token(),
        case(
            S::UNAUTHORIZED,
            "GET",
            &format!("/api/v1/participants/{NUMBER}/budget"),
        ),
        case(S::METHOD_NOT_ALLOWED, "POST", "/schemas/export-v1.json").json(MARKER),
        case(S::NOT_FOUND, "GET", &format!("/schemas/{MARKER}.json")),
        case(S::NOT_FOUND, "GET", &format!("/api/{MARKER}")),
        case(S::NOT_FOUND, "GET", "/api"),
        case(
            S::NOT_FOUND,
            "GET",
            &format!("/api/v1/applications/{NUMBER}"),
        ),
    ]
}

fn fhir_cases() -> Vec<Case> {
    use StatusCode as S;
    let claim = "/fhir/Claim";
    let fhir = "application/fhir+json";
    let coverage = "/fhir/Coverage?beneficiary=";
    vec![
        case(S::NOT_FOUND, "GET", &format!("/fhir/{MARKER}")),
        case(S::NOT_FOUND, "GET", "/fhir"),
        case(S::METHOD_NOT_ALLOWED, "POST", "/fhir/metadata").json(MARKER),
        case(S::METHOD_NOT_ALLOWED, "GET", claim).token(),
        case(S::UNAUTHORIZED, "POST", claim).body(fhir, MARKER.as_bytes().to_vec()),
        case(S::UNAUTHORIZED, "POST", claim).header("authorization", &format!("Bearer {NUMBER}")),
        case(S::UNSUPPORTED_MEDIA_TYPE, "POST", claim)
            .token()
            .body("text/plain", MARKER.as_bytes().to_vec()),
        case(S::BAD_REQUEST, "POST", claim)
            .token()
            .body(fhir, format!("{{\"resourceType\": {MARKER}").into_bytes()),
        case(S::BAD_REQUEST, "POST", claim).token().body(
            fhir,
            format!("{{\"resourceType\": \"{MARKER}\"}}").into_bytes(),
        ),
        case(S::UNPROCESSABLE_ENTITY, "POST", claim)
            .token()
            .body(fhir, claim_with_numeric_identifier().into_bytes()),
        case(S::BAD_REQUEST, "POST", claim)
            .token()
            .header("idempotency-key", &MARKER.repeat(30))
            .body(fhir, b"{}".to_vec()),
        case(S::PAYLOAD_TOO_LARGE, "POST", claim)
            .token()
            .body(fhir, huge(HUGE_BYTES))
            .header("content-length", &HUGE_BYTES.to_string()),
        case(S::PAYLOAD_TOO_LARGE, "POST", claim)
            .token()
            .body(fhir, huge(HUGE_BYTES)),
        case(S::UNAUTHORIZED, "GET", &format!("{coverage}{NUMBER}")),
        case(S::BAD_REQUEST, "GET", &format!("{coverage}{MARKER}")).token(),
        case(
            S::BAD_REQUEST,
            "GET",
            &format!("{coverage}http://fhir.nl/fhir/NamingSystem/bsn%7C{NUMBER}"),
        )
        .token(),
        case(
            S::BAD_REQUEST,
            "GET",
            &format!("{coverage}1&beneficiary={MARKER}"),
        )
        .token(),
        case(
            S::BAD_REQUEST,
            "GET",
            &format!("/fhir/Coverage?%FF={MARKER}"),
        )
        .token(),
        case(S::METHOD_NOT_ALLOWED, "DELETE", "/fhir/Coverage").token(),
    ]
}

/// Asserts the answer's format for the part of the site `path` belongs to.
fn assert_format(path: &str, answer: &Answer, what: &str) {
    let content_type = answer.header(header::CONTENT_TYPE);
    match Area::of(path) {
        Area::Api => {
            assert_eq!(content_type, "application/problem+json", "{what}");
            let json = answer.json();
            assert_eq!(json["status"], answer.status.as_u16(), "{what}");
            assert!(
                json["type"].is_string() && json["detail"].is_string(),
                "{what}"
            );
        }
        Area::Fhir => {
            assert_eq!(content_type, "application/fhir+json", "{what}");
            let json = answer.json();
            assert_eq!(json["resourceType"], "OperationOutcome", "{what}");
            assert!(json["issue"][0]["diagnostics"].is_string(), "{what}");
        }
        Area::Page => {
            assert!(
                content_type.starts_with("text/html"),
                "{what}: {content_type}"
            );
            assert!(answer.body.starts_with("<!doctype html>"), "{what}");
        }
    }
}

db_test!(
    every_malformed_request_is_refused_in_its_format_without_a_server_error_or_an_echo,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let cases: Vec<Case> = [
            page_cases(),
            application_cases(),
            declaration_cases(),
            other_api_cases(),
            fhir_cases(),
        ]
        .into_iter()
        .flatten()
        .collect();
        assert!(cases.len() >= 50, "{} cases", cases.len());
        for case in cases {
            let what = format!("{} {}", case.method, case.path);
            // Act
            let answer = send(&p.app, case.request(&p.token)).await;
            // Assert
            assert_eq!(answer.status, case.status, "{what}: {}", answer.body);
            assert_format(&case.path, &answer, &what);
            assert!(
                answer.headers.contains_key(header::CONTENT_SECURITY_POLICY),
                "{what}: the security headers"
            );
            for text in std::iter::once(answer.body.as_str())
                .chain(answer.headers.values().filter_map(|v| v.to_str().ok()))
            {
                for echo in [MARKER, NUMBER] {
                    assert!(!text.contains(echo), "{what} repeats {echo}: {text}");
                }
            }
        }
    }
);
