//! Monthly collections: what one participant owes in a month, the SEPA sequence type, the
//! collection date, the return reasons a bank reports and the reminder flow that follows a
//! return (`PRODUCT.md`, "Money", "Collections"; `REFERENCE.md`, "Reason codes").

use std::fmt;
use std::str::FromStr;

use time::{Date, Month};

use crate::money::Cents;
use crate::termination::month_start;
use crate::terms::{HouseholdRole, ProductTerms, age_on};

/// One participant's contribution for one month.
///
/// The premium is *part of* the fee, not added to it: the participant pays `saving + fee`;
/// of the fee, `premium` is owed to the insurer and `fee - premium` is the operator's fee
/// income ([`Contribution::fee_income`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Contribution {
    /// The saving amount, credited to the participant's budget.
    pub saving: Cents,
    /// The service fee, including the premium.
    pub fee: Cents,
    /// The premium share of the fee for the accident cover (adults only).
    pub premium: Cents,
}

impl Contribution {
    /// The amount collected: saving + fee, or `None` on overflow.
    #[must_use]
    pub fn total(&self) -> Option<Cents> {
        self.saving.checked_add(self.fee)
    }

    /// The operator's share of the fee: fee − premium, or `None` on overflow.
    #[must_use]
    pub fn fee_income(&self) -> Option<Cents> {
        self.fee.checked_sub(self.premium)
    }
}

/// The contribution of one participant for the month that `collection_month_first` lies in.
///
/// - The fee follows role and age on the **first day of that month** (the day of the given date
///   is ignored): the main participant pays the main fee; any other participant pays the child
///   fee while younger than `child_age_years_below`, the further-adult fee from then on
///   ([`ProductTerms::fee_monthly`]). Someone who turns 18 on the 1st pays the adult fee that
///   month; someone who turns 18 on the 2nd pays it from the next month.
/// - The saving amount is [`Cents::monthly_saving`] of the annual budget.
/// - The premium is `premium_cents_monthly_adult` for an adult (age ≥ `child_age_years_below`)
///   and zero for a child, whatever the role.
#[must_use]
pub fn contribution(
    terms: &ProductTerms,
    role: HouseholdRole,
    date_of_birth: Date,
    annual_budget: Cents,
    collection_month_first: Date,
) -> Contribution {
    let age_years = age_on(date_of_birth, month_start(collection_month_first));
    let premium = if terms.is_adult(age_years) {
        terms.premium_cents_monthly_adult
    } else {
        Cents::ZERO
    };
    Contribution {
        saving: Cents::monthly_saving(annual_budget),
        fee: terms.fee_monthly(role, age_years),
        premium,
    }
}

/// The collection date in a month: the terms' collection day (by default the first working
/// day, see [`crate::terms::first_working_day`]).
///
/// # Panics
/// If `year` is outside the range of [`time::Date`] (-9999..=9999).
#[must_use]
pub fn collection_date(terms: &ProductTerms, year: i32, month: Month) -> Date {
    terms.collection_day.date_in(year, month)
}

/// The SEPA direct-debit sequence type (`PmtTpInf/SeqTp` of pain.008).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SequenceType {
    /// First collection of a recurring mandate.
    Frst,
    /// A later collection of a recurring mandate.
    Rcur,
    /// A one-off collection (never used: every ixorg mandate is recurring).
    Ooff,
    /// The final collection of a recurring mandate (never produced; see [`sequence_type`]).
    Fnal,
}

impl SequenceType {
    /// The code in the file: `FRST`, `RCUR`, `OOFF` or `FNAL`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            SequenceType::Frst => "FRST",
            SequenceType::Rcur => "RCUR",
            SequenceType::Ooff => "OOFF",
            SequenceType::Fnal => "FNAL",
        }
    }
}

impl fmt::Display for SequenceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the collection run knows about a mandate's earlier collections.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MandateHistory {
    /// Collections on this mandate that were settled and not returned.
    pub successful_collections: u32,
    /// Whether the mandate's most recent collection was a FRST that was rejected or returned.
    pub first_collection_failed_last: bool,
}

/// The sequence type of the next collection on a mandate.
///
/// Rule (`PRODUCT.md`, "Collections": "first collection FRST then RCUR (param)"):
/// - when `first_collection_sequence_frst` is off, every collection is RCUR (the EPC rulebook
///   allows RCUR for a first collection since November 2016);
/// - otherwise FRST while the mandate has no successful collection, or when its last collection
///   was a FRST that failed or was returned (the bank never saw a settled first collection);
/// - otherwise RCUR.
///
/// A final collection (`final_collection`, for example the settlement debit at termination) is
/// sent as RCUR, or FRST when the mandate has no successful collection yet, never FNAL: FNAL is
/// optional in the EPC rulebook, and RCUR keeps the mandate usable should a returned final
/// debit have to be collected again. OOFF is never used, because every mandate is recurring.
#[must_use]
pub fn sequence_type(
    terms: &ProductTerms,
    mandate: MandateHistory,
    final_collection: bool,
) -> SequenceType {
    let first = terms.first_collection_sequence_frst
        && (mandate.successful_collections == 0 || mandate.first_collection_failed_last);
    match (first, final_collection) {
        (true, _) => SequenceType::Frst,
        // A final collection is deliberately RCUR as well; see the doc comment.
        (false, true | false) => SequenceType::Rcur,
    }
}

