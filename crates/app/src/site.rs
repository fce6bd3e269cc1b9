//! What the public site reads: the product terms in force today (fees and limits, for the
//! plan's pages) and the calculator (annual budget per household member → monthly amounts).
//! Neither touches personal data.

use ixorg_domain::enrollment::AcceptanceRule;
use ixorg_domain::money::Cents;
use ixorg_domain::terms::{HouseholdRole, ProductTerms};

use crate::context::AppContext;

/// No product terms are in force today (a setup error: the site cannot quote any fee).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("no product terms are in force today")]
pub struct NoTerms;

/// The product terms in force today.
///
/// # Errors
/// [`NoTerms`] when none is in force.
pub fn current_terms(ctx: &AppContext) -> Result<ProductTerms, NoTerms> {
    ctx.terms
        .resolve(ctx.clock.today())
        .cloned()
        .map_err(|_| NoTerms)
}

/// Who a calculator line is for; it decides the monthly fee.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MemberKind {
    /// The main participant (the adult who pays).
    Main,
    /// A further adult (a partner, an adult child).
    FurtherAdult,
    /// A child below the terms' child age.
    Child,
}

impl MemberKind {
    /// The monthly fee of this kind of member under `terms`.
    #[must_use]
    pub fn fee_monthly(self, terms: &ProductTerms) -> Cents {
        match self {
            MemberKind::Main => terms.fee_monthly(HouseholdRole::Main, u8::MAX),
            MemberKind::FurtherAdult => terms.fee_monthly(HouseholdRole::Partner, u8::MAX),
            MemberKind::Child => terms.fee_monthly(HouseholdRole::Child, 0),
        }
    }
}

/// One member's monthly amounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CalculatorLine {
    /// Who it is for.
    pub kind: MemberKind,
    /// The annual budget asked for.
    pub annual: Cents,
    /// The monthly saving amount (annual / 12, rounded to cents half away from zero).
    pub saving_monthly: Cents,
    /// The monthly service fee.
    pub fee_monthly: Cents,
    /// Saving plus fee: what is collected each month for this member.
    pub total_monthly: Cents,
    /// How far the budget may go below zero (the credit line).
    pub credit_line: Cents,
}

/// The calculator's answer: per member its amounts or the rule its budget breaks, and the
/// household's monthly total when every line is valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calculation {
    /// Per member, in the order asked.
    pub lines: Vec<Result<CalculatorLine, AcceptanceRule>>,
    /// The sum of every member's monthly total, when every line is valid.
    pub total_monthly: Option<Cents>,
}

/// Computes the monthly amounts of `members` (their kind and the annual budget as typed, like
/// `300` or `300,00`) under the terms in force today, with the same rules as an application:
/// the amount must be euros and the monthly saving within the terms' bounds.
///
/// # Errors
/// [`NoTerms`] when no terms are in force.
pub fn calculate(ctx: &AppContext, members: &[(MemberKind, &str)]) -> Result<Calculation, NoTerms> {
    let terms = current_terms(ctx)?;
    Ok(calculate_with(&terms, members))
}

/// [`calculate`] under the given terms.
#[must_use]
pub fn calculate_with(terms: &ProductTerms, members: &[(MemberKind, &str)]) -> Calculation {
    let lines: Vec<Result<CalculatorLine, AcceptanceRule>> = members
        .iter()
        .map(|&(kind, text)| line(terms, kind, text))
        .collect();
    let total_monthly = lines.iter().try_fold(Cents::ZERO, |sum, l| match l {
        Ok(line) => sum.checked_add(line.total_monthly),
        Err(_) => None,
    });
    Calculation {
        lines,
        total_monthly,
    }
}

fn line(
    terms: &ProductTerms,
    kind: MemberKind,
    text: &str,
) -> Result<CalculatorLine, AcceptanceRule> {
    if text.trim().is_empty() {
        return Err(AcceptanceRule::Required);
    }
    let annual = Cents::parse_eur(text).map_err(|_| AcceptanceRule::InvalidAmount)?;
    if annual.is_negative() {
        return Err(AcceptanceRule::InvalidAmount);
    }
    let saving_monthly = Cents::monthly_saving(annual);
    if saving_monthly < terms.saving_cents_monthly_min {
        return Err(AcceptanceRule::SavingBelowMinimum);
    }
    if saving_monthly > terms.saving_cents_monthly_max {
        return Err(AcceptanceRule::SavingAboveMaximum);
    }
    let fee_monthly = kind.fee_monthly(terms);
    let total_monthly = saving_monthly
        .checked_add(fee_monthly)
        .ok_or(AcceptanceRule::SavingAboveMaximum)?;
    Ok(CalculatorLine {
        kind,
        annual,
        saving_monthly,
        fee_monthly,
        total_monthly,
        credit_line: terms.credit_line(annual),
    })
}

#[cfg(test)]
mod tests {
    use ixorg_domain::terms::TermsVersion;

    use super::*;

    #[test]
    fn a_household_gets_each_members_saving_and_fee_and_a_total() {
        let terms = TermsVersion::initial().terms;
        let c = calculate_with(
            &terms,
            &[(MemberKind::Main, "300"), (MemberKind::Child, "120,00")],
        );
        let main = c.lines[0].expect("valid");
        assert_eq!(main.saving_monthly, Cents::new(2500));
        assert_eq!(main.fee_monthly, terms.fee_cents_monthly_main);
        let child = c.lines[1].expect("valid");
        assert_eq!(child.saving_monthly, Cents::new(1000));
        assert_eq!(child.fee_monthly, terms.fee_cents_monthly_child);
        let expected =
            2500 + 1000 + terms.fee_cents_monthly_main.get() + terms.fee_cents_monthly_child.get();
        assert_eq!(c.total_monthly, Some(Cents::new(expected)));
    }

    #[test]
    fn a_budget_outside_the_bounds_or_not_an_amount_is_named_by_its_rule() {
        let terms = TermsVersion::initial().terms;
        let c = calculate_with(
            &terms,
            &[
                (MemberKind::Main, "abc"),
                (MemberKind::FurtherAdult, "1"),
                (MemberKind::Child, "999999"),
                (MemberKind::Child, " "),
                (MemberKind::Child, "-300"),
            ],
        );
        assert_eq!(c.lines[0], Err(AcceptanceRule::InvalidAmount));
        assert_eq!(c.lines[1], Err(AcceptanceRule::SavingBelowMinimum));
        assert_eq!(c.lines[2], Err(AcceptanceRule::SavingAboveMaximum));
        assert_eq!(c.lines[3], Err(AcceptanceRule::Required));
        assert_eq!(c.lines[4], Err(AcceptanceRule::InvalidAmount));
        assert_eq!(c.total_monthly, None);
    }
}
