//! The MZ301 reader: bytes in, a checked [`Mz301File`] or every problem out.
//!
//! One pass over the input, record by record, on byte slices. Each record is first checked
//! field by field against the version table, then against the record order, the detail-record
//! ids and the bijkomende-kosten rule; the sluit record is checked against the counts and the
//! total at the end. Typed values are built only for records without problems, and the result
//! is either the whole file or the list of problems: never a half-read file.

use ixorg_domain::Cents;
use ixorg_domain::identifiers::{AgbCode, Bsn, Uzovi};

use super::error::{Mz301Error, Mz301Errors, Problem};
use super::fields::{self, agb, date, digits, name, signed, slice, start, text};
use super::model::{
    Accident, Comment, Debtor, FieldText, Header, Line, MessageKind, Mz301File, Patient, Totals,
};
use super::spec::{
    MZ301_V1_3, RECORD_COMMENT, RECORD_DEBTOR, RECORD_HEADER, RECORD_INSURED, RECORD_LINE,
    RECORD_TRAILER, RecordSpec, VersionSpec,
};

/// Most records one file may hold (a generous bound over the one million lines a batch has).
pub const RECORDS_MAX: usize = 50_000_000;

/// Most verzekerden a valid file holds: AANTAL VERZEKERDENRECORDS in the sluit record has six
/// digits.
const PATIENTS_MAX: usize = 999_999;

/// Field number of IDENTIFICATIE DETAILRECORD in the 02/03/04/98 records.
const FIELD_DETAIL_ID: usize = 2;

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

/// The last record that was not a comment: what the next record may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Start,
    Header,
    Patient,
    Debtor,
    Line,
    Trailer,
}

/// Records counted per type, for the sluit record.
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    insured: u64,
    debtor: u64,
    line: u64,
    comment: u64,
}

/// The reader's state between records.
struct Reader {
    spec: &'static VersionSpec,
    errors: Mz301Errors,
    header: Option<Header>,
    patients: Vec<Patient>,
    totals: Option<(usize, Totals)>,
    state: State,
    /// The last detail-record id, `None` when it could not be read (the next id resyncs).
    last_id: Option<u64>,
    next_comment_line: u64,
    /// The prestatiecode of the previous record when that was a 04 record.
    previous_code: Option<[u8; 6]>,
    /// The record number of the current 02 record and whether it has 04 records.
    open_patient: Option<(usize, bool)>,
    counts: Counts,
    declared_sum: i128,
    declared_complete: bool,
    /// The identifiers parsed last, reused while records repeat them.
    cache: Identifiers,
}

/// The identifiers the previous records held. A file repeats them from record to record (the
/// insurer, the provider, the patient's BSN on each line), so a value whose digits equal the
/// cached one is cloned instead of parsed again.
#[derive(Default)]
struct Identifiers {
    bsn: Option<Bsn>,
    uzovi: Option<Uzovi>,
    provider: Option<AgbCode>,
    referrer: Option<AgbCode>,
}

/// `cache`'s value when `raw` is exactly its text, else `parse(raw)` (which then becomes the
/// cached value). Equal text means an equal value: the identifiers keep their digits as parsed.
fn reuse<T: Clone>(
    cache: &mut Option<T>,
    raw: &[u8],
    text_of: fn(&T) -> &str,
    parse: impl FnOnce(&[u8]) -> Option<T>,
) -> Option<T> {
    if let Some(hit) = cache
        .as_ref()
        .filter(|value| text_of(value).as_bytes() == raw)
    {
        return Some(hit.clone());
    }
    let parsed = parse(raw)?;
    *cache = Some(parsed.clone());
    Some(parsed)
}

/// A UZOVI number, through the cache.
fn uzovi(cache: &mut Option<Uzovi>, raw: &[u8]) -> Option<Uzovi> {
    reuse(cache, raw, Uzovi::as_str, |raw| {
        Uzovi::parse(fields::ascii(raw)?).ok()
    })
}

/// An AGB code through the cache; `None` when blank or all zeros.
fn cached_agb(cache: &mut Option<AgbCode>, raw: &[u8]) -> Option<AgbCode> {
    if fields::is_blank(raw) || fields::is_zeros(raw) {
        return None;
    }
    reuse(cache, raw, AgbCode::as_str, agb)
}

