//! What the site shows anyone: no figures of the platform (promise P8; `/metrics` only with the
//! configured token or on the metrics address), absolute URLs from the configured public URL
//! whatever `Host` says, and error pages in the visitor's language.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ixorg_testkit::{TestDb, db_test, test_app};
use ixorg_web::{MetricsToken, PublicUrl, WebConfig, WebState};

use crate::platform::{Answer, platform, request, send};

const METRICS_TOKEN: &str = "metrics-token-0123456789abcdef";

fn config(public_url: &str) -> WebConfig {
    WebConfig {
        public_url: PublicUrl::parse(public_url).expect("a public URL"),
        metrics_token: Some(MetricsToken::new(METRICS_TOKEN).expect("a token")),
        insecure_dev: false,
    }
}

fn get(path: &str, headers: &[(&str, &str)]) -> Request<Body> {
    request("GET", path, None, headers, None)
}

/// Whether `text` holds `number` as a number of its own (not as part of a longer one).
fn holds_number(text: &str, number: i64) -> bool {
    text.split(|c: char| !c.is_ascii_digit())
        .any(|digits| digits == number.to_string())
}

db_test!(
    the_home_page_and_metrics_show_no_figures_without_the_metrics_token,
    async |t: TestDb| {
        // Arrange: a known number of participants, and access-log entries with them.
        let ctx = test_app(&t).await;
        ixorg_tools::generate::participants(&ctx, 23, 7, &|_| {})
            .await
            .expect("participants");
        let counts = ixorg_app::stats::counts(&ctx).await.expect("counts");
        assert!(counts.participants >= 23);
        let figures = [
            counts.participants,
            counts.ledger_transfers,
            counts.access_log_entries,
        ];
        let open = ixorg_web::router(ctx.clone());
        let guarded = ixorg_web::router_with(ctx, config("https://ixorg.example.nl"));

        // Act
        let home = send(&open, get("/", &[])).await;
        let home_guarded = send(&guarded, get("/", &[])).await;
        let unconfigured = send(&open, get("/metrics", &[])).await;
        let bearer = format!("Bearer {METRICS_TOKEN}");
        let guessed = send(&open, get("/metrics", &[("authorization", &bearer)])).await;
        let missing = send(&guarded, get("/metrics", &[])).await;
        let wrong = format!("Bearer {METRICS_TOKEN}x");
        let wrong = send(&guarded, get("/metrics", &[("authorization", &wrong)])).await;
        let metrics = send(&guarded, get("/metrics", &[("authorization", &bearer)])).await;

        // Assert
        assert_eq!(home.status, StatusCode::OK);
        for answer in [
            &home,
            &home_guarded,
            &unconfigured,
            &guessed,
            &missing,
            &wrong,
        ] {
            for figure in figures.iter().filter(|f| **f >= 10) {
                assert!(
                    !holds_number(&answer.body, *figure),
                    "{figure}: {}",
                    answer.body
                );
            }
            assert!(!answer.body.contains("ixorg_participants"));
        }
        assert!(!home.body.contains("Deelnemers") && !home.body.contains("/metrics"));
        assert_eq!(
            unconfigured.status,
            StatusCode::NOT_FOUND,
            "no token: no metrics"
        );
        assert_eq!(guessed.status, StatusCode::NOT_FOUND);
        for refused in [&missing, &wrong] {
            assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
            assert!(
                refused
                    .header(header::WWW_AUTHENTICATE)
                    .starts_with("Bearer")
            );
        }
        assert_eq!(metrics.status, StatusCode::OK);
        let participants = format!("\nixorg_participants {}\n", counts.participants);
        assert!(metrics.body.contains(&participants), "{}", metrics.body);
    }
);

db_test!(
    the_metrics_address_serves_metrics_without_a_token_and_nothing_else,
    async |t: TestDb| {
        // Arrange
        let state = WebState::new(test_app(&t).await, WebConfig::default());
        let app = ixorg_web::metrics_router(state);
        // Act
        let metrics = send(&app, get("/metrics", &[])).await;
        let home = send(&app, get("/", &[])).await;
        let api = send(&app, get("/fhir/metadata", &[])).await;
        // Assert
        assert_eq!(metrics.status, StatusCode::OK);
        assert!(metrics.body.contains("# TYPE ixorg_participants gauge"));
        assert_eq!(home.status, StatusCode::NOT_FOUND);
        assert_eq!(api.status, StatusCode::NOT_FOUND);
    }
);

