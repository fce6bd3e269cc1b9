//! `ixorg generate mz301 --lines N`: realistic synthetic MZ301 files for the participants in
//! the database, for tests, the demo and benchmarks.
//!
//! The file's structure comes from [`ixorg_formats::vektis::synthetic_file`]; its lines are
//! then made to fit the database: participant numbers of contracts that have started, a paid
//! practice and its providers, codes of the tariff list with amounts up to the maximum tariff of
//! the treatment year, treatment dates in the 90 days before today. Shares, drawn from the
//! seed: 2 % over the maximum tariff, 2 % duplicates of the line before, 1 % credits of the
//! line before, 1 % accidents, 1 % unknown participants.

use std::path::Path;

use ixorg_app::AppContext;
use ixorg_domain::Cents;
use ixorg_domain::identifiers::{AgbCode, ParticipantNumber};
use ixorg_domain::privacy::{Action, DataCategory, Purpose};
use ixorg_domain::tariff::{TariffCode, TariffTable};
use ixorg_formats::vektis::{self, Accident, FieldText, Line};
use ixorg_store::tooling::{self as repo, SyntheticSubject};
use time::{Date, Duration};

use crate::synthetic::Rng;

/// Lines per verzekerde in generated files.
const LINES_PER_PATIENT: usize = 3;

/// Most lines one generated file holds (the 99 record counts in six digits).
pub const LINES_MAX: usize = 999_999;

/// Most participants read to spread the lines over.
const SUBJECTS_MAX: i64 = 1_000_000;

/// How far back treatment dates go.
const DAYS_BACK: i64 = 90;

