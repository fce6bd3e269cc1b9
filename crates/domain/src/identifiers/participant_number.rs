//! The participant number (deelnemernummer): a sequence number with a Damm check digit.

use std::fmt;
use std::str::FromStr;

use super::without_separators;

/// Largest sequence number: eight decimal digits.
pub const PARTICIPANT_SEQUENCE_MAX: u32 = 99_999_999;

/// Digits in a participant number: eight sequence digits and one check digit.
pub const PARTICIPANT_NUMBER_DIGITS: usize = 9;

/// The totally anti-symmetric quasigroup of order 10 used by the Damm algorithm (H. M. Damm,
/// 2004), with zeros on the diagonal. With it the check catches every single-digit error and
/// every transposition of two adjacent digits.
const DAMM_TABLE: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// The Damm interim digit after running `digits` (ASCII) through the quasigroup. It is the
/// check digit of a sequence, and 0 for a number whose check digit is right.
fn damm(digits: &[u8]) -> u8 {
    digits.iter().fold(0, |interim, digit| {
        DAMM_TABLE[usize::from(interim)][usize::from(digit - b'0')]
    })
}

/// A participant number: the 8-digit sequence (zero-padded) followed by a Damm check digit,
/// for example sequence 1 → `000000015`. Unique and never reused (the store hands out the
/// sequence); the check digit catches typing errors on forms and in declarations.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParticipantNumber(String);

impl ParticipantNumber {
    /// The participant number for a sequence number (1 to 99 999 999).
    ///
    /// # Errors
    /// [`ParticipantNumberError::SequenceOutOfRange`] for 0 or more than eight digits.
    pub fn from_sequence(seq: u32) -> Result<ParticipantNumber, ParticipantNumberError> {
        if seq == 0 || seq > PARTICIPANT_SEQUENCE_MAX {
            return Err(ParticipantNumberError::SequenceOutOfRange);
        }
        let sequence = format!("{seq:08}");
        let check = damm(sequence.as_bytes());
        Ok(ParticipantNumber(format!("{sequence}{check}")))
    }

    /// Parses nine digits; spaces and dots are ignored (`0000.0001.5`).
    ///
    /// # Errors
    /// [`ParticipantNumberError`]; a wrong check digit is the distinct
    /// [`ParticipantNumberError::CheckDigit`].
    pub fn parse(text: &str) -> Result<ParticipantNumber, ParticipantNumberError> {
        let digits = without_separators(text, &[' ', '.']).ok_or(ParticipantNumberError::Format)?;
        if digits.len() != PARTICIPANT_NUMBER_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(ParticipantNumberError::Format);
        }
        if damm(digits.as_bytes()) != 0 {
            return Err(ParticipantNumberError::CheckDigit);
        }
        if digits[..8].bytes().all(|b| b == b'0') {
            return Err(ParticipantNumberError::SequenceOutOfRange);
        }
        Ok(ParticipantNumber(digits))
    }

    /// The sequence number (the first eight digits).
    #[must_use]
    pub fn sequence(&self) -> u32 {
        self.0[..8]
            .parse()
            .expect("BUG: a participant number starts with eight digits")
    }

    /// The nine digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ParticipantNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ParticipantNumber {
    type Err = ParticipantNumberError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ParticipantNumber::parse(text)
    }
}

impl TryFrom<&str> for ParticipantNumber {
    type Error = ParticipantNumberError;

    fn try_from(text: &str) -> Result<Self, Self::Error> {
        ParticipantNumber::parse(text)
    }
}

