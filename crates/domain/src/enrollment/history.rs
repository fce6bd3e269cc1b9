//! The rules that need the database: a person's other contracts, found by [`PersonKey`] or
//! BSN, handed to [`check_history`].

use std::fmt;

use time::Date;

use super::checks::{At, Errors};
use super::form::Application;
use super::rules::{AcceptanceRule, FIELD_ERRORS_MAX, FieldError};
use crate::identifiers::Postcode;

/// Identifies a person without a BSN: normalised surname + date of birth + postcode
/// (`PRODUCT.md`: "same surname + date of birth + postcode").
///
/// Surname normalisation ([`normalise_surname`]): prefix and surname joined, lower-cased, and
/// everything but letters and digits removed, so "van der Berg", "Van der Berg" and
/// "vanderberg" match, and so do "'t Hart" and "T Hart". Diacritics are kept ("Müller" and
/// "Muller" differ). `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonKey {
    surname_normalised: String,
    date_of_birth: Date,
    postcode: Postcode,
}

impl PersonKey {
    /// Builds the key, normalising the surname.
    #[must_use]
    pub fn new(
        surname_prefix: &str,
        surname: &str,
        date_of_birth: Date,
        postcode: Postcode,
    ) -> PersonKey {
        PersonKey {
            surname_normalised: normalise_surname(surname_prefix, surname),
            date_of_birth,
            postcode,
        }
    }

    /// The normalised surname. Personal data: never log it.
    #[must_use]
    pub fn surname_normalised(&self) -> &str {
        &self.surname_normalised
    }

    /// The date of birth.
    #[must_use]
    pub fn date_of_birth(&self) -> Date {
        self.date_of_birth
    }

    /// The postcode.
    #[must_use]
    pub fn postcode(&self) -> &Postcode {
        &self.postcode
    }
}

impl fmt::Debug for PersonKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonKey(***)")
    }
}

/// The surname as compared for duplicates: prefix + surname, lower case, letters and digits
/// only. See [`PersonKey`].
#[must_use]
pub fn normalise_surname(surname_prefix: &str, surname: &str) -> String {
    surname_prefix
        .chars()
        .chain(surname.chars())
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// What the app found about one member in the database (by BSN blind index or [`PersonKey`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberHistory {
    /// Index into [`Application::members`].
    pub member_index: usize,
    /// The person has an active contract.
    pub active_contract: bool,
    /// The person has a closed contract with an unpaid balance.
    pub unpaid_closed_contract: bool,
}

/// The two acceptance rules that need the database: no second active contract and no unpaid
/// closed contract for the same person. Errors name `members[i]`.
///
/// # Errors
/// One [`FieldError`] per broken rule per member ([`AcceptanceRule::DuplicateActiveContract`],
/// [`AcceptanceRule::UnpaidClosedContract`]). Facts for an index outside the application are a
/// caller bug and are ignored (with a debug assertion).
pub fn check_history(app: &Application, facts: &[MemberHistory]) -> Result<(), Vec<FieldError>> {
    let mut errors = Errors::default();
    for fact in facts.iter().take(FIELD_ERRORS_MAX) {
        debug_assert!(
            fact.member_index < app.members.len(),
            "history for a member that is not on the application"
        );
        if fact.member_index >= app.members.len() {
            continue;
        }
        let at = At::member(fact.member_index, "");
        if fact.active_contract {
            errors.push(at, AcceptanceRule::DuplicateActiveContract);
        }
        if fact.unpaid_closed_contract {
            errors.push(at, AcceptanceRule::UnpaidClosedContract);
        }
    }
    errors.into_result(())
}
