//! `Claim.patient`: a contained `Patient` with our participant number or a BSN and a date of
//! birth, or a logical reference by participant number.

use ixorg_domain::declaration::Who;
use ixorg_domain::identifiers::{Bsn, ParticipantNumber};

use super::error::Problem;
use super::json::Json;
use super::read::{Members, Walk, get};
use super::{BSN_SYSTEM, PARTICIPANT_NUMBER_SYSTEM};

/// Reads who the claim is for from `Claim.patient` (and `Claim.contained`).
pub(super) fn read_who(walk: &mut Walk, root: &Members) -> Option<Who> {
    let patient = walk.child(root, "patient", "Claim", true)?;
    if let Some(reference) = walk.string(patient, "reference", "Claim.patient", false) {
        let Some(id) = reference.strip_prefix('#') else {
            let problem = Problem::NotSupported(
                "a reference to a Patient outside the claim; contain the Patient and refer to it as #id, or give patient.identifier",
            );
            walk.report("Claim.patient.reference", problem);
            return None;
        };
        let (path, contained) = find_contained_patient(walk, root, id)?;
        return read_contained_patient(walk, contained, &path);
    }
    let Some(identifier) = walk.child(patient, "identifier", "Claim.patient", false) else {
        let problem = Problem::Invalid("needs a reference to a contained Patient or an identifier");
        walk.report("Claim.patient", problem);
        return None;
    };
    let path = "Claim.patient.identifier";
    match walk.string(identifier, "system", path, true)? {
        PARTICIPANT_NUMBER_SYSTEM => read_number(walk, identifier, path),
        BSN_SYSTEM => {
            let problem = Problem::Invalid(
                "a BSN needs the date of birth: contain a Patient with identifier and birthDate",
            );
            walk.report(&format!("{path}.system"), problem);
            None
        }
        _ => {
            walk.report(&format!("{path}.system"), not_our_systems());
            None
        }
    }
}

fn not_our_systems() -> Problem {
    Problem::NotAllowed {
        allowed: "the participant-number system https://ixorg.nl/fhir/NamingSystem/participant-number or the BSN system http://fhir.nl/fhir/NamingSystem/bsn",
    }
}

/// The contained `Patient` with the given id, with its path.
fn find_contained_patient<'a>(
    walk: &mut Walk,
    root: &'a Members,
    id: &str,
) -> Option<(String, &'a Members)> {
    for (index, resource) in walk.array(root, "contained", "Claim").iter().enumerate() {
        let Json::Object(members) = resource else {
            continue;
        };
        let is_patient =
            matches!(get(members, "resourceType"), Some(Json::String(t)) if t == "Patient");
        let has_id = matches!(get(members, "id"), Some(Json::String(found)) if found == id);
        if is_patient && has_id {
            return Some((format!("Claim.contained[{index}]"), members));
        }
    }
    let problem = Problem::NotFound("no contained Patient has this id");
    walk.report("Claim.patient.reference", problem);
    None
}

fn read_contained_patient(walk: &mut Walk, patient: &Members, path: &str) -> Option<Who> {
    let identifiers = walk.array(patient, "identifier", path);
    let mut number = None;
    let mut bsn = None;
    for (index, identifier) in identifiers.iter().enumerate() {
        let identifier_path = format!("{path}.identifier[{index}]");
        let Some(identifier) = walk.object(identifier, &identifier_path) else {
            continue;
        };
        match get(identifier, "system") {
            Some(Json::String(s)) if s == PARTICIPANT_NUMBER_SYSTEM => {
                number = number.or(Some((identifier_path, identifier)));
            }
            Some(Json::String(s)) if s == BSN_SYSTEM => {
                bsn = bsn.or(Some((identifier_path, identifier)));
            }
            _ => {}
        }
    }
    if let Some((identifier_path, identifier)) = number {
        return read_number(walk, identifier, &identifier_path);
    }
    let Some((identifier_path, identifier)) = bsn else {
        walk.report(&format!("{path}.identifier"), not_our_systems());
        return None;
    };
    let birth_date = walk.date(patient, "birthDate", path, true);
    let value = walk.string(identifier, "value", &identifier_path, true)?;
    let bsn = Bsn::parse(value)
        .map_err(|error| walk.report(&format!("{identifier_path}.value"), Problem::Bsn(error)))
        .ok()?;
    Some(Who::Bsn {
        bsn,
        birth_date: birth_date?,
    })
}

fn read_number(walk: &mut Walk, identifier: &Members, path: &str) -> Option<Who> {
    let value = walk.string(identifier, "value", path, true)?;
    ParticipantNumber::parse(value)
        .map(Who::Number)
        .map_err(|error| {
            let problem = Problem::ParticipantNumber(error);
            walk.report(&format!("{path}.value"), problem);
        })
        .ok()
}
