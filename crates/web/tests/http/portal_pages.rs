//! Issue 13: the portal's budget pages over HTTP on both databases: who reaches them, what
//! they show, and that changing the member in the URL reaches nobody else's data.

use axum::http::StatusCode;

use crate::portal_auth::{Browser, GOOD, activated, location, log_in};
use ixorg_testkit::{TestDb, db_test};

/// Logs in and accepts the privacy statement in force (shown at the first log-in).
async fn logged_in(app: &axum::Router, number: &str) -> Browser {
    let mut b = Browser::default();
    let answer = log_in(app, &mut b, number, GOOD).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let page = b.get(app, "/mijn/privacyverklaring").await;
    if page.status == StatusCode::OK {
        let token = page
            .body
            .split("name=\"csrf_token\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("a CSRF field")
            .to_owned();
        let mut body = format!("csrf_token={token}");
        for doc in page.body.split("name=\"doc\" value=\"").skip(1) {
            let value = doc.split('"').next().expect("a value");
            body.push_str(&format!("&doc={}", ixorg_web::i18n::encode(value)));
        }
        let answer = b.post_raw(app, "/mijn/privacyverklaring", body).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    }
    b
}

/// Every page of the portal a participant opens with GET.
const PAGES: &[&str] = &[
    "/mijn/",
    "/mijn/overzicht",
    "/mijn/overzicht?lid=0",
    "/mijn/toestemming",
];

db_test!(
    an_anonymous_visitor_is_sent_to_the_log_in_from_every_portal_page,
    async |t: TestDb| {
        let (_, app, _, _) = activated(&t, "anon").await;
        for page in PAGES {
            let answer = Browser::default().get(&app, page).await;
            assert_eq!(answer.status, StatusCode::SEE_OTHER, "{page}");
            assert!(
                location(&answer).starts_with("/mijn/inloggen?terug="),
                "{page}: {}",
                location(&answer)
            );
        }
    }
);

db_test!(
    the_participant_sees_their_budget_chart_and_statement_in_both_languages,
    async |t: TestDb| {
        let (_, app, number, _) = activated(&t, "pages").await;
        let mut b = logged_in(&app, &number).await;
        for language in ["nl", "en"] {
            b.get(&app, &format!("/taal/{language}?terug=/mijn/")).await;
            for page in PAGES {
                let mut with_language = b.clone();
                if language == "en" {
                    with_language.cookie = format!("{}; ixorg_taal=en", b.cookie);
                }
                let answer = with_language.get(&app, page).await;
                assert_eq!(
                    answer.status,
                    StatusCode::OK,
                    "{page} ({language}) {}",
                    location(&answer)
                );
                assert!(
                    !answer.body.contains("[[missing text]]"),
                    "{page} ({language})"
                );
                if page.starts_with("/mijn/overzicht") || *page == "/mijn/" {
                    assert!(answer.body.contains("Anna"), "{page} shows the participant");
                    assert!(answer.body.contains(&number), "{page} shows the number");
                }
            }
        }
        let overview = b.get(&app, "/mijn/").await;
        assert!(overview.body.contains("<svg"), "the year chart is drawn");
        assert!(overview.body.contains("€"), "amounts the Dutch way");
    }
);

db_test!(
    another_member_place_or_a_made_up_one_reveals_nothing,
    async |t: TestDb| {
        let (_, app, number, _) = activated(&t, "other").await;
        let mut b = logged_in(&app, &number).await;
        for page in [
            "/mijn/overzicht?lid=1",
            "/mijn/overzicht?lid=99",
            "/mijn/overzicht?lid=x",
        ] {
            let answer = b.get(&app, page).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{page}");
            assert!(!answer.body.contains("Anna"), "{page} names no one");
        }
    }
);

db_test!(
    the_provider_budget_view_is_switched_off_and_on_again_at_once,
    async |t: TestDb| {
        let (ctx, app, number, user) = activated(&t, "consent").await;
        let mut b = logged_in(&app, &number).await;
        let before =
            ixorg_app::privacy::consent::consents(&ctx, user.participant, user.participant)
                .await
                .expect("consents");
        assert!(before.provider_view_everyone, "given at enrollment");
        for (aan, on) in [("nee", false), ("ja", true)] {
            let page = b.get(&app, "/mijn/toestemming").await;
            let token = page
                .body
                .split("name=\"csrf_token\" value=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .expect("a CSRF field")
                .to_owned();
            let body = format!("csrf_token={token}&wat=provider_view&aan={aan}");
            let answer = b.post_raw(&app, "/mijn/toestemming", body).await;
            assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
            let now =
                ixorg_app::privacy::consent::consents(&ctx, user.participant, user.participant)
                    .await
                    .expect("consents");
            assert_eq!(now.provider_view_everyone, on, "after {aan}");
        }
        let without_token = b
            .post_raw(
                &app,
                "/mijn/toestemming",
                "wat=provider_view&aan=nee".to_owned(),
            )
            .await;
        assert_eq!(without_token.status, StatusCode::FORBIDDEN);
    }
);
