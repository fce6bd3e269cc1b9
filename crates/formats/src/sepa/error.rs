//! Errors of the SEPA writers and readers. No message repeats a value from the file.

use ixorg_domain::Cents;

/// The part of a written file a count or sum check was about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteScope {
    /// The whole message (`GrpHdr`).
    Group,
    /// One payment information block (`PmtInf`), numbered from 1.
    Payment {
        /// The 1-based number of the block in the file.
        number: u64,
    },
    /// A bank statement (`Stmt`), whose balances must match its entries.
    Statement,
}

impl std::fmt::Display for WriteScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteScope::Group => f.write_str("the group header"),
            WriteScope::Payment { number } => write!(f, "payment information block {number}"),
            WriteScope::Statement => f.write_str("the statement"),
        }
    }
}

/// Why a field could not be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FieldProblem {
    /// The text is empty after conversion to the SEPA character set, or nothing was given.
    #[error("is empty after conversion to the SEPA character set")]
    Empty,
    /// A BIC that does not match `AAAABBCC` or `AAAABBCCDDD`.
    #[error("is not a valid BIC")]
    InvalidBic,
    /// A number, amount or date outside what the schema allows.
    #[error("is out of the range the schema allows")]
    OutOfRange,
}

/// A SEPA file could not be written. After any error except a rejected single transaction
/// (`NonPositiveAmount`, `InvalidField` from `debit`/`transfer`/`entry`), the output is
/// unusable and the caller must discard it.
#[derive(Debug, thiserror::Error)]
pub enum SepaWriteError {
    /// Writing to the output failed.
    #[error("failed to write the SEPA file")]
    Io(#[from] std::io::Error),
    /// Fewer or more transactions were written than declared.
    #[error("{scope} declares {declared} transactions but {written} were written")]
    CountMismatch {
        /// Where the mismatch is.
        scope: WriteScope,
        /// The declared number.
        declared: u64,
        /// The number written.
        written: u64,
    },
    /// The written amounts do not add up to the declared control sum.
    #[error("{scope} declares a sum of {declared} but the written amounts add up to {written}")]
    SumMismatch {
        /// Where the mismatch is.
        scope: WriteScope,
        /// The declared sum.
        declared: Cents,
        /// The sum of what was written.
        written: Cents,
    },
    /// A transaction amount of zero or less (SEPA amounts are positive).
    #[error("transaction {transaction}: the amount must be above zero")]
    NonPositiveAmount {
        /// The 1-based number of the transaction in the file.
        transaction: u64,
    },
    /// The amounts or counts overflow.
    #[error("the amounts or counts overflow")]
    Overflow,
    /// A field cannot be written as given.
    #[error("{}`{element}` {problem}", .transaction.map(|n| format!("transaction {n}: ")).unwrap_or_default())]
    InvalidField {
        /// The element path inside its block, for example `Dbtr/Nm`.
        element: &'static str,
        /// The 1-based number of the transaction in the file, when the field belongs to one.
        transaction: Option<u64>,
        /// What is wrong with it.
        problem: FieldProblem,
    },
    /// A method was called out of order (for example `debit` before `begin_payment`), or after
    /// an earlier error made the output unusable.
    #[error("writer used out of order: {0}")]
    OutOfOrder(&'static str),
}

/// A SEPA or bank file could not be read: where, and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("at byte {position}, `{path}`: {problem}")]
pub struct SepaReadError {
    /// Byte offset in the input near the problem.
    pub position: u64,
    /// The element path, for example `Document/BkToCstmrStmt/Stmt[1]/Ntry[17]/Amt`.
    pub path: String,
    /// What was wrong.
    pub problem: ReadProblem,
}

/// What was wrong with the input. The messages never repeat a value from the file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadProblem {
    /// Reading the input failed.
    #[error("reading the input failed ({0:?})")]
    Io(std::io::ErrorKind),
    /// The input is not well-formed XML.
    #[error("malformed XML: {0}")]
    MalformedXml(&'static str),
    /// The root element or its namespace is not the expected message.
    #[error("not the expected message; found `{found}`")]
    WrongDocument {
        /// The root element name or its namespace (at most 100 characters).
        found: String,
    },
    /// A required element is missing.
    #[error("required element is missing")]
    MissingElement,
    /// An element that may appear once appears again.
    #[error("element appears more than once")]
    DuplicateElement,
    /// Not an amount: digits with an optional `.` and one or two decimals.
    #[error("not an amount (digits, optionally a dot and one or two decimals)")]
    InvalidAmount,
    /// An amount in a currency other than euro.
    #[error("amount is not in EUR")]
    Currency,
    /// Not a date `YYYY-MM-DD` (or a date-time starting with one).
    #[error("not a valid date (YYYY-MM-DD)")]
    InvalidDate,
    /// Not a valid IBAN.
    #[error("not a valid IBAN")]
    InvalidIban,
    /// A code or indicator with a value outside its list (for example `CdtDbtInd`).
    #[error("value must be one of {expected}")]
    InvalidCode {
        /// The allowed values.
        expected: &'static str,
    },
    /// A text field longer than allowed.
    #[error("text is longer than {max_chars} characters")]
    TextTooLong {
        /// The limit.
        max_chars: usize,
    },
    /// More repetitions of an element than the reader accepts.
    #[error("more than {max} occurrences")]
    TooMany {
        /// The limit.
        max: u64,
    },
    /// Elements nested deeper than the reader accepts.
    #[error("elements nested deeper than {max}")]
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// A single tag or text run longer than the reader buffers.
    #[error("a single tag or text is longer than {max_bytes} bytes")]
    TooLarge {
        /// The limit.
        max_bytes: u64,
    },
    /// Text or a second root element outside the document element.
    #[error("content outside the document element")]
    OutsideRoot,
    /// The input ends before the document is complete.
    #[error("the input ends before the document is complete")]
    UnexpectedEnd,
}
