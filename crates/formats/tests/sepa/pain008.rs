//! The pain.008.001.02 writer: golden file, schema validity, count and sum checks.

use ixorg_domain::Cents;
use ixorg_formats::sepa::{
    AccountHolder, DirectDebit, DirectDebitBatch, GroupHeader, MandateAmendment, Pain008DebitSpool,
    Pain008Writer, SepaWriteError, SequenceType, WriteScope,
};
use proptest::prelude::*;

use crate::common::{
    assert_golden, assert_schema_valid, creditor_id, date, date_time, iban, mandate,
};

const XSD: &str = "pain.008.001.02.xsd";

fn header() -> GroupHeader {
    GroupHeader {
        message_id: "IXORG-COLL-20261201".to_owned(),
        created_at: date_time(2026, 11, 24, 9, 30),
        initiating_party: "Stichting ixorg Tandzorg".to_owned(),
    }
}

fn batch(sequence: SequenceType, id: &str, bic: Option<&str>) -> DirectDebitBatch {
    DirectDebitBatch {
        payment_info_id: id.to_owned(),
        sequence,
        collection_date: date(2026, 12, 1),
        creditor: AccountHolder {
            name: "Stichting ixorg Tandzorg".to_owned(),
            iban: iban("RABO", 3_456_789_012),
            bic: bic.map(str::to_owned),
        },
        creditor_id: creditor_id(),
        batch_booking: true,
    }
}

fn debit(number: u64, cents: i64, name: &str) -> DirectDebit {
    DirectDebit {
        end_to_end_id: format!("IXC-{number:06}-202612"),
        amount: Cents::new(cents),
        mandate_id: mandate(&format!("IXORG-M-{number:06}")),
        mandate_signed_on: date(2026, 1, 15),
        amendment: None,
        debtor: AccountHolder {
            name: name.to_owned(),
            iban: iban("INGB", 1_000_000 + number),
            bic: None,
        },
        remittance: "Bijdrage tandzorgbudget december 2026".to_owned(),
    }
}

/// The small golden collection: a FRST batch with an amendment and a name with accents and
/// `&`, and a RCUR batch with BICs.
fn write_golden_collection() -> Result<Vec<u8>, SepaWriteError> {
    let first = debit(1, 1230, "Hélène d'Ançay & Zn");
    let mut amended = debit(2, 4560, "Ĳsbrand Müller-Øster");
    amended.amendment = Some(MandateAmendment {
        original_mandate_id: Some(mandate("IXORG-M-000002-OLD")),
        original_debtor_iban: Some(iban("INGB", 999_999)),
    });
    let mut recurring = debit(3, 2700, "J. de Vries");
    recurring.debtor.bic = Some("INGBNL2A".to_owned());
    recurring.remittance = "Bijdrage <december> & fee".to_owned();

    let mut writer = Pain008Writer::new(Vec::new(), &header(), 3, Cents::new(8490))?;
    writer.begin_payment(
        &batch(SequenceType::Frst, "IXORG-20261201-FRST", None),
        2,
        Cents::new(5790),
    )?;
    writer.debit(&first)?;
    writer.debit(&amended)?;
    writer.end_payment()?;
    writer.begin_payment(
        &batch(SequenceType::Rcur, "IXORG-20261201-RCUR", Some("RABONL2U")),
        1,
        Cents::new(2700),
    )?;
    writer.debit(&recurring)?;
    writer.end_payment()?;
    writer.finish()
}

/// The golden collection again, with each block's debits written ahead into a spool.
fn write_golden_collection_spooled() -> Result<Vec<u8>, SepaWriteError> {
    let first = debit(1, 1230, "Hélène d'Ançay & Zn");
    let mut amended = debit(2, 4560, "Ĳsbrand Müller-Øster");
    amended.amendment = Some(MandateAmendment {
        original_mandate_id: Some(mandate("IXORG-M-000002-OLD")),
        original_debtor_iban: Some(iban("INGB", 999_999)),
    });
    let mut recurring = debit(3, 2700, "J. de Vries");
    recurring.debtor.bic = Some("INGBNL2A".to_owned());
    recurring.remittance = "Bijdrage <december> & fee".to_owned();
    let mut frst = Pain008DebitSpool::new(Vec::new());
    frst.debit(&first)?;
    frst.debit(&amended)?;
    let (frst_bytes, frst_written) = frst.finish()?;
    let mut rcur = Pain008DebitSpool::new(Vec::new());
    rcur.debit(&recurring)?;
    let (rcur_bytes, rcur_written) = rcur.finish()?;

    let mut writer = Pain008Writer::new(Vec::new(), &header(), 3, Cents::new(8490))?;
    writer.begin_payment(
        &batch(SequenceType::Frst, "IXORG-20261201-FRST", None),
        frst_written.count(),
        frst_written.sum(),
    )?;
    writer.append_spooled(frst_written, &mut frst_bytes.as_slice())?;
    writer.end_payment()?;
    writer.begin_payment(
        &batch(SequenceType::Rcur, "IXORG-20261201-RCUR", Some("RABONL2U")),
        rcur_written.count(),
        rcur_written.sum(),
    )?;
    writer.append_spooled(rcur_written, &mut rcur_bytes.as_slice())?;
    writer.end_payment()?;
    writer.finish()
}

