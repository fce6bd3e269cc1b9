//! The MZ302 return file: every record followed by its return section, totals in the 99.

use ixorg_domain::Cents;
use ixorg_formats::vektis::{
    RecordReturn, ReturnCode, ReturnHeader, WriteProblem, read_mz301, write_mz302,
};
use time::macros::date;

use crate::common::{SAMPLE, assert_golden};

/// Fixed outcomes for the sample: the 01 record accepted (`0000`), every line rejected with
/// the unknown-code reason (`0550` as a stand-in from `MZ301.md`), line 12 also `3903`.
fn sample_returns(record: usize) -> RecordReturn {
    let code = |text: &str| Some(ReturnCode::parse(text).expect("four digits"));
    match record {
        1 => RecordReturn {
            codes: [code("0000"), None, None],
            ..RecordReturn::default()
        },
        5 | 6 | 13 => RecordReturn {
            calculated: Cents::new(10_000),
            assigned: Cents::ZERO,
            codes: [code("0550"), None, None],
        },
        12 => RecordReturn {
            calculated: Cents::new(10_000),
            assigned: Cents::new(2_500),
            codes: [code("0550"), code("3903"), None],
        },
        _ => RecordReturn::default(),
    }
}

fn header() -> ReturnHeader {
    ReturnHeader {
        insurer_reference: "IXORG-BATCH-1".to_owned(),
        return_date: date!(2026 - 03 - 02),
    }
}

#[test]
fn the_sample_return_file_matches_its_golden_file() {
    // Arrange
    let file = read_mz301(SAMPLE).expect("the sample is valid");

    // Act
    let mz302 = write_mz302(&file, SAMPLE, &header(), &sample_returns).expect("writable");

    // Assert
    assert_golden("MZ302-vektis-sample.asc", &mz302);
}

#[test]
fn every_return_record_is_370_characters_and_starts_with_the_original_record() {
    // Arrange
    let file = read_mz301(SAMPLE).expect("the sample is valid");

    // Act
    let mz302 = write_mz302(&file, SAMPLE, &header(), &sample_returns).expect("writable");

    // Assert
    let returned: Vec<&[u8]> = mz302
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let original: Vec<&[u8]> = SAMPLE
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(returned.len(), original.len());
    for (returned, original) in returned.iter().zip(&original) {
        assert_eq!(returned.len(), 371, "370 characters and CR");
        if !returned.starts_with(b"99") {
            assert_eq!(returned[..310], original[..310]);
        }
    }
    let line = returned[4];
    assert_eq!(&line[310..340], b"00010000D00000000D0550        ");
    let trailer = std::str::from_utf8(returned[14]).expect("ASCII");
    assert_eq!(
        &trailer[..57],
        "99000002000002000004000005000001300000040000D00000002500D"
    );
}

#[test]
fn a_return_without_a_code_for_the_voorloop_record_is_refused() {
    // Arrange
    let file = read_mz301(SAMPLE).expect("the sample is valid");

    // Act
    let result = write_mz302(&file, SAMPLE, &header(), &|_| RecordReturn::default());

    // Assert
    let error = result.expect_err("the 01 record needs a return code");
    assert_eq!((error.record, error.problem), (1, WriteProblem::Missing));
}

#[test]
fn a_return_for_other_bytes_than_the_read_file_is_refused() {
    // Arrange
    let file = read_mz301(SAMPLE).expect("the sample is valid");
    let shorter = &SAMPLE[..SAMPLE.len() - 312];

    // Act
    let result = write_mz302(&file, shorter, &header(), &sample_returns);

    // Assert
    assert_eq!(
        result.expect_err("mismatch").problem,
        WriteProblem::Mismatch
    );
}

#[test]
fn a_return_code_is_exactly_four_digits() {
    assert!(ReturnCode::parse("0030").is_ok());
    assert!(ReturnCode::parse("030").is_err());
    assert!(ReturnCode::parse("00a0").is_err());
}
