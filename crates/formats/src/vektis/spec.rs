//! The Vektis record layouts as data: a version is a table of fields, not code.
//!
//! [`MZ301_V1_3`] is transcribed from `shared/domain/MZ301.md` (Vektis MZ301 1.3, EI code 176).
//! Field codes follow the Vektis numbering: the record type followed by the field's sequence
//! number in the record (`0419` is the 19th field of record 04, INDICATIE ONGEVAL); reserve
//! fields get `80`. `MZ301.md` does not list the required-ness per field, so the M/C/O/S
//! column below is ours: M for what the platform needs to process a line, C for the rest.

/// What a field may contain (`MZ301.md`, "Conventions").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// `N`: digits only, right-aligned and zero-padded.
    Numeric,
    /// `AN`: text, left-aligned and space-padded; control characters are not allowed.
    Alphanumeric,
    /// A date `CCYYMMDD` that exists in the calendar.
    Date,
    /// An amount in euro cents, digits only; the sign is a separate [`FieldKind::Sign`] field.
    Amount,
    /// The debit/credit indicator `D` or `C` (COD043).
    Sign,
    /// Exactly one of the listed values (a code list, for example `J`/`N`/`O`).
    Code(&'static [&'static str]),
}

/// Whether a field must be filled (*Verplichting*).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requiredness {
    /// Mandatory: never blank.
    M,
    /// Conditional: blank, or filled with a valid value.
    C,
    /// Optional: blank, or filled with a valid value.
    O,
    /// Spaces: a reserve field that must be blank.
    S,
}

/// One field of a fixed-width record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    /// The Vektis field code, for example `0419`.
    pub code: &'static str,
    /// The field name as errors show it, for example `Datum prestatie`.
    pub name: &'static str,
    /// First position, 1-based.
    pub start: usize,
    /// Length in characters.
    pub length: usize,
    /// What the field may contain.
    pub kind: FieldKind,
    /// Whether it must be filled.
    pub required: Requiredness,
}

impl FieldSpec {
    /// The 0-based byte range of the field within a record.
    #[must_use]
    pub const fn range(&self) -> std::ops::Range<usize> {
        self.start.saturating_sub(1)..self.start.saturating_sub(1) + self.length
    }
}

/// The layout of one record type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordSpec {
    /// The two-character record code (KENMERK RECORD), for example `04`.
    pub record_type: &'static str,
    /// The fields in position order, covering the whole record.
    pub fields: &'static [FieldSpec],
}

impl RecordSpec {
    /// The field with sequence number `number` (`13` for `0413`), if the table has it.
    #[must_use]
    pub fn field(&self, number: usize) -> Option<&FieldSpec> {
        self.fields.get(number.checked_sub(1)?)
    }
}

/// The layout of one version of one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VersionSpec {
    /// The message name, for example `MZ301`.
    pub message: &'static str,
    /// The version, for example `1.3`.
    pub version: &'static str,
    /// Characters per record, line ending excluded.
    pub record_length: usize,
    /// The record types of the message.
    pub records: &'static [RecordSpec],
}

impl VersionSpec {
    /// The layout of the record type `code` (two bytes), if the message has it.
    #[must_use]
    pub fn record(&self, code: &[u8]) -> Option<&RecordSpec> {
        self.records
            .iter()
            .find(|record| record.record_type.as_bytes() == code)
    }
}

use FieldKind::{Alphanumeric as An, Amount, Code, Date, Numeric as N, Sign};
use Requiredness::{C, M, S};

/// Shorthand for a table row.
const fn f(
    code: &'static str,
    name: &'static str,
    start: usize,
    length: usize,
    kind: FieldKind,
    required: Requiredness,
) -> FieldSpec {
    FieldSpec {
        code,
        name,
        start,
        length,
        kind,
        required,
    }
}

