//! The seed corpus of the `fhir_claim` fuzz target means what its names say, so the fuzzer
//! starts from real claims.

use ixorg_formats::fhir::read_claim;

use crate::r4::assert_valid;

fn seed(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../fuzz/corpus/fhir_claim/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|error| panic!("seed {path} is readable: {error}"))
}

#[test]
fn the_valid_seed_claims_are_r4_and_read() {
    for name in [
        "seed-claim-two-items",
        "seed-claim-bsn",
        "seed-claim-credit",
    ] {
        // Arrange
        let bytes = seed(name);
        assert_valid(std::str::from_utf8(&bytes).expect("UTF-8"));

        // Act
        let claim = read_claim(&bytes);

        // Assert
        assert!(claim.is_ok(), "{name}: {claim:?}");
    }
}

#[test]
fn the_broken_seed_claims_are_refused_with_many_problems() {
    let errors = read_claim(&seed("seed-claim-many-problems")).expect_err("refused");
    assert!(errors.errors.len() >= 8, "{errors}");
    assert!(read_claim(&seed("seed-not-a-claim")).is_err());
}
