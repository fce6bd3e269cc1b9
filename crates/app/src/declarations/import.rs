//! `ixorg import mz301 FILE --return OUT`: a Vektis MZ301 file in, its MZ302 return file out.
//!
//! All or nothing: the batch, its lines and outcomes and the ledger postings are committed in
//! one transaction, and the return file is written beside its final name first and moved into
//! place only after the commit. A file whose content was imported before is refused with the
//! earlier batch and its return file named.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, BufWriter, Read as _};
use std::path::{Path, PathBuf};

use ixorg_domain::Cents;
use ixorg_domain::declaration::{CostKind, Decision, DeclarationLine, Outcome, Sender, Who};
use ixorg_domain::identifiers::{AgbCode, ParticipantNumber};
use ixorg_domain::ids::PracticeId;
use ixorg_formats::vektis::{
    self, Header, Line, Mz301Errors, Mz301Stream, Mz302Writer, Patient, RecordReturn, ReturnCode,
    ReturnHeader,
};
use ixorg_store::Tx;
use ixorg_store::declarations::{self as repo, Channel, PayeeAccount};
use ixorg_store::parties;
use sha2::{Digest, Sha256};
use time::Date;
use uuid::Uuid;

use super::{BatchMeta, DecideError, Decider, Item};
use crate::context::AppContext;

/// The largest MZ301 file accepted (about 4.5 million records).
pub const MZ301_BYTES_MAX: u64 = 1_400_000_000;

/// How often a batch is tried again after another batch stored the same line at the same
/// moment (the retry then decides it as a duplicate).
const RACE_RETRIES_MAX: usize = 3;

/// The RETOURCODE of the 01 record: the file was processed. ASSUMPTION: COD954 was not
/// available; see `docs/REASON-CODES.md`.
pub const MZ302_FILE_PROCESSED: &str = "8001";

