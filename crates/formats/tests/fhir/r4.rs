//! A structural checker for FHIR R4 (4.0.1) JSON: every resource we write, and every claim
//! the test builder makes, is checked against it.
//!
//! Source: the official JSON schema (`fhir.schema.json`) was looked for in the offline code
//! index; the copy inspected was a pre-R4 build, and a 2 MB schema cannot be copied whole
//! through the offline tools. So this checker is written by hand from the R4
//! `StructureDefinition`s as published in the specification
//! (`hl7.org/fhir/R4/<resource>-definitions.html`), cross-checked against the R4 element tables that the `fhir_models`
//! generator derives from them (min, max, type and required-binding codes per element). It
//! applies the rules the R4 schema encodes, for the types listed below:
//!
//! - no property outside the element list (`additionalProperties: false`), no `null`;
//! - required elements present (min 1), repeating elements as non-empty arrays, single ones
//!   not as arrays (max), empty strings, arrays and objects refused (ele-1);
//! - value types: primitives by their R4 regular expressions (`id`, `code`, `uri`, `date`,
//!   `dateTime`, `instant`, `positiveInt`, `unsignedInt`, `decimal`, `boolean`, `string`);
//! - codes of required bindings (`fm-status`, `claim-use`, `remittance-outcome`,
//!   `issue-severity`, `issue-type`, `publication-status`, `capability-statement-kind`,
//!   `FHIR-version`, `restful-capability-mode`, `type-restful-interaction`,
//!   `search-param-type`, `bundle-type`, `search-entry-mode`, `identifier-use`, currencies, …);
//! - the invariants ext-1, ref-1, per-1, cpb-1, cpb-2, cpb-14, bdl-1, bdl-2 and bdl-7.

use serde_json::Value;

/// A value type.
#[derive(Clone, Copy, Debug)]
enum T {
    Str,
    Code,
    Bound(&'static [&'static str]),
    Uri,
    Id,
    Date,
    DateTime,
    Instant,
    PositiveInt,
    UnsignedInt,
    Decimal,
    Boolean,
    /// `CapabilityStatement.format`: `json`, `xml`, `ttl` or a MIME type.
    Format,
    Type(&'static str),
    Resource,
}

/// One element: name, type, min, and whether it repeats (max `*`).
#[derive(Clone, Copy, Debug)]
struct E(&'static str, T, u8, bool);

/// What kind of structure a type is: the base elements it inherits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    DomainResource,
    Resource,
    Backbone,
    Datatype,
}

const FM_STATUS: &[&str] = &["active", "cancelled", "draft", "entered-in-error"];
const CLAIM_USE: &[&str] = &["claim", "preauthorization", "predetermination"];
const ISSUE_TYPE: &[&str] = &[
    "invalid",
    "structure",
    "required",
    "value",
    "invariant",
    "security",
    "login",
    "unknown",
    "expired",
    "forbidden",
    "suppressed",
    "processing",
    "not-supported",
    "duplicate",
    "multiple-matches",
    "not-found",
    "deleted",
    "too-long",
    "code-invalid",
    "extension",
    "too-costly",
    "business-rule",
    "conflict",
    "transient",
    "lock-error",
    "no-store",
    "exception",
    "timeout",
    "incomplete",
    "throttled",
    "informational",
];
/// The resource types used here (a subset of the R4 list, so stricter than R4).
const RESOURCE_TYPES: &[&str] = &[
    "Bundle",
    "CapabilityStatement",
    "Claim",
    "ClaimResponse",
    "Coverage",
    "OperationOutcome",
    "Organization",
    "Patient",
    "Practitioner",
];

use E as e;
use T::{Boolean, Code, Date, DateTime, Decimal, Id, PositiveInt, Resource, Str, Uri};

fn t(name: &'static str) -> T {
    T::Type(name)
}

