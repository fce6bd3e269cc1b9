//! The acceptance policy (`PRODUCT.md`, "Enrollment and acceptance policy"): an application
//! form as typed by the applicant is parsed into a typed [`Application`], and every rule it
//! breaks is reported as a [`FieldError`] with a stable [`AcceptanceRule`] code.
//!
//! Two rules need the database (a second active contract, an unpaid closed contract): the app
//! looks the people up by BSN blind index or [`PersonKey`] and hands the facts to
//! [`check_history`]. Changing the annual budget later follows [`check_budget_change`].
//!
//! No error text repeats what the applicant typed: errors name the field and the rule.

mod budget;
mod checks;
mod corrections;
mod form;
mod history;
mod members;
mod rules;

pub use budget::*;
pub use checks::*;
pub use corrections::*;
pub use form::*;
pub use history::*;
pub use rules::*;

#[cfg(test)]
mod tests;
