//! Declaration batches and lines with their outcomes, the facts adjudication reads, and the
//! API clients of practices and billing intermediaries.
//!
//! Uniqueness is enforced by the database as well as by adjudication: a provider's reference
//! and a treatment can each be taken by one line that was not rejected (partial unique
//! indexes), so a line that arrives twice at the same moment is never stored as paid twice.

mod batches;
mod clients;
mod lines;
mod payees;
mod prior;
mod subjects;

pub use batches::*;
pub use clients::*;
pub use lines::*;
pub use payees::*;
pub use prior::*;
pub use subjects::*;

/// Values per `IN (…)` list: fewer round trips for the lookups of a large batch.
const IN_ROWS: usize = 900;