#[expect(clippy::too_many_lines, reason = "one table of R4 element definitions")]
fn definition(name: &str) -> Option<(Kind, Vec<E>)> {
    let cc = t("CodeableConcept");
    let reference = t("Reference");
    Some(match name {
        "Claim" => (
            Kind::DomainResource,
            vec![
                e("identifier", t("Identifier"), 0, true),
                e("status", T::Bound(FM_STATUS), 1, false),
                e("type", cc, 1, false),
                e("subType", cc, 0, false),
                e("use", T::Bound(CLAIM_USE), 1, false),
                e("patient", reference, 1, false),
                e("billablePeriod", t("Period"), 0, false),
                e("created", DateTime, 1, false),
                e("enterer", reference, 0, false),
                e("insurer", reference, 0, false),
                e("provider", reference, 1, false),
                e("priority", cc, 1, false),
                e("fundsReserve", cc, 0, false),
                e("related", t("Claim.related"), 0, true),
                e("referral", reference, 0, false),
                e("facility", reference, 0, false),
                e("careTeam", t("Claim.careTeam"), 0, true),
                e("insurance", t("Claim.insurance"), 1, true),
                e("accident", t("Claim.accident"), 0, false),
                e("item", t("Claim.item"), 0, true),
                e("total", t("Money"), 0, false),
            ],
        ),
        "Claim.related" => (
            Kind::Backbone,
            vec![
                e("claim", reference, 0, false),
                e("relationship", cc, 0, false),
                e("reference", t("Identifier"), 0, false),
            ],
        ),
        "Claim.careTeam" => (
            Kind::Backbone,
            vec![
                e("sequence", PositiveInt, 1, false),
                e("provider", reference, 1, false),
                e("responsible", Boolean, 0, false),
                e("role", cc, 0, false),
                e("qualification", cc, 0, false),
            ],
        ),
        "Claim.insurance" => (
            Kind::Backbone,
            vec![
                e("sequence", PositiveInt, 1, false),
                e("focal", Boolean, 1, false),
                e("identifier", t("Identifier"), 0, false),
                e("coverage", reference, 1, false),
                e("businessArrangement", Str, 0, false),
                e("preAuthRef", Str, 0, true),
                e("claimResponse", reference, 0, false),
            ],
        ),
        "Claim.accident" => (
            Kind::Backbone,
            vec![
                e("date", Date, 1, false),
                e("type", cc, 0, false),
                e("locationReference", reference, 0, false),
            ],
        ),
        "Claim.item" => (
            Kind::Backbone,
            vec![
                e("sequence", PositiveInt, 1, false),
                e("careTeamSequence", PositiveInt, 0, true),
                e("diagnosisSequence", PositiveInt, 0, true),
                e("procedureSequence", PositiveInt, 0, true),
                e("informationSequence", PositiveInt, 0, true),
                e("revenue", cc, 0, false),
                e("category", cc, 0, false),
                e("productOrService", cc, 1, false),
                e("modifier", cc, 0, true),
                e("programCode", cc, 0, true),
                e("servicedDate", Date, 0, false),
                e("servicedPeriod", t("Period"), 0, false),
                e("locationReference", reference, 0, false),
                e("quantity", t("Quantity"), 0, false),
                e("unitPrice", t("Money"), 0, false),
                e("factor", Decimal, 0, false),
                e("net", t("Money"), 0, false),
                e("udi", reference, 0, true),
                e("bodySite", cc, 0, false),
                e("subSite", cc, 0, true),
                e("encounter", reference, 0, true),
            ],
        ),
        "Patient" => (
            Kind::DomainResource,
            vec![
                e("identifier", t("Identifier"), 0, true),
                e("active", Boolean, 0, false),
                e(
                    "gender",
                    T::Bound(&["male", "female", "other", "unknown"]),
                    0,
                    false,
                ),
                e("birthDate", Date, 0, false),
            ],
        ),
        "ClaimResponse" => (
            Kind::DomainResource,
            vec![
                e("identifier", t("Identifier"), 0, true),
                e("status", T::Bound(FM_STATUS), 1, false),
                e("type", cc, 1, false),
                e("subType", cc, 0, false),
                e("use", T::Bound(CLAIM_USE), 1, false),
                e("patient", reference, 1, false),
                e("created", DateTime, 1, false),
                e("insurer", reference, 1, false),
                e("requestor", reference, 0, false),
                e("request", reference, 0, false),
                e(
                    "outcome",
                    T::Bound(&["queued", "complete", "error", "partial"]),
                    1,
                    false,
                ),
                e("disposition", Str, 0, false),
                e("preAuthRef", Str, 0, false),
                e("payeeType", cc, 0, false),
                e("item", t("ClaimResponse.item"), 0, true),
                e(
                    "adjudication",
                    t("ClaimResponse.item.adjudication"),
                    0,
                    true,
                ),
                e("total", t("ClaimResponse.total"), 0, true),
            ],
        ),
        "ClaimResponse.item" => (
            Kind::Backbone,
            vec![
                e("itemSequence", PositiveInt, 1, false),
                e("noteNumber", PositiveInt, 0, true),
                e(
                    "adjudication",
                    t("ClaimResponse.item.adjudication"),
                    1,
                    true,
                ),
            ],
        ),
        "ClaimResponse.item.adjudication" => (
            Kind::Backbone,
            vec![
                e("category", cc, 1, false),
                e("reason", cc, 0, false),
                e("amount", t("Money"), 0, false),
                e("value", Decimal, 0, false),
            ],
        ),
        "ClaimResponse.total" => (
            Kind::Backbone,
            vec![
                e("category", cc, 1, false),
                e("amount", t("Money"), 1, false),
            ],
        ),
        "OperationOutcome" => (
            Kind::DomainResource,
            vec![e("issue", t("OperationOutcome.issue"), 1, true)],
        ),
        "OperationOutcome.issue" => (
            Kind::Backbone,
            vec![
                e(
                    "severity",
                    T::Bound(&["fatal", "error", "warning", "information"]),
                    1,
                    false,
                ),
                e("code", T::Bound(ISSUE_TYPE), 1, false),
                e("details", cc, 0, false),
                e("diagnostics", Str, 0, false),
                e("location", Str, 0, true),
                e("expression", Str, 0, true),
            ],
        ),
        "CapabilityStatement" => (
            Kind::DomainResource,
            vec![
                e("url", Uri, 0, false),
                e("version", Str, 0, false),
                e("name", Str, 0, false),
                e("title", Str, 0, false),
                e(
                    "status",
                    T::Bound(&["draft", "active", "retired", "unknown"]),
                    1,
                    false,
                ),
                e("experimental", Boolean, 0, false),
                e("date", DateTime, 1, false),
                e("publisher", Str, 0, false),
                e("description", Str, 0, false),
                e(
                    "kind",
                    T::Bound(&["instance", "capability", "requirements"]),
                    1,
                    false,
                ),
                e("software", t("CapabilityStatement.software"), 0, false),
                e(
                    "implementation",
                    t("CapabilityStatement.implementation"),
                    0,
                    false,
                ),
                e("fhirVersion", T::Bound(&["4.0.0", "4.0.1"]), 1, false),
                e("format", T::Format, 1, true),
                e("patchFormat", T::Format, 0, true),
                e("implementationGuide", Uri, 0, true),
                e("rest", t("CapabilityStatement.rest"), 0, true),
            ],
        ),
        "CapabilityStatement.software" => (
            Kind::Backbone,
            vec![
                e("name", Str, 1, false),
                e("version", Str, 0, false),
                e("releaseDate", DateTime, 0, false),
            ],
        ),
        "CapabilityStatement.implementation" => (
            Kind::Backbone,
            vec![
                e("description", Str, 1, false),
                e("url", Uri, 0, false),
                e("custodian", reference, 0, false),
            ],
        ),
        "CapabilityStatement.rest" => (
            Kind::Backbone,
            vec![
                e("mode", T::Bound(&["client", "server"]), 1, false),
                e("documentation", Str, 0, false),
                e("resource", t("CapabilityStatement.rest.resource"), 0, true),
                e(
                    "interaction",
                    t("CapabilityStatement.rest.interaction"),
                    0,
                    true,
                ),
                e(
                    "searchParam",
                    t("CapabilityStatement.rest.resource.searchParam"),
                    0,
                    true,
                ),
                e("compartment", Uri, 0, true),
            ],
        ),
        "CapabilityStatement.rest.resource" => (
            Kind::Backbone,
            vec![
                e("type", T::Bound(RESOURCE_TYPES), 1, false),
                e("profile", Uri, 0, false),
                e("supportedProfile", Uri, 0, true),
                e("documentation", Str, 0, false),
                e(
                    "interaction",
                    t("CapabilityStatement.rest.resource.interaction"),
                    0,
                    true,
                ),
                e("readHistory", Boolean, 0, false),
                e("updateCreate", Boolean, 0, false),
                e("conditionalCreate", Boolean, 0, false),
                e("searchInclude", Str, 0, true),
                e(
                    "searchParam",
                    t("CapabilityStatement.rest.resource.searchParam"),
                    0,
                    true,
                ),
            ],
        ),
        "CapabilityStatement.rest.resource.interaction" => (
            Kind::Backbone,
            vec![
                e(
                    "code",
                    T::Bound(&[
                        "read",
                        "vread",
                        "update",
                        "patch",
                        "delete",
                        "history-instance",
                        "history-type",
                        "create",
                        "search-type",
                    ]),
                    1,
                    false,
                ),
                e("documentation", Str, 0, false),
            ],
        ),
        "CapabilityStatement.rest.interaction" => (
            Kind::Backbone,
            vec![
                e(
                    "code",
                    T::Bound(&["transaction", "batch", "search-system", "history-system"]),
                    1,
                    false,
                ),
                e("documentation", Str, 0, false),
            ],
        ),
        "CapabilityStatement.rest.resource.searchParam" => (
            Kind::Backbone,
            vec![
                e("name", Str, 1, false),
                e("definition", Uri, 0, false),
                e(
                    "type",
                    T::Bound(&[
                        "number",
                        "date",
                        "string",
                        "token",
                        "reference",
                        "composite",
                        "quantity",
                        "uri",
                        "special",
                    ]),
                    1,
                    false,
                ),
                e("documentation", Str, 0, false),
            ],
        ),
        "Coverage" => (
            Kind::DomainResource,
            vec![
                e("identifier", t("Identifier"), 0, true),
                e("status", T::Bound(FM_STATUS), 1, false),
                e("type", cc, 0, false),
                e("policyHolder", reference, 0, false),
                e("subscriber", reference, 0, false),
                e("subscriberId", Str, 0, false),
                e("beneficiary", reference, 1, false),
                e("dependent", Str, 0, false),
                e("relationship", cc, 0, false),
                e("period", t("Period"), 0, false),
                e("payor", reference, 1, true),
                e("order", PositiveInt, 0, false),
                e("network", Str, 0, false),
                e("subrogation", Boolean, 0, false),
                e("contract", reference, 0, true),
            ],
        ),
        "Bundle" => (
            Kind::Resource,
            vec![
                e("identifier", t("Identifier"), 0, false),
                e(
                    "type",
                    T::Bound(&[
                        "document",
                        "message",
                        "transaction",
                        "transaction-response",
                        "batch",
                        "batch-response",
                        "history",
                        "searchset",
                        "collection",
                    ]),
                    1,
                    false,
                ),
                e("timestamp", T::Instant, 0, false),
                e("total", T::UnsignedInt, 0, false),
                e("link", t("Bundle.link"), 0, true),
                e("entry", t("Bundle.entry"), 0, true),
            ],
        ),
        "Bundle.link" => (
            Kind::Backbone,
            vec![e("relation", Str, 1, false), e("url", Uri, 1, false)],
        ),
        "Bundle.entry" => (
            Kind::Backbone,
            vec![
                e("link", t("Bundle.link"), 0, true),
                e("fullUrl", Uri, 0, false),
                e("resource", Resource, 0, false),
                e("search", t("Bundle.entry.search"), 0, false),
            ],
        ),
        "Bundle.entry.search" => (
            Kind::Backbone,
            vec![
                e("mode", T::Bound(&["match", "include", "outcome"]), 0, false),
                e("score", Decimal, 0, false),
            ],
        ),
        "Identifier" => (
            Kind::Datatype,
            vec![
                e(
                    "use",
                    T::Bound(&["usual", "official", "temp", "secondary", "old"]),
                    0,
                    false,
                ),
                e("type", cc, 0, false),
                e("system", Uri, 0, false),
                e("value", Str, 0, false),
                e("period", t("Period"), 0, false),
                e("assigner", reference, 0, false),
            ],
        ),
        "Reference" => (
            Kind::Datatype,
            vec![
                e("reference", Str, 0, false),
                e("type", Uri, 0, false),
                e("identifier", t("Identifier"), 0, false),
                e("display", Str, 0, false),
            ],
        ),
        "CodeableConcept" => (
            Kind::Datatype,
            vec![e("coding", t("Coding"), 0, true), e("text", Str, 0, false)],
        ),
        "Coding" => (
            Kind::Datatype,
            vec![
                e("system", Uri, 0, false),
                e("version", Str, 0, false),
                e("code", Code, 0, false),
                e("display", Str, 0, false),
                e("userSelected", Boolean, 0, false),
            ],
        ),
        "Money" => (
            Kind::Datatype,
            vec![
                e("value", Decimal, 0, false),
                e("currency", T::Bound(&["EUR", "USD", "GBP"]), 0, false),
            ],
        ),
        "Quantity" => (
            Kind::Datatype,
            vec![
                e("value", Decimal, 0, false),
                e("comparator", T::Bound(&["<", "<=", ">=", ">"]), 0, false),
                e("unit", Str, 0, false),
                e("system", Uri, 0, false),
                e("code", Code, 0, false),
            ],
        ),
        "Period" => (
            Kind::Datatype,
            vec![e("start", DateTime, 0, false), e("end", DateTime, 0, false)],
        ),
        "Extension" => (
            Kind::Datatype,
            vec![
                e("url", Uri, 1, false),
                e("valueBoolean", Boolean, 0, false),
                e("valueCode", Code, 0, false),
                e("valueString", Str, 0, false),
                e("valueIdentifier", t("Identifier"), 0, false),
                e("valuePositiveInt", PositiveInt, 0, false),
            ],
        ),
        _ => return None,
    })
}

