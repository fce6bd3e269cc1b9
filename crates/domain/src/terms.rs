//! Product parameters as versioned data: fees, bounds, periods and the collection day.
//!
//! Every figure marked *(param)* in `PRODUCT.md` is a field of [`ProductTerms`]. The operator
//! changes them per year, so they live in a [`TermsHistory`] of versions with a `valid_from`
//! date and are looked up for the date a rule applies to ([`TermsHistory::resolve`]). Nothing
//! else in the code base may hard-code these figures. Field names carry their unit last.

use std::fmt;
use std::str::FromStr;

use time::{Date, Duration, Month, Weekday};

use crate::money::Cents;

/// The role of a participant within a household (contract).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HouseholdRole {
    /// The main participant (hoofddeelnemer): the adult who pays.
    Main,
    /// A further adult participant, usually the partner.
    Partner,
    /// A child of the household (a further participant; the fee depends on age, not role).
    Child,
}

impl HouseholdRole {
    /// The stable name used in storage and APIs: `main`, `partner` or `child`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            HouseholdRole::Main => "main",
            HouseholdRole::Partner => "partner",
            HouseholdRole::Child => "child",
        }
    }
}

impl fmt::Display for HouseholdRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HouseholdRole {
    type Err = HouseholdRoleError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "main" => Ok(HouseholdRole::Main),
            "partner" => Ok(HouseholdRole::Partner),
            "child" => Ok(HouseholdRole::Child),
            _ => Err(HouseholdRoleError),
        }
    }
}

/// The text is not one of `main`, `partner`, `child`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("household role must be main, partner or child")]
pub struct HouseholdRoleError;

/// On which day of the month contributions are collected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CollectionDay {
    /// The first working day of the month; see [`first_working_day`].
    FirstWorkingDay,
}

impl CollectionDay {
    /// The collection date in the given month.
    ///
    /// # Panics
    /// If `year` is outside the range of [`time::Date`] (-9999..=9999).
    #[must_use]
    pub fn date_in(self, year: i32, month: Month) -> Date {
        match self {
            CollectionDay::FirstWorkingDay => first_working_day(year, month),
        }
    }
}

/// The product parameters in force from one date on (`PRODUCT.md`, every *(param)*).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductTerms {
    /// Monthly service fee of the main participant (includes the accident cover).
    pub fee_cents_monthly_main: Cents,
    /// Monthly service fee of each further adult participant.
    pub fee_cents_monthly_further_adult: Cents,
    /// Monthly service fee of each child participant.
    pub fee_cents_monthly_child: Cents,
    /// The part of each adult's monthly fee that is premium for the accident cover, owed to the
    /// insurer (`PRODUCT.md`, "Money": "the premium part goes to the insurer"). Children have no
    /// accident cover and so no premium. The rest of the fee is the operator's fee income.
    ///
    /// ASSUMPTION: the initial EUR 0.60 is a placeholder until the insurer's rate is agreed;
    /// change it with a new terms version, never in code.
    pub premium_cents_monthly_adult: Cents,
    /// A participant younger than this is a child for the fee (and has no accident cover).
    pub child_age_years_below: u8,
    /// Smallest monthly saving amount.
    pub saving_cents_monthly_min: Cents,
    /// Largest monthly saving amount (protects against typing mistakes).
    pub saving_cents_monthly_max: Cents,
    /// Cap of the credit line: the budget may go down to minus min(annual budget, this cap).
    pub credit_line_cents_cap: Cents,
    /// On which day of the month contributions are collected.
    pub collection_day: CollectionDay,
    /// Whether a mandate's first collection is sent as SEPA sequence type FRST (then RCUR).
    pub first_collection_sequence_frst: bool,
    /// Prestatiecode of the periodic check-up that each adult needs once per calendar year.
    pub yearly_checkup_code: String,
    /// Whether the price of a check-up is deducted from the budget when none was declared.
    pub yearly_checkup_deduction: bool,
    /// Whether the annual budget may be raised at any time.
    pub budget_change_upward_any_time: bool,
    /// How often per year the annual budget may be changed (for the next year).
    pub budget_change_per_year_max: u8,
    /// Notice period for termination; the contract ends at the end of a calendar month.
    pub termination_notice_months: u8,
    /// How long after the end date declarations for earlier treatment are still accepted.
    pub declarations_after_end_months: u8,
    /// How far ahead a start date may lie.
    pub start_date_months_ahead_max: u8,
    /// Declarations for treatment older than this are rejected as late.
    pub late_submission_months: u8,
    /// Largest accident cover per accident.
    pub accident_cover_cents_max: Cents,
    /// Percentage of accident dental damage that is covered.
    pub accident_cover_percent: u8,
    /// An accident must be reported within this many months of the accident date.
    pub accident_report_months_max: u8,
    /// Accident treatment must be finished within this many years.
    pub accident_treatment_years_max: u8,
    /// A complaint is answered within this many weeks.
    pub complaint_answer_weeks: u8,
    /// How long technical data (logs, sessions) is kept.
    pub technical_data_retention_days: u16,
    /// Fraud signal "near-duplicate": the same treatment again within this many days.
    pub fraud_near_duplicate_days: u8,
    /// Fraud signal "many providers": more providers than this for one participant on one day.
    pub fraud_providers_per_day_max: u8,
    /// Fraud signal "expensive work in the first month": a line of at least this amount.
    pub fraud_first_month_cents_min: Cents,
    /// The largest amount one declaration line may carry, in absolute value. A batch with a
    /// line above it is refused whole (it is a typing or software error, never a treatment),
    /// which also keeps every batch total far inside the range of [`Cents`].
    pub declaration_line_cents_max: Cents,
}

