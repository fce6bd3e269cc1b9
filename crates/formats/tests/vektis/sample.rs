//! The real Vektis sample file parses completely and its totals check out.

use ixorg_domain::Cents;
use ixorg_formats::vektis::{Accident, MessageKind, read_mz301};
use time::macros::date;

use crate::common::SAMPLE;

#[test]
fn the_vektis_sample_file_parses_completely() {
    // Act
    let file = read_mz301(SAMPLE).unwrap_or_else(|errors| panic!("{errors}"));

    // Assert
    assert_eq!(file.header.kind, MessageKind::Production);
    assert_eq!(file.header.receiver.as_str(), "9999");
    assert_eq!(
        file.header.provider.as_ref().map(|agb| agb.as_str()),
        Some("12041054")
    );
    assert_eq!(
        file.header.practice.as_ref().map(|agb| agb.as_str()),
        Some("12002242")
    );
    assert_eq!(file.header.institution, None);
    assert_eq!(file.header.period_start, date!(2009 - 01 - 01));
    assert_eq!(file.header.period_end, date!(2009 - 07 - 31));
    assert_eq!(file.header.invoice_number, "factuur-92");
    assert_eq!(file.header.invoice_date, date!(2009 - 07 - 31));
    assert_eq!(file.header.currency, "EUR");
    assert_eq!(file.patients.len(), 2);
    assert_eq!(file.lines().count(), 4);
}

#[test]
fn the_sample_totals_match_what_the_file_holds() {
    // Act
    let file = read_mz301(SAMPLE).unwrap_or_else(|errors| panic!("{errors}"));

    // Assert
    let totals = file.totals;
    assert_eq!(totals.insured_count, 2);
    assert_eq!(totals.debtor_count, 2);
    assert_eq!(totals.line_count, 4);
    assert_eq!(totals.comment_count, 5);
    assert_eq!(totals.detail_count, 13);
    assert_eq!(totals.declared, Cents::new(40_000));
    let sum = file
        .lines()
        .try_fold(Cents::ZERO, |sum, line| sum.checked_add(line.declared));
    assert_eq!(sum, Some(totals.declared));
}

#[test]
fn the_sample_lines_keep_their_old_codes_and_their_details() {
    // Act
    let file = read_mz301(SAMPLE).unwrap_or_else(|errors| panic!("{errors}"));

    // Assert
    let lines: Vec<_> = file.lines().collect();
    let references: Vec<_> = lines.iter().map(|line| line.reference.as_str()).collect();
    assert_eq!(references, ["Ref_01", "Ref_02", "Ref_03", "Ref_04"]);
    let records: Vec<_> = lines.iter().map(|line| line.record).collect();
    assert_eq!(records, [5, 6, 12, 13]);
    let first = lines[0];
    assert_eq!(first.detail_id, 3);
    assert_eq!(first.code, "195001");
    assert_eq!(first.tariff_code(), None, "an old code is read, not judged");
    assert_eq!(first.code_list, 10);
    assert_eq!(first.treatment_date, date!(2009 - 01 - 01));
    assert_eq!(first.provider.as_str(), "12041054");
    assert_eq!(first.tariff, Cents::new(100));
    assert_eq!(first.quantity, 1);
    assert_eq!(first.declared, Cents::new(10_000));
    assert_eq!(first.vat_basis_points, 600);
    assert_eq!(first.accident, None::<Accident>);
    assert_eq!(first.insured_number, "DV3vnr_01");
    assert!(first.is_honorarium());
    assert_eq!(lines[2].treatment_date, date!(2009 - 02 - 01));
}

#[test]
fn the_sample_participants_carry_valid_bsns_and_their_comments() {
    // Act
    let file = read_mz301(SAMPLE).unwrap_or_else(|errors| panic!("{errors}"));

    // Assert
    let first = &file.patients[0];
    assert_eq!(
        first.bsn.as_ref().map(|bsn| bsn.masked()),
        Some("*****2294".to_owned())
    );
    assert_eq!(first.birth_date, date!(1950 - 01 - 01));
    assert_eq!(first.comments.len(), 1);
    assert_eq!(first.comments[0].text, "COMMENTAAR VZ RECORD1");
    let debtor = first
        .debtor
        .as_ref()
        .expect("the first patient has a debtor");
    assert_eq!(debtor.record, 4);
    assert_eq!(debtor.debtor_number, "DV3DEBT1");
    assert_eq!(first.lines[1].comments.len(), 2);
    assert_eq!(first.lines[1].comments[1].line_number, 2);
    assert_eq!(
        file.patients[1].lines[1].comments[0].text,
        "COMMENTAAR PRES RECORD4"
    );
}

#[test]
fn the_sample_reads_the_same_with_lf_line_endings_and_without_a_final_newline() {
    // Arrange
    let lf: Vec<u8> = SAMPLE.iter().copied().filter(|&b| b != b'\r').collect();
    let unterminated = &lf[..lf.len() - 1];

    // Act
    let crlf = read_mz301(SAMPLE);
    let lf = read_mz301(&lf);
    let unterminated = read_mz301(unterminated);

    // Assert
    assert!(crlf.is_ok());
    assert_eq!(crlf, lf);
    assert_eq!(crlf, unterminated);
}
