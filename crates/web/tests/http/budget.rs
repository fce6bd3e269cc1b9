//! `GET /api/v1/participants/{number}/budget`: a practice sees the budget only with consent.

use axum::http::StatusCode;
use ixorg_app::privacy::consent::{self, Choice};
use ixorg_domain::privacy::consent::Scope;
use ixorg_testkit::{TestDb, db_test, raw};

use crate::platform::{platform, request, send};

db_test!(
    a_practice_sees_balance_and_credit_left_only_while_consent_lasts,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let (main, number) = p.members[0].clone();
        let path = format!("/api/v1/participants/{}/budget", number.as_str());
        let with_consent = send(&p.app, request("GET", &path, Some(&p.token), &[], None)).await;
        let intermediary = send(
            &p.app,
            request("GET", &path, Some(&p.intermediary_token), &[], None),
        )
        .await;
        // Act
        consent::set(
            &p.ctx,
            main,
            main,
            Choice::ProviderView(Scope::Everyone),
            false,
        )
        .await
        .expect("withdraw consent");
        let withdrawn = send(&p.app, request("GET", &path, Some(&p.token), &[], None)).await;
        // Assert
        assert_eq!(with_consent.status, StatusCode::OK, "{}", with_consent.body);
        let body = with_consent.json();
        let keys: Vec<&String> = body.as_object().expect("an object").keys().collect();
        assert_eq!(
            keys,
            ["balance_cents", "credit_left_cents", "participant_number"],
            "nothing else"
        );
        assert_eq!(intermediary.status, StatusCode::FORBIDDEN);
        assert_eq!(withdrawn.status, StatusCode::FORBIDDEN);
        let looks = raw::who_looked(&t, main).await;
        let provider: Vec<&str> = looks
            .iter()
            .filter(|(role, _)| role == "provider")
            .map(|(_, outcome)| outcome.as_str())
            .collect();
        assert_eq!(provider, ["allowed", "refused"]);
    }
);

db_test!(
    the_export_schema_is_published_at_its_id,
    async |t: TestDb| {
        let p = platform(&t).await;
        let answer = send(
            &p.app,
            request("GET", "/schemas/export-v1.json", None, &[], None),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(
            answer.json()["$id"],
            ixorg_app::privacy::export::SCHEMA_ID,
            "served under the address it names"
        );
    }
);
