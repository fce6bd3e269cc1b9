//! The record-by-record reader: the record order, the field and id checks, the sluit-record
//! totals.

use ixorg_domain::identifiers::{AgbCode, Bsn, Uzovi};

use super::build::{build_header, build_totals};
use crate::vektis::error::{Mz301Error, Mz301Errors, Problem};
use crate::vektis::fields::{self, agb, digits, name, signed, slice, start, text};
use crate::vektis::model::{Comment, Debtor, Header, Line, Mz301File, Patient, Totals};
use crate::vektis::spec::{
    RECORD_COMMENT, RECORD_DEBTOR, RECORD_HEADER, RECORD_INSURED, RECORD_LINE, RECORD_TRAILER,
    RecordSpec, VersionSpec,
};

/// Most verzekerden a valid file holds: AANTAL VERZEKERDENRECORDS in the sluit record has six
/// digits.
const PATIENTS_MAX: usize = 999_999;

/// Field number of IDENTIFICATIE DETAILRECORD in the 02/03/04/98 records.
const FIELD_DETAIL_ID: usize = 2;

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
pub(super) struct Reader {
    spec: &'static VersionSpec,
    pub(super) errors: Mz301Errors,
    pub(super) header: Option<Header>,
    pub(super) patients: Vec<Patient>,
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
    pub(super) cache: Identifiers,
}

/// The identifiers the previous records held. A file repeats them from record to record (the
/// insurer, the provider, the patient's BSN on each line), so a value whose digits equal the
/// cached one is cloned instead of parsed again.
#[derive(Default)]
pub(super) struct Identifiers {
    pub(super) bsn: Option<Bsn>,
    pub(super) uzovi: Option<Uzovi>,
    pub(super) provider: Option<AgbCode>,
    pub(super) referrer: Option<AgbCode>,
}

/// `cache`'s value when `raw` is exactly its text, else `parse(raw)` (which then becomes the
/// cached value). Equal text means an equal value: the identifiers keep their digits as parsed.
pub(super) fn reuse<T: Clone>(
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
pub(super) fn uzovi(cache: &mut Option<Uzovi>, raw: &[u8]) -> Option<Uzovi> {
    reuse(cache, raw, Uzovi::as_str, |raw| {
        Uzovi::parse(fields::ascii(raw)?).ok()
    })
}

/// An AGB code through the cache; `None` when blank or all zeros.
pub(super) fn cached_agb(cache: &mut Option<AgbCode>, raw: &[u8]) -> Option<AgbCode> {
    if fields::is_blank(raw) || fields::is_zeros(raw) {
        return None;
    }
    reuse(cache, raw, AgbCode::as_str, agb)
}

impl Reader {
    pub(super) fn new(spec: &'static VersionSpec) -> Reader {
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
    pub(super) fn reserve_patients(&mut self, input_bytes: usize) {
        let bytes_per_patient_min = 2 * (self.spec.record_length + 1);
        let patients_max = (input_bytes / bytes_per_patient_min).min(PATIENTS_MAX);
        self.patients.reserve_exact(patients_max);
    }

    pub(super) fn error(
        &mut self,
        record: usize,
        position: usize,
        field: &'static str,
        problem: Problem,
    ) {
        self.errors.push(Mz301Error {
            record,
            position,
            field,
            problem,
        });
    }

    pub(super) fn record(&mut self, number: usize, raw: &[u8]) {
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

    pub(super) fn finish(mut self, count: usize) -> Result<Mz301File, Mz301Errors> {
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
}

/// One record being read.
pub(super) struct Record<'a> {
    pub(super) number: usize,
    pub(super) raw: &'a [u8],
    pub(super) spec: &'static RecordSpec,
    /// Every field passed its check.
    pub(super) ok: bool,
    /// The record has the right length, so fields can be sliced.
    pub(super) readable: bool,
}
