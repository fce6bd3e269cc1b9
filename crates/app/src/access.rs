//! The one entry to personal data for use cases: open a transaction, pass the gate.

use ixorg_domain::privacy::{Action, Actor, DataCategory, Purpose, Refusal, Role};
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
    match gate::authorize(&mut tx, &ctx.policy, request, ctx.now()).await? {
        Ok(grant) => Ok((tx, grant)),
        Err(refusal) => {
            tx.commit().await?;
            tracing::warn!(refusal = refusal.code(), "Access to personal data refused");
            Err(AccessError::Refused(refusal))
        }
    }
}

/// [`begin`] for a read: a participant reading their own data (which the access log does not
/// record) gets a read transaction, so portal pages do not queue behind writers; any other
/// access is logged and so begins as [`begin`] does.
pub async fn begin_read(
    ctx: &AppContext,
    request: AccessRequest,
) -> Result<(Tx, Grant), AccessError> {
    if request.action != Action::Read || !request.actor.is_subject(request.subject) {
        return begin(ctx, request).await;
    }
    let mut tx = ctx.db.begin_read().await?;
    match gate::authorize(&mut tx, &ctx.policy, request, ctx.now()).await? {
        Ok(grant) => Ok((tx, grant)),
        Err(refusal) => {
            tracing::warn!(refusal = refusal.code(), "Access to personal data refused");
            Err(AccessError::Refused(refusal))
        }
    }
}

/// The access of one of the platform's own jobs (`Role::System`, actor `job`) for `purpose`,
/// inside the caller's transaction: the access-log entry is written in `tx` and a refusal is an
/// error. Batch jobs use this; a refusal here means the policy no longer lets the job run.
pub async fn job_grant(
    ctx: &AppContext,
    tx: &mut Tx,
    job: &str,
    purpose: Purpose,
    categories: Vec<DataCategory>,
    action: Action,
) -> Result<Grant, AccessError> {
    let request = AccessRequest {
        actor: Actor::System(job.to_owned()),
        role: Role::System,
        purpose: Some(purpose),
        subject: None,
        categories,
        action,
    };
    gate::authorize(tx, &ctx.policy, request, ctx.now())
        .await?
        .map_err(AccessError::Refused)
}
