//! Adjudication as a specification: one test per reason code and per fraud signal, and
//! property tests for the money rules (`PRODUCT.md`, "Declarations").

use ixorg_domain::Cents;
use ixorg_domain::adjudication::{
    BudgetState, Context, History, ParticipantFacts, PriorLine, ProviderStanding, adjudicate,
    incompatible,
};
use ixorg_domain::declaration::{CostKind, Decision, DeclarationLine, Outcome, Reason, Who};
use ixorg_domain::identifiers::{AgbCode, Bsn, ParticipantNumber};
use ixorg_domain::ids::ParticipantId;
use ixorg_domain::tariff::{PointValue, Tariff, TariffCode, TariffTable};
use ixorg_domain::terms::{self, ProductTerms};
use proptest::prelude::*;
use time::Date;
use time::macros::date;

const RECEIVED: Date = date!(2026 - 06 - 15);
const START: Date = date!(2025 - 01 - 01);
/// C002 in 2026: 3.8 points x EUR 7.5026 = EUR 28.51.
const C002_MAX: i64 = 2851;

fn tariffs() -> TariffTable {
    let tariff = |code: &str, points: i64| Tariff {
        code: TariffCode::parse(code).expect("valid code"),
        group: code[..1].to_owned(),
        description: String::new(),
        points_hundredths: points,
        unit: String::new(),
    };
    TariffTable::new(
        vec![
            tariff("C002", 380),
            tariff("V71", 420),
            tariff("V72", 670),
            tariff("H11", 750),
            tariff("E13", 1800),
            tariff("X10", 280),
        ],
        vec![
            PointValue {
                year: 2025,
                eur_ten_thousandths: 72_000,
            },
            PointValue {
                year: 2026,
                eur_ten_thousandths: 75_026,
            },
        ],
    )
    .expect("valid table")
}

fn product_terms() -> ProductTerms {
    terms::initial().terms
}

fn participant() -> ParticipantFacts {
    ParticipantFacts {
        participant: ParticipantId::from_uuid(uuid::Uuid::from_u128(7)),
        birth_date: date!(1980 - 05 - 01),
        contract_start: START,
        contract_end: None,
    }
}

fn budget(balance: i64) -> BudgetState {
    BudgetState {
        balance: Cents::new(balance),
        credit_line: Cents::new(24_000),
        credit_line_suspended: false,
    }
}

fn line(reference: &str, code: &str, amount: i64) -> DeclarationLine {
    DeclarationLine {
        reference: reference.to_owned(),
        previous_reference: None,
        who: Who::Number(ParticipantNumber::from_sequence(1).expect("valid")),
        provider: AgbCode::parse("12041054").expect("valid"),
        practice: None,
        treatment_date: date!(2026 - 06 - 01),
        code: code.to_owned(),
        element: None,
        surface: None,
        cost: CostKind::Honorarium,
        quantity: 1,
        unit_tariff: Cents::new(amount),
        amount: Cents::new(amount),
        accident: false,
    }
}

struct Run {
    terms: ProductTerms,
    tariffs: TariffTable,
    history: History,
    budget: BudgetState,
    facts: Option<ParticipantFacts>,
    provider: ProviderStanding,
}

impl Run {
    fn new() -> Run {
        Run {
            terms: product_terms(),
            tariffs: tariffs(),
            history: History::new(),
            budget: budget(10_000),
            facts: Some(participant()),
            provider: ProviderStanding::Authorized,
        }
    }

    fn decide(&mut self, line: &DeclarationLine) -> Decision {
        let ctx = Context {
            received_on: RECEIVED,
            provider: self.provider,
            terms: &self.terms,
            tariffs: &self.tariffs,
        };
        adjudicate(
            &ctx,
            line,
            self.facts.as_ref(),
            &mut self.history,
            &mut self.budget,
        )
    }
}

fn held_for(decision: &Decision, reason: Reason) -> bool {
    decision.outcome == Outcome::Held
        && decision.reasons.contains(&reason)
        && decision.budget_paid.is_zero()
}

fn rejected_for(decision: &Decision, reason: Reason) -> bool {
    decision.outcome == Outcome::Rejected
        && decision.reasons.contains(&reason)
        && decision.budget_paid.is_zero()
}

