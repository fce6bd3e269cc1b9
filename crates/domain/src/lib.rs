//! Pure domain types and rules of the ixorg dental-care budget plan.
//!
//! Nothing in this crate does I/O, spawns tasks or reads the clock: every fact comes in as an
//! argument, so every rule can be unit- and property-tested. See `docs/ARCHITECTURE.md`.

pub mod adjudication;
pub mod collection;
pub mod declaration;
pub mod enrollment;
pub mod identifiers;
pub mod ids;
pub mod language;
pub mod ledger;
pub mod money;
pub mod outbox;
pub mod person;
pub mod privacy;
pub mod recipients;
pub mod tariff;
pub mod termination;
pub mod terms;
pub mod timestamp;
pub mod yearend;

pub use language::Language;
pub use money::Cents;
