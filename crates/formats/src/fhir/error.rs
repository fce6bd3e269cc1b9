//! What can be wrong with a FHIR resource we read, where it is (a `FHIRPath` expression) and how
//! it is reported: R4 `OperationOutcome` issue severities and issue types.
//!
//! Messages never repeat the input, so no BSN, name or date of birth reaches a log or a
//! response through an error.

use ixorg_domain::identifiers::{AgbError, BsnError, ParticipantNumberError};
use ixorg_domain::money::MoneyError;

pub use crate::bounded::ERRORS_MAX;
use crate::bounded::{BoundedErrors, ListedError};

/// `OperationOutcome.issue.severity` (R4 value set `issue-severity`, a required binding).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Severity {
    /// The action failed and processing stopped.
    Fatal,
    /// The action failed.
    Error,
    /// The action succeeded, with something the sender should look at.
    Warning,
    /// Information only.
    Information,
}

impl Severity {
    /// The R4 code.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Severity::Fatal => "fatal",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
        }
    }
}

/// `OperationOutcome.issue.code`: the R4 issue types (value set `issue-type`, a required
/// binding) that this module and its callers use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IssueType {
    /// Content invalid against the specification or a profile (the parent of the next four).
    Invalid,
    /// A structural issue: wrong JSON type, an empty value, unreadable JSON.
    Structure,
    /// A required element is missing.
    Required,
    /// An element's value is not valid (a bad date, amount or identifier).
    Value,
    /// A rule between elements does not hold (net = quantity × unitPrice).
    Invariant,
    /// A code is not one of the allowed codes.
    CodeInvalid,
    /// The content is valid FHIR, but this server does not support it.
    NotSupported,
    /// A duplicate (an item sequence used twice, a claim sent before).
    Duplicate,
    /// A referenced resource or element was not found.
    NotFound,
    /// The content is too long (the document, a list, a text).
    TooLong,
    /// A business rule refused the content.
    BusinessRule,
    /// An unexpected internal error.
    Exception,
    /// Information only (for example: more problems were left out).
    Informational,
}

impl IssueType {
    /// The R4 code.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            IssueType::Invalid => "invalid",
            IssueType::Structure => "structure",
            IssueType::Required => "required",
            IssueType::Value => "value",
            IssueType::Invariant => "invariant",
            IssueType::CodeInvalid => "code-invalid",
            IssueType::NotSupported => "not-supported",
            IssueType::Duplicate => "duplicate",
            IssueType::NotFound => "not-found",
            IssueType::TooLong => "too-long",
            IssueType::BusinessRule => "business-rule",
            IssueType::Exception => "exception",
            IssueType::Informational => "informational",
        }
    }
}

