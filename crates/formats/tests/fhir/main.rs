//! Integration tests of the FHIR R4 reader and writers (`ixorg_formats::fhir`): every field
//! mapping and every error of the `Claim` reader, the written resources checked against the R4
//! structure, round trips and never-panic properties.

mod builder;
mod claim_errors;
mod claim_fields;
mod properties;
mod r4;
mod seeds;
mod writers;
