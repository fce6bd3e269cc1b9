//! Synthetic participants through the real use cases, for tests, the demo and benchmarks.

use ixorg_app::AppContext;
use ixorg_app::participants::{RegisterError, register_households};

use crate::synthetic::{self, Rng};

/// Households registered per transaction.
const HOUSEHOLDS_PER_BATCH: usize = 1_000;

/// What `generate participants` made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generated {
    /// Households (contracts).
    pub households: u64,
    /// Participants.
    pub participants: u64,
}

/// Registers synthetic households until at least `count` participants exist among them (the
/// last household may take it a little over), through [`register_households`]: the same
/// checks, encryption, budgets and mandates as real ones. `seed` makes it reproducible;
/// `progress` is told the participants made so far.
pub async fn participants(
    ctx: &AppContext,
    count: u64,
    seed: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Generated, RegisterError> {
    let mut rng = Rng::new(seed);
    // Each seed draws its BSNs from its own stretch of numbers.
    let offset = u32::try_from(seed.wrapping_mul(7_919) % 800_000_000).unwrap_or(0);
    let mut bsns = synthetic::BsnSequence::new(offset);
    let today = ctx.clock.today();
    let practices = practice_ids(ctx).await?;
    let mut made = Generated {
        households: 0,
        participants: 0,
    };
    while made.participants < count {
        let mut batch = Vec::with_capacity(HOUSEHOLDS_PER_BATCH);
        let mut in_batch = 0u64;
        while batch.len() < HOUSEHOLDS_PER_BATCH && made.participants + in_batch < count {
            let mut household = synthetic::household(&mut rng, today, &practices, 30);
            // Start this month or earlier, so the household is due in the next collection.
            household.start_date = household
                .start_date
                .min(today.replace_day(1).unwrap_or(today));
            for member in &mut household.members {
                if member.bsn.is_some() {
                    member.bsn = bsns.next_bsn();
                }
            }
            in_batch += household.members.len() as u64;
            batch.push(household);
        }
        let households = batch.len() as u64;
        let actor = ixorg_domain::privacy::Actor::System("generate".into());
        register_households(ctx, actor, batch).await?;
        made.households += households;
        made.participants += in_batch;
        progress(made.participants);
    }
    Ok(made)
}

async fn practice_ids(
    ctx: &AppContext,
) -> Result<Vec<ixorg_domain::ids::PracticeId>, ixorg_store::Error> {
    let mut tx = ctx.db.begin_read().await?;
    let practices = ixorg_store::parties::practices(&mut tx).await?;
    tx.commit().await?;
    Ok(practices.into_iter().map(|p| p.id).collect())
}
