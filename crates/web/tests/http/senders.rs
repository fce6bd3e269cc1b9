//! What a sender may declare, on the JSON API and FHIR: a replayed key answers only the same
//! request, a sender declares only for its own providers (a billing intermediary for the
//! practices it bills for), and an amount above the per-line maximum refuses the batch.

use axum::http::{StatusCode, header};
use ixorg_testkit::{TestDb, db_test, raw};
use serde_json::{Value, json};

use crate::fhir::{assert_fhir, claim_with, post_claim};
use crate::platform::{
    Answer, OTHER_PROVIDER_AGB, PROVIDER_AGB, Platform, platform, request, send,
};

const PATH: &str = "/api/v1/declarations";

fn line(number: &str, reference: &str, provider: &str, date: &str, amount: &str) -> Value {
    json!({
        "reference": reference,
        "participant_number": number,
        "provider_agb": provider,
        "treatment_date": date,
        "code": "C002",
        "unit_tariff": amount,
        "amount": amount,
    })
}

async fn post(p: &Platform, token: &str, key: &str, lines: Vec<Value>) -> Answer {
    let body = json!({"sender_reference": "INV-1", "lines": lines});
    let headers = [("idempotency-key", key)];
    let body = Some(("application/json", body.to_string()));
    send(&p.app, request("POST", PATH, Some(token), &headers, body)).await
}

async fn counts(t: &TestDb) -> (i64, i64, i64) {
    (
        raw::scalar(t, "SELECT COUNT(*) FROM declaration_batch").await,
        raw::scalar(t, "SELECT COUNT(*) FROM declaration_line").await,
        raw::scalar(t, "SELECT COUNT(*) FROM ledger_transfer").await,
    )
}

fn outcome_of(answer: &Answer, line: usize) -> (String, Vec<String>) {
    let json = answer.json();
    let line = &json["lines"][line];
    let reasons = line["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| r["code"].as_str().expect("a code").to_owned())
        .collect();
    (
        line["outcome"].as_str().expect("an outcome").to_owned(),
        reasons,
    )
}

db_test!(
    a_reused_idempotency_key_with_other_lines_is_a_409_naming_the_key_and_stores_nothing,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let (first, second) = (p.members[0].1.as_str(), p.members[1].1.as_str());
        let lines = vec![line(first, "A-1", PROVIDER_AGB, "2026-12-10", "28.51")];
        let created = post(&p, &p.token, "key-1", lines.clone()).await;
        let before = counts(&t).await;
        // The same amount, but another patient, treatment date and reference; then one field
        // changed at a time.
        let others = [
            vec![line(second, "A-9", PROVIDER_AGB, "2026-12-11", "28.51")],
            vec![line(first, "A-1", PROVIDER_AGB, "2026-12-11", "28.51")],
            vec![line(second, "A-1", PROVIDER_AGB, "2026-12-10", "28.51")],
            vec![line(first, "A-1", PROVIDER_AGB, "2026-12-10", "28.50")],
            lines
                .iter()
                .cloned()
                .chain([line(first, "A-2", PROVIDER_AGB, "2026-12-10", "28.51")])
                .collect(),
        ];

        for other in others {
            // Act
            let answer = post(&p, &p.token, "key-1", other).await;

            // Assert
            assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.body);
            assert_eq!(
                answer.header(header::CONTENT_TYPE),
                "application/problem+json"
            );
            let json = answer.json();
            assert_eq!(json["type"], "/problems/idempotency-key-reused");
            assert_eq!(json["idempotency_key"], "key-1");
            assert_eq!(counts(&t).await, before, "nothing was stored");
        }
        let again = post(&p, &p.token, "key-1", lines).await;
        assert_eq!(created.status, StatusCode::CREATED);
        assert_eq!(again.status, StatusCode::OK, "the same request is a replay");
        assert_eq!(again.json(), created.json());
    }
);

db_test!(
    a_reused_claim_identifier_for_another_patient_is_a_409_and_pays_nobody,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let (first, second) = (p.members[0].1.as_str(), p.members[1].1.as_str());
        let items = [(1, "C002", "28.51")];
        let claim = claim_with("CL-1", first, PROVIDER_AGB, "2026-12-10", &items);
        let created = post_claim(&p.app, Some(&p.token), claim).await;
        let before = counts(&t).await;

        // Act: another patient, code and date, the same amount and identifier.
        let other = claim_with("CL-1", second, PROVIDER_AGB, "2026-12-11", &items)
            .replace("\"C002\"", "\"C003\"");
        let answer = post_claim(&p.app, Some(&p.token), other).await;
        // And a JSON batch under the claim's key.
        let json = post(
            &p,
            &p.token,
            "CL-1",
            vec![line(first, "A-1", PROVIDER_AGB, "2026-12-10", "28.51")],
        )
        .await;

        // Assert
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let outcome = assert_fhir(&answer, StatusCode::CONFLICT);
        assert_eq!(outcome["issue"][0]["code"], "duplicate");
        assert_eq!(json.status, StatusCode::CONFLICT, "{}", json.body);
        assert_eq!(counts(&t).await, before, "nothing was stored");
    }
);

