//! Facts about a person that more than one use case needs.

use std::fmt;
use std::str::FromStr;

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
