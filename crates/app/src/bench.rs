//! Benchmarks run through the real code paths (`ixorg bench …`).

use std::time::{Duration, Instant};

use ixorg_domain::Cents;
use ixorg_domain::ids::LedgerAccountId;
use ixorg_domain::ledger::{AccountKind, Transfer};

use crate::context::AppContext;
use crate::synthetic::Rng;

/// What the ledger benchmark measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LedgerBench {
    /// Transfers offered.
    pub transfers: u64,
    /// Transfers applied (the rest were refused by a credit line, as designed).
    pub applied: u64,
    /// Transfers per transaction.
    pub batch_size: usize,
    /// Wall-clock time of the posting (account set-up excluded).
    pub elapsed: Duration,
}

impl LedgerBench {
    /// Committed transfers per second.
    pub fn per_second(&self) -> u64 {
        let ms = self.elapsed.as_millis().max(1);
        u64::try_from(u128::from(self.transfers) * 1_000 / ms).unwrap_or(u64::MAX)
    }
}

/// Posts `transfers` transfers in batches of `batch_size` through [`crate::ledger::post_batch`]:
/// contributions from the bank into `accounts` budgets, and payments from those budgets to a
/// payable, some of which hit a credit line and are refused. `progress` is called after each
/// batch with the number done.
pub async fn ledger(
    ctx: &AppContext,
    transfers: u64,
    batch_size: usize,
    accounts: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> anyhow::Result<LedgerBench> {
    anyhow::ensure!(batch_size > 0, "the batch size must be positive");
    anyhow::ensure!(accounts > 0, "at least one account is needed");
    let bank = crate::ledger::operator_account(ctx, "bank_receivable")
        .await?
        .id;
    let (budgets, payable) = open_bench_accounts(ctx, accounts).await?;
    let mut rng = Rng::new(42);
    let run = ctx.ids.new_uuid().simple().to_string();
    let started = Instant::now();
    let mut done = 0u64;
    let mut applied = 0u64;
    while done < transfers {
        let n = usize::try_from((transfers - done).min(batch_size as u64)).unwrap_or(batch_size);
        let batch: Vec<Transfer> = (0..n)
            .map(|i| {
                let budget = *rng.pick(&budgets);
                let amount = Cents::new(500 + i64::try_from(rng.below(5_000)).unwrap_or(0));
                let (debit, credit, kind) = if rng.chance(55) {
                    (bank, budget, "contribution")
                } else {
                    (budget, payable, "declaration")
                };
                Transfer {
                    idempotency_key: format!("bench-{run}-{}", done + i as u64),
                    debit,
                    credit,
                    amount,
                    kind: kind.to_owned(),
                    reverses: None,
                }
            })
            .collect();
        let outcomes = crate::ledger::post_batch(ctx, &batch).await?;
        applied += outcomes.iter().filter(|o| o.is_ok()).count() as u64;
        done += n as u64;
        progress(done);
    }
    Ok(LedgerBench {
        transfers,
        applied,
        batch_size,
        elapsed: started.elapsed(),
    })
}

async fn open_bench_accounts(
    ctx: &AppContext,
    accounts: usize,
) -> anyhow::Result<(Vec<LedgerAccountId>, LedgerAccountId)> {
    let now_ms = ctx.now_ms();
    let mut tx = ctx.db.begin().await?;
    let mut budgets = Vec::with_capacity(accounts);
    for _ in 0..accounts {
        let id = LedgerAccountId::from_uuid(ctx.ids.new_uuid());
        let account = ixorg_store::ledger::NewAccount {
            id,
            kind: AccountKind::Budget,
            code: None,
            participant: None,
            payee: None,
            credit_line: Cents::new(24_000),
        };
        ixorg_store::ledger::open_account(&mut tx, &account, now_ms).await?;
        budgets.push(id);
    }
    let payable = LedgerAccountId::from_uuid(ctx.ids.new_uuid());
    let account = ixorg_store::ledger::NewAccount {
        id: payable,
        kind: AccountKind::Payable,
        code: None,
        participant: None,
        payee: None,
        credit_line: Cents::ZERO,
    };
    ixorg_store::ledger::open_account(&mut tx, &account, now_ms).await?;
    tx.commit().await?;
    Ok((budgets, payable))
}
