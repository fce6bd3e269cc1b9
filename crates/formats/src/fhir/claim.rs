//! The R4 `Claim` reader: one claim of a dental practice becomes declaration lines, or every
//! problem is listed with its `FHIRPath` expression (see the table in the module docs).

use ixorg_domain::declaration::{DeclarationLine, Who};
use ixorg_domain::identifiers::AgbCode;

use super::error::{FhirErrors, Problem};
use super::item::{ItemContext, ItemParts, read_items};
use super::json::{self, Json};
use super::patient::read_who;
use super::read::{Coded, Members, Walk, get};
use super::{
    AGB_SYSTEM, CLAIM_IDENTIFIER_CHARS_MAX, CLAIM_TYPE_SYSTEM, FhirId, Identifier,
    PRACTICE_EXTENSION,
};

/// The largest `Claim` document the reader accepts. A claim of [`super::ITEMS_MAX`] items
/// with every element takes about 600 bytes per item; a megabyte leaves room and bounds
/// memory.
pub const CLAIM_BYTES_MAX: usize = 1024 * 1024;

/// A claim that was read: who it is for, who sent it, and its lines with their sequences.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    /// `Claim.id`, when the sender gave one.
    pub id: Option<FhirId>,
    /// `Claim.identifier`: the sender's business identifier of the claim.
    pub identifier: Identifier,
    /// The participant (also in every line).
    pub who: Who,
    /// The treating provider's AGB code (also in every line).
    pub provider: AgbCode,
    /// The practice's AGB code, when given (also in every line).
    pub practice: Option<AgbCode>,
    /// The items in document order.
    pub items: Vec<ClaimItem>,
}

impl Claim {
    /// The declaration lines, in item order.
    pub fn lines(&self) -> impl Iterator<Item = &DeclarationLine> {
        self.items.iter().map(|item| &item.line)
    }
}

/// One `Claim.item` as a declaration line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimItem {
    /// `Claim.item.sequence`, which the `ClaimResponse` answers with `itemSequence`.
    pub sequence: u32,
    /// The line; its `reference` is `{identifier value}-{sequence}`.
    pub line: DeclarationLine,
}

/// Reads an R4 `Claim` in JSON.
///
/// # Errors
/// [`FhirErrors`] with every problem found (up to [`super::ERRORS_MAX`]), each with its `FHIRPath`
/// expression. A document that is not JSON, too large, or not a `Claim` stops at the first
/// problem.
pub fn read_claim(json: &[u8]) -> Result<Claim, FhirErrors> {
    let mut walk = Walk::default();
    if json.len() > CLAIM_BYTES_MAX {
        let problem = Problem::TooLarge {
            bytes_max: CLAIM_BYTES_MAX,
        };
        walk.report("Claim", problem);
        return Err(walk.errors);
    }
    let document = match json::parse(json) {
        Ok(document) => document,
        Err(error) => {
            let problem = Problem::Syntax {
                offset: error.offset,
                expected: error.expected,
            };
            walk.report("Claim", problem);
            return Err(walk.errors);
        }
    };
    let Some(root) = claim_root(&mut walk, &document) else {
        return Err(walk.errors);
    };
    let claim = read_parts(&mut walk, root);
    match claim {
        Some(claim) if walk.errors.is_empty() => Ok(claim),
        _ => {
            if walk.errors.is_empty() {
                walk.report("Claim", Problem::Invalid("could not be read"));
            }
            Err(walk.errors)
        }
    }
}

/// The root object, when it is a `Claim`.
fn claim_root<'a>(walk: &mut Walk, document: &'a Json) -> Option<&'a Members> {
    let root = walk.object(document, "Claim")?;
    match get(root, "resourceType") {
        Some(Json::String(name)) if name == "Claim" => Some(root),
        Some(_) => {
            let problem = Problem::NotAllowed { allowed: "`Claim`" };
            walk.report("Claim.resourceType", problem);
            None
        }
        None => {
            walk.report("Claim.resourceType", Problem::Missing);
            None
        }
    }
}

