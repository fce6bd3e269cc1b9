//! Issue 11, defect 4: every command that writes a file either commits and has its file, or
//! commits nothing. Each is run with outputs it cannot write (under a regular file, under a
//! missing directory, onto an existing directory; tests run as root, so a read-only directory
//! would not stop them) and must fail with the database unchanged; then with a good path.

use std::path::PathBuf;

use ixorg_app::AppContext;
use ixorg_app::privacy::Staff;
use ixorg_app::privacy::requests::{self, NewRequest};
use ixorg_domain::Cents;
use ixorg_domain::ledger::Transfer;
use ixorg_domain::privacy::Role;
use ixorg_testkit::{TestDb, db_test, raw};
use time::macros::date;

use crate::{register, temp, temp_dir, with_operator};

/// Output paths no command can write: under a regular file, under a missing directory, and an
/// existing directory.
fn unwritable(name: &str) -> Vec<PathBuf> {
    let dir = temp_dir(name);
    let file = dir.join("a-regular-file");
    std::fs::write(&file, b"not a directory").expect("write the file");
    vec![
        file.join("out.xml"),
        dir.join("missing").join("out.xml"),
        dir.clone(),
    ]
}

/// No file but `keep` is left in the directories of [`unwritable`].
fn no_partial_files_in(name: &str) {
    let dir = temp(name).with_extension("d");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .expect("read the dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "a-regular-file")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// A payee (a practice) that is owed EUR 48.51.
pub(crate) async fn payee_owed(ctx: &AppContext) {
    let practice = ixorg_app::parties::register_practice(
        ctx,
        &ixorg_app::parties::NewPractice {
            agb: "12002242".parse().expect("agb"),
            name: "Tandartspraktijk De Molen".into(),
            city: "Utrecht".into(),
            providers: vec![("12041054".parse().expect("agb"), "A. Tandarts".into())],
            iban: Some("NL91ABNA0417164300".parse().expect("iban")),
        },
    )
    .await
    .expect("practice");
    let (_, payable) = practice.payee.expect("a payee");
    let bank = ixorg_app::ledger::operator_account(
        ctx,
        ixorg_domain::ledger::OperatorAccount::BankReceivable,
    )
    .await
    .expect("bank");
    let owed = Transfer {
        idempotency_key: "owed".into(),
        debit: bank.id,
        credit: payable,
        amount: Cents::new(4_851),
        kind: ixorg_domain::ledger::TransferKind::Contribution,
        reverses: None,
    };
    ixorg_app::ledger::post_batch(ctx, &[owed])
        .await
        .expect("post");
}

db_test!(
    a_payout_that_cannot_write_its_file_stores_no_run_no_payouts_and_no_postings,
    async |t: TestDb| {
        // Arrange
        let ctx = with_operator(&t).await;
        payee_owed(&ctx).await;
        let date = date!(2027 - 01 - 29);
        let counts = raw::row_counts(&t).await;

        // Act / Assert
        for out in unwritable("payout-bad") {
            let result = ixorg_app::payouts::payout(&ctx, date, &out).await;
            let err = result.expect_err("the file cannot be written");
            assert!(
                err.to_string().contains("cannot write the payout file"),
                "{err}"
            );
            assert_eq!(raw::row_counts(&t).await, counts, "{}", out.display());
        }
        no_partial_files_in("payout-bad");
        let good = temp("payout-good");
        let report = ixorg_app::payouts::payout(&ctx, date, &good)
            .await
            .expect("payout");
        assert!(report.created && good.exists());
        assert_eq!(raw::scalar(&t, "SELECT COUNT(*) FROM payout").await, 1);
    }
);

db_test!(
    a_collection_run_that_cannot_write_its_file_stores_nothing,
    async |t: TestDb| {
        // Arrange
        let ctx = with_operator(&t).await;
        register(&ctx).await;
        let date = date!(2026 - 12 - 01);
        let counts = raw::row_counts(&t).await;

        // Act / Assert
        for out in unwritable("collect-bad") {
            let result = ixorg_app::collections::collect(&ctx, date, &out, &|_| {}).await;
            let err = result.expect_err("the file cannot be written");
            assert!(
                err.to_string().contains("cannot write the collection file"),
                "{err}"
            );
            assert_eq!(raw::row_counts(&t).await, counts, "{}", out.display());
        }
        no_partial_files_in("collect-bad");
        let good = temp("collect-good");
        let report = ixorg_app::collections::collect(&ctx, date, &good, &|_| {})
            .await
            .expect("collect");
        assert!(report.created && good.exists());
        assert_eq!(
            raw::scalar(&t, "SELECT COUNT(*) FROM contribution").await,
            1
        );
    }
);

/// Two households, one with money left and one in the red, both with notice given in November
/// 2026: `settle` on 2027-01-04 pays one out and collects from the other.
pub(crate) async fn ended_households(ctx: &AppContext) {
    let rich = register(ctx).await;
    let mut second = crate::household();
    second.members.truncate(1);
    second.members[0].bsn = None;
    second.members[0].details.surname = "Visser".into();
    let poor = ixorg_app::participants::register_household(
        ctx,
        ixorg_domain::privacy::Actor::System("t".into()),
        second,
    )
    .await
    .expect("second household");
    let bank = ixorg_app::ledger::operator_account(
        ctx,
        ixorg_domain::ledger::OperatorAccount::BankReceivable,
    )
    .await
    .expect("b");
    let fees =
        ixorg_app::ledger::operator_account(ctx, ixorg_domain::ledger::OperatorAccount::FeeIncome)
            .await
            .expect("f");
    let move_money = |key: &str, debit, credit, cents| Transfer {
        idempotency_key: key.to_owned(),
        debit,
        credit,
        amount: Cents::new(cents),
        kind: ixorg_domain::ledger::TransferKind::Contribution,
        reverses: None,
    };
    ixorg_app::ledger::post_batch(
        ctx,
        &[
            move_money("in", bank.id, rich.members[0].2, 10_000),
            move_money("out", poor.members[0].2, fees.id, 5_000),
        ],
    )
    .await
    .expect("post");
    for r in [&rich, &poor] {
        ixorg_app::contracts::give_notice(ctx, r.members[0].1.as_str(), date!(2026 - 11 - 26))
            .await
            .expect("notice");
    }
}

db_test!(
    a_settlement_that_cannot_write_either_file_settles_nothing,
    async |t: TestDb| {
        // Arrange: one household with money left, one in the red, both with notice given.
        let ctx = with_operator(&t).await;
        ended_households(&ctx).await;
        let date = date!(2027 - 01 - 04);
        let counts = raw::row_counts(&t).await;

        // Act / Assert: either file unwritable.
        for bad in unwritable("settle-bad") {
            for (payouts, finals) in [
                (bad.clone(), temp("settle-finals")),
                (temp("settle-payouts"), bad.clone()),
            ] {
                let result = ixorg_app::contracts::settle(&ctx, date, &payouts, &finals).await;
                let err = result.expect_err("a file cannot be written");
                assert!(err.to_string().contains("cannot write"), "{err}");
                assert_eq!(raw::row_counts(&t).await, counts, "{}", bad.display());
                for path in [&payouts, &finals] {
                    if *path != bad {
                        assert!(!path.exists(), "no file without its settlement");
                    }
                }
            }
        }
        no_partial_files_in("settle-bad");
        let (payouts, finals) = (temp("settle-p-good"), temp("settle-f-good"));
        let report = ixorg_app::contracts::settle(&ctx, date, &payouts, &finals)
            .await
            .expect("settle");
        assert_eq!((report.paid_out, report.collected), (1, 1));
        assert!(payouts.is_file() && finals.is_file());
    }
);

db_test!(
    an_access_request_whose_export_cannot_be_written_stays_open,
    async |t: TestDb| {
        // Arrange
        let ctx = with_operator(&t).await;
        let (main, ..) = register(&ctx).await.members[0].clone();
        let id = ixorg_app::staff::create(
            &ctx,
            "petra",
            "petra",
            "a long enough password",
            &[Role::PrivacyOfficer],
        )
        .await
        .expect("staff");
        let officer = Staff {
            id,
            role: Role::PrivacyOfficer,
        };
        let request = requests::file(&ctx, main, main, NewRequest::Access)
            .await
            .expect("file");
        let counts = raw::row_counts(&t).await;
        let dir = temp_dir("export-bad");
        let file = dir.join("a-regular-file");
        std::fs::write(&file, b"x").expect("file");

        // Act
        let failed = ixorg_app::privacy::export::answer_access_request(
            &ctx,
            officer,
            request,
            &file.join("exports"),
            ixorg_web::export_page::render,
        )
        .await;

        // Assert
        let err = failed.expect_err("the export cannot be written");
        assert!(err.to_string().contains("cannot write the export"), "{err}");
        assert_eq!(raw::row_counts(&t).await, counts);
        assert_eq!(
            requests::pending(&ctx, officer)
                .await
                .expect("pending")
                .len(),
            1
        );
        let good = temp_dir("export-good");
        let answered = ixorg_app::privacy::export::answer_access_request(
            &ctx,
            officer,
            request,
            &good,
            ixorg_web::export_page::render,
        )
        .await
        .expect("answered");
        assert!(answered.json.is_file() && answered.html.is_file());
        assert!(
            requests::pending(&ctx, officer)
                .await
                .expect("pending")
                .is_empty()
        );
    }
);

db_test!(
    an_import_that_cannot_write_its_return_file_stores_no_batch,
    async |t: TestDb| {
        // Arrange: late December 2026, when the household (from 2026-12-01) can declare.
        let ctx = AppContext {
            clock: std::sync::Arc::new(ixorg_app::FixedClock(
                time::macros::datetime!(2026-12-20 10:00 UTC),
            )),
            ..with_operator(&t).await
        };
        register(&ctx).await;
        payee_owed(&ctx).await;
        let file = temp("import-source").with_extension("mz301");
        ixorg_tools::declarations::mz301(&ctx, 3, 1, &file)
            .await
            .expect("generate");
        let counts = raw::row_counts(&t).await;

        // Act / Assert
        for out in unwritable("import-bad") {
            let result =
                ixorg_app::declarations::import::import_mz301(&ctx, &file, &out, &|_| {}).await;
            let err = result.expect_err("the return file cannot be written");
            assert!(
                err.to_string()
                    .contains("cannot write the MZ302 return file"),
                "{err}"
            );
            assert_eq!(raw::row_counts(&t).await, counts, "{}", out.display());
        }
        no_partial_files_in("import-bad");
        let good = temp("import-good").with_extension("mz302");
        ixorg_app::declarations::import::import_mz301(&ctx, &file, &good, &|_| {})
            .await
            .expect("import");
        assert!(good.is_file());
        assert_eq!(
            raw::scalar(&t, "SELECT COUNT(*) FROM declaration_batch").await,
            1
        );
    }
);

db_test!(
    the_bank_simulator_that_cannot_write_its_statement_commits_nothing,
    async |t: TestDb| {
        // Arrange
        let ctx = with_operator(&t).await;
        register(&ctx).await;
        let date = date!(2026 - 12 - 01);
        ixorg_app::collections::collect(&ctx, date, &temp("sim-run"), &|_| {})
            .await
            .expect("collect");
        let counts = raw::row_counts(&t).await;

        // Act / Assert
        for out in unwritable("sim-bad") {
            let result = ixorg_tools::bank::camt053_for_collection(&ctx, date, 10, 1, &out).await;
            assert!(result.is_err(), "{}", out.display());
            assert_eq!(raw::row_counts(&t).await, counts, "{}", out.display());
        }
        no_partial_files_in("sim-bad");
        let good = temp("sim-good");
        ixorg_tools::bank::camt053_for_collection(&ctx, date, 10, 1, &good)
            .await
            .expect("statement");
        assert!(good.is_file());
    }
);
