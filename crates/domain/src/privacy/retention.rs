//! Retention: one rule per data category (`PRIVACY.md` §6), and when a record of that
//! category expires.
//!
//! The rules are code, so the record of processing ([`super::ropa`]) and the retention job read
//! the same thing. A test checks that every category has exactly one rule.

use time::{Date, Month};

use super::DataCategory;
use crate::termination::add_months_clamped;

/// From which moment a retention period runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// From the moment the record was made or last changed.
    Recorded,
    /// From the end of the book year (31 December) of the record: financial records (Dutch
    /// tax law, AWR art. 52: 7 years).
    EndOfBookYear,
    /// From the end of the contract (or the closing of the file the record belongs to).
    EndOfRelation,
}

/// What happens when a record expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// The record is deleted.
    Delete,
    /// Personal fields are removed or replaced; what is left only counts (statistics).
    Anonymise,
}

/// The retention rule of one category.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetentionRule {
    /// The category.
    pub category: DataCategory,
    /// How long, in months (days for short periods are given by `days`).
    pub months: u32,
    /// For short periods: days instead of months (0 when `months` is used).
    pub days: u32,
    /// From when.
    pub start: Start,
    /// What then.
    pub expiry: Expiry,
    /// Why this long, for the record of processing and the participant.
    pub ground: &'static str,
}

/// The retention rules, one per category.
pub const RULES: &[RetentionRule] = &[
    RetentionRule {
        category: DataCategory::Identity,
        months: 7 * 12,
        days: 0,
        start: Start::EndOfBookYear,
        expiry: Expiry::Anonymise,
        ground: "names the parties of financial records kept for the tax authority (AWR art. 52)",
    },
    RetentionRule {
        category: DataCategory::Contact,
        months: 6,
        days: 0,
        start: Start::EndOfRelation,
        expiry: Expiry::Delete,
        ground: "needed to reach the participant until the contract is settled",
    },
    RetentionRule {
        category: DataCategory::NationalId,
        months: 0,
        days: 0,
        start: Start::EndOfRelation,
        expiry: Expiry::Delete,
        ground: "used only while the contract runs (UAVG art. 46)",
    },
    RetentionRule {
        category: DataCategory::Financial,
        months: 7 * 12,
        days: 0,
        start: Start::EndOfBookYear,
        expiry: Expiry::Anonymise,
        ground: "financial records: 7 years after the end of the book year (AWR art. 52)",
    },
    RetentionRule {
        category: DataCategory::Care,
        months: 7 * 12,
        days: 0,
        start: Start::EndOfBookYear,
        expiry: Expiry::Anonymise,
        ground: "declarations are the ground of payments: kept with the financial records",
    },
    RetentionRule {
        category: DataCategory::ProviderLink,
        months: 0,
        days: 0,
        start: Start::EndOfRelation,
        expiry: Expiry::Delete,
        ground: "only needed while the contract runs",
    },
    RetentionRule {
        category: DataCategory::Consent,
        months: 24,
        days: 0,
        start: Start::EndOfRelation,
        expiry: Expiry::Delete,
        ground: "proof of consent for complaints and the regulator",
    },
    RetentionRule {
        category: DataCategory::Account,
        months: 6,
        days: 0,
        start: Start::EndOfRelation,
        expiry: Expiry::Delete,
        ground: "portal access until the contract is settled; not accepted applications 6 months",
    },
    RetentionRule {
        category: DataCategory::Technical,
        months: 0,
        days: 90,
        start: Start::Recorded,
        expiry: Expiry::Anonymise,
        ground: "security and site statistics; aggregated afterwards",
    },
    RetentionRule {
        category: DataCategory::PrivacyRecord,
        months: 7 * 12,
        days: 0,
        start: Start::EndOfBookYear,
        expiry: Expiry::Delete,
        ground: "evidence of lawful processing for audits and the regulator",
    },
];

/// The rule of a category.
#[must_use]
pub fn rule(category: DataCategory) -> Option<&'static RetentionRule> {
    RULES.iter().find(|r| r.category == category)
}

impl RetentionRule {
    /// The last day a record of this category is kept, given when it was recorded, its book
    /// year's date and the end of the relation (`None` while the contract runs: kept).
    ///
    /// Rule: the period runs from its start (see [`Start`]); a record is kept through the
    /// last day and expires the day after.
    #[must_use]
    pub fn kept_until(&self, recorded: Date, relation_end: Option<Date>) -> Option<Date> {
        let from = match self.start {
            Start::Recorded => recorded,
            Start::EndOfBookYear => Date::from_calendar_date(recorded.year(), Month::December, 31)
                .expect("BUG: every year has a 31 December"),
            Start::EndOfRelation => relation_end?,
        };
        let after_months = add_months_clamped(from, self.months)?;
        after_months.checked_add(time::Duration::days(i64::from(self.days)))
    }

    /// The period in words, for people: `7 years after the end of the book year`.
    #[must_use]
    pub fn period(&self) -> String {
        let length = match (self.months, self.days) {
            (0, 0) => "until".to_owned(),
            (0, days) => format!("{days} days after"),
            (months, _) if months % 12 == 0 => format!("{} years after", months / 12),
            (months, _) => format!("{months} months after"),
        };
        let start = match self.start {
            Start::Recorded => "it was recorded",
            Start::EndOfBookYear => "the end of the book year",
            Start::EndOfRelation => "the end of the contract",
        };
        match length.as_str() {
            "until" => format!("until {start}"),
            _ => format!("{length} {start}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn every_category_has_exactly_one_retention_rule() {
        for category in DataCategory::ALL {
            let rules = RULES.iter().filter(|r| r.category == *category).count();
            assert_eq!(rules, 1, "{category}");
        }
    }

    #[test]
    fn financial_records_are_kept_seven_years_after_the_end_of_the_book_year() {
        let rule = rule(DataCategory::Financial).expect("a rule");
        assert_eq!(
            rule.kept_until(date!(2026 - 03 - 10), None),
            Some(date!(2033 - 12 - 31))
        );
        assert_eq!(rule.period(), "7 years after the end of the book year");
    }

    #[test]
    fn technical_data_is_kept_ninety_days() {
        let rule = rule(DataCategory::Technical).expect("a rule");
        assert_eq!(
            rule.kept_until(date!(2026 - 01 - 01), None),
            Some(date!(2026 - 04 - 01))
        );
        assert_eq!(rule.period(), "90 days after it was recorded");
    }

    #[test]
    fn contact_data_of_a_running_contract_is_kept() {
        let rule = rule(DataCategory::Contact).expect("a rule");
        assert_eq!(rule.kept_until(date!(2026 - 01 - 01), None), None);
        assert_eq!(
            rule.kept_until(date!(2020 - 01 - 01), Some(date!(2026 - 01 - 31))),
            Some(date!(2026 - 07 - 31))
        );
    }
}