/// Why an import failed. Nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file cannot be read.
    #[error("cannot read the MZ301 file: {0}")]
    Read(String),
    /// The file is larger than [`MZ301_BYTES_MAX`].
    #[error("the MZ301 file is larger than {MZ301_BYTES_MAX} bytes")]
    TooLarge,
    /// The same content was imported before.
    #[error(
        "this file was imported before as batch {batch} on {received_on}{}",
        return_file.as_ref().map(|f| format!("; its return file is {f}")).unwrap_or_default()
    )]
    AlreadyImported {
        /// The earlier batch.
        batch: Uuid,
        /// When it came in.
        received_on: Date,
        /// Where its return file was written.
        return_file: Option<String>,
    },
    /// The file breaks the MZ301 layout: every problem is listed.
    #[error("{0}")]
    Malformed(Mz301Errors),
    /// Who is to be paid is not registered.
    #[error("{0}")]
    UnknownPayee(String),
    /// Who sent the file (the service bureau it names, or else its practice) is not registered.
    #[error("{0}")]
    UnknownSender(String),
    /// The return file cannot be written.
    #[error("cannot write the MZ302 return file: {0}")]
    Return(String),
    /// The file changed between the check and the import (nothing was stored).
    #[error("the file changed while it was being imported; nothing was imported")]
    Changed,
    /// Deciding or storing failed.
    #[error(transparent)]
    Decide(#[from] DecideError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] ixorg_store::Error),
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportReport {
    /// The new batch.
    pub batch: Uuid,
    /// Lines per outcome, with what budgets paid for them.
    pub outcomes: Vec<(Outcome, u64, Cents)>,
    /// Sum of the declared amounts.
    pub declared: Cents,
    /// Sum of what budgets paid.
    pub assigned: Cents,
    /// The return file.
    pub return_file: PathBuf,
}

/// Imports the MZ301 file at `path` and writes its MZ302 to `return_file`.
///
/// Two passes over the file, record by record, so memory does not grow with it: the first
/// checks the whole file (a malformed file is refused before anything is stored) and takes
/// its content hash; the second decides the lines chunk by chunk in one transaction and
/// streams the MZ302 beside `return_file`, which is moved into place after the commit.
pub async fn import_mz301(
    ctx: &AppContext,
    path: &Path,
    return_file: &Path,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ImportReport, ImportError> {
    import_mz301_in_chunks(ctx, path, return_file, CHUNK_LINES, progress).await
}

/// [`import_mz301`] deciding about `chunk_lines` lines at a time (tests use small chunks to
/// show that the chunks add up to the whole).
pub async fn import_mz301_in_chunks(
    ctx: &AppContext,
    path: &Path,
    return_file: &Path,
    chunk_lines: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ImportReport, ImportError> {
    let chunk_lines = chunk_lines.max(1);
    // An unwritable return file fails here, before anything is stored (crate::output).
    crate::output::StagedFile::create(return_file)
        .map_err(|e| ImportError::Return(e.to_string()))?;
    let hash = hash_file(path)?;
    let temp = temp_path(return_file);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut tx = ctx.db.begin().await?;
        let files = Files {
            path,
            return_file,
            temp: &temp,
        };
        let decided = decide_file(ctx, &mut tx, &files, &hash, chunk_lines, progress).await;
        match decided {
            Ok(report) => {
                if let Err(e) = tx.commit().await {
                    let _ = std::fs::remove_file(&temp);
                    return Err(e.into());
                }
                std::fs::rename(&temp, return_file)
                    .map_err(|e| ImportError::Return(e.to_string()))?;
                return Ok(report);
            }
            Err(ImportError::Decide(DecideError::Raced)) if attempt < RACE_RETRIES_MAX => {
                tx.rollback().await?;
                let _ = std::fs::remove_file(&temp);
                tracing::info!(attempt, "Declaration batch raced another; deciding again");
            }
            Err(e) => {
                tx.rollback().await?;
                let _ = std::fs::remove_file(&temp);
                return Err(e);
            }
        }
    }
}

/// The files of an import.
#[derive(Clone, Copy)]
struct Files<'a> {
    path: &'a Path,
    return_file: &'a Path,
    temp: &'a Path,
}

/// The longest record kept; a longer one is reported as too long and the rest of its line
/// skipped.
const RECORD_BYTES_MAX: u64 = 4_096;

/// Reads the next record into `buf` (line ending removed), hashing every byte read; `false`
/// at the end of the file.
fn read_record(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    hasher: &mut Sha256,
) -> Result<bool, ImportError> {
    let io = |e: std::io::Error| ImportError::Read(e.to_string());
    buf.clear();
    let n = reader
        .by_ref()
        .take(RECORD_BYTES_MAX)
        .read_until(b'\n', buf)
        .map_err(io)?;
    if n == 0 {
        return Ok(false);
    }
    hasher.update(&buf[..]);
    if buf.last() != Some(&b'\n') && n as u64 == RECORD_BYTES_MAX {
        let mut rest = Vec::new();
        loop {
            rest.clear();
            let m = reader
                .by_ref()
                .take(RECORD_BYTES_MAX)
                .read_until(b'\n', &mut rest)
                .map_err(io)?;
            hasher.update(&rest[..]);
            if m == 0 || rest.last() == Some(&b'\n') {
                break;
            }
        }
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(true)
}

fn open(path: &Path) -> Result<BufReader<std::fs::File>, ImportError> {
    let file = std::fs::File::open(path).map_err(|e| ImportError::Read(e.to_string()))?;
    let size = file
        .metadata()
        .map_err(|e| ImportError::Read(e.to_string()))?
        .len();
    if size > MZ301_BYTES_MAX {
        return Err(ImportError::TooLarge);
    }
    Ok(BufReader::with_capacity(READ_BUFFER_BYTES, file))
}

/// Bytes read from the file at a time.
const READ_BUFFER_BYTES: usize = 1 << 20;

/// The first pass: the file's SHA-256, so a file imported before is refused before any work.
fn hash_file(path: &Path) -> Result<Vec<u8>, ImportError> {
    let mut reader = open(path)?;
    let mut hasher = Sha256::new();
    loop {
        let block = reader
            .fill_buf()
            .map_err(|e| ImportError::Read(e.to_string()))?;
        if block.is_empty() {
            return Ok(hasher.finalize().to_vec());
        }
        hasher.update(block);
        let read = block.len();
        reader.consume(read);
    }
}

/// Lines decided per chunk.
const CHUNK_LINES: usize = 10_000;

/// The second pass, in `tx`: the batch decided chunk by chunk, the MZ302 streamed to `temp`.
async fn decide_file(
    ctx: &AppContext,
    tx: &mut Tx,
    files: &Files<'_>,
    hash: &[u8],
    chunk_lines: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ImportReport, ImportError> {
    let Files {
        path,
        return_file,
        temp,
    } = *files;
    let take_every = chunk_lines.clamp(1, 256);
    refuse_repeat(tx, hash).await?;
    let mut chunks = spawn_reader(path.to_path_buf(), chunk_lines, take_every)?;
    let header = match chunks.recv().await {
        Some(ReadChunk::Header(header)) => header,
        Some(ReadChunk::End(Err(e))) => return Err(e),
        _ => return Err(ImportError::Read("the file reader stopped".to_owned())),
    };
    let payee = payee_of(tx, &header).await?;
    let sender = sender_of(tx, &header).await?;
    let meta = BatchMeta {
        channel: Channel::Mz301,
        sender,
        request_hash: None,
        payee,
        sender_reference: header.invoice_number.clone(),
        content_hash: Some(hash.to_vec()),
        api_client: None,
        idempotency_key: None,
        return_file_name: Some(return_file.display().to_string()),
    };
    let mut decider = Decider::start(ctx, tx, "import-mz301", meta).await?;
    let return_header = ReturnHeader {
        insurer_reference: decider.batch_id().simple().to_string()[..24].to_owned(),
        return_date: ctx.clock.today(),
    };
    let out = std::fs::File::create(temp).map_err(|e| ImportError::Return(e.to_string()))?;
    let writer = Mz302Writer::new(
        BufWriter::with_capacity(READ_BUFFER_BYTES, out),
        return_header,
    );
    let (blocks, written) = spawn_writer(writer);
    let mut pass = Pass {
        header,
        outcomes: Vec::new(),
        done: 0,
    };
    let (totals, read_hash) = loop {
        match chunks.recv().await {
            Some(ReadChunk::Patients { patients, records }) => {
                let returns = pass.decide(&mut decider, tx, patients).await?;
                blocks
                    .send(WriteBlock::Records { records, returns })
                    .map_err(|_| ImportError::Return("the MZ302 writer stopped".to_owned()))?;
                progress(pass.done);
            }
            Some(ReadChunk::End(end)) => break end?,
            Some(ReadChunk::Header(_)) | None => {
                return Err(ImportError::Read("the file reader stopped".to_owned()));
            }
        }
    };
    if read_hash != hash {
        return Err(ImportError::Changed);
    }
    blocks
        .send(WriteBlock::End(totals))
        .map_err(|_| ImportError::Return("the MZ302 writer stopped".to_owned()))?;
    written
        .join()
        .map_err(|_| ImportError::Return("the MZ302 writer failed".to_owned()))??;
    let batch = decider.finish(tx).await?;
    Ok(ImportReport {
        batch: batch.id,
        outcomes: pass.outcomes,
        declared: batch.declared,
        assigned: batch.assigned,
        return_file: return_file.to_path_buf(),
    })
}

/// What the reading thread sends: the complete verzekerden of a chunk with their raw records
/// (consecutive, from where the previous chunk ended), and at the end the totals and the hash.
enum ReadChunk {
    /// The voorloop record, sent once it is read without problems.
    Header(Header),
    Patients {
        patients: Vec<Patient>,
        records: Vec<u8>,
    },
    End(Result<(vektis::Totals, Vec<u8>), ImportError>),
}

/// Chunks read ahead of the decider (each at most `chunk_lines` lines and its records).
const CHUNKS_AHEAD: usize = 1;

/// Reads and parses the file on its own thread while the decider works, chunk by chunk.
fn spawn_reader(
    path: PathBuf,
    chunk_lines: usize,
    take_every: usize,
) -> Result<tokio::sync::mpsc::Receiver<ReadChunk>, ImportError> {
    let (send, receive) = tokio::sync::mpsc::channel(CHUNKS_AHEAD);
    let mut reader = open(&path)?;
    std::thread::Builder::new()
        .name("mz301-reader".to_owned())
        .spawn(move || {
            let end = read_chunks(&mut reader, chunk_lines, take_every, &send);
            let _ = send.blocking_send(ReadChunk::End(end));
        })
        .map_err(|e| ImportError::Read(e.to_string()))?;
    Ok(receive)
}

/// The reading thread's loop; returns the totals and the hash, or stops when the decider is
/// gone.
fn read_chunks(
    reader: &mut BufReader<std::fs::File>,
    chunk_lines: usize,
    take_every: usize,
    send: &tokio::sync::mpsc::Sender<ReadChunk>,
) -> Result<(vektis::Totals, Vec<u8>), ImportError> {
    let length = vektis::MZ301_V1_3.record_length;
    let mut hasher = Sha256::new();
    let mut stream = Mz301Stream::new();
    let mut buf = Vec::with_capacity(512);
    let mut pending: Vec<u8> = Vec::new();
    let mut pending_first = 1;
    let mut chunk: Vec<Patient> = Vec::new();
    let mut lines_waiting = 0;
    let mut header_sent = false;
    while read_record(reader, &mut buf, &mut hasher)? {
        stream.record(&buf);
        if stream.has_errors() {
            // Keep reading for every problem; nothing more is decided (the caller rolls back).
            pending.clear();
            chunk.clear();
            let _ = stream.take_complete();
            continue;
        }
        if !header_sent && let Some(header) = stream.header() {
            header_sent = true;
            if send
                .blocking_send(ReadChunk::Header(header.clone()))
                .is_err()
            {
                return Err(ImportError::Read("the import stopped".to_owned()));
            }
        }
        if !buf.starts_with(b"99") {
            pending.extend_from_slice(&buf);
        }
        if stream.records().is_multiple_of(take_every) {
            let taken = stream.take_complete();
            lines_waiting += taken.iter().map(|p| p.lines.len()).sum::<usize>();
            chunk.extend(taken);
        }
        if lines_waiting >= chunk_lines {
            let upto = stream.open_from().unwrap_or(stream.records() + 1);
            let count = upto
                .saturating_sub(pending_first)
                .min(pending.len() / length);
            let rest = pending.split_off(count * length);
            let records = std::mem::replace(&mut pending, rest);
            pending_first += count;
            let patients = std::mem::take(&mut chunk);
            lines_waiting = 0;
            if send
                .blocking_send(ReadChunk::Patients { patients, records })
                .is_err()
            {
                return Err(ImportError::Read("the import stopped".to_owned()));
            }
        }
    }
    let file = stream.finish().map_err(ImportError::Malformed)?;
    chunk.extend(file.patients);
    let records = std::mem::take(&mut pending);
    if send
        .blocking_send(ReadChunk::Patients {
            patients: chunk,
            records,
        })
        .is_err()
    {
        return Err(ImportError::Read("the import stopped".to_owned()));
    }
    Ok((file.totals, hasher.finalize().to_vec()))
}

/// What the writing thread receives: records with the returns of their lines, then the end.
enum WriteBlock {
    Records {
        records: Vec<u8>,
        returns: HashMap<usize, RecordReturn>,
    },
    End(vektis::Totals),
}

type Mz302Out = Mz302Writer<BufWriter<std::fs::File>>;

/// Writes the MZ302 on its own thread as blocks of decided records arrive.
fn spawn_writer(
    writer: Mz302Out,
) -> (
    std::sync::mpsc::SyncSender<WriteBlock>,
    std::thread::JoinHandle<Result<(), ImportError>>,
) {
    let (send, receive) = std::sync::mpsc::sync_channel(CHUNKS_AHEAD);
    let handle = std::thread::spawn(move || write_blocks(writer, &receive));
    (send, handle)
}

fn write_blocks(
    mut writer: Mz302Out,
    blocks: &std::sync::mpsc::Receiver<WriteBlock>,
) -> Result<(), ImportError> {
    let length = vektis::MZ301_V1_3.record_length;
    let processed = ReturnCode::parse(MZ302_FILE_PROCESSED).ok();
    let failed = |e: vektis::WriteError| ImportError::Return(e.to_string());
    while let Ok(block) = blocks.recv() {
        match block {
            WriteBlock::Records {
                records,
                mut returns,
            } => {
                for raw in records.chunks_exact(length) {
                    let record = writer.records() + 1;
                    let outcome = if record == 1 {
                        RecordReturn {
                            codes: [processed.clone(), None, None],
                            ..RecordReturn::default()
                        }
                    } else {
                        returns.remove(&record).unwrap_or_default()
                    };
                    writer.record(raw, &outcome).map_err(failed)?;
                }
            }
            WriteBlock::End(totals) => {
                writer.finish(&totals).map_err(failed)?;
                return Ok(());
            }
        }
    }
    Err(ImportError::Return(
        "the import stopped before the end".to_owned(),
    ))
}

/// The decider's side of the second pass: the header of the file and what was decided.
struct Pass {
    header: vektis::Header,
    outcomes: Vec<(Outcome, u64, Cents)>,
    done: u64,
}

fn temp_path(return_file: &Path) -> PathBuf {
    let mut name = return_file.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

async fn refuse_repeat(tx: &mut Tx, hash: &[u8]) -> Result<(), ImportError> {
    match repo::batch_by_hash(tx, hash).await? {
        Some(earlier) => Err(ImportError::AlreadyImported {
            batch: earlier.id,
            received_on: earlier.received_on,
            return_file: earlier.return_file_name,
        }),
        None => Ok(()),
    }
}

/// IDENTIFICATIECODE BETALING AAN: 01 service bureau, 02 provider, 03 practice, 04 institution.
const PAYMENT_TO_SERVICE_BUREAU: u8 = 1;

/// Who is paid for the file's lines: the service bureau when the file says so, else the
/// practice (or institution) of the 01 record.
async fn payee_of(tx: &mut Tx, header: &Header) -> Result<PayeeAccount, ImportError> {
    if header.payment_to == PAYMENT_TO_SERVICE_BUREAU {
        let bureau = header
            .service_bureau
            .as_ref()
            .ok_or_else(|| ImportError::UnknownPayee("the file pays the service bureau but names none (record 1, field Code servicebureau)".to_owned()))?;
        let id = repo::intermediary_by_agb(tx, bureau.as_str())
            .await?
            .ok_or_else(|| {
                ImportError::UnknownPayee(format!("service bureau {bureau} is not registered"))
            })?;
        return repo::payee_account(tx, None, Some(id))
            .await?
            .ok_or_else(|| {
                ImportError::UnknownPayee(format!("service bureau {bureau} has no payee account"))
            });
    }
    let (id, practice) = file_practice(tx, header)
        .await?
        .map_err(ImportError::UnknownPayee)?;
    repo::payee_account(tx, Some(id), None)
        .await?
        .ok_or_else(|| {
            ImportError::UnknownPayee(format!("practice {practice} has no payee account"))
        })
}

/// Who sent the file: the service bureau it names (which must be registered, and declares
/// only for the practices it bills for), or else the practice (or institution) of the 01
/// record, which declares for its own providers.
async fn sender_of(tx: &mut Tx, header: &Header) -> Result<Sender, ImportError> {
    if let Some(bureau) = &header.service_bureau {
        let id = repo::intermediary_by_agb(tx, bureau.as_str())
            .await?
            .ok_or_else(|| {
                ImportError::UnknownSender(format!(
                    "the file comes from service bureau {bureau} (record 1, field Code \
                     servicebureau), which is not registered"
                ))
            })?;
        return Ok(Sender::Intermediary(id));
    }
    let (id, _) = file_practice(tx, header)
        .await?
        .map_err(ImportError::UnknownSender)?;
    Ok(Sender::Practice(id))
}

/// The registered practice (or institution) of the 01 record, with its code; `Ok(Err(…))`
/// says what is missing.
async fn file_practice<'h>(
    tx: &mut Tx,
    header: &'h Header,
) -> Result<Result<(PracticeId, &'h AgbCode), String>, ImportError> {
    let Some(practice) = header.practice.as_ref().or(header.institution.as_ref()) else {
        return Ok(Err(
            "the file names no practice (record 1, field Praktijkcode)".to_owned(),
        ));
    };
    Ok(parties::practice_by_agb(tx, practice)
        .await?
        .map(|id| (id, practice))
        .ok_or_else(|| format!("practice {practice} is not registered")))
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

/// One 04 record as a declaration line. The participant is named by our participant number
/// in VERZEKERDENNUMMER, or else by BSN with the 02 record's date of birth.
fn declaration_line(header: &Header, patient: &Patient, line: &Line) -> DeclarationLine {
    let who = match (ParticipantNumber::parse(&line.insured_number), &line.bsn) {
        (Ok(number), _) => Who::Number(number),
        (Err(_), Some(bsn)) => Who::Bsn {
            bsn: bsn.clone(),
            birth_date: patient.birth_date,
        },
        (Err(_), None) => Who::Unidentified,
    };
    DeclarationLine {
        reference: line.reference.to_string(),
        previous_reference: non_empty(&line.previous_reference),
        who,
        provider: line.provider.clone(),
        practice: header.practice.clone(),
        treatment_date: line.treatment_date,
        code: line.code.to_string(),
        element: non_empty(&line.element),
        surface: non_empty(&line.surface),
        cost: if line.is_honorarium() {
            CostKind::Honorarium
        } else {
            CostKind::MaterialOrTechnician
        },
        quantity: line.quantity,
        unit_tariff: line.tariff,
        amount: line.declared,
        accident: line.accident == Some(vektis::Accident::Yes),
    }
}

impl Pass {
    /// Decides the lines of `patients`; returns the return sections of their records.
    async fn decide(
        &mut self,
        decider: &mut Decider<'_>,
        tx: &mut Tx,
        patients: Vec<Patient>,
    ) -> Result<HashMap<usize, RecordReturn>, ImportError> {
        let items: Vec<Item> = patients
            .iter()
            .flat_map(|patient| {
                patient.lines.iter().map(|line| Item {
                    line: declaration_line(&self.header, patient, line),
                    record: Some(line.record),
                })
            })
            .collect();
        let mut returns = HashMap::with_capacity(items.len());
        if items.is_empty() {
            return Ok(returns);
        }
        let decisions = decider.decide(tx, &items).await?;
        for (item, decision) in items.iter().zip(&decisions) {
            self.count(decision);
            if let Some(record) = item.record {
                returns.insert(record, line_return(item, decision));
            }
        }
        self.done += items.len() as u64;
        Ok(returns)
    }

    fn count(&mut self, decision: &Decision) {
        match self
            .outcomes
            .iter_mut()
            .find(|(o, _, _)| *o == decision.outcome)
        {
            Some(entry) => {
                entry.1 += 1;
                entry.2 = entry.2.checked_add(decision.budget_paid).unwrap_or(entry.2);
            }
            None => self
                .outcomes
                .push((decision.outcome, 1, decision.budget_paid)),
        }
    }
}

/// The return section of a decided 04 record: calculated and assigned amounts and up to three
/// return codes.
fn line_return(item: &Item, decision: &Decision) -> RecordReturn {
    let mut codes = [None, None, None];
    for (slot, reason) in codes.iter_mut().zip(&decision.reasons) {
        *slot = ReturnCode::parse(reason.mz302_code()).ok();
    }
    RecordReturn {
        calculated: if decision.outcome == Outcome::Rejected {
            Cents::ZERO
        } else {
            item.line.amount
        },
        assigned: decision.budget_paid,
        codes,
    }
}
