//! The BSN (burgerservicenummer), the Dutch citizen service number: personal data.

use std::fmt;
use std::str::FromStr;

use super::without_separators;

/// Weights of the 11-proef, digit by digit (`REFERENCE.md`): 9, 8, …, 2 and -1 for the last.
const ELEVEN_CHECK_WEIGHTS: [i32; 9] = [9, 8, 7, 6, 5, 4, 3, 2, -1];

/// A citizen service number that passed the 11-proef.
///
/// Personal data: `Debug` prints `Bsn(***)`, there is no `Display`, and the digits come out
/// only through [`Bsn::expose`] (for encryption) or [`Bsn::masked`] (for screens).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bsn(String);

impl Bsn {
    /// Parses a BSN: 9 digits, or 8 digits that are left-padded with a zero. Dots and spaces
    /// are ignored, so `1112.22.333` is accepted.
    ///
    /// # Errors
    /// [`BsnError`] when the input is not 8 or 9 digits, is all zeros, or fails the 11-proef.
    pub fn parse(text: &str) -> Result<Bsn, BsnError> {
        let digits = without_separators(text, &['.', ' ']).ok_or(BsnError::Length)?;
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BsnError::NonDigit);
        }
        let digits = match digits.len() {
            9 => digits,
            8 => format!("0{digits}"),
            _ => return Err(BsnError::Length),
        };
        if digits.bytes().all(|b| b == b'0') {
            return Err(BsnError::AllZero);
        }
        if eleven_check_sum(digits.as_bytes()) % 11 != 0 {
            return Err(BsnError::ElevenCheck);
        }
        Ok(Bsn(digits))
    }

    /// The nine digits, for the encryption and blind-index calls only. Never log them.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Five stars and the last four digits, `*****6789`, for screens and letters.
    #[must_use]
    pub fn masked(&self) -> String {
        format!("*****{}", &self.0[5..])
    }
}

/// The weighted digit sum of the 11-proef over nine ASCII digits.
fn eleven_check_sum(digits: &[u8]) -> i32 {
    digits
        .iter()
        .zip(ELEVEN_CHECK_WEIGHTS)
        .map(|(digit, weight)| i32::from(digit - b'0') * weight)
        .sum()
}

impl fmt::Debug for Bsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Bsn(***)")
    }
}

impl FromStr for Bsn {
    type Err = BsnError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Bsn::parse(text)
    }
}

impl TryFrom<&str> for Bsn {
    type Error = BsnError;

    fn try_from(text: &str) -> Result<Self, Self::Error> {
        Bsn::parse(text)
    }
}

/// Why a text is not a BSN. The messages never repeat the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BsnError {
    /// Not 8 or 9 digits (after removing dots and spaces).
    #[error("BSN must have 9 digits")]
    Length,
    /// A character other than a digit, dot or space.
    #[error("BSN may contain only digits")]
    NonDigit,
    /// All digits are zero.
    #[error("BSN cannot be all zeros")]
    AllZero,
    /// The weighted digit sum is not divisible by 11.
    #[error("BSN fails the 11-proef")]
    ElevenCheck,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_published_test_numbers_are_valid() {
        for number in ["111222333", "999996708", "288902294", "191217992"] {
            let bsn = Bsn::parse(number).expect("published test BSN");
            assert_eq!(bsn.expose(), number);
        }
    }

    #[test]
    fn a_bsn_that_fails_the_eleven_check_is_rejected() {
        assert_eq!(Bsn::parse("111222334"), Err(BsnError::ElevenCheck));
        assert_eq!(Bsn::parse("123456789"), Err(BsnError::ElevenCheck));
    }

    #[test]
    fn an_eight_digit_bsn_is_left_padded_with_a_zero() {
        // 0 + 12345672: 1×8 + 2×7 + 3×6 + 4×5 + 5×4 + 6×3 + 7×2 - 2 = 110, divisible by 11.
        let bsn = Bsn::parse("12345672").expect("valid after padding");
        assert_eq!(bsn.expose(), "012345672");
    }

    #[test]
    fn dots_and_spaces_are_ignored() {
        let bsn = Bsn::parse(" 1112.22.333 ").expect("valid");
        assert_eq!(bsn.expose(), "111222333");
        assert_eq!("1112 22 333".parse::<Bsn>(), Ok(bsn));
    }

    #[test]
    fn wrong_lengths_letters_and_zeros_are_rejected() {
        assert_eq!(Bsn::parse("1234567"), Err(BsnError::Length));
        assert_eq!(Bsn::parse("1112223330"), Err(BsnError::Length));
        assert_eq!(Bsn::parse(""), Err(BsnError::Length));
        assert_eq!(Bsn::parse("11122233a"), Err(BsnError::NonDigit));
        assert_eq!(Bsn::parse("000000000"), Err(BsnError::AllZero));
        assert_eq!(Bsn::parse(&"1".repeat(100)), Err(BsnError::Length));
    }

    #[test]
    fn debug_and_errors_never_show_the_digits() {
        let bsn = Bsn::parse("111222333").expect("valid");
        assert_eq!(format!("{bsn:?}"), "Bsn(***)");
        let error = Bsn::parse("111222334").expect_err("fails the check");
        assert!(!error.to_string().contains("111222334"));
        assert!(!format!("{error:?}").contains("111222334"));
    }

    #[test]
    fn the_masked_form_shows_only_the_last_four_digits() {
        let bsn = Bsn::parse("999996708").expect("valid");
        assert_eq!(bsn.masked(), "*****6708");
    }

    /// A valid BSN: eight random digits and the last digit that makes the sum divisible by 11
    /// (skipping prefixes that would need a "10").
    fn arb_bsn() -> impl Strategy<Value = String> {
        proptest::collection::vec(0_u8..10, 8).prop_filter_map("needs a last digit of 10", |d| {
            let sum: i32 = d
                .iter()
                .zip(ELEVEN_CHECK_WEIGHTS)
                .map(|(digit, weight)| i32::from(*digit) * weight)
                .sum();
            let last = u8::try_from(sum % 11).expect("0..=10");
            let all_zero = last == 0 && d.iter().all(|digit| *digit == 0);
            (last < 10 && !all_zero).then(|| {
                d.iter()
                    .chain(std::iter::once(&last))
                    .map(|digit| char::from(b'0' + digit))
                    .collect()
            })
        })
    }

    proptest! {
        #[test]
        fn every_generated_valid_bsn_parses(number in arb_bsn()) {
            let bsn = Bsn::parse(&number).expect("generated valid BSN");
            prop_assert_eq!(bsn.expose(), number.as_str());
        }

        /// Every weight is non-zero modulo 11 and a digit changes by at most 9, so the weighted
        /// sum changes by a non-multiple of 11: the 11-proef catches every single-digit error.
        #[test]
        fn changing_any_one_digit_of_a_valid_bsn_makes_it_invalid(number in arb_bsn()) {
            for position in 0..9 {
                for replacement in b'0'..=b'9' {
                    let mut changed = number.clone().into_bytes();
                    if changed[position] == replacement {
                        continue;
                    }
                    changed[position] = replacement;
                    let changed = String::from_utf8(changed).expect("ascii");
                    prop_assert!(Bsn::parse(&changed).is_err(), "position {}", position);
                }
            }
        }

        #[test]
        fn arbitrary_text_never_panics_the_bsn_parser(text in ".{0,80}") {
            let _ = Bsn::parse(&text);
        }
    }
}
