//! Tamper detection, the store side of `ixorg audit verify`: with the append-only triggers
//! dropped, every change, removal or insertion of a ledger transfer or access-log entry is found
//! and named by its sequence number. With the triggers in place, the rows cannot be changed.

use ixorg_domain::ids::{ParticipantId, StaffUserId};
use ixorg_domain::privacy::{Action, Actor, DataCategory, Purpose, Refusal, Role};
use ixorg_store::access_log::{self, Entry, NewEntry, Outcome};
use ixorg_store::chain::{Break, BreakKind, Canonical, Chain, Hash};
use ixorg_store::ledger::{self, LedgerProblem, LedgerSummary, StoredTransfer};
use ixorg_store::{Backend, Db, Error, Tx, on_tx};
use ixorg_testkit::{TestDb, db_test};
use uuid::Uuid;

use crate::{Accounts, NOW, exec, exec_committed, open_accounts, transfer, transfer_id};

/// How many entries each chain gets before it is tampered with.
const ENTRIES: i64 = 4;

/// Posts [`ENTRIES`] transfers, one per transaction.
async fn post_four(db: &Db) -> Accounts {
    let a = open_accounts(db).await;
    let transfers = [
        transfer("t-1", a.bank, a.budget, 10_000),
        transfer("t-2", a.budget, a.payable, 2_000),
        transfer("t-3", a.budget, a.payable, 3_000),
        transfer("t-4", a.payable, a.bank, 5_000),
    ];
    for (n, t) in (1..).zip(&transfers) {
        let mut tx = db.begin().await.expect("begin");
        ledger::post(
            &mut tx,
            t,
            transfer_id(n),
            NOW.saturating_add_ms(i64::try_from(n).expect("small")),
        )
        .await
        .expect("post");
        tx.commit().await.expect("commit");
    }
    a
}

/// Appends [`ENTRIES`] access-log entries (allowed and refused), one per transaction.
async fn log_four(db: &Db) {
    let staff = Actor::Staff(StaffUserId::from_uuid(Uuid::from_u128(0x57af)));
    let subject = ParticipantId::from_uuid(Uuid::from_u128(0x9e45));
    for n in 1..=ENTRIES {
        let outcome = if n % 2 == 0 {
            Outcome::Refused(Refusal::NoPurpose)
        } else {
            Outcome::Allowed
        };
        let entry = NewEntry {
            occurred_at: NOW.saturating_add_ms(n),
            actor: &staff,
            role: Role::Support,
            purpose: (n % 2 == 1).then_some(Purpose::Contact),
            subject: Some(subject),
            categories: &[DataCategory::Identity, DataCategory::Contact],
            action: Action::Read,
            outcome,
        };
        let mut tx = db.begin().await.expect("begin");
        let sequence = access_log::append(&mut tx, &entry).await.expect("append");
        tx.commit().await.expect("commit");
        assert_eq!(sequence, n);
    }
}

/// Drops the append-only triggers, as someone with direct database access could.
async fn drop_append_only_triggers(db: &Db) {
    let statements: &[&str] = match db.backend() {
        Backend::Sqlite => &[
            "DROP TRIGGER ledger_transfer_no_update",
            "DROP TRIGGER ledger_transfer_no_delete",
            "DROP TRIGGER access_log_no_update",
            "DROP TRIGGER access_log_no_delete",
        ],
        Backend::Postgres => &[
            "DROP TRIGGER ledger_transfer_append_only ON ledger_transfer",
            "DROP TRIGGER access_log_append_only ON access_log",
        ],
    };
    for sql in statements {
        exec_committed(db, sql).await;
    }
}

/// A fresh database with four transfers and four access-log entries, triggers dropped.
async fn tamperable(db: &Db) -> Accounts {
    let a = post_four(db).await;
    log_four(db).await;
    let mut tx = db.begin_read().await.expect("begin a read");
    assert_eq!(
        ledger::verify(&mut tx).await.expect("verify the ledger"),
        Ok(LedgerSummary {
            transfers: ENTRIES,
            accounts: 3
        }),
        "the ledger is sound before tampering"
    );
    assert_eq!(
        access_log::verify(&mut tx).await.expect("verify the log"),
        Ok(ENTRIES),
        "the access log is sound before tampering"
    );
    tx.rollback().await.expect("end the read");
    drop_append_only_triggers(db).await;
    a
}

async fn ledger_problem(db: &Db) -> LedgerProblem {
    let mut tx = db.begin_read().await.expect("begin a read");
    ledger::verify(&mut tx)
        .await
        .expect("verify the ledger")
        .expect_err("the tampering is found")
}

