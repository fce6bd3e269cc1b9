//! The ledger in the database: posting, balances, the credit-line floor, idempotency under
//! concurrency, and verification.

use ixorg_domain::ledger::{AccountKind, LedgerError, PostOutcome};
use ixorg_store::ledger::{self, LedgerSummary};
use ixorg_store::{ConflictKind, Error};
use ixorg_testkit::{TestDb, db_test};

use crate::{
    CREDIT_LINE_CENTS, NOW, account_id, balance, new_account, open_accounts, scalar, transfer,
    transfer_id,
};

/// How many tasks race in the concurrency tests.
const TASKS: u128 = 50;

db_test!(
    posted_transfers_move_both_balances_and_the_ledger_verifies,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        let a = open_accounts(db).await;
        // Act
        let mut tx = db.begin().await.expect("begin");
        let one = ledger::post(
            &mut tx,
            &transfer("c-1", a.bank, a.budget, 10_000),
            transfer_id(1),
            NOW,
        )
        .await
        .expect("post the contribution");
        let batch = ledger::post_batch(
            &mut tx,
            &[
                transfer("d-1", a.budget, a.payable, 2_500),
                transfer("d-2", a.budget, a.payable, 1_500),
                transfer("p-1", a.payable, a.bank, 4_000),
            ],
            &[transfer_id(2), transfer_id(3), transfer_id(4)],
            NOW,
        )
        .await
        .expect("post the batch");
        tx.commit().await.expect("commit");
        // Assert
        assert_eq!(one, PostOutcome::Applied);
        assert_eq!(batch, vec![Ok(PostOutcome::Applied); 3]);
        assert_eq!(balance(db, a.bank).await, -6_000);
        assert_eq!(balance(db, a.budget).await, 6_000);
        assert_eq!(balance(db, a.payable).await, 0);
        let mut tx = db.begin_read().await.expect("begin a read");
        let bank =
            ledger::account_by_code(&mut tx, ixorg_domain::ledger::OperatorAccount::OperatorBank)
                .await
                .expect("the bank account by its code");
        assert_eq!(bank.id, a.bank);
        assert_eq!(bank.kind, AccountKind::OperatorBank);
        let budget = ledger::account(&mut tx, a.budget)
            .await
            .expect("the budget");
        assert_eq!(budget.credit_line.get(), CREDIT_LINE_CENTS);
        assert_eq!(budget.kind, AccountKind::Budget);
        let stored = ledger::transfers_page(&mut tx, 0, 100)
            .await
            .expect("the transfers");
        let sequences: Vec<i64> = stored.iter().map(|s| s.sequence).collect();
        assert_eq!(sequences, vec![1, 2, 3, 4]);
        assert_eq!(stored[1].idempotency_key, "d-1");
        assert_eq!(stored[1].ledger_transfer_id, transfer_id(2).uuid());
        assert_eq!(
            ledger::verify(&mut tx).await.expect("verify"),
            Ok(LedgerSummary {
                transfers: 4,
                accounts: 3
            })
        );
    }
);

db_test!(
    new_transfers_raise_the_credited_balances_and_the_ledger_verifies,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        let a = open_accounts(db).await;
        let mut tx = db.begin().await.expect("begin");
        ledger::post(
            &mut tx,
            &transfer("before", a.bank, a.budget, 1_000),
            transfer_id(1),
            NOW,
        )
        .await
        .expect("an earlier transfer");
        // Act
        ledger::post_new_batch(
            &mut tx,
            &[
                transfer("new-1", a.bank, a.budget, 3_000),
                transfer("new-2", a.bank, a.payable, 500),
                transfer("new-3", a.budget, a.payable, 200),
            ],
            &[transfer_id(2), transfer_id(3), transfer_id(4)],
            NOW,
        )
        .await
        .expect("post the new transfers");
        tx.commit().await.expect("commit");
        // Assert
        assert_eq!(balance(db, a.bank).await, -4_500);
        assert_eq!(balance(db, a.budget).await, 3_800);
        assert_eq!(balance(db, a.payable).await, 700);
        let mut tx = db.begin_read().await.expect("begin a read");
        let stored = ledger::transfers_page(&mut tx, 0, 100)
            .await
            .expect("the transfers");
        let keys: Vec<&str> = stored.iter().map(|s| s.idempotency_key.as_str()).collect();
        assert_eq!(keys, vec!["before", "new-1", "new-2", "new-3"]);
        assert_eq!(
            ledger::verify(&mut tx).await.expect("verify"),
            Ok(LedgerSummary {
                transfers: 4,
                accounts: 3
            })
        );
    }
);

