//! Registering households and reading participants through the gate.

use ixorg_app::participants::{self, RegisterError, ViewError, Viewer};
use ixorg_domain::Cents;
use ixorg_domain::ids::StaffUserId;
use ixorg_domain::privacy::{Actor, DataCategory, Purpose, Refusal, Role};
use ixorg_testkit::{TestDb, db_test, raw, test_app};
use uuid::Uuid;

use crate::{household, register};

fn support() -> Viewer {
    Viewer {
        actor: Actor::Staff(StaffUserId::from_uuid(Uuid::from_u128(0x5u128))),
        role: Role::Support,
    }
}

fn finance() -> Viewer {
    Viewer {
        actor: Actor::Staff(StaffUserId::from_uuid(Uuid::from_u128(0xf1u128))),
        role: Role::Finance,
    }
}

db_test!(
    a_registered_household_gets_numbers_and_budgets_with_credit_lines,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        // Act
        let registered = register(&ctx).await;
        // Assert
        assert_eq!(registered.members.len(), 3);
        let numbers: Vec<_> = registered
            .members
            .iter()
            .map(|(_, n, _)| n.clone())
            .collect();
        assert!(numbers[0].sequence() < numbers[1].sequence());
        assert!(numbers[1].sequence() < numbers[2].sequence());
        // Credit line = min(annual budget, EUR 240): 360 -> 240, 120 -> 120, 60 -> 60.
        let expected = [24_000, 12_000, 6_000];
        for ((_, _, budget), credit) in registered.members.iter().zip(expected) {
            let account = ixorg_app::ledger::account(&ctx, *budget)
                .await
                .expect("budget");
            assert_eq!(account.credit_line, Cents::new(credit));
            assert_eq!(account.balance, Cents::ZERO);
        }
    }
);

db_test!(
    a_bsn_is_stored_only_encrypted_and_found_through_its_blind_index,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let registered = register(&ctx).await;
        let (main, ..) = registered.members[0].clone();
        // Act
        let system = Viewer {
            actor: Actor::System("lookup".into()),
            role: Role::System,
        };
        let bsn = "111222333".parse().expect("bsn");
        let found = participants::find_by_bsn(&ctx, system, Some(Purpose::ServiceDelivery), &bsn)
            .await
            .expect("lookup");
        // Assert
        assert_eq!(found, Some(main));
        let raw: Vec<Vec<u8>> = raw::bsn_columns(&t).await;
        assert_eq!(raw.len(), 4, "two ciphertexts and two blind indexes");
        for bytes in raw {
            assert!(!bytes.windows(9).any(|w| w == b"111222333"));
            assert!(!bytes.windows(9).any(|w| w == b"999996708"));
        }
        if let Some(path) = t.url().strip_prefix("sqlite://") {
            let file = std::fs::read(path).expect("read the database file");
            let wal = std::fs::read(format!("{path}-wal")).unwrap_or_default();
            for bytes in [file, wal] {
                assert!(
                    !bytes.windows(9).any(|w| w == b"111222333"),
                    "plain BSN on disk"
                );
            }
        }
    }
);

db_test!(
    support_sees_identity_and_contact_but_no_bsn_and_the_look_up_is_logged,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let (main, ..) = register(&ctx).await.members[0].clone();
        // Act
        let view = participants::view(
            &ctx,
            support(),
            Some(Purpose::ServiceDelivery),
            main,
            &[DataCategory::Financial],
        )
        .await
        .expect("support may look the participant up");
        let bsn_attempt = participants::view(
            &ctx,
            support(),
            Some(Purpose::ServiceDelivery),
            main,
            &[DataCategory::NationalId],
        )
        .await;
        // Assert
        assert_eq!(view.full_name, "Johanna van der Wiel");
        assert_eq!(view.bsn, None);
        assert_eq!(view.annual_budget, Some(Cents::new(36_000)));
        assert!(matches!(
            bsn_attempt,
            Err(ViewError::Refused(Refusal::NotAllowed {
                category: DataCategory::NationalId,
                ..
            }))
        ));
        let log = raw::who_looked(&t, main).await;
        assert_eq!(
            log,
            vec![
                ("support".to_owned(), "allowed".to_owned()),
                ("support".to_owned(), "refused".to_owned())
            ]
        );
    }
);

db_test!(
    an_access_without_a_purpose_is_refused_and_the_refusal_is_logged,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let (main, ..) = register(&ctx).await.members[0].clone();
        // Act
        let result = participants::view(&ctx, finance(), None, main, &[]).await;
        // Assert
        assert!(matches!(
            result,
            Err(ViewError::Refused(Refusal::NoPurpose))
        ));
        let log = raw::who_looked(&t, main).await;
        assert_eq!(log, vec![("finance".to_owned(), "refused".to_owned())]);
    }
);

db_test!(
    a_participant_reads_their_own_data_with_the_full_bsn_and_leaves_no_log_entry,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let (main, ..) = register(&ctx).await.members[0].clone();
        let me = Viewer {
            actor: Actor::Participant(main),
            role: Role::Participant,
        };
        // Act
        let view = participants::view(
            &ctx,
            me,
            Some(Purpose::ServiceDelivery),
            main,
            &[DataCategory::NationalId],
        )
        .await
        .expect("a participant may read their own data");
        // Assert
        assert_eq!(view.bsn.as_deref(), Some("111222333"));
        assert!(raw::who_looked(&t, main).await.is_empty());
    }
);

db_test!(
    a_second_household_with_a_known_bsn_is_refused_and_leaves_no_trace,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        register(&ctx).await;
        let before = raw::row_counts(&t).await;
        // Act
        let mut again = household();
        again.members.truncate(1);
        let result = participants::register_household(&ctx, Actor::System("t".into()), again).await;
        // Assert
        assert!(matches!(
            result,
            Err(RegisterError::DuplicateBsn { member: 0 })
        ));
        let after = raw::row_counts(&t).await;
        // The failed registration rolled back whole, including its access-log entry.
        let changed: Vec<_> = before
            .iter()
            .zip(&after)
            .filter(|(b, a)| b != a)
            .map(|(b, _)| b.0.clone())
            .collect();
        assert_eq!(changed, Vec::<String>::new());
    }
);

db_test!(
    a_household_without_a_main_participant_is_refused,
    async |t: TestDb| {
        let ctx = test_app(&t).await;
        let mut h = household();
        h.members.remove(0);
        let result = participants::register_household(&ctx, Actor::System("t".into()), h).await;
        assert!(matches!(result, Err(RegisterError::Shape)));
    }
);
