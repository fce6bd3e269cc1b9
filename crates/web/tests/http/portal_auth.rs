//! Issue 13: the portal's log-in pages over HTTP on both databases: log-in (a new session id),
//! one answer for a wrong password and an unknown number, lock-out, activation by link, the
//! session check, log-out and the CSRF guard.

use axum::http::StatusCode;
use ixorg_app::AppContext;
use ixorg_app::accounts::{self, PortalUser};
use ixorg_app::domain::Language;
use ixorg_app::domain::enrollment::{ApplicationForm, MemberForm};
use ixorg_app::enrollment::{ApplicationOutcome, apply_in};
use ixorg_app::mail::{MailTransport, send_due};
use ixorg_testkit::{TestDb, db_test, test_app};

use crate::platform::{Answer, request, send};

/// A password that passes the policy.
pub(crate) const GOOD: &str = "paarse olifant op de fiets";

/// A session: its cookie (`name=value`, empty for none).
#[derive(Clone, Default)]
pub(crate) struct Browser {
    pub(crate) cookie: String,
}

impl Browser {
    fn take_cookie(&mut self, answer: &Answer) {
        let set = answer
            .headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(ixorg_web::session::SESSION_COOKIE))
            .and_then(|v| v.split(';').next())
            .map(str::to_owned);
        if let Some(c) = set {
            self.cookie = c;
        }
    }

    pub(crate) async fn get(&mut self, app: &axum::Router, path: &str) -> Answer {
        let headers: Vec<(&str, &str)> = if self.cookie.is_empty() {
            vec![]
        } else {
            vec![("cookie", self.cookie.as_str())]
        };
        let answer = send(app, request("GET", path, None, &headers, None)).await;
        self.take_cookie(&answer);
        answer
    }

    /// Posts `fields` with the CSRF token of the form at `form_path`.
    async fn post_form(
        &mut self,
        app: &axum::Router,
        form_path: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Answer {
        let page = self.get(app, form_path).await;
        let token = csrf_token(&page.body);
        let mut body = format!("csrf_token={token}");
        for (k, v) in fields {
            body.push_str(&format!("&{k}={}", ixorg_web::i18n::encode(v)));
        }
        self.post_raw(app, path, body).await
    }

    pub(crate) async fn post_raw(
        &mut self,
        app: &axum::Router,
        path: &str,
        body: String,
    ) -> Answer {
        let headers = [("cookie", self.cookie.as_str())];
        let answer = send(
            app,
            request(
                "POST",
                path,
                None,
                &headers,
                Some(("application/x-www-form-urlencoded", body)),
            ),
        )
        .await;
        self.take_cookie(&answer);
        answer
    }
}

fn csrf_token(body: &str) -> String {
    body.split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a CSRF field")
        .to_owned()
}

pub(crate) fn location(answer: &Answer) -> &str {
    answer.header(axum::http::header::LOCATION)
}

