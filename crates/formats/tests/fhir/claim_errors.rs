//! Every problem of a `Claim` is reported with its `FHIRPath` expression and R4 issue type, all
//! of them at once, bounded, and without repeating personal data.

use ixorg_formats::fhir::{
    AGB_SYSTEM, BSN_SYSTEM, CLAIM_BYTES_MAX, ERRORS_MAX, IssueType, Problem, read_claim,
};
use serde_json::{Value, json};

use crate::builder::{BSN, ClaimSpec, ItemSpec, PatientSpec, num, render};

/// The `(expression, issue code)` pairs of a refused claim.
fn problems_of(json: &str) -> Vec<(String, &'static str)> {
    read_claim(json.as_bytes())
        .expect_err("the claim is refused")
        .errors
        .iter()
        .map(|error| (error.expression.clone(), error.problem.issue_type().code()))
        .collect()
}

/// The problems of the default claim after `change`.
fn problems_after(change: impl FnOnce(&mut Value)) -> Vec<(String, &'static str)> {
    let mut value = ClaimSpec::new().to_value();
    change(&mut value);
    problems_of(&render(&value))
}

fn one(expression: &str, code: &'static str) -> Vec<(String, &'static str)> {
    vec![(expression.to_owned(), code)]
}

#[test]
fn bytes_that_are_not_json_are_refused_with_the_byte_offset() {
    let errors = read_claim(b"{\"resourceType\": \"Claim\",}").expect_err("not JSON");
    assert_eq!(errors.errors.len(), 1);
    assert_eq!(errors.errors[0].expression, "Claim");
    assert!(matches!(
        errors.errors[0].problem,
        Problem::Syntax { offset: 25, .. }
    ));
    assert_eq!(errors.errors[0].problem.issue_type(), IssueType::Structure);
}

#[test]
fn a_document_above_the_size_limit_is_refused_as_too_long() {
    let big = vec![b' '; CLAIM_BYTES_MAX + 1];
    assert_eq!(
        problems_of(&String::from_utf8(big).expect("ASCII")),
        one("Claim", "too-long")
    );
}

#[test]
fn another_resource_type_is_refused() {
    assert_eq!(
        problems_after(|c| c["resourceType"] = json!("Patient")),
        one("Claim.resourceType", "code-invalid")
    );
    assert_eq!(
        problems_of("{\"status\": \"active\"}"),
        one("Claim.resourceType", "required")
    );
    assert_eq!(problems_of("[]"), one("Claim", "structure"));
}

#[test]
fn only_active_claims_for_payment_of_type_oral_are_accepted() {
    assert_eq!(
        problems_after(|c| c["status"] = json!("draft")),
        one("Claim.status", "code-invalid")
    );
    assert_eq!(
        problems_after(|c| c["use"] = json!("preauthorization")),
        one("Claim.use", "code-invalid")
    );
    assert_eq!(
        problems_after(|c| c["type"]["coding"][0]["code"] = json!("vision")),
        one("Claim.type.coding[0].code", "code-invalid")
    );
    assert_eq!(
        problems_after(|c| c["status"] = num("1")),
        one("Claim.status", "structure")
    );
}

#[test]
fn the_claim_needs_exactly_one_short_printable_identifier() {
    let remove = |c: &mut Value| {
        c.as_object_mut().expect("object").remove("identifier");
    };
    assert_eq!(problems_after(remove), one("Claim.identifier", "required"));
    assert_eq!(
        problems_after(|c| c["identifier"] = json!([{"value": "A"}, {"value": "B"}])),
        one("Claim.identifier", "too-long")
    );
    assert_eq!(
        problems_after(|c| c["identifier"][0]["value"] = json!("X".repeat(37))),
        one("Claim.identifier[0].value", "too-long")
    );
    assert_eq!(
        problems_after(|c| c["identifier"][0]["value"] = json!("DECL 1")),
        one("Claim.identifier[0].value", "value")
    );
    assert_eq!(
        problems_after(|c| c["identifier"] = json!([])),
        vec![
            ("Claim.identifier".to_owned(), "structure"),
            ("Claim.identifier".to_owned(), "required"),
        ]
    );
}

