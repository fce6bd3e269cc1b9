//! The app's use cases end to end, on SQLite and PostgreSQL.

#[path = "../common/mod.rs"]
mod common;
mod contracts;
mod declaration_senders;
mod declarations;
mod households;
mod money;
mod platform;
mod privacy_ops;
mod privacy_rights;
mod retention;

pub use common::{household, register, temp, with_operator, xmllint};
