//! The demo seeds once, through the real use cases, with every promised kind of data, and its
//! books verify.

use ixorg_app::staff;
use ixorg_domain::declaration::Reason;
use ixorg_testkit::{TestDb, db_test, test_app};

db_test!(
    the_demo_seeds_once_and_its_books_verify,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let files = std::env::temp_dir().join(format!("ixorg-demo-files-{}", ctx.ids.new_uuid()));
        // Act
        let first = ixorg_tools::demo::seed(&ctx, 5, &files)
            .await
            .expect("seed");
        let second = ixorg_tools::demo::seed(&ctx, 5, &files)
            .await
            .expect("seed again");
        // Assert
        assert!(first.seeded);
        assert!(!second.seeded, "a second run leaves the data as it is");
        assert!(
            first.application.is_some(),
            "one household applied through the public path"
        );
        let pain008 = std::fs::read_dir(&files)
            .expect("files")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("pain008"))
            .count();
        assert_eq!(pain008, first.collection_runs);
        assert!(first.transfers > 0);
        assert_eq!(first.logins.len(), 6);
        let report = ixorg_app::audit::verify(&ctx).await.expect("audit");
        assert!(report.is_sound(), "{report:?}");
        for login in &first.logins {
            let user = staff::check_password(&ctx, &login.username, &login.password)
                .await
                .expect("check");
            assert_eq!(user.map(|u| u.roles), Some(vec![login.role]));
        }
        let _ = std::fs::remove_dir_all(&files);
    }
);

db_test!(
    the_demo_holds_every_promised_kind_of_data_even_at_a_small_size,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let files = std::env::temp_dir().join(format!("ixorg-demo-files-{}", ctx.ids.new_uuid()));
        // Act
        let demo = ixorg_tools::demo::seed(&ctx, 8, &files)
            .await
            .expect("seed");
        // Assert
        assert_eq!(demo.practices, 20, "twenty practices");
        assert_eq!(demo.collection_runs, 12, "twelve monthly collection runs");
        assert!(demo.returned > 0, "the bank returned some direct debits");
        assert!(demo.payouts > 0, "the payout runs paid the practices");
        let variety = &demo.variety;
        for channel in ["mz301", "api", "fhir"] {
            assert!(
                variety.channels.get(channel).is_some_and(|n| *n > 0),
                "no lines through {channel}: {variety:?}"
            );
        }
        for outcome in ["accepted", "partly_accepted", "held", "rejected"] {
            assert!(
                variety.outcomes.get(outcome).is_some_and(|n| *n > 0),
                "no {outcome} line: {variety:?}"
            );
        }
        assert!(
            variety.credit_line_lines > 0,
            "a line was paid partly from the credit line"
        );
        let missing: Vec<&Reason> = Reason::ALL
            .iter()
            .filter(|r| !variety.reasons.contains(r))
            .collect();
        assert!(missing.is_empty(), "reasons never given: {missing:?}");
        let tour = demo.privacy.as_ref().expect("the privacy tour ran");
        for state in [
            "open",
            "assigned",
            "awaiting_second_approval",
            "completed",
            "rejected",
            "overdue",
        ] {
            assert!(
                tour.request_states.get(state).is_some_and(|n| *n > 0),
                "no request {state}: {:?}",
                tour.request_states
            );
        }
        for consent in [
            "provider_view_all_on",
            "provider_view_all_off",
            "provider_view_practice_on",
            "marketing_on",
            "marketing_objection",
        ] {
            assert!(tour.consents.contains(consent), "no consent {consent}");
        }
        assert!(
            demo.participant_logins.len() >= 3,
            "log-ins for a few participants"
        );
        let report = ixorg_app::audit::verify(&ctx).await.expect("audit");
        assert!(report.is_sound(), "{report:?}");
        let _ = std::fs::remove_dir_all(&files);
    }
);
