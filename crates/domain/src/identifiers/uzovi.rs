//! The UZOVI number of a health insurer.

use std::fmt;
use std::str::FromStr;

use super::{all_digits, without_separators};

/// Number of digits in a UZOVI number.
pub const UZOVI_DIGITS: usize = 4;

/// A 4-digit UZOVI number identifying an insurer (`REFERENCE.md`). Format only; no check digit.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uzovi(String);

impl Uzovi {
    /// Parses exactly four digits (surrounding whitespace ignored).
    ///
    /// # Errors
    /// [`UzoviError::Format`] for anything else.
    pub fn parse(text: &str) -> Result<Uzovi, UzoviError> {
        let digits = without_separators(text, &[]).ok_or(UzoviError::Format)?;
        if digits.len() != UZOVI_DIGITS || !all_digits(&digits) {
            return Err(UzoviError::Format);
        }
        Ok(Uzovi(digits))
    }

    /// The four digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Uzovi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Uzovi {
    type Err = UzoviError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Uzovi::parse(text)
    }
}

impl TryFrom<&str> for Uzovi {
    type Error = UzoviError;

    fn try_from(text: &str) -> Result<Self, Self::Error> {
        Uzovi::parse(text)
    }
}

/// Why a text is not a UZOVI number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UzoviError {
    /// Not exactly four digits.
    #[error("UZOVI number must be exactly 4 digits")]
    Format,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_four_digit_number_parses() {
        let uzovi = Uzovi::parse("3311").expect("valid");
        assert_eq!(uzovi.as_str(), "3311");
        assert_eq!(uzovi.to_string(), "3311");
    }

    #[test]
    fn numbers_that_are_not_four_digits_are_rejected() {
        for text in ["", "331", "33111", "33a1"] {
            assert_eq!(Uzovi::parse(text), Err(UzoviError::Format), "{text}");
        }
    }
}
