//! The FHIR R4 endpoints: metadata, `Claim` in and `ClaimResponse` out, `Coverage` search.
//! Every FHIR body is checked with the R4 structure checker of the formats tests.

use axum::http::{StatusCode, header};
use ixorg_testkit::{TestDb, db_test, raw};
use serde_json::Value;

use crate::platform::{Answer, BSN, PROVIDER_AGB, platform, request, send};
use crate::r4::assert_valid;

const FHIR_JSON: &str = "application/fhir+json";
const PARTICIPANT_SYSTEM: &str = "https://ixorg.nl/fhir/NamingSystem/participant-number";

/// A claim of our profile for `number`, with items `(sequence, code, amount text)`; the amounts
/// are written as exact JSON numbers.
pub(crate) fn claim(identifier: &str, number: &str, items: &[(u32, &str, &str)]) -> String {
    claim_with(identifier, number, PROVIDER_AGB, "2026-12-10", items)
}

/// A claim as [`claim`] makes it, by `provider` for treatment on `date` (`YYYY-MM-DD`).
pub fn claim_with(
    identifier: &str,
    number: &str,
    provider: &str,
    date: &str,
    items: &[(u32, &str, &str)],
) -> String {
    let items: Vec<String> = items
        .iter()
        .map(|(sequence, code, amount)| {
            format!(
                r#"{{"sequence": {sequence},
                "productOrService": {{"coding": [{{"system": "https://ixorg.nl/fhir/CodeSystem/prestatiecodelijst-010", "code": "{code}"}}]}},
                "servicedDate": "{date}",
                "unitPrice": {{"value": {amount}, "currency": "EUR"}},
                "net": {{"value": {amount}, "currency": "EUR"}}}}"#
            )
        })
        .collect();
    format!(
        r##"{{"resourceType": "Claim",
        "contained": [{{"resourceType": "Patient", "id": "p1",
            "identifier": [{{"system": "{PARTICIPANT_SYSTEM}", "value": "{number}"}}]}}],
        "identifier": [{{"system": "https://practice.example/claims", "value": "{identifier}"}}],
        "status": "active",
        "type": {{"coding": [{{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "oral"}}]}},
        "use": "claim",
        "patient": {{"reference": "#p1"}},
        "created": "2026-12-10T10:00:00+01:00",
        "provider": {{"identifier": {{"system": "http://fhir.nl/fhir/NamingSystem/agb-z", "value": "{provider}"}}}},
        "priority": {{"coding": [{{"system": "http://terminology.hl7.org/CodeSystem/processpriority", "code": "normal"}}]}},
        "insurance": [{{"sequence": 1, "focal": true, "coverage": {{"display": "ixorg"}}}}],
        "item": [{}]}}"##,
        items.join(",")
    )
}

/// Posts a claim with `token`.
pub async fn post_claim(app: &axum::Router, token: Option<&str>, body: String) -> Answer {
    let request = request("POST", "/fhir/Claim", token, &[], Some((FHIR_JSON, body)));
    send(app, request).await
}

/// Asserts a FHIR answer: the content type and a valid R4 body.
pub fn assert_fhir(answer: &Answer, status: StatusCode) -> Value {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert_eq!(answer.header(header::CONTENT_TYPE), FHIR_JSON);
    assert_valid(&answer.body);
    answer.json()
}

/// The amount of the adjudication of `category` of a `ClaimResponse` item.
fn adjudicated(item: &Value, category: &str) -> Option<Value> {
    item["adjudication"].as_array()?.iter().find_map(|a| {
        (a["category"]["coding"][0]["code"] == category).then(|| a["amount"]["value"].clone())
    })
}

db_test!(the_capability_statement_is_valid_r4, async |t: TestDb| {
    // Arrange
    let p = platform(&t).await;
    let get = request(
        "GET",
        "/fhir/metadata",
        None,
        &[("host", "ixorg.example")],
        None,
    );

    // Act
    let answer = send(&p.app, get).await;

    // Assert
    let json = assert_fhir(&answer, StatusCode::OK);
    assert_eq!(json["resourceType"], "CapabilityStatement");
    assert_eq!(json["fhirVersion"], "4.0.1");
    // The configured public URL (here the default), not the request's Host.
    assert_eq!(json["implementation"]["url"], "http://127.0.0.1:8080/fhir");
});

