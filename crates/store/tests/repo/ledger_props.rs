//! Property: any sequence of postings, in batches that are committed or rolled back, leaves the
//! stored ledger sound and equal to the in-memory `domain::ledger::Book` run on the same input.

use ixorg_domain::Cents;
use ixorg_domain::ledger::{AccountKind, Book};
use ixorg_store::ledger::{self, LedgerSummary};
use ixorg_testkit::TestDb;
use proptest::prelude::*;

use crate::{NOW, account_id, new_account, transfer, transfer_id};

/// The accounts of the property: (number, kind, credit line in cents).
const ACCOUNTS: [(u128, AccountKind, i64); 5] = [
    (0, AccountKind::OperatorBank, 0),
    (1, AccountKind::Budget, 24_000),
    (2, AccountKind::Budget, 5_000),
    (3, AccountKind::Payable, 0),
    (4, AccountKind::FeeIncome, 0),
];

/// One posting: debit and credit account numbers, cents, and a key from a small set so keys
/// repeat (the same movement again, or a different one under a used key).
type Op = (u128, u128, i64, u8);

/// A batch: its postings and whether it is committed.
type Batch = (Vec<Op>, bool);

fn arb_batches() -> impl Strategy<Value = Vec<Batch>> {
    let op = (0u128..5, 0u128..5, 1i64..20_000, 0u8..24);
    let batch = (prop::collection::vec(op, 1..8), prop::bool::weighted(0.8));
    prop::collection::vec(batch, 1..12)
}

fn key(n: u8) -> String {
    format!("key-{n}")
}

async fn run(db: TestDb, batches: Vec<Batch>) -> Result<(), TestCaseError> {
    let db = db.db();
    let mut book = Book::new();
    let mut tx = db.begin().await.expect("begin");
    for (n, kind, credit_line) in ACCOUNTS {
        ledger::open_account(
            &mut tx,
            &new_account(account_id(n), kind, None, credit_line),
            NOW,
        )
        .await
        .expect("open an account");
        book.open(account_id(n), kind, Cents::new(credit_line));
    }
    tx.commit().await.expect("commit the accounts");

    let mut next_id = 1;
    for (ops, commit) in batches {
        let transfers: Vec<_> = ops
            .iter()
            .map(|&(d, c, cents, k)| transfer(&key(k), account_id(d), account_id(c), cents))
            .collect();
        let ids: Vec<_> = (next_id..next_id + transfers.len() as u128)
            .map(transfer_id)
            .collect();
        next_id += transfers.len() as u128;

        let mut expected_book = book.clone();
        let expected: Vec<_> = transfers
            .iter()
            .zip(&ids)
            .map(|(t, id)| expected_book.post(*id, t.clone()))
            .collect();

        let mut tx = db.begin().await.expect("begin");
        let outcomes = ledger::post_batch(&mut tx, &transfers, &ids, NOW)
            .await
            .expect("post the batch");
        prop_assert_eq!(&outcomes, &expected);
        if commit {
            tx.commit().await.expect("commit");
            book = expected_book;
        } else {
            tx.rollback().await.expect("roll back");
        }
    }

    let mut tx = db.begin_read().await.expect("begin a read");
    let summary = ledger::verify(&mut tx).await.expect("verify");
    prop_assert_eq!(
        summary,
        Ok(LedgerSummary {
            transfers: i64::try_from(book.applied().len()).expect("a few transfers"),
            accounts: ACCOUNTS.len() as i64,
        })
    );
    let mut sum: i128 = 0;
    for (n, kind, credit_line) in ACCOUNTS {
        let stored = ledger::account(&mut tx, account_id(n))
            .await
            .expect("read an account");
        let expected = book.account(account_id(n)).expect("opened").balance;
        prop_assert_eq!(stored.balance, expected, "account {}", n);
        if kind == AccountKind::Budget {
            prop_assert!(
                stored.balance.get() >= -credit_line,
                "budget {} below its floor",
                n
            );
        }
        sum += i128::from(stored.balance.get());
    }
    prop_assert_eq!(sum, 0);
    prop_assert!(book.floors_respected());
    let stored = ledger::transfers_page(&mut tx, 0, 10_000)
        .await
        .expect("the transfers");
    let stored_ids: Vec<_> = stored.iter().map(|t| t.ledger_transfer_id).collect();
    let book_ids: Vec<_> = book.applied().iter().map(|(id, _)| id.uuid()).collect();
    prop_assert_eq!(stored_ids, book_ids);
    Ok(())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn random_postings_keep_the_stored_ledger_sound_and_equal_to_the_book_sqlite(
        batches in arb_batches()
    ) {
        runtime().block_on(async {
            let db = TestDb::sqlite().await;
            run(db, batches).await
        })?;
    }

    #[test]
    fn random_postings_keep_the_stored_ledger_sound_and_equal_to_the_book_postgres(
        batches in arb_batches()
    ) {
        runtime().block_on(async {
            match TestDb::postgres().await {
                Some(db) => run(db, batches).await,
                None => Ok(()),
            }
        })?;
    }
}
