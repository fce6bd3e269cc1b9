//! A member's field corrected after enrollment, checked by the rules of the application form.

use std::fmt;

use time::Date;

use super::checks::{
    longer_than, parse_bsn, parse_date, parse_gender, parse_house_number, parse_iban, parse_phone,
    parse_postcode,
};
use super::form::EmailAddress;
use super::rules::{
    ACCOUNT_HOLDER_CHARS_MAX, AcceptanceRule, CITY_CHARS_MAX, HOUSE_NUMBER_ADDITION_CHARS_MAX,
    INITIALS_CHARS_MAX, NAME_CHARS_MAX, STREET_CHARS_MAX, SURNAME_PREFIX_CHARS_MAX,
};
use crate::identifiers::{Bsn, Iban};
use crate::privacy::request::{CheckedField, ContactField};

/// A member's field as corrected after enrollment (self-service or a rectification request),
/// checked by the same rules as on the application form. `Debug` shows the kind only.
#[derive(Clone, PartialEq, Eq)]
pub enum Corrected {
    /// Text, trimmed (a postcode and a gender in their one written form); `None` removes an
    /// optional field.
    Text(Option<String>),
    /// A house number.
    Number(u32),
    /// A date of birth.
    Date(Date),
    /// A BSN.
    Bsn(Bsn),
    /// An IBAN.
    Iban(Iban),
}

impl fmt::Debug for Corrected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Corrected::Text(_) => "Text(..)",
            Corrected::Number(_) => "Number(..)",
            Corrected::Date(_) => "Date(..)",
            Corrected::Bsn(_) => "Bsn(..)",
            Corrected::Iban(_) => "Iban(..)",
        })
    }
}

/// Free text by the form's rule: trimmed, at most `chars_max` characters, no control characters;
/// empty is [`AcceptanceRule::Required`] when `required`, else `""`.
pub fn free_text(raw: &str, chars_max: usize, required: bool) -> Result<String, AcceptanceRule> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return if required {
            Err(AcceptanceRule::Required)
        } else {
            Ok(String::new())
        };
    }
    if longer_than(trimmed, chars_max) {
        return Err(AcceptanceRule::TooLong);
    }
    if trimmed.chars().any(char::is_control) {
        return Err(AcceptanceRule::InvalidCharacter);
    }
    Ok(trimmed.to_owned())
}

/// A contact field corrected by the participant. An empty e-mail address or phone number
/// removes it; the other fields are required, as on the form.
pub fn check_contact_correction(
    field: ContactField,
    raw: &str,
) -> Result<Corrected, AcceptanceRule> {
    let text = |max, required| free_text(raw, max, required).map(|t| Corrected::Text(Some(t)));
    let optional = |parse: fn(&str) -> Result<String, AcceptanceRule>| match raw.trim() {
        "" => Ok(Corrected::Text(None)),
        given => parse(given).map(|t| Corrected::Text(Some(t))),
    };
    match field {
        ContactField::Street => text(STREET_CHARS_MAX, true),
        ContactField::City => text(CITY_CHARS_MAX, true),
        ContactField::HouseNumberAddition => text(HOUSE_NUMBER_ADDITION_CHARS_MAX, false),
        ContactField::HouseNumber => parse_house_number(raw.trim()).map(Corrected::Number),
        ContactField::Postcode => {
            parse_postcode(raw.trim()).map(|p| Corrected::Text(Some(p.as_str().to_owned())))
        }
        ContactField::Email => optional(|t| EmailAddress::parse(t).map(|e| e.expose().to_owned())),
        ContactField::Phone => optional(parse_phone),
    }
}

/// A field that staff check before it changes, as proposed in a rectification request: names
/// (each required on its own here), a date of birth not in the future, a gender, a BSN or an
/// IBAN (its account holder: [`check_account_holder`]).
pub fn check_checked_correction(
    field: CheckedField,
    raw: &str,
    today: Date,
) -> Result<Corrected, AcceptanceRule> {
    let text = |max, required| free_text(raw, max, required).map(|t| Corrected::Text(Some(t)));
    let given = raw.trim();
    match field {
        CheckedField::FirstNames | CheckedField::Surname => text(NAME_CHARS_MAX, true),
        CheckedField::Initials => text(INITIALS_CHARS_MAX, true),
        CheckedField::SurnamePrefix => text(SURNAME_PREFIX_CHARS_MAX, false),
        CheckedField::DateOfBirth => match parse_date(given)? {
            born if born > today => Err(AcceptanceRule::DateOfBirthInFuture),
            born => Ok(Corrected::Date(born)),
        },
        CheckedField::Gender => {
            parse_gender(given).map(|g| Corrected::Text(Some(g.as_str().to_owned())))
        }
        CheckedField::Bsn => parse_bsn(given).map(Corrected::Bsn),
        CheckedField::Iban => parse_iban(given).map(Corrected::Iban),
    }
}

/// The account holder's name of a new IBAN, by the form's rule (the SEPA name limit).
pub fn check_account_holder(raw: &str) -> Result<String, AcceptanceRule> {
    free_text(raw, ACCOUNT_HOLDER_CHARS_MAX, true)
}
