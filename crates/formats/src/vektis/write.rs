//! The MZ301 writer: a typed [`Mz301File`] out as fixed-width ISO-8859-1 records, CR LF.
//!
//! Fields are placed by the version table, so the writer and the reader share one layout.
//! Fields the model does not keep (names, addresses) are written blank.

use ixorg_domain::Cents;
use ixorg_domain::identifiers::AgbCode;
use time::Date;

use std::io::Write;

use super::model::{
    Accident, Comment, Debtor, Header, Line, MessageKind, Mz301File, Patient, Totals,
};
use super::spec::{MZ301_V1_3, RecordSpec, VersionSpec};

/// A value that does not fit its field: where, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("record {record}, field `{field}`: {problem}")]
pub struct WriteError {
    /// The 1-based record number being written.
    pub record: usize,
    /// The field name.
    pub field: &'static str,
    /// What was wrong.
    pub problem: WriteProblem,
}

/// Why a value could not be written. Messages never repeat the value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WriteProblem {
    /// The value has more characters or digits than the field.
    #[error("the value does not fit the field")]
    TooLong,
    /// A negative amount in a field without a sign.
    #[error("the amount may not be negative")]
    Negative,
    /// A mandatory value is missing.
    #[error("a mandatory value is missing")]
    Missing,
    /// The original MZ301 bytes do not belong to the file being returned.
    #[error("the original file does not match the read file")]
    Mismatch,
    /// The output could not be written.
    #[error("the output could not be written: {0}")]
    Io(String),
}

/// One record being filled, blank to start with.
pub(super) struct RecordWriter<'s> {
    pub(super) buf: Vec<u8>,
    spec: &'s RecordSpec,
    record: usize,
}

