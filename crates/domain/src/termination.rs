//! Termination of a contract: the end date, the window for late declarations, and the final
//! settlement of the budget (`PRODUCT.md`, "The budget and its credit line", "Termination").
//!
//! The module also holds the two calendar helpers the contract rules share
//! ([`add_months_clamped`] and [`month_end`]), so that every "N months later" in the product
//! is computed the same way.

use time::{Date, Month};

use crate::money::Cents;
use crate::terms::ProductTerms;

/// The last day of the month `date` lies in (`2026-02-10` → `2026-02-28`).
#[must_use]
pub fn month_end(date: Date) -> Date {
    let last_day = date.month().length(date.year());
    date.replace_day(last_day)
        .expect("BUG: the length of a month is a valid day of that month")
}

/// The first day of the month `date` lies in.
#[must_use]
pub fn month_start(date: Date) -> Date {
    date.replace_day(1)
        .expect("BUG: every month has a first day")
}

/// `date` plus `months` calendar months, with the day clamped to the length of the target
/// month (`2026-01-31` + 1 → `2026-02-28`), or `None` beyond the range of [`Date`]
/// (year 9999).
#[must_use]
pub fn add_months_clamped(date: Date, months: u32) -> Option<Date> {
    let month_index = i64::from(date.year()) * 12 + i64::from(u8::from(date.month()) - 1);
    let target_index = month_index.checked_add(i64::from(months))?;
    let year = i32::try_from(target_index.div_euclid(12)).ok()?;
    let month_number =
        u8::try_from(target_index.rem_euclid(12) + 1).expect("BUG: rem_euclid(12) + 1 is 1..=12");
    let month = Month::try_from(month_number).expect("BUG: a month number is 1..=12");
    let first = Date::from_calendar_date(year, month, 1).ok()?;
    let day = date.day().min(month.length(year));
    first.replace_day(day).ok()
}

/// The first day of the month after the month `date` lies in, or `None` after December 9999.
#[must_use]
pub fn first_of_next_month(date: Date) -> Option<Date> {
    add_months_clamped(month_start(date), 1)
}

/// The day a contract ends when notice is given on `notice_given_on`.
///
/// Rule (`PRODUCT.md`, "Termination": "at the end of a calendar month after notice"): add the
/// notice period (`termination_notice_months`) to the notice date, clamping the day to the
/// target month's length, and take the last day of that month. So with one month of notice,
/// notice on 2026-03-15 ends the contract on 2026-04-30, and notice on 2026-03-31 (→ 2026-04-30)
/// also ends it on 2026-04-30. The end date is the earliest month end on or after the end of the
/// notice period.
///
/// Dates beyond the range of [`Date`] saturate to 9999-12-31 (itself a month end).
#[must_use]
pub fn end_date(terms: &ProductTerms, notice_given_on: Date) -> Date {
    add_months_clamped(notice_given_on, u32::from(terms.termination_notice_months))
        .map_or(Date::MAX, month_end)
}

/// The last treatment-submission day for a contract that ended on `end_date`: declarations for
/// treatment before the end date are accepted until then (`PRODUCT.md`, "Termination").
///
/// Rule: the last day of the month that lies `declarations_after_end_months` months after the
/// end date's month. With 6 months, an end date of 2026-04-30 gives 2026-10-31 (not 10-30: the
/// window runs to a month end, like the contract itself). Saturates to 9999-12-31.
#[must_use]
pub fn declarations_accepted_until(terms: &ProductTerms, end_date: Date) -> Date {
    add_months_clamped(
        month_start(end_date),
        u32::from(terms.declarations_after_end_months),
    )
    .map_or(Date::MAX, month_end)
}

/// What happens with a participant's budget balance when the contract ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settlement {
    /// A positive balance is paid out to the participant's IBAN (a SEPA credit transfer).
    /// The amount is positive.
    PayOut(Cents),
    /// A negative balance is collected in one final direct debit. The amount is positive: what
    /// the participant owes.
    Collect(Cents),
    /// The balance is exactly zero.
    Nothing,
}

impl Settlement {
    /// The settlement of a final balance: positive → [`Settlement::PayOut`] of the balance,
    /// negative → [`Settlement::Collect`] of its absolute value, zero → [`Settlement::Nothing`].
    ///
    /// Returns `None` only for a balance of `i64::MIN` cents, whose absolute value does not fit
    /// (a real balance never comes near it: it is bounded by the credit line).
    #[must_use]
    pub fn from_balance(balance: Cents) -> Option<Settlement> {
        if balance.is_positive() {
            Some(Settlement::PayOut(balance))
        } else if balance.is_negative() {
            balance.checked_neg().map(Settlement::Collect)
        } else {
            Some(Settlement::Nothing)
        }
    }

