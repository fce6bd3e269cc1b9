//! Demo data: practices, a billing intermediary, staff users with every role, households with a
//! year of contributions and some payments, and a few logged staff look-ups. Run once per
//! database; a second run leaves it as it is.

use std::path::Path;

use ixorg_app::AppContext;
use ixorg_app::operator::OperatorProfile;
use ixorg_app::participants::{self, Viewer};
use ixorg_app::parties::{self, NewPractice};
use ixorg_domain::Cents;
use ixorg_domain::identifiers::AgbCode;
use ixorg_domain::ids::{LedgerAccountId, ParticipantId, PracticeId};
use ixorg_domain::ledger::{Transfer, TransferKind};
use ixorg_domain::privacy::{Actor, DataCategory, Purpose, Role};
use time::{Date, Month};

use crate::synthetic::{self, Rng};

mod privacy;

pub use privacy::PrivacyTour;

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
    /// Ledger transfers in the books.
    pub transfers: usize,
    /// Collection runs made (one pain.008 and one camt.053 each, in the files directory).
    pub collection_runs: usize,
    /// Direct debits the simulated bank returned.
    pub returned: u64,
    /// The participant number of the household that applied through the public path.
    pub application: Option<String>,
    /// The staff log-ins.
    pub logins: Vec<DemoLogin>,
    /// Declaration lines imported from the demo's MZ301 file (its MZ302 is beside it).
    pub declaration_lines: u64,
    /// Credit transfers of the demo's payout run (confirmed by the bank's statement).
    pub payouts: i64,
    /// The API token of the first practice (`Authorization: Bearer …`), shown once.
    pub api_token: Option<String>,
    /// The privacy tour: an export to look at and requests waiting for the privacy officer.
    pub privacy: Option<PrivacyTour>,
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

/// The demo operator: a fictitious Dutch creditor, for `ixorg demo`, the benchmarks and tests.
pub fn operator_profile() -> OperatorProfile {
    OperatorProfile {
        legal_name: "ixorg Tandartsbudget B.V.".to_owned(),
        iban: ixorg_domain::identifiers::Iban::from_parts_nl("RABO", 3_001_234_567)
            .expect("BUG: the demo IBAN is valid"),
        bic: Some("RABONL2U".to_owned()),
        creditor_id: ixorg_domain::identifiers::CreditorId::from_parts("NL", "ZZZ", "000012345678")
            .expect("BUG: the demo creditor id is valid"),
    }
}

const PRACTICES: &[(&str, &str, &str)] = &[
    ("12000001", "Tandartspraktijk De Molen", "Utrecht"),
    ("12000002", "Mondzorg Centrum Noord", "Groningen"),
    ("12000003", "Tandheelkunde Aan Het Park", "Rotterdam"),
];

/// Seeds the demo data into an empty database (see the module documentation).
pub async fn seed(
    ctx: &AppContext,
    households: usize,
    files: &Path,
) -> anyhow::Result<DemoSummary> {
    let counts = ixorg_app::stats::counts(ctx).await?;
    let logins = logins();
    if counts.staff_users > 0 {
        return Ok(DemoSummary {
            seeded: false,
            households: 0,
            participants: usize::try_from(counts.participants).unwrap_or(0),
            transfers: 0,
            collection_runs: 0,
            returned: 0,
            application: None,
            logins,
            declaration_lines: 0,
            payouts: 0,
            api_token: None,
            privacy: None,
        });
    }
    for login in &logins {
        let name = format!("Demo {}", login.role.as_str().replace('_', " "));
        ixorg_app::staff::create(ctx, &login.username, &name, &login.password, &[login.role])
            .await?;
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
            .map(|m| (m.role, m.details.date_of_birth, m.annual_budget))
            .collect();
        let actor = Actor::System("demo".into());
        let registered = participants::register_household(ctx, actor, household).await?;
        for ((id, _, budget), plan) in registered.members.iter().zip(planned) {
            members.push((*id, *budget, start, plan));
        }
    }
    let (collection_runs, returned) =
        run_the_year(ctx, &mut rng, &members, &payables, files).await?;
    look_ups(ctx, &members).await?;
    let (declaration_lines, payouts) = declare_and_pay(ctx, members.len(), files).await?;
    let api_token = ixorg_app::declarations::api::create_client_for_practice(
        ctx,
        &PRACTICES[0].0.parse()?,
        "Demo: billing system of the practice",
    )
    .await
    .map(|(_, token)| token)
    .ok();
    let application = apply_once(ctx).await?;
    let mains: Vec<ParticipantId> = members
        .iter()
        .filter(|(.., (role, _, _))| *role == ixorg_domain::terms::HouseholdRole::Main)
        .map(|(id, ..)| *id)
        .collect();
    let privacy = privacy::tour(ctx, &mains, files).await?;
    let transfers =
        usize::try_from(ixorg_app::stats::counts(ctx).await?.ledger_transfers).unwrap_or(0);
    Ok(DemoSummary {
        seeded: true,
        households,
        participants: members.len(),
        transfers,
        collection_runs,
        returned,
        application,
        logins,
        declaration_lines,
        payouts,
        api_token,
        privacy,
    })
}

