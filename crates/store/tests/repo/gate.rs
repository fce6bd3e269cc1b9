//! The privacy gate: decisions, the access-log entry each one writes, grants, and the stored
//! policy.

use ixorg_domain::ids::{ParticipantId, StaffUserId};
use ixorg_domain::privacy::{Action, Actor, DataCategory, Policy, Purpose, Refusal, Role, View};
use ixorg_store::access_log;
use ixorg_store::gate::{self, AccessRequest, Grant};
use ixorg_store::{Db, Error};
use ixorg_testkit::{TestDb, db_test};
use uuid::Uuid;

use crate::{NOW, scalar};

fn staff() -> Actor {
    Actor::Staff(StaffUserId::from_uuid(Uuid::from_u128(0x57af)))
}

fn participant(n: u128) -> ParticipantId {
    ParticipantId::from_uuid(Uuid::from_u128(0xbeef_0000 + n))
}

fn support_read(subject: ParticipantId, categories: &[DataCategory]) -> AccessRequest {
    AccessRequest {
        actor: staff(),
        role: Role::Support,
        purpose: Some(Purpose::ServiceDelivery),
        subject: Some(subject),
        categories: categories.to_vec(),
        action: Action::Read,
    }
}

/// Decides `request` in a transaction of its own and commits, as `app` does for refusals too.
async fn decide(db: &Db, request: AccessRequest) -> Result<Grant, Refusal> {
    let mut tx = db.begin().await.expect("begin");
    let decision = gate::authorize(&mut tx, &Policy::defaults(), request, NOW)
        .await
        .expect("the gate answers");
    tx.commit().await.expect("commit");
    decision
}

async fn log_of(db: &Db, subject: ParticipantId) -> Vec<access_log::Entry> {
    let mut tx = db.begin_read().await.expect("begin a read");
    access_log::for_subject(&mut tx, subject)
        .await
        .expect("read the access log")
}

async fn log_size(db: &Db) -> i64 {
    scalar(db, "SELECT COUNT(*) FROM access_log").await
}

db_test!(
    an_allowed_staff_access_writes_one_allowed_entry,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        let subject = participant(1);
        // Act
        let grant = decide(
            db,
            support_read(subject, &[DataCategory::Identity, DataCategory::Financial]),
        )
        .await
        .expect("support may read identity and masked financial data");
        // Assert
        assert_eq!(grant.view(DataCategory::Identity), Some(View::Full));
        assert_eq!(grant.view(DataCategory::Financial), Some(View::Masked));
        assert_eq!(grant.view(DataCategory::Care), None);
        let entries = log_of(db, subject).await;
        assert_eq!(entries.len(), 1);
        let e = &entries[0];
        assert_eq!(e.sequence, 1);
        assert_eq!(e.occurred_at, NOW);
        assert_eq!(e.actor_kind, "staff");
        assert_eq!(e.actor_id, staff().id_text());
        assert_eq!(e.role_name, "support");
        assert_eq!(e.purpose.as_deref(), Some("service_delivery"));
        assert_eq!(e.subject_id, Some(subject.uuid()));
        assert_eq!(e.categories, "identity,financial");
        assert_eq!(e.action, "read");
        assert_eq!(e.outcome, "allowed");
        assert_eq!(e.refusal, None);
        assert_eq!(e.prev_hash, vec![0; 32]);
        assert_eq!(log_size(db).await, 1);
        let mut tx = db.begin_read().await.expect("begin a read");
        assert_eq!(access_log::verify(&mut tx).await.expect("verify"), Ok(1));
    }
);

