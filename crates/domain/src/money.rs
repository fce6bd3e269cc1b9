//! Money as whole euro cents, with checked arithmetic and written-out rounding.
//!
//! Every amount in the platform is a [`Cents`]: an `i64` count of euro cents. There are no
//! floats anywhere near money (`clippy.toml` bans `f64` money). Arithmetic is checked, so an
//! overflow is an error the caller must handle, never a silent wrap. Rounding happens in exactly
//! two documented places: [`monthly_saving`] and [`round_half_away_from_zero`].

use std::fmt;
use std::str::FromStr;

/// Number of months in a year; the divisor of every annual-to-monthly rule.
pub const MONTHS_PER_YEAR: i64 = 12;

/// Longest amount text [`parse_eur`] looks at; longer input is rejected before any work.
///
/// `i64::MIN` cents is `-92233720368547758.08`, 21 characters, so 32 leaves room for
/// surrounding whitespace without allowing unbounded input.
pub const EUR_TEXT_CHARS_MAX: usize = 32;

/// An amount of money in euro cents (may be negative, for example a budget in the red).
///
/// The field is private: build one with [`Cents::new`] or parse one with [`parse_eur`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Cents(i64);

impl Cents {
    /// Zero euro.
    pub const ZERO: Cents = Cents(0);

    /// An amount of `cents` euro cents.
    #[must_use]
    pub const fn new(cents: i64) -> Cents {
        Cents(cents)
    }

    /// The amount as a count of cents.
    #[must_use]
    pub const fn get(self) -> i64 {
        self.0
    }

    /// `self + other`, or `None` on overflow.
    #[must_use]
    pub const fn checked_add(self, other: Cents) -> Option<Cents> {
        match self.0.checked_add(other.0) {
            Some(sum) => Some(Cents(sum)),
            None => None,
        }
    }

    /// `self - other`, or `None` on overflow.
    #[must_use]
    pub const fn checked_sub(self, other: Cents) -> Option<Cents> {
        match self.0.checked_sub(other.0) {
            Some(difference) => Some(Cents(difference)),
            None => None,
        }
    }

    /// `-self`, or `None` for `i64::MIN` cents.
    #[must_use]
    pub const fn checked_neg(self) -> Option<Cents> {
        match self.0.checked_neg() {
            Some(negated) => Some(Cents(negated)),
            None => None,
        }
    }

    /// `|self|`, or `None` for `i64::MIN` cents.
    #[must_use]
    pub const fn checked_abs(self) -> Option<Cents> {
        match self.0.checked_abs() {
            Some(abs) => Some(Cents(abs)),
            None => None,
        }
    }

    /// `self × factor` (for example a unit tariff times a number of treatments), or `None` on
    /// overflow.
    #[must_use]
    pub const fn checked_mul(self, factor: i64) -> Option<Cents> {
        match self.0.checked_mul(factor) {
            Some(product) => Some(Cents(product)),
            None => None,
        }
    }

    /// The absolute amount, or `None` for `i64::MIN` cents.
    #[must_use]
    pub const fn abs(self) -> Option<Cents> {
        match self.0.checked_abs() {
            Some(absolute) => Some(Cents(absolute)),
            None => None,
        }
    }

    /// True when the amount is below zero.
    #[must_use]
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// True when the amount is above zero.
    #[must_use]
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// True when the amount is exactly zero.
    #[must_use]
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The amount as `12.34` / `-0.05`: the same text as [`Display`](fmt::Display).
    #[must_use]
    pub fn to_eur_string(self) -> String {
        self.to_string()
    }

    /// Parses euro text; see [`parse_eur`].
    ///
    /// # Errors
    /// See [`parse_eur`].
    pub fn parse_eur(text: &str) -> Result<Cents, MoneyError> {
        parse_eur(text)
    }

    /// The monthly saving amount for an annual budget; see [`monthly_saving`].
    #[must_use]
    pub fn monthly_saving(annual: Cents) -> Cents {
        monthly_saving(annual)
    }

    /// Twelve monthly parts that sum exactly to `annual`; see [`split_monthly`].
    #[must_use]
    pub fn split_monthly(annual: Cents) -> [Cents; 12] {
        split_monthly(annual)
    }
}

impl fmt::Debug for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cents({})", self.0)
    }
}

/// Euro with a dot decimal and exactly two fraction digits, no thousands separator:
/// `12.34`, `-0.05`, `1234567.00`.
impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `unsigned_abs` so that `i64::MIN` cents is printed instead of overflowing.
        let magnitude = self.0.unsigned_abs();
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}{}.{:02}", magnitude / 100, magnitude % 100)
    }
}

