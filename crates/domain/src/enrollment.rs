//! The acceptance policy (`PRODUCT.md`, "Enrollment and acceptance policy"): an application
//! form as typed by the applicant is parsed into a typed [`Application`], and every rule it
//! breaks is reported as a [`FieldError`] with a stable [`AcceptanceRule`] code.
//!
//! Two rules need the database (a second active contract, an unpaid closed contract): the app
//! looks the people up by BSN blind index or [`PersonKey`] and hands the facts to
//! [`check_history`]. Changing the annual budget later follows [`check_budget_change`].
//!
//! No error text repeats what the applicant typed: errors name the field and the rule.

use std::fmt;

use time::{Date, Month};

use crate::identifiers::{AgbCode, AgbError, Bsn, BsnError, Iban, IbanError, Postcode};
use crate::money::Cents;
use crate::person::Gender;
use crate::privacy::request::{CheckedField, ContactField};
use crate::termination::{add_months_clamped, first_of_next_month};
use crate::terms::{HouseholdRole, ProductTerms, age_on};

/// Most participants on one contract (main participant included).
pub const MEMBERS_MAX: usize = 12;
/// Most field errors one check reports; the rest are dropped (the form is refused anyway).
pub const FIELD_ERRORS_MAX: usize = 100;
/// Longest first names or surname.
pub const NAME_CHARS_MAX: usize = 100;
/// Longest initials.
pub const INITIALS_CHARS_MAX: usize = 20;
/// Longest surname prefix ("van der", "in 't").
pub const SURNAME_PREFIX_CHARS_MAX: usize = 20;
/// Longest street name.
pub const STREET_CHARS_MAX: usize = 100;
/// Longest house-number addition ("A", "bis", "2 hoog").
pub const HOUSE_NUMBER_ADDITION_CHARS_MAX: usize = 10;
/// Largest house number.
pub const HOUSE_NUMBER_MAX: u32 = 99_999;
/// Longest city name.
pub const CITY_CHARS_MAX: usize = 80;
/// Longest email address (the limit of a forward path in RFC 5321).
pub const EMAIL_CHARS_MAX: usize = 254;
/// Longest phone number as typed, separators included.
pub const PHONE_CHARS_MAX: usize = 20;
/// Fewest digits in a phone number (a Dutch number has ten: `0612345678`).
pub const PHONE_DIGITS_MIN: usize = 10;
/// Most digits in a phone number (ITU-T E.164).
pub const PHONE_DIGITS_MAX: usize = 15;
/// Longest account-holder name: the SEPA `Dbtr/Nm` limit.
pub const ACCOUNT_HOLDER_CHARS_MAX: usize = 70;
/// Longest practice name.
pub const PRACTICE_NAME_CHARS_MAX: usize = 100;
/// Longest raw text looked at for a short coded field (role, gender, yes/no, date, amount).
const CODED_FIELD_CHARS_MAX: usize = 32;

/// A rule of the acceptance policy that a field breaks. [`AcceptanceRule::code`] is stable (for
/// APIs and translations); `Display` is an English sentence without any personal data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AcceptanceRule {
    /// The field is empty but required.
    Required,
    /// The field is longer than its limit.
    TooLong,
    /// The field holds a control character (for example a line break).
    InvalidCharacter,
    /// The field is not one of the offered choices (role, gender, yes/no).
    InvalidChoice,
    /// The field is not a date in the form `YYYY-MM-DD`.
    InvalidDate,
    /// The house number is not a whole number from 1 to [`HOUSE_NUMBER_MAX`].
    InvalidNumber,
    /// The annual budget is not a euro amount.
    InvalidAmount,
    /// The date of birth lies after today.
    DateOfBirthInFuture,
    /// The main participant is younger than 18 on the start date.
    MainNotAdult,
    /// A partner is younger than 18 on the start date.
    PartnerNotAdult,
    /// A child is 18 or older on the start date (and should be a partner or further adult).
    ChildNotMinor,
    /// The start date is not the first day of a month.
    StartNotFirstOfMonth,
    /// The start date lies before today.
    StartInPast,
    /// The start date lies more than `start_date_months_ahead_max` months after today.
    StartTooFarAhead,
    /// The IBAN has a wrong length, format or check digits.
    InvalidIban,
    /// The IBAN belongs to a country outside SEPA.
    IbanNotSepa,
    /// The postcode is not a Dutch postcode (`1234 AB`).
    InvalidPostcode,
    /// The BSN is not 9 digits.
    BsnFormat,
    /// The BSN fails the 11-check.
    BsnElevenCheck,
    /// The AGB code is not 8 digits.
    AgbFormat,
    /// The email address fails the syntax rule of [`EmailAddress::parse`].
    InvalidEmail,
    /// The phone number has other characters than digits, spaces, `+ - ( )`, or not 10 to 15
    /// digits.
    InvalidPhone,
    /// The monthly saving amount (annual budget / 12) is below the minimum.
    SavingBelowMinimum,
    /// The monthly saving amount (annual budget / 12) is above the maximum.
    SavingAboveMaximum,
    /// The SEPA mandate was not signed.
    MandateNotSigned,
    /// The person already has an active contract.
    DuplicateActiveContract,
    /// The person has a closed contract with an unpaid balance.
    UnpaidClosedContract,
    /// More than [`MEMBERS_MAX`] participants.
    TooManyMembers,
    /// No participant has the role `main`.
    NoMainParticipant,
    /// More than one participant has the role `main`.
    MoreThanOneMain,
}

impl AcceptanceRule {
    /// Every rule, for documentation and tests.
    pub const ALL: [AcceptanceRule; 30] = [
        AcceptanceRule::Required,
        AcceptanceRule::TooLong,
        AcceptanceRule::InvalidCharacter,
        AcceptanceRule::InvalidChoice,
        AcceptanceRule::InvalidDate,
        AcceptanceRule::InvalidNumber,
        AcceptanceRule::InvalidAmount,
        AcceptanceRule::DateOfBirthInFuture,
        AcceptanceRule::MainNotAdult,
        AcceptanceRule::PartnerNotAdult,
        AcceptanceRule::ChildNotMinor,
        AcceptanceRule::StartNotFirstOfMonth,
        AcceptanceRule::StartInPast,
        AcceptanceRule::StartTooFarAhead,
        AcceptanceRule::InvalidIban,
        AcceptanceRule::IbanNotSepa,
        AcceptanceRule::InvalidPostcode,
        AcceptanceRule::BsnFormat,
        AcceptanceRule::BsnElevenCheck,
        AcceptanceRule::AgbFormat,
        AcceptanceRule::InvalidEmail,
        AcceptanceRule::InvalidPhone,
        AcceptanceRule::SavingBelowMinimum,
        AcceptanceRule::SavingAboveMaximum,
        AcceptanceRule::MandateNotSigned,
        AcceptanceRule::DuplicateActiveContract,
        AcceptanceRule::UnpaidClosedContract,
        AcceptanceRule::TooManyMembers,
        AcceptanceRule::NoMainParticipant,
        AcceptanceRule::MoreThanOneMain,
    ];

