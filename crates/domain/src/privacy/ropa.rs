//! The record of processing activities (GDPR art. 30), generated from the code's own
//! declarations: the purposes with their legal grounds, the categories of data with the
//! columns that hold them and their retention, the data subjects, the recipients (who may
//! receive what, from the access policy) and the security measures. Never written by hand:
//! `ixorg ropa` prints it and `docs/ROPA.md` is checked against it.

use std::fmt::Write as _;

use super::registry::{ColumnClass, TABLES};
use super::retention::{self, RetentionRule};
use super::{Action, DataCategory, Policy, Purpose, Role};

/// The controller named at the top of the record.
pub const CONTROLLER: &str = "ixorg (the operator of the dental-care budget plan)";

/// What each purpose means and its legal ground (GDPR art. 6, and art. 9 for health data).
pub const PURPOSES: &[(Purpose, &str, &str)] = &[
    (
        Purpose::ServiceDelivery,
        "judge the application (acceptance policy) and run the contract",
        "contract (art. 6(1)(b))",
    ),
    (
        Purpose::Reimbursement,
        "calculate, determine, collect and pay out amounts",
        "contract (art. 6(1)(b)); health data: art. 9(2)(h) with UAVG art. 30",
    ),
    (
        Purpose::Contact,
        "keep in touch: information, advice and help about the service",
        "contract (art. 6(1)(b))",
    ),
    (
        Purpose::Promotion,
        "promotional messages, only with marketing consent; an objection stops it at once",
        "consent (art. 6(1)(a)); objection (art. 21)",
    ),
    (
        Purpose::InternalManagement,
        "internal administration",
        "legitimate interest (art. 6(1)(f))",
    ),
    (
        Purpose::FraudPrevention,
        "prevent, detect, investigate and fight fraud and misconduct",
        "legitimate interest (art. 6(1)(f))",
    ),
    (
        Purpose::Complaints,
        "handle complaints and disputes",
        "contract (art. 6(1)(b))",
    ),
    (
        Purpose::Audit,
        "controls such as the accountant's audit",
        "legal obligation (art. 6(1)(c))",
    ),
    (
        Purpose::LegalObligation,
        "carry out legal duties (tax records, data-subject requests)",
        "legal obligation (art. 6(1)(c))",
    ),
    (
        Purpose::Statistics,
        "user statistics on aggregated data only; groups below 10 suppressed",
        "legitimate interest (art. 6(1)(f))",
    ),
    (
        Purpose::Security,
        "protect and improve the platform",
        "legitimate interest (art. 6(1)(f))",
    ),
];

/// What each category holds, for people.
pub const CATEGORIES: &[(DataCategory, &str)] = &[
    (
        DataCategory::Identity,
        "names, initials, date of birth, gender, household role",
    ),
    (DataCategory::Contact, "address, email, phone"),
    (
        DataCategory::NationalId,
        "BSN, encrypted, searchable only by a keyed hash",
    ),
    (
        DataCategory::Financial,
        "IBAN, account holder, mandate, budget, contributions, payments",
    ),
    (
        DataCategory::Care,
        "declaration lines: treatment codes, teeth, dates, amounts, accident indicator (health data, GDPR art. 9)",
    ),
    (
        DataCategory::ProviderLink,
        "the participant's dentist or practice",
    ),
    (
        DataCategory::Consent,
        "consents given and withdrawn, accepted privacy statement version",
    ),
    (
        DataCategory::Account,
        "participant number, log-in, password hash, sessions, one-time tokens",
    ),
    (
        DataCategory::Technical,
        "IP address, user agent, page visits",
    ),
    (
        DataCategory::PrivacyRecord,
        "the access log and data-subject requests",
    ),
];

/// The data subjects.
pub const DATA_SUBJECTS: &[&str] = &[
    "participants: main participants (adults, the payers), partners and children of a contract",
    "applicants whose application was not accepted",
    "staff users of the operator (log-in and access-log entries)",
    "care providers and contacts of practices and billing intermediaries (professional data)",
];

/// The security measures (`PRIVACY.md` §9).
pub const SECURITY_MEASURES: &[&str] = &[
    "every read or change of personal data passes a role x purpose x category gate and is written to a hash-chained, append-only access log",
    "BSNs (and attachments) encrypted with AES-256-GCM under a key outside the database; searchable only by an HMAC blind index",
    "passwords hashed with argon2id; API tokens and one-time links stored as hashes only",
    "no personal data in logs, error messages or debug output",
    "the ledger is double entry, append-only and hash-chained; `ixorg audit verify` finds any changed, removed or inserted entry",
    "sessions in secure, HttpOnly, SameSite cookies; CSRF protection; strict security headers",
    "retention rules per category in code; expired data deleted or anonymised by the retention job",
];

