//! The MZ302 writer: the return file for a read MZ301 file.
//!
//! Every MZ301 record is copied as it was and followed by its return section (positions
//! 311-370, laid out by [`super::spec::MZ302_V1_3`]); the sluit record is rewritten with the
//! return counts, the submitted total and the assigned total. Records end with CR LF, as
//! Vektis files do, whatever the line endings of the original.

use ixorg_domain::Cents;
use time::Date;

use std::io::Write;

use super::model::{Mz301File, Totals};
use super::read::records;
use super::spec::{MZ301_V1_3, MZ302_V1_3, RECORD_HEADER, RECORD_LINE, RECORD_TRAILER};
use super::write::{RecordWriter, WriteError, WriteProblem};

/// Digits of a RETOURCODE (Vektis COD954).
pub const RETURN_CODE_DIGITS: usize = 4;

/// A RETOURCODE of the Vektis list COD954: four digits, for example `0030`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ReturnCode(String);

impl ReturnCode {
    /// Parses four digits.
    ///
    /// # Errors
    /// [`WriteProblem::TooLong`] for anything that is not exactly four digits.
    pub fn parse(text: &str) -> Result<ReturnCode, WriteProblem> {
        if text.len() == RETURN_CODE_DIGITS && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(ReturnCode(text.to_owned()))
        } else {
            Err(WriteProblem::TooLong)
        }
    }

    /// The four digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The outcome of one MZ301 record, as the return file reports it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct RecordReturn {
    /// BEREKEND BEDRAG ZORGVERZEKERAAR (04 records only; signed).
    pub calculated: Cents,
    /// TOEGEKEND BEDRAG (04 records only; signed).
    pub assigned: Cents,
    /// Up to three return codes; the 01 record needs the first.
    pub codes: [Option<ReturnCode>; 3],
}

/// What the return file states about itself in its 01 record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnHeader {
    /// REFERENTIENUMMER ZORGVERZEKERAAR (up to 24 characters).
    pub insurer_reference: String,
    /// DAGTEKENING RETOURBERICHT.
    pub return_date: Date,
}

/// Writes the MZ302 1.3 return file of `file`, which was read from `original`.
///
/// `returns(record)` gives the outcome of the 1-based MZ301 record `record` (01, 02, 03, 04 and
/// 98 records are asked; 99 is computed). The whole file is built in memory; for files too
/// large for that, stream with [`Mz302Writer`].
///
/// # Errors
/// [`WriteError`] when `original` does not hold the records of `file`, when the 01 record
/// has no first return code, or when an amount does not fit its field.
pub fn write_mz302(
    file: &Mz301File,
    original: &[u8],
    header: &ReturnHeader,
    returns: &dyn Fn(usize) -> RecordReturn,
) -> Result<Vec<u8>, WriteError> {
    let expected =
        usize::try_from(file.totals.detail_count.saturating_add(2)).unwrap_or(usize::MAX);
    // Each 310-character record grows by 60 (under a fifth), plus the rewritten 99 record.
    let out = Vec::with_capacity(original.len() + original.len() / 5 + MZ302_V1_3.record_length);
    let mut w = Mz302Writer::new(out, header.clone());
    for raw in records(original) {
        let record = w.records() + 1;
        let mismatch = WriteError {
            record,
            field: "Record",
            problem: WriteProblem::Mismatch,
        };
        if raw.len() != MZ301_V1_3.record_length || record > expected {
            return Err(mismatch);
        }
        if raw.get(..2).unwrap_or_default() == RECORD_TRAILER.as_bytes() {
            if record != expected {
                return Err(mismatch);
            }
            return w.finish(&file.totals);
        }
        w.record(raw, &returns(record))?;
    }
    Err(WriteError {
        record: w.records(),
        field: "Record",
        problem: WriteProblem::Mismatch,
    })
}

/// Streams an MZ302 1.3 file: each MZ301 record (01 to 98, in order) with its return
/// section, then the sluit record from the file's totals and the sum of the assigned amounts.
pub struct Mz302Writer<W: Write> {
    out: W,
    header: ReturnHeader,
    assigned: Cents,
    records: usize,
}

impl<W: Write> Mz302Writer<W> {
    /// A writer to `out`.
    pub fn new(out: W, header: ReturnHeader) -> Mz302Writer<W> {
        Mz302Writer {
            out,
            header,
            assigned: Cents::ZERO,
            records: 0,
        }
    }

