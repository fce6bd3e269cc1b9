//! Adjudication: the checks 1–7 of `PRODUCT.md` ("Declarations") for one line at a time.
//!
//! The caller resolves the participant, loads what is known of earlier lines into a
//! [`History`] and the budgets into [`BudgetState`]s, then calls [`adjudicate`] for each line in
//! the order received. Each decided line that is not rejected is added to the history, so a
//! second copy of a line in the same batch is a duplicate like one sent last year.
//!
//! Order and outcome:
//! 1. identity, 2. code and tariff, 3. dates, 4. duplicates: every failure is collected and the
//!    line is **rejected** with all of them.
//! 6. an accident line (no accident cover yet) and 7. fraud signals: the line is **held** for
//!    review with every signal named, and nothing is paid.
//! 5. payment: what the budget can carry (balance plus credit line, unless suspended) is paid,
//!    the rest is **own payment** (partly accepted).
//!
//! Credit lines (negative amount, naming the earlier line's reference) pass the identity, date
//! and reference checks and then reverse what the earlier line was paid.
//!
//! Keys are kept as 128-bit hashes ([`key`]), so the history of a million lines stays small;
//! the database's unique indexes are the final guard against duplicates.

use crate::declaration::{CostKind, Decision, DeclarationLine, Outcome, Reason};
use crate::ids::ParticipantId;
use crate::money::Cents;
use crate::tariff::{TariffCode, TariffTable};
use crate::termination::add_months_clamped;
use crate::terms::ProductTerms;
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use time::{Date, Duration};

/// What is known of the participant a line is for (no `Debug`: it holds a date of birth).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ParticipantFacts {
    /// The participant.
    pub participant: ParticipantId,
    /// Date of birth (checked against a BSN declaration's).
    pub birth_date: Date,
    /// First day of the contract.
    pub contract_start: Date,
    /// Last day of the contract, once it ended or notice was given.
    pub contract_end: Option<Date>,
}

/// A participant's budget as adjudication sees it; updated as lines are paid (no `Debug`:
/// financial data).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct BudgetState {
    /// The balance.
    pub balance: Cents,
    /// The credit line (how far the balance may go below zero).
    pub credit_line: Cents,
    /// The credit line is suspended (reminder flow): only the positive balance is available.
    pub credit_line_suspended: bool,
}

impl BudgetState {
    /// What the budget can still pay: balance plus credit line (when not suspended), never
    /// below zero.
    #[must_use]
    pub fn available(&self) -> Cents {
        let line = if self.credit_line_suspended {
            Cents::ZERO
        } else {
            self.credit_line
        };
        let available = self.balance.checked_add(line).unwrap_or(Cents::ZERO);
        if available.is_negative() {
            Cents::ZERO
        } else {
            available
        }
    }
}

/// Whether the sender of a line may declare for the line's provider.
///
/// A practice declares only for its own providers, a billing intermediary only for the
/// providers of the practices it bills for; a provider that is registered nowhere is not
/// declared for by anyone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderStanding {
    /// The provider belongs to the sender (or to a practice the sender bills for), and the
    /// line's practice, when it names one, is the provider's.
    Authorized,
    /// No practice has registered this provider's AGB code.
    Unregistered,
    /// The provider belongs to a practice the sender does not declare for, or the line names
    /// a practice that is not the provider's.
    OtherSender,
}

impl ProviderStanding {
    /// The standing of `line` for a sender declaring for `sender_practices`, given the practice
    /// the line's provider is registered with (its id and AGB code), if any.
    #[must_use]
    pub fn of<P: PartialEq>(
        line: &DeclarationLine,
        registered: Option<(&P, &str)>,
        sender_practices: &[P],
    ) -> ProviderStanding {
        let Some((practice, practice_agb)) = registered else {
            return ProviderStanding::Unregistered;
        };
        let practice_named_is_the_providers = line
            .practice
            .as_ref()
            .is_none_or(|named| named.as_str() == practice_agb);
        if sender_practices.contains(practice) && practice_named_is_the_providers {
            ProviderStanding::Authorized
        } else {
            ProviderStanding::OtherSender
        }
    }
}

/// The line's facts that adjudication needs besides the line itself.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// The day the line was received.
    pub received_on: Date,
    /// Whether the sender may declare for the line's provider.
    pub provider: ProviderStanding,
    /// The product terms valid on the treatment date.
    pub terms: &'a ProductTerms,
    /// The tariff list.
    pub tariffs: &'a TariffTable,
}