/// Every header value and the body of an answer, as text.
fn texts(answer: &Answer) -> Vec<String> {
    let mut texts: Vec<String> = answer
        .headers
        .iter()
        .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap_or_default()))
        .collect();
    texts.push(answer.body.clone());
    texts
}

db_test!(
    a_forged_host_header_changes_nothing_in_any_answer,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let app = ixorg_web::router_with(p.ctx.clone(), config("https://ixorg.example.nl/"));
        let forged: &[(&str, &str)] = &[
            ("host", "evil.example"),
            ("x-forwarded-host", "evil.example"),
            ("x-forwarded-proto", "http"),
            ("forwarded", "host=evil.example;proto=http"),
        ];
        let number = p.members[0].1.as_str();
        let coverage = format!(
            "/fhir/Coverage?beneficiary=https://ixorg.nl/fhir/NamingSystem/participant-number%7C\
             {number}"
        );
        let batch = "/api/v1/declarations/00000000-0000-0000-0000-000000000000";
        let budget = format!("/api/v1/participants/{number}/budget");
        let paths = [
            "/fhir/metadata",
            &coverage,
            batch,
            &budget,
            "/",
            "/privacy",
            "/nergens",
        ];

        for path in paths {
            // Act
            let plain = send(&app, request("GET", path, Some(&p.token), &[], None)).await;
            let spoofed = send(&app, request("GET", path, Some(&p.token), forged, None)).await;
            // Assert
            assert_eq!(spoofed.status, plain.status, "{path}");
            assert_eq!(spoofed.body, plain.body, "{path}");
            assert!(
                texts(&spoofed).iter().all(|t| !t.contains("evil")),
                "{path}"
            );
        }
        let metadata = send(&app, get("/fhir/metadata", forged)).await.json();
        assert_eq!(
            metadata["implementation"]["url"],
            "https://ixorg.example.nl/fhir"
        );
        let claim = crate::fhir::claim("HOST-1", number, &[(1, "C002", "28.51")]);
        let fhir = Some(("application/fhir+json", claim));
        let created = send(
            &app,
            request("POST", "/fhir/Claim", Some(&p.token), forged, fhir),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        assert!(
            created
                .header(header::LOCATION)
                .starts_with("https://ixorg.example.nl/fhir/Claim/")
        );
        assert!(texts(&created).iter().all(|t| !t.contains("evil")));
    }
);

db_test!(
    error_pages_are_dutch_unless_the_browser_prefers_english,
    async |t: TestDb| {
        // Arrange
        let app = ixorg_web::router(test_app(&t).await);
        let english = [("accept-language", "en-GB,en;q=0.9,nl;q=0.5")];
        // Act
        let dutch = send(&app, get("/privacy?versie=ECHOq", &[])).await;
        let english_page = send(&app, get("/privacy?versie=ECHOq", &english)).await;
        let missing = send(&app, get("/bestaat-niet", &english)).await;
        // Assert
        assert_eq!(dutch.status, StatusCode::BAD_REQUEST);
        assert!(dutch.body.contains("<html lang=\"nl\">"), "{}", dutch.body);
        assert!(dutch.body.contains("?versie= is het nummer van een versie"));
        assert_eq!(english_page.status, StatusCode::BAD_REQUEST);
        assert!(english_page.body.contains("<html lang=\"en\">"));
        assert!(
            english_page
                .body
                .contains("?versie= is the number of a version")
        );
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(missing.body.contains("Page not found"));
        for answer in [&dutch, &english_page, &missing] {
            assert!(!answer.body.contains("ECHOq"), "the query is not repeated");
            assert!(answer.headers.contains_key(header::CONTENT_SECURITY_POLICY));
        }
    }
);

db_test!(
    a_wrong_method_keeps_its_allow_header_in_every_format,
    async |t: TestDb| {
        // Arrange
        let app = ixorg_web::router(test_app(&t).await);
        for (path, content_type) in [
            ("/api/v1/applications", "application/problem+json"),
            ("/fhir/metadata", "application/fhir+json"),
            ("/privacy", "text/html; charset=utf-8"),
        ] {
            // Act
            let answer = send(&app, request("DELETE", path, None, &[], None)).await;
            // Assert
            assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
            assert_eq!(answer.header(header::CONTENT_TYPE), content_type, "{path}");
            assert!(!answer.header(header::ALLOW).is_empty(), "{path}");
        }
    }
);