/// Enrolls a one-person household and returns the context, the router, the participant's
/// number and the activation token from the welcome mail.
async fn enrolled(t: &TestDb, name: &str) -> (AppContext, axum::Router, String, String) {
    let ctx = test_app(t).await;
    ixorg_app::operator::set(&ctx, &ixorg_tools::demo::operator_profile())
        .await
        .expect("operator profile");
    let form = ApplicationForm {
        members: vec![MemberForm {
            role: "main".into(),
            first_names: "Anna".into(),
            initials: "A.".into(),
            surname: "Visser".into(),
            date_of_birth: "1985-04-02".into(),
            gender: "female".into(),
            street: "Dorpsstraat".into(),
            house_number: "7".into(),
            postcode: "9711 AB".into(),
            city: "Groningen".into(),
            email: "anna@example.nl".into(),
            annual_budget_eur: "300".into(),
            ..MemberForm::default()
        }],
        start_date: "2026-12-01".into(),
        iban: "NL02ABNA0123456789".into(),
        account_holder: "A. Visser".into(),
        dentist_agb_code: "12000001".into(),
        provider_view_consent: "yes".into(),
        mandate_signed: "yes".into(),
        ..ApplicationForm::default()
    };
    let outcome = apply_in(&ctx, &form, Language::Dutch).await.expect("apply");
    let ApplicationOutcome::Accepted(accepted) = outcome else {
        panic!("the application is valid");
    };
    let number = accepted.members[0].1.to_string();
    let dir = std::env::temp_dir().join(format!(
        "ixorg-portal-auth-{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a mail directory");
    let transport = MailTransport::file(&dir, None).expect("a transport");
    send_due(&ctx, &transport, "https://portaal.example.nl")
        .await
        .expect("send");
    let mail = std::fs::read_dir(&dir)
        .expect("mails")
        .map(|e| e.expect("an entry").path())
        .map(|p| {
            std::fs::read_to_string(p)
                .expect("a mail")
                .replace("=\r\n", "")
                .replace("=3D", "=")
        })
        .find(|m| m.contains("/mijn/activeren?token="))
        .expect("an activation mail");
    let start = mail.find("/mijn/activeren?token=").expect("a link") + 22;
    let token = mail[start..start + 64].to_owned();
    let app = ixorg_web::router(ctx.clone());
    (ctx, app, number, token)
}

/// [`enrolled`], activated with [`GOOD`] through the use case.
pub(crate) async fn activated(
    t: &TestDb,
    name: &str,
) -> (AppContext, axum::Router, String, PortalUser) {
    let (ctx, app, number, token) = enrolled(t, name).await;
    let user = accounts::activate(&ctx, &token, GOOD)
        .await
        .expect("activate");
    (ctx, app, number, user)
}

/// Logs in; returns the answer.
pub(crate) async fn log_in(
    app: &axum::Router,
    b: &mut Browser,
    number: &str,
    password: &str,
) -> Answer {
    b.post_form(
        app,
        "/mijn/inloggen",
        "/mijn/inloggen",
        &[("nummer", number), ("wachtwoord", password)],
    )
    .await
}

/// Whether the browser's session passes a page behind the log-in.
async fn signed_in(app: &axum::Router, b: &mut Browser) -> bool {
    let answer = b.get(app, "/mijn/privacyverklaring").await;
    !(answer.status == StatusCode::SEE_OTHER && location(&answer).starts_with("/mijn/inloggen"))
}

db_test!(
    a_log_in_signs_in_with_a_new_session_id_and_goes_to_the_portal,
    async |t: TestDb| {
        let (_, app, number, _) = activated(&t, "login").await;
        let mut b = Browser::default();
        b.get(&app, "/mijn/inloggen").await;
        let before = b.cookie.clone();
        assert!(!before.is_empty(), "the form made a session");
        let answer = log_in(&app, &mut b, &number, GOOD).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        assert!(
            location(&answer).starts_with("/mijn/"),
            "{}",
            location(&answer)
        );
        assert_ne!(b.cookie, before, "the session id changed at log-in");
        assert!(signed_in(&app, &mut b).await);
        let mut old = Browser { cookie: before };
        assert!(!signed_in(&app, &mut old).await, "the old id is worthless");
    }
);

db_test!(
    a_log_in_sends_back_only_to_a_local_page,
    async |t: TestDb| {
        let (_, app, number, _) = activated(&t, "back").await;
        for (terug, expected) in [
            ("/mijn/budget", "/mijn/budget"),
            ("//evil.example", "/mijn/"),
        ] {
            let mut b = Browser::default();
            let answer = b
                .post_form(
                    &app,
                    "/mijn/inloggen",
                    "/mijn/inloggen",
                    &[("nummer", &number), ("wachtwoord", GOOD), ("terug", terug)],
                )
                .await;
            assert_eq!(answer.status, StatusCode::SEE_OTHER);
            let to = location(&answer);
            assert!(
                to == expected || to.ends_with(&ixorg_web::i18n::encode(expected)),
                "{to}"
            );
        }
    }
);

db_test!(
    a_wrong_password_and_an_unknown_number_give_the_same_page,
    async |t: TestDb| {
        let (_, app, number, _) = activated(&t, "wrong").await;
        let mut b = Browser::default();
        let wrong = log_in(&app, &mut b, &number, "niet het goede wachtwoord").await;
        let unknown = log_in(&app, &mut b, "99999997", GOOD).await;
        let garbage = log_in(&app, &mut b, "abc", GOOD).await;
        for answer in [&wrong, &unknown, &garbage] {
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(
                answer
                    .body
                    .contains("Het deelnemersnummer of het wachtwoord is niet goed.")
            );
        }
        let strip = |body: &str| body.replace(&csrf_token(body), "").replace(&number, "");
        assert_eq!(
            strip(&wrong.body),
            strip(&unknown.body).replace("99999997", "")
        );
    }
);

db_test!(
    five_wrong_passwords_lock_the_account_with_the_time_it_lifts,
    async |t: TestDb| {
        let (_, app, number, _) = activated(&t, "lock").await;
        let mut b = Browser::default();
        let mut last = None;
        for _ in 0..5 {
            last = Some(log_in(&app, &mut b, &number, "niet het goede wachtwoord").await);
        }
        let answer = last.expect("an answer");
        assert!(
            answer.body.contains("tijdelijk geblokkeerd"),
            "{}",
            answer.body
        );
        assert!(answer.body.contains("U kunt weer inloggen vanaf"));
        let again = log_in(&app, &mut b, &number, GOOD).await;
        assert!(
            again.body.contains("tijdelijk geblokkeerd"),
            "the right password waits too"
        );
    }
);

db_test!(
    an_activation_link_sets_the_password_and_signs_in,
    async |t: TestDb| {
        let (_, app, number, token) = enrolled(&t, "activate").await;
        let mut b = Browser::default();
        let path = format!("/mijn/activeren?token={token}");
        let mismatch = b
            .post_form(
                &app,
                &path,
                "/mijn/activeren",
                &[
                    ("token", &token),
                    ("wachtwoord", GOOD),
                    ("wachtwoord_herhaald", "anders"),
                ],
            )
            .await;
        assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            mismatch
                .body
                .contains("De twee wachtwoorden zijn niet gelijk.")
        );
        let short = b
            .post_form(
                &app,
                &path,
                "/mijn/activeren",
                &[
                    ("token", &token),
                    ("wachtwoord", "kort"),
                    ("wachtwoord_herhaald", "kort"),
                ],
            )
            .await;
        assert!(
            short.body.contains("Het wachtwoord is te kort"),
            "{}",
            short.body
        );
        let done = b
            .post_form(
                &app,
                &path,
                "/mijn/activeren",
                &[
                    ("token", &token),
                    ("wachtwoord", GOOD),
                    ("wachtwoord_herhaald", GOOD),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert!(signed_in(&app, &mut b).await);
        let mut other = Browser::default();
        let answer = log_in(&app, &mut other, &number, GOOD).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "the password works");
        let reused = other
            .post_form(
                &app,
                &path,
                "/mijn/activeren",
                &[
                    ("token", &token),
                    ("wachtwoord", GOOD),
                    ("wachtwoord_herhaald", GOOD),
                ],
            )
            .await;
        assert_eq!(reused.status, StatusCode::BAD_REQUEST);
        assert!(reused.body.contains("Deze link werkt niet"));
    }
);

db_test!(
    a_page_behind_the_log_in_sends_an_anonymous_visitor_to_log_in,
    async |t: TestDb| {
        let app = ixorg_web::router(test_app(&t).await);
        let mut b = Browser::default();
        let answer = b.get(&app, "/mijn/privacyverklaring").await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER);
        assert_eq!(
            location(&answer),
            "/mijn/inloggen?terug=/mijn/privacyverklaring"
        );
    }
);

