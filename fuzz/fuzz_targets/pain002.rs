//! cargo-fuzz target `pain002`: see [`ixorg_fuzz::formats::pain002`].

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ixorg_fuzz::formats::pain002(data));
