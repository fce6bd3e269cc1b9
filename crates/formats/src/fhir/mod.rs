//! HL7 FHIR R4 (4.0.1) for declarations: the `Claim` reader, the `ClaimResponse`,
//! `OperationOutcome`, `CapabilityStatement` and `Coverage` search-`Bundle` writers. Pure: JSON
//! bytes in, domain types out, and JSON text back; no I/O, no clock.
//!
//! # How a `Claim` becomes declaration lines (our profile)
//!
//! | FHIR element | Rule | Domain |
//! |---|---|---|
//! | `resourceType`, `status`, `use` | must be `Claim`, `active`, `claim` | — |
//! | `type` | optional; when present it must hold the `claim-type` code `oral` | — |
//! | `id` | optional FHIR id | [`Claim::id`] |
//! | `identifier` | exactly one, `value` 1–[`CLAIM_IDENTIFIER_CHARS_MAX`] visible ASCII characters | [`Claim::identifier`] |
//! | `patient` | `#id` of a contained `Patient`, or a logical reference (`patient.identifier`) | [`Claim::who`] |
//! | `Patient.identifier` | [`PARTICIPANT_NUMBER_SYSTEM`] (preferred when both are sent) or [`BSN_SYSTEM`] | `Who` |
//! | `Patient.birthDate` | required with a BSN (so a BSN needs a contained `Patient`) | `Who::Bsn::birth_date` |
//! | `provider.identifier` | [`AGB_SYSTEM`] | `DeclarationLine::provider` |
//! | extension [`PRACTICE_EXTENSION`] on `Claim` | optional `valueIdentifier` ([`AGB_SYSTEM`]) | `DeclarationLine::practice` |
//! | `accident` | present ⇒ every item is an accident item (`accident.date` is required by R4) | `accident` |
//! | extension [`ACCIDENT_EXTENSION`] on an item | `valueBoolean`; overrides `Claim.accident` for that item | `accident` |
//! | `related` | at most one; `related.claim.identifier.value` names the earlier claim | credit lines |
//! | `item` | 1–[`ITEMS_MAX`] items | one line each |
//! | `item.sequence` | 1–[`ITEM_SEQUENCE_MAX`], unique | `reference` = `{identifier.value}-{sequence}` |
//! | `item.productOrService` | a coding in [`PRESTATIECODE_SYSTEM`] | `code` |
//! | `item.category` | optional coding in [`COST_KIND_SYSTEM`]: `honorarium` (default) or `material` | `cost` |
//! | `item.servicedDate` | required (`servicedPeriod` is not supported) | `treatment_date` |
//! | `item.quantity.value` | a whole number 1–65535; absent means 1 | `quantity` |
//! | `item.unitPrice`, `item.net` | EUR, at most 2 decimals, read exactly; `net` = `quantity` × `unitPrice` | `unit_tariff`, `amount` |
//! | `item.bodySite` | a coding in [`TOOTH_SYSTEM`] or [`VADEMECUM_ELEMENT_SYSTEM`] | `element` |
//! | `item.subSite` | codings in [`SURFACE_SYSTEM`]; their codes joined in order, at most 6 letters | `surface` |
//!
//! A credit line is an item with a negative `net` (and so a negative `unitPrice`) in a claim with
//! `Claim.related`: it reverses the item with the **same sequence** of the earlier claim, so its
//! `previous_reference` is `{related identifier value}-{sequence}`. The domain line keeps the
//! signed amount and the unit tariff as a positive number, as MZ301 does.
//!
//! A `modifierExtension` anywhere in the claim or an item, `item.detail` and `item.factor` are
//! refused: they change the meaning of what we would pay. Other R4 elements (`created`,
//! `priority`, `insurance`, `careTeam`, …) are allowed and not read.
//!
//! # What the `ClaimResponse` says
//!
//! See [`claim_response`]: per item the adjudication categories `submitted`, `eligible`,
//! `benefit` (paid from the budget), `copay` (the participant's own payment) of
//! [`ADJUDICATION_SYSTEM`], one extra adjudication per reason (category `reason` of
//! [`IXORG_ADJUDICATION_SYSTEM`], `reason` coded in [`REASON_SYSTEM`]), and the item's outcome in
//! the extension [`OUTCOME_EXTENSION`].

mod capability;
mod claim;
mod coverage;
mod error;
mod item;
mod json;
mod outcome;
mod patient;
mod read;
mod response;
mod write;

pub use capability::capability_statement;
pub use claim::{CLAIM_BYTES_MAX, Claim, ClaimItem, read_claim};
pub use coverage::{CoverageFacts, CoverageStatus, coverage_bundle};
pub use error::{ERRORS_MAX, FhirError, FhirErrors, Issue, IssueType, Problem, Severity};
pub use json::{DEPTH_MAX, VALUES_MAX};
pub use outcome::operation_outcome;
pub use response::{ClaimResponseParts, claim_response};

use std::fmt;

/// The FHIR version this module reads and writes.
pub const FHIR_VERSION: &str = "4.0.1";

/// The identifier system of our participant numbers.
pub const PARTICIPANT_NUMBER_SYSTEM: &str = "https://ixorg.nl/fhir/NamingSystem/participant-number";

