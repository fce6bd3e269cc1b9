//! The public site: every page in both languages without a missing text, the security headers,
//! only the allowed cookies, the CSRF guard, and online enrollment.

use axum::http::{HeaderMap, StatusCode, header};
use ixorg_testkit::{TestDb, db_test, test_app};
use ixorg_web::cookies::ALLOWED;

use crate::platform::{Answer, request, send};

/// Every public page.
const PAGES: &[&str] = &[
    "/",
    "/kosten",
    "/rekenhulp",
    "/rekenhulp?hoofd=300&partner=240&kind1=120",
    "/contact",
    "/aanmelden",
    "/aanmelden/ontvangen",
    "/privacy",
    "/cookies",
];

/// The language cookie that chooses English.
const ENGLISH: &str = "ixorg_taal=en";

fn assert_security_headers(answer: &Answer, what: &str) {
    let h = &answer.headers;
    let csp = h[header::CONTENT_SECURITY_POLICY].to_str().expect("ascii");
    assert!(csp.contains("default-src 'self'"), "{what}");
    assert!(!csp.contains("unsafe-inline"), "{what}");
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{what}");
    assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{what}");
    assert_eq!(h[header::REFERRER_POLICY], "same-origin", "{what}");
    assert!(h.contains_key("permissions-policy"), "{what}");
    assert_eq!(
        h[header::STRICT_TRANSPORT_SECURITY],
        ixorg_web::HSTS,
        "{what}"
    );
}

/// The names of the cookies `headers` set.
fn cookies_set(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split('=').next())
        .map(str::to_owned)
        .collect()
}

fn assert_only_allowed_cookies(answer: &Answer, what: &str) {
    for name in cookies_set(&answer.headers) {
        assert!(
            ALLOWED.iter().any(|c| c.name == name),
            "{what} sets the cookie {name}, which is not a documented strictly necessary cookie"
        );
    }
}

/// The session cookie (`name=value`) an answer set.
fn session_cookie(answer: &Answer) -> String {
    answer
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(ixorg_web::session::SESSION_COOKIE))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

/// The form's CSRF token.
fn csrf_token(body: &str) -> String {
    body.split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a CSRF field")
        .to_owned()
}

db_test!(
    every_public_page_renders_in_both_languages_without_a_missing_text,
    async |t: TestDb| {
        let app = ixorg_web::router(test_app(&t).await);
        for path in PAGES {
            for (cookie, lang) in [("", "nl"), (ENGLISH, "en")] {
                let headers: Vec<(&str, &str)> = if cookie.is_empty() {
                    vec![]
                } else {
                    vec![("cookie", cookie)]
                };
                let answer = send(&app, request("GET", path, None, &headers, None)).await;
                let what = format!("{path} in {lang}");
                assert_eq!(answer.status, StatusCode::OK, "{what}: {}", answer.body);
                assert!(
                    answer.body.contains(&format!("<html lang=\"{lang}\">")),
                    "{what}"
                );
                assert!(!answer.body.contains("[[missing"), "{what} misses a text");
                assert!(!answer.body.contains("style="), "{what}: no inline style");
                assert!(!answer.body.contains("<script"), "{what}: no script");
                assert!(answer.body.contains("href=\"/privacy\""), "{what}: footer");
                assert!(
                    answer.body.contains("rel=\"external noopener"),
                    "{what}: external links are marked"
                );
                assert_security_headers(&answer, &what);
                assert_only_allowed_cookies(&answer, &what);
            }
        }
    }
);

db_test!(
    the_english_pages_say_english_things_and_the_dutch_pages_dutch_things,
    async |t: TestDb| {
        let app = ixorg_web::router(test_app(&t).await);
        let dutch = send(&app, request("GET", "/kosten", None, &[], None)).await;
        let english = send(
            &app,
            request("GET", "/kosten", None, &[("cookie", ENGLISH)], None),
        )
        .await;
        assert!(dutch.body.contains("Kosten en grenzen"));
        assert!(dutch.body.contains("€\u{a0}4,85"), "a Dutch amount");
        assert!(english.body.contains("Costs and limits"));
        assert!(english.body.contains("€4.85"), "an English amount");
    }
);