    /// The stable code, for example `acceptance.main_not_adult`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        self.texts().0
    }

    /// The rule as an English sentence (also the `Display` text).
    #[must_use]
    pub const fn description(self) -> &'static str {
        self.texts().1
    }

    const fn texts(self) -> (&'static str, &'static str) {
        match self {
            AcceptanceRule::Required => ("acceptance.required", "this field is required"),
            AcceptanceRule::TooLong => ("acceptance.too_long", "this field is too long"),
            AcceptanceRule::InvalidCharacter => (
                "acceptance.invalid_character",
                "this field may not contain control characters or line breaks",
            ),
            AcceptanceRule::InvalidChoice => (
                "acceptance.invalid_choice",
                "this field must be one of the offered choices",
            ),
            AcceptanceRule::InvalidDate => (
                "acceptance.invalid_date",
                "this field must be a date written as YYYY-MM-DD",
            ),
            AcceptanceRule::InvalidNumber => (
                "acceptance.invalid_number",
                "house number must be a whole number from 1 to 99999",
            ),
            AcceptanceRule::InvalidAmount => (
                "acceptance.invalid_amount",
                "annual budget must be an amount in euros, like 300 or 300.00",
            ),
            AcceptanceRule::DateOfBirthInFuture => (
                "acceptance.date_of_birth_in_future",
                "date of birth cannot lie in the future",
            ),
            AcceptanceRule::MainNotAdult => (
                "acceptance.main_not_adult",
                "the main participant must be 18 or older on the start date",
            ),
            AcceptanceRule::PartnerNotAdult => (
                "acceptance.partner_not_adult",
                "a partner must be 18 or older on the start date",
            ),
            AcceptanceRule::ChildNotMinor => (
                "acceptance.child_not_minor",
                "a child must be younger than 18 on the start date",
            ),
            AcceptanceRule::StartNotFirstOfMonth => (
                "acceptance.start_not_first_of_month",
                "start date must be the first day of a month",
            ),
            AcceptanceRule::StartInPast => (
                "acceptance.start_in_past",
                "start date cannot lie in the past",
            ),
            AcceptanceRule::StartTooFarAhead => (
                "acceptance.start_too_far_ahead",
                "start date lies too far ahead",
            ),
            AcceptanceRule::InvalidIban => (
                "acceptance.invalid_iban",
                "IBAN has a wrong length, format or check digits",
            ),
            AcceptanceRule::IbanNotSepa => (
                "acceptance.iban_not_sepa",
                "IBAN must belong to a SEPA country",
            ),
            AcceptanceRule::InvalidPostcode => (
                "acceptance.invalid_postcode",
                "postcode must be four digits and two letters, like 1234 AB",
            ),
            AcceptanceRule::BsnFormat => ("acceptance.bsn_format", "BSN must have 9 digits"),
            AcceptanceRule::BsnElevenCheck => {
                ("acceptance.bsn_eleven_check", "BSN fails the 11-check")
            }
            AcceptanceRule::AgbFormat => ("acceptance.agb_format", "AGB code must be 8 digits"),
            AcceptanceRule::InvalidEmail => {
                ("acceptance.invalid_email", "email address is not valid")
            }
            AcceptanceRule::InvalidPhone => (
                "acceptance.invalid_phone",
                "phone number must have 10 to 15 digits",
            ),
            AcceptanceRule::SavingBelowMinimum => (
                "acceptance.saving_below_minimum",
                "the monthly saving amount is below the minimum",
            ),
            AcceptanceRule::SavingAboveMaximum => (
                "acceptance.saving_above_maximum",
                "the monthly saving amount is above the maximum",
            ),
            AcceptanceRule::MandateNotSigned => (
                "acceptance.mandate_not_signed",
                "the SEPA direct-debit mandate must be signed",
            ),
            AcceptanceRule::DuplicateActiveContract => (
                "acceptance.duplicate_active_contract",
                "this person already has an active contract",
            ),
            AcceptanceRule::UnpaidClosedContract => (
                "acceptance.unpaid_closed_contract",
                "this person has a closed contract that is not paid",
            ),
            AcceptanceRule::TooManyMembers => (
                "acceptance.too_many_members",
                "a contract has at most 12 participants",
            ),
            AcceptanceRule::NoMainParticipant => (
                "acceptance.no_main_participant",
                "exactly one participant must be the main participant",
            ),
            AcceptanceRule::MoreThanOneMain => (
                "acceptance.more_than_one_main",
                "only one participant can be the main participant",
            ),
        }
    }
}

impl fmt::Display for AcceptanceRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// One broken rule of one field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {rule}")]
pub struct FieldError {
    /// The field path: `iban`, `start_date`, `members`, `members[1]` or
    /// `members[1].date_of_birth`. Never a value.
    pub field: String,
    /// The rule the field breaks.
    pub rule: AcceptanceRule,
}

/// One participant on the application form, as typed. Empty text means "not given".
#[derive(Clone, Default, PartialEq, Eq)]
pub struct MemberForm {
    /// `main`, `partner` or `child`.
    pub role: String,
    /// First names (either these or the initials are required).
    pub first_names: String,
    /// Initials.
    pub initials: String,
    /// Surname prefix, for example `van der` (optional).
    pub surname_prefix: String,
    /// Surname without prefix.
    pub surname: String,
    /// Date of birth, `YYYY-MM-DD`.
    pub date_of_birth: String,
    /// `female`, `male`, `other` or `unknown`.
    pub gender: String,
    /// Street. A further participant may leave the whole address (street, house number,
    /// addition, postcode, city) empty to live at the main participant's address.
    pub street: String,
    /// House number, digits only.
    pub house_number: String,
    /// House-number addition (optional).
    pub house_number_addition: String,
    /// Dutch postcode.
    pub postcode: String,
    /// City.
    pub city: String,
    /// Email address: required for the main participant (the portal account), optional for
    /// others.
    pub email: String,
    /// Phone number (optional).
    pub phone: String,
    /// BSN (optional; only where the operator has a legal ground, see `PRIVACY.md`).
    pub bsn: String,
    /// Desired annual budget in euros, like `300` or `300.00`.
    pub annual_budget_eur: String,
}

impl fmt::Debug for MemberForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemberForm").finish_non_exhaustive()
    }
}

/// An application as typed by the applicant: the household and the contract fields.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ApplicationForm {
    /// The participants; exactly one has the role `main`. At most [`MEMBERS_MAX`].
    pub members: Vec<MemberForm>,
    /// Start date, `YYYY-MM-DD`, the first day of a month.
    pub start_date: String,
    /// The IBAN to collect from.
    pub iban: String,
    /// Name of the account holder.
    pub account_holder: String,
    /// AGB code of the dentist or practice (optional when a practice name is given).
    pub dentist_agb_code: String,
    /// Name of the practice (optional when an AGB code is given).
    pub practice_name: String,
    /// `yes` or `no`: may the provider see the budget?
    pub provider_view_consent: String,
    /// `yes` when the SEPA mandate was signed.
    pub mandate_signed: String,
}

impl fmt::Debug for ApplicationForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApplicationForm")
            .field("members", &self.members.len())
            .finish_non_exhaustive()
    }
}

/// An email address that passed the simple syntax rule of [`EmailAddress::parse`]. Contact data:
/// `Debug` is redacted and the text comes out only through [`EmailAddress::expose`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses an email address with a deliberately simple rule (the real check is the
    /// activation mail): surrounding whitespace is trimmed; at most [`EMAIL_CHARS_MAX`]
    /// characters; no whitespace or control characters; exactly one `@`; a non-empty part
    /// before it; after it a domain that contains a dot and neither starts nor ends with one.
    ///
    /// # Errors
    /// [`AcceptanceRule::TooLong`] or [`AcceptanceRule::InvalidEmail`].
    pub fn parse(text: &str) -> Result<EmailAddress, AcceptanceRule> {
        let trimmed = text.trim();
        if longer_than(trimmed, EMAIL_CHARS_MAX) {
            return Err(AcceptanceRule::TooLong);
        }
        let no_spaces = !trimmed.chars().any(|c| c.is_whitespace() || c.is_control());
        let valid = no_spaces
            && match trimmed.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                }
                None => false,
            };
        if valid {
            Ok(EmailAddress(trimmed.to_owned()))
        } else {
            Err(AcceptanceRule::InvalidEmail)
        }
    }

    /// The address, for sending mail. Never log it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EmailAddress(***)")
    }
}

/// A parsed address.
#[derive(Clone, PartialEq, Eq)]
pub struct Address {
    /// Street.
    pub street: String,
    /// House number, 1..=[`HOUSE_NUMBER_MAX`].
    pub house_number: u32,
    /// House-number addition, if any.
    pub house_number_addition: Option<String>,
    /// Postcode.
    pub postcode: Postcode,
    /// City.
    pub city: String,
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Address(***)")
    }
}

/// One accepted participant of an [`Application`].
#[derive(Clone, PartialEq, Eq)]
pub struct Member {
    /// Role in the household.
    pub role: HouseholdRole,
    /// First names (may be empty when initials are given).
    pub first_names: String,
    /// Initials (may be empty when first names are given).
    pub initials: String,
    /// Surname prefix, if any.
    pub surname_prefix: Option<String>,
    /// Surname.
    pub surname: String,
    /// Date of birth.
    pub date_of_birth: Date,
    /// Gender.
    pub gender: Gender,
    /// Address (a further participant who left it empty has the main participant's).
    pub address: Address,
    /// Email address (always present for the main participant).
    pub email: Option<EmailAddress>,
    /// Phone number as typed, trimmed.
    pub phone: Option<String>,
    /// BSN, if given.
    pub bsn: Option<Bsn>,
    /// Desired annual budget.
    pub annual_budget: Cents,
}

impl Member {
    /// The key for finding the same person without a BSN; see [`PersonKey`].
    #[must_use]
    pub fn person_key(&self) -> PersonKey {
        PersonKey::new(
            self.surname_prefix.as_deref().unwrap_or(""),
            &self.surname,
            self.date_of_birth,
            self.address.postcode.clone(),
        )
    }
}

impl fmt::Debug for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Member")
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// An application that passed every rule [`check_application`] can check on its own.
///
/// Only [`check_application`] builds one. `Debug` shows roles and contract facts, never names,
/// identifiers, contact data or amounts.
#[derive(Clone, PartialEq, Eq)]
pub struct Application {
    members: Vec<Member>,
    start_date: Date,
    iban: Iban,
    account_holder: String,
    dentist_agb_code: Option<AgbCode>,
    practice_name: Option<String>,
    provider_view_consent: bool,
}

