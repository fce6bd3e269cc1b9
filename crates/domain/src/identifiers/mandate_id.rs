//! The SEPA mandate identifier (machtigingskenmerk) of a direct-debit mandate.

use std::fmt;
use std::str::FromStr;

use super::ParticipantNumber;

/// Longest mandate identifier allowed by SEPA (`MndtId`, `REFERENCE.md`).
pub const MANDATE_ID_CHARS_MAX: usize = 35;

/// The prefix of the mandate ids we issue.
pub const MANDATE_ID_PREFIX: &str = "IXM";

/// A mandate identifier: 1 to 35 characters from the SEPA set `A-Z a-z 0-9 / - ? : ( ) . , ' +`
/// (no spaces), not starting with `/` and without `//`, as the EPC rulebook requires.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MandateId(String);

impl MandateId {
    /// Parses a mandate identifier exactly as given (no trimming: a mandate id is matched
    /// byte for byte against bank files).
    ///
    /// # Errors
    /// [`MandateIdError`] naming the rule that failed.
    pub fn parse(text: &str) -> Result<MandateId, MandateIdError> {
        if text.is_empty() || text.len() > MANDATE_ID_CHARS_MAX {
            return Err(MandateIdError::Length);
        }
        if !text.bytes().all(is_sepa_id_byte) {
            return Err(MandateIdError::InvalidCharacter);
        }
        if text.starts_with('/') || text.contains("//") {
            return Err(MandateIdError::Slash);
        }
        Ok(MandateId(text.to_owned()))
    }

    /// Our mandate id of a contract: `IXM` and the main participant's number (the mandate is
    /// signed once, by the main participant, for the whole household).
    #[must_use]
    pub fn of_main_participant(main: &ParticipantNumber) -> MandateId {
        MandateId(format!("{MANDATE_ID_PREFIX}{}", main.as_str()))
    }

    /// The identifier.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A byte of the SEPA identifier character set (the Latin subset without the space).
fn is_sepa_id_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"/-?:().,'+".contains(&byte)
}

impl fmt::Display for MandateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for MandateId {
    type Err = MandateIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        MandateId::parse(text)
    }
}

impl TryFrom<&str> for MandateId {
    type Error = MandateIdError;

    fn try_from(text: &str) -> Result<Self, Self::Error> {
        MandateId::parse(text)
    }
}

/// Why a text is not a SEPA mandate identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MandateIdError {
    /// Empty or longer than 35 characters.
    #[error("mandate id must be 1 to 35 characters")]
    Length,
    /// A character outside the SEPA set (spaces included).
    #[error("mandate id may contain only A-Z a-z 0-9 / - ? : ( ) . , ' +")]
    InvalidCharacter,
    /// Starts with `/` or contains `//`.
    #[error("mandate id may not start with / or contain //")]
    Slash,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn our_mandate_id_is_ixm_and_the_main_participants_number_and_valid() {
        let number = ParticipantNumber::parse("000000013").expect("a valid number");
        let id = MandateId::of_main_participant(&number);
        assert_eq!(id.as_str(), "IXM000000013");
        assert_eq!(MandateId::parse(id.as_str()), Ok(id));
    }

    #[test]
    fn identifiers_from_the_sepa_set_are_accepted() {
        for text in [
            "IXORG-000000017",
            "a",
            "A/B-C?D:(E).F,G'H+I",
            &"9".repeat(35),
        ] {
            let mandate = MandateId::parse(text).expect("valid");
            assert_eq!(mandate.as_str(), text);
        }
    }

    #[test]
    fn malformed_identifiers_are_rejected_with_a_reason() {
        assert_eq!(MandateId::parse(""), Err(MandateIdError::Length));
        assert_eq!(
            MandateId::parse(&"9".repeat(36)),
            Err(MandateIdError::Length)
        );
        assert_eq!(
            MandateId::parse("IX 1"),
            Err(MandateIdError::InvalidCharacter)
        );
        assert_eq!(
            MandateId::parse("IX_1"),
            Err(MandateIdError::InvalidCharacter)
        );
        assert_eq!(MandateId::parse("é"), Err(MandateIdError::InvalidCharacter));
        assert_eq!(MandateId::parse("/IX1"), Err(MandateIdError::Slash));
        assert_eq!(MandateId::parse("IX//1"), Err(MandateIdError::Slash));
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics_the_mandate_id_parser(text in ".{0,40}") {
            let _ = MandateId::parse(&text);
        }
    }
}