db_test!(
    the_language_switch_keeps_the_choice_in_a_cookie_and_returns_only_to_this_site,
    async |t: TestDb| {
        let app = ixorg_web::router(test_app(&t).await);
        let to_english = send(
            &app,
            request("GET", "/taal/en?terug=/kosten", None, &[], None),
        )
        .await;
        assert_eq!(to_english.status, StatusCode::SEE_OTHER);
        assert_eq!(to_english.headers[header::LOCATION], "/kosten");
        let cookie = to_english.headers[header::SET_COOKIE]
            .to_str()
            .expect("ascii");
        assert!(cookie.starts_with("ixorg_taal=en;"), "{cookie}");
        assert!(
            cookie.contains("SameSite=Lax") && cookie.contains("Secure"),
            "{cookie}"
        );
        let to_dutch = send(
            &app,
            request("GET", "/taal/nl?terug=//evil.example", None, &[], None),
        )
        .await;
        assert_eq!(to_dutch.headers[header::LOCATION], "/");
        let cookie = to_dutch.headers[header::SET_COOKIE]
            .to_str()
            .expect("ascii");
        assert!(
            cookie.contains("Max-Age=0"),
            "choosing Dutch removes the cookie"
        );
        let unknown = send(&app, request("GET", "/taal/de", None, &[], None)).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    }
);

db_test!(
    a_page_without_a_form_sets_no_cookie_and_a_form_sets_only_the_session_cookie,
    async |t: TestDb| {
        let app = ixorg_web::router(test_app(&t).await);
        for path in [
            "/",
            "/kosten",
            "/rekenhulp?hoofd=300",
            "/contact",
            "/privacy",
        ] {
            let answer = send(&app, request("GET", path, None, &[], None)).await;
            assert!(cookies_set(&answer.headers).is_empty(), "{path}");
        }
        let form = send(&app, request("GET", "/aanmelden", None, &[], None)).await;
        assert_eq!(
            cookies_set(&form.headers),
            vec![ixorg_web::session::SESSION_COOKIE.to_owned()]
        );
        let cookie = form.headers[header::SET_COOKIE].to_str().expect("ascii");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(cookie.contains("Secure"), "{cookie}");
    }
);

/// A valid household: the main participant and a child.
fn household(token: Option<&str>) -> String {
    let mut fields = vec![
        ("kinderen", "1"),
        ("m0_first_names", "Johanna"),
        ("m0_initials", "J."),
        ("m0_surname", "Wiel"),
        ("m0_surname_prefix", "van der"),
        ("m0_date_of_birth", "1980-04-02"),
        ("m0_gender", "female"),
        ("m0_street", "Kerkstraat"),
        ("m0_house_number", "12"),
        ("m0_postcode", "3511 LX"),
        ("m0_city", "Utrecht"),
        ("m0_email", "johanna@example.nl"),
        ("m0_annual_budget_eur", "300"),
        ("m2_first_names", "Pim"),
        ("m2_surname", "Wiel"),
        ("m2_surname_prefix", "van der"),
        ("m2_date_of_birth", "2015-06-01"),
        ("m2_gender", "male"),
        ("m2_annual_budget_eur", "120,00"),
        ("practice_name", "Tandartspraktijk De Molen"),
        ("provider_view_consent", "no"),
        ("start_date", "2027-01-01"),
        ("iban", "NL91ABNA0417164300"),
        ("account_holder", "J. van der Wiel"),
        ("mandate_signed", "yes"),
        ("actie", "versturen"),
    ];
    if let Some(token) = token {
        fields.push(("csrf_token", token));
    }
    serde_urlencoded::to_string(fields).expect("a form")
}

/// Applications stored (a rejected form is recorded too, as rejected).
async fn applications(t: &TestDb) -> i64 {
    ixorg_testkit::raw::scalar(t, "SELECT COUNT(*) FROM application").await
}