/// Reads every part, reporting all problems, and builds the claim when nothing was wrong.
fn read_parts(walk: &mut Walk, root: &Members) -> Option<Claim> {
    let id = read_id(walk, root);
    let identifier = read_identifier(walk, root);
    read_status_use_and_type(walk, root);
    refuse_modifier_extensions(walk, root, "Claim");
    let who = read_who(walk, root);
    let provider = read_provider(walk, root);
    let practice = read_practice(walk, root);
    let context = ItemContext {
        claim_accident: read_accident(walk, root),
        related_identifier: read_related(walk, root),
    };
    let items = read_items(walk, root, &context);
    if !walk.errors.is_empty() {
        return None;
    }
    let (identifier, who, provider) = (identifier?, who?, provider?);
    let items = items
        .into_iter()
        .map(|parts| {
            build_item(
                parts,
                &identifier,
                &who,
                &provider,
                practice.as_ref(),
                &context,
            )
        })
        .collect();
    Some(Claim {
        id,
        identifier,
        who,
        provider,
        practice,
        items,
    })
}

fn build_item(
    parts: ItemParts,
    identifier: &Identifier,
    who: &Who,
    provider: &AgbCode,
    practice: Option<&AgbCode>,
    context: &ItemContext,
) -> ClaimItem {
    let previous_reference = if parts.net.is_negative() {
        context
            .related_identifier
            .as_ref()
            .map(|earlier| format!("{earlier}-{}", parts.sequence))
    } else {
        None
    };
    let line = DeclarationLine {
        reference: format!("{}-{}", identifier.value, parts.sequence),
        previous_reference,
        who: who.clone(),
        provider: provider.clone(),
        practice: practice.cloned(),
        treatment_date: parts.treatment_date,
        code: parts.code,
        element: parts.element,
        surface: parts.surface,
        cost: parts.cost,
        quantity: parts.quantity,
        unit_tariff: parts.unit_tariff,
        amount: parts.net,
        accident: parts.accident.unwrap_or(context.claim_accident),
    };
    ClaimItem {
        sequence: parts.sequence,
        line,
    }
}

fn read_id(walk: &mut Walk, root: &Members) -> Option<FhirId> {
    let text = walk.string(root, "id", "Claim", false)?;
    FhirId::parse(text)
        .map_err(|problem| walk.report("Claim.id", problem))
        .ok()
}

/// Checks an identifier value we build line references from: visible ASCII, bounded.
pub(super) fn check_identifier_value(walk: &mut Walk, value: &str, path: &str) -> bool {
    if value.chars().count() > CLAIM_IDENTIFIER_CHARS_MAX {
        let problem = Problem::TooLong {
            max: CLAIM_IDENTIFIER_CHARS_MAX,
        };
        walk.report(path, problem);
        return false;
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        let problem = Problem::Invalid("must be visible ASCII characters without spaces");
        walk.report(path, problem);
        return false;
    }
    true
}

fn read_identifier(walk: &mut Walk, root: &Members) -> Option<Identifier> {
    let identifiers = walk.array(root, "identifier", "Claim");
    match identifiers {
        [] => {
            walk.report("Claim.identifier", Problem::Missing);
            return None;
        }
        [_] => {}
        _ => {
            walk.report("Claim.identifier", Problem::TooMany { max: 1 });
            return None;
        }
    }
    let path = "Claim.identifier[0]";
    let identifier = walk.object(&identifiers[0], path)?;
    let system = walk.string(identifier, "system", path, false);
    let value = walk.string(identifier, "value", path, true)?;
    if !check_identifier_value(walk, value, &format!("{path}.value")) {
        return None;
    }
    Some(Identifier {
        system: system.map(str::to_owned),
        value: value.to_owned(),
    })
}

fn read_status_use_and_type(walk: &mut Walk, root: &Members) {
    if walk
        .string(root, "status", "Claim", true)
        .is_some_and(|status| status != "active")
    {
        let problem = Problem::NotAllowed {
            allowed: "`active` (draft, cancelled and entered-in-error claims are not accepted)",
        };
        walk.report("Claim.status", problem);
    }
    if walk
        .string(root, "use", "Claim", true)
        .is_some_and(|usage| usage != "claim")
    {
        let problem = Problem::NotAllowed {
            allowed: "`claim` (preauthorization and predetermination are not supported)",
        };
        walk.report("Claim.use", problem);
    }
    let Some(claim_type) = walk.child(root, "type", "Claim", false) else {
        return;
    };
    match walk.coding_in(claim_type, "Claim.type", &[CLAIM_TYPE_SYSTEM]) {
        Coded::Found(path, code) if code != "oral" => {
            walk.report(&path, Problem::NotAllowed { allowed: "`oral`" });
        }
        Coded::Absent => {
            let problem = Problem::MissingCoding {
                system: CLAIM_TYPE_SYSTEM,
            };
            walk.report("Claim.type", problem);
        }
        Coded::Found(..) | Coded::Reported => {}
    }
}

