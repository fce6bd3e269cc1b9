//! cargo-fuzz target `identifiers`: see [`ixorg_fuzz::domain::identifiers`].

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ixorg_fuzz::domain::identifiers(data));