impl Application {
    /// The participants in form order (so index `i` is `members[i]` in field errors); exactly
    /// one is the main participant.
    #[must_use]
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// The main participant.
    #[must_use]
    pub fn main_member(&self) -> &Member {
        self.members
            .iter()
            .find(|member| member.role == HouseholdRole::Main)
            .expect("BUG: check_application accepts only forms with exactly one main participant")
    }

    /// The start date: the first of a month, not in the past.
    #[must_use]
    pub fn start_date(&self) -> Date {
        self.start_date
    }

    /// The IBAN to collect from.
    #[must_use]
    pub fn iban(&self) -> &Iban {
        &self.iban
    }

    /// The account holder's name.
    #[must_use]
    pub fn account_holder(&self) -> &str {
        &self.account_holder
    }

    /// The dentist's or practice's AGB code, if given.
    #[must_use]
    pub fn dentist_agb_code(&self) -> Option<&AgbCode> {
        self.dentist_agb_code.as_ref()
    }

    /// The practice name, if given.
    #[must_use]
    pub fn practice_name(&self) -> Option<&str> {
        self.practice_name.as_deref()
    }

    /// Whether the provider may see the budget.
    #[must_use]
    pub fn provider_view_consent(&self) -> bool {
        self.provider_view_consent
    }

    /// One [`PersonKey`] per member, in member order, for the duplicate look-up.
    #[must_use]
    pub fn person_keys(&self) -> Vec<PersonKey> {
        self.members.iter().map(Member::person_key).collect()
    }
}

impl fmt::Debug for Application {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let roles: Vec<HouseholdRole> = self.members.iter().map(|member| member.role).collect();
        f.debug_struct("Application")
            .field("roles", &roles)
            .field("start_date", &self.start_date)
            .field("provider_view_consent", &self.provider_view_consent)
            .finish_non_exhaustive()
    }
}

/// Identifies a person without a BSN: normalised surname + date of birth + postcode
/// (`PRODUCT.md`: "same surname + date of birth + postcode").
///
/// Surname normalisation ([`normalise_surname`]): prefix and surname joined, lower-cased, and
/// everything but letters and digits removed, so "van der Berg", "Van der Berg" and
/// "vanderberg" match, and so do "'t Hart" and "T Hart". Diacritics are kept ("Müller" and
/// "Muller" differ). `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonKey {
    surname_normalised: String,
    date_of_birth: Date,
    postcode: Postcode,
}

impl PersonKey {
    /// Builds the key, normalising the surname.
    #[must_use]
    pub fn new(
        surname_prefix: &str,
        surname: &str,
        date_of_birth: Date,
        postcode: Postcode,
    ) -> PersonKey {
        PersonKey {
            surname_normalised: normalise_surname(surname_prefix, surname),
            date_of_birth,
            postcode,
        }
    }

    /// The normalised surname. Personal data: never log it.
    #[must_use]
    pub fn surname_normalised(&self) -> &str {
        &self.surname_normalised
    }

    /// The date of birth.
    #[must_use]
    pub fn date_of_birth(&self) -> Date {
        self.date_of_birth
    }

    /// The postcode.
    #[must_use]
    pub fn postcode(&self) -> &Postcode {
        &self.postcode
    }
}

impl fmt::Debug for PersonKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonKey(***)")
    }
}

/// The surname as compared for duplicates: prefix + surname, lower case, letters and digits
/// only. See [`PersonKey`].
#[must_use]
pub fn normalise_surname(surname_prefix: &str, surname: &str) -> String {
    surname_prefix
        .chars()
        .chain(surname.chars())
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// What the app found about one member in the database (by BSN blind index or [`PersonKey`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberHistory {
    /// Index into [`Application::members`].
    pub member_index: usize,
    /// The person has an active contract.
    pub active_contract: bool,
    /// The person has a closed contract with an unpaid balance.
    pub unpaid_closed_contract: bool,
}

/// The two acceptance rules that need the database: no second active contract and no unpaid
/// closed contract for the same person. Errors name `members[i]`.
///
/// # Errors
/// One [`FieldError`] per broken rule per member ([`AcceptanceRule::DuplicateActiveContract`],
/// [`AcceptanceRule::UnpaidClosedContract`]). Facts for an index outside the application are a
/// caller bug and are ignored (with a debug assertion).
pub fn check_history(app: &Application, facts: &[MemberHistory]) -> Result<(), Vec<FieldError>> {
    let mut errors = Errors::default();
    for fact in facts.iter().take(FIELD_ERRORS_MAX) {
        debug_assert!(
            fact.member_index < app.members.len(),
            "history for a member that is not on the application"
        );
        if fact.member_index >= app.members.len() {
            continue;
        }
        let at = At::member(fact.member_index, "");
        if fact.active_contract {
            errors.push(at, AcceptanceRule::DuplicateActiveContract);
        }
        if fact.unpaid_closed_contract {
            errors.push(at, AcceptanceRule::UnpaidClosedContract);
        }
    }
    errors.into_result(())
}

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
struct At<'a> {
    member: Option<usize>,
    name: &'a str,
}

