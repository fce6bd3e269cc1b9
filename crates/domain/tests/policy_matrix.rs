//! The default policy, cell by cell, against `PRIVACY.md` §3 written out independently here:
//! every role × purpose × category × action is allowed exactly as listed and refused otherwise.

use ixorg_domain::privacy::{Action, DataCategory, Policy, Purpose, Role, View};

use Action::{Change, Disclose, Export, Read};
use DataCategory as C;
use Purpose as P;
use View::{Full, Masked};

/// (role, purposes, categories, actions, view): one line per sentence of `PRIVACY.md` §3.
type Line = (
    Role,
    &'static [Purpose],
    &'static [DataCategory],
    &'static [Action],
    View,
);

const ALL_OWN: &[DataCategory] = &[
    C::Identity,
    C::Contact,
    C::NationalId,
    C::Financial,
    C::Care,
    C::ProviderLink,
    C::Consent,
    C::Account,
    C::Technical,
    C::PrivacyRecord,
];

const EXPECTED: &[Line] = &[
    // "A participant sees and edits only their own data": sees and exports everything, edits
    // contact data, consents and the account directly (other fields through a request).
    (
        Role::Participant,
        &[P::ServiceDelivery],
        ALL_OWN,
        &[Read, Export],
        Full,
    ),
    (
        Role::Participant,
        &[P::ServiceDelivery],
        &[C::Contact, C::Consent, C::Account, C::PrivacyRecord],
        &[Change],
        Full,
    ),
    // "support (contact, service_delivery: identity and contact, masked financial)".
    (
        Role::Support,
        &[P::Contact, P::ServiceDelivery],
        &[C::Identity, C::Contact],
        &[Read, Change],
        Full,
    ),
    (
        Role::Support,
        &[P::Contact, P::ServiceDelivery],
        &[C::Financial],
        &[Read],
        Masked,
    ),
    // "claims assessor (reimbursement, fraud_prevention: care, identity)".
    (
        Role::ClaimsAssessor,
        &[P::Reimbursement, P::FraudPrevention],
        &[C::Care],
        &[Read, Change],
        Full,
    ),
    (
        Role::ClaimsAssessor,
        &[P::Reimbursement, P::FraudPrevention],
        &[C::Identity],
        &[Read],
        Full,
    ),
    // "finance (reimbursement: financial)".
    (
        Role::Finance,
        &[P::Reimbursement],
        &[C::Financial],
        &[Read, Change],
        Full,
    ),
    // "privacy officer (legal_obligation, audit: the access log, data-subject requests)".
    (
        Role::PrivacyOfficer,
        &[P::LegalObligation, P::Audit],
        &[C::PrivacyRecord],
        &[Read, Change, Export],
        Full,
    ),
    // Data-subject requests are a legal duty (GDPR art. 12-21) the privacy officer carries out:
    // read and export everything about the requester, correct checked fields, erase.
    (
        Role::PrivacyOfficer,
        &[P::LegalObligation],
        ALL_OWN,
        &[Read, Export],
        Full,
    ),
    (
        Role::PrivacyOfficer,
        &[P::LegalObligation],
        &[
            C::Identity,
            C::Contact,
            C::NationalId,
            C::Financial,
            C::ProviderLink,
            C::Consent,
            C::Account,
            C::Care,
            C::Technical,
        ],
        &[Change],
        Full,
    ),
    // Support: promotion (the gate adds the marketing consent), complaints, internal management.
    (
        Role::Support,
        &[P::Promotion],
        &[C::Identity, C::Contact],
        &[Read],
        Full,
    ),
    (
        Role::Support,
        &[P::Complaints],
        &[C::Identity, C::Contact],
        &[Read, Change],
        Full,
    ),
    (
        Role::Support,
        &[P::InternalManagement],
        &[C::Account, C::Identity],
        &[Read],
        Full,
    ),
    (
        Role::ClaimsAssessor,
        &[P::Complaints],
        &[C::Care, C::Identity],
        &[Read],
        Full,
    ),
    // "administrator (users and roles; no participant data by default)": no line at all.
    // "auditor (audit: read-only financial records)".
    (Role::Auditor, &[P::Audit], &[C::Financial], &[Read], Full),
    // "A care provider sees a participant's budget (balance, credit left, nothing else) only
    // while that participant's consent is on … sees the status of its own declarations".
    (
        Role::Provider,
        &[P::Reimbursement],
        &[C::Care],
        &[Read, Change],
        Full,
    ),
    (
        Role::Provider,
        &[P::Reimbursement],
        &[C::Financial],
        &[Read],
        Masked,
    ),
    // "A billing intermediary sees only the declarations it sent and their outcomes."
    (
        Role::BillingIntermediary,
        &[P::Reimbursement],
        &[C::Care],
        &[Read, Change],
        Full,
    ),
    // "The insurer receives, for an accident claim, only the fields that claim needs".
    (
        Role::Insurer,
        &[P::Reimbursement],
        &[C::Identity, C::Care],
        &[Read],
        Full,
    ),
    // The platform's own batch jobs: run contracts, move money, keep retention.
    (
        Role::System,
        &[P::ServiceDelivery],
        &[
            C::Identity,
            C::Contact,
            C::NationalId,
            C::Financial,
            C::ProviderLink,
            C::Account,
            C::Consent,
        ],
        &[Read, Change],
        Full,
    ),
    (
        Role::System,
        &[P::Reimbursement],
        &[C::Financial, C::Care],
        &[Read, Change],
        Full,
    ),
    (
        Role::System,
        &[P::Reimbursement],
        &[C::Identity],
        &[Read, Disclose],
        Full,
    ),
    (
        Role::System,
        &[P::LegalObligation],
        ALL_OWN,
        &[Read, Change],
        Full,
    ),
    // Statistics jobs read to count; only aggregates leave them (groups below 10 suppressed).
    (
        Role::System,
        &[P::Statistics],
        &[C::Identity, C::Contact, C::Care, C::Technical],
        &[Read],
        Full,
    ),
    (
        Role::System,
        &[P::Security],
        &[C::Technical],
        &[Read, Change],
        Full,
    ),
    (
        Role::System,
        &[P::InternalManagement],
        &[C::Account],
        &[Read, Change],
        Full,
    ),
    (
        Role::System,
        &[P::Promotion],
        &[C::Identity, C::Contact],
        &[Read],
        Full,
    ),
    // Key rotation (a security measure) re-encrypts the BSNs.
    (
        Role::System,
        &[P::Security],
        &[C::NationalId],
        &[Read, Change],
        Full,
    ),
    // "Nothing goes to any other third party unless a legal duty requires it; such a disclosure
    // is recorded with its legal ground": the privacy officer discloses, for legal duties only.
    (
        Role::PrivacyOfficer,
        &[P::LegalObligation],
        ALL_OWN,
        &[Disclose],
        Full,
    ),
    // "Processors act on the operator's instructions; each is registered with its processor
    // agreement and the categories it handles": the policy is the most an agreement may cover,
    // the gate narrows it to the registered agreement.
    (
        Role::Processor,
        &[P::ServiceDelivery, P::Contact, P::Reimbursement],
        &[C::Identity, C::Contact, C::Financial, C::Care],
        &[Read, Change],
        Full,
    ),
    (
        Role::Processor,
        &[P::Security],
        &[C::Technical],
        &[Read],
        Full,
    ),
];

