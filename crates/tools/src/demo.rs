//! Demo data, every figure through the real use cases: twenty practices with their providers
//! and a billing bureau, staff users with every role, households over a year (registered as
//! they join, twelve monthly collection runs with the bank's returns, MZ301 files from the
//! practices each month and the payout runs), a showcase of declarations through the JSON API
//! and FHIR with every outcome and reason, consents and data-subject requests in every state,
//! and a few logged staff look-ups. Run once per database; a second run leaves it as it is.
//!
//! The year runs with the clock of each step set to its day ([`year::at`]), so the books, the
//! access log and the portal's chart carry the dates they would have had.

use std::path::Path;

use ixorg_app::AppContext;
use ixorg_app::operator::OperatorProfile;
use ixorg_app::participants::{self, NewHousehold, Viewer};
use ixorg_domain::identifiers::ParticipantNumber;
use ixorg_domain::ids::ParticipantId;
use ixorg_domain::privacy::{Actor, DataCategory, Purpose, Role};
use ixorg_domain::terms::HouseholdRole;
use time::{Date, Duration};

use crate::synthetic::{self, Rng};

pub mod parties;
pub mod people;
mod privacy;
pub mod showcase;
pub mod year;

pub use people::{
    DEMO_PARTICIPANT_PASSWORD, DemoParticipant, ParticipantLogin, participant_logins,
};
pub use privacy::{PrivacyTour, TourCast};
pub use showcase::Variety;

/// The number of households `ixorg demo` makes by default (about 1,050 participants).
pub const HOUSEHOLDS_DEFAULT: usize = 340;

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
    /// Practices registered (with two providers each; the last ones billed by the bureau).
    pub practices: usize,
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
    /// The participant log-ins.
    pub participant_logins: Vec<ParticipantLogin>,
    /// MZ301 files imported (each answered with its MZ302 beside it).
    pub mz301_files: usize,
    /// Declaration lines imported from them.
    pub declaration_lines: u64,
    /// Credit transfers of the payout runs (each confirmed by the bank's statement).
    pub payouts: i64,
    /// The API token of the first practice (`Authorization: Bearer …`), shown once.
    pub api_token: Option<String>,
    /// Every outcome and reason the declarations got, per channel.
    pub variety: Variety,
    /// The privacy tour: consents, requests in every state, an export.
    pub privacy: Option<PrivacyTour>,
}

