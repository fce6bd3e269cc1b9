//! The pain.002 reader on a realistic status report, and its errors.

use ixorg_formats::sepa::{PaymentInfoStatus, ReadProblem, TransactionStatus, read_pain002};

use crate::common::{assert_schema_valid, read_golden};

const SAMPLE: &str = "pain002_rjct_ac04.xml";

fn sample() -> String {
    String::from_utf8(read_golden(SAMPLE)).expect("UTF-8 sample")
}

#[test]
fn the_sample_report_is_a_valid_pain002_message() {
    assert_schema_valid(&read_golden(SAMPLE), "pain.002.001.03.xsd");
}

#[test]
fn a_rejected_collection_is_read_with_its_reason_and_block_statuses() {
    // Arrange
    let input = sample();

    // Act
    let report = read_pain002(input.as_bytes()).expect("the sample reads");

    // Assert
    assert_eq!(report.message_id, "RABO-PSR-20261128-000731");
    assert_eq!(report.original_message_id, "IXORG-COLL-20261201");
    assert_eq!(report.group_status.as_deref(), Some("PART"));
    assert_eq!(report.group_reason, None);
    assert_eq!(
        report.transactions,
        vec![TransactionStatus {
            original_end_to_end_id: "IXC-000002-202612".to_owned(),
            status: "RJCT".to_owned(),
            reason: Some("AC04".to_owned()),
            creditor_id: None,
            creditor_iban: None,
            debtor_iban: Some("NL48INGB0001000002".parse().expect("iban")),
        }]
    );
    assert_eq!(
        report.payment_infos,
        vec![
            PaymentInfoStatus {
                original_payment_info_id: "IXORG-20261201-FRST".to_owned(),
                status: Some("PART".to_owned()),
                reason: None,
            },
            PaymentInfoStatus {
                original_payment_info_id: "IXORG-20261201-RCUR".to_owned(),
                status: Some("ACCP".to_owned()),
                reason: None,
            },
        ]
    );
}

#[test]
fn a_transaction_without_its_own_status_takes_the_status_of_its_block() {
    // Arrange
    let input = sample().replace("<TxSts>RJCT</TxSts>", "");

    // Act
    let report = read_pain002(input.as_bytes()).expect("the report reads");

    // Assert
    assert_eq!(report.transactions[0].status, "PART");
}

#[test]
fn a_whole_file_reject_carries_the_group_reason() {
    // Arrange
    let input = sample().replace(
        "<GrpSts>PART</GrpSts>",
        "<GrpSts>RJCT</GrpSts><StsRsnInf><Rsn><Cd>FF01</Cd></Rsn></StsRsnInf>",
    );

    // Act
    let report = read_pain002(input.as_bytes()).expect("the report reads");

    // Assert
    assert_eq!(report.group_status.as_deref(), Some("RJCT"));
    assert_eq!(report.group_reason.as_deref(), Some("FF01"));
}

#[test]
fn a_camt053_file_is_refused_as_the_wrong_document() {
    // Arrange
    let input = read_golden("camt053_rabo_collection.xml");

    // Act
    let error = read_pain002(input.as_slice()).expect_err("not a pain.002");

    // Assert
    assert_eq!(error.path, "Document");
    assert_eq!(
        error.problem,
        ReadProblem::WrongDocument {
            found: "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02".to_owned()
        }
    );
}

#[test]
fn a_transaction_without_an_end_to_end_id_is_an_error_naming_the_path() {
    // Arrange
    let input = sample().replace("<OrgnlEndToEndId>IXC-000002-202612</OrgnlEndToEndId>", "");

    // Act
    let error = read_pain002(input.as_bytes()).expect_err("missing id");

    // Assert
    assert_eq!(
        error.path,
        "Document/CstmrPmtStsRpt/OrgnlPmtInfAndSts[1]/TxInfAndSts[1]/OrgnlEndToEndId"
    );
    assert_eq!(error.problem, ReadProblem::MissingElement);
    assert!(error.position > 0);
}

/// The sample with the original creditor (identifier and account) repeated in `OrgnlTxRef`,
/// in schema order: the creditor scheme id before the debtor, the creditor's account last.
fn with_original_creditor(creditor_id: &str, creditor_iban: &str) -> String {
    let scheme = format!(
        "<CdtrSchmeId><Id><PrvtId><Othr><Id>{creditor_id}</Id><SchmeNm><Prtry>SEPA</Prtry>\
         </SchmeNm></Othr></PrvtId></Id></CdtrSchmeId><MndtRltdInf>"
    );
    let account = format!(
        "</DbtrAcct><Cdtr><Nm>ixorg B.V.</Nm></Cdtr><CdtrAcct><Id><IBAN>{creditor_iban}</IBAN>\
         </Id></CdtrAcct></OrgnlTxRef>"
    );
    sample().replacen("<MndtRltdInf>", &scheme, 1).replacen(
        "</DbtrAcct>\n        </OrgnlTxRef>",
        &account,
        1,
    )
}

#[test]
fn the_original_creditor_id_and_accounts_are_read_when_the_report_repeats_them() {
    // Arrange
    let input = with_original_creditor("NL38ZZZ000012345678", "NL91ABNA0417164300");
    assert_schema_valid(input.as_bytes(), "pain.002.001.03.xsd");

    // Act
    let report = read_pain002(input.as_bytes()).expect("reads");

    // Assert
    let t = &report.transactions[0];
    assert_eq!(t.creditor_id.as_deref(), Some("NL38ZZZ000012345678"));
    assert_eq!(
        t.creditor_iban,
        Some("NL91ABNA0417164300".parse().expect("iban"))
    );
    assert_eq!(
        t.debtor_iban,
        Some("NL48INGB0001000002".parse().expect("iban"))
    );
}

#[test]
fn an_invalid_original_creditor_account_is_an_error_naming_the_path() {
    // Arrange
    let input = with_original_creditor("NL38ZZZ000012345678", "NL00ABNA0417164300");

    // Act
    let error = read_pain002(input.as_bytes()).expect_err("invalid IBAN");

    // Assert
    assert!(
        error.path.ends_with("OrgnlTxRef/CdtrAcct/Id/IBAN"),
        "{}",
        error.path
    );
    assert_eq!(error.problem, ReadProblem::InvalidIban);
}

#[test]
fn a_report_without_a_message_id_is_an_error() {
    // Arrange
    let input = sample().replace("<MsgId>RABO-PSR-20261128-000731</MsgId>", "");

    // Act
    let error = read_pain002(input.as_bytes()).expect_err("missing message id");

    // Assert
    assert_eq!(error.path, "Document/CstmrPmtStsRpt/GrpHdr/MsgId");
    assert_eq!(error.problem, ReadProblem::MissingElement);
}

#[test]
fn malformed_xml_is_an_error_with_a_position() {
    // Arrange
    let input = sample().replace("</TxSts>", "</TxStatus>");

    // Act
    let error = read_pain002(input.as_bytes()).expect_err("mismatched tags");

    // Assert
    assert!(matches!(error.problem, ReadProblem::MalformedXml(_)));
    assert!(
        error.path.ends_with("TxInfAndSts[1]/TxSts"),
        "{}",
        error.path
    );
    assert!(error.position > 0);
}