/// A 128-bit key of some fields: two independent 64-bit hashes (std's `SipHash` with fixed
/// keys, so keys are stable within one process run). Only used in memory.
#[must_use]
pub fn key<T: Hash + ?Sized>(value: &T) -> u128 {
    let mut first = DefaultHasher::new();
    0_u8.hash(&mut first);
    value.hash(&mut first);
    let mut second = DefaultHasher::new();
    1_u8.hash(&mut second);
    value.hash(&mut second);
    (u128::from(first.finish()) << 64) | u128::from(second.finish())
}

/// The key of a provider's reference.
#[must_use]
pub fn reference_key(provider: &str, reference: &str) -> u128 {
    key(&(provider, reference))
}

/// The key of a treatment (check 4): participant, date, code, element, surface and cost kind.
#[must_use]
pub fn treatment_key(
    participant: ParticipantId,
    treatment_date: Date,
    code: &str,
    element: Option<&str>,
    surface: Option<&str>,
    cost: CostKind,
) -> u128 {
    key(&(
        participant,
        treatment_date,
        code,
        element.unwrap_or(""),
        surface.unwrap_or(""),
        cost,
    ))
}

fn line_treatment_key(participant: ParticipantId, line: &DeclarationLine) -> u128 {
    treatment_key(
        participant,
        line.treatment_date,
        &line.code,
        line.element.as_deref(),
        line.surface.as_deref(),
        line.cost,
    )
}

/// An earlier line that was not rejected, as stored (no `Debug`: care data).
#[derive(Clone, PartialEq, Eq)]
pub struct PriorLine {
    /// The participant.
    pub participant: ParticipantId,
    /// The provider's AGB code.
    pub provider: String,
    /// The provider's reference.
    pub reference: String,
    /// Date of treatment.
    pub treatment_date: Date,
    /// The prestatiecode.
    pub code: String,
    /// Element, when given.
    pub element: Option<String>,
    /// Surface, when given.
    pub surface: Option<String>,
    /// Honorarium or material.
    pub cost: CostKind,
    /// The declared amount.
    pub amount: Cents,
    /// What the budget paid.
    pub budget_paid: Cents,
    /// The own payment.
    pub own_payment: Cents,
    /// The outcome (not rejected).
    pub outcome: Outcome,
    /// A credit line has reversed it already (or it is itself a credit).
    pub credited: bool,
}

impl PriorLine {
    /// The prior-line form of a line and its decision.
    #[must_use]
    pub fn of(participant: ParticipantId, line: &DeclarationLine, decision: &Decision) -> Self {
        PriorLine {
            participant,
            provider: line.provider.as_str().to_owned(),
            reference: line.reference.clone(),
            treatment_date: line.treatment_date,
            code: line.code.clone(),
            element: line.element.clone(),
            surface: line.surface.clone(),
            cost: line.cost,
            amount: line.amount,
            budget_paid: decision.budget_paid,
            own_payment: decision.own_payment,
            outcome: decision.outcome,
            credited: line.is_credit(),
        }
    }
}

#[derive(Clone, Copy)]
struct ReferenceEntry {
    participant: ParticipantId,
    amount: Cents,
    budget_paid: Cents,
    own_payment: Cents,
    treatment: u128,
    near: u128,
    treatment_date: Date,
    creditable: bool,
}

/// What happened on one day for one participant (for the per-day fraud signals).
#[derive(Clone, Default)]
struct Day {
    providers: Vec<u64>,
    element_codes: Vec<(u64, &'static [&'static str])>,
}

/// Everything adjudication remembers of earlier lines (no `Debug`: it is care data).
#[derive(Clone, Default)]
pub struct History {
    references: HashMap<u128, ReferenceEntry>,
    treatments: HashSet<u128>,
    days: HashMap<(ParticipantId, Date), Day>,
    near: HashMap<u128, Vec<Date>>,
}

fn hash64<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// The key for near-duplicates: the treatment without its date.
fn near_key(
    participant: ParticipantId,
    code: &str,
    element: Option<&str>,
    surface: Option<&str>,
    cost: CostKind,
) -> u128 {
    key(&(
        participant,
        code,
        element.unwrap_or(""),
        surface.unwrap_or(""),
        cost,
    ))
}

