//! The benchmarks run through the real code and leave books that verify.

use ixorg_testkit::{TestDb, db_test, test_app};

db_test!(
    the_ledger_benchmark_posts_through_the_real_code_and_the_books_verify,
    async |t: TestDb| {
        let ctx = test_app(&t).await;
        let report = ixorg_tools::bench::ledger(&ctx, 2_500, 400, 20, &|_| {})
            .await
            .expect("bench");
        assert_eq!(report.transfers, 2_500);
        assert!(report.applied > 2_000);
        let audit = ixorg_app::audit::verify(&ctx).await.expect("audit");
        assert_eq!(
            audit.ledger.map(|s| s.transfers),
            Ok(i64::try_from(report.applied).expect("fits"))
        );
    }
);
