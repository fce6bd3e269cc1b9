//! Counts for `/metrics` and the demo: numbers only, never personal data.

use ixorg_store::chain::{self, Chain};

use crate::context::AppContext;

/// Platform counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Participants.
    pub participants: i64,
    /// Staff users.
    pub staff_users: i64,
    /// Ledger transfers.
    pub ledger_transfers: i64,
    /// Access-log entries.
    pub access_log_entries: i64,
}

/// Reads the counts (cheap: the chain heads hold the totals).
pub async fn counts(ctx: &AppContext) -> Result<Counts, ixorg_store::Error> {
    let mut tx = ctx.db.begin_read().await?;
    let participants = ixorg_store::participants::count(&mut tx).await?;
    let staff_users = ixorg_store::staff::count(&mut tx).await?;
    let ledger_transfers = chain::read_head(&mut tx, Chain::LedgerTransfer)
        .await?
        .last_sequence;
    let access_log_entries = chain::read_head(&mut tx, Chain::AccessLog)
        .await?
        .last_sequence;
    tx.commit().await?;
    Ok(Counts {
        participants,
        staff_users,
        ledger_transfers,
        access_log_entries,
    })
}