impl<'s> RecordWriter<'s> {
    /// A blank record of `length` characters for the layout `spec`, record type filled in
    /// when the layout starts at position 1.
    pub(super) fn new(spec: &'s RecordSpec, length: usize, record: usize) -> RecordWriter<'s> {
        let mut writer = RecordWriter {
            buf: vec![b' '; length],
            spec,
            record,
        };
        if spec.fields.first().is_some_and(|field| field.start == 1) {
            writer.buf[..2].copy_from_slice(spec.record_type.as_bytes());
        }
        writer
    }

    fn error(&self, number: usize, problem: WriteProblem) -> WriteError {
        let field = self.spec.field(number).map_or("Record", |field| field.name);
        WriteError {
            record: self.record,
            field,
            problem,
        }
    }

    /// The byte range of field `number` within the buffer.
    fn target(&mut self, number: usize) -> Result<&mut [u8], WriteError> {
        let range = self.spec.field(number).map(|field| field.range());
        let error = self.error(number, WriteProblem::TooLong);
        range.and_then(|range| self.buf.get_mut(range)).ok_or(error)
    }

    /// Text, left-aligned and space-padded; characters outside ISO-8859-1 become `?`.
    pub(super) fn text(&mut self, number: usize, value: &str) -> Result<(), WriteError> {
        let error = self.error(number, WriteProblem::TooLong);
        let target = self.target(number)?;
        if value.chars().count() > target.len() {
            return Err(error);
        }
        for (slot, ch) in target.iter_mut().zip(value.chars()) {
            *slot = u8::try_from(u32::from(ch)).unwrap_or(b'?');
        }
        Ok(())
    }

    /// A number, right-aligned and zero-padded.
    pub(super) fn number(&mut self, number: usize, value: u64) -> Result<(), WriteError> {
        let error = self.error(number, WriteProblem::TooLong);
        let target = self.target(number)?;
        let mut rest = value;
        for slot in target.iter_mut().rev() {
            *slot = b'0' + u8::try_from(rest % 10).unwrap_or(0);
            rest /= 10;
        }
        if rest == 0 { Ok(()) } else { Err(error) }
    }

    /// A date `CCYYMMDD`.
    pub(super) fn date(&mut self, number: usize, value: Date) -> Result<(), WriteError> {
        let year =
            u64::try_from(value.year()).map_err(|_| self.error(number, WriteProblem::TooLong))?;
        let digits =
            year * 10_000 + u64::from(u8::from(value.month())) * 100 + u64::from(value.day());
        self.number(number, digits)
    }

    /// An amount with its sign in field `sign` (`D` for zero and debit, `C` for credit).
    pub(super) fn signed(
        &mut self,
        number: usize,
        sign: usize,
        value: Cents,
    ) -> Result<(), WriteError> {
        let magnitude = value.get().unsigned_abs();
        self.number(number, magnitude)?;
        self.text(sign, if value.is_negative() { "C" } else { "D" })
    }

    /// An amount in a field without a sign.
    pub(super) fn unsigned(&mut self, number: usize, value: Cents) -> Result<(), WriteError> {
        let magnitude =
            u64::try_from(value.get()).map_err(|_| self.error(number, WriteProblem::Negative))?;
        self.number(number, magnitude)
    }

    /// An AGB code, blank when `None`.
    pub(super) fn agb(&mut self, number: usize, value: Option<&AgbCode>) -> Result<(), WriteError> {
        value.map_or(Ok(()), |agb| self.text(number, agb.as_str()))
    }
}

/// Writes an MZ301 1.3 file, CR LF after every record.
///
/// The records are written in model order (01, then per patient 02, its comments, 03 and its
/// comments, each 04 with its comments, then 99); the record numbers and detail ids are the
/// ones in the model and the 99 totals are written as the model states them, so call
/// [`Mz301File::renumber`] first on a generated file.
///
/// # Errors
/// [`WriteError`] when a value does not fit its field.
pub fn write_mz301(file: &Mz301File) -> Result<Vec<u8>, WriteError> {
    let spec = &MZ301_V1_3;
    let mut out = Vec::new();
    let mut emit = |writer: RecordWriter<'_>| {
        out.extend_from_slice(&writer.buf);
        out.extend_from_slice(b"\r\n");
    };
    emit(header_record(spec, &file.header)?);
    let mut record = 1;
    for patient in &file.patients {
        record += 1;
        emit(insured(spec, patient, record)?);
        for comment in &patient.comments {
            record += 1;
            emit(comment_record(spec, patient.detail_id, comment, record)?);
        }
        if let Some(debtor) = &patient.debtor {
            record += 1;
            emit(debtor_record(spec, debtor, record)?);
            for comment in &debtor.comments {
                record += 1;
                emit(comment_record(spec, debtor.detail_id, comment, record)?);
            }
        }
        for line in &patient.lines {
            record += 1;
            emit(line_record(spec, line, record)?);
            for comment in &line.comments {
                record += 1;
                emit(comment_record(spec, line.detail_id, comment, record)?);
            }
        }
    }
    emit(trailer(spec, &file.totals, record + 1)?);
    Ok(out)
}

/// Streams an MZ301 1.3 file patient by patient, for files too large to build in memory:
/// record numbers, detail-record ids and the sluit totals are given as it goes (like
/// [`Mz301File::renumber`]).
pub struct Mz301Writer<W: Write> {
    out: W,
    record: usize,
    detail_id: u64,
    totals: Totals,
}

impl<W: Write> Mz301Writer<W> {
    /// Writes the voorloop record.
    ///
    /// # Errors
    /// [`WriteError`] when a value does not fit its field, or an output error.
    pub fn new(out: W, header: &Header) -> Result<Mz301Writer<W>, WriteError> {
        let mut w = Mz301Writer {
            out,
            record: 1,
            detail_id: 0,
            totals: Totals {
                insured_count: 0,
                debtor_count: 0,
                line_count: 0,
                comment_count: 0,
                detail_count: 0,
                declared: Cents::ZERO,
            },
        };
        let record = header_record(&MZ301_V1_3, header)?;
        w.emit(&record)?;
        Ok(w)
    }

    fn emit(&mut self, writer: &RecordWriter<'_>) -> Result<(), WriteError> {
        let record = self.record;
        self.out
            .write_all(&writer.buf)
            .and_then(|()| self.out.write_all(b"\r\n"))
            .map_err(|e| WriteError {
                record,
                field: "Record",
                problem: WriteProblem::Io(e.to_string()),
            })
    }

