//! `Claim.item`: one declaration line each (see the table in the module docs).

use std::collections::HashSet;

use ixorg_domain::Cents;
use ixorg_domain::declaration::CostKind;
use time::Date;

use super::claim::refuse_modifier_extensions;
use super::error::Problem;
use super::read::{Coded, Members, Walk, parse_whole};
use super::{
    ACCIDENT_EXTENSION, COST_KIND_SYSTEM, ITEM_SEQUENCE_MAX, ITEMS_MAX, PRESTATIECODE_SYSTEM,
    SURFACE_SYSTEM, TOOTH_SYSTEM, VADEMECUM_ELEMENT_SYSTEM,
};

/// The longest prestatiecode (MZ301 PRESTATIECODE has 6 positions).
const CODE_CHARS_MAX: usize = 6;

/// The longest element code (MZ301 GEBITSELEMENTCODE has 2 positions).
const ELEMENT_CHARS_MAX: usize = 2;

/// The longest surface text (MZ301 VLAKCODE has 6 positions).
const SURFACE_CHARS_MAX: usize = 6;

/// The surface letters of the WHO nomenclature (mesial, occlusal, distal, buccal, lingual,
/// palatal, vestibular, cervical, incisal).
const SURFACE_LETTERS: &str = "MODBLPVCI";

/// What the items need from the claim.
#[derive(Debug)]
pub(super) struct ItemContext {
    /// `Claim.accident` is present.
    pub(super) claim_accident: bool,
    /// The identifier value of the earlier claim in `Claim.related`.
    pub(super) related_identifier: Option<String>,
}

/// One item's own fields; the claim adds who, provider and references.
#[derive(Debug)]
pub(super) struct ItemParts {
    pub(super) sequence: u32,
    pub(super) code: String,
    pub(super) cost: CostKind,
    pub(super) treatment_date: Date,
    pub(super) quantity: u16,
    pub(super) unit_tariff: Cents,
    pub(super) net: Cents,
    pub(super) element: Option<String>,
    pub(super) surface: Option<String>,
    pub(super) accident: Option<bool>,
}

/// Reads every item; items with problems are reported and left out.
pub(super) fn read_items(walk: &mut Walk, root: &Members, context: &ItemContext) -> Vec<ItemParts> {
    let items = walk.array(root, "item", "Claim");
    if items.is_empty() {
        if !has(root, "item") {
            walk.report("Claim.item", Problem::Missing);
        }
        return Vec::new();
    }
    if items.len() > ITEMS_MAX {
        walk.report("Claim.item", Problem::TooMany { max: ITEMS_MAX });
        return Vec::new();
    }
    let mut sequences = HashSet::new();
    let mut parts = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let path = format!("Claim.item[{index}]");
        let Some(item) = walk.object(item, &path) else {
            continue;
        };
        let reported_before = walk.errors.errors.len() + walk.errors.truncated;
        let sequence = read_sequence(walk, item, &path);
        if sequence.is_some_and(|sequence| !sequences.insert(sequence)) {
            walk.report(&format!("{path}.sequence"), Problem::DuplicateSequence);
        }
        match read_item(walk, item, &path, context, sequence) {
            Some(item) => parts.push(item),
            // Every helper reports why it gives up; this guard makes sure that an item is
            // never left out silently, even if one does not.
            None if walk.errors.errors.len() + walk.errors.truncated == reported_before => {
                walk.report(&path, Problem::Invalid("could not be read"));
            }
            None => {}
        }
    }
    parts
}

fn read_sequence(walk: &mut Walk, item: &Members, path: &str) -> Option<u32> {
    let text = walk.number(item, "sequence", path, true)?;
    let sequence = parse_whole(text, ITEM_SEQUENCE_MAX);
    if sequence.is_none() {
        let problem = Problem::Invalid("must be a whole number from 1 to 999");
        walk.report(&format!("{path}.sequence"), problem);
    }
    sequence
}

