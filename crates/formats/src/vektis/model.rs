//! The typed contents of an MZ301 file, as the reader returns them and the writer takes them.
//!
//! Codes are kept as the file has them (trimmed): judging whether a prestatiecode is known or
//! a participant exists is adjudication's job, not the reader's.

use ixorg_domain::Cents;
use ixorg_domain::identifiers::{AgbCode, Bsn, Uzovi};
use ixorg_domain::tariff::TariffCode;
use std::fmt;
use std::ops::Deref;

use time::Date;

/// The text of one fixed-width field, kept inline: no heap allocation, so reading a million
/// lines does not make millions of small `String`s.
///
/// `BYTES` is the capacity in UTF-8 bytes: twice the field's length in characters, since an
/// ISO-8859-1 character takes one or two bytes in UTF-8 (so every value the field can hold
/// fits). The text is trimmed at the end, as the reader keeps it. It reads as a `&str`
/// through [`FieldText::as_str`] or `Deref`.
///
/// Bytes past the text are always zero, so the derived equality and hash are the text's.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldText<const BYTES: usize> {
    len: u8,
    bytes: [u8; BYTES],
}

impl<const BYTES: usize> FieldText<BYTES> {
    /// The empty text.
    pub const EMPTY: FieldText<BYTES> = FieldText {
        len: 0,
        bytes: [0; BYTES],
    };

    /// `text` as a field text; `None` when it has more than `BYTES` bytes (or 255).
    #[must_use]
    pub fn new(text: &str) -> Option<FieldText<BYTES>> {
        let mut field = FieldText::EMPTY;
        field
            .bytes
            .get_mut(..text.len())?
            .copy_from_slice(text.as_bytes());
        field.len = u8::try_from(text.len()).ok()?;
        Some(field)
    }

    /// ISO-8859-1 bytes (one character per byte) as a field text, trailing spaces removed;
    /// `None` when the UTF-8 form has more than `BYTES` bytes.
    pub(super) fn from_latin1(value: &[u8]) -> Option<FieldText<BYTES>> {
        let end = value
            .iter()
            .rposition(|&b| b != b' ')
            .map_or(0, |last| last + 1);
        let trimmed = value.get(..end)?;
        let mut field = FieldText::EMPTY;
        if trimmed.is_ascii() {
            // The common case: ASCII is the same in both encodings, so one copy.
            field.bytes.get_mut(..end)?.copy_from_slice(trimmed);
            field.len = u8::try_from(end).ok()?;
            return Some(field);
        }
        let mut len = 0;
        for &byte in trimmed {
            if byte.is_ascii() {
                *field.bytes.get_mut(len)? = byte;
                len += 1;
            } else {
                let mut utf8 = [0; 2];
                let encoded = char::from(byte).encode_utf8(&mut utf8).as_bytes();
                field
                    .bytes
                    .get_mut(len..len + encoded.len())?
                    .copy_from_slice(encoded);
                len += encoded.len();
            }
        }
        field.len = u8::try_from(len).ok()?;
        Some(field)
    }

    /// The text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        let bytes = self.bytes.get(..usize::from(self.len)).unwrap_or_default();
        std::str::from_utf8(bytes).expect("BUG: a FieldText only holds the bytes of a str")
    }
}

impl<const BYTES: usize> Default for FieldText<BYTES> {
    fn default() -> Self {
        FieldText::EMPTY
    }
}

impl<const BYTES: usize> Deref for FieldText<BYTES> {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl<const BYTES: usize> AsRef<str> for FieldText<BYTES> {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl<const BYTES: usize> fmt::Debug for FieldText<BYTES> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<const BYTES: usize> fmt::Display for FieldText<BYTES> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<const BYTES: usize> PartialEq<str> for FieldText<BYTES> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl<const BYTES: usize> PartialEq<&str> for FieldText<BYTES> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A whole MZ301 file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mz301File {
    /// The voorloop record.
    pub header: Header,
    /// The verzekerden, each with its debtor, lines and comments, in file order.
    pub patients: Vec<Patient>,
    /// The sluit record.
    pub totals: Totals,
}

/// Production or test message (SOORT BERICHT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// `P`: production.
    Production,
    /// `T`: test.
    Test,
}

/// The voorloop record (01).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Production or test.
    pub kind: MessageKind,
    /// Code of the software supplier's information system (6 digits).
    pub software_code: u32,
    /// Version text of the information system.
    pub software_version: String,
    /// The receiving insurer (UZOVI).
    pub receiver: Uzovi,
    /// Code of the service bureau, when one sent the file.
    pub service_bureau: Option<AgbCode>,
    /// The sending care provider (AGB zorgverlenerscode).
    pub provider: Option<AgbCode>,
    /// The practice (AGB praktijkcode).
    pub practice: Option<AgbCode>,
    /// The institution (AGB instellingscode).
    pub institution: Option<AgbCode>,
    /// Who is paid (IDENTIFICATIECODE BETALING AAN, refers to 0109-0112).
    pub payment_to: u8,
    /// First day of the declaration period.
    pub period_start: Date,
    /// Last day of the declaration period.
    pub period_end: Date,
    /// The sender's invoice number.
    pub invoice_number: String,
    /// The invoice date (file creation date).
    pub invoice_date: Date,
    /// The sender's VAT number.
    pub vat_number: String,
    /// The currency code; blank means the default `EUR`.
    pub currency: String,
}

