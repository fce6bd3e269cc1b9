//! A later change of the annual budget ([`check_budget_change`]).

use time::{Date, Month};

use crate::money::Cents;
use crate::termination::first_of_next_month;
use crate::terms::ProductTerms;

/// An accepted change of the annual budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BudgetChange {
    /// The first day the new budget (and its saving amount and credit line) applies.
    pub effective_from: Date,
    /// The new annual budget.
    pub new_annual: Cents,
    /// The credit line that goes with it: min(new annual budget, cap).
    pub credit_line: Cents,
}

/// Why a change of the annual budget is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BudgetChangeRefusal {
    /// The requested budget equals the current one.
    #[error("the requested annual budget is the current one")]
    Unchanged,
    /// The monthly saving amount of the requested budget is below the minimum.
    #[error("the monthly saving amount is below the minimum")]
    SavingBelowMinimum,
    /// The monthly saving amount of the requested budget is above the maximum.
    #[error("the monthly saving amount is above the maximum")]
    SavingAboveMaximum,
    /// The yearly change (for the next year) was already used this year.
    #[error("the annual budget can be changed only once a year, except upwards")]
    ChangesPerYearExceeded,
    /// The effective date would lie beyond the calendar's range (year 9999).
    #[error("the effective date is out of range")]
    DateOutOfRange,
}

impl BudgetChangeRefusal {
    /// The stable code, for example `budget_change.changes_per_year_exceeded`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            BudgetChangeRefusal::Unchanged => "budget_change.unchanged",
            BudgetChangeRefusal::SavingBelowMinimum => "budget_change.saving_below_minimum",
            BudgetChangeRefusal::SavingAboveMaximum => "budget_change.saving_above_maximum",
            BudgetChangeRefusal::ChangesPerYearExceeded => {
                "budget_change.changes_per_year_exceeded"
            }
            BudgetChangeRefusal::DateOutOfRange => "budget_change.date_out_of_range",
        }
    }
}

/// Whether and from when the annual budget may change (`PRODUCT.md`, "Change of annual
/// budget": "allowed once per year for the next year, or any time upwards").
///
/// - The monthly saving amount of `requested` must lie within the terms' bounds.
/// - Upwards, when `budget_change_upward_any_time`: effective from the first day of the next
///   month; it does not count as the yearly change.
/// - Otherwise (downwards, or upwards when the terms do not allow it any time): effective from
///   1 January of next year, and only while `changes_this_year` (the yearly changes already
///   made in today's calendar year) is below `budget_change_per_year_max`.
///
/// # Errors
/// [`BudgetChangeRefusal`] naming the rule.
pub fn check_budget_change(
    terms: &ProductTerms,
    current: Cents,
    requested: Cents,
    changes_this_year: u8,
    today: Date,
) -> Result<BudgetChange, BudgetChangeRefusal> {
    if requested == current {
        return Err(BudgetChangeRefusal::Unchanged);
    }
    let monthly = Cents::monthly_saving(requested);
    if monthly < terms.saving_cents_monthly_min {
        return Err(BudgetChangeRefusal::SavingBelowMinimum);
    }
    if monthly > terms.saving_cents_monthly_max {
        return Err(BudgetChangeRefusal::SavingAboveMaximum);
    }
    let any_time = requested > current && terms.budget_change_upward_any_time;
    let effective_from = if any_time {
        first_of_next_month(today)
    } else {
        if changes_this_year >= terms.budget_change_per_year_max {
            return Err(BudgetChangeRefusal::ChangesPerYearExceeded);
        }
        today
            .year()
            .checked_add(1)
            .and_then(|year| Date::from_calendar_date(year, Month::January, 1).ok())
    };
    Ok(BudgetChange {
        effective_from: effective_from.ok_or(BudgetChangeRefusal::DateOutOfRange)?,
        new_annual: requested,
        credit_line: terms.credit_line(requested),
    })
}