/// Applications that were not rejected.
async fn valid_applications(t: &TestDb) -> i64 {
    let sql = "SELECT COUNT(*) FROM application WHERE application_status <> 'rejected'";
    ixorg_testkit::raw::scalar(t, sql).await
}

/// Opens the form: the session cookie and the form's token.
async fn open_form(app: &axum::Router, language: &str) -> (String, String) {
    let headers: Vec<(&str, &str)> = if language.is_empty() {
        vec![]
    } else {
        vec![("cookie", language)]
    };
    let form = send(app, request("GET", "/aanmelden", None, &headers, None)).await;
    assert_eq!(form.status, StatusCode::OK);
    (session_cookie(&form), csrf_token(&form.body))
}

fn post_form(
    path: &str,
    cookie: &str,
    body: String,
    extra: &[(&str, &str)],
) -> axum::http::Request<axum::body::Body> {
    let mut headers = vec![("cookie", cookie)];
    headers.extend_from_slice(extra);
    request(
        "POST",
        path,
        None,
        &headers,
        Some(("application/x-www-form-urlencoded", body)),
    )
}

db_test!(
    a_post_without_or_with_a_wrong_csrf_token_is_refused_and_stores_nothing,
    async |t: TestDb| {
        let app = ixorg_web::router(test_app(&t).await);
        let (cookie, token) = open_form(&app, "").await;
        let before = applications(&t).await;
        let missing = send(&app, post_form("/aanmelden", &cookie, household(None), &[])).await;
        let wrong = send(
            &app,
            post_form("/aanmelden", &cookie, household(Some("0bad")), &[]),
        )
        .await;
        let no_session = send(
            &app,
            post_form("/aanmelden", "", household(Some(&token)), &[]),
        )
        .await;
        for (answer, what) in [
            (&missing, "missing"),
            (&wrong, "wrong"),
            (&no_session, "no session"),
        ] {
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{what}");
            assert!(
                answer.body.contains("laad de pagina opnieuw"),
                "{what}: {}",
                answer.body
            );
            assert_security_headers(answer, what);
        }
        let english_cookie = format!("{cookie}; {ENGLISH}");
        let english = send(
            &app,
            post_form("/aanmelden", &english_cookie, household(None), &[]),
        )
        .await;
        assert!(english.body.contains("reload the page"), "{}", english.body);
        assert_eq!(applications(&t).await, before, "nothing was stored");
    }
);

db_test!(
    a_cross_site_post_is_refused_even_with_the_right_token,
    async |t: TestDb| {
        let app = ixorg_web::router(test_app(&t).await);
        let (cookie, token) = open_form(&app, "").await;
        let before = applications(&t).await;
        for extra in [
            [
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "same-origin"),
            ],
            [
                ("origin", "http://127.0.0.1:8080"),
                ("sec-fetch-site", "cross-site"),
            ],
        ] {
            let answer = send(
                &app,
                post_form("/aanmelden", &cookie, household(Some(&token)), &extra),
            )
            .await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{extra:?}");
        }
        assert_eq!(applications(&t).await, before);
    }
);

db_test!(
    a_valid_household_is_received_and_lands_in_the_database,
    async |t: TestDb| {
        let app = ixorg_web::router(test_app(&t).await);
        let (cookie, token) = open_form(&app, "").await;
        let before = applications(&t).await;
        let same_origin = [
            ("origin", "http://127.0.0.1:8080"),
            ("sec-fetch-site", "same-origin"),
        ];
        let answer = send(
            &app,
            post_form("/aanmelden", &cookie, household(Some(&token)), &same_origin),
        )
        .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        assert_eq!(
            answer.headers[header::LOCATION],
            ixorg_web::enroll::RECEIVED_PATH
        );
        assert_eq!(applications(&t).await, before + 1);
        let participants = ixorg_testkit::raw::scalar(&t, "SELECT COUNT(*) FROM participant").await;
        assert!(participants >= 2, "the main participant and the child");
        // The same person again is referred to staff, and the visitor sees the same thing.
        let again = send(
            &app,
            post_form("/aanmelden", &cookie, household(Some(&token)), &[]),
        )
        .await;
        assert_eq!(again.status, StatusCode::SEE_OTHER);
        assert_eq!(
            again.headers[header::LOCATION],
            ixorg_web::enroll::RECEIVED_PATH
        );
    }
);

