//! The rules of the gate that hold whatever the policy table says: who may act in which role,
//! what a data subject's own state (a restriction, a withdrawn consent) forbids, and when a main
//! participant acts for a child. The store's gate looks up the facts these rules name and logs
//! the decision; the rules themselves live here, with the rest of the policy.

use time::Date;

use super::{Actor, Purpose, Refusal, Role};
use crate::ids::ParticipantId;
use crate::terms::{HouseholdRole, age_on};

/// A main participant acts for a child of their contract younger than this (in years): the
/// child's data is then reached as [`Actor::Representative`].
pub const REPRESENTED_AGE_BELOW: u8 = 16;

/// Whether a main participant represents a member of their contract with `role`, born on
/// `born`, on `today`: a child under [`REPRESENTED_AGE_BELOW`].
#[must_use]
pub fn represents(role: HouseholdRole, born: Date, today: Date) -> bool {
    role == HouseholdRole::Child && age_on(born, today) < REPRESENTED_AGE_BELOW
}

/// Rules that hold whatever the policy says: a participant acts only as a participant and only
/// on their own data; nobody else acts in the participant role; staff act only in staff roles;
/// every other kind of actor only in its own role.
///
/// # Errors
/// The refusal `not_own_data` or `role_mismatch`.
pub fn consistency(
    actor: &Actor,
    role: Role,
    subject: Option<ParticipantId>,
) -> Result<(), Refusal> {
    let mismatch = Err(Refusal::Rule("role_mismatch"));
    match (actor, role) {
        (Actor::Participant(_), Role::Participant) => {
            if actor.is_subject(subject) {
                Ok(())
            } else {
                Err(Refusal::Rule("not_own_data"))
            }
        }
        (Actor::Representative(_), Role::Participant) => Ok(()),
        (Actor::Participant(_) | Actor::Representative(_), _) | (_, Role::Participant) => mismatch,
        (Actor::Staff(_), role) if !role.is_staff() => mismatch,
        (Actor::Practice(_), role) if role != Role::Provider => mismatch,
        (Actor::Intermediary(_), role) if role != Role::BillingIntermediary => mismatch,
        (Actor::Insurer(_), role) if role != Role::Insurer => mismatch,
        (Actor::System(_), role) if role != Role::System => mismatch,
        (Actor::Processor(_), role) if role != Role::Processor => mismatch,
        _ => Ok(()),
    }
}

/// Whether an access for `purpose` must look at the subject's processing restriction: a
/// restricted participant's data is used only for `audit` and `legal_obligation` (GDPR art. 18).
#[must_use]
pub fn restriction_applies(purpose: Option<Purpose>) -> bool {
    !matches!(purpose, Some(Purpose::Audit | Purpose::LegalObligation))
}

/// Whether an access for `purpose` needs the subject's marketing consent: promotion does, and
/// an objection withdraws it at once (GDPR art. 21).
#[must_use]
pub fn needs_marketing_consent(purpose: Option<Purpose>) -> bool {
    purpose == Some(Purpose::Promotion)
}

/// What the store found about one data subject, for [`subject_rules`]. A fact that the purpose
/// does not need is not looked up and stays at its default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SubjectFacts {
    /// The subject's processing is restricted.
    pub restricted: bool,
    /// The subject's newest marketing consent event (`None`: never given).
    pub marketing_consent: Option<bool>,
}

/// Rules about one data subject that the role policy cannot know (see
/// [`restriction_applies`] and [`needs_marketing_consent`]).
///
/// # Errors
/// The refusal `restricted` or `no_marketing_consent`.
pub fn subject_rules(purpose: Option<Purpose>, facts: SubjectFacts) -> Result<(), Refusal> {
    if restriction_applies(purpose) && facts.restricted {
        return Err(Refusal::Rule("restricted"));
    }
    if needs_marketing_consent(purpose) && facts.marketing_consent != Some(true) {
        return Err(Refusal::Rule("no_marketing_consent"));
    }
    Ok(())
}

impl Role {
    /// A one-line description of the role, shown in the staff pages.
    #[must_use]
    pub const fn description(self) -> &'static str {
        match self {
            Role::Participant => "A participant, on their own data",
            Role::Support => "Customer support: identity and contact, masked financial data",
            Role::ClaimsAssessor => "Claims assessor: care data and identity",
            Role::Finance => "Finance: financial data for reimbursement",
            Role::PrivacyOfficer => "Privacy officer: access log and data-subject requests",
            Role::Administrator => "Administrator: users and roles, no participant data",
            Role::Auditor => "Auditor: read-only financial records",
            Role::Provider => "Care provider or practice: own declarations, budget with consent",
            Role::BillingIntermediary => "Billing intermediary: the declarations it sent",
            Role::Insurer => "Insurer: the data an accident claim needs",
            Role::Processor => "Processor: as its processor agreement allows",
            Role::System => "The platform's own batch jobs",
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::ids::StaffUserId;

    fn someone() -> ParticipantId {
        ParticipantId::from_uuid(uuid::Uuid::from_u128(1))
    }

    #[test]
    fn a_participant_acts_only_as_a_participant_and_only_on_their_own_data() {
        let me = someone();
        let other = ParticipantId::from_uuid(uuid::Uuid::from_u128(2));
        let actor = Actor::Participant(me);
        assert_eq!(consistency(&actor, Role::Participant, Some(me)), Ok(()));
        assert_eq!(
            consistency(&actor, Role::Participant, Some(other)),
            Err(Refusal::Rule("not_own_data"))
        );
        assert_eq!(
            consistency(&actor, Role::Support, Some(me)),
            Err(Refusal::Rule("role_mismatch"))
        );
        let staff = Actor::Staff(StaffUserId::from_uuid(uuid::Uuid::from_u128(3)));
        assert_eq!(
            consistency(&staff, Role::Participant, Some(me)),
            Err(Refusal::Rule("role_mismatch"))
        );
        assert_eq!(consistency(&staff, Role::Support, Some(me)), Ok(()));
        assert_eq!(
            consistency(&staff, Role::Provider, Some(me)),
            Err(Refusal::Rule("role_mismatch"))
        );
    }

    #[test]
    fn a_restriction_refuses_all_but_audit_and_legal_obligation_and_promotion_needs_consent() {
        let restricted = SubjectFacts {
            restricted: true,
            marketing_consent: Some(true),
        };
        assert!(subject_rules(Some(Purpose::Contact), restricted).is_err());
        assert_eq!(subject_rules(Some(Purpose::Audit), restricted), Ok(()));
        assert_eq!(
            subject_rules(Some(Purpose::LegalObligation), restricted),
            Ok(())
        );
        let withdrawn = SubjectFacts {
            restricted: false,
            marketing_consent: Some(false),
        };
        assert_eq!(
            subject_rules(Some(Purpose::Promotion), withdrawn),
            Err(Refusal::Rule("no_marketing_consent"))
        );
        assert_eq!(
            subject_rules(Some(Purpose::Promotion), SubjectFacts::default()),
            Err(Refusal::Rule("no_marketing_consent"))
        );
        assert_eq!(subject_rules(Some(Purpose::Contact), withdrawn), Ok(()));
    }

    #[test]
    fn a_main_participant_represents_a_child_under_sixteen_only() {
        let today = date!(2026 - 12 - 04);
        assert!(represents(
            HouseholdRole::Child,
            date!(2011 - 12 - 05),
            today
        ));
        assert!(!represents(
            HouseholdRole::Child,
            date!(2010 - 12 - 04),
            today
        ));
        assert!(!represents(
            HouseholdRole::Partner,
            date!(2015 - 01 - 01),
            today
        ));
    }
}
