//! The tools end to end, on SQLite and PostgreSQL: the demo and the benchmarks.

mod bench;
mod demo;
