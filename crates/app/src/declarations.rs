//! Declarations: every channel's lines are adjudicated and stored here, with their ledger
//! postings, in one transaction (`PRODUCT.md`, "Declarations").
//!
//! The one path is the [`decider`]: it locks the ledger's chain head (so concurrent batches
//! adjudicate one after another and see each other's lines), identifies the participants,
//! loads their earlier lines, decides each line in order with
//! [`ixorg_domain::adjudication::adjudicate`], stores the batch and its lines, marks credited
//! lines and posts what budgets pay to the payee's payable account: one net transfer per
//! participant and batch. The channels ([`import`] for MZ301 files, chunk by chunk; [`api`]
//! for the JSON API and FHIR, as one chunk) wrap it.

pub mod api;
pub mod coverage;
mod decider;
pub mod fhir;
pub mod import;

pub use decider::{BatchMeta, Decided, Item};
pub(crate) use decider::{Decider, decide_batch};

/// Why a batch could not be decided and stored.
#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    /// A line is the same as one stored by a batch that committed at the same moment; the
    /// caller may run the batch again (it will then be decided as a duplicate).
    #[error("a line was stored by another batch at the same moment")]
    Raced,
    /// The product terms do not cover a treatment date.
    #[error("no product terms for a treatment date")]
    NoTerms,
    /// Lines whose amount lies above the product's per-line maximum (the first of them):
    /// the batch is refused whole.
    #[error(
        "the amount of {} is above the maximum per line of the product terms; nothing was stored",
        ixorg_domain::declaration::positions_text(.0)
    )]
    AmountAboveMaximum(Vec<ixorg_domain::declaration::LinePosition>),
    /// A batch total left the range of amounts (not reachable within the per-line maximum and
    /// the batch size; refused, never clamped).
    #[error("a batch total is out of range")]
    TotalOutOfRange,
    /// The access policy refused the job.
    #[error(transparent)]
    Access(#[from] crate::access::AccessError),
    /// A key for BSN declarations is missing.
    #[error(transparent)]
    Crypto(#[from] crate::crypto::CryptoError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] ixorg_store::Error),
}

impl DecideError {
    fn from_store(e: ixorg_store::Error) -> DecideError {
        match e {
            ixorg_store::Error::Conflict(
                ixorg_store::ConflictKind::DuplicateDeclaration
                | ixorg_store::ConflictKind::DuplicateBatch,
            ) => DecideError::Raced,
            other => DecideError::Store(other),
        }
    }
}
