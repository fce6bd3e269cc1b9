//! The camt.053 reader on a realistic Dutch statement, its errors, and the writer round trip.

use ixorg_domain::Cents;
use ixorg_domain::identifiers::Iban;
use ixorg_formats::sepa::{
    Camt053Event, Camt053Reader, Camt053Writer, Entry, ReadProblem, SepaReadError, SepaWriteError,
    SignedAmount, StatementHeader, StatementStart, TxDetail, WriteScope,
};
use proptest::prelude::*;

use crate::common::{date, date_time, iban, read_golden};

const SAMPLE: &str = "camt053_rabo_collection.xml";

fn sample() -> String {
    String::from_utf8(read_golden(SAMPLE)).expect("UTF-8 sample")
}

/// Reads every event, or the first error.
fn read_all(input: &[u8]) -> Result<Vec<Camt053Event>, SepaReadError> {
    let mut reader = Camt053Reader::new(input);
    let mut events = Vec::new();
    while let Some(event) = reader.next_event()? {
        events.push(event);
    }
    Ok(events)
}

fn entries(events: &[Camt053Event]) -> Vec<&Entry> {
    events
        .iter()
        .filter_map(|event| match event {
            Camt053Event::Entry(entry) => Some(entry),
            Camt053Event::Statement(_) => None,
        })
        .collect()
}

#[test]
fn the_statement_header_comes_first_with_both_balances() {
    // Arrange
    let input = sample();

    // Act
    let events = read_all(input.as_bytes()).expect("the sample reads");

    // Assert
    let Some(Camt053Event::Statement(header)) = events.first() else {
        panic!("the first event is the statement header");
    };
    assert_eq!(
        header.message_id.as_deref(),
        Some("RABO-CAMT053-20261203-0001")
    );
    assert_eq!(header.id, "3456789012-2026-12-03");
    assert_eq!(header.created_at, "2026-12-04T06:12:45.137+01:00");
    assert_eq!(header.account_iban, iban("RABO", 3_456_789_012));
    assert_eq!(
        header.opening_balance,
        Some(SignedAmount {
            amount: Cents::new(100_000),
            date: Some(date(2026, 12, 3))
        })
    );
    assert_eq!(
        header.closing_balance.map(|b| b.amount),
        Some(Cents::new(112_260))
    );
    assert_eq!(entries(&events).len(), 3);
}

#[test]
fn a_batch_entry_carries_every_transaction_with_its_references() {
    // Arrange
    let input = sample();

    // Act
    let events = read_all(input.as_bytes()).expect("the sample reads");

    // Assert
    let batch = entries(&events)[0];
    assert_eq!(batch.amount, Cents::new(8490));
    assert!(batch.credit);
    assert!(!batch.reversal);
    assert_eq!(batch.status, "BOOK");
    assert_eq!(batch.booking_date, Some(date(2026, 12, 1)));
    assert_eq!(
        batch.account_servicer_ref.as_deref(),
        Some("20261201-0815-0001")
    );
    assert_eq!(batch.details.len(), 3);
    assert_eq!(
        batch.details[0],
        TxDetail {
            end_to_end_id: Some("IXC-000001-202612".to_owned()),
            mandate_id: Some("IXORG-M-000001".to_owned()),
            payment_info_id: Some("IXORG-20261201-FRST".to_owned()),
            amount: Some(Cents::new(1230)),
            return_reason: None,
            counterparty_iban: Some("NL75INGB0001000001".to_owned()),
            remittance: Some("Bijdrage tandzorgbudget december 2026".to_owned()),
        }
    );
    assert_eq!(batch.details[2].amount, Some(Cents::new(2700)));
    assert_eq!(
        batch.details[2].remittance.as_deref(),
        Some("Bijdrage december Tandzorg & fee")
    );
    let sum = batch
        .details
        .iter()
        .filter_map(|d| d.amount)
        .fold(Cents::ZERO, |s, a| s.checked_add(a).expect("small"));
    assert_eq!(sum, batch.amount);
}

