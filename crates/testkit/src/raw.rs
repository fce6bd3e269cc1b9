//! Raw SQL against a test database, for assertions and for sabotage (tampering tests). Only
//! tests use this; production code reaches the database through the store's functions.

use ixorg_domain::ids::ParticipantId;
use ixorg_store::on_tx;

use crate::TestDb;

/// Runs one statement (for tampering: `DROP TRIGGER …`, `UPDATE …`); returns rows affected.
pub async fn execute(t: &TestDb, sql: &str) -> u64 {
    let mut tx = t.db().begin().await.expect("begin");
    let n = on_tx!(&mut tx, c => sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))
    .expect("execute the raw statement");
    tx.commit().await.expect("commit");
    n
}

/// A single `BIGINT` value.
pub async fn scalar(t: &TestDb, sql: &str) -> i64 {
    let mut tx = t.db().begin_read().await.expect("begin");
    let v: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut *c)
        .await)
    .expect("select the scalar");
    v
}

/// A participant's BSN ciphertext and blind index.
type BsnColumns = (Option<Vec<u8>>, Option<Vec<u8>>);

/// Every stored BSN ciphertext and blind index, as raw bytes.
pub async fn bsn_columns(t: &TestDb) -> Vec<Vec<u8>> {
    let mut tx = t.db().begin_read().await.expect("begin");
    let rows: Vec<BsnColumns> = on_tx!(&mut tx, c => sqlx::query_as(
        "SELECT bsn_ciphertext, bsn_blind_index FROM participant"
    )
    .fetch_all(&mut *c)
    .await)
    .expect("select the BSN columns");
    rows.into_iter()
        .flat_map(|(a, b)| [a, b])
        .flatten()
        .collect()
}

/// The (role, outcome) of every access-log entry about `subject`, oldest first.
pub async fn who_looked(t: &TestDb, subject: ParticipantId) -> Vec<(String, String)> {
    let mut tx = t.db().begin_read().await.expect("begin");
    ixorg_store::access_log::for_subject(&mut tx, subject)
        .await
        .expect("read the access log")
        .into_iter()
        .map(|e| (e.role_name, e.outcome))
        .collect()
}

/// Row counts of every table.
pub async fn row_counts(t: &TestDb) -> Vec<(String, i64)> {
    let mut tx = t.db().begin_read().await.expect("begin");
    ixorg_store::schema::row_counts(&mut tx)
        .await
        .expect("count the rows")
}

/// Drops the append-only triggers, as an attacker with DDL rights could.
pub async fn drop_append_only_triggers(t: &TestDb) {
    match t.db().backend() {
        ixorg_store::Backend::Sqlite => {
            for trigger in [
                "ledger_transfer_no_update",
                "ledger_transfer_no_delete",
                "access_log_no_update",
                "access_log_no_delete",
            ] {
                execute(t, &format!("DROP TRIGGER {trigger}")).await;
            }
        }
        ixorg_store::Backend::Postgres => {
            execute(
                t,
                "DROP TRIGGER ledger_transfer_append_only ON ledger_transfer",
            )
            .await;
            execute(t, "DROP TRIGGER access_log_append_only ON access_log").await;
        }
    }
}