/// Record 01, voorloop.
const HEADER: &[FieldSpec] = &[
    f("0101", "Kenmerk record", 1, 2, N, M),
    f("0102", "Code EI-bericht", 3, 3, Code(&["176"]), M),
    f(
        "0103",
        "Versienummer berichtstandaard",
        6,
        2,
        Code(&["01"]),
        M,
    ),
    f(
        "0104",
        "Subversienummer berichtstandaard",
        8,
        2,
        Code(&["03"]),
        M,
    ),
    f("0105", "Soort bericht", 10, 1, Code(&["P", "T"]), M),
    f(
        "0106",
        "Code informatiesysteem softwareleverancier",
        11,
        6,
        N,
        M,
    ),
    f("0107", "Versieaanduiding informatiesysteem", 17, 10, An, C),
    f("0108", "UZOVI-nummer", 27, 4, N, M),
    f("0109", "Code servicebureau", 31, 8, N, C),
    f("0110", "Zorgverlenerscode", 39, 8, N, C),
    f("0111", "Praktijkcode", 47, 8, N, C),
    f("0112", "Instellingscode", 55, 8, N, C),
    f("0113", "Identificatiecode betaling aan", 63, 2, N, M),
    f("0114", "Begindatum declaratieperiode", 65, 8, Date, M),
    f("0115", "Einddatum declaratieperiode", 73, 8, Date, M),
    f("0116", "Factuurnummer declarant", 81, 12, An, M),
    f("0117", "Dagtekening factuur", 93, 8, Date, M),
    f("0118", "BTW-identificatienummer", 101, 14, An, C),
    f("0119", "Valutacode", 115, 3, Code(&["EUR"]), C),
    f("0180", "Reserve", 118, 193, An, S),
];

/// Record 02, verzekerde.
const INSURED: &[FieldSpec] = &[
    f("0201", "Kenmerk record", 1, 2, N, M),
    f("0202", "Identificatie detailrecord", 3, 12, N, M),
    f("0203", "Burgerservicenummer (BSN) verzekerde", 15, 9, N, C),
    f("0204", "UZOVI-nummer", 24, 4, N, M),
    f(
        "0205",
        "Verzekerdennummer (inschrijvingsnummer, relatienummer)",
        28,
        15,
        An,
        C,
    ),
    f("0206", "Patientnummer", 43, 11, An, C),
    f("0207", "Datum geboorte verzekerde", 54, 8, Date, M),
    f(
        "0208",
        "Code geslacht verzekerde",
        62,
        1,
        Code(&["1", "2"]),
        C,
    ),
    f("0209", "Code naamgebruik (01)", 63, 1, N, C),
    f("0210", "Naam verzekerde (01)", 64, 25, An, C),
    f("0211", "Voorvoegsel verzekerde (01)", 89, 10, An, C),
    f("0212", "Code naamgebruik (02)", 99, 1, N, C),
    f("0213", "Naam verzekerde (02)", 100, 25, An, C),
    f("0214", "Voorvoegsel verzekerde (02)", 125, 10, An, C),
    f("0215", "Voorletters verzekerde", 135, 6, An, C),
    f("0216", "Code naamgebruik (03)", 141, 1, An, C),
    f("0217", "Postcode (huisadres) verzekerde", 142, 6, An, C),
    f("0218", "Postcode buitenland", 148, 9, An, C),
    f("0219", "Huisnummer (huisadres) verzekerde", 157, 5, N, C),
    f(
        "0220",
        "Huisnummertoevoeging (huisadres) verzekerde",
        162,
        6,
        An,
        C,
    ),
    f("0221", "Code land verzekerde", 168, 2, An, C),
    f("0222", "Debiteurnummer", 170, 11, An, C),
    f("0223", "Indicatie client overleden", 181, 1, N, C),
    f("0280", "Reserve", 182, 129, An, S),
];