/// The elements every structure of a kind inherits.
fn base(kind: Kind) -> Vec<E> {
    let extension = e("extension", t("Extension"), 0, true);
    match kind {
        Kind::DomainResource => vec![
            e("id", Id, 0, false),
            e("implicitRules", Uri, 0, false),
            e("language", Code, 0, false),
            e("contained", Resource, 0, true),
            extension,
            e("modifierExtension", t("Extension"), 0, true),
        ],
        Kind::Resource => vec![
            e("id", Id, 0, false),
            e("implicitRules", Uri, 0, false),
            e("language", Code, 0, false),
        ],
        Kind::Backbone => vec![
            e("id", Str, 0, false),
            extension,
            e("modifierExtension", t("Extension"), 0, true),
        ],
        Kind::Datatype => vec![e("id", Str, 0, false), extension],
    }
}

/// Checks a resource; returns every violation as `path: what`.
pub fn check(resource: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    check_resource(resource, "", &mut problems);
    problems
}

/// Checks a resource and fails the test with its violations.
pub fn assert_valid(json: &str) {
    let value: Value = serde_json::from_str(json).expect("the resource is JSON");
    let problems = check(&value);
    assert!(
        problems.is_empty(),
        "R4 violations: {problems:#?}\nin {json}"
    );
}