/// What was wrong. The messages never repeat the input.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The document is larger than the reader's limit.
    #[error("the document is larger than {bytes_max} bytes")]
    TooLarge {
        /// The limit in bytes.
        bytes_max: usize,
    },
    /// The bytes are not one JSON document.
    #[error("not valid JSON at byte {offset}: expected {expected}")]
    Syntax {
        /// The 0-based byte offset where reading stopped.
        offset: usize,
        /// What the reader expected there.
        expected: &'static str,
    },
    /// The value has the wrong JSON type.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// The JSON type (or FHIR shape) the element needs.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// An empty string, array or object (FHIR JSON forbids them).
    #[error("is empty; FHIR JSON leaves an element out instead")]
    Empty,
    /// A required element is missing.
    #[error("is required")]
    Missing,
    /// A code outside the allowed codes.
    #[error("must be {allowed}")]
    NotAllowed {
        /// The allowed codes, or a description of them.
        allowed: &'static str,
    },
    /// A `CodeableConcept` without a coding in the code system(s) we read.
    #[error("needs a coding with system {system}")]
    MissingCoding {
        /// The system(s) we read.
        system: &'static str,
    },
    /// Valid FHIR that this server does not accept.
    #[error("is not supported: {0}")]
    NotSupported(&'static str),
    /// A value in the wrong format.
    #[error("{0}")]
    Invalid(&'static str),
    /// A rule between elements does not hold.
    #[error("{0}")]
    Inconsistent(&'static str),
    /// A reference to something the resource does not hold.
    #[error("{0}")]
    NotFound(&'static str),
    /// The same item sequence was used before in this claim.
    #[error("item sequence is used by an earlier item")]
    DuplicateSequence,
    /// More entries than the limit.
    #[error("has more than {max} entries")]
    TooMany {
        /// The limit.
        max: usize,
    },
    /// A text longer than allowed.
    #[error("is longer than {max} characters")]
    TooLong {
        /// The limit in characters.
        max: usize,
    },
    /// An AGB code that is not 8 digits.
    #[error("{0}")]
    Agb(AgbError),
    /// A BSN that fails its checks.
    #[error("{0}")]
    Bsn(BsnError),
    /// A participant number that fails its checks.
    #[error("{0}")]
    ParticipantNumber(ParticipantNumberError),
    /// An amount that is not a euro amount in cents.
    #[error("{0}")]
    Money(MoneyError),
}

impl Problem {
    /// The `OperationOutcome` issue type this problem is reported as.
    #[must_use]
    pub fn issue_type(&self) -> IssueType {
        match self {
            Problem::TooLarge { .. } | Problem::TooMany { .. } | Problem::TooLong { .. } => {
                IssueType::TooLong
            }
            Problem::Syntax { .. } | Problem::WrongType { .. } | Problem::Empty => {
                IssueType::Structure
            }
            Problem::Missing => IssueType::Required,
            Problem::NotAllowed { .. } | Problem::MissingCoding { .. } => IssueType::CodeInvalid,
            Problem::NotSupported(_) => IssueType::NotSupported,
            Problem::Inconsistent(_) => IssueType::Invariant,
            Problem::NotFound(_) => IssueType::NotFound,
            Problem::DuplicateSequence => IssueType::Duplicate,
            Problem::Invalid(_)
            | Problem::Agb(_)
            | Problem::Bsn(_)
            | Problem::ParticipantNumber(_)
            | Problem::Money(_) => IssueType::Value,
        }
    }
}

/// One problem: where it is (a `FHIRPath` expression such as `Claim.item[0].net.value`, with
/// 0-based indexes as `FHIRPath` has them) and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{expression}: {problem}")]
pub struct FhirError {
    /// Where, as `FHIRPath`.
    pub expression: String,
    /// What was wrong.
    pub problem: Problem,
}

/// Every problem of a refused resource, up to [`ERRORS_MAX`], in document order.
pub type FhirErrors = BoundedErrors<FhirError>;

impl ListedError for FhirError {
    const SUBJECT: &'static str = "the FHIR resource";
}

impl FhirErrors {
    /// Adds a problem, or counts it when the list is full.
    pub fn push(&mut self, expression: impl Into<String>, problem: Problem) {
        self.add(FhirError {
            expression: expression.into(),
            problem,
        });
    }

    /// The problems as `OperationOutcome` issues (severity `error`), plus one `information`
    /// issue saying how many were left out, when some were.
    #[must_use]
    pub fn issues(&self) -> Vec<Issue> {
        let mut issues: Vec<Issue> = self
            .errors
            .iter()
            .map(|error| Issue {
                severity: Severity::Error,
                code: error.problem.issue_type(),
                diagnostics: error.problem.to_string(),
                expression: Some(error.expression.clone()),
            })
            .collect();
        if self.truncated > 0 {
            issues.push(Issue {
                severity: Severity::Information,
                code: IssueType::Informational,
                diagnostics: format!("{} more problem(s) were left out", self.truncated),
                expression: None,
            });
        }
        issues
    }
}

/// One `OperationOutcome.issue`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    /// How bad it is.
    pub severity: Severity,
    /// The R4 issue type.
    pub code: IssueType,
    /// A description for people. Must not hold personal data.
    pub diagnostics: String,
    /// Where, as `FHIRPath`, when the issue is about one element.
    pub expression: Option<String>,
}

impl Issue {
    /// An `error` issue.
    #[must_use]
    pub fn error(code: IssueType, diagnostics: impl Into<String>) -> Issue {
        Issue {
            severity: Severity::Error,
            code,
            diagnostics: diagnostics.into(),
            expression: None,
        }
    }

    /// The same issue, about the element at `expression` (`FHIRPath`).
    #[must_use]
    pub fn at(mut self, expression: impl Into<String>) -> Issue {
        self.expression = Some(expression.into());
        self
    }
}
