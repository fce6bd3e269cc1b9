//! Errors of the MZ301 reader: every problem with its record, position and field, bounded.
//!
//! Messages never repeat a field's content, so no BSN, name or address reaches a log.

pub use crate::bounded::ERRORS_MAX;
use crate::bounded::{BoundedErrors, ListedError};

/// What was wrong with a record or field. The messages never repeat the input.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The file holds no records at all.
    #[error("the file is empty")]
    Empty,
    /// The record does not have the record length of the version.
    #[error("the record is {found} characters long, expected {expected}")]
    Length {
        /// Characters found, line ending excluded.
        found: usize,
        /// The record length of the version.
        expected: usize,
    },
    /// The record code is not one of the message's record types.
    #[error("not a known record type")]
    UnknownRecordType,
    /// A character that is not a digit in a numeric field.
    #[error("not a digit")]
    NotNumeric,
    /// A date field that is not a calendar date `CCYYMMDD`.
    #[error("not a valid date")]
    NotADate,
    /// A sign field that is not `D` or `C`.
    #[error("not a D/C sign")]
    NotASign,
    /// A value outside the field's code list.
    #[error("not one of the allowed values {allowed}")]
    NotAllowed {
        /// The allowed values, separated by `/`.
        allowed: String,
    },
    /// A control character in a text field.
    #[error("contains a control character")]
    ControlCharacter,
    /// A mandatory field is blank.
    #[error("mandatory field is empty")]
    Missing,
    /// A reserve field is not blank.
    #[error("reserve field is not blank")]
    ReserveNotBlank,
    /// A BSN that fails the 11-proef.
    #[error("BSN fails the 11-proef")]
    Bsn,
    /// The record is in a place the record order does not allow.
    #[error("record out of order: {0}")]
    Order(&'static str),
    /// The detail-record id does not continue the sequence over the 02/03/04 records.
    #[error("detail-record id is not the next in the sequence (expected {expected})")]
    DetailId {
        /// The id the sequence expected.
        expected: u64,
    },
    /// A commentaar record does not repeat the id of the record it belongs to.
    #[error("does not repeat the detail-record id {expected} of the record it belongs to")]
    ParentId {
        /// The id of the parent record.
        expected: u64,
    },
    /// The comment line numbers of one parent do not run 1, 2, 3, ….
    #[error("comment line number is not the next one (expected {expected})")]
    CommentLine {
        /// The line number expected.
        expected: u64,
    },
    /// A material or technician record that does not directly follow its honorarium record.
    #[error(
        "additional-cost record does not directly follow an honorarium record with the same prestatiecode"
    )]
    AdditionalCost,
    /// A verzekerde record without any prestatie record.
    #[error("verzekerde record has no prestatie records")]
    NoLines,
    /// A count in the sluit record differs from the file.
    #[error("count does not match the {counted} records in the file")]
    Count {
        /// What the file holds.
        counted: u64,
    },
    /// The total in the sluit record differs from the sum of the lines.
    #[error("total does not match the sum of the prestatie records ({counted} cents)")]
    Total {
        /// The signed sum of the declaratiebedragen, in cents.
        counted: i64,
    },
    /// A sum does not fit in the field or in 64 bits.
    #[error("amount is too large")]
    Overflow,
}

/// One problem: where it is and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("record {record}, position {position}, field `{field}`: {problem}")]
pub struct Mz301Error {
    /// The 1-based record (line) number.
    pub record: usize,
    /// The 1-based position of the problem within the record.
    pub position: usize,
    /// The field name, as in the version table.
    pub field: &'static str,
    /// What was wrong.
    pub problem: Problem,
}

/// Every problem of a rejected file, up to [`ERRORS_MAX`], in file order (structural checks
/// at the end come last).
pub type Mz301Errors = BoundedErrors<Mz301Error>;

impl ListedError for Mz301Error {
    const SUBJECT: &'static str = "the MZ301 file";
}

impl Mz301Errors {
    /// Adds a problem, or counts it when the list is full.
    pub fn push(&mut self, error: Mz301Error) {
        self.add(error);
    }
}
