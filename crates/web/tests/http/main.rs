//! The HTTP surface in process: health, readiness, metrics, security headers, 404.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ixorg_testkit::{TestDb, db_test, test_app};
use tower::ServiceExt;

mod applications;
mod budget;
mod declarations;
mod fhir;
mod malformed;
mod platform;
mod portal_auth;
mod portal_pages;
mod privacy_pages;
mod public_site;
#[path = "../../../formats/tests/fhir/r4.rs"]
mod r4;
mod redaction;
mod senders;
mod site;

async fn get(app: &axum::Router, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    get_with(app, path, &[]).await
}

async fn get_with(
    app: &axum::Router,
    path: &str,
    headers: &[(header::HeaderName, &str)],
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut request = Request::get(path);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("the router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    (
        status,
        headers,
        String::from_utf8(body.to_vec()).expect("utf-8"),
    )
}

/// Checks the Prometheus text exposition format (0.0.4): `# HELP`/`# TYPE` comments, then
/// samples `name{label="value",…} number`, every sample's family declared by a `# TYPE`.
fn assert_prometheus_text(text: &str) {
    let mut typed = std::collections::HashSet::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut parts = rest.split(' ');
            let name = parts.next().expect("a metric name");
            let kind = parts.next().expect("a metric type");
            assert!(["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind));
            typed.insert(name.to_owned());
            continue;
        }
        if line.starts_with("# HELP ") || line.is_empty() {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("a sample has a value");
        let number = value.strip_prefix('-').unwrap_or(value);
        let (whole, fraction) = number.split_once('.').unwrap_or((number, "0"));
        assert!(
            !whole.is_empty()
                && whole.chars().all(|c| c.is_ascii_digit())
                && fraction.chars().all(|c| c.is_ascii_digit()),
            "the value of {line} is a decimal number"
        );
        let name = series.split('{').next().expect("a name");
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "metric name {name}"
        );
        if let Some(labels) = series.strip_prefix(name)
            && !labels.is_empty()
        {
            assert!(
                labels.starts_with('{') && labels.ends_with('}'),
                "labels of {line}"
            );
            for pair in labels[1..labels.len() - 1].split(',') {
                let (k, v) = pair.split_once('=').expect("label=value");
                assert!(
                    !k.is_empty() && v.starts_with('"') && v.ends_with('"'),
                    "{pair}"
                );
            }
        }
        assert!(typed.contains(name), "{name} has no # TYPE line before it");
    }
}

db_test!(
    health_and_readiness_answer_200_with_a_database,
    async |t: TestDb| {
        let app = ixorg_web::router(test_app(&t).await);
        let (status, _, body) = get(&app, "/healthz").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, "ok\n");
        let (status, _, _) = get(&app, "/readyz").await;
        assert_eq!(status, StatusCode::OK);
    }
);

db_test!(
    readiness_answers_503_when_the_database_is_gone,
    async |t: TestDb| {
        let ctx = test_app(&t).await;
        ctx.db_close().await;
        let app = ixorg_web::router(ctx);
        let (status, _, _) = get(&app, "/readyz").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        let (status, _, _) = get(&app, "/healthz").await;
        assert_eq!(status, StatusCode::OK, "alive, though not ready");
    }
);

db_test!(
    metrics_are_valid_prometheus_text_and_count_requests,
    async |t: TestDb| {
        let token = "a-metrics-token-of-30-characters";
        let config = ixorg_web::WebConfig {
            metrics_token: Some(ixorg_web::MetricsToken::new(token).expect("a token")),
            ..ixorg_web::WebConfig::default()
        };
        let app = ixorg_web::router_with(test_app(&t).await, config);
        get(&app, "/healthz").await;
        get(&app, "/nope").await;
        let bearer = format!("Bearer {token}");
        let (status, headers, body) =
            get_with(&app, "/metrics", &[(header::AUTHORIZATION, &bearer)]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .expect("ascii")
                .starts_with("text/plain; version=0.0.4")
        );
        assert_prometheus_text(&body);
        assert!(
            body.contains("ixorg_http_requests_total{status=\"2xx\"} 1"),
            "{body}"
        );
        assert!(
            body.contains("ixorg_http_requests_total{status=\"4xx\"} 1"),
            "{body}"
        );
        assert!(body.contains("ixorg_database_up 1"));
    }
);

