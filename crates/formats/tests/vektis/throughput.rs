//! A large file (thousands of patients) reads back completely. Speed is measured by a
//! benchmark command (issue 5), not here.

use ixorg_formats::vektis::{read_mz301, write_mz301};

use crate::common::SAMPLE;

/// Copies of the sample's first patient in the synthetic file.
const PATIENTS: usize = 5_000;

#[test]
fn a_file_of_thousands_of_patients_reads_back_completely() {
    // Arrange
    let mut file = read_mz301(SAMPLE).expect("the sample is valid");
    let patient = file.patients[0].clone();
    let lines_per_patient = patient.lines.len();
    file.patients = vec![patient; PATIENTS];
    file.renumber().expect("no overflow");
    let bytes = write_mz301(&file).expect("fits");

    // Act
    let read = read_mz301(&bytes).expect("valid");

    // Assert
    assert_eq!(read.patients.len(), PATIENTS);
    assert_eq!(read.lines().count(), PATIENTS * lines_per_patient);
}