impl<'a> At<'a> {
    fn contract(name: &'a str) -> At<'a> {
        At { member: None, name }
    }

    fn member(index: usize, name: &'a str) -> At<'a> {
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
struct Errors {
    list: Vec<FieldError>,
}

impl Errors {
    fn push(&mut self, at: At<'_>, rule: AcceptanceRule) {
        if self.list.len() < FIELD_ERRORS_MAX {
            self.list.push(FieldError {
                field: at.path(),
                rule,
            });
        }
    }

    fn into_result<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.list.is_empty() {
            Ok(value)
        } else {
            Err(self.list)
        }
    }
}

/// Whether `text` has more than `chars_max` characters, without counting past the limit.
fn longer_than(text: &str, chars_max: usize) -> bool {
    text.chars().nth(chars_max).is_some()
}

/// A free-text field, trimmed: `Some("")` when empty and optional, `None` after reporting
/// [`AcceptanceRule::Required`], [`AcceptanceRule::TooLong`] or
/// [`AcceptanceRule::InvalidCharacter`].
fn text(
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
fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// A required field parsed with `parse`; reports `Required` when empty, or the rule `parse`
/// returns.
fn required<T>(
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
fn optional<T>(
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
fn parse_date(text: &str) -> Result<Date, AcceptanceRule> {
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
fn parse_choice<T: Copy>(text: &str, choices: &[(&str, T)]) -> Result<T, AcceptanceRule> {
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

/// The household: count and main-participant rules, then each member. `None` when any member
/// failed (the errors are reported).
fn check_members(
    errors: &mut Errors,
    forms: &[MemberForm],
    terms: &ProductTerms,
    today: Date,
    start_date: Option<Date>,
) -> Option<Vec<Member>> {
    if forms.len() > MEMBERS_MAX {
        errors.push(At::contract("members"), AcceptanceRule::TooManyMembers);
    }
    let forms = &forms[..forms.len().min(MEMBERS_MAX)];
    let is_main = |form: &MemberForm| form.role.trim().eq_ignore_ascii_case("main");
    if !forms.iter().any(is_main) {
        errors.push(At::contract("members"), AcceptanceRule::NoMainParticipant);
    }
    let context = MemberContext {
        terms,
        today,
        start_date,
    };
    let mut parsed = Vec::with_capacity(forms.len());
    let mut main_seen = false;
    for (index, form) in forms.iter().enumerate() {
        // Only the first main participant must give an address and an email address; a second
        // one is reported once, as MoreThanOneMain, not again for every field a main needs.
        let first_main = is_main(form) && !main_seen;
        if is_main(form) && main_seen {
            errors.push(At::member(index, "role"), AcceptanceRule::MoreThanOneMain);
        }
        main_seen |= is_main(form);
        parsed.push(check_member(errors, index, form, first_main, &context));
    }
    inherit_addresses(parsed)
}

/// What every member check needs besides the member.
struct MemberContext<'a> {
    terms: &'a ProductTerms,
    today: Date,
    start_date: Option<Date>,
}

/// A member whose fields parsed; the address is `None` when left empty by a further
/// participant (it is taken from the main participant).
struct ParsedMember {
    member: MemberWithoutAddress,
    address: Option<Address>,
}

/// Every field of [`Member`] but the address.
struct MemberWithoutAddress {
    role: HouseholdRole,
    first_names: String,
    initials: String,
    surname_prefix: Option<String>,
    surname: String,
    date_of_birth: Date,
    gender: Gender,
    email: Option<EmailAddress>,
    phone: Option<String>,
    bsn: Option<Bsn>,
    annual_budget: Cents,
}

/// Gives further participants without an address the main participant's address. `None` when
/// any member did not parse.
fn inherit_addresses(parsed: Vec<Option<ParsedMember>>) -> Option<Vec<Member>> {
    let parsed: Vec<ParsedMember> = parsed.into_iter().collect::<Option<_>>()?;
    let main_address = parsed
        .iter()
        .find(|member| member.member.role == HouseholdRole::Main)
        .and_then(|member| member.address.clone())?;
    let members = parsed
        .into_iter()
        .map(|ParsedMember { member, address }| Member {
            role: member.role,
            first_names: member.first_names,
            initials: member.initials,
            surname_prefix: member.surname_prefix,
            surname: member.surname,
            date_of_birth: member.date_of_birth,
            gender: member.gender,
            address: address.unwrap_or_else(|| main_address.clone()),
            email: member.email,
            phone: member.phone,
            bsn: member.bsn,
            annual_budget: member.annual_budget,
        })
        .collect();
    Some(members)
}

/// One member's fields. `None` when any field failed (the errors are reported). `first_main`
/// says whether this is the (first) main participant, who must give an address and an email
/// address even when the role text is the only thing that parsed.
fn check_member(
    errors: &mut Errors,
    index: usize,
    form: &MemberForm,
    first_main: bool,
    context: &MemberContext<'_>,
) -> Option<ParsedMember> {
    let at = |name| At::member(index, name);
    let role = required(errors, at("role"), &form.role, |text| {
        parse_choice(
            text,
            &[
                ("main", HouseholdRole::Main),
                ("partner", HouseholdRole::Partner),
                ("child", HouseholdRole::Child),
            ],
        )
    });
    let names = check_names(errors, index, form);
    let date_of_birth = check_date_of_birth(errors, at("date_of_birth"), form, role, context);
    let gender = required(errors, at("gender"), &form.gender, parse_gender);
    let address = check_address(errors, index, form, first_main);
    let email = if first_main {
        required(errors, at("email"), &form.email, EmailAddress::parse).map(Some)
    } else {
        optional(errors, at("email"), &form.email, EmailAddress::parse)
    };
    let phone = optional(errors, at("phone"), &form.phone, parse_phone);
    let bsn = optional(errors, at("bsn"), &form.bsn, parse_bsn);
    let annual_budget = check_annual_budget(errors, at("annual_budget_eur"), form, context.terms);
    let (first_names, initials, surname_prefix, surname) = names?;
    Some(ParsedMember {
        member: MemberWithoutAddress {
            role: role?,
            first_names,
            initials,
            surname_prefix,
            surname,
            date_of_birth: date_of_birth?,
            gender: gender?,
            email: email?,
            phone: phone?,
            bsn: bsn?,
            annual_budget: annual_budget?,
        },
        address: address?,
    })
}

/// First names, initials, prefix and surname. At least one of first names and initials is
/// required; when both are empty the error names `first_names`.
fn check_names(
    errors: &mut Errors,
    index: usize,
    form: &MemberForm,
) -> Option<(String, String, Option<String>, String)> {
    let at = |name| At::member(index, name);
    let first_names = text(
        errors,
        at("first_names"),
        &form.first_names,
        NAME_CHARS_MAX,
        false,
    );
    let initials = text(
        errors,
        at("initials"),
        &form.initials,
        INITIALS_CHARS_MAX,
        false,
    );
    let prefix = text(
        errors,
        at("surname_prefix"),
        &form.surname_prefix,
        SURNAME_PREFIX_CHARS_MAX,
        false,
    );
    let surname = text(errors, at("surname"), &form.surname, NAME_CHARS_MAX, true);
    let (first_names, initials) = (first_names?, initials?);
    if first_names.is_empty() && initials.is_empty() {
        errors.push(at("first_names"), AcceptanceRule::Required);
        return None;
    }
    Some((first_names, initials, non_empty(prefix?), surname?))
}

/// The date of birth, not in the future, and the age rule of the role on the start date.
fn check_date_of_birth(
    errors: &mut Errors,
    at: At<'_>,
    form: &MemberForm,
    role: Option<HouseholdRole>,
    context: &MemberContext<'_>,
) -> Option<Date> {
    let birth = required(errors, at, &form.date_of_birth, parse_date)?;
    if birth > context.today {
        errors.push(at, AcceptanceRule::DateOfBirthInFuture);
    }
    if let (Some(role), Some(start)) = (role, context.start_date) {
        let adult = context.terms.is_adult(age_on(birth, start));
        let broken = match role {
            HouseholdRole::Main => (!adult).then_some(AcceptanceRule::MainNotAdult),
            HouseholdRole::Partner => (!adult).then_some(AcceptanceRule::PartnerNotAdult),
            HouseholdRole::Child => adult.then_some(AcceptanceRule::ChildNotMinor),
        };
        if let Some(rule) = broken {
            errors.push(at, rule);
        }
    }
    Some(birth)
}

/// The address. Anyone but the first main participant may leave all five fields empty and gets
/// `Some(None)`: the main participant's address is used.
fn check_address(
    errors: &mut Errors,
    index: usize,
    form: &MemberForm,
    first_main: bool,
) -> Option<Option<Address>> {
    let fields = [
        &form.street,
        &form.house_number,
        &form.house_number_addition,
        &form.postcode,
        &form.city,
    ];
    if !first_main && fields.iter().all(|field| field.trim().is_empty()) {
        return Some(None);
    }
    let at = |name| At::member(index, name);
    let street = text(errors, at("street"), &form.street, STREET_CHARS_MAX, true);
    let house_number = required(
        errors,
        at("house_number"),
        &form.house_number,
        parse_house_number,
    );
    let addition = text(
        errors,
        at("house_number_addition"),
        &form.house_number_addition,
        HOUSE_NUMBER_ADDITION_CHARS_MAX,
        false,
    );
    let postcode = required(errors, at("postcode"), &form.postcode, parse_postcode);
    let city = text(errors, at("city"), &form.city, CITY_CHARS_MAX, true);
    Some(Some(Address {
        street: street?,
        house_number: house_number?,
        house_number_addition: non_empty(addition?),
        postcode: postcode?,
        city: city?,
    }))
}

/// The annual budget: a euro amount whose monthly saving lies within the bounds.
fn check_annual_budget(
    errors: &mut Errors,
    at: At<'_>,
    form: &MemberForm,
    terms: &ProductTerms,
) -> Option<Cents> {
    let annual = required(errors, at, &form.annual_budget_eur, |text| {
        Cents::parse_eur(text).map_err(|_| AcceptanceRule::InvalidAmount)
    })?;
    let monthly = Cents::monthly_saving(annual);
    if monthly < terms.saving_cents_monthly_min {
        errors.push(at, AcceptanceRule::SavingBelowMinimum);
        return None;
    }
    if monthly > terms.saving_cents_monthly_max {
        errors.push(at, AcceptanceRule::SavingAboveMaximum);
        return None;
    }
    Some(annual)
}

/// A phone number: digits, spaces and `+ - ( )` only, a `+` only in front, and
/// [`PHONE_DIGITS_MIN`]..=[`PHONE_DIGITS_MAX`] digits.
fn parse_phone(text: &str) -> Result<String, AcceptanceRule> {
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
fn parse_gender(text: &str) -> Result<Gender, AcceptanceRule> {
    let choices: Vec<(&str, Gender)> = Gender::ALL.iter().map(|g| (g.as_str(), *g)).collect();
    parse_choice(text, &choices)
}

/// A house number from 1 to [`HOUSE_NUMBER_MAX`], digits only.
fn parse_house_number(text: &str) -> Result<u32, AcceptanceRule> {
    text.parse::<u32>()
        .ok()
        .filter(|number| (1..=HOUSE_NUMBER_MAX).contains(number) && !text.starts_with('+'))
        .ok_or(AcceptanceRule::InvalidNumber)
}

/// A Dutch postcode.
fn parse_postcode(text: &str) -> Result<Postcode, AcceptanceRule> {
    Postcode::parse(text).map_err(|_| AcceptanceRule::InvalidPostcode)
}

/// A BSN: format errors and the 11-check are told apart (an all-zero number fails the check).
fn parse_bsn(text: &str) -> Result<Bsn, AcceptanceRule> {
    Bsn::parse(text).map_err(|error| match error {
        BsnError::Length | BsnError::NonDigit => AcceptanceRule::BsnFormat,
        BsnError::AllZero | BsnError::ElevenCheck => AcceptanceRule::BsnElevenCheck,
    })
}

/// An IBAN: a country outside SEPA is told apart from every other failure.
fn parse_iban(text: &str) -> Result<Iban, AcceptanceRule> {
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

/// An accepted change of the annual budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BudgetChange {
    /// The first day the new budget (and its saving amount and credit line) applies.
    pub effective_from: Date,
    /// The new annual budget.
    pub new_annual: Cents,
    /// The credit line that goes with it: min(new annual budget, cap).
    pub credit_line: Cents,
}

/// Why a change of the annual budget is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BudgetChangeRefusal {
    /// The requested budget equals the current one.
    #[error("the requested annual budget is the current one")]
    Unchanged,
    /// The monthly saving amount of the requested budget is below the minimum.
    #[error("the monthly saving amount is below the minimum")]
    SavingBelowMinimum,
    /// The monthly saving amount of the requested budget is above the maximum.
    #[error("the monthly saving amount is above the maximum")]
    SavingAboveMaximum,
    /// The yearly change (for the next year) was already used this year.
    #[error("the annual budget can be changed only once a year, except upwards")]
    ChangesPerYearExceeded,
    /// The effective date would lie beyond the calendar's range (year 9999).
    #[error("the effective date is out of range")]
    DateOutOfRange,
}

impl BudgetChangeRefusal {
    /// The stable code, for example `budget_change.changes_per_year_exceeded`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            BudgetChangeRefusal::Unchanged => "budget_change.unchanged",
            BudgetChangeRefusal::SavingBelowMinimum => "budget_change.saving_below_minimum",
            BudgetChangeRefusal::SavingAboveMaximum => "budget_change.saving_above_maximum",
            BudgetChangeRefusal::ChangesPerYearExceeded => {
                "budget_change.changes_per_year_exceeded"
            }
            BudgetChangeRefusal::DateOutOfRange => "budget_change.date_out_of_range",
        }
    }
}

/// Whether and from when the annual budget may change (`PRODUCT.md`, "Change of annual
/// budget": "allowed once per year for the next year, or any time upwards").
///
/// - The monthly saving amount of `requested` must lie within the terms' bounds.
/// - Upwards, when `budget_change_upward_any_time`: effective from the first day of the next
///   month; it does not count as the yearly change.
/// - Otherwise (downwards, or upwards when the terms do not allow it any time): effective from
///   1 January of next year, and only while `changes_this_year` (the yearly changes already
///   made in today's calendar year) is below `budget_change_per_year_max`.
///
/// # Errors
/// [`BudgetChangeRefusal`] naming the rule.
pub fn check_budget_change(
    terms: &ProductTerms,
    current: Cents,
    requested: Cents,
    changes_this_year: u8,
    today: Date,
) -> Result<BudgetChange, BudgetChangeRefusal> {
    if requested == current {
        return Err(BudgetChangeRefusal::Unchanged);
    }
    let monthly = Cents::monthly_saving(requested);
    if monthly < terms.saving_cents_monthly_min {
        return Err(BudgetChangeRefusal::SavingBelowMinimum);
    }
    if monthly > terms.saving_cents_monthly_max {
        return Err(BudgetChangeRefusal::SavingAboveMaximum);
    }
    let any_time = requested > current && terms.budget_change_upward_any_time;
    let effective_from = if any_time {
        first_of_next_month(today)
    } else {
        if changes_this_year >= terms.budget_change_per_year_max {
            return Err(BudgetChangeRefusal::ChangesPerYearExceeded);
        }
        today
            .year()
            .checked_add(1)
            .and_then(|year| Date::from_calendar_date(year, Month::January, 1).ok())
    };
    Ok(BudgetChange {
        effective_from: effective_from.ok_or(BudgetChangeRefusal::DateOutOfRange)?,
        new_annual: requested,
        credit_line: terms.credit_line(requested),
    })
}

/// A member's field as corrected after enrollment (self-service or a rectification request),
/// checked by the same rules as on the application form. `Debug` shows the kind only.
#[derive(Clone, PartialEq, Eq)]
pub enum Corrected {
    /// Text, trimmed (a postcode and a gender in their one written form); `None` removes an
    /// optional field.
    Text(Option<String>),
    /// A house number.
    Number(u32),
    /// A date of birth.
    Date(Date),
    /// A BSN.
    Bsn(Bsn),
    /// An IBAN.
    Iban(Iban),
}

impl fmt::Debug for Corrected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Corrected::Text(_) => "Text(..)",
            Corrected::Number(_) => "Number(..)",
            Corrected::Date(_) => "Date(..)",
            Corrected::Bsn(_) => "Bsn(..)",
            Corrected::Iban(_) => "Iban(..)",
        })
    }
}

/// Free text by the form's rule: trimmed, at most `chars_max` characters, no control characters;
/// empty is [`AcceptanceRule::Required`] when `required`, else `""`.
pub fn free_text(raw: &str, chars_max: usize, required: bool) -> Result<String, AcceptanceRule> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return if required {
            Err(AcceptanceRule::Required)
        } else {
            Ok(String::new())
        };
    }
    if longer_than(trimmed, chars_max) {
        return Err(AcceptanceRule::TooLong);
    }
    if trimmed.chars().any(char::is_control) {
        return Err(AcceptanceRule::InvalidCharacter);
    }
    Ok(trimmed.to_owned())
}