    /// The amount that moves, always zero or positive.
    #[must_use]
    pub fn amount(self) -> Cents {
        match self {
            Settlement::PayOut(amount) | Settlement::Collect(amount) => amount,
            Settlement::Nothing => Cents::ZERO,
        }
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
    fn notice_in_mid_march_ends_the_contract_at_the_end_of_april() {
        assert_eq!(
            end_date(&terms(), date!(2026 - 03 - 15)),
            date!(2026 - 04 - 30)
        );
    }

    #[test]
    fn notice_on_the_first_or_last_day_of_a_month_ends_at_the_next_month_end() {
        assert_eq!(
            end_date(&terms(), date!(2026 - 03 - 01)),
            date!(2026 - 04 - 30)
        );
        assert_eq!(
            end_date(&terms(), date!(2026 - 03 - 31)),
            date!(2026 - 04 - 30)
        );
        assert_eq!(
            end_date(&terms(), date!(2026 - 01 - 31)),
            date!(2026 - 02 - 28)
        );
        assert_eq!(
            end_date(&terms(), date!(2027 - 12 - 10)),
            date!(2028 - 01 - 31)
        );
    }

    #[test]
    fn a_longer_notice_period_moves_the_end_date_by_whole_months() {
        let mut terms = terms();
        terms.termination_notice_months = 3;
        assert_eq!(
            end_date(&terms, date!(2026 - 11 - 20)),
            date!(2027 - 02 - 28)
        );
        terms.termination_notice_months = 0;
        assert_eq!(
            end_date(&terms, date!(2026 - 11 - 20)),
            date!(2026 - 11 - 30)
        );
    }

    #[test]
    fn declarations_are_accepted_until_the_month_end_six_months_after_the_end_date() {
        let terms = terms();
        assert_eq!(
            declarations_accepted_until(&terms, date!(2026 - 04 - 30)),
            date!(2026 - 10 - 31)
        );
        assert_eq!(
            declarations_accepted_until(&terms, date!(2026 - 08 - 31)),
            date!(2027 - 02 - 28)
        );
    }

    #[test]
    fn dates_at_the_end_of_the_calendar_saturate() {
        assert_eq!(end_date(&terms(), date!(9999 - 12 - 15)), Date::MAX);
        assert_eq!(declarations_accepted_until(&terms(), Date::MAX), Date::MAX);
        assert_eq!(first_of_next_month(date!(9999 - 12 - 01)), None);
    }

    #[test]
    fn calendar_helpers_clamp_to_the_month_length() {
        assert_eq!(
            add_months_clamped(date!(2024 - 01 - 31), 1),
            Some(date!(2024 - 02 - 29))
        );
        assert_eq!(
            add_months_clamped(date!(2024 - 11 - 30), 14),
            Some(date!(2026 - 01 - 30))
        );
        assert_eq!(month_end(date!(2024 - 02 - 03)), date!(2024 - 02 - 29));
        assert_eq!(month_start(date!(2024 - 02 - 03)), date!(2024 - 02 - 01));
        assert_eq!(
            first_of_next_month(date!(2025 - 12 - 31)),
            Some(date!(2026 - 01 - 01))
        );
    }

    #[test]
    fn a_positive_balance_is_paid_out_and_a_negative_one_collected() {
        assert_eq!(
            Settlement::from_balance(Cents::new(1234)),
            Some(Settlement::PayOut(Cents::new(1234)))
        );
        assert_eq!(
            Settlement::from_balance(Cents::new(-500)),
            Some(Settlement::Collect(Cents::new(500)))
        );
        assert_eq!(
            Settlement::from_balance(Cents::ZERO),
            Some(Settlement::Nothing)
        );
        assert_eq!(Settlement::from_balance(Cents::new(i64::MIN)), None);
        assert_eq!(Settlement::Nothing.amount(), Cents::ZERO);
    }

    fn arb_date() -> impl Strategy<Value = Date> {
        (1900_i32..2200, 1_u8..=12, 1_u8..=31).prop_map(|(year, month, day)| {
            let month = Month::try_from(month).expect("1..=12");
            Date::from_calendar_date(year, month, day.min(month.length(year))).expect("valid")
        })
    }

    proptest! {
        #[test]
        fn the_end_date_is_the_first_month_end_after_the_notice_period(
            notice_on in arb_date(),
            notice_months in 0_u8..=24,
        ) {
            let mut terms = terms();
            terms.termination_notice_months = notice_months;
            let end = end_date(&terms, notice_on);
            let notice_period_end = add_months_clamped(notice_on, u32::from(notice_months))
                .expect("in range");
            prop_assert_eq!(end, month_end(end));
            prop_assert!(end >= notice_period_end);
            prop_assert_eq!(month_start(end), month_start(notice_period_end));
        }

        #[test]
        fn declarations_are_accepted_at_least_until_the_window_after_the_end(
            end in arb_date(),
            window_months in 0_u8..=24,
        ) {
            let mut terms = terms();
            terms.declarations_after_end_months = window_months;
            let until = declarations_accepted_until(&terms, end);
            prop_assert_eq!(until, month_end(until));
            prop_assert!(until >= add_months_clamped(end, u32::from(window_months)).expect("in range"));
        }

        #[test]
        fn the_settlement_moves_the_balance_with_the_right_sign(cents in (i64::MIN + 1)..=i64::MAX) {
            let balance = Cents::new(cents);
            let settlement = Settlement::from_balance(balance).expect("not i64::MIN");
            prop_assert!(!settlement.amount().is_negative());
            match settlement {
                Settlement::PayOut(amount) => {
                    prop_assert!(balance.is_positive());
                    prop_assert_eq!(amount, balance);
                }
                Settlement::Collect(amount) => {
                    prop_assert!(balance.is_negative());
                    prop_assert_eq!(amount.checked_add(balance), Some(Cents::ZERO));
                }
                Settlement::Nothing => prop_assert!(balance.is_zero()),
            }
        }
    }
}
