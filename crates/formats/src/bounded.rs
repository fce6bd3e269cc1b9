//! A reader's list of problems, bounded: the MZ301 and FHIR readers report every problem they
//! find up to [`ERRORS_MAX`], and count the rest.

use std::fmt;

/// Most problems one read collects; the rest are counted by [`BoundedErrors::truncated`].
pub const ERRORS_MAX: usize = 100;

/// A kind of problem a reader lists: it says what was read, for the list's first line.
pub trait ListedError: fmt::Display {
    /// What was read, as in "`the MZ301 file` has 3 problem(s)".
    const SUBJECT: &'static str;
}

/// Every problem of a refused input, up to [`ERRORS_MAX`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoundedErrors<E> {
    /// The problems in input order.
    pub errors: Vec<E>,
    /// How many problems were found beyond [`ERRORS_MAX`] and left out.
    pub truncated: usize,
}

impl<E> Default for BoundedErrors<E> {
    fn default() -> Self {
        BoundedErrors {
            errors: Vec::new(),
            truncated: 0,
        }
    }
}

impl<E> BoundedErrors<E> {
    /// Adds a problem, or counts it when the list is full.
    pub fn add(&mut self, error: E) {
        if self.errors.len() < ERRORS_MAX {
            self.errors.push(error);
        } else {
            self.truncated = self.truncated.saturating_add(1);
        }
    }

    /// Whether no problem was found.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Whether problems were left out because the list was full.
    #[must_use]
    pub fn is_truncated(&self) -> bool {
        self.truncated > 0
    }
}

impl<E: ListedError> fmt::Display for BoundedErrors<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} has {} problem(s)",
            E::SUBJECT,
            self.errors.len().saturating_add(self.truncated)
        )?;
        for error in &self.errors {
            write!(f, "\n{error}")?;
        }
        if self.is_truncated() {
            write!(f, "\n… and {} more", self.truncated)?;
        }
        Ok(())
    }
}

impl<E: ListedError + fmt::Debug> std::error::Error for BoundedErrors<E> {}
