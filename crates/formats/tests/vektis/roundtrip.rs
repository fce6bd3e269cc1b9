//! Generate → write → read gives the same file; written files read back byte for byte.

use ixorg_domain::Cents;
use ixorg_domain::identifiers::{AgbCode, Bsn, Uzovi};
use ixorg_formats::vektis::{
    Accident, Comment, Debtor, FieldText, Header, Line, MessageKind, Mz301File, Patient, Totals,
    read_mz301, write_mz301,
};
use proptest::prelude::*;
use time::{Date, Month};

use crate::common::SAMPLE;

/// Weights of the 11-proef for the first eight digits.
const WEIGHTS: [u32; 8] = [9, 8, 7, 6, 5, 4, 3, 2];

fn arb_bsn() -> impl Strategy<Value = Bsn> {
    proptest::array::uniform8(0_u32..10).prop_filter_map("check digit 10 or all zeros", |digits| {
        let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
        let check = sum % 11;
        let text: String = digits
            .iter()
            .chain([check].iter())
            .map(|d| d.to_string())
            .collect();
        (check < 10).then(|| Bsn::parse(&text).ok()).flatten()
    })
}

fn arb_date() -> impl Strategy<Value = Date> {
    (1900_i32..2100, 1_u8..=12, 1_u8..=28).prop_map(|(year, month, day)| {
        let month = Month::try_from(month).expect("1-12 is a month");
        Date::from_calendar_date(year, month, day).expect("day 1-28 exists")
    })
}

fn arb_agb() -> impl Strategy<Value = AgbCode> {
    "[1-9][0-9]{7}".prop_map(|text| AgbCode::parse(&text).expect("eight digits"))
}

fn arb_uzovi() -> impl Strategy<Value = Uzovi> {
    "[0-9]{4}".prop_map(|text| Uzovi::parse(&text).expect("four digits"))
}

fn arb_comments() -> impl Strategy<Value = Vec<Comment>> {
    proptest::collection::vec("[A-Za-z0-9é]{0,40}", 0..3).prop_map(|texts| {
        texts
            .into_iter()
            .map(|text| Comment {
                record: 0,
                line_number: 0,
                text,
            })
            .collect()
    })
}

fn arb_header() -> impl Strategy<Value = Header> {
    (
        (
            any::<bool>(),
            0_u32..1_000_000,
            "[A-Za-z0-9.]{0,10}",
            arb_uzovi(),
        ),
        proptest::option::of(arb_agb()),
        proptest::option::of(arb_agb()),
        proptest::option::of(arb_agb()),
        proptest::option::of(arb_agb()),
        (
            0_u8..100,
            arb_date(),
            arb_date(),
            "[A-Za-z0-9-]{1,12}",
            arb_date(),
        ),
        ("[A-Z0-9]{0,14}", prop::sample::select(vec!["EUR", ""])),
    )
        .prop_map(
            |(first, bureau, provider, practice, institution, period, last)| Header {
                kind: if first.0 {
                    MessageKind::Test
                } else {
                    MessageKind::Production
                },
                software_code: first.1,
                software_version: first.2,
                receiver: first.3,
                service_bureau: bureau,
                provider,
                practice,
                institution,
                payment_to: period.0,
                period_start: period.1,
                period_end: period.2,
                invoice_number: period.3,
                invoice_date: period.4,
                vat_number: last.0,
                currency: last.1.to_owned(),
            },
        )
}

/// A generated text as a field text (the strategies keep to the field lengths).
fn field<const BYTES: usize>(text: &str) -> FieldText<BYTES> {
    FieldText::new(text).expect("generated texts fit their fields")
}

