//! `docs/export.schema.json` is the published JSON Schema of the personal-data export,
//! generated from the field registry; this snapshot test fails when the file and the code
//! disagree (a personal table or column was added, renamed or removed). Regenerate with
//! `IXORG_UPDATE_DOCS=1 cargo test -p ixorg-app --test export_schema_doc`.

use ixorg_app::privacy::export::{schema, schema_text};
use ixorg_domain::privacy::registry::{ColumnClass, TABLES};

#[test]
fn the_published_export_schema_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/export.schema.json");
    let want = schema_text();
    if std::env::var("IXORG_UPDATE_DOCS").is_ok() {
        std::fs::write(path, &want).expect("write docs/export.schema.json");
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/export.schema.json is out of date: run \
         IXORG_UPDATE_DOCS=1 cargo test -p ixorg-app --test export_schema_doc"
    );
}

#[test]
fn the_schema_has_a_section_for_every_table_with_a_personal_column_and_every_column_of_it() {
    let schema = schema();
    let sections = schema["properties"]["sections"]["properties"]
        .as_object()
        .expect("sections");
    for table in TABLES {
        let personal = table
            .columns
            .iter()
            .any(|c| matches!(c.class, ColumnClass::Personal(_)));
        assert_eq!(
            sections.contains_key(table.name),
            personal,
            "{}",
            table.name
        );
        if personal {
            let columns = sections[table.name]["items"]["properties"]
                .as_object()
                .expect("columns");
            for c in table.columns.iter().filter(|c| {
                matches!(c.class, ColumnClass::Personal(_)) && c.name != "bsn_ciphertext"
            }) {
                assert!(columns.contains_key(c.name), "{}.{}", table.name, c.name);
            }
        }
    }
}
