//! Payouts: the plan of the statement that names a payout's batches (issue 11, defect 11).
//! It must reach the declaration lines and batches through indexes only, so that a payout's
//! cost grows with its own batches and not with the tables.

use ixorg_store::{Backend, Tx, on_tx};
use ixorg_testkit::{TestDb, db_test};
use uuid::Uuid;

/// The plan of `sql` with `$1` a payee id and `$2` a limit: SQLite's `EXPLAIN QUERY PLAN`
/// details, or PostgreSQL's `EXPLAIN` lines with sequential scans switched off (so that the
/// plan shows whether an index can serve each table at all, whatever the tables hold).
async fn plan(tx: &mut Tx, sql: &str) -> Vec<String> {
    let payee = Uuid::nil();
    match tx.backend() {
        Backend::Sqlite => {
            let explain = format!("EXPLAIN QUERY PLAN {sql}");
            let rows: Vec<(i64, i64, i64, String)> = on_tx!(tx, c => sqlx::query_as(
                sqlx::AssertSqlSafe(explain))
                .bind(payee)
                .bind(20_i64)
                .fetch_all(&mut *c)
                .await)
            .expect("explain");
            rows.into_iter().map(|r| r.3).collect()
        }
        Backend::Postgres => {
            on_tx!(tx, c => sqlx::query("SET LOCAL enable_seqscan = off")
                .execute(&mut *c)
                .await
                .map(|_| ()))
            .expect("set");
            let explain = format!("EXPLAIN {sql}");
            on_tx!(tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(explain))
                .bind(payee)
                .bind(20_i64)
                .fetch_all(&mut *c)
                .await)
            .expect("explain")
        }
    }
}

/// The steps of a plan that read all of `declaration_line` or `declaration_batch`: a SQLite
/// `SCAN` of either (by its alias `l` or `b`), or a PostgreSQL scan of either without an index
/// condition on its next line.
fn whole_table_reads(plan: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, step) in plan.iter().enumerate() {
        let step = step.trim();
        let sqlite_scan = ["SCAN l", "SCAN b", "SCAN declaration_"]
            .iter()
            .any(|s| step == *s || step.starts_with(&format!("{s} ")));
        let pg_table =
            step.contains(" on declaration_line") || step.contains(" on declaration_batch");
        let pg_condition = plan
            .get(i + 1)
            .is_some_and(|next| next.contains("Index Cond") || next.contains("Recheck Cond"));
        if sqlite_scan || (pg_table && !pg_condition) {
            found.push(step.to_owned());
        }
    }
    found
}

db_test!(
    the_batches_of_a_payout_are_found_through_indexes_without_reading_the_whole_tables,
    async |t: TestDb| {
        // Arrange
        let mut tx = t.db().begin().await.expect("begin");

        // Act
        let steps = plan(&mut tx, ixorg_store::payouts::UNPAID_BATCH_REFERENCES).await;
        tx.rollback().await.expect("rollback");

        // Assert
        assert!(
            steps
                .iter()
                .any(|s| s.contains("declaration_line_payee_unpaid_batch")),
            "the covering index is used: {steps:#?}"
        );
        assert_eq!(
            whole_table_reads(&steps),
            Vec::<String>::new(),
            "{steps:#?}"
        );
    }
);