async fn log_break(db: &Db) -> Break {
    let mut tx = db.begin_read().await.expect("begin a read");
    access_log::verify(&mut tx)
        .await
        .expect("verify the access log")
        .expect_err("the tampering is found")
}

fn ledger_break(sequence: i64, problem: BreakKind) -> LedgerProblem {
    LedgerProblem::Chain(Break {
        chain: Chain::LedgerTransfer,
        sequence,
        problem,
    })
}

fn access_break(sequence: i64, problem: BreakKind) -> Break {
    Break {
        chain: Chain::AccessLog,
        sequence,
        problem,
    }
}

fn hash_of(bytes: &[u8]) -> Hash {
    Hash::try_from(bytes).expect("a stored hash is 32 bytes")
}

async fn stored_transfers(db: &Db) -> Vec<StoredTransfer> {
    let mut tx = db.begin_read().await.expect("begin a read");
    ledger::transfers_page(&mut tx, i64::MIN, 100)
        .await
        .expect("read the transfers")
}

async fn stored_entries(db: &Db) -> Vec<Entry> {
    let mut tx = db.begin_read().await.expect("begin a read");
    access_log::page(&mut tx, i64::MIN, 100)
        .await
        .expect("read the access log")
}

/// The hash `ixorg-store` gives a transfer, rebuilt from the public canonical encoding: what a
/// forger who read the source would compute.
fn forged_transfer_hash(t: &StoredTransfer, prev: &Hash) -> Hash {
    Canonical::after(prev)
        .int(t.sequence)
        .bytes(t.ledger_transfer_id.as_bytes())
        .text(&t.idempotency_key)
        .bytes(t.debit_account_id.as_bytes())
        .bytes(t.credit_account_id.as_bytes())
        .int(t.amount_cents)
        .text(&t.transfer_kind)
        .opt_bytes(
            t.reverses_transfer_id
                .as_ref()
                .map(|u| u.as_bytes().as_slice()),
        )
        .int(t.posted_at.unix_ms())
        .finish()
}

async fn insert_transfer_row(tx: &mut Tx, t: &StoredTransfer) -> Result<u64, Error> {
    const SQL: &str = "INSERT INTO ledger_transfer (sequence, ledger_transfer_id, \
         idempotency_key, debit_account_id, credit_account_id, amount_cents, transfer_kind, \
         reverses_transfer_id, posted_at_ms, prev_hash, entry_hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(t.sequence)
        .bind(t.ledger_transfer_id)
        .bind(t.idempotency_key.as_str())
        .bind(t.debit_account_id)
        .bind(t.credit_account_id)
        .bind(t.amount_cents)
        .bind(t.transfer_kind.as_str())
        .bind(t.reverses_transfer_id)
        .bind(t.posted_at.unix_ms())
        .bind(t.prev_hash.as_slice())
        .bind(t.entry_hash.as_slice())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done)
}

async fn insert_entry_row(tx: &mut Tx, e: &Entry) -> Result<u64, Error> {
    const SQL: &str = "INSERT INTO access_log (sequence, occurred_at_ms, actor_kind, actor_id, \
         role_name, purpose, subject_id, categories, action, outcome, refusal, prev_hash, \
         entry_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(e.sequence)
        .bind(e.occurred_at.unix_ms())
        .bind(e.actor_kind.as_str())
        .bind(e.actor_id.as_str())
        .bind(e.role_name.as_str())
        .bind(e.purpose.as_deref())
        .bind(e.subject_id)
        .bind(e.categories.as_str())
        .bind(e.action.as_str())
        .bind(e.outcome.as_str())
        .bind(e.refusal.as_deref())
        .bind(e.prev_hash.as_slice())
        .bind(e.entry_hash.as_slice())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done)
}

/// A transfer after the last one, copying the last one's accounts, under a new key.
fn forged_after(last: &StoredTransfer, sequence: i64) -> StoredTransfer {
    StoredTransfer {
        sequence,
        ledger_transfer_id: Uuid::from_u128(0xf0f0),
        idempotency_key: "forged".to_owned(),
        amount_cents: 1,
        prev_hash: last.entry_hash.clone(),
        ..last.clone()
    }
}

// ---- the ledger ----

db_test!(
    a_changed_transfer_amount_is_found_at_its_sequence,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        tamperable(db).await;
        // Act
        let changed = exec_committed(
            db,
            "UPDATE ledger_transfer SET amount_cents = amount_cents + 100 WHERE sequence = 2",
        )
        .await;
        // Assert
        assert_eq!(changed, 1);
        assert_eq!(
            ledger_problem(db).await,
            ledger_break(2, BreakKind::ContentChanged)
        );
    }
);