/// A practice's MZ301 file for the demo participants (four lines each), imported with its
/// MZ302 return, then today's payout run and the bank's statement confirming it, all in
/// `files`.
async fn declare_and_pay(
    ctx: &AppContext,
    participants: usize,
    files: &Path,
) -> anyhow::Result<(u64, i64)> {
    std::fs::create_dir_all(files)?;
    let mz301 = files.join("declaraties.asc");
    let lines = (participants * 4).clamp(1, crate::declarations::LINES_MAX);
    crate::declarations::mz301(ctx, lines, 2026, &mz301).await?;
    let report = ixorg_app::declarations::import::import_mz301(
        ctx,
        &mz301,
        &files.join("declaraties.mz302"),
        &|_| {},
    )
    .await?;
    let imported = report.outcomes.iter().map(|(_, n, _)| n).sum();
    let today = ctx.clock.today();
    let pain001 = files.join(format!("payout-{today}.xml"));
    let payout = ixorg_app::payouts::payout(ctx, today, &pain001).await?;
    let transfers = payout.run.as_ref().map_or(0, |r| r.transactions);
    if payout.run.is_some() {
        let statement = files.join(format!("payout-{today}-camt053.xml"));
        crate::bank::camt053_for_payouts(ctx, today, &statement).await?;
        ixorg_app::reconciliation::reconcile(ctx, &std::fs::read(&statement)?).await?;
    }
    Ok((imported, transfers))
}

/// One application through the public enrollment path, as a visitor of the site would send it.
async fn apply_once(ctx: &AppContext) -> anyhow::Result<Option<String>> {
    use ixorg_domain::enrollment::{ApplicationForm, MemberForm};
    let today = ctx.clock.today();
    let start = ixorg_domain::termination::first_of_next_month(today)
        .ok_or_else(|| anyhow::anyhow!("no next month"))?;
    let form = ApplicationForm {
        members: vec![MemberForm {
            role: "main".into(),
            first_names: "Demi".into(),
            initials: "D.".into(),
            surname: "Aanvrager".into(),
            date_of_birth: "1990-06-15".into(),
            gender: "female".into(),
            street: "Oudegracht".into(),
            house_number: "101".into(),
            postcode: "3511 AE".into(),
            city: "Utrecht".into(),
            email: "demi.aanvrager@example.nl".into(),
            annual_budget_eur: "300".into(),
            ..MemberForm::default()
        }],
        start_date: start.to_string(),
        iban: synthetic::iban(&mut Rng::new(31)).expose().to_owned(),
        account_holder: "D. Aanvrager".into(),
        dentist_agb_code: PRACTICES[0].0.into(),
        provider_view_consent: "yes".into(),
        mandate_signed: "yes".into(),
        ..ApplicationForm::default()
    };
    Ok(match ixorg_app::enrollment::apply(ctx, &form).await? {
        ixorg_app::enrollment::ApplicationOutcome::Accepted(a) => {
            a.members.first().map(|(_, n, _)| n.as_str().to_owned())
        }
        ixorg_app::enrollment::ApplicationOutcome::Rejected(_)
        | ixorg_app::enrollment::ApplicationOutcome::Referred(_) => None,
    })
}

