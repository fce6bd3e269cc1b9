//! The IBAN (ISO 13616) of a SEPA account: personal data.

use std::fmt;
use std::str::FromStr;

use super::{all_digits, mod97, without_separators};

/// IBAN lengths of the countries in the SEPA scheme's geographical scope (EU and EEA members
/// plus Switzerland, the United Kingdom, Monaco, San Marino, Vatican City, Andorra and
/// Gibraltar), from the SWIFT IBAN registry. Territories that use another country's IBAN
/// (Åland: FI; French overseas departments: FR; Jersey, Guernsey, Isle of Man: GB) are covered
/// by that country. Countries admitted to SEPA later are added here when the operator's bank
/// supports them.
const SEPA_IBAN_LENGTHS: [(&str, usize); 37] = [
    ("AD", 24),
    ("AT", 20),
    ("BE", 16),
    ("BG", 22),
    ("CH", 21),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("EE", 20),
    ("ES", 24),
    ("FI", 18),
    ("FR", 27),
    ("GB", 22),
    ("GI", 23),
    ("GR", 27),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IS", 26),
    ("IT", 27),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MT", 31),
    ("NL", 18),
    ("NO", 15),
    ("PL", 28),
    ("PT", 25),
    ("RO", 24),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("VA", 22),
];

/// Largest account number in a Dutch BBAN (ten digits).
pub const NL_ACCOUNT_NUMBER_MAX: u64 = 9_999_999_999;

/// The IBAN length for a SEPA country code (`"NL"` → 18), or `None` outside SEPA.
#[must_use]
pub fn sepa_iban_length(country: &str) -> Option<usize> {
    SEPA_IBAN_LENGTHS
        .iter()
        .find(|(code, _)| *code == country)
        .map(|(_, length)| *length)
}

/// An IBAN of a SEPA account, in electronic form (upper case, no spaces), that passed the
/// mod-97 check.
///
/// Personal data: `Debug` reveals only the country (`Iban(NL**…)`), there is no `Display`, and
/// the full number comes out only through [`Iban::expose`].
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Iban(String);

impl Iban {
    /// Parses an IBAN: spaces are removed and letters upper-cased, then the country must be a
    /// SEPA country with its IBAN length, the check digits must pass ISO 13616 mod-97, and a
    /// Dutch BBAN must be four letters (bank code) and ten digits.
    ///
    /// # Errors
    /// [`IbanError`] naming the rule that failed; the message never repeats the input.
    pub fn parse(text: &str) -> Result<Iban, IbanError> {
        let compact = without_separators(text, &[' '])
            .ok_or(IbanError::Length)?
            .to_ascii_uppercase();
        if !compact.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(IbanError::InvalidCharacter);
        }
        let country = compact.get(..2).ok_or(IbanError::Length)?;
        if !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(IbanError::Country);
        }
        let expected_length = sepa_iban_length(country).ok_or(IbanError::Country)?;
        if compact.len() != expected_length {
            return Err(IbanError::Length);
        }
        let check_digits = &compact[2..4];
        // 00, 01 and 99 are never produced by 98 - (n mod 97), though 00 and 97 pass mod-97
        // alike.
        if !all_digits(check_digits) || matches!(check_digits, "00" | "01" | "99") {
            return Err(IbanError::CheckDigits);
        }
        if country == "NL" && !is_nl_bban(&compact[4..]) {
            return Err(IbanError::BbanFormat);
        }
        let rearranged = compact[4..].bytes().chain(compact[..4].bytes());
        if mod97(rearranged) != Some(1) {
            return Err(IbanError::CheckDigits);
        }
        Ok(Iban(compact))
    }

    /// Builds a Dutch IBAN from a bank code (`ABNA`) and an account number, computing the
    /// check digits. Used by synthetic-data generators and tests.
    ///
    /// # Errors
    /// [`IbanError::BbanFormat`] when the bank code is not four letters or the account number
    /// has more than ten digits.
    pub fn from_parts_nl(bank_code: &str, account: u64) -> Result<Iban, IbanError> {
        if bank_code.len() != 4 || !bank_code.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(IbanError::BbanFormat);
        }
        if account > NL_ACCOUNT_NUMBER_MAX {
            return Err(IbanError::BbanFormat);
        }
        let bban = format!("{}{account:010}", bank_code.to_ascii_uppercase());
        let remainder = mod97(bban.bytes().chain(*b"NL00"))
            .expect("BUG: a BBAN of letters and digits is alphanumeric");
        Iban::parse(&format!("NL{:02}{bban}", 98 - remainder))
    }

    /// The IBAN in electronic form (`NL91ABNA0417164300`), for payment files and encryption.
    /// Never log it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Country, check digits and the last four characters: `NL91…4300`, for screens.
    #[must_use]
    pub fn masked(&self) -> String {
        format!("{}…{}", &self.0[..4], &self.0[self.0.len() - 4..])
    }

    /// The two-letter country code.
    #[must_use]
    pub fn country(&self) -> &str {
        &self.0[..2]
    }

    /// The four-letter bank code of a Dutch IBAN (`ABNA`), `None` for other countries.
    #[must_use]
    pub fn bank_code(&self) -> Option<&str> {
        (self.country() == "NL").then(|| &self.0[4..8])
    }
}

/// A Dutch BBAN: four letters (the bank code) and ten digits.
fn is_nl_bban(bban: &str) -> bool {
    bban.len() == 14 && bban[..4].bytes().all(|b| b.is_ascii_uppercase()) && all_digits(&bban[4..])
}

impl fmt::Debug for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Iban({}**…)", self.country())
    }
}

impl FromStr for Iban {
    type Err = IbanError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Iban::parse(text)
    }
}

impl TryFrom<&str> for Iban {
    type Error = IbanError;

