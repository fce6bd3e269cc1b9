//! Demo data: practices, a billing intermediary, staff users with every role, households with a
//! year of contributions and some payments, and a few logged staff look-ups. Run once per
//! database; a second run leaves it as it is.

use ixorg_domain::Cents;
use ixorg_domain::identifiers::AgbCode;
use ixorg_domain::ids::{
    BillingIntermediaryId, LedgerAccountId, ParticipantId, PayeeId, PracticeId, ProviderId,
};
use ixorg_domain::ledger::{AccountKind, Transfer};
use ixorg_domain::privacy::{Actor, DataCategory, Purpose, Role};
use ixorg_domain::terms::age_on;
use ixorg_store::parties::{self, BillingIntermediary, Payee, PayeeOwner, Practice, Provider};
use time::{Date, Month};

use crate::context::AppContext;
use crate::participants::{self, Viewer};
use crate::synthetic::{self, Rng};

/// A demo log-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    /// The role it demonstrates.
    pub role: Role,
    /// Username.
    pub username: String,
    /// Password (demo only; printed by `ixorg demo`).
    pub password: String,
}

/// What the demo seeding did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// False when the database had demo data already.
    pub seeded: bool,
    /// Households created.
    pub households: usize,
    /// Participants created.
    pub participants: usize,
    /// Ledger transfers posted.
    pub transfers: usize,
    /// The staff log-ins.
    pub logins: Vec<DemoLogin>,
}

/// The demo staff users: one per staff role.
pub fn logins() -> Vec<DemoLogin> {
    Role::ALL
        .iter()
        .filter(|r| r.is_staff())
        .map(|r| DemoLogin {
            role: *r,
            username: r.as_str().replace('_', "-"),
            password: format!("demo-{}-2026", r.as_str().replace('_', "-")),
        })
        .collect()
}

const PRACTICES: &[(&str, &str, &str)] = &[
    ("12000001", "Tandartspraktijk De Molen", "Utrecht"),
    ("12000002", "Mondzorg Centrum Noord", "Groningen"),
    ("12000003", "Tandheelkunde Aan Het Park", "Rotterdam"),
];

/// Seeds the demo data into an empty database (see the module documentation).
pub async fn seed(ctx: &AppContext, households: usize) -> anyhow::Result<DemoSummary> {
    let counts = crate::stats::counts(ctx).await?;
    let logins = logins();
    if counts.staff_users > 0 {
        return Ok(DemoSummary {
            seeded: false,
            households: 0,
            participants: usize::try_from(counts.participants).unwrap_or(0),
            transfers: 0,
            logins,
        });
    }
    for login in &logins {
        let name = format!("Demo {}", login.role.as_str().replace('_', " "));
        crate::staff::create(ctx, &login.username, &name, &login.password, &[login.role]).await?;
    }
    let payables = seed_parties(ctx).await?;
    let practices: Vec<PracticeId> = payables.iter().map(|(p, _)| *p).collect();
    let mut rng = Rng::new(2026);
    let today = ctx.clock.today();
    let mut members = Vec::new();
    for _ in 0..households {
        let household = synthetic::household(&mut rng, today, &practices, 40);
        let start = household.start_date;
        let planned: Vec<_> = household
            .members
            .iter()
            .map(|m| (m.role, m.date_of_birth, m.annual_budget))
            .collect();
        let actor = Actor::System("demo".into());
        let registered = participants::register_household(ctx, actor, household).await?;
        for ((id, _, budget), plan) in registered.members.iter().zip(planned) {
            members.push((*id, *budget, start, plan));
        }
    }
    let transfers = post_year_of_money(ctx, &mut rng, &members, &payables).await?;
    look_ups(ctx, &members).await?;
    Ok(DemoSummary {
        seeded: true,
        households,
        participants: members.len(),
        transfers,
        logins,
    })
}

