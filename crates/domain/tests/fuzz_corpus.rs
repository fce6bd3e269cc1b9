//! Replays the committed cargo-fuzz corpora of the `ixorg-domain` targets on stable, so CI
//! runs every seed and every input the fuzzer once found without needing nightly.
//!
//! The target bodies are not copied: `fuzz/src/domain.rs` is included as it is, so each
//! corpus file goes through exactly the calls `cargo fuzz run <target>` makes. A corpus file
//! passes when the call returns without a panic; the parse result itself is not checked.

#[path = "../../../fuzz/src/domain.rs"]
mod targets;

use ixorg_testkit::fuzz::replay;

#[test]
fn every_identifiers_corpus_file_is_parsed_without_a_panic() {
    replay(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/identifiers"),
        targets::identifiers,
    );
}

#[test]
fn every_application_corpus_file_is_checked_without_a_panic() {
    replay(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/application"),
        targets::application,
    );
}
