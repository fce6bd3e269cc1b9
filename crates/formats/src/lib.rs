//! Pure readers and writers for the files the platform exchanges: bytes in, domain types out.
//!
//! No I/O happens here: callers hand in text or bytes and get typed values or a typed error
//! that names where the input was wrong. Every parser is property-tested never to panic.

pub mod bounded;
pub mod fhir;
pub mod sepa;
pub mod tariff_csv;
pub mod vektis;