impl ProductTerms {
    /// The credit line for an annual budget: min(annual budget, cap), never negative
    /// (`PRODUCT.md`, "The budget and its credit line").
    #[must_use]
    pub fn credit_line(&self, annual: Cents) -> Cents {
        annual.min(self.credit_line_cents_cap).max(Cents::ZERO)
    }

    /// The monthly service fee of a participant: the main participant pays the main fee; any
    /// other participant pays the child fee when younger than `child_age_years_below`, and the
    /// further-adult fee otherwise.
    #[must_use]
    pub fn fee_monthly(&self, role: HouseholdRole, age_years: u8) -> Cents {
        match role {
            HouseholdRole::Main => self.fee_cents_monthly_main,
            HouseholdRole::Partner | HouseholdRole::Child => {
                if age_years < self.child_age_years_below {
                    self.fee_cents_monthly_child
                } else {
                    self.fee_cents_monthly_further_adult
                }
            }
        }
    }

    /// Whether a monthly saving amount lies within the bounds (inclusive).
    #[must_use]
    pub fn saving_within_bounds(&self, monthly: Cents) -> bool {
        self.saving_cents_monthly_min <= monthly && monthly <= self.saving_cents_monthly_max
    }

    /// Whether an age makes a participant an adult (accident cover, check-up condition).
    #[must_use]
    pub fn is_adult(&self, age_years: u8) -> bool {
        age_years >= self.child_age_years_below
    }

    /// Checks that the figures are consistent with each other.
    ///
    /// # Errors
    /// [`TermsError::Inconsistent`] naming the first broken rule.
    pub fn validate(&self) -> Result<(), TermsError> {
        let fees = [
            self.fee_cents_monthly_main,
            self.fee_cents_monthly_further_adult,
            self.fee_cents_monthly_child,
        ];
        let rules = [
            (
                fees.iter().all(|fee| !fee.is_negative()),
                "fees are not negative",
            ),
            (
                !self.saving_cents_monthly_min.is_negative(),
                "saving minimum is not negative",
            ),
            (
                self.saving_cents_monthly_min <= self.saving_cents_monthly_max,
                "saving minimum does not exceed the maximum",
            ),
            (
                !self.premium_cents_monthly_adult.is_negative(),
                "premium is not negative",
            ),
            (
                self.premium_cents_monthly_adult <= self.fee_cents_monthly_main
                    && self.premium_cents_monthly_adult <= self.fee_cents_monthly_further_adult,
                "premium does not exceed the smallest adult fee",
            ),
            (
                !self.credit_line_cents_cap.is_negative(),
                "credit cap is not negative",
            ),
            (
                !self.accident_cover_cents_max.is_negative(),
                "accident cover is not negative",
            ),
            (
                self.accident_cover_percent <= 100,
                "accident cover is at most 100 percent",
            ),
            (!self.yearly_checkup_code.is_empty(), "check-up code is set"),
        ];
        match rules.iter().find(|(holds, _)| !holds) {
            Some((_, rule)) => Err(TermsError::Inconsistent { rule }),
            None => Ok(()),
        }
    }
}

