//! cargo-fuzz target `mz301`: see [`ixorg_fuzz::formats::mz301`].

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ixorg_fuzz::formats::mz301(data));
