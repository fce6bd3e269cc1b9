//! Field-level checks and value extraction over byte slices, driven by the version table.
//!
//! Nothing here allocates except the functions that return an owned `String`.

use ixorg_domain::Cents;
use ixorg_domain::identifiers::AgbCode;
use time::{Date, Month};

use super::error::Problem;
use super::spec::{FieldKind, FieldSpec, RecordSpec, Requiredness};

/// Checks one field's content; on failure returns the 0-based offset within the field and the
/// problem.
///
/// The hot path of the reader: every byte of every record passes through here. The scans are
/// branch-free folds (which the compiler vectorizes), and the problem with its offset is only
/// worked out when there is one.
pub(super) fn check(value: &[u8], field: &FieldSpec) -> Result<(), (usize, Problem)> {
    match field.required {
        Requiredness::S => {
            if is_blank(value) {
                Ok(())
            } else {
                let offset = value.iter().position(|&b| b != b' ').unwrap_or(0);
                Err((offset, Problem::ReserveNotBlank))
            }
        }
        Requiredness::M => {
            // Only a text field (or an empty slice) passes its kind check when blank, so the
            // others may try the kind check first.
            let may_skip_blank = field.kind != FieldKind::Alphanumeric && !value.is_empty();
            if may_skip_blank && kind_ok(value, field.kind) {
                Ok(())
            } else if is_blank(value) {
                Err((0, Problem::Missing))
            } else if kind_ok(value, field.kind) {
                Ok(())
            } else {
                Err(kind_problem(value, field.kind))
            }
        }
        Requiredness::C | Requiredness::O => {
            let zero_date = field.kind == FieldKind::Date && is_zeros(value);
            if kind_ok(value, field.kind) || is_blank(value) || zero_date {
                Ok(())
            } else {
                Err(kind_problem(value, field.kind))
            }
        }
    }
}

/// Whether a filled field holds a value of its kind.
fn kind_ok(value: &[u8], kind: FieldKind) -> bool {
    match kind {
        FieldKind::Numeric | FieldKind::Amount => all_digits(value),
        FieldKind::Alphanumeric => !has_control(value),
        FieldKind::Date => date(value).is_some(),
        FieldKind::Sign => matches!(value, b"D" | b"C"),
        FieldKind::Code(allowed) => {
            let trimmed = trim_end(value);
            allowed.iter().any(|code| code.as_bytes() == trimmed)
        }
    }
}

/// Where and why a field fails [`kind_ok`]: the 0-based offset and the problem.
fn kind_problem(value: &[u8], kind: FieldKind) -> (usize, Problem) {
    match kind {
        FieldKind::Numeric | FieldKind::Amount => {
            let offset = value.iter().position(|b| !b.is_ascii_digit()).unwrap_or(0);
            (offset, Problem::NotNumeric)
        }
        FieldKind::Alphanumeric => {
            let offset = value.iter().position(|&b| is_control(b)).unwrap_or(0);
            (offset, Problem::ControlCharacter)
        }
        FieldKind::Date => (0, Problem::NotADate),
        FieldKind::Sign => (0, Problem::NotASign),
        FieldKind::Code(allowed) => (
            0,
            Problem::NotAllowed {
                allowed: allowed.join("/"),
            },
        ),
    }
}

/// Whether every byte is an ASCII digit (a branch-free scan; `true` for an empty slice).
pub(super) fn all_digits(value: &[u8]) -> bool {
    value
        .iter()
        .fold(0_u8, |bad, &b| bad | u8::from(b.wrapping_sub(b'0') > 9))
        == 0
}

/// Whether the field holds a control character (a branch-free scan over `u8` flags, which
/// the compiler vectorizes, unlike a short-circuiting search).
fn has_control(value: &[u8]) -> bool {
    value.iter().fold(0_u8, |found, &b| {
        found | u8::from(b < 0x20) | u8::from(b.wrapping_sub(0x7f) < 0x21)
    }) != 0
}

/// Whether a byte is a C0 or C1 control character of ISO-8859-1.
fn is_control(byte: u8) -> bool {
    byte < 0x20 || (0x7f..0xa0).contains(&byte)
}