db_test!(
    a_password_changed_elsewhere_ends_the_old_session,
    async |t: TestDb| {
        let (ctx, app, number, user) = activated(&t, "changed").await;
        let mut b = Browser::default();
        log_in(&app, &mut b, &number, GOOD).await;
        assert!(signed_in(&app, &mut b).await);
        accounts::change_password(&ctx, &user, GOOD, "een heel ander wachtwoord")
            .await
            .expect("change");
        assert!(!signed_in(&app, &mut b).await);
    }
);

db_test!(log_out_ends_the_session, async |t: TestDb| {
    let (_, app, number, _) = activated(&t, "logout").await;
    let mut b = Browser::default();
    log_in(&app, &mut b, &number, GOOD).await;
    let kept = b.clone();
    let answer = b
        .post_form(&app, "/mijn/wachtwoord-vergeten", "/mijn/uitloggen", &[])
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&answer), "/mijn/uitgelogd");
    let page = b.get(&app, "/mijn/uitgelogd").await;
    assert!(page.body.contains("U bent uitgelogd"));
    let mut old = kept;
    assert!(!signed_in(&app, &mut old).await);
});

db_test!(
    a_log_in_post_without_the_csrf_token_is_refused_with_403,
    async |t: TestDb| {
        let (_, app, number, _) = activated(&t, "csrf").await;
        let mut b = Browser::default();
        b.get(&app, "/mijn/inloggen").await;
        let body = format!(
            "nummer={number}&wachtwoord={}",
            ixorg_web::i18n::encode(GOOD)
        );
        let answer = b.post_raw(&app, "/mijn/inloggen", body).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
    }
);

