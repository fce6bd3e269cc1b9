//! Declaration lines as every channel delivers them, and the reasons and outcomes of their
//! adjudication (`PRODUCT.md`, "Declarations").
//!
//! The MZ301 reader, the JSON API and the FHIR `Claim` reader each turn their input into a
//! [`DeclarationLine`]; [`crate::adjudication`] decides it; every channel answers with the same
//! [`Decision`]. The reason codes are the one list documented in `docs/REASON-CODES.md` (a test
//! keeps the two in step), with their MZ302 return codes.

use crate::identifiers::{AgbCode, Bsn, ParticipantNumber};
use crate::ids::{BillingIntermediaryId, PracticeId};
use crate::money::Cents;
use std::fmt;
use time::Date;

/// The longest reference a provider may give a line (MZ301 has 20 characters; the API allows
/// more).
pub const REFERENCE_CHARS_MAX: usize = 40;

/// Who a line is for: the participant number, or the BSN with the date of birth. `Debug`
/// shows only which kind.
#[derive(Clone, PartialEq, Eq)]
pub enum Who {
    /// Our participant number (MZ301 carries it in VERZEKERDENNUMMER).
    Number(ParticipantNumber),
    /// The BSN and the date of birth the provider has on file.
    Bsn {
        /// The BSN (redacted in `Debug`).
        bsn: Bsn,
        /// The date of birth, checked against ours.
        birth_date: Date,
    },
    /// Neither a valid participant number nor a BSN was given: the line is rejected.
    Unidentified,
}

impl fmt::Debug for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Who::Number(_) => f.write_str("Who::Number(..)"),
            Who::Bsn { .. } => f.write_str("Who::Bsn(..)"),
            Who::Unidentified => f.write_str("Who::Unidentified"),
        }
    }
}

/// What a line charges for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CostKind {
    /// The provider's fee for the prestatie, bounded by the maximum tariff.
    Honorarium,
    /// Material or technician costs, passed at cost (no maximum tariff applies).
    MaterialOrTechnician,
}

impl CostKind {
    /// The stable name stored in the database and used in the JSON API.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            CostKind::Honorarium => "honorarium",
            CostKind::MaterialOrTechnician => "material",
        }
    }

    /// The kind for a stored name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<CostKind> {
        match name {
            "honorarium" => Some(CostKind::Honorarium),
            "material" => Some(CostKind::MaterialOrTechnician),
            _ => None,
        }
    }
}

/// One declaration line, whichever channel it came through.
///
/// `Debug` shows only the provider's reference, the provider and the amount: who was treated,
/// when and how is personal (care) data.
#[derive(Clone, PartialEq, Eq)]
pub struct DeclarationLine {
    /// The provider's reference, unique per provider (at most [`REFERENCE_CHARS_MAX`]).
    pub reference: String,
    /// For a credit line: the reference of the earlier line it reverses.
    pub previous_reference: Option<String>,
    /// The participant.
    pub who: Who,
    /// The treating provider.
    pub provider: AgbCode,
    /// The practice, when the channel names it.
    pub practice: Option<AgbCode>,
    /// Date of treatment.
    pub treatment_date: Date,
    /// The prestatiecode as sent (an unknown or old code is kept, and rejected).
    pub code: String,
    /// The tooth or element (Vademecum code), when the code is per element.
    pub element: Option<String>,
    /// The surface(s) (WHO nomenclature), when relevant.
    pub surface: Option<String>,
    /// Honorarium or material costs.
    pub cost: CostKind,
    /// Number of units.
    pub quantity: u16,
    /// Tariff per unit.
    pub unit_tariff: Cents,
    /// The declared amount; negative for a credit line.
    pub amount: Cents,
    /// The provider marks the treatment as following an accident.
    pub accident: bool,
}

impl fmt::Debug for DeclarationLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeclarationLine")
            .field("reference", &self.reference)
            .field("provider", &self.provider)
            .field("amount", &self.amount)
            .finish_non_exhaustive()
    }
}

/// Who sent a batch of declarations, whatever the channel: a practice (for its own providers)
/// or a billing intermediary (for the providers of the practices it bills for).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sender {
    /// A practice.
    Practice(PracticeId),
    /// A billing intermediary (service bureau).
    Intermediary(BillingIntermediaryId),
}

