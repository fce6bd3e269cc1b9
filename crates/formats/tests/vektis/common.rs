//! Shared helpers: the real sample file and record surgery.

/// The public Vektis sample file (`shared/domain/samples/MZ301-vektis-sample.asc`).
pub const SAMPLE: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/domain/samples/MZ301-vektis-sample.asc"
));

/// The sample's records without line endings.
pub fn sample_records() -> Vec<Vec<u8>> {
    SAMPLE
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line).to_vec())
        .collect()
}

/// Joins records with CR LF, as the sample does.
pub fn join(records: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for record in records {
        out.extend_from_slice(record);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Overwrites the 1-based positions starting at `start` of `record` with `text`.
pub fn put(record: &mut [u8], start: usize, text: &str) {
    record[start - 1..start - 1 + text.len()].copy_from_slice(text.as_bytes());
}

/// Compares `actual` with the golden file `tests/vektis/golden/{name}` byte for byte. With
/// `IXORG_UPDATE_GOLDEN=1` the file is (re)written instead; check it by eye before committing.
pub fn assert_golden(name: &str, actual: &[u8]) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vektis/golden")
        .join(name);
    if std::env::var_os("IXORG_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("golden file is writable");
        return;
    }
    let expected = std::fs::read(&path).unwrap_or_else(|error| {
        panic!(
            "golden file {} is missing ({error}); run with IXORG_UPDATE_GOLDEN=1 once",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "output differs from {}:\n{}",
        path.display(),
        String::from_utf8_lossy(actual)
    );
}
