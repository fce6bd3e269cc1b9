//! Parse-don't-validate newtypes for the identifiers the platform exchanges.
//!
//! Each type can only be built by parsing (or by a `from_parts`-style constructor that computes
//! the check digits), so holding one proves it passed its format and check-digit rules
//! (`REFERENCE.md`, "Identifiers"). Personal identifiers ([`Bsn`], [`Iban`]) have a redacted
//! `Debug`, no `Display`, and hand out their raw value only through `expose()`. Error messages
//! never repeat the input.

mod agb;
mod bsn;
mod creditor_id;
mod iban;
mod mandate_id;
mod participant_number;
mod postcode;
mod uzovi;

pub use agb::{AgbCode, AgbError};
pub use bsn::{Bsn, BsnError};
pub use creditor_id::{CreditorId, CreditorIdError};
pub use iban::{Iban, IbanError, sepa_iban_length};
pub use mandate_id::{MandateId, MandateIdError};
pub use participant_number::{ParticipantNumber, ParticipantNumberError};
pub use postcode::{Postcode, PostcodeError};
pub use uzovi::{Uzovi, UzoviError};

/// Longest raw input any identifier parser looks at; longer input is rejected before any work.
///
/// The longest identifier is an IBAN (34 characters, 42 with a space every four), so 64 leaves
/// room for stray separators without allowing unbounded input.
pub const IDENTIFIER_TEXT_CHARS_MAX: usize = 64;

/// Removes every character in `separators` from `text` after trimming it, or `None` when the
/// input is longer than [`IDENTIFIER_TEXT_CHARS_MAX`].
fn without_separators(text: &str, separators: &[char]) -> Option<String> {
    if text.len() > IDENTIFIER_TEXT_CHARS_MAX {
        return None;
    }
    Some(
        text.trim()
            .chars()
            .filter(|c| !separators.contains(c))
            .collect(),
    )
}

/// ISO 7064 mod 97-10 remainder of `text` with letters converted to numbers (A=10 … Z=35),
/// as used by IBANs and SEPA creditor identifiers. `None` if a character is not ASCII
/// alphanumeric.
fn mod97(text: impl IntoIterator<Item = u8>) -> Option<u32> {
    let mut remainder: u32 = 0;
    for byte in text {
        let value = match byte {
            b'0'..=b'9' => u32::from(byte - b'0'),
            b'A'..=b'Z' => u32::from(byte - b'A') + 10,
            b'a'..=b'z' => u32::from(byte - b'a') + 10,
            _ => return None,
        };
        let shift = if value >= 10 { 100 } else { 10 };
        remainder = (remainder * shift + value) % 97;
    }
    Some(remainder)
}

/// True when every byte of `text` is an ASCII digit (and there is at least one).
fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}