/// A contact field corrected by the participant. An empty e-mail address or phone number
/// removes it; the other fields are required, as on the form.
pub fn check_contact_correction(
    field: ContactField,
    raw: &str,
) -> Result<Corrected, AcceptanceRule> {
    let text = |max, required| free_text(raw, max, required).map(|t| Corrected::Text(Some(t)));
    let optional = |parse: fn(&str) -> Result<String, AcceptanceRule>| match raw.trim() {
        "" => Ok(Corrected::Text(None)),
        given => parse(given).map(|t| Corrected::Text(Some(t))),
    };
    match field {
        ContactField::Street => text(STREET_CHARS_MAX, true),
        ContactField::City => text(CITY_CHARS_MAX, true),
        ContactField::HouseNumberAddition => text(HOUSE_NUMBER_ADDITION_CHARS_MAX, false),
        ContactField::HouseNumber => parse_house_number(raw.trim()).map(Corrected::Number),
        ContactField::Postcode => {
            parse_postcode(raw.trim()).map(|p| Corrected::Text(Some(p.as_str().to_owned())))
        }
        ContactField::Email => optional(|t| EmailAddress::parse(t).map(|e| e.expose().to_owned())),
        ContactField::Phone => optional(parse_phone),
    }
}

/// A field that staff check before it changes, as proposed in a rectification request: names
/// (each required on its own here), a date of birth not in the future, a gender, a BSN or an
/// IBAN (its account holder: [`check_account_holder`]).
pub fn check_checked_correction(
    field: CheckedField,
    raw: &str,
    today: Date,
) -> Result<Corrected, AcceptanceRule> {
    let text = |max, required| free_text(raw, max, required).map(|t| Corrected::Text(Some(t)));
    let given = raw.trim();
    match field {
        CheckedField::FirstNames | CheckedField::Surname => text(NAME_CHARS_MAX, true),
        CheckedField::Initials => text(INITIALS_CHARS_MAX, true),
        CheckedField::SurnamePrefix => text(SURNAME_PREFIX_CHARS_MAX, false),
        CheckedField::DateOfBirth => match parse_date(given)? {
            born if born > today => Err(AcceptanceRule::DateOfBirthInFuture),
            born => Ok(Corrected::Date(born)),
        },
        CheckedField::Gender => {
            parse_gender(given).map(|g| Corrected::Text(Some(g.as_str().to_owned())))
        }
        CheckedField::Bsn => parse_bsn(given).map(Corrected::Bsn),
        CheckedField::Iban => parse_iban(given).map(Corrected::Iban),
    }
}

