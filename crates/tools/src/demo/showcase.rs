//! Declarations that show every outcome and every reason: a batch through the JSON API from the
//! first practice's billing system and a FHIR `Claim` from the billing bureau, each through its
//! use case (`declarations::api::submit`, `declarations::fhir::submit_claim`), for the named
//! participants of [`super::people`]. Amounts that depend on a budget are taken from the
//! budget's balance at the time, so the credit-line lines land where they should.

use std::collections::{BTreeMap, BTreeSet};

use ixorg_app::AppContext;
use ixorg_app::declarations::api;
use ixorg_app::declarations::fhir::{self, Channel, format};
use ixorg_domain::Cents;
use ixorg_domain::declaration::{CostKind, DeclarationLine, Outcome, Reason, Who};
use ixorg_domain::identifiers::{AgbCode, Bsn, ParticipantNumber};
use ixorg_domain::ids::{BillingIntermediaryId, ParticipantId};
use time::{Date, Duration};

/// Every outcome and reason the demo's declarations got, per channel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Variety {
    /// Lines per channel (`mz301`, `api`, `fhir`).
    pub channels: BTreeMap<&'static str, u64>,
    /// Lines per outcome name.
    pub outcomes: BTreeMap<&'static str, u64>,
    /// Every reason given.
    pub reasons: BTreeSet<Reason>,
    /// Accepted lines paid partly from the credit line (the budget went below zero).
    pub credit_line_lines: u64,
}

impl Variety {
    fn add(&mut self, channel: Channel, outcome: Outcome, reasons: &[Reason], n: u64) {
        *self.channels.entry(channel.as_str()).or_default() += n;
        *self.outcomes.entry(outcome.as_str()).or_default() += n;
        self.reasons.extend(reasons.iter().copied());
    }
}

/// Who the showcase declares for.
#[derive(Clone, Debug)]
pub struct Cast {
    /// The family's main participant.
    pub family: (ParticipantId, ParticipantNumber),
    /// The participant who goes into the credit line.
    pub credit: (ParticipantId, ParticipantNumber),
    /// The participant known by BSN, with the BSN and date of birth.
    pub bsn: (ParticipantNumber, Bsn, Date),
    /// The participant whose contract ended, with the end date.
    pub leaver: (ParticipantNumber, Date),
    /// The participant who joined this month, with the start date.
    pub newcomer: (ParticipantNumber, Date),
    /// A participant whose contract starts next month (the public application).
    pub applicant: Option<ParticipantNumber>,
}

/// The senders: the first practice (its AGB code and providers), a provider of another
/// practice, and the bureau with a provider of a practice it bills for.
#[derive(Clone, Debug)]
pub struct Senders {
    /// The first practice's AGB code.
    pub practice: AgbCode,
    /// Its two providers.
    pub providers: [AgbCode; 2],
    /// A provider of the second practice.
    pub other_provider: AgbCode,
    /// The bureau.
    pub bureau: BillingIntermediaryId,
    /// A provider of a practice the bureau bills for.
    pub bureau_provider: AgbCode,
}

/// The most a crown (R24) may cost per element this year, the showcase's expensive line.
const CROWN: &str = "R24";

struct Line<'a> {
    reference: &'a str,
    who: Who,
    provider: &'a AgbCode,
    date: Date,
    code: &'a str,
    element: Option<&'a str>,
    quantity: u16,
    amount: i64,
}

fn line(l: Line<'_>) -> DeclarationLine {
    let quantity = l.quantity.max(1);
    DeclarationLine {
        reference: l.reference.to_owned(),
        previous_reference: None,
        who: l.who,
        provider: l.provider.clone(),
        practice: None,
        treatment_date: l.date,
        code: l.code.to_owned(),
        element: l.element.map(str::to_owned),
        surface: None,
        cost: CostKind::Honorarium,
        quantity,
        unit_tariff: Cents::new(l.amount / i64::from(quantity)),
        amount: Cents::new(l.amount),
        accident: false,
    }
}

fn credit_of(original: &DeclarationLine, reference: &str, previous: &str) -> DeclarationLine {
    let mut credit = original.clone();
    credit.reference = reference.to_owned();
    credit.previous_reference = Some(previous.to_owned());
    credit.amount = original.amount.checked_neg().unwrap_or(Cents::ZERO);
    credit
}

/// The maximum tariff of the crown in `year` (cents), from the tariff list.
async fn crown_max(ctx: &AppContext, year: i32) -> anyhow::Result<i64> {
    let mut tx = ctx.db.begin_read().await?;
    let tariffs = ixorg_store::reference::tariff_table(&mut tx).await?;
    tx.rollback().await?;
    let code = ixorg_domain::tariff::TariffCode::parse(CROWN)?;
    Ok(tariffs.max_tariff(&code, year).map_or(33_011, Cents::get))
}

