//! Retention and erasure: the only SQL that erases, anonymises or deletes personal data.
//!
//! Two callers. The retention job ([`expire_category`], [`fold_site_visits`],
//! [`prune_access_log`]) removes, per category and in bulk, what the domain's retention rules
//! ([`ixorg_domain::privacy::retention`]) say has expired on a day. An erasure request
//! ([`erase`], [`restrict`], [`mark_erased`]) removes one participant's data of the categories
//! no law obliges the operator to keep. Every statement changes only rows that still hold data,
//! so a second run changes nothing and the counts are rows actually changed.
//!
//! Which (table, category) each statement handles is declared next to it; a test checks those
//! declarations against the field registry, so a new table with personal data cannot be
//! forgotten here. The ledger (`ledger_transfer`, `ledger_account`) is never touched: it is
//! append-only and names nobody; its accounts point at a participant row that stays, emptied.

// The SQL fragment macros of `statements` are used by `expiry` and `erasure`.
#[macro_use]
mod statements;

mod erasure;
mod expiry;
mod runs;
mod technical;

pub use erasure::*;
pub use expiry::*;
pub use runs::*;
pub use statements::*;
pub use technical::*;

#[cfg(test)]
mod tests;