db_test!(
    a_claim_is_answered_201_with_a_valid_claim_response_adjudicating_every_item,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let number = p.members[0].1.as_str();
        let body = claim(
            "CL-1",
            number,
            &[(1, "C002", "28.51"), (2, "XX99", "10.00")],
        );

        // Act
        let answer = post_claim(&p.app, Some(&p.token), body.clone()).await;
        let again = post_claim(&p.app, Some(&p.token), body).await;

        // Assert
        let json = assert_fhir(&answer, StatusCode::CREATED);
        assert_eq!(json["resourceType"], "ClaimResponse");
        assert_eq!(json["outcome"], "complete");
        assert_eq!(json["request"]["identifier"]["value"], "CL-1");
        assert!(answer.header(header::LOCATION).ends_with("/_history/1"));
        let items = json["item"].as_array().expect("items");
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["itemSequence"], 1);
        assert_eq!(items[0]["extension"][0]["valueCode"], "accepted");
        assert_eq!(
            adjudicated(&items[0], "benefit"),
            Some(serde_json::json!(28.51))
        );
        assert_eq!(items[1]["extension"][0]["valueCode"], "rejected");
        assert_eq!(
            adjudicated(&items[1], "benefit"),
            Some(serde_json::json!(0.0))
        );
        assert!(
            items[1]["adjudication"]
                .to_string()
                .contains("code.unknown")
        );
        assert_eq!(
            again.status,
            StatusCode::OK,
            "the same claim again is a replay"
        );
        assert_eq!(again.json(), json);
        let batches = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM declaration_batch WHERE channel = 'fhir'",
        )
        .await;
        assert_eq!(batches, 1);
    }
);

db_test!(
    an_identifier_used_before_for_another_claim_is_a_409_operation_outcome,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let number = p.members[0].1.as_str();
        let first = post_claim(
            &p.app,
            Some(&p.token),
            claim("CL-1", number, &[(1, "C002", "28.51")]),
        )
        .await;

        // Act
        let other = claim("CL-1", number, &[(1, "C002", "30.00")]);
        let answer = post_claim(&p.app, Some(&p.token), other).await;

        // Assert
        assert_eq!(first.status, StatusCode::CREATED);
        let json = assert_fhir(&answer, StatusCode::CONFLICT);
        assert_eq!(json["issue"][0]["code"], "duplicate");
    }
);

db_test!(
    a_malformed_claim_is_a_400_operation_outcome_and_an_invalid_one_422_with_expressions,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let number = p.members[0].1.as_str();
        let invalid = claim("CL-1", number, &[(1, "C002", "28.51")])
            .replace("\"2026-12-10\"", "\"2026-13-10\"")
            .replace("\"net\": {\"value\": 28.51", "\"net\": {\"value\": 28.52");

        // Act
        let not_json = post_claim(&p.app, Some(&p.token), "{\"resourceType\": ".to_owned()).await;
        let not_a_claim = post_claim(
            &p.app,
            Some(&p.token),
            r#"{"resourceType": "Patient"}"#.to_owned(),
        )
        .await;
        let invalid = post_claim(&p.app, Some(&p.token), invalid).await;

        // Assert
        for answer in [&not_json, &not_a_claim] {
            let json = assert_fhir(answer, StatusCode::BAD_REQUEST);
            assert_eq!(json["resourceType"], "OperationOutcome");
        }
        let json = assert_fhir(&invalid, StatusCode::UNPROCESSABLE_ENTITY);
        let expressions: Vec<&str> = json["issue"]
            .as_array()
            .expect("issues")
            .iter()
            .filter_map(|i| i["expression"][0].as_str())
            .collect();
        assert!(
            expressions.contains(&"Claim.item[0].servicedDate"),
            "{expressions:?}"
        );
        assert!(
            expressions.contains(&"Claim.item[0].net.value"),
            "{expressions:?}"
        );
        assert!(
            !invalid.body.contains(number),
            "no participant number echoed"
        );
        let batches = raw::scalar(&t, "SELECT COUNT(*) FROM declaration_batch").await;
        assert_eq!(batches, 0);
    }
);

db_test!(
    a_claim_without_a_valid_token_is_a_401_operation_outcome_with_a_challenge,
    async |t: TestDb| {
        let p = platform(&t).await;
        let body = claim("CL-1", p.members[0].1.as_str(), &[(1, "C002", "28.51")]);
        for token in [None, Some("ixo_bad")] {
            // Act
            let answer = post_claim(&p.app, token, body.clone()).await;

            // Assert
            let json = assert_fhir(&answer, StatusCode::UNAUTHORIZED);
            assert_eq!(json["issue"][0]["code"], "login");
            assert!(
                answer
                    .header(header::WWW_AUTHENTICATE)
                    .starts_with("Bearer")
            );
        }
        let search = request("GET", "/fhir/Coverage?beneficiary=x", None, &[], None);
        assert_fhir(&send(&p.app, search).await, StatusCode::UNAUTHORIZED);
    }
);