impl History {
    /// An empty history.
    #[must_use]
    pub fn new() -> History {
        History::default()
    }

    /// Remembers an earlier line (loaded from the database, or just decided).
    pub fn record(&mut self, line: &PriorLine) {
        let treatment = treatment_key(
            line.participant,
            line.treatment_date,
            &line.code,
            line.element.as_deref(),
            line.surface.as_deref(),
            line.cost,
        );
        let reference = reference_key(&line.provider, &line.reference);
        let near = near_key(
            line.participant,
            &line.code,
            line.element.as_deref(),
            line.surface.as_deref(),
            line.cost,
        );
        let paid = matches!(line.outcome, Outcome::Accepted | Outcome::PartlyAccepted);
        self.references.insert(
            reference,
            ReferenceEntry {
                participant: line.participant,
                amount: line.amount,
                budget_paid: line.budget_paid,
                own_payment: line.own_payment,
                treatment,
                near,
                treatment_date: line.treatment_date,
                creditable: paid && !line.credited,
            },
        );
        if line.credited {
            return;
        }
        self.treatments.insert(treatment);
        self.near.entry(near).or_default().push(line.treatment_date);
        let day = self
            .days
            .entry((line.participant, line.treatment_date))
            .or_default();
        let provider = hash64(line.provider.as_str());
        if !day.providers.contains(&provider) {
            day.providers.push(provider);
        }
        if let (Some(element), CostKind::Honorarium) = (&line.element, line.cost)
            && let Some(group) = exclusion_group(&line.code)
        {
            day.element_codes.push((hash64(element.as_str()), group));
        }
    }

    /// Marks the line with this reference as credited: it can no longer be credited, and the
    /// same treatment may be declared again (the usual credit-and-correct).
    pub fn mark_credited(&mut self, provider: &str, reference: &str) {
        if let Some(entry) = self.references.get_mut(&reference_key(provider, reference)) {
            entry.creditable = false;
            self.treatments.remove(&entry.treatment);
            if let Some(dates) = self.near.get_mut(&entry.near)
                && let Some(at) = dates.iter().position(|d| *d == entry.treatment_date)
            {
                dates.swap_remove(at);
            }
        }
    }

    /// The number of remembered references.
    #[must_use]
    pub fn len(&self) -> usize {
        self.references.len()
    }

    /// Whether nothing is remembered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.references.is_empty()
    }
}

/// Groups of prestatiecodes of which at most one may be declared on one element on one day,
/// and which exclude each other: an extraction excludes fillings and root canal treatment of
/// the same element that day, and within a family of fillings (by number of surfaces) or of
/// root canal treatments (by number of canals) one code covers the element.
const EXTRACTIONS: &[&str] = &["H11", "H16", "H35"];
const FILLINGS_AMALGAM: &[&str] = &["V71", "V72", "V73", "V74"];
const FILLINGS_COMPOSITE: &[&str] = &["V81", "V82", "V83", "V84"];
const FILLINGS_GLASS_IONOMER: &[&str] = &["V91", "V92", "V93", "V94"];
const ROOT_CANALS: &[&str] = &["E13", "E14", "E16", "E17"];

/// Which group a code belongs to, for the incompatible-codes signal.
fn exclusion_group(code: &str) -> Option<&'static [&'static str]> {
    [
        EXTRACTIONS,
        FILLINGS_AMALGAM,
        FILLINGS_COMPOSITE,
        FILLINGS_GLASS_IONOMER,
        ROOT_CANALS,
    ]
    .into_iter()
    .find(|group| group.contains(&code))
}

/// Whether two codes cannot be combined on one element on one day.
#[must_use]
pub fn incompatible(a: &str, b: &str) -> bool {
    match (exclusion_group(a), exclusion_group(b)) {
        (Some(x), Some(y)) => groups_incompatible(x, y),
        _ => false,
    }
}

fn groups_incompatible(x: &'static [&'static str], y: &'static [&'static str]) -> bool {
    std::ptr::eq(x, y) || std::ptr::eq(x, EXTRACTIONS) || std::ptr::eq(y, EXTRACTIONS)
}

fn decision(outcome: Outcome, reasons: Vec<Reason>) -> Decision {
    Decision {
        outcome,
        reasons,
        budget_paid: Cents::ZERO,
        own_payment: Cents::ZERO,
    }
}

