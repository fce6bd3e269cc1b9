//! `docs/PRIVACY-POLICY.md` is generated from [`Policy::defaults`] and the data-category
//! registry; this test fails when the file and the code disagree. Regenerate the file with
//! `IXORG_UPDATE_DOCS=1 cargo test -p ixorg-domain --test policy_doc`.

use std::fmt::Write as _;

use ixorg_domain::privacy::registry::{ColumnClass, TABLES};
use ixorg_domain::privacy::{Action, DataCategory, Policy, Purpose, Role, View};

fn render() -> String {
    let policy = Policy::defaults();
    let mut out = String::new();
    out.push_str(
        "# The default access policy\n\n\
         Generated from `Policy::defaults()` and the registry in \
         `crates/domain/src/privacy/registry.rs`; do not edit by hand (see \
         `crates/domain/tests/policy_doc.rs`). Anything not listed is refused, and every access \
         by anyone other than the data subject is written to the access log.\n\n\
         ## Who may do what\n\n\
         | role | purpose | category | actions | view |\n|---|---|---|---|---|\n",
    );
    for &role in Role::ALL {
        for &purpose in Purpose::ALL {
            for &category in DataCategory::ALL {
                let mut actions = Vec::new();
                let mut view = None;
                for &action in Action::ALL {
                    if let Ok(v) = policy.decide(role, Some(purpose), &[category], action) {
                        actions.push(action.as_str());
                        view = v.first().map(|(_, v)| *v);
                    }
                }
                if let Some(view) = view {
                    let view = match view {
                        View::Full => "full",
                        View::Masked => "masked",
                    };
                    let _ = writeln!(
                        out,
                        "| {role} | {purpose} | {category} | {} | {view} |",
                        actions.join(", ")
                    );
                }
            }
        }
    }
    let silent: Vec<&str> = Role::ALL
        .iter()
        .filter(|r| !policy.rules().iter().any(|rule| rule.role == **r))
        .map(|r| r.as_str())
        .collect();
    let _ = writeln!(
        out,
        "\nRoles without any access by default: {}.",
        silent.join(", ")
    );
    out.push_str("\n## Where each category is stored\n\n| category | table.column |\n|---|---|\n");
    for &category in DataCategory::ALL {
        let columns: Vec<String> = TABLES
            .iter()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .filter(|c| c.class == ColumnClass::Personal(category))
                    .map(move |c| format!("{}.{}", t.name, c.name))
            })
            .collect();
        let listed = if columns.is_empty() {
            "(none yet)".to_owned()
        } else {
            columns.join(", ")
        };
        let _ = writeln!(out, "| {category} | {listed} |");
    }
    out
}

#[test]
fn the_policy_document_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/PRIVACY-POLICY.md");
    let want = render();
    if std::env::var("IXORG_UPDATE_DOCS").is_ok() {
        std::fs::write(path, &want).expect("write docs/PRIVACY-POLICY.md");
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/PRIVACY-POLICY.md is out of date: run IXORG_UPDATE_DOCS=1 cargo test -p ixorg-domain --test policy_doc"
    );
}