/// Roles outside the operator that receive data.
const RECIPIENTS: &[(Role, &str)] = &[
    (
        Role::Provider,
        "care providers and practices (their own declarations; the budget only with consent)",
    ),
    (
        Role::BillingIntermediary,
        "billing intermediaries (the declarations they sent)",
    ),
    (
        Role::Insurer,
        "the insurer of the accident cover (only what an accident claim needs)",
    ),
    (
        Role::Processor,
        "processors under a processor agreement (registered with the categories they handle)",
    ),
];

/// One purpose in the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PurposeEntry {
    /// The purpose.
    pub purpose: Purpose,
    /// What it means.
    pub description: &'static str,
    /// Its legal ground.
    pub legal_ground: &'static str,
    /// The categories processed for it (by any role).
    pub categories: Vec<DataCategory>,
    /// The roles that process for it.
    pub roles: Vec<Role>,
}

/// One category in the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryEntry {
    /// The category.
    pub category: DataCategory,
    /// What it holds.
    pub description: &'static str,
    /// Where it is stored (`table.column`).
    pub columns: Vec<String>,
    /// How long it is kept.
    pub retention: &'static RetentionRule,
}

/// A recipient outside the operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipientEntry {
    /// The role.
    pub role: Role,
    /// Who that is.
    pub description: &'static str,
    /// The categories it may receive (read or be disclosed).
    pub categories: Vec<DataCategory>,
}

/// The whole record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ropa {
    /// The purposes.
    pub purposes: Vec<PurposeEntry>,
    /// The categories.
    pub categories: Vec<CategoryEntry>,
    /// The recipients.
    pub recipients: Vec<RecipientEntry>,
}

/// Why a record cannot be made: a declaration is missing in code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RopaError {
    /// A purpose has no description or legal ground.
    #[error("purpose {0} has no description and legal ground")]
    PurposeUndescribed(Purpose),
    /// A category has no description.
    #[error("category {0} has no description")]
    CategoryUndescribed(DataCategory),
    /// A category has no retention rule.
    #[error("category {0} has no retention rule")]
    NoRetention(DataCategory),
}

fn sorted<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort();
    items.dedup();
    items
}

/// The record of processing of `policy`.
///
/// # Errors
/// [`RopaError`] naming the first declaration that is missing.
pub fn record(policy: &Policy) -> Result<Ropa, RopaError> {
    let rules = policy.rules();
    let mut purposes = Vec::new();
    for &purpose in Purpose::ALL {
        let (_, description, legal_ground) = PURPOSES
            .iter()
            .find(|(p, ..)| *p == purpose)
            .ok_or(RopaError::PurposeUndescribed(purpose))?;
        let of = rules.iter().filter(|r| r.purpose == purpose);
        purposes.push(PurposeEntry {
            purpose,
            description,
            legal_ground,
            categories: sorted(of.clone().map(|r| r.category).collect()),
            roles: sorted(of.map(|r| r.role).collect()),
        });
    }
    let mut categories = Vec::new();
    for &category in DataCategory::ALL {
        let (_, description) = CATEGORIES
            .iter()
            .find(|(c, _)| *c == category)
            .ok_or(RopaError::CategoryUndescribed(category))?;
        let columns = TABLES
            .iter()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .filter(move |c| c.class == ColumnClass::Personal(category))
                    .map(move |c| format!("{}.{}", t.name, c.name))
            })
            .collect();
        categories.push(CategoryEntry {
            category,
            description,
            columns,
            retention: retention::rule(category).ok_or(RopaError::NoRetention(category))?,
        });
    }
    let recipients = RECIPIENTS
        .iter()
        .map(|(role, description)| RecipientEntry {
            role: *role,
            description,
            categories: sorted(
                rules
                    .iter()
                    .filter(|r| {
                        r.role == *role && matches!(r.action, Action::Read | Action::Disclose)
                    })
                    .map(|r| r.category)
                    .collect(),
            ),
        })
        .collect();
    Ok(Ropa {
        purposes,
        categories,
        recipients,
    })
}