/// The date the first product terms came into force.
pub const INITIAL_TERMS_VALID_FROM: Date = time::macros::date!(2023 - 01 - 01);

/// The product terms as published in `PRODUCT.md`, valid from 2023-01-01.
#[must_use]
pub fn initial() -> TermsVersion {
    TermsVersion {
        valid_from: INITIAL_TERMS_VALID_FROM,
        terms: ProductTerms {
            fee_cents_monthly_main: Cents::new(485),
            fee_cents_monthly_further_adult: Cents::new(385),
            fee_cents_monthly_child: Cents::new(200),
            premium_cents_monthly_adult: Cents::new(60),
            child_age_years_below: 18,
            saving_cents_monthly_min: Cents::new(200),
            saving_cents_monthly_max: Cents::new(25_000),
            credit_line_cents_cap: Cents::new(24_000),
            collection_day: CollectionDay::FirstWorkingDay,
            first_collection_sequence_frst: true,
            yearly_checkup_code: "C002".to_owned(),
            yearly_checkup_deduction: true,
            budget_change_upward_any_time: true,
            budget_change_per_year_max: 1,
            termination_notice_months: 1,
            declarations_after_end_months: 6,
            start_date_months_ahead_max: 6,
            late_submission_months: 12,
            accident_cover_cents_max: Cents::new(1_000_000),
            accident_cover_percent: 100,
            accident_report_months_max: 3,
            accident_treatment_years_max: 2,
            complaint_answer_weeks: 4,
            technical_data_retention_days: 90,
            fraud_near_duplicate_days: 3,
            fraud_providers_per_day_max: 2,
            fraud_first_month_cents_min: Cents::new(25_000),
            declaration_line_cents_max: Cents::new(1_000_000),
        },
    }
}

/// One version of the product terms and the date from which it applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermsVersion {
    /// First day on which these terms apply.
    pub valid_from: Date,
    /// The parameters.
    pub terms: ProductTerms,
}

impl TermsVersion {
    /// The initial version; see [`initial`].
    #[must_use]
    pub fn initial() -> TermsVersion {
        initial()
    }
}

/// All versions of the product terms, ordered by `valid_from`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermsHistory {
    versions: Vec<TermsVersion>,
}

impl TermsHistory {
    /// A history of versions given in strictly increasing `valid_from` order.
    ///
    /// # Errors
    /// [`TermsError::Empty`] without versions, [`TermsError::NotIncreasing`] when two dates are
    /// out of order or equal, [`TermsError::Inconsistent`] when a version fails
    /// [`ProductTerms::validate`].
    pub fn new(versions: Vec<TermsVersion>) -> Result<TermsHistory, TermsError> {
        if versions.is_empty() {
            return Err(TermsError::Empty);
        }
        if versions
            .windows(2)
            .any(|pair| pair[0].valid_from >= pair[1].valid_from)
        {
            return Err(TermsError::NotIncreasing);
        }
        for version in &versions {
            version.terms.validate()?;
        }
        Ok(TermsHistory { versions })
    }

    /// A history holding only the [`initial`] terms.
    #[must_use]
    pub fn initial() -> TermsHistory {
        TermsHistory {
            versions: vec![initial()],
        }
    }

    /// The terms in force on a date: the latest version with `valid_from <= on`.
    ///
    /// # Errors
    /// [`TermsError::NotInForce`] for a date before the first version.
    pub fn resolve(&self, on: Date) -> Result<&ProductTerms, TermsError> {
        self.versions
            .iter()
            .rev()
            .find(|version| version.valid_from <= on)
            .map(|version| &version.terms)
            .ok_or(TermsError::NotInForce { on })
    }

    /// All versions, oldest first.
    #[must_use]
    pub fn versions(&self) -> &[TermsVersion] {
        &self.versions
    }
}