#[test]
fn a_line_within_the_budget_is_paid_in_full() {
    let mut run = Run::new();
    let decision = run.decide(&line("r1", "C002", C002_MAX));
    assert_eq!(decision.outcome, Outcome::Accepted);
    assert_eq!(decision.reasons, vec![Reason::Paid]);
    assert_eq!(decision.budget_paid, Cents::new(C002_MAX));
    assert_eq!(run.budget.balance, Cents::new(10_000 - C002_MAX));
}

#[test]
fn a_line_for_a_provider_registered_nowhere_is_rejected_and_takes_nothing() {
    let mut run = Run::new();
    run.provider = ProviderStanding::Unregistered;
    let decision = run.decide(&line("r1", "C002", C002_MAX));
    assert!(rejected_for(&decision, Reason::ProviderUnknown));
    assert_eq!(run.budget.balance, Cents::new(10_000));
    // The rejected line took neither the reference nor the treatment: the right sender's
    // line for the same treatment is paid.
    run.provider = ProviderStanding::Authorized;
    let decision = run.decide(&line("r1", "C002", C002_MAX));
    assert_eq!(decision.outcome, Outcome::Accepted);
}

#[test]
fn a_line_for_another_senders_provider_is_rejected_and_does_not_block_the_right_sender() {
    let mut run = Run::new();
    run.provider = ProviderStanding::OtherSender;
    let decision = run.decide(&line("r1", "C002", C002_MAX));
    assert!(rejected_for(&decision, Reason::ProviderNotDeclaredBySender));
    assert_eq!(run.budget.balance, Cents::new(10_000));
    run.provider = ProviderStanding::Authorized;
    let decision = run.decide(&line("r1", "C002", C002_MAX));
    assert_eq!(decision.outcome, Outcome::Accepted);
    assert_eq!(decision.reasons, vec![Reason::Paid]);
}

#[test]
fn what_the_budget_and_credit_line_cannot_carry_is_own_payment() {
    let mut run = Run::new();
    run.budget = budget(-23_000); // EUR 10 left of the credit line
    let decision = run.decide(&line("r1", "C002", C002_MAX));
    assert_eq!(decision.outcome, Outcome::PartlyAccepted);
    assert_eq!(decision.reasons, vec![Reason::OwnPayment]);
    assert_eq!(decision.budget_paid, Cents::new(1_000));
    assert_eq!(decision.own_payment, Cents::new(C002_MAX - 1_000));
    assert_eq!(run.budget.balance, Cents::new(-24_000));
}

#[test]
fn a_suspended_credit_line_leaves_only_the_positive_balance() {
    let mut run = Run::new();
    run.budget = BudgetState {
        credit_line_suspended: true,
        ..budget(500)
    };
    let decision = run.decide(&line("r1", "C002", C002_MAX));
    assert_eq!(decision.budget_paid, Cents::new(500));
    assert_eq!(decision.own_payment, Cents::new(C002_MAX - 500));
}

#[test]
fn an_unknown_participant_is_rejected() {
    let mut run = Run::new();
    run.facts = None;
    let decision = run.decide(&line("r1", "C002", C002_MAX));
    assert!(rejected_for(&decision, Reason::UnknownParticipant));
}

#[test]
fn a_bsn_declaration_with_another_date_of_birth_is_rejected() {
    let mut run = Run::new();
    let mut bsn_line = line("r1", "C002", C002_MAX);
    bsn_line.who = Who::Bsn {
        bsn: Bsn::parse("111222333").expect("valid BSN"),
        birth_date: date!(1981 - 05 - 01),
    };
    let decision = run.decide(&bsn_line);
    assert!(rejected_for(&decision, Reason::BirthDateMismatch));
}

#[test]
fn an_unknown_or_old_prestatiecode_is_rejected() {
    let mut run = Run::new();
    assert!(rejected_for(
        &run.decide(&line("r1", "C11", 2000)),
        Reason::UnknownCode
    ));
    assert!(rejected_for(
        &run.decide(&line("r2", "Z999", 2000)),
        Reason::UnknownCode
    ));
}

