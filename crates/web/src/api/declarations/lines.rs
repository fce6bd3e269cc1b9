//! The request body of `POST /api/v1/declarations`, read from JSON into declaration lines.
//!
//! Every field is checked and every problem is listed with its JSON Pointer (RFC 6901), such as
//! `/lines/3/amount`. A detail never repeats the value that was sent, so no BSN, date of birth
//! or participant number reaches a response or a log through an error.

use ixorg_app::declarations::api::LINES_PER_BATCH_MAX;
use ixorg_app::domain::Cents;
use ixorg_app::domain::declaration::{CostKind, DeclarationLine, REFERENCE_CHARS_MAX, Who};
use ixorg_app::domain::identifiers::{AgbCode, Bsn, ParticipantNumber};
use serde::Serialize;
use serde_json::{Map, Value};
use time::Date;
use time::macros::format_description;

/// Most field problems listed in one answer; the rest are counted.
pub const FIELD_ERRORS_MAX: usize = 100;

/// The longest `sender_reference` (the sender's invoice or batch number).
pub const SENDER_REFERENCE_CHARS_MAX: usize = 64;

/// The longest prestatiecode (MZ301 PRESTATIECODE has 6 positions).
pub const CODE_CHARS_MAX: usize = 6;

/// The longest element code (MZ301 GEBITSELEMENTCODE has 2 positions).
pub const ELEMENT_CHARS_MAX: usize = 2;

/// The longest surface text (MZ301 VLAKCODE has 6 positions).
pub const SURFACE_CHARS_MAX: usize = 6;

/// The surface letters of the WHO nomenclature.
const SURFACE_LETTERS: &str = "MODBLPVCI";

/// The fields of the request body.
const BATCH_FIELDS: &[&str] = &["sender_reference", "lines"];

/// The fields of a line.
const LINE_FIELDS: &[&str] = &[
    "reference",
    "previous_reference",
    "participant_number",
    "bsn",
    "birth_date",
    "provider_agb",
    "practice_agb",
    "treatment_date",
    "code",
    "element",
    "surface",
    "cost_kind",
    "quantity",
    "unit_tariff",
    "amount",
    "accident",
];

/// One field that failed: where (a JSON Pointer) and why (never the value).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct FieldError {
    /// The JSON Pointer of the field, e.g. `/lines/3/amount`.
    pub pointer: String,
    /// What is wrong.
    pub detail: String,
}

/// Every problem of a refused body, up to [`FIELD_ERRORS_MAX`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors {
    /// The problems in document order.
    pub errors: Vec<FieldError>,
    /// How many more were found and left out.
    pub truncated: usize,
}

impl FieldErrors {
    /// Adds a problem, or counts it when the list is full.
    pub fn push(&mut self, pointer: String, detail: impl Into<String>) {
        if self.errors.len() < FIELD_ERRORS_MAX {
            self.errors.push(FieldError {
                pointer,
                detail: detail.into(),
            });
        } else {
            self.truncated = self.truncated.saturating_add(1);
        }
    }

    /// How many problems were found in all.
    #[must_use]
    pub fn count(&self) -> usize {
        self.errors.len().saturating_add(self.truncated)
    }
}

/// A body that was read: the sender's reference and the lines in order.
#[derive(Debug)]
pub struct BatchRequest {
    /// The sender's own reference of the batch.
    pub sender_reference: String,
    /// The lines.
    pub lines: Vec<DeclarationLine>,
}

/// Reads the body; all problems, or the batch.
///
/// # Errors
/// [`FieldErrors`] listing every field that failed.
pub fn read_batch(body: &Value) -> Result<BatchRequest, FieldErrors> {
    let mut errors = FieldErrors::default();
    let Some(map) = body.as_object() else {
        errors.push(String::new(), "the body must be a JSON object");
        return Err(errors);
    };
    let mut fields = Fields {
        map,
        at: String::new(),
        errors: &mut errors,
    };
    fields.refuse_unknown(BATCH_FIELDS, "the request");
    let sender_reference = fields.required("sender_reference", |text| {
        check_text(text, SENDER_REFERENCE_CHARS_MAX).map(str::to_owned)
    });
    let lines = read_lines(map.get("lines"), &mut errors);
    match (sender_reference, lines) {
        (Some(sender_reference), Some(lines)) if errors.count() == 0 => Ok(BatchRequest {
            sender_reference,
            lines,
        }),
        _ => Err(errors),
    }
}

