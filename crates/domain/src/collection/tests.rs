use super::*;
use crate::terms::initial;
use proptest::prelude::*;
use time::macros::date;

fn terms() -> ProductTerms {
    initial().terms
}

#[test]
fn the_fee_follows_role_and_age_on_the_first_of_the_month() {
    // Arrange: (role, date of birth, collection month, fee, premium).
    let month = date!(2026 - 03 - 01);
    let cases = [
        (HouseholdRole::Main, date!(1980 - 05 - 05), month, 485, 60),
        (
            HouseholdRole::Partner,
            date!(1982 - 01 - 01),
            month,
            385,
            60,
        ),
        (HouseholdRole::Child, date!(2015 - 07 - 07), month, 200, 0),
        // Turns 18 on the first of the month: adult that month.
        (HouseholdRole::Child, date!(2008 - 03 - 01), month, 385, 60),
        // Turns 18 on the second: still a child that month.
        (HouseholdRole::Child, date!(2008 - 03 - 02), month, 200, 0),
        // Turned 18 on the last day of the previous month.
        (HouseholdRole::Child, date!(2008 - 02 - 28), month, 385, 60),
        // Born on 29 February 2008: 18 on 1 March 2026 (no 29 February in 2026).
        (HouseholdRole::Child, date!(2008 - 02 - 29), month, 385, 60),
        (
            HouseholdRole::Child,
            date!(2008 - 02 - 29),
            date!(2026 - 02 - 01),
            200,
            0,
        ),
        // A partner under 18 pays the child fee and has no premium.
        (HouseholdRole::Partner, date!(2009 - 01 - 01), month, 200, 0),
        // A main participant under 18 (not accepted, but the rule is total) pays the main
        // fee without premium.
        (HouseholdRole::Main, date!(2010 - 01 - 01), month, 485, 0),
    ];
    for (role, birth, month_first, fee, premium) in cases {
        // Act
        let contribution = contribution(&terms(), role, birth, Cents::new(30_000), month_first);
        // Assert
        assert_eq!(contribution.fee, Cents::new(fee), "{role} {birth}");
        assert_eq!(contribution.premium, Cents::new(premium), "{role} {birth}");
        assert_eq!(contribution.saving, Cents::new(2_500));
    }
}

#[test]
fn the_day_of_the_collection_date_does_not_change_the_age() {
    let birth = date!(2008 - 03 - 02);
    let on_the_first = contribution(
        &terms(),
        HouseholdRole::Child,
        birth,
        Cents::ZERO,
        date!(2026 - 03 - 01),
    );
    let on_the_third = contribution(
        &terms(),
        HouseholdRole::Child,
        birth,
        Cents::ZERO,
        date!(2026 - 03 - 03),
    );
    assert_eq!(on_the_first, on_the_third);
}

#[test]
fn the_total_is_saving_plus_fee_and_the_premium_is_part_of_the_fee() {
    let contribution = contribution(
        &terms(),
        HouseholdRole::Main,
        date!(1980 - 01 - 01),
        Cents::new(10_000),
        date!(2026 - 01 - 01),
    );
    assert_eq!(contribution.saving, Cents::new(833));
    assert_eq!(contribution.total(), Some(Cents::new(833 + 485)));
    assert_eq!(contribution.fee_income(), Some(Cents::new(425)));
}

#[test]
fn the_collection_date_is_the_first_working_day() {
    assert_eq!(
        collection_date(&terms(), 2026, Month::March),
        date!(2026 - 03 - 02)
    );
    assert_eq!(
        collection_date(&terms(), 2026, Month::June),
        date!(2026 - 06 - 01)
    );
}

#[test]
fn a_mandate_is_collected_frst_first_then_rcur() {
    let terms = terms();
    let new = MandateHistory::default();
    let used = MandateHistory {
        successful_collections: 3,
        first_collection_failed_last: false,
    };
    let failed_first = MandateHistory {
        successful_collections: 1,
        first_collection_failed_last: true,
    };
    assert_eq!(sequence_type(&terms, new, false), SequenceType::Frst);
    assert_eq!(sequence_type(&terms, used, false), SequenceType::Rcur);
    assert_eq!(
        sequence_type(&terms, failed_first, false),
        SequenceType::Frst
    );
}

#[test]
fn a_final_collection_is_rcur_or_frst_never_fnal() {
    let terms = terms();
    let used = MandateHistory {
        successful_collections: 3,
        first_collection_failed_last: false,
    };
    assert_eq!(sequence_type(&terms, used, true), SequenceType::Rcur);
    assert_eq!(
        sequence_type(&terms, MandateHistory::default(), true),
        SequenceType::Frst
    );
}

#[test]
fn every_collection_is_rcur_when_the_terms_switch_frst_off() {
    let mut terms = terms();
    terms.first_collection_sequence_frst = false;
    assert_eq!(
        sequence_type(&terms, MandateHistory::default(), false),
        SequenceType::Rcur
    );
    assert_eq!(
        sequence_type(&terms, MandateHistory::default(), true),
        SequenceType::Rcur
    );
}

#[test]
fn a_sequence_type_is_read_back_from_its_file_code_and_no_other_text() {
    // Arrange
    let all = [
        SequenceType::Frst,
        SequenceType::Rcur,
        SequenceType::Ooff,
        SequenceType::Fnal,
    ];

    // Act & Assert
    for sequence in all {
        assert_eq!(SequenceType::from_name(sequence.as_str()), Some(sequence));
    }
    for unknown in ["", "rcur", "RCUR ", "XXXX", "FRS"] {
        assert_eq!(SequenceType::from_name(unknown), None, "{unknown:?}");
    }
}