/// Whether the field holds only spaces (an empty slice counts as blank).
pub(super) fn is_blank(value: &[u8]) -> bool {
    // A branch-free fold over the whole field: most blank fields are long (reserve, names).
    value.iter().fold(0, |other, &b| other | (b ^ b' ')) == 0
}

/// Whether the field holds only zeros.
pub(super) fn is_zeros(value: &[u8]) -> bool {
    value.iter().fold(0, |other, &b| other | (b ^ b'0')) == 0
}

/// The value without trailing spaces.
pub(super) fn trim_end(value: &[u8]) -> &[u8] {
    let end = value
        .iter()
        .rposition(|&b| b != b' ')
        .map_or(0, |last| last + 1);
    &value[..end]
}

/// The bytes of field `number` of `record` (empty when the table or the record lacks it).
pub(super) fn slice<'a>(raw: &'a [u8], record: &RecordSpec, number: usize) -> &'a [u8] {
    record
        .field(number)
        .and_then(|field| raw.get(field.range()))
        .unwrap_or(&[])
}

/// The name of field `number`, for errors.
pub(super) fn name(record: &RecordSpec, number: usize) -> &'static str {
    record.field(number).map_or("Record", |field| field.name)
}

/// The 1-based start position of field `number`.
pub(super) fn start(record: &RecordSpec, number: usize) -> usize {
    record.field(number).map_or(1, |field| field.start)
}

/// Most decimal digits that always fit in a `u64` (10^19 - 1 < 2^64).
const DIGITS_U64_SAFE: usize = 19;

/// A run of ASCII digits as a number; `None` for anything else or an overflow. Blank is 0.
pub(super) fn digits(value: &[u8]) -> Option<u64> {
    if value.len() <= DIGITS_U64_SAFE && all_digits(value) {
        // Nineteen digits always fit in a u64, so no overflow check is needed.
        return Some(
            value
                .iter()
                .fold(0, |sum, &b| sum * 10 + u64::from(b - b'0')),
        );
    }
    if is_blank(value) {
        return Some(0);
    }
    value.iter().try_fold(0_u64, |sum, &b| {
        if b.is_ascii_digit() {
            sum.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}

/// A date `CCYYMMDD` that exists in the calendar.
pub(super) fn date(value: &[u8]) -> Option<Date> {
    if value.len() != 8 {
        return None;
    }
    let year = i32::try_from(digits(value.get(0..4)?)?).ok()?;
    let month = Month::try_from(u8::try_from(digits(value.get(4..6)?)?).ok()?).ok()?;
    let day = u8::try_from(digits(value.get(6..8)?)?).ok()?;
    if year == 0 || is_blank(value) {
        return None;
    }
    Date::from_calendar_date(year, month, day).ok()
}

/// An amount with its D/C sign applied (credit is negative); `None` for a bad sign or digits.
pub(super) fn signed(amount: &[u8], sign: &[u8]) -> Option<Cents> {
    let cents = Cents::new(i64::try_from(digits(amount)?).ok()?);
    match sign {
        b"C" => cents.checked_neg(),
        b"D" => Some(cents),
        _ => None,
    }
}

/// An AGB code, or `None` when blank or all zeros.
pub(super) fn agb(value: &[u8]) -> Option<AgbCode> {
    if is_blank(value) || is_zeros(value) {
        return None;
    }
    AgbCode::parse(std::str::from_utf8(value).ok()?).ok()
}

/// ISO-8859-1 text as a `String` (one char per byte), trailing spaces removed.
pub(super) fn text(value: &[u8]) -> String {
    let trimmed = trim_end(value);
    if trimmed.is_ascii() {
        // ASCII is the same in ISO-8859-1 and UTF-8: one copy, no per-character decoding.
        if let Ok(ascii) = std::str::from_utf8(trimmed) {
            return ascii.to_owned();
        }
    }
    trimmed.iter().map(|&b| char::from(b)).collect()
}

/// ASCII digits or letters as a `&str` (for parsing identifiers); `None` for other bytes.
pub(super) fn ascii(value: &[u8]) -> Option<&str> {
    if value.is_ascii() {
        std::str::from_utf8(value).ok()
    } else {
        None
    }
}
