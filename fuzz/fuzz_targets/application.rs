//! cargo-fuzz target `application`: see [`ixorg_fuzz::domain::application`].

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ixorg_fuzz::domain::application(data));
