//! The operator's creditor profile (name, IBAN, BIC, SEPA creditor id).

use ixorg_store::enrollment as repo;
pub use ixorg_store::enrollment::OperatorProfile;

use crate::context::AppContext;

/// Sets the operator profile.
pub async fn set(ctx: &AppContext, profile: &OperatorProfile) -> Result<(), ixorg_store::Error> {
    let mut tx = ctx.db.begin().await?;
    repo::set_operator_profile(&mut tx, profile, ctx.now_ms()).await?;
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

/// The demo operator: a fictitious Dutch creditor, for `ixorg demo` and tests.
pub fn demo_profile() -> OperatorProfile {
    OperatorProfile {
        legal_name: "ixorg Tandartsbudget B.V.".to_owned(),
        iban: ixorg_domain::identifiers::Iban::from_parts_nl("RABO", 3_001_234_567)
            .expect("BUG: the demo IBAN is valid"),
        bic: Some("RABONL2U".to_owned()),
        creditor_id: ixorg_domain::identifiers::CreditorId::from_parts("NL", "ZZZ", "000012345678")
            .expect("BUG: the demo creditor id is valid"),
    }
}
