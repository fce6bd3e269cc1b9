//! The live schema against the data-category registry, and the two migration folders against
//! each other.

use std::collections::BTreeSet;
use std::path::PathBuf;

use ixorg_domain::privacy::registry::TABLES;
use ixorg_store::schema;
use ixorg_testkit::{TestDb, db_test};

/// Every (table, column) the registry classifies.
fn registered() -> BTreeSet<(String, String)> {
    TABLES
        .iter()
        .flat_map(|t| {
            t.columns
                .iter()
                .map(|c| (t.name.to_owned(), c.name.to_owned()))
        })
        .collect()
}

db_test!(
    every_column_of_the_schema_is_in_the_registry_and_every_registered_column_exists,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        // Act
        let mut tx = db.begin_read().await.expect("begin a read");
        let live: BTreeSet<(String, String)> = schema::columns(&mut tx)
            .await
            .expect("read the schema")
            .into_iter()
            .collect();
        // Assert
        let registry = registered();
        let unregistered: Vec<_> = live.difference(&registry).collect();
        let missing: Vec<_> = registry.difference(&live).collect();
        assert!(
            unregistered.is_empty(),
            "columns on {} without a category in privacy::registry: {unregistered:?}",
            db.backend().as_str()
        );
        assert!(
            missing.is_empty(),
            "registered columns missing on {}: {missing:?}",
            db.backend().as_str()
        );
    }
);

db_test!(
    a_fresh_database_has_every_table_and_the_seed_rows,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        // Act
        let mut tx = db.begin_read().await.expect("begin a read");
        let counts = schema::row_counts(&mut tx).await.expect("count the rows");
        // Assert
        let tables: BTreeSet<&str> = counts.iter().map(|(t, _)| t.as_str()).collect();
        let registered: BTreeSet<&str> = TABLES.iter().map(|t| t.name).collect();
        assert_eq!(tables, registered);
        for (table, n) in &counts {
            let expected = match table.as_str() {
                "chain_head" => 2,
                "sequence_counter" => 1,
                _ => 0,
            };
            assert_eq!(*n, expected, "rows in {table}");
        }
    }
);

fn migration_names(backend: &str) -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../migrations")
        .join(backend);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|entry| {
            entry
                .expect("a directory entry")
                .file_name()
                .into_string()
                .expect("a UTF-8 file name")
        })
        .collect();
    names.sort();
    names
}

#[test]
fn the_sqlite_and_postgres_migration_folders_hold_the_same_file_names() {
    // Arrange, Act
    let sqlite = migration_names("sqlite");
    let postgres = migration_names("postgres");
    // Assert
    assert!(!sqlite.is_empty(), "no migrations found");
    assert_eq!(sqlite, postgres);
    for name in &sqlite {
        let (number, rest) = name.split_at(4.min(name.len()));
        assert!(
            number.bytes().all(|b| b.is_ascii_digit())
                && rest.starts_with('_')
                && rest.ends_with(".sql"),
            "{name} is not NNNN_name.sql"
        );
    }
}