#[test]
fn the_patient_must_be_contained_or_named_by_participant_number() {
    let remove = |c: &mut Value| {
        c.as_object_mut().expect("object").remove("patient");
    };
    assert_eq!(problems_after(remove), one("Claim.patient", "required"));
    assert_eq!(
        problems_after(|c| c["patient"] = json!({"reference": "Patient/123"})),
        one("Claim.patient.reference", "not-supported")
    );
    assert_eq!(
        problems_after(|c| c["patient"] = json!({"reference": "#other"})),
        one("Claim.patient.reference", "not-found")
    );
    assert_eq!(
        problems_after(
            |c| c["patient"] = json!({"identifier": {"system": BSN_SYSTEM, "value": BSN}})
        ),
        one("Claim.patient.identifier.system", "value")
    );
    assert_eq!(
        problems_after(|c| c["patient"] = json!({"display": "someone"})),
        one("Claim.patient", "value")
    );
    assert_eq!(
        problems_after(|c| c["contained"][0]["identifier"][0]["system"] = json!("urn:other")),
        one("Claim.contained[0].identifier", "code-invalid")
    );
}

#[test]
fn a_participant_number_with_a_wrong_check_digit_is_a_value_error() {
    assert_eq!(
        problems_after(|c| c["contained"][0]["identifier"][0]["value"] = json!("123456789")),
        one("Claim.contained[0].identifier[0].value", "value")
    );
}

#[test]
fn a_bsn_needs_a_birth_date_and_the_eleven_check_and_is_never_repeated() {
    // Arrange
    let mut spec = ClaimSpec::new();
    spec.patient = PatientSpec::ContainedBsn {
        bsn: BSN.into(),
        birth_date: None,
    };
    let mut wrong = ClaimSpec::new();
    wrong.patient = PatientSpec::ContainedBsn {
        bsn: "111222334".into(),
        birth_date: Some("1980-05-17".into()),
    };

    // Act
    let missing_date = problems_of(&spec.to_json());
    let errors = read_claim(wrong.to_json().as_bytes()).expect_err("the BSN fails the 11-proef");

    // Assert
    assert_eq!(
        missing_date,
        one("Claim.contained[0].birthDate", "required")
    );
    assert_eq!(
        errors.errors[0].expression,
        "Claim.contained[0].identifier[0].value"
    );
    let shown = format!("{errors} {errors:?}");
    assert!(shown.contains("11-proef"), "{shown}");
    assert!(
        !shown.contains("111222334") && !shown.contains("1980-05-17"),
        "{shown}"
    );
}

#[test]
fn the_provider_needs_an_agb_identifier() {
    let remove = |c: &mut Value| {
        c.as_object_mut().expect("object").remove("provider");
    };
    assert_eq!(problems_after(remove), one("Claim.provider", "required"));
    assert_eq!(
        problems_after(|c| c["provider"]["identifier"]["system"] = json!("urn:other")),
        one("Claim.provider.identifier.system", "code-invalid")
    );
    assert_eq!(
        problems_after(|c| c["provider"]["identifier"]["value"] = json!("1234567")),
        one("Claim.provider.identifier.value", "value")
    );
    assert_eq!(
        problems_after(|c| c["provider"] = json!({"reference": "Practitioner/1"})),
        one("Claim.provider.reference", "not-supported")
    );
}

#[test]
fn a_practice_extension_needs_an_agb_identifier_once() {
    let extension = |value: &str| {
        json!({"url": ixorg_formats::fhir::PRACTICE_EXTENSION,
        "valueIdentifier": {"system": AGB_SYSTEM, "value": value}})
    };
    assert_eq!(
        problems_after(|c| c["extension"] = json!([extension("1234")])),
        one("Claim.extension[0].valueIdentifier.value", "value")
    );
    assert_eq!(
        problems_after(|c| c["extension"] = json!([extension("12345678"), extension("12345678")])),
        one("Claim.extension[1]", "too-long")
    );
}

#[test]
fn an_accident_needs_its_date() {
    assert_eq!(
        problems_after(|c| c["accident"] = json!({"type": {"text": "fall"}})),
        one("Claim.accident.date", "required")
    );
}

#[test]
fn at_most_one_related_claim_with_an_identifier_is_accepted() {
    let related = json!({"claim": {"identifier": {"value": "A"}}});
    assert_eq!(
        problems_after(|c| c["related"] = json!([related.clone(), related])),
        one("Claim.related", "too-long")
    );
    assert_eq!(
        problems_after(|c| c["related"] = json!([{"claim": {"reference": "Claim/1"}}])),
        one("Claim.related[0].claim.identifier", "required")
    );
}

#[test]
fn a_claim_needs_items() {
    let remove = |c: &mut Value| {
        c.as_object_mut().expect("object").remove("item");
    };
    assert_eq!(problems_after(remove), one("Claim.item", "required"));
    assert_eq!(
        problems_after(|c| c["item"] = json!([])),
        one("Claim.item", "structure")
    );
    assert_eq!(
        problems_after(|c| c["item"] = json!({})),
        one("Claim.item", "structure")
    );
}

