//! Integration tests of the Vektis MZ301 reader and MZ302 writer (`ixorg_formats::vektis`).

mod common;
mod malformed;
mod mz302;
mod robustness;
mod roundtrip;
mod sample;
mod stream;
mod synthetic;
mod throughput;
