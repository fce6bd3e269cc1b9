//! Fuzz bodies for the text parsers of `ixorg-domain`: the identifier newtypes, euro amounts
//! and the application-form check. Shared with `crates/domain/tests/fuzz_corpus.rs`, which
//! includes this file.

use ixorg_domain::Cents;
use ixorg_domain::enrollment::{ApplicationForm, MemberForm, check_application};
use ixorg_domain::identifiers::{
    AgbCode, Bsn, CreditorId, Iban, MandateId, ParticipantNumber, Postcode, Uzovi,
};
use ixorg_domain::terms::initial;
use time::Date;

/// The fixed "today" of the `application` target, so a corpus file always means the same.
pub const APPLICATION_TODAY: Date = time::macros::date!(2026 - 03 - 15);

/// Lines of an `application` input before the first member: the contract fields.
pub const APPLICATION_CONTRACT_LINES: usize = 7;

/// Lines of one member in an `application` input.
pub const APPLICATION_MEMBER_LINES: usize = 16;

/// Parses `data` (lossily decoded as UTF-8) with every identifier parser and as a euro amount,
/// and formats whatever comes out.
///
/// # Panics
/// Only when a parser or a `Debug`/`Display` impl panics.
pub fn identifiers(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let mut out = String::new();
    out += &format!("{:?}", Bsn::parse(text));
    out += &format!("{:?}", Iban::parse(text));
    if let Ok(value) = AgbCode::parse(text) {
        out += &format!("{value} {value:?}");
    }
    if let Ok(value) = Postcode::parse(text) {
        out += &format!("{value} {value:?}");
    }
    if let Ok(value) = CreditorId::parse(text) {
        out += &format!("{value} {value:?}");
    }
    if let Ok(value) = MandateId::parse(text) {
        out += &format!("{value} {value:?}");
    }
    if let Ok(value) = ParticipantNumber::parse(text) {
        out += &format!("{value} {value:?}");
    }
    if let Ok(value) = Uzovi::parse(text) {
        out += &format!("{value} {value:?}");
    }
    if let Ok(value) = Cents::parse_eur(text) {
        out += &format!("{value} {value:?}");
    }
    std::hint::black_box(out);
}

/// Splits `data` (lossily decoded as UTF-8) into lines and checks them as an application form:
/// first the [`APPLICATION_CONTRACT_LINES`] contract fields (start date, IBAN, account holder,
/// AGB code, practice name, provider-view consent, mandate signed), then
/// [`APPLICATION_MEMBER_LINES`] lines per member (role, first names, initials, surname prefix,
/// surname, date of birth, gender, street, house number, addition, postcode, city, email,
/// phone, BSN, annual budget). Missing lines are empty fields; one trailing newline is not a
/// line of its own, so a seed file may end with one.
///
/// # Panics
/// Only when [`check_application`] panics.
pub fn application(data: &[u8]) {
    let form = application_form(&String::from_utf8_lossy(data));
    let _result = check_application(&form, &initial().terms, APPLICATION_TODAY);
}

/// The application form that [`application`] checks for `text`.
#[must_use]
pub fn application_form(text: &str) -> ApplicationForm {
    let text = text.strip_suffix('\n').unwrap_or(text);
    let mut lines = text.split('\n').map(str::to_owned);
    let mut next = || lines.next().unwrap_or_default();
    let mut form = ApplicationForm {
        members: Vec::new(),
        start_date: next(),
        iban: next(),
        account_holder: next(),
        dentist_agb_code: next(),
        practice_name: next(),
        provider_view_consent: next(),
        mandate_signed: next(),
    };
    let member_lines = text
        .split('\n')
        .count()
        .saturating_sub(APPLICATION_CONTRACT_LINES);
    for _ in 0..member_lines.div_ceil(APPLICATION_MEMBER_LINES) {
        form.members.push(MemberForm {
            role: next(),
            first_names: next(),
            initials: next(),
            surname_prefix: next(),
            surname: next(),
            date_of_birth: next(),
            gender: next(),
            street: next(),
            house_number: next(),
            house_number_addition: next(),
            postcode: next(),
            city: next(),
            email: next(),
            phone: next(),
            bsn: next(),
            annual_budget_eur: next(),
        });
    }
    form
}
