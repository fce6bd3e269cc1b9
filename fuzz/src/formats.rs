//! Fuzz bodies for the file readers of `ixorg-formats`: camt.053, pain.002, the tariff CSV
//! files and Vektis MZ301. Shared with `crates/formats/tests/fuzz_corpus.rs`, which includes
//! this file.

use ixorg_domain::Cents;
use ixorg_formats::sepa::{Camt053Reader, read_pain002};
use ixorg_formats::tariff_csv::{parse_point_values, parse_tariff_table, parse_tariffs};
use ixorg_formats::vektis::{RecordReturn, ReturnCode, ReturnHeader, read_mz301, write_mz302};
use time::Date;

/// More camt.053 events than a fuzz input (a few KiB) can hold; a reader that passes it is
/// looping, which is a bug as bad as a panic.
pub const CAMT053_EVENTS_MAX: usize = 100_000;

/// Separates the tariff-codes part from the point-values part in a `tariff_csv` input; a
/// NUL byte never occurs in either CSV file.
pub const TARIFF_CSV_PART_SEPARATOR: char = '\0';

/// The fixed return date of the MZ302 file the `mz301` target writes, so a corpus file always
/// means the same.
pub const MZ302_RETURN_DATE: Date = time::macros::date!(2026 - 03 - 15);

/// The fixed RETOURCODE of every record in the MZ302 file the `mz301` target writes.
pub const MZ302_RETURN_CODE: &str = "0000";

/// Reads `data` as a camt.053 file to the end or to the first error.
///
/// # Panics
/// When the reader panics, or does not finish within [`CAMT053_EVENTS_MAX`] events.
pub fn camt053(data: &[u8]) {
    let mut reader = Camt053Reader::new(data);
    for _ in 0..CAMT053_EVENTS_MAX {
        match reader.next_event() {
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => return,
        }
    }
    panic!("the camt.053 reader did not finish within {CAMT053_EVENTS_MAX} events");
}

/// Reads `data` as a pain.002 status report.
///
/// # Panics
/// Only when the reader panics.
pub fn pain002(data: &[u8]) {
    let _report = read_pain002(data);
}

/// Reads `data` (lossily decoded as UTF-8) as `tariff-codes.csv` and as `point-values.csv`;
/// when it holds a [`TARIFF_CSV_PART_SEPARATOR`], the part before it as the tariff codes and
/// the part after it as the point values of one tariff table.
///
/// # Panics
/// Only when a parser panics.
pub fn tariff_csv(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _tariffs = parse_tariffs(&text);
    let _point_values = parse_point_values(&text);
    if let Some((tariff_codes, point_values)) = text.split_once(TARIFF_CSV_PART_SEPARATOR) {
        let _table = parse_tariff_table(tariff_codes, point_values);
    }
}

/// Reads `data` as an MZ301 file. When it reads, writes its MZ302 return file with the same
/// outcome for every record (return code [`MZ302_RETURN_CODE`], 1,00 calculated and 0,50
/// assigned per prestatie record, dated [`MZ302_RETURN_DATE`]); when it does not, formats the
/// reported problems.
///
/// # Panics
/// Only when the reader, the MZ302 writer or the `Display` of the problems panics.
pub fn mz301(data: &[u8]) {
    let file = match read_mz301(data) {
        Ok(file) => file,
        Err(errors) => {
            std::hint::black_box(errors.to_string());
            return;
        }
    };
    let header = ReturnHeader {
        insurer_reference: "IXORG-FUZZ".to_owned(),
        return_date: MZ302_RETURN_DATE,
    };
    let outcome = RecordReturn {
        calculated: Cents::new(100),
        assigned: Cents::new(50),
        codes: [ReturnCode::parse(MZ302_RETURN_CODE).ok(), None, None],
    };
    let _mz302 = write_mz302(&file, data, &header, &|_| outcome.clone());
}