impl DemoSummary {
    fn existing(participants: usize) -> DemoSummary {
        DemoSummary {
            seeded: false,
            households: 0,
            participants,
            practices: 0,
            transfers: 0,
            collection_runs: 0,
            returned: 0,
            application: None,
            logins: logins(),
            participant_logins: Vec::new(),
            mz301_files: 0,
            declaration_lines: 0,
            payouts: 0,
            api_token: None,
            variety: Variety::default(),
            privacy: None,
        }
    }
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

/// Seeds the demo data into an empty database (see the module documentation): `households`
/// random households besides the named ones, the files the bank and the practices exchanged
/// in `files`.
pub async fn seed(
    ctx: &AppContext,
    households: usize,
    files: &Path,
) -> anyhow::Result<DemoSummary> {
    let counts = ixorg_app::stats::counts(ctx).await?;
    if counts.staff_users > 0 {
        let participants = usize::try_from(counts.participants).unwrap_or(0);
        return Ok(DemoSummary::existing(participants));
    }
    std::fs::create_dir_all(files)?;
    let today = ctx.clock.today();
    let dates = year::collection_dates(ctx, today)?;
    let Begun {
        parties,
        named,
        early,
        later,
        leaver,
    } = begin(ctx, &dates).await?;
    let home = parties.practices.first().map(|p| p.id);
    let ids: Vec<PracticeIdOf> = parties.practices.iter().map(|p| p.id).collect();
    let random = random_households(households, today, &ids);
    let year = year::run(ctx, &dates, random, &parties.practices, files).await?;
    let newcomer = register(ctx, vec![named.newcomer.clone()]).await?;
    let application = apply_once(ctx).await?;
    let cast = cast_of(
        &named,
        &early,
        &later,
        &newcomer,
        leaver,
        application.as_deref(),
    );
    let senders = senders(&parties)?;
    let mut variety = showcase::declare(ctx, &cast, &senders).await?;
    variety.add_mz301(&year.mz301_outcomes);
    let api_token = api_token(ctx).await;
    look_ups(ctx, &year.members).await?;
    let tour_cast = TourCast {
        family: (cast.family.0, early[0].members[2].0),
        credit: cast.credit.0,
        bsn: later[0].members[0].0,
        mains: mains(&year),
        practice: home.ok_or_else(|| anyhow::anyhow!("the demo has no practice"))?,
    };
    let privacy = privacy::tour(ctx, &tour_cast, files).await?;
    let named_logins = named_participants(&early, &later, &newcomer);
    // The demo's data directory keeps the files in `files/` and the outgoing mail beside it in
    // `mail/`; any other files directory (a test's, a benchmark's) keeps the mail inside it.
    let mail_dir = match (files.file_name(), files.parent()) {
        (Some(name), Some(parent)) if name == "files" => parent.join("mail"),
        _ => files.join("mail"),
    };
    let participant_logins = participant_logins(ctx, &named_logins, &mail_dir).await?;
    let counts = ixorg_app::stats::counts(ctx).await?;
    Ok(DemoSummary {
        seeded: true,
        households,
        participants: usize::try_from(counts.participants).unwrap_or(0),
        practices: parties.practices.len(),
        transfers: usize::try_from(counts.ledger_transfers).unwrap_or(0),
        collection_runs: year.runs,
        returned: year.returned,
        application,
        logins: logins(),
        participant_logins,
        mz301_files: year.mz301_files,
        declaration_lines: year.mz301_outcomes.values().sum(),
        payouts: year.payouts,
        api_token,
        variety,
        privacy,
    })
}

/// What the first day of the demo's story made.
struct Begun {
    parties: parties::DemoParties,
    named: people::Named,
    /// The family and the participant of the credit line.
    early: Vec<participants::RegisteredHousehold>,
    /// The participant known by BSN and the one who gives notice.
    later: Vec<participants::RegisteredHousehold>,
    /// The leaver's number and contract end.
    leaver: (ParticipantNumber, Date),
}

/// The first day of the story, three weeks before the first collection run: the staff users,
/// the operator, the practices and the bureau, the named households, and the leaver's notice.
async fn begin(ctx: &AppContext, dates: &[Date]) -> anyhow::Result<Begun> {
    let today = ctx.clock.today();
    let first = dates.first().copied().unwrap_or(today);
    let begin = year::at(ctx, year::on(first - Duration::days(21), 9));
    for login in &logins() {
        let name = format!("Demo {}", login.role.as_str().replace('_', " "));
        let (user, password) = (&login.username, &login.password);
        ixorg_app::staff::create(&begin, user, &name, password, &[login.role]).await?;
    }
    ixorg_app::operator::set(&begin, &operator_profile()).await?;
    let parties = parties::register(&begin).await?;
    let home = parties.practices.first().map(|p| p.id);
    let named = people::named(today, people::long_ago(today), home);
    let early = register(&begin, vec![named.family.clone(), named.credit.clone()]).await?;
    let later = register(&begin, vec![named.bsn.clone(), named.leaver.clone()]).await?;
    let number = later[1].members[0].1.clone();
    let notice = begin.clock.today();
    let (_, end) = ixorg_app::contracts::give_notice(&begin, number.as_str(), notice).await?;
    Ok(Begun {
        parties,
        named,
        early,
        later,
        leaver: (number, end),
    })
}

fn cast_of(
    named: &people::Named,
    early: &[participants::RegisteredHousehold],
    later: &[participants::RegisteredHousehold],
    newcomer: &[participants::RegisteredHousehold],
    leaver: (ParticipantNumber, Date),
    applicant: Option<&str>,
) -> showcase::Cast {
    showcase::Cast {
        family: member(&early[0], 0),
        credit: member(&early[1], 0),
        bsn: (
            later[0].members[0].1.clone(),
            named.bsn_value.clone(),
            named.bsn.members[0].details.date_of_birth,
        ),
        leaver,
        newcomer: (newcomer[0].members[0].1.clone(), named.newcomer.start_date),
        applicant: applicant.and_then(|n| n.parse().ok()),
    }
}

/// A token for the first practice's billing system, printed once (none when it fails).
async fn api_token(ctx: &AppContext) -> Option<String> {
    let agb = parties::practice_agb(0).parse().ok()?;
    let label = "Demo: billing system of the practice";
    ixorg_app::declarations::api::create_client_for_practice(ctx, &agb, label)
        .await
        .map(|(_, token)| token)
        .ok()
}

fn mains(year: &year::Year) -> Vec<ParticipantId> {
    year.members
        .iter()
        .filter(|(_, role)| *role == HouseholdRole::Main)
        .map(|(id, _)| *id)
        .collect()
}

type PracticeIdOf = ixorg_domain::ids::PracticeId;

fn member(
    household: &participants::RegisteredHousehold,
    index: usize,
) -> (ParticipantId, ParticipantNumber) {
    let (id, number, _) = &household.members[index];
    (*id, number.clone())
}

async fn register(
    ctx: &AppContext,
    households: Vec<NewHousehold>,
) -> anyhow::Result<Vec<participants::RegisteredHousehold>> {
    let actor = Actor::System("demo".into());
    Ok(participants::register_households(ctx, actor, households).await?)
}

/// `n` random households; a start date after today is moved a year back, so every household
/// has started or starts within the months ahead the product allows.
fn random_households(n: usize, today: Date, practices: &[PracticeIdOf]) -> Vec<NewHousehold> {
    let mut rng = Rng::new(2026);
    (0..n)
        .map(|_| {
            let mut household = synthetic::household(&mut rng, today, practices, 40);
            if household.start_date > today {
                let back = household
                    .start_date
                    .replace_year(household.start_date.year() - 1);
                household.start_date = back.unwrap_or(today);
                household.mandate_signed_on = household
                    .start_date
                    .previous_day()
                    .unwrap_or(household.start_date);
            }
            household
        })
        .collect()
}

fn senders(parties: &parties::DemoParties) -> anyhow::Result<showcase::Senders> {
    let practice = |i: usize| {
        parties
            .practices
            .get(i)
            .ok_or_else(|| anyhow::anyhow!("the demo has too few practices"))
    };
    let first = practice(0)?;
    let bureau_practice = parties
        .practices
        .iter()
        .find(|p| p.billed_by_bureau)
        .ok_or_else(|| anyhow::anyhow!("the bureau bills for no practice"))?;
    let provider = |p: &parties::DemoPractice, i: usize| {
        p.providers
            .get(i)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("a demo practice has too few providers"))
    };
    Ok(showcase::Senders {
        practice: first.agb.clone(),
        providers: [provider(first, 0)?, provider(first, 1)?],
        other_provider: provider(practice(1)?, 0)?,
        bureau: parties.bureau,
        bureau_provider: provider(bureau_practice, 0)?,
    })
}