#[test]
fn sequence_types_have_their_file_codes() {
    let codes: Vec<_> = [
        SequenceType::Frst,
        SequenceType::Rcur,
        SequenceType::Ooff,
        SequenceType::Fnal,
    ]
    .iter()
    .map(|sequence| sequence.to_string())
    .collect();
    assert_eq!(codes, ["FRST", "RCUR", "OOFF", "FNAL"]);
}

#[test]
fn every_listed_reason_code_round_trips() {
    let known = ReturnReason::all_known();
    assert_eq!(known.len(), 18);
    for reason in known {
        assert_eq!(reason.code().parse::<ReturnReason>(), Ok(reason.clone()));
        assert_eq!(reason.to_string(), reason.code());
        assert!(!reason.description().is_empty());
    }
    assert_eq!(ReturnReason::Am04.description(), "insufficient funds");
}

#[test]
fn an_unlisted_code_is_kept_and_garbage_is_refused() {
    assert_eq!(
        " AM09 ".parse::<ReturnReason>(),
        Ok(ReturnReason::Unknown("AM09".to_owned()))
    );
    assert_eq!(ReturnReason::Unknown("AM09".to_owned()).code(), "AM09");
    for text in ["", "am04", "AM045", "A M0", "<x>"] {
        assert_eq!(
            text.parse::<ReturnReason>(),
            Err(ReturnReasonError),
            "{text}"
        );
    }
}

#[test]
fn the_reminder_flow_follows_the_table_for_every_reason() {
    use ReminderStep::{Notice, RetryNextRun, ReviewByStaff, StopCollecting, SuspendCreditLine};
    // (code, steps after the 1st, 2nd, 3rd and 4th failure in a row).
    let table = [
        ("AC01", [StopCollecting; 4]),
        ("AC04", [StopCollecting; 4]),
        ("AC06", [StopCollecting; 4]),
        ("AC13", [StopCollecting; 4]),
        ("AG01", [StopCollecting; 4]),
        ("AG02", [ReviewByStaff; 4]),
        (
            "AM04",
            [RetryNextRun, Notice, SuspendCreditLine, SuspendCreditLine],
        ),
        ("AM05", [ReviewByStaff; 4]),
        ("BE05", [ReviewByStaff; 4]),
        ("FF01", [ReviewByStaff; 4]),
        ("MD01", [StopCollecting; 4]),
        ("MD02", [ReviewByStaff; 4]),
        (
            "MD06",
            [
                Notice,
                SuspendCreditLine,
                SuspendCreditLine,
                SuspendCreditLine,
            ],
        ),
        ("MD07", [StopCollecting; 4]),
        (
            "MS02",
            [RetryNextRun, Notice, SuspendCreditLine, SuspendCreditLine],
        ),
        (
            "MS03",
            [RetryNextRun, Notice, SuspendCreditLine, SuspendCreditLine],
        ),
        ("RC01", [ReviewByStaff; 4]),
        (
            "SL01",
            [RetryNextRun, Notice, SuspendCreditLine, SuspendCreditLine],
        ),
        ("ZZ99", [ReviewByStaff; 4]),
    ];
    assert_eq!(table.len(), ReturnReason::all_known().len() + 1);
    for (code, steps) in table {
        let reason: ReturnReason = code.parse().expect("a reason code");
        for (failures, expected) in (1_u32..).zip(steps) {
            assert_eq!(
                reminder_step(&reason, failures),
                expected,
                "{code} #{failures}"
            );
        }
    }
    assert_eq!(reminder_step(&ReturnReason::Am04, 0), RetryNextRun);
    assert_eq!(
        reminder_step(&ReturnReason::Am04, u32::MAX),
        SuspendCreditLine
    );
    assert_eq!(SuspendCreditLine.as_str(), "suspend_credit_line");
}

fn arb_role() -> impl Strategy<Value = HouseholdRole> {
    prop_oneof![
        Just(HouseholdRole::Main),
        Just(HouseholdRole::Partner),
        Just(HouseholdRole::Child)
    ]
}

fn arb_date() -> impl Strategy<Value = Date> {
    (1900_i32..2100, 1_u8..=12, 1_u8..=28).prop_map(|(year, month, day)| {
        Date::from_calendar_date(year, Month::try_from(month).expect("1..=12"), day)
            .expect("a valid date")
    })
}

proptest! {
    #[test]
    fn a_contribution_is_saving_plus_a_fee_that_contains_the_premium(
        role in arb_role(),
        birth in arb_date(),
        month in arb_date(),
        annual in 0_i64..10_000_000,
    ) {
        let terms = terms();
        let contribution = contribution(&terms, role, birth, Cents::new(annual), month);
        let total = contribution.total().expect("no overflow");
        prop_assert_eq!(total.get(), contribution.saving.get() + contribution.fee.get());
        prop_assert!(!contribution.premium.is_negative());
        prop_assert!(contribution.premium <= contribution.fee);
        let income = contribution.fee_income().expect("no overflow");
        prop_assert!(!income.is_negative());
        prop_assert_eq!(income.get() + contribution.premium.get(), contribution.fee.get());
        prop_assert!((contribution.saving.get() * 12 - annual).abs() <= 6);
        prop_assert!([485, 385, 200].contains(&contribution.fee.get()));
    }

    #[test]
    fn only_adults_pay_a_premium(role in arb_role(), birth in arb_date(), month in arb_date()) {
        let terms = terms();
        let contribution = contribution(&terms, role, birth, Cents::ZERO, month);
        let adult = terms.is_adult(age_on(birth, month_start(month)));
        prop_assert_eq!(contribution.premium.is_positive(), adult);
    }

    #[test]
    fn reason_parsing_never_panics(text in ".{0,12}") {
        let _ = text.parse::<ReturnReason>();
    }
}
