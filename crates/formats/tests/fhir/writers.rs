//! The resources we write: their content, and their R4 structure (see `r4.rs`).

use ixorg_domain::Cents;
use ixorg_domain::declaration::{Decision, Outcome, Reason};
use ixorg_formats::fhir::{
    Claim, ClaimResponseParts, CoverageFacts, CoverageStatus, FhirId, Identifier, Issue, IssueType,
    Operator, REASON_SYSTEM, capability_statement, claim_response, coverage_bundle,
    operation_outcome, read_claim,
};
use serde_json::{Value, json};
use time::macros::{date, datetime};

use crate::builder::{
    BSN, ClaimSpec, ItemSpec, PatientSpec, participant_number, with_numbers_as_text,
};
use crate::r4::assert_valid;

fn operator() -> Operator {
    Operator {
        name: "ixorg B.V.".into(),
        identifier: Some(Identifier {
            system: Some("http://fhir.nl/fhir/NamingSystem/kvk".into()),
            value: "12345678".into(),
        }),
    }
}

fn three_item_claim() -> Claim {
    let mut spec = ClaimSpec::new();
    spec.items = vec![ItemSpec::new(1), ItemSpec::new(2), ItemSpec::new(3)];
    read_claim(spec.to_json().as_bytes()).expect("the claim reads")
}

fn decision(outcome: Outcome, reasons: &[Reason], paid: i64, own: i64) -> Decision {
    Decision {
        outcome,
        reasons: reasons.to_vec(),
        budget_paid: Cents::new(paid),
        own_payment: Cents::new(own),
    }
}

fn respond(claim: &Claim, decisions: &[Decision]) -> (String, Value) {
    let operator = operator();
    let parts = ClaimResponseParts {
        id: Some(FhirId::parse("resp-1").expect("id")),
        created: datetime!(2026-03-15 10:30:00 +01:00),
        insurer: &operator,
        claim_id: Some(FhirId::parse("claim-1").expect("id")),
        participant: None,
    };
    let json = claim_response(claim, decisions, &parts);
    assert_valid(&json);
    let value = with_numbers_as_text(&json);
    (json, value)
}

fn amounts(item: &Value) -> Vec<(String, String)> {
    item["adjudication"]
        .as_array()
        .expect("adjudications")
        .iter()
        .filter(|a| a["amount"].is_object())
        .map(|a| {
            (
                text(&a["category"]["coding"][0]["code"]),
                text(&a["amount"]["value"]),
            )
        })
        .collect()
}