impl Reader {
    fn new(spec: &'static VersionSpec) -> Reader {
        Reader {
            spec,
            errors: Mz301Errors::default(),
            header: None,
            patients: Vec::new(),
            totals: None,
            state: State::Start,
            last_id: Some(0),
            next_comment_line: 1,
            previous_code: None,
            open_patient: None,
            counts: Counts::default(),
            declared_sum: 0,
            declared_complete: true,
            cache: Identifiers::default(),
        }
    }

    /// Reserves room for the most verzekerden `input_bytes` can hold (each needs a 02 and a 04
    /// record), so the list is not copied as it grows. Capacity that is never filled is
    /// never touched, so it costs address space, not memory.
    fn reserve_patients(&mut self, input_bytes: usize) {
        let bytes_per_patient_min = 2 * (self.spec.record_length + 1);
        let patients_max = (input_bytes / bytes_per_patient_min).min(PATIENTS_MAX);
        self.patients.reserve_exact(patients_max);
    }

    fn error(&mut self, record: usize, position: usize, field: &'static str, problem: Problem) {
        self.errors.push(Mz301Error {
            record,
            position,
            field,
            problem,
        });
    }

    fn record(&mut self, number: usize, raw: &[u8]) {
        let kind = raw.get(..2).and_then(|code| self.spec.record(code));
        let Some(spec) = kind else {
            self.error(number, 1, "Kenmerk record", Problem::UnknownRecordType);
            return;
        };
        let length_ok = raw.len() == self.spec.record_length;
        if !length_ok {
            let position = raw.len().min(self.spec.record_length) + 1;
            let problem = Problem::Length {
                found: raw.len(),
                expected: self.spec.record_length,
            };
            self.error(number, position, "Record", problem);
        }
        let fields_ok = length_ok && self.check_fields(number, spec, raw);
        let record = Record {
            number,
            raw,
            spec,
            ok: fields_ok,
            readable: length_ok,
        };
        match spec.record_type {
            RECORD_HEADER => self.header(&record),
            RECORD_INSURED => self.patient(&record),
            RECORD_DEBTOR => self.debtor(&record),
            RECORD_LINE => self.line(&record),
            RECORD_COMMENT => self.comment(&record),
            _ => self.trailer(&record),
        }
    }

    /// Checks every field of a record of the right length; `true` when all are fine.
    fn check_fields(&mut self, number: usize, spec: &RecordSpec, raw: &[u8]) -> bool {
        let mut ok = true;
        for field in spec.fields {
            let value = raw.get(field.range()).unwrap_or(&[]);
            if let Err((offset, problem)) = fields::check(value, field) {
                ok = false;
                self.error(number, field.start + offset, field.name, problem);
            }
        }
        ok
    }

    /// Records out of place in every state: before the voorloop or after the sluit record.
    fn check_not_outside(&mut self, record: &Record<'_>) -> bool {
        let problem = match self.state {
            State::Start => "the first record must be the voorloop record",
            State::Trailer => "record after the sluit record",
            _ => return true,
        };
        self.error(record.number, 1, "Kenmerk record", Problem::Order(problem));
        false
    }

    /// Checks that a 02/03/04 record continues the id sequence.
    fn check_detail_id(&mut self, record: &Record<'_>) {
        let id = record
            .readable
            .then(|| digits(slice(record.raw, record.spec, FIELD_DETAIL_ID)))
            .flatten();
        if let (Some(last), Some(id)) = (self.last_id, id) {
            let expected = last.saturating_add(1);
            if id != expected {
                let field = name(record.spec, FIELD_DETAIL_ID);
                self.error(record.number, 3, field, Problem::DetailId { expected });
            }
        }
        self.last_id = id;
        self.next_comment_line = 1;
    }

    /// Ends the current verzekerde: it must have had a prestatie record.
    fn close_patient(&mut self) {
        if let Some((number, false)) = self.open_patient.take() {
            self.error(number, 1, "Kenmerk record", Problem::NoLines);
        }
    }

    fn header(&mut self, record: &Record<'_>) {
        if self.state != State::Start {
            let problem = Problem::Order("the voorloop record must be the first record, once");
            self.error(record.number, 1, "Kenmerk record", problem);
        }
        self.state = State::Header;
        if record.ok {
            self.header = build_header(record.raw, record.spec);
        }
    }