/// Decides one line (see the module docs for the order of the checks).
///
/// `participant` is `None` when the line names no known participant; `birth_date` is the date
/// of birth the line states (BSN declarations), checked against the participant's. `budget` is
/// the participant's budget, changed by what is paid. A line that is not rejected is added to
/// `history`.
#[must_use]
pub fn adjudicate(
    ctx: &Context<'_>,
    line: &DeclarationLine,
    participant: Option<&ParticipantFacts>,
    history: &mut History,
    budget: &mut BudgetState,
) -> Decision {
    let mut rejections = Vec::new();
    match ctx.provider {
        ProviderStanding::Authorized => {}
        ProviderStanding::Unregistered => rejections.push(Reason::ProviderUnknown),
        ProviderStanding::OtherSender => rejections.push(Reason::ProviderNotDeclaredBySender),
    }
    check_identity(line, participant, &mut rejections);
    check_amount_and_code(ctx, line, &mut rejections);
    check_dates(ctx, line, participant, &mut rejections);
    let reference = reference_key(line.provider.as_str(), &line.reference);
    if history.references.contains_key(&reference) {
        rejections.push(Reason::DuplicateReference);
    }
    let Some(facts) = participant.filter(|_| rejections.is_empty()) else {
        return decision(Outcome::Rejected, finish(rejections));
    };
    let decided = if line.is_credit() {
        credit(line, facts, history, budget)
    } else {
        charge(ctx, line, facts, history, budget)
    };
    if decided.outcome != Outcome::Rejected {
        history.record(&PriorLine::of(facts.participant, line, &decided));
    }
    decided
}

fn finish(mut reasons: Vec<Reason>) -> Vec<Reason> {
    reasons.dedup();
    reasons
}

fn check_identity(
    line: &DeclarationLine,
    participant: Option<&ParticipantFacts>,
    rejections: &mut Vec<Reason>,
) {
    match (participant, &line.who) {
        (None, _) => rejections.push(Reason::UnknownParticipant),
        (Some(facts), crate::declaration::Who::Bsn { birth_date, .. })
            if *birth_date != facts.birth_date =>
        {
            rejections.push(Reason::BirthDateMismatch);
        }
        _ => {}
    }
}

fn check_amount_and_code(ctx: &Context<'_>, line: &DeclarationLine, rejections: &mut Vec<Reason>) {
    if line.amount.is_zero() || (line.is_credit() && line.previous_reference.is_none()) {
        rejections.push(Reason::InvalidAmount);
    }
    let max = TariffCode::parse(&line.code).ok().and_then(|code| {
        ctx.tariffs
            .max_tariff(&code, line.treatment_date.year())
            .ok()
    });
    let Some(max) = max else {
        rejections.push(Reason::UnknownCode);
        return;
    };
    let bound = max.checked_mul(i64::from(line.quantity.max(1)));
    let above = line.cost == CostKind::Honorarium
        && !line.is_credit()
        && bound.is_none_or(|bound| line.amount > bound);
    if above {
        rejections.push(Reason::AboveMaximumTariff);
    }
}

fn check_dates(
    ctx: &Context<'_>,
    line: &DeclarationLine,
    participant: Option<&ParticipantFacts>,
    rejections: &mut Vec<Reason>,
) {
    let terms = ctx.terms;
    if line.treatment_date > ctx.received_on {
        rejections.push(Reason::DateInFuture);
    }
    let late = add_months_clamped(line.treatment_date, u32::from(terms.late_submission_months));
    if late.is_some_and(|last| ctx.received_on > last) {
        rejections.push(Reason::SubmittedTooLate);
    }
    let end = participant.and_then(|facts| facts.contract_end);
    if let Some(end) = end.filter(|end| line.treatment_date <= *end) {
        let window = add_months_clamped(end, u32::from(terms.declarations_after_end_months));
        if window.is_some_and(|last| ctx.received_on > last) {
            rejections.push(Reason::AfterEndWindow);
        }
    }
}