/// Where the first lines above the product's per-line maximum stand in a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinePosition {
    /// The line's number in its batch, from 1.
    pub line_number: usize,
    /// The record number in an MZ301 file.
    pub record: Option<usize>,
}

impl fmt::Display for LinePosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line_number)?;
        if let Some(record) = self.record {
            write!(f, " (record {record})")?;
        }
        Ok(())
    }
}

/// Positions as a list for a message: `line 2, line 5 (record 9)`.
#[must_use]
pub fn positions_text(positions: &[LinePosition]) -> String {
    positions
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl DeclarationLine {
    /// Whether the line's amount lies within `max` in absolute value (the product term
    /// `declaration_line_cents_max`).
    #[must_use]
    pub fn amount_within(&self, max: Cents) -> bool {
        self.amount
            .checked_abs()
            .is_some_and(|amount| amount <= max)
    }

    /// Whether this line credits (reverses) an earlier one.
    #[must_use]
    pub fn is_credit(&self) -> bool {
        self.amount.is_negative()
    }
}

/// The outcome of one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Paid in full (from the budget or the accident cover), or a credit applied.
    Accepted,
    /// Paid in part; the rest is the participant's own payment.
    PartlyAccepted,
    /// Held for review (accident without cover, a fraud signal).
    Held,
    /// Rejected; nothing paid.
    Rejected,
}

impl Outcome {
    /// The stable name stored in the database and used in the API.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::PartlyAccepted => "partly_accepted",
            Outcome::Held => "held",
            Outcome::Rejected => "rejected",
        }
    }

    /// The outcome for a stored name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Outcome> {
        [
            Outcome::Accepted,
            Outcome::PartlyAccepted,
            Outcome::Held,
            Outcome::Rejected,
        ]
        .into_iter()
        .find(|outcome| outcome.as_str() == name)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! reasons {
    ($(
        $(#[doc = $doc:literal])+
        $variant:ident = ($code:literal, $mz302:literal, $title:literal),
    )+) => {
        /// Why a line got its outcome: our one list of reason codes (`docs/REASON-CODES.md`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Reason {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl Reason {
            /// Every reason, in the documented order.
            pub const ALL: &'static [Reason] = &[$(Reason::$variant,)+];

            /// The stable code (`identity.unknown_participant`), stored and returned by the API.
            #[must_use]
            pub const fn code(self) -> &'static str {
                match self { $(Reason::$variant => $code,)+ }
            }

            /// The four-digit MZ302 RETOURCODE this reason is returned as.
            #[must_use]
            pub const fn mz302_code(self) -> &'static str {
                match self { $(Reason::$variant => $mz302,)+ }
            }

            /// A short English description for people (provider portals, staff pages).
            #[must_use]
            pub const fn title(self) -> &'static str {
                match self { $(Reason::$variant => $title,)+ }
            }
        }
    };
}

