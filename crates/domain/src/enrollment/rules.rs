//! The acceptance rules: their stable codes, the field error that names one, and the limits
//! the form is checked against.

use std::fmt;

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
pub(super) const CODED_FIELD_CHARS_MAX: usize = 32;

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
