//! Tools around the product, never part of it: demo data, synthetic generators, the bank
//! simulator and the benchmarks. Each works through the real use cases of `ixorg-app` (and the
//! real server of `ixorg-web` for `bench api`), so what they make and measure is what the
//! product does. Only the binary depends on this crate (and tests, as a dev-dependency), so
//! nothing in `app`, `web` or `store` can call a generator.
//!
//! Where no use case offers what a tool needs (the bank simulator's read of a run as the bank
//! received it, the generator's list of participants, the benchmark's bare ledger accounts),
//! the tool calls `ixorg-store` itself, opening its transaction through the
//! [`AppContext`](ixorg_app::AppContext) and passing the privacy gate with
//! [`ixorg_app::access::job_grant`] as a use case would.

pub mod bank;
pub mod bench;
pub mod declarations;
pub mod demo;
pub mod generate;
pub mod synthetic;