db_test!(
    a_changed_transfer_account_is_found_at_its_sequence,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        tamperable(db).await;
        // Act: entry 2 now pays the bank instead of the payable.
        let changed = exec_committed(
            db,
            "UPDATE ledger_transfer SET credit_account_id = \
             (SELECT debit_account_id FROM ledger_transfer WHERE sequence = 1) WHERE sequence = 2",
        )
        .await;
        // Assert
        assert_eq!(changed, 1);
        assert_eq!(
            ledger_problem(db).await,
            ledger_break(2, BreakKind::ContentChanged)
        );
    }
);

db_test!(
    a_removed_transfer_is_found_at_the_sequence_after_it,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        tamperable(db).await;
        // Act
        let removed = exec_committed(db, "DELETE FROM ledger_transfer WHERE sequence = 2").await;
        // Assert
        assert_eq!(removed, 1);
        assert_eq!(ledger_problem(db).await, ledger_break(3, BreakKind::Gap));
    }
);

db_test!(
    a_removed_last_transfer_is_found_by_the_chain_head,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        tamperable(db).await;
        // Act
        let removed = exec_committed(db, "DELETE FROM ledger_transfer WHERE sequence = 4").await;
        // Assert
        assert_eq!(removed, 1);
        assert_eq!(
            ledger_problem(db).await,
            ledger_break(ENTRIES, BreakKind::HeadMismatch)
        );
    }
);

db_test!(
    a_forged_transfer_with_a_made_up_hash_is_found_at_its_sequence,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        tamperable(db).await;
        let last = stored_transfers(db).await.pop().expect("four transfers");
        let mut forged = forged_after(&last, ENTRIES + 1);
        forged.entry_hash = vec![7; 32];
        // Act
        let mut tx = db.begin().await.expect("begin");
        insert_transfer_row(&mut tx, &forged)
            .await
            .expect("insert the forgery");
        tx.commit().await.expect("commit");
        // Assert
        assert_eq!(
            ledger_problem(db).await,
            ledger_break(ENTRIES + 1, BreakKind::ContentChanged)
        );
    }
);

db_test!(
    a_forged_transfer_that_does_not_link_is_found_at_its_sequence,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        tamperable(db).await;
        let last = stored_transfers(db).await.pop().expect("four transfers");
        let mut forged = forged_after(&last, ENTRIES + 1);
        forged.prev_hash = vec![0; 32];
        forged.entry_hash = forged_transfer_hash(&forged, &[0; 32]).to_vec();
        // Act
        let mut tx = db.begin().await.expect("begin");
        insert_transfer_row(&mut tx, &forged)
            .await
            .expect("insert the forgery");
        tx.commit().await.expect("commit");
        // Assert
        assert_eq!(
            ledger_problem(db).await,
            ledger_break(ENTRIES + 1, BreakKind::LinkBroken)
        );
    }
);

db_test!(
    a_forged_transfer_with_a_correct_hash_is_found_by_the_chain_head,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        tamperable(db).await;
        let last = stored_transfers(db).await.pop().expect("four transfers");
        let mut forged = forged_after(&last, ENTRIES + 1);
        forged.entry_hash = forged_transfer_hash(&forged, &hash_of(&last.entry_hash)).to_vec();
        // Act
        let mut tx = db.begin().await.expect("begin");
        insert_transfer_row(&mut tx, &forged)
            .await
            .expect("insert the forgery");
        tx.commit().await.expect("commit");
        // Assert
        assert_eq!(
            ledger_problem(db).await,
            ledger_break(ENTRIES + 1, BreakKind::HeadMismatch)
        );
    }
);

db_test!(
    a_forged_transfer_that_also_moves_the_head_is_found_by_the_cached_balances,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        tamperable(db).await;
        let last = stored_transfers(db).await.pop().expect("four transfers");
        let mut forged = forged_after(&last, ENTRIES + 1);
        let hash = forged_transfer_hash(&forged, &hash_of(&last.entry_hash));
        forged.entry_hash = hash.to_vec();
        // Act
        let mut tx = db.begin().await.expect("begin");
        insert_transfer_row(&mut tx, &forged)
            .await
            .expect("insert the forgery");
        ixorg_store::chain::set_head(
            &mut tx,
            Chain::LedgerTransfer,
            ixorg_store::chain::Head {
                last_sequence: ENTRIES + 1,
                last_hash: hash,
            },
        )
        .await
        .expect("move the head");
        tx.commit().await.expect("commit");
        // Assert: the forged transfer debits the payable and credits the bank by 1 cent.
        let problem = ledger_problem(db).await;
        assert!(
            matches!(
                problem,
                LedgerProblem::BalanceMismatch { cached, derived, .. } if derived == cached - 1 || derived == cached + 1
            ),
            "{problem:?}"
        );
    }
);