/// Sends the JSON batch and the FHIR claim; returns what they got.
pub async fn declare(ctx: &AppContext, cast: &Cast, senders: &Senders) -> anyhow::Result<Variety> {
    let mut variety = Variety::default();
    let (client, _) = api::create_client_for_practice(
        ctx,
        &senders.practice,
        "Demo: the practice's billing system (showcase)",
    )
    .await?;
    let lines = json_lines(ctx, cast, senders, &mut variety).await?;
    let answers = api::submit(
        ctx,
        &client,
        Channel::Api,
        "demo-showcase-1",
        "DEMO-1",
        lines,
    )
    .await?;
    for a in &answers.lines {
        variety.add(Channel::Api, a.outcome, &a.reasons, 1);
        if a.reference == "DEMO-CREDIT-LINE" && a.outcome != Outcome::Accepted {
            // The budget was spent before: the line did not stop inside the credit line.
            variety.credit_line_lines = 0;
        }
    }
    let (bureau, _) = api::create_client(
        ctx,
        None,
        Some(senders.bureau),
        "Demo: the billing bureau's system (FHIR)",
    )
    .await?;
    let claim = bureau_claim(ctx.clock.today(), cast, senders);
    let answer = fhir::submit_claim(ctx, &bureau, &claim, None).await?;
    for d in &answer.decisions {
        variety.add(Channel::Fhir, d.outcome, &d.reasons, 1);
    }
    Ok(variety)
}

/// The JSON batch: one line (or a pair) per outcome and reason, in an order where each
/// duplicate, near-duplicate and credit follows the line it refers to.
async fn json_lines(
    ctx: &AppContext,
    cast: &Cast,
    senders: &Senders,
    variety: &mut Variety,
) -> anyhow::Result<Vec<DeclarationLine>> {
    let today = ctx.clock.today();
    let ago = |days: i64| today - Duration::days(days);
    let [a, b] = &senders.providers;
    let number = |n: &ParticipantNumber| Who::Number(n.clone());
    let family = number(&cast.family.1);
    let (bsn_number, bsn, born) = &cast.bsn;
    let by_bsn = Who::Bsn {
        bsn: bsn.clone(),
        birth_date: *born,
    };
    let unknown: AgbCode = "12999999".parse()?;
    let simple = |reference, who, provider, date, code, amount| {
        line(Line {
            reference,
            who,
            provider,
            date,
            code,
            element: None,
            quantity: 1,
            amount,
        })
    };
    let mut out = Vec::new();
    let paid = simple("DEMO-PAID", family.clone(), a, ago(20), "C002", 2_851);
    out.push(paid.clone());
    out.extend(credit_line(ctx, cast, a, ago(18), variety).await?);
    out.push(simple(
        "DEMO-UNKNOWN-PROVIDER",
        family.clone(),
        &unknown,
        ago(15),
        "C003",
        2_851,
    ));
    out.push(simple(
        "DEMO-OTHER-PRACTICE",
        family.clone(),
        &senders.other_provider,
        ago(15),
        "C003",
        2_851,
    ));
    let stranger = ParticipantNumber::from_sequence(99_000_001)?;
    out.push(simple(
        "DEMO-UNKNOWN-PERSON",
        Who::Number(stranger),
        a,
        ago(15),
        "C003",
        2_851,
    ));
    let wrong_birth = Who::Bsn {
        bsn: bsn.clone(),
        birth_date: born.next_day().unwrap_or(*born),
    };
    out.push(simple(
        "DEMO-BIRTH-DATE",
        wrong_birth,
        a,
        ago(14),
        "C003",
        2_851,
    ));
    out.push(simple(
        "DEMO-UNKNOWN-CODE",
        family.clone(),
        a,
        ago(14),
        "Z99",
        2_851,
    ));
    out.push(simple(
        "DEMO-ABOVE-TARIFF",
        family.clone(),
        a,
        ago(13),
        "C003",
        5_000,
    ));
    out.push(simple("DEMO-ZERO", family.clone(), a, ago(13), "C003", 0));
    out.push(simple(
        "DEMO-FUTURE",
        family.clone(),
        a,
        today + Duration::days(5),
        "C003",
        2_851,
    ));
    out.push(simple(
        "DEMO-TOO-LATE",
        family.clone(),
        a,
        ago(400),
        "C003",
        2_851,
    ));
    let (leaver, end) = &cast.leaver;
    out.push(simple(
        "DEMO-AFTER-WINDOW",
        number(leaver),
        a,
        *end - Duration::days(10),
        "C003",
        2_851,
    ));
    out.push(simple("DEMO-PAID", family.clone(), a, ago(9), "X10", 2_101));
    let mut same = paid.clone();
    same.reference = "DEMO-SAME-TREATMENT".into();
    out.push(same);
    let checkup = simple(
        "DEMO-CHECKUP",
        number(bsn_number),
        a,
        ago(30),
        "C002",
        2_851,
    );
    out.push(checkup.clone());
    out.push(credit_of(&checkup, "DEMO-CHECKUP-CREDIT", "DEMO-CHECKUP"));
    out.push(credit_of(&checkup, "DEMO-CREDIT-NOTHING", "DEMO-NOTHING"));
    let mut accident = simple("DEMO-ACCIDENT", by_bsn.clone(), a, ago(25), "X10", 2_101);
    accident.accident = true;
    out.push(accident);
    out.push(simple(
        "DEMO-NEAR",
        family.clone(),
        b,
        ago(22),
        "C002",
        2_851,
    ));
    if let Some(applicant) = &cast.applicant {
        out.push(simple(
            "DEMO-BEFORE-START",
            number(applicant),
            a,
            ago(5),
            "C003",
            2_851,
        ));
    }
    out.push(simple(
        "DEMO-AFTER-END",
        number(leaver),
        a,
        *end + Duration::days(20),
        "C003",
        2_851,
    ));
    let (newcomer, start) = &cast.newcomer;
    let crown = crown_max(ctx, start.year()).await?;
    let first_month = Line {
        reference: "DEMO-FIRST-MONTH",
        who: number(newcomer),
        provider: a,
        date: *start,
        code: CROWN,
        element: Some("46"),
        quantity: 1,
        amount: crown,
    };
    out.push(line(first_month));
    for (reference, code, amount) in [
        ("DEMO-EXTRACTION", "H11", 5_627),
        ("DEMO-FILLING", "V91", 6_002),
    ] {
        out.push(line(Line {
            reference,
            who: family.clone(),
            provider: a,
            date: ago(40),
            code,
            element: Some("36"),
            quantity: 1,
            amount,
        }));
    }
    out.push(simple(
        "DEMO-BUSY-DAY-A",
        by_bsn.clone(),
        a,
        ago(45),
        "M03",
        1_681,
    ));
    out.push(simple("DEMO-BUSY-DAY-B", by_bsn, b, ago(45), "X10", 2_101));
    Ok(out)
}