#[test]
fn a_code_without_a_point_value_for_the_treatment_year_is_unknown() {
    let mut run = Run::new();
    let mut old = line("r1", "C002", 1000);
    old.treatment_date = date!(2024 - 12 - 01);
    let decision = run.decide(&old);
    assert!(rejected_for(&decision, Reason::UnknownCode));
}

#[test]
fn an_amount_above_number_times_the_maximum_tariff_is_rejected() {
    let mut run = Run::new();
    assert!(rejected_for(
        &run.decide(&line("r1", "C002", C002_MAX + 1)),
        Reason::AboveMaximumTariff
    ));
    let mut two = line("r2", "C002", 2 * C002_MAX);
    two.quantity = 2;
    assert_eq!(run.decide(&two).outcome, Outcome::Accepted);
}

#[test]
fn material_costs_are_passed_at_cost_above_the_tariff() {
    let mut run = Run::new();
    let mut material = line("r1", "V71", 9_000);
    material.cost = CostKind::MaterialOrTechnician;
    assert_eq!(run.decide(&material).outcome, Outcome::Accepted);
}

#[test]
fn a_zero_amount_or_a_credit_without_reference_is_an_invalid_amount() {
    let mut run = Run::new();
    assert!(rejected_for(
        &run.decide(&line("r1", "C002", 0)),
        Reason::InvalidAmount
    ));
    assert!(rejected_for(
        &run.decide(&line("r2", "C002", -100)),
        Reason::InvalidAmount
    ));
}

#[test]
fn a_treatment_date_after_receipt_is_rejected() {
    let mut run = Run::new();
    let mut future = line("r1", "C002", C002_MAX);
    future.treatment_date = date!(2026 - 06 - 16);
    assert!(rejected_for(&run.decide(&future), Reason::DateInFuture));
}

#[test]
fn a_line_received_after_the_late_submission_window_is_rejected() {
    let mut run = Run::new();
    let mut late = line("r1", "C002", 2000);
    late.treatment_date = date!(2025 - 06 - 14);
    assert!(rejected_for(&run.decide(&late), Reason::SubmittedTooLate));
    let mut in_time = line("r2", "C002", 2000);
    in_time.treatment_date = date!(2025 - 06 - 15);
    assert_eq!(run.decide(&in_time).outcome, Outcome::Accepted);
}

#[test]
fn after_the_contract_end_earlier_treatment_is_accepted_for_six_months_only() {
    let mut run = Run::new();
    run.facts = Some(ParticipantFacts {
        contract_end: Some(date!(2025 - 11 - 30)),
        ..participant()
    });
    let mut earlier = line("r1", "C002", 2000);
    earlier.treatment_date = date!(2025 - 11 - 01);
    assert!(rejected_for(&run.decide(&earlier), Reason::AfterEndWindow));

    run.facts = Some(ParticipantFacts {
        contract_end: Some(date!(2026 - 01 - 31)),
        ..participant()
    });
    earlier.treatment_date = date!(2026 - 01 - 20);
    earlier.reference = "r2".to_owned();
    assert_eq!(run.decide(&earlier).outcome, Outcome::Accepted);
}

#[test]
fn the_same_provider_reference_twice_is_a_duplicate_and_never_paid_twice() {
    let mut run = Run::new();
    let first = run.decide(&line("r1", "C002", C002_MAX));
    let mut again = line("r1", "X10", 1000);
    again.treatment_date = date!(2026 - 05 - 01);
    let second = run.decide(&again);
    assert_eq!(first.outcome, Outcome::Accepted);
    assert!(rejected_for(&second, Reason::DuplicateReference));
}

#[test]
fn the_same_treatment_under_another_reference_is_a_duplicate() {
    let mut run = Run::new();
    run.decide(&line("r1", "C002", C002_MAX));
    let second = run.decide(&line("r2", "C002", C002_MAX));
    assert!(rejected_for(&second, Reason::DuplicateTreatment));
}

