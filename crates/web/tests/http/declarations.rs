//! `POST /api/v1/declarations` and `GET /api/v1/declarations/{id}`: outcomes per line,
//! idempotent replays, bearer tokens, field pointers that never echo personal values.

use axum::http::{StatusCode, header};
use ixorg_testkit::{TestDb, db_test, raw};
use serde_json::{Value, json};

use crate::platform::{Answer, BSN, PROVIDER_AGB, platform, request, send};

const PATH: &str = "/api/v1/declarations";

fn line(number: &str, reference: &str, code: &str, amount: &str) -> Value {
    json!({
        "reference": reference,
        "participant_number": number,
        "provider_agb": PROVIDER_AGB,
        "treatment_date": "2026-12-10",
        "code": code,
        "unit_tariff": amount,
        "amount": amount,
    })
}

/// A valid line with `changes`: a new value for a field, or `null` to leave it out.
fn changed(number: &str, reference: &str, changes: &[(&str, Value)]) -> Value {
    let mut line = line(number, reference, "C002", "28.51");
    let fields = line.as_object_mut().expect("a line is an object");
    for (field, value) in changes {
        if value.is_null() {
            fields.remove(*field);
        } else {
            fields.insert((*field).to_owned(), value.clone());
        }
    }
    line
}

async fn post(app: &axum::Router, token: Option<&str>, key: Option<&str>, body: &Value) -> Answer {
    let headers: Vec<(&str, &str)> = key.map(|k| ("idempotency-key", k)).into_iter().collect();
    let body = Some(("application/json", body.to_string()));
    send(app, request("POST", PATH, token, &headers, body)).await
}

db_test!(
    a_batch_is_created_with_201_a_location_and_an_outcome_per_line,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let number = p.members[0].1.as_str();
        let body = json!({"sender_reference": "INV-1", "lines": [
            line(number, "A-1", "C002", "28.51"),
            line(number, "A-2", "XX99", "10.00"),
        ]});

        // Act
        let answer = post(&p.app, Some(&p.token), Some("key-1"), &body).await;

        // Assert
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let json = answer.json();
        let id = json["batch_id"].as_str().expect("a batch id");
        assert_eq!(answer.header(header::LOCATION), format!("{PATH}/{id}"));
        assert_eq!(json["received_on"], "2027-01-20");
        assert_eq!(json["declared"], "38.51");
        assert_eq!(json["assigned"], "28.51");
        let lines = json["lines"].as_array().expect("lines");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["line_number"], 1);
        assert_eq!(lines[0]["reference"], "A-1");
        assert_eq!(lines[0]["outcome"], "accepted");
        assert_eq!(lines[0]["paid_from_budget"], "28.51");
        assert_eq!(lines[0]["own_payment"], "0.00");
        assert_eq!(lines[1]["outcome"], "rejected");
        assert_eq!(lines[1]["amount"], "10.00");
        assert_eq!(lines[1]["reasons"][0]["code"], "code.unknown");
        assert!(
            lines[1]["reasons"][0]["title"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        );
    }
);

db_test!(
    the_same_idempotency_key_again_returns_200_and_the_same_batch,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let number = p.members[0].1.as_str();
        let body =
            json!({"sender_reference": "INV-1", "lines": [line(number, "A-1", "C002", "28.51")]});
        let first = post(&p.app, Some(&p.token), Some("key-1"), &body).await;

        // Act
        let again = post(&p.app, Some(&p.token), Some("key-1"), &body).await;

        // Assert
        assert_eq!(first.status, StatusCode::CREATED);
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert_eq!(again.json(), first.json());
        assert_eq!(
            again.header(header::LOCATION),
            first.header(header::LOCATION)
        );
        let batches = raw::scalar(&t, "SELECT COUNT(*) FROM declaration_batch").await;
        assert_eq!(batches, 1);
    }
);

db_test!(
    a_request_without_a_token_or_with_an_unknown_token_is_401_with_a_bearer_challenge,
    async |t: TestDb| {
        let p = platform(&t).await;
        let body = json!({"sender_reference": "INV-1", "lines": []});
        let bad_token = "ixo_0000000000000000000000000000000000000000000000000000000000000000";
        for token in [None, Some(bad_token), Some("not-even-ours")] {
            // Act
            let answer = post(&p.app, token, Some("key-1"), &body).await;

            // Assert
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{token:?}");
            assert!(
                answer
                    .header(header::WWW_AUTHENTICATE)
                    .starts_with("Bearer")
            );
            assert_eq!(
                answer.header(header::CONTENT_TYPE),
                "application/problem+json"
            );
            assert_eq!(answer.json()["status"], 401);
            assert!(!answer.body.contains(bad_token), "the token is not echoed");
        }
        let get = send(
            &p.app,
            request("GET", &format!("{PATH}/x"), None, &[], None),
        )
        .await;
        assert_eq!(get.status, StatusCode::UNAUTHORIZED);
    }
);

db_test!(
    a_request_without_an_idempotency_key_is_400_problem_details,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let number = p.members[0].1.as_str();
        let body =
            json!({"sender_reference": "INV-1", "lines": [line(number, "A-1", "C002", "28.51")]});
        let too_long = "k".repeat(201);

        // Act
        let missing = post(&p.app, Some(&p.token), None, &body).await;
        let invalid = post(&p.app, Some(&p.token), Some(&too_long), &body).await;

        // Assert
        for answer in [&missing, &invalid] {
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
            assert_eq!(
                answer.header(header::CONTENT_TYPE),
                "application/problem+json"
            );
        }
        assert_eq!(missing.json()["type"], "/problems/missing-idempotency-key");
        let batches = raw::scalar(&t, "SELECT COUNT(*) FROM declaration_batch").await;
        assert_eq!(batches, 0);
    }
);