/// The demo's practices with their providers, the last one billed for by a billing
/// intermediary, each registered through the use cases; returns each practice with the
/// payable account its payments go to (the intermediary's for the last one).
async fn seed_parties(ctx: &AppContext) -> anyhow::Result<Vec<(PracticeId, LedgerAccountId)>> {
    let mut rng = Rng::new(12);
    let mut out = Vec::new();
    for (i, (agb, name, city)) in PRACTICES.iter().enumerate() {
        let mut providers = Vec::new();
        for n in 0..2u32 {
            let agb: AgbCode = format!("12{:06}", 100 + i * 10 + n as usize).parse()?;
            providers.push((agb, format!("Tandarts {} {city}", ["A.", "B."][n as usize])));
        }
        // The last practice is paid through the billing intermediary, which bills for it.
        let last = i + 1 == PRACTICES.len();
        let iban = synthetic::iban(&mut rng);
        let practice = NewPractice {
            agb: agb.parse::<AgbCode>()?,
            name: (*name).into(),
            city: (*city).into(),
            providers,
            iban: (!last).then(|| iban.clone()),
        };
        let registered = parties::register_practice(ctx, &practice).await?;
        let payable = match registered.payee {
            Some((_, payable)) => payable,
            None => {
                let practices = [registered.practice];
                let (.., payable) = parties::register_intermediary(
                    ctx,
                    "Declaratieservice Mondzorg B.V.",
                    Some("87654321"),
                    None,
                    &iban,
                    &practices,
                )
                .await?;
                payable
            }
        };
        out.push((registered.practice, payable));
    }
    Ok(out)
}

type Member = (
    ParticipantId,
    LedgerAccountId,
    Date,
    (ixorg_domain::terms::HouseholdRole, Date, Cents),
);

/// The year so far as the bank would have seen it: a collection run for every month up to
/// today (pain.008 files in `dir`), the bank's camt.053 for each with about 3 % returns, the
/// reconciliation of each, and some payments from budgets to practices in between.
async fn run_the_year(
    ctx: &AppContext,
    rng: &mut Rng,
    members: &[Member],
    payables: &[(PracticeId, LedgerAccountId)],
    dir: &Path,
) -> anyhow::Result<(usize, u64)> {
    ixorg_app::operator::set(ctx, &operator_profile()).await?;
    std::fs::create_dir_all(dir)?;
    let today = ctx.clock.today();
    let mut runs = 0;
    let mut returned = 0;
    for month in 1..=u8::from(today.month()) {
        let month = Month::try_from(month)?;
        let terms = ctx.terms.resolve(today)?;
        let date = ixorg_domain::collection::collection_date(terms, today.year(), month);
        if date > today {
            break;
        }
        let stem = format!("{}-{:02}", today.year(), u8::from(month));
        let pain008 = dir.join(format!("pain008-{stem}.xml"));
        let report = ixorg_app::collections::collect(ctx, date, &pain008, &|_| {}).await?;
        if report.file.is_none() {
            continue;
        }
        runs += 1;
        let camt = dir.join(format!("camt053-{stem}.xml"));
        crate::bank::camt053_for_collection(ctx, date, 3, u64::from(u8::from(month)), &camt)
            .await?;
        let reconciled = ixorg_app::reconciliation::reconcile(ctx, &std::fs::read(&camt)?).await?;
        returned += reconciled.returned;
        care_payments(ctx, rng, members, payables, &stem).await?;
    }
    Ok((runs, returned))
}

/// Payments from budgets to practices (until declarations arrive with issue 5, as plain
/// ledger transfers within each budget's room).
async fn care_payments(
    ctx: &AppContext,
    rng: &mut Rng,
    members: &[Member],
    payables: &[(PracticeId, LedgerAccountId)],
    stem: &str,
) -> anyhow::Result<()> {
    if payables.is_empty() {
        return Ok(());
    }
    let mut batch = Vec::new();
    for (id, budget, ..) in members {
        if rng.chance(12) {
            let (_, payable) = *rng.pick(payables);
            let amount = Cents::new(2_000 + i64::try_from(rng.below(12_000)).unwrap_or(0));
            let key = format!("demo-care-{}-{stem}", id.uuid().simple());
            batch.push(transfer(
                key,
                *budget,
                payable,
                amount,
                TransferKind::Declaration,
            ));
        }
    }
    // A payment that would pass a budget's credit line is refused, as the ledger demands.
    ixorg_app::ledger::post_batch(ctx, &batch).await?;
    Ok(())
}

fn transfer(
    key: String,
    debit: LedgerAccountId,
    credit: LedgerAccountId,
    amount: Cents,
    kind: TransferKind,
) -> Transfer {
    Transfer {
        idempotency_key: key,
        debit,
        credit,
        amount,
        kind,
        reverses: None,
    }
}

/// A few staff look-ups, so the access log has entries to show (and one refused attempt).
async fn look_ups(ctx: &AppContext, members: &[Member]) -> anyhow::Result<()> {
    let support = ixorg_app::staff::check_password(ctx, "support", "demo-support-2026")
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
