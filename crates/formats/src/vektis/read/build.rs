//! Typed values built from records that passed their checks.

use ixorg_domain::Cents;
use ixorg_domain::identifiers::{Bsn, Uzovi};

use super::reader::{Reader, Record, cached_agb, reuse, uzovi};
use crate::vektis::error::Problem;
use crate::vektis::fields::{self, agb, date, digits, name, signed, slice, start, text};
use crate::vektis::model::{Accident, FieldText, Header, Line, MessageKind, Patient, Totals};
use crate::vektis::spec::RecordSpec;

impl Reader {
    pub(super) fn build_patient(&mut self, record: &Record<'_>) -> Option<Patient> {
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
    pub(super) fn bsn(&mut self, record: &Record<'_>, number: usize) -> Option<Bsn> {
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

    pub(super) fn build_line(&mut self, record: &Record<'_>) -> Option<Line> {
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

/// INDICATIE ONGEVAL as a value.
fn accident(value: &[u8]) -> Option<Accident> {
    match value {
        b"J" => Some(Accident::Yes),
        b"N" => Some(Accident::No),
        b"O" => Some(Accident::Unknown),
        _ => None,
    }
}

pub(super) fn build_header(raw: &[u8], spec: &RecordSpec) -> Option<Header> {
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

pub(super) fn build_totals(raw: &[u8], spec: &RecordSpec) -> Option<Totals> {
    Some(Totals {
        insured_count: digits(slice(raw, spec, 2))?,
        debtor_count: digits(slice(raw, spec, 3))?,
        line_count: digits(slice(raw, spec, 4))?,
        comment_count: digits(slice(raw, spec, 5))?,
        detail_count: digits(slice(raw, spec, 6))?,
        declared: signed(slice(raw, spec, 7), slice(raw, spec, 8)).unwrap_or(Cents::ZERO),
    })
}
