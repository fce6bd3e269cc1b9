//! [`check_application`]: the form's fields, parsed one by one, every broken rule reported.

use time::{Date, Month};

use super::form::{Application, ApplicationForm};
use super::members::check_members;
use super::rules::{
    ACCOUNT_HOLDER_CHARS_MAX, AcceptanceRule, CODED_FIELD_CHARS_MAX, FIELD_ERRORS_MAX, FieldError,
    HOUSE_NUMBER_MAX, PHONE_CHARS_MAX, PHONE_DIGITS_MAX, PHONE_DIGITS_MIN, PRACTICE_NAME_CHARS_MAX,
};
use crate::identifiers::{AgbCode, AgbError, Bsn, BsnError, Iban, IbanError, Postcode};
use crate::person::Gender;
use crate::termination::add_months_clamped;
use crate::terms::ProductTerms;

/// Checks an application form against every rule that needs no database, and parses it.
///
/// Every broken rule of every field is reported (at most [`FIELD_ERRORS_MAX`]), not just the
/// first; a field may break several rules (a start date can be in the past *and* not the first
/// of a month). Rules that depend on another field are checked only when that field parsed:
/// the age rules need a start date and a role, and the saving bounds need an amount. At most
/// [`MEMBERS_MAX`] members are looked at; more is [`AcceptanceRule::TooManyMembers`].
///
/// # Errors
/// The list of [`FieldError`]s, in form order (members first, then the contract fields).
pub fn check_application(
    form: &ApplicationForm,
    terms: &ProductTerms,
    today: Date,
) -> Result<Application, Vec<FieldError>> {
    let mut errors = Errors::default();
    let start_date = check_start_date(&mut errors, &form.start_date, terms, today);
    let members = check_members(&mut errors, &form.members, terms, today, start_date);
    let contract = check_contract(&mut errors, form);
    errors.into_result(())?;
    let (iban, account_holder, dentist_agb_code, practice_name, provider_view_consent) =
        contract.expect("BUG: a contract field that did not parse was reported as an error");
    Ok(Application {
        members: members.expect("BUG: a member that did not parse was reported as an error"),
        start_date: start_date.expect("BUG: a start date that did not parse was reported"),
        iban,
        account_holder,
        dentist_agb_code,
        practice_name,
        provider_view_consent,
    })
}

/// The parsed contract fields, in [`Application`] order.
type ContractFields = (Iban, String, Option<AgbCode>, Option<String>, bool);

/// Where an error is: a contract field (`member == None`) or a member's field (`name` empty for
/// the member as a whole).
#[derive(Clone, Copy)]
pub(super) struct At<'a> {
    member: Option<usize>,
    name: &'a str,
}

impl<'a> At<'a> {
    pub(super) fn contract(name: &'a str) -> At<'a> {
        At { member: None, name }
    }

    pub(super) fn member(index: usize, name: &'a str) -> At<'a> {
        At {
            member: Some(index),
            name,
        }
    }

    fn path(self) -> String {
        match (self.member, self.name) {
            (Some(index), "") => format!("members[{index}]"),
            (Some(index), name) => format!("members[{index}].{name}"),
            (None, name) => name.to_owned(),
        }
    }
}

/// The errors found so far, bounded by [`FIELD_ERRORS_MAX`].
#[derive(Default)]
pub(super) struct Errors {
    list: Vec<FieldError>,
}

impl Errors {
    pub(super) fn push(&mut self, at: At<'_>, rule: AcceptanceRule) {
        if self.list.len() < FIELD_ERRORS_MAX {
            self.list.push(FieldError {
                field: at.path(),
                rule,
            });
        }
    }

    pub(super) fn into_result<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.list.is_empty() {
            Ok(value)
        } else {
            Err(self.list)
        }
    }
}

/// Whether `text` has more than `chars_max` characters, without counting past the limit.
pub(super) fn longer_than(text: &str, chars_max: usize) -> bool {
    text.chars().nth(chars_max).is_some()
}

/// A free-text field, trimmed: `Some("")` when empty and optional, `None` after reporting
/// [`AcceptanceRule::Required`], [`AcceptanceRule::TooLong`] or
/// [`AcceptanceRule::InvalidCharacter`].
pub(super) fn text(
    errors: &mut Errors,
    at: At<'_>,
    raw: &str,
    chars_max: usize,
    required: bool,
) -> Option<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        if required {
            errors.push(at, AcceptanceRule::Required);
            return None;
        }
        return Some(String::new());
    }
    let mut valid = true;
    if longer_than(trimmed, chars_max) {
        errors.push(at, AcceptanceRule::TooLong);
        valid = false;
    }
    if trimmed.chars().take(chars_max).any(char::is_control) {
        errors.push(at, AcceptanceRule::InvalidCharacter);
        valid = false;
    }
    valid.then(|| trimmed.to_owned())
}