fn read_item(
    walk: &mut Walk,
    item: &Members,
    path: &str,
    context: &ItemContext,
    sequence: Option<u32>,
) -> Option<ItemParts> {
    refuse_unsupported(walk, item, path);
    let code = read_code(walk, item, path);
    let cost = read_cost(walk, item, path);
    let treatment_date = walk.date(item, "servicedDate", path, !has(item, "servicedPeriod"));
    let amounts = read_amounts(walk, item, path, context);
    let element = read_element(walk, item, path);
    let surface = read_surface(walk, item, path);
    let accident = read_accident(walk, item, path);
    let (quantity, unit_tariff, net) = amounts?;
    Some(ItemParts {
        sequence: sequence?,
        code: code?,
        cost: cost?,
        treatment_date: treatment_date?,
        quantity,
        unit_tariff,
        net,
        element: element.ok()?,
        surface: surface.ok()?,
        accident: accident.ok()?,
    })
}

fn has(members: &Members, key: &str) -> bool {
    super::read::get(members, key).is_some()
}

fn refuse_unsupported(walk: &mut Walk, item: &Members, path: &str) {
    refuse_modifier_extensions(walk, item, path);
    let unsupported = [
        ("detail", "item.detail; send each line as its own item"),
        ("factor", "item.factor; put the amount to pay in net"),
        (
            "servicedPeriod",
            "servicedPeriod; give the treatment date as servicedDate",
        ),
    ];
    for (key, why) in unsupported {
        if has(item, key) {
            walk.report(&format!("{path}.{key}"), Problem::NotSupported(why));
        }
    }
}

fn read_code(walk: &mut Walk, item: &Members, path: &str) -> Option<String> {
    let concept_path = format!("{path}.productOrService");
    let concept = walk.child(item, "productOrService", path, true)?;
    match walk.coding_in(concept, &concept_path, &[PRESTATIECODE_SYSTEM]) {
        Coded::Found(code_path, code) => {
            let valid =
                code.len() <= CODE_CHARS_MAX && code.bytes().all(|b| b.is_ascii_alphanumeric());
            if !valid {
                let problem = Problem::Invalid("a prestatiecode is 1-6 letters and digits");
                walk.report(&code_path, problem);
            }
            valid.then(|| code.to_owned())
        }
        Coded::Absent => {
            let problem = Problem::MissingCoding {
                system: PRESTATIECODE_SYSTEM,
            };
            walk.report(&concept_path, problem);
            None
        }
        Coded::Reported => None,
    }
}

fn read_cost(walk: &mut Walk, item: &Members, path: &str) -> Option<CostKind> {
    let concept_path = format!("{path}.category");
    let Some(concept) = walk.child(item, "category", path, false) else {
        return (!has(item, "category")).then_some(CostKind::Honorarium);
    };
    match walk.coding_in(concept, &concept_path, &[COST_KIND_SYSTEM]) {
        Coded::Found(code_path, code) => {
            let cost = CostKind::from_name(code);
            if cost.is_none() {
                let problem = Problem::NotAllowed {
                    allowed: "`honorarium` or `material`",
                };
                walk.report(&code_path, problem);
            }
            cost
        }
        Coded::Absent => {
            let problem = Problem::MissingCoding {
                system: COST_KIND_SYSTEM,
            };
            walk.report(&concept_path, problem);
            None
        }
        Coded::Reported => None,
    }
}

/// `quantity.value`, `unitPrice` and `net`, with the R4 rule net = quantity × unitPrice and
/// our rule that a credit (negative net) names the earlier claim.
fn read_amounts(
    walk: &mut Walk,
    item: &Members,
    path: &str,
    context: &ItemContext,
) -> Option<(u16, Cents, Cents)> {
    let quantity = read_quantity(walk, item, path);
    let unit_price = walk.money(item, "unitPrice", path);
    let net = walk.money(item, "net", path);
    let (quantity, unit_price, net) = (quantity?, unit_price?, net?);
    let net_path = format!("{path}.net.value");
    if unit_price.checked_mul(i64::from(quantity)) != Some(net) {
        let problem = Problem::Inconsistent("net must be quantity x unitPrice");
        walk.report(&net_path, problem);
        return None;
    }
    if net.is_negative() && context.related_identifier.is_none() {
        let problem = Problem::Inconsistent(
            "a negative net is a credit and needs Claim.related naming the earlier claim",
        );
        walk.report(&net_path, problem);
        return None;
    }
    let Some(unit_tariff) = unit_price.abs() else {
        let problem = Problem::Invalid("amount is out of range");
        walk.report(&format!("{path}.unitPrice.value"), problem);
        return None;
    };
    Some((quantity, unit_tariff, net))
}