db_test!(
    a_practice_cannot_declare_for_another_practices_provider_or_an_unregistered_one,
    async |t: TestDb| {
        // Arrange: the first practice names the second practice's provider and an AGB code
        // that no practice registered.
        let p = platform(&t).await;
        let number = p.members[0].1.as_str();
        let stolen = vec![
            line(number, "X-1", OTHER_PROVIDER_AGB, "2026-12-10", "28.51"),
            line(number, "X-2", "12999999", "2026-12-11", "28.51"),
        ];

        // Act
        let answer = post(&p, &p.token, "key-1", stolen).await;
        // The second practice then declares its own treatment, with the same reference.
        let own = vec![line(
            number,
            "X-1",
            OTHER_PROVIDER_AGB,
            "2026-12-10",
            "28.51",
        )];
        let honest = post(&p, &p.other_token, "key-2", own).await;

        // Assert
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let json = answer.json();
        assert_eq!(
            json["assigned"], "0.00",
            "nothing is paid to the first practice"
        );
        let (outcome, reasons) = outcome_of(&answer, 0);
        assert_eq!(outcome, "rejected");
        assert_eq!(reasons, vec!["provider.not_declared_by_sender"]);
        let (outcome, reasons) = outcome_of(&answer, 1);
        assert_eq!(outcome, "rejected");
        assert_eq!(reasons, vec!["provider.unknown"]);
        assert_eq!(honest.status, StatusCode::CREATED, "{}", honest.body);
        let (outcome, reasons) = outcome_of(&honest, 0);
        assert_eq!(outcome, "accepted", "not a duplicate of the refused line");
        assert_eq!(reasons, vec!["payment.paid"]);
    }
);

db_test!(
    a_billing_intermediary_declares_only_for_the_practices_it_bills_for,
    async |t: TestDb| {
        // Arrange: the intermediary bills for the first practice, not for the second.
        let p = platform(&t).await;
        let number = p.members[0].1.as_str();
        let lines = vec![
            line(number, "B-1", PROVIDER_AGB, "2026-12-10", "28.51"),
            line(number, "B-2", OTHER_PROVIDER_AGB, "2026-12-11", "28.51"),
        ];

        // Act
        let answer = post(&p, &p.intermediary_token, "key-1", lines).await;

        // Assert
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        assert_eq!(outcome_of(&answer, 0).0, "accepted");
        let (outcome, reasons) = outcome_of(&answer, 1);
        assert_eq!(outcome, "rejected");
        assert_eq!(reasons, vec!["provider.not_declared_by_sender"]);
        assert_eq!(answer.json()["assigned"], "28.51");
    }
);

db_test!(
    a_claim_for_another_practices_provider_is_rejected_with_its_reason,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let number = p.members[0].1.as_str();
        let items = [(1, "C002", "28.51")];
        let claim = claim_with("CL-1", number, OTHER_PROVIDER_AGB, "2026-12-10", &items);

        // Act
        let answer = post_claim(&p.app, Some(&p.token), claim).await;

        // Assert
        let json = assert_fhir(&answer, StatusCode::CREATED);
        let item = &json["item"][0];
        assert_eq!(item["extension"][0]["valueCode"], "rejected");
        assert!(
            answer.body.contains("provider.not_declared_by_sender"),
            "{}",
            answer.body
        );
        let paid = raw::scalar(
            &t,
            &format!(
                "SELECT COUNT(*) FROM ledger_transfer WHERE transfer_kind = '{}'",
                ixorg_domain::ledger::TransferKind::Declaration.as_str()
            ),
        )
        .await;
        assert_eq!(paid, 0);
    }
);

db_test!(
    amounts_above_the_maximum_per_line_refuse_the_batch_instead_of_clamping_its_total,
    async |t: TestDb| {
        // Arrange: two lines that would overflow a total, and one just above the maximum.
        let p = platform(&t).await;
        let number = p.members[0].1.as_str();
        let huge = "92233720368547758.07";
        let lines = vec![
            line(number, "H-1", PROVIDER_AGB, "2026-12-10", huge),
            line(number, "H-2", PROVIDER_AGB, "2026-12-11", "28.51"),
            line(number, "H-3", PROVIDER_AGB, "2026-12-12", huge),
        ];
        let before = counts(&t).await;

        // Act
        let answer = post(&p, &p.token, "key-1", lines).await;
        let just_above = post(
            &p,
            &p.token,
            "key-2",
            vec![line(number, "H-4", PROVIDER_AGB, "2026-12-10", "10000.01")],
        )
        .await;
        let claim = claim_with(
            "CL-1",
            number,
            PROVIDER_AGB,
            "2026-12-10",
            &[(1, "C002", huge)],
        );
        let fhir = post_claim(&p.app, Some(&p.token), claim).await;

        // Assert
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            answer.body
        );
        let json = answer.json();
        let pointers: Vec<&str> = json["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["pointer"].as_str().expect("a pointer"))
            .collect();
        assert_eq!(pointers, vec!["/lines/0/amount", "/lines/2/amount"]);
        assert!(!answer.body.contains("92233720368547758"), "no echo");
        assert_eq!(just_above.status, StatusCode::UNPROCESSABLE_ENTITY);
        let outcome = assert_fhir(&fhir, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(outcome["issue"][0]["expression"][0], "Claim.item[0].net");
        assert_eq!(counts(&t).await, before, "nothing was stored");
        let most = raw::scalar(
            &t,
            "SELECT COALESCE(MAX(declared_cents), 0) FROM declaration_batch",
        )
        .await;
        assert!(most < i64::MAX);
    }
);