/// Two crowns for the participant of the credit line: the first takes the balance and half the
/// credit line (paid in full, the budget goes below zero), the second more than is left (the
/// rest is own payment).
async fn credit_line(
    ctx: &AppContext,
    cast: &Cast,
    provider: &AgbCode,
    date: Date,
    variety: &mut Variety,
) -> anyhow::Result<Vec<DeclarationLine>> {
    let budget = ixorg_app::ledger::budget_of(ctx, cast.credit.0).await?;
    let crown = crown_max(ctx, date.year()).await?;
    let balance = budget.balance.get();
    let half_credit = budget.credit_line.get() / 2;
    let first = (balance + half_credit).max(crown / 2);
    let quantity = u16::try_from(first.div_euclid(crown) + 1).unwrap_or(1);
    if balance >= 0 && first <= balance + budget.credit_line.get() && first > balance {
        variety.credit_line_lines += 1;
    }
    let who = Who::Number(cast.credit.1.clone());
    let crowns = [
        ("DEMO-CREDIT-LINE", Some("16"), quantity, first),
        ("DEMO-OWN-PAYMENT", Some("26"), 1, crown),
    ];
    Ok(crowns
        .into_iter()
        .map(|(reference, element, quantity, amount)| {
            line(Line {
                reference,
                who: who.clone(),
                provider,
                date,
                code: CROWN,
                element,
                quantity,
                amount,
            })
        })
        .collect())
}

/// The bureau's FHIR claim for the participant known by BSN: two lines paid and one held,
/// because a third provider treated her on a day two others already did.
fn bureau_claim(today: Date, cast: &Cast, senders: &Senders) -> format::Claim {
    let (_, bsn, born) = &cast.bsn;
    let who = Who::Bsn {
        bsn: bsn.clone(),
        birth_date: *born,
    };
    let identifier = "DEMO-FHIR-1";
    let items = [(45, "C003", 2_851), (50, "M03", 1_681), (50, "X10", 2_101)]
        .into_iter()
        .enumerate()
        .map(|(i, (days, code, amount))| {
            let sequence = u32::try_from(i + 1).unwrap_or(1);
            let reference = format!("{identifier}-{sequence}");
            format::ClaimItem {
                sequence,
                line: line(Line {
                    reference: &reference,
                    who: who.clone(),
                    provider: &senders.bureau_provider,
                    date: today - Duration::days(days),
                    code,
                    element: None,
                    quantity: 1,
                    amount,
                }),
            }
        })
        .collect();
    format::Claim {
        id: None,
        identifier: format::Identifier {
            system: Some("https://declaratieservice.example.nl/claims".into()),
            value: identifier.into(),
        },
        who,
        provider: senders.bureau_provider.clone(),
        practice: None,
        items,
    }
}