reasons! {
    /// Paid in full.
    Paid = ("payment.paid", "8001", "Paid in full"),
    /// The budget (with its credit line) covered only part: the rest is own payment.
    OwnPayment = ("payment.own_payment", "8002", "Budget insufficient: the rest is the participant's own payment"),
    /// A credit line reversed the payment of the earlier line.
    CreditApplied = ("credit.applied", "8003", "Credit applied: the earlier payment is reversed"),
    /// No practice has registered the line's provider (AGB code).
    ProviderUnknown = ("provider.unknown", "0040", "Provider unknown: no practice has registered this AGB code"),
    /// The provider belongs to a practice the sender does not declare for, or the line names
    /// a practice that is not the provider's.
    ProviderNotDeclaredBySender = ("provider.not_declared_by_sender", "0041", "The sender does not declare for this provider or practice"),
    /// No participant with this number, or no participant with this BSN.
    UnknownParticipant = ("identity.unknown_participant", "0030", "Participant unknown"),
    /// The BSN is known but the date of birth differs.
    BirthDateMismatch = ("identity.birth_date_mismatch", "0031", "Date of birth does not match the participant"),
    /// The prestatiecode is not in the tariff list for the treatment year.
    UnknownCode = ("code.unknown", "0550", "Prestatiecode unknown for the treatment year"),
    /// The amount is more than number × maximum tariff.
    AboveMaximumTariff = ("code.above_maximum_tariff", "0551", "Amount above number x maximum tariff"),
    /// The amount is zero, or a credit without a reference to the earlier line.
    InvalidAmount = ("line.invalid_amount", "0552", "Amount zero, or a credit without the earlier line's reference"),
    /// The treatment date is after the date the line was received.
    DateInFuture = ("date.in_future", "0600", "Treatment date in the future"),
    /// The line came in after the late-submission window.
    SubmittedTooLate = ("date.submitted_too_late", "0601", "Submitted after the late-submission window"),
    /// The contract ended and the window for declarations after the end has passed.
    AfterEndWindow = ("date.after_end_window", "0602", "Submitted after the window for declarations after the contract end"),
    /// The provider sent this reference before.
    DuplicateReference = ("duplicate.reference", "3903", "Duplicate: this provider sent the reference before"),
    /// The same participant, date, code, element and surface were declared before.
    DuplicateTreatment = ("duplicate.treatment", "3904", "Duplicate: the same treatment was declared before"),
    /// A credit names an earlier line that was not paid or is already credited.
    CreditWithoutOriginal = ("credit.no_original", "3905", "Credit refers to no paid line of this provider"),
    /// An accident line without an approved accident claim: held for review.
    AccidentReview = ("accident.review", "8101", "Accident: held for review of the accident cover"),
    /// Fraud signal: a near-duplicate (same treatment a few days apart, or another provider).
    NearDuplicate = ("fraud.near_duplicate", "8102", "Held: near-duplicate of an earlier line"),
    /// Fraud signal: many providers for one participant on one day.
    ManyProviders = ("fraud.many_providers", "8103", "Held: many providers for the participant on one day"),
    /// Fraud signal: treatment before the contract started.
    BeforeEnrollment = ("fraud.before_enrollment", "8104", "Held: treatment before the contract started"),
    /// Fraud signal: treatment after the contract ended.
    AfterContractEnd = ("fraud.after_contract_end", "8105", "Held: treatment after the contract ended"),
    /// Fraud signal: expensive work in the first month of the contract.
    ExpensiveFirstMonth = ("fraud.expensive_first_month", "8106", "Held: expensive treatment in the first month"),
    /// Fraud signal: codes that cannot be combined on one element on one day.
    IncompatibleCodes = ("fraud.incompatible_codes", "8107", "Held: codes that cannot be combined on one element on one day"),
}

impl Reason {
    /// The reason for a stored code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Reason> {
        Reason::ALL.iter().copied().find(|r| r.code() == code)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The decision on one line: its outcome, the reasons (in check order) and the money.
///
/// For a paid line `budget_paid + own_payment = amount`. For a credit both are negative (money
/// back to the budget, own payment cancelled). For held and rejected lines both are zero.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The outcome.
    pub outcome: Outcome,
    /// Every reason, in the order of the checks; never empty.
    pub reasons: Vec<Reason>,
    /// Paid from (negative: returned to) the participant's budget.
    pub budget_paid: Cents,
    /// The participant's own payment (negative: cancelled by a credit).
    pub own_payment: Cents,
}

impl Decision {
    /// What the provider is assigned (MZ302 TOEGEKEND BEDRAG): the budget part.
    #[must_use]
    pub fn assigned(&self) -> Cents {
        self.budget_paid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_a_unique_code_and_a_four_digit_mz302_code() {
        let mut codes: Vec<_> = Reason::ALL.iter().map(|r| r.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Reason::ALL.len());
        for reason in Reason::ALL {
            assert_eq!(reason.mz302_code().len(), 4);
            assert!(reason.mz302_code().bytes().all(|b| b.is_ascii_digit()));
            assert_eq!(Reason::from_code(reason.code()), Some(*reason));
        }
    }

    #[test]
    fn outcome_names_round_trip() {
        for outcome in [
            Outcome::Accepted,
            Outcome::PartlyAccepted,
            Outcome::Held,
            Outcome::Rejected,
        ] {
            assert_eq!(Outcome::from_name(outcome.as_str()), Some(outcome));
        }
    }
}
