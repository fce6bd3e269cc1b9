//! A participant's budget over a year, as the portal explains it: what came in (contributions),
//! what went out (payments for treatments), and the balance at the end of each month.
//!
//! The figures come from the budget account's ledger transfers: the cached balance now, and
//! every movement since the first of January. The balance at the end of a month is found by
//! walking back from the balance now, so it always agrees with the ledger.

use time::{Date, Month};

use crate::Cents;
use crate::ledger::TransferKind;

/// One movement on a budget account: positive into the budget, negative out of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Movement {
    /// The day it was booked.
    pub on: Date,
    /// What it was.
    pub kind: TransferKind,
    /// The amount: positive when the budget grew.
    pub amount: Cents,
}

/// The column of the year chart a movement is drawn in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    /// Savings collected, less returned debits.
    Contributions,
    /// Treatments paid from the budget, less credits, and the year-end check-up deduction.
    Payments,
    /// Anything else (a settlement, a correction).
    Other,
}

impl Column {
    /// The column of a transfer kind.
    #[must_use]
    pub const fn of(kind: TransferKind) -> Column {
        match kind {
            TransferKind::Contribution | TransferKind::CollectionReturn => Column::Contributions,
            TransferKind::Declaration
            | TransferKind::DeclarationCredit
            | TransferKind::CheckupDeduction => Column::Payments,
            _ => Column::Other,
        }
    }
}

/// One month of the year chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonthFigures {
    /// The month.
    pub month: Month,
    /// Contributions booked in the month (net of returns).
    pub contributions: Cents,
    /// Payments booked in the month, as a positive amount (net of credits).
    pub payments: Cents,
    /// Other movements (signed).
    pub other: Cents,
    /// The balance at the end of the month; `None` for a month that has not begun.
    pub balance_end: Option<Cents>,
}

/// The sum went beyond what cents can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the year's figures do not fit in an amount")]
pub struct FiguresOverflow;

/// The twelve months of `year`, from the balance `now_balance` on `today` and the movements
/// booked from the first of January of `year` up to today (later or earlier ones are ignored).
///
/// # Errors
/// [`FiguresOverflow`] when a sum does not fit.
pub fn year_figures(
    year: i32,
    today: Date,
    now_balance: Cents,
    movements: &[Movement],
) -> Result<Vec<MonthFigures>, FiguresOverflow> {
    let add = |a: Cents, b: Cents| a.checked_add(b).ok_or(FiguresOverflow);
    let mut months: Vec<MonthFigures> = (1..=12u8)
        .filter_map(|m| Month::try_from(m).ok())
        .map(|month| MonthFigures {
            month,
            contributions: Cents::ZERO,
            payments: Cents::ZERO,
            other: Cents::ZERO,
            balance_end: None,
        })
        .collect();
    // Net change per month, and everything booked after the end of each month.
    let mut net = [Cents::ZERO; 12];
    for m in movements
        .iter()
        .filter(|m| m.on.year() == year && m.on <= today)
    {
        let i = usize::from(u8::from(m.on.month())) - 1;
        let Some(figures) = months.get_mut(i) else {
            continue;
        };
        match Column::of(m.kind) {
            Column::Contributions => figures.contributions = add(figures.contributions, m.amount)?,
            Column::Payments => {
                let out = m.amount.checked_neg().ok_or(FiguresOverflow)?;
                figures.payments = add(figures.payments, out)?;
            }
            Column::Other => figures.other = add(figures.other, m.amount)?,
        }
        net[i] = add(net[i], m.amount)?;
    }
    // Walk back from today: the balance at the end of month i is the balance now less what
    // was booked after it.
    let last = if today.year() > year {
        12
    } else if today.year() < year {
        0
    } else {
        usize::from(u8::from(today.month()))
    };
    let mut balance = now_balance;
    for i in (0..last).rev() {
        if let Some(figures) = months.get_mut(i) {
            figures.balance_end = Some(balance);
        }
        balance = balance
            .checked_sub(net.get(i).copied().unwrap_or(Cents::ZERO))
            .ok_or(FiguresOverflow)?;
    }
    Ok(months)
}

/// Where a collected contribution stands with the bank.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContributionState {
    /// In a collection file sent to the bank.
    Sent,
    /// Booked on the operator's account.
    Settled,
    /// Returned by the participant's bank (with a reason code).
    Returned,
    /// Refused by the bank before it was collected.
    Rejected,
}

impl ContributionState {
    /// Every state.
    pub const ALL: &'static [ContributionState] = &[
        ContributionState::Sent,
        ContributionState::Settled,
        ContributionState::Returned,
        ContributionState::Rejected,
    ];

    /// The stored name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ContributionState::Sent => "sent",
            ContributionState::Settled => "settled",
            ContributionState::Returned => "returned",
            ContributionState::Rejected => "rejected",
        }
    }

    /// The state of a stored name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<ContributionState> {
        ContributionState::ALL
            .iter()
            .copied()
            .find(|s| s.as_str() == name)
    }
}