db_test!(
    refused_accesses_are_returned_as_refusals_and_logged_with_their_code,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        let subject = participant(2);
        let no_purpose = AccessRequest {
            purpose: None,
            ..support_read(subject, &[DataCategory::Contact])
        };
        let wrong_category = support_read(subject, &[DataCategory::Contact, DataCategory::Care]);
        let administrator = AccessRequest {
            role: Role::Administrator,
            ..support_read(subject, &[DataCategory::Identity])
        };
        let no_category = support_read(subject, &[]);
        // Act
        let mut refusals = Vec::new();
        for request in [no_purpose, wrong_category, administrator, no_category] {
            refusals.push(decide(db, request).await.expect_err("refused"));
        }
        // Assert
        assert_eq!(
            refusals,
            vec![
                Refusal::NoPurpose,
                Refusal::NotAllowed {
                    role: Role::Support,
                    purpose: Purpose::ServiceDelivery,
                    category: DataCategory::Care,
                    action: Action::Read,
                },
                Refusal::PurposeNotAllowed {
                    role: Role::Administrator,
                    purpose: Purpose::ServiceDelivery,
                },
                Refusal::NoCategory,
            ]
        );
        let entries = log_of(db, subject).await;
        let logged: Vec<(&str, Option<&str>, Option<&str>, &str)> = entries
            .iter()
            .map(|e| {
                (
                    e.outcome.as_str(),
                    e.refusal.as_deref(),
                    e.purpose.as_deref(),
                    e.role_name.as_str(),
                )
            })
            .collect();
        assert_eq!(
            logged,
            vec![
                ("refused", Some("no_purpose"), None, "support"),
                (
                    "refused",
                    Some("not_allowed"),
                    Some("service_delivery"),
                    "support"
                ),
                (
                    "refused",
                    Some("purpose_not_allowed"),
                    Some("service_delivery"),
                    "administrator"
                ),
                (
                    "refused",
                    Some("no_category"),
                    Some("service_delivery"),
                    "support"
                ),
            ]
        );
        assert_eq!(entries[1].categories, "contact,care");
        let mut tx = db.begin_read().await.expect("begin a read");
        assert_eq!(access_log::verify(&mut tx).await.expect("verify"), Ok(4));
    }
);

db_test!(
    a_refusal_is_logged_in_the_same_transaction_as_the_request,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        let subject = participant(3);
        // Act: the caller rolls back instead of committing.
        let mut tx = db.begin().await.expect("begin");
        let decision = gate::authorize(
            &mut tx,
            &Policy::defaults(),
            support_read(subject, &[DataCategory::Care]),
            NOW,
        )
        .await
        .expect("the gate answers");
        let inside = access_log::for_subject(&mut tx, subject)
            .await
            .expect("read the log");
        tx.rollback().await.expect("roll back");
        // Assert
        assert!(decision.is_err());
        assert_eq!(inside.len(), 1);
        assert_eq!(log_size(db).await, 0);
    }
);

db_test!(
    a_participant_reading_their_own_data_writes_no_entry,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        let me = participant(4);
        // Act
        let grant = decide(
            db,
            AccessRequest {
                actor: Actor::Participant(me),
                role: Role::Participant,
                purpose: Some(Purpose::ServiceDelivery),
                subject: Some(me),
                categories: vec![DataCategory::Identity, DataCategory::NationalId],
                action: Action::Read,
            },
        )
        .await
        .expect("a participant may read their own data");
        // Assert
        assert_eq!(grant.view(DataCategory::NationalId), Some(View::Full));
        assert_eq!(log_size(db).await, 0);
    }
);

db_test!(
    a_participant_reading_another_participants_data_is_refused_and_logged,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        let me = participant(5);
        let other = participant(6);
        // Act
        let refusal = decide(
            db,
            AccessRequest {
                actor: Actor::Participant(me),
                role: Role::Participant,
                purpose: Some(Purpose::ServiceDelivery),
                subject: Some(other),
                categories: vec![DataCategory::Identity],
                action: Action::Read,
            },
        )
        .await
        .expect_err("refused");
        // Assert
        assert_eq!(refusal, Refusal::Rule("not_own_data"));
        assert_eq!(refusal.code(), "not_own_data");
        let entries = log_of(db, other).await;
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].actor_kind, "participant");
        assert_eq!(entries[0].actor_id, me.to_string());
        assert_eq!(entries[0].outcome, "refused");
        assert_eq!(entries[0].refusal.as_deref(), Some("not_own_data"));
    }
);