db_test!(
    an_invalid_household_is_shown_again_with_the_input_kept_and_each_error_at_its_field,
    async |t: TestDb| {
        let app = ixorg_web::router(test_app(&t).await);
        for (language, summary, iban_error) in [
            ("", "Er is een probleem", "Dit IBAN klopt niet"),
            (ENGLISH, "There is a problem", "This IBAN is not right"),
        ] {
            let (cookie, token) = open_form(&app, language).await;
            let cookie = if language.is_empty() {
                cookie
            } else {
                format!("{cookie}; {language}")
            };
            let before = valid_applications(&t).await;
            let body = household(Some(&token))
                .replace("NL91ABNA0417164300", "NL00ABNA0417164300")
                .replace("m2_date_of_birth=2015-06-01", "m2_date_of_birth=2001-06-01")
                .replace("mandate_signed=yes", "mandate_signed=");
            let answer = send(&app, post_form("/aanmelden", &cookie, body, &[])).await;
            assert_eq!(
                answer.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{language}"
            );
            let page = &answer.body;
            assert!(page.contains(summary), "{language}");
            assert!(
                page.contains("href=\"#iban\""),
                "the summary links to the field"
            );
            assert!(
                page.contains("id=\"iban-error\""),
                "the error sits at its field"
            );
            assert!(page.contains(iban_error), "{language}");
            assert!(
                page.contains("id=\"m2_date_of_birth-error\""),
                "the child's age"
            );
            assert!(page.contains("id=\"mandate_signed-error\""), "the mandate");
            assert!(
                page.contains("value=\"NL00ABNA0417164300\""),
                "the input is kept"
            );
            assert!(page.contains("value=\"Johanna\""), "the input is kept");
            assert!(page.contains("value=\"2001-06-01\""), "the input is kept");
            assert!(!page.contains("[[missing"));
            assert_eq!(
                valid_applications(&t).await,
                before,
                "a rejected form makes no contract"
            );
        }
    }
);

db_test!(
    adding_a_child_shows_the_form_again_with_one_more_child_and_the_input_kept,
    async |t: TestDb| {
        let app = ixorg_web::router(test_app(&t).await);
        let (cookie, token) = open_form(&app, "").await;
        let body = household(Some(&token)).replace("actie=versturen", "actie=kind");
        let answer = send(&app, post_form("/aanmelden", &cookie, body, &[])).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert!(
            answer.body.contains("id=\"m3_first_names\""),
            "a second child"
        );
        assert!(answer.body.contains("value=\"Pim\""));
    }
);

db_test!(
    the_calculator_computes_on_the_server_and_puts_an_error_at_a_wrong_amount,
    async |t: TestDb| {
        let app = ixorg_web::router(test_app(&t).await);
        let ok = send(
            &app,
            request("GET", "/rekenhulp?hoofd=300&kind1=120", None, &[], None),
        )
        .await;
        assert_eq!(ok.status, StatusCode::OK);
        // 25,00 + 4,85 for the main participant, 10,00 + 2,00 for the child.
        assert!(ok.body.contains("€\u{a0}29,85"), "{}", ok.body);
        assert!(ok.body.contains("€\u{a0}12,00"));
        assert!(ok.body.contains("€\u{a0}41,85"), "the household's total");
        let bad = send(
            &app,
            request("GET", "/rekenhulp?hoofd=abc&kind1=1", None, &[], None),
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("id=\"hoofd-error\""));
        assert!(bad.body.contains("id=\"kind1-error\""));
        assert!(bad.body.contains("value=\"abc\""));
    }
);
