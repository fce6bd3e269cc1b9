//! The default access policy: one declarative table of the roles of `PRIVACY.md` §3 (rendered
//! in `docs/PRIVACY-POLICY.md`). A database is seeded with it; staff change the stored copy.

use super::{Action, DataCategory, Policy, PolicyRule, Purpose, Role, View};

impl Policy {
    /// The default policy: the roles of `PRIVACY.md` §3 (rendered in `docs/PRIVACY-POLICY.md`).
    pub fn defaults() -> Policy {
        use Action::{Change, Disclose, Export, Read};
        use DataCategory as C;
        use Purpose as P;
        use View::{Full, Masked};
        let mut rules = Vec::new();
        let mut allow =
            |role, purposes: &[Purpose], cats: &[DataCategory], actions: &[Action], view| {
                for &purpose in purposes {
                    for &category in cats {
                        for &action in actions {
                            rules.push(PolicyRule {
                                role,
                                purpose,
                                category,
                                action,
                                view,
                            });
                        }
                    }
                }
            };
        // A participant sees and exports all of their own data and changes what self-service
        // allows (contact, consents, account, and filing requests); other fields change through
        // a request.
        let own = [
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
        allow(
            Role::Participant,
            &[P::ServiceDelivery],
            &own,
            &[Read, Export],
            Full,
        );
        let own_change = [C::Contact, C::Consent, C::Account, C::PrivacyRecord];
        allow(
            Role::Participant,
            &[P::ServiceDelivery],
            &own_change,
            &[Change],
            Full,
        );
        // Support: contact and service delivery; identity and contact, masked financial.
        let support_purposes = [P::Contact, P::ServiceDelivery];
        let id_contact = [C::Identity, C::Contact];
        allow(
            Role::Support,
            &support_purposes,
            &id_contact,
            &[Read, Change],
            Full,
        );
        allow(
            Role::Support,
            &support_purposes,
            &[C::Financial],
            &[Read],
            Masked,
        );
        // Claims assessor: reimbursement and fraud prevention on care data and identity.
        let claims_purposes = [P::Reimbursement, P::FraudPrevention];
        allow(
            Role::ClaimsAssessor,
            &claims_purposes,
            &[C::Care],
            &[Read, Change],
            Full,
        );
        allow(
            Role::ClaimsAssessor,
            &claims_purposes,
            &[C::Identity],
            &[Read],
            Full,
        );
        // Finance: reimbursement on financial data.
        allow(
            Role::Finance,
            &[P::Reimbursement],
            &[C::Financial],
            &[Read, Change],
            Full,
        );
        // Privacy officer: the access log and data-subject requests, for legal duties and audit.
        let po_purposes = [P::LegalObligation, P::Audit];
        let po_actions = [Read, Change, Export];
        allow(
            Role::PrivacyOfficer,
            &po_purposes,
            &[C::PrivacyRecord],
            &po_actions,
            Full,
        );
        // The privacy officer carries out data-subject requests, a legal duty (GDPR art. 12-21):
        // reads and exports everything about the requester, corrects checked fields, erases.
        allow(
            Role::PrivacyOfficer,
            &[P::LegalObligation],
            &own,
            &[Read, Export],
            Full,
        );
        let po_change = [
            C::Identity,
            C::Contact,
            C::NationalId,
            C::Financial,
            C::ProviderLink,
            C::Consent,
            C::Account,
            C::Care,
            C::Technical,
        ];
        allow(
            Role::PrivacyOfficer,
            &[P::LegalObligation],
            &po_change,
            &[Change],
            Full,
        );
        // Support sends promotional messages (only with marketing consent, checked by the gate),
        // handles complaints and keeps the internal administration (participant number, login).
        allow(Role::Support, &[P::Promotion], &id_contact, &[Read], Full);
        allow(
            Role::Support,
            &[P::Complaints],
            &id_contact,
            &[Read, Change],
            Full,
        );
        allow(
            Role::Support,
            &[P::InternalManagement],
            &[C::Account, C::Identity],
            &[Read],
            Full,
        );
        allow(
            Role::ClaimsAssessor,
            &[P::Complaints],
            &[C::Care, C::Identity],
            &[Read],
            Full,
        );
        // Auditor: read-only financial records for the audit.
        allow(Role::Auditor, &[P::Audit], &[C::Financial], &[Read], Full);
        // Administrator: users and roles only, so no participant data at all.
        // Providers and intermediaries: their own declarations; a provider also the budget
        // (balance and credit left only, masked) when the participant consents.
        allow(
            Role::Provider,
            &[P::Reimbursement],
            &[C::Care],
            &[Read, Change],
            Full,
        );
        allow(
            Role::Provider,
            &[P::Reimbursement],
            &[C::Financial],
            &[Read],
            Masked,
        );
        let bi_actions = [Read, Change];
        allow(
            Role::BillingIntermediary,
            &[P::Reimbursement],
            &[C::Care],
            &bi_actions,
            Full,
        );
        // The insurer receives an accident claim's minimal data.
        let ins_cats = [C::Identity, C::Care];
        allow(Role::Insurer, &[P::Reimbursement], &ins_cats, &[Read], Full);
        // The platform's own batch jobs.
        let sys_service = [
            C::Identity,
            C::Contact,
            C::NationalId,
            C::Financial,
            C::ProviderLink,
            C::Account,
            C::Consent,
        ];
        let sys_actions = [Read, Change];
        allow(
            Role::System,
            &[P::ServiceDelivery],
            &sys_service,
            &sys_actions,
            Full,
        );
        let sys_money = [C::Financial, C::Care];
        allow(
            Role::System,
            &[P::Reimbursement],
            &sys_money,
            &[Read, Change],
            Full,
        );
        allow(
            Role::System,
            &[P::Reimbursement],
            &[C::Identity],
            &[Read, Disclose],
            Full,
        );
        allow(
            Role::System,
            &[P::LegalObligation],
            &own,
            &[Read, Change],
            Full,
        );
        // Statistics read data only to count it; what leaves the job is aggregated.
        let stats = [C::Identity, C::Contact, C::Care, C::Technical];
        allow(Role::System, &[P::Statistics], &stats, &[Read], Full);
        // Security: the technical data of site visits (kept short, then aggregated).
        allow(
            Role::System,
            &[P::Security],
            &[C::Technical],
            &[Read, Change],
            Full,
        );
        allow(
            Role::System,
            &[P::InternalManagement],
            &[C::Account],
            &[Read, Change],
            Full,
        );
        allow(
            Role::System,
            &[P::Promotion],
            &[C::Identity, C::Contact],
            &[Read],
            Full,
        );
        // Key rotation re-encrypts every BSN under the newest key: a security measure.
        allow(
            Role::System,
            &[P::Security],
            &[C::NationalId],
            &[Read, Change],
            Full,
        );
        // A disclosure to a third party happens only under a legal duty, recorded with its
        // ground (`recipients::LegalGround`), by the privacy officer.
        allow(
            Role::PrivacyOfficer,
            &[P::LegalObligation],
            &own,
            &[Disclose],
            Full,
        );
        // Processors: the most any processor agreement may cover. The gate narrows each access
        // to the registered processor's current agreement (its categories and purposes).
        let processor_purposes = [P::ServiceDelivery, P::Contact, P::Reimbursement];
        let processor_cats = [C::Identity, C::Contact, C::Financial, C::Care];
        allow(
            Role::Processor,
            &processor_purposes,
            &processor_cats,
            &[Read, Change],
            Full,
        );
        allow(
            Role::Processor,
            &[P::Security],
            &[C::Technical],
            &[Read],
            Full,
        );
        Policy::from_rules(rules)
    }
}