/// Longest reason code accepted for [`ReturnReason::Unknown`]: ISO 20022 reason codes have one
/// to four characters.
pub const RETURN_REASON_CHARS_MAX: usize = 4;

/// Why a bank rejected or returned a direct debit (`REFERENCE.md`, "Reason codes"; ISO 20022
/// external return reason codes).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ReturnReason {
    /// AC01: account identifier (IBAN) incorrect.
    Ac01,
    /// AC04: account closed.
    Ac04,
    /// AC06: account blocked.
    Ac06,
    /// AC13: invalid debtor account type.
    Ac13,
    /// AG01: transaction forbidden on this account.
    Ag01,
    /// AG02: invalid bank operation code.
    Ag02,
    /// AM04: insufficient funds.
    Am04,
    /// AM05: duplicate collection.
    Am05,
    /// BE05: creditor identifier unknown.
    Be05,
    /// FF01: invalid file format.
    Ff01,
    /// MD01: no mandate.
    Md01,
    /// MD02: mandate data missing or incorrect.
    Md02,
    /// MD06: refund requested by the debtor.
    Md06,
    /// MD07: debtor deceased.
    Md07,
    /// MS02: refused by the debtor, no reason given.
    Ms02,
    /// MS03: reason not specified.
    Ms03,
    /// RC01: BIC incorrect.
    Rc01,
    /// SL01: specific service of the debtor's bank.
    Sl01,
    /// A well-formed code (one to four upper-case letters or digits) that `REFERENCE.md` does
    /// not list, kept as given so staff can look it up.
    Unknown(String),
}

/// Every listed reason with its code and description, in `REFERENCE.md` order.
static KNOWN_REASONS: [(ReturnReason, &str, &str); 18] = [
    (
        ReturnReason::Ac01,
        "AC01",
        "account identifier (IBAN) incorrect",
    ),
    (ReturnReason::Ac04, "AC04", "account closed"),
    (ReturnReason::Ac06, "AC06", "account blocked"),
    (ReturnReason::Ac13, "AC13", "invalid debtor account type"),
    (
        ReturnReason::Ag01,
        "AG01",
        "transaction forbidden on this account",
    ),
    (ReturnReason::Ag02, "AG02", "invalid bank operation code"),
    (ReturnReason::Am04, "AM04", "insufficient funds"),
    (ReturnReason::Am05, "AM05", "duplicate collection"),
    (ReturnReason::Be05, "BE05", "creditor identifier unknown"),
    (ReturnReason::Ff01, "FF01", "invalid file format"),
    (ReturnReason::Md01, "MD01", "no mandate"),
    (
        ReturnReason::Md02,
        "MD02",
        "mandate data missing or incorrect",
    ),
    (ReturnReason::Md06, "MD06", "refund requested by the debtor"),
    (ReturnReason::Md07, "MD07", "debtor deceased"),
    (
        ReturnReason::Ms02,
        "MS02",
        "refused by the debtor, no reason given",
    ),
    (ReturnReason::Ms03, "MS03", "reason not specified"),
    (ReturnReason::Rc01, "RC01", "BIC incorrect"),
    (
        ReturnReason::Sl01,
        "SL01",
        "specific service of the debtor's bank",
    ),
];

impl ReturnReason {
    /// Every reason listed in `REFERENCE.md` (without [`ReturnReason::Unknown`]).
    #[must_use]
    pub fn all_known() -> Vec<ReturnReason> {
        KNOWN_REASONS
            .iter()
            .map(|(reason, _, _)| reason.clone())
            .collect()
    }

    /// The four-character code, for example `AM04`.
    #[must_use]
    pub fn code(&self) -> &str {
        match self {
            ReturnReason::Unknown(code) => code,
            known => Self::known_entry(known).1,
        }
    }

    /// The meaning of the code in English, as in `REFERENCE.md`.
    #[must_use]
    pub fn description(&self) -> &'static str {
        match self {
            ReturnReason::Unknown(_) => "reason code not listed in the reference",
            known => Self::known_entry(known).2,
        }
    }

    fn known_entry(&self) -> &'static (ReturnReason, &'static str, &'static str) {
        KNOWN_REASONS
            .iter()
            .find(|(reason, _, _)| reason == self)
            .expect("BUG: every variant but Unknown is in KNOWN_REASONS")
    }
}