    /// Records written so far.
    #[must_use]
    pub fn records(&self) -> usize {
        self.records
    }

    fn io(&self, e: &std::io::Error) -> WriteError {
        WriteError {
            record: self.records,
            field: "Record",
            problem: WriteProblem::Io(e.to_string()),
        }
    }

    /// Writes the next MZ301 record (310 characters, not the sluit record) with its return.
    ///
    /// # Errors
    /// [`WriteError`] for a record of the wrong length or type, a 01 record without its first
    /// return code, an amount that does not fit, or an output error.
    pub fn record(&mut self, raw: &[u8], outcome: &RecordReturn) -> Result<(), WriteError> {
        self.records += 1;
        let record = self.records;
        let code = raw.get(..2).unwrap_or_default();
        if raw.len() != MZ301_V1_3.record_length || code == RECORD_TRAILER.as_bytes() {
            return Err(WriteError {
                record,
                field: "Record",
                problem: WriteProblem::Mismatch,
            });
        }
        if code == RECORD_LINE.as_bytes() {
            self.assigned = self
                .assigned
                .checked_add(outcome.assigned)
                .ok_or(WriteError {
                    record,
                    field: "Totaal toegekend bedrag",
                    problem: WriteProblem::TooLong,
                })?;
        }
        let section = section(code, outcome, &self.header, record)?;
        let written = self
            .out
            .write_all(raw)
            .and_then(|()| self.out.write_all(&section))
            .and_then(|()| self.out.write_all(b"\r\n"));
        written.map_err(|e| self.io(&e))
    }

    /// Writes the sluit record for a file with `totals` and returns the output.
    ///
    /// # Errors
    /// [`WriteError`] when a total does not fit, or an output error.
    pub fn finish(mut self, totals: &Totals) -> Result<W, WriteError> {
        self.records += 1;
        let trailer = trailer(totals, self.assigned, self.records)?;
        let written = self
            .out
            .write_all(&trailer)
            .and_then(|()| self.out.write_all(b"\r\n"))
            .and_then(|()| self.out.flush());
        written.map_err(|e| self.io(&e))?;
        Ok(self.out)
    }
}

/// The return section (positions 311-370) of one record.
fn section(
    code: &[u8],
    outcome: &RecordReturn,
    header: &ReturnHeader,
    record: usize,
) -> Result<Vec<u8>, WriteError> {
    let spec = MZ302_V1_3.record(code).ok_or(WriteError {
        record,
        field: "Kenmerk record",
        problem: WriteProblem::Mismatch,
    })?;
    let length = MZ302_V1_3.record_length - MZ301_V1_3.record_length;
    let mut w = RecordWriter::new(spec, MZ302_V1_3.record_length, record);
    let first_code = if code == RECORD_HEADER.as_bytes() {
        w.text(1, &header.insurer_reference)?;
        w.date(2, header.return_date)?;
        if outcome.codes[0].is_none() {
            return Err(WriteError {
                record,
                field: "Retourcode (01)",
                problem: WriteProblem::Missing,
            });
        }
        3
    } else if code == RECORD_LINE.as_bytes() {
        w.signed(1, 2, outcome.calculated)?;
        w.signed(3, 4, outcome.assigned)?;
        5
    } else {
        1
    };
    for (offset, return_code) in outcome.codes.iter().enumerate() {
        if let Some(return_code) = return_code {
            w.text(first_code + offset, return_code.as_str())?;
        }
    }
    let mut buf = w.buf;
    Ok(buf.split_off(buf.len() - length))
}

/// The rewritten sluit record.
fn trailer(totals: &Totals, assigned: Cents, record: usize) -> Result<Vec<u8>, WriteError> {
    let spec = MZ302_V1_3
        .record(RECORD_TRAILER.as_bytes())
        .ok_or(WriteError {
            record,
            field: "Kenmerk record",
            problem: WriteProblem::Mismatch,
        })?;
    let mut w = RecordWriter::new(spec, MZ302_V1_3.record_length, record);
    w.number(2, totals.insured_count)?;
    w.number(3, totals.debtor_count)?;
    w.number(4, totals.line_count)?;
    w.number(5, totals.comment_count)?;
    w.number(6, totals.detail_count)?;
    w.signed(7, 8, totals.declared)?;
    w.signed(9, 10, assigned)?;
    Ok(w.buf)
}