/// `quantity.value`: a whole number from 1 to 65535; an absent quantity means 1.
fn read_quantity(walk: &mut Walk, item: &Members, path: &str) -> Option<u16> {
    let quantity_path = format!("{path}.quantity");
    let Some(quantity) = walk.child(item, "quantity", path, false) else {
        return (!has(item, "quantity")).then_some(1);
    };
    let text = walk.number(quantity, "value", &quantity_path, true)?;
    let value = parse_whole(text, u32::from(u16::MAX)).and_then(|v| u16::try_from(v).ok());
    if value.is_none() {
        let problem = Problem::Invalid("must be a whole number from 1 to 65535");
        walk.report(&format!("{quantity_path}.value"), problem);
    }
    value
}

/// `bodySite`: the element code. `Err` when a problem was reported.
fn read_element(walk: &mut Walk, item: &Members, path: &str) -> Result<Option<String>, ()> {
    let concept_path = format!("{path}.bodySite");
    let Some(concept) = walk.child(item, "bodySite", path, false) else {
        return if has(item, "bodySite") {
            Err(())
        } else {
            Ok(None)
        };
    };
    match walk.coding_in(
        concept,
        &concept_path,
        &[TOOTH_SYSTEM, VADEMECUM_ELEMENT_SYSTEM],
    ) {
        Coded::Found(code_path, code) => {
            let valid =
                code.len() <= ELEMENT_CHARS_MAX && code.bytes().all(|b| b.is_ascii_alphanumeric());
            if valid {
                return Ok(Some(code.to_owned()));
            }
            let problem = Problem::Invalid("an element code is 1-2 letters or digits");
            walk.report(&code_path, problem);
            Err(())
        }
        Coded::Absent => {
            let problem = Problem::MissingCoding {
                system: "http://terminology.hl7.org/CodeSystem/ex-tooth or https://ixorg.nl/fhir/CodeSystem/vademecum-element",
            };
            walk.report(&concept_path, problem);
            Err(())
        }
        Coded::Reported => Err(()),
    }
}

/// `subSite`: the surface codes joined in order. `Err` when a problem was reported.
fn read_surface(walk: &mut Walk, item: &Members, path: &str) -> Result<Option<String>, ()> {
    let sites = walk.array(item, "subSite", path);
    let mut surface = String::new();
    let mut ok = !sites.is_empty() || !has(item, "subSite");
    for (index, site) in sites.iter().enumerate() {
        let site_path = format!("{path}.subSite[{index}]");
        let Some(site) = walk.object(site, &site_path) else {
            ok = false;
            continue;
        };
        match walk.coding_in(site, &site_path, &[SURFACE_SYSTEM]) {
            Coded::Found(code_path, code) => {
                if !add_surface(&mut surface, code) {
                    let problem = Problem::Invalid(
                        "surfaces are the letters M O D B L P V C I, each once, at most 6 in all",
                    );
                    walk.report(&code_path, problem);
                    ok = false;
                }
            }
            Coded::Absent => {
                let problem = Problem::MissingCoding {
                    system: SURFACE_SYSTEM,
                };
                walk.report(&site_path, problem);
                ok = false;
            }
            Coded::Reported => ok = false,
        }
    }
    if !ok {
        return Err(());
    }
    Ok((!surface.is_empty()).then_some(surface))
}

/// Appends a surface code's letters; false when a letter is unknown or repeated, or the
/// result is too long.
fn add_surface(surface: &mut String, code: &str) -> bool {
    for letter in code.chars() {
        if !SURFACE_LETTERS.contains(letter) || surface.contains(letter) {
            return false;
        }
        surface.push(letter);
    }
    !code.is_empty() && surface.len() <= SURFACE_CHARS_MAX
}

/// The item's accident extension. `Err` when a problem was reported.
fn read_accident(walk: &mut Walk, item: &Members, path: &str) -> Result<Option<bool>, ()> {
    let extensions = walk.extensions(item, path, ACCIDENT_EXTENSION);
    match extensions.as_slice() {
        [] => Ok(None),
        [(extension_path, extension)] => walk
            .boolean(extension, "valueBoolean", extension_path, true)
            .map(Some)
            .ok_or(()),
        [_, (second_path, _), ..] => {
            walk.report(second_path, Problem::TooMany { max: 1 });
            Err(())
        }
    }
}
