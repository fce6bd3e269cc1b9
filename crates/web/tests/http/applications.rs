//! `POST /api/v1/applications` is no membership oracle: a stranger who sends the surname, date
//! of birth and postcode of an existing participant gets the same answer, on the same timing,
//! as one who sends a new person's.

use std::time::Instant;

use axum::http::StatusCode;
use ixorg_testkit::{TestDb, db_test, raw, test_app};
use ixorg_web::api::applications::ANSWER_INTERVAL;

use crate::{APPLICATION, post_json};

/// The answer without its reference, which differs for every application.
fn without_reference(body: &str) -> serde_json::Value {
    let mut json: serde_json::Value = serde_json::from_str(body).expect("json");
    let id = json
        .as_object_mut()
        .and_then(|o| o.remove("application_id"))
        .expect("an application reference");
    assert!(id.as_str().is_some_and(|id| id.len() == 36), "{id}");
    json
}

db_test!(
    an_application_for_an_existing_participant_is_answered_like_one_for_a_new_person,
    async |t: TestDb| {
        // Arrange: Anna Jansen is a participant.
        let app = ixorg_web::router(test_app(&t).await);
        let (status, ..) = post_json(&app, "/api/v1/applications", APPLICATION).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let stranger = APPLICATION.replace("anna@example.nl", "stranger@example.org");
        let new_person = stranger.replace("Jansen", "Bakker");

        // Act: a stranger guesses Anna's data, then a new person's.
        let started = Instant::now();
        let (known_status, known_headers, known) =
            post_json(&app, "/api/v1/applications", &stranger).await;
        let known_took = started.elapsed();
        let started = Instant::now();
        let (new_status, new_headers, new) =
            post_json(&app, "/api/v1/applications", &new_person).await;
        let new_took = started.elapsed();

        // Assert: the same status, headers and body (but the reference) ...
        assert_eq!(known_status, StatusCode::ACCEPTED, "{known}");
        assert_eq!(new_status, known_status, "{new}");
        assert_eq!(without_reference(&known), without_reference(&new));
        let names = |h: &axum::http::HeaderMap| {
            let mut names: Vec<String> = h.keys().map(ToString::to_string).collect();
            names.sort();
            names
        };
        assert_eq!(names(&known_headers), names(&new_headers));
        assert!(!known.contains("duplicate"), "{known}");
        // ... both on the answer interval ...
        assert!(known_took >= ANSWER_INTERVAL, "{known_took:?}");
        assert!(new_took >= ANSWER_INTERVAL, "{new_took:?}");
        // ... while the duplicate went to staff and its participant on file is told.
        let referred = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM application WHERE application_status = 'referred'",
        )
        .await;
        assert_eq!(referred, 1);
        let told = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM outbox_message \
             WHERE message_kind = 'application_with_your_details'",
        )
        .await;
        assert_eq!(told, 1);
        assert_eq!(raw::scalar(&t, "SELECT COUNT(*) FROM contract").await, 2);
    }
);
