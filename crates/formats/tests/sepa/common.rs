//! Shared fixtures: identifiers, the golden-file check and the `xmllint` schema check.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

use ixorg_domain::identifiers::{CreditorId, Iban, MandateId};
use time::{Date, Month, PrimitiveDateTime, Time};

/// The directory with golden files and bank samples.
pub fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sepa/golden")
}

/// Reads a golden or sample file.
pub fn read_golden(name: &str) -> Vec<u8> {
    std::fs::read(golden_dir().join(name)).expect("golden file exists")
}

/// Compares `actual` with the golden file byte for byte. With `IXORG_UPDATE_GOLDEN=1` the
/// file is (re)written instead; check it by eye and with `xmllint` before committing.
pub fn assert_golden(name: &str, actual: &[u8]) {
    let path = golden_dir().join(name);
    if std::env::var_os("IXORG_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("golden file is writable");
        return;
    }
    let expected = std::fs::read(&path).unwrap_or_else(|error| {
        panic!(
            "golden file {} is missing ({error}); run with IXORG_UPDATE_GOLDEN=1 once",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "output differs from {}:\n{}",
        path.display(),
        String::from_utf8_lossy(actual)
    );
}

/// The schema file in `shared/xsd/`.
pub fn xsd(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/xsd")
        .join(name)
}

/// Fails unless `xml` validates against the schema `xsd_name` with `xmllint`. A missing
/// `xmllint` fails the test: the schema check is part of the acceptance criteria.
pub fn assert_schema_valid(xml: &[u8], xsd_name: &str) {
    static FILE_NUMBER: AtomicU64 = AtomicU64::new(0);
    let schema = xsd(xsd_name);
    assert!(schema.exists(), "schema {} not found", schema.display());
    let file = std::env::temp_dir().join(format!(
        "ixorg-sepa-{}-{}.xml",
        std::process::id(),
        FILE_NUMBER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&file, xml).expect("temp file is writable");
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(&file)
        .output();
    let output = match output {
        Ok(output) => output,
        Err(error) => panic!(
            "xmllint could not be run ({error}); install it (Debian: libxml2-utils) - the \
             schema check must not be skipped"
        ),
    };
    let kept = file.display().to_string();
    if output.status.success() {
        let _ = std::fs::remove_file(&file);
    }
    assert!(
        output.status.success(),
        "{kept} does not validate against {xsd_name}:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A date, for fixtures.
pub fn date(year: i32, month: u8, day: u8) -> Date {
    let month = Month::try_from(month).expect("valid month");
    Date::from_calendar_date(year, month, day).expect("valid date")
}

/// A date and time, for fixtures.
pub fn date_time(year: i32, month: u8, day: u8, hour: u8, minute: u8) -> PrimitiveDateTime {
    PrimitiveDateTime::new(
        date(year, month, day),
        Time::from_hms(hour, minute, 0).expect("valid time"),
    )
}

/// A Dutch IBAN from a bank code and account number.
pub fn iban(bank: &str, account: u64) -> Iban {
    Iban::from_parts_nl(bank, account).expect("valid IBAN parts")
}

/// The creditor identifier of the plan.
pub fn creditor_id() -> CreditorId {
    CreditorId::from_parts("NL", "ZZZ", "000012345678").expect("valid creditor id parts")
}

/// A mandate id.
pub fn mandate(text: &str) -> MandateId {
    MandateId::parse(text).expect("valid mandate id")
}
