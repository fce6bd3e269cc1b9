//! How each element of a valid `Claim` becomes part of the declaration lines.

use ixorg_domain::Cents;
use ixorg_domain::declaration::{CostKind, Who};
use ixorg_domain::identifiers::{AgbCode, Bsn};
use ixorg_formats::fhir::{Claim, VADEMECUM_ELEMENT_SYSTEM, read_claim};
use time::macros::date;

use crate::builder::{
    BSN, ClaimSpec, ItemSpec, PROVIDER_AGB, PatientSpec, participant_number, tooth_36,
};
use crate::r4::assert_valid;

fn read(spec: &ClaimSpec) -> Claim {
    let json = spec.to_json();
    assert_valid(&json);
    read_claim(json.as_bytes()).unwrap_or_else(|errors| panic!("the claim reads: {errors}"))
}

#[test]
fn a_minimal_claim_becomes_one_honorarium_line_for_the_contained_participant() {
    // Arrange
    let spec = ClaimSpec::new();

    // Act
    let claim = read(&spec);

    // Assert
    assert_eq!(claim.identifier.value, "DECL-2026-0001");
    assert_eq!(
        claim.identifier.system.as_deref(),
        Some("https://practice.example/claims")
    );
    assert_eq!(claim.who, Who::Number(participant_number()));
    assert_eq!(claim.provider.as_str(), PROVIDER_AGB);
    assert_eq!(claim.practice, None);
    assert_eq!(claim.items.len(), 1);
    let item = &claim.items[0];
    assert_eq!(item.sequence, 1);
    let line = &item.line;
    assert_eq!(line.reference, "DECL-2026-0001-1");
    assert_eq!(line.previous_reference, None);
    assert_eq!(line.who, claim.who);
    assert_eq!(line.provider, claim.provider);
    assert_eq!(line.treatment_date, date!(2026 - 03 - 02));
    assert_eq!(line.code, "C002");
    assert_eq!(line.cost, CostKind::Honorarium);
    assert_eq!(line.quantity, 1);
    assert_eq!(line.unit_tariff, Cents::new(2500));
    assert_eq!(line.amount, Cents::new(2500));
    assert_eq!(
        (line.element.as_deref(), line.surface.as_deref()),
        (None, None)
    );
    assert!(!line.accident);
}

#[test]
fn the_claim_id_is_kept() {
    let mut spec = ClaimSpec::new();
    spec.id = Some("claim-7.a".into());
    assert_eq!(
        read(&spec).id.map(|id| id.to_string()).as_deref(),
        Some("claim-7.a")
    );
}

#[test]
fn a_contained_patient_with_a_bsn_and_birth_date_is_read_as_bsn() {
    let mut spec = ClaimSpec::new();
    spec.patient = PatientSpec::ContainedBsn {
        bsn: BSN.into(),
        birth_date: Some("1980-05-17".into()),
    };
    let expected = Who::Bsn {
        bsn: Bsn::parse(BSN).expect("valid"),
        birth_date: date!(1980 - 05 - 17),
    };
    assert_eq!(read(&spec).who, expected);
}

#[test]
fn a_patient_identifier_reference_with_a_participant_number_is_read() {
    let mut spec = ClaimSpec::new();
    spec.patient = PatientSpec::IdentifierNumber(participant_number().to_string());
    assert_eq!(read(&spec).who, Who::Number(participant_number()));
}

#[test]
fn the_participant_number_wins_when_the_contained_patient_also_has_a_bsn() {
    // Arrange
    let mut value = ClaimSpec::new().to_value();
    value["contained"][0]["identifier"] = serde_json::json!([
        {"system": ixorg_formats::fhir::BSN_SYSTEM, "value": BSN},
        {"system": ixorg_formats::fhir::PARTICIPANT_NUMBER_SYSTEM, "value": participant_number().as_str()},
    ]);

    // Act
    let claim = read_claim(crate::builder::render(&value).as_bytes()).expect("reads");

    // Assert
    assert_eq!(claim.who, Who::Number(participant_number()));
}

#[test]
fn the_practice_extension_gives_every_line_the_practice() {
    let mut spec = ClaimSpec::new();
    spec.practice = Some("87654321".into());
    spec.items.push(ItemSpec::new(2));
    let claim = read(&spec);
    let practice = AgbCode::parse("87654321").expect("valid");
    assert_eq!(claim.practice.as_ref(), Some(&practice));
    assert!(
        claim
            .lines()
            .all(|line| line.practice.as_ref() == Some(&practice))
    );
}

#[test]
fn tooth_and_surfaces_become_element_and_surface() {
    // Arrange
    let mut spec = ClaimSpec::new();
    spec.items[0].tooth = tooth_36();
    spec.items[0].surfaces = vec!["M".into(), "O".into(), "D".into()];

    // Act
    let claim = read(&spec);

    // Assert
    assert_eq!(claim.items[0].line.element.as_deref(), Some("36"));
    assert_eq!(claim.items[0].line.surface.as_deref(), Some("MOD"));
}