fn credit(
    line: &DeclarationLine,
    facts: &ParticipantFacts,
    history: &mut History,
    budget: &mut BudgetState,
) -> Decision {
    let previous = line.previous_reference.as_deref().unwrap_or_default();
    let original = history
        .references
        .get(&reference_key(line.provider.as_str(), previous))
        .copied()
        .filter(|entry| {
            entry.creditable
                && entry.participant == facts.participant
                && entry.amount.checked_neg() == Some(line.amount)
        });
    let Some(original) = original else {
        return decision(Outcome::Rejected, vec![Reason::CreditWithoutOriginal]);
    };
    history.mark_credited(line.provider.as_str(), previous);
    budget.balance = budget
        .balance
        .checked_add(original.budget_paid)
        .expect("BUG: a budget balance stays far from the i64 range");
    Decision {
        outcome: Outcome::Accepted,
        reasons: vec![Reason::CreditApplied],
        budget_paid: original.budget_paid.checked_neg().unwrap_or(Cents::ZERO),
        own_payment: original.own_payment.checked_neg().unwrap_or(Cents::ZERO),
    }
}

fn charge(
    ctx: &Context<'_>,
    line: &DeclarationLine,
    facts: &ParticipantFacts,
    history: &History,
    budget: &mut BudgetState,
) -> Decision {
    if history
        .treatments
        .contains(&line_treatment_key(facts.participant, line))
    {
        return decision(Outcome::Rejected, vec![Reason::DuplicateTreatment]);
    }
    let mut holds = Vec::new();
    if line.accident {
        // FUTURE(#7): pay from an approved accident claim once accident cover exists.
        holds.push(Reason::AccidentReview);
    }
    fraud_signals(ctx, line, facts, history, &mut holds);
    if !holds.is_empty() {
        return decision(Outcome::Held, holds);
    }
    pay(line.amount, budget)
}

/// Pays `amount` from the budget as far as it can carry it; the rest is own payment.
fn pay(amount: Cents, budget: &mut BudgetState) -> Decision {
    let paid = amount.min(budget.available());
    let own = amount
        .checked_sub(paid)
        .expect("BUG: paid is at most the amount");
    budget.balance = budget
        .balance
        .checked_sub(paid)
        .expect("BUG: a budget balance stays far from the i64 range");
    let (outcome, reason) = if own.is_zero() {
        (Outcome::Accepted, Reason::Paid)
    } else {
        (Outcome::PartlyAccepted, Reason::OwnPayment)
    };
    Decision {
        outcome,
        reasons: vec![reason],
        budget_paid: paid,
        own_payment: own,
    }
}

fn fraud_signals(
    ctx: &Context<'_>,
    line: &DeclarationLine,
    facts: &ParticipantFacts,
    history: &History,
    holds: &mut Vec<Reason>,
) {
    let terms = ctx.terms;
    let near_days = Duration::days(i64::from(terms.fraud_near_duplicate_days));
    let near = history
        .near
        .get(&near_key(
            facts.participant,
            &line.code,
            line.element.as_deref(),
            line.surface.as_deref(),
            line.cost,
        ))
        .is_some_and(|dates| {
            dates
                .iter()
                .any(|date| (*date - line.treatment_date).abs() <= near_days)
        });
    if near {
        holds.push(Reason::NearDuplicate);
    }
    let day = history.days.get(&(facts.participant, line.treatment_date));
    let provider = hash64(line.provider.as_str());
    let providers = day.map_or(0, |day| day.providers.len())
        + usize::from(!day.is_some_and(|day| day.providers.contains(&provider)));
    if providers > usize::from(terms.fraud_providers_per_day_max) {
        holds.push(Reason::ManyProviders);
    }
    if line.treatment_date < facts.contract_start {
        holds.push(Reason::BeforeEnrollment);
    }
    if facts
        .contract_end
        .is_some_and(|end| line.treatment_date > end)
    {
        holds.push(Reason::AfterContractEnd);
    }
    let first_month_end = add_months_clamped(facts.contract_start, 1);
    let in_first_month = line.treatment_date >= facts.contract_start
        && first_month_end.is_some_and(|end| line.treatment_date < end);
    if in_first_month && line.amount >= terms.fraud_first_month_cents_min {
        holds.push(Reason::ExpensiveFirstMonth);
    }
    if incompatible_with_day(line, day) {
        holds.push(Reason::IncompatibleCodes);
    }
}

fn incompatible_with_day(line: &DeclarationLine, day: Option<&Day>) -> bool {
    let (Some(element), Some(day), CostKind::Honorarium) = (&line.element, day, line.cost) else {
        return false;
    };
    let Some(group) = exclusion_group(&line.code) else {
        return false;
    };
    let element = hash64(element.as_str());
    day.element_codes
        .iter()
        .any(|(other, other_group)| *other == element && groups_incompatible(group, other_group))
}