/// Record 03, debiteur.
const DEBTOR: &[FieldSpec] = &[
    f("0301", "Kenmerk record", 1, 2, N, M),
    f("0302", "Identificatie detailrecord", 3, 12, N, M),
    f("0303", "Debiteurnummer", 15, 11, An, M),
    f("0304", "Datum geboorte debiteur", 26, 8, Date, C),
    f(
        "0305",
        "Code geslacht debiteur",
        34,
        1,
        Code(&["1", "2"]),
        C,
    ),
    f("0306", "Code naamgebruik (01)", 35, 1, N, C),
    f("0307", "Naam debiteur (01)", 36, 25, An, C),
    f("0308", "Voorvoegsel debiteur (01)", 61, 10, An, C),
    f("0309", "Code naamgebruik (02)", 71, 1, N, C),
    f("0310", "Naam debiteur (02)", 72, 25, An, C),
    f("0311", "Voorvoegsel debiteur (02)", 97, 10, An, C),
    f("0312", "Voorletters debiteur", 107, 6, An, C),
    f("0313", "Code naamgebruik (03)", 113, 1, N, C),
    f("0314", "Titulatuur", 114, 2, N, C),
    f("0315", "Straatnaam debiteur", 116, 24, An, C),
    f("0316", "Huisnummer (huisadres) debiteur", 140, 5, N, C),
    f(
        "0317",
        "Huisnummertoevoeging (huisadres) debiteur",
        145,
        6,
        An,
        C,
    ),
    f("0318", "Postcode (huisadres) debiteur", 151, 6, An, C),
    f("0319", "Postcode buitenland", 157, 9, An, C),
    f("0320", "Woonplaatsnaam debiteur", 166, 24, An, C),
    f("0321", "Code land debiteur", 190, 2, An, C),
    f("0322", "Telefoonnummer debiteur", 192, 15, An, C),
    f("0323", "Landnummer telefoon", 207, 3, N, C),
    f("0324", "E-mailadres debiteur", 210, 70, An, C),
    f("0325", "Bankrekeningnummer", 280, 16, N, C),
    f("0326", "Indicatie soort relatie debiteur", 296, 2, N, C),
    f("0380", "Reserve", 298, 13, An, S),
];

/// Record 04, prestatie.
const LINE: &[FieldSpec] = &[
    f("0401", "Kenmerk record", 1, 2, N, M),
    f("0402", "Identificatie detailrecord", 3, 12, N, M),
    f("0403", "Burgerservicenummer (BSN) verzekerde", 15, 9, N, C),
    f("0404", "UZOVI-nummer", 24, 4, N, M),
    f(
        "0405",
        "Verzekerdennummer (inschrijvingsnummer, relatienummer)",
        28,
        15,
        An,
        C,
    ),
    f("0406", "Machtigingsnummer", 43, 15, An, C),
    f("0407", "Doorsturen toegestaan", 58, 1, Code(&["1", "2"]), C),
    f("0408", "Datum prestatie", 59, 8, Date, M),
    f("0409", "Indicatie soort prestatierecord", 67, 2, N, M),
    f(
        "0410",
        "Indicatie bijzondere tandheelkunde",
        69,
        1,
        Code(&["J", "N"]),
        C,
    ),
    f("0411", "Soort bijzondere tandheelkunde", 70, 3, N, C),
    f("0412", "Aanduiding prestatiecodelijst", 73, 3, N, M),
    f("0413", "Prestatiecode", 76, 6, An, M),
    f("0414", "Boven/onder", 82, 1, An, C),
    f("0415", "Gebitselementcode", 83, 2, An, C),
    f("0416", "Vlakcode", 85, 6, An, C),
    f("0417", "Aanduiding diagnosecodelijst", 91, 3, N, C),
    f(
        "0418",
        "Diagnosecode bijzondere tandheelkunde",
        94,
        4,
        An,
        C,
    ),
    f(
        "0419",
        "Indicatie ongeval",
        98,
        1,
        Code(&["J", "N", "O"]),
        C,
    ),
    f(
        "0420",
        "Zorgverlenerscode behandelaar/uitvoerder",
        99,
        8,
        N,
        M,
    ),
    f("0421", "Specialisme behandelaar/uitvoerder", 107, 4, N, C),
    f(
        "0422",
        "Zorgverlenerscode voorschrijver/verwijzer",
        111,
        8,
        N,
        C,
    ),
    f("0423", "Specialisme voorschrijver/verwijzer", 119, 4, N, C),
    f("0424", "Tarief prestatie (incl. BTW)", 123, 8, Amount, M),
    f("0425", "Aantal uitgevoerde prestaties", 131, 4, N, M),
    f("0426", "Berekend bedrag (incl. BTW)", 135, 8, Amount, M),
    f("0427", "Indicatie debet/credit (01)", 143, 1, Sign, M),
    f(
        "0428",
        "Bedrag vermindering bijzondere tandheelkunde",
        144,
        8,
        Amount,
        C,
    ),
    f("0429", "BTW-percentage declaratiebedrag", 152, 4, N, C),
    f("0430", "Declaratiebedrag (incl. BTW)", 156, 8, Amount, M),
    f("0431", "Indicatie debet/credit (02)", 164, 1, Sign, M),
    f(
        "0432",
        "Referentienummer dit prestatierecord",
        165,
        20,
        An,
        M,
    ),
    f(
        "0433",
        "Referentienummer voorgaande gerelateerde prestatierecord",
        185,
        20,
        An,
        C,
    ),
    f("0480", "Reserve", 205, 106, An, S),
];