/// The account holder's name of a new IBAN, by the form's rule (the SEPA name limit).
pub fn check_account_holder(raw: &str) -> Result<String, AcceptanceRule> {
    free_text(raw, ACCOUNT_HOLDER_CHARS_MAX, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terms::initial;
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 03 - 15);

    fn member(role: &str, date_of_birth: &str) -> MemberForm {
        MemberForm {
            role: role.to_owned(),
            first_names: "Anna Maria".to_owned(),
            initials: "A.M.".to_owned(),
            surname_prefix: "van der".to_owned(),
            surname: "Berg".to_owned(),
            date_of_birth: date_of_birth.to_owned(),
            gender: "female".to_owned(),
            annual_budget_eur: "300".to_owned(),
            ..MemberForm::default()
        }
    }

    fn valid_form() -> ApplicationForm {
        let main = MemberForm {
            street: "Dorpsstraat".to_owned(),
            house_number: "12".to_owned(),
            house_number_addition: "A".to_owned(),
            postcode: "1234 ab".to_owned(),
            city: "Utrecht".to_owned(),
            email: "anna@example.nl".to_owned(),
            phone: "06-12345678".to_owned(),
            bsn: "111222333".to_owned(),
            ..member("main", "1980-05-05")
        };
        let partner = MemberForm {
            bsn: "999996708".to_owned(),
            annual_budget_eur: "150.00".to_owned(),
            ..member("partner", "1982-01-01")
        };
        ApplicationForm {
            members: vec![main, partner, member("child", "2015-07-07")],
            start_date: "2026-04-01".to_owned(),
            iban: "NL91 ABNA 0417 1643 00".to_owned(),
            account_holder: "A.M. van der Berg".to_owned(),
            dentist_agb_code: "12345678".to_owned(),
            practice_name: String::new(),
            provider_view_consent: "yes".to_owned(),
            mandate_signed: "yes".to_owned(),
        }
    }

    /// The (field, code) pairs of a check, or an empty list when accepted.
    fn errors_of(form: &ApplicationForm) -> Vec<(String, &'static str)> {
        match check_application(form, &initial().terms, TODAY) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .into_iter()
                .map(|error| (error.field, error.rule.code()))
                .collect(),
        }
    }

    /// Asserts that `change` applied to a valid form yields exactly one error.
    fn assert_only_error(
        change: impl FnOnce(&mut ApplicationForm),
        field: &str,
        rule: AcceptanceRule,
    ) {
        let mut form = valid_form();
        change(&mut form);
        assert_eq!(errors_of(&form), vec![(field.to_owned(), rule.code())]);
    }

    #[test]
    fn a_valid_household_is_accepted_and_parsed_into_types() {
        // Act
        let app = check_application(&valid_form(), &initial().terms, TODAY).expect("accepted");
        // Assert
        assert_eq!(app.members().len(), 3);
        assert_eq!(app.start_date(), date!(2026 - 04 - 01));
        assert_eq!(app.iban().expose(), "NL91ABNA0417164300");
        assert_eq!(app.account_holder(), "A.M. van der Berg");
        assert_eq!(
            app.dentist_agb_code().map(AgbCode::as_str),
            Some("12345678")
        );
        assert_eq!(app.practice_name(), None);
        assert!(app.provider_view_consent());
        let main = app.main_member();
        assert_eq!(main.role, HouseholdRole::Main);
        assert_eq!(main.surname_prefix.as_deref(), Some("van der"));
        assert_eq!(main.address.postcode.as_str(), "1234 AB");
        assert_eq!(main.address.house_number, 12);
        assert_eq!(main.address.house_number_addition.as_deref(), Some("A"));
        assert_eq!(
            main.email.as_ref().map(EmailAddress::expose),
            Some("anna@example.nl")
        );
        assert_eq!(main.annual_budget, Cents::new(30_000));
        assert!(main.bsn.is_some());
        let partner = &app.members()[1];
        assert_eq!(partner.annual_budget, Cents::new(15_000));
        assert_eq!(partner.email, None);
        assert_eq!(app.members()[2].bsn, None);
    }

    #[test]
    fn further_participants_without_an_address_live_at_the_main_address() {
        let app = check_application(&valid_form(), &initial().terms, TODAY).expect("accepted");
        assert_eq!(app.members()[1].address, app.main_member().address);
        assert_eq!(app.members()[2].address.city, "Utrecht");
    }

    #[test]
    fn the_debug_output_of_an_application_holds_no_personal_data() {
        let app = check_application(&valid_form(), &initial().terms, TODAY).expect("accepted");
        let debug = format!(
            "{app:?} {:?} {:?} {:?}",
            app.members(),
            valid_form(),
            app.person_keys()
        );
        for secret in [
            "Berg",
            "Anna",
            "111222333",
            "NL91",
            "1234",
            "Dorpsstraat",
            "anna@",
            "30000",
            "1980",
        ] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
        }
        assert!(debug.contains("Main"));
    }

    #[test]
    fn every_rule_has_a_unique_code_and_a_sentence() {
        let mut codes: Vec<_> = AcceptanceRule::ALL.iter().map(|rule| rule.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), AcceptanceRule::ALL.len());
        for rule in AcceptanceRule::ALL {
            assert!(rule.code().starts_with("acceptance."));
            assert!(!rule.to_string().is_empty());
        }
        let error = FieldError {
            field: "iban".to_owned(),
            rule: AcceptanceRule::IbanNotSepa,
        };
        assert_eq!(
            error.to_string(),
            "iban: IBAN must belong to a SEPA country"
        );
    }

    #[test]
    fn an_empty_required_field_is_required() {
        assert_only_error(
            |f| f.members[0].surname = "  ".to_owned(),
            "members[0].surname",
            AcceptanceRule::Required,
        );
        assert_only_error(
            |f| f.account_holder.clear(),
            "account_holder",
            AcceptanceRule::Required,
        );
        assert_only_error(
            |f| f.members[0].email.clear(),
            "members[0].email",
            AcceptanceRule::Required,
        );
        assert_only_error(
            |f| f.start_date.clear(),
            "start_date",
            AcceptanceRule::Required,
        );
    }

    #[test]
    fn first_names_or_initials_are_required() {
        assert_only_error(
            |f| {
                f.members[1].first_names.clear();
                f.members[1].initials.clear();
            },
            "members[1].first_names",
            AcceptanceRule::Required,
        );
        let mut initials_only = valid_form();
        initials_only.members[1].first_names.clear();
        assert_eq!(errors_of(&initials_only), []);
    }

    #[test]
    fn an_agb_code_or_a_practice_name_is_required() {
        assert_only_error(
            |f| f.dentist_agb_code.clear(),
            "dentist_agb_code",
            AcceptanceRule::Required,
        );
        let mut by_name = valid_form();
        by_name.dentist_agb_code.clear();
        by_name.practice_name = "Tandartspraktijk Centrum".to_owned();
        assert_eq!(errors_of(&by_name), []);
    }

    #[test]
    fn a_too_long_text_is_too_long() {
        assert_only_error(
            |f| f.members[0].surname = "x".repeat(101),
            "members[0].surname",
            AcceptanceRule::TooLong,
        );
        assert_only_error(
            |f| f.account_holder = "x".repeat(71),
            "account_holder",
            AcceptanceRule::TooLong,
        );
    }

    #[test]
    fn a_control_character_in_a_text_is_refused() {
        assert_only_error(
            |f| f.members[0].city = "Utr\necht".to_owned(),
            "members[0].city",
            AcceptanceRule::InvalidCharacter,
        );
    }

    #[test]
    fn a_value_outside_the_choices_is_an_invalid_choice() {
        assert_only_error(
            |f| f.members[1].role = "spouse".to_owned(),
            "members[1].role",
            AcceptanceRule::InvalidChoice,
        );
        assert_only_error(
            |f| f.members[2].gender = "f".to_owned(),
            "members[2].gender",
            AcceptanceRule::InvalidChoice,
        );
        assert_only_error(
            |f| f.provider_view_consent = "maybe".to_owned(),
            "provider_view_consent",
            AcceptanceRule::InvalidChoice,
        );
    }

    #[test]
    fn a_date_not_written_as_yyyy_mm_dd_is_invalid() {
        for text in [
            "05-05-1980",
            "1980-02-30",
            "1980-13-01",
            "1980-5-5",
            "+980-05-05",
            "１９８０-05-05",
        ] {
            assert_only_error(
                |f| f.members[0].date_of_birth = text.to_owned(),
                "members[0].date_of_birth",
                AcceptanceRule::InvalidDate,
            );
        }
    }

    #[test]
    fn a_house_number_that_is_not_a_whole_number_is_invalid() {
        for text in ["twelve", "0", "100000", "+12", "12a"] {
            assert_only_error(
                |f| f.members[0].house_number = text.to_owned(),
                "members[0].house_number",
                AcceptanceRule::InvalidNumber,
            );
        }
    }

    #[test]
    fn a_budget_that_is_not_an_amount_is_invalid() {
        assert_only_error(
            |f| f.members[2].annual_budget_eur = "€300".to_owned(),
            "members[2].annual_budget_eur",
            AcceptanceRule::InvalidAmount,
        );
    }

    #[test]
    fn a_date_of_birth_in_the_future_is_refused() {
        assert_only_error(
            |f| f.members[2].date_of_birth = "2026-06-01".to_owned(),
            "members[2].date_of_birth",
            AcceptanceRule::DateOfBirthInFuture,
        );
    }

    #[test]
    fn the_main_participant_must_be_18_on_the_start_date() {
        // 18 on 2026-04-02, the day after the start date.
        assert_only_error(
            |f| f.members[0].date_of_birth = "2008-04-02".to_owned(),
            "members[0].date_of_birth",
            AcceptanceRule::MainNotAdult,
        );
        let mut eighteen_on_the_start_date = valid_form();
        eighteen_on_the_start_date.members[0].date_of_birth = "2008-04-01".to_owned();
        assert_eq!(errors_of(&eighteen_on_the_start_date), []);
    }

    #[test]
    fn a_partner_must_be_an_adult() {
        assert_only_error(
            |f| f.members[1].date_of_birth = "2010-01-01".to_owned(),
            "members[1].date_of_birth",
            AcceptanceRule::PartnerNotAdult,
        );
    }

    #[test]
    fn a_child_must_be_under_18() {
        assert_only_error(
            |f| f.members[2].date_of_birth = "2008-04-01".to_owned(),
            "members[2].date_of_birth",
            AcceptanceRule::ChildNotMinor,
        );
    }

    #[test]
    fn the_start_date_must_be_the_first_of_a_month() {
        assert_only_error(
            |f| f.start_date = "2026-04-02".to_owned(),
            "start_date",
            AcceptanceRule::StartNotFirstOfMonth,
        );
    }

    #[test]
    fn the_start_date_cannot_lie_in_the_past() {
        assert_only_error(
            |f| f.start_date = "2026-03-01".to_owned(),
            "start_date",
            AcceptanceRule::StartInPast,
        );
    }

    #[test]
    fn the_start_date_lies_at_most_six_months_ahead() {
        assert_only_error(
            |f| f.start_date = "2026-10-01".to_owned(),
            "start_date",
            AcceptanceRule::StartTooFarAhead,
        );
        let mut six_months = valid_form();
        six_months.start_date = "2026-09-01".to_owned();
        assert_eq!(errors_of(&six_months), []);
    }

    #[test]
    fn an_iban_failing_mod_97_is_invalid() {
        assert_only_error(
            |f| f.iban = "NL92ABNA0417164300".to_owned(),
            "iban",
            AcceptanceRule::InvalidIban,
        );
    }

    #[test]
    fn an_iban_outside_sepa_is_refused() {
        assert_only_error(
            |f| f.iban = "US64SVBKUS6S3300958879".to_owned(),
            "iban",
            AcceptanceRule::IbanNotSepa,
        );
    }

    #[test]
    fn a_malformed_postcode_is_invalid() {
        assert_only_error(
            |f| f.members[0].postcode = "0123 AB".to_owned(),
            "members[0].postcode",
            AcceptanceRule::InvalidPostcode,
        );
    }

    #[test]
    fn a_bsn_must_have_nine_digits_and_pass_the_11_check() {
        assert_only_error(
            |f| f.members[0].bsn = "1112223".to_owned(),
            "members[0].bsn",
            AcceptanceRule::BsnFormat,
        );
        assert_only_error(
            |f| f.members[0].bsn = "111222334".to_owned(),
            "members[0].bsn",
            AcceptanceRule::BsnElevenCheck,
        );
    }

    #[test]
    fn an_agb_code_must_have_eight_digits() {
        assert_only_error(
            |f| f.dentist_agb_code = "1234567".to_owned(),
            "dentist_agb_code",
            AcceptanceRule::AgbFormat,
        );
    }

    #[test]
    fn an_email_address_must_pass_the_simple_syntax_rule() {
        for text in [
            "anna",
            "@example.nl",
            "anna@example",
            "anna@@example.nl",
            "an na@example.nl",
            "anna@.nl",
            "anna@example.",
        ] {
            assert_only_error(
                |f| f.members[0].email = text.to_owned(),
                "members[0].email",
                AcceptanceRule::InvalidEmail,
            );
        }
        let long = format!("{}@example.nl", "a".repeat(250));
        assert_only_error(
            |f| f.members[0].email = long,
            "members[0].email",
            AcceptanceRule::TooLong,
        );
    }

    #[test]
    fn a_phone_number_needs_ten_to_fifteen_digits() {
        for text in ["12345", "06-1234567x", "06+12345678"] {
            assert_only_error(
                |f| f.members[0].phone = text.to_owned(),
                "members[0].phone",
                AcceptanceRule::InvalidPhone,
            );
        }
        let mut international = valid_form();
        international.members[0].phone = "+31 (6) 1234 5678".to_owned();
        assert_eq!(errors_of(&international), []);
    }

    #[test]
    fn the_monthly_saving_must_reach_the_minimum() {
        // 23.94 / 12 = 1.995, rounded to 2.00: just within; 23.93 gives 1.99.
        assert_only_error(
            |f| f.members[2].annual_budget_eur = "23.93".to_owned(),
            "members[2].annual_budget_eur",
            AcceptanceRule::SavingBelowMinimum,
        );
        let mut at_the_minimum = valid_form();
        at_the_minimum.members[2].annual_budget_eur = "23.94".to_owned();
        assert_eq!(errors_of(&at_the_minimum), []);
    }

    #[test]
    fn the_monthly_saving_may_not_pass_the_maximum() {
        assert_only_error(
            |f| f.members[0].annual_budget_eur = "3000.07".to_owned(),
            "members[0].annual_budget_eur",
            AcceptanceRule::SavingAboveMaximum,
        );
        let mut at_the_maximum = valid_form();
        // 3000.05 / 12 = 250.004…, rounded to 250.00; 3000.06 gives 250.005, rounded to 250.01.
        at_the_maximum.members[0].annual_budget_eur = "3000.05".to_owned();
        assert_eq!(errors_of(&at_the_maximum), []);
    }

    #[test]
    fn the_mandate_must_be_signed() {
        assert_only_error(
            |f| f.mandate_signed = "no".to_owned(),
            "mandate_signed",
            AcceptanceRule::MandateNotSigned,
        );
    }

    #[test]
    fn a_contract_has_at_most_twelve_participants() {
        assert_only_error(
            |f| f.members.resize(13, member("child", "2015-07-07")),
            "members",
            AcceptanceRule::TooManyMembers,
        );
    }

    #[test]
    fn a_contract_needs_a_main_participant() {
        assert_only_error(
            |f| f.members[0].role = "partner".to_owned(),
            "members",
            AcceptanceRule::NoMainParticipant,
        );
        assert_only_error(
            |f| f.members.clear(),
            "members",
            AcceptanceRule::NoMainParticipant,
        );
    }

    #[test]
    fn a_contract_has_only_one_main_participant() {
        assert_only_error(
            |f| f.members[1].role = "main".to_owned(),
            "members[1].role",
            AcceptanceRule::MoreThanOneMain,
        );
    }

    #[test]
    fn a_form_breaking_several_rules_reports_all_of_them_in_form_order() {
        // Arrange
        let mut form = valid_form();
        form.members[0].date_of_birth = "2010-01-01".to_owned();
        form.members[0].postcode = "12".to_owned();
        form.members[1].bsn = "123".to_owned();
        form.members[2].annual_budget_eur = "1".to_owned();
        form.start_date = "2026-02-15".to_owned();
        form.iban = "NL00".to_owned();
        form.mandate_signed = String::new();
        // Act / Assert
        assert_eq!(
            errors_of(&form),
            [
                ("start_date", "acceptance.start_not_first_of_month"),
                ("start_date", "acceptance.start_in_past"),
                ("members[0].date_of_birth", "acceptance.main_not_adult"),
                ("members[0].postcode", "acceptance.invalid_postcode"),
                ("members[1].bsn", "acceptance.bsn_format"),
                (
                    "members[2].annual_budget_eur",
                    "acceptance.saving_below_minimum"
                ),
                ("iban", "acceptance.invalid_iban"),
                ("mandate_signed", "acceptance.required"),
            ]
            .map(|(field, code)| (field.to_owned(), code))
        );
    }

    #[test]
    fn the_number_of_errors_is_bounded() {
        let junk = MemberForm {
            role: "main".to_owned(),
            date_of_birth: "x".to_owned(),
            gender: "x".to_owned(),
            house_number: "x".to_owned(),
            postcode: "x".to_owned(),
            email: "x".to_owned(),
            phone: "x".to_owned(),
            bsn: "x".to_owned(),
            annual_budget_eur: "x".to_owned(),
            ..MemberForm::default()
        };
        let form = ApplicationForm {
            members: vec![junk; 40],
            ..ApplicationForm::default()
        };
        let errors = check_application(&form, &initial().terms, TODAY).expect_err("refused");
        assert_eq!(errors.len(), FIELD_ERRORS_MAX);
    }

    #[test]
    fn surnames_are_normalised_for_the_duplicate_check() {
        assert_eq!(normalise_surname("van der", "Berg"), "vanderberg");
        assert_eq!(normalise_surname("", "Van der Berg"), "vanderberg");
        assert_eq!(
            normalise_surname("'t", "Hart"),
            normalise_surname("T", "Hart")
        );
        assert_eq!(normalise_surname("", "Jansen-de Wit"), "jansendewit");
        assert_ne!(
            normalise_surname("", "Müller"),
            normalise_surname("", "Muller")
        );
        let app = check_application(&valid_form(), &initial().terms, TODAY).expect("accepted");
        let keys = app.person_keys();
        assert_eq!(keys.len(), 3);
        assert_eq!(keys[0].surname_normalised(), "vanderberg");
        assert_eq!(keys[0].date_of_birth(), date!(1980 - 05 - 05));
        assert_eq!(keys[2].postcode().as_str(), "1234 AB");
    }

    #[test]
    fn a_person_with_an_active_or_unpaid_contract_is_refused() {
        // Arrange
        let app = check_application(&valid_form(), &initial().terms, TODAY).expect("accepted");
        let facts = [
            MemberHistory {
                member_index: 0,
                active_contract: false,
                unpaid_closed_contract: false,
            },
            MemberHistory {
                member_index: 1,
                active_contract: true,
                unpaid_closed_contract: false,
            },
            MemberHistory {
                member_index: 2,
                active_contract: false,
                unpaid_closed_contract: true,
            },
        ];
        // Act
        let errors = check_history(&app, &facts).expect_err("refused");
        // Assert
        assert_eq!(
            errors,
            [
                FieldError {
                    field: "members[1]".to_owned(),
                    rule: AcceptanceRule::DuplicateActiveContract
                },
                FieldError {
                    field: "members[2]".to_owned(),
                    rule: AcceptanceRule::UnpaidClosedContract
                },
            ]
        );
        assert_eq!(check_history(&app, &facts[..1]), Ok(()));
        assert_eq!(check_history(&app, &[]), Ok(()));
    }

    fn budget_change(
        current: i64,
        requested: i64,
        changes: u8,
    ) -> Result<BudgetChange, BudgetChangeRefusal> {
        check_budget_change(
            &initial().terms,
            Cents::new(current),
            Cents::new(requested),
            changes,
            TODAY,
        )
    }

    #[test]
    fn a_budget_may_go_up_at_any_time_from_the_next_month() {
        assert_eq!(
            budget_change(30_000, 60_000, 1),
            Ok(BudgetChange {
                effective_from: date!(2026 - 04 - 01),
                new_annual: Cents::new(60_000),
                credit_line: Cents::new(24_000),
            })
        );
    }

    #[test]
    fn a_budget_may_go_down_once_a_year_from_next_january() {
        assert_eq!(
            budget_change(30_000, 12_000, 0),
            Ok(BudgetChange {
                effective_from: date!(2027 - 01 - 01),
                new_annual: Cents::new(12_000),
                credit_line: Cents::new(12_000),
            })
        );
        assert_eq!(
            budget_change(30_000, 12_000, 1),
            Err(BudgetChangeRefusal::ChangesPerYearExceeded)
        );
    }

    #[test]
    fn an_upward_change_waits_for_january_when_the_terms_do_not_allow_it_any_time() {
        let mut terms = initial().terms;
        terms.budget_change_upward_any_time = false;
        let change = check_budget_change(&terms, Cents::new(12_000), Cents::new(30_000), 0, TODAY);
        assert_eq!(change.map(|c| c.effective_from), Ok(date!(2027 - 01 - 01)));
    }

    #[test]
    fn a_budget_change_respects_the_saving_bounds() {
        assert_eq!(
            budget_change(30_000, 2_000, 0),
            Err(BudgetChangeRefusal::SavingBelowMinimum)
        );
        assert_eq!(
            budget_change(30_000, 400_000, 0),
            Err(BudgetChangeRefusal::SavingAboveMaximum)
        );
        assert_eq!(
            budget_change(30_000, 30_000, 0),
            Err(BudgetChangeRefusal::Unchanged)
        );
        assert_eq!(
            BudgetChangeRefusal::Unchanged.code(),
            "budget_change.unchanged"
        );
    }

    #[test]
    fn an_upward_change_in_december_starts_in_january() {
        let change = check_budget_change(
            &initial().terms,
            Cents::new(12_000),
            Cents::new(30_000),
            0,
            date!(2026 - 12 - 31),
        );
        assert_eq!(change.map(|c| c.effective_from), Ok(date!(2027 - 01 - 01)));
    }

    fn arb_member_form() -> impl Strategy<Value = MemberForm> {
        let field = prop_oneof![
            ".{0,12}",
            "[0-9 .-]{0,12}",
            Just(String::new()),
            Just("main".to_owned())
        ];
        prop::collection::vec(field, 16).prop_map(|f| MemberForm {
            role: f[0].clone(),
            first_names: f[1].clone(),
            initials: f[2].clone(),
            surname_prefix: f[3].clone(),
            surname: f[4].clone(),
            date_of_birth: f[5].clone(),
            gender: f[6].clone(),
            street: f[7].clone(),
            house_number: f[8].clone(),
            house_number_addition: f[9].clone(),
            postcode: f[10].clone(),
            city: f[11].clone(),
            email: f[12].clone(),
            phone: f[13].clone(),
            bsn: f[14].clone(),
            annual_budget_eur: f[15].clone(),
        })
    }

    proptest! {
        #[test]
        fn checking_arbitrary_text_never_panics_and_stays_bounded(
            members in prop::collection::vec(arb_member_form(), 0..16),
            contract in prop::collection::vec(".{0,40}", 7),
            year in 1_i32..9999,
        ) {
            let form = ApplicationForm {
                members,
                start_date: contract[0].clone(),
                iban: contract[1].clone(),
                account_holder: contract[2].clone(),
                dentist_agb_code: contract[3].clone(),
                practice_name: contract[4].clone(),
                provider_view_consent: contract[5].clone(),
                mandate_signed: contract[6].clone(),
            };
            let today = Date::from_calendar_date(year, Month::June, 30).expect("valid");
            if let Err(errors) = check_application(&form, &initial().terms, today) {
                prop_assert!(!errors.is_empty());
                prop_assert!(errors.len() <= FIELD_ERRORS_MAX);
            }
        }

        #[test]
        fn a_single_field_of_arbitrary_text_never_panics(text in "\\PC{0,300}", field in 0_usize..8) {
            let mut form = valid_form();
            match field {
                0 => form.members[0].date_of_birth = text,
                1 => form.members[0].annual_budget_eur = text,
                2 => form.members[0].email = text,
                3 => form.members[0].phone = text,
                4 => form.members[0].house_number = text,
                5 => form.iban = text,
                6 => form.start_date = text,
                _ => form.members[1].bsn = text,
            }
            let _ = check_application(&form, &initial().terms, TODAY);
        }

        #[test]
        fn an_accepted_budget_always_saves_within_the_bounds(annual in -100_000_i64..1_000_000) {
            let mut form = valid_form();
            form.members[0].annual_budget_eur = Cents::new(annual).to_string();
            let terms = initial().terms;
            let accepted = check_application(&form, &terms, TODAY).is_ok();
            prop_assert_eq!(accepted, terms.saving_within_bounds(Cents::monthly_saving(Cents::new(annual))));
        }

        #[test]
        fn an_accepted_budget_change_applies_from_a_first_of_month_with_the_capped_credit_line(
            current in 0_i64..400_000,
            requested in -10_000_i64..400_000,
            changes in 0_u8..3,
            day in 0_i64..3650,
        ) {
            let terms = initial().terms;
            let today = date!(2024 - 01 - 01) + time::Duration::days(day);
            if let Ok(change) = check_budget_change(&terms, Cents::new(current), Cents::new(requested), changes, today) {
                prop_assert!(terms.saving_within_bounds(Cents::monthly_saving(change.new_annual)));
                prop_assert_eq!(change.effective_from.day(), 1);
                prop_assert!(change.effective_from > today);
                prop_assert_eq!(change.credit_line, Cents::new(requested.min(24_000)));
                if requested < current {
                    prop_assert!(changes < terms.budget_change_per_year_max);
                    prop_assert_eq!(change.effective_from, date!(2024 - 01 - 01).replace_year(today.year() + 1).expect("valid"));
                }
            }
        }
    }

    #[test]
    fn a_correction_follows_the_application_forms_limits_and_formats() {
        let long_city = "x".repeat(CITY_CHARS_MAX + 1);
        assert_eq!(
            check_contact_correction(ContactField::City, &long_city),
            Err(AcceptanceRule::TooLong)
        );
        assert_eq!(
            check_contact_correction(ContactField::Phone, "06 123"),
            Err(AcceptanceRule::InvalidPhone)
        );
        assert_eq!(
            check_contact_correction(ContactField::Email, " "),
            Ok(Corrected::Text(None))
        );
        assert_eq!(
            check_contact_correction(ContactField::HouseNumber, "+12"),
            Err(AcceptanceRule::InvalidNumber)
        );
        let today = time::macros::date!(2026 - 11 - 26);
        assert_eq!(
            check_checked_correction(CheckedField::DateOfBirth, "2027-01-01", today),
            Err(AcceptanceRule::DateOfBirthInFuture)
        );
        assert_eq!(
            check_checked_correction(CheckedField::Bsn, "123456789", today),
            Err(AcceptanceRule::BsnElevenCheck)
        );
        assert_eq!(check_account_holder(""), Err(AcceptanceRule::Required));
    }
}