/// The named main participants whose log-ins `ixorg demo` prints.
fn named_participants(
    early: &[participants::RegisteredHousehold],
    later: &[participants::RegisteredHousehold],
    newcomer: &[participants::RegisteredHousehold],
) -> Vec<DemoParticipant> {
    let stories: [(&participants::RegisteredHousehold, &'static str); 4] = [
        (
            &early[0],
            "Marieke de Vries: partner and two children under 16 (she acts for them); every \
             kind of declaration answer; budget view for all practices",
        ),
        (
            &early[1],
            "Kees Bakker: declarations past the budget into the credit line (negative balance) \
             and an own payment; a refused request",
        ),
        (
            &later[0],
            "Fatima El Amrani: known by BSN; claims from the billing bureau (FHIR); an overdue \
             erasure request",
        ),
        (
            &newcomer[0],
            "Lotte Visser: joined this month; a crown held for review",
        ),
    ];
    stories
        .into_iter()
        .map(|(household, story)| {
            let (id, number) = member(household, 0);
            DemoParticipant { id, number, story }
        })
        .collect()
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
        dentist_agb_code: parties::practice_agb(0),
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

/// A few staff look-ups, so the access log has entries to show (and one refused attempt).
async fn look_ups(
    ctx: &AppContext,
    members: &[(ParticipantId, HouseholdRole)],
) -> anyhow::Result<()> {
    let support = ixorg_app::staff::check_password(ctx, "support", "demo-support-2026")
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo support user cannot log in"))?;
    let viewer = Viewer {
        actor: Actor::Staff(support.id),
        role: Role::Support,
    };
    for (id, _) in members.iter().take(5) {
        participants::view(
            ctx,
            viewer.clone(),
            Some(Purpose::ServiceDelivery),
            *id,
            &[DataCategory::Financial],
        )
        .await?;
    }
    if let Some((id, _)) = members.first() {
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
