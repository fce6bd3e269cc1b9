//! Replays a committed cargo-fuzz corpus on stable: the `fuzz_corpus` tests of `ixorg-domain`
//! and `ixorg-formats` run every seed and every input the fuzzer once found through the
//! target bodies of `fuzz/src`, without needing nightly.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

/// Runs `body` on every file of the corpus directory `dir` and fails with the list of files
/// that panicked. A missing or empty directory fails too: a corpus that silently vanished
/// must not look like a passing test. Dot files are skipped: they are libFuzzer work files,
/// which `.gitignore` keeps out of the repository.
#[expect(
    clippy::missing_panics_doc,
    reason = "a test helper: it fails the test by panicking"
)]
pub fn replay(dir: &str, body: fn(&[u8])) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("corpus directory {dir} is readable: {error}"))
        .map(|entry| entry.expect("corpus directory entry is readable").path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|name| !name.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    let mut panicked = Vec::new();
    for path in &files {
        let data = std::fs::read(path)
            .unwrap_or_else(|error| panic!("corpus file {} is readable: {error}", path.display()));
        if catch_unwind(AssertUnwindSafe(|| body(&data))).is_err() {
            panicked.push(path.display().to_string());
        }
    }
    assert!(!files.is_empty(), "corpus directory {dir} holds no files");
    assert!(
        panicked.is_empty(),
        "these corpus files panic: {panicked:#?}"
    );
}