/// A verzekerde record (02) with everything that belongs to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patient {
    /// The 1-based record number of the 02 record.
    pub record: usize,
    /// IDENTIFICATIE DETAILRECORD.
    pub detail_id: u64,
    /// The BSN, when filled (it passed the 11-proef).
    pub bsn: Option<Bsn>,
    /// The insurer.
    pub uzovi: Uzovi,
    /// The insurer's member number (VERZEKERDENNUMMER), as text.
    pub insured_number: String,
    /// The provider's patient number.
    pub patient_number: String,
    /// Date of birth.
    pub birth_date: Date,
    /// The debtor number that links to a 03 record, blank when none.
    pub debtor_number: String,
    /// Comments (98) on the 02 record.
    pub comments: Vec<Comment>,
    /// The debiteur record (03), when present.
    pub debtor: Option<Debtor>,
    /// The prestatie records (04).
    pub lines: Vec<Line>,
}

/// A debiteur record (03). Names and addresses are not kept: the platform does not need them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Debtor {
    /// The 1-based record number.
    pub record: usize,
    /// IDENTIFICATIE DETAILRECORD.
    pub detail_id: u64,
    /// The debtor number.
    pub debtor_number: String,
    /// Comments (98) on the 03 record.
    pub comments: Vec<Comment>,
}

/// INDICATIE ONGEVAL (0419).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accident {
    /// `J`: the treatment follows an accident.
    Yes,
    /// `N`: no accident.
    No,
    /// `O`: unknown.
    Unknown,
}

/// A prestatie record (04): one declaration line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// The 1-based record number, for errors and the MZ302 return.
    pub record: usize,
    /// IDENTIFICATIE DETAILRECORD.
    pub detail_id: u64,
    /// The BSN, when filled (it passed the 11-proef).
    pub bsn: Option<Bsn>,
    /// The insurer.
    pub uzovi: Uzovi,
    /// The insurer's member number, as text.
    pub insured_number: FieldText<30>,
    /// The authorization number, blank when none.
    pub authorization_number: FieldText<30>,
    /// Date of treatment.
    pub treatment_date: Date,
    /// INDICATIE SOORT PRESTATIERECORD: `1` honorarium, other values additional costs.
    pub record_kind: u8,
    /// AANDUIDING PRESTATIECODELIJST (`010` for dental care).
    pub code_list: u16,
    /// The prestatiecode as the file has it, trimmed; old or unknown codes are kept.
    pub code: FieldText<12>,
    /// Upper/lower jaw indicator, blank when none.
    pub jaw: FieldText<2>,
    /// GEBITSELEMENTCODE, blank when none.
    pub element: FieldText<4>,
    /// VLAKCODE, blank when none.
    pub surface: FieldText<12>,
    /// Accident indicator, `None` when blank.
    pub accident: Option<Accident>,
    /// The treating provider.
    pub provider: AgbCode,
    /// The referring provider, when filled.
    pub referrer: Option<AgbCode>,
    /// Tariff per unit, incl. VAT.
    pub tariff: Cents,
    /// Number of units.
    pub quantity: u16,
    /// BEREKEND BEDRAG with its D/C sign applied (credit is negative).
    pub calculated: Cents,
    /// Reduction for special dental care (always debit in the layout).
    pub reduction: Cents,
    /// VAT percentage in hundredths (`0600` = 6 %).
    pub vat_basis_points: u16,
    /// DECLARATIEBEDRAG with its D/C sign applied (credit is negative).
    pub declared: Cents,
    /// REFERENTIENUMMER DIT PRESTATIERECORD.
    pub reference: FieldText<40>,
    /// REFERENTIENUMMER VOORGAANDE GERELATEERDE PRESTATIERECORD, blank when none.
    pub previous_reference: FieldText<40>,
    /// Comments (98) on this line.
    pub comments: Vec<Comment>,
}

