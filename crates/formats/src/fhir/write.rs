//! Building blocks of the resources we write: R4 data types as [`Out`] values.

use time::{Date, OffsetDateTime};

use super::json::Out;
use super::{Identifier, Operator};

/// An object from its members; members whose value is `None` are left out, as FHIR JSON
/// leaves out absent elements.
pub(crate) fn object(members: Vec<(&'static str, Option<Out>)>) -> Out {
    Out::Object(
        members
            .into_iter()
            .filter_map(|(key, value)| value.map(|value| (key, value)))
            .collect(),
    )
}

/// A whole number (`positiveInt`, `unsignedInt`).
pub(crate) fn whole(value: impl Into<u64>) -> Out {
    Out::Number(value.into().to_string())
}

/// An amount in cents as a decimal with two fraction digits, exactly (`-0.05`, `12.34`).
pub(crate) fn cents_text(cents: i128) -> String {
    let magnitude = cents.unsigned_abs();
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100)
}

/// An R4 `Money` in euro.
pub(crate) fn money(cents: i128) -> Out {
    object(vec![
        ("value", Some(Out::Number(cents_text(cents)))),
        ("currency", Some(Out::str("EUR"))),
    ])
}

/// An R4 `Coding`.
pub(crate) fn coding(system: &str, code: &str, display: Option<&str>) -> Out {
    object(vec![
        ("system", Some(Out::str(system))),
        ("code", Some(Out::str(code))),
        ("display", display.map(Out::str)),
    ])
}

/// An R4 `CodeableConcept` with one coding and an optional text.
pub(crate) fn concept(coding: Out, text: Option<&str>) -> Out {
    object(vec![
        ("coding", Some(Out::Array(vec![coding]))),
        ("text", text.map(Out::str)),
    ])
}

/// An R4 `Identifier`.
pub(crate) fn identifier(identifier: &Identifier) -> Out {
    object(vec![
        ("system", identifier.system.as_deref().map(Out::str)),
        ("value", Some(Out::str(&identifier.value))),
    ])
}

/// An R4 `Identifier` with a system.
pub(crate) fn identifier_in(system: &str, value: &str) -> Out {
    identifier(&Identifier {
        system: Some(system.to_owned()),
        value: value.to_owned(),
    })
}

/// A logical `Reference` to the operator (an `Organization`).
pub(crate) fn operator_reference(operator: &Operator) -> Out {
    object(vec![
        ("type", Some(Out::str("Organization"))),
        ("identifier", operator.identifier.as_ref().map(identifier)),
        ("display", Some(Out::str(&operator.name))),
    ])
}

/// An R4 `date` (`YYYY-MM-DD`).
pub(crate) fn date(date: Date) -> Out {
    Out::Str(date_text(date))
}

fn date_text(date: Date) -> String {
    debug_assert!(
        (1..=9999).contains(&date.year()),
        "FHIR years have 4 digits"
    );
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// An R4 `dateTime` to the second, with the instant's own UTC offset
/// (`2026-03-15T10:30:00+01:00`). Written from the parts, so no input can make it fail.
pub(crate) fn date_time(instant: OffsetDateTime) -> Out {
    let offset = instant.offset();
    let sign = if offset.is_negative() { '-' } else { '+' };
    Out::Str(format!(
        "{}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        date_text(instant.date()),
        instant.hour(),
        instant.minute(),
        instant.second(),
        offset.whole_hours().unsigned_abs(),
        offset.minutes_past_hour().unsigned_abs(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn amounts_are_written_with_two_decimals_exactly() {
        assert_eq!(cents_text(1234), "12.34");
        assert_eq!(cents_text(-5), "-0.05");
        assert_eq!(cents_text(0), "0.00");
        assert_eq!(cents_text(i128::from(i64::MIN)), "-92233720368547758.08");
    }

    #[test]
    fn date_times_keep_their_offset() {
        let out = date_time(datetime!(2026-03-15 10:30:05 -02:30));
        assert_eq!(out, Out::str("2026-03-15T10:30:05-02:30"));
    }
}
