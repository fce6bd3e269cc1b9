//! The privacy model: data categories, purposes, roles, actions and the access policy.
//!
//! Every stored personal field belongs to exactly one [`DataCategory`] (see [`registry`]); every
//! read or change of personal data names a [`Purpose`] and an [`Action`], and is allowed or
//! refused by a [`Policy`] of (role × purpose × category × action) rules. The policy is data:
//! [`Policy::defaults`] holds the roles of `PRIVACY.md` §3, the store keeps them in a table and
//! staff can inspect them. This module decides; the store's gate enforces and logs.

mod default_policy;
pub mod registry;
pub mod retention;
pub mod ropa;
pub mod rules;
pub mod statistics;

use std::collections::BTreeMap;

use crate::ids::{BillingIntermediaryId, ParticipantId, PracticeId, StaffUserId};

/// Defines a closed vocabulary enum with `ALL`, `as_str` and `FromStr`.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable name used in the database, the access log and the API.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::privacy::UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::privacy::UnknownName { kind: $what }),
                }
            }
        }
    };
}

pub mod consent;
pub mod request;

/// A name that is not part of a privacy vocabulary (category, purpose, role, action, view).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind}")]
pub struct UnknownName {
    /// Which vocabulary the name was looked up in.
    pub kind: &'static str,
}

vocabulary! {
    /// The categories of personal data of `PRIVACY.md` §1, plus `privacy_record` (access-log
    /// entries and data-subject requests about a person), which §3 gives to the privacy officer.
    DataCategory, "data category" {
        /// First names, initials, surname and prefix, date of birth, gender.
        Identity => "identity",
        /// Street, house number, addition, postcode, city, email, phone.
        Contact => "contact",
        /// The BSN: optional, encrypted, masked, searchable only by a keyed hash.
        NationalId => "national_id",
        /// IBAN, account holder, mandate, annual budget, contributions, ledger, payouts.
        Financial => "financial",
        /// Declaration lines and accident claims: health data (GDPR art. 9).
        Care => "care",
        /// The participant's dentist or practice.
        ProviderLink => "provider_link",
        /// Consents and accepted privacy-statement versions.
        Consent => "consent",
        /// Participant number, login, password hash, sessions, one-time tokens.
        Account => "account",
        /// IP address, user agent, device data, page visits.
        Technical => "technical",
        /// Access-log entries and data-subject requests about a person.
        PrivacyRecord => "privacy_record",
    }
}

vocabulary! {
    /// The only purposes personal data may be processed for (`PRIVACY.md` §2).
    Purpose, "purpose" {
        /// Judge the application, run the contract.
        ServiceDelivery => "service_delivery",
        /// Calculate, determine, collect or pay out amounts.
        Reimbursement => "reimbursement",
        /// Keep in touch: information, advice, help.
        Contact => "contact",
        /// Promotional messages, only with marketing consent.
        Promotion => "promotion",
        /// Internal administration.
        InternalManagement => "internal_management",
        /// Prevent, detect and investigate fraud.
        FraudPrevention => "fraud_prevention",
        /// Handle complaints and disputes.
        Complaints => "complaints",
        /// Controls such as the accountant's audit.
        Audit => "audit",
        /// Carry out legal duties.
        LegalObligation => "legal_obligation",
        /// Aggregated statistics only.
        Statistics => "statistics",
        /// Protect and improve the platform.
        Security => "security",
    }
}

vocabulary! {
    /// What an access does with the data.
    Action, "action" {
        /// Look at it.
        Read => "read",
        /// Create, correct or remove it.
        Change => "change",
        /// Hand it out as a file (access and portability requests).
        Export => "export",
        /// Send it to a third party (the insurer, a legal duty).
        Disclose => "disclose",
    }
}

vocabulary! {
    /// Who acts: staff roles of `PRIVACY.md` §3 and the outside parties.
    Role, "role" {
        /// A participant, on their own data.
        Participant => "participant",
        /// Customer support.
        Support => "support",
        /// Claims assessor.
        ClaimsAssessor => "claims_assessor",
        /// Finance.
        Finance => "finance",
        /// Privacy officer.
        PrivacyOfficer => "privacy_officer",
        /// Administrator of users and roles; no participant data by default.
        Administrator => "administrator",
        /// The accountant: read-only financial records.
        Auditor => "auditor",
        /// A care provider or practice.
        Provider => "provider",
        /// A billing intermediary.
        BillingIntermediary => "billing_intermediary",
        /// The insurer of the accident cover.
        Insurer => "insurer",
        /// A processor working under the operator's instructions.
        Processor => "processor",
        /// A batch job of the platform itself.
        System => "system",
    }
}

