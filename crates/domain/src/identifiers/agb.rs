//! The AGB code (Algemeen Gegevensbeheer) of a care provider, practice or location.

use std::fmt;
use std::str::FromStr;

use super::{all_digits, without_separators};

/// Number of digits in an AGB code: provider kind (2) + number (6).
pub const AGB_CODE_DIGITS: usize = 8;

/// An 8-digit AGB code (`REFERENCE.md`). There is no public check digit, so only the format is
/// checked. Not secret: AGB codes are published in the Vektis register.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgbCode(String);

impl AgbCode {
    /// Parses exactly eight digits (surrounding whitespace ignored).
    ///
    /// # Errors
    /// [`AgbError::Format`] for anything else.
    pub fn parse(text: &str) -> Result<AgbCode, AgbError> {
        let digits = without_separators(text, &[]).ok_or(AgbError::Format)?;
        if digits.len() != AGB_CODE_DIGITS || !all_digits(&digits) {
            return Err(AgbError::Format);
        }
        Ok(AgbCode(digits))
    }

    /// The eight digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first two digits: the kind of provider (`12` is used for dentists).
    #[must_use]
    pub fn kind(&self) -> &str {
        &self.0[..2]
    }
}

impl fmt::Display for AgbCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for AgbCode {
    type Err = AgbError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        AgbCode::parse(text)
    }
}

impl TryFrom<&str> for AgbCode {
    type Error = AgbError;

    fn try_from(text: &str) -> Result<Self, Self::Error> {
        AgbCode::parse(text)
    }
}

/// Why a text is not an AGB code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AgbError {
    /// Not exactly eight digits.
    #[error("AGB code must be exactly 8 digits")]
    Format,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_eight_digit_code_parses_and_shows_its_kind() {
        let agb = AgbCode::parse("12345678").expect("valid");
        assert_eq!(agb.as_str(), "12345678");
        assert_eq!(agb.kind(), "12");
        assert_eq!(agb.to_string(), "12345678");
        assert_eq!(
            " 12000001 ".parse::<AgbCode>().map(|a| a.to_string()),
            Ok("12000001".into())
        );
    }

    #[test]
    fn codes_that_are_not_eight_digits_are_rejected() {
        for text in [
            "",
            "1234567",
            "123456789",
            "1234567a",
            "1234 5678",
            "１２３４５６７８",
        ] {
            assert_eq!(AgbCode::parse(text), Err(AgbError::Format), "{text}");
        }
    }
}