#[test]
fn a_returned_direct_debit_carries_its_reason_and_the_debtor_account() {
    // Arrange
    let input = sample();

    // Act
    let events = read_all(input.as_bytes()).expect("the sample reads");

    // Assert
    let returned = entries(&events)[1];
    assert!(!returned.credit);
    assert!(returned.reversal);
    assert_eq!(returned.amount, Cents::new(1230));
    let detail = &returned.details[0];
    assert_eq!(detail.return_reason.as_deref(), Some("AM04"));
    assert_eq!(detail.end_to_end_id.as_deref(), Some("IXC-000001-202612"));
    assert_eq!(detail.amount, Some(Cents::new(1230)));
    assert_eq!(
        detail.counterparty_iban.as_deref(),
        Some("NL75INGB0001000001")
    );
}

#[test]
fn an_incoming_credit_without_an_end_to_end_id_reads_as_none() {
    // Arrange
    let input = sample();

    // Act
    let events = read_all(input.as_bytes()).expect("the sample reads");

    // Assert
    let credit = entries(&events)[2];
    assert!(credit.credit);
    assert_eq!(credit.amount, Cents::new(5000));
    assert_eq!(credit.details[0].end_to_end_id, None);
    assert_eq!(
        credit.details[0].counterparty_iban.as_deref(),
        Some("NL91ABNA0417164300")
    );
}

#[test]
fn later_camt053_versions_with_a_coded_status_are_read_too() {
    // Arrange
    let input = sample()
        .replace("camt.053.001.02", "camt.053.001.08")
        .replace("<Sts>BOOK</Sts>", "<Sts><Cd>BOOK</Cd></Sts>");

    // Act
    let events = read_all(input.as_bytes()).expect("the .08 variant reads");

    // Assert
    assert!(entries(&events).iter().all(|entry| entry.status == "BOOK"));
}

#[test]
fn an_amount_with_a_comma_is_an_error_naming_the_entry() {
    // Arrange
    let input = sample().replacen(
        "<Amt Ccy=\"EUR\">12.30</Amt>\n        <CdtDbtInd>DBIT",
        "<Amt Ccy=\"EUR\">12,30</Amt>\n        <CdtDbtInd>DBIT",
        1,
    );

    // Act
    let error = read_all(input.as_bytes()).expect_err("bad amount");

    // Assert
    assert_eq!(error.path, "Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/Amt");
    assert_eq!(error.problem, ReadProblem::InvalidAmount);
    assert!(error.to_string().contains("Ntry[2]/Amt"));
}

#[test]
fn amounts_with_three_decimals_a_sign_or_an_exponent_are_refused() {
    for bad in ["84.901", "-84.90", "+84.90", "8.49e1", ".90", "84.", ""] {
        // Arrange
        let input = sample().replacen(">84.90<", &format!(">{bad}<"), 1);

        // Act
        let error = read_all(input.as_bytes()).expect_err("bad amount");

        // Assert
        assert_eq!(error.problem, ReadProblem::InvalidAmount, "{bad}");
        assert!(error.path.ends_with("Ntry[1]/Amt"), "{bad}: {}", error.path);
    }
}

#[test]
fn a_statement_without_an_account_iban_is_an_error_naming_the_element() {
    // Arrange
    let input = sample().replace(
        "<IBAN>NL94RABO3456789012</IBAN>\n        </Id>\n        <Ccy>",
        "<Othr><Id>3456789012</Id></Othr>\n        </Id>\n        <Ccy>",
    );

    // Act
    let error = read_all(input.as_bytes()).expect_err("no account IBAN");

    // Assert
    assert_eq!(error.path, "Document/BkToCstmrStmt/Stmt[1]/Acct/Id/IBAN");
    assert_eq!(error.problem, ReadProblem::MissingElement);
}

