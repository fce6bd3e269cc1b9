//! No input makes the reader panic: arbitrary bytes and mutated sample files.

use ixorg_formats::vektis::read_mz301;
use proptest::prelude::*;

use crate::common::SAMPLE;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic_the_reader(input in proptest::collection::vec(any::<u8>(), 0..2_000)) {
        let _ = read_mz301(&input);
    }

    #[test]
    fn arbitrary_lines_of_sample_like_bytes_never_panic_the_reader(
        lines in proptest::collection::vec(
            (prop::sample::select(vec!["01", "02", "03", "04", "98", "99", "0", "x"]),
             proptest::collection::vec(prop::sample::select(b"0123456789 DCJNOPT\r".to_vec()), 0..320)),
            0..20)
    ) {
        let mut input = Vec::new();
        for (code, rest) in lines {
            input.extend_from_slice(code.as_bytes());
            input.extend_from_slice(&rest);
            input.push(b'\n');
        }
        let _ = read_mz301(&input);
    }

    #[test]
    fn mutated_sample_files_never_panic_and_a_changed_file_is_reported_or_read(
        edits in proptest::collection::vec((0..SAMPLE.len(), any::<u8>()), 1..8),
        cut in 0..SAMPLE.len() + 1,
    ) {
        let mut input = SAMPLE.to_vec();
        for (index, byte) in edits {
            input[index] = byte;
        }
        input.truncate(cut.max(1));
        match read_mz301(&input) {
            Ok(file) => prop_assert!(file.lines().count() <= 4),
            Err(errors) => prop_assert!(!errors.errors.is_empty()),
        }
    }
}
