//! The typed contents of an MZ301 file, as the reader returns them and the writer takes them.
//!
//! Codes are kept as the file has them (trimmed): judging whether a prestatiecode is known or
//! a participant exists is adjudication's job, not the reader's.

use ixorg_domain::Cents;
use ixorg_domain::identifiers::{AgbCode, Bsn, Uzovi};
use ixorg_domain::tariff::TariffCode;
use time::Date;

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
    pub insured_number: String,
    /// The authorization number, blank when none.
    pub authorization_number: String,
    /// Date of treatment.
    pub treatment_date: Date,
    /// INDICATIE SOORT PRESTATIERECORD: `1` honorarium, other values additional costs.
    pub record_kind: u8,
    /// AANDUIDING PRESTATIECODELIJST (`010` for dental care).
    pub code_list: u16,
    /// The prestatiecode as the file has it, trimmed; old or unknown codes are kept.
    pub code: String,
    /// Upper/lower jaw indicator, blank when none.
    pub jaw: String,
    /// GEBITSELEMENTCODE, blank when none.
    pub element: String,
    /// VLAKCODE, blank when none.
    pub surface: String,
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
    pub reference: String,
    /// REFERENTIENUMMER VOORGAANDE GERELATEERDE PRESTATIERECORD, blank when none.
    pub previous_reference: String,
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
