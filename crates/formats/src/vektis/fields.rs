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
pub(super) fn check(value: &[u8], field: &FieldSpec) -> Result<(), (usize, Problem)> {
    let blank = is_blank(value);
    match field.required {
        Requiredness::S => match value.iter().position(|&b| b != b' ') {
            Some(offset) => Err((offset, Problem::ReserveNotBlank)),
            None => Ok(()),
        },
        Requiredness::M if blank => Err((0, Problem::Missing)),
        Requiredness::C | Requiredness::O if blank => Ok(()),
        Requiredness::C | Requiredness::O if field.kind == FieldKind::Date && is_zeros(value) => {
            Ok(())
        }
        Requiredness::M | Requiredness::C | Requiredness::O => check_kind(value, field.kind),
    }
}

/// Checks a filled field against its kind.
fn check_kind(value: &[u8], kind: FieldKind) -> Result<(), (usize, Problem)> {
    match kind {
        FieldKind::Numeric | FieldKind::Amount => {
            match value.iter().position(|b| !b.is_ascii_digit()) {
                Some(offset) => Err((offset, Problem::NotNumeric)),
                None => Ok(()),
            }
        }
        FieldKind::Alphanumeric => match value.iter().position(|&b| is_control(b)) {
            Some(offset) => Err((offset, Problem::ControlCharacter)),
            None => Ok(()),
        },
        FieldKind::Date => date(value).map(|_| ()).ok_or((0, Problem::NotADate)),
        FieldKind::Sign => match value {
            b"D" | b"C" => Ok(()),
            _ => Err((0, Problem::NotASign)),
        },
        FieldKind::Code(allowed) => {
            let trimmed = trim_end(value);
            if allowed.iter().any(|code| code.as_bytes() == trimmed) {
                Ok(())
            } else {
                Err((
                    0,
                    Problem::NotAllowed {
                        allowed: allowed.join("/"),
                    },
                ))
            }
        }
    }
}

/// Whether a byte is a C0 or C1 control character of ISO-8859-1.
fn is_control(byte: u8) -> bool {
    byte < 0x20 || (0x7f..0xa0).contains(&byte)
}

/// Whether the field holds only spaces (an empty slice counts as blank).
pub(super) fn is_blank(value: &[u8]) -> bool {
    value.iter().all(|&b| b == b' ')
}

/// Whether the field holds only zeros.
pub(super) fn is_zeros(value: &[u8]) -> bool {
    value.iter().all(|&b| b == b'0')
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

/// A run of ASCII digits as a number; `None` for anything else or an overflow. Blank is 0.
pub(super) fn digits(value: &[u8]) -> Option<u64> {
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
    trim_end(value).iter().map(|&b| char::from(b)).collect()
}

/// ASCII digits or letters as a `&str` (for parsing identifiers); `None` for other bytes.
pub(super) fn ascii(value: &[u8]) -> Option<&str> {
    if value.is_ascii() {
        std::str::from_utf8(value).ok()
    } else {
        None
    }
}
