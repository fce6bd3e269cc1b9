//! Proptest strategies for domain values.

use ixorg_domain::Cents;
use ixorg_domain::identifiers::{Bsn, Iban};
use proptest::prelude::*;

/// A valid BSN (passes the 11-check).
pub fn arb_bsn() -> impl Strategy<Value = Bsn> {
    (10_000_000u32..=99_999_999).prop_filter_map("no valid check digit", |first8| {
        let digits: Vec<u32> = format!("{first8:08}")
            .bytes()
            .map(|b| u32::from(b - b'0'))
            .collect();
        let sum: u32 = digits.iter().zip((2..=9).rev()).map(|(d, w)| d * w).sum();
        let last = sum % 11;
        (last <= 9)
            .then(|| format!("{first8:08}{last}").parse().ok())
            .flatten()
    })
}

/// A valid Dutch IBAN.
pub fn arb_iban() -> impl Strategy<Value = Iban> {
    (
        prop::sample::select(vec!["ABNA", "INGB", "RABO", "SNSB", "TRIO", "ASNB"]),
        0u64..10_000_000_000,
    )
        .prop_map(|(bank, account)| {
            Iban::from_parts_nl(bank, account).expect("BUG: generated parts form a valid IBAN")
        })
}

/// An amount of cents between `min` and `max` inclusive.
pub fn arb_cents(min: i64, max: i64) -> impl Strategy<Value = Cents> {
    (min..=max).prop_map(Cents::new)
}
