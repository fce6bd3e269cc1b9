//! A returned direct debit: its reason code, and the reminder step that follows it.

use std::fmt;
use std::str::FromStr;

/// Longest reason code accepted for [`ReturnReason::Unknown`]: ISO 20022 reason codes have one
/// to four characters.
pub const RETURN_REASON_CHARS_MAX: usize = 4;

/// Why a bank rejected or returned a direct debit (`REFERENCE.md`, "Reason codes"; ISO 20022
/// external return reason codes).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ReturnReason {
    /// AC01: account identifier (IBAN) incorrect.
    Ac01,
    /// AC04: account closed.
    Ac04,
    /// AC06: account blocked.
    Ac06,
    /// AC13: invalid debtor account type.
    Ac13,
    /// AG01: transaction forbidden on this account.
    Ag01,
    /// AG02: invalid bank operation code.
    Ag02,
    /// AM04: insufficient funds.
    Am04,
    /// AM05: duplicate collection.
    Am05,
    /// BE05: creditor identifier unknown.
    Be05,
    /// FF01: invalid file format.
    Ff01,
    /// MD01: no mandate.
    Md01,
    /// MD02: mandate data missing or incorrect.
    Md02,
    /// MD06: refund requested by the debtor.
    Md06,
    /// MD07: debtor deceased.
    Md07,
    /// MS02: refused by the debtor, no reason given.
    Ms02,
    /// MS03: reason not specified.
    Ms03,
    /// RC01: BIC incorrect.
    Rc01,
    /// SL01: specific service of the debtor's bank.
    Sl01,
    /// A well-formed code (one to four upper-case letters or digits) that `REFERENCE.md` does
    /// not list, kept as given so staff can look it up.
    Unknown(String),
}

/// Every listed reason with its code and description, in `REFERENCE.md` order.
static KNOWN_REASONS: [(ReturnReason, &str, &str); 18] = [
    (
        ReturnReason::Ac01,
        "AC01",
        "account identifier (IBAN) incorrect",
    ),
    (ReturnReason::Ac04, "AC04", "account closed"),
    (ReturnReason::Ac06, "AC06", "account blocked"),
    (ReturnReason::Ac13, "AC13", "invalid debtor account type"),
    (
        ReturnReason::Ag01,
        "AG01",
        "transaction forbidden on this account",
    ),
    (ReturnReason::Ag02, "AG02", "invalid bank operation code"),
    (ReturnReason::Am04, "AM04", "insufficient funds"),
    (ReturnReason::Am05, "AM05", "duplicate collection"),
    (ReturnReason::Be05, "BE05", "creditor identifier unknown"),
    (ReturnReason::Ff01, "FF01", "invalid file format"),
    (ReturnReason::Md01, "MD01", "no mandate"),
    (
        ReturnReason::Md02,
        "MD02",
        "mandate data missing or incorrect",
    ),
    (ReturnReason::Md06, "MD06", "refund requested by the debtor"),
    (ReturnReason::Md07, "MD07", "debtor deceased"),
    (
        ReturnReason::Ms02,
        "MS02",
        "refused by the debtor, no reason given",
    ),
    (ReturnReason::Ms03, "MS03", "reason not specified"),
    (ReturnReason::Rc01, "RC01", "BIC incorrect"),
    (
        ReturnReason::Sl01,
        "SL01",
        "specific service of the debtor's bank",
    ),
];

impl ReturnReason {
    /// Every reason listed in `REFERENCE.md` (without [`ReturnReason::Unknown`]).
    #[must_use]
    pub fn all_known() -> Vec<ReturnReason> {
        KNOWN_REASONS
            .iter()
            .map(|(reason, _, _)| reason.clone())
            .collect()
    }

    /// The four-character code, for example `AM04`.
    #[must_use]
    pub fn code(&self) -> &str {
        match self {
            ReturnReason::Unknown(code) => code,
            known => Self::known_entry(known).1,
        }
    }

    /// The meaning of the code in English, as in `REFERENCE.md`.
    #[must_use]
    pub fn description(&self) -> &'static str {
        match self {
            ReturnReason::Unknown(_) => "reason code not listed in the reference",
            known => Self::known_entry(known).2,
        }
    }

    fn known_entry(&self) -> &'static (ReturnReason, &'static str, &'static str) {
        KNOWN_REASONS
            .iter()
            .find(|(reason, _, _)| reason == self)
            .expect("BUG: every variant but Unknown is in KNOWN_REASONS")
    }
}

impl fmt::Display for ReturnReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for ReturnReason {
    type Err = ReturnReasonError;

