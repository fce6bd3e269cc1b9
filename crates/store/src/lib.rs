//! The store: the only crate that speaks SQL.
//!
//! One [`Db`] enum over SQLite (embedded default) and PostgreSQL, the same SQL and row structs
//! for both, forward-only migrations per backend, repositories per aggregate, and the privacy
//! gate ([`gate`]) through which every read or change of personal data passes. Repository
//! functions take `&mut Tx` and never commit: the `app` crate owns transactions.

pub mod access_log;
pub mod accounts;
pub mod breach;
pub mod chain;
pub mod collections;
pub mod consent;
pub mod contracts;
pub mod coverage;
pub mod db;
pub mod declarations;
pub mod enrollment;
pub mod error;
pub mod export;
pub mod gate;
mod instant;
pub mod keys;
pub mod ledger;
pub mod migrate;
pub mod one_time_links;
pub mod outbox;
pub mod participants;
pub mod parties;
pub mod payouts;
pub mod portal;
pub mod processors;
pub mod rectification;
pub mod reference;
pub mod requests;
pub mod retention;
pub mod schema;
pub mod sessions;
mod sql;
pub mod staff;
pub mod statistics;
pub mod tooling;

pub use db::{Backend, ConnectOptions, Db, Tx};
pub use error::{ConflictKind, Error};
