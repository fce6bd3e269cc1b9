//! The Dutch postcode: contact data.

use std::fmt;
use std::str::FromStr;

use super::without_separators;

/// Letter pairs that are never issued (`REFERENCE.md`): SA, SD and SS.
const UNUSED_LETTER_PAIRS: [&str; 3] = ["SA", "SD", "SS"];

/// A Dutch postcode in the canonical form `1234 AB`.
///
/// Contact data: `Display` gives the canonical form for screens and letters, but `Debug` is
/// redacted (`Postcode(****)`) so a postcode never lands in a log through `{:?}`. Aggregated
/// reports use [`Postcode::digits`] (the area), not the full code.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Postcode(String);

impl Postcode {
    /// Parses `1234AB`, `1234 AB` or lower-case letters: four digits with the first 1-9, then
    /// two letters that are not SA, SD or SS.
    ///
    /// # Errors
    /// [`PostcodeError`] naming the rule that failed.
    pub fn parse(text: &str) -> Result<Postcode, PostcodeError> {
        let compact = without_separators(text, &[' '])
            .ok_or(PostcodeError::Format)?
            .to_ascii_uppercase();
        let bytes = compact.as_bytes();
        let well_formed = bytes.len() == 6
            && bytes[..4].iter().all(u8::is_ascii_digit)
            && bytes[4..].iter().all(u8::is_ascii_uppercase);
        if !well_formed {
            return Err(PostcodeError::Format);
        }
        if bytes[0] == b'0' {
            return Err(PostcodeError::LeadingZero);
        }
        let (digits, letters) = compact.split_at(4);
        if UNUSED_LETTER_PAIRS.contains(&letters) {
            return Err(PostcodeError::UnusedLetters);
        }
        Ok(Postcode(format!("{digits} {letters}")))
    }

    /// The canonical form `1234 AB`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The four digits (`1234`), the area used for regional reports.
    #[must_use]
    pub fn digits(&self) -> &str {
        &self.0[..4]
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Postcode(****)")
    }
}

impl FromStr for Postcode {
    type Err = PostcodeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Postcode::parse(text)
    }
}

impl TryFrom<&str> for Postcode {
    type Error = PostcodeError;

    fn try_from(text: &str) -> Result<Self, Self::Error> {
        Postcode::parse(text)
    }
}

/// Why a text is not a Dutch postcode. The messages never repeat the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeError {
    /// Not four digits followed by two letters.
    #[error("postcode must be four digits and two letters, like 1234 AB")]
    Format,
    /// The first digit is 0.
    #[error("postcode cannot start with 0")]
    LeadingZero,
    /// The letters are SA, SD or SS, which are never issued.
    #[error("postcode letters SA, SD and SS are not used")]
    UnusedLetters,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaced_unspaced_and_lower_case_forms_are_normalised() {
        for text in ["1234AB", "1234 AB", "1234ab", "1234 ab", " 1234  aB "] {
            let postcode = Postcode::parse(text).expect("valid");
            assert_eq!(postcode.to_string(), "1234 AB", "{text}");
        }
    }

    #[test]
    fn the_digits_are_the_area() {
        let postcode = Postcode::parse("9711 LM").expect("valid");
        assert_eq!(postcode.digits(), "9711");
        assert_eq!(postcode.as_str(), "9711 LM");
    }

    #[test]
    fn malformed_postcodes_are_rejected_with_a_reason() {
        assert_eq!(Postcode::parse("0123 AB"), Err(PostcodeError::LeadingZero));
        assert_eq!(
            Postcode::parse("1234 SS"),
            Err(PostcodeError::UnusedLetters)
        );
        assert_eq!(
            Postcode::parse("1234 sa"),
            Err(PostcodeError::UnusedLetters)
        );
        assert_eq!(
            Postcode::parse("1234 SD"),
            Err(PostcodeError::UnusedLetters)
        );
        for text in [
            "", "123 AB", "12345 AB", "1234 A", "1234 ABC", "AB 1234", "1234-AB", "1234 ÄB",
        ] {
            assert_eq!(Postcode::parse(text), Err(PostcodeError::Format), "{text}");
        }
    }

    #[test]
    fn debug_does_not_show_the_postcode() {
        let postcode = Postcode::parse("1234 AB").expect("valid");
        assert_eq!(format!("{postcode:?}"), "Postcode(****)");
    }
}