db_test!(
    bad_lines_are_422_with_a_pointer_per_field_and_no_personal_values,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let number = p.members[0].1.as_str();
        let body = json!({"sender_reference": "INV-1", "lines": [
            line(number, "A-0", "C002", "28.51"),
            changed(number, "A-1", &[("treatment_date", json!("10-12-2026"))]),
            changed(number, "A-2", &[("amount", json!("28.511"))]),
            changed(number, "A-3", &[("cost_kind", json!("travel"))]),
            changed(number, "A-4", &[("participant_number", Value::Null)]),
            changed(number, "A-5", &[("participant_number", Value::Null), ("bsn", json!(BSN))]),
            changed(number, "A-6", &[("unit_tariff", json!(28.51))]),
            changed(number, "A-7", &[
                ("participant_number", Value::Null),
                ("bsn", json!("111222334")),
                ("birth_date", json!("1980-03-14")),
            ]),
        ]});

        // Act
        let answer = post(&p.app, Some(&p.token), Some("key-1"), &body).await;

        // Assert
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            answer.body
        );
        assert_eq!(
            answer.header(header::CONTENT_TYPE),
            "application/problem+json"
        );
        let json = answer.json();
        assert_eq!(json["status"], 422);
        let pointers: Vec<&str> = json["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["pointer"].as_str().expect("a pointer"))
            .collect();
        assert_eq!(
            pointers,
            [
                "/lines/1/treatment_date",
                "/lines/2/amount",
                "/lines/3/cost_kind",
                "/lines/4/participant_number",
                "/lines/5/birth_date",
                "/lines/6/unit_tariff",
                "/lines/7/bsn",
            ]
        );
        for personal in [BSN, "111222334", "1980-03-14", number] {
            assert!(
                !answer.body.contains(personal),
                "no personal value in {}",
                answer.body
            );
        }
        let batches = raw::scalar(&t, "SELECT COUNT(*) FROM declaration_batch").await;
        assert_eq!(batches, 0, "nothing is stored");
    }
);

db_test!(
    an_unreadable_body_is_400_and_a_body_of_the_wrong_shape_422,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let headers = [("idempotency-key", "key-1")];
        let broken = request(
            "POST",
            PATH,
            Some(&p.token),
            &headers,
            Some(("application/json", "{\"lines\": [".to_owned())),
        );
        let as_text = request(
            "POST",
            PATH,
            Some(&p.token),
            &headers,
            Some(("text/plain", "{}".to_owned())),
        );

        // Act
        let broken = send(&p.app, broken).await;
        let as_text = send(&p.app, as_text).await;
        let empty = post(
            &p.app,
            Some(&p.token),
            Some("key-1"),
            &json!({"lines": [], "x": 1}),
        )
        .await;

        // Assert
        assert_eq!(broken.status, StatusCode::BAD_REQUEST);
        assert_eq!(as_text.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        let pointers: Vec<Value> = empty.json()["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["pointer"].clone())
            .collect();
        // The unknown field is reported at its object (the root), not by its name.
        assert_eq!(
            pointers,
            [json!(""), json!("/sender_reference"), json!("/lines")]
        );
    }
);

db_test!(
    a_client_reads_its_own_batch_and_gets_404_for_another_clients_or_an_unknown_id,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let number = p.members[0].1.as_str();
        let body =
            json!({"sender_reference": "INV-1", "lines": [line(number, "A-1", "C002", "28.51")]});
        let created = post(&p.app, Some(&p.token), Some("key-1"), &body).await;
        let location = created.header(header::LOCATION).to_owned();

        // Act
        let own = send(&p.app, request("GET", &location, Some(&p.token), &[], None)).await;
        let foreign = send(
            &p.app,
            request("GET", &location, Some(&p.other_token), &[], None),
        )
        .await;
        let unknown_path = format!("{PATH}/00000000-0000-0000-0000-000000000000");
        let unknown = send(
            &p.app,
            request("GET", &unknown_path, Some(&p.token), &[], None),
        )
        .await;
        let garbage = send(
            &p.app,
            request("GET", &format!("{PATH}/nope"), Some(&p.token), &[], None),
        )
        .await;

        // Assert
        assert_eq!(own.status, StatusCode::OK, "{}", own.body);
        assert_eq!(own.json(), created.json());
        for answer in [&foreign, &unknown, &garbage] {
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.body);
            assert_eq!(
                answer.header(header::CONTENT_TYPE),
                "application/problem+json"
            );
        }
    }
);

db_test!(
    a_line_identified_by_bsn_and_birth_date_is_matched_and_the_bsn_never_comes_back,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let by_bsn = changed(
            p.members[0].1.as_str(),
            "A-1",
            &[
                ("participant_number", Value::Null),
                ("bsn", json!(BSN)),
                ("birth_date", json!("1980-03-14")),
            ],
        );
        let body = json!({"sender_reference": "INV-1", "lines": [by_bsn]});

        // Act
        let answer = post(&p.app, Some(&p.token), Some("key-1"), &body).await;

        // Assert
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        assert_eq!(answer.json()["lines"][0]["outcome"], "accepted");
        assert!(!answer.body.contains(BSN));
        assert!(!answer.body.contains("1980-03-14"));
    }
);