db_test!(
    a_new_transfer_whose_key_exists_fails_and_is_never_posted_twice,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        let a = open_accounts(db).await;
        let mut tx = db.begin().await.expect("begin");
        ledger::post(
            &mut tx,
            &transfer("k-1", a.bank, a.budget, 1_000),
            transfer_id(1),
            NOW,
        )
        .await
        .expect("the first posting");
        tx.commit().await.expect("commit");
        // Act
        let mut tx = db.begin().await.expect("begin");
        let again = ledger::post_new_batch(
            &mut tx,
            &[transfer("k-1", a.bank, a.budget, 1_000)],
            &[transfer_id(2)],
            NOW,
        )
        .await;
        tx.rollback().await.expect("roll back");
        let mut tx = db.begin().await.expect("begin");
        let twice = ledger::post_new_batch(
            &mut tx,
            &[
                transfer("k-2", a.bank, a.budget, 10),
                transfer("k-2", a.bank, a.budget, 10),
            ],
            &[transfer_id(3), transfer_id(4)],
            NOW,
        )
        .await;
        tx.rollback().await.expect("roll back");
        // Assert
        assert!(again.is_err(), "an existing key must fail: {again:?}");
        assert!(
            twice.is_err(),
            "a key twice in a batch must fail: {twice:?}"
        );
        assert_eq!(balance(db, a.budget).await, 1_000);
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM ledger_transfer").await, 1);
    }
);

db_test!(
    a_new_transfer_below_a_credit_line_is_refused_and_writes_nothing,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        let a = open_accounts(db).await;
        // Act
        let mut tx = db.begin().await.expect("begin");
        let refused = ledger::post_new_batch(
            &mut tx,
            &[
                transfer("ok", a.budget, a.payable, CREDIT_LINE_CENTS),
                transfer("too-far", a.budget, a.payable, 1),
            ],
            &[transfer_id(1), transfer_id(2)],
            NOW,
        )
        .await;
        tx.rollback().await.expect("roll back");
        // Assert
        assert!(
            matches!(
                refused,
                Err(Error::Ledger(LedgerError::CreditLineExceeded { account })) if account == a.budget
            ),
            "{refused:?}"
        );
        assert_eq!(balance(db, a.budget).await, 0);
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM ledger_transfer").await, 0);
    }
);

db_test!(
    a_budget_may_go_down_to_minus_its_credit_line_and_no_further,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        let a = open_accounts(db).await;
        let mut tx = db.begin().await.expect("begin");
        ledger::post(
            &mut tx,
            &transfer("down", a.budget, a.payable, CREDIT_LINE_CENTS),
            transfer_id(1),
            NOW,
        )
        .await
        .expect("down to the floor exactly");
        tx.commit().await.expect("commit");
        // Act
        let mut tx = db.begin().await.expect("begin");
        let refused = ledger::post(
            &mut tx,
            &transfer("one-more", a.budget, a.payable, 1),
            transfer_id(2),
            NOW,
        )
        .await;
        tx.rollback().await.expect("roll back");
        // Assert
        assert!(
            matches!(
                refused,
                Err(Error::Ledger(LedgerError::CreditLineExceeded { account })) if account == a.budget
            ),
            "{refused:?}"
        );
        assert_eq!(balance(db, a.budget).await, -CREDIT_LINE_CENTS);
        assert_eq!(balance(db, a.payable).await, CREDIT_LINE_CENTS);
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM ledger_transfer").await, 1);
        let mut tx = db.begin_read().await.expect("begin a read");
        assert_eq!(
            ledger::verify(&mut tx).await.expect("verify"),
            Ok(LedgerSummary {
                transfers: 1,
                accounts: 3
            })
        );
    }
);

db_test!(
    a_refused_transfer_in_a_batch_changes_nothing_and_the_others_apply,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        let a = open_accounts(db).await;
        // Act
        let mut tx = db.begin().await.expect("begin");
        let outcomes = ledger::post_batch(
            &mut tx,
            &[
                transfer("ok-1", a.bank, a.budget, 100),
                transfer("too-much", a.budget, a.payable, CREDIT_LINE_CENTS + 101),
                transfer("zero", a.bank, a.budget, 0),
                transfer("same", a.bank, a.bank, 5),
                transfer("unknown", a.bank, account_id(99), 5),
                transfer("ok-2", a.budget, a.payable, 50),
            ],
            &[
                transfer_id(1),
                transfer_id(2),
                transfer_id(3),
                transfer_id(4),
                transfer_id(5),
                transfer_id(6),
            ],
            NOW,
        )
        .await
        .expect("post the batch");
        tx.commit().await.expect("commit");
        // Assert
        assert_eq!(
            outcomes,
            vec![
                Ok(PostOutcome::Applied),
                Err(LedgerError::CreditLineExceeded { account: a.budget }),
                Err(LedgerError::NonPositiveAmount),
                Err(LedgerError::SameAccount),
                Err(LedgerError::UnknownAccount(account_id(99))),
                Ok(PostOutcome::Applied),
            ]
        );
        assert_eq!(balance(db, a.bank).await, -100);
        assert_eq!(balance(db, a.budget).await, 50);
        assert_eq!(balance(db, a.payable).await, 50);
        let mut tx = db.begin_read().await.expect("begin a read");
        assert_eq!(
            ledger::verify(&mut tx).await.expect("verify"),
            Ok(LedgerSummary {
                transfers: 2,
                accounts: 3
            })
        );
    }
);