/// Why product terms cannot be built or looked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TermsError {
    /// A history needs at least one version.
    #[error("product terms history has no versions")]
    Empty,
    /// The `valid_from` dates are not strictly increasing.
    #[error("product terms versions must have strictly increasing valid-from dates")]
    NotIncreasing,
    /// No version applies yet on the date.
    #[error("no product terms in force on {on}")]
    NotInForce {
        /// The date that was looked up.
        on: Date,
    },
    /// A version breaks a consistency rule.
    #[error("product terms are inconsistent: {rule}")]
    Inconsistent {
        /// The rule that does not hold, stated positively.
        rule: &'static str,
    },
}

/// Easter Sunday of a Gregorian year, by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
///
/// # Panics
/// If `year` is outside the range of [`time::Date`] (-9999..=9999).
#[must_use]
pub fn easter_sunday(year: i32) -> Date {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let (d, e) = (b.div_euclid(4), b.rem_euclid(4));
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month_day = h + l - 7 * m + 114;
    let month = if month_day / 31 == 3 {
        Month::March
    } else {
        Month::April
    };
    let day = u8::try_from(month_day % 31 + 1).expect("BUG: a day of month is 1..=31");
    Date::from_calendar_date(year, month, day).expect("BUG: Easter falls on 22 March..25 April")
}

/// Whether a date is a Dutch public holiday on which banks do not collect: New Year's Day,
/// Easter Monday, King's Day (27 April, or 26 April when the 27th is a Sunday), Ascension Day,
/// Whit Monday and Christmas (25 and 26 December). Good Friday and Liberation Day are not
/// general days off and are not counted.
#[must_use]
pub fn is_dutch_public_holiday(date: Date) -> bool {
    let (month, day) = (date.month(), date.day());
    let fixed = matches!(
        (month, day),
        (Month::January, 1) | (Month::December, 25) | (Month::December, 26)
    );
    let kings_day = month == Month::April && day == kings_day_of_april(date.year());
    let easter = easter_sunday(date.year());
    let easter_based = [1, 39, 50]
        .iter()
        .any(|offset| easter + Duration::days(*offset) == date);
    fixed || kings_day || easter_based
}

/// King's Day: 27 April, moved to the 26th when the 27th is a Sunday.
fn kings_day_of_april(year: i32) -> u8 {
    let the_27th = Date::from_calendar_date(year, Month::April, 27).expect("BUG: 27 April exists");
    if the_27th.weekday() == Weekday::Sunday {
        26
    } else {
        27
    }
}

/// Whether banks work on a date: not a Saturday or Sunday and not a Dutch public holiday.
#[must_use]
pub fn is_working_day(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) && !is_dutch_public_holiday(date)
}

/// The first working day of a month: the default collection day (`PRODUCT.md`, "Money").
///
/// # Panics
/// If `year` is outside the range of [`time::Date`] (-9999..=9999).
#[must_use]
pub fn first_working_day(year: i32, month: Month) -> Date {
    let mut day = Date::from_calendar_date(year, month, 1).expect("BUG: every month has a 1st");
    // A month starts with at most a weekend plus New Year's Day (or Easter Monday) off, so
    // seven steps always reach a working day; the bound keeps the loop finite by construction.
    for _ in 0..7 {
        if is_working_day(day) {
            return day;
        }
        day = day
            .next_day()
            .expect("BUG: the first week of a month lies within Date's range");
    }
    unreachable!("BUG: the first seven days of a month always include a working day")
}