impl FromStr for Cents {
    type Err = MoneyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_eur(text)
    }
}

/// Why a text is not a euro amount. The messages repeat no input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Nothing (or only whitespace) was given.
    #[error("amount is empty")]
    Empty,
    /// The text is longer than [`EUR_TEXT_CHARS_MAX`].
    #[error("amount is too long")]
    TooLong,
    /// A character other than a digit, one leading sign or one decimal separator.
    #[error("amount may hold only digits, a leading sign and one decimal point or comma")]
    InvalidCharacter,
    /// There are no digits before the decimal separator, or none after it.
    #[error("amount needs digits before and after the decimal separator")]
    MissingDigits,
    /// More than two digits after the decimal separator.
    #[error("amount has more than two decimals")]
    TooManyDecimals,
    /// The amount does not fit in the cents range.
    #[error("amount is out of range")]
    Overflow,
}

/// Parses a euro amount into cents.
///
/// Accepts an optional leading `-` or `+`, one or more digits, and optionally a decimal point
/// or comma followed by one or two digits: `12`, `12.3`, `12.34`, `-12.34`, `12,34`.
/// Surrounding whitespace is ignored. Thousands separators are not accepted, because
/// `1.234` would be ambiguous.
///
/// # Errors
/// [`MoneyError`] for empty text, stray characters, more than two decimals or overflow.
pub fn parse_eur(text: &str) -> Result<Cents, MoneyError> {
    if text.len() > EUR_TEXT_CHARS_MAX {
        return Err(MoneyError::TooLong);
    }
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(MoneyError::Empty);
    }
    let (negative, unsigned) = match trimmed.as_bytes()[0] {
        b'-' => (true, &trimmed[1..]),
        b'+' => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let (whole, fraction) = match unsigned.find(['.', ',']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || !fraction.is_none_or(all_digits) {
        return Err(MoneyError::InvalidCharacter);
    }
    if whole.is_empty() || fraction.is_some_and(str::is_empty) {
        return Err(MoneyError::MissingDigits);
    }
    let fraction = fraction.unwrap_or("");
    if fraction.len() > 2 {
        return Err(MoneyError::TooManyDecimals);
    }
    // Accumulate in i128: the length limit keeps the value far below i128::MAX, and the final
    // conversion catches anything outside i64, including the asymmetric i64::MIN.
    let mut magnitude: i128 = 0;
    for digit in whole.bytes().chain(fraction.bytes()) {
        magnitude = magnitude * 10 + i128::from(digit - b'0');
    }
    if fraction.len() < 2 {
        magnitude *= if fraction.is_empty() { 100 } else { 10 };
    }
    let signed = if negative { -magnitude } else { magnitude };
    i64::try_from(signed)
        .map(Cents)
        .map_err(|_| MoneyError::Overflow)
}

/// Divides `numerator` by `denominator` and rounds half away from zero
/// (`2.5 → 3`, `-2.5 → -3`, `2.49 → 2`).
///
/// This is the one rounding rule for money in the platform: the monthly saving amount and the
/// `NZa` maximum tariff (points × point value) are both rounded with it. Banker's rounding is not
/// used because the published `NZa` tariffs round halves up.
///
/// Returns `None` when `denominator` is zero or the result does not fit in an `i64`.
#[must_use]
pub fn round_half_away_from_zero(numerator: i128, denominator: i128) -> Option<i64> {
    let quotient = numerator.checked_div(denominator)?;
    let remainder = numerator.checked_rem(denominator)?;
    let remainder_abs = remainder.unsigned_abs();
    let denominator_abs = denominator.unsigned_abs();
    // `remainder_abs >= denominator_abs - remainder_abs` is `2 × |r| >= |d|` without overflow.
    let round_away = remainder_abs >= denominator_abs - remainder_abs && remainder_abs != 0;
    let rounded = if round_away {
        let away = if (numerator < 0) == (denominator < 0) {
            1
        } else {
            -1
        };
        quotient.checked_add(away)?
    } else {
        quotient
    };
    i64::try_from(rounded).ok()
}

/// The saving amount collected every month for an annual budget (PRODUCT.md, "Money":
/// "annual budget / 12, rounded to cents").
///
/// Rule: `annual / 12`, rounded to whole cents half away from zero. For example an annual
/// budget of EUR 100.00 gives EUR 8.33 a month, and EUR 100.02 gives EUR 8.34 (8.335 rounds up).
/// Twelve collections may therefore differ from the annual budget by up to six cents; that is
/// the product rule (the participant sees one fixed monthly amount). Use [`split_monthly`] when
/// twelve parts must add up exactly.
#[must_use]
pub fn monthly_saving(annual: Cents) -> Cents {
    let monthly = round_half_away_from_zero(i128::from(annual.0), i128::from(MONTHS_PER_YEAR))
        .expect("BUG: an i64 divided by 12 always fits in an i64");
    Cents(monthly)
}

/// Splits an annual amount into twelve monthly parts that sum exactly to `annual`.
///
/// Rule: every month gets `annual / 12` truncated toward zero; the remainder (at most 11 cents,
/// with the sign of `annual`) goes to the first months, one cent each. So EUR 100.00 becomes
/// four months of 8.34 followed by eight of 8.33. No two parts differ by more than one cent.
#[must_use]
pub fn split_monthly(annual: Cents) -> [Cents; 12] {
    let base = annual.0 / MONTHS_PER_YEAR;
    let remainder = annual.0 % MONTHS_PER_YEAR;
    let extra_months = remainder.unsigned_abs();
    let step = remainder.signum();
    let mut parts = [Cents(base); 12];
    for (month, part) in (0_u64..).zip(parts.iter_mut()) {
        if month < extra_months {
            // `base` and `step` have the same sign as `annual` and |base × 12| <= |annual|,
            // so `base + step` cannot overflow.
            *part = Cents(base + step);
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts_display_with_a_dot_and_two_decimals() {
        assert_eq!(Cents::new(1234).to_string(), "12.34");
        assert_eq!(Cents::new(-5).to_string(), "-0.05");
        assert_eq!(Cents::new(123_456_700).to_string(), "1234567.00");
        assert_eq!(Cents::ZERO.to_string(), "0.00");
        assert_eq!(Cents::new(-100).to_eur_string(), "-1.00");
    }

    #[test]
    fn the_most_negative_amount_displays_without_overflow() {
        assert_eq!(Cents::new(i64::MIN).to_string(), "-92233720368547758.08");
        assert_eq!(parse_eur("-92233720368547758.08"), Ok(Cents::new(i64::MIN)));
    }

    #[test]
    fn debug_shows_the_raw_cents() {
        assert_eq!(format!("{:?}", Cents::new(1234)), "Cents(1234)");
    }

    #[test]
    fn whole_one_and_two_decimal_amounts_parse() {
        assert_eq!(parse_eur("12"), Ok(Cents::new(1200)));
        assert_eq!(parse_eur("12.3"), Ok(Cents::new(1230)));
        assert_eq!(parse_eur("12.34"), Ok(Cents::new(1234)));
        assert_eq!(parse_eur("-12.34"), Ok(Cents::new(-1234)));
        assert_eq!(parse_eur("+0.05"), Ok(Cents::new(5)));
        assert_eq!(" 7 ".parse::<Cents>(), Ok(Cents::new(700)));
    }

    #[test]
    fn a_comma_is_accepted_as_the_decimal_separator() {
        assert_eq!(parse_eur("12,34"), Ok(Cents::new(1234)));
        assert_eq!(parse_eur("-0,5"), Ok(Cents::new(-50)));
    }

    #[test]
    fn malformed_amounts_are_rejected_with_a_reason() {
        assert_eq!(parse_eur(""), Err(MoneyError::Empty));
        assert_eq!(parse_eur("   "), Err(MoneyError::Empty));
        assert_eq!(parse_eur("12.345"), Err(MoneyError::TooManyDecimals));
        assert_eq!(parse_eur("1-2"), Err(MoneyError::InvalidCharacter));
        assert_eq!(parse_eur("--1"), Err(MoneyError::InvalidCharacter));
        assert_eq!(parse_eur("1.2.3"), Err(MoneyError::InvalidCharacter));
        assert_eq!(parse_eur("1,234.00"), Err(MoneyError::InvalidCharacter));
        assert_eq!(parse_eur("€12"), Err(MoneyError::InvalidCharacter));
        assert_eq!(parse_eur("12."), Err(MoneyError::MissingDigits));
        assert_eq!(parse_eur(".5"), Err(MoneyError::MissingDigits));
        assert_eq!(parse_eur("-"), Err(MoneyError::MissingDigits));
        assert_eq!(parse_eur("92233720368547758.08"), Err(MoneyError::Overflow));
        assert_eq!(parse_eur(&"9".repeat(40)), Err(MoneyError::TooLong));
    }

    #[test]
    fn checked_arithmetic_reports_overflow_as_none() {
        let max = Cents::new(i64::MAX);
        assert_eq!(max.checked_add(Cents::new(1)), None);
        assert_eq!(Cents::new(i64::MIN).checked_sub(Cents::new(1)), None);
        assert_eq!(Cents::new(i64::MIN).checked_neg(), None);
        assert_eq!(Cents::new(i64::MIN).abs(), None);
        assert_eq!(max.checked_mul(2), None);
        assert_eq!(Cents::new(250).checked_mul(3), Some(Cents::new(750)));
        assert_eq!(Cents::new(-3).abs(), Some(Cents::new(3)));
        assert!(Cents::new(-1).is_negative());
        assert!(Cents::new(1).is_positive());
        assert!(Cents::ZERO.is_zero());
    }

    #[test]
    fn the_monthly_saving_is_a_twelfth_rounded_half_away_from_zero() {
        assert_eq!(monthly_saving(Cents::new(10_000)), Cents::new(833));
        assert_eq!(monthly_saving(Cents::new(10_002)), Cents::new(834));
        assert_eq!(monthly_saving(Cents::new(-10_002)), Cents::new(-834));
        assert_eq!(monthly_saving(Cents::new(24_000)), Cents::new(2000));
        assert_eq!(Cents::monthly_saving(Cents::new(6)), Cents::new(1));
        assert_eq!(Cents::monthly_saving(Cents::new(5)), Cents::new(0));
    }

    #[test]
    fn the_split_gives_the_remainder_to_the_first_months() {
        let parts = split_monthly(Cents::new(10_000));
        assert_eq!(parts[..4], [Cents::new(834); 4]);
        assert_eq!(parts[4..], [Cents::new(833); 8]);
        let negative = Cents::split_monthly(Cents::new(-13));
        assert_eq!(negative[0], Cents::new(-2));
        assert_eq!(negative[1..], [Cents::new(-1); 11]);
    }

    #[test]
    fn rounding_half_away_from_zero_rounds_halves_outward() {
        assert_eq!(round_half_away_from_zero(5, 2), Some(3));
        assert_eq!(round_half_away_from_zero(-5, 2), Some(-3));
        assert_eq!(round_half_away_from_zero(5, -2), Some(-3));
        assert_eq!(round_half_away_from_zero(249, 100), Some(2));
        assert_eq!(round_half_away_from_zero(-249, 100), Some(-2));
        assert_eq!(round_half_away_from_zero(7, 1), Some(7));
        assert_eq!(round_half_away_from_zero(1, 0), None);
        assert_eq!(round_half_away_from_zero(i128::MIN, -1), None);
        assert_eq!(round_half_away_from_zero(i128::from(i64::MAX) + 1, 1), None);
    }

    fn arb_cents() -> impl Strategy<Value = Cents> {
        any::<i64>().prop_map(Cents::new)
    }

    proptest! {
        #[test]
        fn parsing_the_display_text_gives_back_the_same_amount(amount in arb_cents()) {
            prop_assert_eq!(parse_eur(&amount.to_string()), Ok(amount));
        }

        #[test]
        fn the_comma_form_parses_to_the_same_amount(amount in arb_cents()) {
            let with_comma = amount.to_string().replace('.', ",");
            prop_assert_eq!(parse_eur(&with_comma), Ok(amount));
        }

        #[test]
        fn the_monthly_split_sums_back_to_the_annual_amount(amount in arb_cents()) {
            let parts = split_monthly(amount);
            let sum: i128 = parts.iter().map(|part| i128::from(part.get())).sum();
            prop_assert_eq!(sum, i128::from(amount.get()));
            let smallest = parts.iter().min().expect("twelve parts");
            let largest = parts.iter().max().expect("twelve parts");
            prop_assert!(largest.get() - smallest.get() <= 1);
        }

        #[test]
        fn the_monthly_saving_is_within_half_a_cent_of_a_twelfth(amount in arb_cents()) {
            let monthly = i128::from(monthly_saving(amount).get());
            let error_twelfths = (monthly * 12 - i128::from(amount.get())).abs();
            prop_assert!(error_twelfths <= 6);
        }

        #[test]
        fn arbitrary_text_never_panics_the_parser(text in ".{0,40}") {
            let _ = parse_eur(&text);
        }
    }
}