db_test!(
    too_many_log_ins_from_one_address_are_answered_429,
    async |t: TestDb| {
        let app = ixorg_web::router(test_app(&t).await);
        let mut b = Browser::default();
        let mut last = StatusCode::OK;
        for _ in 0..=ixorg_web::portal::auth::LOG_IN_ATTEMPTS_PER_WINDOW {
            last = log_in(&app, &mut b, "abc", "x").await.status;
        }
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    }
);

db_test!(
    the_forgotten_password_page_answers_the_same_for_any_number,
    async |t: TestDb| {
        let (_, app, number, _) = activated(&t, "forgot").await;
        let mut b = Browser::default();
        let known = b
            .post_form(
                &app,
                "/mijn/wachtwoord-vergeten",
                "/mijn/wachtwoord-vergeten",
                &[("nummer", &number)],
            )
            .await;
        let unknown = b
            .post_form(
                &app,
                "/mijn/wachtwoord-vergeten",
                "/mijn/wachtwoord-vergeten",
                &[("nummer", "99999997")],
            )
            .await;
        assert_eq!(known.status, StatusCode::OK);
        assert!(known.body.contains("Als dit nummer een account heeft"));
        assert_eq!(known.body, unknown.body);
    }
);

db_test!(
    a_new_privacy_statement_is_accepted_after_log_in_before_going_on,
    async |t: TestDb| {
        let (ctx, app, number, user) = activated(&t, "accept").await;
        let today = ctx.clock.today();
        ixorg_app::privacy::consent::publish_document(
            &ctx,
            ixorg_app::domain::privacy::consent::DocumentKind::PrivacyStatement,
            today,
            "Wij bewaren declaraties korter.",
            "De nieuwe tekst.",
        )
        .await
        .expect("publish");
        assert!(ixorg_web::portal::auth::must_accept(&ctx, user.participant).await);
        let mut b = Browser::default();
        let answer = log_in(&app, &mut b, &number, GOOD).await;
        assert_eq!(location(&answer), "/mijn/privacyverklaring?terug=/mijn/");
        let page = b.get(&app, "/mijn/privacyverklaring?terug=/mijn/").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Wij bewaren declaraties korter."));
        let values: Vec<String> = page
            .body
            .split("name=\"doc\" value=\"")
            .skip(1)
            .filter_map(|r| r.split('"').next())
            .map(str::to_owned)
            .collect();
        assert!(!values.is_empty(), "a document field");
        let mut fields: Vec<(&str, &str)> = values.iter().map(|v| ("doc", v.as_str())).collect();
        fields.push(("terug", "/mijn/"));
        let accepted = b
            .post_form(
                &app,
                "/mijn/privacyverklaring?terug=/mijn/",
                "/mijn/privacyverklaring",
                &fields,
            )
            .await;
        assert_eq!(accepted.status, StatusCode::SEE_OTHER);
        assert_eq!(location(&accepted), "/mijn/");
        assert!(!ixorg_web::portal::auth::must_accept(&ctx, user.participant).await);
    }
);