/// `None` for empty text, `Some(text)` otherwise.
pub(super) fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// A required field parsed with `parse`; reports `Required` when empty, or the rule `parse`
/// returns.
pub(super) fn required<T>(
    errors: &mut Errors,
    at: At<'_>,
    raw: &str,
    parse: impl FnOnce(&str) -> Result<T, AcceptanceRule>,
) -> Option<T> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        errors.push(at, AcceptanceRule::Required);
        return None;
    }
    parse(trimmed).map_err(|rule| errors.push(at, rule)).ok()
}

/// An optional field parsed with `parse`: `Some(None)` when empty, `None` after reporting.
pub(super) fn optional<T>(
    errors: &mut Errors,
    at: At<'_>,
    raw: &str,
    parse: impl FnOnce(&str) -> Result<T, AcceptanceRule>,
) -> Option<Option<T>> {
    if raw.trim().is_empty() {
        return Some(None);
    }
    required(errors, at, raw, parse).map(Some)
}

/// A date written `YYYY-MM-DD` (four-digit year), or [`AcceptanceRule::InvalidDate`].
pub(super) fn parse_date(text: &str) -> Result<Date, AcceptanceRule> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(at, b)| at == 4 || at == 7 || b.is_ascii_digit());
    if !shaped {
        return Err(AcceptanceRule::InvalidDate);
    }
    let number = |range: std::ops::Range<usize>| {
        text[range]
            .parse::<u16>()
            .expect("BUG: the shape check allows only ASCII digits here")
    };
    let month = u8::try_from(number(5..7))
        .ok()
        .and_then(|month| Month::try_from(month).ok());
    let day = u8::try_from(number(8..10)).ok();
    match (month, day) {
        (Some(month), Some(day)) => Date::from_calendar_date(i32::from(number(0..4)), month, day)
            .map_err(|_| AcceptanceRule::InvalidDate),
        _ => Err(AcceptanceRule::InvalidDate),
    }
}

/// A choice from a fixed list, compared case-insensitively, or
/// [`AcceptanceRule::InvalidChoice`].
pub(super) fn parse_choice<T: Copy>(
    text: &str,
    choices: &[(&str, T)],
) -> Result<T, AcceptanceRule> {
    if longer_than(text, CODED_FIELD_CHARS_MAX) {
        return Err(AcceptanceRule::InvalidChoice);
    }
    choices
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(text))
        .map(|(_, value)| *value)
        .ok_or(AcceptanceRule::InvalidChoice)
}

/// The start date and its three rules; `Some` whenever it parsed (even when it breaks a rule),
/// so that the age rules can still be checked.
fn check_start_date(
    errors: &mut Errors,
    raw: &str,
    terms: &ProductTerms,
    today: Date,
) -> Option<Date> {
    let at = At::contract("start_date");
    let start = required(errors, at, raw, parse_date)?;
    if start.day() != 1 {
        errors.push(at, AcceptanceRule::StartNotFirstOfMonth);
    }
    if start < today {
        errors.push(at, AcceptanceRule::StartInPast);
    }
    // Beyond the range of Date nothing can be too far ahead.
    let latest = add_months_clamped(today, u32::from(terms.start_date_months_ahead_max));
    if latest.is_some_and(|latest| start > latest) {
        errors.push(at, AcceptanceRule::StartTooFarAhead);
    }
    Some(start)
}