    /// Parses a reason code as it appears in camt.053 or pain.002 (`RtrInf/Rsn/Cd`,
    /// `StsRsnInf/Rsn/Cd`). Surrounding whitespace is ignored; the code must be upper case.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let code = text.trim();
        if let Some((reason, _, _)) = KNOWN_REASONS.iter().find(|(_, known, _)| *known == code) {
            return Ok(reason.clone());
        }
        let well_formed = (1..=RETURN_REASON_CHARS_MAX).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if well_formed {
            Ok(ReturnReason::Unknown(code.to_owned()))
        } else {
            Err(ReturnReasonError)
        }
    }
}

/// The text is not a reason code (one to four upper-case letters or digits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("reason code must be one to four upper-case letters or digits")]
pub struct ReturnReasonError;

/// What happens after a collection was rejected or returned. In every case the contribution
/// has already been reversed in the ledger and the participant is told of the return
/// (`PRODUCT.md`, "Collections"); the step says what follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReminderStep {
    /// The missed contribution is collected again in the next collection run.
    RetryNextRun,
    /// The participant gets a formal notice (payment reminder) to pay the missed amount;
    /// no automatic retry.
    Notice,
    /// The credit line is suspended: declarations are paid only from a positive balance until
    /// the arrears are paid.
    SuspendCreditLine,
    /// The account or mandate is gone: stop collecting on this mandate, send a notice asking
    /// for a new IBAN and mandate, and suspend the credit line, since no more contributions
    /// can come in.
    StopCollecting,
    /// The bank refused for a reason on the operator's side (our file, creditor identifier,
    /// a duplicate we sent) or for an unlisted code: staff look into it; the participant gets
    /// no reminder and no automatic retry, because it was not their doing.
    ReviewByStaff,
}

impl ReminderStep {
    /// A stable name for storage and logs.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ReminderStep::RetryNextRun => "retry_next_run",
            ReminderStep::Notice => "notice",
            ReminderStep::SuspendCreditLine => "suspend_credit_line",
            ReminderStep::StopCollecting => "stop_collecting",
            ReminderStep::ReviewByStaff => "review_by_staff",
        }
    }
}

/// The reminder step after a return with `reason`, where `failures_in_a_row` counts the
/// participant's consecutive failed collections including this one (0 is treated as 1).
///
/// | Reasons | 1st failure | 2nd | 3rd and later |
/// |---|---|---|---|
/// | AM04, MS02, MS03, SL01 (the account works, the money did not come) | `RetryNextRun` | `Notice` | `SuspendCreditLine` |
/// | MD06 (the participant asked the money back: no automatic retry) | `Notice` | `SuspendCreditLine` | `SuspendCreditLine` |
/// | AC01, AC04, AC06, AC13, AG01, MD01, MD07 (account or mandate gone, blocked or unusable, debtor deceased) | `StopCollecting` | `StopCollecting` | `StopCollecting` |
/// | AG02, AM05, BE05, FF01, MD02, RC01 (the operator's file or data) and unlisted codes | `ReviewByStaff` | `ReviewByStaff` | `ReviewByStaff` |
///
/// AC06 (blocked) counts as gone: a blocked account cannot be collected from until the
/// participant acts, so retrying would only produce more returns. MD02 is on the operator's
/// side because the mandate data in the file comes from our records.
#[must_use]
pub fn reminder_step(reason: &ReturnReason, failures_in_a_row: u32) -> ReminderStep {
    let failures = failures_in_a_row.max(1);
    match reason {
        ReturnReason::Am04 | ReturnReason::Ms02 | ReturnReason::Ms03 | ReturnReason::Sl01 => {
            match failures {
                1 => ReminderStep::RetryNextRun,
                2 => ReminderStep::Notice,
                _ => ReminderStep::SuspendCreditLine,
            }
        }
        ReturnReason::Md06 => {
            if failures == 1 {
                ReminderStep::Notice
            } else {
                ReminderStep::SuspendCreditLine
            }
        }
        ReturnReason::Ac01
        | ReturnReason::Ac04
        | ReturnReason::Ac06
        | ReturnReason::Ac13
        | ReturnReason::Ag01
        | ReturnReason::Md01
        | ReturnReason::Md07 => ReminderStep::StopCollecting,
        ReturnReason::Ag02
        | ReturnReason::Am05
        | ReturnReason::Be05
        | ReturnReason::Ff01
        | ReturnReason::Md02
        | ReturnReason::Rc01
        | ReturnReason::Unknown(_) => ReminderStep::ReviewByStaff,
    }
}
