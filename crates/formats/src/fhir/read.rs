//! Typed access to a parsed FHIR JSON tree that reports every problem with its `FHIRPath`
//! expression and carries on, so one read lists everything that is wrong.
//!
//! FHIR JSON rules checked here for every element read: no `null`, no empty string, array or
//! object, repeating elements are arrays, numbers and booleans are JSON numbers and booleans.

use ixorg_domain::Cents;
use time::{Date, Month};

use super::error::{FhirErrors, Problem};
use super::json::Json;

/// The members of a JSON object.
pub(crate) type Members = [(String, Json)];

/// The first value of the property `key`, if present (the parser refuses duplicate keys).
pub(crate) fn get<'a>(members: &'a Members, key: &str) -> Option<&'a Json> {
    members
        .iter()
        .find(|(name, _)| name == key)
        .map(|(_, value)| value)
}

/// Collects the problems of one read.
#[derive(Debug, Default)]
pub(crate) struct Walk {
    pub(crate) errors: FhirErrors,
}

impl Walk {
    pub(crate) fn report(&mut self, expression: &str, problem: Problem) {
        self.errors.push(expression, problem);
    }

    /// The value as an object, or a reported problem.
    pub(crate) fn object<'a>(&mut self, value: &'a Json, path: &str) -> Option<&'a Members> {
        match value {
            Json::Object(members) if members.is_empty() => {
                self.report(path, Problem::Empty);
                None
            }
            Json::Object(members) => Some(members),
            other => {
                self.wrong_type(path, "an object", other);
                None
            }
        }
    }

    pub(crate) fn wrong_type(&mut self, path: &str, expected: &'static str, found: &Json) {
        let problem = Problem::WrongType {
            expected,
            found: found.kind(),
        };
        self.report(path, problem);
    }

    /// The property `key` of `members` as an object; a missing property is reported when
    /// `required`.
    pub(crate) fn child<'a>(
        &mut self,
        members: &'a Members,
        key: &str,
        path: &str,
        required: bool,
    ) -> Option<&'a Members> {
        let child_path = format!("{path}.{key}");
        match get(members, key) {
            Some(value) => self.object(value, &child_path),
            None => {
                if required {
                    self.report(&child_path, Problem::Missing);
                }
                None
            }
        }
    }

    /// The property `key` as a non-blank string.
    pub(crate) fn string<'a>(
        &mut self,
        members: &'a Members,
        key: &str,
        path: &str,
        required: bool,
    ) -> Option<&'a str> {
        let child_path = format!("{path}.{key}");
        match get(members, key) {
            Some(Json::String(text)) if text.trim().is_empty() => {
                self.report(&child_path, Problem::Empty);
                None
            }
            Some(Json::String(text)) => Some(text),
            Some(other) => {
                self.wrong_type(&child_path, "a string", other);
                None
            }
            None => {
                if required {
                    self.report(&child_path, Problem::Missing);
                }
                None
            }
        }
    }

    /// The property `key` as a JSON number's text.
    pub(crate) fn number<'a>(
        &mut self,
        members: &'a Members,
        key: &str,
        path: &str,
        required: bool,
    ) -> Option<&'a str> {
        let child_path = format!("{path}.{key}");
        match get(members, key) {
            Some(Json::Number(text)) => Some(text),
            Some(other) => {
                self.wrong_type(&child_path, "a number", other);
                None
            }
            None => {
                if required {
                    self.report(&child_path, Problem::Missing);
                }
                None
            }
        }
    }

    /// The property `key` as a boolean.
    pub(crate) fn boolean(
        &mut self,
        members: &Members,
        key: &str,
        path: &str,
        required: bool,
    ) -> Option<bool> {
        let child_path = format!("{path}.{key}");
        match get(members, key) {
            Some(Json::Bool(value)) => Some(*value),
            Some(other) => {
                self.wrong_type(&child_path, "a boolean", other);
                None
            }
            None => {
                if required {
                    self.report(&child_path, Problem::Missing);
                }
                None
            }
        }
    }

    /// The property `key` as an array (absent: empty). FHIR JSON writes every repeating
    /// element as an array, even with one entry, and never as an empty one.
    pub(crate) fn array<'a>(&mut self, members: &'a Members, key: &str, path: &str) -> &'a [Json] {
        let child_path = format!("{path}.{key}");
        match get(members, key) {
            Some(Json::Array(items)) if items.is_empty() => {
                self.report(&child_path, Problem::Empty);
                &[]
            }
            Some(Json::Array(items)) => items,
            Some(other) => {
                self.wrong_type(&child_path, "an array", other);
                &[]
            }
            None => &[],
        }
    }

    /// The property `key` as a full FHIR `date` (`YYYY-MM-DD`).
    pub(crate) fn date(
        &mut self,
        members: &Members,
        key: &str,
        path: &str,
        required: bool,
    ) -> Option<Date> {
        let text = self.string(members, key, path, required)?;
        let date = parse_date(text);
        if date.is_none() {
            self.report(
                &format!("{path}.{key}"),
                Problem::Invalid("is not a full date YYYY-MM-DD"),
            );
        }
        date
    }

    /// The property `key` as an R4 `Money` in euro: `value` with at most two decimals, read
    /// exactly, and `currency` `EUR`.
    pub(crate) fn money(&mut self, members: &Members, key: &str, path: &str) -> Option<Cents> {
        let money_path = format!("{path}.{key}");
        let money = self.child(members, key, path, true)?;
        let currency = self.string(money, "currency", &money_path, true);
        if currency.is_some_and(|code| code != "EUR") {
            let problem = Problem::NotAllowed { allowed: "`EUR`" };
            self.report(&format!("{money_path}.currency"), problem);
        }
        let text = self.number(money, "value", &money_path, true)?;
        match parse_cents(text) {
            Ok(cents) => currency.and(Some(cents)),
            Err(problem) => {
                self.report(&format!("{money_path}.value"), problem);
                None
            }
        }
    }

    /// The first coding of the `CodeableConcept` `concept` (at `path`) whose system is one of
    /// `systems`, with the path of its code. Codings in other systems are left alone.
    pub(crate) fn coding_in<'a>(
        &mut self,
        concept: &'a Members,
        path: &str,
        systems: &[&str],
    ) -> Coded<'a> {
        for (index, coding) in self.array(concept, "coding", path).iter().enumerate() {
            let coding_path = format!("{path}.coding[{index}]");
            let Some(coding) = self.object(coding, &coding_path) else {
                return Coded::Reported;
            };
            let Some(Json::String(system)) = get(coding, "system") else {
                continue;
            };
            if systems.contains(&system.as_str()) {
                return match self.string(coding, "code", &coding_path, true) {
                    Some(code) => Coded::Found(format!("{coding_path}.code"), code),
                    None => Coded::Reported,
                };
            }
        }
        Coded::Absent
    }

    /// The extensions in `members.extension` whose `url` is `url`, with their paths.
    pub(crate) fn extensions<'a>(
        &mut self,
        members: &'a Members,
        path: &str,
        url: &str,
    ) -> Vec<(String, &'a Members)> {
        let mut found = Vec::new();
        for (index, extension) in self.array(members, "extension", path).iter().enumerate() {
            let extension_path = format!("{path}.extension[{index}]");
            let Some(extension) = self.object(extension, &extension_path) else {
                continue;
            };
            if self.string(extension, "url", &extension_path, true) == Some(url) {
                found.push((extension_path, extension));
            }
        }
        found
    }
}

