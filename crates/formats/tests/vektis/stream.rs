//! Reading record by record gives the same file as reading it whole, and streaming the MZ302
//! writes the same bytes as building it in memory.

use ixorg_domain::Cents;
use ixorg_formats::vektis::{
    Mz301Stream, Mz301Writer, Mz302Writer, RecordReturn, ReturnCode, ReturnHeader, read_mz301,
    synthetic_file, write_mz301, write_mz302,
};
use proptest::prelude::*;
use time::macros::date;

fn records(bytes: &[u8]) -> Vec<&[u8]> {
    bytes
        .split(|b| *b == b'\n')
        .filter(|r| !r.is_empty())
        .map(|r| r.strip_suffix(b"\r").unwrap_or(r))
        .collect()
}

fn header() -> ReturnHeader {
    ReturnHeader {
        insurer_reference: "IXORG-1".to_owned(),
        return_date: date!(2027 - 01 - 20),
    }
}

fn returns(record: usize) -> RecordReturn {
    RecordReturn {
        calculated: Cents::new(i64::try_from(record).expect("small")),
        assigned: Cents::new(i64::try_from(record % 7).expect("small")),
        codes: [ReturnCode::parse("8001").ok(), None, None],
    }
}

proptest! {
    #[test]
    fn streaming_and_taking_patients_early_reads_the_same_file(
        patients in 1_usize..40,
        lines in 1_usize..4,
        seed in any::<u64>(),
        take_every in 1_usize..20,
    ) {
        let bytes = write_mz301(&synthetic_file(patients, lines, seed)).expect("write");
        let whole = read_mz301(&bytes).expect("read");
        let mut stream = Mz301Stream::new();
        let mut taken = Vec::new();
        for (n, raw) in records(&bytes).into_iter().enumerate() {
            stream.record(raw);
            if n % take_every == 0 {
                taken.extend(stream.take_complete());
            }
        }
        let mut rest = stream.finish().expect("the stream reads the file");
        taken.append(&mut rest.patients);
        rest.patients = taken;
        prop_assert_eq!(rest, whole);
    }

    #[test]
    fn the_streamed_mz302_is_the_mz302_built_in_memory(
        patients in 1_usize..30,
        lines in 1_usize..4,
        seed in any::<u64>(),
    ) {
        let file = synthetic_file(patients, lines, seed);
        let bytes = write_mz301(&file).expect("write");
        let built = write_mz302(&file, &bytes, &header(), &returns).expect("mz302");
        let mut w = Mz302Writer::new(Vec::new(), header());
        let all = records(&bytes);
        for (n, raw) in all.iter().take(all.len() - 1).enumerate() {
            w.record(raw, &returns(n + 1)).expect("record");
        }
        let streamed = w.finish(&file.totals).expect("finish");
        prop_assert_eq!(streamed, built);
    }
}

#[test]
fn a_stream_reports_the_same_problems_as_reading_whole() {
    let mut bytes = write_mz301(&synthetic_file(3, 2, 7)).expect("write");
    bytes[312 + 20] = b'X';
    let whole = read_mz301(&bytes).expect_err("malformed");
    let mut stream = Mz301Stream::new();
    for raw in records(&bytes) {
        stream.record(raw);
        let _ = stream.take_complete();
    }
    assert!(stream.has_errors());
    assert_eq!(stream.finish().expect_err("malformed"), whole);
}

proptest! {
    #[test]
    fn writing_patient_by_patient_writes_the_file_written_whole(
        patients in 1_usize..30,
        lines in 1_usize..4,
        seed in any::<u64>(),
    ) {
        let file = synthetic_file(patients, lines, seed);
        let whole = write_mz301(&file).expect("write");
        let mut w = Mz301Writer::new(Vec::new(), &file.header).expect("header");
        for patient in &file.patients {
            let mut patient = patient.clone();
            w.patient(&mut patient).expect("patient");
        }
        let (streamed, totals) = w.finish().expect("finish");
        prop_assert_eq!(totals, file.totals);
        prop_assert_eq!(streamed, whole);
    }
}
