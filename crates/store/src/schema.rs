//! The live schema, as the database reports it: used to check the data-category registry
//! against the real tables and the two migration folders against each other.

use crate::{Error, Tx, on_tx};

/// Every (table, column) of the application schema, sorted. Migration bookkeeping is left out.
pub async fn columns(tx: &mut Tx) -> Result<Vec<(String, String)>, Error> {
    let mut out: Vec<(String, String)> = match tx {
        Tx::Sqlite(_) => {
            const SQL: &str = "SELECT m.name, p.name FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) p WHERE m.type = 'table' \
                 AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '!_sqlx!_%' ESCAPE '!'";
            on_tx!(tx, c => sqlx::query_as(SQL).fetch_all(&mut *c).await)?
        }
        Tx::Pg(_) => {
            const SQL: &str = "SELECT table_name::text, column_name::text \
                 FROM information_schema.columns WHERE table_schema = current_schema() \
                 AND table_name NOT LIKE '!_sqlx!_%' ESCAPE '!'";
            on_tx!(tx, c => sqlx::query_as(SQL).fetch_all(&mut *c).await)?
        }
    };
    out.sort();
    Ok(out)
}

/// Row counts of every application table (no content), for "nothing changed" checks.
pub async fn row_counts(tx: &mut Tx) -> Result<Vec<(String, i64)>, Error> {
    let mut tables: Vec<String> = columns(tx).await?.into_iter().map(|(t, _)| t).collect();
    tables.dedup();
    let mut out = Vec::with_capacity(tables.len());
    for t in tables {
        // The table names come from the database's own catalogue, not from input.
        let sql = format!("SELECT COUNT(*) FROM {t}");
        let n: i64 = on_tx!(tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_one(&mut *c)
            .await)?;
        out.push((t, n));
    }
    Ok(out)
}

/// Creates an empty schema (PostgreSQL only; used to give each test a schema of its own).
/// The name must be a plain identifier of letters, digits and underscores.
pub async fn create_schema(db: &crate::Db, name: &str) -> Result<(), Error> {
    let plain = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !plain {
        return Err(Error::Corrupt(
            "schema name must be a plain identifier".into(),
        ));
    }
    if let crate::Db::Pg(pool) = db {
        // The name was checked above to be a plain identifier.
        let sql = format!("CREATE SCHEMA {name}");
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(pool).await?;
    }
    Ok(())
}
