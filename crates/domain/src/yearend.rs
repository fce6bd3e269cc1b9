//! Year-end rules: the yearly check-up condition (`PRODUCT.md`, "The budget and its credit
//! line": "each adult participant must have at least one periodic check-up … in a calendar
//! year. If none was declared by year end, the standard price of a C002 of that year is deducted
//! from the budget and the participant is told why").

use crate::money::Cents;
use crate::tariff::{TariffCode, TariffError, TariffTable};
use crate::terms::ProductTerms;

/// The stable reason code recorded with a check-up deduction, so the participant can be told
/// why their budget was charged.
pub const CHECKUP_DEDUCTION_REASON_CODE: &str = "yearend.no_checkup_declared";

/// Why the check-up deduction cannot be computed. Codes and years are not personal data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum YearEndError {
    /// The check-up code of the terms is not a valid prestatiecode.
    #[error("the check-up code of the product terms is not a prestatiecode")]
    InvalidCheckupCode,
    /// The tariff of the check-up cannot be found for the year (unknown code, no point value
    /// for the year, or an absurd figure).
    #[error("no check-up price for the year: {0}")]
    Tariff(#[source] TariffError),
}

/// The amount to deduct from one participant's budget at the end of `year`, or `None` when
/// nothing is deducted.
///
/// A deduction is made only when all of these hold:
/// - the participant was active for the whole year or part of it;
/// - the terms switch the rule on (`yearly_checkup_deduction`);
/// - the participant is an adult: `age_on_dec_31 >= child_age_years_below`;
/// - no check-up (`yearly_checkup_code`, C002) was declared for treatment in that year.
///
/// The amount is the maximum `NZa` tariff of the check-up code for `year`
/// ([`TariffTable::max_tariff`]). The tariff table is consulted only when a deduction is due,
/// so a missing point value does not block participants who owe nothing.
///
/// # Errors
/// [`YearEndError::InvalidCheckupCode`] when the terms hold a malformed code;
/// [`YearEndError::Tariff`] when the code is not in the tariff list or there is no point value
/// for `year`.
pub fn checkup_deduction(
    terms: &ProductTerms,
    tariffs: &TariffTable,
    year: i32,
    age_on_dec_31: u8,
    had_checkup_in_year: bool,
    active_whole_or_part_of_year: bool,
) -> Result<Option<Cents>, YearEndError> {
    let deduction_due = active_whole_or_part_of_year
        && terms.yearly_checkup_deduction
        && terms.is_adult(age_on_dec_31)
        && !had_checkup_in_year;
    if !deduction_due {
        return Ok(None);
    }
    let code = TariffCode::parse(&terms.yearly_checkup_code)
        .map_err(|_| YearEndError::InvalidCheckupCode)?;
    let price = tariffs
        .max_tariff(&code, year)
        .map_err(YearEndError::Tariff)?;
    Ok(Some(price))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tariff::{PointValue, Tariff};
    use crate::terms::initial;

    fn table() -> TariffTable {
        let tariff = Tariff {
            code: TariffCode::parse("C002").expect("valid code"),
            group: "C".to_owned(),
            description: "Periodiek preventief onderzoek".to_owned(),
            points_hundredths: 380,
            unit: "per consult".to_owned(),
        };
        let point_value = PointValue {
            year: 2023,
            eur_ten_thousandths: 66_500,
        };
        TariffTable::new(vec![tariff], vec![point_value]).expect("valid table")
    }

    fn deduction(age: u8, had_checkup: bool, active: bool) -> Result<Option<Cents>, YearEndError> {
        checkup_deduction(&initial().terms, &table(), 2023, age, had_checkup, active)
    }

    #[test]
    fn an_adult_without_a_checkup_pays_the_checkup_price_of_that_year() {
        assert_eq!(deduction(18, false, true), Ok(Some(Cents::new(2527))));
        assert_eq!(deduction(70, false, true), Ok(Some(Cents::new(2527))));
    }

    #[test]
    fn an_adult_with_a_checkup_pays_nothing() {
        assert_eq!(deduction(40, true, true), Ok(None));
    }

    #[test]
    fn a_child_pays_nothing() {
        assert_eq!(deduction(17, false, true), Ok(None));
        assert_eq!(deduction(0, false, true), Ok(None));
    }

    #[test]
    fn a_participant_not_active_in_the_year_pays_nothing() {
        assert_eq!(deduction(40, false, false), Ok(None));
    }

    #[test]
    fn nothing_is_deducted_when_the_terms_switch_the_rule_off() {
        let mut terms = initial().terms;
        terms.yearly_checkup_deduction = false;
        assert_eq!(
            checkup_deduction(&terms, &table(), 2023, 40, false, true),
            Ok(None)
        );
    }

    #[test]
    fn a_year_without_a_point_value_is_an_error_when_a_deduction_is_due() {
        assert_eq!(
            checkup_deduction(&initial().terms, &table(), 2024, 40, false, true),
            Err(YearEndError::Tariff(TariffError::NoPointValue {
                year: 2024
            }))
        );
        assert_eq!(
            checkup_deduction(&initial().terms, &table(), 2024, 40, true, true),
            Ok(None)
        );
    }

    #[test]
    fn an_unknown_or_malformed_checkup_code_is_an_error() {
        let mut terms = initial().terms;
        terms.yearly_checkup_code = "C003".to_owned();
        assert!(matches!(
            checkup_deduction(&terms, &table(), 2023, 40, false, true),
            Err(YearEndError::Tariff(TariffError::UnknownCode { .. }))
        ));
        terms.yearly_checkup_code = "check-up".to_owned();
        assert_eq!(
            checkup_deduction(&terms, &table(), 2023, 40, false, true),
            Err(YearEndError::InvalidCheckupCode)
        );
    }
}