db_test!(
    a_coverage_search_returns_the_participants_coverage_and_logs_the_access,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let (participant, number) = p.members[0].clone();
        let path = format!("/fhir/Coverage?beneficiary={PARTICIPANT_SYSTEM}%7C{number}");
        let logged_before = raw::who_looked(&t, participant).await.len();

        // Act
        let answer = send(&p.app, request("GET", &path, Some(&p.token), &[], None)).await;

        // Assert
        let json = assert_fhir(&answer, StatusCode::OK);
        assert_eq!(json["resourceType"], "Bundle");
        assert_eq!(json["type"], "searchset");
        assert_eq!(json["total"], 1);
        let coverage = &json["entry"][0]["resource"];
        assert_eq!(coverage["status"], "active");
        assert_eq!(coverage["period"]["start"], "2026-12-01");
        assert_eq!(
            coverage["beneficiary"]["identifier"]["value"],
            number.as_str()
        );
        let looked = raw::who_looked(&t, participant).await;
        assert_eq!(looked.len(), logged_before + 1);
        assert_eq!(
            looked.last(),
            Some(&("provider".to_owned(), "allowed".to_owned()))
        );
    }
);

db_test!(
    a_coverage_search_for_an_unknown_number_is_an_empty_bundle_and_by_bsn_a_400,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let unknown = ixorg_domain::identifiers::ParticipantNumber::from_sequence(99_999)
            .expect("a valid number");
        let by_identifier = format!("/fhir/Coverage?beneficiary:identifier={unknown}");
        let by_bsn =
            format!("/fhir/Coverage?beneficiary=http://fhir.nl/fhir/NamingSystem/bsn%7C{BSN}");

        // Act
        let empty = send(
            &p.app,
            request("GET", &by_identifier, Some(&p.token), &[], None),
        )
        .await;
        let refused = send(&p.app, request("GET", &by_bsn, Some(&p.token), &[], None)).await;
        let missing = send(
            &p.app,
            request("GET", "/fhir/Coverage", Some(&p.token), &[], None),
        )
        .await;

        // Assert
        let json = assert_fhir(&empty, StatusCode::OK);
        assert_eq!(json["total"], 0);
        assert!(json.get("entry").is_none());
        let json = assert_fhir(&refused, StatusCode::BAD_REQUEST);
        assert_eq!(json["issue"][0]["code"], "not-supported");
        assert!(!refused.body.contains(BSN), "the BSN is not echoed");
        assert_fhir(&missing, StatusCode::BAD_REQUEST);
    }
);

db_test!(
    a_billing_intermediary_is_refused_coverage_by_the_default_policy_and_the_refusal_is_logged,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let (participant, number) = p.members[0].clone();
        let path = format!("/fhir/Coverage?beneficiary={number}");

        // Act
        let answer = send(
            &p.app,
            request("GET", &path, Some(&p.intermediary_token), &[], None),
        )
        .await;

        // Assert
        let json = assert_fhir(&answer, StatusCode::FORBIDDEN);
        assert_eq!(json["issue"][0]["code"], "forbidden");
        let looked = raw::who_looked(&t, participant).await;
        assert_eq!(
            looked.last(),
            Some(&("billing_intermediary".to_owned(), "refused".to_owned()))
        );
    }
);

db_test!(
    a_claim_too_large_is_413_and_one_not_sent_as_json_is_415,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let number = p.members[0].1.as_str();
        let padding = " ".repeat(ixorg_app::declarations::fhir::format::CLAIM_BYTES_MAX);
        let too_large = format!(
            "{}{padding}",
            claim("CL-1", number, &[(1, "C002", "28.51")])
        );
        let as_text = request(
            "POST",
            "/fhir/Claim",
            Some(&p.token),
            &[],
            Some(("text/plain", claim("CL-2", number, &[(1, "C002", "28.51")]))),
        );

        // Act
        let too_large = post_claim(&p.app, Some(&p.token), too_large).await;
        let as_text = send(&p.app, as_text).await;

        // Assert
        assert_fhir(&too_large, StatusCode::PAYLOAD_TOO_LARGE);
        assert_fhir(&as_text, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let batches = raw::scalar(&t, "SELECT COUNT(*) FROM declaration_batch").await;
        assert_eq!(batches, 0);
    }
);

db_test!(
    a_claim_naming_the_patient_by_bsn_is_matched_and_the_response_never_names_the_bsn,
    async |t: TestDb| {
        // Arrange
        let p = platform(&t).await;
        let number = p.members[0].1.as_str();
        let body = claim("CL-1", number, &[(1, "C002", "28.51")])
            .replace(PARTICIPANT_SYSTEM, "http://fhir.nl/fhir/NamingSystem/bsn")
            .replace(number, BSN)
            .replace(
                r#""id": "p1","#,
                r#""id": "p1", "birthDate": "1980-03-14","#,
            );

        // Act
        let answer = post_claim(&p.app, Some(&p.token), body).await;

        // Assert
        let json = assert_fhir(&answer, StatusCode::CREATED);
        assert_eq!(json["item"][0]["extension"][0]["valueCode"], "accepted");
        assert!(!answer.body.contains(BSN));
        assert!(!answer.body.contains("1980-03-14"));
    }
);