    fn patient(&mut self, record: &Record<'_>) {
        self.check_not_outside(record);
        self.close_patient();
        self.counts.insured += 1;
        self.check_detail_id(record);
        self.state = State::Patient;
        self.previous_code = None;
        self.open_patient = Some((record.number, false));
        if record.ok
            && let Some(patient) = self.build_patient(record)
        {
            self.patients.push(patient);
        }
    }

    fn debtor(&mut self, record: &Record<'_>) {
        if self.check_not_outside(record) && self.state != State::Patient {
            let problem = Problem::Order("a debiteur record must follow its verzekerde record");
            self.error(record.number, 1, "Kenmerk record", problem);
        }
        self.counts.debtor += 1;
        self.check_detail_id(record);
        self.state = State::Debtor;
        self.previous_code = None;
        if record.ok {
            let debtor = Debtor {
                record: record.number,
                detail_id: digits(slice(record.raw, record.spec, 2)).unwrap_or(0),
                debtor_number: text(slice(record.raw, record.spec, 3)),
                comments: Vec::new(),
            };
            if let Some(patient) = self.patients.last_mut() {
                patient.debtor = Some(debtor);
            }
        }
    }

    fn line(&mut self, record: &Record<'_>) {
        let in_place = matches!(self.state, State::Patient | State::Debtor | State::Line);
        if self.check_not_outside(record) && !in_place {
            let problem = Problem::Order("a prestatie record must follow its verzekerde record");
            self.error(record.number, 1, "Kenmerk record", problem);
        }
        self.counts.line += 1;
        self.check_detail_id(record);
        if let Some((_, has_lines)) = &mut self.open_patient {
            *has_lines = true;
        }
        self.state = State::Line;
        if !record.readable {
            self.declared_complete = false;
            self.previous_code = None;
            return;
        }
        self.check_additional_cost(record);
        let declared = signed(
            slice(record.raw, record.spec, 30),
            slice(record.raw, record.spec, 31),
        );
        match declared {
            Some(cents) => self.declared_sum += i128::from(cents.get()),
            _ => self.declared_complete = false,
        }
        if record.ok
            && let Some(line) = self.build_line(record)
            && let Some(patient) = self.patients.last_mut()
        {
            patient.lines.push(line);
        }
    }

    /// A material or technician record directly follows a 04 record with the same code.
    fn check_additional_cost(&mut self, record: &Record<'_>) {
        let code: Option<[u8; 6]> = slice(record.raw, record.spec, 13).try_into().ok();
        let kind = digits(slice(record.raw, record.spec, 9));
        let honorarium = kind == Some(u64::from(Line::KIND_HONORARIUM));
        if !honorarium && kind.is_some() && (code.is_none() || self.previous_code != code) {
            let field = name(record.spec, 9);
            self.error(
                record.number,
                start(record.spec, 9),
                field,
                Problem::AdditionalCost,
            );
        }
        self.previous_code = code;
    }

    fn comment(&mut self, record: &Record<'_>) {
        let in_place = matches!(self.state, State::Patient | State::Debtor | State::Line);
        if self.check_not_outside(record) && !in_place {
            let problem =
                Problem::Order("a commentaar record must follow the record it belongs to");
            self.error(record.number, 1, "Kenmerk record", problem);
        }
        self.counts.comment += 1;
        if !record.readable {
            return;
        }
        self.check_comment_ids(record);
        if record.ok {
            self.attach_comment(record);
        }
    }

    /// The comment repeats its parent's id and its line numbers run 1, 2, 3, ….
    fn check_comment_ids(&mut self, record: &Record<'_>) {
        let id = digits(slice(record.raw, record.spec, FIELD_DETAIL_ID));
        if let (Some(parent), Some(id)) = (self.last_id, id)
            && id != parent
        {
            let field = name(record.spec, FIELD_DETAIL_ID);
            let problem = Problem::ParentId { expected: parent };
            self.error(record.number, 3, field, problem);
        }
        let line_number = digits(slice(record.raw, record.spec, 3));
        let expected = self.next_comment_line;
        if line_number.is_some_and(|line| line != expected) {
            let (field, position) = (name(record.spec, 3), start(record.spec, 3));
            self.error(
                record.number,
                position,
                field,
                Problem::CommentLine { expected },
            );
        }
        self.next_comment_line = line_number.unwrap_or(expected).saturating_add(1);
    }

