//! Collection runs, contributions (one direct debit per contract and date) and their lines,
//! bank files and their entries, and the reminder flow.

mod bank;
mod contributions;
mod due;
mod runs;

pub use bank::*;
pub use contributions::*;
pub use due::*;
pub use runs::*;
