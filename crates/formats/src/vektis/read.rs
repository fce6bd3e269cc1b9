//! The MZ301 reader: bytes in, a checked [`Mz301File`] or every problem out.
//!
//! One pass over the input, record by record, on byte slices. Each record is first checked
//! field by field against the version table, then against the record order, the detail-record
//! ids and the bijkomende-kosten rule; the sluit record is checked against the counts and the
//! total at the end. Typed values are built only for records without problems, and the result
//! is either the whole file or the list of problems: never a half-read file.

use super::error::{Mz301Errors, Problem};
use super::model::{Header, Mz301File, Patient};
use super::spec::MZ301_V1_3;
use reader::Reader;

mod build;
mod reader;

/// Most records one file may hold (a generous bound over the one million lines a batch has).
pub const RECORDS_MAX: usize = 50_000_000;

/// Reads and checks an MZ301 1.3 file (ISO-8859-1, records ended by CR LF or LF; the last
/// line ending may be missing).
///
/// # Errors
/// [`Mz301Errors`] with every problem found (up to [`super::ERRORS_MAX`]), each with its
/// record number, position and field name. No input makes this function panic.
pub fn read_mz301(input: &[u8]) -> Result<Mz301File, Mz301Errors> {
    let mut reader = Reader::new(&MZ301_V1_3);
    reader.reserve_patients(input.len());
    let mut count = 0;
    for raw in records(input) {
        count += 1;
        if count > RECORDS_MAX {
            reader.error(
                count,
                1,
                "Record",
                Problem::Order("the file has too many records"),
            );
            break;
        }
        reader.record(count, raw);
    }
    reader.finish(count)
}

/// An MZ301 reader fed one record at a time, for files too large to hold in memory.
///
/// Feed every record in order with [`Mz301Stream::record`]; take the verzekerden that are
/// complete (every one before the one still being read) with
/// [`Mz301Stream::take_complete`]; end with [`Mz301Stream::finish`], which checks the sluit
/// record and returns the last verzekerden, or every problem of the whole file. The checks are
/// the same as [`read_mz301`]'s. Verzekerden taken before the end are only valid when
/// `finish` succeeds: a caller that acts on them must be able to undo that (a transaction).
pub struct Mz301Stream {
    reader: Reader,
    count: usize,
}

impl Default for Mz301Stream {
    fn default() -> Self {
        Mz301Stream::new()
    }
}

impl Mz301Stream {
    /// A stream for MZ301 1.3.
    #[must_use]
    pub fn new() -> Mz301Stream {
        Mz301Stream {
            reader: Reader::new(&MZ301_V1_3),
            count: 0,
        }
    }

    /// Reads the next record (its line ending removed).
    pub fn record(&mut self, raw: &[u8]) {
        self.count += 1;
        if self.count > RECORDS_MAX {
            if self.count == RECORDS_MAX + 1 {
                self.reader.error(
                    self.count,
                    1,
                    "Record",
                    Problem::Order("the file has too many records"),
                );
            }
            return;
        }
        self.reader.record(self.count, raw);
    }

    /// Records read so far.
    #[must_use]
    pub fn records(&self) -> usize {
        self.count
    }

    /// Whether a problem was found so far.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        !self.reader.errors.is_empty()
    }

    /// The voorloop record, once read without problems.
    #[must_use]
    pub fn header(&self) -> Option<&Header> {
        self.reader.header.as_ref()
    }

    /// The record number of the 02 record still being read (its lines may follow), if any.
    #[must_use]
    pub fn open_from(&self) -> Option<usize> {
        self.reader.patients.last().map(|p| p.record)
    }

    /// The verzekerden that are complete: all but the one still being read.
    pub fn take_complete(&mut self) -> Vec<Patient> {
        let complete = self.reader.patients.len().saturating_sub(1);
        self.reader.patients.drain(..complete).collect()
    }

    /// Ends the file: the voorloop, the remaining verzekerden and the sluit record, or every
    /// problem found.
    ///
    /// # Errors
    /// [`Mz301Errors`] as [`read_mz301`] reports them.
    pub fn finish(self) -> Result<Mz301File, Mz301Errors> {
        self.reader.finish(self.count)
    }
}

/// The records of `input`, line endings removed.
pub(super) fn records(input: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = input.strip_suffix(b"\n").unwrap_or(input);
    let mut rest = (!input.is_empty()).then_some(body);
    std::iter::from_fn(move || {
        let current = rest?;
        let line = match find_newline(current) {
            Some(end) => {
                rest = current.get(end + 1..);
                current.get(..end).unwrap_or(current)
            }
            None => {
                rest = None;
                current
            }
        };
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    })
}

/// Bytes per block of the newline search.
const NEWLINE_BLOCK_BYTES: usize = 32;

/// The index of the first `\n` in `bytes`. Searches in blocks with a branch-free fold (which
/// the compiler vectorizes) and byte by byte only inside the block that has one: records are
/// 310 bytes, so this is most of the reader's scanning.
fn find_newline(bytes: &[u8]) -> Option<usize> {
    let mut blocks = bytes.chunks_exact(NEWLINE_BLOCK_BYTES);
    let mut offset = 0;
    for block in blocks.by_ref() {
        if block.iter().fold(false, |found, &b| found | (b == b'\n')) {
            return block.iter().position(|&b| b == b'\n').map(|at| offset + at);
        }
        offset += NEWLINE_BLOCK_BYTES;
    }
    blocks
        .remainder()
        .iter()
        .position(|&b| b == b'\n')
        .map(|at| offset + at)
}