fn text(value: &Value) -> String {
    value.as_str().expect("a string").to_owned()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn a_claim_response_answers_every_item_with_amounts_reasons_and_outcome() {
    // Arrange
    let claim = three_item_claim();
    let decisions = [
        decision(Outcome::Accepted, &[Reason::Paid], 2500, 0),
        decision(Outcome::PartlyAccepted, &[Reason::OwnPayment], 1000, 1500),
        decision(
            Outcome::Rejected,
            &[Reason::UnknownCode, Reason::DuplicateReference],
            0,
            0,
        ),
    ];

    // Act
    let (json, value) = respond(&claim, &decisions);

    // Assert
    assert_eq!(value["resourceType"], "ClaimResponse");
    assert_eq!(
        (&value["status"], &value["use"], &value["outcome"]),
        (&json!("active"), &json!("claim"), &json!("complete"))
    );
    assert_eq!(value["type"]["coding"][0]["code"], "oral");
    assert_eq!(value["created"], "2026-03-15T10:30:00+01:00");
    assert_eq!(value["insurer"]["display"], "ixorg B.V.");
    assert_eq!(value["request"]["reference"], "Claim/claim-1");
    assert_eq!(value["request"]["identifier"]["value"], "DECL-2026-0001");
    assert_eq!(value["requestor"]["identifier"]["value"], "12345678");
    assert_eq!(
        value["patient"]["identifier"]["value"],
        participant_number().as_str()
    );
    let items = value["item"].as_array().expect("items");
    assert_eq!(
        items
            .iter()
            .map(|i| text(&i["itemSequence"]))
            .collect::<Vec<_>>(),
        ["1", "2", "3"]
    );
    assert_eq!(
        amounts(&items[1]),
        pairs(&[
            ("submitted", "25.00"),
            ("eligible", "25.00"),
            ("benefit", "10.00"),
            ("copay", "15.00")
        ])
    );
    assert_eq!(
        amounts(&items[2]),
        pairs(&[
            ("submitted", "25.00"),
            ("eligible", "0.00"),
            ("benefit", "0.00"),
            ("copay", "0.00")
        ])
    );
    assert_eq!(items[1]["extension"][0]["valueCode"], "partly_accepted");
    let reasons: Vec<&Value> = items[2]["adjudication"]
        .as_array()
        .expect("a")
        .iter()
        .filter_map(|a| a.get("reason"))
        .collect();
    assert_eq!(reasons.len(), 2);
    assert_eq!(reasons[0]["coding"][0]["system"], REASON_SYSTEM);
    assert_eq!(reasons[0]["coding"][0]["code"], "code.unknown");
    assert_eq!(
        reasons[0]["coding"][0]["display"],
        Reason::UnknownCode.title()
    );
    assert_eq!(reasons[1]["coding"][0]["code"], "duplicate.reference");
    let totals: Vec<(String, String)> = value["total"]
        .as_array()
        .expect("totals")
        .iter()
        .map(|t| {
            (
                text(&t["category"]["coding"][0]["code"]),
                text(&t["amount"]["value"]),
            )
        })
        .collect();
    assert_eq!(
        totals,
        pairs(&[
            ("submitted", "75.00"),
            ("eligible", "50.00"),
            ("benefit", "35.00"),
            ("copay", "15.00")
        ])
    );
    assert!(
        json.contains("\"value\":75.00"),
        "amounts are written with two decimals: {json}"
    );
}

#[test]
fn held_lines_make_the_outcome_partial_and_carry_no_adjudicated_amounts() {
    let claim = three_item_claim();
    let decisions = [
        decision(Outcome::Accepted, &[Reason::Paid], 2500, 0),
        decision(Outcome::Held, &[Reason::AccidentReview], 0, 0),
    ];
    let (_, value) = respond(&claim, &decisions);
    assert_eq!(value["outcome"], "partial");
    assert_eq!(amounts(&value["item"][1]), pairs(&[("submitted", "25.00")]));
    assert_eq!(amounts(&value["item"][2]), pairs(&[("submitted", "25.00")]));
    assert!(
        value["item"][2].get("extension").is_none(),
        "an undecided line has no outcome"
    );
}

#[test]
fn the_outcome_is_queued_without_decisions_and_error_when_every_line_is_rejected() {
    let claim = three_item_claim();
    assert_eq!(respond(&claim, &[]).1["outcome"], "queued");
    let rejected = decision(Outcome::Rejected, &[Reason::UnknownParticipant], 0, 0);
    assert_eq!(
        respond(&claim, &[rejected.clone(), rejected.clone(), rejected]).1["outcome"],
        "error"
    );
}

#[test]
fn a_credit_line_is_answered_with_negative_amounts() {
    // Arrange
    let mut spec = ClaimSpec::new();
    spec.related = Some("DECL-2026-0000".into());
    spec.items[0].unit_price = Some("-25.00".into());
    spec.items[0].net = Some("-25.00".into());
    let claim = read_claim(spec.to_json().as_bytes()).expect("reads");

    // Act
    let (_, value) = respond(
        &claim,
        &[decision(
            Outcome::Accepted,
            &[Reason::CreditApplied],
            -2000,
            -500,
        )],
    );

    // Assert
    assert_eq!(
        amounts(&value["item"][0]),
        pairs(&[
            ("submitted", "-25.00"),
            ("eligible", "-25.00"),
            ("benefit", "-20.00"),
            ("copay", "-5.00")
        ])
    );
}

#[test]
fn a_bsn_claim_is_answered_without_the_bsn() {
    // Arrange
    let mut spec = ClaimSpec::new();
    spec.patient = PatientSpec::ContainedBsn {
        bsn: BSN.into(),
        birth_date: Some("1980-05-17".into()),
    };
    let claim = read_claim(spec.to_json().as_bytes()).expect("reads");
    let operator = operator();
    let mut parts = ClaimResponseParts {
        id: None,
        created: datetime!(2026-03-15 10:30:00 UTC),
        insurer: &operator,
        claim_id: None,
        participant: None,
    };

    // Act
    let unknown = claim_response(&claim, &[], &parts);
    parts.participant = Some(participant_number());
    let matched = claim_response(&claim, &[], &parts);

    // Assert
    assert_valid(&unknown);
    assert_valid(&matched);
    assert!(!unknown.contains(BSN) && !matched.contains(BSN));
    assert!(unknown.contains("\"display\":\"The patient of the claim\""));
    assert!(matched.contains(participant_number().as_str()));
}

#[test]
fn an_operation_outcome_lists_every_problem_of_a_claim_with_its_expression() {
    // Arrange
    let mut spec = ClaimSpec::new();
    spec.items[0].net = Some("1.001".into());
    spec.items[0].date = None;
    let errors = read_claim(spec.to_json().as_bytes()).expect_err("refused");

    // Act
    let json = operation_outcome(&errors.issues());

    // Assert
    assert_valid(&json);
    let value: Value = serde_json::from_str(&json).expect("JSON");
    let issues = value["issue"].as_array().expect("issues");
    assert_eq!(issues.len(), 2);
    assert_eq!(issues[0]["severity"], "error");
    assert_eq!(issues[0]["code"], "required");
    assert_eq!(
        issues[0]["expression"],
        json!(["Claim.item[0].servicedDate"])
    );
    assert_eq!(issues[1]["code"], "value");
    assert_eq!(
        issues[1]["diagnostics"],
        "amount has more than two decimals"
    );
}

#[test]
fn an_operation_outcome_takes_any_issue_and_is_never_empty() {
    let issues = [
        Issue::error(IssueType::NotFound, "no such resource"),
        Issue::error(IssueType::Duplicate, "this claim was sent before").at("Claim.identifier[0]"),
    ];
    let json = operation_outcome(&issues);
    assert_valid(&json);
    assert!(json.contains("\"code\":\"not-found\"") && json.contains("\"code\":\"duplicate\""));
    let empty = operation_outcome(&[]);
    assert_valid(&empty);
    assert!(empty.contains("\"severity\":\"information\""));
}

#[test]
fn the_capability_statement_describes_the_server() {
    // Act
    let json = capability_statement(
        "https://ixorg.example/fhir/",
        "1.2.3",
        date!(2026 - 03 - 01),
    );

    // Assert
    assert_valid(&json);
    let value: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(
        (&value["status"], &value["kind"], &value["fhirVersion"]),
        (&json!("active"), &json!("instance"), &json!("4.0.1"))
    );
    assert_eq!(value["date"], "2026-03-01");
    assert_eq!(value["software"]["version"], "1.2.3");
    assert_eq!(value["implementation"]["url"], "https://ixorg.example/fhir");
    assert!(
        value["format"]
            .as_array()
            .expect("formats")
            .contains(&json!("json"))
    );
    let rest = &value["rest"][0];
    assert_eq!(rest["mode"], "server");
    let resources = rest["resource"].as_array().expect("resources");
    let types: Vec<&str> = resources
        .iter()
        .map(|r| r["type"].as_str().expect("type"))
        .collect();
    assert_eq!(types, ["Claim", "ClaimResponse", "Coverage"]);
    assert_eq!(resources[0]["interaction"], json!([{"code": "create"}]));
    assert_eq!(
        resources[2]["interaction"],
        json!([{"code": "search-type"}])
    );
    assert_eq!(resources[2]["searchParam"][0]["name"], "beneficiary");
    assert_eq!(resources[2]["searchParam"][0]["type"], "reference");
}

#[test]
fn a_coverage_search_returns_a_searchset_bundle_of_coverages() {
    // Arrange
    let number = participant_number();
    let facts = [
        CoverageFacts {
            id: FhirId::parse("cov-1").expect("id"),
            beneficiary: number.clone(),
            status: CoverageStatus::Active,
            start: date!(2024 - 01 - 01),
            end: Some(date!(2025 - 12 - 31)),
        },
        CoverageFacts {
            id: FhirId::parse("cov-2").expect("id"),
            beneficiary: number.clone(),
            status: CoverageStatus::Active,
            start: date!(2026 - 02 - 01),
            end: None,
        },
    ];

    // Act
    let json = coverage_bundle("https://ixorg.example/fhir", &number, &facts, &operator());

    // Assert
    assert_valid(&json);
    let value: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(
        (&value["type"], &value["total"]),
        (&json!("searchset"), &json!(2))
    );
    let entry = &value["entry"][0];
    assert_eq!(
        entry["fullUrl"],
        "https://ixorg.example/fhir/Coverage/cov-1"
    );
    assert_eq!(entry["search"]["mode"], "match");
    let coverage = &entry["resource"];
    assert_eq!(coverage["status"], "active");
    assert_eq!(
        coverage["beneficiary"]["identifier"]["value"],
        number.as_str()
    );
    assert_eq!(
        coverage["period"],
        json!({"start": "2024-01-01", "end": "2025-12-31"})
    );
    assert_eq!(coverage["payor"][0]["display"], "ixorg B.V.");
    assert_eq!(coverage["type"]["coding"][0]["code"], "DENTAL");
    assert!(value["entry"][1]["resource"]["period"].get("end").is_none());
}

#[test]
fn an_empty_coverage_search_is_a_valid_bundle_with_total_zero() {
    let json = coverage_bundle(
        "https://ixorg.example/fhir",
        &participant_number(),
        &[],
        &operator(),
    );
    assert_valid(&json);
    assert!(json.contains("\"total\":0") && !json.contains("\"entry\""));
}