    fn attach_comment(&mut self, record: &Record<'_>) {
        let comment = Comment {
            record: record.number,
            line_number: digits(slice(record.raw, record.spec, 3))
                .and_then(|n| u16::try_from(n).ok())
                .unwrap_or(0),
            text: text(slice(record.raw, record.spec, 4)),
        };
        let Some(patient) = self.patients.last_mut() else {
            return;
        };
        let comments = match (self.state, &mut patient.debtor) {
            (State::Line, _) => patient.lines.last_mut().map(|line| &mut line.comments),
            (State::Debtor, Some(debtor)) => Some(&mut debtor.comments),
            _ => Some(&mut patient.comments),
        };
        if let Some(comments) = comments {
            comments.push(comment);
        }
    }

    fn trailer(&mut self, record: &Record<'_>) {
        if self.state == State::Trailer {
            let problem = Problem::Order("a second sluit record");
            self.error(record.number, 1, "Kenmerk record", problem);
        } else {
            self.check_not_outside(record);
        }
        self.close_patient();
        self.state = State::Trailer;
        if record.ok {
            self.totals =
                build_totals(record.raw, record.spec).map(|totals| (record.number, totals));
        }
    }

    fn finish(mut self, count: usize) -> Result<Mz301File, Mz301Errors> {
        if count == 0 {
            self.error(1, 1, "Kenmerk record", Problem::Empty);
        } else if self.state != State::Trailer {
            self.close_patient();
            let problem = Problem::Order("the file does not end with a sluit record");
            self.error(count, 1, "Kenmerk record", problem);
        }
        if let Some((number, totals)) = self.totals {
            self.check_totals(number, &totals);
        }
        match (self.header, self.totals) {
            (Some(header), Some((_, totals))) if self.errors.is_empty() => Ok(Mz301File {
                header,
                patients: self.patients,
                totals,
            }),
            _ => {
                if self.errors.is_empty() {
                    // Every path that drops a record also reports it; this is a safety net.
                    self.errors.push(Mz301Error {
                        record: count,
                        position: 1,
                        field: "Record",
                        problem: Problem::Order("the file is incomplete"),
                    });
                }
                Err(self.errors)
            }
        }
    }

    /// Compares the sluit record with what the file holds.
    fn check_totals(&mut self, number: usize, totals: &Totals) {
        let Some(spec) = self.spec.record(RECORD_TRAILER.as_bytes()) else {
            return;
        };
        let c = self.counts;
        let detail = c.insured + c.debtor + c.line + c.comment;
        let pairs = [
            (2, totals.insured_count, c.insured),
            (3, totals.debtor_count, c.debtor),
            (4, totals.line_count, c.line),
            (5, totals.comment_count, c.comment),
            (6, totals.detail_count, detail),
        ];
        for (field, stated, counted) in pairs {
            if stated != counted {
                self.error(
                    number,
                    start(spec, field),
                    name(spec, field),
                    Problem::Count { counted },
                );
            }
        }
        if self.declared_complete && i128::from(totals.declared.get()) != self.declared_sum {
            let problem = i64::try_from(self.declared_sum)
                .map_or(Problem::Overflow, |counted| Problem::Total { counted });
            self.error(number, start(spec, 7), name(spec, 7), problem);
        }
    }

    fn build_patient(&mut self, record: &Record<'_>) -> Option<Patient> {
        let (raw, spec) = (record.raw, record.spec);
        Some(Patient {
            record: record.number,
            detail_id: digits(slice(raw, spec, 2))?,
            bsn: self.bsn(record, 3),
            uzovi: uzovi(&mut self.cache.uzovi, slice(raw, spec, 4))?,
            insured_number: text(slice(raw, spec, 5)),
            patient_number: text(slice(raw, spec, 6)),
            birth_date: date(slice(raw, spec, 7))?,
            debtor_number: text(slice(raw, spec, 22)),
            comments: Vec::new(),
            debtor: None,
            lines: Vec::new(),
        })
    }

    /// The BSN of field `number`: `None` when blank or zeros; an error when it fails the
    /// 11-proef.
    fn bsn(&mut self, record: &Record<'_>, number: usize) -> Option<Bsn> {
        let value = slice(record.raw, record.spec, number);
        if fields::is_blank(value) || fields::is_zeros(value) {
            return None;
        }
        let parsed = reuse(&mut self.cache.bsn, value, Bsn::expose, |value| {
            Bsn::parse(fields::ascii(value)?).ok()
        });
        if parsed.is_none() {
            let (field, position) = (name(record.spec, number), start(record.spec, number));
            self.error(record.number, position, field, Problem::Bsn);
        }
        parsed
    }