/// Inserts a transfer at sequence 0, before the first one, and asks the ledger verification.
async fn forged_transfer_at_sequence_zero(t: TestDb) {
    // Arrange
    let db = t.db();
    tamperable(db).await;
    let first = stored_transfers(db).await.remove(0);
    let mut forged = forged_after(&first, 0);
    forged.prev_hash = vec![0; 32];
    forged.entry_hash = vec![9; 32];
    // Act
    let mut tx = db.begin().await.expect("begin");
    insert_transfer_row(&mut tx, &forged)
        .await
        .expect("insert the forgery");
    tx.commit().await.expect("commit");
    // Assert
    let mut tx = db.begin_read().await.expect("begin a read");
    let found = ledger::verify(&mut tx).await.expect("verify the ledger");
    assert!(
        matches!(found, Err(LedgerProblem::Chain(Break { sequence: 0, .. }))),
        "a transfer at sequence 0 went unnoticed: {found:?}"
    );
}

/// Inserts an access-log entry at sequence 0 and asks the access-log verification.
async fn forged_entry_at_sequence_zero(t: TestDb) {
    // Arrange
    let db = t.db();
    tamperable(db).await;
    let first = stored_entries(db).await.remove(0);
    let forged = Entry {
        sequence: 0,
        refusal: Some("made_up".to_owned()),
        entry_hash: vec![9; 32],
        ..first
    };
    // Act
    let mut tx = db.begin().await.expect("begin");
    insert_entry_row(&mut tx, &forged)
        .await
        .expect("insert the forgery");
    tx.commit().await.expect("commit");
    // Assert
    let found = {
        let mut tx = db.begin_read().await.expect("begin a read");
        access_log::verify(&mut tx)
            .await
            .expect("verify the access log")
    };
    assert!(
        matches!(found, Err(Break { sequence: 0, .. })),
        "an access-log entry at sequence 0 went unnoticed: {found:?}"
    );
}

