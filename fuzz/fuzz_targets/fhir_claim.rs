//! cargo-fuzz target `fhir_claim`: see `fuzz/src/fhir.rs` (included here by path, as the
//! stable replay test includes it).

#![no_main]

#[path = "../src/fhir.rs"]
mod fhir;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fhir::fhir_claim(data));
