//! The app's use cases end to end, on SQLite and PostgreSQL.

mod accounts;
mod bank_files;
#[path = "../common/mod.rs"]
mod common;
mod contracts;
mod declaration_senders;
mod declarations;
mod households;
mod mail;
mod money;
mod outputs;
mod platform;
mod portal;
mod privacy_ops;
mod privacy_rights;
mod retention;

pub use common::{household, register, temp, temp_dir, with_operator, xmllint};