    fn comments(&mut self, comments: &mut [Comment], owner: u64) -> Result<(), WriteError> {
        for (index, comment) in comments.iter_mut().enumerate() {
            self.record += 1;
            comment.record = self.record;
            comment.line_number = u16::try_from(index + 1).unwrap_or(u16::MAX);
            self.totals.comment_count += 1;
            let record = comment_record(&MZ301_V1_3, owner, comment, self.record)?;
            self.emit(&record)?;
        }
        Ok(())
    }

    /// Numbers `patient`'s records and writes them.
    ///
    /// # Errors
    /// [`WriteError`] when a value does not fit its field, the total overflows, or an output
    /// error.
    pub fn patient(&mut self, patient: &mut Patient) -> Result<(), WriteError> {
        let spec = &MZ301_V1_3;
        self.record += 1;
        self.detail_id += 1;
        patient.record = self.record;
        patient.detail_id = self.detail_id;
        self.totals.insured_count += 1;
        let record = insured(spec, patient, self.record)?;
        self.emit(&record)?;
        self.comments(&mut patient.comments, patient.detail_id)?;
        if let Some(debtor) = &mut patient.debtor {
            self.record += 1;
            self.detail_id += 1;
            debtor.record = self.record;
            debtor.detail_id = self.detail_id;
            self.totals.debtor_count += 1;
            let record = debtor_record(spec, debtor, self.record)?;
            self.emit(&record)?;
            self.comments(&mut debtor.comments, debtor.detail_id)?;
        }
        for line in &mut patient.lines {
            self.record += 1;
            self.detail_id += 1;
            line.record = self.record;
            line.detail_id = self.detail_id;
            self.totals.line_count += 1;
            self.totals.declared =
                self.totals
                    .declared
                    .checked_add(line.declared)
                    .ok_or(WriteError {
                        record: self.record,
                        field: "Totaal declaratiebedrag",
                        problem: WriteProblem::TooLong,
                    })?;
            let record = line_record(spec, line, self.record)?;
            self.emit(&record)?;
            self.comments(&mut line.comments, line.detail_id)?;
        }
        Ok(())
    }

    /// Writes the sluit record with the totals of what was written; returns the output and
    /// the totals.
    ///
    /// # Errors
    /// [`WriteError`] when a total does not fit its field, or an output error.
    pub fn finish(mut self) -> Result<(W, Totals), WriteError> {
        self.totals.detail_count = self.totals.insured_count
            + self.totals.debtor_count
            + self.totals.line_count
            + self.totals.comment_count;
        self.record += 1;
        let record = trailer(&MZ301_V1_3, &self.totals, self.record)?;
        self.emit(&record)?;
        self.out.flush().map_err(|e| WriteError {
            record: self.record,
            field: "Record",
            problem: WriteProblem::Io(e.to_string()),
        })?;
        Ok((self.out, self.totals))
    }
}

/// The layout of `code` in `spec`.
fn layout<'s>(
    spec: &'s VersionSpec,
    code: &str,
    record: usize,
) -> Result<&'s RecordSpec, WriteError> {
    spec.record(code.as_bytes()).ok_or(WriteError {
        record,
        field: "Kenmerk record",
        problem: WriteProblem::Missing,
    })
}

fn header_record<'s>(
    spec: &'s VersionSpec,
    header: &Header,
) -> Result<RecordWriter<'s>, WriteError> {
    let mut w = RecordWriter::new(layout(spec, "01", 1)?, spec.record_length, 1);
    w.text(2, "176")?;
    w.text(3, "01")?;
    w.text(4, "03")?;
    w.text(
        5,
        if header.kind == MessageKind::Test {
            "T"
        } else {
            "P"
        },
    )?;
    w.number(6, u64::from(header.software_code))?;
    w.text(7, &header.software_version)?;
    w.text(8, header.receiver.as_str())?;
    w.agb(9, header.service_bureau.as_ref())?;
    w.agb(10, header.provider.as_ref())?;
    w.agb(11, header.practice.as_ref())?;
    w.agb(12, header.institution.as_ref())?;
    w.number(13, u64::from(header.payment_to))?;
    w.date(14, header.period_start)?;
    w.date(15, header.period_end)?;
    w.text(16, &header.invoice_number)?;
    w.date(17, header.invoice_date)?;
    w.text(18, &header.vat_number)?;
    w.text(19, &header.currency)?;
    Ok(w)
}