#[test]
fn debits_written_ahead_into_spools_give_the_same_file_byte_for_byte() {
    // Arrange
    let direct = write_golden_collection().expect("the golden collection is valid");

    // Act
    let spooled = write_golden_collection_spooled().expect("the spooled collection is valid");

    // Assert
    assert_eq!(String::from_utf8(spooled), String::from_utf8(direct));
}

#[test]
fn spooled_debits_count_towards_the_declared_numbers_and_sums() {
    // Arrange
    let mut spool = Pain008DebitSpool::new(Vec::new());
    spool.debit(&debit(1, 1230, "A")).expect("debit is valid");
    let (bytes, written) = spool.finish().expect("spool is complete");
    let mut writer =
        Pain008Writer::new(Vec::new(), &header(), 2, Cents::new(2460)).expect("header is valid");
    writer
        .begin_payment(&batch(SequenceType::Rcur, "B1", None), 2, Cents::new(2460))
        .expect("block is valid");

    // Act
    writer
        .append_spooled(written, &mut bytes.as_slice())
        .expect("spooled debits fit the block");
    let result = writer.end_payment();

    // Assert
    assert_eq!((written.count(), written.sum()), (1, Cents::new(1230)));
    assert!(matches!(
        result,
        Err(SepaWriteError::CountMismatch {
            declared: 2,
            written: 1,
            ..
        })
    ));
}

#[test]
fn a_spool_refuses_a_zero_amount_and_stays_usable() {
    // Arrange
    let mut spool = Pain008DebitSpool::new(Vec::new());

    // Act
    let refused = spool.debit(&debit(1, 0, "A"));
    spool
        .debit(&debit(2, 1230, "B"))
        .expect("a valid debit after a refused one");
    let (_, written) = spool.finish().expect("spool is complete");

    // Assert
    assert!(matches!(
        refused,
        Err(SepaWriteError::NonPositiveAmount { transaction: 1 })
    ));
    assert_eq!(written.count(), 1);
}

#[test]
fn spooled_debits_outside_a_block_are_out_of_order() {
    // Arrange
    let (bytes, written) = Pain008DebitSpool::new(Vec::new())
        .finish()
        .expect("an empty spool");
    let mut writer =
        Pain008Writer::new(Vec::new(), &header(), 1, Cents::new(1230)).expect("header is valid");

    // Act
    let result = writer.append_spooled(written, &mut bytes.as_slice());

    // Assert
    assert!(matches!(result, Err(SepaWriteError::OutOfOrder(_))));
}

#[test]
fn the_small_collection_matches_its_golden_file_byte_for_byte() {
    // Arrange + Act
    let xml = write_golden_collection().expect("the golden collection is valid");

    // Assert
    assert_golden("pain008_collection.xml", &xml);
}

#[test]
fn the_golden_collection_validates_against_the_pain008_schema() {
    // Arrange
    let xml = write_golden_collection().expect("the golden collection is valid");

    // Act + Assert
    assert_schema_valid(&xml, XSD);
    assert_schema_valid(&crate::common::read_golden("pain008_collection.xml"), XSD);
}