fn check_resource(value: &Value, path: &str, problems: &mut Vec<String>) {
    let Some(name) = value.get("resourceType").and_then(Value::as_str) else {
        problems.push(format!("{path}: a resource needs a resourceType"));
        return;
    };
    let path = if path.is_empty() {
        name.to_owned()
    } else {
        path.to_owned()
    };
    if definition(name).is_none() {
        problems.push(format!("{path}: resource type {name} is not checked here"));
        return;
    }
    check_structure(value, name, &path, problems);
    check_invariants(value, name, &path, problems);
}

fn check_structure(value: &Value, name: &str, path: &str, problems: &mut Vec<String>) {
    let Some((kind, mut elements)) = definition(name) else {
        problems.push(format!("{path}: no definition for {name}"));
        return;
    };
    let Some(object) = value.as_object() else {
        problems.push(format!("{path}: must be an object"));
        return;
    };
    if object.is_empty() {
        problems.push(format!("{path}: empty object (ele-1)"));
    }
    elements.extend(base(kind));
    for key in object.keys() {
        let known = elements.iter().any(|el| el.0 == key)
            || (key == "resourceType" && matches!(kind, Kind::DomainResource | Kind::Resource));
        if !known {
            problems.push(format!("{path}.{key}: not an element of {name}"));
        }
    }
    for E(element, ty, min, many) in elements {
        let child = format!("{path}.{element}");
        match object.get(element) {
            None if min > 0 => problems.push(format!("{child}: required (min {min})")),
            None => {}
            Some(Value::Array(items)) if many => {
                if items.is_empty() {
                    problems.push(format!("{child}: empty array (ele-1)"));
                }
                for (index, item) in items.iter().enumerate() {
                    check_value(item, ty, &format!("{child}[{index}]"), problems);
                }
            }
            Some(_) if many => problems.push(format!("{child}: a repeating element is an array")),
            Some(value) => check_value(value, ty, &child, problems),
        }
    }
}

