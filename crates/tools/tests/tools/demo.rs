//! The demo seeds once, through the real use cases, and its books verify.

use ixorg_app::staff;
use ixorg_testkit::{TestDb, db_test, test_app};

db_test!(
    the_demo_seeds_once_and_its_books_verify,
    async |t: TestDb| {
        let ctx = test_app(&t).await;
        let files = std::env::temp_dir().join(format!("ixorg-demo-files-{}", ctx.ids.new_uuid()));
        let first = ixorg_tools::demo::seed(&ctx, 5, &files)
            .await
            .expect("seed");
        assert!(
            first.collection_runs >= 1,
            "the year's collection runs were made"
        );
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
        assert!(first.seeded);
        assert!(first.participants >= 5);
        assert!(first.transfers > 0);
        assert_eq!(first.logins.len(), 6);
        let second = ixorg_tools::demo::seed(&ctx, 5, &files)
            .await
            .expect("seed again");
        assert!(!second.seeded);
        let report = ixorg_app::audit::verify(&ctx).await.expect("audit");
        assert!(report.is_sound(), "{report:?}");
        for login in &first.logins {
            let user = staff::check_password(&ctx, &login.username, &login.password)
                .await
                .expect("check");
            assert_eq!(user.map(|u| u.roles), Some(vec![login.role]));
        }
    }
);