/// The result of looking for a coding in given systems.
#[derive(Debug)]
pub(crate) enum Coded<'a> {
    /// Found: the path of its `code`, and the code.
    Found(String, &'a str),
    /// No coding in those systems.
    Absent,
    /// A problem was reported on the way.
    Reported,
}

/// Parses a full FHIR `date` (`YYYY-MM-DD`, year 0001–9999).
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    let shape = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape {
        return None;
    }
    let year: i32 = text[0..4].parse().ok()?;
    let month: u8 = text[5..7].parse().ok()?;
    let day: u8 = text[8..10].parse().ok()?;
    if year == 0 {
        return None;
    }
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// Reads a JSON number's text as euro cents, exactly: no exponent, at most two decimals.
pub(crate) fn parse_cents(text: &str) -> Result<Cents, Problem> {
    if text.contains(['e', 'E']) {
        return Err(Problem::Invalid(
            "an amount must be written as a plain decimal, without an exponent",
        ));
    }
    Cents::parse_eur(text).map_err(Problem::Money)
}

/// Reads a JSON number's text as a whole number from 1 to `max`.
pub(crate) fn parse_whole(text: &str, max: u32) -> Option<u32> {
    if text.is_empty() || text.len() > 10 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: u64 = text.parse().ok()?;
    u32::try_from(value)
        .ok()
        .filter(|value| (1..=max).contains(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_exactly_and_never_through_a_float() {
        assert_eq!(parse_cents("12.34"), Ok(Cents::new(1234)));
        assert_eq!(parse_cents("-0.1"), Ok(Cents::new(-10)));
        assert_eq!(parse_cents("7"), Ok(Cents::new(700)));
        assert_eq!(parse_cents("0.29"), Ok(Cents::new(29)));
        assert_eq!(
            parse_cents("92233720368547758.07"),
            Ok(Cents::new(i64::MAX))
        );
        assert!(parse_cents("12.345").is_err());
        assert!(parse_cents("12.340").is_err());
        assert!(parse_cents("1e2").is_err());
        assert!(parse_cents("92233720368547758.08").is_err());
    }

    #[test]
    fn whole_numbers_are_bounded_and_never_fractions() {
        assert_eq!(parse_whole("1", 999), Some(1));
        assert_eq!(parse_whole("999", 999), Some(999));
        assert_eq!(parse_whole("0", 999), None);
        assert_eq!(parse_whole("1000", 999), None);
        assert_eq!(parse_whole("2.0", 999), None);
        assert_eq!(parse_whole("-1", 999), None);
        assert_eq!(parse_whole("99999999999999999999", u32::MAX), None);
    }

    #[test]
    fn dates_are_full_calendar_dates() {
        assert_eq!(
            parse_date("2026-02-28"),
            Date::from_calendar_date(2026, Month::February, 28).ok()
        );
        for text in [
            "2026-02-29",
            "2026-2-28",
            "2026-02",
            "0000-01-01",
            "2026-02-28T10:00",
        ] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }
}