fn insured<'s>(
    spec: &'s VersionSpec,
    patient: &Patient,
    record: usize,
) -> Result<RecordWriter<'s>, WriteError> {
    let mut w = RecordWriter::new(layout(spec, "02", record)?, spec.record_length, record);
    w.number(2, patient.detail_id)?;
    if let Some(bsn) = &patient.bsn {
        w.text(3, bsn.expose())?;
    }
    w.text(4, patient.uzovi.as_str())?;
    w.text(5, &patient.insured_number)?;
    w.text(6, &patient.patient_number)?;
    w.date(7, patient.birth_date)?;
    w.text(22, &patient.debtor_number)?;
    Ok(w)
}

fn debtor_record<'s>(
    spec: &'s VersionSpec,
    debtor: &Debtor,
    record: usize,
) -> Result<RecordWriter<'s>, WriteError> {
    let mut w = RecordWriter::new(layout(spec, "03", record)?, spec.record_length, record);
    w.number(2, debtor.detail_id)?;
    w.text(3, &debtor.debtor_number)?;
    Ok(w)
}

fn line_record<'s>(
    spec: &'s VersionSpec,
    line: &Line,
    record: usize,
) -> Result<RecordWriter<'s>, WriteError> {
    let mut w = RecordWriter::new(layout(spec, "04", record)?, spec.record_length, record);
    w.number(2, line.detail_id)?;
    if let Some(bsn) = &line.bsn {
        w.text(3, bsn.expose())?;
    }
    w.text(4, line.uzovi.as_str())?;
    w.text(5, &line.insured_number)?;
    w.text(6, &line.authorization_number)?;
    w.date(8, line.treatment_date)?;
    w.number(9, u64::from(line.record_kind))?;
    w.number(12, u64::from(line.code_list))?;
    w.text(13, &line.code)?;
    w.text(14, &line.jaw)?;
    w.text(15, &line.element)?;
    w.text(16, &line.surface)?;
    w.text(19, accident_code(line.accident))?;
    w.agb(20, Some(&line.provider))?;
    w.agb(22, line.referrer.as_ref())?;
    w.unsigned(24, line.tariff)?;
    w.number(25, u64::from(line.quantity))?;
    w.signed(26, 27, line.calculated)?;
    w.unsigned(28, line.reduction)?;
    w.number(29, u64::from(line.vat_basis_points))?;
    w.signed(30, 31, line.declared)?;
    w.text(32, &line.reference)?;
    w.text(33, &line.previous_reference)?;
    Ok(w)
}

fn accident_code(accident: Option<Accident>) -> &'static str {
    match accident {
        Some(Accident::Yes) => "J",
        Some(Accident::No) => "N",
        Some(Accident::Unknown) => "O",
        None => "",
    }
}

fn comment_record<'s>(
    spec: &'s VersionSpec,
    parent_id: u64,
    comment: &Comment,
    record: usize,
) -> Result<RecordWriter<'s>, WriteError> {
    let mut w = RecordWriter::new(layout(spec, "98", record)?, spec.record_length, record);
    w.number(2, parent_id)?;
    w.number(3, u64::from(comment.line_number))?;
    w.text(4, &comment.text)?;
    Ok(w)
}

fn trailer<'s>(
    spec: &'s VersionSpec,
    totals: &Totals,
    record: usize,
) -> Result<RecordWriter<'s>, WriteError> {
    let mut w = RecordWriter::new(layout(spec, "99", record)?, spec.record_length, record);
    w.number(2, totals.insured_count)?;
    w.number(3, totals.debtor_count)?;
    w.number(4, totals.line_count)?;
    w.number(5, totals.comment_count)?;
    w.number(6, totals.detail_count)?;
    w.signed(7, 8, totals.declared)?;
    Ok(w)
}