/// A person's age in full years on a date (0 before birth, saturating at 255).
///
/// Someone born on 29 February becomes a year older on 1 March in years without 29 February.
#[must_use]
pub fn age_on(birth: Date, on: Date) -> u8 {
    if on < birth {
        return 0;
    }
    let mut years = on.year() - birth.year();
    if (u8::from(on.month()), on.day()) < (u8::from(birth.month()), birth.day()) {
        years -= 1;
    }
    u8::try_from(years).unwrap_or(u8::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_initial_terms_carry_the_published_figures() {
        let version = initial();
        assert_eq!(version.valid_from, date!(2023 - 01 - 01));
        assert_eq!(version.terms.fee_cents_monthly_main, Cents::new(485));
        assert_eq!(version.terms.credit_line_cents_cap, Cents::new(24_000));
        assert_eq!(version.terms.yearly_checkup_code, "C002");
        assert_eq!(version.terms.validate(), Ok(()));
        assert_eq!(TermsVersion::initial(), version);
    }

    #[test]
    fn the_credit_line_is_the_annual_budget_capped_at_240_euro() {
        let terms = initial().terms;
        assert_eq!(terms.credit_line(Cents::new(12_000)), Cents::new(12_000));
        assert_eq!(terms.credit_line(Cents::new(60_000)), Cents::new(24_000));
        assert_eq!(terms.credit_line(Cents::new(-100)), Cents::ZERO);
    }

    #[test]
    fn the_fee_depends_on_role_and_age() {
        let terms = initial().terms;
        assert_eq!(terms.fee_monthly(HouseholdRole::Main, 40), Cents::new(485));
        assert_eq!(
            terms.fee_monthly(HouseholdRole::Partner, 40),
            Cents::new(385)
        );
        assert_eq!(terms.fee_monthly(HouseholdRole::Child, 17), Cents::new(200));
        assert_eq!(terms.fee_monthly(HouseholdRole::Child, 18), Cents::new(385));
        assert_eq!(
            terms.fee_monthly(HouseholdRole::Partner, 17),
            Cents::new(200)
        );
        assert!(terms.is_adult(18));
        assert!(!terms.is_adult(17));
    }

    #[test]
    fn saving_bounds_are_inclusive() {
        let terms = initial().terms;
        assert!(terms.saving_within_bounds(Cents::new(200)));
        assert!(terms.saving_within_bounds(Cents::new(25_000)));
        assert!(!terms.saving_within_bounds(Cents::new(199)));
        assert!(!terms.saving_within_bounds(Cents::new(25_001)));
    }

    #[test]
    fn household_roles_round_trip_through_their_names() {
        for role in [
            HouseholdRole::Main,
            HouseholdRole::Partner,
            HouseholdRole::Child,
        ] {
            assert_eq!(role.as_str().parse::<HouseholdRole>(), Ok(role));
            assert_eq!(role.to_string(), role.as_str());
        }
        assert_eq!("Main".parse::<HouseholdRole>(), Err(HouseholdRoleError));
    }

    #[test]
    fn the_latest_version_in_force_is_resolved() {
        let mut raised = initial();
        raised.valid_from = date!(2025 - 01 - 01);
        raised.terms.fee_cents_monthly_main = Cents::new(495);
        let history = TermsHistory::new(vec![initial(), raised]).expect("increasing");
        let fee_on = |on| {
            history
                .resolve(on)
                .map(|terms| terms.fee_cents_monthly_main)
        };
        assert_eq!(fee_on(date!(2023 - 01 - 01)), Ok(Cents::new(485)));
        assert_eq!(fee_on(date!(2024 - 12 - 31)), Ok(Cents::new(485)));
        assert_eq!(fee_on(date!(2025 - 01 - 01)), Ok(Cents::new(495)));
        assert_eq!(
            fee_on(date!(2022 - 12 - 31)),
            Err(TermsError::NotInForce {
                on: date!(2022 - 12 - 31)
            })
        );
        assert_eq!(history.versions().len(), 2);
    }

    #[test]
    fn a_history_must_be_non_empty_increasing_and_consistent() {
        assert_eq!(TermsHistory::new(vec![]), Err(TermsError::Empty));
        assert_eq!(
            TermsHistory::new(vec![initial(), initial()]),
            Err(TermsError::NotIncreasing)
        );
        let mut broken = initial();
        broken.terms.saving_cents_monthly_min = Cents::new(30_000);
        assert!(matches!(
            TermsHistory::new(vec![broken]),
            Err(TermsError::Inconsistent { .. })
        ));
        let mut premium_above_fee = initial();
        premium_above_fee.terms.premium_cents_monthly_adult = Cents::new(386);
        assert_eq!(
            premium_above_fee.terms.validate(),
            Err(TermsError::Inconsistent {
                rule: "premium does not exceed the smallest adult fee"
            })
        );
        assert_eq!(TermsHistory::initial().versions(), [initial()]);
    }

    #[test]
    fn easter_sunday_matches_known_dates() {
        assert_eq!(easter_sunday(2023), date!(2023 - 04 - 09));
        assert_eq!(easter_sunday(2024), date!(2024 - 03 - 31));
        assert_eq!(easter_sunday(2025), date!(2025 - 04 - 20));
        assert_eq!(easter_sunday(2026), date!(2026 - 04 - 05));
        assert_eq!(easter_sunday(2038), date!(2038 - 04 - 25));
        assert_eq!(easter_sunday(2285), date!(2285 - 03 - 22));
    }

    #[test]
    fn dutch_public_holidays_are_recognised() {
        for holiday in [
            date!(2024 - 01 - 01),
            date!(2024 - 04 - 01),
            date!(2024 - 04 - 27),
            date!(2025 - 04 - 26),
            date!(2024 - 05 - 09),
            date!(2024 - 05 - 20),
            date!(2024 - 12 - 25),
            date!(2024 - 12 - 26),
        ] {
            assert!(is_dutch_public_holiday(holiday), "{holiday}");
        }
        assert!(!is_dutch_public_holiday(date!(2024 - 03 - 29)));
        assert!(!is_dutch_public_holiday(date!(2025 - 05 - 05)));
        assert!(!is_dutch_public_holiday(date!(2025 - 04 - 27)));
    }

    #[test]
    fn the_first_working_day_skips_weekends_and_holidays() {
        // 1 January 2023 is a Sunday and a holiday; Monday the 2nd works.
        assert_eq!(
            first_working_day(2023, Month::January),
            date!(2023 - 01 - 02)
        );
        // 1 January 2022 is a Saturday; the 3rd is the Monday.
        assert_eq!(
            first_working_day(2022, Month::January),
            date!(2022 - 01 - 03)
        );
        // 1 April 2024 is Easter Monday.
        assert_eq!(first_working_day(2024, Month::April), date!(2024 - 04 - 02));
        // 1 June 2026 is a Monday and a normal working day.
        assert_eq!(first_working_day(2026, Month::June), date!(2026 - 06 - 01));
        // 1 March 2026 is a Sunday.
        assert_eq!(first_working_day(2026, Month::March), date!(2026 - 03 - 02));
        // 1 June 2009 was Whit Monday.
        assert_eq!(first_working_day(2009, Month::June), date!(2009 - 06 - 02));
        // 1 May 2008 was Ascension Day (a Thursday).
        assert_eq!(first_working_day(2008, Month::May), date!(2008 - 05 - 02));
        assert_eq!(
            CollectionDay::FirstWorkingDay.date_in(2024, Month::April),
            date!(2024 - 04 - 02)
        );
    }

    #[test]
    fn every_first_working_day_is_a_weekday_in_the_same_month() {
        for year in 2000..2100 {
            for month_number in 1..=12_u8 {
                let month = Month::try_from(month_number).expect("1..=12");
                let day = first_working_day(year, month);
                assert_eq!(day.month(), month);
                assert!(day.day() <= 4, "{day}");
                assert!(is_working_day(day));
            }
        }
    }

    #[test]
    fn age_counts_full_years() {
        let birth = date!(2000 - 06 - 15);
        assert_eq!(age_on(birth, date!(2018 - 06 - 14)), 17);
        assert_eq!(age_on(birth, date!(2018 - 06 - 15)), 18);
        assert_eq!(age_on(birth, date!(1999 - 01 - 01)), 0);
        assert_eq!(
            age_on(date!(1700 - 01 - 01), date!(2026 - 01 - 01)),
            u8::MAX
        );
    }

    #[test]
    fn a_leap_day_birthday_turns_a_year_older_on_the_first_of_march() {
        let birth = date!(2008 - 02 - 29);
        assert_eq!(age_on(birth, date!(2026 - 02 - 28)), 17);
        assert_eq!(age_on(birth, date!(2026 - 03 - 01)), 18);
        assert_eq!(age_on(birth, date!(2028 - 02 - 28)), 19);
        assert_eq!(age_on(birth, date!(2028 - 02 - 29)), 20);
    }
}
