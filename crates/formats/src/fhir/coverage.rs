//! The answer to `GET /fhir/Coverage?beneficiary=…`: a `searchset` `Bundle` of R4 `Coverage`
//! resources, one per contract period of the participant.

use ixorg_domain::identifiers::ParticipantNumber;
use time::Date;

use super::json::Out;
use super::write::{coding, concept, date, identifier_in, object, operator_reference, whole};
use super::{FhirId, Operator, PARTICIPANT_NUMBER_SYSTEM};

/// The coverage type: the v3 `ActCode` `DENTAL` ("dental care policy").
const COVERAGE_TYPE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

/// Whether the participant's plan runs (R4 `fm-status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoverageStatus {
    /// The contract runs, or ran until `end` (`active` with a period end).
    Active,
    /// The contract was cancelled before it started.
    Cancelled,
}

impl CoverageStatus {
    const fn code(self) -> &'static str {
        match self {
            CoverageStatus::Active => "active",
            CoverageStatus::Cancelled => "cancelled",
        }
    }
}

/// One participant's plan, as the app knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoverageFacts {
    /// The `Coverage` logical id (for example from the participant's id).
    pub id: FhirId,
    /// The participant.
    pub beneficiary: ParticipantNumber,
    /// Whether it runs.
    pub status: CoverageStatus,
    /// The first day of the contract.
    pub start: Date,
    /// The last day, once the contract ends.
    pub end: Option<Date>,
}

/// Writes the `searchset` `Bundle` for a search by `beneficiary` on the server at `base_url`.
#[must_use]
pub fn coverage_bundle(
    base_url: &str,
    beneficiary: &ParticipantNumber,
    coverages: &[CoverageFacts],
    operator: &Operator,
) -> String {
    let base_url = base_url.trim_end_matches('/');
    let self_link = object(vec![
        ("relation", Some(Out::str("self"))),
        (
            "url",
            Some(Out::Str(format!(
                "{base_url}/Coverage?beneficiary:identifier={PARTICIPANT_NUMBER_SYSTEM}|{beneficiary}"
            ))),
        ),
    ]);
    let entries: Vec<Out> = coverages
        .iter()
        .map(|facts| entry(base_url, facts, operator))
        .collect();
    let count = u64::try_from(entries.len()).expect("BUG: a list longer than u64");
    object(vec![
        ("resourceType", Some(Out::str("Bundle"))),
        ("type", Some(Out::str("searchset"))),
        ("total", Some(whole(count))),
        ("link", Some(Out::Array(vec![self_link]))),
        (
            "entry",
            (!entries.is_empty()).then_some(Out::Array(entries)),
        ),
    ])
    .to_json()
}

fn entry(base_url: &str, facts: &CoverageFacts, operator: &Operator) -> Out {
    object(vec![
        (
            "fullUrl",
            Some(Out::Str(format!("{base_url}/Coverage/{}", facts.id))),
        ),
        ("resource", Some(coverage(facts, operator))),
        (
            "search",
            Some(object(vec![("mode", Some(Out::str("match")))])),
        ),
    ])
}

fn coverage(facts: &CoverageFacts, operator: &Operator) -> Out {
    let coverage_type = concept(
        coding(COVERAGE_TYPE_SYSTEM, "DENTAL", Some("dental care policy")),
        Some("Dental-care budget plan with accident cover"),
    );
    let beneficiary = object(vec![
        ("type", Some(Out::str("Patient"))),
        (
            "identifier",
            Some(identifier_in(
                PARTICIPANT_NUMBER_SYSTEM,
                facts.beneficiary.as_str(),
            )),
        ),
    ]);
    let period = object(vec![
        ("start", Some(date(facts.start))),
        ("end", facts.end.map(date)),
    ]);
    object(vec![
        ("resourceType", Some(Out::str("Coverage"))),
        ("id", Some(Out::str(facts.id.as_str()))),
        ("status", Some(Out::str(facts.status.code()))),
        ("type", Some(coverage_type)),
        ("subscriberId", Some(Out::str(facts.beneficiary.as_str()))),
        ("beneficiary", Some(beneficiary)),
        ("period", Some(period)),
        (
            "payor",
            Some(Out::Array(vec![operator_reference(operator)])),
        ),
    ])
}