/// A forged row at sequence 0 (or below) is read and reported: verification pages from
/// `i64::MIN`, not from 0.
mod a_forged_entry_at_sequence_zero_is_found {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ledger_sqlite() {
        forged_transfer_at_sequence_zero(TestDb::sqlite().await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ledger_postgres() {
        if let Some(t) = TestDb::postgres().await {
            forged_transfer_at_sequence_zero(t).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn access_log_sqlite() {
        forged_entry_at_sequence_zero(TestDb::sqlite().await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn access_log_postgres() {
        if let Some(t) = TestDb::postgres().await {
            forged_entry_at_sequence_zero(t).await;
        }
    }
}

db_test!(a_changed_cached_balance_is_found, async |t: TestDb| {
    // Arrange
    let db = t.db();
    let a = tamperable(db).await;
    // Act: the budget row is not append-only; its cached balance is raised by 1 cent.
    exec_committed(
        db,
        "UPDATE ledger_account SET balance_cents = balance_cents + 1 \
             WHERE account_kind = 'budget'",
    )
    .await;
    // Assert
    assert_eq!(
        ledger_problem(db).await,
        LedgerProblem::BalanceMismatch {
            account: a.budget,
            cached: 5_001,
            derived: 5_000,
        }
    );
});

// ---- the access log ----

db_test!(
    a_changed_access_log_category_is_found_at_its_sequence,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        tamperable(db).await;
        // Act
        let changed = exec_committed(
            db,
            "UPDATE access_log SET categories = 'contact' WHERE sequence = 2",
        )
        .await;
        // Assert
        assert_eq!(changed, 1);
        assert_eq!(
            log_break(db).await,
            access_break(2, BreakKind::ContentChanged)
        );
    }
);

db_test!(
    a_changed_access_log_outcome_is_found_at_its_sequence,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        tamperable(db).await;
        // Act: a refusal is made to look allowed.
        exec_committed(
            db,
            "UPDATE access_log SET outcome = 'allowed', refusal = NULL WHERE sequence = 2",
        )
        .await;
        // Assert
        assert_eq!(
            log_break(db).await,
            access_break(2, BreakKind::ContentChanged)
        );
    }
);

db_test!(
    a_removed_access_log_entry_is_found_at_the_sequence_after_it,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        tamperable(db).await;
        // Act
        let removed = exec_committed(db, "DELETE FROM access_log WHERE sequence = 2").await;
        // Assert
        assert_eq!(removed, 1);
        assert_eq!(log_break(db).await, access_break(3, BreakKind::Gap));
    }
);

db_test!(
    a_removed_last_access_log_entry_is_found_by_the_chain_head,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        tamperable(db).await;
        // Act
        exec_committed(db, "DELETE FROM access_log WHERE sequence = 4").await;
        // Assert
        assert_eq!(
            log_break(db).await,
            access_break(ENTRIES, BreakKind::HeadMismatch)
        );
    }
);

db_test!(
    a_forged_access_log_entry_is_found_at_its_sequence,
    async |t: TestDb| {
        // Arrange: a correctly linked and hashed entry after the last one.
        let db = t.db();
        tamperable(db).await;
        let last = stored_entries(db).await.pop().expect("four entries");
        let mut forged = Entry {
            sequence: ENTRIES + 1,
            actor_id: "someone-else".to_owned(),
            prev_hash: last.entry_hash.clone(),
            ..last.clone()
        };
        forged.entry_hash = forged.compute_hash(&hash_of(&last.entry_hash)).to_vec();
        // Act
        let mut tx = db.begin().await.expect("begin");
        insert_entry_row(&mut tx, &forged)
            .await
            .expect("insert the forgery");
        tx.commit().await.expect("commit");
        // Assert
        assert_eq!(
            log_break(db).await,
            access_break(ENTRIES + 1, BreakKind::HeadMismatch)
        );
    }
);

db_test!(
    a_forged_access_log_entry_with_a_made_up_hash_is_found_at_its_sequence,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        tamperable(db).await;
        let last = stored_entries(db).await.pop().expect("four entries");
        let forged = Entry {
            sequence: ENTRIES + 1,
            prev_hash: vec![0; 32],
            entry_hash: vec![1; 32],
            ..last
        };
        // Act
        let mut tx = db.begin().await.expect("begin");
        insert_entry_row(&mut tx, &forged)
            .await
            .expect("insert the forgery");
        tx.commit().await.expect("commit");
        // Assert
        assert_eq!(
            log_break(db).await,
            access_break(ENTRIES + 1, BreakKind::LinkBroken)
        );
    }
);

db_test!(
    an_access_log_entry_swapped_with_its_neighbour_is_found,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        tamperable(db).await;
        // Act: entries 2 and 3 trade places (through a free sequence number).
        for sql in [
            "UPDATE access_log SET sequence = 100 WHERE sequence = 2",
            "UPDATE access_log SET sequence = 2 WHERE sequence = 3",
            "UPDATE access_log SET sequence = 3 WHERE sequence = 100",
        ] {
            exec_committed(db, sql).await;
        }
        // Assert
        assert_eq!(log_break(db).await, access_break(2, BreakKind::LinkBroken));
    }
);

// ---- the triggers ----

db_test!(
    ledger_transfers_and_access_log_entries_cannot_be_changed_or_removed,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        post_four(db).await;
        log_four(db).await;
        // Act: each statement in a transaction of its own (PostgreSQL aborts it on error).
        let mut results = Vec::new();
        for sql in [
            "UPDATE ledger_transfer SET amount_cents = 1 WHERE sequence = 2",
            "DELETE FROM ledger_transfer WHERE sequence = 2",
            "DELETE FROM ledger_transfer",
            "UPDATE access_log SET categories = 'contact' WHERE sequence = 2",
            "DELETE FROM access_log WHERE sequence = 2",
            "DELETE FROM access_log",
        ] {
            let mut tx = db.begin().await.expect("begin");
            let result = exec(&mut tx, sql.to_owned()).await;
            tx.rollback().await.expect("roll back");
            results.push((sql, result));
        }
        // Assert
        for (sql, result) in &results {
            assert!(
                matches!(result, Err(Error::Database(e)) if e.to_string().contains("append-only")),
                "`{sql}` was not refused: {result:?}"
            );
        }
        let mut tx = db.begin_read().await.expect("begin a read");
        assert_eq!(
            ledger::verify(&mut tx).await.expect("verify the ledger"),
            Ok(LedgerSummary {
                transfers: ENTRIES,
                accounts: 3
            })
        );
        assert_eq!(
            access_log::verify(&mut tx).await.expect("verify the log"),
            Ok(ENTRIES)
        );
    }
);