fn check_value(value: &Value, ty: T, path: &str, problems: &mut Vec<String>) {
    let ok = match (ty, value) {
        (T::Type(name), _) => {
            check_structure(value, name, path, problems);
            return;
        }
        (T::Resource, _) => {
            check_resource(value, path, problems);
            return;
        }
        (T::Boolean, Value::Bool(_)) => true,
        (T::Decimal, Value::Number(_)) => true,
        (T::PositiveInt, Value::Number(n)) => {
            n.as_u64().is_some_and(|v| (1..=2_147_483_647).contains(&v))
        }
        (T::UnsignedInt, Value::Number(n)) => n.as_u64().is_some_and(|v| v <= 2_147_483_647),
        (_, Value::String(text)) => check_text(ty, text),
        _ => false,
    };
    if !ok {
        problems.push(format!("{path}: not a valid {ty:?}: {value}"));
    }
}

fn check_text(ty: T, text: &str) -> bool {
    let no_space = !text.is_empty() && !text.chars().any(char::is_whitespace);
    match ty {
        T::Str => !text.trim().is_empty() && text.len() <= 1024 * 1024,
        T::Code => {
            !text.is_empty()
                && text
                    .split(' ')
                    .all(|part| !part.is_empty() && !part.contains(char::is_whitespace))
        }
        T::Bound(codes) => codes.contains(&text),
        T::Uri => no_space,
        T::Id => {
            !text.is_empty()
                && text.len() <= 64
                && text
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        }
        T::Date => is_date(text),
        T::DateTime => is_date(text) || is_instant(text),
        T::Instant => is_instant(text),
        T::Format => ["json", "xml", "ttl"].contains(&text) || is_mime_type(text),
        _ => false,
    }
}