#[test]
fn an_invalid_account_iban_is_reported_without_its_value() {
    // Arrange
    let input = sample().replacen("NL94RABO3456789012", "NL95RABO3456789012", 1);

    // Act
    let error = read_all(input.as_bytes()).expect_err("bad IBAN");

    // Assert
    assert_eq!(error.problem, ReadProblem::InvalidIban);
    assert!(!error.to_string().contains("3456789012"), "{error}");
}

#[test]
fn an_entry_without_a_credit_debit_indicator_is_an_error() {
    // Arrange
    let input = sample().replacen("<CdtDbtInd>CRDT</CdtDbtInd>\n        <Sts>", "<Sts>", 1);

    // Act
    let error = read_all(input.as_bytes()).expect_err("no indicator");

    // Assert
    assert_eq!(
        error.path,
        "Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/CdtDbtInd"
    );
    assert_eq!(error.problem, ReadProblem::MissingElement);
}

#[test]
fn an_impossible_booking_date_is_an_error() {
    // Arrange
    let input = sample().replacen("<Dt>2026-12-01</Dt>", "<Dt>2026-02-30</Dt>", 1);

    // Act
    let error = read_all(input.as_bytes()).expect_err("bad date");

    // Assert
    assert_eq!(
        error.path,
        "Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/BookgDt/Dt"
    );
    assert_eq!(error.problem, ReadProblem::InvalidDate);
}

#[test]
fn an_entry_in_another_currency_is_refused() {
    // Arrange
    let input = sample().replacen(
        "<Amt Ccy=\"EUR\">84.90</Amt>",
        "<Amt Ccy=\"USD\">84.90</Amt>",
        1,
    );

    // Act
    let error = read_all(input.as_bytes()).expect_err("not EUR");

    // Assert
    assert_eq!(error.problem, ReadProblem::Currency);
}

#[test]
fn a_pain008_file_is_refused_as_the_wrong_document() {
    // Arrange
    let input = read_golden("pain008_collection.xml");

    // Act
    let error = read_all(&input).expect_err("not a statement");

    // Assert
    assert!(matches!(error.problem, ReadProblem::WrongDocument { .. }));
}

#[test]
fn a_truncated_statement_is_an_error_and_stays_one() {
    // Arrange
    let input = sample();
    let truncated = &input.as_bytes()[..input.len() / 2];
    let mut reader = Camt053Reader::new(truncated);

    // Act
    let first_error = loop {
        match reader.next_event() {
            Ok(Some(_)) => {}
            Ok(None) => panic!("a truncated file must not end cleanly"),
            Err(error) => break error,
        }
    };

    // Assert
    assert_eq!(first_error.problem, ReadProblem::UnexpectedEnd);
    assert_eq!(reader.next_event(), Err(first_error));
}

#[test]
fn a_document_without_a_statement_is_an_error() {
    // Arrange
    let input = r#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>X</MsgId></GrpHdr></BkToCstmrStmt></Document>"#;

    // Act
    let error = read_all(input.as_bytes()).expect_err("no statement");

    // Assert
    assert_eq!(error.path, "Document/BkToCstmrStmt/Stmt");
}

fn start(opening: i64, closing: i64) -> StatementStart {
    StatementStart {
        message_id: "SIM-20261203".to_owned(),
        statement_id: "SIM-STMT-1".to_owned(),
        created_at: date_time(2026, 12, 4, 6, 0),
        account_iban: iban("RABO", 3_456_789_012),
        opening_balance: SignedAmount {
            amount: Cents::new(opening),
            date: None,
        },
        closing_balance: SignedAmount {
            amount: Cents::new(closing),
            date: Some(date(2026, 12, 3)),
        },
    }
}

#[test]
fn the_writer_refuses_a_closing_balance_that_does_not_match_the_entries() {
    // Arrange
    let mut writer = Camt053Writer::new(Vec::new(), &start(0, 100)).expect("start is valid");
    let entry = Entry {
        amount: Cents::new(50),
        credit: true,
        reversal: false,
        status: "BOOK".to_owned(),
        booking_date: None,
        value_date: None,
        account_servicer_ref: None,
        details: Vec::new(),
    };
    writer.entry(&entry).expect("entry is valid");

    // Act
    let result = writer.finish();

    // Assert
    assert!(matches!(
        result,
        Err(SepaWriteError::SumMismatch {
            scope: WriteScope::Statement,
            ..
        })
    ));
}

