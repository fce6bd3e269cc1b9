//! `ixorg audit verify`.

use crate::settings::{DatabaseArgs, data_key_from_env, open_app_keyless};

pub async fn verify(database: &DatabaseArgs) -> anyhow::Result<()> {
    let ctx = open_app_keyless(&database.url(), data_key_from_env()).await?;
    let report = ixorg_app::audit::verify(&ctx).await?;
    ctx.db_close().await;
    match &report.ledger {
        Ok(s) => println!(
            "ledger: ok ({} transfers, {} accounts; balances sum to zero, credit lines respected)",
            s.transfers, s.accounts
        ),
        Err(problem) => println!("ledger: BROKEN: {problem}"),
    }
    match &report.access_log {
        Ok(n) => println!("access log: ok (through entry {n}, hash chain intact from its anchor)"),
        Err(b) => println!("access log: BROKEN: {b}"),
    }
    if let Err(problem) = report.ledger {
        anyhow::bail!("audit failed: {problem}");
    }
    if let Err(b) = report.access_log {
        anyhow::bail!("audit failed: {b}");
    }
    Ok(())
}
