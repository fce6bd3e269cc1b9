//! `ixorg audit verify`: the ledger's invariants and the access log's hash chain.

use ixorg_store::chain::Break;
use ixorg_store::ledger::{LedgerProblem, LedgerSummary};

use crate::context::AppContext;

/// The result of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    /// The ledger: sound (with counts), or the first problem found.
    pub ledger: Result<LedgerSummary, LedgerProblem>,
    /// The access log: sound (with the number of entries), or the first broken entry.
    pub access_log: Result<i64, Break>,
}

impl AuditReport {
    /// True when both are sound.
    pub fn is_sound(&self) -> bool {
        self.ledger.is_ok() && self.access_log.is_ok()
    }
}

/// Verifies the ledger (chain, cached balances, credit lines, zero sum) and the access log
/// (chain and head) in one consistent read.
pub async fn verify(ctx: &AppContext) -> Result<AuditReport, ixorg_store::Error> {
    let mut tx = ctx.db.begin_read().await?;
    let ledger = ixorg_store::ledger::verify(&mut tx).await?;
    let access_log = ixorg_store::access_log::verify(&mut tx).await?;
    tx.commit().await?;
    Ok(AuditReport { ledger, access_log })
}
