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

use ixorg_testkit::fuzz::replay;

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