db_test!(
    every_response_carries_the_security_headers,
    async |t: TestDb| {
        let app = ixorg_web::router(test_app(&t).await);
        for path in ["/", "/healthz", "/metrics", "/missing"] {
            let (_, headers, _) = get(&app, path).await;
            let csp = headers[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .expect("ascii");
            assert!(csp.contains("default-src 'self'"), "{path}");
            assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
            assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY", "{path}");
            assert_eq!(headers[header::REFERRER_POLICY], "same-origin", "{path}");
            assert!(
                headers.get(header::SET_COOKIE).is_none(),
                "no cookies without a reason"
            );
        }
    }
);

db_test!(an_unknown_path_gets_a_404_page, async |t: TestDb| {
    let app = ixorg_web::router(test_app(&t).await);
    let (status, _, body) = get(&app, "/bestaat-niet").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Pagina niet gevonden"));
});

async fn post_json(
    app: &axum::Router,
    path: &str,
    body: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = app
        .clone()
        .oneshot(
            Request::post(path)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_owned()))
                .expect("request"),
        )
        .await
        .expect("the router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    (
        status,
        headers,
        String::from_utf8(body.to_vec()).expect("utf-8"),
    )
}

const APPLICATION: &str = r#"{
  "members": [
    {"role": "main", "first_names": "Anna", "surname": "Jansen", "date_of_birth": "1985-04-02",
     "gender": "female", "street": "Kerkstraat", "house_number": "3", "postcode": "3511 LX",
     "city": "Utrecht", "email": "anna@example.nl", "annual_budget_eur": "240"}
  ],
  "start_date": "2026-12-01",
  "iban": "NL02ABNA0123456789",
  "account_holder": "A. Jansen",
  "practice_name": "Tandartspraktijk De Molen",
  "provider_view_consent": "no",
  "mandate_signed": "yes"
}"#;

db_test!(
    a_valid_application_is_received_with_202_and_makes_the_contract,
    async |t: TestDb| {
        let app = ixorg_web::router(test_app(&t).await);
        let (status, _, body) = post_json(&app, "/api/v1/applications", APPLICATION).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let json: serde_json::Value = serde_json::from_str(&body).expect("json");
        assert_eq!(json["status"], "received");
        assert!(
            json["application_id"]
                .as_str()
                .is_some_and(|id| id.len() == 36)
        );
        let contracts = ixorg_testkit::raw::scalar(&t, "SELECT COUNT(*) FROM contract").await;
        assert_eq!(contracts, 1);
    }
);

db_test!(
    a_rejected_application_answers_422_problem_details_listing_each_field,
    async |t: TestDb| {
        let app = ixorg_web::router(test_app(&t).await);
        let bad = APPLICATION
            .replace("NL02ABNA0123456789", "NL00ABNA0123456789")
            .replace("1985-04-02", "2012-04-02")
            .replace("3511 LX", "3511 SS");
        let (status, headers, body) = post_json(&app, "/api/v1/applications", &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
        let json: serde_json::Value = serde_json::from_str(&body).expect("json");
        assert_eq!(json["status"], 422);
        let fields: Vec<&str> = json["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .filter_map(|e| e["field"].as_str())
            .collect();
        for f in ["iban", "members[0].date_of_birth", "members[0].postcode"] {
            assert!(fields.contains(&f), "{f} not in {fields:?}");
        }
        assert!(!body.contains("NL00ABNA0123456789"), "no values echoed");
    }
);

db_test!(
    a_malformed_application_body_answers_400_problem_details,
    async |t: TestDb| {
        let app = ixorg_web::router(test_app(&t).await);
        let (status, headers, body) =
            post_json(&app, "/api/v1/applications", "{\"members\": [}").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
        let (status, _, _) = post_json(&app, "/api/v1/applications", "{\"unknown\": 1}").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
);