#[test]
fn names_are_transliterated_and_escaped_and_the_amendment_follows_the_schema_order() {
    // Arrange + Act
    let xml = String::from_utf8(write_golden_collection().expect("valid")).expect("UTF-8");

    // Assert
    assert!(xml.contains("<Nm>Helene d'Ancay + Zn</Nm>"));
    assert!(xml.contains("<Nm>IJsbrand Muller-Oster</Nm>"));
    assert!(xml.contains("<Ustrd>Bijdrage december + fee</Ustrd>"));
    assert!(xml.contains("<InstdAmt Ccy=\"EUR\">12.30</InstdAmt>"));
    assert!(xml.contains("<CtrlSum>84.90</CtrlSum>"));
    assert!(xml.contains("<CreDtTm>2026-11-24T09:30:00</CreDtTm>"));
    let amendment = xml
        .find("<AmdmntInd>true</AmdmntInd>")
        .expect("amendment flag");
    let original_mandate = xml
        .find("<OrgnlMndtId>IXORG-M-000002-OLD</OrgnlMndtId>")
        .expect("original mandate");
    let original_account = xml.find("<OrgnlDbtrAcct>").expect("original account");
    assert!(amendment < original_mandate && original_mandate < original_account);
    assert_eq!(xml.matches("<AmdmntInd>false</AmdmntInd>").count(), 2);
    assert!(xml.contains("<Id>NOTPROVIDED</Id>"));
}

#[test]
fn a_block_with_fewer_debits_than_declared_is_a_count_mismatch() {
    // Arrange
    let mut writer =
        Pain008Writer::new(Vec::new(), &header(), 2, Cents::new(2460)).expect("header is valid");
    writer
        .begin_payment(&batch(SequenceType::Rcur, "B1", None), 2, Cents::new(2460))
        .expect("block is valid");
    writer.debit(&debit(1, 1230, "A")).expect("debit is valid");

    // Act
    let result = writer.end_payment();

    // Assert
    assert!(matches!(
        result,
        Err(SepaWriteError::CountMismatch {
            scope: WriteScope::Payment { number: 1 },
            declared: 2,
            written: 1
        })
    ));
    assert!(matches!(
        writer.finish(),
        Err(SepaWriteError::OutOfOrder(_))
    ));
}

#[test]
fn a_file_whose_amounts_differ_from_the_control_sum_is_a_sum_mismatch() {
    // Arrange
    let mut writer =
        Pain008Writer::new(Vec::new(), &header(), 1, Cents::new(1000)).expect("header is valid");
    writer
        .begin_payment(&batch(SequenceType::Rcur, "B1", None), 1, Cents::new(1230))
        .expect("block is valid");
    writer.debit(&debit(1, 1230, "A")).expect("debit is valid");
    writer.end_payment().expect("the block itself adds up");

    // Act
    let result = writer.finish();

    // Assert
    assert!(matches!(
        result,
        Err(SepaWriteError::SumMismatch {
            scope: WriteScope::Group,
            ..
        })
    ));
}

#[test]
fn a_zero_amount_is_refused_and_the_writer_stays_usable() {
    // Arrange
    let mut writer =
        Pain008Writer::new(Vec::new(), &header(), 1, Cents::new(1230)).expect("header is valid");
    writer
        .begin_payment(&batch(SequenceType::Rcur, "B1", None), 1, Cents::new(1230))
        .expect("block is valid");

    // Act
    let refused = writer.debit(&debit(1, 0, "A"));
    writer
        .debit(&debit(2, 1230, "B"))
        .expect("a valid debit after a refused one");
    writer.end_payment().expect("counts add up");
    let xml = writer.finish().expect("file is complete");

    // Assert
    assert!(matches!(
        refused,
        Err(SepaWriteError::NonPositiveAmount { transaction: 1 })
    ));
    assert_schema_valid(&xml, XSD);
}

#[test]
fn a_name_without_any_sepa_character_is_refused_without_repeating_it() {
    // Arrange
    let mut writer =
        Pain008Writer::new(Vec::new(), &header(), 1, Cents::new(1230)).expect("header is valid");
    writer
        .begin_payment(&batch(SequenceType::Rcur, "B1", None), 1, Cents::new(1230))
        .expect("block is valid");

    // Act
    let error = writer
        .debit(&debit(1, 1230, "張偉"))
        .expect_err("empty after transliteration");

    // Assert
    let message = error.to_string();
    assert!(message.contains("Dbtr/Nm"), "{message}");
    assert!(!message.contains("張"), "{message}");
}