#[test]
fn a_duplicate_of_a_line_from_the_database_is_rejected() {
    let mut run = Run::new();
    run.history.record(&PriorLine {
        participant: participant().participant,
        provider: "12041054".to_owned(),
        reference: "old".to_owned(),
        treatment_date: date!(2026 - 06 - 01),
        code: "C002".to_owned(),
        element: None,
        surface: None,
        cost: CostKind::Honorarium,
        amount: Cents::new(C002_MAX),
        budget_paid: Cents::new(C002_MAX),
        own_payment: Cents::ZERO,
        outcome: Outcome::Accepted,
        credited: false,
    });
    assert!(rejected_for(
        &run.decide(&line("old", "X10", 100)),
        Reason::DuplicateReference
    ));
    assert!(rejected_for(
        &run.decide(&line("new", "C002", C002_MAX)),
        Reason::DuplicateTreatment
    ));
}

#[test]
fn a_credit_line_reverses_the_earlier_payment_once() {
    let mut run = Run::new();
    run.budget = BudgetState {
        credit_line: Cents::ZERO,
        ..budget(2_000)
    };
    let paid = run.decide(&line("r1", "C002", C002_MAX));
    assert_eq!(paid.budget_paid, Cents::new(2_000));
    let mut credit = line("r1c", "C002", -C002_MAX);
    credit.previous_reference = Some("r1".to_owned());
    let reversed = run.decide(&credit);
    assert_eq!(reversed.outcome, Outcome::Accepted);
    assert_eq!(reversed.reasons, vec![Reason::CreditApplied]);
    assert_eq!(reversed.budget_paid, Cents::new(-2_000));
    assert_eq!(reversed.own_payment, Cents::new(-(C002_MAX - 2_000)));
    assert_eq!(run.budget.balance, Cents::new(2_000));

    let mut twice = credit.clone();
    twice.reference = "r1c2".to_owned();
    assert!(rejected_for(
        &run.decide(&twice),
        Reason::CreditWithoutOriginal
    ));
    // Credit and correct: the same treatment may now be declared again.
    assert_eq!(
        run.decide(&line("r1b", "C002", 2_000)).outcome,
        Outcome::Accepted
    );
}

#[test]
fn a_credit_for_an_unknown_or_unpaid_line_is_rejected() {
    let mut run = Run::new();
    let mut credit = line("c1", "C002", -C002_MAX);
    credit.previous_reference = Some("nothing".to_owned());
    assert!(rejected_for(
        &run.decide(&credit),
        Reason::CreditWithoutOriginal
    ));
    let mut accident = line("a1", "C002", C002_MAX);
    accident.accident = true;
    run.decide(&accident);
    credit.previous_reference = Some("a1".to_owned());
    credit.reference = "c2".to_owned();
    assert!(rejected_for(
        &run.decide(&credit),
        Reason::CreditWithoutOriginal
    ));
}

#[test]
fn an_accident_line_is_held_for_review() {
    let mut run = Run::new();
    let mut accident = line("r1", "C002", C002_MAX);
    accident.accident = true;
    assert!(held_for(&run.decide(&accident), Reason::AccidentReview));
    assert_eq!(run.budget.balance, Cents::new(10_000));
}

#[test]
fn fraud_the_same_treatment_a_few_days_apart_is_held_as_a_near_duplicate() {
    let mut run = Run::new();
    run.decide(&line("r1", "C002", C002_MAX));
    let mut soon = line("r2", "C002", C002_MAX);
    soon.treatment_date = date!(2026 - 06 - 04);
    assert!(held_for(&run.decide(&soon), Reason::NearDuplicate));
    let mut later = line("r3", "C002", C002_MAX);
    later.treatment_date = date!(2026 - 06 - 10);
    assert_eq!(run.decide(&later).outcome, Outcome::Accepted);
}

#[test]
fn fraud_a_third_provider_on_one_day_is_held() {
    let mut run = Run::new();
    for (reference, provider, code) in [("a", "12041054", "C002"), ("b", "12000011", "X10")] {
        let mut l = line(reference, code, 1000);
        l.provider = AgbCode::parse(provider).expect("valid");
        assert_eq!(run.decide(&l).outcome, Outcome::Accepted);
    }
    let mut third = line("c", "V71", 1000);
    third.provider = AgbCode::parse("12000029").expect("valid");
    third.element = Some("16".to_owned());
    assert!(held_for(&run.decide(&third), Reason::ManyProviders));
}