/// Record 98, commentaar.
const COMMENT: &[FieldSpec] = &[
    f("9801", "Kenmerk record", 1, 2, N, M),
    f("9802", "Identificatie detailrecord", 3, 12, N, M),
    f("9803", "Regelnummer vrije tekst", 15, 4, N, M),
    f("9804", "Vrije tekst", 19, 140, An, C),
    f("9880", "Reserve", 159, 152, An, S),
];

/// Record 99, sluit.
const TRAILER: &[FieldSpec] = &[
    f("9901", "Kenmerk record", 1, 2, N, M),
    f("9902", "Aantal verzekerdenrecords", 3, 6, N, M),
    f("9903", "Aantal debiteurrecords", 9, 6, N, M),
    f("9904", "Aantal prestatierecords", 15, 6, N, M),
    f("9905", "Aantal commentaarrecords", 21, 6, N, M),
    f("9906", "Totaal aantal detailrecords", 27, 7, N, M),
    f("9907", "Totaal declaratiebedrag", 34, 11, Amount, M),
    f("9908", "Indicatie debet/credit", 45, 1, Sign, M),
    f("9980", "Reserve", 46, 265, An, S),
];

/// Record code of the voorloop record.
pub const RECORD_HEADER: &str = "01";
/// Record code of the verzekerde record.
pub const RECORD_INSURED: &str = "02";
/// Record code of the debiteur record.
pub const RECORD_DEBTOR: &str = "03";
/// Record code of the prestatie record.
pub const RECORD_LINE: &str = "04";
/// Record code of the commentaar record.
pub const RECORD_COMMENT: &str = "98";
/// Record code of the sluit record.
pub const RECORD_TRAILER: &str = "99";

/// Vektis MZ301 version 1.3 (EI code 176), exactly as `MZ301.md` lays it out.
pub const MZ301_V1_3: VersionSpec = VersionSpec {
    message: "MZ301",
    version: "1.3",
    record_length: 310,
    records: &[
        RecordSpec {
            record_type: RECORD_HEADER,
            fields: HEADER,
        },
        RecordSpec {
            record_type: RECORD_INSURED,
            fields: INSURED,
        },
        RecordSpec {
            record_type: RECORD_DEBTOR,
            fields: DEBTOR,
        },
        RecordSpec {
            record_type: RECORD_LINE,
            fields: LINE,
        },
        RecordSpec {
            record_type: RECORD_COMMENT,
            fields: COMMENT,
        },
        RecordSpec {
            record_type: RECORD_TRAILER,
            fields: TRAILER,
        },
    ],
};

/// MZ302 record 01: the return section after the MZ301 voorloop record.
const HEADER_RETURN: &[FieldSpec] = &[
    f("0120", "Referentienummer zorgverzekeraar", 311, 24, An, C),
    f("0121", "Dagtekening retourbericht", 335, 8, Date, M),
    f("0122", "Retourcode (01)", 343, 4, N, M),
    f("0123", "Retourcode (02)", 347, 4, N, C),
    f("0124", "Retourcode (03)", 351, 4, N, C),
    f("0190", "Reserve", 355, 16, An, S),
];

/// MZ302 records 02, 03 and 98: the return section.
const DETAIL_RETURN: &[FieldSpec] = &[
    f("xx01", "Retourcode (01)", 311, 4, N, C),
    f("xx02", "Retourcode (02)", 315, 4, N, C),
    f("xx03", "Retourcode (03)", 319, 4, N, C),
    f("xx90", "Reserve", 323, 48, An, S),
];

/// MZ302 record 04: the return section.
const LINE_RETURN: &[FieldSpec] = &[
    f("0434", "Berekend bedrag zorgverzekeraar", 311, 8, Amount, M),
    f("0435", "Indicatie debet/credit (03)", 319, 1, Sign, M),
    f("0436", "Toegekend bedrag", 320, 8, Amount, M),
    f("0437", "Indicatie debet/credit (04)", 328, 1, Sign, M),
    f("0438", "Retourcode (01)", 329, 4, N, C),
    f("0439", "Retourcode (02)", 333, 4, N, C),
    f("0440", "Retourcode (03)", 337, 4, N, C),
    f("0490", "Reserve", 341, 30, An, S),
];