fn read_lines(value: Option<&Value>, errors: &mut FieldErrors) -> Option<Vec<DeclarationLine>> {
    let pointer = "/lines".to_owned();
    let items = match value {
        None | Some(Value::Null) => {
            errors.push(pointer, "is required");
            return None;
        }
        Some(Value::Array(items)) => items,
        Some(_) => {
            errors.push(pointer, "must be an array of lines");
            return None;
        }
    };
    if items.is_empty() || items.len() > LINES_PER_BATCH_MAX {
        errors.push(
            pointer,
            format!("a batch holds 1 to {LINES_PER_BATCH_MAX} lines"),
        );
        return None;
    }
    let lines: Vec<Option<DeclarationLine>> = items
        .iter()
        .enumerate()
        .map(|(index, item)| read_line(item, index, errors))
        .collect();
    lines.into_iter().collect()
}

fn read_line(value: &Value, index: usize, errors: &mut FieldErrors) -> Option<DeclarationLine> {
    let at = format!("/lines/{index}");
    let Some(map) = value.as_object() else {
        errors.push(at, "a line must be a JSON object");
        return None;
    };
    let mut f = Fields { map, at, errors };
    f.refuse_unknown(LINE_FIELDS, "a declaration line");
    let reference = f.required("reference", parse_reference);
    let previous_reference = f.optional("previous_reference", parse_reference);
    let who = read_who(&mut f);
    let provider = f.required("provider_agb", AgbCode::parse);
    let practice = f.optional("practice_agb", AgbCode::parse);
    let treatment_date = f.required("treatment_date", parse_date);
    let code = f.required("code", |t| parse_code(t, CODE_CHARS_MAX, "a prestatiecode"));
    let element = f.optional("element", |t| {
        parse_code(t, ELEMENT_CHARS_MAX, "an element code")
    });
    let surface = f.optional("surface", parse_surface);
    let cost = f.optional("cost_kind", parse_cost_kind);
    let quantity = f.quantity("quantity");
    let unit_tariff = f.required("unit_tariff", parse_unit_tariff);
    let amount = f.required("amount", Cents::parse_eur);
    let accident = f.boolean("accident");
    Some(DeclarationLine {
        reference: reference?,
        previous_reference: previous_reference.ok()?,
        who: who?,
        provider: provider?,
        practice: practice.ok()?,
        treatment_date: treatment_date?,
        code: code?,
        element: element.ok()?,
        surface: surface.ok()?,
        cost: cost.ok()?.unwrap_or(CostKind::Honorarium),
        quantity: quantity?,
        unit_tariff: unit_tariff?,
        amount: amount?,
        accident: accident?,
    })
}

/// The participant: a participant number, or a BSN with the date of birth.
fn read_who(f: &mut Fields<'_, '_>) -> Option<Who> {
    let number = f.optional("participant_number", ParticipantNumber::parse);
    let bsn = f.optional("bsn", Bsn::parse);
    let birth_date = f.optional("birth_date", parse_date);
    let (Ok(number), Ok(bsn), Ok(birth_date)) = (number, bsn, birth_date) else {
        return None;
    };
    match (number, bsn, birth_date) {
        (Some(number), None, None) => Some(Who::Number(number)),
        (None, Some(bsn), Some(birth_date)) => Some(Who::Bsn { bsn, birth_date }),
        (None, None, None) => {
            let detail = "is required: a participant_number, or a bsn with a birth_date";
            f.report("participant_number", detail);
            None
        }
        (Some(_), Some(_), _) => {
            f.report("bsn", "send a participant_number or a bsn, not both");
            None
        }
        (None, Some(_), None) => {
            f.report("birth_date", "is required with a bsn");
            None
        }
        (_, None, Some(_)) => {
            f.report("birth_date", "is sent only with a bsn");
            None
        }
    }
}

/// The members of one JSON object, read field by field; problems go to `errors`.
struct Fields<'a, 'e> {
    map: &'a Map<String, Value>,
    /// The pointer of the object (empty for the root).
    at: String,
    errors: &'e mut FieldErrors,
}