/// A phone number: digits, spaces and `+ - ( )` only, a `+` only in front, and
/// [`PHONE_DIGITS_MIN`]..=[`PHONE_DIGITS_MAX`] digits.
pub(super) fn parse_phone(text: &str) -> Result<String, AcceptanceRule> {
    if longer_than(text, PHONE_CHARS_MAX) {
        return Err(AcceptanceRule::TooLong);
    }
    let allowed = text.chars().enumerate().all(|(at, c)| {
        c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')') || (c == '+' && at == 0)
    });
    let digits = text.chars().filter(char::is_ascii_digit).count();
    if allowed && (PHONE_DIGITS_MIN..=PHONE_DIGITS_MAX).contains(&digits) {
        Ok(text.to_owned())
    } else {
        Err(AcceptanceRule::InvalidPhone)
    }
}

/// A gender from [`Gender::ALL`], by name.
pub(super) fn parse_gender(text: &str) -> Result<Gender, AcceptanceRule> {
    let choices: Vec<(&str, Gender)> = Gender::ALL.iter().map(|g| (g.as_str(), *g)).collect();
    parse_choice(text, &choices)
}

/// A house number from 1 to [`HOUSE_NUMBER_MAX`], digits only.
pub(super) fn parse_house_number(text: &str) -> Result<u32, AcceptanceRule> {
    text.parse::<u32>()
        .ok()
        .filter(|number| (1..=HOUSE_NUMBER_MAX).contains(number) && !text.starts_with('+'))
        .ok_or(AcceptanceRule::InvalidNumber)
}

/// A Dutch postcode.
pub(super) fn parse_postcode(text: &str) -> Result<Postcode, AcceptanceRule> {
    Postcode::parse(text).map_err(|_| AcceptanceRule::InvalidPostcode)
}

/// A BSN: format errors and the 11-check are told apart (an all-zero number fails the check).
pub(super) fn parse_bsn(text: &str) -> Result<Bsn, AcceptanceRule> {
    Bsn::parse(text).map_err(|error| match error {
        BsnError::Length | BsnError::NonDigit => AcceptanceRule::BsnFormat,
        BsnError::AllZero | BsnError::ElevenCheck => AcceptanceRule::BsnElevenCheck,
    })
}

/// An IBAN: a country outside SEPA is told apart from every other failure.
pub(super) fn parse_iban(text: &str) -> Result<Iban, AcceptanceRule> {
    Iban::parse(text).map_err(|error| match error {
        IbanError::Country => AcceptanceRule::IbanNotSepa,
        IbanError::InvalidCharacter
        | IbanError::Length
        | IbanError::BbanFormat
        | IbanError::CheckDigits => AcceptanceRule::InvalidIban,
    })
}

/// The contract fields. `None` when any failed (the errors are reported).
fn check_contract(errors: &mut Errors, form: &ApplicationForm) -> Option<ContractFields> {
    let at = At::contract;
    let iban = required(errors, at("iban"), &form.iban, parse_iban);
    let holder = text(
        errors,
        at("account_holder"),
        &form.account_holder,
        ACCOUNT_HOLDER_CHARS_MAX,
        true,
    );
    let agb = optional(
        errors,
        at("dentist_agb_code"),
        &form.dentist_agb_code,
        |text| AgbCode::parse(text).map_err(|AgbError::Format| AcceptanceRule::AgbFormat),
    );
    let practice = text(
        errors,
        at("practice_name"),
        &form.practice_name,
        PRACTICE_NAME_CHARS_MAX,
        false,
    );
    let no_dentist =
        form.dentist_agb_code.trim().is_empty() && form.practice_name.trim().is_empty();
    if no_dentist {
        errors.push(at("dentist_agb_code"), AcceptanceRule::Required);
    }
    let consent = required(
        errors,
        at("provider_view_consent"),
        &form.provider_view_consent,
        |text| parse_choice(text, &[("yes", true), ("no", false)]),
    );
    let mandate =
        required(
            errors,
            at("mandate_signed"),
            &form.mandate_signed,
            |text| match parse_choice(text, &[("yes", true), ("no", false)])? {
                true => Ok(()),
                false => Err(AcceptanceRule::MandateNotSigned),
            },
        );
    mandate?;
    Some((iban?, holder?, agb?, non_empty(practice?), consent?))
}
