//! The bodies of the cargo-fuzz targets in `fuzz_targets/`, one function per target.
//!
//! The two modules are plain source files that the stable replay tests include as they are
//! (`#[path = "../../../fuzz/src/…"] mod targets;` in `crates/formats/tests/fuzz_corpus.rs`
//! and `crates/domain/tests/fuzz_corpus.rs`), so CI replays the committed corpus through
//! exactly the code the fuzzer runs, without nightly. Keep them free of `libfuzzer-sys` and
//! of anything the two crates' tests cannot name: `formats` may use `ixorg_formats`,
//! `ixorg_domain` and `time`; `domain` only `ixorg_domain` and `time`.

pub mod domain;
pub mod formats;
