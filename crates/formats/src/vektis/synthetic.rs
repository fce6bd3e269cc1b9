//! A pure, deterministic generator of realistic MZ301 files, for tests, demos and benchmarks.
//!
//! The same arguments always give the same file: the randomness is a small `SplitMix64`
//! sequence seeded by the caller, not the platform's random source. The values look like a
//! dental practice's real work in 2026: BSNs that pass the 11-proef, check-ups, consults,
//! tartar removal, bitewings and anaesthesia with plausible tariffs in cents, some credit
//! lines that reverse an earlier declaration, tooth numbers on some lines and an accident
//! indicator on a few. The file is renumbered, so it reads back valid.

use ixorg_domain::Cents;
use ixorg_domain::identifiers::{AgbCode, Bsn, Uzovi};
use time::{Date, Month};

use super::model::{
    Accident, Comment, Debtor, FieldText, Header, Line, MessageKind, Mz301File, Patient, Totals,
};

/// The prestatiecodes the generator uses, with a plausible 2026 tariff in cents and whether
/// the line names a tooth (GEBITSELEMENTCODE).
const CODES: [(&str, i64, bool); 6] = [
    ("C002", 2_809, false), // periodiek mondonderzoek
    ("C003", 2_809, false), // consult
    ("M03", 1_588, false),  // gebitsreiniging, per 5 minuten
    ("X10", 1_897, true),   // kleine röntgenfoto
    ("A10", 1_679, true),   // geleidings-, infiltratie- en/of intraligamentaire verdoving
    ("V92", 6_110, true),   // vulling twee vlakken
];

/// Most units of one line (M03 is declared per 5 minutes).
const QUANTITY_MAX: u64 = 4;

/// One in this many lines is a credit line.
const CREDIT_EVERY: u64 = 25;

/// One in this many lines carries the accident indicator `J`.
const ACCIDENT_EVERY: u64 = 50;

/// `SplitMix64`: a tiny, well-mixed, deterministic sequence (not for secrets).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound` > 0; the tiny modulo bias does not matter here).
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }

    /// `true` once in `every` calls on average.
    fn one_in(&mut self, every: u64) -> bool {
        self.below(every) == 0
    }
}

/// A synthetic MZ301 file of `patients` verzekerden with `lines_per_patient` prestatie records
/// each (at least one, since a verzekerde without lines is invalid), deterministic in `seed`.
///
/// Record numbers, detail ids and the sluit totals are filled in ([`Mz301File::renumber`]), so
/// `write_mz301` of the result reads back as the same file. The sluit record's digits limit
/// what can be written: at most 999,999 verzekerden and 999,999 prestatie records (so
/// `patients * lines_per_patient` < 1,000,000; about 312 MB) and 9,999,999 detail records.
#[must_use]
pub fn synthetic_file(patients: usize, lines_per_patient: usize, seed: u64) -> Mz301File {
    let mut rng = SplitMix64(seed);
    let receiver = uzovi("3311");
    let practice = agb(12_002_242);
    let providers = [agb(12_041_054), agb(12_045_210), agb(12_038_877)];
    let tag = seed % 10_000;
    let header = Header {
        kind: MessageKind::Production,
        software_code: 4_711,
        software_version: "ixorg 0.1".to_owned(),
        receiver: receiver.clone(),
        service_bureau: None,
        provider: Some(providers[0].clone()),
        practice: Some(practice),
        institution: None,
        payment_to: 3,
        period_start: date_2026(1, 1),
        period_end: date_2026(12, 31),
        invoice_number: format!("F26-{tag:04}"),
        invoice_date: date_2026(12, 31),
        vat_number: String::new(),
        currency: "EUR".to_owned(),
    };
    let mut reference = 0_u64;
    let patients = (0..patients)
        .map(|index| {
            let mut patient = patient(&mut rng, &receiver, index);
            let bsn = patient.bsn.clone();
            patient.lines = (0..lines_per_patient.max(1))
                .map(|_| {
                    reference += 1;
                    let provider = &providers[usize::try_from(rng.below(3)).unwrap_or(0)];
                    let line_reference = format!("{tag:04}-{reference:010}");
                    line(&mut rng, &patient, bsn.clone(), provider, line_reference)
                })
                .collect();
            patient
        })
        .collect();
    let mut file = Mz301File {
        header,
        patients,
        totals: Totals {
            insured_count: 0,
            debtor_count: 0,
            line_count: 0,
            comment_count: 0,
            detail_count: 0,
            declared: Cents::ZERO,
        },
    };
    file.renumber()
        .expect("BUG: line amounts below 10^6 cents cannot overflow i64 in memory-sized files");
    file
}

/// One verzekerde without lines.
fn patient(rng: &mut SplitMix64, receiver: &Uzovi, index: usize) -> Patient {
    let with_debtor = rng.one_in(20);
    let debtor_number = if with_debtor {
        format!("D{index:07}")
    } else {
        String::new()
    };
    let comments = if rng.one_in(40) {
        vec![comment("Patiënt heeft angst voor de behandeling")]
    } else {
        Vec::new()
    };
    let birth_year = 1940 + i32::try_from(rng.below(80)).unwrap_or(0);
    Patient {
        record: 0,
        detail_id: 0,
        bsn: Some(bsn(rng)),
        uzovi: receiver.clone(),
        insured_number: format!("{:09}", rng.below(1_000_000_000)),
        patient_number: format!("P{index:07}"),
        birth_date: day(birth_year, rng),
        debtor: with_debtor.then(|| Debtor {
            record: 0,
            detail_id: 0,
            debtor_number: debtor_number.clone(),
            comments: Vec::new(),
        }),
        debtor_number,
        comments,
        lines: Vec::new(),
    }
}