fn expected(role: Role, purpose: Purpose, category: DataCategory, action: Action) -> Option<View> {
    EXPECTED.iter().find_map(|(r, ps, cs, acts, view)| {
        (*r == role && ps.contains(&purpose) && cs.contains(&category) && acts.contains(&action))
            .then_some(*view)
    })
}

#[test]
fn every_default_role_purpose_category_and_action_is_allowed_exactly_as_privacy_section_3_says() {
    let policy = Policy::defaults();
    let mut allowed = 0;
    for &role in Role::ALL {
        for &purpose in Purpose::ALL {
            for &category in DataCategory::ALL {
                for &action in Action::ALL {
                    let decision = policy.decide(role, Some(purpose), &[category], action);
                    let want = expected(role, purpose, category, action);
                    match (decision, want) {
                        (Ok(views), Some(view)) => {
                            assert_eq!(
                                views,
                                vec![(category, view)],
                                "{role} {purpose} {category} {action}"
                            );
                            allowed += 1;
                        }
                        (Err(_), None) => {}
                        (got, want) => panic!(
                            "{role} / {purpose} / {category} / {action}: policy says {got:?}, \
                             PRIVACY.md says {want:?}"
                        ),
                    }
                }
            }
        }
    }
    assert_eq!(
        allowed,
        policy.rules().len(),
        "every rule is one allowed cell"
    );
}

#[test]
fn only_support_and_the_platform_may_promote_and_only_the_platform_may_count_statistics() {
    let policy = Policy::defaults();
    for &role in Role::ALL {
        for &category in DataCategory::ALL {
            for &action in Action::ALL {
                let promote = policy.decide(role, Some(P::Promotion), &[category], action);
                if promote.is_ok() {
                    assert!(matches!(role, Role::Support | Role::System), "{role}");
                    assert_eq!(action, Read);
                }
                let count = policy.decide(role, Some(P::Statistics), &[category], action);
                if count.is_ok() {
                    assert_eq!((role, action), (Role::System, Read));
                }
                assert!(policy.decide(role, None, &[category], action).is_err());
            }
        }
    }
}