/// Refuses `modifierExtension`: a modifier we do not understand changes what the element
/// means, so R4 requires refusing it.
pub(super) fn refuse_modifier_extensions(walk: &mut Walk, members: &Members, path: &str) {
    if get(members, "modifierExtension").is_some() {
        let problem = Problem::NotSupported("modifier extensions change the meaning of the claim");
        walk.report(&format!("{path}.modifierExtension"), problem);
    }
}

/// Reads an `Identifier` in the AGB system as an AGB code.
pub(super) fn read_agb(walk: &mut Walk, identifier: &Members, path: &str) -> Option<AgbCode> {
    let system = walk.string(identifier, "system", path, true);
    if system.is_some_and(|system| system != AGB_SYSTEM) {
        let problem = Problem::NotAllowed {
            allowed: "the AGB system http://fhir.nl/fhir/NamingSystem/agb-z",
        };
        walk.report(&format!("{path}.system"), problem);
        return None;
    }
    let value = walk.string(identifier, "value", path, true)?;
    let agb = AgbCode::parse(value)
        .map_err(|error| walk.report(&format!("{path}.value"), Problem::Agb(error)))
        .ok()?;
    system.and(Some(agb))
}

fn read_provider(walk: &mut Walk, root: &Members) -> Option<AgbCode> {
    let provider = walk.child(root, "provider", "Claim", true)?;
    if get(provider, "identifier").is_none() && get(provider, "reference").is_some() {
        let problem = Problem::NotSupported(
            "a provider reference; give provider.identifier with the AGB code",
        );
        walk.report("Claim.provider.reference", problem);
        return None;
    }
    let identifier = walk.child(provider, "identifier", "Claim.provider", true)?;
    read_agb(walk, identifier, "Claim.provider.identifier")
}

fn read_practice(walk: &mut Walk, root: &Members) -> Option<AgbCode> {
    let extensions = walk.extensions(root, "Claim", PRACTICE_EXTENSION);
    let (path, extension) = match extensions.as_slice() {
        [] => return None,
        [one] => one,
        [_, second, ..] => {
            walk.report(&second.0, Problem::TooMany { max: 1 });
            return None;
        }
    };
    let identifier = walk.child(extension, "valueIdentifier", path, true)?;
    read_agb(walk, identifier, &format!("{path}.valueIdentifier"))
}

/// `Claim.accident`: present means every item follows an accident. R4 requires its `date`.
fn read_accident(walk: &mut Walk, root: &Members) -> bool {
    let Some(accident) = walk.child(root, "accident", "Claim", false) else {
        return false;
    };
    walk.date(accident, "date", "Claim.accident", true);
    true
}

/// `Claim.related[0].claim.identifier.value`: the earlier claim that credit items reverse.
fn read_related(walk: &mut Walk, root: &Members) -> Option<String> {
    let related = walk.array(root, "related", "Claim");
    let first = match related {
        [] => return None,
        [first] => first,
        _ => {
            walk.report("Claim.related", Problem::TooMany { max: 1 });
            return None;
        }
    };
    let related = walk.object(first, "Claim.related[0]")?;
    let claim = walk.child(related, "claim", "Claim.related[0]", true)?;
    let path = "Claim.related[0].claim";
    let identifier = walk.child(claim, "identifier", path, true)?;
    let path = "Claim.related[0].claim.identifier";
    let value = walk.string(identifier, "value", path, true)?;
    check_identifier_value(walk, value, &format!("{path}.value")).then(|| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_larger_than_the_limit_is_refused_before_parsing() {
        let big = vec![b' '; CLAIM_BYTES_MAX + 1];
        let errors = read_claim(&big).expect_err("too large");
        assert_eq!(
            errors.errors[0].problem,
            Problem::TooLarge {
                bytes_max: CLAIM_BYTES_MAX
            }
        );
    }
}
