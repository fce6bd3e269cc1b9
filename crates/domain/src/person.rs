//! Facts about a person that more than one use case needs.

use std::fmt;
use std::str::FromStr;

use time::Date;

use crate::identifiers::Postcode;

/// Gender as asked on the application form (`PRODUCT.md`, "Enrollment").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Gender {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Another gender.
    Other,
    /// Not stated.
    Unknown,
}

impl Gender {
    /// Every value.
    pub const ALL: &'static [Gender] =
        &[Gender::Female, Gender::Male, Gender::Other, Gender::Unknown];

    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::Other => "other",
            Gender::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Gender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A gender name that is not one of [`Gender::ALL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("gender must be female, male, other or unknown")]
pub struct GenderError;

impl FromStr for Gender {
    type Err = GenderError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Gender::ALL
            .iter()
            .copied()
            .find(|g| g.as_str() == s)
            .ok_or(GenderError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_gender_parses_back_from_its_name() {
        for g in Gender::ALL {
            assert_eq!(g.as_str().parse::<Gender>(), Ok(*g));
        }
        assert_eq!("x".parse::<Gender>(), Err(GenderError));
    }
}

/// Who a participant is and where they live: the personal details an application gives, a new
/// household is registered with and a participant record keeps, in one type. `Debug` shows none
/// of them.
#[derive(Clone, PartialEq, Eq)]
pub struct PersonalDetails {
    /// First names.
    pub first_names: String,
    /// Initials.
    pub initials: String,
    /// Surname prefix (`van der`), possibly empty.
    pub surname_prefix: String,
    /// Surname.
    pub surname: String,
    /// Date of birth.
    pub date_of_birth: Date,
    /// Gender.
    pub gender: Gender,
    /// Street.
    pub street: String,
    /// House number.
    pub house_number: u32,
    /// House number addition, possibly empty.
    pub house_number_addition: String,
    /// Postcode.
    pub postcode: Postcode,
    /// City.
    pub city: String,
    /// Email (the main participant's; optional for others).
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
}

impl PersonalDetails {
    /// First names, surname prefix and surname, as a letter is addressed.
    #[must_use]
    pub fn full_name(&self) -> String {
        [
            self.first_names.as_str(),
            self.surname_prefix.as_str(),
            self.surname.as_str(),
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
    }
}

impl fmt::Debug for PersonalDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PersonalDetails").finish_non_exhaustive()
    }
}