#[test]
fn fraud_treatment_before_the_contract_start_is_held() {
    let mut run = Run::new();
    run.facts = Some(ParticipantFacts {
        contract_start: date!(2026 - 06 - 01),
        ..participant()
    });
    let mut before = line("r1", "C002", 1000);
    before.treatment_date = date!(2026 - 05 - 20);
    assert!(held_for(&run.decide(&before), Reason::BeforeEnrollment));
}

#[test]
fn fraud_treatment_after_the_contract_end_is_held() {
    let mut run = Run::new();
    run.facts = Some(ParticipantFacts {
        contract_end: Some(date!(2026 - 05 - 31)),
        ..participant()
    });
    assert!(held_for(
        &run.decide(&line("r1", "C002", 1000)),
        Reason::AfterContractEnd
    ));
}

#[test]
fn fraud_expensive_work_in_the_first_month_is_held() {
    let mut run = Run::new();
    run.facts = Some(ParticipantFacts {
        contract_start: date!(2026 - 05 - 15),
        ..participant()
    });
    let mut crown = line("r1", "E13", 13_000);
    crown.element = Some("36".to_owned());
    crown.quantity = 2;
    crown.amount = Cents::new(26_000);
    assert!(held_for(&run.decide(&crown), Reason::ExpensiveFirstMonth));
    let mut cheap = line("r2", "C002", 1000);
    cheap.treatment_date = date!(2026 - 05 - 20);
    assert_eq!(run.decide(&cheap).outcome, Outcome::Accepted);
}

#[test]
fn fraud_an_extraction_and_a_filling_of_one_element_on_one_day_are_held() {
    let mut run = Run::new();
    let mut filling = line("r1", "V71", 3000);
    filling.element = Some("16".to_owned());
    assert_eq!(run.decide(&filling).outcome, Outcome::Accepted);
    let mut extraction = line("r2", "H11", 5000);
    extraction.element = Some("16".to_owned());
    assert!(held_for(
        &run.decide(&extraction),
        Reason::IncompatibleCodes
    ));
    let mut other_element = line("r3", "H11", 5000);
    other_element.element = Some("17".to_owned());
    assert_eq!(run.decide(&other_element).outcome, Outcome::Accepted);
}

#[test]
fn incompatible_codes_are_extraction_with_treatment_or_two_of_one_family() {
    assert!(incompatible("H11", "V71"));
    assert!(incompatible("E13", "H11"));
    assert!(incompatible("V71", "V72"));
    assert!(!incompatible("V71", "V81"));
    assert!(!incompatible("C002", "V71"));
}

#[test]
fn a_rejected_line_lists_every_failed_check() {
    let mut run = Run::new();
    run.facts = None;
    let mut bad = line("r1", "C11", 0);
    bad.treatment_date = date!(2027 - 01 - 01);
    let decision = run.decide(&bad);
    assert_eq!(
        decision.reasons,
        vec![
            Reason::UnknownParticipant,
            Reason::InvalidAmount,
            Reason::UnknownCode,
            Reason::DateInFuture
        ]
    );
}

#[test]
fn every_reason_has_a_test_in_this_file() {
    let source = include_str!("adjudication.rs");
    for reason in Reason::ALL {
        let name = format!("Reason::{reason:?}");
        assert!(source.contains(&name), "no test names {name}");
    }
}

proptest! {
    #[test]
    fn paid_plus_own_payment_is_the_amount_and_the_credit_line_holds(
        balance in -24_000_i64..50_000,
        amounts in proptest::collection::vec(1_i64..=C002_MAX, 1..20),
    ) {
        let mut run = Run::new();
        run.budget = budget(balance);
        for (i, amount) in amounts.iter().enumerate() {
            let mut l = line(&format!("r{i}"), "C002", *amount);
            l.treatment_date = date!(2026 - 01 - 01) + time::Duration::days(i64::try_from(i * 5).expect("small"));
            let before = run.budget.balance;
            let decision = run.decide(&l);
            prop_assert_eq!(decision.budget_paid.get() + decision.own_payment.get(), *amount);
            prop_assert!(decision.budget_paid.get() >= 0);
            prop_assert_eq!(before.get() - decision.budget_paid.get(), run.budget.balance.get());
            prop_assert!(run.budget.balance.get() >= -24_000 || run.budget.balance == before);
        }
    }
}
