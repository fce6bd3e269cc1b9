use ixorg_domain::privacy::registry::{ColumnClass, TABLES};
use ixorg_domain::privacy::retention::erasure_plan;
use ixorg_domain::privacy::{DataCategory, retention};

use super::expiry::bound_for;
use super::*;

/// Every (table, category) of personal data in the registry.
fn personal_pairs() -> Vec<(&'static str, DataCategory)> {
    let mut out = Vec::new();
    for t in TABLES {
        for c in t.columns {
            if let ColumnClass::Personal(cat) = c.class
                && !out.contains(&(t.name, cat))
            {
                out.push((t.name, cat));
            }
        }
    }
    out
}

#[test]
fn the_retention_job_handles_or_keeps_with_a_reason_every_personal_column_of_the_registry() {
    let handled = expiry_coverage();
    let kept: Vec<(&str, DataCategory)> = KEPT_AT_EXPIRY.iter().map(|(t, c, _)| (*t, *c)).collect();
    let missing: Vec<_> = personal_pairs()
        .into_iter()
        .filter(|p| !handled.contains(p) && !kept.contains(p))
        .collect();
    assert!(
        missing.is_empty(),
        "tables with personal data the retention job neither removes nor keeps with a \
             reason (add a statement to EXPIRE or a row to KEPT_AT_EXPIRY): {missing:?}"
    );
}

#[test]
fn an_erasure_reaches_every_table_holding_a_category_that_is_erased() {
    let erased = erasure_plan().erased_categories();
    let handled = erasure_coverage();
    let missing: Vec<_> = personal_pairs()
        .into_iter()
        .filter(|(_, c)| erased.contains(c))
        .filter(|p| !handled.contains(p))
        .collect();
    assert!(
        missing.is_empty(),
        "tables with data an erasure must remove but does not (add a statement to \
             ERASE): {missing:?}"
    );
}

#[test]
fn every_statement_names_a_table_and_category_of_the_registry() {
    let pairs = personal_pairs();
    for pair in expiry_coverage().into_iter().chain(erasure_coverage()) {
        assert!(pairs.contains(&pair), "{pair:?} is not in the registry");
    }
    for (t, c, _) in KEPT_AT_EXPIRY {
        assert!(pairs.contains(&(*t, *c)), "{t}/{c} is not in the registry");
    }
}

#[test]
fn every_expiry_statement_fits_its_category_rule() {
    let today = time::macros::date!(2030 - 06 - 15);
    for s in EXPIRE {
        let rule = retention::rule(s.category).expect("a rule");
        assert!(
            bound_for(rule, s.bound, today).is_some(),
            "{}/{}",
            s.table,
            s.category
        );
    }
}