/// Why a text or sequence is not a participant number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParticipantNumberError {
    /// Not nine digits (after removing spaces and dots).
    #[error("participant number must be 9 digits")]
    Format,
    /// The check digit does not match: most likely a typing error.
    #[error("participant number has a wrong check digit (typing error?)")]
    CheckDigit,
    /// The sequence is 0 or has more than eight digits.
    #[error("participant sequence must be between 1 and 99999999")]
    SequenceOutOfRange,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_check_digit_matches_the_published_damm_example() {
        // Damm's worked example: 572 gets check digit 4.
        assert_eq!(damm(b"572"), 4);
        assert_eq!(damm(b"5724"), 0);
    }

    #[test]
    #[expect(
        clippy::needless_range_loop,
        reason = "the indices are the quasigroup's elements, not positions"
    )]
    fn the_table_catches_every_single_digit_error_and_adjacent_transposition() {
        // Single-digit errors: every row and column is a permutation (a Latin square).
        for interim in 0..10 {
            for a in 0..10 {
                for b in 0..10 {
                    if a != b {
                        assert_ne!(DAMM_TABLE[interim][a], DAMM_TABLE[interim][b]);
                        assert_ne!(DAMM_TABLE[a][interim], DAMM_TABLE[b][interim]);
                    }
                }
            }
        }
        // Adjacent transpositions: (c*a)*b != (c*b)*a for every interim c and a != b.
        for c in 0..10 {
            for a in 0..10 {
                for b in 0..10 {
                    let ab = DAMM_TABLE[usize::from(DAMM_TABLE[c][a])][b];
                    let ba = DAMM_TABLE[usize::from(DAMM_TABLE[c][b])][a];
                    assert!(a == b || ab != ba, "c={c} a={a} b={b}");
                }
            }
        }
    }

    #[test]
    fn a_sequence_becomes_nine_digits_with_a_check_digit() {
        let number = ParticipantNumber::from_sequence(572).expect("in range");
        assert_eq!(number.as_str(), "000005724");
        assert_eq!(number.to_string(), "000005724");
        assert_eq!(number.sequence(), 572);
    }

    #[test]
    fn spaces_and_dots_are_ignored_when_parsing() {
        let number = ParticipantNumber::parse(" 0000.0572 4 ").expect("valid");
        assert_eq!(number.sequence(), 572);
    }

    #[test]
    fn a_wrong_check_digit_is_its_own_error() {
        assert_eq!(
            ParticipantNumber::parse("000005725"),
            Err(ParticipantNumberError::CheckDigit)
        );
    }

    #[test]
    fn sequences_outside_the_range_are_rejected() {
        assert_eq!(
            ParticipantNumber::from_sequence(0),
            Err(ParticipantNumberError::SequenceOutOfRange)
        );
        assert_eq!(
            ParticipantNumber::from_sequence(100_000_000),
            Err(ParticipantNumberError::SequenceOutOfRange)
        );
        assert_eq!(
            ParticipantNumber::parse("000000000"),
            Err(ParticipantNumberError::SequenceOutOfRange)
        );
        let largest = ParticipantNumber::from_sequence(PARTICIPANT_SEQUENCE_MAX).expect("in range");
        assert_eq!(largest.sequence(), PARTICIPANT_SEQUENCE_MAX);
    }

    #[test]
    fn malformed_text_is_rejected_as_a_format_error() {
        for text in [
            "",
            "00000572",
            "0000057240",
            "00000572a",
            "０００００５７２４",
        ] {
            assert_eq!(
                ParticipantNumber::parse(text),
                Err(ParticipantNumberError::Format),
                "{text}"
            );
        }
    }

    proptest! {
        #[test]
        fn every_number_parses_back_to_its_sequence(seq in 1..=PARTICIPANT_SEQUENCE_MAX) {
            let number = ParticipantNumber::from_sequence(seq).expect("in range");
            let parsed = ParticipantNumber::parse(number.as_str()).expect("own output parses");
            prop_assert_eq!(parsed.sequence(), seq);
            prop_assert_eq!(parsed, number);
        }

        #[test]
        fn every_single_digit_substitution_is_rejected(seq in 1..=PARTICIPANT_SEQUENCE_MAX) {
            let number = ParticipantNumber::from_sequence(seq).expect("in range");
            for position in 0..PARTICIPANT_NUMBER_DIGITS {
                for replacement in b'0'..=b'9' {
                    let mut changed = number.as_str().as_bytes().to_vec();
                    if changed[position] == replacement {
                        continue;
                    }
                    changed[position] = replacement;
                    let changed = String::from_utf8(changed).expect("ascii");
                    prop_assert_eq!(
                        ParticipantNumber::parse(&changed),
                        Err(ParticipantNumberError::CheckDigit),
                        "position {} replacement {}", position, char::from(replacement)
                    );
                }
            }
        }

        #[test]
        fn every_adjacent_transposition_is_rejected(seq in 1..=PARTICIPANT_SEQUENCE_MAX) {
            let number = ParticipantNumber::from_sequence(seq).expect("in range");
            for position in 0..PARTICIPANT_NUMBER_DIGITS - 1 {
                let mut swapped = number.as_str().as_bytes().to_vec();
                if swapped[position] == swapped[position + 1] {
                    continue;
                }
                swapped.swap(position, position + 1);
                let swapped = String::from_utf8(swapped).expect("ascii");
                prop_assert_eq!(
                    ParticipantNumber::parse(&swapped),
                    Err(ParticipantNumberError::CheckDigit),
                    "position {}", position
                );
            }
        }

        #[test]
        fn arbitrary_text_never_panics_the_participant_number_parser(text in ".{0,80}") {
            let _ = ParticipantNumber::parse(&text);
        }
    }
}