/// How much of each line's budget payment went below zero, into the credit line.
///
/// `paid` are the lines' budget payments in the order adjudication took them; `credit_used` is
/// how far the net transfer of their batch took the balance below zero (at most what the batch
/// paid). The credit line is taken by the last lines first, as the budget ran out along the way.
#[must_use]
pub fn credit_parts(paid: &[Cents], credit_used: Cents) -> Vec<Cents> {
    let mut left = credit_used.get().max(0);
    let mut parts = vec![Cents::ZERO; paid.len()];
    for (part, amount) in parts.iter_mut().zip(paid).rev() {
        let take = amount.get().max(0).min(left);
        *part = Cents::new(take);
        left -= take;
    }
    parts
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::date;

    use super::*;

    fn movement(on: Date, kind: TransferKind, cents: i64) -> Movement {
        Movement {
            on,
            kind,
            amount: Cents::new(cents),
        }
    }

    #[test]
    fn contributions_and_payments_fall_in_their_months_and_the_balance_walks_back_from_today() {
        let moves = [
            movement(date!(2026 - 01 - 28), TransferKind::Contribution, 2_500),
            movement(date!(2026 - 02 - 27), TransferKind::Contribution, 2_500),
            movement(date!(2026 - 02 - 10), TransferKind::Declaration, -4_000),
            movement(
                date!(2026 - 03 - 27),
                TransferKind::CollectionReturn,
                -2_500,
            ),
        ];
        let months =
            year_figures(2026, date!(2026 - 03 - 31), Cents::new(-1_500), &moves).expect("fits");
        assert_eq!(months.len(), 12);
        assert_eq!(months[0].contributions, Cents::new(2_500));
        assert_eq!(months[0].balance_end, Some(Cents::new(2_500)));
        assert_eq!(months[1].payments, Cents::new(4_000));
        assert_eq!(months[1].balance_end, Some(Cents::new(1_000)));
        assert_eq!(months[2].contributions, Cents::new(-2_500));
        assert_eq!(months[2].balance_end, Some(Cents::new(-1_500)));
        assert_eq!(months[3].balance_end, None, "April has not begun");
    }

    #[test]
    fn a_past_year_has_a_balance_for_every_month_and_a_future_year_none() {
        let past = year_figures(2025, date!(2026 - 01 - 05), Cents::new(100), &[]).expect("fits");
        assert!(past.iter().all(|m| m.balance_end == Some(Cents::new(100))));
        let future = year_figures(2027, date!(2026 - 01 - 05), Cents::new(100), &[]).expect("fits");
        assert!(future.iter().all(|m| m.balance_end.is_none()));
    }

    #[test]
    fn the_credit_line_is_taken_by_the_last_lines_of_a_batch() {
        let paid = [Cents::new(3_000), Cents::new(2_000), Cents::new(1_000)];
        assert_eq!(
            credit_parts(&paid, Cents::new(2_500)),
            vec![Cents::ZERO, Cents::new(1_500), Cents::new(1_000)]
        );
        assert_eq!(credit_parts(&paid, Cents::ZERO), vec![Cents::ZERO; 3]);
    }

    #[test]
    fn every_contribution_state_is_found_again_by_its_name() {
        for &state in ContributionState::ALL {
            assert_eq!(ContributionState::from_name(state.as_str()), Some(state));
        }
    }

    proptest! {
        #[test]
        fn the_balance_at_the_end_of_each_month_is_the_previous_one_plus_that_months_movements(
            amounts in proptest::collection::vec((1u8..=12, 1u8..=28, -50_000i64..50_000), 0..40),
            now in -100_000i64..100_000,
        ) {
            let moves: Vec<Movement> = amounts
                .iter()
                .filter_map(|&(m, d, c)| {
                    let on = Date::from_calendar_date(2026, Month::try_from(m).ok()?, d).ok()?;
                    let kind = if c >= 0 { TransferKind::Contribution } else { TransferKind::Declaration };
                    Some(movement(on, kind, c))
                })
                .collect();
            let months = year_figures(2026, date!(2026 - 12 - 31), Cents::new(now), &moves)
                .expect("fits");
            prop_assert_eq!(months[11].balance_end, Some(Cents::new(now)));
            for pair in months.windows(2) {
                let (before, after) = (pair[0], pair[1]);
                let change = after.contributions.get() - after.payments.get() + after.other.get();
                prop_assert_eq!(
                    before.balance_end.map(|b| b.get() + change),
                    after.balance_end.map(Cents::get)
                );
            }
        }
    }
}
