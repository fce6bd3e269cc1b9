//! Use cases of the ixorg platform. Each opens one database transaction, passes the privacy gate
//! for any personal data it touches, calls the store, and commits.
//!
//! The web and CLI layers call only this crate; the types they need are re-exported here so that
//! they never depend on the store.

pub mod access;
pub mod accounts;
pub mod audit;
pub mod breach;
pub mod collections;
pub mod context;
pub mod contracts;
pub mod crypto;
pub mod declarations;
pub mod enrollment;
pub mod keys;
pub mod ledger;
pub mod mail;
pub mod operator;
pub mod output;
pub mod participants;
pub mod parties;
pub mod payouts;
pub mod portal;
pub mod privacy;
pub mod processors;
pub mod reconciliation;
pub mod retention;
pub mod sessions;
pub mod setup;
pub mod site;
pub mod staff;
pub mod statistics;
pub mod stats;
pub mod technical;

pub use context::{AppContext, Clock, FixedClock, SystemClock};

/// The cause kept as the source of a use case's error where the causes vary (an I/O error, a
/// writer's error, or a plain description where nothing lower failed).
pub type ErrorCause = Box<dyn std::error::Error + Send + Sync>;
pub use ixorg_domain as domain;
pub use ixorg_store::Backend;
