//! `docs/PRIVACY-PROMISES.md` maps every promise P1–P27 of the privacy statement to the code that
//! keeps it and the tests that show it. This test fails when a promise has no row, a row names
//! no test, or a named test does not exist in the workspace (renamed or removed).

use std::path::{Path, PathBuf};

const PROMISES: usize = 27;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "target") {
                sources(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The backticked names in a cell that look like test names (lower case with underscores).
fn test_names(cell: &str) -> Vec<&str> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            s.contains('_')
                && s.len() > 15
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
        .collect()
}

#[test]
fn every_promise_has_a_row_and_every_named_test_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let doc = std::fs::read_to_string(root.join("docs/PRIVACY-PROMISES.md"))
        .expect("docs/PRIVACY-PROMISES.md exists");
    let mut files = Vec::new();
    sources(&root.join("crates"), &mut files);
    let code: String = files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .collect::<Vec<_>>()
        .join("\n");
    for id in 1..=PROMISES {
        let prefix = format!("| P{id} |");
        let row = doc
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("P{id} has no row"));
        let shown_by = row.rsplit(" | ").next().unwrap_or_default();
        let names = test_names(shown_by);
        assert!(!names.is_empty(), "P{id} names no test");
        for name in names {
            let defined = code.contains(&format!("fn {name}("))
                || code.contains(&format!("    {name},\n"))
                || code.contains(&format!("db_test!({name},"));
            assert!(defined, "P{id}: the test {name} does not exist");
        }
    }
}
