//! The synthetic generator's files are valid MZ301 files that read back as generated.

use ixorg_formats::vektis::{read_mz301, synthetic_file, write_mz301};

#[test]
fn synthetic_files_read_back_as_the_same_file_for_several_seeds() {
    for seed in [0, 1, 42, 2026, u64::MAX] {
        // Arrange
        let file = synthetic_file(200, 5, seed);

        // Act
        let bytes = write_mz301(&file).expect("generated values fit their fields");
        let read = read_mz301(&bytes);

        // Assert
        let read = read.unwrap_or_else(|errors| panic!("seed {seed}: {errors}"));
        assert_eq!(read, file, "seed {seed}");
    }
}

#[test]
fn a_synthetic_file_holds_credit_lines_tooth_numbers_and_accidents() {
    // Arrange / Act
    let file = synthetic_file(500, 4, 3);

    // Assert
    let lines: Vec<_> = file.lines().collect();
    assert!(lines.iter().any(|line| line.declared.is_negative()));
    assert!(lines.iter().any(|line| !line.element.is_empty()));
    assert!(lines.iter().all(|line| line.tariff_code().is_some()));
    assert!(
        lines
            .iter()
            .any(|line| line.accident == Some(ixorg_formats::vektis::Accident::Yes))
    );
}