db_test!(
    posting_the_same_key_again_returns_the_earlier_transfer_and_changes_nothing,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        let a = open_accounts(db).await;
        let contribution = transfer("c-1", a.bank, a.budget, 1_000);
        let mut tx = db.begin().await.expect("begin");
        ledger::post(&mut tx, &contribution, transfer_id(1), NOW)
            .await
            .expect("first post");
        tx.commit().await.expect("commit");
        // Act
        let mut tx = db.begin().await.expect("begin");
        let again = ledger::post(&mut tx, &contribution, transfer_id(2), NOW)
            .await
            .expect("second post");
        let in_one_batch = ledger::post_batch(
            &mut tx,
            &[contribution.clone(), contribution.clone()],
            &[transfer_id(3), transfer_id(4)],
            NOW,
        )
        .await
        .expect("a batch with the key twice");
        tx.commit().await.expect("commit");
        // Assert
        assert_eq!(again, PostOutcome::AlreadyApplied(transfer_id(1)));
        assert_eq!(
            in_one_batch,
            vec![Ok(PostOutcome::AlreadyApplied(transfer_id(1))); 2]
        );
        assert_eq!(balance(db, a.budget).await, 1_000);
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM ledger_transfer").await, 1);
    }
);

db_test!(
    a_key_used_before_for_a_different_amount_is_refused,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        let a = open_accounts(db).await;
        let mut tx = db.begin().await.expect("begin");
        ledger::post(
            &mut tx,
            &transfer("k", a.bank, a.budget, 1_000),
            transfer_id(1),
            NOW,
        )
        .await
        .expect("first post");
        tx.commit().await.expect("commit");
        // Act
        let mut tx = db.begin().await.expect("begin");
        let other_amount = ledger::post(
            &mut tx,
            &transfer("k", a.bank, a.budget, 1_001),
            transfer_id(2),
            NOW,
        )
        .await;
        let other_account = ledger::post(
            &mut tx,
            &transfer("k", a.bank, a.payable, 1_000),
            transfer_id(3),
            NOW,
        )
        .await;
        tx.rollback().await.expect("roll back");
        // Assert
        assert!(
            matches!(
                other_amount,
                Err(Error::Ledger(LedgerError::IdempotencyKeyReused))
            ),
            "{other_amount:?}"
        );
        assert!(
            matches!(
                other_account,
                Err(Error::Ledger(LedgerError::IdempotencyKeyReused))
            ),
            "{other_account:?}"
        );
        assert_eq!(balance(db, a.budget).await, 1_000);
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM ledger_transfer").await, 1);
    }
);

db_test!(
    fifty_concurrent_posts_of_one_key_apply_it_exactly_once,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        let a = open_accounts(db).await;
        // Act
        let mut tasks = Vec::new();
        for n in 0..TASKS {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin().await?;
                let outcome = ledger::post(
                    &mut tx,
                    &transfer("same-key", a.bank, a.budget, 700),
                    transfer_id(n + 1),
                    NOW,
                )
                .await?;
                tx.commit().await?;
                Ok::<_, Error>(outcome)
            }));
        }
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await.expect("the task ran to the end"));
        }
        // Assert
        let applied: Vec<_> = outcomes
            .iter()
            .filter(|o| matches!(o, Ok(PostOutcome::Applied)))
            .collect();
        assert_eq!(applied.len(), 1, "{outcomes:?}");
        let stored = {
            let mut tx = db.begin_read().await.expect("begin a read");
            ledger::transfers_page(&mut tx, 0, 100)
                .await
                .expect("the transfers")
        };
        assert_eq!(stored.len(), 1);
        let winner = ixorg_domain::ids::LedgerTransferId::from_uuid(stored[0].ledger_transfer_id);
        for outcome in &outcomes {
            match outcome {
                Ok(PostOutcome::Applied) => {}
                Ok(PostOutcome::AlreadyApplied(id)) => assert_eq!(*id, winner),
                Err(e) => panic!("a post failed: {e:?}"),
            }
        }
        assert_eq!(balance(db, a.budget).await, 700);
        assert_eq!(balance(db, a.bank).await, -700);
        let mut tx = db.begin_read().await.expect("begin a read");
        assert_eq!(
            ledger::verify(&mut tx).await.expect("verify"),
            Ok(LedgerSummary {
                transfers: 1,
                accounts: 3
            })
        );
    }
);

