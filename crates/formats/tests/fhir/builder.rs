//! A test-only builder of R4 `Claim` JSON, with exact decimal amounts.
//!
//! The claim is built as a `serde_json::Value` for its structure. Numbers are put in as marker
//! strings and turned into JSON numbers by [`render`] on the text, so an amount such as
//! `12.34` is written exactly as given and never passes through a float.

use ixorg_domain::identifiers::ParticipantNumber;
use ixorg_formats::fhir::{
    ACCIDENT_EXTENSION, AGB_SYSTEM, BSN_SYSTEM, CLAIM_TYPE_SYSTEM, COST_KIND_SYSTEM,
    PARTICIPANT_NUMBER_SYSTEM, PRACTICE_EXTENSION, PRESTATIECODE_SYSTEM, SURFACE_SYSTEM,
    TOOTH_SYSTEM,
};
use serde_json::{Value, json};

/// Marks a string that [`render`] writes as a bare JSON number.
const NUMBER_MARK: &str = "\u{1}NUM";

/// A JSON number with exactly this text.
pub fn num(text: &str) -> Value {
    Value::String(format!("{NUMBER_MARK}{text}"))
}

/// Writes `value` as JSON text, turning marked strings into numbers.
pub fn render(value: &Value) -> String {
    let text = value.to_string();
    let marker = "\"\\u0001NUM";
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find(marker) {
        out.push_str(&rest[..at]);
        let after = &rest[at + marker.len()..];
        let end = after.find('"').expect("a marked number ends with a quote");
        out.push_str(&after[..end]);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A valid participant number for tests.
pub fn participant_number() -> ParticipantNumber {
    ParticipantNumber::from_sequence(1234).expect("a valid sequence")
}

/// A BSN that passes the 11-proef.
pub const BSN: &str = "111222333";

/// The provider's AGB code in the default claim.
pub const PROVIDER_AGB: &str = "12345678";

/// How the claim names its patient.
#[derive(Clone, Debug)]
pub enum PatientSpec {
    /// A contained Patient with our participant number.
    ContainedNumber(String),
    /// A contained Patient with a BSN and (when given) a birth date.
    ContainedBsn {
        /// The BSN text.
        bsn: String,
        /// The birth date text.
        birth_date: Option<String>,
    },
    /// `patient.identifier` with our participant number.
    IdentifierNumber(String),
}

/// One `Claim.item`; `None` leaves the element out.
#[derive(Clone, Debug)]
pub struct ItemSpec {
    pub sequence: String,
    pub code: Option<String>,
    pub category: Option<String>,
    pub date: Option<String>,
    pub quantity: Option<String>,
    pub unit_price: Option<String>,
    pub net: Option<String>,
    pub tooth: Option<(String, String)>,
    pub surfaces: Vec<String>,
    pub accident: Option<bool>,
}

impl ItemSpec {
    /// A C002 check-up of EUR 25.00, one unit, on 2026-03-02.
    pub fn new(sequence: u32) -> ItemSpec {
        ItemSpec {
            sequence: sequence.to_string(),
            code: Some("C002".into()),
            category: None,
            date: Some("2026-03-02".into()),
            quantity: Some("1".into()),
            unit_price: Some("25.00".into()),
            net: Some("25.00".into()),
            tooth: None,
            surfaces: Vec::new(),
            accident: None,
        }
    }

    /// The item as JSON.
    pub fn to_value(&self) -> Value {
        let mut item = serde_json::Map::new();
        if let Some(accident) = self.accident {
            item.insert(
                "extension".into(),
                json!([{"url": ACCIDENT_EXTENSION, "valueBoolean": accident}]),
            );
        }
        item.insert("sequence".into(), num(&self.sequence));
        if let Some(category) = &self.category {
            item.insert(
                "category".into(),
                json!({"coding": [{"system": COST_KIND_SYSTEM, "code": category}]}),
            );
        }
        if let Some(code) = &self.code {
            item.insert(
                "productOrService".into(),
                json!({"coding": [{"system": PRESTATIECODE_SYSTEM, "code": code}]}),
            );
        }
        if let Some(date) = &self.date {
            item.insert("servicedDate".into(), json!(date));
        }
        if let Some(quantity) = &self.quantity {
            item.insert("quantity".into(), json!({"value": num(quantity)}));
        }
        if let Some(price) = &self.unit_price {
            item.insert(
                "unitPrice".into(),
                json!({"value": num(price), "currency": "EUR"}),
            );
        }
        if let Some(net) = &self.net {
            item.insert("net".into(), json!({"value": num(net), "currency": "EUR"}));
        }
        if let Some((system, code)) = &self.tooth {
            item.insert(
                "bodySite".into(),
                json!({"coding": [{"system": system, "code": code}]}),
            );
        }
        if !self.surfaces.is_empty() {
            let sites: Vec<Value> = self
                .surfaces
                .iter()
                .map(|code| json!({"coding": [{"system": SURFACE_SYSTEM, "code": code}]}))
                .collect();
            item.insert("subSite".into(), Value::Array(sites));
        }
        Value::Object(item)
    }
}

/// A whole claim; [`ClaimSpec::new`] gives a valid one-item claim.
#[derive(Clone, Debug)]
pub struct ClaimSpec {
    pub id: Option<String>,
    pub identifier: String,
    pub patient: PatientSpec,
    pub provider: String,
    pub practice: Option<String>,
    pub accident: bool,
    pub related: Option<String>,
    pub items: Vec<ItemSpec>,
}

impl ClaimSpec {
    /// A valid claim with one item, for participant [`participant_number`].
    pub fn new() -> ClaimSpec {
        ClaimSpec {
            id: None,
            identifier: "DECL-2026-0001".into(),
            patient: PatientSpec::ContainedNumber(participant_number().to_string()),
            provider: PROVIDER_AGB.into(),
            practice: None,
            accident: false,
            related: None,
            items: vec![ItemSpec::new(1)],
        }
    }

    fn patient_parts(&self) -> (Option<Value>, Value) {
        match &self.patient {
            PatientSpec::ContainedNumber(number) => (
                Some(json!({"resourceType": "Patient", "id": "p1",
                    "identifier": [{"system": PARTICIPANT_NUMBER_SYSTEM, "value": number}]})),
                json!({"reference": "#p1"}),
            ),
            PatientSpec::ContainedBsn { bsn, birth_date } => {
                let mut patient = json!({"resourceType": "Patient", "id": "p1",
                    "identifier": [{"system": BSN_SYSTEM, "value": bsn}]});
                if let Some(date) = birth_date {
                    patient["birthDate"] = json!(date);
                }
                (Some(patient), json!({"reference": "#p1"}))
            }
            PatientSpec::IdentifierNumber(number) => (
                None,
                json!({"identifier": {"system": PARTICIPANT_NUMBER_SYSTEM, "value": number}}),
            ),
        }
    }

    /// The claim as JSON; R4-valid when the fields are.
    pub fn to_value(&self) -> Value {
        let (contained, patient) = self.patient_parts();
        let mut claim = json!({"resourceType": "Claim"});
        if let Some(id) = &self.id {
            claim["id"] = json!(id);
        }
        if let Some(contained) = contained {
            claim["contained"] = json!([contained]);
        }
        if let Some(practice) = &self.practice {
            claim["extension"] = json!([{"url": PRACTICE_EXTENSION,
                "valueIdentifier": {"system": AGB_SYSTEM, "value": practice}}]);
        }
        claim["identifier"] =
            json!([{"system": "https://practice.example/claims", "value": self.identifier}]);
        claim["status"] = json!("active");
        claim["type"] = json!({"coding": [{"system": CLAIM_TYPE_SYSTEM, "code": "oral"}]});
        claim["use"] = json!("claim");
        claim["patient"] = patient;
        claim["created"] = json!("2026-03-15T10:00:00+01:00");
        claim["provider"] = json!({"identifier": {"system": AGB_SYSTEM, "value": self.provider}});
        claim["priority"] = json!({"coding": [{"system":
            "http://terminology.hl7.org/CodeSystem/processpriority", "code": "normal"}]});
        claim["insurance"] = json!([{"sequence": num("1"), "focal": true,
            "coverage": {"display": "ixorg dental budget"}}]);
        if self.accident {
            claim["accident"] = json!({"date": "2026-02-27"});
        }
        if let Some(related) = &self.related {
            claim["related"] = json!([{"claim": {"identifier": {"value": related}},
                "relationship": {"coding": [{"system":
                    "http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship",
                    "code": "prior"}]}}]);
        }
        claim["item"] = Value::Array(self.items.iter().map(ItemSpec::to_value).collect());
        claim
    }

    /// The claim as JSON text.
    pub fn to_json(&self) -> String {
        render(&self.to_value())
    }
}

/// The tooth coding of a test item: FDI tooth 36 in the R4 example system.
pub fn tooth_36() -> Option<(String, String)> {
    Some((TOOTH_SYSTEM.to_owned(), "36".to_owned()))
}

/// Parses `json` with every number turned into a string of its exact text, so tests can look
/// at amounts as written (`serde_json` alone would read them as floats).
pub fn with_numbers_as_text(json: &str) -> Value {
    let mut out = String::with_capacity(json.len() + 64);
    let mut chars = json.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => out.extend(chars.next()),
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '-' || c.is_ascii_digit() {
            out.push('"');
            out.push(c);
            while let Some(&next) = chars.peek() {
                if !(next.is_ascii_digit() || matches!(next, '.' | 'e' | 'E' | '+' | '-')) {
                    break;
                }
                out.push(next);
                chars.next();
            }
            out.push('"');
        } else {
            in_string = c == '"';
            out.push(c);
        }
    }
    serde_json::from_str(&out).expect("the text is JSON")
}