vocabulary! {
    /// How much of a category a role sees.
    View, "view" {
        /// The values as stored.
        Full => "full",
        /// Masked values only (`*****6789`, `NL91…4300`).
        Masked => "masked",
    }
}

impl Role {
    /// True for the operator's own staff roles (those a staff user can be given).
    pub const fn is_staff(self) -> bool {
        matches!(
            self,
            Role::Support
                | Role::ClaimsAssessor
                | Role::Finance
                | Role::PrivacyOfficer
                | Role::Administrator
                | Role::Auditor
        )
    }
}

/// Who performs an access. Its `Debug` shows ids only, never personal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A participant (logged in to the portal).
    Participant(ParticipantId),
    /// A main participant acting for a further participant of their contract (a child under 16,
    /// or an adult who agreed); the use case checks the relation before it asks the gate.
    Representative(ParticipantId),
    /// A staff user.
    Staff(StaffUserId),
    /// A practice (or one of its providers) through its API token or pages.
    Practice(PracticeId),
    /// A billing intermediary.
    Intermediary(BillingIntermediaryId),
    /// The insurer, by its UZOVI code or name.
    Insurer(String),
    /// A registered processor, by its register name.
    Processor(String),
    /// A batch job or command of the platform, by its name.
    System(String),
}

impl Actor {
    /// The kind of actor as written to the access log.
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::Participant(_) => "participant",
            Actor::Representative(_) => "representative",
            Actor::Staff(_) => "staff",
            Actor::Practice(_) => "practice",
            Actor::Intermediary(_) => "intermediary",
            Actor::Insurer(_) => "insurer",
            Actor::Processor(_) => "processor",
            Actor::System(_) => "system",
        }
    }

    /// The actor's id as written to the access log (an id or a job name, never a person's name).
    pub fn id_text(&self) -> String {
        match self {
            Actor::Participant(id) | Actor::Representative(id) => id.to_string(),
            Actor::Staff(id) => id.to_string(),
            Actor::Practice(id) => id.to_string(),
            Actor::Intermediary(id) => id.to_string(),
            Actor::Insurer(name) | Actor::Processor(name) | Actor::System(name) => name.clone(),
        }
    }

    /// True when this actor is the data subject itself (self-service is not logged).
    pub fn is_subject(&self, subject: Option<ParticipantId>) -> bool {
        matches!((self, subject), (Actor::Participant(me), Some(s)) if *me == s)
    }
}

/// One rule of the policy: `role` may perform `action` on `category` for `purpose`, with `view`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PolicyRule {
    /// Who.
    pub role: Role,
    /// Why.
    pub purpose: Purpose,
    /// On what.
    pub category: DataCategory,
    /// Doing what.
    pub action: Action,
    /// Seeing how much.
    pub view: View,
}

/// Why an access was refused. Stored in the access log; contains no personal data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The request named no purpose (`PRIVACY.md` §2: refused and logged).
    #[error("no purpose was stated")]
    NoPurpose,
    /// The request named no category of data.
    #[error("no data category was named")]
    NoCategory,
    /// The role does not have this purpose at all.
    #[error("role {role} may not process data for purpose {purpose}")]
    PurposeNotAllowed {
        /// The role.
        role: Role,
        /// The purpose it asked for.
        purpose: Purpose,
    },
    /// The role has the purpose, but not this category and action under it.
    #[error("role {role} may not {action} {category} data for purpose {purpose}")]
    NotAllowed {
        /// The role.
        role: Role,
        /// The purpose.
        purpose: Purpose,
        /// The first category that is not allowed.
        category: DataCategory,
        /// The action.
        action: Action,
    },
    /// Refused by a rule outside the role policy (for example a withdrawn consent).
    #[error("refused: {0}")]
    Rule(&'static str),
}

impl Refusal {
    /// A short stable code for the access log and API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NoPurpose => "no_purpose",
            Refusal::NoCategory => "no_category",
            Refusal::PurposeNotAllowed { .. } => "purpose_not_allowed",
            Refusal::NotAllowed { .. } => "not_allowed",
            Refusal::Rule(code) => code,
        }
    }
}

/// The access policy: a set of [`PolicyRule`]s. Anything not allowed by a rule is refused.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Policy {
    rules: BTreeMap<(Role, Purpose, DataCategory, Action), View>,
}

/// The categories a role is granted for one access, with the view of each.
pub type Views = Vec<(DataCategory, View)>;

