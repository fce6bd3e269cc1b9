//! No input makes the readers panic or loop: arbitrary bytes, mutated valid files and random
//! tag soup.

use ixorg_formats::sepa::{Camt053Reader, read_pain002};
use proptest::prelude::*;

use crate::common::read_golden;

/// More events than any test input can hold; a reader that passes it is looping.
const EVENTS_MAX: usize = 100_000;

fn drain_camt053(input: &[u8]) {
    let mut reader = Camt053Reader::new(input);
    for _ in 0..EVENTS_MAX {
        match reader.next_event() {
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => return,
        }
    }
    panic!("the reader did not finish");
}

fn read_both(input: &[u8]) {
    drain_camt053(input);
    let _ = read_pain002(input);
}

/// A mutation of a valid file: flip, delete, insert or duplicate a range.
#[derive(Clone, Debug)]
enum Mutation {
    Set(usize, u8),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Duplicate(usize, usize),
    Truncate(usize),
}

/// Snippets that stress the XML parser when inserted anywhere.
const SNIPPETS: &[&[u8]] = &[
    b"<",
    b">",
    b"&",
    b"</Ntry>",
    b"<TxDtls>",
    b"<![CDATA[",
    b"&#0;",
    b"&#x1F600;",
];

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Set(at, byte)),
        (any::<usize>(), 0_usize..64).prop_map(|(at, n)| Mutation::Delete(at, n)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 0..16))
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        (any::<usize>(), prop::sample::select(SNIPPETS))
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes.to_vec())),
        (any::<usize>(), 0_usize..400).prop_map(|(at, n)| Mutation::Duplicate(at, n)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for mutation in mutations {
        let len = bytes.len().max(1);
        match mutation {
            Mutation::Set(at, byte) => {
                if let Some(slot) = bytes.get_mut(at % len) {
                    *slot = *byte;
                }
            }
            Mutation::Delete(at, n) => {
                let start = (at % len).min(bytes.len());
                let end = (start + n).min(bytes.len());
                bytes.drain(start..end);
            }
            Mutation::Insert(at, inserted) => {
                let at = (at % len).min(bytes.len());
                bytes.splice(at..at, inserted.iter().copied());
            }
            Mutation::Duplicate(at, n) => {
                let start = (at % len).min(bytes.len());
                let end = (start + n).min(bytes.len());
                let copy = bytes[start..end].to_vec();
                bytes.splice(end..end, copy);
            }
            Mutation::Truncate(at) => bytes.truncate(at % len),
        }
    }
    bytes
}

const TAGS: &[&str] = &[
    "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">",
    "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.03\">",
    "</Document>",
    "<BkToCstmrStmt>",
    "</BkToCstmrStmt>",
    "<CstmrPmtStsRpt>",
    "</CstmrPmtStsRpt>",
    "<Stmt>",
    "</Stmt>",
    "<Ntry>",
    "</Ntry>",
    "<NtryDtls>",
    "</NtryDtls>",
    "<TxDtls>",
    "</TxDtls>",
    "<Bal>",
    "</Bal>",
    "<Amt Ccy=\"EUR\">",
    "<Amt>",
    "</Amt>",
    "<CdtDbtInd>",
    "</CdtDbtInd>",
    "<Sts>",
    "</Sts>",
    "<Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></Acct>",
    "<Id>",
    "</Id>",
    "<CreDtTm>",
    "</CreDtTm>",
    "<RtrInf><Rsn><Cd>",
    "</Cd></Rsn></RtrInf>",
    "<Refs>",
    "</Refs>",
    "<EndToEndId>",
    "</EndToEndId>",
    "<OrgnlPmtInfAndSts>",
    "</OrgnlPmtInfAndSts>",
    "<TxInfAndSts>",
    "</TxInfAndSts>",
    "<OrgnlEndToEndId>",
    "</OrgnlEndToEndId>",
    "<TxSts>",
    "</TxSts>",
    "<GrpHdr><MsgId>M</MsgId></GrpHdr>",
    "12.30",
    "CRDT",
    "DBIT",
    "BOOK",
    "&amp;",
    "<Empty/>",
    "2026-12-01",
    "<RvslInd>",
    "</RvslInd>",
    "true",
];

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic_the_readers(bytes in prop::collection::vec(any::<u8>(), 0..2_000)) {
        read_both(&bytes);
    }

    #[test]
    fn mutated_statements_never_panic_the_readers(mutations in prop::collection::vec(arb_mutation(), 1..6)) {
        read_both(&apply(read_golden("camt053_rabo_collection.xml"), &mutations));
    }

    #[test]
    fn mutated_status_reports_never_panic_the_readers(mutations in prop::collection::vec(arb_mutation(), 1..6)) {
        read_both(&apply(read_golden("pain002_rjct_ac04.xml"), &mutations));
    }

    #[test]
    fn random_tag_soup_never_panics_the_readers(tags in prop::collection::vec(prop::sample::select(TAGS), 0..200)) {
        read_both(tags.concat().as_bytes());
    }
}

#[test]
fn deeply_nested_input_is_refused_not_overflowed() {
    // Arrange
    let mut input = String::from(
        "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>",
    );
    input.push_str(&"<a>".repeat(10_000));

    // Act
    let error = Camt053Reader::new(input.as_bytes())
        .next_event()
        .expect_err("too deep");

    // Assert
    assert!(matches!(
        error.problem,
        ixorg_formats::sepa::ReadProblem::TooDeep { .. }
    ));
}

#[test]
fn an_endless_tag_is_refused_without_buffering_it_all() {
    // Arrange
    let mut input = String::from(
        "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt a=\"",
    );
    input.push_str(&"x".repeat(3 * 1024 * 1024));

    // Act
    let error = Camt053Reader::new(input.as_bytes())
        .next_event()
        .expect_err("too large");

    // Assert
    assert!(matches!(
        error.problem,
        ixorg_formats::sepa::ReadProblem::TooLarge { .. }
    ));
}

#[test]
fn an_overlong_text_field_is_refused() {
    // Arrange
    let input = String::from_utf8(read_golden("pain002_rjct_ac04.xml"))
        .expect("UTF-8")
        .replace("RABO-PSR-20261128-000731", &"X".repeat(1_001));

    // Act
    let error = read_pain002(input.as_bytes()).expect_err("too long");

    // Assert
    assert_eq!(
        error.problem,
        ixorg_formats::sepa::ReadProblem::TextTooLong { max_chars: 1_000 }
    );
    assert_eq!(error.path, "Document/CstmrPmtStsRpt/GrpHdr/MsgId");
}
