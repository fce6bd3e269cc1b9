//! The SEPA creditor identifier (incassant-ID) under which direct debits are collected.

use std::fmt;
use std::str::FromStr;

use super::{all_digits, iban::sepa_iban_length, mod97, without_separators};

/// Longest creditor identifier: country (2) + check (2) + business code (3) + national id (28).
pub const CREDITOR_ID_CHARS_MAX: usize = 35;

/// Longest national identifier inside a creditor identifier.
pub const NATIONAL_ID_CHARS_MAX: usize = 28;

/// Length of a Dutch national identifier: `KvK` number (8 digits) + a 4-digit suffix.
pub const NL_NATIONAL_ID_DIGITS: usize = 12;

/// A SEPA creditor identifier such as `NL38ZZZ000012345678`: country, two check digits, a
/// 3-character business code (ignored by the check, usually `ZZZ`) and a national identifier.
///
/// The check digits follow ISO 7064 mod 97-10 over the national identifier followed by the
/// country code and the check digits, letters converted A=10 … Z=35 (`REFERENCE.md`). Not
/// personal data: it identifies the operator.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditorId(String);

impl CreditorId {
    /// Parses a creditor identifier; spaces are removed and letters upper-cased.
    ///
    /// # Errors
    /// [`CreditorIdError`] naming the rule that failed.
    pub fn parse(text: &str) -> Result<CreditorId, CreditorIdError> {
        let compact = without_separators(text, &[' '])
            .ok_or(CreditorIdError::Length)?
            .to_ascii_uppercase();
        if !compact.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(CreditorIdError::InvalidCharacter);
        }
        if compact.len() < 8 || compact.len() > CREDITOR_ID_CHARS_MAX {
            return Err(CreditorIdError::Length);
        }
        let (country, check_digits) = (&compact[..2], &compact[2..4]);
        let national_id = &compact[7..];
        check_country_and_national_id(country, national_id)?;
        if !all_digits(check_digits) {
            return Err(CreditorIdError::CheckDigits);
        }
        let checked = national_id
            .bytes()
            .chain(country.bytes())
            .chain(check_digits.bytes());
        if mod97(checked) != Some(1) {
            return Err(CreditorIdError::CheckDigits);
        }
        Ok(CreditorId(compact))
    }

    /// Builds a creditor identifier from its parts, computing the check digits:
    /// `from_parts("NL", "ZZZ", "000012345678")` gives `NL38ZZZ000012345678`.
    ///
    /// # Errors
    /// [`CreditorIdError`] when a part has the wrong format.
    pub fn from_parts(
        country: &str,
        business_code: &str,
        national_id: &str,
    ) -> Result<CreditorId, CreditorIdError> {
        let country = country.to_ascii_uppercase();
        let national_id = national_id.to_ascii_uppercase();
        if business_code.len() != 3 || !business_code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(CreditorIdError::BusinessCode);
        }
        check_country_and_national_id(&country, &national_id)?;
        let remainder = mod97(national_id.bytes().chain(country.bytes()).chain(*b"00"))
            .ok_or(CreditorIdError::InvalidCharacter)?;
        CreditorId::parse(&format!(
            "{country}{:02}{business_code}{national_id}",
            98 - remainder
        ))
    }

    /// The identifier in compact upper-case form.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The two-letter country code.
    #[must_use]
    pub fn country(&self) -> &str {
        &self.0[..2]
    }

    /// The national identifier (for NL: `KvK` number and suffix).
    #[must_use]
    pub fn national_id(&self) -> &str {
        &self.0[7..]
    }
}

/// The country must be a SEPA country and the national id 1-28 alphanumerics (NL: 12 digits).
fn check_country_and_national_id(country: &str, national_id: &str) -> Result<(), CreditorIdError> {
    let letters = country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase());
    if !letters || sepa_iban_length(country).is_none() {
        return Err(CreditorIdError::Country);
    }
    let plausible = !national_id.is_empty()
        && national_id.len() <= NATIONAL_ID_CHARS_MAX
        && national_id.bytes().all(|b| b.is_ascii_alphanumeric());
    let dutch_ok =
        country != "NL" || (national_id.len() == NL_NATIONAL_ID_DIGITS && all_digits(national_id));
    if plausible && dutch_ok {
        Ok(())
    } else {
        Err(CreditorIdError::NationalId)
    }
}

