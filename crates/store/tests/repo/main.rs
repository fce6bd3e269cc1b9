//! Integration tests of `ixorg-store`: every repository test runs on SQLite and, when
//! `IXORG_TEST_PG_URL` is set, on PostgreSQL (see `ixorg_testkit::db_test!`).
//!
//! One test binary (`docs/STYLE.md`, "Test layout"); the modules follow the store's modules.

mod gate;
mod ledger;
mod ledger_props;
mod participants;
mod payouts;
mod reference;
mod schema;
mod tamper;

use ixorg_domain::Cents;
use ixorg_domain::ids::{LedgerAccountId, LedgerTransferId};
use ixorg_domain::ledger::{AccountKind, Transfer};
use ixorg_domain::timestamp::Timestamp;
use ixorg_store::ledger::NewAccount;
use ixorg_store::{Db, Error, Tx, on_tx};
use uuid::Uuid;

/// The clock of every test: 2026-01-01T00:00:00Z.
pub const NOW: Timestamp = Timestamp::from_unix_ms(1_767_225_600_000);

/// The credit line of the budget opened by [`open_accounts`]: the product's cap of EUR 240.
pub const CREDIT_LINE_CENTS: i64 = 24_000;

/// The three accounts most ledger tests need.
#[derive(Clone, Copy, Debug)]
pub struct Accounts {
    /// The operator's bank account (code `operator_bank`).
    pub bank: LedgerAccountId,
    /// A participant's budget with a credit line of [`CREDIT_LINE_CENTS`].
    pub budget: LedgerAccountId,
    /// What is owed to a practice.
    pub payable: LedgerAccountId,
}

/// A ledger account id from a small number (each test has a database of its own).
pub fn account_id(n: u128) -> LedgerAccountId {
    LedgerAccountId::from_uuid(Uuid::from_u128(0xacc0_0000 + n))
}

/// A ledger transfer id from a small number.
pub fn transfer_id(n: u128) -> LedgerTransferId {
    LedgerTransferId::from_uuid(Uuid::from_u128(0x7f00_0000 + n))
}

/// A transfer of `cents` from `debit` to `credit` under `key`.
pub fn transfer(
    key: &str,
    debit: LedgerAccountId,
    credit: LedgerAccountId,
    cents: i64,
) -> Transfer {
    Transfer {
        idempotency_key: key.to_owned(),
        debit,
        credit,
        amount: Cents::new(cents),
        kind: ixorg_domain::ledger::TransferKind::Contribution,
        reverses: None,
    }
}

/// An account of `kind` without owner.
pub fn new_account(
    id: LedgerAccountId,
    kind: AccountKind,
    code: Option<&str>,
    credit_line_cents: i64,
) -> NewAccount {
    NewAccount {
        id,
        kind,
        code: code.map(str::to_owned),
        participant: None,
        payee: None,
        credit_line: Cents::new(credit_line_cents),
    }
}

/// Opens a bank, a budget and a payable account and commits.
pub async fn open_accounts(db: &Db) -> Accounts {
    let accounts = Accounts {
        bank: account_id(1),
        budget: account_id(2),
        payable: account_id(3),
    };
    let mut tx = db.begin().await.expect("begin");
    for account in [
        new_account(
            accounts.bank,
            AccountKind::OperatorBank,
            Some("operator_bank"),
            0,
        ),
        new_account(
            accounts.budget,
            AccountKind::Budget,
            None,
            CREDIT_LINE_CENTS,
        ),
        new_account(accounts.payable, AccountKind::Payable, None, 0),
    ] {
        ixorg_store::ledger::open_account(&mut tx, &account, NOW)
            .await
            .expect("open an account");
    }
    tx.commit().await.expect("commit the accounts");
    accounts
}

/// The cached balance of one account, read in a transaction of its own.
pub async fn balance(db: &Db, id: LedgerAccountId) -> i64 {
    let mut tx = db.begin_read().await.expect("begin a read");
    let account = ixorg_store::ledger::account(&mut tx, id)
        .await
        .expect("read the account");
    tx.rollback().await.expect("end the read");
    account.balance.get()
}

/// Runs raw SQL (tampering, counting) in `tx` and returns the number of rows it touched.
pub async fn exec(tx: &mut Tx, sql: String) -> Result<u64, Error> {
    let sql = sqlx::AssertSqlSafe(sql);
    let done = on_tx!(tx, c => sqlx::query(sql).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Runs raw SQL in a transaction of its own and commits it.
pub async fn exec_committed(db: &Db, sql: &str) -> u64 {
    let mut tx = db.begin().await.expect("begin");
    let done = exec(&mut tx, sql.to_owned())
        .await
        .unwrap_or_else(|e| panic!("run `{sql}`: {e}"));
    tx.commit().await.expect("commit");
    done
}

/// Reads one integer with raw SQL (for example a `COUNT(*)`).
pub async fn scalar(db: &Db, sql: &str) -> i64 {
    let mut tx = db.begin_read().await.expect("begin a read");
    let query = sqlx::AssertSqlSafe(sql.to_owned());
    let n: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(query).fetch_one(&mut *c).await)
        .unwrap_or_else(|e| panic!("run `{sql}`: {e}"));
    tx.rollback().await.expect("end the read");
    n
}
