//! Monthly collections: what one participant owes in a month, the SEPA sequence type, the
//! collection date, the return reasons a bank reports and the reminder flow that follows a
//! return (`PRODUCT.md`, "Money", "Collections"; `REFERENCE.md`, "Reason codes").

use std::fmt;

use time::{Date, Month};

use crate::money::Cents;
use crate::termination::month_start;
use crate::terms::{HouseholdRole, ProductTerms, age_on};

mod returns;

pub use returns::*;

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

    /// The sequence type whose code is `code` (exactly as [`SequenceType::as_str`] writes it);
    /// `None` for any other text, which is never read as some default type.
    #[must_use]
    pub fn from_name(code: &str) -> Option<SequenceType> {
        [
            SequenceType::Frst,
            SequenceType::Rcur,
            SequenceType::Ooff,
            SequenceType::Fnal,
        ]
        .into_iter()
        .find(|sequence| sequence.as_str() == code)
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

#[cfg(test)]
mod tests;