impl Policy {
    /// A policy of exactly these rules. A later rule for the same key replaces an earlier one.
    pub fn from_rules(rules: impl IntoIterator<Item = PolicyRule>) -> Policy {
        let rules = rules
            .into_iter()
            .map(|r| ((r.role, r.purpose, r.category, r.action), r.view))
            .collect();
        Policy { rules }
    }

    /// Every rule, sorted.
    pub fn rules(&self) -> Vec<PolicyRule> {
        self.rules
            .iter()
            .map(|(&(role, purpose, category, action), &view)| PolicyRule {
                role,
                purpose,
                category,
                action,
                view,
            })
            .collect()
    }

    /// Decides one access. Every named category must be allowed, or the whole access is refused.
    pub fn decide(
        &self,
        role: Role,
        purpose: Option<Purpose>,
        categories: &[DataCategory],
        action: Action,
    ) -> Result<Views, Refusal> {
        let purpose = purpose.ok_or(Refusal::NoPurpose)?;
        if categories.is_empty() {
            return Err(Refusal::NoCategory);
        }
        let role_has_purpose = self
            .rules
            .keys()
            .any(|&(r, p, _, _)| r == role && p == purpose);
        if !role_has_purpose {
            return Err(Refusal::PurposeNotAllowed { role, purpose });
        }
        let mut views = Vec::with_capacity(categories.len());
        for &category in categories {
            match self.rules.get(&(role, purpose, category, action)) {
                Some(&view) => views.push((category, view)),
                None => {
                    return Err(Refusal::NotAllowed {
                        role,
                        purpose,
                        category,
                        action,
                    });
                }
            }
        }
        Ok(views)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vocabulary_name_parses_back_to_its_value() {
        for c in DataCategory::ALL {
            assert_eq!(c.as_str().parse::<DataCategory>(), Ok(*c));
        }
        for p in Purpose::ALL {
            assert_eq!(p.as_str().parse::<Purpose>(), Ok(*p));
        }
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(*r));
        }
        for a in Action::ALL {
            assert_eq!(a.as_str().parse::<Action>(), Ok(*a));
        }
        assert!("marketing".parse::<Purpose>().is_err());
    }

    #[test]
    fn an_access_without_a_purpose_is_refused() {
        let policy = Policy::defaults();
        let decision = policy.decide(Role::Support, None, &[DataCategory::Contact], Action::Read);
        assert_eq!(decision, Err(Refusal::NoPurpose));
    }

    #[test]
    fn support_sees_financial_data_only_masked() {
        let policy = Policy::defaults();
        let views = policy
            .decide(
                Role::Support,
                Some(Purpose::ServiceDelivery),
                &[DataCategory::Identity, DataCategory::Financial],
                Action::Read,
            )
            .expect("support may read identity and financial data");
        assert_eq!(
            views,
            vec![
                (DataCategory::Identity, View::Full),
                (DataCategory::Financial, View::Masked)
            ]
        );
    }

    #[test]
    fn one_category_that_is_not_allowed_refuses_the_whole_access() {
        let policy = Policy::defaults();
        let decision = policy.decide(
            Role::Support,
            Some(Purpose::ServiceDelivery),
            &[DataCategory::Contact, DataCategory::Care],
            Action::Read,
        );
        assert!(matches!(
            decision,
            Err(Refusal::NotAllowed {
                category: DataCategory::Care,
                ..
            })
        ));
    }

    #[test]
    fn the_administrator_sees_no_participant_data_at_all() {
        let policy = Policy::defaults();
        for &purpose in Purpose::ALL {
            for &category in DataCategory::ALL {
                for &action in Action::ALL {
                    let decision =
                        policy.decide(Role::Administrator, Some(purpose), &[category], action);
                    assert!(decision.is_err());
                }
            }
        }
    }

    #[test]
    fn the_auditor_can_only_read() {
        let policy = Policy::defaults();
        for rule in policy.rules().iter().filter(|r| r.role == Role::Auditor) {
            assert_eq!(rule.action, Action::Read);
            assert_eq!(rule.purpose, Purpose::Audit);
        }
    }

    #[test]
    fn a_participant_acting_on_their_own_data_is_the_subject() {
        let me = ParticipantId::from_uuid(uuid::Uuid::from_u128(7));
        let other = ParticipantId::from_uuid(uuid::Uuid::from_u128(8));
        assert!(Actor::Participant(me).is_subject(Some(me)));
        assert!(!Actor::Participant(me).is_subject(Some(other)));
        assert!(!Actor::System("job".into()).is_subject(Some(me)));
    }
}