/// Why no file could be generated.
#[derive(Debug, thiserror::Error)]
pub enum GenerateMz301Error {
    /// No participant's contract has started.
    #[error("no participant's contract has started: generate participants first")]
    NoParticipants,
    /// No practice with a payee is registered.
    #[error("no practice with a payee is registered (the demo registers some)")]
    NoPractice,
    /// The tariff list has no point value for this year.
    #[error("the tariff list has no prices for this year")]
    NoTariffs,
    /// Lines out of range.
    #[error("--lines must be from 1 to {LINES_MAX}")]
    Lines,
    /// Building or writing the file failed.
    #[error("cannot write the file")]
    File(#[source] ixorg_app::ErrorCause),
    /// A stored AGB code does not parse.
    #[error("a stored AGB code does not parse")]
    StoredAgb(#[source] ixorg_app::domain::identifiers::AgbError),
    /// The gate refused the job.
    #[error(transparent)]
    Access(#[from] ixorg_app::access::AccessError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] ixorg_store::Error),
}

/// What was generated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Generated {
    /// Lines written.
    pub lines: usize,
    /// Bytes written.
    pub bytes: usize,
}

/// Writes a synthetic MZ301 file of `lines` lines to `out`, from the first paid practice, with
/// treatment dates in the 90 days before today.
pub async fn mz301(
    ctx: &AppContext,
    lines: usize,
    seed: u64,
    out: &Path,
) -> Result<Generated, GenerateMz301Error> {
    mz301_for(ctx, lines, seed, out, &Mz301Spec::default()).await
}

/// Which practice sends a generated file and how far back its treatment dates go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mz301Spec {
    /// The sending practice (one with a payee); `None` for the first.
    pub practice: Option<AgbCode>,
    /// Treatment dates lie in this many days before the day before today (at least 1).
    pub days_back: i64,
}

impl Default for Mz301Spec {
    fn default() -> Self {
        Mz301Spec {
            practice: None,
            days_back: DAYS_BACK,
        }
    }
}

/// Writes a synthetic MZ301 file of `lines` lines to `out`, sent by the practice of `spec`
/// (see the module docs for its shares).
pub async fn mz301_for(
    ctx: &AppContext,
    lines: usize,
    seed: u64,
    out: &Path,
    spec: &Mz301Spec,
) -> Result<Generated, GenerateMz301Error> {
    if lines == 0 || lines > LINES_MAX {
        return Err(GenerateMz301Error::Lines);
    }
    let today = ctx.clock.today();
    let mut tx = ctx.db.begin().await?;
    let grant = ixorg_app::access::job_grant(
        ctx,
        &mut tx,
        "generate-mz301",
        Purpose::ServiceDelivery,
        vec![DataCategory::Identity, DataCategory::Account],
        Action::Read,
    )
    .await?;
    let yesterday = today - Duration::days(1);
    let subjects = repo::synthetic_subjects(&mut tx, &grant, yesterday, SUBJECTS_MAX).await?;
    let practices = repo::paid_practices(&mut tx).await?;
    let tariffs = ixorg_store::reference::tariff_table(&mut tx).await?;
    tx.commit().await?;
    if subjects.is_empty() {
        return Err(GenerateMz301Error::NoParticipants);
    }
    let (practice, providers) = practices
        .into_iter()
        .find(|(agb, _)| spec.practice.as_ref().is_none_or(|p| p.as_str() == agb))
        .ok_or(GenerateMz301Error::NoPractice)?;
    let parse = |agb: &str| {
        agb.parse::<AgbCode>()
            .map_err(GenerateMz301Error::StoredAgb)
    };
    let practice = parse(&practice)?;
    let mut providers = providers
        .iter()
        .map(|p| parse(p))
        .collect::<Result<Vec<_>, _>>()?;
    if providers.is_empty() {
        providers.push(practice.clone());
    }
    // The latest year with prices at or before today's (a new year's prices may come late).
    let year = tariffs
        .years()
        .into_iter()
        .filter(|y| *y <= today.year())
        .max()
        .unwrap_or(today.year());
    let codes = codes_of(&tariffs, year);
    if codes.is_empty() {
        return Err(GenerateMz301Error::NoTariffs);
    }
    let source = Source {
        subjects: &subjects,
        providers: &providers,
        codes,
        today,
        days_back: spec.days_back.max(1),
    };
    let bytes = write(&source, &practice, lines, seed, out).map_err(GenerateMz301Error::File)?;
    Ok(Generated { lines, bytes })
}

/// A code with its maximum tariff in the year and how it is charged.
struct Code {
    code: String,
    max: Cents,
    per_element: bool,
    surfaces: usize,
}

fn codes_of(tariffs: &TariffTable, year: i32) -> Vec<Code> {
    tariffs
        .tariffs()
        .iter()
        .filter_map(|t| {
            let code = TariffCode::parse(t.code.as_str()).ok()?;
            let max = tariffs.max_tariff(&code, year).ok()?;
            let surfaces = if t.code.as_str().starts_with('V') && t.code.as_str() != "V15" {
                usize::from(t.code.as_str().as_bytes().get(2).copied().unwrap_or(b'1') - b'0')
                    .clamp(1, 4)
            } else {
                0
            };
            Some(Code {
                code: t.code.as_str().to_owned(),
                max,
                per_element: t.unit.contains("element") || t.unit.contains("vulling"),
                surfaces,
            })
        })
        .collect()
}

struct Source<'a> {
    subjects: &'a [SyntheticSubject],
    providers: &'a [AgbCode],
    codes: Vec<Code>,
    today: Date,
    days_back: i64,
}

/// Verzekerden generated per template chunk (bounds the memory of a large file).
const PATIENTS_PER_CHUNK: usize = 10_000;

/// Writes the file patient by patient: structure from the synthetic template, lines made to
/// fit the database. Participants are taken in turn from a seeded starting point, so a file
/// with fewer verzekerden than participants names each at most once, as a practice's file
/// would. Returns the bytes written.
fn write(
    source: &Source<'_>,
    practice: &AgbCode,
    lines: usize,
    seed: u64,
    out: &Path,
) -> Result<usize, ixorg_app::ErrorCause> {
    let patients = lines.div_ceil(LINES_PER_PATIENT);
    let template = vektis::synthetic_file(1, 1, seed);
    let mut header = template.header;
    header.practice = Some(practice.clone());
    header.provider = source.providers.first().cloned();
    header.service_bureau = None;
    header.payment_to = 3;
    let file = std::fs::File::create(out)?;
    let counted = CountingWriter {
        inner: std::io::BufWriter::with_capacity(1 << 20, file),
        bytes: 0,
    };
    let mut writer = vektis::Mz301Writer::new(counted, &header)?;
    let mut rng = Rng::new(seed);
    let first = usize::try_from(rng.below(source.subjects.len() as u64)).unwrap_or(0);
    let mut made = 0;
    let mut index = 0;
    while index < patients {
        let count = PATIENTS_PER_CHUNK.min(patients - index);
        let chunk_seed = seed.wrapping_add(index as u64);
        let mut part = vektis::synthetic_file(count, LINES_PER_PATIENT, chunk_seed);
        for patient in &mut part.patients {
            let subject = &source.subjects[(first + index) % source.subjects.len()];
            patient.bsn = None;
            patient.birth_date = subject.birth_date;
            let keep = LINES_PER_PATIENT.min(lines - made);
            patient.lines.truncate(keep);
            let mut previous: Option<Line> = None;
            for (n, line) in patient.lines.iter_mut().enumerate() {
                let reference =
                    format!("G{:04}-{:09}", seed % 10_000, index * LINES_PER_PATIENT + n);
                fill(
                    source,
                    &mut rng,
                    subject,
                    line,
                    previous.as_ref(),
                    &reference,
                );
                previous = Some(line.clone());
            }
            made += keep;
            index += 1;
            writer.patient(patient)?;
        }
    }
    let (mut counted, _) = writer.finish()?;
    std::io::Write::flush(&mut counted)?;
    Ok(counted.bytes)
}

