//! The ledger in the database: accounts with cached balances, and append-only, hash-chained
//! transfers. Posting applies [`ixorg_domain::ledger::apply`] to balances read under the chain
//! head's lock, so the credit-line floor, idempotency and zero sum hold under any concurrency.

mod accounts;
mod posting;
mod verify;

pub use accounts::*;
pub use posting::*;
pub use verify::*;
