//! Integration tests of the SEPA writers and readers: golden files, `xmllint` schema checks,
//! realistic bank samples, round trips and never-panic properties.

mod camt053;
mod common;
mod pain001;
mod pain002;
mod pain008;
mod robustness;