#[test]
fn item_sequences_are_whole_numbers_up_to_999_and_unique() {
    for bad in ["0", "1000", "1.5", "-1"] {
        assert_eq!(
            problems_after(|c| c["item"][0]["sequence"] = num(bad)),
            one("Claim.item[0].sequence", "value"),
            "{bad}"
        );
    }
    let mut spec = ClaimSpec::new();
    spec.items.push(ItemSpec::new(1));
    assert_eq!(
        problems_of(&spec.to_json()),
        one("Claim.item[1].sequence", "duplicate")
    );
}

#[test]
fn the_prestatiecode_needs_our_code_system_and_a_short_code() {
    let remove = |c: &mut Value| {
        c["item"][0]
            .as_object_mut()
            .expect("object")
            .remove("productOrService");
    };
    assert_eq!(
        problems_after(remove),
        one("Claim.item[0].productOrService", "required")
    );
    assert_eq!(
        problems_after(
            |c| c["item"][0]["productOrService"]["coding"][0]["system"] = json!("urn:other")
        ),
        one("Claim.item[0].productOrService", "code-invalid")
    );
    assert_eq!(
        problems_after(|c| c["item"][0]["productOrService"]["coding"][0]["code"] = json!("C002-X")),
        one("Claim.item[0].productOrService.coding[0].code", "value")
    );
}

#[test]
fn the_category_is_honorarium_or_material() {
    let mut spec = ClaimSpec::new();
    spec.items[0].category = Some("technician".into());
    assert_eq!(
        problems_of(&spec.to_json()),
        one("Claim.item[0].category.coding[0].code", "code-invalid")
    );
}

#[test]
fn the_treatment_date_is_a_full_serviced_date() {
    let mut spec = ClaimSpec::new();
    spec.items[0].date = None;
    assert_eq!(
        problems_of(&spec.to_json()),
        one("Claim.item[0].servicedDate", "required")
    );
    spec.items[0].date = Some("2026-02-30".into());
    assert_eq!(
        problems_of(&spec.to_json()),
        one("Claim.item[0].servicedDate", "value")
    );
    spec.items[0].date = Some("2026-02".into());
    assert_eq!(
        problems_of(&spec.to_json()),
        one("Claim.item[0].servicedDate", "value")
    );
    spec.items[0].date = None;
    let mut value = spec.to_value();
    value["item"][0]["servicedPeriod"] = json!({"start": "2026-03-01"});
    assert_eq!(
        problems_of(&render(&value)),
        one("Claim.item[0].servicedPeriod", "not-supported")
    );
}

#[test]
fn the_quantity_is_a_whole_number_from_one() {
    for bad in ["1.5", "0", "65536", "2.0"] {
        let mut spec = ClaimSpec::new();
        spec.items[0].quantity = Some(bad.into());
        assert_eq!(
            problems_of(&spec.to_json()),
            one("Claim.item[0].quantity.value", "value"),
            "{bad}"
        );
    }
}

#[test]
fn amounts_with_more_than_two_decimals_or_an_exponent_or_another_currency_are_refused() {
    let mut spec = ClaimSpec::new();
    spec.items[0].unit_price = Some("25.001".into());
    assert_eq!(
        problems_of(&spec.to_json()),
        one("Claim.item[0].unitPrice.value", "value")
    );
    spec.items[0].unit_price = Some("2.5e1".into());
    assert_eq!(
        problems_of(&spec.to_json()),
        one("Claim.item[0].unitPrice.value", "value")
    );
    assert_eq!(
        problems_after(|c| c["item"][0]["net"]["currency"] = json!("USD")),
        one("Claim.item[0].net.currency", "code-invalid")
    );
    assert_eq!(
        problems_after(|c| c["item"][0]["net"]["value"] = json!("25.00")),
        one("Claim.item[0].net.value", "structure")
    );
    let mut spec = ClaimSpec::new();
    spec.items[0].net = None;
    assert_eq!(
        problems_of(&spec.to_json()),
        one("Claim.item[0].net", "required")
    );
}

#[test]
fn net_must_be_quantity_times_unit_price() {
    let mut spec = ClaimSpec::new();
    spec.items[0].quantity = Some("2".into());
    assert_eq!(
        problems_of(&spec.to_json()),
        one("Claim.item[0].net.value", "invariant")
    );
}

#[test]
fn a_credit_without_a_related_claim_is_refused() {
    let mut spec = ClaimSpec::new();
    spec.items[0].unit_price = Some("-25.00".into());
    spec.items[0].net = Some("-25.00".into());
    assert_eq!(
        problems_of(&spec.to_json()),
        one("Claim.item[0].net.value", "invariant")
    );
}

