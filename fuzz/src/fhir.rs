//! Fuzz body for the FHIR R4 `Claim` reader of `ixorg-formats`. Shared with
//! `fuzz/fuzz_targets/fhir_claim.rs` and `crates/formats/tests/fuzz_corpus.rs`, which both
//! include this file, so the stable replay runs exactly the calls the fuzzer makes. Keep it free
//! of `libfuzzer-sys`; it may use `ixorg_formats`, `ixorg_domain` and `time` only.

use ixorg_domain::Cents;
use ixorg_domain::declaration::{Decision, Outcome, Reason};
use ixorg_formats::fhir::{
    ClaimResponseParts, Operator, claim_response, operation_outcome, read_claim,
};

/// Reads `data` as an R4 `Claim`. When it reads, writes the `ClaimResponse` with one fixed
/// decision per item (partly accepted: 0.50 paid, 0.50 own payment, created 2026-03-15 10:00
/// UTC); when it does not, writes the `OperationOutcome` of the reported problems.
///
/// # Panics
/// Only when the reader or a writer panics.
pub fn fhir_claim(data: &[u8]) {
    let claim = match read_claim(data) {
        Ok(claim) => claim,
        Err(errors) => {
            std::hint::black_box(operation_outcome(&errors.issues()));
            return;
        }
    };
    let decision = Decision {
        outcome: Outcome::PartlyAccepted,
        reasons: vec![Reason::OwnPayment],
        budget_paid: Cents::new(50),
        own_payment: Cents::new(50),
    };
    let decisions = vec![decision; claim.items.len()];
    let operator = Operator {
        name: "ixorg".to_owned(),
        identifier: None,
    };
    let parts = ClaimResponseParts {
        id: None,
        created: time::macros::datetime!(2026-03-15 10:00 UTC),
        insurer: &operator,
        claim_id: claim.id.clone(),
        participant: None,
    };
    std::hint::black_box(claim_response(&claim, &decisions, &parts));
}
