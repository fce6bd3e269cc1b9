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
    /// Adds the lines of the MZ301 files, per outcome name.
    pub fn add_mz301(&mut self, outcomes: &BTreeMap<&'static str, u64>) {
        for (outcome, n) in outcomes {
            *self.channels.entry(Channel::Mz301.as_str()).or_default() += n;
            *self.outcomes.entry(outcome).or_default() += n;
        }
    }

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

/// A line for `who` by `provider` on `date`: one unit of `code`, no element.
fn simple(
    reference: &str,
    who: &Who,
    provider: &AgbCode,
    date: Date,
    code: &str,
    amount: i64,
) -> DeclarationLine {
    line(Line {
        reference,
        who: who.clone(),
        provider,
        date,
        code,
        element: None,
        quantity: 1,
        amount,
    })
}

/// The participants of the showcase as a provider names them.
struct Whos {
    family: Who,
    bsn_number: Who,
    by_bsn: Who,
    wrong_birth: Who,
    leaver: Who,
}

impl Whos {
    fn of(cast: &Cast) -> Whos {
        let (bsn_number, bsn, born) = &cast.bsn;
        let by_bsn = |birth_date| Who::Bsn {
            bsn: bsn.clone(),
            birth_date,
        };
        Whos {
            family: Who::Number(cast.family.1.clone()),
            bsn_number: Who::Number(bsn_number.clone()),
            by_bsn: by_bsn(*born),
            wrong_birth: by_bsn(born.next_day().unwrap_or(*born)),
            leaver: Who::Number(cast.leaver.0.clone()),
        }
    }
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
    let whos = Whos::of(cast);
    let a = &senders.providers[0];
    let paid = simple(
        "DEMO-PAID",
        &whos.family,
        a,
        today - Duration::days(20),
        "C002",
        2_851,
    );
    let mut out = vec![paid.clone()];
    out.extend(credit_line(ctx, cast, a, today - Duration::days(18), variety).await?);
    out.extend(rejected(today, cast, senders, &whos, &paid)?);
    out.extend(held(ctx, today, cast, senders, &whos).await?);
    Ok(out)
}

/// A line for each reason a line is rejected.
fn rejected(
    today: Date,
    cast: &Cast,
    senders: &Senders,
    whos: &Whos,
    paid: &DeclarationLine,
) -> anyhow::Result<Vec<DeclarationLine>> {
    let ago = |days: i64| today - Duration::days(days);
    let a = &senders.providers[0];
    let unknown: AgbCode = "12999999".parse()?;
    let stranger = Who::Number(ParticipantNumber::from_sequence(99_000_001)?);
    let end = cast.leaver.1;
    let family = &whos.family;
    let table: [(&str, &Who, &AgbCode, Date, &str, i64); 11] = [
        (
            "DEMO-UNKNOWN-PROVIDER",
            family,
            &unknown,
            ago(15),
            "C003",
            2_851,
        ),
        (
            "DEMO-OTHER-PRACTICE",
            family,
            &senders.other_provider,
            ago(15),
            "C003",
            2_851,
        ),
        ("DEMO-UNKNOWN-PERSON", &stranger, a, ago(15), "C003", 2_851),
        (
            "DEMO-BIRTH-DATE",
            &whos.wrong_birth,
            a,
            ago(14),
            "C003",
            2_851,
        ),
        ("DEMO-UNKNOWN-CODE", family, a, ago(14), "Z99", 2_851),
        ("DEMO-ABOVE-TARIFF", family, a, ago(13), "C003", 5_000),
        ("DEMO-ZERO", family, a, ago(13), "C003", 0),
        (
            "DEMO-FUTURE",
            family,
            a,
            today + Duration::days(5),
            "C003",
            2_851,
        ),
        ("DEMO-TOO-LATE", family, a, ago(400), "C003", 2_851),
        (
            "DEMO-AFTER-WINDOW",
            &whos.leaver,
            a,
            end - Duration::days(10),
            "C003",
            2_851,
        ),
        // The reference of the first line again.
        ("DEMO-PAID", family, a, ago(9), "X10", 2_101),
    ];
    let mut out: Vec<DeclarationLine> = table
        .into_iter()
        .map(|(reference, who, provider, date, code, amount)| {
            simple(reference, who, provider, date, code, amount)
        })
        .collect();
    out.extend(repeats_and_credits(today, whos, a, paid));
    Ok(out)
}

