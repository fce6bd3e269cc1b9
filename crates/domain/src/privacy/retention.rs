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
    /// Whether a law obliges the operator to keep this category for the whole period. Such data
    /// survives an erasure request (GDPR art. 17(3)(b)), kept but restricted (art. 18); data
    /// without a legal duty is erased at once when the participant asks.
    pub legal_duty: bool,
}

/// The retention rules, one per category.
pub const RULES: &[RetentionRule] = &[
    RetentionRule {
        category: DataCategory::Identity,
        months: 7 * 12,
        days: 0,
        start: Start::EndOfBookYear,
        expiry: Expiry::Anonymise,
        legal_duty: true,
        ground: "names the parties of financial records kept for the tax authority (AWR art. 52)",
    },
    RetentionRule {
        category: DataCategory::Contact,
        months: 6,
        days: 0,
        start: Start::EndOfRelation,
        expiry: Expiry::Delete,
        legal_duty: false,
        ground: "needed to reach the participant until the contract is settled",
    },
    RetentionRule {
        category: DataCategory::NationalId,
        months: 0,
        days: 0,
        start: Start::EndOfRelation,
        expiry: Expiry::Delete,
        legal_duty: false,
        ground: "used only while the contract runs (UAVG art. 46)",
    },
    RetentionRule {
        category: DataCategory::Financial,
        months: 7 * 12,
        days: 0,
        start: Start::EndOfBookYear,
        expiry: Expiry::Anonymise,
        legal_duty: true,
        ground: "financial records: 7 years after the end of the book year (AWR art. 52)",
    },
    RetentionRule {
        category: DataCategory::Care,
        months: 7 * 12,
        days: 0,
        start: Start::EndOfBookYear,
        expiry: Expiry::Anonymise,
        legal_duty: true,
        ground: "declarations are the ground of payments: kept with the financial records",
    },
    RetentionRule {
        category: DataCategory::ProviderLink,
        months: 0,
        days: 0,
        start: Start::EndOfRelation,
        expiry: Expiry::Delete,
        legal_duty: false,
        ground: "only needed while the contract runs",
    },
    RetentionRule {
        category: DataCategory::Consent,
        months: 24,
        days: 0,
        start: Start::EndOfRelation,
        expiry: Expiry::Delete,
        legal_duty: false,
        ground: "proof of consent for complaints and the regulator",
    },
    RetentionRule {
        category: DataCategory::Account,
        months: 6,
        days: 0,
        start: Start::EndOfRelation,
        expiry: Expiry::Delete,
        legal_duty: false,
        ground: "portal access until the contract is settled; not accepted applications 6 months",
    },
    RetentionRule {
        category: DataCategory::Technical,
        months: 0,
        days: 90,
        start: Start::Recorded,
        expiry: Expiry::Anonymise,
        legal_duty: false,
        ground: "security and site statistics; aggregated afterwards",
    },
    RetentionRule {
        category: DataCategory::PrivacyRecord,
        months: 7 * 12,
        days: 0,
        start: Start::EndOfBookYear,
        expiry: Expiry::Delete,
        legal_duty: true,
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

impl RetentionRule {
    /// Whether a record of this category has expired on `today`: its last day
    /// ([`RetentionRule::kept_until`]) lies before `today`.
    #[must_use]
    pub fn expired(&self, today: Date, recorded: Date, relation_end: Option<Date>) -> bool {
        self.kept_until(recorded, relation_end)
            .is_some_and(|last| last < today)
    }

    /// For a rule that runs from the record ([`Start::Recorded`], [`Start::EndOfBookYear`]): the
    /// first recording date still kept on `today`. Every record made before it has expired,
    /// every record made on or after it is kept, so the retention job can select with one
    /// comparison. `None` for [`Start::EndOfRelation`] (see [`Self::relation_ended_by`]).
    #[must_use]
    pub fn recorded_before(&self, today: Date) -> Option<Date> {
        if self.start == Start::EndOfRelation {
            return None;
        }
        Some(first_kept(today, self.span_days(), |d| {
            !self.expired(today, d, None)
        }))
    }

    /// For a rule that runs from the end of the contract ([`Start::EndOfRelation`]): the last end
    /// date whose records have expired on `today`. Records of a contract that ended on or before
    /// it have expired; those of a later or running contract are kept. `None` for other rules.
    #[must_use]
    pub fn relation_ended_by(&self, today: Date) -> Option<Date> {
        if self.start != Start::EndOfRelation {
            return None;
        }
        let first_kept = first_kept(today, self.span_days(), |end| {
            !self.expired(today, end, Some(end))
        });
        first_kept.previous_day()
    }

    /// An upper bound of the rule's length in days (a month has at most 31, a book year adds at
    /// most 365), so a search for the expiry edge knows where to start.
    fn span_days(&self) -> i64 {
        let book_year = if self.start == Start::EndOfBookYear {
            366
        } else {
            0
        };
        i64::from(self.months) * 31 + i64::from(self.days) + book_year + 1
    }
}

/// The first date `d` in `[today - span_days, today]` for which `kept(d)` holds, for a `kept`
/// that is false up to some date and true from it on (a record made later is kept at least as
/// long). Binary search: a few dozen evaluations even for seven-year rules.
fn first_kept(today: Date, span_days: i64, kept: impl Fn(Date) -> bool) -> Date {
    let day = |offset: i64| {
        today
            .checked_sub(time::Duration::days(offset))
            .unwrap_or(Date::MIN)
    };
    // Invariant: kept(day(lo_offset)) is false or lo is below the range; kept(day(hi)) is true.
    let (mut older, mut newer) = (span_days, 0_i64);
    if kept(day(older)) {
        return day(older);
    }
    while older - newer > 1 {
        let mid = newer + (older - newer) / 2;
        if kept(day(mid)) {
            newer = mid;
        } else {
            older = mid;
        }
    }
    day(newer)
}

/// What an erasure request (GDPR art. 17) does with each category: erased at once, or kept
/// (restricted, art. 18) because a law obliges the operator to keep it. Each with its ground in
/// words, to tell the participant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErasurePlan {
    /// Erased or anonymised now.
    pub erased: Vec<(DataCategory, &'static str)>,
    /// Kept until its retention period ends, readable only for `audit` and `legal_obligation`.
    pub kept: Vec<(DataCategory, &'static str)>,
}

/// Why a category is erased at the participant's request.
pub const ERASED_GROUND: &str =
    "no law obliges us to keep it, so it is erased at your request (GDPR art. 17)";

impl ErasurePlan {
    /// The categories erased now.
    #[must_use]
    pub fn erased_categories(&self) -> Vec<DataCategory> {
        self.erased.iter().map(|(c, _)| *c).collect()
    }

    /// The categories kept and restricted.
    #[must_use]
    pub fn kept_categories(&self) -> Vec<DataCategory> {
        self.kept.iter().map(|(c, _)| *c).collect()
    }
}

/// The erasure plan from the rules: a category under a legal retention duty is kept with its
/// rule's ground, every other category is erased.
#[must_use]
pub fn erasure_plan() -> ErasurePlan {
    let mut plan = ErasurePlan {
        erased: Vec::new(),
        kept: Vec::new(),
    };
    for category in DataCategory::ALL {
        match rule(*category) {
            Some(r) if r.legal_duty => plan.kept.push((*category, r.ground)),
            _ => plan.erased.push((*category, ERASED_GROUND)),
        }
    }
    plan
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
    fn an_erasure_keeps_exactly_the_categories_under_a_legal_duty() {
        use DataCategory as C;
        let plan = erasure_plan();
        assert_eq!(
            plan.kept_categories(),
            vec![C::Identity, C::Financial, C::Care, C::PrivacyRecord]
        );
        assert_eq!(
            plan.erased_categories(),
            vec![
                C::Contact,
                C::NationalId,
                C::ProviderLink,
                C::Consent,
                C::Account,
                C::Technical
            ]
        );
        assert!(plan.kept.iter().all(|(_, ground)| ground.contains("AWR")
            || ground.contains("evidence")
            || ground.contains("kept with")));
    }

    #[test]
    fn technical_data_recorded_before_ninety_days_ago_has_expired() {
        let rule = rule(DataCategory::Technical).expect("a rule");
        assert_eq!(
            rule.recorded_before(date!(2026 - 04 - 01)),
            Some(date!(2026 - 01 - 01))
        );
        assert_eq!(rule.relation_ended_by(date!(2026 - 04 - 01)), None);
    }

    #[test]
    fn financial_records_of_a_book_year_expire_together_on_the_first_of_january() {
        let rule = rule(DataCategory::Financial).expect("a rule");
        assert_eq!(
            rule.recorded_before(date!(2033 - 12 - 31)),
            Some(date!(2026 - 01 - 01))
        );
        assert_eq!(
            rule.recorded_before(date!(2034 - 01 - 01)),
            Some(date!(2027 - 01 - 01))
        );
    }

    #[test]
    fn contact_data_expires_six_months_after_the_contract_ended() {
        let rule = rule(DataCategory::Contact).expect("a rule");
        assert_eq!(
            rule.relation_ended_by(date!(2026 - 08 - 01)),
            Some(date!(2026 - 01 - 31))
        );
        let national_id = super::rule(DataCategory::NationalId).expect("a rule");
        assert_eq!(
            national_id.relation_ended_by(date!(2026 - 08 - 01)),
            Some(date!(2026 - 07 - 31))
        );
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

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Dates from 1990 to 2100.
    fn any_date() -> impl Strategy<Value = Date> {
        (2_447_893_i32..2_488_070).prop_map(|jd| Date::from_julian_day(jd).expect("in range"))
    }

    fn any_rule() -> impl Strategy<Value = &'static RetentionRule> {
        (0..RULES.len()).prop_map(|i| &RULES[i])
    }

    proptest! {
        #[test]
        fn a_record_made_before_the_cutoff_has_expired_and_one_made_on_or_after_it_is_kept(
            rule in any_rule(), today in any_date(), recorded in any_date()
        ) {
            if let Some(cutoff) = rule.recorded_before(today) {
                prop_assert_eq!(recorded < cutoff, rule.expired(today, recorded, None));
            }
        }

        #[test]
        fn a_contract_that_ended_by_the_cutoff_has_expired_and_a_later_one_is_kept(
            rule in any_rule(), today in any_date(), end in any_date()
        ) {
            if let Some(cutoff) = rule.relation_ended_by(today) {
                prop_assert_eq!(end <= cutoff, rule.expired(today, end, Some(end)));
            }
        }

        #[test]
        fn an_expired_record_stays_expired_on_every_later_day(
            rule in any_rule(), today in any_date(), recorded in any_date(), later in 0_i64..4_000
        ) {
            let end = Some(recorded);
            let after = today + time::Duration::days(later);
            if rule.expired(today, recorded, end) {
                prop_assert!(rule.expired(after, recorded, end));
            }
        }

        #[test]
        fn no_record_expires_before_it_is_made_or_while_its_contract_runs(
            rule in any_rule(), recorded in any_date()
        ) {
            let last = rule.kept_until(recorded, Some(recorded));
            prop_assert!(last.is_some_and(|d| d >= recorded));
            if rule.start == Start::EndOfRelation {
                prop_assert!(!rule.expired(recorded + time::Duration::days(10_000), recorded, None));
            }
        }
    }
}