fn arb_line() -> impl Strategy<Value = Line> {
    (
        (
            proptest::option::of(arb_bsn()),
            arb_uzovi(),
            "[A-Za-z0-9_]{0,15}",
            "[A-Z0-9]{0,15}",
        ),
        (
            arb_date(),
            0_u16..1000,
            "[A-Z]{1,2}[0-9]{1,3}",
            "[12]?",
            "[0-9]{0,2}",
            "[MODBLP]{0,6}",
        ),
        (
            proptest::option::of(prop::sample::select(vec![
                Accident::Yes,
                Accident::No,
                Accident::Unknown,
            ])),
            arb_agb(),
            proptest::option::of(arb_agb()),
        ),
        (
            0_i64..100_000_000,
            0_u16..10_000,
            -99_999_999_i64..100_000_000,
            0_i64..100_000_000,
            0_u16..10_000,
            -99_999_999_i64..100_000_000,
        ),
        ("[A-Za-z0-9_]{1,20}", "[A-Za-z0-9_]{0,20}", arb_comments()),
    )
        .prop_map(|(who, what, accident, money, refs)| Line {
            record: 0,
            detail_id: 0,
            bsn: who.0,
            uzovi: who.1,
            insured_number: field(&who.2),
            authorization_number: field(&who.3),
            treatment_date: what.0,
            record_kind: Line::KIND_HONORARIUM,
            code_list: what.1,
            code: field(&what.2),
            jaw: field(&what.3),
            element: field(&what.4),
            surface: field(&what.5),
            accident: accident.0,
            provider: accident.1,
            referrer: accident.2,
            tariff: Cents::new(money.0),
            quantity: money.1,
            calculated: Cents::new(money.2),
            reduction: Cents::new(money.3),
            vat_basis_points: money.4,
            declared: Cents::new(money.5),
            reference: field(&refs.0),
            previous_reference: field(&refs.1),
            comments: refs.2,
        })
}

fn arb_patient() -> impl Strategy<Value = Patient> {
    (
        (
            proptest::option::of(arb_bsn()),
            arb_uzovi(),
            "[A-Za-z0-9_]{0,15}",
            "[A-Za-z0-9]{0,11}",
            arb_date(),
        ),
        ("[A-Z0-9]{0,11}", arb_comments()),
        proptest::option::of(("[A-Z0-9]{1,11}", arb_comments())),
        proptest::collection::vec(arb_line(), 1..4),
    )
        .prop_map(|(who, more, debtor, lines)| Patient {
            record: 0,
            detail_id: 0,
            bsn: who.0,
            uzovi: who.1,
            insured_number: who.2,
            patient_number: who.3,
            birth_date: who.4,
            debtor_number: more.0,
            comments: more.1,
            debtor: debtor.map(|(debtor_number, comments)| Debtor {
                record: 0,
                detail_id: 0,
                debtor_number,
                comments,
            }),
            lines,
        })
}

/// A generated file with record numbers, detail ids and totals filled in.
fn arb_file() -> impl Strategy<Value = Mz301File> {
    (arb_header(), proptest::collection::vec(arb_patient(), 0..5)).prop_map(|(header, patients)| {
        let totals = Totals {
            insured_count: 0,
            debtor_count: 0,
            line_count: 0,
            comment_count: 0,
            detail_count: 0,
            declared: Cents::ZERO,
        };
        let mut file = Mz301File {
            header,
            patients,
            totals,
        };
        file.renumber().expect("a few lines cannot overflow");
        file
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_generated_file_reads_back_as_the_same_file(file in arb_file()) {
        // Act
        let bytes = write_mz301(&file).expect("generated values fit their fields");
        let read = read_mz301(&bytes);

        // Assert
        let read = read.map_err(|errors| TestCaseError::fail(errors.to_string()))?;
        prop_assert_eq!(read, file);
    }
}

#[test]
fn writing_the_read_sample_keeps_every_field_the_model_holds() {
    // Arrange
    let file = read_mz301(SAMPLE).expect("the sample is valid");

    // Act
    let written = write_mz301(&file).expect("the sample's values fit");
    let again = read_mz301(&written).expect("the written file is valid");

    // Assert
    assert_eq!(again, file);
    assert_eq!(written.len(), SAMPLE.len());
}

#[test]
fn renumbering_gives_the_ids_and_totals_the_reader_checks() {
    // Arrange
    let mut file = read_mz301(SAMPLE).expect("the sample is valid");
    let original = file.clone();
    file.totals.declared = Cents::ZERO;
    file.patients[0].lines[0].detail_id = 77;

    // Act
    file.renumber().expect("no overflow");

    // Assert
    assert_eq!(file, original);
}
