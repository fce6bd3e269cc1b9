//! A malformed file is rejected with every problem, each with record, position and field.

use ixorg_formats::vektis::{ERRORS_MAX, Mz301Error, Problem, read_mz301};

use crate::common::{join, put, sample_records};

/// The (record, position, field) triples of a rejected file.
fn places(input: &[u8]) -> Vec<(usize, usize, &'static str)> {
    let errors = read_mz301(input).expect_err("the file is malformed");
    errors
        .errors
        .iter()
        .map(|e| (e.record, e.position, e.field))
        .collect()
}

#[test]
fn a_sample_with_five_faults_is_rejected_with_every_problem_listed() {
    // Arrange
    let mut records = sample_records();
    records[2].pop(); // record 3 (a 98) is one character short
    put(&mut records[4], 59, "20090231"); // record 5: 31 February
    put(&mut records[5], 131, "00a1"); // record 6: a letter in AANTAL
    put(&mut records[14], 34, "00000050000"); // record 15: wrong total
    records.swap(9, 10); // records 10 (98) and 11 (03) swapped

    // Act
    let errors = read_mz301(&join(&records)).expect_err("the file is malformed");

    // Assert
    let found: Vec<_> = errors
        .errors
        .iter()
        .map(|e| (e.record, e.position, e.field))
        .collect();
    assert_eq!(
        found,
        [
            (3, 310, "Record"),
            (5, 59, "Datum prestatie"),
            (6, 133, "Aantal uitgevoerde prestaties"),
            (11, 3, "Identificatie detailrecord"),
            (15, 34, "Totaal declaratiebedrag"),
        ],
        "{errors}"
    );
    assert!(!errors.is_truncated());
}

#[test]
fn errors_read_as_record_position_field_and_problem_without_personal_data() {
    // Arrange
    let mut records = sample_records();
    put(&mut records[4], 59, "20091301");
    put(&mut records[4], 15, "288902295");

    // Act
    let errors = read_mz301(&join(&records)).expect_err("the file is malformed");

    // Assert
    let text = errors.to_string();
    assert!(
        text.contains("record 5, position 59, field `Datum prestatie`: not a valid date"),
        "{text}"
    );
    assert!(!text.contains("28890229"), "no BSN in {text}");
}

#[test]
fn a_bsn_that_fails_the_eleven_proef_is_named_by_its_field() {
    // Arrange
    let mut records = sample_records();
    put(&mut records[1], 15, "288902295");

    // Act / Assert
    assert_eq!(
        places(&join(&records)),
        [(2, 15, "Burgerservicenummer (BSN) verzekerde")]
    );
}

#[test]
fn a_prestatie_record_before_any_verzekerde_is_out_of_order() {
    // Arrange
    let mut records = sample_records();
    let line = records.remove(4);
    records.insert(1, line);

    // Act
    let errors = read_mz301(&join(&records)).expect_err("out of order");

    // Assert
    let first = &errors.errors[0];
    assert_eq!((first.record, first.position), (2, 1));
    assert!(matches!(first.problem, Problem::Order(_)), "{errors}");
}

#[test]
fn a_comment_that_does_not_repeat_its_parent_id_is_rejected() {
    // Arrange
    let mut records = sample_records();
    put(&mut records[2], 3, "000000000002");

    // Act
    let errors = read_mz301(&join(&records)).expect_err("wrong parent id");

    // Assert
    assert_eq!(errors.errors.len(), 1, "{errors}");
    assert_eq!(errors.errors[0].problem, Problem::ParentId { expected: 1 });
}

#[test]
fn a_material_record_that_does_not_follow_its_honorarium_record_is_rejected() {
    // Arrange: record 12 (first line of patient 2) becomes material costs.
    let mut records = sample_records();
    put(&mut records[11], 67, "02");

    // Act
    let errors = read_mz301(&join(&records)).expect_err("orphan material record");

    // Assert
    assert_eq!(errors.errors.len(), 1, "{errors}");
    assert_eq!(errors.errors[0].problem, Problem::AdditionalCost);
    assert_eq!(
        (errors.errors[0].record, errors.errors[0].position),
        (12, 67)
    );
}

#[test]
fn a_material_record_right_after_its_honorarium_with_the_same_code_is_accepted() {
    // Arrange: record 6 repeats record 5's code as material costs.
    let mut records = sample_records();
    put(&mut records[5], 67, "02");
    put(&mut records[5], 76, "195001");

    // Act / Assert
    assert!(read_mz301(&join(&records)).is_ok());
}

#[test]
fn counts_in_the_sluit_record_are_checked_one_by_one() {
    // Arrange
    let mut records = sample_records();
    put(&mut records[14], 3, "000003");
    put(&mut records[14], 27, "0000014");

    // Act / Assert
    assert_eq!(
        places(&join(&records)),
        [
            (15, 3, "Aantal verzekerdenrecords"),
            (15, 27, "Totaal aantal detailrecords")
        ]
    );
}

#[test]
fn a_file_without_its_sluit_record_is_rejected_at_its_last_record() {
    // Arrange
    let mut records = sample_records();
    records.pop();

    // Act / Assert
    assert_eq!(places(&join(&records)), [(14, 1, "Kenmerk record")]);
}

#[test]
fn an_empty_file_is_rejected() {
    // Act
    let errors = read_mz301(b"").expect_err("empty");

    // Assert
    assert_eq!(errors.errors[0].problem, Problem::Empty);
}

#[test]
fn a_reserve_field_that_is_not_blank_is_rejected_at_the_first_filled_position() {
    // Arrange
    let mut records = sample_records();
    put(&mut records[0], 200, "x");

    // Act / Assert
    assert_eq!(places(&join(&records)), [(1, 200, "Reserve")]);
}

#[test]
fn a_file_with_many_faults_keeps_a_bounded_list_and_says_so() {
    // Arrange: 150 lines of garbage after the sample header.
    let mut records = sample_records();
    records.truncate(1);
    records.extend(std::iter::repeat_n(b"04".to_vec(), 150));

    // Act
    let errors = read_mz301(&join(&records)).expect_err("garbage");

    // Assert
    assert_eq!(errors.errors.len(), ERRORS_MAX);
    assert!(errors.is_truncated());
    assert!(errors.to_string().contains("more"));
    let first: &Mz301Error = &errors.errors[0];
    assert_eq!((first.record, first.field), (2, "Record"));
}
