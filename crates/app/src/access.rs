//! The one entry to personal data for use cases: open a transaction, pass the gate.

use ixorg_domain::privacy::Refusal;
use ixorg_store::Tx;
use ixorg_store::gate::{self, AccessRequest, Grant};

use crate::context::AppContext;

/// Why an access could not go ahead.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// The policy refused it; the refusal is in the access log.
    #[error("access refused: {0}")]
    Refused(Refusal),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] ixorg_store::Error),
}

/// Begins a write transaction and asks the gate for `request`. On refusal the refused access-log
/// entry is committed and [`AccessError::Refused`] returned; on success the caller gets the
/// transaction (holding the allowed entry) and the grant, and must commit.
pub async fn begin(ctx: &AppContext, request: AccessRequest) -> Result<(Tx, Grant), AccessError> {
    let mut tx = ctx.db.begin().await?;
    match gate::authorize(&mut tx, &ctx.policy, request, ctx.now_ms()).await? {
        Ok(grant) => Ok((tx, grant)),
        Err(refusal) => {
            tx.commit().await?;
            tracing::warn!(refusal = refusal.code(), "Access to personal data refused");
            Err(AccessError::Refused(refusal))
        }
    }
}