/// Counts the bytes written through it.
struct CountingWriter<W: std::io::Write> {
    inner: W,
    bytes: usize,
}

impl<W: std::io::Write> std::io::Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn text<const N: usize>(value: &str) -> FieldText<N> {
    FieldText::new(value).unwrap_or(FieldText::EMPTY)
}

/// Makes one line realistic for `subject`, or a duplicate, credit, accident, over-tariff or
/// unknown-participant line by the shares of the module docs.
fn fill(
    source: &Source<'_>,
    rng: &mut Rng,
    subject: &SyntheticSubject,
    line: &mut Line,
    previous: Option<&Line>,
    reference: &str,
) {
    line.bsn = None;
    line.reference = text(reference);
    line.previous_reference = FieldText::EMPTY;
    line.record_kind = 1;
    line.reduction = Cents::ZERO;
    line.provider = rng.pick(source.providers).clone();
    line.accident = Some(Accident::No);
    let draw = rng.below(100);
    if let (Some(before), 0..=1) = (previous, draw) {
        // A duplicate of the line before under a new reference.
        copy_treatment(line, before);
        return;
    }
    if let (Some(before), 2) = (previous, draw) {
        // A credit of the line before.
        copy_treatment(line, before);
        line.previous_reference = before.reference;
        line.calculated = before.calculated.checked_neg().unwrap_or(Cents::ZERO);
        line.declared = before.declared.checked_neg().unwrap_or(Cents::ZERO);
        return;
    }
    let number = if draw == 3 {
        ParticipantNumber::from_sequence(
            99_000_000 + u32::try_from(rng.below(900_000)).unwrap_or(0),
        )
        .map(|n| n.as_str().to_owned())
        .unwrap_or_default()
    } else {
        subject.number.clone()
    };
    line.insured_number = text(&number);
    let start = subject
        .contract_start
        .max(source.today - Duration::days(source.days_back));
    let span = (source.today - start).whole_days().max(1);
    let offset = i64::try_from(rng.below(u64::try_from(span).unwrap_or(1))).unwrap_or(0);
    line.treatment_date = (start + Duration::days(offset)).min(source.today - Duration::days(1));
    let code = rng.pick(&source.codes);
    line.code = text(&code.code);
    line.element = if code.per_element {
        text(&format!("{}{}", 1 + rng.below(4), 1 + rng.below(8)))
    } else {
        FieldText::EMPTY
    };
    line.surface = text(&"MODB"[..code.surfaces]);
    line.quantity = 1;
    let mut amount = if rng.chance(70) {
        code.max
    } else {
        let part = i64::try_from(50 + rng.below(50)).unwrap_or(100);
        Cents::new(code.max.get() * part / 100)
    };
    if (4..=5).contains(&draw) {
        amount = amount.checked_add(Cents::new(500)).unwrap_or(amount);
    }
    if draw == 6 {
        line.accident = Some(Accident::Yes);
    }
    line.tariff = amount;
    line.calculated = amount;
    line.declared = amount;
}

fn copy_treatment(line: &mut Line, before: &Line) {
    line.insured_number = before.insured_number;
    line.treatment_date = before.treatment_date;
    line.code = before.code;
    line.element = before.element;
    line.surface = before.surface;
    line.quantity = before.quantity;
    line.tariff = before.tariff;
    line.calculated = before.calculated;
    line.declared = before.declared;
    line.provider = before.provider.clone();
}