impl Line {
    /// The honorarium kind of INDICATIE SOORT PRESTATIERECORD.
    pub const KIND_HONORARIUM: u8 = 1;

    /// The prestatiecode as a [`TariffCode`], when it has the current shape.
    #[must_use]
    pub fn tariff_code(&self) -> Option<TariffCode> {
        TariffCode::parse(&self.code).ok()
    }

    /// Whether this is an honorarium line (not material or technician costs).
    #[must_use]
    pub fn is_honorarium(&self) -> bool {
        self.record_kind == Self::KIND_HONORARIUM
    }
}

/// A commentaar record (98).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// The 1-based record number.
    pub record: usize,
    /// REGELNUMMER VRIJE TEKST.
    pub line_number: u16,
    /// The text, trimmed at the end (ISO-8859-1 decoded).
    pub text: String,
}

/// The sluit record (99), as the file states it (the reader checks it against the file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Totals {
    /// Number of 02 records.
    pub insured_count: u64,
    /// Number of 03 records.
    pub debtor_count: u64,
    /// Number of 04 records.
    pub line_count: u64,
    /// Number of 98 records.
    pub comment_count: u64,
    /// Number of records except 01 and 99.
    pub detail_count: u64,
    /// Signed sum of the declaratiebedragen.
    pub declared: Cents,
}

impl Mz301File {
    /// All lines in file order.
    pub fn lines(&self) -> impl Iterator<Item = &Line> {
        self.patients
            .iter()
            .flat_map(|patient| patient.lines.iter())
    }

    /// Gives every record its number and every 02/03/04 record its detail-record id in file
    /// order, and recomputes the totals: for generated files.
    ///
    /// Returns `None` when the declared amounts overflow.
    pub fn renumber(&mut self) -> Option<()> {
        let mut record = 1;
        let mut id = 0;
        let mut totals = Totals {
            insured_count: 0,
            debtor_count: 0,
            line_count: 0,
            comment_count: 0,
            detail_count: 0,
            declared: Cents::ZERO,
        };
        let number_comments =
            |comments: &mut Vec<Comment>, record: &mut usize, totals: &mut Totals| {
                for (index, comment) in comments.iter_mut().enumerate() {
                    *record += 1;
                    comment.record = *record;
                    comment.line_number = u16::try_from(index + 1).unwrap_or(u16::MAX);
                    totals.comment_count += 1;
                }
            };
        for patient in &mut self.patients {
            record += 1;
            id += 1;
            patient.record = record;
            patient.detail_id = id;
            totals.insured_count += 1;
            number_comments(&mut patient.comments, &mut record, &mut totals);
            if let Some(debtor) = &mut patient.debtor {
                record += 1;
                id += 1;
                debtor.record = record;
                debtor.detail_id = id;
                totals.debtor_count += 1;
                number_comments(&mut debtor.comments, &mut record, &mut totals);
            }
            for line in &mut patient.lines {
                record += 1;
                id += 1;
                line.record = record;
                line.detail_id = id;
                totals.line_count += 1;
                totals.declared = totals.declared.checked_add(line.declared)?;
                number_comments(&mut line.comments, &mut record, &mut totals);
            }
        }
        totals.detail_count =
            totals.insured_count + totals.debtor_count + totals.line_count + totals.comment_count;
        self.totals = totals;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_text_decodes_iso_8859_1_and_trims_trailing_spaces() {
        let text = FieldText::<12>::from_latin1(b"Caf\xe9 au  ");
        assert_eq!(
            text.map(|text| text.to_string()),
            Some("Café au".to_owned())
        );
    }

    #[test]
    fn a_field_of_only_non_ascii_characters_fits_twice_its_length_in_bytes() {
        let text = FieldText::<40>::from_latin1(&[0xe9; 20]).expect("fits");
        assert_eq!(text.chars().count(), 20);
        assert_eq!(text.len(), 40);
    }

    #[test]
    fn field_text_refuses_text_longer_than_its_capacity() {
        assert_eq!(FieldText::<4>::new("abcde"), None);
        assert_eq!(FieldText::<4>::new("abcd").map(|t| t == "abcd"), Some(true));
        assert_eq!(FieldText::<4>::default(), "");
    }
}
