//! Properties: generated valid claims read back to the same lines, every response to them is
//! R4-valid, and no input makes the reader panic.

use ixorg_domain::Cents;
use ixorg_domain::declaration::{CostKind, Decision, Outcome, Reason, Who};
use ixorg_formats::fhir::{
    ClaimResponseParts, Operator, claim_response, operation_outcome, read_claim,
};
use proptest::prelude::*;
use time::macros::datetime;
use time::{Date, Month};

use crate::builder::{ClaimSpec, ItemSpec, participant_number, tooth_36};
use crate::r4::{assert_valid, check};

/// One generated item and the line values we expect from it.
#[derive(Clone, Debug)]
struct Generated {
    sequence: u32,
    code: String,
    material: bool,
    date: Date,
    quantity: u16,
    unit_cents: i64,
    tooth: bool,
    surface: String,
    accident: Option<bool>,
}

fn cents_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:02}",
        cents.unsigned_abs() / 100,
        cents.unsigned_abs() % 100
    )
}

fn arb_item() -> impl Strategy<Value = Generated> {
    (
        (1_u32..=999, "[A-Z][0-9]{2,3}", any::<bool>()),
        (2000_i32..2100, 1_u8..=12, 1_u8..=28),
        (1_u16..20, 0_i64..100_000, any::<bool>()),
        (
            prop::sample::subsequence(vec!['M', 'O', 'D', 'B', 'L', 'P'], 0..4),
            proptest::option::of(any::<bool>()),
        ),
    )
        .prop_map(
            |(
                (sequence, code, material),
                (y, m, d),
                (quantity, unit_cents, tooth),
                (surface, accident),
            )| Generated {
                sequence,
                code,
                material,
                date: Date::from_calendar_date(y, Month::try_from(m).expect("month"), d)
                    .expect("date"),
                quantity,
                unit_cents,
                tooth,
                surface: surface.into_iter().collect(),
                accident,
            },
        )
}

fn spec_of(items: &[Generated], accident: bool) -> ClaimSpec {
    let mut spec = ClaimSpec::new();
    spec.accident = accident;
    spec.items = items
        .iter()
        .map(|g| {
            let mut item = ItemSpec::new(g.sequence);
            item.code = Some(g.code.clone());
            item.category = g.material.then(|| "material".to_owned());
            item.date = Some(g.date.to_string());
            item.quantity = Some(g.quantity.to_string());
            item.unit_price = Some(cents_text(g.unit_cents));
            item.net = Some(cents_text(g.unit_cents * i64::from(g.quantity)));
            item.tooth = if g.tooth { tooth_36() } else { None };
            item.surfaces = g.surface.chars().map(String::from).collect();
            item.accident = g.accident;
            item
        })
        .collect();
    spec
}