/// One prestatie record of `patient`.
fn line(
    rng: &mut SplitMix64,
    patient: &Patient,
    bsn: Option<Bsn>,
    provider: &AgbCode,
    reference: String,
) -> Line {
    let (code, tariff_cents, with_tooth) = CODES[usize::try_from(rng.below(6)).unwrap_or(0)];
    let quantity = if code == "M03" {
        1 + rng.below(QUANTITY_MAX)
    } else {
        1
    };
    let amount_cents = tariff_cents * i64::try_from(quantity).unwrap_or(1);
    let credit = rng.one_in(CREDIT_EVERY);
    let (signed_cents, previous_reference) = if credit {
        let earlier = format!("2025-{:010}", rng.below(10_000_000_000));
        (-amount_cents, earlier)
    } else {
        (amount_cents, String::new())
    };
    let element = if with_tooth {
        format!("{}{}", 1 + rng.below(4), 1 + rng.below(8))
    } else {
        String::new()
    };
    let surface = if code == "V92" { "MO" } else { "" };
    let accident = if rng.one_in(ACCIDENT_EVERY) {
        Some(Accident::Yes)
    } else if rng.one_in(10) {
        None
    } else {
        Some(Accident::No)
    };
    let comments = if rng.one_in(100) {
        vec![comment("Behandeling op verzoek van de patiënt uitgesteld")]
    } else {
        Vec::new()
    };
    Line {
        record: 0,
        detail_id: 0,
        bsn,
        uzovi: patient.uzovi.clone(),
        insured_number: field(&patient.insured_number),
        authorization_number: FieldText::EMPTY,
        treatment_date: day(2026, rng),
        record_kind: Line::KIND_HONORARIUM,
        code_list: 10,
        code: field(code),
        jaw: FieldText::EMPTY,
        element: field(&element),
        surface: field(surface),
        accident,
        provider: provider.clone(),
        referrer: None,
        tariff: Cents::new(tariff_cents),
        quantity: u16::try_from(quantity).unwrap_or(1),
        calculated: Cents::new(signed_cents),
        reduction: Cents::ZERO,
        vat_basis_points: 0,
        declared: Cents::new(signed_cents),
        reference: field(&reference),
        previous_reference: field(&previous_reference),
        comments,
    }
}

/// `text` as the text of a field it is known to fit.
fn field<const BYTES: usize>(text: &str) -> FieldText<BYTES> {
    FieldText::new(text).expect("BUG: the generator's texts fit their fields")
}

/// A comment record with `text` (numbered by `renumber`).
fn comment(text: &str) -> Comment {
    Comment {
        record: 0,
        line_number: 0,
        text: text.to_owned(),
    }
}

/// A BSN that passes the 11-proef: eight random digits and the check digit they need (drawn
/// again when that would be 10 or the number would start with zeros only).
fn bsn(rng: &mut SplitMix64) -> Bsn {
    const WEIGHTS: [u64; 8] = [9, 8, 7, 6, 5, 4, 3, 2];
    loop {
        let mut digits = [0_u8; 9];
        let mut sum = 0;
        for (slot, weight) in digits.iter_mut().zip(WEIGHTS) {
            let digit = rng.below(10);
            sum += digit * weight;
            *slot = b'0' + u8::try_from(digit).unwrap_or(0);
        }
        let check = sum % 11;
        if check == 10 || digits[0] == b'0' {
            continue;
        }
        digits[8] = b'0' + u8::try_from(check).unwrap_or(0);
        let text = std::str::from_utf8(&digits).unwrap_or("");
        if let Ok(bsn) = Bsn::parse(text) {
            return bsn;
        }
    }
}

/// A day in `year` (days 1-28, so every month has it).
fn day(year: i32, rng: &mut SplitMix64) -> Date {
    let month = u8::try_from(1 + rng.below(12)).unwrap_or(1);
    let day = u8::try_from(1 + rng.below(28)).unwrap_or(1);
    Month::try_from(month)
        .ok()
        .and_then(|month| Date::from_calendar_date(year, month, day).ok())
        .expect("BUG: days 1-28 of months 1-12 exist in every year")
}

/// A date in 2026 that exists.
fn date_2026(month: u8, day: u8) -> Date {
    Month::try_from(month)
        .ok()
        .and_then(|month| Date::from_calendar_date(2026, month, day).ok())
        .expect("BUG: the generator only names existing dates")
}

/// An AGB code from a fixed eight-digit number.
fn agb(code: u32) -> AgbCode {
    AgbCode::parse(&code.to_string()).expect("BUG: the generator only names eight-digit codes")
}

/// A UZOVI number from four fixed digits.
fn uzovi(code: &str) -> Uzovi {
    Uzovi::parse(code).expect("BUG: the generator only names four-digit UZOVI numbers")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_file_and_another_seed_another() {
        assert_eq!(synthetic_file(20, 3, 7), synthetic_file(20, 3, 7));
        assert_ne!(synthetic_file(20, 3, 7), synthetic_file(20, 3, 8));
    }

    #[test]
    fn the_file_has_the_asked_shape_and_consistent_totals() {
        let file = synthetic_file(50, 4, 1);
        assert_eq!(file.patients.len(), 50);
        assert_eq!(file.lines().count(), 200);
        assert_eq!(file.totals.line_count, 200);
        let sum = file
            .lines()
            .try_fold(Cents::ZERO, |sum, line| sum.checked_add(line.declared));
        assert_eq!(sum, Some(file.totals.declared));
    }

    #[test]
    fn a_patient_always_has_at_least_one_line() {
        let file = synthetic_file(3, 0, 1);
        assert!(file.patients.iter().all(|patient| patient.lines.len() == 1));
    }
}