db_test!(
    fifty_concurrent_debits_never_take_a_budget_below_its_credit_line,
    async |t: TestDb| {
        // Arrange: a budget with a credit line of 100 cents and nothing on it.
        let db = t.db();
        let budget = account_id(10);
        let payable = account_id(11);
        let mut tx = db.begin().await.expect("begin");
        for account in [
            new_account(budget, AccountKind::Budget, None, 100),
            new_account(payable, AccountKind::Payable, None, 0),
        ] {
            ledger::open_account(&mut tx, &account, NOW)
                .await
                .expect("open an account");
        }
        tx.commit().await.expect("commit");
        // Act: 50 tasks each debit 10 cents under a key of their own.
        let mut tasks = Vec::new();
        for n in 0..TASKS {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin().await?;
                let key = format!("debit-{n}");
                let result = ledger::post(
                    &mut tx,
                    &transfer(&key, budget, payable, 10),
                    transfer_id(n + 1),
                    NOW,
                )
                .await;
                match result {
                    Ok(outcome) => {
                        tx.commit().await?;
                        Ok::<_, Error>(Ok(outcome))
                    }
                    Err(Error::Ledger(refusal)) => {
                        tx.rollback().await?;
                        Ok(Err(refusal))
                    }
                    Err(e) => Err(e),
                }
            }));
        }
        let mut outcomes: Vec<Result<Result<PostOutcome, LedgerError>, Error>> = Vec::new();
        for task in tasks {
            outcomes.push(task.await.expect("the task ran to the end"));
        }
        // Assert
        let applied = outcomes
            .iter()
            .filter(|o| matches!(o, Ok(Ok(PostOutcome::Applied))))
            .count();
        let refused = outcomes
            .iter()
            .filter(|o| {
                matches!(o, Ok(Err(LedgerError::CreditLineExceeded { account })) if *account == budget)
            })
            .count();
        assert_eq!(applied, 10, "{outcomes:?}");
        assert_eq!(refused, 40, "{outcomes:?}");
        assert_eq!(balance(db, budget).await, -100);
        assert_eq!(balance(db, payable).await, 100);
        let mut tx = db.begin_read().await.expect("begin a read");
        assert_eq!(
            ledger::verify(&mut tx).await.expect("verify"),
            Ok(LedgerSummary {
                transfers: 10,
                accounts: 2
            })
        );
    }
);

db_test!(
    a_credit_line_cannot_be_lowered_below_what_the_budget_already_uses,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        let a = open_accounts(db).await;
        let mut tx = db.begin().await.expect("begin");
        ledger::post(
            &mut tx,
            &transfer("d", a.budget, a.payable, 5_000),
            transfer_id(1),
            NOW,
        )
        .await
        .expect("use 5000 of the credit line");
        // Act
        let too_low =
            ledger::set_credit_line(&mut tx, a.budget, ixorg_domain::Cents::new(4_999), NOW).await;
        let just_enough =
            ledger::set_credit_line(&mut tx, a.budget, ixorg_domain::Cents::new(5_000), NOW).await;
        tx.commit().await.expect("commit");
        // Assert
        assert!(
            matches!(
                too_low,
                Err(Error::Ledger(LedgerError::CreditLineExceeded { account })) if account == a.budget
            ),
            "{too_low:?}"
        );
        assert!(just_enough.is_ok(), "{just_enough:?}");
        let mut tx = db.begin_read().await.expect("begin a read");
        let budget = ledger::account(&mut tx, a.budget)
            .await
            .expect("the budget");
        assert_eq!(budget.credit_line.get(), 5_000);
    }
);

db_test!(an_account_code_is_unique, async |t: TestDb| {
    // Arrange
    let db = t.db();
    open_accounts(db).await;
    // Act
    let mut tx = db.begin().await.expect("begin");
    let second = ledger::open_account(
        &mut tx,
        &new_account(
            account_id(7),
            AccountKind::OperatorBank,
            Some("operator_bank"),
            0,
        ),
        NOW,
    )
    .await;
    // Assert
    assert!(
        matches!(second, Err(Error::Conflict(ConflictKind::DuplicateAccount))),
        "{second:?}"
    );
});