fn unique_items() -> impl Strategy<Value = Vec<Generated>> {
    proptest::collection::vec(arb_item(), 1..6).prop_map(|mut items| {
        items.sort_by_key(|g| g.sequence);
        items.dedup_by_key(|g| g.sequence);
        items
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_valid_claims_read_back_to_the_same_lines(items in unique_items(), accident in any::<bool>()) {
        // Arrange
        let json = spec_of(&items, accident).to_json();
        prop_assert!(check(&serde_json::from_str(&json).expect("JSON")).is_empty());

        // Act
        let claim = read_claim(json.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;

        // Assert
        prop_assert_eq!(claim.items.len(), items.len());
        for (item, g) in claim.items.iter().zip(&items) {
            let line = &item.line;
            prop_assert_eq!(item.sequence, g.sequence);
            prop_assert_eq!(&line.reference, &format!("DECL-2026-0001-{}", g.sequence));
            prop_assert_eq!(&line.who, &Who::Number(participant_number()));
            prop_assert_eq!(&line.code, &g.code);
            prop_assert_eq!(line.cost, if g.material { CostKind::MaterialOrTechnician } else { CostKind::Honorarium });
            prop_assert_eq!(line.treatment_date, g.date);
            prop_assert_eq!(line.quantity, g.quantity);
            prop_assert_eq!(line.unit_tariff, Cents::new(g.unit_cents));
            prop_assert_eq!(line.amount, Cents::new(g.unit_cents * i64::from(g.quantity)));
            prop_assert_eq!(line.element.as_deref(), g.tooth.then_some("36"));
            prop_assert_eq!(line.surface.clone(), (!g.surface.is_empty()).then(|| g.surface.clone()));
            prop_assert_eq!(line.accident, g.accident.unwrap_or(accident));
        }
    }

    #[test]
    fn every_response_to_a_generated_claim_is_valid_r4(
        items in unique_items(),
        outcomes in proptest::collection::vec((0_usize..4, 0_i64..10_000, 0_i64..10_000), 0..6),
    ) {
        // Arrange
        let claim = read_claim(spec_of(&items, false).to_json().as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let all = [Outcome::Accepted, Outcome::PartlyAccepted, Outcome::Held, Outcome::Rejected];
        let decisions: Vec<Decision> = outcomes.iter().take(claim.items.len()).map(|&(o, paid, own)| Decision {
            outcome: all[o], reasons: vec![Reason::ALL[o]], budget_paid: Cents::new(paid), own_payment: Cents::new(own),
        }).collect();
        let operator = Operator { name: "ixorg".into(), identifier: None };
        let parts = ClaimResponseParts { id: None, created: datetime!(2026-03-15 10:00 UTC), insurer: &operator, claim_id: None, participant: None };

        // Act
        let json = claim_response(&claim, &decisions, &parts);

        // Assert
        assert_valid(&json);
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_reader(input in proptest::collection::vec(any::<u8>(), 0..2_000)) {
        if let Err(errors) = read_claim(&input) {
            prop_assert!(!errors.errors.is_empty());
        }
    }

    #[test]
    fn mutated_claims_never_panic_and_are_read_or_refused_with_a_valid_outcome(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
    ) {
        // Arrange
        let mut spec = ClaimSpec::new();
        spec.items.push(ItemSpec::new(2));
        spec.items[1].tooth = tooth_36();
        spec.items[1].surfaces = vec!["M".into(), "O".into()];
        let mut input = spec.to_json().into_bytes();
        for (index, byte) in edits {
            let at = index.index(input.len());
            input[at] = byte;
        }
        let keep = cut.index(input.len() + 1).max(input.len() / 2);
        input.truncate(keep);

        // Act / Assert
        match read_claim(&input) {
            Ok(claim) => prop_assert!(!claim.items.is_empty()),
            Err(errors) => {
                prop_assert!(!errors.errors.is_empty());
                assert_valid(&operation_outcome(&errors.issues()));
            }
        }
    }

    #[test]
    fn structurally_mutated_claims_never_panic(
        path in proptest::collection::vec(0_usize..8, 1..5),
        replacement in prop_oneof![
            Just(serde_json::Value::Null), Just(serde_json::json!([])), Just(serde_json::json!({})),
            Just(serde_json::json!("")), Just(serde_json::json!(true)), Just(serde_json::json!([{}])),
            Just(serde_json::json!({"coding": [{"system": 1}]})), Just(serde_json::json!(-1)),
        ],
    ) {
        // Arrange: replace the value found by walking `path` through the claim.
        let mut value = ClaimSpec::new().to_value();
        let mut pointer = String::new();
        let mut target = &value;
        for step in path {
            let next = match target {
                serde_json::Value::Object(map) if !map.is_empty() => {
                    let key = map.keys().nth(step % map.len()).expect("a key");
                    pointer.push('/');
                    pointer.push_str(key);
                    &map[key]
                }
                serde_json::Value::Array(items) if !items.is_empty() => {
                    let at = step % items.len();
                    pointer.push_str(&format!("/{at}"));
                    &items[at]
                }
                _ => break,
            };
            target = next;
        }
        *value.pointer_mut(&pointer).expect("the pointer was just walked") = replacement;

        // Act / Assert
        if let Err(errors) = read_claim(crate::builder::render(&value).as_bytes()) {
            prop_assert!(!errors.errors.is_empty());
        }
    }
}
