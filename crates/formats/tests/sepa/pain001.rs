//! The pain.001.001.03 writer: golden file, schema validity, count and sum checks.

use ixorg_domain::Cents;
use ixorg_formats::sepa::{
    AccountHolder, CreditTransfer, CreditTransferBatch, GroupHeader, Pain001Writer, SepaWriteError,
    WriteScope,
};
use proptest::prelude::*;

use crate::common::{assert_golden, assert_schema_valid, date, date_time, iban};

const XSD: &str = "pain.001.001.03.xsd";

fn header() -> GroupHeader {
    GroupHeader {
        message_id: "IXORG-PAY-20261203".to_owned(),
        created_at: date_time(2026, 12, 2, 16, 45),
        initiating_party: "Stichting ixorg Tandzorg".to_owned(),
    }
}

fn batch() -> CreditTransferBatch {
    CreditTransferBatch {
        payment_info_id: "IXORG-PAY-20261203-1".to_owned(),
        execution_date: date(2026, 12, 3),
        debtor: AccountHolder {
            name: "Stichting ixorg Tandzorg".to_owned(),
            iban: iban("RABO", 3_456_789_012),
            bic: Some("RABONL2U".to_owned()),
        },
        batch_booking: false,
    }
}

fn transfer(number: u64, cents: i64, name: &str, bic: Option<&str>) -> CreditTransfer {
    CreditTransfer {
        end_to_end_id: format!("IXP-{number:06}"),
        amount: Cents::new(cents),
        creditor: AccountHolder {
            name: name.to_owned(),
            iban: iban("INGB", 2_000_000 + number),
            bic: bic.map(str::to_owned),
        },
        remittance: format!("Declaratie D-{number:06} / factuur 2026-{number}"),
    }
}

fn write_golden_payout() -> Result<Vec<u8>, SepaWriteError> {
    let mut writer = Pain001Writer::new(Vec::new(), &header(), 2, Cents::new(21_675))?;
    writer.begin_payment(&batch(), 2, Cents::new(21_675))?;
    writer.transfer(&transfer(
        1,
        18_450,
        "Tandartspraktijk De Glimlach & Zn.",
        Some("INGBNL2A"),
    ))?;
    writer.transfer(&transfer(2, 3_225, "Ångström Mondzorg", None))?;
    writer.end_payment()?;
    writer.finish()
}

#[test]
fn the_small_payout_matches_its_golden_file_byte_for_byte() {
    // Arrange + Act
    let xml = write_golden_payout().expect("the golden payout is valid");

    // Assert
    assert_golden("pain001_payout.xml", &xml);
}

#[test]
fn the_golden_payout_validates_against_the_pain001_schema() {
    // Arrange
    let xml = write_golden_payout().expect("the golden payout is valid");

    // Act + Assert
    assert_schema_valid(&xml, XSD);
    assert_schema_valid(&crate::common::read_golden("pain001_payout.xml"), XSD);
}

#[test]
fn the_payout_carries_slev_trf_and_the_sepa_service_level() {
    // Arrange + Act
    let xml = String::from_utf8(write_golden_payout().expect("valid")).expect("UTF-8");

    // Assert
    assert!(xml.contains("<PmtMtd>TRF</PmtMtd>"));
    assert!(xml.contains("<ChrgBr>SLEV</ChrgBr>"));
    assert!(xml.contains("<Cd>SEPA</Cd>"));
    assert!(xml.contains("<Nm>Tandartspraktijk De Glimlach + Zn.</Nm>"));
    assert!(xml.contains("<InstdAmt Ccy=\"EUR\">184.50</InstdAmt>"));
}

#[test]
fn more_transfers_than_declared_is_a_count_mismatch() {
    // Arrange
    let mut writer =
        Pain001Writer::new(Vec::new(), &header(), 1, Cents::new(100)).expect("header is valid");
    writer
        .begin_payment(&batch(), 1, Cents::new(100))
        .expect("block");
    writer
        .transfer(&transfer(1, 50, "A", None))
        .expect("transfer");
    writer
        .transfer(&transfer(2, 50, "B", None))
        .expect("transfer");

    // Act
    let result = writer.end_payment();

    // Assert
    assert!(matches!(
        result,
        Err(SepaWriteError::CountMismatch {
            scope: WriteScope::Payment { number: 1 },
            declared: 1,
            written: 2
        })
    ));
}

#[test]
fn a_negative_amount_is_refused() {
    // Arrange
    let mut writer =
        Pain001Writer::new(Vec::new(), &header(), 1, Cents::new(100)).expect("header is valid");
    writer
        .begin_payment(&batch(), 1, Cents::new(100))
        .expect("block");

    // Act
    let result = writer.transfer(&transfer(1, -100, "A", None));

    // Assert
    assert!(matches!(
        result,
        Err(SepaWriteError::NonPositiveAmount { transaction: 1 })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn random_valid_payouts_validate_against_the_schema(
        transfers in prop::collection::vec(
            (1_i64..=99_999_999_999, "[A-Za-zéü&' ]{0,20}[A-Z][A-Za-zéü&' ]{0,80}", "\\PC{0,160}", any::<bool>()),
            1..=50,
        )
    ) {
        // Arrange
        let sum = transfers.iter().fold(Cents::ZERO, |s, t| s.checked_add(Cents::new(t.0)).expect("fits"));

        // Act
        let mut writer = Pain001Writer::new(Vec::new(), &header(), transfers.len() as u64, sum).expect("header");
        writer.begin_payment(&batch(), transfers.len() as u64, sum).expect("block");
        for (number, (cents, name, remittance, with_bic)) in (1_u64..).zip(&transfers) {
            let mut tx = transfer(number, *cents, name, with_bic.then_some("INGBNL2A"));
            tx.remittance.clone_from(remittance);
            writer.transfer(&tx).expect("transfer");
        }
        writer.end_payment().expect("block adds up");
        let xml = writer.finish().expect("file adds up");

        // Assert
        assert_schema_valid(&xml, XSD);
    }
}
