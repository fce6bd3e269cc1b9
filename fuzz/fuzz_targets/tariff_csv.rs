//! cargo-fuzz target `tariff_csv`: see [`ixorg_fuzz::formats::tariff_csv`].

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ixorg_fuzz::formats::tariff_csv(data));