#[test]
fn an_invalid_bic_and_calls_out_of_order_are_errors() {
    // Arrange
    let mut writer =
        Pain008Writer::new(Vec::new(), &header(), 1, Cents::new(1230)).expect("header is valid");

    // Act
    let debit_outside = writer.debit(&debit(1, 1230, "A"));
    let bad_bic = writer.begin_payment(
        &batch(SequenceType::Frst, "B1", Some("rabonl2u")),
        1,
        Cents::new(1230),
    );
    let no_transactions = Pain008Writer::new(Vec::new(), &header(), 0, Cents::new(1));

    // Assert
    assert!(matches!(debit_outside, Err(SepaWriteError::OutOfOrder(_))));
    assert!(matches!(bad_bic, Err(SepaWriteError::InvalidField { .. })));
    assert!(matches!(
        no_transactions,
        Err(SepaWriteError::InvalidField { .. })
    ));
}

fn arb_name() -> impl Strategy<Value = String> {
    "[A-Za-zéëçßøĳ&' .-]{0,30}[A-Za-z][A-Za-zéëçßøĳ&' .-]{0,60}"
}

fn arb_debit(number: u64) -> impl Strategy<Value = DirectDebit> {
    (
        1_i64..=10_000_000,
        arb_name(),
        0_u64..=9_999_999_999,
        "\\PC{0,200}",
        prop::option::of((0_u64..=9_999_999, any::<bool>())),
        prop::option::of(prop::sample::select(vec![
            "INGBNL2A",
            "RABONL2U",
            "ABNANL2AXXX",
        ])),
    )
        .prop_map(
            move |(cents, name, account, remittance, amendment, bic)| DirectDebit {
                end_to_end_id: format!("E2E-{number}"),
                amount: Cents::new(cents),
                mandate_id: mandate(&format!("M-{number}")),
                mandate_signed_on: date(2025, 3, 9),
                amendment: amendment.map(|(old_account, with_mandate)| MandateAmendment {
                    original_mandate_id: with_mandate.then(|| mandate(&format!("OLD-{number}"))),
                    original_debtor_iban: Some(iban("SNSB", old_account)),
                }),
                debtor: AccountHolder {
                    name,
                    iban: iban("ABNA", account),
                    bic: bic.map(str::to_owned),
                },
                remittance,
            },
        )
}

fn arb_collection() -> impl Strategy<Value = Vec<Vec<DirectDebit>>> {
    prop::collection::vec(1_usize..=50, 1..=3).prop_flat_map(|sizes| {
        let mut number = 0_u64;
        sizes
            .into_iter()
            .map(|size| {
                let debits: Vec<_> = (0..size)
                    .map(|_| {
                        number += 1;
                        arb_debit(number)
                    })
                    .collect();
                debits
            })
            .collect::<Vec<_>>()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn random_valid_collections_validate_against_the_schema(blocks in arb_collection()) {
        // Arrange
        let total = |debits: &[DirectDebit]| {
            debits.iter().fold(Cents::ZERO, |sum, d| sum.checked_add(d.amount).expect("small sums"))
        };
        let count: usize = blocks.iter().map(Vec::len).sum();
        let sum = blocks.iter().fold(Cents::ZERO, |s, b| s.checked_add(total(b)).expect("small sums"));
        let sequences = [SequenceType::Frst, SequenceType::Rcur, SequenceType::Ooff, SequenceType::Fnal];

        // Act
        let mut writer = Pain008Writer::new(Vec::new(), &header(), count as u64, sum).expect("header");
        for (index, debits) in blocks.iter().enumerate() {
            let info = batch(sequences[index % 4], &format!("BLOCK-{index}"), None);
            writer.begin_payment(&info, debits.len() as u64, total(debits)).expect("block");
            for debit in debits {
                writer.debit(debit).expect("debit");
            }
            writer.end_payment().expect("block adds up");
        }
        let xml = writer.finish().expect("file adds up");

        // Assert
        assert_schema_valid(&xml, XSD);
    }
}

#[test]
#[should_panic(expected = "does not validate")]
fn the_schema_check_catches_elements_in_the_wrong_order() {
    // Arrange
    let xml = String::from_utf8(write_golden_collection().expect("valid")).expect("UTF-8");
    let swapped = xml.replacen(
        "<PmtMtd>DD</PmtMtd>\n      <BtchBookg>true</BtchBookg>",
        "<BtchBookg>true</BtchBookg>\n      <PmtMtd>DD</PmtMtd>",
        1,
    );
    assert_ne!(xml, swapped, "the fixture has the elements to swap");

    // Act + Assert
    assert_schema_valid(swapped.as_bytes(), XSD);
}