fn arb_text(max: usize) -> impl Strategy<Value = String> {
    let inner = prop::string::string_regex(&format!(
        "[A-Za-z0-9 &<>'\"/.,-]{{0,{}}}",
        max.saturating_sub(2)
    ))
    .expect("valid regex");
    ("[A-Za-z0-9&<>]", inner, "[A-Za-z0-9.)]").prop_map(|(a, b, c)| format!("{a}{b}{c}"))
}

fn arb_id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9/-]{0,33}[A-Za-z0-9]"
}

fn arb_date() -> impl Strategy<Value = time::Date> {
    (2020_i32..2031, 1_u16..=365)
        .prop_map(|(year, day)| time::Date::from_ordinal_date(year, day).expect("valid ordinal"))
}

fn arb_detail() -> impl Strategy<Value = TxDetail> {
    (
        prop::option::of(arb_id()),
        prop::option::of(arb_id()),
        prop::option::of(arb_id()),
        prop::option::of((0_i64..=99_999_999_999).prop_map(Cents::new)),
        prop::option::of("[A-Z]{2}[0-9]{2}"),
        prop::option::of(("[A-Z]{4}", 0_u64..=9_999_999_999)),
        prop::option::of(arb_text(140)),
    )
        .prop_map(
            |(e2e, mandate, info, amount, reason, account, remittance)| TxDetail {
                end_to_end_id: e2e,
                mandate_id: mandate,
                payment_info_id: info,
                amount,
                return_reason: reason,
                counterparty_iban: account.map(|(bank, number)| {
                    Iban::from_parts_nl(&bank, number)
                        .expect("valid parts")
                        .expose()
                        .to_owned()
                }),
                remittance,
            },
        )
}

fn arb_entry() -> impl Strategy<Value = Entry> {
    (
        0_i64..=99_999_999_999,
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(vec!["BOOK", "PDNG", "INFO"]),
        prop::option::of(arb_date()),
        prop::option::of(arb_date()),
        prop::option::of(arb_id()),
        prop::collection::vec(arb_detail(), 0..5),
    )
        .prop_map(
            |(cents, credit, reversal, status, booked, value, reference, details)| Entry {
                amount: Cents::new(cents),
                credit,
                reversal,
                status: status.to_owned(),
                booking_date: booked,
                value_date: value,
                account_servicer_ref: reference,
                details,
            },
        )
}

proptest! {
    #[test]
    fn written_statements_read_back_to_the_same_entries(
        opening in -99_999_999_999_i64..=99_999_999_999,
        written in prop::collection::vec(arb_entry(), 0..20),
    ) {
        // Arrange
        let closing = written.iter().filter(|e| e.status == "BOOK").fold(opening, |sum, e| {
            if e.credit { sum + e.amount.get() } else { sum - e.amount.get() }
        });
        let start = start(opening, closing);
        let mut writer = Camt053Writer::new(Vec::new(), &start).expect("start");
        for entry in &written {
            writer.entry(entry).expect("entry");
        }
        let bytes = writer.finish().expect("balances add up");

        // Act
        let events = read_all(&bytes).expect("the writer's output reads");

        // Assert
        let expected_header = StatementHeader {
            message_id: Some(start.message_id.clone()),
            id: start.statement_id.clone(),
            created_at: "2026-12-04T06:00:00".to_owned(),
            account_iban: start.account_iban.clone(),
            opening_balance: Some(SignedAmount { amount: Cents::new(opening), date: Some(date(2026, 12, 4)) }),
            closing_balance: Some(start.closing_balance),
        };
        prop_assert_eq!(&events[0], &Camt053Event::Statement(expected_header));
        let read: Vec<Entry> = entries(&events).into_iter().cloned().collect();
        prop_assert_eq!(read, written);
    }
}