async fn seed_parties(ctx: &AppContext) -> anyhow::Result<Vec<(PracticeId, LedgerAccountId)>> {
    let now_ms = ctx.now_ms();
    let mut tx = ctx.db.begin().await?;
    let bureau = BillingIntermediary {
        id: BillingIntermediaryId::from_uuid(ctx.ids.new_uuid()),
        name: "Declaratieservice Mondzorg B.V.".into(),
        kvk_number: Some("87654321".into()),
    };
    parties::insert_intermediary(&mut tx, &bureau, now_ms).await?;
    let mut rng = Rng::new(12);
    let mut out = Vec::new();
    for (i, (agb, name, city)) in PRACTICES.iter().enumerate() {
        let practice = Practice {
            id: PracticeId::from_uuid(ctx.ids.new_uuid()),
            agb: agb.parse::<AgbCode>()?,
            name: (*name).into(),
            city: (*city).into(),
        };
        parties::insert_practice(&mut tx, &practice, now_ms).await?;
        for n in 0..2u32 {
            let provider = Provider {
                id: ProviderId::from_uuid(ctx.ids.new_uuid()),
                practice: practice.id,
                agb: format!("12{:06}", 100 + i * 10 + n as usize).parse()?,
                name: format!("Tandarts {} {}", ["A.", "B."][n as usize], practice.city),
            };
            parties::insert_provider(&mut tx, &provider, now_ms).await?;
        }
        // The last practice is paid through the billing intermediary.
        let owner = if i + 1 == PRACTICES.len() {
            PayeeOwner::Intermediary(bureau.id)
        } else {
            PayeeOwner::Practice(practice.id)
        };
        let payee = Payee {
            id: PayeeId::from_uuid(ctx.ids.new_uuid()),
            owner,
            name: if i + 1 == PRACTICES.len() {
                bureau.name.clone()
            } else {
                practice.name.clone()
            },
            iban: synthetic::iban(&mut rng),
        };
        let already =
            matches!(owner, PayeeOwner::Intermediary(_)) && out.iter().any(|(_, _, o)| *o == owner);
        if !already {
            parties::insert_payee(&mut tx, &payee, now_ms).await?;
        }
        let payable = LedgerAccountId::from_uuid(ctx.ids.new_uuid());
        let account = ixorg_store::ledger::NewAccount {
            id: payable,
            kind: AccountKind::Payable,
            code: None,
            participant: None,
            payee: Some(payee.id),
            credit_line: Cents::ZERO,
        };
        ixorg_store::ledger::open_account(&mut tx, &account, now_ms).await?;
        out.push((practice.id, payable, owner));
    }
    tx.commit().await?;
    Ok(out.into_iter().map(|(p, a, _)| (p, a)).collect())
}

type Member = (
    ParticipantId,
    LedgerAccountId,
    Date,
    (ixorg_domain::terms::HouseholdRole, Date, Cents),
);

async fn post_year_of_money(
    ctx: &AppContext,
    rng: &mut Rng,
    members: &[Member],
    payables: &[(PracticeId, LedgerAccountId)],
) -> anyhow::Result<usize> {
    let today = ctx.clock.today();
    let bank = crate::ledger::operator_account(ctx, "bank_receivable")
        .await?
        .id;
    let fees = crate::ledger::operator_account(ctx, "fee_income").await?.id;
    let mut batch = Vec::new();
    for (id, budget, start, (role, born, annual)) in members {
        for month in 1..=u8::from(today.month()) {
            let month = Month::try_from(month)?;
            let due = Date::from_calendar_date(today.year(), month, 1)?;
            if due < *start {
                continue;
            }
            let terms = ctx.terms.resolve(due)?;
            let saving = Cents::monthly_saving(*annual);
            let fee = terms.fee_monthly(*role, age_on(*born, due));
            let key = format!("demo-{id}-{}-{}", today.year(), u8::from(month));
            batch.push(transfer(
                format!("{key}-saving"),
                bank,
                *budget,
                saving,
                "contribution",
            ));
            batch.push(transfer(
                format!("{key}-fee"),
                bank,
                fees,
                fee,
                "service_fee",
            ));
            if rng.chance(12) && !payables.is_empty() {
                let (_, payable) = *rng.pick(payables);
                let amount = Cents::new(2_000 + i64::try_from(rng.below(12_000)).unwrap_or(0));
                batch.push(transfer(
                    format!("{key}-care"),
                    *budget,
                    payable,
                    amount,
                    "declaration",
                ));
            }
        }
    }
    let mut applied = 0;
    for chunk in batch.chunks(2_000) {
        let outcomes = crate::ledger::post_batch(ctx, chunk).await?;
        applied += outcomes.iter().filter(|o| o.is_ok()).count();
    }
    Ok(applied)
}

fn transfer(
    key: String,
    debit: LedgerAccountId,
    credit: LedgerAccountId,
    amount: Cents,
    kind: &str,
) -> Transfer {
    Transfer {
        idempotency_key: key,
        debit,
        credit,
        amount,
        kind: kind.to_owned(),
        reverses: None,
    }
}

/// A few staff look-ups, so the access log has entries to show (and one refused attempt).
async fn look_ups(ctx: &AppContext, members: &[Member]) -> anyhow::Result<()> {
    let support = crate::staff::check_password(ctx, "support", "demo-support-2026")
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo support user cannot log in"))?;
    let viewer = Viewer {
        actor: Actor::Staff(support.id),
        role: Role::Support,
    };
    for (id, ..) in members.iter().take(5) {
        participants::view(
            ctx,
            viewer.clone(),
            Some(Purpose::ServiceDelivery),
            *id,
            &[DataCategory::Financial],
        )
        .await?;
    }
    if let Some((id, ..)) = members.first() {
        // Support may not read care data: refused, and the refusal is logged.
        let refused = participants::view(
            ctx,
            viewer,
            Some(Purpose::Contact),
            *id,
            &[DataCategory::Care],
        )
        .await;
        anyhow::ensure!(refused.is_err(), "support must not read care data");
    }
    Ok(())
}
