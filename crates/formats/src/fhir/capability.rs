//! The R4 `CapabilityStatement` for `GET /fhir/metadata`.

use time::Date;

use super::json::Out;
use super::write::{date, object};
use super::{FHIR_VERSION, PARTICIPANT_NUMBER_SYSTEM};

/// What the `Claim` entry tells a sender about our profile (the rules in the module docs).
const CLAIM_DOCUMENTATION: &str = "Dental declarations: status active, use claim, one identifier, the patient as a contained Patient (participant number, or BSN with birthDate) or patient.identifier (participant number), provider.identifier with the AGB code, items with a prestatiecode, servicedDate and EUR amounts (net = quantity x unitPrice, at most 2 decimals). The response is a ClaimResponse, or an OperationOutcome listing every problem.";

/// Writes the R4 `CapabilityStatement` of the server at `base_url` (for example
/// `https://ixorg.example/fhir`), running `software_version` of ixorg, dated `date` (the
/// release date: R4 requires a date and this module reads no clock).
#[must_use]
pub fn capability_statement(base_url: &str, software_version: &str, date_of: Date) -> String {
    let base_url = base_url.trim_end_matches('/');
    object(vec![
        ("resourceType", Some(Out::str("CapabilityStatement"))),
        ("status", Some(Out::str("active"))),
        ("date", Some(date(date_of))),
        ("publisher", Some(Out::str("ixorg"))),
        ("kind", Some(Out::str("instance"))),
        (
            "software",
            Some(object(vec![
                ("name", Some(Out::str("ixorg"))),
                ("version", Some(Out::str(software_version))),
            ])),
        ),
        (
            "implementation",
            Some(object(vec![
                (
                    "description",
                    Some(Out::str("ixorg FHIR R4 endpoint for dental declarations")),
                ),
                ("url", Some(Out::str(base_url))),
            ])),
        ),
        ("fhirVersion", Some(Out::str(FHIR_VERSION))),
        (
            "format",
            Some(Out::Array(vec![
                Out::str("json"),
                Out::str("application/fhir+json"),
            ])),
        ),
        ("rest", Some(Out::Array(vec![rest()]))),
    ])
    .to_json()
}

fn rest() -> Out {
    let claim = object(vec![
        ("type", Some(Out::str("Claim"))),
        ("documentation", Some(Out::str(CLAIM_DOCUMENTATION))),
        ("interaction", Some(interactions(&["create"]))),
    ]);
    let claim_response = object(vec![
        ("type", Some(Out::str("ClaimResponse"))),
        (
            "documentation",
            Some(Out::str("Returned as the answer to a Claim create.")),
        ),
    ]);
    let beneficiary = object(vec![
        ("name", Some(Out::str("beneficiary"))),
        (
            "definition",
            Some(Out::str(
                "http://hl7.org/fhir/SearchParameter/Coverage-beneficiary",
            )),
        ),
        ("type", Some(Out::str("reference"))),
        (
            "documentation",
            Some(Out::Str(format!(
                "The participant, by participant number: beneficiary:identifier={PARTICIPANT_NUMBER_SYSTEM}|<number>"
            ))),
        ),
    ]);
    let coverage = object(vec![
        ("type", Some(Out::str("Coverage"))),
        ("interaction", Some(interactions(&["search-type"]))),
        ("searchParam", Some(Out::Array(vec![beneficiary]))),
    ]);
    object(vec![
        ("mode", Some(Out::str("server"))),
        (
            "resource",
            Some(Out::Array(vec![claim, claim_response, coverage])),
        ),
    ])
}

fn interactions(codes: &[&str]) -> Out {
    Out::Array(
        codes
            .iter()
            .map(|code| object(vec![("code", Some(Out::str(*code)))]))
            .collect(),
    )
}