#[test]
fn a_vademecum_element_code_and_a_combined_surface_code_are_accepted() {
    let mut spec = ClaimSpec::new();
    spec.items[0].tooth = Some((VADEMECUM_ELEMENT_SYSTEM.into(), "99".into()));
    spec.items[0].surfaces = vec!["MO".into(), "B".into()];
    let line = read(&spec).items[0].line.clone();
    assert_eq!(
        (line.element.as_deref(), line.surface.as_deref()),
        (Some("99"), Some("MOB"))
    );
}

#[test]
fn a_material_category_makes_a_material_line() {
    let mut spec = ClaimSpec::new();
    spec.items[0].category = Some("material".into());
    assert_eq!(
        read(&spec).items[0].line.cost,
        CostKind::MaterialOrTechnician
    );
}

#[test]
fn an_honorarium_category_is_the_same_as_none() {
    let mut spec = ClaimSpec::new();
    spec.items[0].category = Some("honorarium".into());
    assert_eq!(read(&spec).items[0].line.cost, CostKind::Honorarium);
}

#[test]
fn quantity_unit_price_and_net_are_read_exactly_to_the_cent() {
    // Arrange
    let mut spec = ClaimSpec::new();
    spec.items[0].quantity = Some("3".into());
    spec.items[0].unit_price = Some("0.1".into());
    spec.items[0].net = Some("0.30".into());

    // Act
    let line = read(&spec).items[0].line.clone();

    // Assert
    assert_eq!(
        (line.quantity, line.unit_tariff, line.amount),
        (3, Cents::new(10), Cents::new(30))
    );
}

#[test]
fn an_absent_quantity_means_one() {
    let mut spec = ClaimSpec::new();
    spec.items[0].quantity = None;
    assert_eq!(read(&spec).items[0].line.quantity, 1);
}

#[test]
fn claim_accident_makes_every_item_an_accident_item_unless_the_item_says_no() {
    // Arrange
    let mut spec = ClaimSpec::new();
    spec.accident = true;
    spec.items.push(ItemSpec::new(2));
    spec.items[1].accident = Some(false);

    // Act
    let claim = read(&spec);

    // Assert
    let accidents: Vec<bool> = claim.lines().map(|line| line.accident).collect();
    assert_eq!(accidents, [true, false]);
}

#[test]
fn the_item_accident_extension_marks_one_item() {
    let mut spec = ClaimSpec::new();
    spec.items.push(ItemSpec::new(2));
    spec.items[1].accident = Some(true);
    let accidents: Vec<bool> = read(&spec).lines().map(|line| line.accident).collect();
    assert_eq!(accidents, [false, true]);
}

#[test]
fn a_negative_net_with_a_related_claim_is_a_credit_of_the_same_sequence() {
    // Arrange
    let mut spec = ClaimSpec::new();
    spec.identifier = "DECL-2026-0002".into();
    spec.related = Some("DECL-2026-0001".into());
    spec.items[0].sequence = "3".into();
    spec.items[0].unit_price = Some("-25.00".into());
    spec.items[0].net = Some("-25.00".into());

    // Act
    let line = read(&spec).items[0].line.clone();

    // Assert
    assert_eq!(line.reference, "DECL-2026-0002-3");
    assert_eq!(line.previous_reference.as_deref(), Some("DECL-2026-0001-3"));
    assert_eq!(line.amount, Cents::new(-2500));
    assert_eq!(line.unit_tariff, Cents::new(2500));
    assert!(line.is_credit());
}

#[test]
fn a_positive_item_in_a_claim_with_a_related_claim_is_no_credit() {
    let mut spec = ClaimSpec::new();
    spec.related = Some("DECL-2026-0000".into());
    assert_eq!(read(&spec).items[0].line.previous_reference, None);
}

#[test]
fn line_references_join_the_identifier_and_each_sequence_in_document_order() {
    // Arrange
    let mut spec = ClaimSpec::new();
    spec.identifier = "X".repeat(36);
    spec.items = vec![ItemSpec::new(999), ItemSpec::new(5)];

    // Act
    let claim = read(&spec);

    // Assert
    let references: Vec<&str> = claim.lines().map(|line| line.reference.as_str()).collect();
    assert_eq!(
        references,
        [
            format!("{}-999", "X".repeat(36)),
            format!("{}-5", "X".repeat(36))
        ]
    );
    assert!(
        references
            .iter()
            .all(|r| r.len() <= ixorg_domain::declaration::REFERENCE_CHARS_MAX)
    );
}

#[test]
fn unknown_elements_and_other_extensions_are_allowed_and_ignored() {
    // Arrange
    let mut value = ClaimSpec::new().to_value();
    value["extension"] =
        serde_json::json!([{"url": "https://other.example/x", "valueString": "y"}]);
    value["careTeam"] = serde_json::json!([{"sequence": 1, "provider": {"display": "Dr. X"}}]);
    value["item"][0]["productOrService"]["coding"] = serde_json::json!([
        {"system": "https://other.example/codes", "code": "ZZ"},
        {"system": ixorg_formats::fhir::PRESTATIECODE_SYSTEM, "code": "X100"},
    ]);

    // Act
    let claim = read_claim(crate::builder::render(&value).as_bytes()).expect("reads");

    // Assert
    assert_eq!(claim.items[0].line.code, "X100");
}