#[test]
fn tooth_and_surface_codes_are_checked() {
    let mut spec = ClaimSpec::new();
    spec.items[0].tooth = Some(("urn:other".into(), "36".into()));
    assert_eq!(
        problems_of(&spec.to_json()),
        one("Claim.item[0].bodySite", "code-invalid")
    );
    spec.items[0].tooth = Some((ixorg_formats::fhir::TOOTH_SYSTEM.into(), "361".into()));
    assert_eq!(
        problems_of(&spec.to_json()),
        one("Claim.item[0].bodySite.coding[0].code", "value")
    );
    let mut spec = ClaimSpec::new();
    spec.items[0].surfaces = vec!["M".into(), "M".into()];
    assert_eq!(
        problems_of(&spec.to_json()),
        one("Claim.item[0].subSite[1].coding[0].code", "value")
    );
    spec.items[0].surfaces = vec!["X".into()];
    assert_eq!(
        problems_of(&spec.to_json()),
        one("Claim.item[0].subSite[0].coding[0].code", "value")
    );
}

#[test]
fn modifier_extensions_details_and_factors_are_not_supported() {
    let problems = problems_after(|c| {
        c["modifierExtension"] = json!([{"url": "urn:x", "valueBoolean": true}]);
        c["item"][0]["modifierExtension"] = json!([{"url": "urn:x", "valueBoolean": true}]);
        c["item"][0]["detail"] = json!([{"sequence": 1}]);
        c["item"][0]["factor"] = num("1");
    });
    assert_eq!(
        problems,
        vec![
            ("Claim.modifierExtension".to_owned(), "not-supported"),
            (
                "Claim.item[0].modifierExtension".to_owned(),
                "not-supported"
            ),
            ("Claim.item[0].detail".to_owned(), "not-supported"),
            ("Claim.item[0].factor".to_owned(), "not-supported"),
        ]
    );
}

#[test]
fn an_item_accident_extension_needs_a_boolean() {
    let mut spec = ClaimSpec::new();
    spec.items[0].accident = Some(true);
    let mut value = spec.to_value();
    value["item"][0]["extension"][0] =
        json!({"url": ixorg_formats::fhir::ACCIDENT_EXTENSION, "valueString": "J"});
    assert_eq!(
        problems_of(&render(&value)),
        one("Claim.item[0].extension[0].valueBoolean", "required")
    );
}

#[test]
fn every_problem_of_a_claim_is_listed_at_once_in_document_order() {
    // Arrange
    let mut spec = ClaimSpec::new();
    spec.provider = "1234".into();
    spec.items.push(ItemSpec::new(2));
    spec.items[0].date = Some("2026-13-01".into());
    spec.items[1].unit_price = Some("1.234".into());

    // Act
    let problems = problems_of(&spec.to_json());

    // Assert
    assert_eq!(
        problems,
        vec![
            ("Claim.provider.identifier.value".to_owned(), "value"),
            ("Claim.item[0].servicedDate".to_owned(), "value"),
            ("Claim.item[1].unitPrice.value".to_owned(), "value"),
        ]
    );
}

#[test]
fn the_list_of_problems_is_bounded_and_says_how_many_were_left_out() {
    // Arrange
    let mut spec = ClaimSpec::new();
    spec.items = (1..=150)
        .map(|sequence| {
            let mut item = ItemSpec::new(sequence);
            item.date = Some("yesterday".into());
            item
        })
        .collect();

    // Act
    let errors = read_claim(spec.to_json().as_bytes()).expect_err("refused");

    // Assert
    assert_eq!(errors.errors.len(), ERRORS_MAX);
    assert_eq!(errors.truncated, 50);
    let issues = errors.issues();
    assert_eq!(issues.len(), ERRORS_MAX + 1);
    assert_eq!(issues[ERRORS_MAX].code, IssueType::Informational);
}

#[test]
fn more_items_than_the_limit_are_refused_without_reading_them() {
    let mut spec = ClaimSpec::new();
    spec.items = (1..=1000)
        .map(|sequence| ItemSpec::new(sequence % 999 + 1))
        .collect();
    assert_eq!(problems_of(&spec.to_json()), one("Claim.item", "too-long"));
}

#[test]
fn a_unit_price_at_the_end_of_the_cents_range_is_refused_not_dropped() {
    let mut spec = ClaimSpec::new();
    spec.related = Some("DECL-2026-0000".into());
    spec.items[0].unit_price = Some("-92233720368547758.08".into());
    spec.items[0].net = Some("-92233720368547758.08".into());
    assert_eq!(
        problems_of(&spec.to_json()),
        one("Claim.item[0].unitPrice.value", "value")
    );
}