    fn try_from(text: &str) -> Result<Self, Self::Error> {
        Iban::parse(text)
    }
}

/// Why a text is not a SEPA IBAN. The messages never repeat the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IbanError {
    /// A character other than a letter, digit or space.
    #[error("IBAN may contain only letters, digits and spaces")]
    InvalidCharacter,
    /// The country code is not a SEPA country.
    #[error("IBAN country is not a SEPA country")]
    Country,
    /// Wrong length for the country.
    #[error("IBAN has the wrong length for its country")]
    Length,
    /// The account part does not have the country's format (NL: 4 letters + 10 digits).
    #[error("IBAN account part has the wrong format for its country")]
    BbanFormat,
    /// The mod-97 check failed.
    #[error("IBAN fails the mod-97 check")]
    CheckDigits,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_reference_iban_is_valid() {
        let iban = Iban::parse("NL91ABNA0417164300").expect("valid");
        assert_eq!(iban.expose(), "NL91ABNA0417164300");
        assert_eq!(iban.country(), "NL");
        assert_eq!(iban.bank_code(), Some("ABNA"));
    }

    #[test]
    fn spaces_are_removed_and_letters_upper_cased() {
        let iban = Iban::parse(" nl91 abna 0417 1643 00 ").expect("valid");
        assert_eq!(iban.expose(), "NL91ABNA0417164300");
    }

    #[test]
    fn other_sepa_countries_are_accepted_with_their_own_length() {
        for text in [
            "DE89370400440532013000",
            "BE68539007547034",
            "GB29NWBK60161331926819",
            "FR1420041010050500013M02606",
            "CH9300762011623852957",
            "NO9386011117947",
        ] {
            let iban = Iban::parse(text).expect("valid SEPA IBAN");
            assert_eq!(iban.bank_code(), None);
        }
    }

    #[test]
    fn a_wrong_check_digit_is_rejected() {
        assert_eq!(
            Iban::parse("NL92ABNA0417164300"),
            Err(IbanError::CheckDigits)
        );
        assert_eq!(
            Iban::parse("NL91ABNA0417164301"),
            Err(IbanError::CheckDigits)
        );
    }

    #[test]
    fn countries_outside_sepa_and_wrong_lengths_are_rejected() {
        assert_eq!(
            Iban::parse("US64SVBKUS6S3300958879"),
            Err(IbanError::Country)
        );
        assert_eq!(Iban::parse("NL91ABNA041716430"), Err(IbanError::Length));
        assert_eq!(Iban::parse("N"), Err(IbanError::Length));
        assert_eq!(Iban::parse(""), Err(IbanError::Length));
        assert_eq!(Iban::parse("12ABNA0417164300"), Err(IbanError::Country));
        assert_eq!(
            Iban::parse("NL91-ABNA-0417164300"),
            Err(IbanError::InvalidCharacter)
        );
    }

    #[test]
    fn a_dutch_iban_needs_a_four_letter_bank_code_and_ten_digits() {
        // Check digits are computed for these BBANs, so only the format rule can reject them.
        let digits_as_bank = format!(
            "NL{:02}{}",
            check_for("1234", "0417164300"),
            "12340417164300"
        );
        assert_eq!(Iban::parse(&digits_as_bank), Err(IbanError::BbanFormat));
    }

    fn check_for(bank: &str, account: &str) -> u32 {
        let bban = format!("{bank}{account}");
        98 - mod97(bban.bytes().chain(*b"NL00")).expect("alphanumeric")
    }

    #[test]
    fn debug_and_masked_reveal_only_the_country_and_the_last_digits() {
        let iban = Iban::parse("NL91ABNA0417164300").expect("valid");
        assert_eq!(format!("{iban:?}"), "Iban(NL**…)");
        assert_eq!(iban.masked(), "NL91…4300");
    }

    #[test]
    fn building_from_parts_reproduces_the_reference_iban() {
        let iban = Iban::from_parts_nl("abna", 417_164_300).expect("valid parts");
        assert_eq!(iban.expose(), "NL91ABNA0417164300");
        assert_eq!(Iban::from_parts_nl("ABN", 1), Err(IbanError::BbanFormat));
        assert_eq!(
            Iban::from_parts_nl("ABNA", 10_000_000_000),
            Err(IbanError::BbanFormat)
        );
    }

    fn arb_nl_iban() -> impl Strategy<Value = Iban> {
        ("[A-Z]{4}", 0..=NL_ACCOUNT_NUMBER_MAX).prop_map(|(bank, account)| {
            Iban::from_parts_nl(&bank, account).expect("generated parts are valid")
        })
    }

    proptest! {
        #[test]
        fn every_generated_dutch_iban_round_trips(iban in arb_nl_iban()) {
            prop_assert_eq!(Iban::parse(iban.expose()), Ok(iban.clone()));
            prop_assert_eq!(Iban::parse(&iban.expose().to_ascii_lowercase()), Ok(iban));
        }

        /// Every position has a weight 10^k mod 97 that is non-zero (97 is prime), and a digit
        /// changes by less than 97, so mod-97 catches every single-digit change.
        #[test]
        fn a_single_changed_digit_is_rejected(
            iban in arb_nl_iban(),
            position in 2_usize..18,
            delta in 1_u8..10,
        ) {
            let mut bytes = iban.expose().as_bytes().to_vec();
            prop_assume!(bytes[position].is_ascii_digit());
            bytes[position] = b'0' + (bytes[position] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).expect("ascii");
            prop_assert!(Iban::parse(&changed).is_err());
        }

        #[test]
        fn arbitrary_text_never_panics_the_iban_parser(text in ".{0,80}") {
            let _ = Iban::parse(&text);
        }
    }
}