    fn build_line(&mut self, record: &Record<'_>) -> Option<Line> {
        let (raw, spec) = (record.raw, record.spec);
        let small = |number| digits(slice(raw, spec, number));
        Some(Line {
            record: record.number,
            detail_id: small(2)?,
            bsn: self.bsn(record, 3),
            uzovi: uzovi(&mut self.cache.uzovi, slice(raw, spec, 4))?,
            insured_number: FieldText::from_latin1(slice(raw, spec, 5))?,
            authorization_number: FieldText::from_latin1(slice(raw, spec, 6))?,
            treatment_date: date(slice(raw, spec, 8))?,
            record_kind: u8::try_from(small(9)?).ok()?,
            code_list: u16::try_from(small(12)?).ok()?,
            code: FieldText::from_latin1(slice(raw, spec, 13))?,
            jaw: FieldText::from_latin1(slice(raw, spec, 14))?,
            element: FieldText::from_latin1(slice(raw, spec, 15))?,
            surface: FieldText::from_latin1(slice(raw, spec, 16))?,
            accident: accident(slice(raw, spec, 19)),
            provider: cached_agb(&mut self.cache.provider, slice(raw, spec, 20))?,
            referrer: cached_agb(&mut self.cache.referrer, slice(raw, spec, 22)),
            tariff: signed(slice(raw, spec, 24), b"D")?,
            quantity: u16::try_from(small(25)?).ok()?,
            calculated: signed(slice(raw, spec, 26), slice(raw, spec, 27))?,
            reduction: signed(slice(raw, spec, 28), b"D")?,
            vat_basis_points: u16::try_from(small(29)?).ok()?,
            declared: signed(slice(raw, spec, 30), slice(raw, spec, 31))?,
            reference: FieldText::from_latin1(slice(raw, spec, 32))?,
            previous_reference: FieldText::from_latin1(slice(raw, spec, 33))?,
            comments: Vec::new(),
        })
    }
}

/// One record being read.
struct Record<'a> {
    number: usize,
    raw: &'a [u8],
    spec: &'static RecordSpec,
    /// Every field passed its check.
    ok: bool,
    /// The record has the right length, so fields can be sliced.
    readable: bool,
}

/// INDICATIE ONGEVAL as a value.
fn accident(value: &[u8]) -> Option<Accident> {
    match value {
        b"J" => Some(Accident::Yes),
        b"N" => Some(Accident::No),
        b"O" => Some(Accident::Unknown),
        _ => None,
    }
}

fn build_header(raw: &[u8], spec: &RecordSpec) -> Option<Header> {
    Some(Header {
        kind: if slice(raw, spec, 5) == b"T" {
            MessageKind::Test
        } else {
            MessageKind::Production
        },
        software_code: u32::try_from(digits(slice(raw, spec, 6))?).ok()?,
        software_version: text(slice(raw, spec, 7)),
        receiver: Uzovi::parse(fields::ascii(slice(raw, spec, 8))?).ok()?,
        service_bureau: agb(slice(raw, spec, 9)),
        provider: agb(slice(raw, spec, 10)),
        practice: agb(slice(raw, spec, 11)),
        institution: agb(slice(raw, spec, 12)),
        payment_to: u8::try_from(digits(slice(raw, spec, 13))?).ok()?,
        period_start: date(slice(raw, spec, 14))?,
        period_end: date(slice(raw, spec, 15))?,
        invoice_number: text(slice(raw, spec, 16)),
        invoice_date: date(slice(raw, spec, 17))?,
        vat_number: text(slice(raw, spec, 18)),
        currency: text(slice(raw, spec, 19)),
    })
}

fn build_totals(raw: &[u8], spec: &RecordSpec) -> Option<Totals> {
    Some(Totals {
        insured_count: digits(slice(raw, spec, 2))?,
        debtor_count: digits(slice(raw, spec, 3))?,
        line_count: digits(slice(raw, spec, 4))?,
        comment_count: digits(slice(raw, spec, 5))?,
        detail_count: digits(slice(raw, spec, 6))?,
        declared: signed(slice(raw, spec, 7), slice(raw, spec, 8)).unwrap_or(Cents::ZERO),
    })
}