impl<'a> Fields<'a, '_> {
    fn report(&mut self, name: &str, detail: impl Into<String>) {
        let pointer = format!("{}/{}", self.at, escape(name));
        self.errors.push(pointer, detail);
    }

    /// Reports the fields that are not in `known`, at the object's pointer: counted, not named
    /// (a name the client chose is the client's text, which an error never repeats).
    fn refuse_unknown(&mut self, known: &[&str], what: &str) {
        let unknown = self
            .map
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .count();
        if unknown > 0 {
            let detail = format!(
                "holds {unknown} field(s) that are not fields of {what}; the fields are {}",
                known.join(", ")
            );
            let pointer = self.at.clone();
            self.errors.push(pointer, detail);
        }
    }

    /// The text of `name`: `Ok(None)` when absent or null, `Err` when reported.
    fn text(&mut self, name: &str) -> Result<Option<&'a str>, ()> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.as_str())),
            Some(_) => {
                self.report(name, "must be a JSON string");
                Err(())
            }
        }
    }

    /// An optional text field parsed by `parse`: `Err` when reported.
    fn optional<T, E: std::fmt::Display>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, ()> {
        let Some(text) = self.text(name)? else {
            return Ok(None);
        };
        match parse(text) {
            Ok(value) => Ok(Some(value)),
            Err(e) => {
                self.report(name, e.to_string());
                Err(())
            }
        }
    }

    /// A required text field parsed by `parse`; `None` when reported.
    fn required<T, E: std::fmt::Display>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        match self.optional(name, parse) {
            Ok(Some(value)) => Some(value),
            Ok(None) => {
                self.report(name, "is required");
                None
            }
            Err(()) => None,
        }
    }

    /// A whole number from 1 to 65535; absent means 1.
    fn quantity(&mut self, name: &str) -> Option<u16> {
        match self.map.get(name) {
            None | Some(Value::Null) => Some(1),
            Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n >= 1) => {
                let quantity = n.as_u64().and_then(|n| u16::try_from(n).ok());
                if quantity.is_none() {
                    self.report(name, "must be a whole number from 1 to 65535");
                }
                quantity
            }
            Some(_) => {
                self.report(name, "must be a whole number from 1 to 65535");
                None
            }
        }
    }

    /// `true` or `false`; absent means `false`.
    fn boolean(&mut self, name: &str) -> Option<bool> {
        match self.map.get(name) {
            None | Some(Value::Null) => Some(false),
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.report(name, "must be true or false");
                None
            }
        }
    }
}

/// A JSON Pointer reference token (RFC 6901 §3: `~` as `~0`, `/` as `~1`).
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// Text of 1 to `chars_max` characters without control characters.
fn check_text(text: &str, chars_max: usize) -> Result<&str, String> {
    if text.trim().is_empty() {
        return Err("must not be empty".to_owned());
    }
    if text.chars().count() > chars_max {
        return Err(format!("is longer than {chars_max} characters"));
    }
    if text.chars().any(char::is_control) {
        return Err("must not hold control characters".to_owned());
    }
    Ok(text)
}

fn parse_reference(text: &str) -> Result<String, String> {
    check_text(text, REFERENCE_CHARS_MAX).map(str::to_owned)
}

fn parse_date(text: &str) -> Result<Date, &'static str> {
    Date::parse(text, format_description!("[year]-[month]-[day]"))
        .map_err(|_| "must be a date written as YYYY-MM-DD")
}

fn parse_code(text: &str, chars_max: usize, what: &str) -> Result<String, String> {
    let valid = !text.is_empty()
        && text.len() <= chars_max
        && text.bytes().all(|b| b.is_ascii_alphanumeric());
    if valid {
        Ok(text.to_owned())
    } else {
        Err(format!("{what} is 1-{chars_max} letters and digits"))
    }
}

fn parse_surface(text: &str) -> Result<String, &'static str> {
    let mut seen = String::new();
    for letter in text.chars() {
        if !SURFACE_LETTERS.contains(letter) || seen.contains(letter) {
            seen.clear();
            break;
        }
        seen.push(letter);
    }
    if seen.is_empty() || seen.len() > SURFACE_CHARS_MAX {
        Err("surfaces are the letters M O D B L P V C I, each once, at most 6 in all")
    } else {
        Ok(seen)
    }
}

fn parse_cost_kind(text: &str) -> Result<CostKind, &'static str> {
    CostKind::from_name(text).ok_or("must be `honorarium` or `material`")
}

fn parse_unit_tariff(text: &str) -> Result<Cents, String> {
    let tariff = Cents::parse_eur(text).map_err(|e| e.to_string())?;
    if tariff.is_negative() {
        return Err("must not be negative; a credit line has a negative amount".to_owned());
    }
    Ok(tariff)
}