/// The same treatment under a new reference, and credits with and without the line they
/// reverse.
fn repeats_and_credits(
    today: Date,
    whos: &Whos,
    provider: &AgbCode,
    paid: &DeclarationLine,
) -> Vec<DeclarationLine> {
    let mut same = paid.clone();
    same.reference = "DEMO-SAME-TREATMENT".into();
    let date = today - Duration::days(30);
    let checkup = simple(
        "DEMO-CHECKUP",
        &whos.bsn_number,
        provider,
        date,
        "C002",
        2_851,
    );
    vec![
        same,
        checkup.clone(),
        credit_of(&checkup, "DEMO-CHECKUP-CREDIT", "DEMO-CHECKUP"),
        credit_of(&checkup, "DEMO-CREDIT-NOTHING", "DEMO-NOTHING"),
    ]
}

/// A line for each reason a line is held for review, and the two paid lines of a busy day the
/// bureau's claim then adds a third provider to.
async fn held(
    ctx: &AppContext,
    today: Date,
    cast: &Cast,
    senders: &Senders,
    whos: &Whos,
) -> anyhow::Result<Vec<DeclarationLine>> {
    let ago = |days: i64| today - Duration::days(days);
    let [a, b] = &senders.providers;
    let mut out = Vec::new();
    let mut accident = simple("DEMO-ACCIDENT", &whos.by_bsn, a, ago(25), "X10", 2_101);
    accident.accident = true;
    out.push(accident);
    out.push(simple("DEMO-NEAR", &whos.family, b, ago(22), "C002", 2_851));
    if let Some(applicant) = &cast.applicant {
        let who = Who::Number(applicant.clone());
        out.push(simple("DEMO-BEFORE-START", &who, a, ago(5), "C003", 2_851));
    }
    let after_end = cast.leaver.1 + Duration::days(20);
    out.push(simple(
        "DEMO-AFTER-END",
        &whos.leaver,
        a,
        after_end,
        "C003",
        2_851,
    ));
    out.extend(per_element(ctx, today, cast, whos, a).await?);
    out.push(simple(
        "DEMO-BUSY-DAY-A",
        &whos.by_bsn,
        a,
        ago(45),
        "M03",
        1_681,
    ));
    out.push(simple(
        "DEMO-BUSY-DAY-B",
        &whos.by_bsn,
        b,
        ago(45),
        "X10",
        2_101,
    ));
    Ok(out)
}

/// A crown in the newcomer's first month, and an extraction and a filling of one element on
/// one day.
async fn per_element(
    ctx: &AppContext,
    today: Date,
    cast: &Cast,
    whos: &Whos,
    a: &AgbCode,
) -> anyhow::Result<Vec<DeclarationLine>> {
    let ago = |days: i64| today - Duration::days(days);
    let mut out = Vec::new();
    let (newcomer, start) = &cast.newcomer;
    let crown = crown_max(ctx, start.year()).await?;
    let in_first_month = [(
        "DEMO-FIRST-MONTH",
        &Who::Number(newcomer.clone()),
        *start,
        CROWN,
        "46",
        crown,
    )];
    let incompatible = [
        ("DEMO-EXTRACTION", &whos.family, ago(40), "H11", "36", 5_627),
        ("DEMO-FILLING", &whos.family, ago(40), "V91", "36", 6_002),
    ];
    for (reference, who, date, code, element, amount) in
        in_first_month.into_iter().chain(incompatible)
    {
        out.push(line(Line {
            reference,
            who: who.clone(),
            provider: a,
            date,
            code,
            element: Some(element),
            quantity: 1,
            amount,
        }));
    }
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
