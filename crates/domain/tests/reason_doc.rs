//! `docs/REASON-CODES.md` is generated from [`Reason::ALL`]: the one documented list of our
//! reason codes and their MZ302 return codes. This test fails when the file and the code
//! disagree; regenerate with `IXORG_UPDATE_DOCS=1 cargo test -p ixorg-domain --test reason_doc`.

use std::fmt::Write as _;

use ixorg_domain::declaration::Reason;

fn outcome_of(reason: Reason) -> &'static str {
    let code = reason.code();
    if code.starts_with("fraud.") || code.starts_with("accident.") {
        "held"
    } else if matches!(reason, Reason::Paid | Reason::CreditApplied) {
        "accepted"
    } else if reason == Reason::OwnPayment {
        "partly accepted"
    } else {
        "rejected"
    }
}

fn render() -> String {
    let mut out = String::from(
        "# Declaration reason codes\n\n\
         Generated from `Reason::ALL` in `crates/domain/src/declaration.rs`; do not edit by hand \
         (see `crates/domain/tests/reason_doc.rs`). Every decided line carries one or more of \
         these codes, in the order of the checks of `PRODUCT.md` (identity, code and tariff, \
         dates, duplicates, payment, accident, fraud signals). The JSON API and FHIR \
         `ClaimResponse` return the code; an MZ302 return file carries the four-digit RETOURCODE \
         (up to three per record).\n\n\
         The Vektis return-code list (COD954) was not available when this list was made: 0030, \
         0550 and 3903 follow the examples in the MZ301 notes, 8001 follows the iJw list; the \
         other codes are ours, in the same ranges, and must be checked against COD954 before \
         production.\n\n\
         | code | MZ302 | outcome | meaning |\n|---|---|---|---|\n",
    );
    for reason in Reason::ALL {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            reason.code(),
            reason.mz302_code(),
            outcome_of(*reason),
            reason.title()
        );
    }
    out
}

#[test]
fn the_reason_code_document_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/REASON-CODES.md");
    let want = render();
    if std::env::var("IXORG_UPDATE_DOCS").is_ok() {
        std::fs::write(path, &want).expect("write docs/REASON-CODES.md");
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/REASON-CODES.md is out of date: run IXORG_UPDATE_DOCS=1 cargo test -p ixorg-domain --test reason_doc"
    );
}
