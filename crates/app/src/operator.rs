//! The operator's creditor profile (name, IBAN, BIC, SEPA creditor id).

use ixorg_store::enrollment as repo;
pub use ixorg_store::enrollment::OperatorProfile;

use crate::context::AppContext;

/// Sets the operator profile.
pub async fn set(ctx: &AppContext, profile: &OperatorProfile) -> Result<(), ixorg_store::Error> {
    let mut tx = ctx.db.begin().await?;
    repo::set_operator_profile(&mut tx, profile, ctx.now()).await?;
    tx.commit().await?;
    tracing::info!("Operator profile set");
    Ok(())
}

/// The operator profile, if set.
pub async fn get(ctx: &AppContext) -> Result<Option<OperatorProfile>, ixorg_store::Error> {
    let mut tx = ctx.db.begin_read().await?;
    let p = repo::operator_profile(&mut tx).await?;
    tx.commit().await?;
    Ok(p)
}