fn digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// R4 `date`: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, a real calendar date, year 0001–9999.
fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let shape = match parts.as_slice() {
        [y] => y.len() == 4 && digits(y),
        [y, m] => y.len() == 4 && digits(y) && m.len() == 2 && digits(m),
        [y, m, d] => {
            y.len() == 4 && digits(y) && m.len() == 2 && digits(m) && d.len() == 2 && digits(d)
        }
        _ => false,
    };
    if !shape || parts[0] == "0000" {
        return false;
    }
    let year: i32 = parts[0].parse().unwrap_or(0);
    let month: u8 = parts.get(1).map_or(Ok(1), |m| m.parse()).unwrap_or(0);
    let day: u8 = parts.get(2).map_or(Ok(1), |d| d.parse()).unwrap_or(0);
    time::Month::try_from(month)
        .ok()
        .and_then(|month| time::Date::from_calendar_date(year, month, day).ok())
        .is_some()
}

/// R4 `instant` (and the full form of `dateTime`): date, `T`, `hh:mm:ss`, optional fraction,
/// and a required zone (`Z` or `±hh:mm`).
fn is_instant(text: &str) -> bool {
    let Some((date, time)) = text.split_once('T') else {
        return false;
    };
    let (clock, zone) = if let Some(clock) = time.strip_suffix('Z') {
        (clock, "+00:00")
    } else if time.len() > 6 {
        time.split_at(time.len() - 6)
    } else {
        return false;
    };
    let zone_ok = (zone.starts_with('+') || zone.starts_with('-'))
        && zone[1..3].bytes().all(|b| b.is_ascii_digit())
        && &zone[3..4] == ":"
        && zone[4..6].bytes().all(|b| b.is_ascii_digit());
    let (hms, fraction) = clock.split_once('.').unwrap_or((clock, "0"));
    let fields: Vec<&str> = hms.split(':').collect();
    let clock_ok = fields.len() == 3
        && fields.iter().all(|f| f.len() == 2 && digits(f))
        && fields[0] < "24"
        && fields[1] < "60"
        && fields[2] <= "60"
        && digits(fraction);
    date.len() == 10 && is_date(date) && zone_ok && clock_ok
}

fn is_mime_type(text: &str) -> bool {
    text.split_once('/').is_some_and(|(kind, subtype)| {
        !kind.is_empty() && !subtype.is_empty() && !text.contains(char::is_whitespace)
    })
}