/// The identifier system of the BSN (Nictiz naming system).
pub const BSN_SYSTEM: &str = "http://fhir.nl/fhir/NamingSystem/bsn";

/// The identifier system of AGB codes (Nictiz naming system `agb-z`).
pub const AGB_SYSTEM: &str = "http://fhir.nl/fhir/NamingSystem/agb-z";

/// The code system of prestatiecodes: the NZa/Vektis "Prestatiecodelijst mondzorg, alle
/// disciplines" (MZ301 AANDUIDING PRESTATIECODELIJST `010`). An ixorg URI: no official FHIR
/// system URI for this list could be confirmed, so we name it ourselves rather than guess an OID.
pub const PRESTATIECODE_SYSTEM: &str = "https://ixorg.nl/fhir/CodeSystem/prestatiecodelijst-010";

/// The R4 example code system of FDI tooth codes, accepted for `item.bodySite`.
pub const TOOTH_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/ex-tooth";

/// Element codes of the "Vademecum Tandheelkunde" (as MZ301 GEBITSELEMENTCODE; `99` is a
/// supernumerary tooth), also accepted for `item.bodySite`.
pub const VADEMECUM_ELEMENT_SYSTEM: &str = "https://ixorg.nl/fhir/CodeSystem/vademecum-element";

/// The R4 code system of FDI tooth surfaces, for `item.subSite`.
pub const SURFACE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/FDI-surface";

/// Our code system for `item.category`: `honorarium` or `material` (material and technician
/// costs), the names of `CostKind::as_str`.
pub const COST_KIND_SYSTEM: &str = "https://ixorg.nl/fhir/CodeSystem/cost-kind";

/// Extension on `Claim` with a `valueIdentifier`: the practice's AGB code.
pub const PRACTICE_EXTENSION: &str = "https://ixorg.nl/fhir/StructureDefinition/practice";

/// Extension on `Claim.item` with a `valueBoolean`: this item follows an accident (or not).
pub const ACCIDENT_EXTENSION: &str = "https://ixorg.nl/fhir/StructureDefinition/accident";

/// Extension on `ClaimResponse.item` with a `valueCode`: the line's outcome (`accepted`,
/// `partly_accepted`, `held`, `rejected`: the names of `Outcome::as_str`).
pub const OUTCOME_EXTENSION: &str = "https://ixorg.nl/fhir/StructureDefinition/declaration-outcome";

/// Our reason codes (`Reason::code`, `docs/REASON-CODES.md`), display `Reason::title`.
pub const REASON_SYSTEM: &str = "https://ixorg.nl/fhir/CodeSystem/declaration-reason";

/// The R4 adjudication categories (`submitted`, `eligible`, `benefit`, `copay`, …).
pub const ADJUDICATION_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/adjudication";

/// Our extra adjudication category: `reason` (an adjudication that carries one reason code).
pub const IXORG_ADJUDICATION_SYSTEM: &str =
    "https://ixorg.nl/fhir/CodeSystem/adjudication-category";

/// The R4 claim types; ours is `oral`.
pub const CLAIM_TYPE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/claim-type";

/// The longest claim identifier value: with `-` and a sequence of at most three digits the
/// line reference fits `REFERENCE_CHARS_MAX` (40).
pub const CLAIM_IDENTIFIER_CHARS_MAX: usize = 36;

/// The highest item sequence (three digits, see [`CLAIM_IDENTIFIER_CHARS_MAX`]).
pub const ITEM_SEQUENCE_MAX: u32 = 999;

/// The most items one claim may hold.
pub const ITEMS_MAX: usize = 999;

const _: () =
    assert!(CLAIM_IDENTIFIER_CHARS_MAX + 1 + 3 <= ixorg_domain::declaration::REFERENCE_CHARS_MAX);
const _: () = assert!(ITEM_SEQUENCE_MAX < 1000);

/// The longest FHIR logical id (R4 `id`: `[A-Za-z0-9\-\.]{1,64}`).
pub const FHIR_ID_CHARS_MAX: usize = 64;

/// A FHIR logical id (R4 type `id`): 1–64 letters, digits, `-` and `.`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FhirId(String);

impl FhirId {
    /// Checks the R4 `id` pattern.
    ///
    /// # Errors
    /// [`Problem::Invalid`] when the text is empty, too long, or holds another character.
    pub fn parse(text: &str) -> Result<FhirId, Problem> {
        let valid = !text.is_empty()
            && text.len() <= FHIR_ID_CHARS_MAX
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        if valid {
            Ok(FhirId(text.to_owned()))
        } else {
            Err(Problem::Invalid(
                "is not a FHIR id (1-64 letters, digits, '-' or '.')",
            ))
        }
    }

    /// The id text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FhirId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A business identifier (R4 `Identifier` with `system` and `value`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Identifier {
    /// The namespace (a URI), when given.
    pub system: Option<String>,
    /// The value.
    pub value: String,
}

/// The operator, as the `insurer` of a `ClaimResponse` and the `payor` of a `Coverage`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    /// The name shown (`Reference.display`).
    pub name: String,
    /// The operator's identifier (for example its KvK number), when it should be sent.
    pub identifier: Option<Identifier>,
}