/// MZ302 record 99: the whole sluit record (it is rewritten, not extended).
const TRAILER_RETURN: &[FieldSpec] = &[
    f("9901", "Kenmerk record", 1, 2, N, M),
    f("9902", "Aantal verzekerdenrecords retour", 3, 6, N, M),
    f("9903", "Aantal debiteurrecords retour", 9, 6, N, M),
    f("9904", "Aantal prestatierecords retour", 15, 6, N, M),
    f("9905", "Aantal commentaarrecords retour", 21, 6, N, M),
    f("9906", "Totaal aantal detailrecords retour", 27, 7, N, M),
    f(
        "9907",
        "Totaal ingediend declaratiebedrag",
        34,
        11,
        Amount,
        M,
    ),
    f("9908", "Indicatie debet/credit (01)", 45, 1, Sign, M),
    f("9909", "Totaal toegekend bedrag", 46, 11, Amount, M),
    f("9910", "Indicatie debet/credit (02)", 57, 1, Sign, M),
    f("9980", "Reserve", 58, 313, An, S),
];

/// Vektis MZ302 version 1.3 (EI code 177) as `MZ301.md` lays it out: per record type the
/// return section at positions 311-370 that follows the MZ301 record, and the whole 99
/// record, which the return file rewrites.
pub const MZ302_V1_3: VersionSpec = VersionSpec {
    message: "MZ302",
    version: "1.3",
    record_length: 370,
    records: &[
        RecordSpec {
            record_type: RECORD_HEADER,
            fields: HEADER_RETURN,
        },
        RecordSpec {
            record_type: RECORD_INSURED,
            fields: DETAIL_RETURN,
        },
        RecordSpec {
            record_type: RECORD_DEBTOR,
            fields: DETAIL_RETURN,
        },
        RecordSpec {
            record_type: RECORD_LINE,
            fields: LINE_RETURN,
        },
        RecordSpec {
            record_type: RECORD_COMMENT,
            fields: DETAIL_RETURN,
        },
        RecordSpec {
            record_type: RECORD_TRAILER,
            fields: TRAILER_RETURN,
        },
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_is_covered_by_contiguous_fields_that_end_at_the_record_length() {
        for record in MZ301_V1_3.records {
            let mut next = 1;
            for field in record.fields {
                assert_eq!(
                    field.start, next,
                    "record {} field {}",
                    record.record_type, field.code
                );
                assert!(field.length > 0, "field {} is empty", field.code);
                next = field.start + field.length;
            }
            assert_eq!(
                next,
                MZ301_V1_3.record_length + 1,
                "record {}",
                record.record_type
            );
        }
    }

    #[test]
    fn field_codes_are_the_record_type_and_the_sequence_number() {
        for record in MZ301_V1_3.records {
            let (reserve, fields) = record.fields.split_last().expect("records have fields");
            assert_eq!(reserve.required, Requiredness::S);
            assert_eq!(reserve.code, format!("{}80", record.record_type));
            for (index, field) in fields.iter().enumerate() {
                assert_eq!(
                    field.code,
                    format!("{}{:02}", record.record_type, index + 1)
                );
                assert_ne!(field.required, Requiredness::S);
            }
        }
    }

    #[test]
    fn every_mz302_return_section_is_contiguous_and_ends_at_370() {
        for record in MZ302_V1_3.records {
            let mut next = record.fields[0].start;
            let expected_start = if record.record_type == RECORD_TRAILER {
                1
            } else {
                311
            };
            assert_eq!(next, expected_start, "record {}", record.record_type);
            for field in record.fields {
                assert_eq!(
                    field.start, next,
                    "record {} field {}",
                    record.record_type, field.code
                );
                next = field.start + field.length;
            }
            assert_eq!(
                next,
                MZ302_V1_3.record_length + 1,
                "record {}",
                record.record_type
            );
        }
    }

    #[test]
    fn the_first_field_of_every_record_is_its_record_type() {
        for record in MZ301_V1_3.records {
            assert_eq!(record.fields[0].start, 1);
            assert_eq!(record.fields[0].length, 2);
        }
    }
}
