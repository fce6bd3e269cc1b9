//! `docs/ROPA.md` is the record of processing generated from the code; this snapshot test fails
//! when the file and the code disagree (a purpose, category, column, retention rule or recipient
//! changed). Regenerate with `IXORG_UPDATE_DOCS=1 cargo test -p ixorg-domain --test ropa_doc`.

use ixorg_domain::privacy::Policy;
use ixorg_domain::privacy::ropa::record;

#[test]
fn the_record_of_processing_document_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/ROPA.md");
    let want = record(&Policy::defaults())
        .expect("every purpose and category is declared")
        .to_markdown();
    if std::env::var("IXORG_UPDATE_DOCS").is_ok() {
        std::fs::write(path, &want).expect("write docs/ROPA.md");
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/ROPA.md is out of date: run IXORG_UPDATE_DOCS=1 cargo test -p ixorg-domain --test ropa_doc"
    );
}

#[test]
fn the_record_as_json_is_one_valid_document_naming_every_category() {
    let json = record(&Policy::defaults()).expect("record").to_json();
    let value: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let categories = value["categories"].as_array().expect("categories");
    assert_eq!(
        categories.len(),
        ixorg_domain::privacy::DataCategory::ALL.len()
    );
    assert!(categories.iter().all(|c| c["retention"].is_string()));
}
