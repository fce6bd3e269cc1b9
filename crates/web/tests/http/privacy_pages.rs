//! The site's privacy promises: the statement and cookie policy as versioned pages (P26), no
//! cookie set without consent (P24), and every link to another site marked as external (P25).

use axum::http::{StatusCode, header};
use ixorg_app::domain::privacy::consent::DocumentKind;
use ixorg_app::privacy::consent;
use ixorg_testkit::{TestDb, db_test};
use time::macros::date;

use crate::platform::{platform, request, send};

/// Every page and API answer a visitor can reach without logging in.
const PATHS: &[&str] = &[
    "/",
    "/privacy",
    "/privacy?versie=1",
    "/cookies",
    "/healthz",
    "/readyz",
    "/metrics",
    "/schemas/export-v1.json",
    "/bestaat-niet",
    "/fhir/metadata",
];

/// The HTML pages among them.
const PAGES: &[&str] = &["/", "/privacy", "/cookies", "/bestaat-niet"];

db_test!(
    the_privacy_statement_is_a_page_in_its_version_in_force_with_every_earlier_version,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let kind = DocumentKind::PrivacyStatement;
        consent::publish_document(
            &p.ctx,
            kind,
            date!(2027 - 01 - 01),
            "Bewaartermijnen.",
            "Nieuw",
        )
        .await
        .expect("publish version 2");
        // Act
        let current = send(&p.app, request("GET", "/privacy", None, &[], None)).await;
        let first = send(&p.app, request("GET", "/privacy?versie=1", None, &[], None)).await;
        let missing = send(&p.app, request("GET", "/privacy?versie=9", None, &[], None)).await;
        // Assert
        assert_eq!(current.status, StatusCode::OK);
        assert!(current.body.contains("Versie 2"), "{}", current.body);
        assert!(current.body.contains("Bewaartermijnen."));
        assert!(first.body.contains("Versie 1"));
        assert!(first.body.contains("ixorg"), "the shipped statement's text");
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
    }
);

db_test!(
    no_response_sets_a_cookie_without_consent,
    async |t: TestDb| {
        let p = platform(&t).await;
        for path in PATHS {
            let answer = send(&p.app, request("GET", path, None, &[], None)).await;
            let cookies: Vec<_> = answer.headers.get_all(header::SET_COOKIE).iter().collect();
            // Only strictly necessary cookies (session, CSRF, language) may ever be set without
            // consent; no page sets any yet.
            assert!(cookies.is_empty(), "{path} sets {cookies:?}");
        }
    }
);

db_test!(
    every_link_to_another_site_is_marked_as_external,
    async |t: TestDb| {
        let p = platform(&t).await;
        let mut external = 0;
        for path in PAGES {
            let answer = send(&p.app, request("GET", path, None, &[], None)).await;
            for link in answer.body.split("<a ").skip(1) {
                let tag = link.split('>').next().unwrap_or_default();
                if tag.contains("href=\"http") {
                    external += 1;
                    assert!(
                        tag.contains("rel=\"external noopener noreferrer\"")
                            && tag.contains("class=\"external\""),
                        "{path}: {tag}"
                    );
                    let text = link.split("</a>").next().unwrap_or_default();
                    assert!(text.contains("(externe website)"), "{path}: {text}");
                }
            }
        }
        assert!(external >= 3, "the pages link to the regulator");
    }
);

db_test!(
    a_page_visit_is_recorded_as_technical_data_but_api_calls_and_probes_are_not,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        // Act
        for path in ["/", "/privacy?versie=1", "/healthz", "/metrics"] {
            send(&p.app, request("GET", path, None, &[], None)).await;
        }
        let api = "/api/v1/declarations/00000000-0000-0000-0000-000000000000";
        send(&p.app, request("GET", api, Some(&p.token), &[], None)).await;
        // The visits are stored in the background, in batches: wait for them (at most 20 s).
        let mut stored = 0;
        for _ in 0..200 {
            stored = ixorg_testkit::raw::scalar(&t, "SELECT COUNT(*) FROM site_visit").await;
            if stored >= 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        // Assert
        assert_eq!(stored, 2, "only the two page visits");
        let pages = ixorg_testkit::raw::scalar(
            &t,
            "SELECT COUNT(*) FROM site_visit WHERE path IN ('/', '/privacy')",
        )
        .await;
        assert_eq!(pages, 2, "paths without their query");
    }
);