impl fmt::Display for CreditorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CreditorId {
    type Err = CreditorIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        CreditorId::parse(text)
    }
}

impl TryFrom<&str> for CreditorId {
    type Error = CreditorIdError;

    fn try_from(text: &str) -> Result<Self, Self::Error> {
        CreditorId::parse(text)
    }
}

/// Why a text is not a SEPA creditor identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CreditorIdError {
    /// A character other than a letter, digit or space.
    #[error("creditor identifier may contain only letters, digits and spaces")]
    InvalidCharacter,
    /// Shorter than 8 or longer than 35 characters.
    #[error("creditor identifier has the wrong length")]
    Length,
    /// The country code is not a SEPA country.
    #[error("creditor identifier country is not a SEPA country")]
    Country,
    /// The business code is not three letters or digits.
    #[error("creditor business code must be 3 letters or digits")]
    BusinessCode,
    /// The national identifier has the wrong format (NL: 12 digits).
    #[error("creditor national identifier has the wrong format for its country")]
    NationalId,
    /// The mod 97-10 check failed.
    #[error("creditor identifier fails the mod-97 check")]
    CheckDigits,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_german_test_creditor_id_is_valid() {
        let id = CreditorId::parse("DE98ZZZ09999999999").expect("published test id");
        assert_eq!(id.country(), "DE");
        assert_eq!(id.national_id(), "09999999999");
    }

    #[test]
    fn a_dutch_creditor_id_is_built_with_its_check_digits() {
        let id = CreditorId::from_parts("NL", "ZZZ", "000012345678").expect("valid parts");
        assert_eq!(id.as_str(), "NL38ZZZ000012345678");
        assert_eq!(id.to_string().len(), 19);
        assert_eq!(CreditorId::parse("nl38 zzz 000012345678"), Ok(id));
    }

    #[test]
    fn the_business_code_does_not_take_part_in_the_check() {
        assert!(CreditorId::parse("NL38ABC000012345678").is_ok());
    }

    #[test]
    fn a_wrong_check_digit_is_rejected() {
        assert_eq!(
            CreditorId::parse("NL39ZZZ000012345678"),
            Err(CreditorIdError::CheckDigits)
        );
        assert_eq!(
            CreditorId::parse("NL38ZZZ000012345679"),
            Err(CreditorIdError::CheckDigits)
        );
    }

    #[test]
    fn malformed_creditor_ids_are_rejected_with_a_reason() {
        assert_eq!(CreditorId::parse("NL38ZZZ"), Err(CreditorIdError::Length));
        assert_eq!(
            CreditorId::parse("US38ZZZ000012345678"),
            Err(CreditorIdError::Country)
        );
        assert_eq!(
            CreditorId::parse("NL38ZZZ00001234567"),
            Err(CreditorIdError::NationalId)
        );
        assert_eq!(
            CreditorId::parse("NL38ZZZ-00012345678"),
            Err(CreditorIdError::InvalidCharacter)
        );
        assert_eq!(
            CreditorId::from_parts("NL", "Z-Z", "000012345678"),
            Err(CreditorIdError::BusinessCode)
        );
    }

    proptest! {
        #[test]
        fn every_built_dutch_creditor_id_parses_back(national_id in "[0-9]{12}") {
            let id = CreditorId::from_parts("NL", "ZZZ", &national_id).expect("valid parts");
            prop_assert_eq!(CreditorId::parse(id.as_str()), Ok(id.clone()));
            prop_assert_eq!(id.national_id(), national_id.as_str());
        }

        #[test]
        fn arbitrary_text_never_panics_the_creditor_id_parser(text in ".{0,80}") {
            let _ = CreditorId::parse(&text);
        }
    }
}
