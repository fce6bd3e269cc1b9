//! Opening the platform, staff users and the audit.

use std::sync::Arc;

use ixorg_app::setup::{OpenError, OpenOptions, open};
use ixorg_app::staff::{self, CreateStaffError};
use ixorg_app::{FixedClock, ledger};
use ixorg_domain::Cents;
use ixorg_domain::ledger::{LedgerError, PostOutcome, Transfer};
use ixorg_domain::privacy::Role;
use ixorg_testkit::{TEST_NOW, TestDb, db_test, test_app};

use crate::register;

db_test!(
    opening_reference_data_twice_changes_nothing,
    async |t: TestDb| {
        let _first = test_app(&t).await;
        let before = ixorg_testkit::raw::row_counts(&t).await;
        let _second = test_app(&t).await;
        assert_eq!(ixorg_testkit::raw::row_counts(&t).await, before);
        assert!(
            before
                .iter()
                .any(|(table, n)| table == "tariff_code" && *n > 40)
        );
        assert!(
            before
                .iter()
                .any(|(table, n)| table == "policy_rule" && *n > 50)
        );
    }
);

db_test!(
    the_server_refuses_to_start_without_a_key_once_bsns_are_stored,
    async |t: TestDb| {
        let ctx = test_app(&t).await;
        register(&ctx).await;
        let options = |required| OpenOptions {
            database_url: t.url().to_owned(),
            data_key: None,
            clock: Arc::new(FixedClock(TEST_NOW)),
            connect: ixorg_app::setup::connect_defaults(),
            key_required_if_encrypted: required,
        };
        assert!(matches!(
            open(options(true)).await,
            Err(OpenError::KeyRequired)
        ));
        assert!(open(options(false)).await.is_ok(), "an audit needs no key");
    }
);

db_test!(
    a_staff_user_logs_in_with_the_right_password_only,
    async |t: TestDb| {
        let ctx = test_app(&t).await;
        staff::create(
            &ctx,
            "fien",
            "Fien",
            "correct horse battery",
            &[Role::Finance],
        )
        .await
        .expect("create");
        let ok = staff::check_password(&ctx, "fien", "correct horse battery")
            .await
            .expect("check");
        assert_eq!(ok.map(|u| u.roles), Some(vec![Role::Finance]));
        let wrong = staff::check_password(&ctx, "fien", "wrong horse battery")
            .await
            .expect("check");
        assert!(wrong.is_none());
        let hash = ixorg_testkit::raw::scalar(
            &t,
            "SELECT COUNT(*) FROM staff_user WHERE password_hash LIKE '$argon2id$%'",
        )
        .await;
        assert_eq!(hash, 1, "passwords are stored as argon2id hashes");
        assert!(matches!(
            staff::create(&ctx, "fien", "Fien 2", "another long password", &[]).await,
            Err(CreateStaffError::UsernameTaken)
        ));
        assert!(matches!(
            staff::create(&ctx, "kort", "Kort", "short", &[]).await,
            Err(CreateStaffError::WeakPassword)
        ));
        assert!(matches!(
            staff::create(&ctx, "x", "X", "a long enough password", &[Role::Insurer]).await,
            Err(CreateStaffError::NotAStaffRole(Role::Insurer))
        ));
    }
);

db_test!(
    a_budget_payment_beyond_the_credit_line_is_refused_and_changes_nothing,
    async |t: TestDb| {
        let ctx = test_app(&t).await;
        let (_, _, budget) = register(&ctx).await.members[1].clone(); // credit line EUR 120
        let bank =
            ledger::operator_account(&ctx, ixorg_domain::ledger::OperatorAccount::BankReceivable)
                .await
                .expect("bank");
        let fees = ledger::operator_account(&ctx, ixorg_domain::ledger::OperatorAccount::FeeIncome)
            .await
            .expect("fees");
        let pay = |key: &str, cents| Transfer {
            idempotency_key: key.to_owned(),
            debit: budget,
            credit: fees.id,
            amount: Cents::new(cents),
            kind: ixorg_domain::ledger::TransferKind::Declaration,
            reverses: None,
        };
        let top_up = Transfer {
            idempotency_key: "top-up".into(),
            debit: bank.id,
            credit: budget,
            amount: Cents::new(1_000),
            kind: ixorg_domain::ledger::TransferKind::Contribution,
            reverses: None,
        };
        assert_eq!(
            ledger::post(&ctx, &top_up).await.expect("top up"),
            PostOutcome::Applied
        );
        assert_eq!(
            ledger::post(&ctx, &pay("a", 13_000))
                .await
                .expect("to the floor"),
            PostOutcome::Applied
        );
        let refused = ledger::post(&ctx, &pay("b", 1)).await;
        assert!(matches!(
            refused,
            Err(ledger::PostOneError::Refused(
                LedgerError::CreditLineExceeded { .. }
            ))
        ));
        let account = ledger::account(&ctx, budget).await.expect("budget");
        assert_eq!(account.balance, Cents::new(-12_000));
        assert!(
            ixorg_app::audit::verify(&ctx)
                .await
                .expect("audit")
                .is_sound()
        );
    }
);