fn names<T: std::fmt::Display>(items: &[T]) -> String {
    if items.is_empty() {
        return "none".to_owned();
    }
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Ropa {
    /// The record as a Markdown page.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "# Record of processing activities (GDPR art. 30)\n\n\
             Generated from the code (`ixorg ropa`; `crates/domain/src/privacy/ropa.rs`, the \
             access policy, the field registry and the retention rules); do not edit by hand.\n\n\
             Controller: {CONTROLLER}.\n\n## Purposes\n\n\
             | purpose | what for | legal ground | categories | roles |\n|---|---|---|---|---|\n"
        );
        for p in &self.purposes {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                p.purpose,
                p.description,
                p.legal_ground,
                names(&p.categories),
                names(&p.roles)
            );
        }
        out.push_str("\n## Categories of personal data\n\n| category | what | retention | then | legal duty to keep | stored in |\n|---|---|---|---|---|---|\n");
        for c in &self.categories {
            let _ = writeln!(
                out,
                "| {} | {} | {} ({}) | {:?} | {} | {} |",
                c.category,
                c.description,
                c.retention.period(),
                c.retention.ground,
                c.retention.expiry,
                if c.retention.legal_duty {
                    "yes: kept (restricted) after an erasure request"
                } else {
                    "no: erased on request"
                },
                if c.columns.is_empty() {
                    "(none yet)".to_owned()
                } else {
                    c.columns.join(", ")
                }
            );
        }
        out.push_str("\n## Data subjects\n\n");
        for s in DATA_SUBJECTS {
            let _ = writeln!(out, "- {s}");
        }
        out.push_str("\n## Recipients\n\n| recipient | who | categories |\n|---|---|---|\n");
        for r in &self.recipients {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                r.role,
                r.description,
                names(&r.categories)
            );
        }
        out.push_str(
            "\nNo other third party receives personal data unless a legal duty requires it; such \
             a disclosure is recorded with its legal ground.\n\n## Security measures\n\n",
        );
        for m in SECURITY_MEASURES {
            let _ = writeln!(out, "- {m}");
        }
        out
    }

    /// The record as one JSON document.
    #[must_use]
    pub fn to_json(&self) -> String {
        let list = |items: Vec<String>| format!("[{}]", items.join(","));
        let strings = |items: &[String]| list(items.iter().map(|s| json_string(s)).collect());
        let purposes = list(
            self.purposes
                .iter()
                .map(|p| {
                    format!(
                        "{{\"purpose\":{},\"description\":{},\"legal_ground\":{},\"categories\":{},\"roles\":{}}}",
                        json_string(p.purpose.as_str()),
                        json_string(p.description),
                        json_string(p.legal_ground),
                        strings(&p.categories.iter().map(ToString::to_string).collect::<Vec<_>>()),
                        strings(&p.roles.iter().map(ToString::to_string).collect::<Vec<_>>())
                    )
                })
                .collect(),
        );
        let categories = list(
            self.categories
                .iter()
                .map(|c| {
                    format!(
                        "{{\"category\":{},\"description\":{},\"retention\":{},\"retention_ground\":{},\"expiry\":{},\"legal_duty\":{},\"columns\":{}}}",
                        json_string(c.category.as_str()),
                        json_string(c.description),
                        json_string(&c.retention.period()),
                        json_string(c.retention.ground),
                        json_string(&format!("{:?}", c.retention.expiry).to_lowercase()),
                        c.retention.legal_duty,
                        strings(&c.columns)
                    )
                })
                .collect(),
        );
        let recipients = list(
            self.recipients
                .iter()
                .map(|r| {
                    format!(
                        "{{\"role\":{},\"description\":{},\"categories\":{}}}",
                        json_string(r.role.as_str()),
                        json_string(r.description),
                        strings(
                            &r.categories
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                        )
                    )
                })
                .collect(),
        );
        let subjects: Vec<String> = DATA_SUBJECTS.iter().map(|s| (*s).to_owned()).collect();
        let security: Vec<String> = SECURITY_MEASURES.iter().map(|s| (*s).to_owned()).collect();
        format!(
            "{{\"controller\":{},\"purposes\":{purposes},\"categories\":{categories},\"data_subjects\":{},\"recipients\":{recipients},\"security_measures\":{}}}\n",
            json_string(CONTROLLER),
            strings(&subjects),
            strings(&security)
        )
    }
}

/// A JSON string literal of `text`.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_names_every_purpose_and_category_of_the_code() {
        let ropa = record(&Policy::defaults()).expect("every declaration exists");
        assert_eq!(ropa.purposes.len(), Purpose::ALL.len());
        assert_eq!(ropa.categories.len(), DataCategory::ALL.len());
        let md = ropa.to_markdown();
        for p in Purpose::ALL {
            assert!(md.contains(&format!("| {p} |")), "{p}");
        }
        for c in DataCategory::ALL {
            assert!(md.contains(&format!("| {c} |")), "{c}");
        }
    }

    #[test]
    fn every_category_is_processed_for_some_purpose() {
        let ropa = record(&Policy::defaults()).expect("record");
        for c in DataCategory::ALL {
            assert!(
                ropa.purposes.iter().any(|p| p.categories.contains(c)),
                "{c} has no purpose in the policy"
            );
        }
    }

    #[test]
    fn json_strings_escape_quotes_backslashes_and_control_characters() {
        assert_eq!(json_string("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"");
    }
}