impl fmt::Display for ReturnReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for ReturnReason {
    type Err = ReturnReasonError;

    /// Parses a reason code as it appears in camt.053 or pain.002 (`RtrInf/Rsn/Cd`,
    /// `StsRsnInf/Rsn/Cd`). Surrounding whitespace is ignored; the code must be upper case.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let code = text.trim();
        if let Some((reason, _, _)) = KNOWN_REASONS.iter().find(|(_, known, _)| *known == code) {
            return Ok(reason.clone());
        }
        let well_formed = (1..=RETURN_REASON_CHARS_MAX).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if well_formed {
            Ok(ReturnReason::Unknown(code.to_owned()))
        } else {
            Err(ReturnReasonError)
        }
    }
}

/// The text is not a reason code (one to four upper-case letters or digits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("reason code must be one to four upper-case letters or digits")]
pub struct ReturnReasonError;

/// What happens after a collection was rejected or returned. In every case the contribution
/// has already been reversed in the ledger and the participant is told of the return
/// (`PRODUCT.md`, "Collections"); the step says what follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReminderStep {
    /// The missed contribution is collected again in the next collection run.
    RetryNextRun,
    /// The participant gets a formal notice (payment reminder) to pay the missed amount;
    /// no automatic retry.
    Notice,
    /// The credit line is suspended: declarations are paid only from a positive balance until
    /// the arrears are paid.
    SuspendCreditLine,
    /// The account or mandate is gone: stop collecting on this mandate, send a notice asking
    /// for a new IBAN and mandate, and suspend the credit line, since no more contributions
    /// can come in.
    StopCollecting,
    /// The bank refused for a reason on the operator's side (our file, creditor identifier,
    /// a duplicate we sent) or for an unlisted code: staff look into it; the participant gets
    /// no reminder and no automatic retry, because it was not their doing.
    ReviewByStaff,
}

impl ReminderStep {
    /// A stable name for storage and logs.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ReminderStep::RetryNextRun => "retry_next_run",
            ReminderStep::Notice => "notice",
            ReminderStep::SuspendCreditLine => "suspend_credit_line",
            ReminderStep::StopCollecting => "stop_collecting",
            ReminderStep::ReviewByStaff => "review_by_staff",
        }
    }
}

/// The reminder step after a return with `reason`, where `failures_in_a_row` counts the
/// participant's consecutive failed collections including this one (0 is treated as 1).
///
/// | Reasons | 1st failure | 2nd | 3rd and later |
/// |---|---|---|---|
/// | AM04, MS02, MS03, SL01 (the account works, the money did not come) | `RetryNextRun` | `Notice` | `SuspendCreditLine` |
/// | MD06 (the participant asked the money back: no automatic retry) | `Notice` | `SuspendCreditLine` | `SuspendCreditLine` |
/// | AC01, AC04, AC06, AC13, AG01, MD01, MD07 (account or mandate gone, blocked or unusable, debtor deceased) | `StopCollecting` | `StopCollecting` | `StopCollecting` |
/// | AG02, AM05, BE05, FF01, MD02, RC01 (the operator's file or data) and unlisted codes | `ReviewByStaff` | `ReviewByStaff` | `ReviewByStaff` |
///
/// AC06 (blocked) counts as gone: a blocked account cannot be collected from until the
/// participant acts, so retrying would only produce more returns. MD02 is on the operator's
/// side because the mandate data in the file comes from our records.
#[must_use]
pub fn reminder_step(reason: &ReturnReason, failures_in_a_row: u32) -> ReminderStep {
    let failures = failures_in_a_row.max(1);
    match reason {
        ReturnReason::Am04 | ReturnReason::Ms02 | ReturnReason::Ms03 | ReturnReason::Sl01 => {
            match failures {
                1 => ReminderStep::RetryNextRun,
                2 => ReminderStep::Notice,
                _ => ReminderStep::SuspendCreditLine,
            }
        }
        ReturnReason::Md06 => {
            if failures == 1 {
                ReminderStep::Notice
            } else {
                ReminderStep::SuspendCreditLine
            }
        }
        ReturnReason::Ac01
        | ReturnReason::Ac04
        | ReturnReason::Ac06
        | ReturnReason::Ac13
        | ReturnReason::Ag01
        | ReturnReason::Md01
        | ReturnReason::Md07 => ReminderStep::StopCollecting,
        ReturnReason::Ag02
        | ReturnReason::Am05
        | ReturnReason::Be05
        | ReturnReason::Ff01
        | ReturnReason::Md02
        | ReturnReason::Rc01
        | ReturnReason::Unknown(_) => ReminderStep::ReviewByStaff,
    }
}

#[cfg(test)]
mod tests {
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
        use ReminderStep::{
            Notice, RetryNextRun, ReviewByStaff, StopCollecting, SuspendCreditLine,
        };
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
}
