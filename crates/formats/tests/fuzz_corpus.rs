//! Replays the committed cargo-fuzz corpora of the `ixorg-formats` targets on stable, so CI
//! runs every seed and every input the fuzzer once found without needing nightly.
//!
//! The target bodies are not copied: `fuzz/src/formats.rs` is included as it is, so each
//! corpus file goes through exactly the calls `cargo fuzz run <target>` makes. A corpus file
//! passes when the call returns without a panic; the parse result itself is not checked.

#[path = "../../../fuzz/src/formats.rs"]
mod targets;

#[path = "../../../fuzz/src/fhir.rs"]
mod fhir_target;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

/// Runs `body` on every file of the corpus directory `dir` and fails with the list of files
/// that panicked. A missing or empty directory fails too: a corpus that silently vanished
/// must not look like a passing test. Dot files are skipped: they are libFuzzer work files,
/// which `.gitignore` keeps out of the repository.
fn replay(dir: &str, body: fn(&[u8])) {
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

#[test]
fn every_camt053_corpus_file_is_read_without_a_panic() {
    replay(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/camt053"),
        targets::camt053,
    );
}

#[test]
fn every_pain002_corpus_file_is_read_without_a_panic() {
    replay(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/pain002"),
        targets::pain002,
    );
}

#[test]
fn every_tariff_csv_corpus_file_is_read_without_a_panic() {
    replay(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/tariff_csv"),
        targets::tariff_csv,
    );
}

#[test]
fn every_mz301_corpus_file_is_read_without_a_panic() {
    replay(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/mz301"),
        targets::mz301,
    );
}

#[test]
fn every_fhir_claim_corpus_file_is_read_without_a_panic() {
    replay(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/fhir_claim"),
        fhir_target::fhir_claim,
    );
}
