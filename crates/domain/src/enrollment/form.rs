//! The application form as typed, and the [`Application`] it parses into.

use std::fmt;

use time::Date;

use super::checks::longer_than;
use super::history::PersonKey;
use super::rules::{AcceptanceRule, EMAIL_CHARS_MAX};
use crate::identifiers::{AgbCode, Bsn, Iban, Postcode};
use crate::money::Cents;
use crate::person::{Gender, PersonalDetails};
use crate::terms::HouseholdRole;

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

    /// The member's personal details as a participant record keeps them (an absent surname
    /// prefix or house-number addition is empty text).
    #[must_use]
    pub fn personal_details(&self) -> PersonalDetails {
        PersonalDetails {
            first_names: self.first_names.clone(),
            initials: self.initials.clone(),
            surname_prefix: self.surname_prefix.clone().unwrap_or_default(),
            surname: self.surname.clone(),
            date_of_birth: self.date_of_birth,
            gender: self.gender,
            street: self.address.street.clone(),
            house_number: self.address.house_number,
            house_number_addition: self
                .address
                .house_number_addition
                .clone()
                .unwrap_or_default(),
            postcode: self.address.postcode.clone(),
            city: self.address.city.clone(),
            email: self.email.as_ref().map(|e| e.expose().to_owned()),
            phone: self.phone.clone(),
        }
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
    pub(super) members: Vec<Member>,
    pub(super) start_date: Date,
    pub(super) iban: Iban,
    pub(super) account_holder: String,
    pub(super) dentist_agb_code: Option<AgbCode>,
    pub(super) practice_name: Option<String>,
    pub(super) provider_view_consent: bool,
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
