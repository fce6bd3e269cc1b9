//! cargo-fuzz target `camt053`: see [`ixorg_fuzz::formats::camt053`].

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ixorg_fuzz::formats::camt053(data));