fn check_invariants(value: &Value, name: &str, path: &str, problems: &mut Vec<String>) {
    let mut fail = |rule: &str| problems.push(format!("{path}: {rule}"));
    let has = |key: &str| value.get(key).is_some();
    match name {
        "CapabilityStatement" => {
            if !(has("rest") || has("messaging") || has("document")) {
                fail("cpb-1: rest, messaging or document is required");
            }
            if !(has("description") || has("software") || has("implementation")) {
                fail("cpb-2: description, software or implementation is required");
            }
            if value["kind"] == "instance" && !has("implementation") {
                fail("cpb-14: kind instance needs implementation");
            }
        }
        "Bundle" => {
            let kind = value["type"].as_str().unwrap_or_default();
            if has("total") && !["searchset", "history"].contains(&kind) {
                fail("bdl-1: total only in a search or history");
            }
            let entries = value["entry"].as_array().cloned().unwrap_or_default();
            if kind != "searchset" && entries.iter().any(|entry| entry.get("search").is_some()) {
                fail("bdl-2: entry.search only in a search");
            }
            let mut urls: Vec<&str> = entries
                .iter()
                .filter_map(|entry| entry["fullUrl"].as_str())
                .collect();
            let count = urls.len();
            urls.sort_unstable();
            urls.dedup();
            if urls.len() != count {
                fail("bdl-7: fullUrl must be unique");
            }
        }
        _ => {}
    }
    check_everywhere(value, value, path, problems);
}

/// ext-1, per-1 and ref-1, on every object in the resource.
fn check_everywhere(root: &Value, value: &Value, path: &str, problems: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            let values = object.keys().filter(|k| k.starts_with("value")).count();
            if object.contains_key("url") && path.contains("extension") {
                let nested = object.contains_key("extension");
                if (values == 1) == nested || values > 1 {
                    problems.push(format!(
                        "{path}: ext-1: an extension has a value or extensions, not both"
                    ));
                }
            }
            if let (Some(start), Some(end)) = (object.get("start"), object.get("end"))
                && start.as_str() > end.as_str()
            {
                problems.push(format!("{path}: per-1: start after end"));
            }
            if let Some(local) = object
                .get("reference")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix('#'))
            {
                let contained = root["contained"].as_array().cloned().unwrap_or_default();
                if !contained.iter().any(|resource| resource["id"] == local) {
                    problems.push(format!("{path}: ref-1: no contained resource #{local}"));
                }
            }
            for (key, child) in object {
                if key != "contained" {
                    check_everywhere(root, child, &format!("{path}.{key}"), problems);
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                check_everywhere(root, item, &format!("{path}[{index}]"), problems);
            }
        }
        Value::Null => problems.push(format!("{path}: null is not allowed")),
        _ => {}
    }
}

#[test]
fn the_checker_refuses_what_r4_refuses() {
    // Arrange
    let valid = serde_json::json!({"resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "invalid", "expression": ["Claim.id"]}]});
    let broken = [
        serde_json::json!({"resourceType": "OperationOutcome"}),
        serde_json::json!({"resourceType": "OperationOutcome", "issue": []}),
        serde_json::json!({"resourceType": "OperationOutcome", "issue": [{"severity": "bad", "code": "invalid"}]}),
        serde_json::json!({"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "invalid", "colour": "red"}]}),
        serde_json::json!({"resourceType": "OperationOutcome", "issue": {"severity": "error", "code": "invalid"}}),
        serde_json::json!({"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "invalid", "diagnostics": ""}]}),
        serde_json::json!({"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "invalid", "diagnostics": null}]}),
        serde_json::json!({"resourceType": "Coverage", "status": "active", "beneficiary": {"reference": "#x"}, "payor": [{"display": "o"}]}),
        serde_json::json!({"resourceType": "Coverage", "status": "active", "beneficiary": {"display": "b"}, "payor": [{"display": "o"}], "period": {"start": "2026-02-30"}}),
        serde_json::json!({"resourceType": "Bundle", "type": "collection", "total": 1}),
        serde_json::json!({"resourceType": "ClaimResponse", "status": "active", "type": {"text": "x"}, "use": "claim", "patient": {"display": "p"}, "created": "2026-03-15T10:00", "insurer": {"display": "i"}, "outcome": "complete"}),
    ];

    // Act / Assert
    assert_eq!(check(&valid), Vec::<String>::new());
    for resource in broken {
        assert!(!check(&resource).is_empty(), "not refused: {resource}");
    }
}