db_test!(
    an_actor_in_a_role_that_is_not_theirs_is_refused_and_logged,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        let subject = participant(7);
        // Act: a staff user claims the participant role, and a batch job the finance role.
        let as_participant = decide(
            db,
            AccessRequest {
                role: Role::Participant,
                ..support_read(subject, &[DataCategory::Identity])
            },
        )
        .await
        .expect_err("refused");
        let job_as_finance = decide(
            db,
            AccessRequest {
                actor: Actor::System("nightly".to_owned()),
                role: Role::Finance,
                purpose: Some(Purpose::Reimbursement),
                subject: Some(subject),
                categories: vec![DataCategory::Financial],
                action: Action::Read,
            },
        )
        .await
        .expect_err("refused");
        // Assert
        assert_eq!(as_participant, Refusal::Rule("role_mismatch"));
        assert_eq!(job_as_finance, Refusal::Rule("role_mismatch"));
        let refusals: Vec<Option<String>> = log_of(db, subject)
            .await
            .into_iter()
            .map(|e| e.refusal)
            .collect();
        assert_eq!(
            refusals,
            vec![
                Some("role_mismatch".to_owned()),
                Some("role_mismatch".to_owned())
            ]
        );
    }
);

db_test!(
    a_grant_refuses_a_category_subject_or_action_it_does_not_cover,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        let subject = participant(8);
        let other = participant(9);
        let grant = decide(
            db,
            support_read(subject, &[DataCategory::Identity, DataCategory::Contact]),
        )
        .await
        .expect("allowed");
        // Act
        let covered = grant.require(
            Some(subject),
            &[DataCategory::Identity, DataCategory::Contact],
            Action::Read,
        );
        let category = grant.require(
            Some(subject),
            &[DataCategory::Identity, DataCategory::NationalId],
            Action::Read,
        );
        let other_subject = grant.require(Some(other), &[DataCategory::Identity], Action::Read);
        let no_subject = grant.require(None, &[DataCategory::Identity], Action::Read);
        let action = grant.require(Some(subject), &[DataCategory::Identity], Action::Change);
        // Assert
        assert!(covered.is_ok(), "{covered:?}");
        assert!(
            matches!(category, Err(Error::GrantDoesNotCover("national_id"))),
            "{category:?}"
        );
        assert!(
            matches!(
                other_subject,
                Err(Error::GrantDoesNotCover("this data subject"))
            ),
            "{other_subject:?}"
        );
        assert!(
            matches!(
                no_subject,
                Err(Error::GrantDoesNotCover("this data subject"))
            ),
            "{no_subject:?}"
        );
        assert!(
            matches!(action, Err(Error::GrantDoesNotCover("this action"))),
            "{action:?}"
        );
        assert_eq!(grant.request().subject, Some(subject));
    }
);

db_test!(
    the_seeded_policy_loads_back_as_the_defaults,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        let defaults = Policy::defaults();
        // Act
        let mut tx = db.begin().await.expect("begin");
        let first = gate::seed_policy(&mut tx, &defaults).await.expect("seed");
        let second = gate::seed_policy(&mut tx, &defaults)
            .await
            .expect("seed again");
        tx.commit().await.expect("commit");
        let mut tx = db.begin().await.expect("begin");
        let third = gate::seed_policy(&mut tx, &defaults)
            .await
            .expect("seed a third time");
        tx.commit().await.expect("commit");
        let mut tx = db.begin_read().await.expect("begin a read");
        let loaded = gate::load_policy(&mut tx).await.expect("load");
        // Assert
        assert!(first);
        assert!(!second);
        assert!(!third);
        assert_eq!(loaded, defaults);
        let rules = i64::try_from(defaults.rules().len()).expect("a few hundred rules");
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM policy_rule").await, rules);
        let roles = i64::try_from(Role::ALL.len()).expect("a dozen roles");
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM role").await, roles);
    }
);

db_test!(
    an_empty_policy_table_loads_as_a_policy_that_refuses_everything,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        // Act
        let mut tx = db.begin_read().await.expect("begin a read");
        let loaded = gate::load_policy(&mut tx).await.expect("load");
        // Assert
        assert_eq!(loaded, Policy::default());
        assert!(loaded.rules().is_empty());
    }
);
